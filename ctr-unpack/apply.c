/* SPDX-License-Identifier: Apache-2.0 */
/* Applies one layer stream onto a directory fd: libarchive reads, our own *at() calls write. */
#include "apply.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "apply-int.h"
#include "cleanup.h"
#include "log.h"
#include "priv.h"
#include "userns.h"
#include "xmem.h"

/* The tar bytes: what the decompressor and its digests hand on. */
static ssize_t
layer_source(void *ud, void *buf, size_t cap, struct err *e)
{
	return dstream_read(ud, buf, cap, e);
}

void
applier_defer_times(struct applier *ap, const char *pcanon, const char *base,
		    struct archive_entry *en)
{
	struct dirtime *d;

	xgrow((void **)&ap->dirs, &ap->dirs_cap, ap->ndirs + 1, sizeof(*ap->dirs));
	d = &ap->dirs[ap->ndirs++];
	if (!base)
		d->canon = xstrdup("");
	else
		d->canon = *pcanon ? xasprintf("%s/%s", pcanon, base) : xstrdup(base);
	entry_times(en, d->ts);
}

/*
 * Directory times last: creating a child changes its directory's mtime. Last
 * entry wins, and a directory removed since is skipped.
 */
static void
apply_dir_times(struct applier *ap)
{
	struct err ignored;

	for (size_t i = 0; i < ap->ndirs; i++) {
		int fd = tree_open_canon(&ap->t, ap->dirs[i].canon, &ignored);

		if (fd >= 0) {
			futimens(fd, ap->dirs[i].ts);
			close(fd);
		}
		free(ap->dirs[i].canon);
	}
	free(ap->dirs);
	ap->dirs = NULL;
	ap->ndirs = 0;
}

static int
apply_loop(struct applier *ap, struct err *e)
{
	uint64_t max = ap->o.max_entries;
	struct archive_entry *en;
	int r;

	while ((r = tarread_next(&ap->tr, &en, e)) != 0) {
		const char *name;

		if (r < 0)
			return -1;
		if (++ap->entries > max)
			return err_code(e, "limit", "layer has more than %llu entries",
					(unsigned long long)max);
		name = archive_entry_pathname(en);
		if (!name)
			return err_code(e, "invalid", "tar entry %llu has no usable name",
					(unsigned long long)ap->entries);
		if (apply_entry(ap, en, name, e) < 0)
			return err_prefix(e, "entry '%.200s'", name);
	}
	return 0;
}

static void
fill_opts(struct apply_opts *dst, const struct apply_opts *o)
{
	*dst = *o;
	if (!dst->max_size)
		dst->max_size = APPLY_MAX_SIZE;
	if (!dst->max_entries)
		dst->max_entries = APPLY_MAX_ENTRIES;
	if (!dst->max_depth)
		dst->max_depth = APPLY_MAX_DEPTH;
	if (dst->max_depth > APPLY_MAX_DEPTH_CAP)
		dst->max_depth = APPLY_MAX_DEPTH_CAP;
}

static int
apply_run(struct applier *ap, int rootfd, int layerfd, struct apply_result *r, struct err *e)
{
	if (dstream_open(layerfd, ap->o.hint, ap->o.max_size, ap->o.dflags, &ap->ds, e) < 0)
		return -1;
	if (tarread_open(&ap->tr, layer_source, ap->ds, e) < 0)
		return -1;
	if (apply_loop(ap, e) < 0)
		return -1;
	/*
	 * The diff_id covers every decompressed byte, the padding after the end
	 * blocks too: tarread_next read the stream to its end before it said so.
	 */
	apply_dir_times(ap);
	/* durable without an fsync per file: one syncfs of the snapshot's filesystem */
	if (syncfs(rootfd) < 0)
		return err_set(e, errno, "syncfs");
	dstream_result(ap->ds, r->digest, r->diff_id, &r->compressed, &r->size);
	snprintf(r->format, sizeof(r->format), "%s", dstream_format(ap->ds));
	r->entries = ap->entries;
	return 0;
}

int
apply_layer(int rootfd, int layerfd, const struct apply_opts *o, struct apply_result *r,
	    struct err *e)
{
	struct applier ap = {0};
	int rc;

	fill_opts(&ap.o, o);
	tree_init(&ap.t, rootfd, ap.o.overlay, ap.o.max_depth);
	if (ap.o.userxattr)
		ap.t.opaque_xattr = OVERLAY_OPAQUE_USERXATTR;
	memset(r, 0, sizeof(*r));
	rc = apply_run(&ap, rootfd, layerfd, r, e);
	tarread_release(&ap.tr);
	for (size_t i = 0; i < ap.ndirs; i++)
		free(ap.dirs[i].canon);
	free(ap.dirs);
	dstream_free(ap.ds);
	tree_release(&ap.t);
	return rc;
}

void
apply_rootless(struct apply_opts *o)
{
	if (!priv_rootless())
		return;
	o->no_devices = true;
	o->userxattr = o->overlay;
	o->squash_ids = userns_single();
}
