/* SPDX-License-Identifier: Apache-2.0 */
/* A child fed its stdin from memory, its stdout and stderr read as they come, under a deadline. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "fdio.h"
#include "spawn.h"
#include "xmem.h"

#define ERR_LINE_MAX (64u << 10)

/* What the pump holds between reads. */
struct pump {
	struct spawn_io *io;
	size_t outcap;
	char *ebuf; /* the stderr line being read */
	size_t elen, ecap;
};

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Its stdin: a memory file holding in (no pipe to deadlock on), or /dev/null. */
static int
stdin_fd(const struct spawn_io *io, struct err *e)
{
	int fd;

	if (!io->in) {
		fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		return fd < 0 ? err_set(e, errno, "open /dev/null") : fd;
	}
	fd = memfd_create("spawn-in", MFD_CLOEXEC);
	if (fd < 0)
		return err_set(e, errno, "memfd_create");
	if (fdio_write_full(fd, io->in, io->inlen) < 0 || lseek(fd, 0, SEEK_SET) < 0) {
		err_set(e, errno, "write a child's stdin");
		close(fd);
		return -1;
	}
	return fd;
}

static void
err_line(struct pump *p, const char *s, size_t n)
{
	while (n && s[n - 1] == '\r')
		n--;
	if (p->io->on_err_line)
		p->io->on_err_line(p->io->ctx, s, n);
	if (n) {
		free(p->io->errline);
		p->io->errline = xstrndup(s, n);
	}
}

/* Bytes of stderr: each whole line handed on; an endless one dropped. */
static void
err_bytes(struct pump *p, const char *buf, size_t n)
{
	char *nl;

	if (p->elen + n > p->ecap)
		p->ebuf = xrealloc(p->ebuf, p->ecap = p->elen + n + 4096);
	memcpy(p->ebuf + p->elen, buf, n);
	p->elen += n;
	while ((nl = memchr(p->ebuf, '\n', p->elen))) {
		err_line(p, p->ebuf, (size_t)(nl - p->ebuf));
		p->elen -= (size_t)(nl - p->ebuf) + 1;
		memmove(p->ebuf, nl + 1, p->elen);
	}
	if (p->elen > ERR_LINE_MAX)
		p->elen = 0;
}

static void
out_bytes(struct pump *p, const char *buf, size_t n)
{
	struct spawn_io *io = p->io;

	if (io->outlen + n > io->max) {
		io->too_big = true;
		n = io->max - io->outlen;
	}
	if (io->outlen + n + 1 > p->outcap)
		io->out = xrealloc(io->out, p->outcap = io->outlen + n + 4096);
	memcpy(io->out + io->outlen, buf, n);
	io->outlen += n;
	io->out[io->outlen] = '\0';
}

/* One read of a ready pipe; closes it (and sets *fd to -1) at its end. */
static void
drain(struct pump *p, int *fd, bool is_out)
{
	char buf[16384];
	ssize_t n = read(*fd, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		close(*fd);
		*fd = -1;
		return;
	}
	if (is_out)
		out_bytes(p, buf, (size_t)n);
	else
		err_bytes(p, buf, (size_t)n);
}

/*
 * Read both pipes until the child is gone and they hold nothing more, or the
 * deadline. A child that exits while something it started keeps the pipes
 * open does not hold us: once the pidfd says it exited, one empty poll ends it.
 */
static void
pump_run(struct pump *p, pid_t pid, int pidfd, int fds[2])
{
	int64_t deadline = p->io->timeout_ms > 0 ? now_ms() + p->io->timeout_ms : -1;
	bool exited = false;

	while (fds[0] >= 0 || fds[1] >= 0 || (pidfd >= 0 && !exited)) {
		struct pollfd pf[3] = {
		    {fds[0], POLLIN, 0}, {fds[1], POLLIN, 0}, {exited ? -1 : pidfd, POLLIN, 0}};
		int wait = exited ? 0 : deadline < 0 ? -1 : (int)(deadline - now_ms());
		int r;

		if (!exited && deadline >= 0 && wait <= 0) {
			p->io->timed_out = true;
			kill(-pid, SIGKILL);
			return;
		}
		r = poll(pf, 3, wait);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 && exited)
			return;
		if (r < 0)
			return;
		if (pf[0].revents)
			drain(p, &fds[0], true);
		if (pf[1].revents)
			drain(p, &fds[1], false);
		if (pf[2].revents)
			exited = true;
	}
}

static void
close_pair(int fds[2])
{
	for (int i = 0; i < 2; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

int
spawn_capture(char *const argv[], struct spawn_io *io, struct err *e)
{
	struct spawn_opts o = SPAWN_OPTS_INIT;
	struct pump p = {.io = io};
	_cleanup_close_ int in = -1, pidfd = -1;
	int op[2] = {-1, -1}, ep[2] = {-1, -1}, fds[2];
	pid_t pid;

	io->out = xstrdup("");
	io->errline = NULL;
	io->outlen = 0;
	io->timed_out = io->too_big = false;
	p.outcap = 1;
	if ((in = stdin_fd(io, e)) < 0)
		return -1;
	if (pipe2(op, O_CLOEXEC) < 0 || (!io->inherit_err && pipe2(ep, O_CLOEXEC) < 0)) {
		err_set(e, errno, "pipe");
		close_pair(op);
		return -1;
	}
	o.stdin_fd = in;
	o.stdout_fd = op[1];
	o.stderr_fd = ep[1];
	/* a child we may kill at the deadline takes what it started with it */
	o.pgroup = io->timeout_ms > 0;
	if (spawn_start(argv, &o, &pid, e) < 0) {
		close_pair(op);
		close_pair(ep);
		return -1;
	}
	close(op[1]);
	if (ep[1] >= 0)
		close(ep[1]);
	pidfd = spawn_pidfd(pid);
	fds[0] = op[0];
	fds[1] = ep[0];
	pump_run(&p, pid, pidfd, fds);
	if (p.elen)
		err_line(&p, p.ebuf, p.elen);
	free(p.ebuf);
	close_pair(fds);
	if (!io->errline)
		io->errline = xstrdup("");
	return spawn_wait(pid, e);
}

void
spawn_io_release(struct spawn_io *io)
{
	free(io->out);
	free(io->errline);
	io->out = io->errline = NULL;
	io->outlen = 0;
}
