/* SPDX-License-Identifier: Apache-2.0 */
/* Active unpack-* snapshots whose owner died: recognised by an owner label, removed. */
#ifndef CTR_UNPACK_STALE_H
#define CTR_UNPACK_STALE_H

#include <jansson.h>
#include <stddef.h>
#include <sys/types.h>

#include "snapshot.h"

/*
 * Remove every active snapshot named unpack-* whose ctr.unpack/owner label
 * names a process that is gone, except the keys in keep (an array of
 * {"key"} objects, or NULL): those are adopted by this run.
 */
void stale_sweep(struct snapshot_store *s, const json_t *keep);

#endif
