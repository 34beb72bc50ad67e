/* SPDX-License-Identifier: Apache-2.0 */
/* Framed output streams: header encoding and an incremental reader. */
#include "frame.h"

#include <stdlib.h>
#include <string.h>

#include "xmem.h"

void
frame_header(unsigned char hdr[FRAME_HDR], int stream, uint32_t len)
{
	memset(hdr, 0, FRAME_HDR);
	hdr[0] = (unsigned char)stream;
	hdr[4] = (unsigned char)(len >> 24);
	hdr[5] = (unsigned char)(len >> 16);
	hdr[6] = (unsigned char)(len >> 8);
	hdr[7] = (unsigned char)len;
}

int
frame_parse(const unsigned char hdr[FRAME_HDR], uint32_t *len)
{
	if ((hdr[0] != 1 && hdr[0] != 2) || hdr[1] || hdr[2] || hdr[3])
		return -1;
	*len = (uint32_t)hdr[4] << 24 | (uint32_t)hdr[5] << 16 | (uint32_t)hdr[6] << 8 | hdr[7];
	return *len > FRAME_MAX ? -1 : hdr[0];
}

void
frame_reader_release(struct frame_reader *r)
{
	free(r->buf);
	memset(r, 0, sizeof(*r));
}

int
frame_reader_feed(struct frame_reader *r, const void *p, size_t n,
		  int (*fn)(int stream, const char *data, size_t len, void *arg), void *arg,
		  struct err *e)
{
	size_t off = 0;
	int rc = 0;

	xgrow((void **)&r->buf, &r->cap, r->len + n, 1);
	memcpy(r->buf + r->len, p, n);
	r->len += n;
	while (r->len - off >= FRAME_HDR) {
		uint32_t len;
		int stream = frame_parse(r->buf + off, &len);

		if (stream < 0) {
			rc = err_code(e, "invalid", "bad frame header in the output stream");
			break;
		}
		if (r->len - off - FRAME_HDR < len)
			break;
		if (fn(stream, (const char *)r->buf + off + FRAME_HDR, len, arg) < 0) {
			rc = -1;
			break;
		}
		off += FRAME_HDR + len;
	}
	memmove(r->buf, r->buf + off, r->len - off);
	r->len -= off;
	return rc;
}

int
frame_reader_partial(const struct frame_reader *r)
{
	return r->len != 0;
}
