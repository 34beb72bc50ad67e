/* SPDX-License-Identifier: Apache-2.0 */
/* ctr-image commit: a container's changes as one more layer on its image, under a new name. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "cli.h"
#include "cmd.h"
#include "commit.h"
#include "image.h"
#include "jsonio.h"
#include "layerlimit.h"
#include "log.h"
#include "ocidoc.h"
#include "path.h"
#include "prog.h"
#include "spawn.h"
#include "timestamp.h"
#include "xmem.h"

#define CONTAINER_ID_MAX 64 /* ctr-run's rule for ids */
#define RECORD_MAX (1u << 20)

enum { O_NO_PAUSE = O_OWN, O_COMPRESSION };

static const struct opt commit_opts[] = {
    {"message", 'm', "MESSAGE", "the history entry's comment", NULL},
    {"author", 'a', "AUTHOR", "the config's and the history entry's author", NULL},
    {"change", 'c', "CHANGE", "a change of the config, KEY=VALUE (CMD, ENV, ...; again for more)",
     NULL},
    {"no-pause", O_NO_PAUSE, NULL, "do not pause a running container during the diff", NULL},
    {"compression", O_COMPRESSION, "gzip|zstd|none", "the new layer's (default gzip)", NULL},
    OPT_INCLUDE(layerlimit_opts),
    OPT_END,
};
const struct opt_cmd cmd_commit_spec = {
    "CONTAINER NAME", "a container's changes as a new layer on its image, recorded as NAME",
    commit_opts, 0, 0};

struct commit_args {
	const char *message, *author, *compression;
	json_t *changes;
	bool pause;
	size_t max_layers; /* the base's layers and ours (layerlimit.h) */
};

static void
commit_opt(int c, const char *arg, void *ctx)
{
	struct commit_args *a = ctx;

	if (c == 'm' || c == 'a')
		*(c == 'm' ? &a->message : &a->author) = arg;
	else if (c == 'c')
		json_array_append_new(a->changes, json_string(arg));
	else if (c == O_NO_PAUSE)
		a->pause = false;
	else if (c == O_COMPRESSION)
		a->compression = arg;
	else if (c == LAYERLIMIT_OPT)
		a->max_layers = layerlimit_get(arg);
}

static void
parse_args(int argc, char **argv, struct state *st, struct commit_args *a)
{
	opt_parse(&cmd_commit_spec, argc, argv, st, commit_opt, a);
	opt_operands(&cmd_commit_spec, argc, argv, 2, 2);
	if (!a->max_layers)
		a->max_layers = layerlimit_get(NULL);
}

/* Every --change and the compression, checked before anything happens. */
static void
check_args(const struct commit_args *a)
{
	json_auto_t *scratch = json_object();
	struct err e;
	json_t *c;
	size_t i;

	json_array_foreach(a->changes, i, c)
		if (commit_change(scratch, json_string_value(c), &e) < 0)
			die_err(&e);
	if (strcmp(a->compression, "gzip") && strcmp(a->compression, "zstd") &&
	    strcmp(a->compression, "none"))
		die_usage("compression '%.32s': want gzip, zstd or none", a->compression);
}

/* The container's record (ctr-run(8)), which names its image, snapshot and config. */
static json_t *
load_container(const struct state *st, const char *id)
{
	_cleanup_free_ char *rel = xasprintf("containers/%s/%s/record.json", st->ns, id);
	struct err e;
	json_t *rec;

	if (path_check_id(id, CONTAINER_ID_MAX, &e) < 0)
		die_err(&e);
	rec = jsonio_load_at(st->rootfd, rel, RECORD_MAX, &e);
	if (!rec && e.sys == ENOENT)
		err_code(&e, "not-found", "container '%s' does not exist", id), die_err(&e);
	if (!rec || !jsonio_str(rec, "image") || !jsonio_str(rec, "snapshot_key") ||
	    !jsonio_str(rec, "snapshotter") || !jsonio_str(rec, "config_digest"))
		err_code(&e, "corrupt", "container '%s': record unreadable or incomplete", id),
		    die_err(&e);
	return rec;
}

