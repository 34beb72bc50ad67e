/* SPDX-License-Identifier: Apache-2.0 */
/* OOM kills in the container's cgroup: v1 memory.oom_control eventfd, v2 memory.events inotify. */
#ifndef CTR_SHIM_OOM_H
#define CTR_SHIM_OOM_H

#include <stdbool.h>

struct shim;

/* Note the cgroup's OOM kills so far and watch for more (s->cg found). */
void oom_setup(struct shim *s);
/* The watch fired: an "oom" event when the count went up. */
void oom_on_event(struct shim *s);
/* Was the container OOM-killed since it was created? */
bool oom_killed(struct shim *s);

#endif
