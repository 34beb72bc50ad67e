/* SPDX-License-Identifier: Apache-2.0 */
/* ctr-image check: every blob an image needs is present, of its size, and hashes to its digest. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "cli.h"
#include "cmd.h"
#include "check.h"
#include "image.h"
#include "jsonio.h"
#include "prog.h"

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
report(const char *name, const struct check_result *r, bool json)
{
	json_t *p;
	size_t i;

	if (json) {
		json_auto_t *out =
		    json_pack("{s:s, s:b, s:I, s:I, s:O}", "name", name, "ok",
			      json_array_size(r->problems) == 0, "blobs", (json_int_t)r->blobs,
			      "size", (json_int_t)r->bytes, "problems", r->problems);

		if (r->repairs)
			json_object_set(out, "repairs", r->repairs);
		jsonio_write(stdout, out);
		return;
	}
	if (r->repairs)
		report_repairs(name, r->repairs);
	json_array_foreach(r->problems, i, p)
		printf("%s: %s: %s\n", name, jsonio_str(p, "digest"), jsonio_str(p, "problem"));
	if (json_array_size(r->problems) == 0)
		printf("%s: ok (%zu blobs, %" PRId64 " bytes)\n", name, r->blobs, r->bytes);
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
		_cleanup_free_ char *name = cli_image_name(argv[i]);
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
	json_auto_t *list = NULL;
	struct check_result r;
	struct checker k;
	struct content c;
	struct err e;
	json_t *rec;
	size_t i;

	opt_parse(&cmd_check_spec, argc, argv, st, check_opt, &a);
	opt_operands(&cmd_check_spec, argc, argv, 0, -1);
	if (state_open(st, &e) < 0 || content_open(st, &c, &e) < 0)
		die_err(&e);
	check_init(&k, st, &c, a.repair);
	list = records(st, argc, argv);
	json_array_foreach(list, i, rec) {
		if (check_image(&k, rec, &r, &e) < 0)
			die_err(&e);
		report(jsonio_str(rec, "name"), &r, a.json);
		ok = json_array_size(r.problems) == 0 && ok;
		check_result_release(&r);
	}
	check_release(&k);
	content_release(&c);
	fflush(stdout);
	return ok ? 0 : EXIT_NEG;
}
