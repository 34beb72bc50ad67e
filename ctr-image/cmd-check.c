/* SPDX-License-Identifier: Apache-2.0 */
/* ctr-image check: every blob an image needs is present, of its size, and hashes to its digest. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "cmd.h"
#include "image.h"
#include "jsonio.h"
#include "ocidoc.h"
#include "prog.h"
#include "xmem.h"

struct checker {
	const struct content *c;
	json_t *seen;	  /* digest -> problem text, "" when the blob is good */
	json_t *problems; /* of the image being checked: [{"digest","problem"}] */
	size_t blobs;
	int64_t bytes;
};

/* Check one descriptor's blob (once per run); true when it is good. */
static bool
check_blob(struct checker *k, const json_t *desc)
{
	const char *dg = jsonio_str(desc, "digest");
	json_int_t size = json_integer_value(json_object_get(desc, "size"));
	const char *known = jsonio_str(k->seen, dg);
	_cleanup_free_ char *why = NULL;

	if (!known) {
		why = content_blob_problem(k->c, dg, size);
		json_object_set_new(k->seen, dg, json_string(why ? why : ""));
		known = jsonio_str(k->seen, dg);
	}
	k->blobs++;
	k->bytes += size;
	if (!*known)
		return true;
	json_array_append_new(k->problems, json_pack("{s:s, s:s}", "digest", dg, "problem", known));
	return false;
}

static bool
is_image_entry(const json_t *m)
{
	const char *os = jsonio_str(json_object_get(m, "platform"), "os");

	/* attestation manifests (platform unknown/unknown) are never pulled */
	return ocidoc_is_manifest_type(jsonio_str(m, "mediaType")) &&
	       !(os && !strcmp(os, "unknown"));
}

/* A manifest or index and everything below it. */
static void
walk(struct checker *k, const json_t *desc)
{
	const char *mt = jsonio_str(desc, "mediaType");
	struct err e;
	json_auto_t *doc = NULL;
	json_t *m;
	size_t i;

	if (!check_blob(k, desc))
		return;
	doc = content_read_json(k->c, jsonio_str(desc, "digest"), OCIDOC_MANIFEST_MAX, &e);
	if (!doc || ocidoc_check_document(doc, mt, &e) < 0) {
		json_array_append_new(k->problems,
				      json_pack("{s:s, s:s}", "digest", jsonio_str(desc, "digest"),
						"problem", e.msg));
		return;
	}
	if (ocidoc_is_index_type(mt)) {
		json_array_foreach(json_object_get(doc, "manifests"), i, m)
			if (is_image_entry(m))
				walk(k, m);
		return;
	}
	check_blob(k, json_object_get(doc, "config"));
	json_array_foreach(json_object_get(doc, "layers"), i, m)
		check_blob(k, m);
}

static void
report(const char *name, struct checker *k, bool json)
{
	json_t *p;
	size_t i;

	if (json) {
		json_auto_t *out =
		    json_pack("{s:s, s:b, s:I, s:I, s:O}", "name", name, "ok",
			      json_array_size(k->problems) == 0, "blobs", (json_int_t)k->blobs,
			      "size", (json_int_t)k->bytes, "problems", k->problems);

		jsonio_write(stdout, out);
		return;
	}
	json_array_foreach(k->problems, i, p)
		printf("%s: %s: %s\n", name, jsonio_str(p, "digest"), jsonio_str(p, "problem"));
	if (json_array_size(k->problems) == 0)
		printf("%s: ok (%zu blobs, %" PRId64 " bytes)\n", name, k->blobs, k->bytes);
}

/* What the image needs: its target and, per its layout entry, the platforms pulled. */
static bool
check_image(struct checker *k, const json_t *rec, bool json)
{
	const char *name = jsonio_str(rec, "name");
	const json_t *target = json_object_get(rec, "target");
	struct err e;
	json_auto_t *entry = content_index_get(k->c, name, &e);
	bool ok;

	k->problems = json_array();
	k->blobs = 0;
	k->bytes = 0;
	/* a single platform of an index has that manifest as its layout entry */
	if (!entry || !strcmp(jsonio_str(entry, "digest"), jsonio_str(target, "digest")))
		walk(k, target);
	else if (check_blob(k, target))
		walk(k, entry);
	ok = json_array_size(k->problems) == 0;
	report(name, k, json);
	json_decref(k->problems);
	return ok;
}

static json_t *
records(struct state *st, int argc, char **argv)
{
	json_t *list;
	struct err e;

	if (optind == argc) {
		if (!(list = image_list(st, &e)))
			die_err(&e);
		return list;
	}
	list = json_array();
	for (int i = optind; i < argc; i++) {
		_cleanup_free_ char *name = cmd_name(argv[i]);
		json_t *rec = image_load(st, name, &e);

		if (!rec)
			die_err(&e);
		json_array_append_new(list, rec);
	}
	return list;
}

const struct opt_cmd cmd_check_spec = {
    "[NAME...]", "check that the store holds all of each image and that digests match",
    cmd_json_opt, 0, 0};

int
cmd_check(int argc, char **argv, struct state *st)
{
	bool json = false, ok = true;
	json_auto_t *list = NULL, *seen = json_object();
	struct content c;
	struct checker k = {.c = &c, .seen = seen};
	struct err e;
	json_t *rec;
	size_t i;

	cmd_opts(&cmd_check_spec, argc, argv, st, &json, NULL, 0, -1);
	if (state_open(st, &e) < 0 || content_open(st, &c, &e) < 0)
		die_err(&e);
	list = records(st, argc, argv);
	json_array_foreach(list, i, rec)
		ok = check_image(&k, rec, json) && ok;
	content_release(&c);
	fflush(stdout);
	return ok ? 0 : EXIT_NEG;
}
