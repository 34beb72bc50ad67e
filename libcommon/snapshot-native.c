/* SPDX-License-Identifier: Apache-2.0 */
/* The native driver: each snapshot is a full copy of its parent, for any filesystem. */
#include "snapshot-driver.h"
#include "snapshot.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "spawn.h"
#include "xmem.h"

static int
native_copy(struct snapshot_store *s, const char *dir, const char *parent_id, struct err *e)
{
	_cleanup_free_ char *src = xasprintf("%s/fs", parent_id);
	_cleanup_free_ char *dst = xasprintf("%s/fs", dir);
	char *argv[] = {"cp", "-a", "--reflink=auto", "--", src, dst, NULL};
	struct spawn_opts o = SPAWN_OPTS_INIT;
	int rc;

	/*
	 * cp -a keeps owners, modes, times, xattrs, device nodes, sparse files
	 * and hard links, and clones extents where the filesystem can: all of
	 * which a layer needs and none of which is worth redoing here.
	 */
	o.dir = s->path;
	rc = spawn_run(argv, &o, e);
	if (rc < 0)
		return -1;
	if (rc)
		return err_code(e, "system", "copy of parent '%s' failed (cp exited %d)", src, rc);
	return 0;
}

static int
native_create(struct snapshot_store *s, int dirfd, const char *dir, const char *parent_id,
	      int flags, struct err *e)
{
	/* a view shows its (immutable) parent directly, so it needs no copy */
	if (parent_id && !(flags & SNAPSHOT_VIEW))
		return native_copy(s, dir, parent_id, e);
	if (mkdirat(dirfd, "fs", 0755) < 0)
		return err_set(e, errno, "mkdir '%s/fs'", dir);
	return 0;
}

static json_t *
native_mounts(struct snapshot_store *s, const char *kind, const char *const *ids, size_t n,
	      struct err *e)
{
	bool view = !strcmp(kind, "view");
	_cleanup_free_ char *fs = snapshot_path(s, view && n > 1 ? ids[1] : ids[0], "fs");
	json_t *m = snapshot_mount_new("bind", fs, strcmp(kind, "active") ? "ro" : "rw", "rbind");

	if (!m) {
		err_code(e, "system", "out of memory");
		return NULL;
	}
	return json_pack("[o]", m);
}

const struct snapshot_driver snapshot_driver_native = {
    .id = SNAP_NATIVE,
    /* a copy made without its parent would lack the parent's files */
    .late_parent = false,
    .create = native_create,
    .mounts = native_mounts,
};
