/* SPDX-License-Identifier: Apache-2.0 */
/* ctr-image ls, inspect, tag and rm: image records and their content/index.json entries. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "cli.h"
#include "cmd.h"
#include "human.h"
#include "image.h"
#include "jsonio.h"
#include "ocidoc.h"
#include "prog.h"
#include "xmem.h"

const struct opt cmd_json_opt[] = {
    {"json", O_JSON, NULL, "print JSON (and errors as JSON)", NULL},
    OPT_END,
};
static const struct opt ls_opts[] = {
    OPT_INCLUDE(cmd_json_opt),
    {"quiet", 'q', NULL, "print the names only", NULL},
    OPT_END,
};
const struct opt_cmd cmd_ls_spec = {NULL, "list the images of the namespace", ls_opts, 0, 0};
const struct opt_cmd cmd_inspect_spec = {
    "NAME", "an image's record, index, manifest and config as JSON", NULL, 0, 0};
const struct opt_cmd cmd_tag_spec = {"SRC DST", "name the image SRC names DST too", NULL, 0, 0};
const struct opt_cmd cmd_rm_spec = {"NAME...", "remove image records (gc removes their blobs)",
				    NULL, 0, 0};

struct flags {
	bool *json, *quiet;
};

static void
flag_opt(int c, const char *arg, void *ctx)
{
	struct flags *f = ctx;

	(void)arg;
	if (c == O_JSON)
		*f->json = true, prog_set_json_errors(true);
	else if (c == 'q')
		*f->quiet = true;
}

void
cmd_opts(const struct opt_cmd *spec, int argc, char **argv, struct state *st, bool *json,
	 bool *quiet, int min, int max)
{
	struct flags f = {json, quiet};

	opt_parse(spec, argc, argv, st, flag_opt, &f);
	opt_operands(spec, argc, argv, min, max);
}

static void
open_store(struct state *st, struct content *c)
{
	struct err e;

	if (state_open(st, &e) < 0 || content_open(st, c, &e) < 0)
		die_err(&e);
}

/* The bytes the image's host (or first present) platform needs: manifest, config, layers. */
static json_int_t
image_size(const struct content *c, const json_t *rec)
{
	struct err e;
	json_auto_t *doc = image_resolve_held(c, rec, &e);
	json_int_t size;
	json_t *l;
	size_t i;

	if (!doc)
		return -1;
	size = json_integer_value(json_object_get(json_object_get(doc, "manifest"), "size")) +
	       json_integer_value(json_object_get(json_object_get(doc, "config"), "size"));
	json_array_foreach(json_object_get(doc, "layers"), i, l)
		size += json_integer_value(json_object_get(l, "size"));
	return size;
}

static void
ls_line(const json_t *rec, json_int_t size, int width)
{
	const char *dg = jsonio_str(json_object_get(rec, "target"), "digest");
	char sz[HUMAN_LEN], age[HUMAN_LEN];

	/* people read sizes and ages; --json keeps the bytes and the RFC 3339 time */
	printf("%-*s  %.19s  %10s  %s\n", width, jsonio_str(rec, "name"), dg, human_bytes(size, sz),
	       human_since_rfc3339(jsonio_str(rec, "created"), time(NULL), age));
}

static json_t *
ls_json(const json_t *rec, json_int_t size)
{
	json_t *out = json_pack("{s:O, s:O, s:O, s:O}", "name", json_object_get(rec, "name"),
				"target", json_object_get(rec, "target"), "created",
				json_object_get(rec, "created") ?: json_null(), "labels",
				json_object_get(rec, "labels") ?: json_null());

	json_object_set_new(
	    out, "digest",
	    json_deep_copy(json_object_get(json_object_get(rec, "target"), "digest")));
	json_object_set_new(out, "size", size >= 0 ? json_integer(size) : json_null());
	return out;
}

