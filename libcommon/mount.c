/* SPDX-License-Identifier: Apache-2.0 */
/* Applying a Mount list with mount(2): options split into flags and data as mount(8) does. */
#include "mount.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "xmem.h"

struct mount_opt {
	const char *name;
	unsigned long set, clear;
};

static const struct mount_opt flag_opts[] = {
    {"defaults", 0, 0},
    {"ro", MS_RDONLY, 0},
    {"rw", 0, MS_RDONLY},
    {"nosuid", MS_NOSUID, 0},
    {"suid", 0, MS_NOSUID},
    {"nodev", MS_NODEV, 0},
    {"dev", 0, MS_NODEV},
    {"noexec", MS_NOEXEC, 0},
    {"exec", 0, MS_NOEXEC},
    {"sync", MS_SYNCHRONOUS, 0},
    {"async", 0, MS_SYNCHRONOUS},
    {"dirsync", MS_DIRSYNC, 0},
    {"noatime", MS_NOATIME, 0},
    {"atime", 0, MS_NOATIME},
    {"nodiratime", MS_NODIRATIME, 0},
    {"diratime", 0, MS_NODIRATIME},
    {"relatime", MS_RELATIME, 0},
    {"norelatime", 0, MS_RELATIME},
    {"strictatime", MS_STRICTATIME, 0},
    {"bind", MS_BIND, 0},
    {"rbind", MS_BIND | MS_REC, 0},
    {NULL, 0, 0},
};

/* Propagation changes are a separate mount(2) call after the mount itself. */
static const struct mount_opt prop_opts[] = {
    {"private", MS_PRIVATE, 0},
    {"rprivate", MS_PRIVATE | MS_REC, 0},
    {"shared", MS_SHARED, 0},
    {"rshared", MS_SHARED | MS_REC, 0},
    {"slave", MS_SLAVE, 0},
    {"rslave", MS_SLAVE | MS_REC, 0},
    {"unbindable", MS_UNBINDABLE, 0},
    {"runbindable", MS_UNBINDABLE | MS_REC, 0},
    {NULL, 0, 0},
};

struct mount_spec {
	const char *type, *source;
	unsigned long flags, prop;
	char *data; /* the options that are not flags, comma-joined */
};

static const struct mount_opt *
find_opt(const struct mount_opt *t, const char *name)
{
	for (; t->name; t++)
		if (!strcmp(t->name, name))
			return t;
	return NULL;
}

static int
add_data(char **data, const char *o, struct err *e)
{
	char *n;

	/* a comma would split one option into two in the kernel's parser */
	if (!*o || strchr(o, ','))
		return err_code(e, "invalid", "mount option '%s' is empty or has a comma", o);
	n = *data ? xasprintf("%s,%s", *data, o) : xstrdup(o);
	free(*data);
	*data = n;
	return 0;
}

static int
spec_parse(const json_t *m, struct mount_spec *sp, struct err *e)
{
	json_t *opts = NULL, *o;
	size_t i;

	memset(sp, 0, sizeof(*sp));
	if (json_unpack((json_t *)m, "{s:s, s:s, s?:o}", "type", &sp->type, "source", &sp->source,
			"options", &opts) < 0 ||
	    !*sp->type || (opts && !json_is_array(opts)))
		return err_code(
		    e, "invalid",
		    "a mount needs a string \"type\" and \"source\" and an array \"options\"");
	json_array_foreach(opts, i, o) {
		const char *s = json_string_value(o);
		const struct mount_opt *f;

		if (!s)
			return err_code(e, "invalid", "mount options must be strings");
		if ((f = find_opt(flag_opts, s)))
			sp->flags = (sp->flags | f->set) & ~f->clear;
		else if ((f = find_opt(prop_opts, s)))
			sp->prop = f->set;
		else if (add_data(&sp->data, s, e) < 0)
			return -1;
	}
	if (!strcmp(sp->type, "bind"))
		sp->flags |= MS_BIND;
	return 0;
}

int
mount_check(const json_t *mounts, struct err *e)
{
	const json_t *m;
	size_t i;

	if (!json_is_array(mounts) || json_array_size(mounts) == 0)
		return err_code(e, "invalid", "a Mount list is a non-empty JSON array");
	json_array_foreach(mounts, i, m) {
		struct mount_spec sp;
		int r = spec_parse(m, &sp, e);

		free(sp.data);
		if (r < 0)
			return err_prefix(e, "mount %zu", i);
	}
	return 0;
}

/* Is opt one whose value is a path list ("lowerdir=a:b", "upperdir=", "workdir=")? */
static size_t
path_opt(const char *opt)
{
	static const char *const keys[] = {"lowerdir=", "upperdir=", "workdir=", NULL};

	for (const char *const *k = keys; *k; k++)
		if (!strncmp(opt, *k, strlen(*k)))
			return strlen(*k);
	return 0;
}

/* The longest directory prefix ("/a/b/", into *dir) of every path in data; 0 when none. */
static size_t
common_dir(char *data, char **dir)
{
	const char *first = NULL;
	size_t len = 0;
	char *sv, *opt;

	for (opt = strtok_r(data, ",", &sv); opt; opt = strtok_r(NULL, ",", &sv)) {
		size_t k = path_opt(opt);
		char *sv2, *p;

		if (!k)
			continue;
		for (p = strtok_r(opt + k, ":", &sv2); p; p = strtok_r(NULL, ":", &sv2)) {
			size_t i = 0;

			/* escaped colons would need unescaping: keep it simple and say no */
			if (*p != '/' || strchr(p, '\\'))
				return 0;
			if (!first) {
				first = p;
				len = strlen(p);
			}
			while (i < len && p[i] == first[i])
				i++;
			len = i;
		}
	}
	while (len && first[len - 1] != '/')
		len--;
	if (len <= 1)
		return 0;
	*dir = xstrndup(first, len);
	return len;
}

