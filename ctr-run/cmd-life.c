/* SPDX-License-Identifier: Apache-2.0 */
/* A container's life: the start, kill, wait and delete verbs; state and ls say where it is. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "cni-attach.h"
#include "cmd.h"
#include "delete.h"
#include "detachkeys.h"
#include "fg.h"
#include "human.h"
#include "jsonio.h"
#include "lease.h"
#include "lock.h"
#include "path.h"
#include "priv.h"
#include "runtime.h"
#include "shimclient.h"
#include "sig.h"
#include "spawn.h"
#include "xmem.h"

static void
no_opts(int c, const char *arg, void *ctx)
{
	(void)c, (void)arg, (void)ctx;
}

/*
 * With its shim gone, is c's init still there? The runtime's state says
 * (created, running or paused); *pid gets its pid. NULL: it is not.
 */
static json_t *
live_without_shim(const struct container *c, int *pid)
{
	struct err e;
	json_t *rs = runtime_state(jsonio_str(c->rec, "runtime"), c, &e);
	const char *s = jsonio_str(rs, "status");

	if (!s || (strcmp(s, "created") && strcmp(s, "running") && strcmp(s, "paused"))) {
		json_decref(rs);
		return NULL;
	}
	if (pid)
		*pid = (int)json_integer_value(json_object_get(rs, "pid"));
	return rs;
}

static const struct opt start_opts[] = {
    {"attach", 'a', NULL, "attach first and wait: its output is ours, its status our status", NULL},
    {"interactive", 'i', NULL, "attach our stdin too (a container made with -i); implies -a", NULL},
    OPT_INCLUDE(cmd_opt_detach_keys),
    OPT_END,
};
const struct opt_cmd cmd_start_spec = {"ID", "start a created container", start_opts, 0, 0};

struct start_args {
	bool attach, interactive;
	const char *keys; /* --detach-keys, or NULL: the default */
};

static void
start_opt(int c, const char *arg, void *ctx)
{
	struct start_args *a = ctx;

	if (c == 'a')
		a->attach = true;
	else if (c == 'i')
		a->attach = a->interactive = true;
	else if (c == CMD_OPT_DETACH_KEYS)
		a->keys = arg;
}

int
cmd_start(int argc, char **argv, struct state *st)
{
	struct start_args a = {0};
	struct detachkeys keys;
	json_auto_t *req = json_pack("{s:s}", "op", "start"), *r = NULL, *x = NULL;
	_cleanup_container_ struct container c = CONTAINER_INIT;
	struct err e;

	opt_parse(&cmd_start_spec, argc, argv, st, start_opt, &a);
	cmd_detach_keys(&cmd_start_spec, a.keys, &keys);
	cmd_open(st, cmd_one_id(&cmd_start_spec, argc, argv), &c, 100);
	if (container_status(&c, NULL) != CS_CREATED)
		die(100, "container '%s' is %s, not created", c.id,
		    container_status_name(container_status(&c, NULL)));
	/* its output held by the shim: attached before it starts, as docker start -a */
	if (a.attach && !strcmp(container_stdio(&c), "pipe"))
		return attach_container(&c, a.interactive, true, &keys, false);
	if (a.attach)
		fg_block_signals();
	if (!(r = shim_call(&c, req, &e)))
		die_err(&e);
	container_mark(&c, "started", true);
	if (!a.attach)
		return 0;
	if (!(x = fg_wait(&c, NULL, false, &e)))
		die(125, "%s", e.msg);
	return fg_status(x);
}

static const struct opt kill_opts[] = {
    {"signal", 's', "SIG", "the signal, by name or number (default: the image's, else TERM)", NULL},
    {"all", 'a', NULL, "signal every process of the container, not only its init", NULL},
    OPT_INCLUDE(cmd_opt_json_errors),
    OPT_END,
};
const struct opt_cmd cmd_kill_spec = {"ID", "send a container a signal", kill_opts, 0, 0};

struct kill_args {
	int sig;
	bool all;
};

