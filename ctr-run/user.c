/* SPDX-License-Identifier: Apache-2.0 */
/* User resolution from the image's passwd and group files, read safely inside the root. */
#include "user.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "fdio.h"
#include "xmem.h"

int
user_parse_id(const char *s, unsigned *out, struct err *e)
{
	unsigned long long v = 0;

	if (!*s)
		return 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		v = v * 10 + (unsigned)(*p - '0');
		/* 2^32-1 is (uid_t)-1, which means "no change" to the kernel */
		if (v > 4294967294ull)
			return err_code(e, "invalid", "id '%.24s' is out of range (max 4294967294)",
					s);
	}
	*out = (unsigned)v;
	return 1;
}

/*
 * Find the line of a passwd/group-shaped file whose field key (0: name, 2:
 * id) equals want; copy its fields (up to 7) into f, backed by *buf.
 */
static bool
find_entry(const char *file, int key, const char *want, char **buf, char *f[7])
{
	for (const char *line = file; file && *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char *s = xstrndup(line, len), *p = s;
		int n = 0;

		line += len + (nl != NULL);
		memset(f, 0, 7 * sizeof(char *));
		while (n < 7 && p)
			f[n++] = strsep(&p, ":");
		if (n >= 4 && f[0][0] && f[0][0] != '#' && !strcmp(f[key], want)) {
			*buf = s;
			return true;
		}
		free(s);
	}
	return false;
}

static int
resolve_uid(const char *passwd, const char *u, struct spec_user *out, char **name, struct err *e)
{
	_cleanup_free_ char *buf = NULL;
	char *f[7];
	unsigned id;
	int r = user_parse_id(u, &id, e);

	if (r < 0)
		return -1;
	if (find_entry(passwd, r ? 2 : 0, u, &buf, f)) {
		unsigned uid, gid;

		if (user_parse_id(f[2], &uid, e) != 1 || user_parse_id(f[3], &gid, e) != 1)
			return err_code(e, "invalid", "bad /etc/passwd entry for '%.32s'", u);
		out->uid = uid;
		out->gid = gid;
		*name = xstrdup(f[0]);
		return 0;
	}
	if (!r)
		return err_code(e, "not-found", "user '%.64s' not found in the image's /etc/passwd",
				u);
	out->uid = id; /* a numeric uid needs no entry; its group is then root's */
	out->gid = 0;
	return 0;
}

static int
resolve_gid(const char *group, const char *g, struct spec_user *out, struct err *e)
{
	_cleanup_free_ char *buf = NULL;
	char *f[7];
	unsigned id;
	int r = user_parse_id(g, &id, e);

	if (r < 0)
		return -1;
	if (r) {
		out->gid = id;
		return 0;
	}
	if (!find_entry(group, 0, g, &buf, f) || user_parse_id(f[2], &id, e) != 1)
		return err_code(e, "not-found", "group '%.64s' not found in the image's /etc/group",
				g);
	out->gid = id;
	return 0;
}

static bool
is_member(char *members, const char *name)
{
	char *save = NULL;

	for (char *m = strtok_r(members, ",", &save); m; m = strtok_r(NULL, ",", &save))
		if (!strcmp(m, name))
			return true;
	return false;
}

/* Every group of the group file listing name as a member. */
static void
add_supplementary(const char *group, const char *name, struct spec_user *out)
{
	size_t cap = 0;

	for (const char *line = group; group && *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		_cleanup_free_ char *s = xstrndup(line, len);
		char *p = s, *f[4] = {0};
		unsigned gid;
		struct err ignored;
		int n = 0;

		line += len + (nl != NULL);
		while (n < 4 && p)
			f[n++] = strsep(&p, ":");
		if (n < 4 || f[0][0] == '#' || user_parse_id(f[2], &gid, &ignored) != 1 ||
		    gid == out->gid || !is_member(f[3], name))
			continue;
		xgrow((void **)&out->groups, &cap, out->ngroups + 1, sizeof(*out->groups));
		out->groups[out->ngroups++] = gid;
	}
}

int
user_resolve_buf(const char *passwd, const char *group, const char *spec, struct spec_user *out,
		 struct err *e)
{
	_cleanup_free_ char *u = xstrdup(spec ? spec : ""), *name = NULL;
	char *g = strchr(u, ':');

	memset(out, 0, sizeof(*out));
	if (g)
		*g++ = '\0';
	if (!*u && g)
		return err_code(e, "invalid", "user '%.64s' has an empty user part", spec);
	if (!*u)
		return 0; /* no user: root */
	if (resolve_uid(passwd, u, out, &name, e) < 0)
		return -1;
	if (g && resolve_gid(group, g, out, e) < 0)
		return -1;
	if (name)
		add_supplementary(group, name, out);
	return 0;
}

/*
 * Read etc/NAME inside the root. RESOLVE_IN_ROOT makes every link, even
 * "../../etc/shadow" or an absolute one, resolve inside rootfd; the final
 * component must not be a link at all, nor a FIFO (O_NONBLOCK: opening one
 * must not hang) or a device. *out is NULL when the file does not exist.
 */
static int
read_in_root(int rootfd, const char *name, char **out, struct err *e)
{
	struct open_how how = {
	    .flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY,
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	_cleanup_close_ int fd = (int)syscall(SYS_openat2, rootfd, name, &how, sizeof(how));
	struct stat st;

	*out = NULL;
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0 && errno == ELOOP)
		return err_code(e, "invalid", "'/%s' in the image is a symbolic link: refused",
				name);
	if (fd < 0)
		return err_set(e, errno, "open '/%s' in the image", name);
	if (fstat(fd, &st) < 0)
		return err_set(e, errno, "stat '/%s' in the image", name);
	if (!S_ISREG(st.st_mode))
		return err_code(e, "invalid", "'/%s' in the image is not a regular file", name);
	if (st.st_size > USER_FILE_MAX)
		return err_code(e, "too-large", "'/%s' in the image is larger than %u bytes", name,
				USER_FILE_MAX);
	if (fdio_read_all(fd, USER_FILE_MAX, out, NULL, e) < 0)
		return err_prefix(e, "'/%s' in the image", name);
	return 0;
}

int
user_resolve(int rootfd, const char *spec, struct spec_user *out, struct err *e)
{
	_cleanup_free_ char *passwd = NULL, *group = NULL;

	memset(out, 0, sizeof(*out));
	if (!spec || !*spec)
		return 0;
	if (read_in_root(rootfd, "etc/passwd", &passwd, e) < 0 ||
	    read_in_root(rootfd, "etc/group", &group, e) < 0)
		return err_prefix(e, "user '%.64s'", spec);
	return user_resolve_buf(passwd, group, spec, out, e);
}
