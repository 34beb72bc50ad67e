/* SPDX-License-Identifier: Apache-2.0 */
/* HTTP to a registry with libcurl: TLS, redirects, retries, auth challenges. */
#include "registry.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth.h"
#include "cleanup.h"
#include "credhelper.h"
#include "hosts.h"
#include "jsonio.h"
#include "log.h"
#include "xmem.h"

#define TOKEN_MAX (1u << 20)

void
http_resp_release(struct http_resp *r)
{
	free(r->body);
	free(r->ctype);
	free(r->digest);
	free(r->www_auth);
	free(r->content_range);
	free(r->location);
	free(r->upload_uuid);
	free(r->range);
	memset(r, 0, sizeof(*r));
}

/* A header's value, trimmed, when line is "name: value" (name without case). */
static char *
header_value(const char *line, size_t n, const char *name)
{
	size_t k = strlen(name), end;

	if (n <= k || line[k] != ':' || strncasecmp(line, name, k))
		return NULL;
	line += k + 1;
	n -= k + 1;
	while (n && (*line == ' ' || *line == '\t'))
		line++, n--;
	for (end = n; end && isspace((unsigned char)line[end - 1]); end--)
		;
	return xstrndup(line, end);
}

static void
take(char **slot, char *v)
{
	if (!v)
		return;
	free(*slot);
	*slot = v;
}

static size_t
on_header(char *buf, size_t size, size_t n, void *arg)
{
	struct http_resp *r = arg;
	size_t len = size * n;
	char *ct;

	/* a new status line (after a redirect or 100) starts a new response */
	if (len > 5 && !strncmp(buf, "HTTP/", 5)) {
		free(r->ctype), free(r->digest), free(r->www_auth), free(r->content_range);
		free(r->location), free(r->upload_uuid), free(r->range);
		r->ctype = r->digest = r->www_auth = r->content_range = NULL;
		r->location = r->upload_uuid = r->range = NULL;
		return len;
	}
	if ((ct = header_value(buf, len, "content-type"))) {
		ct[strcspn(ct, "; \t")] = '\0';
		take(&r->ctype, ct);
	}
	take(&r->digest, header_value(buf, len, "docker-content-digest"));
	take(&r->www_auth, header_value(buf, len, "www-authenticate"));
	take(&r->content_range, header_value(buf, len, "content-range"));
	take(&r->location, header_value(buf, len, "location"));
	take(&r->upload_uuid, header_value(buf, len, "docker-upload-uuid"));
	take(&r->range, header_value(buf, len, "range"));
	return len;
}

static size_t
on_body(char *buf, size_t size, size_t n, void *arg)
{
	struct http_resp *r = arg;
	size_t len = size * n;

	if (r->len + len > r->max) {
		r->too_big = true;
		return 0; /* aborts the transfer: the body is refused, not truncated */
	}
	r->body = xrealloc(r->body, r->len + len + 1);
	memcpy(r->body + r->len, buf, len);
	r->len += len;
	r->body[r->len] = '\0';
	return len;
}

void
registry_capture_headers(CURL *h, struct http_resp *resp)
{
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, resp);
}

static void
setup_tls(CURL *h, const struct endpoint *ep)
{
	if (ep->cafile) {
		/* the registry's CA is added to the system store, not put in its place */
		curl_easy_setopt(h, CURLOPT_CAINFO, ep->cafile);
		curl_easy_setopt(h, CURLOPT_CAPATH, "/etc/ssl/certs");
	}
	if (ep->cert && ep->key) {
		curl_easy_setopt(h, CURLOPT_SSLCERT, ep->cert);
		curl_easy_setopt(h, CURLOPT_SSLKEY, ep->key);
	}
	if (ep->skip_verify) {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	}
}

static struct curl_slist *
setup_ep(struct registry *r, const struct endpoint *ep, CURL *h, const char *url, const char *auth)
{
	struct curl_slist *hdrs = NULL;
	bool https = !strncmp(url, "https://", 8);

	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_USERAGENT, r->agent);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
	/*
	 * Blob downloads are redirected to storage hosts. libcurl drops our
	 * Authorization header when the host or port changes (UNRESTRICTED_AUTH
	 * stays 0), and an https start never follows a redirect to plain http.
	 */
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, https ? "https" : "http,https");
	curl_easy_setopt(h, CURLOPT_UNRESTRICTED_AUTH, 0L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, r->o.min_rate);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, r->o.stall_secs);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	if (r->o.limit_rate > 0) { /* a pull's bodies come in, a push's go out */
		curl_easy_setopt(h, CURLOPT_MAX_RECV_SPEED_LARGE, r->o.limit_rate);
		curl_easy_setopt(h, CURLOPT_MAX_SEND_SPEED_LARGE, r->o.limit_rate);
		curl_easy_setopt(h, CURLOPT_BUFFERSIZE,
				 registry_buffer_size(r, CURL_MAX_WRITE_SIZE));
	}
	setup_tls(h, ep);
	if (auth)
		hdrs = curl_slist_append(hdrs, auth);
	return hdrs;
}