static void
kill_opt(int c, const char *arg, void *ctx)
{
	struct kill_args *k = ctx;

	if (c == 'a')
		k->all = true;
	else if (c == CMD_OPT_JSON)
		prog_set_json_errors(true);
	else if (c == 's' && (k->sig = sig_parse(arg)) < 0)
		die(100, "unknown signal '%s'", arg);
}

static void
kill_event(const struct container *c, const struct kill_args *k)
{
	json_auto_t *x = json_pack("{s:i, s:b}", "signal", k->sig, "all", k->all);

	container_event(c, "kill", x);
}

int
cmd_kill(int argc, char **argv, struct state *st)
{
	struct kill_args k = {0, false};
	_cleanup_container_ struct container c = CONTAINER_INIT;
	struct err e;

	opt_parse(&cmd_kill_spec, argc, argv, st, kill_opt, &k);
	cmd_open(st, cmd_one_id(&cmd_kill_spec, argc, argv), &c, 100);
	if (!k.sig) {
		const char *ss = jsonio_str(c.rec, "stop_signal");

		k.sig = ss && sig_parse(ss) > 0 ? sig_parse(ss) : SIGTERM;
	}
	/*
	 * Exited: not running, whether or not its shim is still on its way out
	 * (it leaves once its clients are answered, its socket first).
	 */
	enum container_status cs = container_status(&c, NULL);

	if (cs == CS_STOPPED || cs == CS_UNKNOWN) {
		json_auto_t *rs = cs == CS_UNKNOWN ? live_without_shim(&c, NULL) : NULL;

		if (!rs)
			die(1, "container '%s' is not running (%s)", c.id,
			    container_status_name(cs));
		/* unsupervised, but alive: the runtime can still signal it */
		kill_event(&c, &k);
		if (runtime_kill(jsonio_str(c.rec, "runtime"), &c, k.sig, k.all, &e) < 0)
			die_err(&e);
		log_warn("the shim of '%s' is gone: signalled through the runtime", c.id);
		return 0;
	}
	json_auto_t *req =
	    json_pack("{s:s, s:i, s:b}", "op", "kill", "signal", k.sig, "all", k.all);
	/* before the signal, so that the exit it causes comes after it in the log */
	kill_event(&c, &k);
	json_auto_t *r = shim_call(&c, req, &e);
	if (!r && container_status(&c, NULL) == CS_STOPPED)
		die(1, "container '%s' is not running (stopped)", c.id);
	if (!r)
		die_err(&e);
	return 0;
}

const struct opt_cmd cmd_wait_spec = {"ID", "wait for a container to exit; its exit status is ours",
				      NULL, 125, 0};

/*
 * Nobody will write c's exit status: watch its init (a pidfd on the pid the
 * runtime names) and say when it ends, and that its status is unknown.
 */
__attribute__((noreturn)) static void
wait_without_shim(const struct container *c)
{
	int pid = 0, fd;
	json_t *rs = live_without_shim(c, &pid);
	struct pollfd p;

	/* released now: die() below exits without running cleanups */
	if (!rs)
		pid = 0;
	json_decref(rs);
	if (pid > 0 && (fd = spawn_pidfd(pid)) >= 0) {
		p = (struct pollfd){.fd = fd, .events = POLLIN};
		while (poll(&p, 1, -1) < 0 && errno == EINTR)
			;
		close(fd);
		die(125, "'%s' ended; its exit status is unknown (its shim is gone)", c->id);
	}
	die(125, "state of '%s' is unknown (shim gone): no exit status to report", c->id);
}

int
cmd_wait(int argc, char **argv, struct state *st)
{
	_cleanup_container_ struct container c = CONTAINER_INIT;
	struct err e;
	json_auto_t *x = NULL;

	opt_parse(&cmd_wait_spec, argc, argv, st, no_opts, NULL);
	cmd_open(st, cmd_one_id(&cmd_wait_spec, argc, argv), &c, 125);
	x = container_exit(&c);
	/* a shim writes exit.json before it exits: once it is gone, look again */
	if (!x && !container_shim_alive(&c, NULL) && !(x = container_exit(&c)))
		wait_without_shim(&c);
	if (!x && !(x = fg_wait(&c, NULL, false, &e)))
		die(125, "%s", e.msg);
	jsonio_write(stdout, x);
	return fg_status(x);
}

