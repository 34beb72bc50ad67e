/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Import, first pass: an image archive (OCI layout or docker save) streamed
 * into the content store: blobs/sha256/<hex> by name, every other file into
 * the spool, links recorded and resolved once the whole archive was seen.
 */
#include "oci-archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <string.h>

#include "cleanup.h"
#include "fdio.h"
#include "jsonio.h"
#include "log.h"
#include "ocidoc.h"
#include "tarread.h"
#include "xmem.h"

#define CHUNK (1u << 17)
#define LAYOUT_MAX 4096
#define LINK_HOPS 8 /* links followed in a row before it is called a loop */

struct reader {
	struct tarread t;
	const struct content *c;
	struct oci_archive_in *in;
	const char *path; /* of the entry being read, canonical */
	bool layout;	  /* oci-layout seen */
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

/* Read the entry's data, hashing it into got and copying it to fd unless fd < 0. */
static int
drain_entry(struct reader *r, int fd, char got[DIGEST_STR_LEN + 1], int64_t *size, struct err *e)
{
	_cleanup_free_ char *buf = xmalloc(CHUNK);
	struct digester d;
	ssize_t n = 0;
	int rc = 0;

	*size = 0;
	digester_init(&d);
	while (rc == 0 && (n = tarread_data(&r->t, buf, CHUNK, e)) > 0) {
		digester_update(&d, buf, (size_t)n);
		*size += n;
		if (fd >= 0 && fdio_write_full(fd, buf, (size_t)n) < 0)
			rc = err_set(e, errno, "%s: write to the spool", r->path);
	}
	digester_final(&d, got);
	digester_release(&d);
	return rc == 0 && n < 0 ? -1 : rc;
}

/* Hash a blob the store already has: the archive's copy must still be what it claims. */
static int
verify_only(struct reader *r, const char *dg, struct err *e)
{
	char got[DIGEST_STR_LEN + 1];
	int64_t size;

	if (drain_entry(r, -1, got, &size, e) < 0)
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

/* A second entry of one path: which of the two would count is ambiguous. */
static int
take_path(struct reader *r, struct err *e)
{
	if (json_object_get(r->in->files, r->path) || json_object_get(r->in->links, r->path))
		return err_code(e, "invalid", "%s: duplicate entry in the archive", r->path);
	return 0;
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
	if (!archive_entry_size_is_set(en) || size < 0)
		return err_code(e, "invalid", "%s: entry without a size", r->path);
	if (ingest(r, dg, size, e) < 0)
		return -1;
	json_object_set_new(r->in->seen, dg, json_integer(size));
	json_object_set_new(r->in->files, r->path,
			    json_pack("{s:s, s:I}", "digest", dg, "size", size));
	r->in->bytes += size;
	return 0;
}

/* Any other file: hashed into the spool, for a docker archive's manifest.json to name. */
static int
take_file(struct reader *r, struct err *e)
{
	char dg[DIGEST_STR_LEN + 1];
	_cleanup_close_ int fd = -1;
	int64_t size;
	unsigned id;

	if (r->in->spool.dirfd < 0 && content_spool_open(r->c, &r->in->spool, e) < 0)
		return -1;
	if ((fd = content_spool_create(&r->in->spool, &id, e)) < 0 ||
	    drain_entry(r, fd, dg, &size, e) < 0)
		return -1;
	json_object_set_new(r->in->files, r->path,
			    json_pack("{s:s, s:I, s:i}", "digest", dg, "size", size, "spool", id));
	r->in->bytes += size;
	return 0;
}

static int
take_manifest(struct reader *r, struct archive_entry *en, struct err *e)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;

	if (!(buf = read_small(r, en, OCIDOC_MANIFEST_MAX, &len, e)))
		return -1;
	r->in->manifest = jsonio_parse(buf, len, "manifest.json", e);
	return r->in->manifest ? 0 : -1;
}

char *
oci_archive_link_target(const char *path, const char *target, bool sym, struct err *e)
{
	_cleanup_free_ char *joined = NULL;
	const char *slash = strrchr(path, '/');
	char *out, *tok, *save = NULL;
	size_t len = 0;

	if (!target || !*target || *target == '/') {
		err_code(e, "invalid", "%s: link to an absolute or empty path '%.200s'", path,
			 target ? target : "");
		return NULL;
	}
	joined = sym && slash ? xasprintf("%.*s/%s", (int)(slash - path), path, target)
			      : xstrdup(target);
	out = xcalloc(1, strlen(joined) + 1);
	for (tok = strtok_r(joined, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (!strcmp(tok, "."))
			continue;
		if (strcmp(tok, "..")) {
			len += (size_t)sprintf(out + len, "%s%s", len ? "/" : "", tok);
			continue;
		}
		if (!len) {
			err_code(e, "invalid", "%s: link leaves the archive ('%.200s')", path,
				 target);
			free(out);
			return NULL;
		}
		while (len && out[len - 1] != '/')
			len--;
		out[len ? --len : 0] = '\0';
	}
	return out;
}

static int
take_link(struct reader *r, struct archive_entry *en, struct err *e)
{
	const char *hard = archive_entry_hardlink(en);
	char *target = hard ? oci_archive_link_target(r->path, hard, false, e)
			    : oci_archive_link_target(r->path, archive_entry_symlink(en), true, e);

	if (!target)
		return -1;
	json_object_set_new(r->in->links, r->path, json_string(target));
	free(target);
	return 0;
}

static int
take_entry(struct reader *r, struct archive_entry *en, struct err *e)
{
	mode_t type = archive_entry_filetype(en);
	const char *p = r->path;

	if (type == AE_IFDIR && !archive_entry_hardlink(en))
		return 0;
	if (take_path(r, e) < 0)
		return -1;
	if (archive_entry_hardlink(en) || type == AE_IFLNK)
		return take_link(r, en, e);
	if (type != AE_IFREG)
		return err_code(e, "invalid", "%s: not a regular file, directory or link", p);
	if (!strcmp(p, "index.json"))
		return take_index(r, en, e);
	if (!strcmp(p, "oci-layout"))
		return take_layout(r, en, e);
	if (!strcmp(p, "manifest.json"))
		return take_manifest(r, en, e);
	if (!strncmp(p, "blobs/sha256/", strlen("blobs/sha256/")))
		return take_blob(r, en, e);
	return take_file(r, e);
}

const json_t *
oci_archive_file(const struct oci_archive_in *in, const char *path, struct err *e)
{
	const char *p = path;
	const json_t *t;

	for (int hops = 0; hops <= LINK_HOPS; hops++) {
		const json_t *f = json_object_get(in->files, p);

		if (f)
			return f;
		if (!(t = json_object_get(in->links, p))) {
			if (p == path)
				err_code(e, "invalid", "'%.200s' is not a file of the archive", p);
			else
				err_code(e, "invalid",
					 "%s: link target '%.200s' is not a file of the archive",
					 path, p);
			return NULL;
		}
		p = json_string_value(t);
	}
	err_code(e, "invalid", "%s: more than %d links in a row (a loop?)", path, LINK_HOPS);
	return NULL;
}

/* Every link leads to a regular entry, whether an image uses it or not. */
static int
check_links(const struct oci_archive_in *in, struct err *e)
{
	const char *path;
	json_t *t;

	json_object_foreach(in->links, path, t) {
		if (!oci_archive_file(in, path, e))
			return -1;
	}
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
	if (check_links(r->in, e) < 0)
		return -1;
	/* both: an OCI layout (docker 25 writes one beside its manifest.json), as containerd does */
	if (r->in->index && (r->layout || !r->in->manifest)) {
		r->in->format = ARCHIVE_OCI;
		if (!r->layout)
			return err_code(e, "invalid", "not an OCI image layout: no oci-layout");
	} else if (r->in->manifest) {
		r->in->format = ARCHIVE_DOCKER;
	}
	return 0;
}

int
oci_archive_read(const struct content *c, int fd, struct oci_archive_in *in, struct err *e)
{
	struct reader r = {.c = c, .in = in};
	int rc;

	memset(in, 0, sizeof(*in));
	in->c = c;
	in->seen = json_object();
	in->files = json_object();
	in->links = json_object();
	in->spool.dirfd = -1;
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
	json_decref(in->manifest);
	json_decref(in->files);
	json_decref(in->links);
	in->index = in->seen = in->manifest = in->files = in->links = NULL;
	content_spool_release(in->c, &in->spool);
}
