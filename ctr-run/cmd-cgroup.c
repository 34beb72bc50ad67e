/* SPDX-License-Identifier: Apache-2.0 */
/* The verbs on a container's cgroup: pause and resume it, update its limits, ps and stats. */
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "human.h"
#include "cleanup.h"
#include "cmd.h"
#include "jsonio.h"
#include "priv.h"
#include "proc.h"
#include "runtime.h"
#include "shimclient.h"
#include "spec.h"
#include "xmem.h"

enum { O_JSON = 0x100, O_CPUS, O_PIDS, O_SHARES };

static void
flag_opt(int c, const char *arg, void *ctx)
{
	(void)arg;
	if (c == O_JSON)
		*(bool *)ctx = true;
}

const struct opt_cmd cmd_pause_spec = {"ID", "freeze every process of a container", NULL, 0, 0};
const struct opt_cmd cmd_resume_spec = {"ID", "thaw a paused container", NULL, 0, 0};

/* Rootless containers get no cgroup (spec-linux.c): what needs one says so, once. */
static void
need_cgroup(void)
{
	if (priv_rootless())
		die(100,
		    "%s needs the container's cgroup, and a rootless container has none "
		    "(cgroup v1 is not delegated to users)",
		    prog_cmd_name());
}

/* pause and resume: the runtime freezes the cgroup; a marker tells ls without asking. */
static int
freeze(int argc, char **argv, struct state *st, bool on)
{
	const struct opt_cmd *spec = on ? &cmd_pause_spec : &cmd_resume_spec;
	const char *args[] = {on ? "pause" : "resume", NULL};
	_cleanup_container_ struct container c = CONTAINER_INIT;
	struct err e;
	enum container_status cs;

	opt_parse(spec, argc, argv, st, flag_opt, NULL);
	need_cgroup();
	cmd_open(st, cmd_one_id(spec, argc, argv), &c, 100);
	cs = container_status(&c, NULL);
	if (cs != (on ? CS_RUNNING : CS_PAUSED))
		die(100, "container '%s' is %s", c.id, container_status_name(cs));
	if (runtime_run(jsonio_str(c.rec, "runtime"), &c, args, -1, &e) < 0)
		die_err(&e);
	container_mark(&c, "paused", on);
	container_event(&c, on ? "pause" : "resume", NULL);
	return 0;
}

int
cmd_pause(int argc, char **argv, struct state *st)
{
	return freeze(argc, argv, st, true);
}

int
cmd_resume(int argc, char **argv, struct state *st)
{
	return freeze(argc, argv, st, false);
}

static const struct opt json_opts[] = {
    {"json", O_JSON, NULL, "print JSON (and errors as JSON)", NULL},
    OPT_END,
};
const struct opt_cmd cmd_ps_spec = {"ID", "list a container's processes", json_opts, 0, 0};

/* One process of the container; NULL when it ended after the runtime listed it. */
static json_t *
ps_row(pid_t pid)
{
	struct proc_stat ps;
	json_t *args;
	uid_t uid;

	if (proc_stat_read(pid, &ps) < 0 || proc_uid(pid, &uid) < 0 || !(args = proc_args(pid)))
		return NULL;
	return json_pack(
	    "{s:i, s:i, s:I, s:s#, s:I, s:s, s:o}", "pid", (int)pid, "ppid", (int)ps.ppid, "uid",
	    (json_int_t)uid, "state", &ps.state, 1, "cpu_ns",
	    (json_int_t)(ps.cpu_ticks * (1000000000ull / (unsigned long long)sysconf(_SC_CLK_TCK))),
	    "comm", ps.comm, "args", args);
}

/* A number of a row made here. */
static long long
num(const json_t *row, const char *key)
{
	return (long long)json_integer_value(json_object_get(row, key));
}

/* Text the container chose, for a terminal (prog_inert). */
static void
put_inert(const char *p)
{
	for (; *p; p++)
		putchar(prog_inert(*p));
}

/* A row's command line: its arguments, or "[comm]" when it has none (a zombie). */
static void
ps_print_cmd(const json_t *row)
{
	const json_t *args = json_object_get(row, "args");
	size_t i;
	json_t *a;

	json_array_foreach(args, i, a) {
		if (i)
			putchar(' ');
		put_inert(json_string_value(a));
	}
	if (!json_array_size(args)) {
		putchar('[');
		put_inert(jsonio_str(row, "comm"));
		putchar(']');
	}
	putchar('\n');
}

