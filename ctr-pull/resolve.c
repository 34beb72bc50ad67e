/* SPDX-License-Identifier: Apache-2.0 */
/* Manifests, indexes and configs from the registry, verified before anything is stored. */
#include "resolve.h"

#include <string.h>

#include "cleanup.h"
#include "jsonio.h"
#include "layerlimit.h"
#include "log.h"
#include "ocidoc.h"
#include "xmem.h"

static const char ACCEPT[] = "Accept: " OCIDOC_MT_MANIFEST ", " OCIDOC_MT_INDEX
			     ", " OCIDOC_MT_DOCKER_MANIFEST ", " OCIDOC_MT_DOCKER_LIST;

static void
doc_release(struct doc *d)
{
	free(d->body);
	json_decref(d->json);
	json_decref(d->desc);
	memset(d, 0, sizeof(*d));
}

void
plan_release(struct plan *p)
{
	doc_release(&p->top);
	for (size_t i = 0; i < p->n; i++) {
		doc_release(&p->man[i]);
		doc_release(&p->cfg[i]);
	}
	free(p->man);
	free(p->cfg);
	memset(p, 0, sizeof(*p));
}

static int
status_err(const struct http_resp *resp, const char *what, struct err *e)
{
	if (resp->status == 404)
		return err_code(e, "not-found", "%s: not found (404)", what);
	return err_code(e, registry_status_code(resp->status), "%s: registry answered HTTP %ld",
			what, resp->status);
}

/* The bytes of a response, checked against what is expected of them. */
static int
check_bytes(const struct http_resp *resp, const char *want, int64_t size, const char *what,
	    char got[DIGEST_STR_LEN + 1], struct err *e)
{
	digest_buf(resp->body ? resp->body : "", resp->len, got);
	if (want && strcmp(got, want))
		return err_code(e, "invalid", "%s: digest mismatch (got %s)", what, got);
	if (size >= 0 && (int64_t)resp->len != size)
		return err_code(e, "invalid", "%s: %zu bytes, its descriptor says %lld", what,
				resp->len, (long long)size);
	/* the header is optional, but one that lies means nothing here can be trusted */
	if (resp->digest && strcmp(resp->digest, got))
		return err_code(
		    e, "invalid",
		    "%s: Docker-Content-Digest header '%.80s' disagrees with the content (%s)",
		    what, resp->digest, got);
	return 0;
}

/* The manifest's media type: Content-Type, or the embedded one for a generic type. */
static const char *
media_type(const char *ct, const json_t *doc)
{
	if (!ct || !*ct || !strcmp(ct, "application/json") || !strcmp(ct, "text/plain"))
		return jsonio_str(doc, "mediaType");
	return ct;
}

/*
 * GET path (at most max bytes), require 200, check the bytes against want and
 * size (either may be NULL / -1), and parse them into d, which then owns the
 * body; got receives their digest. resp stays the caller's, for its headers.
 */
static int
get_doc(struct registry *r, unsigned caps, const char *path, const char *accept, size_t max,
	const char *want, int64_t size, const char *what, struct http_resp *resp,
	char got[DIGEST_STR_LEN + 1], struct doc *d, struct err *e)
{
	if (registry_request(r, caps, path, accept, false, max, resp, e) < 0)
		return -1;
	if (resp->status != 200)
		return status_err(resp, what, e);
	if (check_bytes(resp, want, size, what, got, e) < 0)
		return -1;
	if (!(d->json = jsonio_parse(resp->body ? resp->body : "", resp->len, what, e)))
		return -1;
	d->body = steal_ptr(resp->body);
	d->len = resp->len;
	return 0;
}

/*
 * The document the store holds under digest (of size, unless -1), read and
 * re-checked by content_read_blob; false when it has none (or a bad one: the
 * registry is asked then, as if it were not there).
 */
