/* SPDX-License-Identifier: Apache-2.0 */
/* The content store: $ROOT/content, a plain OCI image layout of verified blobs. */
#ifndef CTR_CONTENT_H
#define CTR_CONTENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "digest.h"
#include "err.h"
#include "state.h"

/*
 * $ROOT/content holds oci-layout, index.json, blobs/sha256/<hex> (immutable,
 * published by rename only after digest and size were checked) and
 * ingest/<hex>/ (partial downloads, resumable). Readers need no lock: a blob
 * under its final name is always complete.
 */
struct content {
	int dirfd;   /* $ROOT/content */
	int blobsfd; /* $ROOT/content/blobs/sha256 */
};

/* Open (creating the layout on first use) the store under st's root. */
int content_open(const struct state *st, struct content *c, struct err *e);
void content_release(struct content *c);
/* Is the blob present (and of this size, unless size < 0)? digest must be valid. */
bool content_has(const struct content *c, const char *digest, int64_t size);
/* Open a blob read-only (O_CLOEXEC). The digest is validated before it becomes a path. */
int content_open_blob(const struct content *c, const char *digest, struct err *e);
/*
 * Read a small blob (a manifest, a config) of at most max bytes into a new
 * buffer, re-checking its digest: a blob that rotted on disk is an error.
 */
int content_read_blob(const struct content *c, const char *digest, size_t max, char **out,
		      size_t *len, struct err *e);
/* content_read_blob + strict JSON parse. New reference. */
json_t *content_read_json(const struct content *c, const char *digest, size_t max,
			  struct err *e);
/* Store a complete buffer as a blob; out gets its digest. Idempotent. */
int content_put(const struct content *c, const void *buf, size_t len,
		char out[DIGEST_STR_LEN + 1], struct err *e);

#endif
