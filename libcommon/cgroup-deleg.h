/* SPDX-License-Identifier: Apache-2.0 */
/* A cgroup v2 subtree delegated to a rootless user (systemd's Delegate=yes): found, or what is missing named. */
#ifndef CTR_CGROUP_DELEG_H
#define CTR_CGROUP_DELEG_H

#include <sys/types.h>

#include "err.h"

/* Controllers a limit needs: --memory, --cpus, --pids-limit. */
enum { CGROUP_WANT_MEMORY = 1, CGROUP_WANT_CPU = 2, CGROUP_WANT_PIDS = 4 };

/*
 * The mount point of the cgroup v2 hierarchy in mountinfo, the text of a
 * /proc/PID/mountinfo (new string), or NULL when none is mounted.
 */
char *cgroup_deleg_v2_mount(const char *mountinfo);
/*
 * Is the v2 group of proc_cgroup (the text of a /proc/PID/cgroup: its
 * "0::PATH" line) under v2mount delegated to uid, with the controllers of
 * want? Delegated: the folder, its cgroup.procs and cgroup.subtree_control
 * belong to uid (what systemd's Delegate=yes does), and its
 * cgroup.controllers lists each one wanted. Returns 0 and *rel (new string),
 * PATH, the cgroupsPath parent for a container; -1 with one line naming the
 * missing piece (code "invalid").
 */
int cgroup_deleg_find(const char *v2mount, const char *proc_cgroup, uid_t uid, unsigned want,
		      char **rel, struct err *e);
/* cgroup_deleg_find for this process, as geteuid(), from /proc/self. */
int cgroup_deleg_self(unsigned want, char **rel, struct err *e);

#endif
