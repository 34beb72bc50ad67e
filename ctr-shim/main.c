/* SPDX-License-Identifier: Apache-2.0 */
/* ctr-shim: options, detaching from the caller, creating the container, the sync line. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "cleanup.h"
#include "control.h"
#include "exec-tty.h"
#include "exitcmd.h"
#include "exitfile.h"
#include "fdio.h"
#include "foreground.h"
#include "loop.h"
#include "notify.h"
#include "ociruntime.h"
#include "oom.h"
#include "ops.h"
#include "output.h"
#include "path.h"
#include "prog.h"
#include "runtime.h"
#include "shim.h"
#include "slirp.h"
#include "tty.h"
#include "xmem.h"

enum {
	OPT_S_ID = 0x100,
	OPT_S_BUNDLE,
	OPT_S_DIR,
	OPT_S_RUNTIME,
	OPT_S_RROOT,
	OPT_S_SYNC,
	OPT_S_TTY,
	OPT_S_STDIN,
	OPT_S_STDIO,
	OPT_S_CALLER,
	OPT_S_LOG,
	OPT_S_LOGMAX,
	OPT_S_LOGFMT,
	OPT_S_EXITCMD,
	OPT_S_EXITARG,
	OPT_S_NOTIFY,
	OPT_S_START,
	OPT_S_RTDELETE,
	OPT_S_FG,
	OPT_S_GO,
	OPT_S_RELAY,
	OPT_S_EXITAFTER,
	OPT_S_SLIRP,
	OPT_S_SLIRPLO,
	OPT_S_DKEYS,
};

static const struct opt shim_opts[] = {
    {"id", OPT_S_ID, "ID", "the container's ID (required)", NULL},
    {"bundle", OPT_S_BUNDLE, "DIR", "its OCI bundle, absolute (required)", NULL},
    {"dir", OPT_S_DIR, "STATEDIR", "where the socket, pid and exit files go (required)", NULL},
    {"runtime", OPT_S_RUNTIME, "PATH", "the OCI runtime (required)", NULL},
    {"runtime-root", OPT_S_RROOT, "DIR", "the runtime's --root, absolute (required)", NULL},
    {"sync-fd", OPT_S_SYNC, "N", "where the one sync line goes once created (required)", NULL},
    {"start", OPT_S_START, NULL, "start the container once created", NULL},
    {"tty", OPT_S_TTY, NULL, "a terminal for the container (its master held here)", NULL},
    {"stdin-open", OPT_S_STDIN, NULL, "keep the container's stdin open", NULL},
    {"stdio", OPT_S_STDIO, "inherit|pipe|null", "the container's stdio (default inherit)", NULL},
    {"log", OPT_S_LOG, "PATH", "keep its output in PATH too (with --stdio pipe)", NULL},
    {"log-max-size", OPT_S_LOGMAX, "BYTES", "rotate the --log file at BYTES", NULL},
    {"log-format", OPT_S_LOGFMT, "raw|cri", "the --log file's format (default raw)", NULL},
    {"caller-pid", OPT_S_CALLER, "PID", "give up if this process dies before the sync line", NULL},
    {"detach-keys", OPT_S_DKEYS, "KEYS",
     "with --caller-pid: KEYS typed on its terminal detach it (docker's format)", NULL},
    {"runtime-delete", OPT_S_RTDELETE, NULL, "delete the runtime's state once it exits", NULL},
    {"foreground", OPT_S_FG, NULL, "the runtime's run: no detached init (implies --start)", NULL},
    {"await-go", OPT_S_GO, NULL, "wait for a go request before creating", NULL},
    {"exit-command", OPT_S_EXITCMD, "PATH", "run PATH once the container has exited", NULL},
    {"exit-command-arg", OPT_S_EXITARG, "ARG", "an argument of it (again for more)", NULL},
    {"exit-command-after", OPT_S_EXITAFTER, "PID",
     "run it once PID (our parent) has exited, if still wanted", NULL},
    {"notify-socket", OPT_S_NOTIFY, "PATH", "systemd's NOTIFY_SOCKET, for the container", NULL},
    {"notify-relay", OPT_S_RELAY, NULL, "relay the container's READY=1 to --notify-socket", NULL},
    {"slirp4netns", OPT_S_SLIRP, NULL, "attach slirp4netns to the container's netns", NULL},
    {"slirp4netns-host-loopback", OPT_S_SLIRPLO, NULL,
     "with --slirp4netns: 10.0.2.2 reaches the host's 127.0.0.1", NULL},
    OPT_END,
};
static const struct opt_cmd shim_spec = {
    "--id ID --bundle DIR --dir STATEDIR --runtime PATH --runtime-root DIR --sync-fd N",
    "supervise one container: started by ctr-run, not by hand", shim_opts, 0, 0};

static int
parse_fd(const char *arg)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || *end || end == arg || v < 3 || v > INT_MAX)
		die_usage("--sync-fd wants a descriptor number above 2, not '%s'", arg);
	if (fcntl((int)v, F_SETFD, FD_CLOEXEC) < 0)
		die_usage("--sync-fd %ld is not an open descriptor", v);
	return (int)v;
}

static enum shim_stdio
parse_stdio(const char *arg)
{
	if (!strcmp(arg, "inherit"))
		return STDIO_INHERIT;
	if (!strcmp(arg, "pipe"))
		return STDIO_PIPE;
	if (!strcmp(arg, "null"))
		return STDIO_NULL;
	die_usage("--stdio wants inherit, pipe or null, not '%s'", arg);
}

static long long
parse_size(const char *arg, const char *opt, long long max)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(arg, &end, 10);
	if (errno || *end || end == arg || v < 0 || v > max)
		die_usage("%s wants a number, not '%s'", opt, arg);
	return v;
}

static void
parse_one(struct shim_opts *o, int c, const char *arg)
{
	switch (c) {
	case OPT_S_ID:
		o->id = arg;
		break;
	case OPT_S_BUNDLE:
		o->bundle = arg;
		break;
	case OPT_S_DIR:
		o->dir = arg;
		break;
	case OPT_S_RUNTIME:
		o->runtime = arg;
		break;
	case OPT_S_RROOT:
		o->runtime_root = arg;
		break;
	case OPT_S_SYNC:
		o->sync_fd = parse_fd(arg);
		break;
	case OPT_S_TTY:
		o->tty = true;
		break;
	case OPT_S_STDIN:
		o->stdin_open = true;
		break;
	case OPT_S_STDIO:
		o->stdio = parse_stdio(arg);
		break;
	case OPT_S_LOG:
		o->log_path = arg;
		break;
	case OPT_S_LOGFMT:
		if (strcmp(arg, "raw") && strcmp(arg, "cri"))
			die_usage("--log-format wants raw or cri, not '%s'", arg);
		o->log_cri = !strcmp(arg, "cri");
		break;
	case OPT_S_CALLER:
		o->caller_pid = (pid_t)parse_size(arg, "--caller-pid", INT_MAX);
		break;
	case OPT_S_DKEYS:
		o->detach_keys = arg;
		break;
	case OPT_S_LOGMAX:
		o->log_max = parse_size(arg, "--log-max-size", LLONG_MAX);
		break;
	case OPT_S_EXITCMD:
		o->exit_cmd = arg;
		break;
	case OPT_S_EXITAFTER:
		o->exit_after = (pid_t)parse_size(arg, "--exit-command-after", INT_MAX);
		break;
	case OPT_S_NOTIFY:
		o->notify_socket = arg;
		break;
	case OPT_S_START:
		o->start = true;
		break;
	case OPT_S_RTDELETE:
		o->runtime_delete = true;
		break;
	case OPT_S_FG:
		o->foreground = o->start = true;
		break;
	case OPT_S_GO:
		o->await_go = true;
		break;
	case OPT_S_RELAY:
		o->notify_relay = true;
		break;
	case OPT_S_SLIRP:
		o->slirp = true;
		break;
	case OPT_S_SLIRPLO:
		o->slirp_host_loopback = true;
		break;
	case OPT_S_EXITARG:
		o->exit_args = xrealloc(o->exit_args, (o->n_exit_args + 2) * sizeof(char *));
		o->exit_args[o->n_exit_args++] = (char *)arg;
		o->exit_args[o->n_exit_args] = NULL;
		break;
	}
}

static void
parse_args(struct shim_opts *o, struct detachkeys *keys, int argc, char **argv, struct state *st)
{
	struct opt_parser p;
	struct err e;
	int c;

	o->sync_fd = -1;
	opt_init(&p, &shim_spec, argc, argv, st);
	while ((c = opt_next(&p)) != -1)
		parse_one(o, c, optarg);
	opt_operands(&shim_spec, argc, argv, 0, 0);
	if (!o->id || !o->bundle || !o->dir || !o->runtime || !o->runtime_root || o->sync_fd < 0)
		opt_die(
		    &shim_spec,
		    "--id, --bundle, --dir, --runtime, --runtime-root and --sync-fd are required");
	if (path_check_id(o->id, 128, &e) < 0)
		die_err(&e);
	if (o->log_path && (o->stdio != STDIO_PIPE || o->log_path[0] != '/'))
		die_usage("--log wants an absolute path and --stdio pipe");
	if (o->log_cri && !o->log_path)
		die_usage("--log-format wants --log");
	/* a foreground runtime would relay a terminal itself instead of handing us the master */
	if (o->foreground && o->tty)
		die_usage("--foreground excludes --tty");
	if (o->notify_relay && (!o->notify_socket || !*o->notify_socket))
		die_usage("--notify-relay wants --notify-socket");
	if (o->foreground)
		o->runtime_delete =
		    false; /* its run deletes by itself; only a dying one needs us */
	/* slirp4netns joins a created init before it starts: not the runtime's own run */
	if (o->slirp && o->foreground)
		die_usage("--slirp4netns excludes --foreground");
	if (o->slirp_host_loopback && !o->slirp)
		die_usage("--slirp4netns-host-loopback wants --slirp4netns");
	if (o->exit_after && !o->exit_cmd)
		die_usage("--exit-command-after wants --exit-command");
	if (o->detach_keys && detachkeys_parse(keys, o->detach_keys, &e) < 0)
		die_err(&e);
	/* the keys come from the caller's terminal, relayed only to its init's */
	if (keys->len && (!o->tty || !o->stdin_open || o->stdio != STDIO_INHERIT || !o->caller_pid))
		die_usage(
		    "--detach-keys wants --tty, --stdin-open, --caller-pid and --stdio inherit");
	if (o->bundle[0] != '/' || o->runtime_root[0] != '/')
		die_usage("--bundle and --runtime-root must be absolute paths");
}

