/* SPDX-License-Identifier: Apache-2.0 */
/* Blob downloads: curl multi, Range resumes, streaming sha256, per-blob locks. */
#include "fetch.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "log.h"
#include "xmem.h"

enum { B_PENDING, B_ACTIVE, B_DONE };

struct fetch {
	struct registry *r;
	const struct content *c;
	struct progress *pr;
	CURLM *multi;
	int active;
	int64_t transferred;
};

/* The first body byte: is this the response we asked for? */
static int
check_response(struct blob *b)
{
	long status = 0;
	long long start = -1;

	curl_easy_getinfo(b->h, CURLINFO_RESPONSE_CODE, &status);
	b->checked = true;
	if (status != 200 && status != 206) {
		b->http_error = true;
		return 0;
	}
	/* a registry that names another digest for these bytes is lying about one of them */
	if (b->resp.digest && strcmp(b->resp.digest, b->digest)) {
		b->discard = true;
		return err_code(&b->err, "invalid",
				"blob %s: Docker-Content-Digest header says '%.80s'", b->digest,
				b->resp.digest);
	}
	if (status == 200 && b->in.offset > 0) {
		log_info("blob %s: server ignored the Range request; starting over", b->digest);
		return content_ingest_reset(&b->in, &b->err);
	}
	if (status == 206 &&
	    (!b->resp.content_range || sscanf(b->resp.content_range, "bytes %lld-", &start) != 1 ||
	     start != b->in.offset)) {
		b->discard = true;
		return err_code(&b->err, "invalid",
				"blob %s: Content-Range '%.60s' is not what was asked", b->digest,
				b->resp.content_range ? b->resp.content_range : "");
	}
	return 0;
}

static size_t
on_data(char *buf, size_t size, size_t n, void *arg)
{
	struct blob *b = arg;
	size_t len = size * n;
	int64_t pos;

	if (!b->checked && check_response(b) < 0)
		goto fatal;
	if (b->http_error)
		return len; /* an error page: read and dropped */
	/* an applier's pipe is full: curl keeps these bytes until the loop unpauses us */
	if (b->feed && feed_busy(b->feed)) {
		b->paused = true;
		return CURL_WRITEFUNC_PAUSE;
	}
	pos = b->in.offset;
	if (content_ingest_write(&b->in, buf, len, &b->err) < 0) {
		b->discard = b->err.sys == 0; /* too many bytes: this body is not the blob */
		goto fatal;
	}
	if (b->feed && feed_data(b->feed, pos, buf, len, &b->err) < 0)
		goto fatal;
	b->transferred += (int64_t)len;
	return len;
fatal:
	b->fatal = true;
	return 0;
}

static int
on_xfer(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	struct blob *b = arg;

	(void)dltotal, (void)ultotal;
	if (b->in.sha)
		progress_layer_bytes(b->pr, b->digest, b->in.offset, b->size);
	return registry_watch(b->watch.r, &b->watch, dlnow, ulnow, b->paused);
}

