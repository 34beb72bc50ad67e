/* SPDX-License-Identifier: Apache-2.0 */
/* A container's cgroup, v1 controllers or the v2 tree: finding its folders, reading its numbers. */
#ifndef CTR_CGROUP_H
#define CTR_CGROUP_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "err.h"

#define CGROUP_ROOT "/sys/fs/cgroup"
#define CGROUP_NONE LLONG_MIN /* a number whose file (or line) is missing */

/* Absolute paths of one cgroup's folders (NULL where absent); cgroup_release frees them. */
struct cgroup {
	char *mem, *cpu, *pids, *freezer; /* cgroup v1: memory, cpuacct, pids, freezer */
	char *v2;			  /* the unified hierarchy */
};

/*
 * Fill an empty cg from text, the lines of a /proc/PID/cgroup (changed in
 * place), with the hierarchies mounted under root. On a hybrid host (v1
 * controllers and a v2 tree, at root/unified) only the v1 folders are kept:
 * they hold the numbers.
 */
void cgroup_parse(struct cgroup *cg, const char *root, char *text);
/* cgroup_parse of /proc/PID/cgroup under CGROUP_ROOT; cg stays empty when pid is gone. */
void cgroup_of_pid(struct cgroup *cg, pid_t pid);
/*
 * Fill an empty cg with the cgroup at rel (a cgroupsPath without its
 * leading '/') under root: its v2 folder when root is a unified mount,
 * else its v1 controllers' folders. -1 when its (memory) folder is missing.
 */
int cgroup_at(struct cgroup *cg, const char *root, const char *rel, struct err *e);
void cgroup_release(struct cgroup *cg);
/*
 * Remove the group rel (a cgroupsPath without its leading '/') in every
 * hierarchy mounted under root: the one tree of a v2 mount, else each v1
 * controller's folder and a hybrid host's v2 tree. Only an empty group goes
 * (the kernel refuses one with processes or groups below it: EBUSY); one
 * already gone is fine. -1 with the first refusal, after trying them all;
 * a rel with a "." or ".." component is refused (code "invalid").
 */
int cgroup_remove(const char *root, const char *rel, struct err *e);
/*
 * Does the group rel (a cgroupsPath without its leading '/') under root hold
 * processes of its own (its memory folder's, or its v2 folder's,
 * cgroup.procs not empty)? false when it is missing or cannot be read.
 */
bool cgroup_busy(const char *root, const char *rel);
/* Where the hierarchies are mounted: $CTR_CGROUP_ROOT when set and not empty, else CGROUP_ROOT. */
const char *cgroup_root(void);

/*
 * Read a number from dir/file: the whole file, or the value after "key "
 * on one of its lines when key is set. "max" reads as -1. -1 when dir is
 * NULL or the file or key is missing.
 */
int cgroup_read_ll(const char *dir, const char *file, const char *key, long long *out);
/* Is cg frozen (v2 cgroup.events), or frozen or freezing (v1 freezer.state)? */
bool cgroup_frozen(const struct cgroup *cg);
/* The count of OOM kills in cg, or CGROUP_NONE when it cannot be read (the cgroup is gone). */
long long cgroup_oom_kills(const struct cgroup *cg);

/*
 * cg's resource numbers, the same for either version: bytes, nanoseconds
 * and counts. A limit of -1 is "max"; v1 says "no memory limit" with a
 * huge page-rounded number instead, left as it is. CGROUP_NONE: missing.
 */
struct cgroup_stats {
	int version; /* 2 with a v2 folder, else 1 */
	long long mem_usage, mem_max_usage, mem_limit, oom_kills;
	long long cpu_ns;
	long long pids, pids_limit;
	/*
	 * From memory.stat (the hierarchy's totals on v1): inactive file pages,
	 * anonymous memory (v1 rss, v2 anon), page faults and major ones. The
	 * working set is usage less inactive_file, at least 0, as the kubelet
	 * and cAdvisor count it; NONE when either is missing.
	 */
	long long mem_inactive_file, mem_rss, pgfault, pgmajfault;
	long long mem_working_set;
};
void cgroup_stats(const struct cgroup *cg, struct cgroup_stats *st);

#endif
