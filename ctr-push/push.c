/* SPDX-License-Identifier: Apache-2.0 */
/* The push job: plan from the store, blobs in parallel, manifests after, result on stdout. */
#include "push.h"

#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "image.h"
#include "jsonio.h"
#include "lease.h"
#include "lock.h"
#include "log.h"
#include "ocidoc.h"
#include "prog.h"
#include "ref.h"
#include "xmem.h"

static const char ACCEPT[] = "Accept: " OCIDOC_MT_MANIFEST ", " OCIDOC_MT_INDEX
			     ", " OCIDOC_MT_DOCKER_MANIFEST ", " OCIDOC_MT_DOCKER_LIST;

/* The result lists: digests pushed, found existing, mounted. */
struct tally {
	json_t *pushed, *existing, *mounted;
};

static void
tally_add(struct tally *t, const char *result, const char *digest)
{
	json_t *list = !strcmp(result, "pushed")    ? t->pushed
		       : !strcmp(result, "mounted") ? t->mounted
						    : t->existing;

	json_array_append_new(list, json_string(digest));
}

/* Does the registry already hold this document under ref (a tag or its digest)? */
static int
doc_exists(struct registry *r, const char *ref, const struct push_doc *d, bool *yes, struct err *e)
{
	_cleanup_free_ char *path = xasprintf("/%s/manifests/%s", r->repo, ref);
	struct http_req q = {.method = "HEAD", .path = path, .hdrs = {ACCEPT}};
	struct http_resp resp = {0};
	int rc = registry_send(r, &q, 0, &resp, e);

	*yes = rc == 0 && resp.status == 200 && resp.digest &&
	       !strcmp(resp.digest, jsonio_str(d->desc, "digest"));
	if (rc == 0 && resp.status != 200 && resp.status != 404)
		rc = err_code(e, registry_status_code(resp.status), "%s%s: HTTP status %ld",
			      registry_base(r), path, resp.status);
	http_resp_release(&resp);
	return rc;
}

/* PUT a manifest or index under ref; the registry must name the digest we hold. */
static int
doc_put(struct registry *r, const char *ref, const struct push_doc *d, struct err *e)
{
	_cleanup_free_ char *path = xasprintf("/%s/manifests/%s", r->repo, ref);
	_cleanup_free_ char *ct = xasprintf("Content-Type: %s", jsonio_str(d->desc, "mediaType"));
	_cleanup_free_ char *why = NULL;
	const char *dg = jsonio_str(d->desc, "digest");
	struct http_req q = {
	    .method = "PUT", .path = path, .hdrs = {ct}, .buf = d->body, .len = (int64_t)d->len};
	struct http_resp resp = {0};
	int rc = registry_send(r, &q, 1u << 16, &resp, e);

	if (rc == 0 && resp.status != 201 && resp.status != 200) {
		why = upload_error_text(&resp);
		rc = err_code(e, registry_status_code(resp.status), "%s%s: %s", registry_base(r),
			      path, why);
	} else if (rc == 0 && !resp.digest) {
		log_warn("%s%s: no Docker-Content-Digest in the answer", registry_base(r), path);
	} else if (rc == 0 && strcmp(resp.digest, dg)) {
		rc = err_code(e, "invalid", "%s%s: the registry stored %.80s, not %s",
			      registry_base(r), path, resp.digest, dg);
	}
	http_resp_release(&resp);
	return rc;
}

static void
send_doc(struct registry *r, const char *ref, const struct push_doc *d, bool known, struct tally *t)
{
	bool yes = known;
	struct err e;

	if (!known && doc_exists(r, ref, d, &yes, &e) < 0)
		die_err(&e);
	if (!yes && doc_put(r, ref, d, &e) < 0)
		die_err(&e);
	tally_add(t, yes ? "existing" : "pushed", jsonio_str(d->desc, "digest"));
}

static void
send_blobs(struct registry *r, struct state *st, const struct content *c, struct push_plan *p,
	   const struct push_opts *o, struct progress *pr, struct tally *t, int64_t *sent)
{
	struct upload_opts uo = {.maxconc = o->max_concurrent, .chunk = o->chunk_size};
	_cleanup_close_ int recfd = -1;
	struct err e;

	/* chunked sessions are recorded so that a push killed midway resumes them */
	for (size_t i = 0; i < p->nblobs && recfd < 0; i++)
		if (o->chunk_size > 0 && p->blobs[i].size > o->chunk_size &&
		    (recfd = state_dir(st, "uploads", 0, &e)) < 0)
			die_err(&e);
	uo.recfd = recfd;
	if (upload_blobs(r, c, p->blobs, p->nblobs, &uo, pr, sent, &e) < 0)
		die_err(&e);
	for (size_t i = 0; i < p->nblobs; i++)
		tally_add(t, p->blobs[i].result, p->blobs[i].digest);
}

/* A registry session for dest, asking for push rights (and pull where blobs can be mounted from). */
static void
open_registry(struct registry *reg, const struct ref *src, const struct ref *dest,
	      const struct push_opts *o, const struct content *c, struct push_plan *p)
{
	struct err e;

	if (registry_init(reg, dest->domain, ref_registry_host(dest), dest->path,
			  ref_is_loopback(dest), &o->reg, &e) < 0 ||
	    registry_use_caps(reg, EP_PUSH, &e) < 0)
		die_err(&e);
	reg->push = true;
	/* blobs another repository of this registry holds can be mounted, not sent */
	push_mounts_plan(reg, c, !strcmp(src->domain, dest->domain) ? src->path : NULL, p);
}

