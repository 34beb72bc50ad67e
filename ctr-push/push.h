/* SPDX-License-Identifier: Apache-2.0 */
/* The push job: an image of the store to a registry, blobs first, then manifests. */
#ifndef CTR_PUSH_PUSH_H
#define CTR_PUSH_PUSH_H

#include <jansson.h>
#include <stdbool.h>

#include "content.h"
#include "platform.h"
#include "progress.h"
#include "registry.h"
#include "state.h"
#include "upload.h"

struct push_opts {
	const char *src, *dest; /* dest NULL: src */
	struct registry_opts reg;
	struct platform platform;
	bool platform_set, all_platforms;
	int max_concurrent;
	int64_t chunk_size; /* PATCH chunks of this many bytes; 0: one PUT per blob */
	enum progress_mode progress;
};

/* A manifest or index read back from the store: exact bytes, parse, descriptor (borrowed). */
struct push_doc {
	char *body;
	size_t len;
	json_t *json;
	json_t *desc;
};

/* What goes to the registry: blobs, then the child manifests of an index, then top. */
struct push_plan {
	struct push_doc top;
	struct push_doc *man; /* an index's manifests, in index order; none for a manifest */
	size_t n;
	struct upload *blobs; /* configs and layers, each once */
	size_t nblobs;
	int64_t total;
};

/*
 * Choose what to push for an image whose record targets target:
 * a manifest as is; an index whole when every image manifest of it and
 * their blobs are in the store (required by all), else the manifest of
 * the platform asked for (or the host's, with a warning). Everything is
 * read from the store and checked (digest, size, document shape).
 */
int push_plan_make(const struct content *c, const json_t *target, const struct push_opts *o,
		   struct push_plan *p, struct err *e);
void push_plan_release(struct push_plan *p);

/*
 * The mount candidates of each blob of p on r: src_repo (the image's own
 * repository on r, or NULL), then the repositories of r the blob was seen
 * in (blobsrc), bounded; r->mount_from gets them all, for the token's scope.
 */
void push_mounts_plan(struct registry *r, const struct content *c, const char *src_repo,
		      struct push_plan *p);
/* Record that every blob of p is now in r's repository; failures only warn. */
void push_mounts_record(const struct registry *r, const struct content *c,
			const struct push_plan *p);
/* Free what push_mounts_plan gave the blobs. */
void push_mounts_release(struct push_plan *p);

/* Push o->src to o->dest and print the result JSON. Dies on failure. */
void push_run(struct state *st, const struct push_opts *o);

#endif
