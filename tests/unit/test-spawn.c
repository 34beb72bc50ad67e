/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for spawning helpers: exit codes, signals, redirects, inherited descriptors. */
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fdio.h"
#include "spawn.h"
#include "state.h"
#include "xmem.h"

/* Run argv with stdout captured into buf; returns spawn_run's result. */
static int
run_capture(char *const argv[], struct spawn_opts *o, char *buf, size_t n, struct err *e)
{
	int p[2], rc;
	ssize_t r;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -2;
	o->stdout_fd = p[1];
	rc = spawn_run(argv, o, e);
	close(p[1]);
	r = fdio_read_full(p[0], buf, n - 1);
	buf[r > 0 ? r : 0] = '\0';
	close(p[0]);
	return rc;
}

static int
sh(const char *script)
{
	char *argv[] = {"sh", "-c", (char *)script, NULL};
	struct spawn_opts o = SPAWN_OPTS_INIT;
	struct err e;

	return spawn_run(argv, &o, &e);
}

static void
test_spawn_exit_codes(void)
{
	is_int(sh("exit 0"), 0, "exit 0");
	is_int(sh("exit 3"), 3, "exit 3");
	is_int(sh("exit 100"), 100, "exit 100");
	is_int(sh("exit 255"), 255, "exit 255");
	is_int(sh("true"), 0, "true via $PATH");
}

static void
test_spawn_signals(void)
{
	is_int(sh("kill -TERM $$"), 128 + SIGTERM, "SIGTERM gives 143");
	is_int(sh("kill -KILL $$"), 128 + SIGKILL, "SIGKILL gives 137");
	is_int(sh("kill -SEGV $$"), 128 + SIGSEGV, "SIGSEGV gives 139");
}

/* Dispositions and the mask we have must not leak into the child. */
static void
test_spawn_signal_state_reset(void)
{
	/* grep reads its own status: a shell in between may block signals of its own */
	char *argv[] = {"grep", "SigBlk", "/proc/self/status", NULL};
	struct spawn_opts o = SPAWN_OPTS_INIT;
	sigset_t usr1, old;
	char buf[256];
	struct err e;

	signal(SIGTERM, SIG_IGN);
	is_int(sh("kill -TERM $$"), 128 + SIGTERM, "our ignored SIGTERM is default in the child");
	signal(SIGTERM, SIG_DFL);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, &old);
	is_int(run_capture(argv, &o, buf, sizeof(buf), &e), 0, "grep SigBlk");
	ok(strstr(buf, "SigBlk:\t0000000000000000"), "nothing blocked in the child");
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static void
test_spawn_missing_binary(void)
{
	char *abs[] = {"/nonexistent/ctr-no-such-binary", NULL};
	char *rel[] = {"ctr-no-such-binary-xyz", NULL};
	char *noexec[] = {"/dev/null", NULL};
	struct spawn_opts o = SPAWN_OPTS_INIT;
	struct err e = {0};
	pid_t pid = 0;

	is_int(spawn_run(abs, &o, &e), -1, "a missing absolute binary is an error");
	is_int(e.sys, ENOENT, "with ENOENT");
	ok(strstr(e.msg, "ctr-no-such-binary"), "message names it: %s", e.msg);
	is_int(spawn_start(rel, &o, &pid, &e), -1, "a name not in $PATH is an error");
	is_int(e.sys, ENOENT, "with ENOENT");
	is_int(spawn_run(noexec, &o, &e), -1, "a non-executable file is an error");
	ok(e.sys == EACCES || e.sys == ENOEXEC, "with EACCES or ENOEXEC (%d)", e.sys);
}

