/* SPDX-License-Identifier: Apache-2.0 */
/* Image records under images/<ns>/ and the image document built from them. */
#include "image.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "afile.h"
#include "cleanup.h"
#include "jsonio.h"
#include "lock.h"
#include "log.h"
#include "ocidoc.h"
#include "ref.h"
#include "timestamp.h"
#include "xmem.h"

#define RECORD_MAX (1u << 20)

char *
image_file_name(const char *name)
{
	static const char hexd[] = "0123456789ABCDEF";
	char *out = xmalloc(strlen(name) * 3 + 6), *o = out;

	/* reversible: every byte outside [A-Za-z0-9._:@+-] becomes %XX, '/' and '%' included */
	for (const unsigned char *s = (const unsigned char *)name; *s; s++) {
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') ||
		    (strchr("._:@+-", *s) && !(s == (const unsigned char *)name && *s == '.'))) {
			*o++ = (char)*s;
			continue;
		}
		*o++ = '%';
		*o++ = hexd[*s >> 4];
		*o++ = hexd[*s & 15];
	}
	strcpy(o, ".json");
	return out;
}

static int
images_dir(const struct state *st, struct err *e)
{
	_cleanup_free_ char *rel = xasprintf("images/%s", st->ns);

	return state_dir(st, rel, 0, e);
}

json_t *
image_load(const struct state *st, const char *name, struct err *e)
{
	_cleanup_free_ char *file = image_file_name(name);
	_cleanup_close_ int dfd = images_dir(st, e);
	json_t *rec;

	if (dfd < 0)
		return NULL;
	rec = jsonio_load_at(dfd, file, RECORD_MAX, e);
	if (!rec) {
		if (e->sys == ENOENT)
			err_code(e, "not-found", "no image '%s' in namespace '%s'", name, st->ns);
		return NULL;
	}
	if (!json_is_string(json_object_get(rec, "name")) ||
	    ocidoc_check_descriptor(json_object_get(rec, "target"), "image record target", e) < 0) {
		json_decref(rec);
		err_code(e, "corrupt", "image record of '%s' is malformed", name);
		return NULL;
	}
	return rec;
}

int
image_name_check(const char *name, const char *digest, struct err *e)
{
	struct ref r;
	int rc = 0;

	if (ref_parse(name, &r, e) < 0)
		return -1;
	if (r.digest && strcmp(r.digest, digest))
		rc = err_code(e, "invalid", "'%s' names digest %s, not the image's (%s)", name,
			      r.digest, digest);
	ref_release(&r);
	return rc;
}

int
image_store(const struct state *st, const json_t *record, struct err *e)
{
	const char *name = jsonio_str(record, "name");
	_cleanup_free_ char *file = NULL, *lockname = NULL;
	_cleanup_close_ int dfd = -1, lk = -1;
	json_auto_t *rec = NULL, *old = NULL;
	char now[TIMESTAMP_LEN];

	if (!name || ocidoc_check_descriptor(json_object_get(record, "target"), "target", e) < 0)
		return err_code(e, "invalid", "image record needs a name and a target descriptor");
	if (image_name_check(name, jsonio_str(json_object_get(record, "target"), "digest"), e) < 0)
		return -1;
	file = image_file_name(name);
	lockname = xasprintf(".%s.lock", file);
	if ((dfd = images_dir(st, e)) < 0 || (lk = lock_at(dfd, lockname, 0, e)) < 0)
		return -1;
	rec = json_deep_copy(record);
	old = jsonio_load_at(dfd, file, RECORD_MAX, &(struct err){0});
	timestamp_now(now);
	/* a re-pull keeps the record's creation time and labels unless new ones are given */
	if (!json_object_get(rec, "created"))
		json_object_set_new(
		    rec, "created",
		    json_string(jsonio_str(old, "created") ? jsonio_str(old, "created") : now));
	if (!json_object_get(rec, "labels"))
		json_object_set_new(rec, "labels",
				    json_is_object(json_object_get(old, "labels"))
					? json_deep_copy(json_object_get(old, "labels"))
					: json_object());
	json_object_set_new(rec, "updated", json_string(now));
	return afile_write_json(dfd, file, rec, e);
}

