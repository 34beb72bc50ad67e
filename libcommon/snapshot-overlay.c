/* SPDX-License-Identifier: Apache-2.0 */
/* The overlay driver: fs/ is the upperdir, parents' fs/ are the lowerdirs. */
#include "snapshot-driver.h"

#include <errno.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cleanup.h"
#include "jsonio.h"
#include "mount.h"
#include "priv.h"
#include "xmem.h"

/*
 * A rootless store's opaque directories are user.overlay.* xattrs: a file
 * system without user xattrs (ramfs, vfat, some network ones) cannot hold an
 * overlay snapshot, and is refused at the first one with the remedy, before
 * a layer half-applies. (Rootless podman falls back to vfs there; we name it
 * instead: the snapshotter is the caller's choice, kept in each document.)
 */
static int
user_xattr_probe(int dirfd, const char *dir, struct err *e)
{
	_cleanup_close_ int fd = openat(dirfd, "fs", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return err_set(e, errno, "open '%s/fs'", dir);
	if (fsetxattr(fd, "user.ctr.probe", "1", 1, 0) == 0)
		return fremovexattr(fd, "user.ctr.probe") < 0 && errno != ENODATA
			   ? err_set(e, errno, "remove the probe xattr of '%s/fs'", dir)
			   : 0;
	if (errno != ENOTSUP)
		return err_set(e, errno, "set a user xattr on '%s/fs'", dir);
	return err_code(e, "invalid",
			"'%s' is on a file system without user extended attributes, which "
			"overlay needs for a user: use --snapshotter native",
			dir);
}

static int
overlay_create(struct snapshot_store *s, int dirfd, const char *dir, const char *parent_id,
	       int flags, struct err *e)
{
	(void)s, (void)parent_id, (void)flags;
	/* the upper layer starts empty whatever the parent: overlayfs does the stacking */
	if (mkdirat(dirfd, "fs", 0755) < 0)
		return err_set(e, errno, "mkdir '%s/fs'", dir);
	if (mkdirat(dirfd, "work", 0700) < 0)
		return err_set(e, errno, "mkdir '%s/work'", dir);
	return priv_rootless() ? user_xattr_probe(dirfd, dir, e) : 0;
}

/* "lowerdir=A:B:C" of the fs/ of ids[0..n), top first. */
static char *
lowerdir_opt(struct snapshot_store *s, const char *const *ids, size_t n)
{
	size_t cap = 16 + n * (strlen(s->path) + SNAPSHOT_ID_LEN + 6), len;
	char *opt = xmalloc(cap);

	len = (size_t)snprintf(opt, cap, "lowerdir=");
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *p = snapshot_path(s, ids[i], "fs");

		xgrow((void **)&opt, &cap, len + strlen(p) + 2, 1);
		len += (size_t)snprintf(opt + len, cap - len, "%s%s", i ? ":" : "", p);
	}
	return opt;
}

static json_t *
overlay_readonly(struct snapshot_store *s, const char *const *ids, size_t n)
{
	_cleanup_free_ char *low = NULL;
	_cleanup_free_ char *fs = NULL;

	/* overlayfs needs two lowers for a lower-only mount; one layer is a bind */
	if (n == 1) {
		fs = snapshot_path(s, ids[0], "fs");
		return snapshot_mount_new("bind", fs, "ro", "rbind");
	}
	low = lowerdir_opt(s, ids, n);
	return snapshot_mount_new(MOUNT_TYPE_OVERLAY, MOUNT_TYPE_OVERLAY, low, NULL);
}

static json_t *
overlay_active(struct snapshot_store *s, const char *const *ids, size_t n)
{
	_cleanup_free_ char *fs = snapshot_path(s, ids[0], "fs");
	_cleanup_free_ char *wd = NULL, *upper = NULL, *work = NULL, *low = NULL;
	json_t *m;

	if (n == 1)
		return snapshot_mount_new("bind", fs, "rw", "rbind");
	wd = snapshot_path(s, ids[0], "work");
	upper = xasprintf("upperdir=%s", fs);
	work = xasprintf("workdir=%s", wd);
	low = lowerdir_opt(s, ids + 1, n - 1);
	/* lowerdir first, as the OCI and containerd examples list them */
	m = snapshot_mount_new(MOUNT_TYPE_OVERLAY, MOUNT_TYPE_OVERLAY, low, upper);
	json_array_append_new(json_object_get(m, "options"), json_string(work));
	return m;
}

static json_t *
overlay_mounts(struct snapshot_store *s, const char *kind, const char *const *ids, size_t n,
	       struct err *e)
{
	json_t *m;

	if (!strcmp(kind, "active"))
		m = overlay_active(s, ids, n);
	else if (!strcmp(kind, "view"))
		/* a view's own (empty) directory only shows when it has no parent */
		m = overlay_readonly(s, n > 1 ? ids + 1 : ids, n > 1 ? n - 1 : 1);
	else
		m = overlay_readonly(s, ids, n);
	if (!m) {
		err_code(e, "system", "out of memory");
		return NULL;
	}
	/*
	 * A rootless store's whiteouts and opaque directories are in the user
	 * xattrs (trusted.* is root's alone), and overlay mounted in a user
	 * namespace reads those with "userxattr" (Linux 5.11).
	 */
	if (priv_rootless() && !strcmp(jsonio_str(m, "type"), MOUNT_TYPE_OVERLAY))
		json_array_append_new(json_object_get(m, "options"), json_string("userxattr"));
	return json_pack("[o]", m);
}

const struct snapshot_driver snapshot_driver_overlay = {
    .id = SNAP_OVERLAY,
    .late_parent = true,
    .create = overlay_create,
    .mounts = overlay_mounts,
};