/* The container's command line, as docker's history says what made a layer. */
static char *
container_command(const struct state *st, const char *id)
{
	_cleanup_free_ char *rel = xasprintf("containers/%s/%s/bundle/config.json", st->ns, id);
	json_auto_t *spec = jsonio_load_at(st->rootfd, rel, RECORD_MAX, &(struct err){0});
	json_t *args = json_object_get(json_object_get(spec, "process"), "args"), *s;
	char *out = NULL;
	size_t i;

	json_array_foreach(args, i, s) {
		char *next = xasprintf("%s%s%s", out ? out : "", out ? " " : "",
				       json_is_string(s) ? json_string_value(s) : "");

		free(out);
		out = next;
	}
	return out ? out : xasprintf("ctr-image commit %s", id);
}

/* The image document of rec when its config is cfg (the container's image), else NULL. */
static json_t *
resolve_if(const struct content *c, const json_t *rec, const char *cfg)
{
	struct err ignored;
	json_t *doc = rec ? image_resolve_held(c, rec, &ignored) : NULL;

	if (doc && strcmp(jsonio_str(json_object_get(doc, "config"), "digest"), cfg)) {
		json_decref(doc);
		doc = NULL;
	}
	return doc;
}

/*
 * The base image: the record the container names, or, when that name was
 * removed or moved on (a commit under the same name), another name of the
 * namespace for the image the container was made from.
 */
static json_t *
load_base(const struct state *st, const struct content *c, const json_t *ctr, const char *id)
{
	const char *name = jsonio_str(ctr, "image"), *cfg = jsonio_str(ctr, "config_digest");
	json_auto_t *rec = image_load(st, name, &(struct err){0}), *list = NULL;
	json_t *doc = resolve_if(c, rec, cfg), *r;
	struct err e;
	size_t i;

	if (doc)
		return doc;
	if (!(list = image_list(st, &e)))
		die_err(&e);
	json_array_foreach(list, i, r)
		if ((doc = resolve_if(c, r, cfg)))
			return doc;
	err_code(&e, "not-found",
		 "container '%s': its image '%s' is gone (no image of this namespace has its "
		 "config %.19s)",
		 id, name, cfg);
	die_err(&e);
}

static void
created_now(char buf[TIMESTAMP_LEN])
{
	struct timespec ts = {0, 0};
	long long sde;
	struct err e;
	int r = timestamp_source_date(&sde, &e);

	if (r < 0)
		die_err(&e);
	if (!r)
		return timestamp_now(buf);
	ts.tv_sec = (time_t)sde;
	timestamp_format(&ts, buf);
}

/* A sibling tool's answer: io.out its stdout, e its reason when rc is not 0. */
struct run {
	struct spawn_io io;
	struct err e;
	int rc;
};

/* Run tool (env names its override) on our root, state and namespace with args. */
static void
run_sibling(const struct state *st, const char *tool, const char *env, const char *const *args,
	    struct run *r)
{
	r->io = (struct spawn_io){.max = 1 << 20};
	r->rc = spawn_tool(st, NULL, tool, env, args, &r->io, &r->e);
}

/* Its stdout parsed as JSON, or die with its reason as one line of ours. */
static json_t *
run_result(struct run *r, const char *what)
{
	struct err e;
	json_t *doc;

	if (r->rc != 0)
		die(r->rc == EXIT_NEG || r->rc == EXIT_USAGE ? r->rc : EXIT_SYS, "%s: %s", what,
		    r->e.msg);
	if (!(doc = jsonio_parse(r->io.out, r->io.outlen, what, &e)))
		die_err(&e);
	return doc;
}

/* Pause a running container; true when we paused it (and are to resume it). */
static bool
pause_container(const struct state *st, const char *id)
{
	const char *state_args[] = {"state", id, NULL};
	const char *pause_args[] = {"pause", id, NULL};
	struct run r = {0};
	json_auto_t *s = NULL;
	bool running;

	run_sibling(st, "ctr-run", "CTR_RUN", state_args, &r);
	s = run_result(&r, "state of the container");
	spawn_io_release(&r.io);
	running = !strcmp(jsonio_str(s, "status") ? jsonio_str(s, "status") : "", "running");
	if (!running)
		return false;
	run_sibling(st, "ctr-run", "CTR_RUN", pause_args, &r);
	if (r.rc != 0)
		die(EXIT_SYS, "pause of container '%s': %s", id, r.e.msg);
	spawn_io_release(&r.io);
	return true;
}

