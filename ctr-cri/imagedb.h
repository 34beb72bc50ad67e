/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The images of a namespace as CRI counts them: one image per config
 * digest (its id), named by every record that resolves to it.
 */
#ifndef CTR_CRI_IMAGEDB_H
#define CTR_CRI_IMAGEDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "state.h"

/* A record resolved for our platform. */
struct imagedb_rec {
	char *name;	 /* the record's name: "docker.io/library/busybox:1.36" */
	char *target;	 /* the digest it points at (manifest or index) */
	char *id;	 /* the config's digest */
	uint64_t size;	 /* manifest, config and layers, in bytes */
	char *user;	 /* the config's User ("" when unset) */
	bool entrypoint; /* the config has an Entrypoint */
};

struct imagedb {
	struct imagedb_rec *recs; /* sorted by name */
	size_t n;
};

/* Every record of st's namespace that resolves; the others are skipped with a warning. */
int imagedb_load(struct imagedb *db, const struct state *st, struct err *e);
void imagedb_release(struct imagedb *db);
/*
 * *id (borrowed from db) gets the id that what names: an id ("sha256:HEX"),
 * the HEX alone, or a reference (normalised: "busybox" is
 * docker.io/library/busybox:latest); NULL when no image matches. Returns
 * -1 (code "invalid") when what is none of these.
 */
int imagedb_find(const struct imagedb *db, const char *what, const char **id, struct err *e);

#endif
