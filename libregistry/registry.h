/* SPDX-License-Identifier: Apache-2.0 */
/* One repository on one registry: endpoints, TLS, credentials, auth, small requests. */
#ifndef CTR_REGISTRY_H
#define CTR_REGISTRY_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "opt.h"

enum { EP_PULL = 1 << 0, EP_RESOLVE = 1 << 1, EP_PUSH = 1 << 2 };

/* A base URL to talk to: a mirror from hosts.toml or the registry itself. */
struct endpoint {
	char *base;   /* "https://127.0.0.1:5000/v2" */
	char *cafile; /* extra CA, or NULL */
	char *cert, *key;
	unsigned caps;
	bool try_plain; /* loopback without explicit scheme: fall back to http on a non-TLS peer */
	bool skip_verify; /* hosts.toml skip_verify: its certificate is not checked */
	char *auth;	  /* "Authorization: ..." header line once authenticated, or NULL */
};

struct registry_opts {
	const char *hosts_dir; /* NULL: /etc/ctr/certs.d, when it exists */
	const char *creds;     /* "USER[:PASS]" */
	const char *authfile;
	bool plain_http;
	long stall_secs;       /* no (or too slow) progress for this long: fail */
	long min_rate;	       /* bytes per second below which a transfer stalls */
	curl_off_t limit_rate; /* 0: unlimited */
	int retries;
	long helper_secs; /* a credential helper silent so long is killed */
};

/* The defaults of a session: 30 s below 1 byte/s is a stall; 3 retries; helpers get 30 s. */
/* (an initializer list, which the formatter takes for a block) */
/* clang-format off */
#define REGISTRY_OPTS_INIT {.stall_secs = 30, .min_rate = 1, .retries = 3, .helper_secs = 30}
/* clang-format on */

/* The options of a registry session, for a tool's option table (pull adds --limit-rate). */
enum {
	REGISTRY_OPT_PLAIN = 0x300,
	REGISTRY_OPT_HOSTS,
	REGISTRY_OPT_CREDS,
	REGISTRY_OPT_AUTHFILE,
	REGISTRY_OPT_RETRIES,
	REGISTRY_OPT_STALL,
	REGISTRY_OPT_LIMIT,
	REGISTRY_OPT_HELPER,
};
/* Rows to OPT_INCLUDE (opt.h): the session's options; --limit-rate apart. */
extern const struct opt registry_opt_table[], registry_opt_limit[];
/* Take one of the options above into o; false when c is not one. Bad values exit 100. */
bool registry_opt(int c, const char *arg, struct registry_opts *o);

struct registry {
	char *domain, *repo;
	struct endpoint *eps;
	size_t neps;
	size_t cur; /* the endpoint that answered the manifest request */
	char *user, *pass;
	struct registry_opts o;
	bool push;	   /* tokens ask for repository:REPO:pull,push */
	char **mount_from; /* and for repository:FROM:pull of each (cross-repository mounts) */
	size_t nmount_from;
	char *agent; /* User-Agent: "ctr-pull/0.1" */
};

/* A response to a small request, body capped by the caller's max. */
struct http_resp {
	long status;
	char *body;
	size_t len;
	char *ctype;  /* Content-Type without parameters */
	char *digest; /* Docker-Content-Digest, as sent */
	char *www_auth;
	char *content_range;
	char *location;	   /* Location, as sent */
	char *upload_uuid; /* Docker-Upload-UUID */
	char *range;	   /* Range: an upload's received bytes, "0-N" */
	size_t max;
	bool too_big;
};
void http_resp_release(struct http_resp *r);

/* domain as in the reference ("docker.io", "127.0.0.1:5000"), repo its path. */
int registry_init(struct registry *r, const char *domain, const char *host, const char *repo,
		  bool loopback, const struct registry_opts *o, struct err *e);
void registry_release(struct registry *r);
/*
 * GET (or HEAD) base + path on the endpoints able to do caps, in order,
 * handling the auth challenge, retries and plain-HTTP fallback. A final
 * status other than 200 is returned in resp, not as an error.
 */
int registry_request(struct registry *r, unsigned caps, const char *path, const char *accept,
		     bool head, size_t max, struct http_resp *resp, struct err *e);
