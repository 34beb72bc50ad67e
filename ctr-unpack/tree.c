/* SPDX-License-Identifier: Apache-2.0 */
/* The tree a layer is applied to: in-root path resolution, implied directories, removal. */
#include "tree.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cleanup.h"
#include "path.h"
#include "xmem.h"

#define MAX_LINKS 40 /* as the kernel's own limit on symlinks in one lookup */

void
tree_init(struct tree *t, int rootfd, bool overlay, unsigned max_depth)
{
	memset(t, 0, sizeof(*t));
	t->rootfd = rootfd;
	t->overlay = overlay;
	t->opaque_xattr = OVERLAY_OPAQUE_XATTR;
	t->max_depth = max_depth;
	t->cache_fd = t->retired_fd = -1;
}

static void
retire_close(struct tree *t)
{
	if (t->retired_fd >= 0)
		close(t->retired_fd);
	t->retired_fd = -1;
}

void
tree_invalidate(struct tree *t)
{
	free(t->cache_key);
	free(t->cache_canon);
	t->cache_key = t->cache_canon = NULL;
	/* the fd may be borrowed by the caller of tree_dir: closed at the next tree_dir */
	if (t->cache_fd >= 0) {
		retire_close(t);
		t->retired_fd = steal_fd(t->cache_fd);
	}
}

void
tree_release(struct tree *t)
{
	tree_invalidate(t);
	retire_close(t);
	free(t->mine);
	t->mine = NULL;
}

static size_t
slot(const uint64_t *v, size_t cap, uint64_t k)
{
	size_t i = (size_t)((k * 0x9e3779b97f4a7c15ull) >> 20) & (cap - 1);

	while (v[i] && v[i] != k)
		i = (i + 1) & (cap - 1);
	return i;
}

void
tree_claim(struct tree *t, ino_t ino)
{
	uint64_t k = (uint64_t)ino + 1;

	if ((t->mine_n + 1) * 2 > t->mine_cap) {
		size_t cap = t->mine_cap ? t->mine_cap * 2 : 1024;
		uint64_t *v = xcalloc(cap, sizeof(*v));

		for (size_t i = 0; i < t->mine_cap; i++)
			if (t->mine[i])
				v[slot(v, cap, t->mine[i])] = t->mine[i];
		free(t->mine);
		t->mine = v;
		t->mine_cap = cap;
	}
	size_t i = slot(t->mine, t->mine_cap, k);
	if (!t->mine[i]) {
		t->mine[i] = k;
		t->mine_n++;
	}
}

bool
tree_is_mine(const struct tree *t, ino_t ino)
{
	return t->mine_cap && t->mine[slot(t->mine, t->mine_cap, (uint64_t)ino + 1)];
}

int
tree_existing(struct tree *t, int dirfd, const char *name, struct stat *st, enum wh_existing *ex,
	      struct err *e)
{
	bool mine;

	if (fstatat(dirfd, name, st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno != ENOENT)
			return err_set(e, errno, "stat '%s'", name);
		*ex = EX_NONE;
		return 0;
	}
	/* an upperdir holds only this layer's entries, and its whiteouts */
	mine = t->overlay || tree_is_mine(t, st->st_ino);
	if (t->overlay && S_ISCHR(st->st_mode) && st->st_rdev == 0)
		*ex = EX_WHITEOUT;
	else if (S_ISDIR(st->st_mode))
		*ex = mine ? EX_LAYER_DIR : EX_LOWER_DIR;
	else if (S_ISLNK(st->st_mode) && mine)
		*ex = EX_LAYER_LINK;
	else
		*ex = mine ? EX_LAYER_OTHER : EX_LOWER_OTHER;
	return 0;
}

static int
openat2_dir(int dirfd, const char *name, unsigned long long resolve)
{
	struct open_how how = {
	    .flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC,
	    .resolve = resolve | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};

	return (int)syscall(SYS_openat2, dirfd, name, &how, sizeof(how));
}

int
tree_open_dir(int dirfd, const char *name, struct err *e)
{
	/* one component, and the kernel refuses a symlink or a mount on the way */
	int fd = openat2_dir(dirfd, name, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);

	return fd < 0 ? err_set(e, errno, "open directory '%s'", name) : fd;
}

