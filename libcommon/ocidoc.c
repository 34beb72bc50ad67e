/* SPDX-License-Identifier: Apache-2.0 */
/* Checks of manifests, indexes, descriptors and configs from untrusted sources. */
#include "ocidoc.h"

#include <string.h>

#include "cleanup.h"
#include "digest.h"
#include "jsonio.h"
#include "xmem.h"

static const char *const layer_types[] = {
    "application/vnd.oci.image.layer.v1.tar",
    "application/vnd.oci.image.layer.v1.tar+gzip",
    "application/vnd.oci.image.layer.v1.tar+zstd",
    "application/vnd.docker.image.rootfs.diff.tar.gzip",
    /* uncompressed Docker layers: containerd imports docker archives with it */
    "application/vnd.docker.image.rootfs.diff.tar",
    NULL,
};
static const char *const config_types[] = {
    "application/vnd.oci.image.config.v1+json",
    "application/vnd.docker.container.image.v1+json",
    NULL,
};

static bool
in_list(const char *const *list, const char *s)
{
	for (; s && *list; list++)
		if (!strcmp(*list, s))
			return true;
	return false;
}

bool
ocidoc_is_index_type(const char *mt)
{
	return mt && (!strcmp(mt, OCIDOC_MT_INDEX) || !strcmp(mt, OCIDOC_MT_DOCKER_LIST));
}

bool
ocidoc_is_manifest_type(const char *mt)
{
	return mt && (!strcmp(mt, OCIDOC_MT_MANIFEST) || !strcmp(mt, OCIDOC_MT_DOCKER_MANIFEST));
}

bool
ocidoc_is_image_entry(const json_t *m)
{
	const char *os = jsonio_str(json_object_get(m, "platform"), "os");

	return ocidoc_is_manifest_type(jsonio_str(m, "mediaType")) &&
	       !(os && !strcmp(os, "unknown"));
}

int
ocidoc_check_descriptor(const json_t *d, const char *what, struct err *e)
{
	const char *mt = jsonio_str(d, "mediaType");
	json_t *size = json_object_get(d, "size");

	if (!json_is_object(d))
		return err_code(e, "invalid", "%s: descriptor is not an object", what);
	if (!mt || !*mt || strlen(mt) > 255)
		return err_code(e, "invalid", "%s: descriptor without a valid mediaType", what);
	if (digest_check(jsonio_str(d, "digest"), what, e) < 0)
		return -1;
	if (!json_is_integer(size) || json_integer_value(size) < 0)
		return err_code(e, "invalid", "%s: descriptor size is not a non-negative integer",
				what);
	return 0;
}

static int
check_manifest(const json_t *doc, struct err *e)
{
	json_t *layers = json_object_get(doc, "layers"), *l;
	json_t *config = json_object_get(doc, "config");
	size_t i;

	if (ocidoc_check_descriptor(config, "config", e) < 0)
		return -1;
	if (!in_list(config_types, jsonio_str(config, "mediaType")))
		return err_code(e, "invalid", "unsupported config media type '%.100s'",
				jsonio_str(config, "mediaType"));
	if (json_integer_value(json_object_get(config, "size")) > OCIDOC_CONFIG_MAX)
		return err_code(e, "invalid", "config larger than %u bytes", OCIDOC_CONFIG_MAX);
	if (!json_is_array(layers))
		return err_code(e, "invalid", "manifest without a \"layers\" array");
	json_array_foreach(layers, i, l) {
		char what[48];

		snprintf(what, sizeof(what), "layer %zu", i);
		if (ocidoc_check_descriptor(l, what, e) < 0)
			return -1;
		if (!in_list(layer_types, jsonio_str(l, "mediaType")))
			return err_code(e, "invalid", "layer %zu: unsupported media type '%.100s'",
					i, jsonio_str(l, "mediaType"));
	}
	return 0;
}

static int
check_index(const json_t *doc, struct err *e)
{
	json_t *ms = json_object_get(doc, "manifests"), *m;
	size_t i;

	if (!json_is_array(ms))
		return err_code(e, "invalid", "index without a \"manifests\" array");
	json_array_foreach(ms, i, m) {
		char what[48];

		snprintf(what, sizeof(what), "index entry %zu", i);
		if (ocidoc_check_descriptor(m, what, e) < 0)
			return -1;
		if (json_integer_value(json_object_get(m, "size")) > OCIDOC_MANIFEST_MAX)
			return err_code(e, "invalid", "%s: manifest larger than %u bytes", what,
					OCIDOC_MANIFEST_MAX);
	}
	return 0;
}

