/* SPDX-License-Identifier: Apache-2.0 */
/* Chain IDs: the identity of a stack of layers, which names committed snapshots. */
#ifndef CTR_UNPACK_CHAIN_H
#define CTR_UNPACK_CHAIN_H

#include "digest.h"

/*
 * chainID(0) = diffID(0); chainID(n) = sha256(chainID(n-1) + " " + diffID(n))
 * (image-spec config.md). parent is NULL for the bottom layer.
 */
void chain_id(const char *parent, const char *diff_id, char out[DIGEST_STR_LEN + 1]);

#endif