static void
undo_files(struct shim *s)
{
	static const char *const ours[] = {"shim.sock", "shim.json",   "console.sock",
					   "init.pid",	"runtime.log", "runtime-run.log"};

	if (s->dirfd >= 0)
		for (size_t i = 0; i < sizeof(ours) / sizeof(ours[0]); i++)
			unlinkat(s->dirfd, ours[i], 0);
	notify_relay_remove(s);
}

/* {"ok":false,"error":msg} on the sync fd; false when it could not be said. */
static bool
tell_sync_error(const struct shim *s, const char *msg)
{
	json_auto_t *j = json_pack("{s:b, s:s}", "ok", 0, "error", msg);
	_cleanup_free_ char *line = j ? json_dumps(j, JSON_COMPACT) : NULL;

	return line && fdio_write_full(s->o.sync_fd, line, strlen(line)) == 0 &&
	       fdio_write_full(s->o.sync_fd, "\n", 1) == 0;
}

/* Before the sync line: report on the sync fd and stderr, undo our files, exit. */
static void __attribute__((noreturn, format(printf, 2, 3)))
fail_sync(struct shim *s, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	bool told;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	told = tell_sync_error(s, msg);
	undo_files(s);
	/* the caller says it on the same stderr: once is enough */
	if (told)
		exit(EXIT_SYS);
	die(EXIT_SYS, "%s", msg);
}