/* data with the first cut bytes of every path dropped (they are the common directory). */
static char *
strip_paths(const char *data, size_t cut)
{
	_cleanup_free_ char *copy = xstrdup(data);
	char *out = xcalloc(1, strlen(data) + 1), *sv, *opt;

	for (opt = strtok_r(copy, ",", &sv); opt; opt = strtok_r(NULL, ",", &sv)) {
		size_t k = path_opt(opt);
		char *sv2, *p;
		bool first = true;

		size_t n = strlen(out);

		if (n)
			out[n++] = ',';
		memcpy(out + n, opt, k ? k : strlen(opt));
		for (p = k ? strtok_r(opt + k, ":", &sv2) : NULL; p;
		     p = strtok_r(NULL, ":", &sv2)) {
			strcat(out, first ? "" : ":");
			strcat(out, strlen(p) > cut ? p + cut : ".");
			first = false;
		}
	}
	return out;
}

/*
 * mount(2) copies at most one page of data, and 100+ lowerdirs under a long
 * root do not fit. As containerd does, mount from inside the layers' common
 * directory with relative paths; in a forked child, so our own working
 * directory never changes under the caller (the mount namespace is shared).
 */
static int
mount_relative(const struct mount_spec *sp, const char *target, struct err *e)
{
	_cleanup_free_ char *copy = xstrdup(sp->data), *dir = NULL, *rel = NULL;
	size_t cut = common_dir(copy, &dir);
	int status;
	pid_t pid;

	if (cut)
		rel = strip_paths(sp->data, cut);
	if (!cut || strlen(rel) >= (size_t)sysconf(_SC_PAGESIZE))
		return err_code(e, "invalid", "%s mount options (%zu bytes) do not fit in a page",
				sp->type, strlen(sp->data));
	pid = fork();
	if (pid < 0)
		return err_set(e, errno, "fork");
	if (pid == 0) {
		if (chdir(dir) < 0)
			_exit(errno);
		_exit(mount(sp->source, target, sp->type, sp->flags, rel) < 0 ? errno : 0);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return err_set(e, errno, "wait for mount helper");
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return err_set(e, WIFEXITED(status) ? WEXITSTATUS(status) : EINTR,
			       "mount %s on '%s' (relative to '%s')", sp->type, target, dir);
	return 0;
}

static int
mount_bind(const struct mount_spec *sp, const char *target, struct err *e)
{
	unsigned long rest = sp->flags & ~(MS_BIND | MS_REC);

	if (mount(sp->source, target, NULL, MS_BIND | (sp->flags & MS_REC), NULL) < 0)
		return err_set(e, errno, "bind mount '%s' on '%s'", sp->source, target);
	/* a bind mount ignores ro, nosuid...: they take a second, remounting call */
	if (rest && mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | rest, NULL) < 0) {
		err_set(e, errno, "remount '%s' with its options", target);
		umount2(target, MNT_DETACH);
		return -1;
	}
	return 0;
}

static int
mount_one(const json_t *m, const char *target, struct err *e)
{
	struct mount_spec sp;
	_cleanup_free_ char *data = NULL;
	int r;

	r = spec_parse(m, &sp, e);
	data = sp.data;
	if (r < 0)
		return -1;
	if (sp.flags & MS_BIND)
		r = mount_bind(&sp, target, e);
	else if (data && strlen(data) >= (size_t)sysconf(_SC_PAGESIZE))
		r = mount_relative(&sp, target, e);
	else if ((r = mount(sp.source, target, sp.type, sp.flags, data)) < 0)
		err_set(e, errno, "mount %s '%s' on '%s'", sp.type, sp.source, target);
	if (r == 0 && sp.prop && mount(NULL, target, NULL, sp.prop, NULL) < 0) {
		err_set(e, errno, "set propagation of '%s'", target);
		umount2(target, MNT_DETACH);
		return -1;
	}
	return r;
}

int
mount_apply(const json_t *mounts, const char *target, struct err *e)
{
	_cleanup_free_ char *abs = NULL;
	const json_t *m;
	size_t i;

	if (mount_check(mounts, e) < 0)
		return -1;
	/* absolute, so that a helper mounting from another directory finds it */
	if (!(abs = realpath(target, NULL)))
		return err_set(e, errno, "mount target '%s'", target);
	json_array_foreach(mounts, i, m) {
		if (mount_one(m, abs, e) == 0)
			continue;
		err_prefix(e, "mount %zu", i);
		/* undo the ones stacked so far: nothing stays mounted on failure */
		while (i--)
			umount2(abs, MNT_DETACH);
		return -1;
	}
	return 0;
}

int
mount_unmount(const char *target, struct err *e)
{
	int n = 0;

	/*
	 * A plain umount, not MNT_DETACH: a mount still in use is reported
	 * (EBUSY) rather than hidden and kept alive. Repeat for every mount a
	 * list stacked on target, as containerd's UnmountAll does.
	 */
	for (;; n++) {
		if (umount2(target, UMOUNT_NOFOLLOW) == 0)
			continue;
		if (errno == EINTR)
			continue;
		if (errno == EINVAL && n > 0)
			return 0;
		if (errno == EINVAL)
			return err_code(e, "invalid", "'%s' is not a mount point", target);
		if (errno == EBUSY)
			return err_code(e, "busy",
					"'%s' is busy: a process uses it or something is mounted "
					"below it",
					target);
		return err_set(e, errno, "unmount '%s'", target);
	}
}