/*
 * libcurl throttles between reads, after the fact: one read takes what the
 * socket holds, up to its buffer, so a body smaller than the buffer came
 * in at the link's speed whatever the cap. Reads of a hundredth of a second's
 * worth at the cap (libcurl takes no less than 1 KiB) keep the pace within
 * that of the cap.
 */
long
registry_buffer_size(const struct registry *r, long want)
{
	curl_off_t part = r->o.limit_rate / 100;

	if (r->o.limit_rate <= 0 || part >= want)
		return want;
	return part < 1024 ? 1024 : (long)part;
}

struct curl_slist *
registry_setup(struct registry *r, CURL *h, const char *url)
{
	struct endpoint *ep = &r->eps[r->cur];

	return setup_ep(r, ep, h, url, ep->auth);
}

const char *
registry_base(const struct registry *r)
{
	return r->eps[r->cur].base;
}

/* A network failure: exit 111 (retrying later may work), unless the URL itself can never work. */
static int
net_err(struct err *e, const char *url, CURLcode rc, const char *detail)
{
	bool never = rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL;

	return err_code(e, never ? "invalid" : "network", "%s: %s", url,
			detail[0] ? detail : curl_easy_strerror(rc));
}

/* The request's method, body and extra headers on top of setup_ep's. */
static struct curl_slist *
setup_q(struct registry *r, struct endpoint *ep, CURL *h, const char *url, const char *auth,
	struct http_req *q)
{
	struct curl_slist *hdrs = setup_ep(r, ep, h, url, auth);

	for (size_t i = 0; i < sizeof(q->hdrs) / sizeof(*q->hdrs) && q->hdrs[i]; i++)
		hdrs = curl_slist_append(hdrs, q->hdrs[i]);
	hdrs = registry_setup_method(h, q, hdrs);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	return hdrs;
}

struct curl_slist *
registry_setup_req(struct registry *r, CURL *h, struct http_req *q)
{
	struct endpoint *ep = &r->eps[r->cur];
	bool own = !q->url || registry_same_origin(q->url, ep->base);
	_cleanup_free_ char *url = q->url ? xstrdup(q->url) : xasprintf("%s%s", ep->base, q->path);

	return setup_q(r, ep, h, url, own ? ep->auth : NULL, q);
}

/* One request; fills resp; returns the curl code and the error text in errbuf. */
static CURLcode
perform(struct registry *r, struct endpoint *ep, const char *url, const char *auth,
	struct http_req *q, struct http_resp *resp, struct registry_watch *w,
	char errbuf[CURL_ERROR_SIZE])
{
	CURL *h = curl_easy_init();
	struct curl_slist *hdrs;
	size_t max = resp->max;
	CURLcode rc;

	if (!h)
		xmalloc((size_t)-1);
	http_resp_release(resp);
	resp->max = max;
	hdrs = setup_q(r, ep, h, url, auth, q);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, resp);
	registry_capture_headers(h, resp);
	errbuf[0] = '\0';
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	w->r = r;
	registry_watch_start(w);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, registry_watch_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, w);
	rc = curl_easy_perform(h);
	if (rc == CURLE_ABORTED_BY_CALLBACK && w->stalled)
		registry_failure(r, w, rc, errbuf);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(h);
	return rc;
}

static bool
token_ok(const char *t)
{
	if (!t || !*t || strlen(t) > 64 * 1024)
		return false;
	for (; *t; t++)
		if (*t <= ' ' || *t > '~') /* a token becomes a header line: no CR, LF or spaces */
			return false;
	return true;
}

/* "&scope=" + the escaped scope, appended to *out. */
static void
add_scope(char **out, const char *scope)
{
	char *esc = curl_easy_escape(NULL, scope, 0);
	char *next = xasprintf("%s%sscope=%s", *out, **out ? "&" : "", esc);

	curl_free(esc);
	free(*out);
	*out = next;
}

/* "scope=repository:REPO:pull[,push][&scope=repository:FROM:pull]...", escaped. New string. */
static char *
token_scopes(const struct registry *r)
{
	_cleanup_free_ char *own =
	    xasprintf("repository:%s:%s", r->repo, r->push ? "pull,push" : "pull");
	char *out = xstrdup("");

	add_scope(&out, own);
	for (size_t i = 0; i < r->nmount_from; i++) {
		_cleanup_free_ char *from = xasprintf("repository:%s:pull", r->mount_from[i]);

		add_scope(&out, from);
	}
	return out;
}

