/* SPDX-License-Identifier: Apache-2.0 */
/* Request methods with bodies, Location URLs and endpoint choice for registry requests. */
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "registry.h"
#include "xmem.h"

/* Feeds an upload from memory or from a file in the store, at q->pos. */
static size_t
on_read(char *buf, size_t size, size_t n, void *arg)
{
	struct http_req *q = arg;
	size_t want = size * n;
	ssize_t got;

	if ((int64_t)want > q->len - q->pos)
		want = (size_t)(q->len - q->pos);
	if (want == 0)
		return 0;
	if (q->buf) {
		memcpy(buf, q->buf + q->pos, want);
		q->pos += (int64_t)want;
		return want;
	}
	got = pread(q->fd, buf, want, q->pos);
	/* a blob that shrank under us: stop rather than send a short body */
	if (got <= 0)
		return CURL_READFUNC_ABORT;
	q->pos += got;
	return (size_t)got;
}

struct curl_slist *
registry_setup_method(CURL *h, struct http_req *q, struct curl_slist *hdrs)
{
	const char *m = q->method ? q->method : "GET";

	if (!strcmp(m, "GET"))
		return hdrs;
	if (!strcmp(m, "HEAD")) {
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
		return hdrs;
	}
	/* a body is never replayed to a redirect target: it could be another host */
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, m);
	/* the registry answers after the whole body anyway; skip the 100-continue round trip */
	hdrs = curl_slist_append(hdrs, "Expect:");
	q->pos = q->start;
	if (!q->buf && !q->file) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, 0L);
		return hdrs;
	}
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(h, CURLOPT_READDATA, q);
	curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)(q->len - q->start));
	return hdrs;
}

/* Length of "scheme://host[:port]" at the start of url, or 0. */
static size_t
origin_len(const char *url)
{
	const char *p = strstr(url, "://");

	if (!p)
		return 0;
	p += 3;
	return (size_t)(p - url) + strcspn(p, "/?#");
}

bool
registry_same_origin(const char *a, const char *b)
{
	size_t n = origin_len(a);

	return n > 0 && n == origin_len(b) && !strncasecmp(a, b, n);
}

char *
registry_resolve_url(const struct registry *r, const char *ref, struct err *e)
{
	CURLU *u = curl_url();
	char *out = NULL, *tmp = NULL;

	if (!u)
		xmalloc((size_t)-1);
	/* a relative Location ("/v2/...") is resolved against the endpoint, as a browser does */
	if (curl_url_set(u, CURLUPART_URL, registry_base(r), 0) != CURLUE_OK ||
	    curl_url_set(u, CURLUPART_URL, ref, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_URL, &tmp, 0) != CURLUE_OK) {
		curl_url_cleanup(u);
		err_code(e, "invalid", "registry sent an unusable Location '%.100s'", ref);
		return NULL;
	}
	curl_url_cleanup(u);
	if (strncmp(tmp, "https://", 8) && strncmp(tmp, "http://", 7)) {
		err_code(e, "invalid", "registry sent a Location that is not http(s): '%.100s'",
			 ref);
	} else {
		out = xstrdup(tmp);
	}
	curl_free(tmp);
	return out;
}

int
registry_use_caps(struct registry *r, unsigned caps, struct err *e)
{
	for (size_t i = 0; i < r->neps; i++)
		if (r->eps[i].caps & caps) {
			r->cur = i;
			return 0;
		}
	return err_code(e, "invalid", "no endpoint of %s may be used for this", r->domain);
}