static void
test_spawn_redirects(void)
{
	char *echo[] = {"sh", "-c", "echo out; echo err >&2", NULL};
	char *cat[] = {"cat", NULL};
	struct spawn_opts o = SPAWN_OPTS_INIT;
	char buf[256];
	struct err e;
	int in[2], errp[2];
	ssize_t r;

	ok(pipe2(errp, O_CLOEXEC) == 0, "pipe");
	o.stderr_fd = errp[1];
	is_int(run_capture(echo, &o, buf, sizeof(buf), &e), 0,
	       "echo with stdout and stderr redirected");
	is_str(buf, "out\n", "stdout captured");
	close(errp[1]);
	r = fdio_read_full(errp[0], buf, sizeof(buf) - 1);
	buf[r > 0 ? r : 0] = '\0';
	is_str(buf, "err\n", "stderr captured separately");
	close(errp[0]);

	ok(pipe2(in, O_CLOEXEC) == 0 && fdio_write_full(in[1], "fed\n", 4) == 0, "stdin pipe");
	close(in[1]);
	o = (struct spawn_opts)SPAWN_OPTS_INIT;
	o.stdin_fd = in[0];
	is_int(run_capture(cat, &o, buf, sizeof(buf), &e), 0, "cat with stdin redirected");
	is_str(buf, "fed\n", "stdin reached the child");
	close(in[0]);
}

/*
 * The fds the child has, from `ls -l /proc/self/fd`, as a string like
 * "0 1 2 ", leaving out ls's own handle on that directory.
 */
static void
child_fds(struct spawn_opts *o, char *out, size_t n)
{
	char *argv[] = {"ls", "-l", "/proc/self/fd", NULL};
	char buf[4096], *line, *save = NULL;
	struct err e;

	out[0] = '\0';
	if (run_capture(argv, o, buf, sizeof(buf), &e) != 0)
		return;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *arrow = strstr(line, " -> "), *num;

		if (!arrow || (strstr(arrow, "/proc/") && strstr(arrow, "/fd")))
			continue;
		*arrow = '\0';
		num = strrchr(line, ' ');
		if (num && strlen(out) + strlen(num) + 1 < n) {
			strcat(out, num + 1);
			strcat(out, " ");
		}
	}
}

/*
 * The child sees 0, 1, 2 and keep_fd only: not our O_CLOEXEC fds, and not
 * fds without it either (a plain pipe(), or one inherited from our caller).
 */
static void
test_spawn_fds(void)
{
	struct spawn_opts o = SPAWN_OPTS_INIT;
	char got[256], want[64];
	int leak[2], keep, high;

	ok(pipe(leak) == 0, "a pipe without O_CLOEXEC");
	high = fcntl(leak[0], F_DUPFD, 200); /* also without O_CLOEXEC, above keep_fd */
	child_fds(&o, got, sizeof(got));
	is_str(got, "0 1 2 ", "only 0, 1, 2");

	keep = open("/dev/null", O_RDONLY | O_CLOEXEC);
	o = (struct spawn_opts)SPAWN_OPTS_INIT;
	o.keep_fd = keep;
	child_fds(&o, got, sizeof(got));
	snprintf(want, sizeof(want), "0 1 2 %d ", keep);
	is_str(got, want, "0, 1, 2 and keep_fd (%d)", keep);
	ok(fcntl(keep, F_GETFD) & FD_CLOEXEC, "keep_fd is still O_CLOEXEC here");
	close(keep);
	close(leak[0]);
	close(leak[1]);
	close(high);
}

static void
test_spawn_dir_and_setsid(void)
{
	char *pwd[] = {"pwd", NULL};
	char *sid[] = {"sh", "-c", "read a b c d e s r </proc/$$/stat; [ \"$s\" = $$ ]", NULL};
	struct spawn_opts o = SPAWN_OPTS_INIT;
	char buf[256];
	struct err e;

	o.dir = "/tmp";
	is_int(run_capture(pwd, &o, buf, sizeof(buf), &e), 0, "pwd with dir=/tmp");
	is_str(buf, "/tmp\n", "ran in /tmp");
	o.stdout_fd = -1; /* run_capture's pipe is closed now */
	o.dir = "/nonexistent-dir-for-ctr";
	is_int(spawn_run(pwd, &o, &e), -1, "a missing dir is an error");
	is_int(e.sys, ENOENT, "with ENOENT");

	o = (struct spawn_opts)SPAWN_OPTS_INIT;
	is_int(spawn_run(sid, &o, &e), 1, "without setsid the child shares our session");
	o.setsid = true;
	is_int(spawn_run(sid, &o, &e), 0, "with setsid it leads its own");
}

