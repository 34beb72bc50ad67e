/* SPDX-License-Identifier: Apache-2.0 */
/* ctr-pull --blob: one blob by digest into the content store, for ctr-image check --repair. */
#include "blob.h"

#include <stdio.h>

#include "blobsrc.h"
#include "cleanup.h"
#include "content.h"
#include "prog.h"
#include "fetch.h"
#include "jsonio.h"
#include "log.h"
#include "ref.h"
#include "xmem.h"

/* A stored copy that hashes right is kept; a bad one goes, to be fetched again. */
static bool
have_good(const struct content *c, const char *dg, int64_t size)
{
	_cleanup_free_ char *why = NULL;
	struct err e;

	if (!content_has(c, dg, -1))
		return false;
	if (!(why = content_blob_problem(c, dg, size)))
		return true;
	log_warn("blob %s: %s; fetching it again", dg, why);
	if (content_drop_blob(c, dg, &e) < 0)
		die_err(&e);
	return false;
}

/*
 * Ask the registry for the blob first: the answer says whether it is there,
 * and the request does the auth challenge and a loopback registry's fall
 * back to plain http, which the downloads then use.
 */
static void
probe(struct registry *r, const char *dg)
{
	_cleanup_free_ char *path = xasprintf("/%s/blobs/%s", r->repo, dg);
	struct http_resp resp = {0};
	struct err e;

	if (registry_request(r, EP_PULL, path, NULL, true, 0, &resp, &e) < 0)
		die_err(&e);
	if (resp.status == 404)
		die(EXIT_NEG, "blob %s is not in %s/%s", dg, r->domain, r->repo);
	http_resp_release(&resp);
}

void
pull_blob(struct state *st, const struct pull_opts *o)
{
	struct blob b = {0};
	json_auto_t *out = NULL;
	int64_t got = 0;
	struct ref ref = {0};
	struct content c;
	struct registry reg;
	struct progress pr;
	struct err e;

	if (ref_parse(o->ref, &ref, &e) < 0)
		die_err(&e);
	if (!ref.digest)
		die(EXIT_USAGE, "--blob: '%s' names no digest (REPOSITORY@sha256:HEX)", o->ref);
	if (registry_init(&reg, ref.domain, ref_registry_host(&ref), ref.path,
			  ref_is_loopback(&ref), &o->reg, &e) < 0 ||
	    state_open_writer(st, &e) < 0 || content_open(st, &c, &e) < 0)
		die_err(&e);
	b.digest = ref.digest;
	b.size = o->blob_size;
	progress_init(&pr, o->progress);
	if (!have_good(&c, b.digest, b.size)) {
		probe(&reg, b.digest);
		if (fetch_blobs(&reg, &c, &b, 1, 1, &pr, &got, &e) < 0)
			die_err(&e);
	}
	if (blobsrc_add(&c, b.digest, reg.domain, reg.repo, &e) < 0)
		log_warn("%s", e.msg);
	content_unmark_bad(&c, b.digest);
	out = json_pack("{s:s, s:I, s:I}", "digest", b.digest, "size", (json_int_t)b.size,
			"transferred", (json_int_t)got);
	jsonio_write(stdout, out);
	progress_release(&pr);
	registry_release(&reg);
	content_release(&c);
	ref_release(&ref);
}
