/* SPDX-License-Identifier: Apache-2.0 */
/* The layer writer: libarchive's tar into our own compressors, hashed on both sides. */
#include "layer.h"

#include <archive.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "fdio.h"
#include "layer-int.h"
#include "xmem.h"

#define GZIP_WINDOW (15 + 16) /* deflate with a gzip header (mtime 0, no name) */
#define ZSTD_LEVEL 3	      /* zstd's own default */

int
layer_compression_parse(const char *s, enum layer_compression *out, struct err *e)
{
	if (!strcmp(s, "gzip"))
		*out = LAYER_GZIP;
	else if (!strcmp(s, "zstd"))
		*out = LAYER_ZSTD;
	else if (!strcmp(s, "none"))
		*out = LAYER_NONE;
	else
		return err_code(e, "usage", "compression '%.32s': want gzip, zstd or none", s);
	return 0;
}

const char *
layer_media_type(enum layer_compression comp)
{
	static const char *const types[] = {
	    [LAYER_GZIP] = "application/vnd.oci.image.layer.v1.tar+gzip",
	    [LAYER_ZSTD] = "application/vnd.oci.image.layer.v1.tar+zstd",
	    [LAYER_NONE] = "application/vnd.oci.image.layer.v1.tar",
	};
	return types[comp];
}

/* Compressed bytes out to the blob; the first error is kept for layer_finish. */
static int
emit(struct layer_writer *w, const void *buf, size_t n)
{
	if (w->failed)
		return -1;
	if (n && content_writer_write(&w->out, buf, n, &w->err) < 0)
		w->failed = true;
	else if (n && w->copy_fd >= 0 && fdio_write_full(w->copy_fd, buf, n) < 0)
		w->failed = true, err_set(&w->err, errno, "write the copy of the layer");
	return w->failed ? -1 : 0;
}

static int
gzip_feed(struct layer_writer *w, const void *buf, size_t n, int flush)
{
	z_stream *z = w->gz;
	int rc;

	z->next_in = (Bytef *)buf;
	z->avail_in = (uInt)n;
	do {
		z->next_out = w->obuf;
		z->avail_out = sizeof(w->obuf);
		rc = deflate(z, flush);
		if (rc == Z_STREAM_ERROR)
			return err_code(&w->err, "system", "deflate failed"), w->failed = true, -1;
		if (emit(w, w->obuf, sizeof(w->obuf) - z->avail_out) < 0)
			return -1;
	} while (z->avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
	return 0;
}

static int
zstd_feed(struct layer_writer *w, const void *buf, size_t n, ZSTD_EndDirective end)
{
	ZSTD_inBuffer in = {buf, n, 0};
	size_t left;

	do {
		ZSTD_outBuffer out = {w->obuf, sizeof(w->obuf), 0};

		left = ZSTD_compressStream2(w->zs, &out, &in, end);
		if (ZSTD_isError(left))
			return err_code(&w->err, "system", "zstd: %s", ZSTD_getErrorName(left)),
			       w->failed = true, -1;
		if (emit(w, w->obuf, out.pos) < 0)
			return -1;
	} while (end == ZSTD_e_end ? left != 0 : in.pos < in.size);
	return 0;
}

/* Uncompressed tar bytes from libarchive: the diffID's, then the compressor's. */
static int
feed(struct layer_writer *w, const void *buf, size_t n, bool last)
{
	if (!last)
		digester_update(&w->tar, buf, n);
	switch (w->comp) {
	case LAYER_GZIP:
		return gzip_feed(w, buf, n, last ? Z_FINISH : Z_NO_FLUSH);
	case LAYER_ZSTD:
		return zstd_feed(w, buf, n, last ? ZSTD_e_end : ZSTD_e_continue);
	default:
		return emit(w, buf, n);
	}
}

static la_ssize_t
on_write(struct archive *a, void *client, const void *buf, size_t n)
{
	(void)a;
	return feed(client, buf, n, false) < 0 ? -1 : (la_ssize_t)n;
}

static int
compressor_init(struct layer_writer *w, struct err *e)
{
	if (w->comp == LAYER_GZIP) {
		w->gz = xcalloc(1, sizeof(z_stream));
		if (deflateInit2(w->gz, Z_DEFAULT_COMPRESSION, Z_DEFLATED, GZIP_WINDOW, 8,
				 Z_DEFAULT_STRATEGY) != Z_OK)
			return err_code(e, "system", "deflateInit2 failed");
	} else if (w->comp == LAYER_ZSTD) {
		w->zs = ZSTD_createCCtx();
		if (!w->zs || ZSTD_isError(ZSTD_CCtx_setParameter(w->zs, ZSTD_c_compressionLevel,
								  ZSTD_LEVEL)))
			return err_code(e, "system", "zstd: cannot make a compressor");
	}
	return 0;
}

/* pax only where ustar cannot say it (long names, xattrs, big numbers), SCHILY xattrs as Go reads */
static int
archive_init(struct layer_writer *w, struct err *e)
{
	w->a = archive_write_new();
	if (!w->a)
		return err_code(e, "system", "archive_write_new failed");
	if (archive_write_set_format_pax_restricted(w->a) != ARCHIVE_OK ||
	    archive_write_set_format_option(w->a, "pax", "xattrheader", "SCHILY") != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(w->a, 1) != ARCHIVE_OK ||
	    archive_write_open2(w->a, w, NULL, on_write, NULL, NULL) != ARCHIVE_OK)
		return err_code(e, "system", "tar writer: %s", archive_error_string(w->a));
	return 0;
}

struct layer_writer *
layer_writer_new(const struct content *c, enum layer_compression comp, int64_t epoch, struct err *e)
{
	struct layer_writer *w = xcalloc(1, sizeof(*w));

	w->c = c;
	w->comp = comp;
	w->epoch = epoch;
	w->out.fd = -1;
	w->copy_fd = -1;
	digester_init(&w->tar);
	if (content_writer_open(c, &w->out, e) < 0 || compressor_init(w, e) < 0 ||
	    archive_init(w, e) < 0) {
		layer_writer_free(w);
		return NULL;
	}
	return w;
}

void
layer_writer_copy_to(struct layer_writer *w, int fd)
{
	w->copy_fd = fd;
}

int
layer_finish(struct layer_writer *w, struct layer_result *r, struct err *e)
{
	int rc = -1;

	if (archive_write_close(w->a) != ARCHIVE_OK) {
		if (!w->failed)
			err_code(&w->err, "system", "tar writer: %s", archive_error_string(w->a));
		w->failed = true;
	}
	digester_final(&w->tar, r->diff_id);
	if (!w->failed && feed(w, NULL, 0, true) == 0) {
		r->size = w->out.size;
		rc = content_writer_commit(w->c, &w->out, r->digest, &w->err);
	}
	if (rc < 0)
		*e = w->err;
	layer_writer_free(w);
	return rc;
}

void
layer_writer_free(struct layer_writer *w)
{
	if (!w)
		return;
	if (w->a)
		archive_write_free(w->a);
	if (w->gz) {
		deflateEnd(w->gz);
		free(w->gz);
	}
	ZSTD_freeCCtx(w->zs);
	content_writer_abort(w->c, &w->out);
	digester_release(&w->tar);
	layer_links_free(w);
	free(w);
}
