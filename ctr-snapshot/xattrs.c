/* SPDX-License-Identifier: Apache-2.0 */
/* Extended attributes of a file named under a directory fd, without following it. */
#include "xattrs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

#include "cleanup.h"
#include "xmem.h"

#define XATTR_LIST_MAX_LEN 65536

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct xattr *)a)->name, ((const struct xattr *)b)->name);
}

static int
read_value(const char *p, struct xattr *x, struct err *e)
{
	ssize_t n = lgetxattr(p, x->name, NULL, 0);

	if (n < 0)
		return err_set(e, errno, "getxattr %s", x->name);
	x->value = xmalloc((size_t)n + 1);
	n = lgetxattr(p, x->name, x->value, (size_t)n);
	if (n < 0)
		return err_set(e, errno, "getxattr %s", x->name);
	x->len = (size_t)n;
	return 0;
}

int
xattrs_read(int dirfd, const char *name, struct xattrs *x, struct err *e)
{
	/* the l* calls on /proc/self/fd/DIR/NAME: no path of ours, and a symlink's own */
	_cleanup_free_ char *p = xasprintf("/proc/self/fd/%d/%s", dirfd, name);
	_cleanup_free_ char *list = xmalloc(XATTR_LIST_MAX_LEN);
	ssize_t n = llistxattr(p, list, XATTR_LIST_MAX_LEN);

	x->v = NULL;
	x->n = 0;
	if (n < 0 && (errno == ENOTSUP || errno == EOPNOTSUPP))
		return 0;
	if (n < 0)
		return err_set(e, errno, "listxattr");
	for (char *s = list; s < list + n; s += strlen(s) + 1) {
		x->v = xrealloc(x->v, (x->n + 1) * sizeof(*x->v));
		x->v[x->n] = (struct xattr){xstrdup(s), NULL, 0};
		if (read_value(p, &x->v[x->n++], e) < 0) {
			xattrs_release(x);
			return -1;
		}
	}
	if (x->n)
		qsort(x->v, x->n, sizeof(*x->v), by_name);
	return 0;
}

void
xattrs_release(struct xattrs *x)
{
	for (size_t i = 0; i < x->n; i++) {
		free(x->v[i].name);
		free(x->v[i].value);
	}
	free(x->v);
	x->v = NULL;
	x->n = 0;
}

bool
xattrs_internal(const char *name)
{
	return !strncmp(name, "trusted.overlay.", 16) || !strncmp(name, "user.overlay.", 13) ||
	       !strcmp(name, "security.selinux");
}

/* The next attribute from *i on that is not internal, or NULL. */
static const struct xattr *
next_kept(const struct xattrs *x, size_t *i)
{
	while (*i < x->n && xattrs_internal(x->v[*i].name))
		(*i)++;
	return *i < x->n ? &x->v[(*i)++] : NULL;
}

bool
xattrs_equal(const struct xattrs *a, const struct xattrs *b)
{
	size_t i = 0, j = 0;
	const struct xattr *p, *q;

	for (;;) {
		p = next_kept(a, &i);
		q = next_kept(b, &j);
		if (!p || !q)
			return p == q;
		if (strcmp(p->name, q->name) || p->len != q->len ||
		    memcmp(p->value, q->value, p->len))
			return false;
	}
}

const char *
xattrs_get(const struct xattrs *x, const char *name, size_t *len)
{
	for (size_t i = 0; i < x->n; i++)
		if (!strcmp(x->v[i].name, name)) {
			*len = x->v[i].len;
			return x->v[i].value;
		}
	return NULL;
}
