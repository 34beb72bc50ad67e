/* SPDX-License-Identifier: Apache-2.0 */
/* Parallel blob uploads from the content store to a registry (curl multi). */
#ifndef CTR_PUSH_UPLOAD_H
#define CTR_PUSH_UPLOAD_H

#include <curl/curl.h>
#include <stdint.h>

#include "content.h"
#include "progress.h"
#include "registry.h"
#include "uploadrec.h"

/* How blobs go: at most maxconc at once, in PATCH chunks of chunk bytes (0: one PUT). */
struct upload_opts {
	int maxconc;
	int64_t chunk;
	int recfd; /* $ROOT/uploads: sessions recorded for a resume; -1: none */
};

/* One blob to send; the caller sets digest (valid), size and from, the rest is upload's. */
struct upload {
	const char *digest;
	int64_t size;
	char **from; /* repositories of the registry that hold it: mount candidates (borrowed) */
	size_t nfrom;
	const char *result; /* when done: "pushed", "existing" or "mounted" */

	int step, tries, fd;
	size_t mount_i;
	double not_before;
	bool reauthed, monolithic, started;
	int64_t offset; /* bytes the registry acknowledged in this session */
	int64_t sent;	/* body bytes sent by this run */
	char *session;	/* the upload's Location, absolute */
	char *url;	/* the URL of the request in flight */
	char *range;	/* the Content-Range header of a PATCH */
	struct uploadrec rec;
	CURL *h;
	struct curl_slist *hdrs;
	struct http_req req;
	struct http_resp resp;
	struct progress *pr;
};

/*
 * Send every blob the registry lacks: HEAD to skip what exists, a
 * cross-repository mount from each of u->from, else resume the session
 * recorded under o->recfd (GET gives the registry's offset) or POST a new
 * one, then PATCH chunks and a final PUT (or one PUT where the blob fits a
 * chunk or the registry refuses PATCH). r's current endpoint must have
 * answered one request already (auth and TLS settled). *sent gets the bytes
 * uploaded. On failure e describes the first blob that failed.
 */
int upload_blobs(struct registry *r, const struct content *c, struct upload *u, size_t n,
		 const struct upload_opts *o, struct progress *pr, int64_t *sent, struct err *e);
/* The registry's error text in resp ("CODE: message"), or the status. New string. */
char *upload_error_text(const struct http_resp *resp);

#endif
