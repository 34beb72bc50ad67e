/* SPDX-License-Identifier: Apache-2.0 */
/* Parallel blob uploads from the content store to a registry (curl multi). */
#ifndef CTR_PUSH_UPLOAD_H
#define CTR_PUSH_UPLOAD_H

#include <curl/curl.h>
#include <stdint.h>

#include "content.h"
#include "progress.h"
#include "registry.h"

/* One blob to send; the caller sets digest (valid) and size, the rest is upload's. */
struct upload {
	const char *digest;
	int64_t size;
	const char *result; /* when done: "pushed", "existing" or "mounted" */

	int step, tries, fd;
	double not_before;
	bool reauthed;
	char *session; /* the upload's Location, absolute */
	char *url;     /* the URL of the request in flight */
	CURL *h;
	struct curl_slist *hdrs;
	struct http_req req;
	struct http_resp resp;
	struct progress *pr;
};

/*
 * Send every blob the registry lacks, at most maxconc at once: HEAD to skip
 * what exists, a cross-repository mount from r->mount_from when set, else
 * POST an upload and PUT the whole blob from the store. r's current endpoint
 * must have answered one request already (auth and TLS settled). *sent gets
 * the bytes uploaded. On failure e describes the first blob that failed.
 */
int upload_blobs(struct registry *r, const struct content *c, struct upload *u, size_t n,
		 int maxconc, struct progress *pr, int64_t *sent, struct err *e);
/* The registry's error text in resp ("CODE: message"), or the status. New string. */
char *upload_error_text(const struct http_resp *resp);

#endif
