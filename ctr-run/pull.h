/* SPDX-License-Identifier: Apache-2.0 */
/* --pull missing|always|never: an image not in the store is pulled and unpacked by ctr-pull. */
#ifndef CTR_RUN_PULL_H
#define CTR_RUN_PULL_H

#include "err.h"
#include "state.h"

enum pull_policy { PULL_MISSING, PULL_ALWAYS, PULL_NEVER };

/* "missing", "always" or "never" into *p; -1 with e "usage" for anything else. */
int pull_policy_parse(const char *s, enum pull_policy *p, struct err *e);
/*
 * Run `ctr-pull --unpack REF` with our root, state and namespace, its
 * progress drawn on our standard error when that is a terminal; its failure
 * is one line of ours, with its message and kind.
 */
int pull_image(const struct state *st, const char *ref, struct err *e);
/* Run `ctr-unpack NAME` (an image of the store) likewise; its failure is one line of ours. */
int unpack_image(const struct state *st, const char *name, struct err *e);

#endif