static int
start(struct fetch *f, struct blob *b, struct err *e)
{
	_cleanup_free_ char *url =
	    xasprintf("%s/%s/blobs/%s", registry_base(f->r), f->r->repo, b->digest);
	char range[64];
	int flags = CONTENT_TRY | b->ingest_flags;
	int rc = content_ingest_open(f->c, b->digest, b->size, url, flags, &b->in, e);

	if (rc != 0)
		return rc;
	/*
	 * An earlier pull wrote every byte but stopped before publishing: verify
	 * and publish without a request (a Range starting at the end is refused).
	 * Wrong bytes are discarded by the commit, and the blob is fetched anew.
	 */
	if (b->in.offset == b->size && !(flags & CONTENT_NODATA)) {
		struct err commit_err;

		if (content_ingest_commit(f->c, &b->in, &commit_err) == 0)
			return 1;
		rc = content_ingest_open(f->c, b->digest, b->size, url, flags, &b->in, e);
		if (rc != 0)
			return rc;
		if (b->in.offset == b->size) { /* not discarded: publishing itself failed */
			content_ingest_close(f->c, &b->in, false);
			*e = commit_err;
			return -1;
		}
	}
	b->h = curl_easy_init();
	if (!b->h)
		xmalloc((size_t)-1);
	b->hdrs = registry_setup(f->r, b->h, url);
	curl_easy_setopt(b->h, CURLOPT_HTTPHEADER, b->hdrs);
	/* 16 KiB callbacks cost a write and a hash update each; fewer, larger ones go faster */
	curl_easy_setopt(b->h, CURLOPT_BUFFERSIZE, registry_buffer_size(f->r, 256L << 10));
	curl_easy_setopt(b->h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(b->h, CURLOPT_WRITEDATA, b);
	curl_easy_setopt(b->h, CURLOPT_PRIVATE, b);
	curl_easy_setopt(b->h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(b->h, CURLOPT_XFERINFOFUNCTION, on_xfer);
	curl_easy_setopt(b->h, CURLOPT_XFERINFODATA, b);
	http_resp_release(&b->resp);
	b->pr = f->pr;
	b->transferred = 0;
	b->watch.r = f->r;
	registry_watch_start(&b->watch);
	registry_capture_headers(b->h, &b->resp);
	if (b->in.offset > 0) {
		snprintf(range, sizeof(range), "%" PRId64 "-", b->in.offset);
		curl_easy_setopt(b->h, CURLOPT_RANGE, range);
	}
	b->checked = b->fatal = b->discard = b->http_error = b->paused = false;
	b->state = B_ACTIVE;
	f->active++;
	progress_layer_start(f->pr, b->digest, b->size, b->in.offset);
	curl_multi_add_handle(f->multi, b->h);
	return 0;
}

static void
stop(struct fetch *f, struct blob *b)
{
	curl_multi_remove_handle(f->multi, b->h);
	curl_easy_cleanup(b->h);
	curl_slist_free_all(b->hdrs);
	b->h = NULL;
	b->hdrs = NULL;
	http_resp_release(&b->resp);
	f->transferred += b->transferred;
	f->active--;
}

static void
requeue(struct blob *b, double delay)
{
	b->state = B_PENDING;
	b->not_before = progress_now() + delay;
}

/* A transfer that ended without a verified blob: retry, re-authenticate, or fail. */
static int
failed(struct fetch *f, struct blob *b, CURLcode rc, long status, const char *www_auth,
       struct err *e)
{
	const char *url = registry_base(f->r);
	char why[64];

	if (rc == CURLE_OK && status == 401 && !b->reauthed) {
		b->reauthed = true;
		if (registry_reauth(f->r, www_auth, e) < 0)
			return err_prefix(e, "blob %s", b->digest);
		requeue(b, 0);
		return 0;
	}
	if (registry_again(f->r, &b->watch, rc, status, b->tries)) {
		log_info("blob %s: %s; retrying", b->digest,
			 rc ? registry_failure(f->r, &b->watch, rc, why) : "server error");
		requeue(b, 0.2 * (1 << b->tries++));
		return 0;
	}
	if (rc == CURLE_OK)
		return err_code(e, registry_status_code(status), "%s: blob %s: HTTP status %ld",
				url, b->digest, status);
	return err_code(e, "network", "%s: blob %s: %s after %" PRId64 " of %" PRId64 " bytes", url,
			b->digest, registry_failure(f->r, &b->watch, rc, why), b->in.offset,
			b->size);
}

static int
finish(struct fetch *f, struct blob *b, CURLcode rc, struct err *e)
{
	_cleanup_free_ char *www_auth = b->resp.www_auth ? xstrdup(b->resp.www_auth) : NULL;
	long status = 0;
	int64_t got = b->transferred;

	curl_easy_getinfo(b->h, CURLINFO_RESPONSE_CODE, &status);
	if (!b->fatal && rc == CURLE_OK && !b->checked && (status == 200 || status == 206) &&
	    check_response(b) < 0)
		b->fatal = true;
	stop(f, b);
	if (b->fatal) {
		*e = b->err;
		content_ingest_close(f->c, &b->in, b->discard);
		return -1;
	}
	if (rc == CURLE_OK && (status == 200 || status == 206)) {
		if (content_ingest_commit(f->c, &b->in, e) < 0)
			return -1;
		/* a verified whole blob: the appliers may have their end of stream */
		if (b->feed)
			feed_end(b->feed, true);
		b->state = B_DONE;
		progress_layer_done(f->pr, b->digest, b->size, got, "downloaded");
		return 0;
	}
	content_ingest_close(f->c, &b->in, false);
	return failed(f, b, rc, status, www_auth, e);
}

/* Start what may start: free slots, blobs not locked by another process, delays over. */
static int
fill(struct fetch *f, struct blob *b, size_t n, int maxconc, size_t *left, struct err *e)
{
	double now = progress_now();

	for (size_t i = 0; i < n && f->active < maxconc; i++) {
		int rc;

		if (b[i].state != B_PENDING || b[i].not_before > now)
			continue;
		rc = start(f, &b[i], e);
		if (rc == 1) {
			/* someone else stored it: a stream cut short is applied from the store */
			if (b[i].feed)
				feed_end(b[i].feed, false);
			b[i].state = B_DONE;
			(*left)--;
			progress_layer_done(f->pr, b[i].digest, b[i].size, 0, "exists");
		} else if (rc < 0 && e->code && !strcmp(e->code, "busy")) {
			/* another ctr-pull is fetching it: look again shortly */
			b[i].not_before = now + 0.1;
		} else if (rc < 0) {
			return err_prefix(e, "blob %s", b[i].digest);
		}
	}
	return 0;
}

static int
reap(struct fetch *f, size_t *left, struct err *e)
{
	CURLMsg *m;
	int q;

	while ((m = curl_multi_info_read(f->multi, &q))) {
		struct blob *b = NULL;

		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&b);
		if (finish(f, b, m->data.result, e) < 0)
			return -1;
		if (b->state == B_DONE)
			(*left)--;
	}
	return 0;
}

/* Feed the appliers what their pipes held back, resume paused transfers, reap appliers. */
static int
serve_feeds(struct blob *b, size_t n, struct curl_waitfd *w, unsigned *nw, struct err *e)
{
	struct pollfd p[64];

	*nw = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned k;

		if (!b[i].feed)
			continue;
		if (feed_service(b[i].feed, e) < 0)
			return -1;
		if (b[i].paused && b[i].h && !feed_busy(b[i].feed)) {
			b[i].paused = false;
			curl_easy_pause(b[i].h, CURLPAUSE_CONT);
		}
		k = feed_pollfds(b[i].feed, p, 64 - *nw);
		for (unsigned j = 0; j < k; j++)
			w[(*nw)++] =
			    (struct curl_waitfd){.fd = p[j].fd, .events = CURL_WAIT_POLLOUT};
	}
	return 0;
}

