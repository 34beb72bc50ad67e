/* SPDX-License-Identifier: Apache-2.0 */
/* From a reference to verified manifests and configs: index, platform choice, checks. */
#ifndef CTR_PULL_RESOLVE_H
#define CTR_PULL_RESOLVE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "content.h"
#include "platform.h"
#include "ref.h"
#include "registry.h"

/* A verified document (manifest, index or config): its exact bytes and parse. */
struct doc {
	char *body;
	size_t len;
	json_t *json;
	json_t *desc; /* its descriptor; for index entries with "platform" */
};

struct plan {
	bool is_index;
	struct doc top;	 /* what the reference names: an index or a manifest */
	struct doc *man; /* the chosen manifests (one, or all with --all-platforms) */
	struct doc *cfg; /* their configs, same order */
	size_t n;
};

/*
 * Fetch and check what ref names, choose the manifest(s) for want (or all
 * platforms), and fetch and check their configs. Nothing is stored. With a
 * store (local, else NULL) a tag is first asked for its digest (HEAD), and
 * documents the store holds already are read from it, re-verified, instead
 * of downloaded: a pull of what is there costs one HEAD request. A manifest
 * of more than max_layers layers is refused before its config is fetched.
 */
int resolve(struct registry *r, const struct content *local, const struct ref *ref,
	    const struct platform *want, bool all, size_t max_layers, struct plan *p,
	    struct err *e);
void plan_release(struct plan *p);

#endif
