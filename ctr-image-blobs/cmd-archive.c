/* SPDX-License-Identifier: Apache-2.0 */
/* ctr-image export and import: images to and from OCI layout tars ("oci-archive"). */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "cli.h"
#include "cmd.h"
#include "docker-archive.h"
#include "image.h"
#include "jsonio.h"
#include "layerlimit.h"
#include "oci-archive.h"
#include "outfile.h"
#include "prog.h"
#include "xmem.h"

enum { O_NAME = O_OWN, O_FORMAT };

/* The options of export and import. */
struct archive_args {
	const char *output; /* export -o */
	const char *format; /* export --format */
	const char *name;   /* import --name */
	size_t max_layers;  /* import --max-layers; 0: not given */
};

static const struct opt export_opts[] = {
    {"output", 'o', "FILE", "write the archive to FILE (default: stdout, not a terminal)", NULL},
    {"format", O_FORMAT, "oci-archive|docker-archive", "the archive's layout (default oci-archive)",
     NULL},
    OPT_END,
};
const struct opt_cmd cmd_export_spec = {"NAME...", "images as an OCI or docker archive (a tar)",
					export_opts, 0, 0};
static const struct opt import_opts[] = {
    {"name", O_NAME, "NAME", "the name of the imported image (default: the archive's)", NULL},
    OPT_INCLUDE(layerlimit_opts),
    OPT_END,
};
const struct opt_cmd cmd_import_spec = {"FILE|-", "images from an OCI or docker archive (a tar)",
					import_opts, 0, 0};

static void
archive_opt(int c, const char *arg, void *ctx)
{
	struct archive_args *a = ctx;

	if (c == 'o')
		a->output = arg;
	else if (c == O_FORMAT)
		a->format = arg;
	else if (c == O_NAME)
		a->name = arg;
	else if (c == LAYERLIMIT_OPT)
		a->max_layers = layerlimit_get(arg);
}

/*
 * An importer writes blobs before the records that keep them: like ctr-pull,
 * it holds the store lock shared (state_open_writer) so that a garbage
 * collector never sweeps them in between.
 */
static void
open_store(struct state *st, struct content *c, bool writer)
{
	struct err e;

	if ((writer ? state_open_writer(st, &e) : state_open(st, &e)) < 0 ||
	    content_open(st, c, &e) < 0)
		die_err(&e);
}

/* Every NAME's record, each once, all looked up before anything is written. */
static json_t *
load_records(struct state *st, int argc, char **argv)
{
	json_t *list = json_array(), *seen = json_object();
	struct err e;

	for (int i = optind; i < argc; i++) {
		_cleanup_free_ char *name = cli_image_name(argv[i]);
		json_t *rec;

		if (json_object_get(seen, name))
			continue;
		if (!(rec = image_load(st, name, &e)))
			die_err(&e);
		json_object_set_new(seen, name, json_true());
		json_array_append_new(list, rec);
	}
	json_decref(seen);
	return list;
}

/* The archive of records in format ("docker-archive": of their image documents). */
static int
export_fd(const struct content *c, const json_t *recs, bool docker, int fd, struct err *e)
{
	json_auto_t *docs = json_array();
	const json_t *rec;
	size_t i;

	if (!docker)
		return oci_archive_export(c, recs, fd, e);
	json_array_foreach(recs, i, rec) {
		json_t *doc = image_resolve_held(c, rec, e);

		if (!doc)
			return err_prefix(e, "image '%s'", jsonio_str(rec, "name"));
		json_array_append_new(docs, doc);
	}
	return docker_archive_export(c, docs, fd, e);
}

/* -o FILE: a file renamed into place (a failed export leaves no half tar), a pipe written */
static int
export_file(const struct content *c, const json_t *recs, bool docker, const char *out,
	    struct err *e)
{
	struct outfile o;

	if (outfile_open(&o, out, "a tar", e) < 0)
		return -1;
	return outfile_close(&o, export_fd(c, recs, docker, o.fd, e) == 0, e);
}

