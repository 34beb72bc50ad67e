/* SPDX-License-Identifier: Apache-2.0 */
/* Import, second pass: the images an archive's index.json names, checked against the store. */
#include "oci-archive.h"

#include <string.h>

#include "cleanup.h"
#include "jsonio.h"
#include "layerlimit.h"
#include "log.h"
#include "ocidoc.h"
#include "ref.h"
#include "xmem.h"

/* A blob an image needs: in the store (from the archive or from before) at its size. */
static int
need_blob(const struct content *c, const json_t *desc, struct err *e)
{
	const char *dg = jsonio_str(desc, "digest");
	json_int_t size = json_integer_value(json_object_get(desc, "size"));

	if (content_has(c, dg, size))
		return 0;
	if (content_has(c, dg, -1))
		return err_code(e, "invalid", "blob %s: not of the %lld bytes its descriptor says",
				dg, (long long)size);
	return err_code(e, "invalid", "blob %s is missing from the archive", dg);
}

/* A needed manifest or index, read and checked against its media type. New reference. */
static json_t *
need_doc(const struct content *c, const json_t *desc, struct err *e)
{
	json_t *doc;

	if (need_blob(c, desc, e) < 0)
		return NULL;
	doc = content_read_json(c, jsonio_str(desc, "digest"), OCIDOC_MANIFEST_MAX, e);
	if (doc && ocidoc_check_document(doc, jsonio_str(desc, "mediaType"), e) < 0) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

/* What an image manifest needs is there; over max layers it is refused before its config. */
static int
check_manifest(const struct content *c, const json_t *desc, size_t max, struct err *e)
{
	json_auto_t *man = need_doc(c, desc, e), *cfg = NULL, *ids = NULL;
	json_t *config, *l, *layers;
	size_t i;

	if (!man)
		goto fail;
	config = json_object_get(man, "config");
	layers = json_object_get(man, "layers");
	if (layerlimit_check(json_array_size(layers), max, e) < 0 || need_blob(c, config, e) < 0 ||
	    !(cfg = content_read_json(c, jsonio_str(config, "digest"), OCIDOC_CONFIG_MAX, e)) ||
	    !(ids = ocidoc_config_diff_ids(cfg, json_array_size(layers), e)))
		goto fail;
	json_array_foreach(layers, i, l) {
		if (need_blob(c, l, e) < 0)
			goto fail;
	}
	return 0;
fail:
	return err_prefix(e, "manifest %s", jsonio_str(desc, "digest"));
}

/* A descriptor without the archive's annotations. New reference. */
static json_t *
plain(const json_t *d)
{
	return json_pack("{s:O, s:O, s:O}", "mediaType", json_object_get(d, "mediaType"), "digest",
			 json_object_get(d, "digest"), "size", json_object_get(d, "size"));
}

/*
 * Check what the target needs; return its content/index.json entry: the
 * target, or for an index of which one image manifest is held, that
 * manifest's entry (ctr-pull's rule, so the layout stays complete).
 */
static json_t *
check_target(const struct content *c, const json_t *t, size_t max, struct err *e)
{
	const char *mt = jsonio_str(t, "mediaType");
	json_auto_t *idx = NULL;
	json_t *m, *last = NULL;
	size_t i, n = 0;

	if (ocidoc_is_manifest_type(mt))
		return check_manifest(c, t, max, e) < 0 ? NULL : plain(t);
	if (!ocidoc_is_index_type(mt)) {
		err_code(e, "invalid", "unsupported media type '%.100s'", mt);
		return NULL;
	}
	if (!(idx = need_doc(c, t, e)))
		return NULL;
	json_array_foreach(json_object_get(idx, "manifests"), i, m) {
		/* platforms the archive does not carry are allowed: the store holds what it got */
		if (!ocidoc_is_image_entry(m) || !content_has(c, jsonio_str(m, "digest"), -1))
			continue;
		if (check_manifest(c, m, max, e) < 0)
			return NULL;
		n++;
		last = m;
	}
	if (n == 0) {
		err_code(e, "invalid", "index %s: none of its image manifests is in the archive",
			 jsonio_str(t, "digest"));
		return NULL;
	}
	return n == 1 ? json_deep_copy(last) : plain(t);
}

/*
 * The entry's image name, normalised: given, else containerd's full-name
 * annotation, else the OCI ref name when it is a reference and not a bare
 * tag. Returns 1 and *out (new string), 0 when the entry has no name, -1.
 */
static int
entry_name(const json_t *ent, const char *given, char **out, struct err *e)
{
	const json_t *ann = json_object_get(ent, "annotations");
	const char *n = given ? given : jsonio_str(ann, OCI_ARCHIVE_CTRD_NAME);
	struct ref r = {0};

	if (!n && (n = jsonio_str(ann, OCI_ARCHIVE_REF_NAME)) && !strpbrk(n, "/:@"))
		n = NULL;
	if (!n)
		return 0;
	if (ref_parse(n, &r, e) < 0)
		return err_prefix(e, "image name '%.200s'", n);
	*out = ref_string(&r);
	ref_release(&r);
	return 1;
}

/* One planned image, {"name","target","entry"}, or NULL: skipped (e->msg empty) or failed. */
static json_t *
plan_entry(const struct content *c, const json_t *ent, const char *given, json_t *names, size_t max,
	   struct err *e)
{
	_cleanup_free_ char *name = NULL;
	json_auto_t *entry = NULL;
	int r = entry_name(ent, given, &name, e);

	if (r <= 0)
		return NULL;
	if (json_object_get(names, name)) {
		err_code(e, "invalid", "index.json names '%s' twice", name);
		return NULL;
	}
	json_object_set_new(names, name, json_true());
	if (!(entry = check_target(c, ent, max, e))) {
		err_prefix(e, "image '%s'", name);
		return NULL;
	}
	return json_pack("{s:s, s:o, s:O}", "name", name, "target", plain(ent), "entry", entry);
}

json_t *
oci_archive_plan(const struct content *c, const json_t *index, const char *name, size_t max_layers,
		 struct err *e)
{
	json_auto_t *out = json_array(), *names = json_object();
	json_t *ms = json_object_get(index, "manifests"), *ent;
	size_t i, skipped = 0;

	if (ocidoc_check_document(index, OCIDOC_MT_INDEX, e) < 0) {
		err_prefix(e, "index.json");
		return NULL;
	}
	if (name && json_array_size(ms) != 1) {
		err_code(e, "invalid",
			 "--name needs an archive of one image (index.json has %zu entries)",
			 json_array_size(ms));
		return NULL;
	}
	json_array_foreach(ms, i, ent) {
		json_t *img;

		e->msg[0] = '\0';
		if ((img = plan_entry(c, ent, name, names, max_layers, e))) {
			json_array_append_new(out, img);
			continue;
		}
		if (e->msg[0])
			return NULL;
		skipped++;
	}
	if (json_array_size(out) == 0) {
		err_code(e, "invalid", "the archive names no image (use --name NAME)");
		return NULL;
	}
	if (skipped)
		log_warn("%zu index.json entries without an image name skipped", skipped);
	return json_incref(out);
}
