/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A container's CNI record, STATEDIR/cni.json (ctr-state(5)): the namespace
 * ctr-netns pinned for it and the networks it attached it to, written by
 * ctr-run before each step. Whoever removes the container takes down what
 * the record names through ctr-netns: ctr-run delete, the undo of a failed
 * create, and gc removing the directory of a create killed before its
 * container record.
 */
#ifndef CTR_CNISTATE_H
#define CTR_CNISTATE_H

#include <jansson.h>

#include "err.h"
#include "state.h"

#define CNISTATE_FILE "cni.json"
#define CNISTATE_OUT_MAX (1 << 20)

/*
 * Run ctr-netns ARGS... (NULL-terminated) with st's root and state and
 * namespace ns; its stdout in *out (new string) when out is not NULL. A
 * failure is one line: ctr-netns's own, folded in.
 */
int cnistate_netns(const struct state *st, const char *ns, const char *const *args, char **out,
		   struct err *e);
/* The record in statedir (new reference), or NULL when there is none or it does not parse. */
json_t *cnistate_load(const char *statedir);
/*
 * Detach and remove what the record in statedir (an absolute path) of a
 * container of namespace ns names: each network (`ctr-netns cni del`, last
 * first), then the pinned namespace; the record goes when all went. No
 * record: nothing to do.
 */
int cnistate_detach(const struct state *st, const char *ns, const char *statedir, struct err *e);

#endif
