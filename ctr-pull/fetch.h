/* SPDX-License-Identifier: Apache-2.0 */
/* Parallel, resumable, verified blob downloads into the content store (curl multi). */
#ifndef CTR_PULL_FETCH_H
#define CTR_PULL_FETCH_H

#include <curl/curl.h>
#include <stdint.h>

#include "content.h"
#include "feed.h"
#include "progress.h"
#include "registry.h"

/* One blob to fetch; the caller sets digest (valid) and size, the rest is fetch's. */
struct blob {
	const char *digest;
	int64_t size;
	int ingest_flags;  /* CONTENT_NODATA: verify, do not store (--keep-blobs=none) */
	struct feed *feed; /* --unpack: appliers the bytes also go to, or NULL */

	int state;
	bool paused; /* the feed held the transfer back (CURL_WRITEFUNC_PAUSE) */
	double not_before;
	int tries;
	struct registry_watch watch; /* stalls, across the tries */
	bool reauthed, checked, fatal, discard, http_error;
	struct content_ingest in;
	CURL *h;
	struct curl_slist *hdrs;
	struct http_resp resp;
	struct progress *pr;
	int64_t transferred;
	struct err err;
};

/*
 * Fetch every blob not yet in the store, at most maxconc at once, teeing
 * each one's bytes to its feed, if any, and serving the feeds meanwhile. Blobs that
 * another process holds are waited for, not fetched twice. *transferred gets
 * the bytes received. On failure e describes the first blob that failed.
 */
int fetch_blobs(struct registry *r, const struct content *c, struct blob *b, size_t n, int maxconc,
		struct progress *pr, int64_t *transferred, struct err *e);

#endif