int
cmd_ps(int argc, char **argv, struct state *st)
{
	const char *args[] = {"ps", "--format", "json", NULL};
	_cleanup_container_ struct container c = CONTAINER_INIT;
	json_auto_t *pids = NULL, *rows = json_array();
	char tbuf[HUMAN_LEN];
	bool json = false;
	struct err e;
	size_t i;
	json_t *v;

	opt_parse(&cmd_ps_spec, argc, argv, st, flag_opt, &json);
	prog_set_json_errors(json);
	need_cgroup();
	cmd_open(st, cmd_one_id(&cmd_ps_spec, argc, argv), &c, 100);
	if (container_status(&c, NULL) == CS_STOPPED)
		die(EXIT_NEG, "container '%s' is not running (stopped)", c.id);
	/* runc prints a JSON array of host pids: the processes in the container's cgroup */
	if (!(pids = runtime_json(jsonio_str(c.rec, "runtime"), &c, args,
				  "the runtime's process list", &e))) {
		/* it exited since: runc says "null" */
		if (container_status(&c, NULL) == CS_STOPPED)
			die(EXIT_NEG, "container '%s' is not running (stopped)", c.id);
		die_err(&e);
	}
	if (!json_is_array(pids))
		die(111, "the runtime's process list is not an array of pids");
	json_array_foreach(pids, i, v) {
		if (!json_is_integer(v) || json_integer_value(v) <= 0 ||
		    json_integer_value(v) > INT_MAX)
			die(111, "the runtime's process list is not an array of pids");
		json_array_append_new(rows, ps_row((pid_t)json_integer_value(v)));
	}
	if (json) {
		jsonio_write(stdout, rows);
		return 0;
	}
	printf("%-8s %-8s %-6s %-4s %-9s %s\n", "PID", "PPID", "UID", "STAT", "TIME", "CMD");
	json_array_foreach(rows, i, v) {
		printf("%-8lld %-8lld %-6lld %-4s %-9s ", num(v, "pid"), num(v, "ppid"),
		       num(v, "uid"), jsonio_str(v, "state"), human_cpu(num(v, "cpu_ns"), tbuf));
		ps_print_cmd(v);
	}
	return 0;
}

static const struct opt update_opts[] = {
    {"memory", 'm', "SIZE", "memory limit (bytes, or with k, m, g)", NULL},
    {"cpus", O_CPUS, "N", "CPU limit in CPUs (1.5: one and a half)", NULL},
    {"pids-limit", O_PIDS, "N", "most processes the container may have", NULL},
    {"cpu-shares", O_SHARES, "N", "relative CPU weight (2 to 262144)", NULL},
    OPT_END,
};
const struct opt_cmd cmd_update_spec = {"ID", "change a running container's limits", update_opts, 0,
					0};

static void
update_opt(int c, const char *arg, void *ctx)
{
	struct spec_opts *so = ctx;
	struct err e;
	char *end;
	int r = 0;

	if (c == 'm')
		r = spec_parse_bytes(arg, &so->memory, &e);
	else if (c == O_CPUS)
		r = spec_parse_cpus(arg, &so->cpu_quota, &e);
	else if (c == O_SHARES)
		r = spec_parse_shares(arg, &so->cpu_shares, &e);
	else if (c == O_PIDS && ((so->pids_limit = strtoll(arg, &end, 10)) <= 0 || *end))
		r = err_code(&e, "invalid", "bad --pids-limit '%s'", arg);
	if (r < 0)
		die_err(&e);
}

