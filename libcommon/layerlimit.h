/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The most layers an image may have: checked when an image is resolved
 * (ctr-pull, before any layer is fetched), unpacked (ctr-unpack, before any
 * is applied) and imported (ctr-image import), so that an image no snapshot
 * could mount is refused before it costs anything.
 */
#ifndef CTR_LAYERLIMIT_H
#define CTR_LAYERLIMIT_H

#include <stddef.h>

#include "err.h"
#include "opt.h"

/*
 * The default: docker's and containerd's practical maximum. An overlay
 * mount of our snapshots fits 337 lowerdirs and an upperdir in a 4 KiB page
 * of mount options (measured on Linux 6.18, paths relative to the store as
 * mount.c passes them), so 128 leaves room for a container's own layer,
 * commits on top, and longer ids or smaller pages elsewhere.
 */
#define LAYERLIMIT_DEFAULT 128
/* The largest value accepted: the native snapshotter has no page limit; chains end here. */
#define LAYERLIMIT_MAX 1000
/* The environment variable read when no --max-layers is given. */
#define LAYERLIMIT_ENV "CTR_MAX_LAYERS"

/* --max-layers N, to OPT_INCLUDE; its key is LAYERLIMIT_OPT. */
enum { LAYERLIMIT_OPT = 0x1c0 };
extern const struct opt layerlimit_opts[];

/*
 * The limit in force: arg (the --max-layers value) when not NULL, else
 * $CTR_MAX_LAYERS when set, else LAYERLIMIT_DEFAULT. A value that is not a
 * number from 1 to LAYERLIMIT_MAX dies with one usage line (exit 100).
 */
size_t layerlimit_get(const char *arg);
/* Set $CTR_MAX_LAYERS to max, for the children that check it too. */
void layerlimit_export(size_t max);
/* -1 (code "limit": exit 100) when an image of n layers exceeds max; 0 otherwise. */
int layerlimit_check(size_t n, size_t max, struct err *e);

#endif