int
cmd_export(int argc, char **argv, struct state *st)
{
	struct archive_args args = {NULL, "oci-archive", NULL, 0};
	json_auto_t *recs = NULL;
	const char *out;
	struct content c;
	struct err e;
	bool docker;
	int rc;

	opt_parse(&cmd_export_spec, argc, argv, st, archive_opt, &args);
	opt_operands(&cmd_export_spec, argc, argv, 1, -1);
	out = args.output;
	docker = !strcmp(args.format, "docker-archive");
	if (!docker && strcmp(args.format, "oci-archive"))
		opt_die(&cmd_export_spec,
			"--format: '%s' is neither oci-archive nor docker-archive", args.format);
	if ((!out || !strcmp(out, "-")) && isatty(STDOUT_FILENO))
		die(EXIT_USAGE, "refusing to write a tar to a terminal (use -o FILE or a pipe)");
	open_store(st, &c, false);
	recs = load_records(st, argc, argv);
	if (out && strcmp(out, "-"))
		rc = export_file(&c, recs, docker, out, &e);
	else
		rc = export_fd(&c, recs, docker, STDOUT_FILENO, &e);
	if (rc < 0)
		die_err(&e);
	content_release(&c);
	return 0;
}

static int
open_input(const char *src)
{
	struct stat sb;
	struct err e;
	int fd;

	if (!strcmp(src, "-")) {
		if (isatty(STDIN_FILENO))
			die(EXIT_USAGE, "refusing to read a tar from a terminal");
		return STDIN_FILENO;
	}
	fd = open(src, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err_set(&e, errno, "open '%s'", src);
		die_err(&e);
	}
	if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode))
		die(EXIT_USAGE, "'%s' is a directory, not an archive", src);
	return fd;
}

/* Record the planned images; their documents were all built first, so none is half-done. */
static json_t *
record_images(struct state *st, const struct content *c, const json_t *plan)
{
	json_t *docs = json_array(), *p;
	struct err e;
	size_t i;

	json_array_foreach(plan, i, p) {
		json_auto_t *rec = json_pack("{s:O, s:O}", "name", json_object_get(p, "name"),
					     "target", json_object_get(p, "target"));
		json_t *doc = image_resolve_held(c, rec, &e);

		if (!doc)
			die_err(&e);
		json_array_append_new(docs, doc);
	}
	json_array_foreach(plan, i, p) {
		const char *name = jsonio_str(p, "name");
		json_auto_t *rec =
		    json_pack("{s:s, s:O}", "name", name, "target", json_object_get(p, "target"));

		if (image_name_check(name, jsonio_str(json_object_get(p, "target"), "digest"), &e) <
			0 ||
		    content_index_add(c, json_object_get(p, "entry"), name, &e) < 0 ||
		    image_store(st, rec, &e) < 0)
			die_err(&e);
	}
	return docs;
}

int
cmd_import(int argc, char **argv, struct state *st)
{
	struct archive_args args = {NULL, NULL, NULL, 0};
	_cleanup_free_ char *name = NULL;
	json_auto_t *plan = NULL, *docs = NULL;
	struct oci_archive_in in;
	struct content c;
	struct err e;
	json_t *doc;
	size_t i;
	int fd;

	opt_parse(&cmd_import_spec, argc, argv, st, archive_opt, &args);
	opt_operands(&cmd_import_spec, argc, argv, 1, 1);
	name = args.name ? cli_image_name(args.name) : NULL;
	if (!args.max_layers)
		args.max_layers = layerlimit_get(NULL);
	fd = open_input(argv[optind]);
	open_store(st, &c, true);
	if (oci_archive_read(&c, fd, &in, &e) < 0)
		die_err(&e);
	if (in.format == ARCHIVE_NONE)
		err_code(&e, "invalid",
			 "%s is neither an OCI layout nor a docker archive "
			 "(no index.json, no manifest.json)",
			 strcmp(argv[optind], "-") ? argv[optind] : "stdin");
	else if (in.format == ARCHIVE_OCI)
		plan = oci_archive_plan(&c, in.index, name, args.max_layers, &e);
	else
		plan = docker_archive_plan(&in, name, args.max_layers, &e);
	if (!plan) {
		/* the spool goes with the refused archive */
		oci_archive_in_release(&in);
		die_err(&e);
	}
	/* what the images need left it: the rest is not ours to keep */
	content_spool_release(&c, &in.spool);
	docs = record_images(st, &c, plan);
	json_array_foreach(docs, i, doc)
		jsonio_write(stdout, doc);
	log_info("imported %zu image(s) from %s archive: %zu files, %lld bytes",
		 json_array_size(plan), in.format == ARCHIVE_OCI ? "an OCI" : "a docker",
		 json_object_size(in.files), (long long)in.bytes);
	oci_archive_in_release(&in);
	content_release(&c);
	if (fd != STDIN_FILENO)
		close(fd);
	return 0;
}
