/* SPDX-License-Identifier: Apache-2.0 */
/* Disk usage of a directory tree, counted as du(1) counts. */
#ifndef CTR_DU_H
#define CTR_DU_H

#include "err.h"

/*
 * The tree at rel under dirfd, links not followed: *bytes allocated
 * (st_blocks * 512) and *inodes, the top directory and each hard-linked
 * file counted once.
 */
int du_at(int dirfd, const char *rel, long long *bytes, long long *inodes, struct err *e);

#endif
