/* SPDX-License-Identifier: Apache-2.0 */
/* One tar entry onto the tree: create, merge or replace, whiteouts, metadata after content. */
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
#include "whiteout.h"
#include "xmem.h"

#define DEV_MAJOR_MAX 0xfffu   /* what a Linux dev_t can hold: 12 bits of major */
#define DEV_MINOR_MAX 0xfffffu /* and 20 bits of minor */

void
entry_times(struct archive_entry *en, struct timespec ts[2])
{
	ts[1].tv_sec = archive_entry_mtime(en);
	ts[1].tv_nsec = archive_entry_mtime_nsec(en);
	if (archive_entry_atime_is_set(en)) {
		ts[0].tv_sec = archive_entry_atime(en);
		ts[0].tv_nsec = archive_entry_atime_nsec(en);
	} else {
		ts[0] = ts[1];
	}
	if (ts[0].tv_nsec < 0 || ts[0].tv_nsec > 999999999)
		ts[0].tv_nsec = 0;
	if (ts[1].tv_nsec < 0 || ts[1].tv_nsec > 999999999)
		ts[1].tv_nsec = 0;
}

/* Numeric ids from the header, never names: NSS inside an image is not ours to trust. */
static int
entry_ids(struct archive_entry *en, uid_t *uid, gid_t *gid, struct err *e)
{
	la_int64_t u = archive_entry_uid(en), g = archive_entry_gid(en);

	if (u < 0 || g < 0 || u >= (la_int64_t)UINT32_MAX || g >= (la_int64_t)UINT32_MAX)
		return err_code(e, "invalid", "uid/gid %lld:%lld out of range", (long long)u,
				(long long)g);
	*uid = (uid_t)u;
	*gid = (gid_t)g;
	return 0;
}

/*
 * user.* and file capabilities; never trusted.* nor user.overlay.* (overlay's
 * own, the second in a user namespace) nor security.* labels.
 */
static bool
xattr_allowed(const char *name)
{
	return (!strncmp(name, "user.", 5) && strncmp(name, "user.overlay.", 13)) ||
	       !strcmp(name, "security.capability");
}

static int
set_xattrs(int fd, struct archive_entry *en, struct err *e)
{
	const char *name;
	const void *val;
	size_t len;

	archive_entry_xattr_reset(en);
	while (archive_entry_xattr_next(en, &name, &val, &len) == ARCHIVE_OK) {
		if (!xattr_allowed(name)) {
			log_debug("dropping xattr '%s'", name);
			continue;
		}
		if (fsetxattr(fd, name, val, len, 0) < 0)
			return err_set(e, errno, "set xattr '%s'", name);
	}
	return 0;
}

/*
 * A chown that failed. EINVAL: the owner is not mapped in our user namespace
 * (a rootless user's subordinate range is too small for the layer), which
 * the image asks and no retry mends: refused as podman refuses it.
 */
static int
chown_failed(uid_t uid, gid_t gid, struct err *e)
{
	if (errno != EINVAL)
		return err_set(e, errno, "chown");
	return err_code(e, "invalid",
			"owner %u:%u is outside the ids your user namespace maps (/etc/subuid, "
			"/etc/subgid): add a larger range with usermod --add-subuids and "
			"--add-subgids",
			(unsigned)uid, (unsigned)gid);
}

/*
 * Owner, then mode (chown clears set-id bits), then xattrs (chown clears
 * capabilities). st, when known, is the fresh node's: what already matches
 * costs no syscall, which counts at tens of thousands of files.
 */
static int
set_meta_fd(int fd, struct archive_entry *en, const struct stat *st, bool times, struct err *e)
{
	mode_t perm = archive_entry_perm(en) & 07777;
	struct timespec ts[2];
	uid_t uid;
	gid_t gid;

	if (entry_ids(en, &uid, &gid, e) < 0)
		return -1;
	if ((!st || st->st_uid != uid || st->st_gid != gid) && fchown(fd, uid, gid) < 0)
		return chown_failed(uid, gid, e);
	if ((!st || (st->st_mode & 07777) != perm) && fchmod(fd, perm) < 0)
		return err_set(e, errno, "chmod");
	if (set_xattrs(fd, en, e) < 0)
		return -1;
	entry_times(en, ts);
	if (times && futimens(fd, ts) < 0)
		return err_set(e, errno, "set times");
	return 0;
}

