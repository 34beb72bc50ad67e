/* SPDX-License-Identifier: Apache-2.0 */
/* Strict tar reading: libarchive parses, tarcheck frames, and whatever either flags rejects. */
#include "tarread.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xmem.h"

#define TARREAD_BUF (128u << 10)

/*
 * Every byte libarchive parses passes tarcheck_feed first (tarcheck.c says
 * which rules and why), so a header Go's archive/tar refuses fails the read
 * before libarchive reports its entry. Then libarchive's own soft paths:
 * ARCHIVE_WARN (a skipped pax record, a failed charset conversion, an
 * unknown sparse format, too many special headers) and ARCHIVE_RETRY (a bad
 * checksum) are failures like ARCHIVE_FATAL; the entry it reports must have
 * the path, link target and size we framed; a sparse map must be ordered,
 * without overlaps, within the file, and cover the entry's data exactly.
 * Entry types libarchive would skip or fold into the next entry are refused
 * by the check. At the end of the archive the rest of
 * the stream is read through the check too (only zeros may follow).
 */

static la_ssize_t
read_cb(struct archive *a, void *ud, const void **buf)
{
	struct tarread *t = ud;
	ssize_t n;

	if (t->failed)
		return -1;
	n = t->src(t->ud, t->buf, TARREAD_BUF, &t->ferr);
	if (n > 0 && tarcheck_feed(&t->ck, t->buf, (size_t)n, &t->ferr) < 0)
		n = -1;
	if (n < 0) {
		t->failed = true;
		archive_set_error(a, EINVAL, "%s", t->ferr.msg);
		return -1;
	}
	t->eof = n == 0;
	*buf = t->buf;
	return n;
}

int
tarread_open(struct tarread *t, tarread_source_fn src, void *ud, struct err *e)
{
	memset(t, 0, sizeof(*t));
	t->src = src;
	t->ud = ud;
	t->buf = xmalloc(TARREAD_BUF);
	tarcheck_init(&t->ck);
	t->a = archive_read_new();
	if (!t->a)
		return err_set(e, ENOMEM, "libarchive");
	/* tar only: no other format, no external filter program */
	archive_read_support_format_tar(t->a);
	if (archive_read_open(t->a, t, NULL, read_cb, NULL) != ARCHIVE_OK) {
		if (t->failed)
			*e = t->ferr;
		else
			err_code(e, "invalid", "not a tar archive: %s",
				 archive_error_string(t->a) ?: "unknown error");
		return -1;
	}
	return 0;
}

/* A failed read of the fd is the system's; anything else is the input's. */
static int
outer_error(struct archive *a, struct err *e)
{
	int sys = archive_errno(a);
	const char *why = archive_error_string(a) ?: "read error";

	if (sys == EIO || sys == ENOMEM || sys == EBADF || sys == EISDIR)
		return err_set(e, sys, "read archive (%s)", why);
	return err_code(e, "invalid", "not a valid archive: %s", why);
}

static ssize_t
outer_read(void *ud, void *buf, size_t cap, struct err *e)
{
	la_ssize_t n = archive_read_data(ud, buf, cap);

	return n < 0 ? outer_error(ud, e) : n;
}

int
tarread_open_fd(struct tarread *t, int fd, struct err *e)
{
	struct archive *o = archive_read_new();
	struct archive_entry *en;
	int rc;

	if (!o) {
		memset(t, 0, sizeof(*t));
		return err_set(e, ENOMEM, "libarchive");
	}
	archive_read_support_filter_gzip(o);
	archive_read_support_filter_zstd(o);
	archive_read_support_format_raw(o);
	if (archive_read_open_fd(o, fd, TARREAD_BUF) != ARCHIVE_OK ||
	    archive_read_next_header(o, &en) != ARCHIVE_OK) {
		outer_error(o, e);
		archive_read_free(o);
		memset(t, 0, sizeof(*t));
		return -1;
	}
	rc = tarread_open(t, outer_read, o, e);
	t->outer = o;
	return rc;
}

/* libarchive's failure, or the source's or the check's that caused it. */
static int
fail(struct tarread *t, const char *name, struct err *e)
{
	if (t->failed) {
		*e = t->ferr;
		return -1;
	}
	if (!name)
		return err_code(e, "invalid", "tar archive: %s",
				archive_error_string(t->a) ?: "unreadable");
	return err_code(e, "invalid", "tar entry '%.200s': %s", name,
			archive_error_string(t->a) ?: "unreadable");
}

