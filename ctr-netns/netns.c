/* SPDX-License-Identifier: Apache-2.0 */
/* Create, pin, open, list, enter and remove network namespaces. */
#include "netns.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "cleanup.h"
#include "path.h"
#include "xmem.h"

char *
netns_path(const char *spec, struct err *e)
{
	if (spec[0] == '/')
		return xstrdup(spec);
	return netns_dir_path(spec, e);
}

int
netns_open(const char *spec, struct err *e)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_close_ int fd = -1;

	if (!(path = netns_path(spec, e)))
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return err_code(e, "not-found", "no such network namespace '%s'", spec);
	if (fd < 0)
		return err_set(e, errno, "open network namespace '%s'", path);
	/* an unmounted pin file is an empty regular file: refuse it rather than setns(EINVAL) */
	if (ioctl(fd, NS_GET_NSTYPE) != CLONE_NEWNET)
		return err_code(e, "invalid", "'%s' is not a network namespace", path);
	return steal_fd(fd);
}

/*
 * Make the pin directory a shared mount point, as iproute2 does, so that a
 * pin made later propagates into mount namespaces cloned from this one (a
 * container started before `create` still sees the new namespace). The
 * directory is bind-mounted onto itself first when it is not a mount point.
 */
static int
make_dir_shared(const char *dir, struct err *e)
{
	if (path_mkdir_p(AT_FDCWD, dir, 0755, e) < 0)
		return -1;
	if (mount("", dir, "none", MS_SHARED | MS_REC, NULL) == 0)
		return 0;
	if (errno != EINVAL)
		return err_set(e, errno, "make '%s' shared", dir);
	if (mount(dir, dir, "none", MS_BIND | MS_REC, NULL) < 0)
		return err_set(e, errno, "bind-mount '%s' onto itself", dir);
	if (mount("", dir, "none", MS_SHARED | MS_REC, NULL) < 0)
		return err_set(e, errno, "make '%s' shared", dir);
	return 0;
}

/*
 * unshare() moves only this thread; the new namespace is pinned by
 * bind-mounting our own ns file, then we go back where we were.
 */
static int
pin_new_netns(const char *path, struct err *e)
{
	int saved = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);

	if (saved < 0)
		return err_set(e, errno, "open /proc/thread-self/ns/net");
	if (unshare(CLONE_NEWNET) < 0) {
		err_set(e, errno, "unshare(CLONE_NEWNET)");
		close(saved);
		return -1;
	}
	if (mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL) < 0) {
		err_set(e, errno, "bind-mount the namespace on '%s'", path);
		netns_leave(&saved, NULL);
		return -1;
	}
	return netns_leave(&saved, e);
}

int
netns_create(const char *name, struct err *e)
{
	_cleanup_free_ char *path = netns_dir_path(name, e);
	int fd;

	if (!path || make_dir_shared(netns_dir(e), e) < 0)
		return -1;
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0 && errno == EEXIST)
		return err_code(e, "exists", "network namespace '%s' exists", name);
	if (fd < 0)
		return err_set(e, errno, "create '%s'", path);
	close(fd);
	if (pin_new_netns(path, e) < 0) {
		unlink(path);
		return -1;
	}
	return 0;
}

int
netns_remove(const char *name, struct err *e)
{
	_cleanup_free_ char *path = netns_dir_path(name, e);

	if (!path)
		return -1;
	if (access(path, F_OK) < 0)
		return err_code(e, "not-found", "no such network namespace '%s'", name);
	/* lazy: a process inside, or an open fd, keeps the namespace, never the pin */
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL)
		return err_set(e, errno, "unmount '%s'", path);
	if (unlink(path) < 0)
		return err_set(e, errno, "unlink '%s'", path);
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
netns_list(char ***names, struct err *e)
{
	const char *dir = netns_dir(e);
	_cleanup_closedir_ DIR *d = NULL;
	char **v = xcalloc(1, sizeof(*v));
	size_t n = 0, cap = 1;
	struct dirent *de;

	*names = v;
	if (!dir)
		return -1;
	if (!(d = opendir(dir)))
		return errno == ENOENT ? 0 : err_set(e, errno, "open '%s'", dir);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		xgrow((void **)names, &cap, n + 2, sizeof(char *));
		(*names)[n++] = xstrdup(de->d_name);
		(*names)[n] = NULL;
	}
	if (n) /* *names may be NULL: no entry */
		qsort(*names, n, sizeof(char *), cmp_str);
	return 0;
}

