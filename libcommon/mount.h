/* SPDX-License-Identifier: Apache-2.0 */
/* The Mount list: [{"type","source","options":[...]}], applied with mount(2). */
#ifndef CTR_MOUNT_H
#define CTR_MOUNT_H

#include <jansson.h>

#include "err.h"

/*
 * The "type" (and, by custom, "source") of an overlayfs Mount: the kernel's
 * filesystem name for mount(2). Not the snapshotter's name (snapshotter.h):
 * only the overlay snapshotter makes such mounts today, but a type is what
 * the kernel mounts, a snapshotter what the store keeps.
 */
#define MOUNT_TYPE_OVERLAY "overlay"

/* Check a Mount list's shape (types, option strings) without mounting. */
int mount_check(const json_t *mounts, struct err *e);
/*
 * Mount the list on target, in order (the first at target, as containerd
 * does). Overlay lowerdir lists longer than a page are handled. On failure
 * nothing stays mounted.
 */
int mount_apply(const json_t *mounts, const char *target, struct err *e);
/* Unmount target (and anything stacked on it). */
int mount_unmount(const char *target, struct err *e);

#endif
