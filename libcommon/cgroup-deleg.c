/* SPDX-License-Identifier: Apache-2.0 */
/* Finding a cgroup v2 subtree delegated to a user, from mountinfo, /proc/PID/cgroup and the tree. */
#include "cgroup-deleg.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fdio.h"
#include "xmem.h"

static const char *const controllers[] = {"memory", "cpu", "pids"};

char *
cgroup_deleg_v2_mount(const char *mountinfo)
{
	_cleanup_free_ char *copy = xstrdup(mountinfo ? mountinfo : "");
	char *save = NULL;

	/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [TAGS...] - FSTYPE SOURCE SUPEROPTS" */
	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char point[4096];

		if (!strstr(l, " - cgroup2 ") || sscanf(l, "%*s %*s %*s %*s %4095s", point) != 1)
			continue;
		return xstrdup(point);
	}
	return NULL;
}

/* The PATH of the "0::PATH" line (new string), or NULL. */
static char *
v2_path(const char *proc_cgroup)
{
	const char *p = proc_cgroup;

	while (p && *p) {
		if (!strncmp(p, "0::", 3))
			return xstrndup(p + 3, strcspn(p + 3, "\n"));
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return NULL;
}

/* Is word one of the space-separated words of list? */
static bool
has_word(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ' ') && (!p[n] || strchr(" \n", p[n])))
			return true;
	return false;
}

/* Do the folder and the files a delegation hands over belong to uid? */
static int
check_owner(const char *dir, uid_t uid, struct err *e)
{
	static const char *const files[] = {".", "cgroup.procs", "cgroup.subtree_control"};
	struct stat st;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		_cleanup_free_ char *p = xasprintf("%s/%s", dir, files[i]);

		if (stat(p, &st) < 0)
			return err_set(e, errno, "cgroup '%s'", p);
		if (st.st_uid != uid)
			return err_code(e, "invalid",
					"cgroup '%s' is not delegated to you: %s belongs to uid %u "
					"(systemd: Delegate=yes)",
					dir, files[i], (unsigned)st.st_uid);
	}
	return 0;
}

/* On a hybrid host the v2 tree (at .../unified) has the controllers v1 left over. */
static const char *
v1_hint(const char *v2mount)
{
	size_t n = strlen(v2mount);

	return n >= 8 && !strcmp(v2mount + n - 8, "/unified")
		   ? "; this host's controllers are on cgroup v1"
		   : "";
}

int
cgroup_deleg_find(const char *v2mount, const char *proc_cgroup, uid_t uid, unsigned want,
		  char **rel, struct err *e)
{
	_cleanup_free_ char *path = NULL, *dir = NULL, *f = NULL, *list = NULL;
	size_t len;

	if (!v2mount)
		return err_code(e, "invalid", "no cgroup v2 hierarchy is mounted (cgroup v1 only)");
	if (!(path = v2_path(proc_cgroup)) || path[0] != '/')
		return err_code(e, "invalid", "no cgroup v2 group of ours in /proc/self/cgroup");
	dir = xasprintf("%s%s", v2mount, strcmp(path, "/") ? path : "");
	f = xasprintf("%s/cgroup.controllers", dir);
	if (fdio_read_file_at(AT_FDCWD, f, 4096, &list, &len, e) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(controllers) / sizeof(controllers[0]); i++)
		if ((want & (1u << i)) && !has_word(list, controllers[i]))
			return err_code(e, "invalid",
					"cgroup '%s' has no %s controller (its cgroup.controllers: "
					"'%.*s')%s",
					dir, controllers[i], (int)strcspn(list, "\n"), list,
					v1_hint(v2mount));
	if (check_owner(dir, uid, e) < 0)
		return -1;
	*rel = steal_ptr(path);
	return 0;
}

int
cgroup_deleg_self(unsigned want, char **rel, struct err *e)
{
	_cleanup_free_ char *mi = NULL, *cg = NULL, *mnt = NULL;
	size_t len;

	if (fdio_read_file_at(AT_FDCWD, "/proc/self/mountinfo", 1 << 20, &mi, &len, e) < 0 ||
	    fdio_read_file_at(AT_FDCWD, "/proc/self/cgroup", 1 << 16, &cg, &len, e) < 0)
		return -1;
	mnt = cgroup_deleg_v2_mount(mi);
	return cgroup_deleg_find(mnt, cg, geteuid(), want, rel, e);
}