int
tree_open_canon(struct tree *t, const char *canon, struct err *e)
{
	int fd =
	    openat2_dir(t->rootfd, *canon ? canon : ".", RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS);

	return fd < 0 ? err_set(e, errno, "open directory '%s'", canon) : fd;
}

int
tree_set_opaque(const struct tree *t, int dirfd, struct err *e)
{
	if (fsetxattr(dirfd, t->opaque_xattr, "y", 1, 0) < 0)
		return err_set(e, errno, "set %s", t->opaque_xattr);
	return 0;
}

int
tree_remove(struct tree *t, int dirfd, const char *name, struct err *e)
{
	tree_invalidate(t);
	return path_rm_rf(dirfd, name, e);
}

/* A new implied directory: 0755, owned by root, as Docker and containerd make them. */
static int
mkdir_implied(struct tree *t, int dirfd, const char *name, bool opaque, struct err *e)
{
	struct stat st;
	int fd;

	if (mkdirat(dirfd, name, 0700) < 0)
		return err_set(e, errno, "mkdir '%s'", name);
	fd = tree_open_dir(dirfd, name, e);
	if (fd < 0)
		return -1;
	if (fchown(fd, 0, 0) < 0 || fchmod(fd, 0755) < 0 || fstat(fd, &st) < 0) {
		close(fd);
		return err_set(e, errno, "set up directory '%s'", name);
	}
	if (opaque && tree_set_opaque(t, fd, e) < 0) {
		close(fd);
		return -1;
	}
	tree_claim(t, st.st_ino);
	return fd;
}

/* A resolution in progress: where we are, and what is left to walk. */
struct walk {
	int fd;
	char canon[PATH_MAX];
	unsigned depth, links;
	char *pend; /* '/'-separated components still to resolve */
};

static void
walk_move(struct walk *w, int fd)
{
	close(w->fd);
	w->fd = fd;
}

static int
walk_up(struct tree *t, struct walk *w, struct err *e)
{
	char *slash = strrchr(w->canon, '/');
	int fd;

	if (slash)
		*slash = '\0';
	else
		w->canon[0] = '\0'; /* ".." at the root stays at the root */
	w->depth -= w->depth > 0;
	fd = tree_open_canon(t, w->canon, e);
	if (fd < 0)
		return -1;
	walk_move(w, fd);
	return 0;
}

static int
walk_follow(struct tree *t, struct walk *w, const char *comp, struct err *e)
{
	char target[PATH_MAX];
	ssize_t n = readlinkat(w->fd, comp, target, sizeof(target) - 1);
	char *pend;
	int fd;

	if (n < 0)
		return err_set(e, errno, "readlink '%s'", comp);
	target[n] = '\0';
	if (++w->links > MAX_LINKS)
		return err_code(e, "invalid", "too many levels of symbolic links at '%s'", comp);
	if (target[0] == '/') {
		/* an absolute target means the root of the image, never the host's */
		fd = tree_open_canon(t, "", e);
		if (fd < 0)
			return -1;
		walk_move(w, fd);
		w->canon[0] = '\0';
		w->depth = 0;
	}
	pend = xasprintf("%s/%s", target, w->pend);
	free(w->pend);
	w->pend = pend;
	return 0;
}

static int
walk_enter(struct tree *t, struct walk *w, const char *comp, bool create, struct err *e)
{
	enum wh_existing ex;
	struct stat st;
	int fd = -1;

	if (tree_existing(t, w->fd, comp, &st, &ex, e) < 0)
		return -1;
	switch (whiteout_parent_action(ex)) {
	case PAR_FOLLOW:
		return walk_follow(t, w, comp, e);
	case PAR_ENTER:
	case PAR_ENTER_CLAIM:
		/* a lower directory stays as it is: in the overlay view the upper one merges */
		fd = tree_open_dir(w->fd, comp, e);
		break;
	case PAR_MKDIR:
		if (!create)
			return err_code(e, "invalid", "'%s' not found in this layer", comp);
		fd = mkdir_implied(t, w->fd, comp, false, e);
		break;
	case PAR_REPLACE:
	case PAR_REPLACE_OPAQUE:
		if (!create)
			return err_code(e, "invalid", "'%s' not found in this layer", comp);
		if (tree_remove(t, w->fd, comp, e) < 0)
			return -1;
		fd = mkdir_implied(t, w->fd, comp, ex == EX_WHITEOUT, e);
		break;
	case PAR_FAIL:
		return err_code(e, "invalid", "'%s' is not a directory", comp);
	}
	if (fd < 0)
		return -1;
	walk_move(w, fd);
	size_t len = strlen(w->canon);
	if (++w->depth > t->max_depth || len + 1 + strlen(comp) >= sizeof(w->canon))
		return err_code(e, "limit", "path too deep at '%s'", comp);
	snprintf(w->canon + len, sizeof(w->canon) - len, "%s%s", len ? "/" : "", comp);
	return 0;
}

