/* SPDX-License-Identifier: Apache-2.0 */
/* ctr-image check's job: walking an image's documents, hashing each blob once, repairing. */
#include "check.h"

#include <string.h>

#include "cleanup.h"
#include "jsonio.h"
#include "log.h"
#include "ocidoc.h"
#include "repair.h"

void
check_init(struct checker *k, const struct state *st, const struct content *c, bool repair)
{
	*k = (struct checker){.c = c, .st = st, .seen = json_object()};
	if (repair)
		k->repairs = json_object();
}

void
check_release(struct checker *k)
{
	json_decref(k->seen);
	json_decref(k->repairs);
	k->seen = k->repairs = NULL;
}

void
check_result_release(struct check_result *r)
{
	json_decref(r->problems);
	json_decref(r->repairs);
	*r = (struct check_result){0};
}

/*
 * A blob that is there but does not hash right (or is of another size):
 * marked bad, so that ctr-pull re-hashes it before reusing it. A store we
 * may not write to only loses the mark.
 */
static void
mark_bad(const struct checker *k, const char *dg, const char *why)
{
	struct err e;

	if (!strcmp(why, "missing") || content_mark_bad(k->c, dg, why, &e) == 0)
		return;
	log_warn("cannot mark blob %s bad: %s", dg, e.msg);
}

/* Check one descriptor's blob (once per run); true when it is good. */
static bool
check_blob(struct checker *k, struct check_result *r, const json_t *desc)
{
	const char *dg = jsonio_str(desc, "digest");
	json_int_t size = json_integer_value(json_object_get(desc, "size"));
	const char *known = jsonio_str(k->seen, dg);
	_cleanup_free_ char *why = NULL;

	if (!known) {
		why = content_blob_problem(k->c, dg, size);
		json_object_set_new(k->seen, dg, json_string(why ? why : ""));
		known = jsonio_str(k->seen, dg);
		if (why)
			mark_bad(k, dg, why);
	}
	r->blobs++;
	r->bytes += size;
	if (!*known)
		return true;
	json_array_append_new(r->problems, json_pack("{s:s, s:s, s:I}", "digest", dg, "problem",
						     known, "size", size));
	return false;
}

/* A manifest or index and everything below it. */
static void
walk(struct checker *k, struct check_result *r, const json_t *desc)
{
	const char *mt = jsonio_str(desc, "mediaType");
	struct err e;
	json_auto_t *doc = NULL;
	json_t *m;
	size_t i;

	if (!check_blob(k, r, desc))
		return;
	doc = content_read_json(k->c, jsonio_str(desc, "digest"), OCIDOC_MANIFEST_MAX, &e);
	if (!doc || ocidoc_check_document(doc, mt, &e) < 0) {
		json_array_append_new(r->problems,
				      json_pack("{s:s, s:s}", "digest", jsonio_str(desc, "digest"),
						"problem", e.msg));
		return;
	}
	if (ocidoc_is_index_type(mt)) {
		json_array_foreach(json_object_get(doc, "manifests"), i, m)
			if (ocidoc_is_image_entry(m))
				walk(k, r, m);
		return;
	}
	check_blob(k, r, json_object_get(doc, "config"));
	json_array_foreach(json_object_get(doc, "layers"), i, m)
		check_blob(k, r, m);
}

/* The image's blobs from its target down: a single platform of an index has its manifest as entry. */
static void
walk_image(struct checker *k, struct check_result *r, const json_t *target, const json_t *entry)
{
	json_decref(r->problems);
	r->problems = json_array();
	r->blobs = 0;
	r->bytes = 0;
	if (!entry || !strcmp(jsonio_str(entry, "digest"), jsonio_str(target, "digest")))
		walk(k, r, target);
	else if (check_blob(k, r, target))
		walk(k, r, entry);
}

/*
 * Repair each bad blob of the image once per run (repair.h); a blob whose
 * document does not parse, though it hashes right, is left. r->repairs gets
 * what was done for this image.
 */
static int
repair(struct checker *k, struct check_result *r, struct err *e)
{
	json_t *p, *done;
	size_t i;

	r->repairs = json_array();
	json_array_foreach(r->problems, i, p) {
		const char *dg = jsonio_str(p, "digest");

		if (!json_object_get(p, "size"))
			continue;
		if (!(done = json_object_get(k->repairs, dg))) {
			done = repair_blob(k->st, k->c, dg,
					   json_integer_value(json_object_get(p, "size")),
					   jsonio_str(p, "problem"), e);
			if (!done)
				return -1;
			json_object_set_new(k->repairs, dg, done);
			/* checked again below */
			json_object_del(k->seen, dg);
		}
		json_array_append(r->repairs, done);
	}
	return 0;
}

int
check_image(struct checker *k, const json_t *rec, struct check_result *r, struct err *e)
{
	const json_t *target = json_object_get(rec, "target");
	json_auto_t *entry = content_index_get(k->c, jsonio_str(rec, "name"), &(struct err){0});

	*r = (struct check_result){0};
	walk_image(k, r, target, entry);
	if (k->repairs && json_array_size(r->problems)) {
		if (repair(k, r, e) < 0) {
			check_result_release(r);
			return -1;
		}
		walk_image(k, r, target, entry);
	}
	return 0;
}
