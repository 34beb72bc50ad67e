/* SPDX-License-Identifier: Apache-2.0 */
/* The stop verb: the stop signal, a grace period, then SIGKILL to every process (docker stop). */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "delete.h"
#include "jsonio.h"
#include "runtime.h"
#include "shimclient.h"
#include "sig.h"

#define STOP_DEFAULT_SECS 10
/* after SIGKILL a container goes at once; this only bounds a hung runtime */
#define KILL_WAIT_MS 10000

struct stop_args {
	int secs; /* -1: wait for ever */
	int sig;  /* 0: the image's StopSignal, else SIGTERM */
};

static void
stop_opt(int c, const char *arg, void *ctx)
{
	struct stop_args *a = ctx;
	char *end;
	long v;

	if (c == 's' && (a->sig = sig_parse(arg)) < 0)
		die(100, "unknown signal '%s'", arg);
	if (c == CMD_OPT_JSON)
		prog_set_json_errors(true);
	if (c != 't')
		return;
	v = strtol(arg, &end, 10);
	if (end == arg || *end || v < -1 || v > INT_MAX / 1000)
		die(100, "-t wants whole seconds (or -1 for no limit), not '%s'", arg);
	a->secs = (int)v;
}

/* The stop signal: -s, else the record's (the image's StopSignal), else SIGTERM. */
static int
stop_signal(const struct container *c, int given)
{
	const char *ss = jsonio_str(c->rec, "stop_signal");

	if (given)
		return given;
	return ss && sig_parse(ss) > 0 ? sig_parse(ss) : SIGTERM;
}

/* -1 with e only when the shim does not answer: there is nobody to wait for. */
static int
send_signal(const struct container *c, int sig, bool all, struct err *e)
{
	json_auto_t *req = json_pack("{s:s, s:i, s:b}", "op", "kill", "signal", sig, "all", all);
	json_t *r = shim_call(c, req, e);

	/* it may have exited meanwhile: the wait that follows tells */
	if (!r && e->code && !strcmp(e->code, "busy"))
		return -1;
	if (!r)
		log_info("signal %d to '%s': %s", sig, c->id, e->msg);
	json_decref(r);
	return 0;
}

/*
 * Running: the stop signal to init, up to secs for it to exit, then SIGKILL to
 * all its processes. Created: nothing in it can handle a signal yet, SIGKILL.
 */
static json_t *
stop_live(struct container *c, enum container_status cs, const struct stop_args *a, struct err *e)
{
	static const char *const resume[] = {"resume", NULL};
	struct err ignored;
	json_t *x;

	/* a frozen task acts on no signal until thawed */
	if (cs == CS_PAUSED)
		runtime_run(jsonio_str(c->rec, "runtime"), c, resume, -1, &ignored);
	if (cs != CS_CREATED) {
		if (send_signal(c, stop_signal(c, a->sig), false, e) < 0)
			return NULL;
		x = delete_wait_exit(c, a->secs < 0 ? -1 : a->secs * 1000, e);
		if (x)
			return x;
		log_info("'%s' still runs after %d s: SIGKILL", c->id, a->secs);
	}
	if (send_signal(c, SIGKILL, true, e) < 0)
		return NULL;
	return delete_wait_exit(c, KILL_WAIT_MS, e);
}

static const struct opt stop_opts[] = {
    {"time", 't', "SECS", "seconds to wait before SIGKILL (default 10; -1: for ever)", NULL},
    {"signal", 's', "SIG", "the first signal (default: the image's, else TERM)", NULL},
    OPT_INCLUDE(cmd_opt_json_errors),
    OPT_END,
};
const struct opt_cmd cmd_stop_spec = {"ID", "signal a container, and kill it if it lingers",
				      stop_opts, 0, 0};

int
cmd_stop(int argc, char **argv, struct state *st)
{
	struct stop_args a = {STOP_DEFAULT_SECS, 0};
	_cleanup_container_ struct container c = CONTAINER_INIT;
	enum container_status cs;
	json_auto_t *x = NULL;
	struct err e;

	opt_parse(&cmd_stop_spec, argc, argv, st, stop_opt, &a);
	cmd_open(st, cmd_one_id(&cmd_stop_spec, argc, argv), &c, 100);
	cs = container_status(&c, &x);
	if (cs == CS_UNKNOWN)
		die(1,
		    "state of '%s' is unknown (shim gone); delete -f kills it through the runtime",
		    c.id);
	if (cs != CS_STOPPED && !(x = stop_live(&c, cs, &a, &e)))
		die(111, "stop '%s': %s", c.id, e.msg);
	jsonio_write(stdout, x);
	return 0;
}