/* What a record and the state files say, as one JSON object for state and ls. */
static json_t *
describe(const struct container *c, bool ask_shim)
{
	json_t *x = NULL;
	enum container_status cs = container_status(c, &x);
	json_t *d = json_pack(
	    "{s:s, s:O?, s:s, s:O?, s:O?, s:O?, s:O?, s:O?}", "id", c->id, "image",
	    json_object_get(c->rec, "image"), "status", container_status_name(cs), "created",
	    json_object_get(c->rec, "created"), "bundle", json_object_get(c->rec, "bundle"),
	    "runtime", json_object_get(c->rec, "runtime"), "snapshotter",
	    json_object_get(c->rec, "snapshotter"), "snapshot_key",
	    json_object_get(c->rec, "snapshot_key"));
	struct err e;

	if (x)
		json_object_set_new(d, "exit", x);
	/* state only: ls reads no more than it must */
	if (ask_shim && (x = cni_describe(c->statedir)))
		json_object_set_new(d, "networks", x);
	if (cs == CS_UNKNOWN) {
		/* ls reads files only; state asks the runtime */
		json_auto_t *rs = ask_shim ? live_without_shim(c, NULL) : NULL;

		json_object_set_new(d, "reason", json_string("shim gone"));
		/* alive but unsupervised: the runtime's word on it, no exit status ever */
		if (rs) {
			json_object_set(d, "status", json_object_get(rs, "status"));
			json_object_set(d, "pid", json_object_get(rs, "pid"));
		}
	}
	if (ask_shim && cs != CS_UNKNOWN && cs != CS_STOPPED) {
		json_auto_t *req = json_pack("{s:s}", "op", "state");
		json_auto_t *r = shim_call(c, req, &e);
		const char *s = jsonio_str(r, "status");

		/* what the files say stands; the reason says why the shim did not add to it */
		if (!r) {
			log_warn("%s", e.msg);
			json_object_set_new(d, "reason", json_string(e.msg));
		}

		/* the shim asks the runtime: the authority for created/running/paused */
		if (s)
			json_object_set_new(d, "status", json_string(s));
		if (json_object_get(r, "pid"))
			json_object_set(d, "pid", json_object_get(r, "pid"));
		if (json_object_get(r, "exit"))
			json_object_set(d, "exit", json_object_get(r, "exit"));
	}
	if (!json_object_get(d, "pid") && json_object_get(c->rec, "pid"))
		json_object_set(d, "pid", json_object_get(c->rec, "pid"));
	return d;
}

/* Does a live lease (ctr-state(5)) name container id of st's namespace? */
static bool
leased(const struct state *st, const char *id)
{
	_cleanup_free_ char *name = xasprintf("%s/%s", st->ns, id);
	struct err e;
	json_auto_t *list = lease_list(st, &e);

	return list && lease_names(list, LEASE_CONTAINER, name);
}

/*
 * A container directory without a record: a create in flight holds a lease
 * on it and its lock (status "creating"); otherwise its creator died before
 * writing the record ("unknown"), and delete -f or ctr-image gc removes what
 * it made. NULL: it has a record.
 */
static json_t *
describe_unrecorded(struct container *c, const struct state *st)
{
	struct err e;
	int lk;

	if (container_open(c, st, &e) == 0 || c->dirfd < 0 || e.sys != ENOENT)
		return NULL;
	lk = lock_at(c->dirfd, "lock", LOCK_SHARED | LOCK_TRY, &e);
	if (lk >= 0)
		close(lk);
	if ((lk < 0 && e.code && !strcmp(e.code, "busy")) || leased(st, c->id))
		return json_pack("{s:s, s:s, s:s}", "id", c->id, "status", "creating", "reason",
				 "being created: no record yet");
	return json_pack("{s:s, s:s, s:s}", "id", c->id, "status", "unknown", "reason",
			 "its creator died before it wrote the record; delete -f or ctr-image gc "
			 "removes it");
}

