/* SPDX-License-Identifier: Apache-2.0 */
/* Inside the garbage collector: the marks that the mark phase fills and the sweeps read. */
#ifndef CTR_GC_INT_H
#define CTR_GC_INT_H

#include <dirent.h>
#include <jansson.h>
#include <stdbool.h>

#include "content.h"
#include "gc.h"
#include "state.h"

struct gc {
	const struct state *st;
	const struct gc_opts *o;
	struct gc_report *r;
	struct content c;   /* c.dirfd < 0 when the root has no content store */
	json_t *blobs;	    /* marked digests: digest -> true */
	json_t *walked;	    /* manifests and indexes already followed */
	json_t *snaps;	    /* marked snapshot names, in every driver: name -> true */
	json_t *leases;	    /* lease_list, read before anything else */
	bool keep_unpacked; /* an image's chain could not be known: keep every layer snapshot */
};

/* One container directory, containers/<ns>/<id> (nsfd: containers/<ns>). */
typedef int gc_container_fn(struct gc *g, int nsfd, const char *ns, const char *id, struct err *e);
/*
 * Call fn for every container directory of every namespace, or with gone
 * for every .gone-ID a removal left instead (path_rm_rf_hidden, id the
 * whole name); stops at its first -1.
 */
int gc_each_container(struct gc *g, gc_container_fn *fn, bool gone, struct err *e);
/* Read the leases; mark the snapshots and blobs live ones name. */
int gc_mark_leases(struct gc *g, struct err *e);
/* Mark from image records (every namespace), content/index.json and container records. */
int gc_mark(struct gc *g, struct err *e);
/* Remove unmarked blobs of content/blobs/sha256, and dead temp files beside them. */
int gc_sweep_blobs(struct gc *g, struct err *e);
/* Remove idle or finished ingests, lock files of no ingest, debris of an earlier gc. */
int gc_sweep_ingests(struct gc *g, struct err *e);
/* Remove lock files of removed image records and dead temp files under images/. */
int gc_sweep_records(struct gc *g, struct err *e);
/* Remove upload records of pushes that are gone and idle past ingest_keep_secs. */
int gc_sweep_uploads(struct gc *g, struct err *e);
/* Remove content/sources records of blobs the store no longer holds. */
int gc_sweep_sources(struct gc *g, struct err *e);
/* Remove container directories without a record that no live lease or creator holds. */
int gc_sweep_containers(struct gc *g, struct err *e);
/* Remove the leases of dead owners and expired ones. */
int gc_sweep_leases(struct gc *g, struct err *e);
/* Sweep the snapshots of every driver under snapshots/. */
int gc_sweep_snapshots(struct gc *g, struct err *e);

/*
 * Open rel under dirfd as a directory stream; *out is NULL (and 0 returned)
 * when it does not exist.
 */
int gc_opendir(int dirfd, const char *rel, DIR **out, struct err *e);
/* Is name a temp file (".X.tmp-PID") whose writer is gone? */
bool gc_dead_temp(const char *name);
/* Record a removed file by its root-relative path, built like printf. */
void gc_file(struct gc *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * Unlink name of dirfd, rel/name from the root (not in a dry run; one gone
 * already is fine), and record it (gc_file).
 */
int gc_drop_file(struct gc *g, int dirfd, const char *rel, const char *name, struct err *e);

#endif
