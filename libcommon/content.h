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
	int rootfd;  /* $ROOT, while ns is set */
	char *ns;    /* the namespace whose layout content_index_* use; NULL until open */
};

/* Open (creating the layout on first use) the store under st's root. */
int content_open(const struct state *st, struct content *c, struct err *e);
void content_release(struct content *c);
/* Is the blob present (and of this size, unless size < 0)? digest must be valid. */
bool content_has(const struct content *c, const char *digest, int64_t size);
/* Open a blob read-only (O_CLOEXEC). The digest is validated before it becomes a path. */
int content_open_blob(const struct content *c, const char *digest, struct err *e);
/*
 * Re-read and re-hash the blob: NULL when it is there, of size bytes, and
 * hashes to digest; else what is wrong ("missing", "corrupt: ..."). New
 * string. (content-verify.c: links libcrypto.)
 */
char *content_blob_problem(const struct content *c, const char *digest, int64_t size);
/* Remove a (bad) blob so that the next pull fetches it again. */
int content_drop_blob(const struct content *c, const char *digest, struct err *e);

/*
 * Marks of bad blobs (content-bad.c): content/bad/HEX.json,
 * {"digest","problem","checked"}, written by ctr-image check for a blob it
 * found corrupt or of the wrong size; ctr-pull re-hashes a marked blob before
 * it reuses it, and unmarks it once it holds a good one.
 */
#define CONTENT_BAD_DIR "bad"
int content_mark_bad(const struct content *c, const char *digest, const char *problem,
		     struct err *e);
bool content_marked_bad(const struct content *c, const char *digest);
/* Remove digest's mark, if any (best effort). */
void content_unmark_bad(const struct content *c, const char *digest);
/*
 * Read a small blob (a manifest, a config) of at most max bytes into a new
 * buffer, re-checking its digest: a blob that rotted on disk is an error.
 */
int content_read_blob(const struct content *c, const char *digest, size_t max, char **out,
		      size_t *len, struct err *e);
/* content_read_blob + strict JSON parse. New reference. */
json_t *content_read_json(const struct content *c, const char *digest, size_t max, struct err *e);
/* Store a complete buffer as a blob; out gets its digest. Idempotent. */
int content_put(const struct content *c, const void *buf, size_t len, char out[DIGEST_STR_LEN + 1],
		struct err *e);

/*
 * Make the file name under dirfd, open as fd, the blob digest, whose content
 * the caller checked: read-only, synced, then renamed into blobs/.
 */
int content_publish(const struct content *c, int fd, int dirfd, const char *name,
		    const char *digest, struct err *e);

/*
 * A blob written as a stream whose digest is known only at its end (a layer
 * that a diff makes): the bytes go to a temporary file in blobs/sha256 named
 * as afile's are (gc removes it once the writer is gone), hashed on the way;
 * commit publishes it under its digest by rename, abort removes it.
 */
struct content_writer {
	int fd;
	char tmp[48];
	struct digester d;
	int64_t size; /* bytes written */
};
int content_writer_open(const struct content *c, struct content_writer *w, struct err *e);
int content_writer_write(struct content_writer *w, const void *buf, size_t n, struct err *e);
/* Publish the blob; out gets its digest. The writer is closed either way. */
int content_writer_commit(const struct content *c, struct content_writer *w,
			  char out[DIGEST_STR_LEN + 1], struct err *e);
/* Drop what was written (no-op once committed or aborted). */
void content_writer_abort(const struct content *c, struct content_writer *w);

/*
 * Record desc (a manifest or index descriptor) in the OCI layout of c's
 * namespace (content/ for "default", layouts/NS/ for the others; see
 * content_layout_open) under the store lock, annotated
 * org.opencontainers.image.ref.name = refname; an entry with the same ref
 * name is replaced. Makes the name readable by skopeo
 * ("oci:ROOT/layouts/NS:REFNAME") and umoci in that namespace only.
 */
int content_index_add(const struct content *c, const json_t *desc, const char *refname,
		      struct err *e);
