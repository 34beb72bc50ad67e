/* SPDX-License-Identifier: Apache-2.0 */
/* ctr-unpack's verb: image JSON (stdin or a record) -> unpack job -> snapshot JSON on stdout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chain.h"
#include "cleanup.h"
#include "cmd.h"
#include "image.h"
#include "jsonio.h"
#include "layerlimit.h"
#include "ocidoc.h"
#include "path.h"
#include "platform.h"
#include "prog.h"
#include "ref.h"
#include "stale.h"
#include "unpack.h"
#include "xmem.h"

/* The stage document: from stdin, or resolved from the image record for the platform. */
static json_t *
load_image(const struct state *st, const struct content *c, const struct opts *o)
{
	struct platform p;
	struct err e = {0};
	json_auto_t *rec = NULL;
	_cleanup_free_ char *name = NULL;
	struct ref r;
	json_t *doc;

	if (!strcmp(o->src, "-")) {
		json_auto_t *in = jsonio_load_fd(STDIN_FILENO, JSONIO_MAX, "stdin", &e);

		if (!in)
			die(100, "%s", e.msg);
		/* also what ctr-image inspect prints, and an element of ls --json */
		if (!(doc = image_stage_doc(st, in, &e)))
			die_err((err_prefix(&e, "stdin"), &e));
		return doc;
	}
	if (o->platform ? platform_parse(o->platform, &p, &e) < 0 : (platform_host(&p), 0))
		die(100, "%s", e.msg);
	/* records are kept under the normalised name: "alpine" is docker.io/library/alpine:latest
	 */
	if (ref_parse(o->src, &r, &e) < 0)
		die(100, "%s", e.msg);
	name = ref_string(&r);
	ref_release(&r);
	if (!(rec = image_load(st, name, &e)) || !(doc = image_resolve(c, rec, &p, &e)))
		die_err(&e);
	return doc;
}

/*
 * diff_ids from the config blob (the authority); the document's copy must
 * agree. A dry run of a puller's document, whose config is not stored yet,
 * takes the document's copy: it only reads.
 */
static json_t *
diff_ids(const struct content *c, const json_t *doc, size_t n, bool dry_run)
{
	const json_t *cdesc = json_object_get(doc, "config"), *given;
	struct err e = {0};
	json_auto_t *cfg = NULL;
	json_t *ids;

	if (ocidoc_check_descriptor(cdesc, "config", &e) < 0)
		die(100, "image JSON: %s", e.msg);
	given = json_object_get(doc, "diff_ids");
	if (dry_run && given && !content_has(c, jsonio_str(cdesc, "digest"), -1)) {
		json_t *cfg_like = json_pack("{s:{s:O}}", "rootfs", "diff_ids", given);

		ids = ocidoc_config_diff_ids(cfg_like, n, &e);
		json_decref(cfg_like);
		if (!ids)
			die(100, "image JSON: %s", e.msg);
		return ids;
	}
	cfg = content_read_json(c, jsonio_str(cdesc, "digest"), OCIDOC_CONFIG_MAX, &e);
	if (!cfg || !(ids = ocidoc_config_diff_ids(cfg, n, &e)))
		die_err(&e);
	if (given && !json_equal(given, ids))
		die(100, "image JSON: diff_ids differ from the config's rootfs.diff_ids");
	return ids;
}

/*
 * "unpacked": [{"digest","key"}...], added by a puller that ran --layer-stream
 * appliers: each key is given to the first layer of that digest without one.
 */
static void
adopt_unpacked(const json_t *unpacked, struct unpack_job *j)
{
	const json_t *u;
	size_t i;

	json_array_foreach(unpacked, i, u) {
		const char *d = jsonio_str(u, "digest"), *k = jsonio_str(u, "key");
		struct err e = {0};

		if (!d || !k || path_check_name(k, 95, &e) < 0)
			die(100, "image JSON: bad \"unpacked\" entry %zu", i);
		for (size_t n = 0; n < j->n; n++)
			if (!j->layers[n].key[0] && !strcmp(j->layers[n].digest, d)) {
				snprintf(j->layers[n].key, sizeof(j->layers[n].key), "%s", k);
				break;
			}
	}
}

