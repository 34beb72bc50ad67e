/* SPDX-License-Identifier: Apache-2.0 */
/* ctr-image gc: remove the blobs, snapshots and leftovers that nothing in the store names. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "gc.h"
#include "human.h"
#include "cmd.h"
#include "jsonio.h"
#include "log.h"
#include "prog.h"

/* Partial downloads idle for an hour are not coming back; younger ones may resume. */
#define KEEP_INGEST_DEFAULT 3600

enum { O_DRY = O_OWN, O_KEEP, O_BG };

static const struct opt gc_opts[] = {
    {"background", O_BG, NULL, "move snapshots to the trash; a child unlinks their files", NULL},
    {"dry-run", O_DRY, NULL, "say what would go, remove nothing", NULL},
    {"keep-ingest-younger", O_KEEP, "SECS", "keep partial downloads younger (default 3600)", NULL},
    {"quiet", 'q', NULL, "print nothing but errors", NULL},
    OPT_INCLUDE(cmd_json_opt),
    OPT_END,
};
const struct opt_cmd cmd_gc_spec = {
    NULL, "remove the blobs, snapshots and partial downloads nothing names", gc_opts, 0, 0};

struct gc_cli {
	struct gc_opts o;
	bool json, quiet;
};

static void
gc_opt(int c, const char *arg, void *ctx)
{
	struct gc_cli *a = ctx;

	if (c == O_JSON)
		a->json = true, prog_set_json_errors(true);
	else if (c == O_DRY)
		a->o.dry_run = true;
	else if (c == O_BG)
		a->o.background = true;
	else if (c == O_KEEP)
		a->o.ingest_keep_secs =
		    cli_number(arg, 0, 100L * 365 * 86400, "--keep-ingest-younger");
	else if (c == 'q')
		a->quiet = true;
}

static void
parse(int argc, char **argv, struct state *st, struct gc_cli *a)
{
	opt_parse(&cmd_gc_spec, argc, argv, st, gc_opt, a);
	opt_operands(&cmd_gc_spec, argc, argv, 0, 0);
}

static json_t *
report_json(const struct gc_report *r, bool dry, bool bg)
{
	/* --background: the snapshots' files are still being unlinked, not counted */
	json_t *snap_bytes = bg && !dry ? json_null() : json_integer(r->snapshot_bytes);

	return json_pack("{s:b, s:O, s:I, s:O, s:o, s:O, s:I, s:O, s:{s:I, s:I}}", "dry_run", dry,
			 "blobs", r->blobs, "blob_bytes", (json_int_t)r->blob_bytes, "snapshots",
			 r->snapshots, "snapshot_bytes", snap_bytes, "ingests", r->ingests,
			 "ingest_bytes", (json_int_t)r->ingest_bytes, "files", r->files, "kept",
			 "blobs", (json_int_t)r->kept_blobs, "snapshots",
			 (json_int_t)r->kept_snapshots);
}

/* One line per object on stdout, for scripts and for a look before a real run. */
static void
report_lines(const struct gc_report *r)
{
	const json_t *v;
	size_t i;

	json_array_foreach(r->blobs, i, v)
		printf("blob %s\n", json_string_value(v));
	json_array_foreach(r->snapshots, i, v)
		printf("snapshot %s %s\n", jsonio_str(v, "snapshotter"), jsonio_str(v, "key"));
	json_array_foreach(r->ingests, i, v)
		printf("ingest %s\n", json_string_value(v));
	json_array_foreach(r->files, i, v)
		printf("file %s\n", json_string_value(v));
}

static void
report_summary(const struct gc_report *r, bool dry, bool bg)
{
	char b[HUMAN_LEN], s[HUMAN_LEN], i[HUMAN_LEN];

	fprintf(stderr,
		"%s: %s %zu blobs (%s), %zu snapshots (%s), %zu partial downloads (%s), "
		"%zu other files; kept %lld blobs, %lld snapshots\n",
		PROG, dry ? "would remove" : "removed", json_array_size(r->blobs),
		human_bytes(r->blob_bytes, b), json_array_size(r->snapshots),
		bg && !dry ? "unlinking in the background" : human_bytes(r->snapshot_bytes, s),
		json_array_size(r->ingests), human_bytes(r->ingest_bytes, i),
		json_array_size(r->files), r->kept_blobs, r->kept_snapshots);
}

int
cmd_gc(int argc, char **argv, struct state *st)
{
	struct gc_cli a = {.o = {.ingest_keep_secs = KEEP_INGEST_DEFAULT}};
	struct gc_report r;
	struct err e;

	parse(argc, argv, st, &a);
	/* -q without --json prints no byte counts: the removal need not stat every file */
	a.o.no_bytes = a.quiet && !a.json;
	if (state_open(st, &e) < 0)
		die_err(&e);
	gc_report_init(&r);
	if (gc_run(st, &a.o, &r, &e) < 0) {
		/* what went before the failure is gone all the same: say so */
		if (!a.json && !a.quiet && json_array_size(r.blobs) + json_array_size(r.snapshots))
			report_summary(&r, a.o.dry_run, false);
		die_err(&e);
	}
	if (a.o.background && !a.o.dry_run && gc_detach_emptier(st, &e) < 0)
		die_err(&e);
	if (a.json) {
		json_auto_t *out = report_json(&r, a.o.dry_run, a.o.background);

		jsonio_write(stdout, out);
	} else if (!a.quiet) {
		report_lines(&r);
		report_summary(&r, a.o.dry_run, a.o.background);
	}
	gc_report_release(&r);
	return fflush(stdout) == 0 ? 0 : (die(EXIT_SYS, "write to stdout failed"), 1);
}
