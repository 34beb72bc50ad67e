/* SPDX-License-Identifier: Apache-2.0 */
/* Import, second pass of a docker save archive: manifest.json's images checked, then stored as OCI. */
#include "docker-archive.h"

#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "decompress.h"
#include "fdio.h"
#include "jsonio.h"
#include "layerlimit.h"
#include "log.h"
#include "ocidoc.h"
#include "ref.h"
#include "xmem.h"

#define MT_CONFIG "application/vnd.oci.image.config.v1+json"

/* A file of the archive, opened: from the spool, or the blob it was stored as. */
static int
open_file(const struct oci_archive_in *in, const json_t *f, struct err *e)
{
	const json_t *id = json_object_get(f, "spool");

	if (id)
		return content_spool_open_file(&in->spool, (unsigned)json_integer_value(id), e);
	return content_open_blob(in->c, jsonio_str(f, "digest"), e);
}

static json_t *
read_config(const struct oci_archive_in *in, const json_t *f, struct err *e)
{
	_cleanup_close_ int fd = open_file(in, f, e);
	_cleanup_free_ char *buf = NULL;
	size_t len;

	if (fd < 0 || fdio_read_all(fd, OCIDOC_CONFIG_MAX, &buf, &len, e) < 0)
		return NULL;
	return jsonio_parse(buf, len, "config", e);
}

/* The OCI layer media type of a stream of dstream_format fmt. */
static const char *
layer_type(const char *fmt)
{
	if (!strcmp(fmt, "gzip"))
		return "application/vnd.oci.image.layer.v1.tar+gzip";
	if (!strcmp(fmt, "zstd"))
		return "application/vnd.oci.image.layer.v1.tar+zstd";
	return "application/vnd.oci.image.layer.v1.tar";
}

/*
 * The layer's OCI descriptor: its compression from its magic, and its
 * diff_id, which only a compressed layer needs read for. Each layer once
 * (cache: digest -> {"mediaType","diff_id"}). Borrowed from cache.
 */
static const json_t *
layer_info(const struct oci_archive_in *in, const json_t *f, json_t *cache, struct err *e)
{
	const char *dg = jsonio_str(f, "digest");
	_cleanup_close_ int fd = -1;
	char digest[DIGEST_STR_LEN + 1], diff[DIGEST_STR_LEN + 1];
	struct dstream *ds = NULL;
	const char *fmt;
	uint64_t insize, outsize;
	json_t *got = json_object_get(cache, dg);

	if (got)
		return got;
	if ((fd = open_file(in, f, e)) < 0 ||
	    dstream_open(fd, COMP_AUTO, UINT64_MAX, 0, &ds, e) < 0)
		goto out;
	fmt = dstream_format(ds);
	snprintf(diff, sizeof(diff), "%s", dg);
	if (strcmp(fmt, "none")) {
		if (dstream_drain(ds, e) < 0)
			goto out;
		dstream_result(ds, digest, diff, &insize, &outsize);
	}
	got = json_pack("{s:s, s:s}", "mediaType", layer_type(fmt), "diff_id", diff);
	json_object_set_new(cache, dg, got);
out:
	dstream_free(ds);
	return got;
}

/* The image's names: given, else its RepoTags normalised, each once in the archive. */
static json_t *
image_names(const json_t *ent, const char *given, json_t *seen, struct err *e)
{
	json_auto_t *names = json_array();
	const json_t *tags = json_object_get(ent, "RepoTags"), *t;
	size_t i;

	if (given)
		json_array_append_new(names, json_string(given));
	else if (tags && !json_is_null(tags) && !json_is_array(tags)) {
		err_code(e, "invalid", "manifest.json: RepoTags is not a list");
		return NULL;
	}
	json_array_foreach(given ? NULL : tags, i, t) {
		_cleanup_free_ char *n = NULL;
		struct ref r = {0};

		if (!json_is_string(t)) {
			err_code(e, "invalid", "manifest.json: RepoTags entry %zu is not a string",
				 i + 1);
			return NULL;
		}
		if (ref_parse(json_string_value(t), &r, e) < 0) {
			err_prefix(e, "manifest.json: RepoTags entry '%.200s'",
				   json_string_value(t));
			return NULL;
		}
		n = ref_string(&r);
		ref_release(&r);
		json_array_append_new(names, json_string(n));
	}
	json_array_foreach(names, i, t) {
		if (json_object_get(seen, json_string_value(t))) {
			err_code(e, "invalid", "manifest.json names '%s' twice",
				 json_string_value(t));
			return NULL;
		}
		json_object_set_new(seen, json_string_value(t), json_true());
	}
	return json_incref(names);
}

/*
 * One manifest.json entry, checked and nothing stored: {"names", "config"
 * (its file), "layers" ([{"file","desc"}])}. New reference.
 */
