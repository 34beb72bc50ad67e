/* SPDX-License-Identifier: Apache-2.0 */
/* Running the OCI runtime binary (create, start, kill, exec, delete) and reading its errors. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "afile.h"
#include "cleanup.h"
#include "fdio.h"
#include "log.h"
#include "shim.h"
#include "spawn.h"
#include "xmem.h"

#define LOG_NAME "runtime.log"
#define ARGV_MAX 24

/*
 * The runtime's last error message from its JSON log (runc and crun both
 * write {"level":"error","msg":...} lines with --log-format json). Its stderr
 * cannot be read: at create it is the container's stderr.
 */
static void
last_error(struct shim *s, const char *log, int rc, struct err *e)
{
	_cleanup_free_ char *buf = NULL;
	const char *msg = NULL;
	json_t *best = NULL;
	size_t len;
	struct err ignore;

	if (fdio_read_file_at(s->dirfd, log, 1u << 20, &buf, &len, &ignore) == 0) {
		for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
			json_t *j = json_loads(line, 0, NULL);
			const char *lvl = json_string_value(json_object_get(j, "level"));

			if (lvl && (!strcmp(lvl, "error") || !strcmp(lvl, "fatal"))) {
				json_decref(best);
				best = j;
			} else {
				json_decref(j);
			}
		}
		msg = json_string_value(json_object_get(best, "msg"));
	}
	if (msg)
		err_code(e, "runtime", "%s", msg);
	else if (rc > 128)
		err_code(e, "runtime", "%s killed by signal %d", s->o.runtime, rc - 128);
	else
		err_code(e, "runtime", "%s exited with status %d", s->o.runtime, rc);
	json_decref(best);
	for (char *p = e->msg; *p; p++) /* the sync line and responses are one line */
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

/* Start RUNTIME --root R --log STATEDIR/LOG --log-format json ARGS... */
int
runtime_launch(struct shim *s, const char *log, const char *const args[],
	       const struct spawn_opts *so, pid_t *pid, struct err *e)
{
	_cleanup_free_ char *logpath = xasprintf("%s/%s", s->dir, log);
	const char *argv[ARGV_MAX] = {s->o.runtime,   "--root", s->o.runtime_root, "--log", logpath,
				      "--log-format", "json"};
	size_t n = 7;

	for (size_t i = 0; args[i] && n < ARGV_MAX - 1; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	unlinkat(s->dirfd, log, 0); /* so only this run's messages are read */
	return spawn_start((char *const *)argv, so, pid, e);
}

/* rc: the runtime's exit code (128+N for a signal); its error from LOG into e. */
int
runtime_collect(struct shim *s, const char *log, int rc, struct err *e)
{
	if (rc > 0)
		last_error(s, log, rc, e);
	unlinkat(s->dirfd, log, 0);
	return rc ? -1 : 0;
}

static int
run(struct shim *s, const char *const args[], const struct spawn_opts *so, struct err *e)
{
	pid_t pid;
	int rc;

	if (runtime_launch(s, LOG_NAME, args, so, &pid, e) < 0 || (rc = spawn_wait(pid, e)) < 0)
		return -1;
	return runtime_collect(s, LOG_NAME, rc, e);
}

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

	args[n++] = s->o.start ? "run" : "create";
	if (s->o.start && !s->o.foreground)
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
	unlinkat(s->dirfd, "init.pid", 0);
	r = s->o.foreground ? foreground_start(s, args, &so, e) : run(s, args, &so, e);
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

	return null < 0 ? -1 : run(s, args, &so, e);
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
	return null < 0 ? -1 : run(s, args, &so, e);
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
	if (run(s, args, &so, &e) < 0) {
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

	if (null < 0 || runtime_launch(s, DELETE_LOG, args, &so, &s->delete_pid, &e) < 0) {
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
	if (runtime_collect(s, DELETE_LOG, rc, &e) < 0) {
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
	r = run(s, args, &so, e);
	if (r == 0)
		r = exitfile_read_pid(s, pname, pid, e);
	unlinkat(s->dirfd, pname, 0);
	unlinkat(s->dirfd, jname, 0);
	return r;
}
