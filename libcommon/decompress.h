/* SPDX-License-Identifier: Apache-2.0 */
/* A layer blob as a stream of tar bytes: gzip (ISA-L or zlib), zstd or none, both sides hashed. */
#ifndef CTR_DECOMPRESS_H
#define CTR_DECOMPRESS_H

#include <stdint.h>
#include <sys/types.h>

#include "digest.h"
#include "err.h"

enum compression { COMP_AUTO, COMP_NONE, COMP_GZIP, COMP_ZSTD };

enum {
	DSTREAM_ZLIB =
	    1 << 0,	      /* inflate with zlib instead of ISA-L (the fallback, and for tests) */
	DSTREAM_RAW = 1 << 1, /* the bytes as they are, whatever their magic: both sides alike */
};

struct dstream;

/*
 * Read fd (not taken) as a compressed layer. The format comes from the
 * stream's magic; hint (from the media type) only shows in errors. More than
 * max_out decompressed bytes is an error (code "limit"): a gzip bomb stops there.
 */
int dstream_open(int fd, enum compression hint, uint64_t max_out, unsigned flags,
		 struct dstream **out, struct err *e);
/* Up to n decompressed bytes into buf; 0 at the clean end; -1 on corrupt or truncated input. */
ssize_t dstream_read(struct dstream *d, void *buf, size_t n, struct err *e);
/* Read (and hash) the rest of the stream: bytes after the tar's end blocks count in the diff_id. */
int dstream_drain(struct dstream *d, struct err *e);
/* After the end: the sha256 of the compressed bytes and of the decompressed ones, and sizes. */
void dstream_result(struct dstream *d, char digest[DIGEST_STR_LEN + 1],
		    char diff_id[DIGEST_STR_LEN + 1], uint64_t *in_size, uint64_t *out_size);
/* The format found ("gzip", "zstd", "none"). */
const char *dstream_format(const struct dstream *d);
void dstream_free(struct dstream *d);

/* The compression a layer media type declares; -1 for a type that is not a layer we apply. */
int compression_from_media_type(const char *mt);

#endif
