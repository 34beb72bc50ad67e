/* SPDX-License-Identifier: Apache-2.0 */
/* The one verb of ctr-unpack. */
#ifndef CTR_UNPACK_CMD_H
#define CTR_UNPACK_CMD_H

#include <stdbool.h>

#include "apply.h"
#include "snapshotter.h"
#include "state.h"

#define UNPACK_USAGE                                                                               \
	"[--root DIR] [-n NS] [--snapshotter overlay|native] [--jobs N]\n"                         \
	"       [--platform OS/ARCH] [--max-size BYTES] [--max-entries N]\n"                       \
	"       [--inflate isal|zlib] [--json] [- | IMAGE-NAME]\n"                                 \
	"       ctr-unpack --layer-stream --digest D --diff-id D [--media-type MT]\n"              \
	"       [--size N] [--max-size BYTES] [--inflate isal|zlib] [--json]"

struct opts {
	enum snapshotter driver;
	const char *platform, *src;
	unsigned jobs;
	struct apply_opts apply;
	bool json, stream;
	const char *digest, *diff_id, *media_type; /* --layer-stream */
	long long size;				   /* -1: unknown */
};

/* Parse argv (global options too) into o; bad usage exits 100, --help exits 0. */
void cmd_parse_opts(int argc, char **argv, struct state *st, struct opts *o);
/* --layer-stream: one compressed layer on stdin -> an applied active snapshot, its key on stdout.
 */
int cmd_layer_stream(const struct opts *o, struct state *st);

/* argv -> unpack job -> the snapshot JSON on stdout. */
int cmd_unpack(int argc, char **argv, struct state *st);

#endif