int
cmd_ls(int argc, char **argv, struct state *st)
{
	bool json = false, quiet = false;
	json_auto_t *list = NULL, *out = json_array();
	struct content c;
	struct err e;
	int width = 4;
	json_t *rec;
	size_t i;

	cmd_opts(&cmd_ls_spec, argc, argv, st, &json, &quiet, 0, 0);
	open_store(st, &c);
	if (!(list = image_list(st, &e)))
		die_err(&e);
	json_array_foreach(list, i, rec)
		if ((int)strlen(jsonio_str(rec, "name")) > width)
			width = (int)strlen(jsonio_str(rec, "name"));
	if (!json && !quiet)
		printf("%-*s  %-19s  %10s  %s\n", width, "NAME", "DIGEST", "SIZE", "CREATED");
	json_array_foreach(list, i, rec) {
		if (quiet)
			puts(jsonio_str(rec, "name"));
		else if (json)
			json_array_append_new(out, ls_json(rec, image_size(&c, rec)));
		else
			ls_line(rec, image_size(&c, rec), width);
	}
	/* one array, as every listing of the suite (ctr-json(7)): `[]` says "none" */
	if (json && !quiet)
		jsonio_write(stdout, out);
	content_release(&c);
	return fflush(stdout) == 0 ? 0 : (die(EXIT_SYS, "write to stdout failed"), 1);
}

int
cmd_inspect(int argc, char **argv, struct state *st)
{
	json_auto_t *rec = NULL, *doc = NULL, *out = NULL;
	_cleanup_free_ char *name = NULL;
	struct content c;
	struct err e;

	cmd_opts(&cmd_inspect_spec, argc, argv, st, NULL, NULL, 1, 1);
	name = cli_image_name(argv[optind]);
	open_store(st, &c);
	if (!(rec = image_load(st, name, &e)) || !(doc = image_resolve_held(&c, rec, &e)))
		die_err(&e);
	out = json_pack("{s:O, s:O}", "record", rec, "image", doc);
	jsonio_write_pretty(stdout, out);
	content_release(&c);
	return 0;
}

int
cmd_tag(int argc, char **argv, struct state *st)
{
	_cleanup_free_ char *src = NULL, *dst = NULL;
	json_auto_t *rec = NULL, *entry = NULL, *nrec = NULL;
	struct content c;
	struct err e;

	cmd_opts(&cmd_tag_spec, argc, argv, st, NULL, NULL, 2, 2);
	src = cli_image_name(argv[optind]);
	dst = cli_image_name(argv[optind + 1]);
	open_store(st, &c);
	if (!(rec = image_load(st, src, &e)))
		die_err(&e);
	/* the layout entry of SRC says what of an index the store holds; DST gets the same */
	if (image_name_check(dst, jsonio_str(json_object_get(rec, "target"), "digest"), &e) < 0)
		die_err(&e);
	entry = content_index_get(&c, src, &e);
	if (!entry)
		entry = json_deep_copy(json_object_get(rec, "target"));
	json_object_del(entry, "annotations");
	nrec = json_pack("{s:s, s:O}", "name", dst, "target", json_object_get(rec, "target"));
	if (json_is_object(json_object_get(rec, "labels")))
		json_object_set_new(nrec, "labels", json_deep_copy(json_object_get(rec, "labels")));
	if (content_index_add(&c, entry, dst, &e) < 0 || image_store(st, nrec, &e) < 0)
		die_err(&e);
	content_release(&c);
	return 0;
}

int
cmd_rm(int argc, char **argv, struct state *st)
{
	struct content c;
	struct err e;

	cmd_opts(&cmd_rm_spec, argc, argv, st, NULL, NULL, 1, -1);
	open_store(st, &c);
	/* every name is checked before any is removed: a typo removes nothing */
	for (int i = optind; i < argc; i++) {
		_cleanup_free_ char *name = cli_image_name(argv[i]);
		json_auto_t *rec = image_load(st, name, &e);
		json_auto_t *entry = NULL;
		struct err e2;

		/* a layout entry alone is what an rm killed by an older version left */
		if (!rec && (!e.code || strcmp(e.code, "not-found") ||
			     !(entry = content_index_get(&c, name, &e2))))
			die_err(&e);
	}
	/*
	 * The layout entry goes first, the record last: an rm killed between
	 * leaves the record, which ls shows and rm removes again. The other
	 * order left an entry no record names, which gc keeps (skopeo's, for
	 * all it knows), with its blobs, for ever.
	 */
	for (int i = optind; i < argc; i++) {
		_cleanup_free_ char *name = cli_image_name(argv[i]);

		if (content_index_remove(&c, name, &e) < 0)
			die_err(&e);
		if (image_remove(st, name, &e) < 0 && (!e.code || strcmp(e.code, "not-found")))
			die_err(&e);
	}
	content_release(&c);
	return 0;
}