/* The entry of the namespace's layout annotated refname (a copy), or NULL (code "not-found"). */
json_t *content_index_get(const struct content *c, const char *refname, struct err *e);
/* Drop the entries annotated refname, under the store lock; none is not an error. */
int content_index_remove(const struct content *c, const char *refname, struct err *e);

/*
 * Per-namespace layouts (ctr-state(5)): content/ is the layout of namespace
 * "default" and layouts/NS/ (oci-layout, index.json, blobs -> the shared
 * content/blobs) that of namespace NS; layouts/default links to content/.
 * Each index.json says whose it is in its annotation CONTENT_NS_ANNOTATION.
 * A store made before (one content/index.json naming every namespace's
 * images) is split by content_layout_migrate on its first index write.
 */
#define CONTENT_NS_ANNOTATION "ctr.namespace"
#define CONTENT_INDEX_NEW(ns)                                                                      \
	"{\"schemaVersion\":2,\"manifests\":[],\"annotations\":{\"" CONTENT_NS_ANNOTATION          \
	"\":\"" ns "\"}}\n"
/*
 * An O_DIRECTORY fd on the layout of c's namespace. create (for writers,
 * under the store lock): migrate an old store, then make the layout if it is
 * missing. Without create, a missing layout is "not-found", and an old store
 * not split yet answers from content/ for every namespace.
 */
int content_layout_open(const struct content *c, bool create, struct err *e);
/*
 * Split an old store's content/index.json (caller holds the store lock):
 * each entry goes to the layouts of the namespaces whose records name it;
 * content/ keeps those of "default" and those no record names (written by
 * skopeo); the annotation written last marks it done, so a crash midway
 * redoes it whole.
 */
int content_layout_migrate(const struct content *c, struct err *e);
/* Create a small file once; an existing one is left alone. Caller holds the store lock. */
int content_ensure_file(int dirfd, const char *name, const char *text, struct err *e);

/*
 * An ingest: one blob being downloaded into content/ingest/<hex>/ (files
 * "data", "status" JSON and "sha256state", the saved hash state), guarded by
 * the per-blob lock content/ingest/<hex>.lock that the struct holds.
 */
struct content_ingest {
	int dirfd, datafd, statefd, lockfd;
	char digest[DIGEST_STR_LEN + 1];
	int64_t size;
	int64_t offset;	 /* bytes written and hashed: the resume point */
	int64_t saved;	 /* offset at the last save of the hash state */
	int64_t resumed; /* offset found at open (0: fresh start) */
	bool rehashed;	 /* the saved hash state was unusable: the data was re-read */
	bool nodata;	 /* CONTENT_NODATA: hashed and counted, never stored */
	void *sha;	 /* SHA256_CTX, saved raw after every write */
};

enum {
	CONTENT_TRY = 1 << 0, /* content_ingest_open: fail "busy" instead of waiting */
	/*
	 * Check size and digest of a stream that is not kept (ctr-pull --unpack
	 * --keep-blobs=none): no lock, no files, always from byte 0, and commit
	 * publishes nothing.
	 */
	CONTENT_NODATA = 1 << 1,
};
/*
 * Lock and open (or resume) the ingest of digest/size; url is recorded in the
 * status file. Returns 1 when the blob is already in the store (nothing
 * held), 0 when in is ready to take bytes from in->offset, -1 on error
 * (code "busy" with CONTENT_TRY when another process holds the blob).
 */
int content_ingest_open(const struct content *c, const char *digest, int64_t size, const char *url,
			int flags, struct content_ingest *in, struct err *e);
/* Append bytes, hashing them; more than the descriptor's size is an error. */
int content_ingest_write(struct content_ingest *in, const void *buf, size_t n, struct err *e);
/* Start again from byte 0 (the server ignored a Range request). */
int content_ingest_reset(struct content_ingest *in, struct err *e);
/*
 * Verify size and digest and publish the data as blobs/sha256/<hex> (0444)
 * by rename; a mismatch removes the ingest. The ingest is closed either way.
 */
int content_ingest_commit(const struct content *c, struct content_ingest *in, struct err *e);
/* Close and unlock, keeping the partial data for a resume unless discard. */
void content_ingest_close(const struct content *c, struct content_ingest *in, bool discard);

#endif
