/* SPDX-License-Identifier: Apache-2.0 */
/* The one verb of ctr-unpack. */
#ifndef CTR_UNPACK_CMD_H
#define CTR_UNPACK_CMD_H

#include <stdbool.h>
#include <stddef.h>

#include "apply.h"
#include "snapshotter.h"
#include "state.h"

struct opts {
	enum snapshotter driver;
	const char *platform, *src;
	char **keys; /* --discard: the keys (argv) */
	int nkeys;
	unsigned jobs;
	struct apply_opts apply;
	bool json, stream, dry_run, discard;
	const char *digest, *diff_id, *media_type; /* --layer-stream */
	long long size;				   /* -1: unknown */
	size_t max_layers;			   /* --max-layers; 0: not given */
};

/* Parse argv (global options too) into o; bad usage exits 100, --help exits 0. */
void cmd_parse_opts(int argc, char **argv, struct state *st, struct opts *o);
/* --layer-stream: one compressed layer on stdin -> an applied active snapshot, its key on stdout.
 */
int cmd_layer_stream(const struct opts *o, struct state *st);

/*
 * --discard KEY...: remove the active snapshots that appliers left for our
 * caller, which gave up on them. Only unpack-* keys the caller owns go.
 */
int cmd_discard(const struct opts *o, struct state *st);

/* argv -> unpack job -> the snapshot JSON on stdout (--dry-run: the plan). */
int cmd_unpack(int argc, char **argv, struct state *st);

#endif