/* Prepare h for a GET of url on the current endpoint (TLS, auth, redirects, stall). */
struct curl_slist *registry_setup(struct registry *r, CURL *h, const char *url);
/* The read buffer for a body: want, or less under --limit-rate so that the cap holds. */
long registry_buffer_size(const struct registry *r, long want);

/*
 * A request with a method and an optional body. path is relative to the
 * endpoint's base ("/REPO/blobs/uploads/"), or url is absolute (a Location);
 * an absolute url on another origin is sent without Authorization. The body
 * is the bytes [start, len) of buf, or of fd when file; pos is the read
 * position.
 */
struct http_req {
	const char *method; /* NULL: GET; HEAD, POST, PUT, PATCH */
	const char *path, *url;
	const char *hdrs[3]; /* extra header lines ("Content-Type: ..."), NULL-ended */
	const char *buf;
	bool file;
	int fd;
	int64_t start, len, pos;
};
/* Prepare h for q on the current endpoint: the method, the body, headers. */
struct curl_slist *registry_setup_req(struct registry *r, CURL *h, struct http_req *q);
/* Send q on the current endpoint with challenges, retries and fallback, as registry_request. */
int registry_send(struct registry *r, struct http_req *q, size_t max, struct http_resp *resp,
		  struct err *e);
/* Make the first endpoint able to do caps the current one; -1 when none can. */
int registry_use_caps(struct registry *r, unsigned caps, struct err *e);
/*
 * One transfer's watch for a stall: no byte moved either way for
 * --stall-timeout. It lives across the tries of one request or blob.
 */
struct registry_watch {
	const struct registry *r; /* for registry_watch_progress */
	double last;		  /* when bytes last moved (progress_now) */
	curl_off_t moved;	  /* dlnow + ulnow then */
	bool stalled;		  /* the watch aborted this try */
	int stalls;		  /* tries that stalled */
};
/* Before each try. */
void registry_watch_start(struct registry_watch *w);
/*
 * From a transfer's progress callback: 1 (abort the transfer: it stalled) or 0.
 * held: we paused it ourselves, which is no stall.
 */
int registry_watch(const struct registry *r, struct registry_watch *w, curl_off_t dlnow,
		   curl_off_t ulnow, bool held);
/* A CURLOPT_XFERINFOFUNCTION of a watch alone (its r set). */
int registry_watch_progress(void *w, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
			    curl_off_t ulnow);
/*
 * Try again after tries failed tries? Within --retries: what registry_retryable
 * says, and a stall once only, so one stalled server holds a transfer for at
 * most twice --stall-timeout (and the backoff).
 */
bool registry_again(const struct registry *r, struct registry_watch *w, CURLcode rc, long status,
		    int tries);
/* The words for a failed try: "stalled: no data for N s", or libcurl's. buf: scratch. */
const char *registry_failure(const struct registry *r, const struct registry_watch *w, CURLcode rc,
			     char buf[64]);
/* Is a transfer that ended so worth another try (connection errors, 408, 429, 5xx)? */
bool registry_retryable(CURLcode rc, long status);
/*
 * The code token (err.h) of a refusing HTTP status: "auth" for 401 and 403,
 * "not-found" for 404, "network" when a later try may work (408, 429, 5xx),
 * else "invalid".
 */
const char *registry_status_code(long status);
/* An absolute URL for ref (a Location header) resolved against the current endpoint. New string. */
char *registry_resolve_url(const struct registry *r, const char *ref, struct err *e);
/* Internal to registry*.c: q's method and body on h; returns hdrs with any added. */
struct curl_slist *registry_setup_method(CURL *h, struct http_req *q, struct curl_slist *hdrs);
/* Do two absolute URLs share scheme, host and port? */
bool registry_same_origin(const char *a, const char *b);
/* The current endpoint's base URL ("https://host/v2"). */
const char *registry_base(const struct registry *r);
/* A 401 came back with this challenge: get a (new) token or basic header for the endpoint. */
int registry_reauth(struct registry *r, const char *challenge, struct err *e);
/* Install response header parsing into h, filling resp. */
void registry_capture_headers(CURL *h, struct http_resp *resp);

#endif
