/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of image records and image_resolve. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "cleanup.h"
#include "image.h"
#include "jsonio.h"
#include "ocidoc.h"
#include "path.h"
#include "tap.h"
#include "xmem.h"

#define Z64 "0000000000000000000000000000000000000000000000000000000000000000"

static void
test_image_file_name(void)
{
	_cleanup_free_ char *a = image_file_name("docker.io/library/alpine:3.20");
	_cleanup_free_ char *b = image_file_name("h:5000/a%b@sha256:" Z64);
	_cleanup_free_ char *c = image_file_name("[::1]:5000/x/../y:t");

	is_str(a, "docker.io%2Flibrary%2Falpine:3.20.json", "'/' is escaped");
	is_str(b, "h:5000%2Fa%25b@sha256:" Z64 ".json", "'%%' is escaped, '@' kept");
	ok(!strchr(c, '/') && strstr(c, "%5B"), "no '/' survives, brackets escaped");
}

/* A store with one image; image_resolve must rebuild the document. */
static void
test_image_resolve(void)
{
	char tmpl[] = "/tmp/test-image.XXXXXX", cd[DIGEST_STR_LEN + 1], md[DIGEST_STR_LEN + 1];
	struct state st;
	struct content c;
	struct err e;
	const char *cfg =
	    "{\"os\":\"linux\",\"architecture\":\"arm64\",\"rootfs\":{\"type\":\"layers\","
	    "\"diff_ids\":[\"sha256:" Z64 "\"]}}";
	_cleanup_free_ char *man = NULL;
	json_t *rec, *doc, *loaded;

	state_init(&st);
	state_set_root(&st, mkdtemp(tmpl));
	state_set_run(&st, tmpl);
	ok(state_open(&st, &e) == 0 && content_open(&st, &c, &e) == 0, "open a store");
	content_put(&c, cfg, strlen(cfg), cd, &e);
	man = xasprintf("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"application/"
			"vnd.oci.image.config.v1+json\","
			"\"digest\":\"%s\",\"size\":%zu},\"layers\":[{\"mediaType\":"
			"\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:" Z64
			"\",\"size\":9}]}",
			cd, strlen(cfg));
	content_put(&c, man, strlen(man), md, &e);
	rec = json_pack("{s:s, s:{s:s, s:s, s:i}}", "name", "h/a:1", "target", "mediaType",
			OCIDOC_MT_MANIFEST, "digest", md, "size", (int)strlen(man));
	ok(image_store(&st, rec, &e) == 0, "store a record");
	loaded = image_load(&st, "h/a:1", &e);
	ok(loaded && jsonio_str(loaded, "created") && jsonio_str(loaded, "updated"),
	   "load it, with times");
	doc = image_resolve(&c, loaded, NULL, &e);
	ok(doc != NULL, "resolve it");
	is_str(jsonio_str(doc, "digest"), md, "digest");
	is_str(jsonio_str(json_object_get(doc, "platform"), "architecture"), "arm64",
	       "platform from the config");
	is_int(json_array_size(json_object_get(doc, "diff_ids")), 1, "diff_ids");
	ok(!image_load(&st, "h/b:1", &e), "a missing image");
	is_str(e.code, "not-found", "is not-found");
	json_decref(doc);
	json_decref(loaded);
	json_decref(rec);
	content_release(&c);
	path_rm_rf(AT_FDCWD, st.root, &e);
	state_release(&st);
}

int
main(void)
{
	RUN(test_image_file_name);
	RUN(test_image_resolve);
	return tap_done();
}