/* An identity token's request (OAuth2, as docker and containerd send it): a form to POST. */
static char *
oauth_form(const struct registry *r, const struct challenge *c)
{
	_cleanup_free_ char *scopes =
	    xasprintf("repository:%s:%s", r->repo, r->push ? "pull,push" : "pull");
	char *tok = curl_easy_escape(NULL, r->pass, 0), *svc, *scp, *out;

	for (size_t i = 0; i < r->nmount_from; i++) {
		char *more = xasprintf("%s repository:%s:pull", scopes, r->mount_from[i]);

		free(scopes);
		scopes = more;
	}
	svc = curl_easy_escape(NULL, c->service ? c->service : "", 0);
	scp = curl_easy_escape(NULL, scopes, 0);
	out = xasprintf("grant_type=refresh_token&refresh_token=%s&service=%s&scope=%s"
			"&client_id=ctr",
			tok, svc, scp);
	curl_free(tok), curl_free(svc), curl_free(scp);
	return out;
}

/* The token request: GET with Basic credentials, or a POST of an identity token. */
static char *
token_request(struct registry *r, const struct challenge *c, struct http_req *q, char **basic)
{
	_cleanup_free_ char *scope = NULL;
	char *svc;
	char *url;

	if (r->user && !strcmp(r->user, CREDHELPER_TOKEN_USER)) {
		q->method = "POST";
		q->buf = oauth_form(r, c);
		q->len = (int64_t)strlen(q->buf);
		q->hdrs[0] = "Content-Type: application/x-www-form-urlencoded";
		return xstrdup(c->realm);
	}
	scope = token_scopes(r);
	svc = c->service ? curl_easy_escape(NULL, c->service, 0) : NULL;
	url = xasprintf("%s%s%s%s%s", c->realm, strchr(c->realm, '?') ? "&" : "?", scope,
			svc ? "&service=" : "", svc ? svc : "");
	curl_free(svc);
	if (r->user)
		*basic = auth_basic_header(r->user, r->pass);
	return url;
}

static int
fetch_token(struct registry *r, struct endpoint *ep, const struct challenge *c, struct err *e)
{
	_cleanup_free_ char *url = NULL, *basic = NULL;
	char errbuf[CURL_ERROR_SIZE];
	struct http_resp resp = {.max = TOKEN_MAX};
	struct http_req q = {0};
	struct registry_watch w = {0};
	json_auto_t *doc = NULL;
	const char *tok;
	CURLcode rc;

	url = token_request(r, c, &q, &basic);
	rc = perform(r, ep, url, basic, &q, &resp, &w, errbuf);
	if (q.buf) {
		explicit_bzero((char *)q.buf, (size_t)q.len);
		free((char *)q.buf);
	}
	if (rc != CURLE_OK) {
		net_err(e, c->realm, rc, errbuf);
		goto out;
	}
	if (resp.status != 200) {
		err_code(e, registry_status_code(resp.status), "token server %s answered %ld%s",
			 c->realm, resp.status, r->user ? " (credentials refused?)" : "");
		goto out;
	}
	doc = jsonio_parse(resp.body ? resp.body : "", resp.len, "token response", e);
	tok = jsonio_str(doc, "token") ? jsonio_str(doc, "token") : jsonio_str(doc, "access_token");
	if (!doc || !token_ok(tok)) {
		if (doc)
			err_code(e, "invalid", "token server %s sent no usable token", c->realm);
		goto out;
	}
	free(ep->auth);
	ep->auth = xasprintf("Authorization: Bearer %s", tok);
	http_resp_release(&resp);
	return 0;
out:
	http_resp_release(&resp);
	return -1;
}

static int
reauth_ep(struct registry *r, struct endpoint *ep, const char *hdr, struct err *e)
{
	struct challenge c;
	int rc;

	if (auth_parse_challenge(hdr, &c, e) < 0)
		return err_prefix(e, "%s", ep->base);
	if (!strcmp(c.scheme, "basic")) {
		if (!r->user)
			rc =
			    err_code(e, "auth", "%s requires credentials (--creds or an auth file)",
				     ep->base);
		else if (!strcmp(r->user, CREDHELPER_TOKEN_USER))
			rc = err_code(e, "auth",
				      "%s asks for a password; an identity token is for a token "
				      "server only",
				      ep->base);
		else
			rc = 0;
		if (rc == 0) {
			free(ep->auth);
			ep->auth = auth_basic_header(r->user, r->pass);
		}
	} else {
		rc = fetch_token(r, ep, &c, e);
	}
	auth_challenge_release(&c);
	return rc;
}

