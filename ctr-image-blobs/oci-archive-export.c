/* SPDX-License-Identifier: Apache-2.0 */
/* Export: images of the store as an OCI image layout tar, blobs streamed from the store. */
#include "oci-archive.h"

#include <string.h>

#include "cleanup.h"
#include "jsonio.h"
#include "ocidoc.h"
#include "tarout.h"
#include "xmem.h"

/* The oci-layout file of an image layout. */
#define OCI_LAYOUT "{\"imageLayoutVersion\":\"1.0.0\"}\n"

struct exporter {
	const struct content *c;
	json_t *blobs; /* [{"digest","size"}] in tar order, as tarout_layout takes them */
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
	if (tarout_held(x->c, desc, e) < 0)
		return -1;
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

		if (!ocidoc_is_image_entry(m) || !content_has(x->c, jsonio_str(m, "digest"), size))
			continue;
		if (add_manifest(x, m, e) < 0)
			return -1;
		n++;
	}
	return n ? 0 : err_code(e, "not-found", "the store holds no manifest of its index");
}

/*
 * index.json entry of a record: its target and the full name, in both
 * annotations. containerd reads its own; skopeo (containers/image) matches
 * oci-archive:FILE:NAME against the OCI ref name alone, so the tag alone
 * there (containerd's choice) left the name a user types unfound, and two
 * images with one tag ambiguous.
 */
static json_t *
index_entry(const json_t *rec)
{
	const json_t *t = json_object_get(rec, "target");
	const char *name = jsonio_str(rec, "name");
	json_t *ann =
	    json_pack("{s:s, s:s}", OCI_ARCHIVE_CTRD_NAME, name, OCI_ARCHIVE_REF_NAME, name);

	return json_pack("{s:O, s:O, s:O, s:o}", "mediaType", json_object_get(t, "mediaType"),
			 "digest", json_object_get(t, "digest"), "size", json_object_get(t, "size"),
			 "annotations", ann);
}

int
oci_archive_export(const struct content *c, const json_t *records, int fd, struct err *e)
{
	json_auto_t *blobs = json_array(), *have = json_object(), *entries = json_array();
	json_auto_t *index = NULL;
	struct exporter x = {.c = c, .blobs = blobs, .have = have};
	_cleanup_free_ char *idx = NULL;
	const json_t *rec;
	size_t i;

	/* everything is looked up before the first byte goes out */
	json_array_foreach(records, i, rec) {
		if (add_image(&x, rec, e) < 0)
			return err_prefix(e, "image '%s'", jsonio_str(rec, "name"));
		json_array_append_new(entries, index_entry(rec));
	}
	index = json_pack("{s:i, s:s, s:O}", "schemaVersion", 2, "mediaType", OCIDOC_MT_INDEX,
			  "manifests", entries);
	idx = json_dumps(index, JSON_COMPACT);
	const struct tarout_file files[] = {
	    {"oci-layout", OCI_LAYOUT}, {"index.json", idx}, {NULL}};

	return tarout_layout(fd, c, files, blobs, e);
}
