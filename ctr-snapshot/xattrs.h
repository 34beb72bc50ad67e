/* SPDX-License-Identifier: Apache-2.0 */
/* A file's extended attributes, read without following it, in name order. */
#ifndef CTR_SNAPSHOT_XATTRS_H
#define CTR_SNAPSHOT_XATTRS_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

struct xattr {
	char *name;
	char *value;
	size_t len;
};

struct xattrs {
	struct xattr *v; /* sorted by name */
	size_t n;
};

/* Every xattr of name under dirfd (a symlink's own); a filesystem without them has none. */
int xattrs_read(int dirfd, const char *name, struct xattrs *x, struct err *e);
void xattrs_release(struct xattrs *x);
/*
 * Is the attribute the host's, not the file's: overlayfs's bookkeeping
 * (trusted.overlay.*, user.overlay.*) or an SELinux label? Layers leave
 * those out and diffs ignore them.
 */
bool xattrs_internal(const char *name);
/* Do a and b hold the same attributes, the internal ones left aside? */
bool xattrs_equal(const struct xattrs *a, const struct xattrs *b);
/* The value of name in x, or NULL; *len gets its length. Borrowed. */
const char *xattrs_get(const struct xattrs *x, const char *name, size_t *len);

#endif
