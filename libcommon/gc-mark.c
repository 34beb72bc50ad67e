/* SPDX-License-Identifier: Apache-2.0 */
/* The mark phase of gc: what image records, the layout index and container records name. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "chain.h"
#include "cleanup.h"
#include "gc-int.h"
#include "jsonio.h"
#include "log.h"
#include "ocidoc.h"
#include "path.h"
#include "xmem.h"

#define INDEX_DEPTH 8	       /* indexes of indexes: deeper is a loop or an attack */
#define RECORD_MAX (1u << 20)  /* as image.c and container.c read their records */
#define LAYOUT_MAX (64u << 20) /* as content.c reads index.json */

static void
mark_blob(struct gc *g, const char *dg)
{
	if (digest_valid(dg))
		json_object_set_new(g->blobs, dg, json_true());
}

/* A document we cannot read: its layers' snapshots cannot be named, so all are kept. */
static void
keep_unpacked(struct gc *g, const char *what, const char *dg)
{
	if (!g->keep_unpacked)
		log_warn("%s %s is not in the store: every unpacked layer is kept", what, dg);
	g->keep_unpacked = true;
}

/* ctr-unpack names layers by chain ID (chain.h): every prefix of the stack is a snapshot. */
static int
mark_chain(struct gc *g, const json_t *diff_ids, struct err *e)
{
	json_auto_t *chains = chain_ids(diff_ids, e);
	const json_t *c;
	size_t i;

	if (!chains)
		return -1;
	json_array_foreach(chains, i, c)
		json_object_set_new(g->snaps, json_string_value(c), json_true());
	return 0;
}

static int
mark_manifest(struct gc *g, const json_t *man, struct err *e)
{
	const json_t *cfg = json_object_get(man, "config");
	const json_t *layers = json_object_get(man, "layers"), *l;
	const char *dg = jsonio_str(cfg, "digest");
	json_auto_t *config = NULL, *ids = NULL;
	size_t i;

	mark_blob(g, dg);
	json_array_foreach(layers, i, l)
		mark_blob(g, jsonio_str(l, "digest"));
	/* an artifact's blobs and the manifest it refers to are kept with it */
	json_array_foreach(json_object_get(man, "blobs"), i, l)
		mark_blob(g, jsonio_str(l, "digest"));
	mark_blob(g, jsonio_str(json_object_get(man, "subject"), "digest"));
	if (!json_is_array(layers))
		return 0;
	if (!content_has(&g->c, dg, -1)) {
		keep_unpacked(g, "config", dg ? dg : "(none)");
		return 0;
	}
	if (!(config = content_read_json(&g->c, dg, OCIDOC_CONFIG_MAX, e)) ||
	    !(ids = ocidoc_config_diff_ids(config, json_array_size(layers), e)) ||
	    mark_chain(g, ids, e) < 0)
		return err_prefix(e, "config %s", dg);
	return 0;
}

/*
 * A manifest or index, by its type; a blob of another type (an artifact's)
 * is followed too when it parses as JSON, else only kept itself.
 */
static json_t *
read_doc(struct gc *g, const char *dg, const char *mt, struct err *e)
{
	struct err ignored;

	if (mt && (ocidoc_is_index_type(mt) || ocidoc_is_manifest_type(mt)))
		return content_read_json(&g->c, dg, OCIDOC_MANIFEST_MAX, e);
	ignored.code = NULL;
	return content_read_json(&g->c, dg, OCIDOC_MANIFEST_MAX, &ignored);
}

/*
 * Mark desc and, when the store holds it, what it names: an index's
 * children, a manifest's config and layers. top: desc is a root (a record's
 * target), whose absence means its snapshots cannot be named; an index's
 * absent children are platforms that were never pulled.
 */
static int
mark_desc(struct gc *g, const json_t *desc, int depth, bool top, struct err *e)
{
	const char *dg = jsonio_str(desc, "digest"), *mt = jsonio_str(desc, "mediaType");
	json_auto_t *doc = NULL;
	const json_t *m;
	size_t i;

	if (!digest_valid(dg))
		return err_code(e, "corrupt", "a descriptor without a valid digest");
	mark_blob(g, dg);
	if (json_object_get(g->walked, dg))
		return 0;
	json_object_set_new(g->walked, dg, json_true());
	if (!content_has(&g->c, dg, -1)) {
		if (top)
			keep_unpacked(g, mt ? mt : "target", dg);
		return 0;
	}
	e->code = NULL;
	if (!(doc = read_doc(g, dg, mt, e)))
		return e->code ? -1 : 0;
	if (!json_is_array(json_object_get(doc, "manifests")))
		return mark_manifest(g, doc, e) < 0 ? err_prefix(e, "manifest %s", dg) : 0;
	if (depth >= INDEX_DEPTH)
		return err_code(e, "corrupt", "index %s: indexes nested too deep", dg);
	json_array_foreach(json_object_get(doc, "manifests"), i, m) {
		if (mark_desc(g, m, depth + 1, false, e) < 0)
			return err_prefix(e, "index %s", dg);
	}
	return 0;
}