/* Pop the first component of w->pend into comp; false when nothing is left. */
static bool
walk_pop(struct walk *w, char comp[NAME_MAX + 1], struct err *e, int *rc)
{
	char *p = w->pend + strspn(w->pend, "/");
	size_t len = strcspn(p, "/");

	*rc = 0;
	if (!len)
		return false;
	if (len > NAME_MAX) {
		*rc = err_code(e, "invalid", "path component longer than NAME_MAX");
		return false;
	}
	memcpy(comp, p, len);
	comp[len] = '\0';
	p += len;
	memmove(w->pend, p, strlen(p) + 1);
	return true;
}

static int
walk_run(struct tree *t, struct walk *w, bool create, struct err *e)
{
	char comp[NAME_MAX + 1];
	int rc;

	while (walk_pop(w, comp, e, &rc)) {
		if (!strcmp(comp, "."))
			continue;
		rc = !strcmp(comp, "..") ? walk_up(t, w, e) : walk_enter(t, w, comp, create, e);
		if (rc < 0)
			return -1;
	}
	return rc;
}

static char *
join(const char *const *comps, int n)
{
	size_t len = 1;
	char *s, *p;

	for (int i = 0; i < n; i++)
		len += strlen(comps[i]) + 1;
	p = s = xmalloc(len);
	*p = '\0';
	for (int i = 0; i < n; i++)
		p += sprintf(p, "%s%s", i ? "/" : "", comps[i]);
	return s;
}

int
tree_dir(struct tree *t, const char *const *comps, int n, bool create, const char **canon,
	 struct err *e)
{
	_cleanup_free_ char *key = join(comps, n);
	struct walk w = {.fd = -1};
	size_t klen = t->cache_key ? strlen(t->cache_key) : 0;

	retire_close(t);
	/* tar lists a directory's entries together: most lookups hit or extend the last one */
	if (t->cache_key && !strncmp(key, t->cache_key, klen) && (!key[klen] || key[klen] == '/')) {
		if (canon)
			*canon = t->cache_canon;
		if (!key[klen])
			return t->cache_fd;
		w.fd = steal_fd(t->cache_fd);
		snprintf(w.canon, sizeof(w.canon), "%s", t->cache_canon);
		w.pend = xstrdup(key + klen);
	} else {
		w.fd = tree_open_canon(t, "", e);
		if (w.fd < 0)
			return -1;
		w.pend = xstrdup(key);
	}
	for (const char *p = w.canon; *p; p++)
		w.depth += *p == '/';
	w.depth += w.canon[0] != '\0';
	if (walk_run(t, &w, create, e) < 0) {
		free(w.pend);
		close(w.fd);
		tree_invalidate(t);
		return -1;
	}
	free(w.pend);
	tree_invalidate(t);
	retire_close(t);
	t->cache_key = steal_ptr(key);
	t->cache_canon = xstrdup(w.canon);
	t->cache_fd = w.fd;
	if (canon)
		*canon = t->cache_canon;
	return w.fd;
}

int
tree_purge_lower(struct tree *t, int dirfd, unsigned depth, struct err *e)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	struct stat st;
	int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);

	tree_invalidate(t);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return err_set(e, errno, "open directory");
	}
	if (depth > t->max_depth)
		return err_code(e, "limit", "directory tree too deep");
	while ((errno = 0, de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return err_set(e, errno, "stat '%s'", de->d_name);
		if (!tree_is_mine(t, st.st_ino)) {
			if (path_rm_rf(dirfd, de->d_name, e) < 0)
				return -1;
		} else if (S_ISDIR(st.st_mode)) {
			_cleanup_close_ int cfd = tree_open_dir(dirfd, de->d_name, e);

			if (cfd < 0 || tree_purge_lower(t, cfd, depth + 1, e) < 0)
				return -1;
		}
	}
	return errno ? err_set(e, errno, "readdir") : 0;
}
