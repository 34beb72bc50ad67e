/* SPDX-License-Identifier: Apache-2.0 */
/* The control requests: one JSON object in, one response line out (events stream more). */
#include "eventlog.h"
#include "ops.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "control.h"
#include "detachkeys.h"
#include "exec-tty.h"
#include "loop.h"
#include "notify.h"
#include "output.h"
#include "path.h"
#include "priv.h"
#include "runtime.h"
#include "shim.h"
#include "spawn.h"
#include "tty.h"
#include "xmem.h"

#define EXEC_MAX 32 /* exec processes known at once */

struct op {
	const char *name;
	void (*fn)(struct shim *s, struct client *c, json_t *req);
};

static const char *const status_names[] = {"created", "running", "stopped"};

static void
reply_ok(struct shim *s, struct client *c)
{
	control_send(s, c, json_pack("{s:b}", "ok", 1));
}

void
ops_event(struct shim *s, json_t *ev)
{
	/* the namespace's log too, which outlives subscribers: $CTR_STATE/<ns> is STATEDIR's parent */
	char *slash = strrchr(s->dir, '/');

	if (slash && slash != s->dir) {
		*slash = 0;
		eventlog_append(s->dir, s->o.id, ev);
		*slash = '/';
	}
	for (struct client *c = s->clients; c; c = c->next)
		if (c->events && !c->dead)
			control_send(s, c, json_incref(ev));
	json_decref(ev);
}

