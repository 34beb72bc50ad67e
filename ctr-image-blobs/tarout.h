/* SPDX-License-Identifier: Apache-2.0 */
/* Writing the archives of export: tar entries of root, time 0, and blobs streamed from the store. */
#ifndef CTR_IMAGE_TAROUT_H
#define CTR_IMAGE_TAROUT_H

#include <archive.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "content.h"
#include "err.h"

/* A pax tar writer on fd (not taken), or NULL with e filled. Free with archive_write_free. */
struct archive *tarout_open(int fd, struct err *e);
/* One header; mode perm, owner 0, mtime 0, so that one store exports one tar. */
int tarout_header(struct archive *a, const char *path, mode_t type, mode_t perm, int64_t size,
		  struct err *e);
/* A file of len bytes from buf, mode 0644. */
int tarout_buf(struct archive *a, const char *path, const char *buf, size_t len, struct err *e);
/*
 * The blob dg of the store as path, mode 0444, hashed on the way: as it is
 * (raw), or decompressed (gzip, zstd), in which case want is the digest and
 * size the length of what it decompresses to (tarout_measure). Content that
 * differs from what it should be is an error: the store changed under us.
 */
int tarout_blob(struct archive *a, const struct content *c, const char *path, const char *dg,
		bool raw, const char *want, int64_t size, struct err *e);
/* The sha256 and the length of the blob dg decompressed. */
int tarout_measure(const struct content *c, const char *dg, char out[DIGEST_STR_LEN + 1],
		   int64_t *size, struct err *e);
/* Finish the archive. */
int tarout_close(struct archive *a, struct err *e);

#endif
