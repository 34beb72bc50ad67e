/* SPDX-License-Identifier: Apache-2.0 */
/* slirp4netns started by the shim: attached to the init's netns, ended by a pipe the shim holds. */
#include "slirp.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "cleanup.h"
#include "spawn.h"
#include "xmem.h"

/* How long slirp4netns may take to bring tap0 up (it answers in milliseconds). */
#define SLIRP_READY_MS 10000

/* Wait for the one byte slirp4netns writes on its ready fd; 0 when it came. */
static int
await_ready(int fd, pid_t pid, struct err *e)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char c = 0;
	int r;

	while ((r = poll(&p, 1, SLIRP_READY_MS)) < 0 && errno == EINTR)
		;
	if (r == 0)
		return err_code(e, "system", "slirp4netns (pid %d) not ready after %d s", (int)pid,
				SLIRP_READY_MS / 1000);
	if (r < 0 || read(fd, &c, 1) != 1 || c != '1')
		return err_code(e, "system",
				"slirp4netns could not set up the network (see shim.log in the "
				"container's state directory)");
	return 0;
}

int
slirp_attach(struct shim *s, struct err *e)
{
	_cleanup_free_ char *target = xasprintf("%d", (int)s->init.pid);
	_cleanup_free_ char *ready = NULL;
	_cleanup_close_ int log = -1;
	int exitp[2], readyp[2];
	struct spawn_opts so = SPAWN_OPTS_INIT;
	char *argv[12];
	size_t n = 0;
	int r;

	if (pipe2(exitp, O_CLOEXEC) < 0)
		return err_set(e, errno, "pipe for slirp4netns");
	if (pipe2(readyp, O_CLOEXEC) < 0) {
		close(exitp[0]);
		close(exitp[1]);
		return err_set(e, errno, "pipe for slirp4netns");
	}
	ready = xasprintf("--ready-fd=%d", readyp[1]);
	/* rootless podman's flags; its chatter goes to shim.log, never the caller's terminal */
	argv[n++] = "slirp4netns", argv[n++] = "--configure", argv[n++] = "--mtu=65520";
	if (!s->o.slirp_host_loopback)
		argv[n++] = "--disable-host-loopback";
	argv[n++] = "--exit-fd=0", argv[n++] = ready, argv[n++] = target, argv[n++] = "tap0";
	argv[n] = NULL;
	log = openat(s->dirfd, "shim.log", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY,
		     0600);
	so.stdin_fd = exitp[0];
	so.stdout_fd = so.stderr_fd = log;
	so.keep_fd = readyp[1];
	so.setsid = true;
	r = log < 0 ? err_set(e, errno, "open shim.log") : spawn_start(argv, &so, &s->slirp_pid, e);
	close(exitp[0]);
	close(readyp[1]);
	if (r == 0)
		r = await_ready(readyp[0], s->slirp_pid, e);
	close(readyp[0]);
	s->slirp_exit = exitp[1];
	if (r < 0 && s->slirp_pid > 0) {
		/* not ready: it does not get to outlive the create that failed */
		kill(s->slirp_pid, SIGKILL);
		spawn_wait(s->slirp_pid, &(struct err){0});
		s->slirp_pid = 0;
	}
	if (r < 0)
		slirp_stop(s);
	return r;
}

void
slirp_stop(struct shim *s)
{
	/* its --exit-fd sees the end of the pipe and it leaves; loop_reap reaps it */
	if (s->slirp_exit >= 0)
		close(s->slirp_exit);
	s->slirp_exit = -1;
}

void
slirp_end(struct shim *s)
{
	_cleanup_close_ int fd = -1;
	struct pollfd p;

	slirp_stop(s);
	if (s->slirp_pid <= 0)
		return;
	/* reaped here, not left a zombie to an init that may not reap */
	if ((fd = spawn_pidfd(s->slirp_pid)) >= 0) {
		p = (struct pollfd){.fd = fd, .events = POLLIN};
		if (poll(&p, 1, SLIRP_READY_MS) <= 0)
			kill(s->slirp_pid, SIGKILL);
	}
	spawn_wait(s->slirp_pid, &(struct err){0});
	s->slirp_pid = 0;
}
