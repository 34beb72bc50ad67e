/* SPDX-License-Identifier: Apache-2.0 */
/* What a container is made from: a snapshot or image document, or an image name. */
#ifndef CTR_RUN_IMAGEIN_H
#define CTR_RUN_IMAGEIN_H

#include <jansson.h>
#include <stdbool.h>

#include "err.h"
#include "snapshotter.h"
#include "state.h"

struct imagein {
	char *name;		      /* the image's name, for records and humans */
	char *chain_id;		      /* the top layer's chain id */
	enum snapshotter snapshotter; /* SNAP_DEFAULT unless the document says otherwise */
	char *parent; /* the committed snapshot to prepare on (ctr-unpack's "key") */
	char *config_digest;
	json_t *config; /* the image config's "config" object (may be NULL) */
	char *arch;	/* the image config's "architecture" ("amd64", "386"), or NULL */
	bool stored;	/* by name: the store has its record (its snapshot may be missing) */
};

void imagein_release(struct imagein *in);
/*
 * Load from arg: "-" reads ctr-unpack's snapshot document (or ctr-pull's
 * image document, when its layers were unpacked) from stdin; anything else
 * names an image record. The committed snapshot must exist.
 */
int imagein_load(const struct state *st, const char *arg, struct imagein *in, struct err *e);

#endif
