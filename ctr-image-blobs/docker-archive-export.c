/* SPDX-License-Identifier: Apache-2.0 */
/* Export as a docker save archive: manifest.json, then configs and decompressed layers as blobs. */
#include "docker-archive.h"

#include <string.h>

#include "cleanup.h"
#include "jsonio.h"
#include "ref.h"
#include "tarout.h"
#include "xmem.h"

struct dexport {
	const struct content *c;
	json_t *manifest; /* manifest.json */
	json_t *blobs;	  /* in tar order, as tarout_layout takes them */
	json_t *sized;	  /* blob digest -> its entry in blobs: each blob once */
};

static char *
blob_path(const char *dg)
{
	return xasprintf("blobs/sha256/%s", digest_hex(dg));
}

/* The blob as it will be in the tar: the config raw, a layer decompressed to its diff_id. */
static int
add_blob(struct dexport *x, const json_t *desc, const char *diff_id, struct err *e)
{
	const char *dg = jsonio_str(desc, "digest");
	json_int_t size = json_integer_value(json_object_get(desc, "size"));
	char got[DIGEST_STR_LEN + 1];
	int64_t outsize = size;
	bool raw = !diff_id || !strcmp(diff_id, dg);
	json_t *out;

	/* named by what goes out: two blobs of one diff_id are one file */
	if (json_object_get(x->sized, raw ? dg : diff_id))
		return 0;
	if (tarout_held(x->c, desc, e) < 0)
		return -1;
	if (!raw && tarout_measure(x->c, dg, got, &outsize, e) < 0)
		return -1;
	if (!raw && strcmp(got, diff_id))
		return err_code(e, "invalid", "blob %s does not decompress to its diff_id %s", dg,
				diff_id);
	json_object_set_new(x->sized, raw ? dg : diff_id, json_true());
	out = json_pack("{s:s, s:I}", "digest", dg, "size", (json_int_t)outsize);
	if (!raw)
		json_object_set_new(out, "want", json_string(diff_id));
	json_array_append_new(x->blobs, out);
	return 0;
}

/*
 * The name as a RepoTag: the full name, which docker, containerd, skopeo and
 * podman all read as it is (podman takes a short "app:1" for localhost/app:1).
 * NULL for a name without a tag. New string.
 */
static char *
repo_tag(const char *name)
{
	struct ref r = {0};
	struct err ignored;
	char *out = NULL;

	if (ref_parse(name, &r, &ignored) == 0 && r.tag && !r.digest)
		out = ref_string(&r);
	ref_release(&r);
	return out;
}

/* One image: its blobs, and its names added to the entry of the same config and layers. */
static int
add_image(struct dexport *x, const json_t *doc, struct err *e)
{
	const json_t *cfg = json_object_get(doc, "config"), *l,
		     *ids = json_object_get(doc, "diff_ids");
	json_auto_t *paths = json_array(), *ent = NULL;
	_cleanup_free_ char *cfgpath = blob_path(jsonio_str(cfg, "digest"));
	_cleanup_free_ char *tag = repo_tag(jsonio_str(doc, "name"));
	json_t *old;
	size_t i;

	if (add_blob(x, cfg, NULL, e) < 0)
		return -1;
	json_array_foreach(json_object_get(doc, "layers"), i, l) {
		const char *diff = json_string_value(json_array_get(ids, i));
		_cleanup_free_ char *path = NULL;

		if (!diff)
			return err_code(e, "invalid", "layer %zu has no diff_id", i + 1);
		if (add_blob(x, l, diff, e) < 0)
			return err_prefix(e, "layer %zu", i + 1);
		path = blob_path(diff);
		json_array_append_new(paths, json_string(path));
	}
	json_array_foreach(x->manifest, i, old) {
		if (!strcmp(jsonio_str(old, "Config"), cfgpath) &&
		    json_equal(json_object_get(old, "Layers"), paths)) {
			if (tag)
				json_array_append_new(json_object_get(old, "RepoTags"),
						      json_string(tag));
			return 0;
		}
	}
	ent = json_pack("{s:s, s:[], s:O}", "Config", cfgpath, "RepoTags", "Layers", paths);
	if (tag)
		json_array_append_new(json_object_get(ent, "RepoTags"), json_string(tag));
	json_array_append(x->manifest, ent);
	return 0;
}

int
docker_archive_export(const struct content *c, const json_t *docs, int fd, struct err *e)
{
	json_auto_t *manifest = json_array(), *blobs = json_array(), *sized = json_object();
	struct dexport x = {.c = c, .manifest = manifest, .blobs = blobs, .sized = sized};
	_cleanup_free_ char *man = NULL;
	const json_t *doc;
	size_t i;

	/* everything is looked up and every layer checked before the first byte goes out */
	json_array_foreach(docs, i, doc) {
		if (add_image(&x, doc, e) < 0)
			return err_prefix(e, "image '%s'", jsonio_str(doc, "name"));
	}
	man = json_dumps(manifest, JSON_COMPACT);
	const struct tarout_file files[] = {{"manifest.json", man}, {NULL}};

	return tarout_layout(fd, c, files, blobs, e);
}
