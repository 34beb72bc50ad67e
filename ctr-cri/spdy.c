/* SPDX-License-Identifier: Apache-2.0 */
/* SPDY/3.1 frames on one connection (draft 3.1: framing layer, header compression). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "fdio.h"
#include "log.h"
#include "spdy.h"
#include "xmem.h"

/* The most a header block may inflate to. */
#define SPDY_HEADERS_MAX (64u << 10)

/*
 * SPDY/3's zlib dictionary (draft 3, 2.6.10.1): these names and values,
 * each after its length as 4 bytes big-endian, then the raw tail. Its
 * Adler-32, 0xe3c6a7c2, is what a client's zlib header names.
 */
static const char *const dict_words[] = {
    "options",
    "head",
    "post",
    "put",
    "delete",
    "trace",
    "accept",
    "accept-charset",
    "accept-encoding",
    "accept-language",
    "accept-ranges",
    "age",
    "allow",
    "authorization",
    "cache-control",
    "connection",
    "content-base",
    "content-encoding",
    "content-language",
    "content-length",
    "content-location",
    "content-md5",
    "content-range",
    "content-type",
    "date",
    "etag",
    "expect",
    "expires",
    "from",
    "host",
    "if-match",
    "if-modified-since",
    "if-none-match",
    "if-range",
    "if-unmodified-since",
    "last-modified",
    "location",
    "max-forwards",
    "pragma",
    "proxy-authenticate",
    "proxy-authorization",
    "range",
    "referer",
    "retry-after",
    "server",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "user-agent",
    "vary",
    "via",
    "warning",
    "www-authenticate",
    "method",
    "get",
    "status",
    "200 OK",
    "version",
    "HTTP/1.1",
    "url",
    "public",
    "set-cookie",
    "keep-alive",
    "origin",
};
static const char dict_tail[] =
    "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505"
    "203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request"
    "401 Unauthorized403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented"
    "503 Service UnavailableJan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 "
    "Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMTchunked,text/html,image/png,image/jpg,image/gif,"
    "application/xml,application/xhtml+xml,text/plain,text/javascript,publicprivatemax-age="
    "gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.";
#define DICT_SIZE 1423

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static size_t
dict_build(uint8_t *d)
{
	size_t n = 0;

	for (size_t i = 0; i < sizeof(dict_words) / sizeof(dict_words[0]); i++) {
		size_t w = strlen(dict_words[i]);

		put32(d + n, (uint32_t)w);
		memcpy(d + n + 4, dict_words[i], w);
		n += 4 + w;
	}
	memcpy(d + n, dict_tail, sizeof(dict_tail) - 1);
	return n + sizeof(dict_tail) - 1;
}

int
spdy_init(struct spdy *s, int fd, struct err *e)
{
	uint8_t dict[DICT_SIZE + 64];
	size_t n = dict_build(dict);

	memset(s, 0, sizeof(*s));
	s->fd = fd;
	if (n != DICT_SIZE)
		return err_code(e, "system", "SPDY dictionary of %zu bytes", n);
	if (deflateInit(&s->out, Z_DEFAULT_COMPRESSION) != Z_OK)
		return err_code(e, "system", "zlib: deflateInit failed");
	s->out_ready = true;
	if (deflateSetDictionary(&s->out, dict, (uInt)n) != Z_OK || inflateInit(&s->in) != Z_OK)
		return err_code(e, "system", "zlib: cannot set up the header streams");
	s->in_ready = true;
	return 0;
}

void
spdy_release(struct spdy *s)
{
	if (s->out_ready)
		deflateEnd(&s->out);
	if (s->in_ready)
		inflateEnd(&s->in);
	free(s->buf);
	s->buf = NULL;
	s->len = s->cap = 0;
	s->out_ready = s->in_ready = false;
}

static void
reserve(struct spdy *s, size_t more)
{
	if (s->len + more <= s->cap)
		return;
	s->cap = s->len + more > 2 * s->cap ? s->len + more : 2 * s->cap;
	s->buf = xrealloc(s->buf, s->cap);
}

void
spdy_feed(struct spdy *s, const void *p, size_t n)
{
	if (!n)
		return;
	reserve(s, n);
	memcpy(s->buf + s->len, p, n);
	s->len += n;
}

