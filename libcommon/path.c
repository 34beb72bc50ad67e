/* SPDX-License-Identifier: Apache-2.0 */
/* Name checks and directory creation/removal relative to a dirfd. */
#include "path.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "du.h"
#include "xmem.h"

int
path_check_name(const char *s, size_t max, struct err *e)
{
	size_t n = strlen(s);

	if (n == 0)
		return err_code(e, "invalid", "empty name");
	if (n > max)
		return err_code(e, "invalid", "name '%.32s...' is longer than %zu bytes", s, max);
	if (!strcmp(s, ".") || !strcmp(s, ".."))
		return err_code(e, "invalid", "invalid name '%s'", s);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p == '/' || *p < 0x20 || *p == 0x7f)
			return err_code(e, "invalid", "invalid character in name '%s'", s);
	return 0;
}

int
path_check_id(const char *s, size_t max, struct err *e)
{
	size_t n = strlen(s);

	if (n == 0 || n > max)
		return err_code(e, "invalid", "invalid id '%.80s': must be 1 to %zu characters", s,
				max);
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		int alnum =
		    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');

		if (!alnum && (i == 0 || (c != '_' && c != '.' && c != '-')))
			return err_code(e, "invalid",
					"invalid id '%.80s': use letters, digits, '_', '.', '-', "
					"starting with a letter or digit",
					s);
	}
	return 0;
}

DIR *
path_opendir(int dirfd, const char *rel, const char *what, struct err *e)
{
	int fd = openat(dirfd, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);

	if (!d) {
		err_set(e, errno, "open '%s'", what);
		if (fd >= 0)
			close(fd);
	}
	return d;
}

int
path_mkdir_p(int dirfd, const char *rel, mode_t mode, struct err *e)
{
	_cleanup_free_ char *p = xstrdup(rel);

	for (char *s = p + (*p == '/');; s++) {
		char saved = *s;

		if (saved != '/' && saved != '\0')
			continue;
		*s = '\0';
		if (*p && mkdirat(dirfd, p, mode) < 0 && errno != EEXIST)
			return err_set(e, errno, "mkdir '%s'", p);
		*s = saved;
		if (!saved)
			break;
	}
	return 0;
}

int
path_rm_rf(int dirfd, const char *name, struct err *e)
{
	/* one walker for every removal: du_remove's, counting nothing */
	return du_remove(NULL, dirfd, name, e);
}

#define GONE_PREFIX ".gone-"

bool
path_is_gone(const char *name)
{
	return !strncmp(name, GONE_PREFIX, strlen(GONE_PREFIX)) && name[strlen(GONE_PREFIX)];
}

int
path_rm_rf_hidden(int dirfd, const char *rel, struct err *e)
{
	const char *base = strrchr(rel, '/');
	_cleanup_free_ char *gone = NULL;

	base = base ? base + 1 : rel;
	gone = xasprintf("%.*s" GONE_PREFIX "%s", (int)(base - rel), rel, base);
	/*
	 * Twice at most: an old .gone-BASE of a removal killed half-way is
	 * finished first, and one that another remover (gc) renames in between
	 * is met again once.
	 */
	for (int pass = 0;; pass++) {
		if (path_rm_rf(dirfd, gone, e) < 0)
			return -1;
		if (renameat(dirfd, rel, dirfd, gone) == 0)
			break;
		if (errno == ENOENT)
			return 0;
		if ((errno != ENOTEMPTY && errno != EEXIST) || pass == 1)
			return err_set(e, errno, "rename '%s'", rel);
	}
	return path_rm_rf(dirfd, gone, e);
}