int
cmd_update(int argc, char **argv, struct state *st)
{
	struct spec_opts so = {0};
	char mem[32], quota[32], pids[32], shares[32];
	const char *args[14] = {"update"};
	int n = 1;
	_cleanup_container_ struct container c = CONTAINER_INIT;
	struct err e;

	opt_parse(&cmd_update_spec, argc, argv, st, update_opt, &so);
	need_cgroup();
	cmd_open(st, cmd_one_id(&cmd_update_spec, argc, argv), &c, 100);
	if (!so.memory && !so.cpu_quota && !so.pids_limit && !so.cpu_shares)
		opt_die(&cmd_update_spec, "nothing to update");
	/* the runtime's refusal would be its own log line (time=... level=error msg=...) */
	if (container_status(&c, NULL) == CS_STOPPED) {
		err_code(&e, "conflict", "container '%s' is stopped", c.id);
		die_err(&e);
	}
	snprintf(mem, sizeof(mem), "%lld", (long long)so.memory);
	snprintf(quota, sizeof(quota), "%lld", (long long)so.cpu_quota);
	snprintf(pids, sizeof(pids), "%lld", (long long)so.pids_limit);
	snprintf(shares, sizeof(shares), "%lld", (long long)so.cpu_shares);
	if (so.memory)
		args[n++] = "--memory", args[n++] = mem;
	if (so.cpu_quota)
		args[n++] = "--cpu-period", args[n++] = "100000", args[n++] = "--cpu-quota",
		args[n++] = quota;
	if (so.pids_limit)
		args[n++] = "--pids-limit", args[n++] = pids;
	if (so.cpu_shares)
		args[n++] = "--cpu-share", args[n++] = shares;
	args[n] = NULL;
	if (runtime_run(jsonio_str(c.rec, "runtime"), &c, args, -1, &e) < 0)
		die_err(&e);
	return 0;
}

const struct opt_cmd cmd_stats_spec = {"ID", "a container's memory, CPU and pids usage", json_opts,
				       0, 0};

/* A number as stats shows it: -1 for one that could not be read, as for no limit. */
static json_int_t
shown(long long v)
{
	return v == CGROUP_NONE ? -1 : (json_int_t)v;
}

static json_t *
stats_json(const struct cgroup_stats *cs)
{
	long long memlim = cs->mem_limit;

	/* v1 reports "no limit" as a huge page-rounded number; show it as -1 like v2's max */
	if (memlim >= (1ll << 62))
		memlim = -1;
	return json_pack("{s:s, s:{s:I, s:I, s:I, s:I, s:I, s:I}, s:{s:I}, s:{s:I, s:I}}", "cgroup",
			 cs->version == 2 ? "v2" : "v1", "memory", "usage", shown(cs->mem_usage),
			 "limit", shown(memlim), "working_set", shown(cs->mem_working_set), "rss",
			 shown(cs->mem_rss), "pgfault", shown(cs->pgfault), "pgmajfault",
			 shown(cs->pgmajfault), "cpu", "usage_ns", shown(cs->cpu_ns), "pids",
			 "current", shown(cs->pids), "limit", shown(cs->pids_limit));
}

int
cmd_stats(int argc, char **argv, struct state *st)
{
	bool json = false;
	_cleanup_container_ struct container c = CONTAINER_INIT;
	struct cgroup cg = {0};
	struct cgroup_stats cs;
	struct err e;
	json_auto_t *s = NULL;
	json_t *mem, *pids;
	char use[HUMAN_LEN], lim[HUMAN_LEN], cpu[HUMAN_LEN], plim[32] = "-";

	opt_parse(&cmd_stats_spec, argc, argv, st, flag_opt, &json);
	prog_set_json_errors(json);
	need_cgroup();
	cmd_open(st, cmd_one_id(&cmd_stats_spec, argc, argv), &c, 100);
	_cleanup_free_ char *rel = container_cgroup_rel(&c, &e);
	if (!rel || cgroup_at(&cg, cgroup_root(), rel, &e) < 0)
		die(1, "no cgroup for '%s' (not running?): %s", c.id, e.msg);
	cgroup_stats(&cg, &cs);
	cgroup_release(&cg);
	s = stats_json(&cs);
	json_object_set_new(s, "id", json_string(c.id));
	if (json) {
		jsonio_write(stdout, s);
		return 0;
	}
	mem = json_object_get(s, "memory");
	pids = json_object_get(s, "pids");
	if (num(pids, "limit") >= 0)
		snprintf(plim, sizeof(plim), "%lld", num(pids, "limit"));
	printf("%-24s %-11s %-11s %-10s %-6s %s\n", "ID", "MEM USAGE", "MEM LIMIT", "CPU TIME",
	       "PIDS", "PIDS LIMIT");
	printf("%-24s %-11s %-11s %-10s %-6lld %s\n", c.id, human_bytes(num(mem, "usage"), use),
	       human_bytes(num(mem, "limit"), lim),
	       human_cpu(num(json_object_get(s, "cpu"), "usage_ns"), cpu), num(pids, "current"),
	       plim);
	return 0;
}
