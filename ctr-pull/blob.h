/* SPDX-License-Identifier: Apache-2.0 */
/* ctr-pull --blob: one blob by digest into the content store. */
#ifndef CTR_PULL_BLOB_H
#define CTR_PULL_BLOB_H

#include "pull.h"

/*
 * Fetch the blob o->ref names by digest (REPOSITORY@sha256:HEX), of
 * o->blob_size bytes, unless the store holds a copy that hashes right (a bad
 * copy is dropped first); record its source, clear its bad mark, print
 * {"digest","size","transferred"}. No image record is written. Dies on failure.
 */
void pull_blob(struct state *st, const struct pull_opts *o);

#endif
