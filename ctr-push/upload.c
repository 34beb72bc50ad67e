/* SPDX-License-Identifier: Apache-2.0 */
/* The upload engine: blobs through their steps (upload-step.c) over curl multi, in parallel. */
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
#include "upload-int.h"
#include "xmem.h"

#define ERRBODY_MAX 4096

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
	if (u->step == U_PUT || u->step == U_PATCH)
		progress_layer_bytes(u->pr, u->digest, u->offset + (int64_t)ulnow, u->size);
	return 0;
}

static void
start(struct uploader *f, struct upload *u)
{
	upload_build_req(f, u);
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
	/* the first body of the blob: a resumed upload starts at the registry's offset */
	if ((u->step == U_PUT || u->step == U_PATCH) && !u->started) {
		u->started = true;
		progress_layer_start(f->pr, u->digest, u->size, u->offset);
	}
	f->active++;
	curl_multi_add_handle(f->multi, u->h);
}

static void
stop(struct uploader *f, struct upload *u)
{
	curl_off_t up = 0;

	if (curl_easy_getinfo(u->h, CURLINFO_SIZE_UPLOAD_T, &up) == CURLE_OK)
		u->sent += (int64_t)up;
	curl_multi_remove_handle(f->multi, u->h);
	curl_easy_cleanup(u->h);
	curl_slist_free_all(u->hdrs);
	u->h = NULL;
	u->hdrs = NULL;
	f->active--;
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
		/* a whole blob refused for auth was not taken; chunks are sent again as they were */
		u->step = u->step == U_PUT && !upload_chunked(f, u) ? U_POST : u->step;
		return 0;
	}
	if (registry_retryable(rc, status) && u->tries < f->r->o.retries) {
		log_info("blob %s: %s; retrying", u->digest,
			 rc ? curl_easy_strerror(rc) : "server error");
		/* a broken chunk: ask the registry where it stopped; a broken whole PUT starts anew */
		u->step = upload_after_failure(f, u);
		requeue(u, 0.2 * (1 << u->tries++));
		return 0;
	}
	if (rc != CURLE_OK) {
		return err_code(e, "network", "%s: blob %s: %s", registry_base(f->r), u->digest,
				curl_easy_strerror(rc));
	}
	return upload_advance(f, u, status, e);
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
		/* a blob not in the registry keeps its record: the next push resumes it */
		uploadrec_release(&u[i].rec);
		free(u[i].session);
		free(u[i].url);
		free(u[i].range);
		u[i].session = u[i].url = u[i].range = NULL;
		http_resp_release(&u[i].resp);
	}
}

static int
run(struct uploader *f, struct upload *u, size_t n, struct err *e)
{
	int running;

	while (f->left > 0) {
		fill(f, u, n, f->o->maxconc);
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

/* The session a killed push left for u, taken over (its lock held) when nobody holds it. */
static int
claim(struct uploader *f, struct upload *u, struct err *e)
{
	if (f->o->recfd < 0 || !upload_chunked(f, u))
		return 0;
	if (uploadrec_claim(f->o->recfd, f->r->domain, f->r->repo, u->digest, &u->rec, &u->session,
			    &u->offset, e) < 0)
		return err_prefix(e, "upload record of blob %s", u->digest);
	if (u->session)
		log_debug("blob %s: a recorded upload session at byte %lld", u->digest,
			  (long long)u->offset);
	return 0;
}

int
upload_blobs(struct registry *r, const struct content *c, struct upload *u, size_t n,
	     const struct upload_opts *o, struct progress *pr, int64_t *sent, struct err *e)
{
	struct uploader f = {
	    .r = r, .c = c, .o = o, .pr = pr, .multi = curl_multi_init(), .left = n};
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		u[i].step = U_HEAD;
		u[i].fd = -1;
		u[i].rec.lockfd = -1;
	}
	for (size_t i = 0; i < n && rc == 0; i++)
		if ((rc = open_blob(c, &u[i], e)) == 0)
			rc = claim(&f, &u[i], e);
	if (rc == 0)
		rc = run(&f, u, n, e);
	release_all(&f, u, n);
	curl_multi_cleanup(f.multi);
	*sent = f.sent;
	return rc;
}