static void
op_start(struct shim *s, struct client *c, json_t *req)
{
	struct err e;

	(void)req;
	if (s->status != CTR_CREATED)
		return control_error(s, c, "container is %s, not created", status_names[s->status]);
	if (runtime_start(s, &e) < 0)
		return control_error(s, c, "%s", e.msg);
	s->status = CTR_RUNNING;
	/* ours, not the caller's: a caller killed before our answer leaves it right (ls) */
	close(openat(s->dirfd, "started", O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
	notify_ready(s);
	reply_ok(s, c);
	ops_event(s, json_pack("{s:s, s:i}", "event", "start", "pid", (int)s->init.pid));
}

static void
op_state(struct shim *s, struct client *c, json_t *req)
{
	const char *st = status_names[s->status];
	json_t *r;

	(void)req;
	if (s->status == CTR_RUNNING && cgroup_frozen(&s->cg))
		st = "paused";
	r = json_pack("{s:b, s:s, s:i}", "ok", 1, "status", st, "pid", (int)s->init.pid);
	if (s->init.exit)
		json_object_set(r, "exit", s->init.exit);
	control_send(s, c, r);
}

static struct proc *
find_exec(struct shim *s, const char *eid)
{
	for (struct proc *p = s->execs; p; p = p->next)
		if (!strcmp(p->id, eid))
			return p;
	return NULL;
}

static void
op_kill(struct shim *s, struct client *c, json_t *req)
{
	json_int_t sig = 15;
	int all = 0;
	const char *eid = NULL;
	struct proc *p = &s->init;
	struct err e;

	if (json_unpack(req, "{s?I, s?b, s?s}", "signal", &sig, "all", &all, "exec", &eid) < 0 ||
	    sig < 1 || sig > 64)
		return control_error(s, c, "kill wants \"signal\" 1-64, \"all\" a boolean");
	if (eid && !(p = find_exec(s, eid)))
		return control_error(s, c, "no exec process '%s'", eid);
	if (p->exit || s->status == CTR_STOPPED)
		return control_error(s, c, "%s is not running", eid ? "exec process" : "container");
	/*
	 * Rootless, the runtime has no cgroup to list the container's
	 * processes by; init of its own pid namespace stands for them all (a
	 * SIGKILL takes the namespace with it).
	 */
	if (all && !eid && !priv_rootless()) {
		if (runtime_kill(s, (int)sig, true, &e) < 0)
			return control_error(s, c, "%s", e.msg);
	} else if (proc_signal(p, (int)sig) < 0) {
		return control_error(s, c, "kill: %s", strerror(errno));
	}
	reply_ok(s, c);
}

static void
reply_exit(struct shim *s, struct client *c, const struct proc *p)
{
	control_send(s, c, json_pack("{s:b, s:O}", "ok", 1, "exit", p->exit));
}

/* The caller of a foreground run or exec typed the detach keys: its wait is over. */
static void
reply_detached(struct shim *s, struct client *c, const struct proc *p)
{
	control_send(s, c,
		     json_pack("{s:b, s:b, s:b}", "ok", 1, "detached", 1, "mid_line", p->mid_line));
}

static void
op_wait(struct shim *s, struct client *c, json_t *req)
{
	const char *eid = NULL;
	int detach = 0;
	struct proc *p = &s->init;

	if (json_unpack(req, "{s?s, s?b}", "exec", &eid, "detach", &detach) < 0)
		return control_error(s, c, "wait wants \"exec\" a string, \"detach\" a boolean");
	if (eid && !(p = find_exec(s, eid)))
		return control_error(s, c, "no exec process '%s'", eid);
	if (c->wait_for)
		return control_error(s, c, "this connection already waits");
	if (p->exit)
		return reply_exit(s, c, p);
	if (detach && p->detached)
		return reply_detached(s, c, p);
	c->wait_for = xstrdup(eid ? eid : "");
	c->detachable = detach;
}

void
ops_detached(struct shim *s, const char *eid, bool mid_line)
{
	struct proc *p = eid ? find_exec(s, eid) : &s->init;

	if (!p)
		return;
	p->detached = true;
	p->mid_line = mid_line;
	for (struct client *c = s->clients; c; c = c->next) {
		if (c->dead || !c->detachable || !c->wait_for ||
		    strcmp(c->wait_for, eid ? eid : ""))
			continue;
		free(c->wait_for);
		c->wait_for = NULL;
		reply_detached(s, c, p);
	}
}

void
ops_exited(struct shim *s, struct proc *p)
{
	const char *key = p->id ? p->id : "";

	/* an exec's last output, still in its PTY, belongs before anyone hears of its exit */
	if (p->id)
		exec_tty_exited(s, p->id);
	for (struct client *c = s->clients; c; c = c->next) {
		if (c->dead || !c->wait_for || strcmp(c->wait_for, key))
			continue;
		free(c->wait_for);
		c->wait_for = NULL;
		reply_exit(s, c, p);
	}
	if (p->id)
		ops_event(s, json_pack("{s:s, s:s, s:O}", "event", "exec-exit", "exec_id", p->id,
				       "exit", p->exit));
	else
		ops_event(s, json_pack("{s:s, s:O}", "event", "exit", "exit", p->exit));
}

/* Make room for one more exec record by forgetting the oldest finished one. */
static bool
exec_room(struct shim *s)
{
	struct proc **pp, **old = NULL;

	if (s->n_execs < EXEC_MAX)
		return true;
	for (pp = &s->execs; *pp; pp = &(*pp)->next)
		if ((*pp)->exit)
			old = pp;
	if (!old)
		return false;
	struct proc *p = *old;
	*old = p->next;
	json_decref(p->exit);
	free(p->id);
	free(p);
	s->n_execs--;
	return true;
}

static void
add_exec(struct shim *s, const char *eid, pid_t pid)
{
	struct proc *p = xcalloc(1, sizeof(*p));

	p->id = xstrdup(eid);
	p->pid = pid;
	p->pidfd = spawn_pidfd(pid);
	p->next = s->execs; /* newest first: exec_room keeps the last finished one it finds */
	s->execs = p;
	s->n_execs++;
}

static void
op_exec(struct shim *s, struct client *c, json_t *req)
{
	const char *eid, *keys = "";
	json_t *process;
	int tty = 0, fds[3] = {-1, -1, -1};
	struct detachkeys dk;
	struct err e;
	pid_t pid;

	if (json_unpack(req, "{s:s, s:o, s?b, s?s}", "id", &eid, "process", &process, "tty", &tty,
			"detach_keys", &keys) < 0 ||
	    !json_is_object(process))
		return control_error(
		    s, c, "exec wants \"id\", a \"process\" object, \"detach_keys\" a string");
	if (path_check_id(eid, 64, &e) < 0)
		return control_error(s, c, "exec id: %s", e.msg);
	/* typed on the client's terminal, which only the relay of a TTY reads */
	if (detachkeys_parse(&dk, keys, &e) < 0)
		return control_error(s, c, "exec: %s", e.msg);
	if (dk.len && !tty)
		return control_error(s, c, "exec: \"detach_keys\" wants \"tty\"");
	if (s->status == CTR_STOPPED)
		return control_error(s, c, "container is stopped");
	if (find_exec(s, eid))
		return control_error(s, c, "exec id '%s' is in use", eid);
	if (!exec_room(s))
		return control_error(s, c, "too many running exec processes");
	for (int i = 0; i < c->nfds; i++)
		fds[i] = c->fds[i];
	/* with a TTY the relay takes the client's stdin and stdout (exec-tty.c) */
	int r = tty ? exec_tty_run(s, c, eid, process, &dk, &pid, &e)
		    : runtime_exec(s, eid, process, fds, &pid, &e, NULL);
	control_close_fds(c); /* the process (or the relay) holds its copies now */
	if (r < 0)
		return control_error(s, c, "%s", e.msg);
	add_exec(s, eid, pid);
	control_send(s, c, json_pack("{s:b, s:i}", "ok", 1, "pid", (int)pid));
	ops_event(s, json_pack("{s:s, s:s, s:i}", "event", "exec-start", "exec_id", eid, "pid",
			       (int)pid));
}

static void
op_resize(struct shim *s, struct client *c, json_t *req)
{
	json_int_t w, h;
	const char *eid = NULL;
	struct err e;
	int r;

	if (json_unpack(req, "{s:I, s:I, s?s}", "width", &w, "height", &h, "exec", &eid) < 0 ||
	    w < 0 || h < 0 || w > 65535 || h > 65535)
		return control_error(
		    s, c, "resize wants \"width\" and \"height\" 0-65535, \"exec\" a string");
	if (eid)
		r = exec_tty_resize(s, eid, (unsigned)w, (unsigned)h, &e);
	else
		r = tty_resize(s, (unsigned)w, (unsigned)h, &e);
	if (r < 0)
		return control_error(s, c, "%s", e.msg);
	reply_ok(s, c);
}

static void
op_close_stdin(struct shim *s, struct client *c, json_t *req)
{
	struct err e;

	(void)req;
	if (s->o.stdio == STDIO_PIPE ? output_close_stdin(s, &e) < 0 : tty_close_stdin(s, &e) < 0)
		return control_error(s, c, "%s", e.msg);
	reply_ok(s, c);
}

/* Set key to v, or leave it out when its file is missing. */
static void
put(json_t *obj, const char *key, long long v)
{
	if (v != CGROUP_NONE)
		json_object_set_new(obj, key, json_integer(v));
}

/* The cgroup's numbers, v1 or v2, in one shape. */
static void
op_stats(struct shim *s, struct client *c, json_t *req)
{
	json_t *mem = json_object(), *cpu = json_object(), *pids = json_object();
	struct cgroup_stats st;

	(void)req;
	cgroup_stats(&s->cg, &st);
	put(mem, "usage", st.mem_usage);
	put(mem, "max_usage", st.mem_max_usage);
	put(mem, "limit", st.mem_limit);
	put(mem, "oom_kill", st.oom_kills);
	put(cpu, "usage_ns", st.cpu_ns);
	put(pids, "current", st.pids);
	put(pids, "limit", st.pids_limit);
	control_send(s, c,
		     json_pack("{s:i, s:i, s:o, s:o, s:o, s:b}", "cgroup_version", st.version,
			       "pid", (int)s->init.pid, "memory", mem, "cpu", cpu, "pids", pids,
			       "ok", 1));
}

static void
op_events(struct shim *s, struct client *c, json_t *req)
{
	(void)req;
	c->events = true;
	reply_ok(s, c);
}

static void
op_shutdown(struct shim *s, struct client *c, json_t *req)
{
	(void)req;
	/* a stopped shim leaves once its clients are answered (loop.c) */
	if (s->status != CTR_STOPPED)
		return control_error(s, c, "container is %s; kill it first",
				     status_names[s->status]);
	reply_ok(s, c);
}

static const struct op ops[] = {
    {"start", op_start},
    {"state", op_state},
    {"kill", op_kill},
    {"wait", op_wait},
    {"exec", op_exec},
    {"resize", op_resize},
    {"close-stdin", op_close_stdin},
    {"stats", op_stats},
    {"events", op_events},
    {"shutdown", op_shutdown},
    {"attach", output_attach_op},
    {"logs", output_logs_op},
    {"reopen-log", output_reopen_log_op},
    {NULL, NULL},
};

/*
 * "deadline": CLOCK_MONOTONIC milliseconds after which the client has given
 * up (a shim that was stopped reads old requests when it runs again): a
 * kill nobody waits for any more must not happen later.
 */
static bool
too_late(const json_t *deadline)
{
	struct timespec ts;

	if (!json_is_integer(deadline))
		return false;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (json_int_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 > json_integer_value(deadline);
}

void
ops_handle(struct shim *s, struct client *c, const char *line, size_t len)
{
	json_error_t je;
	json_t *req = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
	const char *name = req ? json_string_value(json_object_get(req, "op")) : NULL;

	if (!req)
		return control_error(s, c, "bad JSON at column %d: %s", je.column, je.text);
	if (too_late(json_object_get(req, "deadline"))) {
		json_decref(req);
		return control_error(s, c, "the request came after its deadline: not carried out");
	}
	for (const struct op *o = ops; name && o->name; o++)
		if (!strcmp(o->name, name)) {
			o->fn(s, c, req);
			json_decref(req);
			return;
		}
	control_error(s, c, name ? "unknown op '%.64s'" : "request wants a string \"op\"%.0s",
		      name ? name : "");
	json_decref(req);
}