int
registry_reauth(struct registry *r, const char *challenge, struct err *e)
{
	return reauth_ep(r, &r->eps[r->cur], challenge, e);
}

bool
registry_retryable(CURLcode rc, long status)
{
	if (rc == CURLE_OK)
		return status >= 500 || status == 429 || status == 408;
	/*
	 * SEND_FAIL_REWIND: a reused connection died under a request with a body
	 * and libcurl, which would send it again on a new one, cannot rewind our
	 * stream. Our own retry does better: a chunk asks the registry where
	 * the upload stands first.
	 */
	return rc == CURLE_COULDNT_CONNECT || rc == CURLE_OPERATION_TIMEDOUT ||
	       rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR || rc == CURLE_GOT_NOTHING ||
	       rc == CURLE_PARTIAL_FILE || rc == CURLE_SEND_FAIL_REWIND;
}

const char *
registry_status_code(long status)
{
	if (status == 401 || status == 403)
		return "auth";
	if (status == 404)
		return "not-found";
	return registry_retryable(CURLE_OK, status) ? "network" : "invalid";
}

static void
backoff(int attempt)
{
	struct timespec ts = {0, 200000000L};

	for (int i = 0; i < attempt && ts.tv_sec < 4; i++) {
		ts.tv_sec *= 2;
		ts.tv_nsec *= 2;
		ts.tv_sec += ts.tv_nsec / 1000000000L;
		ts.tv_nsec %= 1000000000L;
	}
	nanosleep(&ts, NULL);
}

/* Switch a loopback endpoint to plain http when its peer does not speak TLS. */
static bool
fall_back_plain(struct endpoint *ep, CURLcode rc)
{
	if (!ep->try_plain || rc != CURLE_SSL_CONNECT_ERROR || strncmp(ep->base, "https://", 8))
		return false;
	char *plain = xasprintf("http://%s", ep->base + 8);

	free(ep->base);
	ep->base = plain;
	ep->try_plain = false;
	log_info("%s does not speak TLS; using plain http (loopback registry)", plain);
	return true;
}

static int
request_ep(struct registry *r, struct endpoint *ep, struct http_req *q, struct http_resp *resp,
	   struct err *e)
{
	char errbuf[CURL_ERROR_SIZE];
	struct registry_watch w = {0};
	int attempt = 0, authed = 0;

	for (;;) {
		_cleanup_free_ char *url =
		    q->url ? xstrdup(q->url) : xasprintf("%s%s", ep->base, q->path);
		bool own = !q->url || registry_same_origin(url, ep->base);
		CURLcode rc = perform(r, ep, url, own ? ep->auth : NULL, q, resp, &w, errbuf);

		if (rc != CURLE_OK && resp->too_big)
			return err_code(e, "invalid", "%s: response larger than %zu bytes", url,
					resp->max);
		if (rc != CURLE_OK && fall_back_plain(ep, rc))
			continue;
		if (registry_again(r, &w, rc, resp->status, attempt)) {
			log_info("%s: %s; retrying", url,
				 !rc	     ? "server error"
				 : errbuf[0] ? errbuf
					     : curl_easy_strerror(rc));
			backoff(attempt++);
			continue;
		}
		if (rc != CURLE_OK)
			return net_err(e, url, rc, errbuf);
		if (resp->status != 401)
			return 0;
		/* one fresh credential per request: a second 401 is a refusal */
		if (authed++ || reauth_ep(r, ep, resp->www_auth, e) < 0)
			return authed > 1
				   ? err_code(e, "auth", "%s: authentication refused (401)", url)
				   : -1;
	}
}

int
registry_request(struct registry *r, unsigned caps, const char *path, const char *accept, bool head,
		 size_t max, struct http_resp *resp, struct err *e)
{
	struct http_req q = {.method = head ? "HEAD" : "GET", .path = path, .hdrs = {accept}};
	int rc = -1;

	for (size_t i = 0; i < r->neps; i++) {
		if (!(r->eps[i].caps & caps))
			continue;
		resp->max = max;
		rc = request_ep(r, &r->eps[i], &q, resp, e);
		/* a mirror that fails or lacks the object: the next endpoint may have it */
		if (rc == 0 && (resp->status == 200 || i + 1 == r->neps))
			break;
		if (i + 1 < r->neps)
			log_info("%s%s: %s; trying the next endpoint", r->eps[i].base, path,
				 rc < 0 ? e->msg : "not found");
	}
	return rc;
}

int
registry_send(struct registry *r, struct http_req *q, size_t max, struct http_resp *resp,
	      struct err *e)
{
	resp->max = max;
	return request_ep(r, &r->eps[r->cur], q, resp, e);
}
