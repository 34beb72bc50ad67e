/* SPDX-License-Identifier: Apache-2.0 */
/* Reading memory, CPU and pids figures straight from cgroupfs, v1 or v2. */
#include "cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "fdio.h"
#include "xmem.h"

/* One number from a cgroup file; "max" (no limit) and absent files give -1. */
static long long
read_num(const char *root, const char *ctl, const char *rel, const char *file)
{
	_cleanup_free_ char *p = ctl ? xasprintf("%s/%s/%s/%s", root, ctl, rel, file)
				     : xasprintf("%s/%s/%s", root, rel, file);
	_cleanup_free_ char *buf = NULL;
	_cleanup_close_ int fd = open(p, O_RDONLY | O_CLOEXEC);
	struct err e;

	if (fd < 0 || fdio_read_all(fd, 4096, &buf, NULL, &e) < 0 || !strncmp(buf, "max", 3))
		return -1;
	return strtoll(buf, NULL, 10);
}

/* usage_usec from cpu.stat (v2), in nanoseconds. */
static long long
v2_cpu_ns(const char *root, const char *rel)
{
	_cleanup_free_ char *p = xasprintf("%s/%s/cpu.stat", root, rel);
	_cleanup_free_ char *buf = NULL;
	_cleanup_close_ int fd = open(p, O_RDONLY | O_CLOEXEC);
	struct err e;
	char *s;

	if (fd < 0 || fdio_read_all(fd, 1 << 16, &buf, NULL, &e) < 0 ||
	    !(s = strstr(buf, "usage_usec ")))
		return -1;
	return strtoll(s + 11, NULL, 10) * 1000;
}

static json_t *
pack(const char *v, long long mem, long long memlim, long long cpu, long long pids,
     long long pidlim)
{
	/* v1 reports "no limit" as a huge page-rounded number; show it as -1 like v2's max */
	if (memlim >= (1ll << 62))
		memlim = -1;
	return json_pack("{s:s, s:{s:I, s:I}, s:{s:I}, s:{s:I, s:I}}", "cgroup", v, "memory",
			 "usage", (json_int_t)mem, "limit", (json_int_t)memlim, "cpu", "usage_ns",
			 (json_int_t)cpu, "pids", "current", (json_int_t)pids, "limit",
			 (json_int_t)pidlim);
}

json_t *
cgroup_stats(const char *root, const char *rel, struct err *e)
{
	_cleanup_free_ char *ctl = xasprintf("%s/cgroup.controllers", root);
	_cleanup_free_ char *v2dir = xasprintf("%s/%s", root, rel);
	_cleanup_free_ char *v1dir = xasprintf("%s/memory/%s", root, rel);

	if (access(ctl, F_OK) == 0) {
		if (access(v2dir, F_OK) < 0)
			return err_set(e, errno, "cgroup '%s'", v2dir), NULL;
		return pack("v2", read_num(root, NULL, rel, "memory.current"),
			    read_num(root, NULL, rel, "memory.max"), v2_cpu_ns(root, rel),
			    read_num(root, NULL, rel, "pids.current"),
			    read_num(root, NULL, rel, "pids.max"));
	}
	if (access(v1dir, F_OK) < 0)
		return err_set(e, errno, "cgroup '%s'", v1dir), NULL;
	return pack("v1", read_num(root, "memory", rel, "memory.usage_in_bytes"),
		    read_num(root, "memory", rel, "memory.limit_in_bytes"),
		    read_num(root, "cpuacct", rel, "cpuacct.usage"),
		    read_num(root, "pids", rel, "pids.current"),
		    read_num(root, "pids", rel, "pids.max"));
}