static int
mark_record(struct gc *g, int dirfd, const char *ns, const char *name, struct err *e)
{
	json_auto_t *rec = jsonio_load_at(dirfd, name, RECORD_MAX, e);

	/* removed since readdir: nothing to keep for it */
	if (!rec && e->sys == ENOENT)
		return 0;
	if (!rec || ocidoc_check_descriptor(json_object_get(rec, "target"), "target", e) < 0 ||
	    mark_desc(g, json_object_get(rec, "target"), 0, true, e) < 0)
		return err_prefix(e, "image record images/%s/%s", ns, name);
	return 0;
}

static int
mark_namespace(struct gc *g, DIR *top, const char *ns, struct err *e)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;

	if (gc_opendir(dirfd(top), ns, &d, e) < 0)
		return -1;
	if (!d)
		return 0;
	while ((errno = 0, de = readdir(d))) {
		size_t n = strlen(de->d_name);

		/* hidden names are locks and temp files (image.c) */
		if (de->d_name[0] == '.' || n <= 5 || strcmp(de->d_name + n - 5, ".json"))
			continue;
		if (mark_record(g, dirfd(d), ns, de->d_name, e) < 0)
			return -1;
	}
	return errno ? err_set(e, errno, "read images/%s", ns) : 0;
}

static int
mark_images(struct gc *g, struct err *e)
{
	_cleanup_closedir_ DIR *top = NULL;
	struct dirent *de;

	if (gc_opendir(g->st->rootfd, "images", &top, e) < 0)
		return -1;
	while (top && (errno = 0, de = readdir(top)))
		if (de->d_name[0] != '.' && mark_namespace(g, top, de->d_name, e) < 0)
			return -1;
	return top && errno ? err_set(e, errno, "read images") : 0;
}

/* One layout's index.json: what skopeo or umoci put there without a record is kept too. */
static int
mark_index(struct gc *g, int dirfd, const char *rel, struct err *e)
{
	json_auto_t *idx = NULL;
	const json_t *m;
	size_t i;

	if (!(idx = jsonio_load_at(dirfd, rel, LAYOUT_MAX, e)))
		return e->sys == ENOENT ? 0 : err_prefix(e, "%s", rel);
	json_array_foreach(json_object_get(idx, "manifests"), i, m)
		if (mark_desc(g, m, 0, true, e) < 0)
			return err_prefix(e, "%s", rel);
	return 0;
}

/* content/index.json, and layouts/NS/index.json of every other namespace (content.h). */
static int
mark_layout(struct gc *g, struct err *e)
{
	_cleanup_closedir_ DIR *top = NULL;
	struct dirent *de;

	if (g->c.dirfd < 0)
		return 0;
	if (mark_index(g, g->c.dirfd, "index.json", e) < 0 ||
	    gc_opendir(g->st->rootfd, "layouts", &top, e) < 0)
		return -1;
	while (top && (errno = 0, de = readdir(top))) {
		_cleanup_free_ char *rel = xasprintf("layouts/%s/index.json", de->d_name);

		/* layouts/default is content/ itself */
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if (mark_index(g, g->st->rootfd, rel, e) < 0)
			return -1;
	}
	return top && errno ? err_set(e, errno, "read layouts") : 0;
}

/* containers/<ns>/<id>/record.json: the snapshot it runs on and the chain it came from. */
static int
mark_container(struct gc *g, int nsfd, const char *ns, const char *id, struct err *e)
{
	_cleanup_free_ char *rel = xasprintf("%s/record.json", id);
	struct err ignored;
	json_auto_t *rec = jsonio_load_at(nsfd, rel, RECORD_MAX, &ignored);
	const char *key = jsonio_str(rec, "snapshot_key"), *chain = jsonio_str(rec, "chain_id");

	/* no record (yet): its snapshot is active, and active snapshots are roots */
	if (key)
		json_object_set_new(g->snaps, key, json_true());
	if (chain)
		json_object_set_new(g->snaps, chain, json_true());
	(void)ns, (void)e;
	return 0;
}

int
gc_each_container(struct gc *g, gc_container_fn *fn, bool gone, struct err *e)
{
	_cleanup_closedir_ DIR *top = NULL;
	struct dirent *de, *ce;

	if (gc_opendir(g->st->rootfd, "containers", &top, e) < 0)
		return -1;
	while (top && (de = readdir(top))) {
		_cleanup_closedir_ DIR *d = NULL;

		if (de->d_name[0] == '.' || gc_opendir(dirfd(top), de->d_name, &d, e) < 0)
			continue;
		while (d && (ce = readdir(d)))
			if ((gone ? path_is_gone(ce->d_name) : ce->d_name[0] != '.') &&
			    fn(g, dirfd(d), de->d_name, ce->d_name, e) < 0)
				return -1;
	}
	return 0;
}

int
gc_mark(struct gc *g, struct err *e)
{
	if (mark_images(g, e) < 0 || mark_layout(g, e) < 0 ||
	    gc_each_container(g, mark_container, false, e) < 0)
		return err_prefix(e, "nothing was collected");
	return 0;
}
