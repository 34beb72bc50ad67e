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
#include "log.h"
#include "prog.h"
#include "repair.h"
#include "xmem.h"

struct checker {
	const struct content *c;
	const struct state *st;
	json_t *seen;	  /* digest -> problem text, "" when the blob is good */
	json_t *problems; /* of the image being checked: [{"digest","problem","size"}] */
	json_t *repairs;  /* --repair: what was done per digest (repair.h), else NULL */
	size_t blobs;
	int64_t bytes;
};

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
		if (why)
			mark_bad(k, dg, why);
	}
	k->blobs++;
	k->bytes += size;
	if (!*known)
		return true;
	json_array_append_new(k->problems, json_pack("{s:s, s:s, s:I}", "digest", dg, "problem",
						     known, "size", size));
	return false;
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
			if (ocidoc_is_image_entry(m))
				walk(k, m);
		return;
	}
	check_blob(k, json_object_get(doc, "config"));
	json_array_foreach(json_object_get(doc, "layers"), i, m)
		check_blob(k, m);
}

/* --repair's lines: what was done about each bad blob. */
static void
report_repairs(const char *name, const json_t *done)
{
	const char *act, *src, *why;
	json_t *r;
	size_t i;

	json_array_foreach(done, i, r) {
		act = jsonio_str(r, "action");
		src = jsonio_str(r, "source");
		why = jsonio_str(r, "why");
		if (!strcmp(act, "refetched"))
			printf("%s: %s: fetched again from %s\n", name, jsonio_str(r, "digest"),
			       src);
		else
			printf("%s: %s: %s (%s)\n", name, jsonio_str(r, "digest"),
			       strcmp(act, "dropped") ? "not repaired" : "dropped", why);
	}
}

static void
report(const char *name, struct checker *k, const json_t *done, bool json)
{
	json_t *p;
	size_t i;

	if (json) {
		json_auto_t *out =
		    json_pack("{s:s, s:b, s:I, s:I, s:O}", "name", name, "ok",
			      json_array_size(k->problems) == 0, "blobs", (json_int_t)k->blobs,
			      "size", (json_int_t)k->bytes, "problems", k->problems);

		if (done)
			json_object_set(out, "repairs", (json_t *)done);
		jsonio_write(stdout, out);
		return;
	}
	if (done)
		report_repairs(name, done);
	json_array_foreach(k->problems, i, p)
		printf("%s: %s: %s\n", name, jsonio_str(p, "digest"), jsonio_str(p, "problem"));
	if (json_array_size(k->problems) == 0)
		printf("%s: ok (%zu blobs, %" PRId64 " bytes)\n", name, k->blobs, k->bytes);
}

static void
walk_image(struct checker *k, const json_t *target, const json_t *entry)
{
	k->problems = json_array();
	k->blobs = 0;
	k->bytes = 0;
	/* a single platform of an index has that manifest as its layout entry */
	if (!entry || !strcmp(jsonio_str(entry, "digest"), jsonio_str(target, "digest")))
		walk(k, target);
	else if (check_blob(k, target))
		walk(k, entry);
}

/*
 * Repair each bad blob of the image once per run (repair.h); a blob whose
 * document does not parse, though it hashes right, is left. Returns what was
 * done for this image (new reference).
 */
static json_t *
repair(struct checker *k)
{
	json_t *done = json_array(), *p, *r;
	struct err e;
	size_t i;

	json_array_foreach(k->problems, i, p) {
		const char *dg = jsonio_str(p, "digest");

		if (!json_object_get(p, "size"))
			continue;
		if (!(r = json_object_get(k->repairs, dg))) {
			r = repair_blob(k->st, k->c, dg,
					json_integer_value(json_object_get(p, "size")),
					jsonio_str(p, "problem"), &e);
			if (!r)
				die_err(&e);
			json_object_set_new(k->repairs, dg, r);
			/* checked again below */
			json_object_del(k->seen, dg);
		}
		json_array_append(done, r);
	}
	return done;
}

/* What the image needs: its target and, per its layout entry, the platforms pulled. */
static bool
check_image(struct checker *k, const json_t *rec, bool json)
{
	const char *name = jsonio_str(rec, "name");
	const json_t *target = json_object_get(rec, "target");
	struct err e;
	json_auto_t *entry = content_index_get(k->c, name, &e), *done = NULL;
	bool ok;

	walk_image(k, target, entry);
	if (k->repairs && json_array_size(k->problems)) {
		done = repair(k);
		json_decref(k->problems);
		walk_image(k, target, entry);
	}
	ok = json_array_size(k->problems) == 0;
	report(name, k, done, json);
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

enum { O_REPAIR = O_OWN };

static const struct opt check_opts[] = {
    {"repair", O_REPAIR, NULL, "fetch bad blobs again from their sources, else drop them", NULL},
    OPT_INCLUDE(cmd_json_opt),
    OPT_END,
};
const struct opt_cmd cmd_check_spec = {
    "[NAME...]", "check that the store holds all of each image and that digests match", check_opts,
    0, 0};

struct check_cli {
	bool json, repair;
};

static void
check_opt(int c, const char *arg, void *ctx)
{
	struct check_cli *a = ctx;

	(void)arg;
	if (c == O_JSON)
		a->json = true, prog_set_json_errors(true);
	else if (c == O_REPAIR)
		a->repair = true;
}

int
cmd_check(int argc, char **argv, struct state *st)
{
	struct check_cli a = {0};
	bool ok = true;
	json_auto_t *list = NULL, *seen = json_object(), *repairs = json_object();
	struct content c;
	struct checker k = {.c = &c, .st = st, .seen = seen};
	struct err e;
	json_t *rec;
	size_t i;

	opt_parse(&cmd_check_spec, argc, argv, st, check_opt, &a);
	opt_operands(&cmd_check_spec, argc, argv, 0, -1);
	if (a.repair)
		k.repairs = repairs;
	if (state_open(st, &e) < 0 || content_open(st, &c, &e) < 0)
		die_err(&e);
	list = records(st, argc, argv);
	json_array_foreach(list, i, rec)
		ok = check_image(&k, rec, a.json) && ok;
	content_release(&c);
	fflush(stdout);
	return ok ? 0 : EXIT_NEG;
}
