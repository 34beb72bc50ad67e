/* SPDX-License-Identifier: Apache-2.0 */
/* ctr-pull --unpack: appliers fed while layers download, then ctr-unpack commits them. */
#ifndef CTR_PULL_PULL_UNPACK_H
#define CTR_PULL_PULL_UNPACK_H

#include "opt.h"
#include <jansson.h>
#include <stdbool.h>

#include "feed.h"
#include "snapshotter.h"
#include "state.h"

struct blob;
struct plan;

struct pull_unpack_opts {
	bool on;
	enum snapshotter driver; /* overlay streams; native unpacks after the pull */
	bool driver_set;	 /* --snapshotter was given */
	bool keep_none;		 /* --keep-blobs=none: layers applied from the stream only */
};

/* ctr-pull's options for it, included in its option table. */
enum { OPT_UNPACK = 0x200, OPT_SNAPSHOTTER, OPT_KEEP_BLOBS };
extern const struct opt pull_unpack_opt_table[];

/* Take one of the options above; false if c is not one. Bad values exit 100. */
bool pull_unpack_opt(int c, const char *arg, struct pull_unpack_opts *o);
/* After parsing: the defaults, and combinations that cannot work exit 100. */
void pull_unpack_check(struct pull_unpack_opts *o, bool all_platforms);

struct pull_unpack {
	struct pull_unpack_opts o;
	struct feed_cfg cfg;
	json_t *diff_ids;
	struct feed *feeds; /* one per blob to fetch */
	size_t nfeeds;
};

/*
 * Ask ctr-unpack (--dry-run) which layers of the one manifest of p are to be
 * applied (not yet committed) and give each blob of those a feed. With
 * keep_none, blobs whose layers are all committed leave the list (*n
 * shrinks) and the rest are verified without being stored. name: the image's.
 */
int pull_unpack_prepare(struct pull_unpack *u, const struct state *st, const char *name,
			const struct plan *p, struct blob *b, size_t *n, struct err *e);
/*
 * After the downloads: wait for every applier (ok), or give up on them, wait,
 * and have ctr-unpack --discard what they left (!ok). Returns -1 with e when
 * an applier failed.
 */
int pull_unpack_wait(struct pull_unpack *u, bool ok, struct err *e);
/*
 * Run ctr-unpack on doc (the image document) plus "unpacked": the snapshots
 * the appliers left. Its snapshot document goes to our stdout. ctr-pull never
 * opens the snapshot store: every decision about snapshots is ctr-unpack's.
 */
int pull_unpack_commit(struct pull_unpack *u, json_t *doc, struct err *e);
void pull_unpack_release(struct pull_unpack *u);

#endif