/* The job's layers from the image document; an image of more than max layers is refused. */
static void
fill_layers(const struct content *c, const json_t *doc, struct unpack_job *j, bool dry_run,
	    size_t max)
{
	const json_t *layers = json_object_get(doc, "layers"), *l;
	json_auto_t *ids = NULL;
	struct err e = {0};
	size_t i;

	if (!json_is_array(layers) || !json_array_size(layers))
		die(100, "image JSON: no layers");
	if (layerlimit_check(json_array_size(layers), max, &e) < 0)
		die_err((err_prefix(&e, "image '%.200s'", jsonio_str(doc, "name")), &e));
	ids = diff_ids(c, doc, json_array_size(layers), dry_run);
	j->n = json_array_size(layers);
	j->layers = xcalloc(j->n, sizeof(*j->layers));
	json_array_foreach(layers, i, l) {
		struct layer *ly = &j->layers[i];
		int comp = compression_from_media_type(jsonio_str(l, "mediaType"));

		if (ocidoc_check_descriptor(l, "layer", &e) < 0)
			die(100, "image JSON: %s", e.msg);
		if (comp < 0)
			die(100, "layer %zu: unsupported media type '%s'", i,
			    jsonio_str(l, "mediaType"));
		ly->comp = (enum compression)comp;
		ly->size = json_integer_value(json_object_get(l, "size"));
		snprintf(ly->digest, sizeof(ly->digest), "%s", jsonio_str(l, "digest"));
		snprintf(ly->diff_id, sizeof(ly->diff_id), "%s",
			 json_string_value(json_array_get(ids, i)));
		chain_next(i ? j->layers[i - 1].chain : NULL, ly->diff_id, ly->chain);
	}
	adopt_unpacked(json_object_get(doc, "unpacked"), j);
}

static void
print_result(const json_t *doc, const struct unpack_job *j, const char *driver)
{
	const char *top = j->layers[j->n - 1].chain;
	const char *digest = jsonio_str(doc, "digest");
	json_auto_t *out = NULL;

	if (!digest)
		digest = jsonio_str(json_object_get(doc, "manifest"), "digest");
	out = json_pack("{s:s, s:s, s:s, s:s, s:O}", "image", jsonio_str(doc, "name"), "chain_id",
			top, "snapshotter", driver, "key", top, "config",
			json_object_get(doc, "config"));
	if (!out)
		die(111, "cannot build the output JSON");
	if (digest)
		json_object_set_new(out, "digest", json_string(digest));
	jsonio_write(stdout, out);
}

/*
 * --dry-run: what an unpack of doc would do, changing nothing:
 * {"image","snapshotter","chain_id","layers":[{"digest","diff_id","chain_id","committed"}]}.
 */
static void
print_plan(const json_t *doc, const struct unpack_job *j, const char *driver)
{
	json_auto_t *out =
	    json_pack("{s:s, s:s, s:s, s:[]}", "image", jsonio_str(doc, "name"), "snapshotter",
		      driver, "chain_id", j->layers[j->n - 1].chain, "layers");
	const char *kind;

	if (!out)
		die(111, "cannot build the output JSON");
	for (size_t i = 0; i < j->n; i++) {
		const struct layer *l = &j->layers[i];
		bool committed =
		    snapshot_exists(j->s, l->chain, &kind) && !strcmp(kind, "committed");

		json_array_append_new(json_object_get(out, "layers"),
				      json_pack("{s:s, s:s, s:s, s:b}", "digest", l->digest,
						"diff_id", l->diff_id, "chain_id", l->chain,
						"committed", committed));
	}
	jsonio_write(stdout, out);
}

static void
apply_image(const json_t *doc, const struct opts *o, const struct content *c, struct unpack_job *j)
{
	struct err e = {0};

	/* what killed unpacks and pulls left active, unless this document adopts it */
	stale_sweep(j->s, json_object_get(doc, "unpacked"));
	j->c = c;
	j->overlay = o->apply.overlay;
	j->jobs = j->overlay ? o->jobs : 1;
	j->opts = o->apply;
	apply_rootless(&j->opts);
	if (unpack_run(j, &e) < 0)
		die_err(&e);
	log_info("%s: %u of %zu layers applied", jsonio_str(doc, "name"), j->applied, j->n);
	print_result(doc, j, snapshotter_name(o->driver));
}

int
cmd_unpack(int argc, char **argv, struct state *st)
{
	struct opts o = {0};
	struct content c = {-1, -1};
	struct unpack_job j = {0};
	struct err e = {0};
	json_auto_t *doc = NULL;

	cmd_parse_opts(argc, argv, st, &o);
	if (o.stream)
		return cmd_layer_stream(&o, st);
	if (o.discard)
		return cmd_discard(&o, st);
	if (state_open_writer(st, &e) < 0 || content_open(st, &c, &e) < 0)
		die_err(&e);
	doc = load_image(st, &c, &o);
	if (!json_is_object(doc) || !jsonio_str(doc, "name"))
		die(100, "image JSON: no \"name\"");
	fill_layers(&c, doc, &j, o.dry_run, o.max_layers ? o.max_layers : layerlimit_get(NULL));
	if (snapshot_store_open(st, o.driver, &j.s, &e) < 0)
		die_err(&e);
	if (o.dry_run)
		print_plan(doc, &j, snapshotter_name(o.driver));
	else
		apply_image(doc, &o, &c, &j);
	snapshot_store_free(j.s);
	content_release(&c);
	free(j.layers);
	return 0;
}
