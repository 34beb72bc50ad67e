/* SPDX-License-Identifier: Apache-2.0 */
/* Blob uploads: HEAD, cross-repository mount, POST then one PUT, over curl multi. */
#include "upload.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "jsonio.h"
#include "log.h"
#include "xmem.h"

#define ERRBODY_MAX 4096

enum { U_HEAD, U_MOUNT, U_POST, U_PUT, U_DONE };

struct uploader {
	struct registry *r;
	const struct content *c;
	struct progress *pr;
	CURLM *multi;
	int active;
	size_t left;
	int64_t sent;
};

char *
upload_error_text(const struct http_resp *resp)
{
	json_auto_t *doc = NULL;
	json_t *first;

	if (resp->body)
		doc = json_loadb(resp->body, resp->len, 0, NULL);
	first = json_array_get(json_object_get(doc, "errors"), 0);
	if (jsonio_str(first, "code"))
		return xasprintf("HTTP %ld, %.60s: %.200s", resp->status, jsonio_str(first, "code"),
				 jsonio_str(first, "message") ? jsonio_str(first, "message") : "");
	return xasprintf("HTTP status %ld", resp->status);
}

/* Keeps the start of an error body for the message; the rest is dropped. */
static size_t
on_body(char *buf, size_t size, size_t n, void *arg)
{
	struct http_resp *resp = arg;
	size_t len = size * n, keep = len;

	if (resp->len + keep > ERRBODY_MAX)
		keep = ERRBODY_MAX - resp->len;
	if (keep) {
		resp->body = xrealloc(resp->body, resp->len + keep + 1);
		memcpy(resp->body + resp->len, buf, keep);
		resp->len += keep;
		resp->body[resp->len] = '\0';
	}
	return len;
}

static int
on_xfer(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	struct upload *u = arg;

	(void)dltotal, (void)dlnow, (void)ultotal;
	if (u->step == U_PUT)
		progress_layer_bytes(u->pr, u->digest, (int64_t)ulnow, u->size);
	return 0;
}

/* The request of u's current step. */
static void
build_req(struct uploader *f, struct upload *u)
{
	const char *repo = f->r->repo;

	free(u->url);
	memset(&u->req, 0, sizeof(u->req));
	switch (u->step) {
	case U_HEAD:
		u->req.method = "HEAD";
		u->url = xasprintf("%s/%s/blobs/%s", registry_base(f->r), repo, u->digest);
		break;
	case U_MOUNT:
		u->req.method = "POST";
		u->url = xasprintf("%s/%s/blobs/uploads/?mount=%s&from=%s", registry_base(f->r),
				   repo, u->digest, f->r->mount_from);
		break;
	case U_POST:
		u->req.method = "POST";
		u->url = xasprintf("%s/%s/blobs/uploads/", registry_base(f->r), repo);
		break;
	default:
		/* the session URL may carry a query of its own (state, _upload ids) */
		u->req.method = "PUT";
		u->url = xasprintf("%s%cdigest=%s", u->session, strchr(u->session, '?') ? '&' : '?',
				   u->digest);
		u->req.hdrs[0] = "Content-Type: application/octet-stream";
		u->req.file = true;
		u->req.fd = u->fd;
		u->req.len = u->size;
	}
	u->req.url = u->url;
}