/* ctr-snapshot diff of the container's snapshot, paused meanwhile unless --no-pause. */
static json_t *
diff_container(const struct state *st, const json_t *ctr, const struct commit_args *a,
	       const char *id)
{
	const char *args[] = {
	    "--snapshotter", jsonio_str(ctr, "snapshotter"),  "diff", "--compression",
	    a->compression,  jsonio_str(ctr, "snapshot_key"), NULL};
	const char *resume_args[] = {"resume", id, NULL};
	bool paused = a->pause && pause_container(st, id);
	struct run d = {0}, r = {0};
	json_t *layer;

	run_sibling(st, "ctr-snapshot", "CTR_SNAPSHOT", args, &d);
	/* the container runs again whatever the diff's verdict */
	if (paused) {
		run_sibling(st, "ctr-run", "CTR_RUN", resume_args, &r);
		if (r.rc != 0)
			log_warn("container '%s' stays paused: %s", id, r.e.msg);
		spawn_io_release(&r.io);
	}
	layer = run_result(&d, "diff of the container");
	spawn_io_release(&d.io);
	return layer;
}

/* Store doc as a blob; its descriptor of media type mt (new reference). */
static json_t *
put_doc(const struct content *c, const json_t *doc, const char *mt)
{
	_cleanup_free_ char *s = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	char dg[DIGEST_STR_LEN + 1];
	struct err e;

	if (!s)
		die(EXIT_SYS, "encode %s: out of memory", mt);
	if (content_put(c, s, strlen(s), dg, &e) < 0)
		die_err(&e);
	return json_pack("{s:s, s:s, s:I}", "mediaType", mt, "digest", dg, "size",
			 (json_int_t)strlen(s));
}

/* The new config and manifest in the store, and NAME's record and layout entry. */
static json_t *
write_image(const struct state *st, const struct content *c, const json_t *base,
	    const struct commit_req *req, const char *name)
{
	const json_t *mdesc = json_object_get(base, "manifest");
	json_auto_t *bcfg = NULL, *bman = NULL, *cfg = NULL, *man = NULL, *cdesc = NULL;
	json_auto_t *desc = NULL, *rec = NULL;
	struct err e;
	json_t *doc;

	bcfg = content_read_json(c, jsonio_str(json_object_get(base, "config"), "digest"),
				 OCIDOC_CONFIG_MAX, &e);
	if (bcfg)
		bman = content_read_json(c, jsonio_str(mdesc, "digest"), OCIDOC_MANIFEST_MAX, &e);
	if (!bman || !(cfg = commit_config(bcfg, req, &e)))
		die_err(&e);
	cdesc = put_doc(c, cfg, "application/vnd.oci.image.config.v1+json");
	man = commit_manifest(bman, cdesc, req->layer, jsonio_str(base, "name"),
			      jsonio_str(mdesc, "digest"));
	desc = put_doc(c, man, OCIDOC_MT_MANIFEST);
	rec = json_pack("{s:s, s:O}", "name", name, "target", desc);
	if (image_name_check(name, jsonio_str(desc, "digest"), &e) < 0 ||
	    content_index_add(c, desc, name, &e) < 0 || image_store(st, rec, &e) < 0 ||
	    !(doc = image_resolve(c, rec, NULL, &e)))
		die_err(&e);
	return doc;
}

int
cmd_commit(int argc, char **argv, struct state *st)
{
	struct commit_args a = {NULL, NULL, "gzip", json_array(), true};
	json_auto_t *changes = a.changes, *ctr = NULL, *base = NULL, *layer = NULL, *doc = NULL;
	_cleanup_free_ char *name = NULL, *by = NULL;
	char created[TIMESTAMP_LEN];
	struct commit_req req;
	struct content c;
	struct err e;
	const char *id;

	parse_args(argc, argv, st, &a);
	id = argv[optind];
	name = cli_image_name(argv[optind + 1]);
	check_args(&a);
	created_now(created);
	/* blobs before the record that names them: the collector waits for us */
	if (state_open_writer(st, &e) < 0 || content_open(st, &c, &e) < 0)
		die_err(&e);
	ctr = load_container(st, id);
	base = load_base(st, &c, ctr, id);
	/* one layer more than the base: refused before the diff, as import and unpack would refuse it */
	if (layerlimit_check(json_array_size(json_object_get(base, "layers")) + 1, a.max_layers,
			     &e) < 0)
		die_err(&e);
	by = container_command(st, id);
	layer = diff_container(st, ctr, &a, id);
	req = (struct commit_req){a.message, a.author, created, by, changes, layer};
	doc = write_image(st, &c, base, &req, name);
	jsonio_write(stdout, doc);
	content_release(&c);
	return 0;
}
