/* SPDX-License-Identifier: Apache-2.0 */
/* The tree a layer is applied to: in-root path resolution, implied directories, removal. */
#ifndef CTR_UNPACK_TREE_H
#define CTR_UNPACK_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "err.h"
#include "whiteout.h"

#define OVERLAY_OPAQUE_XATTR "trusted.overlay.opaque"
/* The same inside a user namespace, where overlay is mounted with "userxattr". */
#define OVERLAY_OPAQUE_USERXATTR "user.overlay.opaque"

/*
 * rootfd is the snapshot's writable tree: an overlay upperdir (only this
 * layer's entries) or a native snapshot (the lower layers' tree, changed in
 * place). mine remembers the inodes this layer created or claimed, so that
 * native application can tell this layer's symlinks and directories from
 * the lower layers' ones, as an overlay upperdir does by construction.
 */
struct tree {
	int rootfd;
	bool overlay;
	const char *opaque_xattr; /* OVERLAY_OPAQUE_XATTR unless set to the user one */
	unsigned max_depth;
	uint64_t *mine; /* open-addressing set of inode numbers + 1 */
	size_t mine_cap, mine_n;
	char *cache_key, *cache_canon; /* the last directory resolved, raw and resolved */
	int cache_fd;
	int retired_fd; /* a cache fd dropped while a caller may still hold it */
};

void tree_init(struct tree *t, int rootfd, bool overlay, unsigned max_depth);
void tree_release(struct tree *t);

void tree_claim(struct tree *t, ino_t ino);
bool tree_is_mine(const struct tree *t, ino_t ino);
/* Forget the cached directory: anything was removed or replaced. */
void tree_invalidate(struct tree *t);

/* What is at name under dirfd (st filled when not EX_NONE); -1 on a stat error. */
int tree_existing(struct tree *t, int dirfd, const char *name, struct stat *st,
		  enum wh_existing *ex, struct err *e);
/*
 * Resolve the directory comps[0..n) inside the root: following this layer's
 * symlinks (absolute targets and ".." stay in the root), creating missing
 * directories (0755, 0:0) when create, replacing a lower non-directory or a
 * whiteout by one. Returns an O_DIRECTORY fd and *canon (may be NULL) the
 * resolved path, both borrowed until the next tree_dir or tree_release.
 */
int tree_dir(struct tree *t, const char *const *comps, int n, bool create, const char **canon,
	     struct err *e);
/* Open directory name under dirfd (no symlink, no mount crossing). */
int tree_open_dir(int dirfd, const char *name, struct err *e);
/* Open the resolved path canon (no symlinks in it) under the root. */
int tree_open_canon(struct tree *t, const char *canon, struct err *e);
/* rm -rf name under dirfd. */
int tree_remove(struct tree *t, int dirfd, const char *name, struct err *e);
/* Native: remove what the lower layers left inside dirfd, keeping this layer's entries. */
int tree_purge_lower(struct tree *t, int dirfd, unsigned depth, struct err *e);
/* Overlay: mark the directory opaque. */
int tree_set_opaque(const struct tree *t, int dirfd, struct err *e);

#endif
