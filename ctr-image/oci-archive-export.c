/* SPDX-License-Identifier: Apache-2.0 */
/* Export: images of the store as an OCI image layout tar, blobs streamed from the store. */
#include "oci-archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "jsonio.h"
#include "ocidoc.h"
#include "ref.h"
#include "xmem.h"

#define CHUNK (1u << 17)

struct exporter {
	const struct content *c;
	json_t *blobs; /* [{"digest","size"}] in the order they go in the tar */
	json_t *have;  /* digest -> true: each blob once */
};

static int
add_blob(struct exporter *x, const json_t *desc, struct err *e)
{
	const char *dg = jsonio_str(desc, "digest");
	json_int_t size = json_integer_value(json_object_get(desc, "size"));

	if (ocidoc_check_descriptor(desc, "blob", e) < 0)
		return -1;
	if (json_object_get(x->have, dg))
		return 0;
	if (!content_has(x->c, dg, size))
		return err_code(e, "not-found", "blob %s (%lld bytes) is not in the store", dg,
				(long long)size);
	json_object_set_new(x->have, dg, json_true());
	json_array_append_new(x->blobs, json_pack("{s:s, s:I}", "digest", dg, "size", size));
	return 0;
}

/* A manifest or index blob, added, read and checked. New reference. */
static json_t *
add_doc(struct exporter *x, const json_t *desc, struct err *e)
{
	json_t *doc;

	if (add_blob(x, desc, e) < 0)
		return NULL;
	doc = content_read_json(x->c, jsonio_str(desc, "digest"), OCIDOC_MANIFEST_MAX, e);
	if (doc && ocidoc_check_document(doc, jsonio_str(desc, "mediaType"), e) < 0) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

static int
add_manifest(struct exporter *x, const json_t *desc, struct err *e)
{
	json_auto_t *man = add_doc(x, desc, e);
	json_t *l;
	size_t i;

	if (!man || add_blob(x, json_object_get(man, "config"), e) < 0)
		return -1;
	json_array_foreach(json_object_get(man, "layers"), i, l) {
		if (add_blob(x, l, e) < 0)
			return -1;
	}
	return 0;
}

static bool
is_image_entry(const json_t *m)
{
	const char *os = jsonio_str(json_object_get(m, "platform"), "os");

	return ocidoc_is_manifest_type(jsonio_str(m, "mediaType")) &&
	       !(os && !strcmp(os, "unknown"));
}

/* The target and, for an index, every image manifest of it the store holds. */
static int
add_image(struct exporter *x, const json_t *rec, struct err *e)
{
	const json_t *target = json_object_get(rec, "target");
	json_auto_t *idx = NULL;
	json_t *m;
	size_t i, n = 0;

	if (!ocidoc_is_index_type(jsonio_str(target, "mediaType")))
		return add_manifest(x, target, e);
	if (!(idx = add_doc(x, target, e)))
		return -1;
	json_array_foreach(json_object_get(idx, "manifests"), i, m) {
		json_int_t size = json_integer_value(json_object_get(m, "size"));

		if (!is_image_entry(m) || !content_has(x->c, jsonio_str(m, "digest"), size))
			continue;
		if (add_manifest(x, m, e) < 0)
			return -1;
		n++;
	}
	return n ? 0 : err_code(e, "not-found", "the store holds no manifest of its index");
}

/* index.json entry of a record: its target, the full name and (as containerd) the tag. */
static json_t *
index_entry(const json_t *rec)
{
	const json_t *t = json_object_get(rec, "target");
	const char *name = jsonio_str(rec, "name");
	json_t *ann = json_pack("{s:s}", OCI_ARCHIVE_CTRD_NAME, name);
	struct ref r = {0};
	struct err ignored;

	if (ref_parse(name, &r, &ignored) == 0 && r.tag)
		json_object_set_new(ann, OCI_ARCHIVE_REF_NAME, json_string(r.tag));
	ref_release(&r);
	return json_pack("{s:O, s:O, s:O, s:o}", "mediaType", json_object_get(t, "mediaType"),
			 "digest", json_object_get(t, "digest"), "size", json_object_get(t, "size"),
			 "annotations", ann);
}

static int
tar_error(struct archive *a, struct err *e)
{
	int sys = archive_errno(a) > 0 ? archive_errno(a) : EIO;

	return err_set(e, sys, "write archive (%s)",
		       archive_error_string(a) ? archive_error_string(a) : "?");
}

/* One header; mtime 0 and root ownership, so that one store exports one tar. */
static int
tar_header(struct archive *a, const char *path, mode_t type, mode_t perm, int64_t size,
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
tar_buf(struct archive *a, const char *path, const char *buf, size_t len, struct err *e)
{
	if (tar_header(a, path, AE_IFREG, 0644, (int64_t)len, e) < 0)
		return -1;
	return archive_write_data(a, buf, len) == (la_ssize_t)len ? 0 : tar_error(a, e);
}

/* Copy a blob into the tar, hashing it: what goes out is what its name says. */
static int
tar_blob(struct archive *a, const struct content *c, const char *dg, int64_t size, struct err *e)
{
	_cleanup_close_ int fd = content_open_blob(c, dg, e);
	_cleanup_free_ char *path = xasprintf("blobs/sha256/%s", digest_hex(dg));
	_cleanup_free_ char *buf = xmalloc(CHUNK);
	char got[DIGEST_STR_LEN + 1];
	struct digester d;
	int64_t left = size;
	ssize_t n = 0;

	if (fd < 0 || tar_header(a, path, AE_IFREG, 0444, size, e) < 0)
		return -1;
	digester_init(&d);
	while (left > 0 && (n = read(fd, buf, left < CHUNK ? (size_t)left : CHUNK)) > 0) {
		digester_update(&d, buf, (size_t)n);
		left -= n;
		if (archive_write_data(a, buf, (size_t)n) != n) {
			digester_release(&d);
			return tar_error(a, e);
		}
	}
	digester_final(&d, got);
	digester_release(&d);
	if (n < 0 || left > 0)
		return err_set(e, n < 0 ? errno : EIO, "read blob %s", dg);
	if (strcmp(got, dg))
		return err_set(e, EIO, "blob %s is corrupt in the store (it hashes to %s)", dg,
			       got);
	return 0;
}

static int
write_tar(struct archive *a, const struct content *c, const json_t *index, const json_t *blobs,
	  struct err *e)
{
	static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}\n";
	_cleanup_free_ char *idx = json_dumps(index, JSON_COMPACT);
	json_t *b;
	size_t i;

	if (tar_buf(a, "oci-layout", layout, strlen(layout), e) < 0 ||
	    tar_buf(a, "index.json", idx, strlen(idx), e) < 0 ||
	    tar_header(a, "blobs/", AE_IFDIR, 0755, 0, e) < 0 ||
	    tar_header(a, "blobs/sha256/", AE_IFDIR, 0755, 0, e) < 0)
		return -1;
	json_array_foreach(blobs, i, b) {
		json_int_t size = json_integer_value(json_object_get(b, "size"));

		if (tar_blob(a, c, jsonio_str(b, "digest"), size, e) < 0)
			return -1;
	}
	return archive_write_close(a) == ARCHIVE_OK ? 0 : tar_error(a, e);
}

int
oci_archive_export(const struct content *c, const json_t *records, int fd, struct err *e)
{
	json_auto_t *blobs = json_array(), *have = json_object(), *entries = json_array();
	json_auto_t *index = NULL;
	struct exporter x = {.c = c, .blobs = blobs, .have = have};
	struct archive *a;
	const json_t *rec;
	size_t i;
	int r;

	/* everything is looked up before the first byte goes out */
	json_array_foreach(records, i, rec) {
		if (add_image(&x, rec, e) < 0)
			return err_prefix(e, "image '%s'", jsonio_str(rec, "name"));
		json_array_append_new(entries, index_entry(rec));
	}
	index = json_pack("{s:i, s:s, s:O}", "schemaVersion", 2, "mediaType", OCIDOC_MT_INDEX,
			  "manifests", entries);
	a = archive_write_new();
	if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_open_fd(a, fd) != ARCHIVE_OK)
		r = tar_error(a, e);
	else
		r = write_tar(a, c, index, blobs, e);
	archive_write_free(a);
	return r;
}