static json_t *
check_image(const struct oci_archive_in *in, const json_t *ent, const char *label, json_t *cache,
	    size_t max, struct err *e)
{
	const char *cfgpath;
	const json_t *cfgfile, *layers, *l;
	json_auto_t *cfg = NULL, *ids = NULL, *out = json_array();
	json_error_t je;
	size_t i;

	if (json_unpack_ex((json_t *)ent, &je, 0, "{s:s, s:o, *}", "Config", &cfgpath, "Layers",
			   &layers) < 0 ||
	    !json_is_array(layers)) {
		err_code(e, "invalid",
			 "manifest.json: image %s: needs a Config path and a Layers list", label);
		return NULL;
	}
	if (layerlimit_check(json_array_size(layers), max, e) < 0 ||
	    !(cfgfile = oci_archive_file(in, cfgpath, e)) || !(cfg = read_config(in, cfgfile, e)) ||
	    !(ids = ocidoc_config_diff_ids(cfg, json_array_size(layers), e)))
		goto fail;
	json_array_foreach(layers, i, l) {
		const json_t *f =
		    json_is_string(l) ? oci_archive_file(in, json_string_value(l), e) : NULL;
		const json_t *info;

		if (!json_is_string(l))
			err_code(e, "invalid", "layer %zu is not a path", i + 1);
		if (!f || !(info = layer_info(in, f, cache, e)))
			goto fail;
		if (!json_equal(json_object_get(info, "diff_id"), json_array_get(ids, i))) {
			err_code(e, "invalid", "layer %zu of %s does not match its diff_id", i + 1,
				 label);
			return NULL;
		}
		json_array_append_new(out,
				      json_pack("{s:O, s:{s:O, s:O, s:O}}", "file", f, "desc",
						"mediaType", json_object_get(info, "mediaType"),
						"digest", json_object_get(f, "digest"), "size",
						json_object_get(f, "size")));
	}
	return json_pack("{s:O, s:O}", "config", cfgfile, "layers", out);
fail:
	err_prefix(e, "image %s", label);
	return NULL;
}

static int
publish(const struct oci_archive_in *in, const json_t *f, struct err *e)
{
	const json_t *id = json_object_get(f, "spool");

	if (!id)
		return 0;
	return content_spool_publish(in->c, &in->spool, (unsigned)json_integer_value(id),
				     jsonio_str(f, "digest"), e);
}

/* Publish the image's files and store its OCI manifest. Its descriptor: new reference. */
static json_t *
store_image(const struct oci_archive_in *in, const json_t *img, struct err *e)
{
	const json_t *cfg = json_object_get(img, "config"), *l;
	json_auto_t *layers = json_array(), *man = NULL;
	_cleanup_free_ char *buf = NULL;
	char dg[DIGEST_STR_LEN + 1];
	size_t i;

	if (publish(in, cfg, e) < 0)
		return NULL;
	json_array_foreach(json_object_get(img, "layers"), i, l) {
		if (publish(in, json_object_get(l, "file"), e) < 0)
			return NULL;
		json_array_append(layers, json_object_get(l, "desc"));
	}
	man = json_pack("{s:i, s:s, s:{s:s, s:O, s:O}, s:O}", "schemaVersion", 2, "mediaType",
			OCIDOC_MT_MANIFEST, "config", "mediaType", MT_CONFIG, "digest",
			json_object_get(cfg, "digest"), "size", json_object_get(cfg, "size"),
			"layers", layers);
	buf = json_dumps(man, JSON_COMPACT);
	if (content_put(in->c, buf, strlen(buf), dg, e) < 0)
		return NULL;
	return json_pack("{s:s, s:s, s:I}", "mediaType", OCIDOC_MT_MANIFEST, "digest", dg, "size",
			 (json_int_t)strlen(buf));
}

/* Every entry checked ([{"names","config","layers"}]), before anything is published. */
static json_t *
check_all(const struct oci_archive_in *in, const char *given, size_t max, struct err *e)
{
	json_auto_t *out = json_array(), *seen = json_object(), *cache = json_object();
	const json_t *ms = in->manifest, *ent;
	size_t i;

	if (!json_is_array(ms) || json_array_size(ms) == 0) {
		err_code(e, "invalid", "manifest.json: not a list of images");
		return NULL;
	}
	if (given && json_array_size(ms) != 1) {
		err_code(e, "invalid",
			 "--name needs an archive of one image (manifest.json has %zu)",
			 json_array_size(ms));
		return NULL;
	}
	json_array_foreach(ms, i, ent) {
		_cleanup_free_ char *label = NULL;
		json_auto_t *names = NULL, *img = NULL;

		if (!json_is_object(ent)) {
			err_code(e, "invalid", "manifest.json: entry %zu is not an object", i + 1);
			return NULL;
		}
		if (!(names = image_names(ent, given, seen, e)))
			return NULL;
		if (json_array_size(names) == 0) {
			log_warn("manifest.json entry %zu has no RepoTags: skipped", i + 1);
			continue;
		}
		label = xstrdup(json_string_value(json_array_get(names, 0)));
		if (!(img = check_image(in, ent, label, cache, max, e)))
			return NULL;
		json_object_set(img, "names", names);
		json_array_append(out, img);
	}
	if (json_array_size(out) == 0) {
		err_code(e, "invalid", "the archive names no image (use --name NAME)");
		return NULL;
	}
	return json_incref(out);
}

json_t *
docker_archive_plan(struct oci_archive_in *in, const char *name, size_t max_layers, struct err *e)
{
	json_auto_t *imgs = check_all(in, name, max_layers, e), *plan = json_array();
	const json_t *img, *n;
	size_t i, j;

	if (!imgs)
		return NULL;
	json_array_foreach(imgs, i, img) {
		json_auto_t *desc = store_image(in, img, e);

		if (!desc)
			return NULL;
		json_array_foreach(json_object_get(img, "names"), j, n) {
			json_array_append_new(plan, json_pack("{s:O, s:O, s:O}", "name", n,
							      "target", desc, "entry", desc));
		}
	}
	return json_incref(plan);
}
