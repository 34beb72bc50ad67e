/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The snapshotters (snapshot drivers) by name: the one table of the names
 * that options, records, stage documents and $ROOT/snapshots/<name> use.
 * A Mount list's "type" is another thing: the kernel's filesystem type
 * (MOUNT_TYPE_OVERLAY in mount.h), whichever snapshotter made the list.
 */
#ifndef CTR_SNAPSHOTTER_H
#define CTR_SNAPSHOTTER_H

#include "err.h"

enum snapshotter {
	SNAP_OVERLAY, /* "overlay": layers stacked by overlayfs */
	SNAP_NATIVE,  /* "native": each snapshot a full copy of its parent */
	SNAP_COUNT    /* not a snapshotter: how many there are */
};

/* What a tool uses without --snapshotter, and a document without "snapshotter" means. */
#define SNAP_DEFAULT SNAP_OVERLAY

/* The name of d ("overlay"). Static. */
const char *snapshotter_name(enum snapshotter d);
/*
 * The snapshotter called name into *out; -1 with e "invalid" ("unknown
 * snapshotter 'x' (overlay, native)") for any other string, or NULL.
 */
int snapshotter_parse(const char *name, enum snapshotter *out, struct err *e);
/*
 * The snapshotter of a tool given no --snapshotter: $CTR_SNAPSHOTTER when
 * set and not empty, else SNAP_DEFAULT; -1 with e "invalid" for a bad one.
 */
int snapshotter_default(enum snapshotter *out, struct err *e);

#endif
