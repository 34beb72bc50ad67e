/* SPDX-License-Identifier: Apache-2.0 */
/* The pull job: resolve, fetch, store, record, print the image document(s). */
#ifndef CTR_PULL_PULL_H
#define CTR_PULL_PULL_H

#include <stdbool.h>
#include <stddef.h>

#include "platform.h"
#include "progress.h"
#include "pull-unpack.h"
#include "registry.h"
#include "state.h"

struct pull_opts {
	const char *ref;
	struct registry_opts reg;
	struct platform platform;
	bool all_platforms;
	int max_concurrent;
	enum progress_mode progress;
	struct pull_unpack_opts unpack;
	bool verify;	   /* re-hash the layer blobs the store has; re-fetch a bad one */
	size_t max_layers; /* refuse an image of more layers (layerlimit.h) */
	int64_t blob_size; /* --blob: fetch the one blob ref names, of this size; else -1 */
};

/*
 * Pull o->ref into st's store and print one image JSON line per platform;
 * with o->unpack.on, unpack it too and print its snapshot document instead.
 * Dies on failure.
 */
void pull_run(struct state *st, const struct pull_opts *o);

#endif