/* For nodes without a usable fd (symlinks, FIFOs, devices) we just made under pfd. */
static int
set_meta_at(int pfd, const char *base, struct archive_entry *en, bool link, struct err *e)
{
	struct timespec ts[2];
	uid_t uid;
	gid_t gid;

	if (entry_ids(en, &uid, &gid, e) < 0)
		return -1;
	if (fchownat(pfd, base, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		return chown_failed(uid, gid, e);
	/* a symlink's mode means nothing; xattrs on one are dropped, never set through it */
	if (!link && fchmodat(pfd, base, archive_entry_perm(en) & 07777, 0) < 0)
		return err_set(e, errno, "chmod");
	entry_times(en, ts);
	if (utimensat(pfd, base, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return err_set(e, errno, "set times");
	return 0;
}

static void
claim_at(struct applier *ap, int pfd, const char *base)
{
	struct stat st;

	if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0)
		tree_claim(&ap->t, st.st_ino);
}

static int
write_data(struct applier *ap, int fd, struct archive_entry *en, struct err *e)
{
	const void *buf;
	size_t size;
	int64_t off, end = 0;
	int r;

	/* blocks come with their offsets: holes of sparse files stay holes */
	while ((r = tarread_data_block(&ap->tr, &buf, &size, &off, e)) != 0) {
		if (r < 0)
			return -1;
		for (size_t done = 0; done < size;) {
			ssize_t n = pwrite(fd, (const char *)buf + done, size - done,
					   (off_t)off + (off_t)done);

			if (n < 0 && errno != EINTR)
				return err_set(e, errno, "write");
			done += n > 0 ? (size_t)n : 0;
		}
		if (off + (int64_t)size > end)
			end = off + (int64_t)size;
	}
	/* a sparse file's trailing hole, or a size the data did not reach */
	if (end != archive_entry_size(en) && ftruncate(fd, (off_t)archive_entry_size(en)) < 0)
		return err_set(e, errno, "truncate");
	return 0;
}

static int
create_reg(struct applier *ap, int pfd, const char *base, struct archive_entry *en, struct err *e)
{
	/* set-id bits only after chown (set_meta_fd); the rest of the mode right away */
	_cleanup_close_ int fd =
	    openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		   archive_entry_perm(en) & 0777);
	struct stat st;
	bool known;

	if (fd < 0)
		return errno == EEXIST ? 1 : err_set(e, errno, "create");
	known = fstat(fd, &st) == 0;
	if (known)
		tree_claim(&ap->t, st.st_ino);
	if (write_data(ap, fd, en, e) < 0)
		return -1;
	return set_meta_fd(fd, en, known ? &st : NULL, true, e);
}

static int
merge_dir(struct applier *ap, int pfd, const char *base, const char *pcanon,
	  struct archive_entry *en, struct err *e)
{
	_cleanup_close_ int fd = tree_open_dir(pfd, base, e);

	if (fd < 0)
		return -1;
	/* native: a lower directory listed again becomes this layer's, as an upper one would */
	claim_at(ap, pfd, base);
	applier_defer_times(ap, pcanon, base, en);
	return set_meta_fd(fd, en, NULL, false, e);
}

static int
create_dir(struct applier *ap, int pfd, const char *base, const char *pcanon,
	   struct archive_entry *en, struct err *e)
{
	if (mkdirat(pfd, base, 0700) < 0)
		return errno == EEXIST ? 1 : err_set(e, errno, "mkdir");
	return merge_dir(ap, pfd, base, pcanon, en, e);
}

static int
create_link(struct applier *ap, int pfd, const char *base, struct archive_entry *en, struct err *e)
{
	const char *target = archive_entry_symlink(en);

	if (!target || !*target || strlen(target) >= PATH_MAX)
		return err_code(e, "invalid", "bad symlink target");
	/* the target is stored, never followed here: we resolve in-root ourselves */
	if (symlinkat(target, pfd, base) < 0)
		return errno == EEXIST ? 1 : err_set(e, errno, "symlink");
	claim_at(ap, pfd, base);
	return set_meta_at(pfd, base, en, true, e);
}

/* A hard link only to a non-directory this same layer made, never across layers. */
static int
create_hardlink(struct applier *ap, int pfd, const char *base, const char *link, struct err *e)
{
	char buf[PATH_MAX];
	const char *comps[APPLY_MAX_DEPTH_CAP], *why;
	int n = whiteout_split(link, buf, sizeof(buf), comps, (int)ap->o.max_depth, &why);
	int tfd;
	enum wh_existing ex;
	struct stat st;

	if (n <= 0)
		return err_code(e, "invalid", "hardlink target '%.200s': %s", link,
				n == 0 ? "the root" : why);
	tfd = tree_dir(&ap->t, comps, n - 1, false, NULL, e);
	if (tfd < 0)
		return err_prefix(e, "hardlink target '%.200s'", link);
	if (tree_existing(&ap->t, tfd, comps[n - 1], &st, &ex, e) < 0)
		return -1;
	if (ex != EX_LAYER_OTHER && ex != EX_LAYER_LINK)
		return err_code(e, "invalid",
				"hardlink target '%.200s' is not a file of this layer", link);
	if (linkat(tfd, comps[n - 1], pfd, base, 0) < 0)
		return errno == EEXIST ? 1 : err_set(e, errno, "link");
	return 0;
}

static int
create_node(struct applier *ap, int pfd, const char *base, struct archive_entry *en, struct err *e)
{
	mode_t type = archive_entry_filetype(en);
	unsigned long ma = archive_entry_rdevmajor(en), mi = archive_entry_rdevminor(en);
	dev_t dev = 0;

	if (type == AE_IFCHR || type == AE_IFBLK) {
		if (ma > DEV_MAJOR_MAX || mi > DEV_MINOR_MAX)
			return err_code(e, "invalid", "device %lu:%lu out of range", ma, mi);
		/* char 0:0 is a whiteout in an upperdir: from a tar it would mean two things */
		if (type == AE_IFCHR && !ma && !mi)
			return err_code(e, "invalid", "char device 0:0 is reserved for whiteouts");
		/* a user namespace may make no device; rootless podman skips them too */
		if (ap->o.no_devices) {
			log_debug("skipping device '%s' (%lu:%lu) in a user namespace", base, ma,
				  mi);
			return 0;
		}
		dev = makedev(ma, mi);
	}
	if (mknodat(pfd, base, type | 0600, dev) < 0)
		return errno == EEXIST ? 1 : err_set(e, errno, "mknod");
	claim_at(ap, pfd, base);
	return set_meta_at(pfd, base, en, false, e);
}

static int
create_any(struct applier *ap, int pfd, const char *base, const char *pcanon,
	   struct archive_entry *en, struct err *e)
{
	const char *link = archive_entry_hardlink(en);

	if (link)
		return create_hardlink(ap, pfd, base, link, e);
	switch (archive_entry_filetype(en)) {
	case AE_IFREG:
		return create_reg(ap, pfd, base, en, e);
	case AE_IFDIR:
		return create_dir(ap, pfd, base, pcanon, en, e);
	case AE_IFLNK:
		return create_link(ap, pfd, base, en, e);
	case AE_IFIFO:
	case AE_IFCHR:
	case AE_IFBLK:
		return create_node(ap, pfd, base, en, e);
	case AE_IFSOCK:
		log_debug("skipping socket '%s'", base);
		return 0;
	}
	return err_code(e, "invalid", "unknown entry type 0%o", archive_entry_filetype(en));
}

/* Image spec: two directories merge attributes; anything else is removed and recreated. */
static int
place_entry(struct applier *ap, int pfd, const char *base, const char *pcanon,
	    struct archive_entry *en, struct err *e)
{
	bool is_dir = !archive_entry_hardlink(en) && archive_entry_filetype(en) == AE_IFDIR;
	enum wh_existing ex;
	enum entry_action act;
	struct stat st;
	int rc = create_any(ap, pfd, base, pcanon, en, e);

	if (rc <= 0)
		return rc;
	if (tree_existing(&ap->t, pfd, base, &st, &ex, e) < 0)
		return -1;
	act = whiteout_entry_action(is_dir, ex);
	if (act == ENT_MERGE)
		return merge_dir(ap, pfd, base, pcanon, en, e);
	if (tree_remove(&ap->t, pfd, base, e) < 0)
		return -1;
	rc = create_any(ap, pfd, base, pcanon, en, e);
	if (rc > 0)
		return err_set(e, EEXIST, "create");
	if (rc == 0 && act == ENT_REPLACE_OPAQUE) {
		_cleanup_close_ int fd = tree_open_dir(pfd, base, e);

		rc = fd < 0 ? -1 : tree_set_opaque(&ap->t, fd, e);
	}
	return rc;
}

/* ".wh.NAME": hide NAME of the lower layers; what this layer made stays. */
static int
apply_whiteout(struct applier *ap, int pfd, const char *target, struct err *e)
{
	_cleanup_close_ int fd = -1;
	enum wh_existing ex;
	struct stat st;

	if (tree_existing(&ap->t, pfd, target, &st, &ex, e) < 0)
		return -1;
	switch (whiteout_action(ap->o.overlay, ex)) {
	case ACT_MKNOD:
		if (mknodat(pfd, target, S_IFCHR, makedev(0, 0)) < 0)
			return err_set(e, errno, "mknod whiteout");
		return 0;
	case ACT_REMOVE:
		return tree_remove(&ap->t, pfd, target, e);
	case ACT_OPAQUE:
	case ACT_PURGE_LOWER:
		fd = tree_open_dir(pfd, target, e);
		if (fd < 0)
			return -1;
		return ap->o.overlay ? tree_set_opaque(&ap->t, fd, e)
				     : tree_purge_lower(&ap->t, fd, 0, e);
	case ACT_NOTHING:
		break;
	}
	return 0;
}

static int
apply_root(struct applier *ap, struct archive_entry *en, struct err *e)
{
	_cleanup_close_ int fd = -1;

	if (archive_entry_hardlink(en) || archive_entry_filetype(en) != AE_IFDIR)
		return err_code(e, "invalid", "the root of a layer can only be a directory");
	fd = tree_open_canon(&ap->t, "", e);
	if (fd < 0)
		return -1;
	applier_defer_times(ap, "", NULL, en);
	return set_meta_fd(fd, en, NULL, false, e);
}

int
apply_entry(struct applier *ap, struct archive_entry *en, const char *name, struct err *e)
{
	char buf[PATH_MAX];
	const char *comps[APPLY_MAX_DEPTH_CAP], *why, *target = NULL, *base;
	bool is_dir = !archive_entry_hardlink(en) && archive_entry_filetype(en) == AE_IFDIR;
	int n = whiteout_split(name, buf, sizeof(buf), comps, (int)ap->o.max_depth, &why);
	_cleanup_close_ int owned = -1;
	_cleanup_free_ char *pcanon = NULL;
	int pfd;
	const char *canon;
	enum wh_kind kind;

	if (n < 0)
		return err_code(e, "invalid", "%s", why);
	/* one id to map: every owner squashes to it (ctr-state(5), User namespaces) */
	if (ap->o.squash_ids) {
		archive_entry_set_uid(en, 0);
		archive_entry_set_gid(en, 0);
	}
	if (!whiteout_placement_ok(comps, n, is_dir))
		return err_code(e, "invalid", "whiteout name used as a directory");
	if (n == 0)
		return apply_root(ap, en, e);
	base = comps[n - 1];
	kind = whiteout_classify(base, &target);
	if (kind == WH_INVALID)
		return err_code(e, "invalid", "invalid whiteout name '%s'", base);
	/* parents resolve inside this layer; missing ones become this layer's directories */
	pfd = tree_dir(&ap->t, comps, n - 1, true, &canon, e);
	if (pfd < 0)
		return -1;
	pcanon = xstrdup(canon);
	/* borrowed until the next tree_dir, which resolving a hard link's target is */
	if (archive_entry_hardlink(en)) {
		pfd = owned = fcntl(pfd, F_DUPFD_CLOEXEC, 3);
		if (pfd < 0)
			return err_set(e, errno, "dup");
	}
	if (kind == WH_OPAQUE)
		return ap->o.overlay ? tree_set_opaque(&ap->t, pfd, e)
				     : tree_purge_lower(&ap->t, pfd, 0, e);
	if (kind == WH_FILE)
		return apply_whiteout(ap, pfd, target, e);
	return place_entry(ap, pfd, base, pcanon, en, e);
}
