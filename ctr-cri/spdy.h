/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SPDY/3.1 framing, the part the Kubernetes streaming protocol uses: frames
 * read from and written to one connection, and the zlib-compressed header
 * blocks (one zlib stream each way, primed with SPDY/3's dictionary).
 */
#ifndef CTR_CRI_SPDY_H
#define CTR_CRI_SPDY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

#include "err.h"

enum spdy_type {
	SPDY_SYN_STREAM = 1,
	SPDY_SYN_REPLY = 2,
	SPDY_RST_STREAM = 3,
	SPDY_SETTINGS = 4,
	SPDY_PING = 6,
	SPDY_GOAWAY = 7,
	SPDY_HEADERS = 8,
	SPDY_WINDOW_UPDATE = 9,
};

#define SPDY_FLAG_FIN 0x01
/* RST_STREAM statuses we send */
#define SPDY_PROTOCOL_ERROR 1
#define SPDY_REFUSED_STREAM 3
/* the largest frame taken: a DATA frame of the kubelet's copies is 32 KiB */
#define SPDY_FRAME_MAX (1u << 20)

struct spdy {
	int fd;
	z_stream in, out;
	bool in_ready, out_ready;
	uint8_t *buf; /* bytes read and not yet taken as frames */
	size_t len, cap;
};

/* One frame, pointing into the connection's buffer until the next spdy_fill. */
struct spdy_frame {
	bool control;
	uint16_t type;	 /* a control frame's enum spdy_type */
	uint8_t flags;	 /* SPDY_FLAG_FIN... */
	uint32_t stream; /* a data frame's stream; a control frame's first word (31 bits) */
	const uint8_t *data;
	size_t len;
};

int spdy_init(struct spdy *s, int fd, struct err *e);
void spdy_release(struct spdy *s);
/* Bytes already read past the HTTP request: the first frames. */
void spdy_feed(struct spdy *s, const void *p, size_t n);
/* One read from the connection: > 0 bytes, 0 at its end, -1 on error (errno). */
ssize_t spdy_fill(struct spdy *s);
/* The next whole frame in the buffer: 1, 0 when more bytes are needed, -1 on a bad frame. */
int spdy_next(struct spdy *s, struct spdy_frame *f, struct err *e);
/*
 * A control frame both protocols answer alike: a PING echoed, a HEADERS or
 * SYN_REPLY block inflated (it moves the zlib stream on), SETTINGS and
 * WINDOW_UPDATE ignored (spdystream, the kubelet's, neither sends nor
 * honours windows: TCP's is the flow control). 0, or -1 when the
 * connection ends: a GOAWAY, a failed write, a bad block.
 */
int spdy_control(struct spdy *s, const struct spdy_frame *f);
/*
 * One read from the connection, then fn(ctx) on each whole frame (in f)
 * while *stop is false: 0, or -1 at the connection's end, on a read error,
 * or on a bad frame (answered with a GOAWAY naming *last).
 */
int spdy_pump(struct spdy *s, struct spdy_frame *f, const uint32_t *last, const bool *stop,
	      void (*fn)(void *), void *ctx);
/*
 * The value of header name in the block of a SYN_STREAM, SYN_REPLY or
 * HEADERS frame (inflated even when not wanted: the zlib stream spans the
 * connection). 1 and a new
 * string in *value, 0 when absent, -1 when the block is bad.
 */
int spdy_header(struct spdy *s, const struct spdy_frame *f, const char *name, char **value,
		struct err *e);
/* The values of several names at once (new strings, NULL when absent): how many found, or -1. */
int spdy_headers(struct spdy *s, const struct spdy_frame *f, const char *const *names,
		 char **values, size_t nnames, struct err *e);

/* Writes (whole frames, blocking); each 0 or -1 with errno. */
int spdy_send_data(struct spdy *s, uint32_t stream, uint8_t flags, const void *p, size_t n);
int spdy_send_reply(struct spdy *s, uint32_t stream);
int spdy_send_rst(struct spdy *s, uint32_t stream, uint32_t status);
int spdy_send_ping(struct spdy *s, uint32_t id);
int spdy_send_goaway(struct spdy *s, uint32_t last, uint32_t status);

#endif