static void
start(struct uploader *f, struct upload *u)
{
	build_req(f, u);
	u->h = curl_easy_init();
	if (!u->h)
		xmalloc((size_t)-1);
	u->hdrs = registry_setup_req(f->r, u->h, &u->req);
	curl_easy_setopt(u->h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(u->h, CURLOPT_WRITEDATA, &u->resp);
	curl_easy_setopt(u->h, CURLOPT_PRIVATE, u);
	curl_easy_setopt(u->h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(u->h, CURLOPT_XFERINFOFUNCTION, on_xfer);
	curl_easy_setopt(u->h, CURLOPT_XFERINFODATA, u);
	http_resp_release(&u->resp);
	registry_capture_headers(u->h, &u->resp);
	u->pr = f->pr;
	if (u->step == U_PUT)
		progress_layer_start(f->pr, u->digest, u->size, 0);
	f->active++;
	curl_multi_add_handle(f->multi, u->h);
}

static void
stop(struct uploader *f, struct upload *u)
{
	curl_multi_remove_handle(f->multi, u->h);
	curl_easy_cleanup(u->h);
	curl_slist_free_all(u->hdrs);
	u->h = NULL;
	u->hdrs = NULL;
	f->active--;
}

static void
done(struct uploader *f, struct upload *u, const char *result)
{
	u->step = U_DONE;
	u->result = result;
	f->left--;
	if (!strcmp(result, "pushed"))
		f->sent += u->size;
	progress_layer_done(f->pr, u->digest, u->size, !strcmp(result, "pushed") ? u->size : 0,
			    result);
}

/* A 202 names the upload session; the PUT of the blob goes there. */
static int
to_session(struct uploader *f, struct upload *u, struct err *e)
{
	if (!u->resp.location)
		return err_code(e, "invalid", "blob %s: upload answered 202 without a Location",
				u->digest);
	free(u->session);
	if (!(u->session = registry_resolve_url(f->r, u->resp.location, e)))
		return err_prefix(e, "blob %s", u->digest);
	if (u->resp.upload_uuid)
		log_debug("blob %s: upload %s", u->digest, u->resp.upload_uuid);
	u->step = U_PUT;
	return 0;
}

static int
put_done(struct uploader *f, struct upload *u, struct err *e)
{
	/* the registry names what it stored: it must be what we sent */
	if (u->resp.digest && strcmp(u->resp.digest, u->digest))
		return err_code(e, "invalid", "blob %s: the registry stored it as '%.80s'",
				u->digest, u->resp.digest);
	done(f, u, "pushed");
	return 0;
}

/* The next step after an answer that is neither an auth challenge nor a retry. */
static int
advance(struct uploader *f, struct upload *u, long status, struct err *e)
{
	_cleanup_free_ char *why = NULL;

	if (u->step == U_HEAD && status == 200)
		return done(f, u, "existing"), 0;
	if (u->step == U_HEAD && status == 404) {
		u->step = f->r->mount_from ? U_MOUNT : U_POST;
		return 0;
	}
	if (u->step == U_MOUNT && status == 201)
		return done(f, u, "mounted"), 0;
	if ((u->step == U_MOUNT || u->step == U_POST) && status == 202)
		return to_session(f, u, e);
	if (u->step == U_MOUNT) {
		/* a refused mount is only a missed shortcut */
		u->step = U_POST;
		return 0;
	}
	if (u->step == U_PUT && (status == 201 || status == 204))
		return put_done(f, u, e);
	why = upload_error_text(&u->resp);
	/* a 5xx is the registry's trouble: "network", a later try may work */
	return err_code(e, registry_status_code(status), "%s: blob %s: %s", registry_base(f->r),
			u->digest, why);
}

static void
requeue(struct upload *u, double delay)
{
	u->not_before = progress_now() + delay;
}

static int
finish(struct uploader *f, struct upload *u, CURLcode rc, struct err *e)
{
	long status = 0;

	curl_easy_getinfo(u->h, CURLINFO_RESPONSE_CODE, &status);
	stop(f, u);
	if (rc == CURLE_OK && status == 401 && !u->reauthed) {
		u->reauthed = true;
		if (registry_reauth(f->r, u->resp.www_auth, e) < 0)
			return err_prefix(e, "blob %s", u->digest);
		u->step = u->step == U_PUT ? U_POST : u->step;
		return 0;
	}
	if (registry_retryable(rc, status) && u->tries < f->r->o.retries) {
		log_info("blob %s: %s; retrying", u->digest,
			 rc ? curl_easy_strerror(rc) : "server error");
		/* a broken upload session is not resumed: a new one starts */
		u->step = u->step == U_PUT ? U_POST : u->step;
		requeue(u, 0.2 * (1 << u->tries++));
		return 0;
	}
	if (rc != CURLE_OK) {
		return err_code(e, "network", "%s: blob %s: %s", registry_base(f->r), u->digest,
				curl_easy_strerror(rc));
	}
	return advance(f, u, status, e);
}

/* The blob's file in the store, which must be as long as its descriptor says. */
static int
open_blob(const struct content *c, struct upload *u, struct err *e)
{
	struct stat sb;

	u->fd = content_open_blob(c, u->digest, e);
	if (u->fd < 0)
		return err_prefix(e, "the store lacks blob %s", u->digest);
	if (fstat(u->fd, &sb) < 0)
		return err_set(e, errno, "stat blob %s", u->digest);
	if (sb.st_size != u->size)
		return err_code(e, "corrupt", "blob %s in the store has %lld bytes, not %lld",
				u->digest, (long long)sb.st_size, (long long)u->size);
	return 0;
}

static void
fill(struct uploader *f, struct upload *u, size_t n, int maxconc)
{
	double now = progress_now();

	for (size_t i = 0; i < n && f->active < maxconc; i++)
		if (u[i].step != U_DONE && !u[i].h && u[i].not_before <= now)
			start(f, &u[i]);
}

static int
reap(struct uploader *f, struct err *e)
{
	CURLMsg *m;
	int q;

	while ((m = curl_multi_info_read(f->multi, &q))) {
		struct upload *u = NULL;

		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&u);
		if (finish(f, u, m->data.result, e) < 0)
			return -1;
	}
	return 0;
}

static void
release_all(struct uploader *f, struct upload *u, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (u[i].h)
			stop(f, &u[i]);
		if (u[i].fd >= 0)
			close(u[i].fd);
		u[i].fd = -1;
		free(u[i].session);
		free(u[i].url);
		u[i].session = u[i].url = NULL;
		http_resp_release(&u[i].resp);
	}
}

static int
run(struct uploader *f, struct upload *u, size_t n, int maxconc, struct err *e)
{
	int running;

	while (f->left > 0) {
		fill(f, u, n, maxconc);
		if (f->active == 0) {
			nanosleep(&(struct timespec){0, 50000000L}, NULL);
			continue;
		}
		curl_multi_perform(f->multi, &running);
		if (reap(f, e) < 0)
			return -1;
		if (running)
			curl_multi_poll(f->multi, NULL, 0, 100, NULL);
	}
	return 0;
}

int
upload_blobs(struct registry *r, const struct content *c, struct upload *u, size_t n, int maxconc,
	     struct progress *pr, int64_t *sent, struct err *e)
{
	struct uploader f = {.r = r, .c = c, .pr = pr, .multi = curl_multi_init(), .left = n};
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		u[i].step = U_HEAD;
		u[i].fd = -1;
	}
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = open_blob(c, &u[i], e);
	if (rc == 0)
		rc = run(&f, u, n, maxconc, e);
	release_all(&f, u, n);
	curl_multi_cleanup(f.multi);
	*sent = f.sent;
	return rc;
}
