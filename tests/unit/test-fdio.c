/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for whole reads and writes: pipes, EINTR, size caps, refusing odd files. */
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fdio.h"
#include "path.h"

static char tmp[] = "/tmp/ctr-test-fdio-XXXXXX";
static int tmpfd = -1;

static void
on_alarm(int sig)
{
	(void)sig;
}

/* A child that writes n bytes of pattern to fd in chunks of step, pausing between them. */
static pid_t
slow_writer(int fd, size_t n, size_t step, useconds_t pause_us)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char buf[4096];

		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = (char)('a' + i % 26);
		for (size_t done = 0; done < n;) {
			size_t k = n - done < step ? n - done : step;

			usleep(pause_us);
			if (fdio_write_full(fd, buf + done % 26, k) < 0)
				_exit(1);
			done += k;
		}
		_exit(0);
	}
	return pid;
}

static int
reap(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void
test_fdio_read_full_pipe(void)
{
	char buf[4000];
	int p[2];
	pid_t pid;

	ok(pipe2(p, O_CLOEXEC) == 0, "pipe");
	pid = slow_writer(p[1], 3000, 700, 20000);
	close(p[1]);
	is_int(fdio_read_full(p[0], buf, 2800), 2800, "short writes are joined into one read");
	ok(buf[0] == 'a' && buf[700] == 'a' + 700 % 26, "bytes in order");
	is_int(fdio_read_full(p[0], buf, sizeof(buf)), 200, "at EOF, the count of what was left");
	is_int(fdio_read_full(p[0], buf, sizeof(buf)), 0, "after EOF, 0");
	close(p[0]);
	is_int(reap(pid), 0, "writer exited 0");
	is_int(fdio_read_full(-1, buf, 1), -1, "bad fd is -1");
	is_int(errno, EBADF, "with EBADF");
}

/* A signal that interrupts a blocking read (no SA_RESTART) must not end it. */
static void
test_fdio_read_full_eintr(void)
{
	struct sigaction sa = {.sa_handler = on_alarm}; /* no SA_RESTART: read gets EINTR */
	struct itimerval it = {.it_interval = {0, 10000}, .it_value = {0, 10000}};
	struct itimerval off = {0};
	char buf[100];
	int p[2];
	pid_t pid;
	ssize_t r;

	sigaction(SIGALRM, &sa, NULL);
	ok(pipe2(p, O_CLOEXEC) == 0, "pipe");
	pid = slow_writer(p[1], 100, 50, 150000);
	close(p[1]);
	setitimer(ITIMER_REAL, &it, NULL);
	r = fdio_read_full(p[0], buf, sizeof(buf));
	setitimer(ITIMER_REAL, &off, NULL);
	is_int(r, 100, "read_full survives interrupting signals");
	close(p[0]);
	is_int(reap(pid), 0, "writer exited 0");
	signal(SIGALRM, SIG_DFL);
}

/* write_full of more than a pipe holds, read back whole by read_all. */
static void
test_fdio_write_full_big(void)
{
	const size_t n = 1 << 20;
	char *big = malloc(n), *got = NULL;
	size_t len = 0;
	struct err e;
	int p[2];
	pid_t pid;

	for (size_t i = 0; i < n; i++)
		big[i] = (char)(i * 7 + i / 4096);
	ok(pipe2(p, O_CLOEXEC) == 0, "pipe");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		_exit(fdio_write_full(p[1], big, n) == 0 ? 0 : 1);
	}
	close(p[1]);
	is_int(fdio_read_all(p[0], 2 * n, &got, &len, &e), 0, "read_all of 1 MiB");
	is_int(len, n, "all of it");
	ok(got && !memcmp(got, big, n), "same bytes");
	ok(got && got[n] == '\0', "NUL-terminated");
	is_int(reap(pid), 0, "write_full returned 0");
	close(p[0]);
	free(got);
	free(big);
}

/* writev_full: pieces of any size, in order, one of them empty; too many is EINVAL. */
static void
test_fdio_writev_full_pieces(void)
{
	const size_t n = 300 << 10;
	char *big = malloc(n), *got = NULL;
	struct iovec iov[FDIO_IOV_MAX + 1];
	size_t len = 0;
	struct err e;
	int p[2];
	pid_t pid;

	for (size_t i = 0; i < n; i++)
		big[i] = (char)(i * 13 + i / 4096);
	iov[0] = (struct iovec){big, 1};
	iov[1] = (struct iovec){big + 1, 0};
	iov[2] = (struct iovec){big + 1, 100 << 10};
	iov[3] = (struct iovec){big + 1 + (100 << 10), n - 1 - (100 << 10)};
	ok(pipe2(p, O_CLOEXEC) == 0, "pipe");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		_exit(fdio_writev_full(p[1], iov, 4) == 0 ? 0 : 1);
	}
	close(p[1]);
	is_int(fdio_read_all(p[0], 2 * n, &got, &len, &e), 0, "read_all of 300 KiB in 4 pieces");
	ok(len == n && got && !memcmp(got, big, n), "the same bytes in order");
	is_int(reap(pid), 0, "writev_full returned 0");
	close(p[0]);
	errno = 0;
	ok(fdio_writev_full(-1, iov, FDIO_IOV_MAX + 1) < 0 && errno == EINVAL,
	   "more than FDIO_IOV_MAX pieces: EINVAL");
	free(got);
	free(big);
}

