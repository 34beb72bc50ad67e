/* SPDX-License-Identifier: Apache-2.0 */
/* Name checks and directory creation/removal relative to a dirfd. */
#include "path.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
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

static int
rm_children(int fd, struct err *e)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;

	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return err_set(e, errno, "opendir");
	}
	while ((errno = 0, de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) == 0 || errno == ENOENT)
			continue;
		if (errno != EISDIR && errno != EPERM)
			return err_set(e, errno, "unlink '%s'", de->d_name);
		if (path_rm_rf(dirfd(d), de->d_name, e) < 0)
			return -1;
	}
	return errno ? err_set(e, errno, "readdir") : 0;
}

int
path_rm_rf(int dirfd, const char *name, struct err *e)
{
	struct stat parent, st;
	int fd;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : err_set(e, errno, "stat '%s'", name);
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dirfd, name, 0) < 0 && errno != ENOENT
			   ? err_set(e, errno, "unlink '%s'", name)
			   : 0;
	/* never descend into a mount point: that would delete someone else's tree */
	if (fstat(dirfd, &parent) == 0 && parent.st_dev != st.st_dev)
		return err_code(e, "busy", "'%s' is a mount point", name);
	/*
	 * Another remover may work in the same tree (gc beside ctr-run delete,
	 * and gc creates the lock file of a container directory to judge it):
	 * what it removed first is gone all the same, and a directory it
	 * refilled meanwhile is emptied again.
	 */
	for (int pass = 0;; pass++) {
		fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return errno == ENOENT ? 0 : err_set(e, errno, "open '%s'", name);
		if (rm_children(fd, e) < 0)
			return err_prefix(e, "remove '%s'", name);
		if (unlinkat(dirfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
			return 0;
		if (errno != ENOTEMPTY || pass == 2)
			return err_set(e, errno, "rmdir '%s'", name);
	}
}
