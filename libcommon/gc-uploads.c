/* SPDX-License-Identifier: Apache-2.0 */
/* The gc sweeps of push metadata: upload records of pushes that are gone, sources of gone blobs. */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "blobsrc.h"
#include "gc-int.h"
#include "uploadrec.h"

static int
drop(struct gc *g, int dirfd, const char *name, struct err *e)
{
	return gc_drop_file(g, dirfd, "uploads", name, e);
}

int
gc_sweep_uploads(struct gc *g, struct err *e)
{
	_cleanup_closedir_ DIR *d = NULL;
	time_t now = time(NULL);
	struct dirent *de;

	if (gc_opendir(g->st->rootfd, "uploads", &d, e) < 0)
		return -1;
	if (!d)
		return 0;
	while ((errno = 0, de = readdir(d))) {
		char lockname[UPLOADREC_NAME_MAX];
		_cleanup_close_ int lk = -1;

		if (gc_dead_temp(de->d_name)) {
			if (drop(g, dirfd(d), de->d_name, e) < 0)
				return -1;
			continue;
		}
		if (!uploadrec_stale(dirfd(d), de->d_name, now, g->o->ingest_keep_secs, &lk,
				     lockname))
			continue;
		/* removed while we hold its lock: no push can take it meanwhile */
		if (drop(g, dirfd(d), de->d_name, e) < 0 ||
		    (strcmp(lockname, de->d_name) && drop(g, dirfd(d), lockname, e) < 0))
			return -1;
	}
	return errno ? err_set(e, errno, "read uploads") : 0;
}

int
gc_sweep_sources(struct gc *g, struct err *e)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;

	if (gc_opendir(g->c.dirfd, "sources", &d, e) < 0)
		return -1;
	if (!d)
		return 0;
	while ((errno = 0, de = readdir(d))) {
		/* a dry run removes no blob: only the sources of blobs already gone */
		if ((blobsrc_orphan(&g->c, de->d_name) || gc_dead_temp(de->d_name)) &&
		    gc_drop_file(g, dirfd(d), "content/sources", de->d_name, e) < 0)
			return -1;
	}
	return errno ? err_set(e, errno, "read content/sources") : 0;
}
