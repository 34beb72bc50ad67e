/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Chain IDs: the identity of a stack of layers (image-spec config.md), the
 * names of committed layer snapshots. ctr-unpack commits under them, ctr-run
 * starts from them, gc keeps them: all compute them here.
 */
#ifndef CTR_CHAIN_H
#define CTR_CHAIN_H

#include <jansson.h>

#include "digest.h"
#include "err.h"

/*
 * One step: ChainID(L0) = DiffID(L0) (parent NULL), ChainID(Ln) =
 * sha256(ChainID(Ln-1) + " " + DiffID(Ln)). Both inputs are valid digests.
 */
void chain_next(const char *parent, const char *diff_id, char out[DIGEST_STR_LEN + 1]);
/*
 * The chain ID of every prefix of diff_ids, a JSON array of digests: element
 * i names layers 0..i (an empty array for no layers). New reference; NULL
 * with e filled ("invalid") when diff_ids is not such an array.
 */
json_t *chain_ids(const json_t *diff_ids, struct err *e);
/*
 * The chain ID of the whole stack (the last of chain_ids). New string; NULL
 * with e filled when diff_ids is empty or not an array of digests.
 */
char *chain_top(const json_t *diff_ids, struct err *e);

#endif
