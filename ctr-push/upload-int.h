/* SPDX-License-Identifier: Apache-2.0 */
/* Inside the uploader: the steps of one blob and the state they share with the engine. */
#ifndef CTR_PUSH_UPLOAD_INT_H
#define CTR_PUSH_UPLOAD_INT_H

#include "upload.h"

enum { U_HEAD, U_MOUNT, U_STATUS, U_POST, U_PATCH, U_PUT, U_DONE };

struct uploader {
	struct registry *r;
	const struct content *c;
	const struct upload_opts *o;
	struct progress *pr;
	CURLM *multi;
	int active;
	size_t left;
	int64_t sent;
};

/* Set up u->req (and u->url) for u's current step. */
void upload_build_req(struct uploader *f, struct upload *u);
/* The next step after an answer that is neither an auth challenge nor a retry. */
int upload_advance(struct uploader *f, struct upload *u, long status, struct err *e);
/* The step to go back to after a failed transfer: ask the registry where a chunked session is. */
int upload_after_failure(const struct uploader *f, const struct upload *u);
/* Does the blob go in PATCH chunks? */
bool upload_chunked(const struct uploader *f, const struct upload *u);

#endif