/*
 * libarchive's sparse map, ordered, without overlaps, within the file, and
 * covering exactly the data the entry carries (as Go's sparse reader
 * requires): libarchive would leave bytes the map does not reach unread,
 * and read past the entry's data for a map that reaches beyond it. In GNU
 * sparse 1.0 the map's own blocks come first.
 */
static int
sparse_ok(struct archive_entry *en, const struct tarcheck_entry *c)
{
	la_int64_t off, len, end = 0, sum = 0, size = archive_entry_size(en);

	if (archive_entry_sparse_reset(en) <= 0 && !c->sparse)
		return 1;
	while (archive_entry_sparse_next(en, &off, &len) == ARCHIVE_OK) {
		if (off < end || len < 0 || off > size || len > size - off)
			return 0;
		end = off + len;
		sum += len;
	}
	if (c->map_in_data)
		return c->size > sum && (c->size - sum) % 512 == 0;
	return c->size == sum;
}

/* libarchive's reading of the entry against the check's framing of it. */
static int
agree(struct tarread *t, struct archive_entry *en, struct err *e)
{
	const struct tarcheck_entry *c = tarcheck_peek(&t->ck);
	const char *name = archive_entry_pathname(en), *link = NULL, *why = NULL;

	if (!c)
		return err_code(e, "invalid", "tar entry '%.200s': not framed as an entry",
				name ?: "?");
	if (c->type == '1')
		link = archive_entry_hardlink(en);
	else if (c->type == '2')
		link = archive_entry_symlink(en);
	if (!name || strcmp(name, c->name))
		why = "its path reads two ways";
	else if ((c->type == '1' || c->type == '2') && (!link || strcmp(link, c->link)))
		why = "its link target reads two ways";
	else if (c->type == '0' && !c->sparse && archive_entry_size(en) != c->size)
		why = "its size reads two ways";
	else if (!sparse_ok(en, c))
		why = "bad sparse map";
	if (why)
		err_code(e, "invalid", "tar entry '%.200s': %s", c->name, why);
	free(t->name);
	t->name = xstrdup(c->name);
	tarcheck_pop(&t->ck);
	return why ? -1 : 0;
}

/* After the end blocks: the rest of the stream, through the check. */
static int
finish(struct tarread *t, struct err *e)
{
	while (!t->eof) {
		ssize_t n = t->src(t->ud, t->buf, TARREAD_BUF, e);

		if (n < 0)
			return -1;
		if (n > 0 && tarcheck_feed(&t->ck, t->buf, (size_t)n, e) < 0)
			return -1;
		t->eof = n == 0;
	}
	if (tarcheck_end(&t->ck, e) < 0)
		return -1;
	if (tarcheck_peek(&t->ck))
		return err_code(e, "invalid", "tar entry '%.200s': skipped by libarchive",
				tarcheck_peek(&t->ck)->name);
	return 0;
}

int
tarread_next(struct tarread *t, struct archive_entry **en, struct err *e)
{
	const struct tarcheck_entry *c;
	int r = archive_read_next_header(t->a, en);

	if (r == ARCHIVE_EOF && !t->failed)
		return finish(t, e) < 0 ? -1 : 0;
	if (r != ARCHIVE_OK) {
		c = tarcheck_peek(&t->ck);
		return fail(t, c ? c->name : NULL, e);
	}
	if (agree(t, *en, e) < 0)
		return -1;
	t->entries++;
	return 1;
}

int
tarread_data_block(struct tarread *t, const void **buf, size_t *len, int64_t *off, struct err *e)
{
	la_int64_t o = 0;
	int r = archive_read_data_block(t->a, buf, len, &o);

	*off = o;
	if (r == ARCHIVE_EOF)
		return 0;
	return r == ARCHIVE_OK ? 1 : fail(t, t->name, e);
}

ssize_t
tarread_data(struct tarread *t, void *buf, size_t cap, struct err *e)
{
	la_ssize_t n = archive_read_data(t->a, buf, cap);

	return n < 0 ? fail(t, t->name, e) : n;
}

void
tarread_release(struct tarread *t)
{
	if (t->a)
		archive_read_free(t->a);
	if (t->outer)
		archive_read_free(t->outer);
	tarcheck_release(&t->ck);
	free(t->name);
	free(t->buf);
	memset(t, 0, sizeof(*t));
}
