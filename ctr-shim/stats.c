/* SPDX-License-Identifier: Apache-2.0 */
/* Resource numbers of the container's cgroup, v1 or v2, in one JSON shape. */
#include "shim.h"

/* Set key to the number read, or leave it out when the file is missing. */
static void
put(json_t *obj, const char *key, const char *dir, const char *file, const char *line_key)
{
	long long v;

	if (cgroup_read_ll(dir, file, line_key, &v) == 0)
		json_object_set_new(obj, key, json_integer(v));
}

static void
v1(const struct shim *s, json_t *mem, json_t *cpu, json_t *pids)
{
	put(mem, "usage", s->cg.mem, "memory.usage_in_bytes", NULL);
	put(mem, "max_usage", s->cg.mem, "memory.max_usage_in_bytes", NULL);
	put(mem, "limit", s->cg.mem, "memory.limit_in_bytes", NULL);
	put(mem, "oom_kill", s->cg.mem, "memory.oom_control", "oom_kill");
	put(cpu, "usage_ns", s->cg.cpu, "cpuacct.usage", NULL);
	put(pids, "current", s->cg.pids, "pids.current", NULL);
	put(pids, "limit", s->cg.pids, "pids.max", NULL);
}

static void
v2(const struct shim *s, json_t *mem, json_t *cpu, json_t *pids)
{
	json_t *usec;

	put(mem, "usage", s->cg.v2, "memory.current", NULL);
	put(mem, "max_usage", s->cg.v2, "memory.peak", NULL);
	put(mem, "limit", s->cg.v2, "memory.max", NULL);
	put(mem, "oom_kill", s->cg.v2, "memory.events", "oom_kill");
	put(cpu, "usage_usec", s->cg.v2, "cpu.stat", "usage_usec");
	/* one unit for both versions: nanoseconds */
	usec = json_object_get(cpu, "usage_usec");
	if (usec)
		json_object_set_new(cpu, "usage_ns", json_integer(json_integer_value(usec) * 1000));
	json_object_del(cpu, "usage_usec");
	put(pids, "current", s->cg.v2, "pids.current", NULL);
	put(pids, "limit", s->cg.v2, "pids.max", NULL);
}

json_t *
stats_collect(const struct shim *s)
{
	json_t *mem = json_object(), *cpu = json_object(), *pids = json_object();

	if (s->cg.v2)
		v2(s, mem, cpu, pids);
	else
		v1(s, mem, cpu, pids);
	return json_pack("{s:i, s:i, s:o, s:o, s:o}", "cgroup_version", s->cg.v2 ? 2 : 1, "pid",
			 (int)s->init.pid, "memory", mem, "cpu", cpu, "pids", pids);
}
