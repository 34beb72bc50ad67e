/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: manifests, indexes and configs (ocidoc.c). Each input is one
 * JSON document, checked as each media type in turn, then as an index to pick
 * from and as a config to take diff_ids from.
 */
#include "fuzz.h"
#include "jsonio.h"
#include "ocidoc.h"
#include "platform.h"

FUZZ_QUIET_INIT

static const char *const types[] = {
    OCIDOC_MT_INDEX,
    OCIDOC_MT_MANIFEST,
    OCIDOC_MT_DOCKER_LIST,
    OCIDOC_MT_DOCKER_MANIFEST,
    "application/vnd.oci.image.config.v1+json",
    NULL,
};

static void
as_index(const json_t *doc)
{
	static const char *const wants[] = {"linux/amd64", "linux/arm64/v8", "linux/arm/v7", NULL};
	struct platform p;
	struct err e;
	int pos;

	for (const char *const *w = wants; *w; w++) {
		if (platform_parse(*w, &p, &e) < 0)
			abort();
		pos = ocidoc_index_select(doc, &p, &e);
		/* what was picked is a manifest entry with a platform */
		if (pos >= 0 && (pos >= (int)json_array_size(json_object_get(doc, "manifests")) ||
				 !ocidoc_is_manifest_type(jsonio_str(
				     json_array_get(json_object_get(doc, "manifests"), (size_t)pos),
				     "mediaType"))))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e;
	json_t *doc = jsonio_parse((const char *)data, size, "fuzz", &e), *ids;
	struct platform p;

	if (!doc)
		return 0;
	for (const char *const *t = types; *t; t++)
		if (ocidoc_check_document(doc, *t, &e) == 0 && !ocidoc_is_index_type(*t) &&
		    !ocidoc_is_manifest_type(*t))
			abort();
	(void)ocidoc_check_descriptor(json_object_get(doc, "config"), "config", &e);
	as_index(doc);
	(void)ocidoc_platform_of(doc, &p, &e);
	for (size_t n = 0; n < 3; n++) {
		ids = ocidoc_config_diff_ids(doc, n, &e);
		if (ids && json_array_size(ids) != n)
			abort();
		json_decref(ids);
	}
	json_decref(doc);
	return 0;
}
