/* SPDX-License-Identifier: Apache-2.0 */
/* Import, first pass: an OCI layout tar streamed into the content store, blob by blob. */
#include "oci-archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <string.h>

#include "cleanup.h"
#include "jsonio.h"
#include "log.h"
#include "ocidoc.h"
#include "tarread.h"
#include "xmem.h"

#define CHUNK (1u << 17)
#define LAYOUT_MAX 4096

struct reader {
	struct tarread t;
	const struct content *c;
	struct oci_archive_in *in;
	const char *path; /* of the entry being read, canonical */
	bool layout;	  /* oci-layout seen */
	bool docker;	  /* manifest.json seen: a docker save archive */
};

/*
 * The entry's path without leading "./", checked: relative, no "..", no
 * empty or "." component inside. "" is the top directory. New string.
 */
static char *
canonical_path(const char *raw, struct err *e)
{
	const char *p = raw;
	char *out, *tok, *save = NULL;
	_cleanup_free_ char *copy = NULL;

	if (!p || !*p || *p == '/') {
		err_code(e, "invalid", "archive entry '%.200s': absolute or empty path",
			 p ? p : "");
		return NULL;
	}
	while (p[0] == '.' && p[1] == '/')
		for (p += 2; *p == '/'; p++)
			;
	out = xstrdup(!strcmp(p, ".") ? "" : p);
	if (*out && out[strlen(out) - 1] == '/')
		out[strlen(out) - 1] = '\0';
	copy = xstrdup(out);
	for (tok = strtok_r(copy, "/", &save); tok; tok = strtok_r(NULL, "/", &save))
		if (!strcmp(tok, "..") || !strcmp(tok, "."))
			break;
	if (tok || strstr(out, "//")) {
		err_code(e, "invalid", "archive entry '%.200s': path escapes or is not canonical",
			 raw);
		free(out);
		return NULL;
	}
	return out;
}

/* A small file in memory, at most max bytes: its header size is checked first. */
static char *
read_small(struct reader *r, struct archive_entry *en, size_t max, size_t *len, struct err *e)
{
	int64_t size = archive_entry_size(en);
	_cleanup_free_ char *buf = NULL;
	ssize_t n;
	size_t got = 0;

	if (size < 0 || (uint64_t)size > max) {
		err_code(e, "invalid", "%s: larger than %zu bytes", r->path, max);
		return NULL;
	}
	buf = xmalloc((size_t)size + 1);
	while ((n = tarread_data(&r->t, buf + got, (size_t)size - got, e)) > 0)
		got += (size_t)n;
	if (n < 0)
		return NULL;
	if (got != (size_t)size) {
		err_code(e, "invalid", "%s: shorter than its header says", r->path);
		return NULL;
	}
	*len = got;
	return steal_ptr(buf);
}

static int
take_index(struct reader *r, struct archive_entry *en, struct err *e)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;

	if (r->in->index)
		return err_code(e, "invalid", "index.json: duplicate entry in the archive");
	if (!(buf = read_small(r, en, OCIDOC_MANIFEST_MAX, &len, e)))
		return -1;
	r->in->index = jsonio_parse(buf, len, "index.json", e);
	return r->in->index ? 0 : -1;
}

static int
take_layout(struct reader *r, struct archive_entry *en, struct err *e)
{
	_cleanup_free_ char *buf = NULL;
	json_auto_t *doc = NULL;
	const char *v;
	size_t len;

	if (r->layout)
		return err_code(e, "invalid", "oci-layout: duplicate entry in the archive");
	r->layout = true;
	if (!(buf = read_small(r, en, LAYOUT_MAX, &len, e)) ||
	    !(doc = jsonio_parse(buf, len, "oci-layout", e)))
		return -1;
	v = jsonio_str(doc, "imageLayoutVersion");
	if (!v || strncmp(v, "1.", 2))
		return err_code(e, "invalid", "oci-layout: unsupported imageLayoutVersion '%.40s'",
				v ? v : "(none)");
	return 0;
}

/* Hash a blob the store already has: the archive's copy must still be what it claims. */
static int
verify_only(struct reader *r, const char *dg, struct err *e)
{
	_cleanup_free_ char *buf = xmalloc(CHUNK);
	char got[DIGEST_STR_LEN + 1];
	struct digester d;
	ssize_t n;

	digester_init(&d);
	while ((n = tarread_data(&r->t, buf, CHUNK, e)) > 0)
		digester_update(&d, buf, (size_t)n);
	digester_final(&d, got);
	digester_release(&d);
	if (n < 0)
		return -1;
	if (strcmp(got, dg))
		return err_code(e, "invalid", "%s: content does not match its name (got %s)",
				r->path, got);
	return 0;
}

