/* SPDX-License-Identifier: Apache-2.0 */
/* Which snapshots a namespace sees: the listings of ctr-snapshot are per namespace. */
#ifndef CTR_SNAPSHOT_NS_H
#define CTR_SNAPSHOT_NS_H

#include <jansson.h>

#include "err.h"
#include "state.h"

/* The label that names the namespace of a snapshot made with ctr-snapshot. */
#define NS_LABEL "ctr.namespace"

/*
 * The records of all (snapshot_list's array) that namespace st->ns sees, in
 * the same order (new reference): those it names (a container's "ctr:NS:ID",
 * the label NS_LABEL), the layers its images' chain IDs name (ctr-unpack's,
 * shared by every namespace, go by reference), and the ancestors of all of
 * those. Snapshots of no namespace (no label, no container: shared layers,
 * an unpacker's work in progress, made before namespaces were recorded) are
 * also the default namespace's.
 */
json_t *ns_filter(const struct state *st, const json_t *all, struct err *e);

#endif