static const struct opt state_opts[] = {
    OPT_INCLUDE(cmd_opt_json_errors),
    OPT_END,
};
const struct opt_cmd cmd_state_spec = {
    "ID", "a container's state as JSON (the runtime's, and ours)", state_opts, 0, 0};

/* --json: of state and delete, whose output is no listing */
static void
json_errors_opt(int c, const char *arg, void *ctx)
{
	(void)arg, (void)ctx;
	if (c == CMD_OPT_JSON)
		prog_set_json_errors(true);
}

int
cmd_state(int argc, char **argv, struct state *st)
{
	_cleanup_container_ struct container c = CONTAINER_INIT;
	json_auto_t *d = NULL;
	struct err e;
	const char *id;
	bool opened = false;

	opt_parse(&cmd_state_spec, argc, argv, st, json_errors_opt, NULL);
	id = cmd_one_id(&cmd_state_spec, argc, argv);
	/* opened once: describe_unrecorded leaves the record in c when there is one */
	if (state_open(st, &e) == 0 && path_check_id(id, CONTAINER_ID_MAX, &e) == 0) {
		container_init(&c, st, id);
		d = describe_unrecorded(&c, st);
		opened = !d && c.rec;
		if (!opened)
			container_release(&c);
	}
	if (d) {
		log_warn("'%s': %s", id, jsonio_str(d, "reason"));
		jsonio_write_pretty(stdout, d);
		return 0;
	}
	if (!opened) /* dies with the reason it cannot be opened */
		cmd_open(st, id, &c, 100);
	d = describe(&c, true);
	if (!strcmp(jsonio_str(d, "status"), "unknown"))
		log_warn("state of '%s' is unknown (shim gone)", c.id);
	jsonio_write_pretty(stdout, d);
	return 0;
}

enum { O_JSON = 0x100 };

static const struct opt ls_opts[] = {
    {"json", O_JSON, NULL, "print JSON (and errors as JSON)", NULL},
    {"quiet", 'q', NULL, "print the IDs only", NULL},
    OPT_END,
};
const struct opt_cmd cmd_ls_spec = {NULL, "list the containers of the namespace", ls_opts, 0, 0};

struct ls_args {
	bool json, quiet;
};

static void
ls_opt(int c, const char *arg, void *ctx)
{
	struct ls_args *a = ctx;

	(void)arg;
	if (c == O_JSON)
		a->json = true;
	else if (c == 'q')
		a->quiet = true;
}

static void
ls_print(const json_t *d)
{
	const json_t *x = json_object_get(d, "exit");
	const char *s = jsonio_str(d, "status");
	char status[64], age[HUMAN_LEN];

	if (x)
		snprintf(status, sizeof(status), "%s (%lld)", s,
			 (long long)json_integer_value(json_object_get(x, "status")));
	else if (!strcmp(s, "unknown") && !json_object_get(d, "image"))
		snprintf(status, sizeof(status), "unknown (no record)");
	else if (!strcmp(s, "unknown"))
		snprintf(status, sizeof(status), "unknown (shim gone)");
	else
		snprintf(status, sizeof(status), "%s", s);
	printf("%-24s %-40s %-20s %s\n", jsonio_str(d, "id"),
	       jsonio_str(d, "image") ? jsonio_str(d, "image") : "-", status,
	       human_since_rfc3339(jsonio_str(d, "created"), time(NULL), age));
}