int
image_remove(const struct state *st, const char *name, struct err *e)
{
	_cleanup_free_ char *file = image_file_name(name);
	_cleanup_free_ char *lockname = xasprintf(".%s.lock", file);
	_cleanup_close_ int dfd = -1, lk = -1;

	if ((dfd = images_dir(st, e)) < 0 || (lk = lock_at(dfd, lockname, 0, e)) < 0)
		return -1;
	if (unlinkat(dfd, file, 0) < 0)
		return errno == ENOENT ? err_code(e, "not-found", "no image '%s' in namespace '%s'",
						  name, st->ns)
				       : err_set(e, errno, "remove image record of '%s'", name);
	/* the lock file goes too: a record that comes back makes a new one */
	unlinkat(dfd, lockname, 0);
	return fsync(dfd) < 0 ? err_set(e, errno, "fsync images/%s", st->ns) : 0;
}

json_t *
image_list(const struct state *st, struct err *e)
{
	_cleanup_close_ int dfd = images_dir(st, e);
	_cleanup_closedir_ DIR *d = NULL;
	json_t *list = json_array();
	struct dirent *de;
	size_t n;

	if (dfd < 0 || !(d = fdopendir(fcntl(dfd, F_DUPFD_CLOEXEC, 0)))) {
		json_decref(list);
		if (dfd >= 0)
			err_set(e, errno, "read images/%s", st->ns);
		return NULL;
	}
	while ((de = readdir(d))) {
		json_t *rec;
		struct err bad;

		n = strlen(de->d_name);
		/* hidden names are locks and temp files */
		if (de->d_name[0] == '.' || n <= 5 || strcmp(de->d_name + n - 5, ".json"))
			continue;
		rec = jsonio_load_at(dfd, de->d_name, RECORD_MAX, &bad);
		if (!rec || !jsonio_str(rec, "name") ||
		    ocidoc_check_descriptor(json_object_get(rec, "target"), de->d_name, &bad) < 0) {
			log_warn("skipping image record '%s': %s", de->d_name,
				 rec ? "malformed" : bad.msg);
			json_decref(rec);
			continue;
		}
		json_array_append_new(list, rec);
	}
	return jsonio_sorted_by(list, "name");
}

static json_t *
read_doc(const struct content *c, const json_t *desc, size_t max, struct err *e)
{
	const char *dg = jsonio_str(desc, "digest");
	json_t *doc = content_read_json(c, dg, max, e);

	if (!doc)
		err_prefix(e, "%s", jsonio_str(desc, "mediaType"));
	return doc;
}

static json_t *
platform_json(const struct platform *p)
{
	json_t *o = json_pack("{s:s, s:s}", "os", p->os, "architecture", p->arch);

	if (p->variant[0])
		json_object_set_new(o, "variant", json_string(p->variant));
	return o;
}

/* The manifest descriptor to use: the target itself, or its entry for p in the index. */
static json_t *
pick_manifest(const struct content *c, const json_t *target, const struct platform *p,
	      struct platform *chosen, struct err *e)
{
	const char *mt = jsonio_str(target, "mediaType");
	json_auto_t *idx = NULL;
	json_t *m;
	int pos;

	if (!ocidoc_is_index_type(mt))
		return json_deep_copy(target);
	idx = read_doc(c, target, OCIDOC_MANIFEST_MAX, e);
	if (!idx || ocidoc_check_document(idx, mt, e) < 0)
		return NULL;
	if ((pos = ocidoc_index_select(idx, p, e)) < 0)
		return NULL;
	m = json_array_get(json_object_get(idx, "manifests"), (size_t)pos);
	if (ocidoc_platform_of(json_object_get(m, "platform"), chosen, e) < 0)
		return NULL;
	return json_deep_copy(m);
}

