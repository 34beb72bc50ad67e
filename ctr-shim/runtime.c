/* SPDX-License-Identifier: Apache-2.0 */
/* The runtime calls on the shim's container: create (or run), start, kill, exec, delete. */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "exitfile.h"
#include "foreground.h"
#include "log.h"
#include "ociruntime.h"
#include "output.h"
#include "rtstderr.h"
#include "shim.h"
#include "spawn.h"
#include "xmem.h"

#define LOG_NAME "runtime.log"

/* stdio for runtime calls that must not touch the container's: /dev/null. */
static int
quiet(struct spawn_opts *so, struct err *e)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return err_set(e, errno, "open /dev/null");
	so->stdin_fd = so->stdout_fd = so->stderr_fd = fd;
	return fd;
}

/*
 * create, or with --start "run --detach": one runtime process instead of two
 * (create, then start) when the caller wants the container running at once.
 * With --foreground "run" alone: the runtime stays with the container and
 * deletes it as it exits (foreground.c), so no delete call follows either.
 */
int
runtime_create(struct shim *s, const char *console, struct err *e)
{
	_cleanup_free_ char *pidfile = xasprintf("%s/init.pid", s->dir);
	const char *args[12];
	size_t n = 0;
	struct spawn_opts so = SPAWN_OPTS_INIT;
	int far[3];
	int r;

	/* with slirp4netns: create, attach, start (create() in main.c) */
	args[n++] = s->o.start && !s->o.slirp ? "run" : "create";
	if (s->o.start && !s->o.foreground && !s->o.slirp)
		args[n++] = "--detach";
	args[n++] = "--bundle", args[n++] = s->o.bundle;
	args[n++] = "--pid-file", args[n++] = pidfile;
	if (console)
		args[n++] = "--console-socket", args[n++] = console;
	args[n++] = s->o.id;
	args[n] = NULL;
	/* --stdio inherit: the container's stdio is ours, as the caller gave it */
	if (output_setup(s, far, e) < 0) {
		output_close_far(far);
		return -1;
	}
	if (far[0] >= 0)
		so.stdin_fd = far[0], so.stdout_fd = far[1], so.stderr_fd = far[2];
	if (rtstderr_open(s, &so, e) < 0) {
		output_close_far(far);
		return -1;
	}
	unlinkat(s->dirfd, "init.pid", 0);
	r = s->o.foreground ? foreground_start(s, args, &so, e)
			    : ociruntime_run(&s->rt, LOG_NAME, args, &so, e);
	rtstderr_done(s, &so, r, e);
	output_close_far(far); /* the container holds its own copies now */
	if (r < 0)
		return -1;
	if (!s->init.pid && exitfile_read_pid(s, "init.pid", &s->init.pid, e) < 0) {
		/* the runtime said yes but left no pid: undo what it may have made */
		runtime_delete(s);
		return -1;
	}
	/* fails (ESRCH) when a foreground init is gone already; the loop copes */
	s->init.pidfd = spawn_pidfd(s->init.pid);
	s->status = s->o.start ? CTR_RUNNING : CTR_CREATED;
	return 0;
}

int
runtime_start(struct shim *s, struct err *e)
{
	const char *args[] = {"start", s->o.id, NULL};
	struct spawn_opts so = SPAWN_OPTS_INIT;
	_cleanup_close_ int null = quiet(&so, e);

	return null < 0 ? -1 : ociruntime_run(&s->rt, LOG_NAME, args, &so, e);
}

int
runtime_kill(struct shim *s, int sig, bool all, struct err *e)
{
	char num[16];
	const char *args[] = {"kill", all ? "--all" : s->o.id, all ? s->o.id : num, num, NULL};
	struct spawn_opts so = SPAWN_OPTS_INIT;
	_cleanup_close_ int null = quiet(&so, e);

	snprintf(num, sizeof(num), "%d", sig);
	if (!all)
		args[3] = NULL;
	return null < 0 ? -1 : ociruntime_run(&s->rt, LOG_NAME, args, &so, e);
}

int
runtime_delete(struct shim *s)
{
	const char *args[] = {"delete", "--force", s->o.id, NULL};
	struct spawn_opts so = SPAWN_OPTS_INIT;
	_cleanup_close_ int null = quiet(&so, &(struct err){0});
	struct err e;

	if (null < 0)
		return -1;
	if (ociruntime_run(&s->rt, LOG_NAME, args, &so, &e) < 0) {
		log_warn("cleanup: %s", e.msg);
		return -1;
	}
	return 0;
}

/*
 * --runtime-delete: delete --force started as init is reaped, without
 * waiting, so that it overlaps our answers and the caller's unmount. Its own
 * log file: other runtime calls may still come meanwhile.
 */
#define DELETE_LOG "runtime-delete.log"

void
runtime_delete_start(struct shim *s)
{
	const char *args[] = {"delete", "--force", s->o.id, NULL};
	struct spawn_opts so = SPAWN_OPTS_INIT;
	struct err e;
	_cleanup_close_ int null = quiet(&so, &e);

	if (null < 0 || ociruntime_start(&s->rt, DELETE_LOG, args, &so, &s->delete_pid, &e) < 0) {
		log_warn("cleanup: %s", e.msg);
		s->delete_pid = 0;
		return;
	}
	s->delete_rc = -1;
}

int
runtime_delete_finish(struct shim *s)
{
	struct err e;
	int rc = s->delete_rc;

	if (!s->delete_pid)
		return runtime_delete(s); /* it never started */
	if (rc < 0 && (rc = spawn_wait(s->delete_pid, &e)) < 0) {
		log_warn("cleanup: %s", e.msg);
		return -1;
	}
	if (ociruntime_collect(&s->rt, DELETE_LOG, rc, &e) < 0) {
		log_warn("cleanup: %s", e.msg);
		return -1;
	}
	return 0;
}

/* exec --detach: the runtime returns once the process runs; we inherit it as subreaper. */
int
runtime_exec(struct shim *s, const char *eid, const json_t *process, const int fds[3], pid_t *pid,
	     struct err *e, const char *console)
{
	_cleanup_free_ char *pname = xasprintf("exec-%s.pid", eid);
	_cleanup_free_ char *jname = xasprintf("exec-%s.process.json", eid);
	_cleanup_free_ char *pidfile = xasprintf("%s/%s", s->dir, pname);
	_cleanup_free_ char *jpath = xasprintf("%s/%s", s->dir, jname);
	const char *args[] = {"exec", "--detach", "--pid-file", pidfile, "--process",
			      jpath,  s->o.id,	  NULL,		NULL,	 NULL};
	struct spawn_opts so = SPAWN_OPTS_INIT;
	_cleanup_close_ int null = quiet(&so, e);
	int r;

	if (null < 0 || exitfile_write(s, jname, process, e) < 0)
		return -1;
	if (console) /* options before the id: it is the last argument */
		args[6] = "--console-socket", args[7] = console, args[8] = s->o.id;
	if (fds[0] >= 0)
		so.stdin_fd = fds[0];
	if (fds[1] >= 0)
		so.stdout_fd = fds[1];
	if (fds[2] >= 0)
		so.stderr_fd = fds[2];
	unlinkat(s->dirfd, pname, 0);
	r = ociruntime_run(&s->rt, LOG_NAME, args, &so, e);
	if (r == 0)
		r = exitfile_read_pid(s, pname, pid, e);
	unlinkat(s->dirfd, pname, 0);
	unlinkat(s->dirfd, jname, 0);
	return r;
}
