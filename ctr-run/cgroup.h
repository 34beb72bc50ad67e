/* SPDX-License-Identifier: Apache-2.0 */
/* Container resource usage read from its cgroup (v1 controllers or the v2 unified tree). */
#ifndef CTR_RUN_CGROUP_H
#define CTR_RUN_CGROUP_H

#include <jansson.h>

#include "err.h"

/*
 * Usage of the cgroup at rel (e.g. "ctr/default-c1", as cgroupsPath without
 * the leading '/') under the root (normally /sys/fs/cgroup):
 * {"cgroup":"v1"|"v2","memory":{"usage","limit"},"cpu":{"usage_ns"},
 *  "pids":{"current","limit"}}; a limit of -1 means none. New reference.
 */
json_t *cgroup_stats(const char *root, const char *rel, struct err *e);

#endif
