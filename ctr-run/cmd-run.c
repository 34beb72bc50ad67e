/* SPDX-License-Identifier: Apache-2.0 */
/* The create and run verbs: a container made; with run, started and waited for (or -d). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "create.h"
#include "cmd.h"
#include "delete.h"
#include "fg.h"
#include "jsonio.h"
#include "log.h"
#include "prog.h"
#include "sdnotify.h"
#include "shimclient.h"
#include "spawn.h"

/* run's own failures: 125, or 126/127 when the command could not be started. */
__attribute__((noreturn)) static void
run_die(const struct create_args *a, const struct err *e)
{
	if (!a->is_run)
		die_err(e);
	fg_restore_tty();
	die(create_fail_code(e), "%s", e->msg);
}

static int
devnull(void)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		die(111, "open /dev/null: %m");
	return fd;
}

/*
 * The shim's stdio, which with --stdio inherit is the container's (stdin only
 * with -i); otherwise the shim gets nothing of ours but stderr, for a failure
 * before it reports, and it lets go of that too once it runs.
 */
static void
shim_stdio(const struct create_args *a, int stdio[3])
{
	int null = devnull();
	bool inherit = !a->stdio || !strcmp(a->stdio, "inherit");

	stdio[0] = inherit && a->interactive ? STDIN_FILENO : null;
	stdio[1] = inherit ? STDOUT_FILENO : null;
	stdio[2] = STDERR_FILENO;
}

int
cmd_create(int argc, char **argv, struct state *st)
{
	struct create_args a = {0};
	_cleanup_container_ struct container c = CONTAINER_INIT;
	struct err e;
	int stdio[3];

	spec_opts_init(&a.so);
	if (create_parse(argc, argv, &a, st, &e) < 0 || cmd_userns(NULL, &e) < 0 ||
	    state_open(st, &e) < 0)
		die_err(&e);
	shim_stdio(&a, stdio);
	if (create_container(st, &a, stdio, &c, &e) < 0)
		die_err(&e);
	printf("%s\n", c.id);
	fflush(stdout);
	create_args_release(&a);
	return 0;
}

/* After a foreground run: --rm, then the container's status is ours. */
static int
finish(const struct state *st, struct create_args *a, struct container *c, json_t *x)
{
	struct err e;
	int status = fg_status(x);

	if (a->rm && delete_after_run(st, c, &e) < 0)
		log_warn("%s", e.msg);
	return status;
}

/*
 * A foreground run under a systemd Type=notify unit: we are the unit's main
 * process, and the container runs now (or ran).
 */
static void
notify_ready(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct err e;

	if (path && *path && sdnotify_send(path, "READY=1\n", &e) < 0)
		log_warn("%s", e.msg);
}

struct rm_ctx {
	const struct state *st;
	struct container *c;
};

static void
rm_rootfs(void *arg)
{
	struct rm_ctx *rc = arg;

	delete_rootfs_early(rc->st, rc->c);
}

/*
 * run --rm: once init is dead the rootfs can go while the runtime still tears
 * the container down (its cgroups, its state), before the shim answers. A
 * pid namespace of its own (always ours) means no process of the container
 * outlives init. pidfd_open failing (init gone already, or an old kernel)
 * just leaves all of it for after the answer.
 */
static struct fg_early
early_cleanup(struct rm_ctx *rc)
{
	struct fg_early f = FG_EARLY_INIT;
	json_int_t pid = json_integer_value(json_object_get(rc->c->rec, "pid"));

	f.fn = rm_rootfs;
	f.arg = rc;
	if (pid > 0)
		f.pidfd = spawn_pidfd((pid_t)pid);
	return f;
}

/* The container created by run without -d: started by the shim, waited for. */
static int
run_foreground(struct state *st, struct create_args *a, struct container *c)
{
	struct err e;
	json_auto_t *x = NULL;
	struct fg_early early = FG_EARLY_INIT;
	struct rm_ctx rc = {st, c};

	if (a->sdnotify == SDNOTIFY_CONMON)
		notify_ready();
	if (c->sync_exit) {
		/* over before the shim could say it started: no wait to ask for */
		x = json_incref(c->sync_exit);
		return finish(st, a, c, x);
	}
	if (a->rm)
		early = early_cleanup(&rc);
	early.detachable = create_detach_keys(a) != NULL;
	x = fg_wait_early(c, NULL, a->so.tty, &early, &e);
	if (early.pidfd >= 0)
		close(early.pidfd);
	if (!x)
		run_die(a, &e);
	/*
	 * The detach keys: the container runs on, its terminal held by the shim
	 * as a detached one's (attach, logs), and with --rm the shim's exit
	 * command deletes it once it exits, as when we die (ctr-shim --exit-command-after).
	 */
	if (fg_detach_done(x))
		return 0;
	return finish(st, a, c, x);
}

int
cmd_run(int argc, char **argv, struct state *st)
{
	struct create_args a = {.is_run = true};
	_cleanup_container_ struct container c = CONTAINER_INIT;
	struct err e;
	int stdio[3];
	int status = 0;

	spec_opts_init(&a.so);
	if (create_parse(argc, argv, &a, st, &e) < 0 || cmd_userns(NULL, &e) < 0 ||
	    state_open(st, &e) < 0)
		run_die(&a, &e);
	shim_stdio(&a, stdio);
	if (!a.detach)
		fg_block_signals();
	a.raw_tty = !a.detach && a.so.tty && a.interactive;
	/* the shim runs it at once (create and start in one runtime call) */
	if (create_container(st, &a, stdio, &c, &e) < 0)
		run_die(&a, &e);
	if (a.detach)
		printf("%s\n", c.id);
	else
		status = run_foreground(st, &a, &c);
	create_args_release(&a);
	return status;
}