int
cmd_ls(int argc, char **argv, struct state *st)
{
	struct ls_args a = {false, false};
	json_auto_t *ids = NULL, *out = json_array();
	struct err e;
	size_t k;
	json_t *v;

	opt_parse(&cmd_ls_spec, argc, argv, st, ls_opt, &a);
	opt_operands(&cmd_ls_spec, argc, argv, 0, 0);
	prog_set_json_errors(a.json);
	if (state_open(st, &e) < 0 || !(ids = container_list(st, &e)))
		die_err(&e);
	/* files only, no runtime or shim call per container: ls of 500 stays fast */
	json_array_foreach(ids, k, v) {
		_cleanup_container_ struct container c = CONTAINER_INIT;

		json_t *u;

		container_init(&c, st, json_string_value(v));
		/* every directory shows, a record or not: none is invisible */
		if ((u = describe_unrecorded(&c, st)))
			json_array_append_new(out, u);
		else if (c.rec)
			json_array_append_new(out, describe(&c, false));
	}
	if (a.json && !a.quiet) { /* -q wins, as in ctr-image ls */
		jsonio_write(stdout, out);
		return 0;
	}
	if (!a.quiet)
		printf("%-24s %-40s %-20s %s\n", "ID", "IMAGE", "STATUS", "CREATED");
	json_array_foreach(out, k, v)
		if (a.quiet)
			printf("%s\n", jsonio_str(v, "id"));
		else
			ls_print(v);
	return 0;
}

static const struct opt delete_opts[] = {
    {"force", 'f', NULL, "kill a running one first; remove one half made", NULL},
    OPT_INCLUDE(cmd_opt_json_errors),
    OPT_END,
};
const struct opt_cmd cmd_delete_spec = {"ID...", "delete stopped containers and all they hold",
					delete_opts, 0, 0};

/*
 * One container; with -f also one whose record was never written (a create
 * killed half-way), found by its directory. Returns an exit code.
 */
static int
delete_one(struct state *st, const char *id, bool force)
{
	_cleanup_container_ struct container c = CONTAINER_INIT;
	struct err e;
	int lk = -1, r = -1;

	if (path_check_id(id, CONTAINER_ID_MAX, &e) < 0 || state_open(st, &e) < 0)
		return prog_error(&e);
	container_init(&c, st, id);
	if ((container_open(&c, st, &e) == 0 || (force && c.dirfd >= 0)) &&
	    cmd_userns(&c, &e) == 0) {
		lk = container_lock(&c, &e);
		if (lk >= 0 && c.rec)
			r = delete_container(st, &c, force, &e);
		else if (lk >= 0)
			r = delete_orphan(st, &c, &e);
	}
	if (lk >= 0)
		close(lk);
	return r < 0 ? prog_error(&e) : 0;
}

/*
 * delete_one in a child of its own, for a user: joining one container's
 * shim namespaces is for good (a process cannot leave a user namespace),
 * so each container of several is reached from a fresh process.
 */
static int
delete_apart(struct state *st, const char *id, bool force)
{
	struct err e;
	pid_t pid;
	int r;

	fflush(NULL);
	if ((pid = fork()) == 0) {
		r = delete_one(st, id, force);
		fflush(NULL);
		_exit(r);
	}
	if (pid < 0 || (r = spawn_wait(pid, &e)) < 0) {
		if (pid < 0)
			err_set(&e, errno, "fork to delete '%s'", id);
		return prog_error(&e);
	}
	return r;
}

static void
delete_opt(int c, const char *arg, void *ctx)
{
	if (c == 'f')
		*(bool *)ctx = true;
	json_errors_opt(c, arg, ctx);
}

int
cmd_delete(int argc, char **argv, struct state *st)
{
	bool force = false;
	int i = opt_parse(&cmd_delete_spec, argc, argv, st, delete_opt, &force);
	bool apart = priv_mode() == PRIV_USER && argc - i > 1;
	int rc = 0;

	opt_operands(&cmd_delete_spec, argc, argv, 1, -1);
	for (; i < argc; i++) {
		int r = apart ? delete_apart(st, argv[i], force) : delete_one(st, argv[i], force);

		rc = rc ? rc : r;
	}
	return rc;
}
