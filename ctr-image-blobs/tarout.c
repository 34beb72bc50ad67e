/* SPDX-License-Identifier: Apache-2.0 */
/* Tar entries for the exports: fixed owner and time, blobs streamed and hashed from the store. */
#include "tarout.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdbool.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "decompress.h"
#include "jsonio.h"
#include "xmem.h"

#define CHUNK (1u << 17)

static int
tar_error(struct archive *a, struct err *e)
{
	int sys = archive_errno(a) > 0 ? archive_errno(a) : EIO;

	return err_set(e, sys, "write archive (%s)",
		       archive_error_string(a) ? archive_error_string(a) : "?");
}

static struct archive *
tarout_open(int fd, struct err *e)
{
	struct archive *a = archive_write_new();

	if (archive_write_set_format_pax_restricted(a) == ARCHIVE_OK &&
	    archive_write_open_fd(a, fd) == ARCHIVE_OK)
		return a;
	tar_error(a, e);
	archive_write_free(a);
	return NULL;
}

static int
tarout_header(struct archive *a, const char *path, mode_t type, mode_t perm, int64_t size,
	      struct err *e)
{
	struct archive_entry *en = archive_entry_new();
	int r;

	archive_entry_set_pathname(en, path);
	archive_entry_set_filetype(en, type);
	archive_entry_set_perm(en, perm);
	archive_entry_set_size(en, type == AE_IFREG ? size : 0);
	archive_entry_set_mtime(en, 0, 0);
	r = archive_write_header(a, en);
	archive_entry_free(en);
	return r == ARCHIVE_OK ? 0 : tar_error(a, e);
}

static int
tarout_buf(struct archive *a, const char *path, const char *buf, size_t len, struct err *e)
{
	if (tarout_header(a, path, AE_IFREG, 0644, (int64_t)len, e) < 0)
		return -1;
	return archive_write_data(a, buf, len) == (la_ssize_t)len ? 0 : tar_error(a, e);
}

/* Copy what ds gives into the tar, at most left bytes; *left is what was missing. */
static int
copy(struct archive *a, struct dstream *ds, int64_t *left, struct err *e)
{
	_cleanup_free_ char *buf = xmalloc(CHUNK);
	ssize_t n;

	while (*left > 0 && (n = dstream_read(ds, buf, CHUNK, e)) > 0) {
		if (n > *left)
			n = (ssize_t)*left;
		*left -= n;
		if (archive_write_data(a, buf, (size_t)n) != n)
			return tar_error(a, e);
	}
	return *left > 0 && e->msg[0] ? -1 : 0;
}

static int
tarout_blob(struct archive *a, const struct content *c, const char *path, const char *dg, bool raw,
	    const char *want, int64_t size, struct err *e)
{
	_cleanup_close_ int fd = content_open_blob(c, dg, e);
	char in[DIGEST_STR_LEN + 1], out[DIGEST_STR_LEN + 1];
	struct dstream *ds = NULL;
	uint64_t insize, outsize;
	int64_t left = size;
	int r = -1;

	if (fd < 0 || tarout_header(a, path, AE_IFREG, 0444, size, e) < 0)
		return -1;
	e->msg[0] = '\0';
	if (dstream_open(fd, COMP_AUTO, (uint64_t)size, raw ? DSTREAM_RAW : 0, &ds, e) < 0 ||
	    copy(a, ds, &left, e) < 0 || (left == 0 && dstream_drain(ds, e) < 0))
		goto out;
	dstream_result(ds, in, out, &insize, &outsize);
	if (left > 0 || strcmp(out, want))
		r = err_set(e, EIO, "blob %s is corrupt in the store (%s %s)", dg,
			    raw ? "it hashes to" : "its content hashes to", out);
	else
		r = 0;
out:
	dstream_free(ds);
	return r;
}

int
tarout_measure(const struct content *c, const char *dg, char out[DIGEST_STR_LEN + 1], int64_t *size,
	       struct err *e)
{
	_cleanup_close_ int fd = content_open_blob(c, dg, e);
	char in[DIGEST_STR_LEN + 1];
	struct dstream *ds = NULL;
	uint64_t insize, outsize;
	int r = -1;

	if (fd >= 0 && dstream_open(fd, COMP_AUTO, UINT64_MAX, 0, &ds, e) == 0 &&
	    dstream_drain(ds, e) == 0) {
		dstream_result(ds, in, out, &insize, &outsize);
		*size = (int64_t)outsize;
		r = 0;
	}
	dstream_free(ds);
	return r;
}

int
tarout_held(const struct content *c, const json_t *desc, struct err *e)
{
	const char *dg = jsonio_str(desc, "digest");
	json_int_t size = json_integer_value(json_object_get(desc, "size"));

	if (content_has(c, dg, size))
		return 0;
	return err_code(e, "not-found", "blob %s (%lld bytes) is not in the store", dg,
			(long long)size);
}

static int
write_layout(struct archive *a, const struct content *c, const struct tarout_file *files,
	     const json_t *blobs, struct err *e)
{
	json_t *b;
	size_t i;

	for (; files->path; files++)
		if (tarout_buf(a, files->path, files->text, strlen(files->text), e) < 0)
			return -1;
	if (tarout_header(a, "blobs/", AE_IFDIR, 0755, 0, e) < 0 ||
	    tarout_header(a, "blobs/sha256/", AE_IFDIR, 0755, 0, e) < 0)
		return -1;
	json_array_foreach(blobs, i, b) {
		const char *dg = jsonio_str(b, "digest"), *want = jsonio_str(b, "want");
		_cleanup_free_ char *path = xasprintf("blobs/sha256/%s", digest_hex(want ?: dg));

		if (tarout_blob(a, c, path, dg, !want, want ?: dg,
				json_integer_value(json_object_get(b, "size")), e) < 0)
			return -1;
	}
	return archive_write_close(a) == ARCHIVE_OK ? 0 : tar_error(a, e);
}

int
tarout_layout(int fd, const struct content *c, const struct tarout_file *files, const json_t *blobs,
	      struct err *e)
{
	struct archive *a = tarout_open(fd, e);
	int r;

	if (!a)
		return -1;
	r = write_layout(a, c, files, blobs, e);
	archive_write_free(a);
	return r;
}
