/* SPDX-License-Identifier: Apache-2.0 */
/* The tar framing as Go's archive/tar reads it, checked over the raw stream beside libarchive. */
#ifndef CTR_TARCHECK_H
#define CTR_TARCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define TARCHECK_SPECIAL_MAX (1u << 20) /* data of one pax or GNU long-name header */

/* One entry as the check read its headers; libarchive's reading must agree. */
struct tarcheck_entry {
	char *name;	  /* effective path: pax, GNU long name, ustar prefix/name */
	char *link;	  /* effective link target ("" when none) */
	char type;	  /* typeflag, '0' for a V7 '\0' */
	int64_t size;	  /* data bytes in the stream */
	bool sparse;	  /* GNU sparse, old or pax: libarchive's size is the real size */
	bool map_in_data; /* GNU sparse 1.0: the map's blocks lead the data */
};

struct tarcheck {
	unsigned char blk[512];
	size_t have;		   /* bytes of blk filled */
	int state;		   /* TC_* in tarcheck.c */
	uint64_t remain, pad;	   /* data and padding bytes left of the entry */
	uint64_t offset;	   /* of the next byte fed, for messages */
	char special;		   /* typeflag of the header whose data is being collected */
	char *sdata;		   /* that data */
	size_t slen, scap;	   /* its length, its buffer */
	struct tarcheck_entry cur; /* the entry being framed (name, for messages) */
	/* what special headers said about the next entry */
	char *keys; /* pax keys seen, each NUL-ended */
	size_t keys_len, keys_cap;
	char *pax_path, *pax_link, *long_name, *long_link, *sparse_name;
	bool pax_size_set, pax_sparse, pax_sparse10;
	int64_t pax_size;
	/* entries framed, not yet taken by the reader (libarchive reads ahead) */
	struct tarcheck_entry *q;
	size_t qhead, qlen, qcap;
};

void tarcheck_init(struct tarcheck *c);
void tarcheck_release(struct tarcheck *c);
/* Check len more bytes of the stream. 0, or -1 with e naming the entry and the problem. */
int tarcheck_feed(struct tarcheck *c, const void *buf, size_t len, struct err *e);
/* The stream ended: 0 at a clean end, -1 when truncated or a header lacks its entry. */
int tarcheck_end(struct tarcheck *c, struct err *e);
/* The oldest framed entry not yet taken, or NULL. */
const struct tarcheck_entry *tarcheck_peek(const struct tarcheck *c);
/* Drop the entry tarcheck_peek returned. */
void tarcheck_pop(struct tarcheck *c);

#endif
