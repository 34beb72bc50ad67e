/* SPDX-License-Identifier: Apache-2.0 */
/* What a push sends: the documents and blobs of an image, read back and checked from the store. */
#include <string.h>

#include "cleanup.h"
#include "jsonio.h"
#include "log.h"
#include "ocidoc.h"
#include "push.h"
#include "xmem.h"

static void
doc_release(struct push_doc *d)
{
	free(d->body);
	json_decref(d->json);
	json_decref(d->desc);
	memset(d, 0, sizeof(*d));
}

void
push_plan_release(struct push_plan *p)
{
	doc_release(&p->top);
	for (size_t i = 0; i < p->n; i++)
		doc_release(&p->man[i]);
	free(p->man);
	free(p->blobs);
	memset(p, 0, sizeof(*p));
}

/* A manifest or index of the store, re-hashed, of its descriptor's size and type. */
static int
read_doc(const struct content *c, const json_t *desc, struct push_doc *d, struct err *e)
{
	const char *dg = jsonio_str(desc, "digest");
	const char *mt = jsonio_str(desc, "mediaType");

	memset(d, 0, sizeof(*d));
	d->desc = json_deep_copy(desc);
	if (content_read_blob(c, dg, OCIDOC_MANIFEST_MAX, &d->body, &d->len, e) < 0)
		return -1;
	if ((int64_t)d->len != json_integer_value(json_object_get(desc, "size")))
		return err_code(e, "corrupt", "manifest %s: %zu bytes, its descriptor says %lld",
				dg, d->len,
				(long long)json_integer_value(json_object_get(desc, "size")));
	if (!(d->json = jsonio_parse(d->body, d->len, dg, e)))
		return -1;
	return ocidoc_check_document(d->json, mt, e) < 0 ? err_prefix(e, "manifest %s", dg) : 0;
}

static void
add_blob(struct push_plan *p, const json_t *desc)
{
	const char *dg = jsonio_str(desc, "digest");

	for (size_t i = 0; i < p->nblobs; i++)
		if (!strcmp(p->blobs[i].digest, dg))
			return;
	p->blobs = xrealloc(p->blobs, (p->nblobs + 1) * sizeof(*p->blobs));
	memset(&p->blobs[p->nblobs], 0, sizeof(*p->blobs));
	p->blobs[p->nblobs].digest = dg; /* borrowed from the manifest, which p keeps */
	p->blobs[p->nblobs].size = json_integer_value(json_object_get(desc, "size"));
	p->total += p->blobs[p->nblobs++].size;
}

/* Config and layers of a manifest: -1 (code "not-found") when one is not in the store. */
static int
add_blobs(const struct content *c, struct push_plan *p, const struct push_doc *m, struct err *e)
{
	json_t *layers = json_object_get(m->json, "layers"), *l;
	json_t *config = json_object_get(m->json, "config");
	size_t i;

	if (!content_has(c, jsonio_str(config, "digest"), -1))
		return err_code(e, "not-found", "config %s of manifest %s is not in the store",
				jsonio_str(config, "digest"), jsonio_str(m->desc, "digest"));
	add_blob(p, config);
	json_array_foreach(layers, i, l) {
		if (!content_has(c, jsonio_str(l, "digest"), -1))
			return err_code(e, "not-found",
					"layer %s of manifest %s is not in the store",
					jsonio_str(l, "digest"), jsonio_str(m->desc, "digest"));
		add_blob(p, l);
	}
	return 0;
}

/* The manifest desc as the whole push. */
static int
plan_manifest(const struct content *c, const json_t *desc, struct push_plan *p, struct err *e)
{
	if (read_doc(c, desc, &p->top, e) < 0)
		return -1;
	return add_blobs(c, p, &p->top, e);
}

/* Every manifest of the index and its blobs; -1 when one is missing from the store. */
static int
plan_whole(const struct content *c, struct push_plan *p, struct err *e)
{
	json_t *ms = json_object_get(p->top.json, "manifests"), *m;
	size_t i;

	p->man = xcalloc(json_array_size(ms) + 1, sizeof(*p->man));
	json_array_foreach(ms, i, m) {
		const char *dg = jsonio_str(m, "digest");

		if (!ocidoc_is_manifest_type(jsonio_str(m, "mediaType")))
			return err_code(e, "invalid", "index entry %zu is not an image manifest",
					i);
		if (!content_has(c, dg, json_integer_value(json_object_get(m, "size"))))
			return err_code(e, "not-found", "manifest %s is not in the store", dg);
		p->n++;
		if (read_doc(c, m, &p->man[i], e) < 0 || add_blobs(c, p, &p->man[i], e) < 0)
			return -1;
	}
	return 0;
}

static void
plan_reset(struct push_plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		doc_release(&p->man[i]);
	free(p->man);
	free(p->blobs);
	p->man = NULL;
	p->blobs = NULL;
	p->n = p->nblobs = 0;
	p->total = 0;
}

/* One platform of the index, pushed as that manifest alone. */
static int
plan_platform(const struct content *c, struct push_plan *p, const struct platform *want,
	      struct err *e)
{
	json_auto_t *idx = json_incref(p->top.json);
	json_auto_t *entry = NULL;
	int pos = ocidoc_index_select(idx, want, e);

	if (pos < 0)
		return -1;
	entry = json_deep_copy(json_array_get(json_object_get(idx, "manifests"), (size_t)pos));
	doc_release(&p->top);
	if (!content_has(c, jsonio_str(entry, "digest"), -1))
		return err_code(e, "not-found", "manifest %s is not in the store",
				jsonio_str(entry, "digest"));
	return plan_manifest(c, entry, p, e);
}

int
push_plan_make(const struct content *c, const json_t *target, const struct push_opts *o,
	       struct push_plan *p, struct err *e)
{
	struct platform host;
	struct err why;
	char name[96];

	memset(p, 0, sizeof(*p));
	if (!ocidoc_is_index_type(jsonio_str(target, "mediaType")))
		return plan_manifest(c, target, p, e);
	if (read_doc(c, target, &p->top, e) < 0)
		return -1;
	if (o->platform_set)
		return plan_platform(c, p, &o->platform, e);
	if (plan_whole(c, p, &why) == 0)
		return 0;
	plan_reset(p);
	if (o->all_platforms) {
		*e = why;
		return err_prefix(e, "the index is not complete in the store (pull it with "
				     "--all-platforms)");
	}
	platform_host(&host);
	platform_format(&host, name, sizeof(name));
	log_warn("the index is not complete in the store (%s): pushing the %s manifest only",
		 why.msg, name);
	return plan_platform(c, p, &host, e);
}
