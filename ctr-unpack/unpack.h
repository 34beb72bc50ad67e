/* SPDX-License-Identifier: Apache-2.0 */
/* The unpack job: layers to committed snapshots named by chain ID, in parallel for overlay. */
#ifndef CTR_UNPACK_UNPACK_H
#define CTR_UNPACK_UNPACK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "apply.h"
#include "content.h"
#include "snapshot.h"
#include "worker.h"

struct layer {
	char digest[DIGEST_STR_LEN + 1];  /* the blob in the content store */
	char diff_id[DIGEST_STR_LEN + 1]; /* from the image config */
	char chain[DIGEST_STR_LEN + 1];	  /* the committed snapshot's name */
	int64_t size;
	enum compression comp;
	char key[96];	 /* the active snapshot while applying, "" when none */
	bool skip;	 /* committed before this run */
	bool preapplied; /* key was applied by a --layer-stream applier: commit only */
	bool started, done;
	int lockfd; /* the chain's lock (snapshot_chain_lock) while this run may apply it, else -1 */
	struct worker w;
};

struct unpack_job {
	const struct content *c;
	struct snapshot_store *s;
	bool overlay;  /* parallel, parentless actives; else native: in place, in order */
	unsigned jobs; /* workers at once (>= 1) */
	struct apply_opts opts;
	struct layer *layers;
	size_t n;
	unsigned applied; /* out: layers applied by this run */
	pid_t owner;	  /* whose death makes our active snapshots stale (0: this process) */
};

/*
 * Make layers[n-1].chain exist as a committed snapshot: layers already
 * committed are skipped, the others applied, checked (size, digest, diff_id)
 * and committed in order. On failure every active snapshot this run made is
 * removed; lower layers committed by it stay (they are valid content).
 */
int unpack_run(struct unpack_job *j, struct err *e);
/*
 * Apply layers[0], whose stream is open on layers[0].w.layerfd (taken), onto
 * a new parentless active snapshot (layers[0].key), check its digest and
 * diff_id (and size unless < 0) and leave it active for a later unpack_run
 * to adopt. On failure the snapshot is removed.
 */
int unpack_stream(struct unpack_job *j, struct err *e);

#endif
