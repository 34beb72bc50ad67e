/* SPDX-License-Identifier: Apache-2.0 */
/* --foreground: the runtime's own `run`, which stays with the container and deletes it. */
#include "foreground.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exitfile.h"
#include "log.h"
#include "loop.h"
#include "ociruntime.h"
#include "shim.h"
#include "spawn.h"

/*
 * Why: `run --detach` then `delete` is two runtime processes (runc's Go start
 * alone is ~10 ms each) where a foreground `run` is one: the runtime reaps
 * init, removes the cgroup and its state, and exits with init's status (128+N
 * for a signal, as runc and crun report it). The cost: the runtime process
 * lives as long as the container, and an exit of 128+N cannot be told from
 * signal N. ctr-run uses it for foreground runs only, where a caller waits.
 *
 * The container has started when the runtime's pid file appears (runc and
 * crun write it once init runs the user's process); a quick container may be
 * gone again by the time we look, which is fine: the pid file stays.
 *
 * We look for it every few milliseconds rather than with inotify: closing an
 * inotify instance waits for an SRCU grace period (10-20 ms here), which sat
 * right on the path of every run. Seeing the start a little late costs
 * nothing: the runtime's exit, the one event a caller waits for, still wakes
 * us at once through the signalfd.
 */
#define FG_LOG "runtime-run.log"
#define FG_POLL_MS 4

static bool
have_pid(struct shim *s)
{
	struct err ignored;

	return exitfile_read_pid(s, "init.pid", &s->init.pid, &ignored) == 0;
}

/* Peek at the runtime's exit without reaping it: the loop reaps it later. */
static bool
runtime_gone(struct shim *s)
{
	siginfo_t si = {0};

	return waitid(P_PID, (id_t)s->runtime_pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
	       si.si_pid != 0;
}

/* Sleep until a signal or FG_POLL_MS; signals other than SIGCHLD go to the runtime. */
static void
wait_event(struct shim *s)
{
	struct pollfd p = {.fd = s->sig.fd, .events = POLLIN};
	struct signalfd_siginfo si;

	if (poll(&p, 1, FG_POLL_MS) <= 0)
		return;
	/* a foreground runtime passes what it gets on to the container */
	while (read(s->sig.fd, &si, sizeof(si)) == sizeof(si))
		if (si.ssi_signo != SIGCHLD)
			kill(s->runtime_pid, (int)si.ssi_signo);
}

/* The runtime exited without a pid file: the container never ran. */
static int
failed(struct shim *s, struct err *e)
{
	int rc = spawn_wait(s->runtime_pid, e);

	s->runtime_pid = 0;
	if (rc < 0)
		return -1;
	if (ociruntime_collect(&s->rt, FG_LOG, rc, e) == 0)
		return err_code(e, "runtime", "%s exited without starting the container",
				s->o.runtime);
	return -1;
}

int
foreground_start(struct shim *s, const char *const args[], const struct spawn_opts *so,
		 struct err *e)
{
	if (ociruntime_start(&s->rt, FG_LOG, args, so, &s->runtime_pid, e) < 0)
		return -1;
	for (;;) {
		if (have_pid(s))
			return 0;
		/* the pid file comes before the exit: look again once it is gone */
		if (runtime_gone(s))
			return have_pid(s) ? 0 : failed(s, e);
		wait_event(s);
	}
}

bool
foreground_init_alive(const struct shim *s)
{
	struct pollfd p = {.fd = s->init.pidfd, .events = POLLIN};

	if (s->init.pidfd < 0)
		return false; /* pidfd_open found it gone already */
	return poll(&p, 1, 0) == 0;
}

/* A runtime's 128+N is read as signal N, the way a shell reads it. */
static int
as_wait_status(int rc)
{
	if (rc > 128 && rc < 128 + NSIG)
		return rc - 128;
	return (rc & 0xff) << 8;
}

void
foreground_exited(struct shim *s, int wstatus)
{
	int rc = spawn_status(wstatus);

	s->runtime_pid = 0;
	if (foreground_init_alive(s)) {
		/* it died before its container: init is ours to reap now, its state to delete */
		log_warn("%s exited (status %d) while the container runs", s->o.runtime, rc);
		s->o.runtime_delete = true;
		return;
	}
	if (s->init.exit)
		return; /* we reaped init ourselves */
	if (WIFSIGNALED(wstatus)) {
		/* killed after init exited: the status died with it; its state may remain */
		log_warn("%s killed by signal %d; the container's status is lost", s->o.runtime,
			 WTERMSIG(wstatus));
		s->o.runtime_delete = true;
		loop_reaped(s, &s->init, 255 << 8);
		return;
	}
	/* rc is the container's status, not the runtime's verdict: its log has nothing to say */
	unlinkat(s->dirfd, FG_LOG, 0);
	loop_reaped(s, &s->init, as_wait_status(rc));
}
