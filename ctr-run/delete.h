/* SPDX-License-Identifier: Apache-2.0 */
/* Tearing a container down: process, runtime state, rootfs mount, snapshot, record. */
#ifndef CTR_RUN_DELETE_H
#define CTR_RUN_DELETE_H

#include <stdbool.h>

#include "container.h"
#include "err.h"
#include "state.h"

/*
 * Delete the opened container c (the caller holds its lock). A running or
 * paused container is refused (code "busy") unless force: then it is killed
 * (through the shim, or the runtime when the shim is gone) and waited for.
 */
int delete_container(const struct state *st, struct container *c, bool force, struct err *e);
/*
 * Remove what a create killed before writing the record may have left: the
 * rootfs mount, the snapshot "ctr:<ns>:<id>", the directories.
 */
int delete_orphan(const struct state *st, struct container *c, struct err *e);
/* Wait up to ms for the container's init to exit, through the shim. New exit object or NULL. */
json_t *delete_wait_exit(const struct container *c, int ms, struct err *e);

#endif
