/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A container's output as a stream of frames: an 8-byte header (stream 1 or
 * 2, three zero bytes, the length as a big-endian 32-bit number) and the
 * bytes. The layout docker's attach and logs streams use; the shim sends it
 * on logs and attach connections and saves its ring in it (ctr-state(5)).
 */
#ifndef CTR_FRAME_H
#define CTR_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define FRAME_HDR 8
#define FRAME_MAX (1u << 20) /* a reader refuses a longer frame */

void frame_header(unsigned char hdr[FRAME_HDR], int stream, uint32_t len);
/* The stream (1 or 2) and length of a header, or -1 when it is not one of ours. */
int frame_parse(const unsigned char hdr[FRAME_HDR], uint32_t *len);

/* Frames arriving in pieces: feed bytes in, get whole frames out. */
struct frame_reader {
	unsigned char *buf;
	size_t len, cap;
};
void frame_reader_release(struct frame_reader *r);
/*
 * Append n bytes, then call fn(stream, data, len, arg) for each whole frame.
 * -1 with e filled on a malformed header; fn returning -1 stops with -1.
 */
int frame_reader_feed(struct frame_reader *r, const void *p, size_t n,
		      int (*fn)(int stream, const char *data, size_t len, void *arg), void *arg,
		      struct err *e);
/* True when bytes of an unfinished frame are left (a stream that ended mid-frame). */
int frame_reader_partial(const struct frame_reader *r);

#endif