static void
abort_all(struct fetch *f, struct blob *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i].state == B_ACTIVE) {
			stop(f, &b[i]);
			content_ingest_close(f->c, &b[i].in, false);
			b[i].state = B_PENDING;
		}
}

int
fetch_blobs(struct registry *r, const struct content *c, struct blob *b, size_t n, int maxconc,
	    struct progress *pr, int64_t *transferred, struct err *e)
{
	struct fetch f = {.r = r, .c = c, .pr = pr, .multi = curl_multi_init()};
	size_t left = n;
	int rc = 0, running;
	struct curl_waitfd w[64];
	unsigned nw = 0;

	for (size_t i = 0; i < n; i++)
		b[i].state = B_PENDING;
	while (left > 0 && rc == 0) {
		if ((rc = fill(&f, b, n, maxconc, &left, e)) < 0)
			break;
		if (f.active == 0) {
			if (left > 0)
				nanosleep(&(struct timespec){0, 50000000L}, NULL);
			continue;
		}
		curl_multi_perform(f.multi, &running);
		rc = reap(&f, &left, e);
		if (rc == 0)
			rc = serve_feeds(b, n, w, &nw, e);
		if (rc == 0 && (running || nw))
			curl_multi_poll(f.multi, w, nw, 100, NULL);
	}
	abort_all(&f, b, n);
	curl_multi_cleanup(f.multi);
	*transferred = f.transferred;
	return rc;
}