ssize_t
spdy_fill(struct spdy *s)
{
	ssize_t n;

	reserve(s, 65536);
	do
		n = read(s->fd, s->buf + s->len, s->cap - s->len);
	while (n < 0 && errno == EINTR);
	if (n > 0)
		s->len += (size_t)n;
	return n;
}

/*
 * The frame at the buffer's start is taken by the next call: the caller
 * has used f by then. s->buf holds the taken frame until that call drops it.
 */
int
spdy_next(struct spdy *s, struct spdy_frame *f, struct err *e)
{
	size_t len;

	if (f->data) { /* drop the previous frame */
		size_t used = (size_t)(f->data - s->buf) + f->len;

		memmove(s->buf, s->buf + used, s->len - used);
		s->len -= used;
		f->data = NULL;
	}
	if (s->len < 8)
		return 0;
	len = get32(s->buf + 4) & 0xffffff;
	if (len > SPDY_FRAME_MAX)
		return err_code(e, "too-large", "SPDY frame of %zu bytes", len);
	if (s->len < 8 + len)
		return 0;
	f->control = s->buf[0] & 0x80;
	f->flags = s->buf[4];
	f->len = len;
	if (f->control) {
		unsigned version = (unsigned)(s->buf[0] & 0x7f) << 8 | s->buf[1];

		if (version != 3)
			return err_code(e, "invalid", "SPDY version %u, not 3", version);
		f->type = (uint16_t)(s->buf[2] << 8 | s->buf[3]);
		f->stream = len >= 4 ? get32(s->buf + 8) & 0x7fffffff : 0;
	} else {
		f->type = 0;
		f->stream = get32(s->buf) & 0x7fffffff;
	}
	f->data = s->buf + 8;
	return 1;
}

int
spdy_control(struct spdy *s, const struct spdy_frame *f)
{
	_cleanup_free_ char *ignored = NULL;
	struct err e;

	switch (f->type) {
	case SPDY_PING:
		return f->len == 4 ? spdy_send_ping(s, f->stream) : 0;
	case SPDY_GOAWAY:
		return -1;
	case SPDY_HEADERS:
	case SPDY_SYN_REPLY:
		/* nothing for us, but its block moves the zlib stream on */
		return spdy_header(s, f, "", &ignored, &e) < 0 ? -1 : 0;
	default:
		/* SETTINGS, WINDOW_UPDATE: spdystream neither sends nor honours windows */
		return 0;
	}
}

int
spdy_pump(struct spdy *s, struct spdy_frame *f, const uint32_t *last, const bool *stop,
	  void (*fn)(void *), void *ctx)
{
	struct err e;
	int r;

	if (spdy_fill(s) <= 0)
		return -1;
	while (!*stop && (r = spdy_next(s, f, &e)) != 0) {
		if (r < 0) {
			log_debug("stream: %s", e.msg);
			spdy_send_goaway(s, *last, SPDY_PROTOCOL_ERROR);
			return -1;
		}
		fn(ctx);
	}
	return 0;
}

/* Inflate a header block into *out (new, *outlen bytes). */
static int
inflate_block(struct spdy *s, const uint8_t *p, size_t n, uint8_t **out, size_t *outlen,
	      struct err *e)
{
	uint8_t *buf = xmalloc(SPDY_HEADERS_MAX);
	int r;

	s->in.next_in = (Bytef *)p;
	s->in.avail_in = (uInt)n;
	s->in.next_out = buf;
	s->in.avail_out = SPDY_HEADERS_MAX;
	for (;;) {
		r = inflate(&s->in, Z_SYNC_FLUSH);
		if (r == Z_NEED_DICT) {
			uint8_t dict[DICT_SIZE + 64];
			size_t dn = dict_build(dict);

			if (inflateSetDictionary(&s->in, dict, (uInt)dn) != Z_OK)
				break;
			continue;
		}
		if ((r == Z_OK || r == Z_BUF_ERROR) && s->in.avail_in == 0 && s->in.avail_out > 0) {
			*out = buf;
			*outlen = SPDY_HEADERS_MAX - s->in.avail_out;
			return 0;
		}
		break;
	}
	free(buf);
	return err_code(e, "invalid", "SPDY header block does not inflate (%s)",
			s->in.avail_out ? "bad data or dictionary" : "too large");
}

