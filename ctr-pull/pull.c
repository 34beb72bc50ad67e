/* SPDX-License-Identifier: Apache-2.0 */
/* The pull job: verified documents, parallel layers, then store, index and record. */
#include "pull.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "blobsrc.h"
#include "cleanup.h"
#include "content.h"
#include "fetch.h"
#include "image.h"
#include "jsonio.h"
#include "lease.h"
#include "log.h"
#include "ocidoc.h"
#include "prog.h"
#include "ref.h"
#include "resolve.h"
#include "xmem.h"

/* Every distinct layer of the chosen manifests, once. */
static struct blob *
collect_layers(const struct plan *p, size_t *n, int64_t *total)
{
	struct blob *b = NULL;

	*n = 0;
	*total = 0;
	for (size_t i = 0; i < p->n; i++) {
		json_t *layers = json_object_get(p->man[i].json, "layers"), *l;
		size_t j, k;

		json_array_foreach(layers, j, l) {
			const char *dg = jsonio_str(l, "digest");

			for (k = 0; k < *n && strcmp(b[k].digest, dg); k++)
				;
			if (k < *n)
				continue;
			b = xrealloc(b, (*n + 1) * sizeof(*b));
			memset(&b[*n], 0, sizeof(*b));
			b[*n].digest = dg;
			b[*n].size = json_integer_value(json_object_get(l, "size"));
			*total += b[(*n)++].size;
		}
	}
	return b;
}

static void
put_doc(const struct content *c, const struct doc *d)
{
	char got[DIGEST_STR_LEN + 1];
	struct err e;

	if (content_put(c, d->body, d->len, got, &e) < 0)
		die_err(&e);
}

/* Documents go in after the layers: a stored manifest always has its blobs. */
static void
store_docs(struct state *st, const struct content *c, const struct plan *p, const char *name,
	   bool in_layout)
{
	json_auto_t *rec = NULL;
	const json_t *entry;
	struct err e;

	for (size_t i = 0; i < p->n; i++) {
		put_doc(c, &p->cfg[i]);
		if (p->is_index) /* otherwise the manifest is the top document */
			put_doc(c, &p->man[i]);
	}
	put_doc(c, &p->top);
	/* a single platform of an index goes in index.json as that manifest: the layout stays
	 * complete */
	entry = p->is_index && p->n == 1 ? p->man[0].desc : p->top.desc;
	/* without its layer blobs (--keep-blobs=none) the image stays out of the OCI layout */
	if (in_layout && content_index_add(c, entry, name, &e) < 0)
		die_err(&e);
	rec = json_pack("{s:s, s:O}", "name", name, "target", p->top.desc);
	if (image_store(st, rec, &e) < 0)
		die_err(&e);
}

static void
print_images(struct state *st, const struct content *c, const struct plan *p, const char *name,
	     const struct platform *want, struct pull_unpack *u)
{
	json_auto_t *rec = NULL;
	struct err e;

	if (!(rec = image_load(st, name, &e)))
		die_err(&e);
	for (size_t i = 0; i < p->n; i++) {
		struct platform plat = *want;
		json_auto_t *doc = NULL;

		if (p->n > 1 &&
		    ocidoc_platform_of(json_object_get(p->man[i].desc, "platform"), &plat, &e) < 0)
			die_err(&e);
		if (!(doc = image_resolve(c, rec, &plat, &e)))
			die_err(&e);
		if (u && pull_unpack_commit(u, doc, &e) < 0)
			die_err(&e);
		if (!u)
			jsonio_write(stdout, doc);
	}
}

/*
 * --verify, or a blob that ctr-image check marked bad: a stored layer blob
 * is reused only if it still hashes to its digest; one that does not is
 * removed and fetched again. Otherwise reuse checks the size only.
 */
static void
verify_stored(const struct content *c, const struct blob *b, size_t n, bool all)
{
	struct err e;

	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *why = NULL;

		if (!content_has(c, b[i].digest, b[i].size) ||
		    (!all && !content_marked_bad(c, b[i].digest)) ||
		    !(why = content_blob_problem(c, b[i].digest, b[i].size)))
			continue;
		log_warn("blob %s: %s; fetching it again", b[i].digest, why);
		if (content_drop_blob(c, b[i].digest, &e) < 0)
			die_err(&e);
	}
}

/* Where the blobs came from, for ctr-push's cross-repository mounts; failures only warn. */
static void
record_sources(const struct registry *r, const struct content *c, const struct blob *b, size_t n)
{
	struct err e;

	for (size_t i = 0; i < n; i++) {
		/* fetched, or re-hashed right (verify_stored): no longer bad */
		content_unmark_bad(c, b[i].digest);
		if (content_has(c, b[i].digest, b[i].size) &&
		    blobsrc_add(c, b[i].digest, r->domain, r->repo, &e) < 0)
			log_warn("%s", e.msg);
	}
}