/*
 * {"ok":true,"pid":N}, plus "exit" when a foreground container is over
 * already (a short one often is by the time its pid file is seen): the
 * caller then needs no wait request.
 */
static void
sync_ok(struct shim *s)
{
	json_auto_t *j = json_pack("{s:b, s:i}", "ok", 1, "pid", (int)s->init.pid);
	_cleanup_free_ char *line = NULL;

	if (s->init.exit)
		json_object_set(j, "exit", s->init.exit);
	line = json_dumps(j, JSON_COMPACT);
	/* the caller may already be gone: a failed write must not stop the container */
	if (!line || fdio_write_full(s->o.sync_fd, line, strlen(line)) < 0 ||
	    fdio_write_full(s->o.sync_fd, "\n", 1) < 0)
		log_warn("sync fd: %s", strerror(errno));
	close(s->o.sync_fd);
	s->o.sync_fd = -1;
}

/* Leave the caller behind: own session, reaper of the container, cwd in STATEDIR. */
static void
detach(struct shim *s)
{
	struct err e;

	setsid(); /* fails harmlessly when the caller already made us a session leader */
	signal(SIGPIPE, SIG_IGN);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		fail_sync(s, "become child subreaper: %s", strerror(errno));
	s->dir = realpath(s->o.dir, NULL);
	if (!s->dir || chdir(s->dir) < 0)
		fail_sync(s, "state directory '%s': %s", s->o.dir, strerror(errno));
	s->dirfd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->dirfd < 0)
		fail_sync(s, "open state directory: %s", strerror(errno));
	s->rt = (struct ociruntime){s->o.runtime, s->o.runtime_root, s->dir, s->dirfd};
	if (loop_init(s, &e) < 0 || exitfile_write_shim(s, &e) < 0 || control_listen(s, &e) < 0)
		fail_sync(s, "%s", e.msg);
	/* systemd hears from us (notify.c), so the runtime must not relay on its own */
	unsetenv("NOTIFY_SOCKET");
}

