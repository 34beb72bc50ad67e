/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of OCI document checks: manifests, indexes, platform choice, diff_ids. */
#include "cleanup.h"
#include "ocidoc.h"
#include "tap.h"
#include "xmem.h"

#define Z64 "0000000000000000000000000000000000000000000000000000000000000000"

static json_t *
parse(const char *s)
{
	return json_loads(s, 0, NULL);
}

static void
test_ocidoc_check_document(void)
{
	const char *cfg = "{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
			  "\"digest\":\"sha256:" Z64 "\",\"size\":2}";
	_cleanup_free_ char *good =
	    xasprintf("{\"schemaVersion\":2,\"config\":%s,\"layers\":[]}", cfg);
	_cleanup_free_ char *amb =
	    xasprintf("{\"schemaVersion\":2,\"config\":%s,\"layers\":[],\"manifests\":[]}", cfg);
	json_t *g = parse(good), *a = parse(amb),
	       *bad = parse("{\"schemaVersion\":2,\"manifests\":["
			    "{\"mediaType\":\"x\",\"digest\":\"sha256:../x\",\"size\":1}]}");
	struct err e;

	ok(ocidoc_check_document(g, OCIDOC_MT_MANIFEST, &e) == 0, "a good manifest");
	ok(ocidoc_check_document(g, OCIDOC_MT_DOCKER_LIST, &e) < 0, "read as the wrong kind");
	ok(ocidoc_check_document(a, OCIDOC_MT_MANIFEST, &e) < 0, "ambiguous is refused");
	ok(strstr(e.msg, "ambiguous") != NULL, "and says why");
	ok(ocidoc_check_document(g, "application/x-evil", &e) < 0, "unknown media type");
	ok(ocidoc_check_document(bad, OCIDOC_MT_INDEX, &e) < 0, "bad digest in an index");
	json_object_set_new(g, "mediaType", json_string(OCIDOC_MT_DOCKER_MANIFEST));
	ok(ocidoc_check_document(g, OCIDOC_MT_MANIFEST, &e) < 0, "embedded type disagrees");
	json_decref(g);
	json_decref(a);
	json_decref(bad);
}

static void
test_ocidoc_index_select(void)
{
	json_t *idx =
	    parse("{\"manifests\":["
		  "{\"mediaType\":\"" OCIDOC_MT_MANIFEST
		  "\",\"platform\":{\"os\":\"linux\",\"architecture\":\"arm\",\"variant\":\"v6\"}},"
		  "{\"mediaType\":\"" OCIDOC_MT_MANIFEST
		  "\",\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}},"
		  "{\"mediaType\":\"" OCIDOC_MT_MANIFEST
		  "\",\"platform\":{\"os\":\"linux\",\"architecture\":\"arm\",\"variant\":\"v7\"}},"
		  "{\"mediaType\":\"" OCIDOC_MT_MANIFEST
		  "\",\"platform\":{\"os\":\"unknown\",\"architecture\":\"unknown\"}}]}");
	struct platform p;
	struct err e;

	platform_parse("linux/amd64", &p, &e);
	is_int(ocidoc_index_select(idx, &p, &e), 1, "amd64");
	platform_parse("linux/arm/v7", &p, &e);
	is_int(ocidoc_index_select(idx, &p, &e), 2, "arm/v7 exactly");
	platform_parse("linux/arm/v8", &p, &e);
	is_int(ocidoc_index_select(idx, &p, &e), 2, "arm/v8 takes the newest older variant");
	platform_parse("linux/s390x", &p, &e);
	is_int(ocidoc_index_select(idx, &p, &e), -1, "no match");
	json_decref(idx);
}

/* rootfs.diff_ids: one valid digest per layer, or a refusal that says what is wrong. */
static void
test_ocidoc_config_diff_ids(void)
{
	static const struct {
		const char *config;
		size_t nlayers;
		const char *want; /* NULL: accepted; else a part of the message */
	} cases[] = {
	    {"{\"rootfs\":{\"diff_ids\":[\"sha256:" Z64 "\"]}}", 1, NULL},
	    {"{\"rootfs\":{\"diff_ids\":[]}}", 0, NULL},
	    {"{\"rootfs\":{\"diff_ids\":[\"sha256:" Z64 "\"]}}", 2, "1 diff_ids for 2 layers"},
	    {"{\"rootfs\":{}}", 1, "without rootfs.diff_ids"},
	    {"{\"rootfs\":{\"diff_ids\":[\"sha256:../x\"]}}", 1, "config diff_id"},
	    {"{\"rootfs\":{\"diff_ids\":[7]}}", 1, "config diff_id"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *cfg = parse(cases[i].config), *ids;
		struct err e = {0};

		ids = ocidoc_config_diff_ids(cfg, cases[i].nlayers, &e);
		if (!cases[i].want)
			ok(ids && json_array_size(ids) == cases[i].nlayers, "#%zu accepted", i);
		else
			ok(!ids && strstr(e.msg, cases[i].want), "#%zu refused: %s", i, e.msg);
		json_decref(ids);
		json_decref(cfg);
	}
}

static void
test_ocidoc_is_image_entry(void)
{
	static const char *const rows[][2] = {
	    {"{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"}", "y"},
	    {"{\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\","
	     "\"platform\":{\"os\":\"linux\"}}",
	     "y"},
	    {"{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
	     "\"platform\":{\"os\":\"unknown\",\"architecture\":\"unknown\"}}",
	     "n"},
	    {"{\"mediaType\":\"application/vnd.oci.image.index.v1+json\"}", "n"},
	    {"{\"platform\":{\"os\":\"linux\"}}", "n"},
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		json_auto_t *m = parse(rows[i][0]);

		ok(ocidoc_is_image_entry(m) == (rows[i][1][0] == 'y'), "%s: %s", rows[i][0],
		   rows[i][1]);
	}
}

int
main(void)
{
	RUN(test_ocidoc_check_document);
	RUN(test_ocidoc_index_select);
	RUN(test_ocidoc_config_diff_ids);
	RUN(test_ocidoc_is_image_entry);
	return tap_done();
}
