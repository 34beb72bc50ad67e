/* SPDX-License-Identifier: Apache-2.0 */
/* A layer blob as a stream of tar bytes: gzip (ISA-L or zlib), zstd or none, both sides hashed. */
#include "decompress.h"

#include <errno.h>
#include <isa-l/igzip_lib.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "fdio.h"
#include "xmem.h"

#define IN_BUF (256u << 10)

struct dstream {
	int fd;
	enum compression comp;
	bool zlib, in_eof, done, member_end;
	unsigned char *in;
	size_t in_pos, in_len;
	uint64_t in_total, out_total, max_out;
	struct digester din, dout;
	struct inflate_state *isal;
	z_stream *z;
	ZSTD_DCtx *zstd;
};

static int
refill(struct dstream *d, struct err *e)
{
	ssize_t n;

	if (d->in_pos < d->in_len || d->in_eof)
		return 0;
	n = fdio_read_full(d->fd, d->in, IN_BUF);
	if (n < 0)
		return err_set(e, errno, "read layer");
	d->in_pos = 0;
	d->in_len = (size_t)n;
	d->in_eof = (size_t)n < IN_BUF;
	digester_update(&d->din, d->in, (size_t)n);
	d->in_total += (uint64_t)n;
	return 0;
}

static void
gzip_reset(struct dstream *d)
{
	if (d->zlib) {
		inflateReset(d->z);
		return;
	}
	isal_inflate_reset(d->isal);
	d->isal->crc_flag = ISAL_GZIP;
}

static int
open_codec(struct dstream *d, struct err *e)
{
	if (d->comp == COMP_ZSTD) {
		d->zstd = ZSTD_createDCtx();
		if (!d->zstd)
			return err_set(e, ENOMEM, "zstd");
		/* a window over 128 MiB is what a memory bomb would ask for */
		ZSTD_DCtx_setParameter(d->zstd, ZSTD_d_windowLogMax, 27);
	} else if (d->comp == COMP_GZIP && d->zlib) {
		d->z = xcalloc(1, sizeof(*d->z));
		if (inflateInit2(d->z, 16 + MAX_WBITS) != Z_OK)
			return err_set(e, ENOMEM, "zlib");
	} else if (d->comp == COMP_GZIP) {
		d->isal = xcalloc(1, sizeof(*d->isal));
		isal_inflate_init(d->isal);
		d->isal->crc_flag = ISAL_GZIP;
	}
	return 0;
}

int
dstream_open(int fd, enum compression hint, uint64_t max_out, unsigned flags, struct dstream **out,
	     struct err *e)
{
	struct dstream *d = xcalloc(1, sizeof(*d));
	static const unsigned char gz[2] = {0x1f, 0x8b}, zs[4] = {0x28, 0xb5, 0x2f, 0xfd};

	d->fd = fd;
	d->max_out = max_out;
	d->zlib = flags & DSTREAM_ZLIB;
	d->in = xmalloc(IN_BUF);
	digester_init(&d->din);
	digester_init(&d->dout);
	*out = d;
	if (refill(d, e) < 0)
		return -1;
	/* the magic decides: registries serve "tar.gzip" layers that are plain tar */
	if (flags & DSTREAM_RAW)
		d->comp = COMP_NONE;
	else if (d->in_len >= 2 && !memcmp(d->in, gz, 2))
		d->comp = COMP_GZIP;
	else if (d->in_len >= 4 && !memcmp(d->in, zs, 4))
		d->comp = COMP_ZSTD;
	else
		d->comp = COMP_NONE;
	(void)hint;
	return open_codec(d, e);
}

/* Make two bytes visible when the stream has them: a magic may straddle two reads. */
static int
refill2(struct dstream *d, struct err *e)
{
	ssize_t n;

	if (refill(d, e) < 0)
		return -1;
	if (d->in_len - d->in_pos != 1 || d->in_eof)
		return 0;
	d->in[0] = d->in[d->in_pos];
	n = fdio_read_full(d->fd, d->in + 1, IN_BUF - 1);
	if (n < 0)
		return err_set(e, errno, "read layer");
	digester_update(&d->din, d->in + 1, (size_t)n);
	d->in_total += (uint64_t)n;
	d->in_pos = 0;
	d->in_len = 1 + (size_t)n;
	d->in_eof = (size_t)n < IN_BUF - 1;
	return 0;
}

/* After a gzip member or zstd frame: is there another one? */
static int
next_member(struct dstream *d, struct err *e)
{
	if (refill2(d, e) < 0)
		return -1;
	if (d->in_pos == d->in_len) {
		d->done = true;
		return 0;
	}
	if (d->comp == COMP_ZSTD) {
		d->member_end =
		    false; /* zstd starts the next frame (or skips a skippable one) itself */
		return 0;
	}
	if (d->in_len - d->in_pos >= 2 && d->in[d->in_pos] == 0x1f &&
	    d->in[d->in_pos + 1] == 0x8b) {
		gzip_reset(d);
		d->member_end = false;
		return 0;
	}
	return err_code(e, "invalid", "trailing garbage after the gzip stream");
}