static bool
local_doc(const struct content *c, const char *digest, int64_t size, size_t max, struct doc *d)
{
	struct err ignored;

	if (!c || !digest_valid(digest) || !content_has(c, digest, size) ||
	    content_read_blob(c, digest, max, &d->body, &d->len, &ignored) < 0)
		return false;
	if (!(d->json = jsonio_parse(d->body, d->len, "stored document", &ignored))) {
		doc_release(d);
		return false;
	}
	return true;
}

/* HEAD of a tag: the digest it names now, or NULL (new string); its Content-Type into *ctype. */
static char *
head_digest(struct registry *r, const char *path, char **ctype)
{
	struct http_resp resp = {0};
	struct err ignored;
	char *dg = NULL;

	if (registry_request(r, EP_RESOLVE, path, ACCEPT, true, 0, &resp, &ignored) == 0 &&
	    resp.status == 200 && resp.digest && digest_valid(resp.digest)) {
		dg = xstrdup(resp.digest);
		*ctype = resp.ctype ? xstrdup(resp.ctype) : NULL;
	}
	http_resp_release(&resp);
	return dg;
}

/*
 * What the store holds of the manifest ref names: by want when the digest is
 * known, else by the digest a HEAD of the tag answers. Its media type: mt,
 * else the one it embeds, else the HEAD's Content-Type; without one, it is
 * fetched after all.
 */
static bool
local_manifest(struct registry *r, const struct content *c, const char *path, const char *want,
	       int64_t size, const char *mt, struct doc *d, char **type)
{
	_cleanup_free_ char *dg = NULL, *ctype = NULL;
	const char *t;

	if (!c || (!want && !(dg = head_digest(r, path, &ctype))))
		return false;
	if (!local_doc(c, want ? want : dg, size, OCIDOC_MANIFEST_MAX, d))
		return false;
	if (!(t = mt ? mt : media_type(ctype, d->json))) {
		doc_release(d);
		return false;
	}
	*type = xstrdup(t);
	d->desc = json_pack("{s:s, s:s, s:I}", "mediaType", t, "digest", want ? want : dg, "size",
			    (json_int_t)d->len);
	return true;
}

/* GET a manifest or index by tag or digest into d; want/size/mt may be NULL/-1/NULL. */
static int
fetch_manifest(struct registry *r, const struct content *c, const char *ref, const char *want,
	       int64_t size, const char *mt, struct doc *d, struct err *e)
{
	_cleanup_free_ char *path = xasprintf("/%s/manifests/%s", r->repo, ref);
	_cleanup_free_ char *what = xasprintf("manifest %s", ref);
	struct http_resp resp = {0};
	char got[DIGEST_STR_LEN + 1];
	const char *type;
	_cleanup_free_ char *local_type = NULL;
	int rc = -1;

	if (local_manifest(r, c, path, want, size, mt, d, &local_type)) {
		type = local_type;
		log_debug("%s: the store has it", what);
		goto check;
	}
	if (get_doc(r, EP_RESOLVE, path, ACCEPT, OCIDOC_MANIFEST_MAX, want, size, what, &resp, got,
		    d, e) < 0)
		goto out;
	type = media_type(resp.ctype, d->json);
check:
	if (!type || (mt && strcmp(type, mt))) {
		err_code(e, "invalid", "%s: media type '%.100s' is not the expected '%.100s'", what,
			 type ? type : "(none)", mt ? mt : "a manifest or index");
		goto out;
	}
	if (ocidoc_check_document(d->json, type, e) < 0) {
		err_prefix(e, "%s", what);
		goto out;
	}
	if (!d->desc)
		d->desc = json_pack("{s:s, s:s, s:I}", "mediaType", type, "digest", got, "size",
				    (json_int_t)d->len);
	rc = 0;
out:
	http_resp_release(&resp);
	return rc;
}

/* A config blob, from the store when it holds it, else from the registry; verified. */
static int
fetch_config(struct registry *r, const struct content *c, const json_t *desc, struct doc *d,
	     struct err *e)
{
	const char *dg = jsonio_str(desc, "digest");
	int64_t size = json_integer_value(json_object_get(desc, "size"));
	_cleanup_free_ char *path = xasprintf("/%s/blobs/%s", r->repo, dg);
	_cleanup_free_ char *what = xasprintf("config %s", dg);
	struct http_resp resp = {0};
	char got[DIGEST_STR_LEN + 1];
	int rc;

