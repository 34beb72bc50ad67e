/* SPDX-License-Identifier: Apache-2.0 */
/* Writing the archives of export: tar entries of root, time 0, and blobs streamed from the store. */
#ifndef CTR_IMAGE_TAROUT_H
#define CTR_IMAGE_TAROUT_H

#include <jansson.h>
#include <stdint.h>

#include "content.h"
#include "err.h"

/* A file of an export's tar made from memory (mode 0644): its path and its text. */
struct tarout_file {
	const char *path;
	const char *text;
};

/*
 * Write an image layout as a tar to fd (not taken): files (up to a NULL
 * path), then blobs/ and blobs/sha256/<hex> of each entry of blobs
 * ([{"digest","size"[,"want"]}], in that order), streamed from the store and
 * hashed on the way. An entry without want is the blob as it is; one with
 * want is the blob decompressed (gzip, zstd), named by want, the digest of
 * its size bytes (tarout_measure). Content that differs from what it should
 * be is an error: the store changed under us. Every header has owner 0 and
 * mtime 0, so that one store exports one tar.
 */
int tarout_layout(int fd, const struct content *c, const struct tarout_file *files,
		  const json_t *blobs, struct err *e);
/* 0 when the store holds the blob of desc at its size; else -1, "not-found" naming it. */
int tarout_held(const struct content *c, const json_t *desc, struct err *e);
/* The sha256 and the length of the blob dg decompressed. */
int tarout_measure(const struct content *c, const char *dg, char out[DIGEST_STR_LEN + 1],
		   int64_t *size, struct err *e);

#endif
