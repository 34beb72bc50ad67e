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
 * paused container is refused (code "conflict") unless force: then it is killed
 * (through the shim, or the runtime when the shim is gone) and waited for.
 */
int delete_container(const struct state *st, struct container *c, bool force, struct err *e);
/*
 * Delete a container that run --rm made and waited for: its shim (our child,
 * started with --foreground or --runtime-delete) sees to the runtime's state,
 * while we unmount the rootfs and remove the snapshot; then its exit is
 * waited for. When the shim failed at that, the runtime's delete is ours.
 */
int delete_after_run(const struct state *st, struct container *c, struct err *e);
/*
 * The rootfs half of delete_after_run, for when init is known dead (its pid
 * namespace took every other process with it) before the shim has answered:
 * unmount and remove the snapshot under the container's lock. Best effort;
 * delete_after_run finds done what was done. Sets c->rootfs_gone.
 */
void delete_rootfs_early(const struct state *st, struct container *c);
/*
 * Remove what a create killed before writing the record may have left: the
 * rootfs mount, the snapshot "ctr:<ns>:<id>", the directories.
 */
int delete_orphan(const struct state *st, struct container *c, struct err *e);
/*
 * Remove container id when its creator died before it was made: no record,
 * or a record but a shim that exited before any init (the creator died
 * before its go); its lock free and no live lease naming it but the lease
 * mine (the caller's, or NULL). Otherwise code "exists", as for any
 * existing id.
 */
int delete_abandoned(const struct state *st, const char *id, const char *mine, struct err *e);
/* Wait up to ms for the container's init to exit, through the shim. New exit object or NULL. */
json_t *delete_wait_exit(const struct container *c, int ms, struct err *e);

#endif