static void
test_fdio_write_full_epipe(void)
{
	int p[2];

	signal(SIGPIPE, SIG_IGN);
	ok(pipe2(p, O_CLOEXEC) == 0, "pipe");
	close(p[0]);
	is_int(fdio_write_full(p[1], "x", 1), -1, "write to a closed pipe fails");
	is_int(errno, EPIPE, "with EPIPE");
	close(p[1]);
	signal(SIGPIPE, SIG_DFL);
}

/* Feed s into a pipe and read_all it with max. */
static int
read_all_of(const char *s, size_t n, size_t max, char **out, size_t *len, struct err *e)
{
	int p[2], rc;

	if (pipe2(p, O_CLOEXEC) < 0 || fdio_write_full(p[1], s, n) < 0)
		return -2;
	close(p[1]);
	rc = fdio_read_all(p[0], max, out, len, e);
	close(p[0]);
	return rc;
}

static void
test_fdio_read_all_cap(void)
{
	char *out = NULL;
	size_t len = 99;
	struct err e;

	is_int(read_all_of("", 0, 10, &out, &len, &e), 0, "empty input");
	is_int(len, 0, "length 0");
	is_str(out, "", "an empty NUL-terminated string");
	free(out);
	out = NULL;
	is_int(read_all_of("0123456789", 10, 10, &out, &len, &e), 0, "exactly max bytes");
	is_str(out, "0123456789", "content");
	free(out);
	out = NULL;
	is_int(read_all_of("0123456789X", 11, 10, &out, &len, &e), -1, "max + 1 bytes refused");
	is_str(e.code, "too-large", "code too-large");
	ok(out == NULL, "nothing returned on failure");
	is_int(read_all_of("a\0b", 3, 10, &out, NULL, &e), 0, "len may be NULL; NULs read through");
	ok(out && out[0] == 'a' && out[1] == '\0' && out[2] == 'b', "embedded NUL kept");
	free(out);
	out = NULL;
	is_int(fdio_read_all(-1, 10, &out, &len, &e), -1, "bad fd");
	is_int(e.sys, EBADF, "EBADF recorded");
}

static void
test_fdio_read_file_at(void)
{
	char *out = NULL;
	size_t len = 0;
	struct err e;

	tap_write_file(tmpfd, "f", "hello\n");
	is_int(fdio_read_file_at(tmpfd, "f", 100, &out, &len, &e), 0, "regular file");
	is_str(out, "hello\n", "content");
	is_int(len, 6, "length");
	free(out);
	out = NULL;
	is_int(fdio_read_file_at(tmpfd, "f", 6, &out, &len, &e), 0, "size == max is fine");
	free(out);
	out = NULL;
	is_int(fdio_read_file_at(tmpfd, "f", 5, &out, &len, &e), -1, "size > max refused");
	is_str(e.code, "too-large", "code too-large");

	symlinkat("f", tmpfd, "link");
	is_int(fdio_read_file_at(tmpfd, "link", 100, &out, &len, &e), -1, "final symlink refused");
	is_int(e.sys, ELOOP, "with ELOOP");

	mknodat(tmpfd, "fifo", S_IFIFO | 0600, 0);
	alarm(5); /* a hang here would be the bug: fail loudly instead */
	is_int(fdio_read_file_at(tmpfd, "fifo", 100, &out, &len, &e), -1,
	       "FIFO refused without blocking");
	alarm(0);
	ok(strstr(e.msg, "not a regular file"), "message says why: %s", e.msg);

	mkdirat(tmpfd, "dir", 0700);
	is_int(fdio_read_file_at(tmpfd, "dir", 100, &out, &len, &e), -1, "directory refused");
	is_int(fdio_read_file_at(AT_FDCWD, "/dev/null", 100, &out, &len, &e), -1, "device refused");
	is_int(fdio_read_file_at(tmpfd, "missing", 100, &out, &len, &e), -1, "missing file");
	is_str(e.code, "not-found", "code not-found");
	ok(out == NULL, "nothing returned on failure");
}

int
main(void)
{
	struct err e;

	tmpfd = tap_tmpdir(tmp);
	RUN(test_fdio_read_full_pipe);
	RUN(test_fdio_read_full_eintr);
	RUN(test_fdio_write_full_big);
	RUN(test_fdio_writev_full_pieces);
	RUN(test_fdio_write_full_epipe);
	RUN(test_fdio_read_all_cap);
	RUN(test_fdio_read_file_at);
	close(tmpfd);
	ok(path_rm_rf(AT_FDCWD, tmp, &e) == 0, "temporary directory removed");
	return tap_done();
}