/*
 * --await-go: started ahead of its container, wait for the caller's go (one
 * byte on the sync socket). End of file instead: the caller gave up; leave
 * nothing behind, quietly.
 */
static void
await_go(struct shim *s)
{
	char c = 0;
	ssize_t n;

	if (!s->o.await_go)
		return;
	while ((n = read(s->o.sync_fd, &c, 1)) < 0 && errno == EINTR)
		;
	if (n == 1 && c == 'g')
		return;
	undo_files(s);
	/* killed before its go (run --rm): nobody else will remove the container */
	exitcmd_run(s);
	exit(0);
}

static void
create(struct shim *s)
{
	_cleanup_free_ char *console = NULL;
	struct err e;

	if (s->o.tty && tty_listen(s, &console, &e) < 0)
		fail_sync(s, "%s", e.msg);
	if (notify_relay_open(s, &e) < 0)
		fail_sync(s, "%s", e.msg);
	if (runtime_create(s, console, &e) < 0)
		fail_sync(s, "%s", e.msg);
	if (s->o.tty && tty_receive(s, &e) < 0) {
		runtime_delete(s);
		fail_sync(s, "%s", e.msg);
	}
	/* the network up before the container's first instruction runs */
	if (s->o.slirp && (slirp_attach(s, &e) < 0 || (s->o.start && runtime_start(s, &e) < 0))) {
		slirp_stop(s);
		runtime_delete(s);
		fail_sync(s, "%s", e.msg);
	}
	/* created and started at once (run): the start a separate start verb would announce */
	if (s->o.start)
		ops_event(s, json_pack("{s:s, s:i}", "event", "start", "pid", (int)s->init.pid));
	/*
	 * A foreground init that is gone already has its cgroup torn down by the
	 * runtime right now: nothing to watch, and touching it would wait behind
	 * that teardown (cgroup v1 rmdir, ~10 ms here) before the sync line.
	 */
	if (s->o.foreground && !foreground_init_alive(s))
		return;
	cgroup_of_pid(&s->cg, s->init.pid);
	oom_setup(s);
}

/* Everything lives until exit; freed anyway so leak checkers see a clean run. */
static void
release(struct shim *s)
{
	slirp_end(s);
	cgroup_release(&s->cg);
	exec_tty_release_all(s);
	output_release(s);
	if (s->caller.fd >= 0)
		close(s->caller.fd);
	if (s->rterr.fd >= 0)
		close(s->rterr.fd);
	if (s->after_fd >= 0)
		close(s->after_fd);
	if (s->ctr_dirfd >= 0)
		close(s->ctr_dirfd);
	while (s->execs) {
		struct proc *p = s->execs;

		s->execs = p->next;
		if (p->pidfd >= 0)
			close(p->pidfd);
		json_decref(p->exit);
		free(p->id);
		free(p);
	}
	json_decref(s->init.exit);
	free(s->o.exit_args);
	free(s->dir);
}

int
main(int argc, char **argv)
{
	struct state st;
	struct shim s = {.dirfd = -1, .epfd = -1, .console_lfd = -1};

	prog_init("ctr-shim", 0, &argc, &argv, &st);
	parse_args(&s.o, &s.keys, argc, argv, &st);
	state_release(&st);
	s.init.pidfd = -1;
	for (int i = 0; i < 3; i++)
		s.out.w[i].fd = -1;
	s.out.stdin_fd = s.out.logfd = s.out.logdir = -1;
	s.sig.fd = s.lsn.fd = s.oomw.fd = s.pty.fd = s.in.fd = s.notify.fd = s.caller.fd = -1;
	s.rterr.fd = -1;
	s.after_fd = s.ctr_dirfd = s.slirp_exit = -1;
	exitcmd_watch(&s); /* while the caller is certainly our parent */
	detach(&s);
	await_go(&s);
	create(&s);
	/*
	 * Over already? Then the sync line says so. Also the one reap a
	 * foreground runtime's exit may get: foreground_start can have drained
	 * its SIGCHLD from the signalfd.
	 */
	if (s.o.foreground)
		loop_reap(&s);
	sync_ok(&s);
	if (s.o.start)
		notify_ready(&s); /* what the start request does otherwise */
	output_let_go(&s);
	tty_watch_caller(&s);
	int rc = loop_run(&s);
	notify_relay_remove(&s);
	release(&s);
	return rc;
}
