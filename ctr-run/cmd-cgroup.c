/* SPDX-License-Identifier: Apache-2.0 */
/* The verbs on a container's cgroup: pause and resume it, update its limits, ps and stats. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "cleanup.h"
#include "cmd.h"
#include "jsonio.h"
#include "runtime.h"
#include "shimclient.h"
#include "spec.h"
#include "xmem.h"

static void
flag_opt(int c, const char *arg, void *ctx)
{
	(void)arg;
	if (c == 'j')
		*(bool *)ctx = true;
}

/* pause and resume: the runtime freezes the cgroup; a marker tells ls without asking. */
static int
freeze(int argc, char **argv, struct state *st, bool on)
{
	const char *usage = on ? "pause ID" : "resume ID";
	int i = cmd_getopt(argc, argv, usage, "", NULL, flag_opt, NULL, st, 100);
	const char *args[] = {on ? "pause" : "resume", NULL};
	struct container c;
	struct err e;
	enum container_status cs;

	cmd_open(st, cmd_one_id(argc, argv, i, usage), &c, 100);
	cs = container_status(&c, NULL);
	if (cs != (on ? CS_RUNNING : CS_PAUSED))
		die(100, "container '%s' is %s", c.id, container_status_name(cs));
	if (runtime_run(jsonio_str(c.rec, "runtime"), &c, args, -1, &e) < 0)
		die_err(&e);
	container_mark(&c, "paused", on);
	container_event(&c, on ? "pause" : "resume", NULL);
	container_release(&c);
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

#define PS_USAGE "ps ID"

int
cmd_ps(int argc, char **argv, struct state *st)
{
	int i = cmd_getopt(argc, argv, PS_USAGE, "", NULL, flag_opt, NULL, st, 100);
	const char *args[] = {"ps", "--format", "json", NULL};
	struct container c;
	struct err e;

	cmd_open(st, cmd_one_id(argc, argv, i, PS_USAGE), &c, 100);
	fflush(stdout);
	/* runc prints a JSON array of host pids: the processes in the container's cgroup */
	if (runtime_run(jsonio_str(c.rec, "runtime"), &c, args, STDOUT_FILENO, &e) < 0)
		die_err(&e);
	container_release(&c);
	return 0;
}

#define UPDATE_USAGE "update [--memory SIZE] [--cpus N] [--pids-limit N] ID"

static void
update_opt(int c, const char *arg, void *ctx)
{
	struct spec_opts *so = ctx;
	struct err e;
	char *end;
	int r = 0;

	if (c == 'm')
		r = spec_parse_bytes(arg, &so->memory, &e);
	else if (c == 'c')
		r = spec_parse_cpus(arg, &so->cpu_quota, &e);
	else if (c == 'p' && ((so->pids_limit = strtoll(arg, &end, 10)) <= 0 || *end))
		r = err_code(&e, "invalid", "bad --pids-limit '%s'", arg);
	if (r < 0)
		die_err(&e);
}

int
cmd_update(int argc, char **argv, struct state *st)
{
	static const struct option opts[] = {{"memory", required_argument, NULL, 'm'},
					     {"cpus", required_argument, NULL, 'c'},
					     {"pids-limit", required_argument, NULL, 'p'},
					     {NULL, 0, NULL, 0}};
	struct spec_opts so = {0};
	int i = cmd_getopt(argc, argv, UPDATE_USAGE, "m:", opts, update_opt, &so, st, 100);
	char mem[32], quota[32], pids[32];
	const char *args[12] = {"update"};
	int n = 1;
	struct container c;
	struct err e;

	cmd_open(st, cmd_one_id(argc, argv, i, UPDATE_USAGE), &c, 100);
	if (!so.memory && !so.cpu_quota && !so.pids_limit)
		die_usage("nothing to update (usage: %s %s)", PROG, UPDATE_USAGE);
	snprintf(mem, sizeof(mem), "%lld", (long long)so.memory);
	snprintf(quota, sizeof(quota), "%lld", (long long)so.cpu_quota);
	snprintf(pids, sizeof(pids), "%lld", (long long)so.pids_limit);
	if (so.memory)
		args[n++] = "--memory", args[n++] = mem;
	if (so.cpu_quota)
		args[n++] = "--cpu-period", args[n++] = "100000", args[n++] = "--cpu-quota",
		args[n++] = quota;
	if (so.pids_limit)
		args[n++] = "--pids-limit", args[n++] = pids;
	args[n] = NULL;
	if (runtime_run(jsonio_str(c.rec, "runtime"), &c, args, -1, &e) < 0)
		die_err(&e);
	container_release(&c);
	return 0;
}

#define STATS_USAGE "stats [--json] ID"

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
	return json_pack("{s:s, s:{s:I, s:I}, s:{s:I}, s:{s:I, s:I}}", "cgroup",
			 cs->version == 2 ? "v2" : "v1", "memory", "usage", shown(cs->mem_usage),
			 "limit", shown(memlim), "cpu", "usage_ns", shown(cs->cpu_ns), "pids",
			 "current", shown(cs->pids), "limit", shown(cs->pids_limit));
}

int
cmd_stats(int argc, char **argv, struct state *st)
{
	static const struct option opts[] = {{"json", no_argument, NULL, 'j'}, {NULL, 0, NULL, 0}};
	bool json = false;
	int i = cmd_getopt(argc, argv, STATS_USAGE, "", opts, flag_opt, &json, st, 100);
	const char *root = getenv("CTR_CGROUP_ROOT");
	struct container c;
	struct cgroup cg = {0};
	struct cgroup_stats cs;
	struct err e;
	json_auto_t *s = NULL;

	prog_set_json_errors(json);
	cmd_open(st, cmd_one_id(argc, argv, i, STATS_USAGE), &c, 100);
	_cleanup_free_ char *rel = xasprintf("ctr/%s-%s", st->ns, c.id);
	if (cgroup_at(&cg, root && *root ? root : CGROUP_ROOT, rel, &e) < 0)
		die(1, "no cgroup for '%s' (not running?): %s", c.id, e.msg);
	cgroup_stats(&cg, &cs);
	cgroup_release(&cg);
	s = stats_json(&cs);
	json_object_set_new(s, "id", json_string(c.id));
	if (json) {
		jsonio_write(stdout, s);
		return 0;
	}
	printf("%-24s %-14s %-14s %-16s %-8s %s\n", "ID", "MEM USAGE", "MEM LIMIT", "CPU NS",
	       "PIDS", "PIDS LIMIT");
	printf(
	    "%-24s %-14lld %-14lld %-16lld %-8lld %lld\n", c.id,
	    (long long)json_integer_value(json_object_get(json_object_get(s, "memory"), "usage")),
	    (long long)json_integer_value(json_object_get(json_object_get(s, "memory"), "limit")),
	    (long long)json_integer_value(json_object_get(json_object_get(s, "cpu"), "usage_ns")),
	    (long long)json_integer_value(json_object_get(json_object_get(s, "pids"), "current")),
	    (long long)json_integer_value(json_object_get(json_object_get(s, "pids"), "limit")));
	return 0;
}