int
netns_enter(int nsfd, int *saved, struct err *e)
{
	*saved = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (*saved < 0)
		return err_set(e, errno, "open /proc/thread-self/ns/net");
	if (setns(nsfd, CLONE_NEWNET) < 0) {
		err_set(e, errno, "enter network namespace");
		close(*saved);
		*saved = -1;
		return -1;
	}
	return 0;
}

int
netns_leave(int *saved, struct err *e)
{
	int rc = setns(*saved, CLONE_NEWNET);
	int sys = errno;

	close(*saved);
	*saved = -1;
	if (rc < 0 && e)
		return err_set(e, sys, "return to the original network namespace");
	return rc;
}

/* net.* only: every other sysctl is global, and writing it would change the host. */
static char *
sysctl_path(const char *key, struct err *e)
{
	char *p;

	if (strncmp(key, "net.", 4) != 0 && strncmp(key, "net/", 4) != 0) {
		err_code(e, "invalid", "sysctl '%.64s': only net.* keys are per namespace", key);
		return NULL;
	}
	if (strstr(key, "..") || strstr(key, "//") ||
	    strspn(key, "abcdefghijklmnopqrstuvwxyz"
			"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./") != strlen(key)) {
		err_code(e, "invalid", "invalid sysctl key '%.64s'", key);
		return NULL;
	}
	p = xasprintf("/proc/sys/%s", key);
	/* "a.b.c" is the sysctl(8) spelling; keys naming a dotted interface use '/' */
	if (!strchr(key, '/'))
		for (char *c = p + strlen("/proc/sys/"); *c; c++)
			if (*c == '.')
				*c = '/';
	return p;
}

/* /proc/sys/net shows the namespace of the thread that opens the file. */
int
netns_sysctl(int nsfd, const char *key, const char *value, struct err *e)
{
	_cleanup_free_ char *path = sysctl_path(key, e);
	_cleanup_free_ char *line = xasprintf("%s\n", value);
	int saved = -1, fd, sys;

	if (!path)
		return -1;
	if (strchr(value, '\n'))
		return err_code(e, "invalid", "sysctl '%s': value has a newline", key);
	if (nsfd >= 0 && netns_enter(nsfd, &saved, e) < 0)
		return -1;
	fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	sys = errno;
	if (saved >= 0 && netns_leave(&saved, e) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (fd < 0)
		return sys == ENOENT ? err_code(e, "not-found", "no sysctl '%s'", key)
				     : err_set(e, sys, "open '%s'", path);
	if (write(fd, line, strlen(line)) < 0) {
		err_set(e, errno, "sysctl %s=%s", key, value);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/*
 * Like `ip netns exec`: sysfs shows the devices of the namespace that
 * mounted it, so the command gets its own mount namespace (slave, so that
 * nothing leaks back) with a fresh /sys, read-only if the old one was.
 */
int
netns_join(int nsfd, struct err *e)
{
	struct statvfs sv;
	unsigned long flags = 0;

	if (setns(nsfd, CLONE_NEWNET) < 0)
		return err_set(e, errno, "enter network namespace");
	if (unshare(CLONE_NEWNS) < 0)
		return err_set(e, errno, "unshare(CLONE_NEWNS)");
	if (mount("", "/", "none", MS_SLAVE | MS_REC, NULL) < 0)
		return err_set(e, errno, "make / a slave mount");
	if (statvfs("/sys", &sv) == 0 && (sv.f_flag & ST_RDONLY))
		flags = MS_RDONLY;
	if (umount2("/sys", MNT_DETACH) < 0 && errno != EINVAL)
		return err_set(e, errno, "unmount /sys");
	if (mount("sysfs", "/sys", "sysfs", flags, NULL) < 0)
		return err_set(e, errno, "mount sysfs on /sys");
	return 0;
}
