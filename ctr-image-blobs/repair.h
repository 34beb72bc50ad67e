/* SPDX-License-Identifier: Apache-2.0 */
/* check --repair: a bad blob fetched again from where it came from, or dropped. */
#ifndef CTR_IMAGE_REPAIR_H
#define CTR_IMAGE_REPAIR_H

#include <jansson.h>
#include <stdint.h>

#include "content.h"
#include "state.h"

/*
 * Repair blob dg of size bytes, which check found bad (problem): fetch it
 * again with `ctr-pull --blob` from each repository content/sources records
 * for it, most recent first, until one succeeds; if none does, drop a stored
 * copy (a missing blob is fetched by the next pull; a corrupt one would be
 * reused). Returns {"digest","problem","action":"refetched"|"dropped"|"none",
 * "source"?,"why"?} (new reference); -1 with e set only for a system failure
 * of the store (NULL returned).
 */
json_t *repair_blob(const struct state *st, const struct content *c, const char *dg, int64_t size,
		    const char *problem, struct err *e);

#endif