static int
step_gzip(struct dstream *d, unsigned char *buf, size_t n, size_t *produced, struct err *e)
{
	size_t avail = d->in_len - d->in_pos;
	int ret;
	bool end;

	if (d->zlib) {
		d->z->next_in = d->in + d->in_pos;
		d->z->avail_in = (uInt)avail;
		d->z->next_out = buf;
		d->z->avail_out = (uInt)n;
		ret = inflate(d->z, Z_NO_FLUSH);
		if (ret != Z_OK && ret != Z_STREAM_END && ret != Z_BUF_ERROR)
			return err_code(e, "invalid", "corrupt gzip stream (zlib %d)", ret);
		d->in_pos += avail - d->z->avail_in;
		*produced = n - d->z->avail_out;
		end = ret == Z_STREAM_END;
	} else {
		d->isal->next_in = d->in + d->in_pos;
		d->isal->avail_in = (uint32_t)avail;
		d->isal->next_out = buf;
		d->isal->avail_out = (uint32_t)n;
		ret = isal_inflate(d->isal);
		if (ret < 0)
			return err_code(e, "invalid", "corrupt gzip stream (isa-l %d)", ret);
		d->in_pos += avail - d->isal->avail_in;
		*produced = n - d->isal->avail_out;
		end = d->isal->block_state == ISAL_BLOCK_FINISH;
	}
	d->member_end = end;
	return 0;
}

static int
step_zstd(struct dstream *d, unsigned char *buf, size_t n, size_t *produced, struct err *e)
{
	ZSTD_inBuffer in = {d->in + d->in_pos, d->in_len - d->in_pos, 0};
	ZSTD_outBuffer out = {buf, n, 0};
	size_t ret = ZSTD_decompressStream(d->zstd, &out, &in);

	if (ZSTD_isError(ret))
		return err_code(e, "invalid", "corrupt zstd stream: %s", ZSTD_getErrorName(ret));
	d->in_pos += in.pos;
	*produced = out.pos;
	/* 0: a frame ended and was flushed; the next bytes may start another */
	d->member_end = ret == 0;
	return 0;
}

static int
step(struct dstream *d, unsigned char *buf, size_t n, size_t *produced, struct err *e)
{
	size_t avail;

	if (refill(d, e) < 0)
		return -1;
	avail = d->in_len - d->in_pos;
	switch (d->comp) {
	case COMP_GZIP:
		return step_gzip(d, buf, n, produced, e);
	case COMP_ZSTD:
		return step_zstd(d, buf, n, produced, e);
	default:
		*produced = avail < n ? avail : n;
		memcpy(buf, d->in + d->in_pos, *produced);
		d->in_pos += *produced;
		d->done = d->in_eof && d->in_pos == d->in_len;
		return 0;
	}
}

ssize_t
dstream_read(struct dstream *d, void *buf, size_t n, struct err *e)
{
	size_t produced = 0;

	while (!d->done) {
		if (d->comp != COMP_NONE && d->member_end) {
			if (next_member(d, e) < 0)
				return -1;
			continue;
		}
		if (step(d, buf, n, &produced, e) < 0)
			return -1;
		if (produced)
			break;
		/* nothing came out of a stream that has no more input and did not end */
		if (!d->member_end && d->comp != COMP_NONE && d->in_pos == d->in_len && d->in_eof)
			return err_code(e, "invalid", "truncated %s stream", dstream_format(d));
	}
	d->out_total += produced;
	if (d->out_total > d->max_out)
		return err_code(e, "limit", "layer larger than %llu bytes uncompressed",
				(unsigned long long)d->max_out);
	digester_update(&d->dout, buf, produced);
	return (ssize_t)produced;
}

int
dstream_drain(struct dstream *d, struct err *e)
{
	unsigned char buf[64 << 10];
	ssize_t n;

	while ((n = dstream_read(d, buf, sizeof(buf), e)) > 0)
		;
	return n < 0 ? -1 : 0;
}

void
dstream_result(struct dstream *d, char digest[DIGEST_STR_LEN + 1], char diff_id[DIGEST_STR_LEN + 1],
	       uint64_t *in_size, uint64_t *out_size)
{
	digester_final(&d->din, digest);
	digester_final(&d->dout, diff_id);
	*in_size = d->in_total;
	*out_size = d->out_total;
}

const char *
dstream_format(const struct dstream *d)
{
	return d->comp == COMP_GZIP ? "gzip" : d->comp == COMP_ZSTD ? "zstd" : "none";
}

void
dstream_free(struct dstream *d)
{
	if (!d)
		return;
	if (d->z)
		inflateEnd(d->z);
	free(d->z);
	free(d->isal);
	ZSTD_freeDCtx(d->zstd);
	digester_release(&d->din);
	digester_release(&d->dout);
	free(d->in);
	free(d);
}

int
compression_from_media_type(const char *mt)
{
	static const struct {
		const char *mt;
		enum compression c;
	} types[] = {
	    {"application/vnd.oci.image.layer.v1.tar", COMP_NONE},
	    {"application/vnd.oci.image.layer.v1.tar+gzip", COMP_GZIP},
	    {"application/vnd.oci.image.layer.v1.tar+zstd", COMP_ZSTD},
	    {"application/vnd.docker.image.rootfs.diff.tar.gzip", COMP_GZIP},
	    {"application/vnd.docker.image.rootfs.diff.tar", COMP_NONE},
	    {"application/vnd.oci.image.layer.nondistributable.v1.tar", COMP_NONE},
	    {"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", COMP_GZIP},
	    {"application/vnd.oci.image.layer.nondistributable.v1.tar+zstd", COMP_ZSTD},
	    {"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", COMP_GZIP},
	};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (mt && !strcmp(mt, types[i].mt))
			return (int)types[i].c;
	return -1;
}