/* The tag (or digest) the top document goes under; a digest must be the top's. */
static const char *
dest_ref(const struct ref *dest, const struct push_plan *p, const char *name)
{
	const char *top = jsonio_str(p->top.desc, "digest");

	if (dest->digest && strcmp(dest->digest, top))
		die(EXIT_USAGE, "%s: the image to push is %s, not the digest named", name, top);
	return dest->tag ? dest->tag : top;
}

/* What the push reads from the store, as lease objects. New reference. */
static json_t *
plan_objects(const struct push_plan *p)
{
	json_t *o = json_array();

	lease_object(o, LEASE_BLOB, jsonio_str(p->top.desc, "digest") ?: "");
	for (size_t i = 0; i < p->n; i++)
		lease_object(o, LEASE_BLOB, jsonio_str(p->man[i].desc, "digest") ?: "");
	for (size_t i = 0; i < p->nblobs; i++)
		lease_object(o, LEASE_BLOB, p->blobs[i].digest);
	return o;
}

/*
 * The plan, and a lease on every blob it reads: an `ctr-image rm` and gc
 * while we upload must not take them. The store lock, shared while the
 * record is read and the lease written, keeps a gc from falling between.
 */
static void
load_plan(struct state *st, const struct content *c, const struct push_opts *o, const char *srcname,
	  struct push_plan *p, struct lease *l)
{
	_cleanup_free_ char *purpose = xasprintf("push %s", srcname);
	_cleanup_close_ int lk = -1;
	json_auto_t *rec = NULL, *objs = NULL;
	struct err e;

	if ((lk = state_lock_store(st, LOCK_SHARED, &e)) < 0)
		die_err((err_prefix(&e, "store lock"), &e));
	if (!(rec = image_load(st, srcname, &e)))
		die_err(&e);
	if (push_plan_make(c, json_object_get(rec, "target"), o, p, &e) < 0)
		die_err((err_prefix(&e, "%s", srcname), &e));
	objs = plan_objects(p);
	if (lease_take(st, purpose, 0, objs, l, &e) < 0)
		die_err(&e);
}

static void
print_result(const char *name, const struct push_plan *p, struct tally *t)
{
	json_auto_t *out = json_pack("{s:s, s:O, s:o, s:o, s:o}", "name", name, "digest",
				     json_object_get(p->top.desc, "digest"), "pushed", t->pushed,
				     "existing", t->existing, "mounted", t->mounted);

	jsonio_write(stdout, out);
}

static void
send_all(struct registry *reg, struct state *st, const struct content *c, struct push_plan *p,
	 const struct push_opts *o, const char *tag, struct tally *t, int64_t *sent)
{
	struct progress pr;
	double t0 = progress_now();
	bool top_there = false;
	struct err e;

	progress_init(&pr, o->progress);
	progress_set_verb(&pr, "uploading");
	/* the first request settles TLS and the token; it also finds a push already done */
	if (doc_exists(reg, tag, &p->top, &top_there, &e) < 0)
		die_err(&e);
	progress_resolved(&pr, reg->repo, jsonio_str(p->top.desc, "digest"), (int)p->nblobs,
			  p->total);
	send_blobs(reg, st, c, p, o, &pr, t, sent);
	for (size_t i = 0; i < p->n; i++)
		send_doc(reg, jsonio_str(p->man[i].desc, "digest"), &p->man[i], false, t);
	send_doc(reg, tag, &p->top, top_there, t);
	progress_done(&pr, jsonio_str(p->top.desc, "digest"), *sent, progress_now() - t0);
	progress_release(&pr);
}

void
push_run(struct state *st, const struct push_opts *o)
{
	struct ref src = {0}, dest = {0};
	_cleanup_free_ char *srcname = NULL, *destname = NULL;
	struct tally t = {json_array(), json_array(), json_array()};
	struct registry reg;
	struct push_plan plan;
	struct content c;
	struct lease lease;
	int64_t sent = 0;
	struct err e;

	if (ref_parse(o->src, &src, &e) < 0 || ref_parse(o->dest ? o->dest : o->src, &dest, &e) < 0)
		die_err(&e);
	srcname = ref_string(&src);
	destname = ref_string(&dest);
	if (state_open(st, &e) < 0 || content_open(st, &c, &e) < 0)
		die_err(&e);
	load_plan(st, &c, o, srcname, &plan, &lease);
	open_registry(&reg, &src, &dest, o, &c, &plan);
	send_all(&reg, st, &c, &plan, o, dest_ref(&dest, &plan, destname), &t, &sent);
	/* only a push that succeeded names the repository as a source of its blobs */
	push_mounts_record(&reg, &c, &plan);
	print_result(destname, &plan, &t);
	push_mounts_release(&plan);
	lease_drop(&lease);
	push_plan_release(&plan);
	registry_release(&reg);
	content_release(&c);
	ref_release(&src);
	ref_release(&dest);
}
