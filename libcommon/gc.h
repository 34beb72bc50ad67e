/* SPDX-License-Identifier: Apache-2.0 */
/* Garbage collection of the store: mark from every record, sweep the rest. */
#ifndef CTR_GC_H
#define CTR_GC_H

#include <jansson.h>
#include <stdbool.h>

#include "err.h"
#include "state.h"

/*
 * Roots (ctr-state(5) "Garbage collection"): every image record of every
 * namespace and every entry of content/index.json, followed to the blobs and
 * the snapshots (by chain ID) they name; every container record's snapshot;
 * every snapshot that is not committed, or that ctr-unpack did not make; and
 * the parents of all of those. The rest of content/blobs and ctr-unpack's
 * committed layers are garbage, as are idle partial downloads older than
 * ingest_keep_secs and lock and temp files that nothing holds.
 */
struct gc_opts {
	bool dry_run;		    /* report what would go, remove nothing */
	long long ingest_keep_secs; /* idle ingests touched more recently stay */
	bool background;	    /* snapshots go to the trash; gc_detach_emptier unlinks */
	bool no_bytes;		    /* snapshots' bytes go uncounted (null): no stat per file */
};

/* What went (or would go). The arrays are new references owned by the report. */
struct gc_report {
	json_t *blobs;	   /* ["sha256:..."] */
	json_t *snapshots; /* [{"snapshotter","key","bytes"}] */
	json_t *ingests;   /* ["sha256:..."]: partial downloads */
	json_t *files;	   /* root-relative paths: orphan locks, dead temps, crash debris */
	long long blob_bytes, snapshot_bytes, ingest_bytes;
	long long kept_blobs, kept_snapshots;
};

void gc_report_init(struct gc_report *r);
void gc_report_release(struct gc_report *r);
/*
 * Collect st's store under the exclusive store lock (state_lock_store),
 * waiting for writers that hold it. st must be open. On error the report
 * holds what was removed before it.
 */
int gc_run(const struct state *st, const struct gc_opts *o, struct gc_report *r, struct err *e);
/*
 * After a gc_run with o->background: fork a child, in a session of its own
 * and holding each store's trash lock, that unlinks what the trashes hold and
 * exits. A trash another emptier holds is left to it. 0 once the child runs
 * (or when there is nothing to empty).
 */
int gc_detach_emptier(const struct state *st, struct err *e);

#endif