	if (local_doc(c, dg, size, OCIDOC_CONFIG_MAX, d))
		rc = 0;
	else
		rc = get_doc(r, EP_PULL, path, NULL, OCIDOC_CONFIG_MAX, dg, size, what, &resp, got,
			     d, e);
	http_resp_release(&resp);
	d->desc = json_deep_copy(desc);
	return rc;
}

/*
 * Add one manifest (and its config) to the plan; entry is its index entry or
 * NULL. An image of more than max layers is refused here, before its config
 * or any layer is fetched.
 */
static int
add_manifest(struct registry *r, const struct content *c, struct plan *p, const json_t *entry,
	     size_t max, struct err *e)
{
	struct doc *m, *cfg;
	json_auto_t *ids = NULL;

	p->man = xrealloc(p->man, (p->n + 1) * sizeof(*p->man));
	p->cfg = xrealloc(p->cfg, (p->n + 1) * sizeof(*p->cfg));
	m = &p->man[p->n];
	cfg = &p->cfg[p->n];
	memset(m, 0, sizeof(*m));
	memset(cfg, 0, sizeof(*cfg));
	p->n++;
	if (entry) {
		const char *dg = jsonio_str(entry, "digest");

		if (fetch_manifest(r, c, dg, dg, json_integer_value(json_object_get(entry, "size")),
				   jsonio_str(entry, "mediaType"), m, e) < 0)
			return -1;
		json_decref(m->desc);
		m->desc = json_deep_copy(entry); /* keeps the platform */
	} else {
		m->json = json_incref(p->top.json);
		m->desc = json_incref(p->top.desc);
	}
	if (layerlimit_check(json_array_size(json_object_get(m->json, "layers")), max, e) < 0)
		return err_prefix(e, "manifest %s", jsonio_str(m->desc, "digest"));
	if (fetch_config(r, c, json_object_get(m->json, "config"), cfg, e) < 0)
		return -1;
	ids = ocidoc_config_diff_ids(cfg->json, json_array_size(json_object_get(m->json, "layers")),
				     e);
	return ids ? 0 : err_prefix(e, "manifest %s", jsonio_str(m->desc, "digest"));
}

static bool
is_image_entry(const json_t *m)
{
	const char *os = jsonio_str(json_object_get(m, "platform"), "os");

	/* attestation manifests carry platform unknown/unknown: not images to run */
	return ocidoc_is_manifest_type(jsonio_str(m, "mediaType")) && os && strcmp(os, "unknown");
}

int
resolve(struct registry *r, const struct content *c, const struct ref *ref,
	const struct platform *want, bool all, size_t max_layers, struct plan *p, struct err *e)
{
	json_t *ms, *m;
	size_t i;
	int pos;

	memset(p, 0, sizeof(*p));
	if (fetch_manifest(r, c, ref->digest ? ref->digest : ref->tag, ref->digest, -1, NULL,
			   &p->top, e) < 0)
		return -1;
	p->is_index = ocidoc_is_index_type(jsonio_str(p->top.desc, "mediaType"));
	if (!p->is_index)
		return add_manifest(r, c, p, NULL, max_layers, e);
	ms = json_object_get(p->top.json, "manifests");
	if (!all) {
		if ((pos = ocidoc_index_select(p->top.json, want, e)) < 0)
			return -1;
		return add_manifest(r, c, p, json_array_get(ms, (size_t)pos), max_layers, e);
	}
	json_array_foreach(ms, i, m)
		if (is_image_entry(m) && add_manifest(r, c, p, m, max_layers, e) < 0)
			return -1;
	if (p->n == 0)
		return err_code(e, "not-found", "the index lists no image manifests");
	return 0;
}
