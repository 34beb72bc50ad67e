/* SPDX-License-Identifier: Apache-2.0 */
/* logs: what a container wrote, from its shim's ring, or the copy it left when it went. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "cmd.h"
#include "fdio.h"
#include "jsonio.h"
#include "log.h"
#include "relay.h"
#include "shimclient.h"

#define O_TAIL 0x100 /* no -n: that is the namespace */
#define SAVED_MAX (16u << 20)

struct logs_args {
	bool follow;
	long tail; /* -1: all */
};

static void
logs_opt(int c, const char *arg, void *ctx)
{
	struct logs_args *a = ctx;
	char *end;

	if (c == 'f') {
		a->follow = true;
	} else if (c == O_TAIL) {
		if (!strcmp(arg, "all")) {
			a->tail = -1;
			return;
		}
		errno = 0;
		a->tail = strtol(arg, &end, 10);
		if (errno || *end || end == arg || a->tail < 0)
			die_usage("--tail wants a number of lines or 'all', not '%s'", arg);
	}
}

/* The shim is gone: the output it saved as it left, if any. */
static int
saved(const struct container *c, const struct logs_args *a)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	struct err e;

	if (fdio_read_file_at(c->statefd, "output", SAVED_MAX, &buf, &len, &e) < 0)
		return e.sys == ENOENT ? 0 : (die_err(&e), 0);
	if (relay_saved(buf, len, a->tail, &e) < 0)
		die_err(&e);
	return 0;
}

static const struct opt logs_opts[] = {
    {"follow", 'f', NULL, "keep printing the output as it comes, until the container ends", NULL},
    {"tail", O_TAIL, "N|all", "only the last N lines of what is kept (default all)", NULL},
    OPT_END,
};
const struct opt_cmd cmd_logs_spec = {"ID", "print the output a detached container's shim keeps",
				      logs_opts, 0, 0};

int
cmd_logs(int argc, char **argv, struct state *st)
{
	struct logs_args a = {.tail = -1};
	const char *stdio;
	json_auto_t *req = NULL, *r = NULL;
	struct relay rl = {.in_to = -1, .sigfd = -1};
	enum relay_end end;
	_cleanup_container_ struct container c = CONTAINER_INIT;
	struct shim_conn k;
	struct err e;

	opt_parse(&cmd_logs_spec, argc, argv, st, logs_opt, &a);
	cmd_open(st, cmd_one_id(&cmd_logs_spec, argc, argv), &c, 100);
	/* from the record, whether or not the shim still runs: one answer */
	stdio = container_stdio(&c);
	if (strcmp(stdio, "pipe"))
		die(EXIT_NEG, "the output of '%s' is not kept (--stdio %s)", c.id, stdio);
	signal(SIGPIPE, SIG_IGN);
	req = json_pack("{s:s, s:b, s:I}", "op", "logs", "follow", a.follow, "tail",
			(json_int_t)a.tail);
	/* no shim, or one leaving before it answers: it saved the output first */
	if (shim_connect(&c, &k, &e) < 0 || shim_send(&k, req, NULL, 0, &e) < 0 ||
	    !(r = shim_recv(&k, &e))) {
		shim_close(&k);
		return saved(&c, &a);
	}
	if (!json_is_true(json_object_get(r, "ok")))
		die(EXIT_NEG, "logs of '%s': %s", c.id,
		    jsonio_str(r, "error") ? jsonio_str(r, "error") : "refused");
	if (jsonio_str(r, "log_error"))
		log_warn("%s", jsonio_str(r, "log_error"));
	rl.sock = k.fd;
	rl.early = k.buf, rl.nearly = k.len;
	if (relay_run(&rl, &end, &e) < 0)
		die_err(&e);
	shim_close(&k);
	return 0;
}

const struct opt_cmd cmd_reopen_log_spec = {
    "ID", "close the --log file and open it again by its name (after logrotate renamed it)", NULL,
    0, 0};

int
cmd_reopen_log(int argc, char **argv, struct state *st)
{
	_cleanup_container_ struct container c = CONTAINER_INIT;
	json_auto_t *req = NULL, *r = NULL;
	enum container_status cs;
	struct err e;

	opt_parse(&cmd_reopen_log_spec, argc, argv, st, NULL, NULL);
	cmd_open(st, cmd_one_id(&cmd_reopen_log_spec, argc, argv), &c, 100);
	if (!jsonio_str(c.rec, "log"))
		die(EXIT_NEG, "'%s' has no log file (create it with --log)", c.id);
	cs = container_status(&c, NULL);
	/* only a live shim has the file open: a stopped container's log is complete */
	if (cs == CS_STOPPED || cs == CS_UNKNOWN || !container_shim_alive(&c, NULL))
		die(EXIT_NEG, "container '%s' is not running (%s)", c.id,
		    container_status_name(cs));
	req = json_pack("{s:s}", "op", "reopen-log");
	if (!(r = shim_call(&c, req, &e)))
		die_err(&e);
	return 0;
}