static void
fetch_layers(struct registry *r, const struct content *c, const struct plan *p,
	     const struct pull_opts *o, struct progress *pr, const char *name, int64_t *got,
	     struct pull_unpack *u, struct state *st)
{
	int64_t total;
	size_t n;
	_cleanup_free_ struct blob *b = collect_layers(p, &n, &total);
	struct err e;
	int rc;

	verify_stored(c, b, n, o->verify);
	if (u && pull_unpack_prepare(u, st, name, p, b, &n, &e) < 0)
		die_err(&e);
	progress_resolved(pr, name, jsonio_str(p->top.desc, "digest"), (int)n, total);
	rc = fetch_blobs(r, c, b, n, o->max_concurrent, pr, got, &e);
	/* no applier outlives us, and none that failed leaves a snapshot */
	if (u && pull_unpack_wait(u, rc == 0, rc < 0 ? &(struct err){0} : &e) < 0 && rc == 0)
		rc = -1;
	if (rc < 0)
		die_err(&e);
	record_sources(r, c, b, n);
}

/* Has a content store been made under the root already? */
static bool
store_exists(const struct state *st)
{
	_cleanup_free_ char *p = xasprintf("%s/content/oci-layout", st->root);

	return access(p, F_OK) == 0;
}

static void
lease_blob(json_t *objs, const json_t *desc)
{
	lease_object(objs, LEASE_BLOB, jsonio_str(desc, "digest") ?: "");
}

/*
 * A lease on every blob of the plan while it is downloaded and not yet
 * named by the record (the store lock, held shared, also keeps gc away).
 */
static void
take_lease(const struct state *st, const struct plan *p, const char *name, struct lease *l)
{
	_cleanup_free_ char *purpose = xasprintf("pull %s", name);
	json_auto_t *objs = json_array();
	const json_t *d;
	struct err e;
	size_t j;

	lease_blob(objs, p->top.desc);
	for (size_t i = 0; i < p->n; i++) {
		lease_blob(objs, p->man[i].desc);
		lease_blob(objs, p->cfg[i].desc);
		json_array_foreach(json_object_get(p->man[i].json, "layers"), j, d)
			lease_blob(objs, d);
	}
	if (lease_take(st, purpose, 0, objs, l, &e) < 0)
		die_err(&e);
}

void
pull_run(struct state *st, const struct pull_opts *o)
{
	struct ref ref = {0};
	struct registry reg;
	struct content c;
	struct progress pr;
	struct plan plan;
	struct pull_unpack u = {.o = o->unpack};
	struct lease lease;
	_cleanup_free_ char *name = NULL;
	double t0 = progress_now();
	int64_t got = 0;
	bool opened = false;
	struct err e;

	if (ref_parse(o->ref, &ref, &e) < 0)
		die_err(&e);
	name = ref_string(&ref);
	if (registry_init(&reg, ref.domain, ref_registry_host(&ref), ref.path,
			  ref_is_loopback(&ref), &o->reg, &e) < 0)
		die_err(&e);
	progress_init(&pr, o->progress);
	/*
	 * A store that exists is read while resolving (what it holds is not
	 * downloaded again); none is created until the registry's documents
	 * checked out.
	 */
	if (store_exists(st)) {
		if (state_open_writer(st, &e) < 0 || content_open(st, &c, &e) < 0)
			die_err(&e);
		opened = true;
	}
	if (resolve(&reg, opened ? &c : NULL, &ref, &o->platform, o->all_platforms, o->max_layers,
		    &plan, &e) < 0)
		die_err((err_prefix(&e, "%s", name), &e));
	if (!opened && (state_open_writer(st, &e) < 0 || content_open(st, &c, &e) < 0))
		die_err(&e);
	take_lease(st, &plan, name, &lease);
	fetch_layers(&reg, &c, &plan, o, &pr, name, &got, o->unpack.on ? &u : NULL, st);
	store_docs(st, &c, &plan, name, !(o->unpack.on && o->unpack.keep_none));
	lease_drop(&lease); /* the record names it all now */
	print_images(st, &c, &plan, name, &o->platform, o->unpack.on ? &u : NULL);
	progress_done(&pr, jsonio_str(plan.top.desc, "digest"), got, progress_now() - t0);
	plan_release(&plan);
	pull_unpack_release(&u);
	progress_release(&pr);
	registry_release(&reg);
	content_release(&c);
	ref_release(&ref);
}