/* Stream a blob through the ingest: nothing is visible under blobs/ until it checked out. */
static int
ingest(struct reader *r, const char *dg, int64_t size, struct err *e)
{
	_cleanup_free_ char *buf = xmalloc(CHUNK);
	struct content_ingest in;
	char why[sizeof(e->msg)];
	ssize_t n;
	int rc;

	rc = content_ingest_open(r->c, dg, size, "archive", 0, &in, e);
	if (rc != 0)
		return rc < 0 ? -1 : verify_only(r, dg, e);
	/* a partial download of the same blob is not ours to trust or resume from */
	if (in.offset > 0 && content_ingest_reset(&in, e) < 0)
		goto fail;
	while ((n = tarread_data(&r->t, buf, CHUNK, e)) > 0)
		if (content_ingest_write(&in, buf, (size_t)n, e) < 0)
			goto fail;
	if (n < 0)
		goto fail;
	if (content_ingest_commit(r->c, &in, e) == 0)
		return 0;
	if (e->sys)
		return err_prefix(e, "%s", r->path);
	snprintf(why, sizeof(why), "%s", e->msg);
	return err_code(e, "invalid", "%s: content does not match its name (%s)", r->path, why);
fail:
	content_ingest_close(r->c, &in, true);
	return -1;
}

static int
take_blob(struct reader *r, struct archive_entry *en, struct err *e)
{
	char dg[DIGEST_STR_LEN + 1];
	int64_t size = archive_entry_size(en);
	const char *hex = r->path + strlen("blobs/sha256/");

	if (strlen(hex) != DIGEST_HEX_LEN)
		return err_code(e, "invalid", "%s: not a sha256 blob name", r->path);
	snprintf(dg, sizeof(dg), "sha256:%s", hex);
	if (!digest_valid(dg))
		return err_code(e, "invalid", "%s: not a sha256 blob name", r->path);
	if (json_object_get(r->in->seen, dg))
		return err_code(e, "invalid", "%s: duplicate entry in the archive", r->path);
	if (!archive_entry_size_is_set(en) || size < 0)
		return err_code(e, "invalid", "%s: entry without a size", r->path);
	if (ingest(r, dg, size, e) < 0)
		return -1;
	json_object_set_new(r->in->seen, dg, json_integer(size));
	r->in->bytes += size;
	return 0;
}

static int
take_entry(struct reader *r, struct archive_entry *en, struct err *e)
{
	mode_t type = archive_entry_filetype(en);
	const char *p = r->path;

	if (archive_entry_hardlink(en) || type == AE_IFLNK)
		return err_code(e, "invalid", "%s: links are not allowed in an image archive", p);
	if (type == AE_IFDIR)
		return 0;
	if (type != AE_IFREG)
		return err_code(e, "invalid", "%s: not a regular file or directory", p);
	if (!strcmp(p, "index.json"))
		return take_index(r, en, e);
	if (!strcmp(p, "oci-layout"))
		return take_layout(r, en, e);
	if (!strncmp(p, "blobs/sha256/", strlen("blobs/sha256/")))
		return take_blob(r, en, e);
	r->docker |= !strcmp(p, "manifest.json");
	log_debug("archive entry '%s' ignored", p);
	return 0;
}

static int
read_all(struct reader *r, struct err *e)
{
	struct archive_entry *en;
	int rc;

	while ((rc = tarread_next(&r->t, &en, e)) > 0) {
		_cleanup_free_ char *path = canonical_path(archive_entry_pathname(en), e);

		if (!path)
			return -1;
		r->path = path;
		rc = take_entry(r, en, e);
		r->path = NULL;
		if (rc < 0)
			return -1;
	}
	if (rc < 0)
		return -1;
	if (!r->in->index)
		return err_code(e, "invalid", "%s",
				r->docker ? "docker save archives are not supported "
					    "(manifest.json without index.json)"
					  : "not an OCI image layout: no index.json");
	if (!r->layout)
		return err_code(e, "invalid", "not an OCI image layout: no oci-layout");
	return 0;
}

int
oci_archive_read(const struct content *c, int fd, struct oci_archive_in *in, struct err *e)
{
	struct reader r = {.c = c, .in = in};
	int rc;

	memset(in, 0, sizeof(*in));
	in->seen = json_object();
	rc = tarread_open_fd(&r.t, fd, e) < 0 ? -1 : read_all(&r, e);
	tarread_release(&r.t);
	if (rc < 0)
		oci_archive_in_release(in);
	return rc;
}

void
oci_archive_in_release(struct oci_archive_in *in)
{
	json_decref(in->index);
	json_decref(in->seen);
	in->index = in->seen = NULL;
}