static void
test_spawn_wait_errors(void)
{
	struct err e;

	is_int(spawn_wait(getpid(), &e), -1, "waiting for a non-child fails");
	is_int(e.sys, ECHILD, "with ECHILD");
	setenv("CTR_TEST_SPAWN_ENV", "yes", 1);
	is_int(sh("test \"$CTR_TEST_SPAWN_ENV\" = yes"), 0, "the environment is passed");
	unsetenv("CTR_TEST_SPAWN_ENV");
}

/* $ENV, else beside /proc/self/exe when executable there, else the bare name for $PATH. */
static void
test_spawn_sibling(void)
{
	char self[4096], *dir, *p;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char beside[4096 + 64];
	const char *base;
	int fd;

	self[n > 0 ? n : 0] = '\0';
	base = strrchr(self, '/') + 1;
	setenv("CTR_TEST_SIBLING", "/opt/x/ctr-thing", 1);
	p = spawn_sibling("ctr-thing", "CTR_TEST_SIBLING");
	is_str(p, "/opt/x/ctr-thing", "the environment variable wins");
	free(p);
	setenv("CTR_TEST_SIBLING", "", 1);
	p = spawn_sibling(base, "CTR_TEST_SIBLING");
	is_str(p, self, "an empty variable is unset: our own directory");
	free(p);
	p = spawn_sibling("ctr-no-such-tool", NULL);
	is_str(p, "ctr-no-such-tool", "nothing beside us: the bare name, for $PATH");
	free(p);

	dir = strndup(self, (size_t)(base - self - 1));
	snprintf(beside, sizeof(beside), "%s/.sibling-%d", dir, (int)getpid());
	fd = open(beside, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	ok(fd >= 0, "made %s", beside);
	close(fd);
	p = spawn_sibling(strrchr(beside, '/') + 1, NULL);
	is_str(p, strrchr(beside, '/') + 1, "not executable beside us: the bare name");
	free(p);
	chmod(beside, 0755);
	p = spawn_sibling(strrchr(beside, '/') + 1, NULL);
	is_str(p, beside, "executable beside us: its path");
	free(p);
	unlink(beside);
	free(dir);
	unsetenv("CTR_TEST_SIBLING");
}

static int
cap(const char *script, struct spawn_io *io)
{
	char *argv[] = {"sh", "-c", (char *)script, NULL};
	struct err e;

	return spawn_capture(argv, io, &e);
}

static void
count_line(void *ctx, const char *s, size_t n)
{
	(void)s;
	(void)n;
	(*(int *)ctx)++;
}

static void
test_spawn_capture(void)
{
	struct spawn_io io = {.in = "in-bytes", .inlen = 8, .max = 64};
	int lines = 0;

	is_int(cap("cat; echo; echo one >&2; echo two >&2; exit 3", &io), 3, "status passed");
	is_str(io.out, "in-bytes\n", "stdin in, stdout out");
	is_str(io.errline, "two", "last stderr line kept");
	ok(!io.timed_out && !io.too_big, "neither timed out nor too big");
	spawn_io_release(&io);
	io = (struct spawn_io){.max = 4, .on_err_line = count_line, .ctx = &lines};
	is_int(cap("head -c 100000 /dev/zero; printf 'a\\nb\\nno-newline' >&2", &io), 0,
	       "a child printing more than max is read to its end");
	ok(io.too_big && io.outlen == 4, "too_big, max bytes kept");
	is_int(lines, 3, "each stderr line handed on, the last without its newline too");
	is_str(io.errline, "no-newline", "errline");
	spawn_io_release(&io);
	io = (struct spawn_io){.max = 4, .inherit_err = true};
	is_int(cap("cat", &io), 0, "no stdin: /dev/null");
	is_str(io.out, "", "nothing read");
	is_str(io.errline, "", "inherited stderr: no errline");
	spawn_io_release(&io);
}

/* Gone, or a zombie its new parent has yet to reap. */
static bool
dead(int pid)
{
	_cleanup_free_ char *path = xasprintf("/proc/%d/stat", pid), *stat = NULL;
	size_t n;
	char *p;

	if (pid <= 0)
		return false;
	if (fdio_read_file_at(AT_FDCWD, path, 4096, &stat, &n, &(struct err){0}) < 0)
		return true;
	p = strrchr(stat, ')');
	return p && (p[2] == 'Z' || p[2] == 'X');
}

/* dead(pid) once a SIGKILL sent to it has been acted on: the kernel takes a moment (at most 5 s). */
static bool
dies(int pid)
{
	for (int i = 0; i < 500; i++) {
		if (dead(pid))
			return true;
		usleep(10000);
	}
	return false;
}

static void
test_spawn_capture_timeout(void)
{
	char pidfile[] = "/tmp/test-spawn-XXXXXX", buf[32] = "";
	struct spawn_io io = {.max = 64, .timeout_ms = 300};
	_cleanup_free_ char *script = NULL;
	int fd = mkstemp(pidfile), rc;

	/* the shell starts sleep in the background: the kill reaches the whole group */
	script = xasprintf("sleep 30 & echo $! >%s; echo started; wait", pidfile);
	rc = cap(script, &io);
	is_int(rc, 128 + SIGKILL, "a hanging child is killed");
	ok(io.timed_out, "timed_out");
	is_str(io.out, "started\n", "what it printed before is kept");
	ok(fdio_read_full(fd, buf, sizeof(buf) - 1) > 0, "background pid written");
	ok(dies(atoi(buf)), "its background child is killed too");
	spawn_io_release(&io);
	close(fd);
	unlink(pidfile);
	/* exited, but a child of its own holds the pipes: not waited for */
	io = (struct spawn_io){.max = 64, .timeout_ms = 20000};
	is_int(cap("sleep 1 & echo bye", &io), 0, "its exit ends the capture");
	ok(!io.timed_out, "no timeout");
	is_str(io.out, "bye\n", "its output");
	spawn_io_release(&io);
}

/* spawn_tool's "could not run it" (here: valgrind cannot report an exec failure) */
static void
test_spawn_tool_missing(void)
{
	char root[] = "/r", run[] = "/s", ns[] = "default";
	const struct state st = {.root = root, .run = run, .ns = ns};
	struct spawn_io io = {.max = 64};
	struct err e;

	setenv("CTR_TEST_FAKE", "/nonexistent/ctr-fake", 1);
	is_int(spawn_tool(&st, NULL, "ctr-fake", "CTR_TEST_FAKE", (const char *[]){"x", NULL}, &io,
			  &e),
	       -1, "a tool not there");
	ok(!strncmp(e.msg, "ctr-fake: ", 10), "named in its error: %s", e.msg);
	is_str(e.code, "not-found", "by its errno");
	spawn_io_release(&io);
	unsetenv("CTR_TEST_FAKE");
}

int
main(void)
{
	RUN(test_spawn_exit_codes);
	RUN(test_spawn_signals);
	RUN(test_spawn_signal_state_reset);
	RUN(test_spawn_missing_binary);
	RUN(test_spawn_redirects);
	RUN(test_spawn_fds);
	RUN(test_spawn_dir_and_setsid);
	RUN(test_spawn_wait_errors);
	RUN(test_spawn_sibling);
	RUN(test_spawn_capture);
	RUN(test_spawn_capture_timeout);
	RUN(test_spawn_tool_missing);
	return tap_done();
}
