/* SPDX-License-Identifier: Apache-2.0 */
/* Garbage collection: the store lock, the order of mark and sweeps, the report. */
#include "gc.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "gc-int.h"
#include "lock.h"
#include "log.h"
#include "path.h"
#include "xmem.h"

void
gc_report_init(struct gc_report *r)
{
	memset(r, 0, sizeof(*r));
	r->blobs = json_array();
	r->snapshots = json_array();
	r->ingests = json_array();
	r->files = json_array();
}

void
gc_report_release(struct gc_report *r)
{
	json_decref(r->blobs);
	json_decref(r->snapshots);
	json_decref(r->ingests);
	json_decref(r->files);
	memset(r, 0, sizeof(*r));
}

bool
gc_dead_temp(const char *name)
{
	const char *p = strstr(name, ".tmp-");
	char *end;
	long pid;

	if (name[0] != '.' || !p)
		return false;
	pid = strtol(p + 5, &end, 10);
	if (*end || pid <= 0)
		return false;
	/* EPERM: someone else's live process; a reused pid only keeps the file longer */
	return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

void
gc_file(struct gc *g, const char *fmt, ...)
{
	char path[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	json_array_append_new(g->r->files, json_string(path));
}

int
gc_drop_file(struct gc *g, int dirfd, const char *rel, const char *name, struct err *e)
{
	if (!g->o->dry_run && unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
		return err_set(e, errno, "remove '%s/%s'", rel, name);
	gc_file(g, "%s/%s", rel, name);
	return 0;
}

int
gc_opendir(int dirfd, const char *rel, DIR **out, struct err *e)
{
	*out = path_opendir(dirfd, rel, rel, e);
	return *out || e->sys == ENOENT || e->sys == ENOTDIR ? 0 : -1;
}

/* The exclusive store lock: writers in flight (pulls, unpacks) finish first. */
static int
lock_store(const struct state *st, struct err *e)
{
	int fd = state_lock_store(st, LOCK_TRY, e);

	if (fd >= 0 || strcmp(e->code ? e->code : "", "busy"))
		return fd;
	log_info("waiting for writers to release the store lock");
	return state_lock_store(st, 0, e);
}

/* The content store, when the root has one; a root without is not given one by gc. */
static int
open_content(struct gc *g, struct err *e)
{
	struct stat sb;

	g->c.dirfd = g->c.blobsfd = -1;
	if (fstatat(g->st->rootfd, "content", &sb, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : err_set(e, errno, "stat '%s/content'", g->st->root);
	return content_open(g->st, &g->c, e);
}

/*
 * The blob sweep on a thread of its own, beside the sweeps of containers and
 * snapshots: all of them are mostly the kernel freeing the pages of what
 * they unlink, and a blob is one file that no other thread can split. It
 * reads the marks, which nothing changes once the mark phase is over, and
 * fills a report of its own, merged when it is joined.
 */
struct blob_sweep {
	struct gc g;
	struct gc_report r;
	struct err e;
	int rc;
	bool threaded;
	pthread_t tid;
};

static void *
blob_sweep_run(void *arg)
{
	struct blob_sweep *b = arg;

	b->rc = gc_sweep_blobs(&b->g, &b->e);
	return NULL;
}

static void
blob_sweep_start(struct gc *g, struct blob_sweep *b)
{
	b->g = *g;
	b->g.r = &b->r;
	b->rc = 0;
	gc_report_init(&b->r);
	b->threaded = pthread_create(&b->tid, NULL, blob_sweep_run, b) == 0;
}

/* Join the sweep (or run it here, if no thread started); its report goes into g's. */
static int
blob_sweep_join(struct gc *g, struct blob_sweep *b, struct err *e)
{
	if (b->threaded)
		pthread_join(b->tid, NULL);
	else
		blob_sweep_run(b);
	json_array_extend(g->r->blobs, b->r.blobs);
	json_array_extend(g->r->files, b->r.files);
	g->r->blob_bytes += b->r.blob_bytes;
	g->r->kept_blobs += b->r.kept_blobs;
	gc_report_release(&b->r);
	if (b->rc < 0)
		*e = b->e;
	return b->rc;
}

int
gc_run(const struct state *st, const struct gc_opts *o, struct gc_report *r, struct err *e)
{
	struct gc g = {.st = st, .o = o, .r = r};
	_cleanup_close_ int lk = -1;
	struct blob_sweep bs;
	int rc = -1, swept;

	g.c.dirfd = g.c.blobsfd = -1;
	if ((lk = lock_store(st, e)) < 0)
		return err_prefix(e, "store lock");
	if (open_content(&g, e) < 0)
		return -1;
	g.blobs = json_object();
	g.snaps = json_object();
	g.walked = json_object();
	/*
	 * Everything is marked before anything is removed: a record that cannot
	 * be read stops the collection while the store is still whole.
	 */
	if (gc_mark_leases(&g, e) < 0 || gc_mark(&g, e) < 0)
		goto out;
	if (g.c.dirfd >= 0)
		blob_sweep_start(&g, &bs);
	/* containers first: a dead create's snapshot keeps its image's layers */
	swept = 0;
	if (gc_sweep_containers(&g, e) < 0 || gc_sweep_snapshots(&g, e) < 0 ||
	    gc_sweep_records(&g, e) < 0 || gc_sweep_uploads(&g, e) < 0)
		swept = -1;
	/* joined even after a failure: what it removed is in the report */
	if (g.c.dirfd >= 0 && blob_sweep_join(&g, &bs, swept < 0 ? &(struct err){0} : e) < 0)
		swept = -1;
	if (swept < 0)
		goto out;
	if (g.c.dirfd >= 0 && (gc_sweep_ingests(&g, e) < 0 || gc_sweep_sources(&g, e) < 0))
		goto out;
	rc = gc_sweep_leases(&g, e);
out:
	json_decref(g.blobs);
	json_decref(g.snaps);
	json_decref(g.walked);
	json_decref(g.leases);
	content_release(&g.c);
	return rc;
}
