/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A layer written as it is walked: tar entries (PAX where needed), gzip, zstd
 * or no compression, into the content store, hashed twice (the tar's diffID,
 * the blob's digest). The same entries give the same bytes.
 */
#ifndef CTR_SNAPSHOT_LAYER_H
#define CTR_SNAPSHOT_LAYER_H

#include <stdint.h>
#include <sys/stat.h>

#include "content.h"
#include "digest.h"
#include "err.h"

enum layer_compression { LAYER_GZIP, LAYER_ZSTD, LAYER_NONE };

/* "gzip", "zstd" or "none". */
int layer_compression_parse(const char *s, enum layer_compression *out, struct err *e);
/* The OCI layer media type of the compression. Static. */
const char *layer_media_type(enum layer_compression comp);

struct layer_writer;

struct layer_result {
	char digest[DIGEST_STR_LEN + 1];  /* of the blob */
	char diff_id[DIGEST_STR_LEN + 1]; /* of the tar */
	int64_t size;			  /* of the blob */
};

/*
 * A writer into c (which must outlive it). epoch >= 0 clamps every mtime
 * later than it to it (SOURCE_DATE_EPOCH); -1 keeps them.
 */
struct layer_writer *layer_writer_new(const struct content *c, enum layer_compression comp,
				      int64_t epoch, struct err *e);
/* Also write the blob's bytes to fd (borrowed), as they are made. */
void layer_writer_copy_to(struct layer_writer *w, int fd);
/*
 * Add the file name under dirfd, whose lstat is st, as path (relative to the
 * layer's root): its type, mode, numeric owner, mtime in whole seconds,
 * xattrs (but overlayfs's own and security.selinux), link target, device
 * numbers and data. A second link of a regular file added already becomes a
 * hard link entry. Sockets are skipped.
 */
int layer_add(struct layer_writer *w, const char *path, int dirfd, const char *name,
	      const struct stat *st, struct err *e);
/*
 * The whiteout of name in directory dir ("" for the root): an empty file
 * ".wh.NAME"; name ".wh..opq" makes dir opaque (".wh..wh..opq").
 */
int layer_whiteout(struct layer_writer *w, const char *dir, const char *name, struct err *e);
/* End the tar, publish the blob and fill r. The writer is freed either way. */
int layer_finish(struct layer_writer *w, struct layer_result *r, struct err *e);
/* Drop an unfinished layer (its temporary blob). NULL is a no-op. */
void layer_writer_free(struct layer_writer *w);

#endif