int
spdy_headers(struct spdy *s, const struct spdy_frame *f, const char *const *names, char **values,
	     size_t nnames, struct err *e)
{
	uint8_t *h = NULL;
	size_t n = 0, off = 4, skip = f->type == SPDY_SYN_STREAM ? 10 : 4;
	uint32_t count;
	int found = 0;

	for (size_t k = 0; k < nnames; k++)
		values[k] = NULL;
	if (f->len < skip)
		return err_code(e, "invalid", "SPDY control frame %u of %zu bytes", f->type,
				f->len);
	if (inflate_block(s, f->data + skip, f->len - skip, &h, &n, e) < 0)
		return -1;
	count = n >= 4 ? get32(h) : 0;
	for (uint32_t i = 0; i < count; i++) {
		uint32_t nl, vl;

		if (n - off < 4 || (nl = get32(h + off)) > n - off - 4)
			goto bad;
		off += 4;
		if (n - off < 4 + (size_t)nl || (vl = get32(h + off + nl)) > n - off - nl - 4)
			goto bad;
		for (size_t k = 0; k < nnames; k++)
			if (!values[k] && nl == strlen(names[k]) &&
			    memcmp(h + off, names[k], nl) == 0) {
				values[k] = xstrndup((char *)h + off + nl + 4, vl);
				found++;
			}
		off += (size_t)nl + 4 + vl;
	}
	free(h);
	return found;
bad:
	free(h);
	for (size_t k = 0; k < nnames; k++) {
		free(values[k]);
		values[k] = NULL;
	}
	return err_code(e, "invalid", "SPDY header block: a length past its end");
}

int
spdy_header(struct spdy *s, const struct spdy_frame *f, const char *name, char **value,
	    struct err *e)
{
	return spdy_headers(s, f, &name, value, 1, e);
}

static int
send_all(struct spdy *s, const uint8_t *head, size_t hn, const void *p, size_t n)
{
	if (fdio_write_full(s->fd, head, hn) < 0)
		return -1;
	return n ? fdio_write_full(s->fd, p, n) : 0;
}

static void
control_head(uint8_t *h, enum spdy_type type, uint8_t flags, size_t len)
{
	h[0] = 0x80;
	h[1] = 3;
	h[2] = 0;
	h[3] = (uint8_t)type;
	put32(h + 4, (uint32_t)len);
	h[4] = flags;
}

int
spdy_send_data(struct spdy *s, uint32_t stream, uint8_t flags, const void *p, size_t n)
{
	uint8_t h[8];

	put32(h, stream & 0x7fffffff);
	put32(h + 4, (uint32_t)n);
	h[4] = flags;
	return send_all(s, h, sizeof(h), p, n);
}

/* A SYN_REPLY with no headers: their count, 0, deflated and flushed. */
int
spdy_send_reply(struct spdy *s, uint32_t stream)
{
	uint8_t h[12 + 64], zero[4] = {0, 0, 0, 0};
	size_t n;

	s->out.next_in = zero;
	s->out.avail_in = sizeof(zero);
	s->out.next_out = h + 12;
	s->out.avail_out = 64;
	if (deflate(&s->out, Z_SYNC_FLUSH) != Z_OK || s->out.avail_in) {
		errno = EPROTO;
		return -1;
	}
	n = 64 - s->out.avail_out;
	control_head(h, SPDY_SYN_REPLY, 0, 4 + n);
	put32(h + 8, stream & 0x7fffffff);
	return send_all(s, h, 12 + n, NULL, 0);
}

static int
send_two(struct spdy *s, enum spdy_type type, uint32_t a, uint32_t b, size_t words)
{
	uint8_t h[16];

	control_head(h, type, 0, 4 * words);
	put32(h + 8, a);
	put32(h + 12, b);
	return send_all(s, h, 8 + 4 * words, NULL, 0);
}

int
spdy_send_rst(struct spdy *s, uint32_t stream, uint32_t status)
{
	return send_two(s, SPDY_RST_STREAM, stream & 0x7fffffff, status, 2);
}

int
spdy_send_ping(struct spdy *s, uint32_t id)
{
	return send_two(s, SPDY_PING, id, 0, 1);
}

int
spdy_send_goaway(struct spdy *s, uint32_t last, uint32_t status)
{
	return send_two(s, SPDY_GOAWAY, last & 0x7fffffff, status, 2);
}
