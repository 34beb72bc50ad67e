/* SPDX-License-Identifier: Apache-2.0 */
/* Strict tar reading: libarchive parses, tarcheck frames, and whatever either flags rejects. */
#ifndef CTR_TARREAD_H
#define CTR_TARREAD_H

#include <archive.h>
#include <archive_entry.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"
#include "tarcheck.h"

/* Decompressed tar bytes: returns how many (0 at the end), or -1 with e filled. */
typedef ssize_t (*tarread_source_fn)(void *ud, void *buf, size_t cap, struct err *e);

struct tarread {
	struct archive *a;     /* the tar parser */
	struct archive *outer; /* tarread_open_fd: gzip, zstd or plain bytes of the fd */
	tarread_source_fn src;
	void *ud;
	unsigned char *buf;
	struct tarcheck ck;
	struct err ferr; /* what the source or the framing check found */
	bool failed, eof;
	uint64_t entries;
	char *name; /* of the entry tarread_next returned last */
};

/* Read a tar from src (decompressed bytes). 0, or -1 with e filled; release either way. */
int tarread_open(struct tarread *t, tarread_source_fn src, void *ud, struct err *e);
/* Read a tar, plain or gzip or zstd compressed, from fd (not closed). */
int tarread_open_fd(struct tarread *t, int fd, struct err *e);
/*
 * The next entry (borrowed until the next call): 1, 0 at the end of the
 * archive (the rest of the stream read and checked), or -1 with e naming the
 * entry and the problem ("invalid"), or the source's own error.
 */
int tarread_next(struct tarread *t, struct archive_entry **en, struct err *e);
/* The next block of the entry's data at offset *off: 1, 0 at its end, or -1. */
int tarread_data_block(struct tarread *t, const void **buf, size_t *len, int64_t *off,
		       struct err *e);
/* Up to cap bytes of the entry's data, holes as zeros: the count, 0 at its end, or -1. */
ssize_t tarread_data(struct tarread *t, void *buf, size_t cap, struct err *e);
void tarread_release(struct tarread *t);

#endif