int
ocidoc_check_document(const json_t *doc, const char *mt, struct err *e)
{
	const char *inner = jsonio_str(doc, "mediaType");
	bool has_m = json_object_get(doc, "manifests") != NULL;
	bool has_l = json_object_get(doc, "layers") || json_object_get(doc, "config");

	if (!json_is_object(doc))
		return err_code(e, "invalid", "manifest is not a JSON object");
	if (json_integer_value(json_object_get(doc, "schemaVersion")) != 2)
		return err_code(e, "invalid", "unsupported manifest schemaVersion (want 2)");
	/* a document that could be read as either kind is refused (CVE-2021-41190) */
	if (has_m && has_l)
		return err_code(e, "invalid",
				"ambiguous manifest: both \"manifests\" and \"layers\"/\"config\"");
	if (inner && strcmp(inner, mt))
		return err_code(e, "invalid", "manifest mediaType '%.100s' disagrees with '%.100s'",
				inner, mt);
	if (ocidoc_is_index_type(mt))
		return check_index(doc, e);
	if (ocidoc_is_manifest_type(mt))
		return check_manifest(doc, e);
	return err_code(e, "invalid", "unsupported manifest media type '%.100s'", mt);
}

static int
copy_field(char *dst, size_t size, const char *src, const char *what, struct err *e)
{
	if (!src)
		src = "";
	if (strlen(src) >= size)
		return err_code(e, "invalid", "platform %s too long", what);
	strcpy(dst, src);
	return 0;
}

int
ocidoc_platform_of(const json_t *obj, struct platform *p, struct err *e)
{
	memset(p, 0, sizeof(*p));
	if (!jsonio_str(obj, "os") || !jsonio_str(obj, "architecture"))
		return err_code(e, "invalid", "platform without os and architecture");
	if (copy_field(p->os, sizeof(p->os), jsonio_str(obj, "os"), "os", e) < 0 ||
	    copy_field(p->arch, sizeof(p->arch), jsonio_str(obj, "architecture"), "arch", e) < 0 ||
	    copy_field(p->variant, sizeof(p->variant), jsonio_str(obj, "variant"), "variant", e) <
		0)
		return -1;
	platform_normalize(p);
	return 0;
}

int
ocidoc_index_select(const json_t *index, const struct platform *p, struct err *e)
{
	json_t *ms = json_object_get(index, "manifests");
	size_t n = json_array_size(ms);
	_cleanup_free_ struct platform *cands = xcalloc(n ? n : 1, sizeof(*cands));
	_cleanup_free_ int *pos = xcalloc(n ? n : 1, sizeof(*pos));
	char want[96];
	int k = 0, best;

	for (size_t i = 0; i < n; i++) {
		json_t *m = json_array_get(ms, i);
		struct err ignored;

		/* entries without a platform, or not manifests, are not candidates */
		if (!ocidoc_is_manifest_type(jsonio_str(m, "mediaType")) ||
		    ocidoc_platform_of(json_object_get(m, "platform"), &cands[k], &ignored) < 0)
			continue;
		pos[k++] = (int)i;
	}
	best = platform_best(p, cands, k);
	if (best >= 0)
		return pos[best];
	platform_format(p, want, sizeof(want));
	return err_code(e, "not-found", "no manifest for platform %s in the index", want);
}

json_t *
ocidoc_config_diff_ids(const json_t *config, size_t nlayers, struct err *e)
{
	json_t *ids = json_object_get(json_object_get(config, "rootfs"), "diff_ids"), *d;
	size_t i;

	if (!json_is_array(ids)) {
		err_code(e, "invalid", "config without rootfs.diff_ids");
		return NULL;
	}
	if (json_array_size(ids) != nlayers) {
		err_code(e, "invalid", "config has %zu diff_ids for %zu layers",
			 json_array_size(ids), nlayers);
		return NULL;
	}
	json_array_foreach(ids, i, d)
		if (digest_check(json_string_value(d), "config diff_id", e) < 0)
			return NULL;
	return json_deep_copy(ids);
}