static json_t *
build(const struct content *c, const json_t *record, json_t *mdesc, struct platform *plat,
      bool from_index, struct err *e)
{
	json_auto_t *man = NULL, *cfg = NULL, *ids = NULL;
	json_t *config, *layers;

	man = read_doc(c, mdesc, OCIDOC_MANIFEST_MAX, e);
	if (!man || ocidoc_check_document(man, jsonio_str(mdesc, "mediaType"), e) < 0)
		return NULL;
	config = json_object_get(man, "config");
	layers = json_object_get(man, "layers");
	cfg = read_doc(c, config, OCIDOC_CONFIG_MAX, e);
	if (!cfg || !(ids = ocidoc_config_diff_ids(cfg, json_array_size(layers), e)))
		return NULL;
	if (!from_index && ocidoc_platform_of(cfg, plat, e) < 0)
		return NULL;
	return json_pack("{s:O, s:O, s:o, s:O, s:O, s:O, s:O}", "name",
			 json_object_get(record, "name"), "digest",
			 json_object_get(mdesc, "digest"), "platform", platform_json(plat),
			 "manifest", mdesc, "config", config, "layers", layers, "diff_ids", ids);
}

json_t *
image_resolve(const struct content *c, const json_t *record, const struct platform *p,
	      struct err *e)
{
	const json_t *target = json_object_get(record, "target");
	json_auto_t *mdesc = NULL;
	struct platform host, chosen;
	bool from_index;
	json_t *doc;

	if (ocidoc_check_descriptor(target, "image target", e) < 0)
		return NULL;
	if (!p) {
		platform_host(&host);
		p = &host;
	}
	from_index = ocidoc_is_index_type(jsonio_str(target, "mediaType"));
	mdesc = pick_manifest(c, target, p, &chosen, e);
	if (!mdesc)
		goto fail;
	doc = build(c, record, mdesc, &chosen, from_index, e);
	if (!doc)
		goto fail;
	if (from_index)
		json_object_set_new(doc, "index", json_deep_copy(target));
	return doc;
fail:
	err_prefix(e, "image '%s'", jsonio_str(record, "name"));
	return NULL;
}

/* Another platform of rec's index whose manifest the store holds. */
static json_t *
resolve_present(const struct content *c, const json_t *rec, struct err *e)
{
	const json_t *target = json_object_get(rec, "target");
	json_auto_t *idx =
	    content_read_json(c, jsonio_str(target, "digest"), OCIDOC_MANIFEST_MAX, e);
	json_t *m;
	size_t i;

	json_array_foreach(json_object_get(idx, "manifests"), i, m) {
		struct platform p;
		struct err ignored;
		json_t *doc;

		if (!content_has(c, jsonio_str(m, "digest"), -1) ||
		    ocidoc_platform_of(json_object_get(m, "platform"), &p, &ignored) < 0)
			continue;
		if ((doc = image_resolve(c, rec, &p, &ignored)))
			return doc;
	}
	return NULL;
}

json_t *
image_resolve_held(const struct content *c, const json_t *rec, struct err *e)
{
	json_t *doc = image_resolve(c, rec, NULL, e);
	struct err first;

	if (doc || !ocidoc_is_index_type(jsonio_str(json_object_get(rec, "target"), "mediaType")))
		return doc;
	first = *e;
	doc = resolve_present(c, rec, e);
	if (!doc)
		*e = first;
	return doc;
}

json_t *
image_stage_doc(const struct state *st, json_t *in, struct err *e)
{
	json_t *inner = json_object_get(in, "image");
	struct content c;
	json_t *doc;

	if (json_is_object(inner) && json_is_object(json_object_get(in, "record")))
		in = inner;
	if (json_object_get(in, "diff_ids") || json_object_get(in, "layers"))
		return json_incref(in);
	if (!json_is_object(json_object_get(in, "target")) || !jsonio_str(in, "name"))
		return err_code(e, "invalid",
				"not JSON about an image (an image document, an image record, or "
				"ctr-image inspect's)"),
		       NULL;
	if (content_open(st, &c, e) < 0)
		return NULL;
	doc = image_resolve(&c, in, NULL, e);
	content_release(&c);
	return doc;
}
