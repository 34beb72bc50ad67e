/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The changes of a snapshot against its parent, as layer entries in a
 * deterministic order: depth first, names in byte order within a directory,
 * a directory before what it holds.
 */
#ifndef CTR_SNAPSHOT_DIFF_H
#define CTR_SNAPSHOT_DIFF_H

#include "err.h"
#include "layer.h"

/*
 * Overlay: every entry of the upper directory fd is a change; a whiteout
 * (a character device 0/0) becomes ".wh.NAME", an opaque directory
 * (trusted.overlay.opaque=y) gets ".wh..wh..opq". A redirected directory
 * (redirect_dir) is refused: its contents are not in the upper directory.
 */
int diff_overlay(int fd, struct layer_writer *w, struct err *e);
/*
 * Native: compare the full tree fd with its parent's tree parentfd. Added
 * entries are written (directories with all they hold), removed ones become
 * whiteouts, and an entry present in both is written when its type, mode,
 * owner, size, mtime (to the nanosecond), link target, device numbers or
 * xattrs differ, or, for regular files whose metadata agree but whose mtimes
 * have no sub-second part (a coarse clock cannot tell), their bytes differ.
 */
int diff_native(int fd, int parentfd, struct layer_writer *w, struct err *e);

#endif
