/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the layer applier (apply_layer) with an escape oracle. Each
 * input is a layer blob (tar, gzip or zstd), applied as a native snapshot and
 * as an overlay upperdir, each time into a fresh tmpfs:
 *
 *   /mnt/w/root/       where the layer goes
 *   /mnt/w/sentinel/   a sibling that must not change
 *
 * The process runs in a private mount namespace (set up once) in which every
 * other mount is read-only, except the fuzzer's own directories: even an
 * escape cannot write to the host. After each apply the target aborts when
 * /mnt/w or the sentinel changed, when an inode under the root has a link
 * outside it, or when anything under it is on another filesystem.
 *
 * Symlink targets are data: "../../x" and "/etc/x" are legal in a layer and
 * resolve inside the container's root when it runs. What matters is that the
 * applier never follows one out while it writes; the seeds hold links to the
 * sentinel (by absolute and relative paths) with entries written through them.
 */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <libgen.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apply.h"
#include "fuzz.h"

#define BASE "/mnt"
#define WORK BASE "/w"

static void
die_setup(const char *what, const char *path)
{
	fprintf(stderr, "fuzz-ctr-unpack-apply: %s '%s': %s\n", what, path, strerror(errno));
	exit(1);
}

/* A writable bind of path over itself, inside the read-only view. */
static void
keep_writable(const char *path)
{
	struct mount_attr rw = {.attr_clr = MOUNT_ATTR_RDONLY};
	struct stat sb;

	if (stat(path, &sb) < 0 || !S_ISDIR(sb.st_mode))
		return;
	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0 ||
	    mount_setattr(AT_FDCWD, path, AT_RECURSIVE, &rw, sizeof(rw)) < 0)
		die_setup("make writable", path);
}

/* The directories libFuzzer writes: corpora, the artifact prefix's, the working one. */
static void
keep_fuzzer_dirs(int argc, char **argv)
{
	char cwd[4096];

	/* the working directory held is the one under the new mount: enter it again */
	if (getcwd(cwd, sizeof(cwd))) {
		keep_writable(cwd);
		if (chdir(cwd) < 0)
			die_setup("enter", cwd);
	}
	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "-artifact_prefix=", 17)) {
			char *p = xstrdup(argv[i] + 17);

			keep_writable(dirname(p));
			free(p);
		} else if (argv[i][0] != '-') {
			keep_writable(argv[i]);
		}
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct mount_attr ro = {.attr_set = MOUNT_ATTR_RDONLY};

	log_level = LOG_QUIET;
	/* mounts made from here on are ours alone and vanish with the process */
	if (unshare(CLONE_NEWNS) < 0)
		die_setup("unshare (needs root)", "mount namespace");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		die_setup("make private", "/");
	if (mount("fuzz", BASE, "tmpfs", MS_NOSUID | MS_NODEV, "size=64m,mode=0755") < 0)
		die_setup("mount tmpfs on", BASE);
	if (mkdir(WORK, 0755) < 0)
		die_setup("create", WORK);
	if (mount_setattr(AT_FDCWD, "/", AT_RECURSIVE, &ro, sizeof(ro)) < 0)
		die_setup("make read-only", "/");
	keep_writable(BASE);
	keep_fuzzer_dirs(*argc, *argv);
	return 0;
}

/* What must not change: names and inode state of a directory's entries. */
struct watch {
	char sig[4096];
};

/* skip names the one entry (the root) whose times and size are the applier's to change. */
static void
watch_dir(const char *path, const char *skip, struct watch *w)
{
	char line[256];
	struct dirent *d;
	struct stat sb;
	DIR *dir = opendir(path);
	size_t off = 0;

	if (!dir || stat(path, &sb) < 0)
		abort();
	off += (size_t)snprintf(w->sig, sizeof(w->sig), "%lu %o %lu %ld.%ld;", sb.st_ino,
				sb.st_mode, sb.st_nlink, sb.st_mtim.tv_sec, sb.st_mtim.tv_nsec);
	/* tmpfs lists in a stable order: no sorting needed to compare two listings */
	while ((d = readdir(dir))) {
		if (fstatat(dirfd(dir), d->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
			abort();
		if (skip && !strcmp(d->d_name, skip))
			snprintf(line, sizeof(line), "%s %lu %o;", d->d_name, sb.st_ino,
				 sb.st_mode);
		else
			snprintf(line, sizeof(line), "%s %lu %o %lu %ld %ld.%ld;", d->d_name,
				 sb.st_ino, sb.st_mode, sb.st_nlink, sb.st_size, sb.st_ctim.tv_sec,
				 sb.st_ctim.tv_nsec);
		if (off + strlen(line) >= sizeof(w->sig))
			abort();
		memcpy(w->sig + off, line, strlen(line) + 1);
		off += strlen(line);
	}
	closedir(dir);
}

static void
fresh_tree(void)
{
	int fd;

	if (mount("w", WORK, "tmpfs", MS_NOSUID | MS_NODEV, "size=32m,nr_inodes=20000") < 0)
		die_setup("mount tmpfs on", WORK);
	if (mkdir(WORK "/root", 0755) < 0 || mkdir(WORK "/sentinel", 0755) < 0 ||
	    mkdir(WORK "/sentinel/dir", 0755) < 0 || symlink("dir", WORK "/sentinel/link") < 0)
		die_setup("create", WORK);
	fd = open(WORK "/sentinel/file", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, "sentinel\n", 9) != 9)
		die_setup("create", WORK "/sentinel/file");
	close(fd);
}

/* Count, per inode, the links found under dirfd; any on another filesystem aborts. */
struct links {
	ino_t ino[4096];
	nlink_t seen[4096], nlink[4096];
	size_t n;
};

static void
count_link(struct links *l, const struct stat *sb)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->ino[i] == sb->st_ino) {
			l->seen[i]++;
			return;
		}
	if (l->n == sizeof(l->ino) / sizeof(l->ino[0]))
		return;
	l->ino[l->n] = sb->st_ino;
	l->nlink[l->n] = sb->st_nlink;
	l->seen[l->n++] = 1;
}

static void
walk(int dirfd, dev_t dev, struct links *l, unsigned depth)
{
	DIR *dir = fdopendir(dirfd);
	struct dirent *d;
	struct stat sb;

	if (!dir)
		abort();
	while ((d = readdir(dir))) {
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		if (fstatat(dirfd, d->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0 || sb.st_dev != dev)
			abort();
		if (S_ISDIR(sb.st_mode) && depth < 4096) {
			int fd = openat(dirfd, d->d_name,
					O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (fd < 0)
				abort();
			walk(fd, dev, l, depth + 1);
		} else if (!S_ISDIR(sb.st_mode) && sb.st_nlink > 1) {
			count_link(l, &sb);
		}
	}
	closedir(dir);
}

static void
check_root(const struct stat *before)
{
	static struct links l;
	struct stat sb;
	int fd = open(WORK "/root", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	/* the root itself is still the directory we made */
	if (fd < 0 || fstat(fd, &sb) < 0 || sb.st_ino != before->st_ino ||
	    sb.st_dev != before->st_dev)
		abort();
	l.n = 0;
	walk(fd, sb.st_dev, &l, 0);
	for (size_t i = 0; i < l.n; i++)
		if (l.seen[i] != l.nlink[i])
			abort(); /* a hard link to something outside the root */
}

static void
apply_once(const uint8_t *data, size_t size, bool overlay)
{
	struct apply_opts o = {.overlay = overlay, .max_size = 64u << 20, .max_entries = 10000};
	struct watch parent, sentinel, parent2, sentinel2;
	struct apply_result res;
	struct stat rootsb;
	struct err e;
	int rootfd, layerfd;

	fresh_tree();
	watch_dir(WORK, "root", &parent);
	watch_dir(WORK "/sentinel", NULL, &sentinel);
	rootfd = open(WORK "/root", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	layerfd = memfd_create("layer", MFD_CLOEXEC);
	if (rootfd < 0 || layerfd < 0 || fstat(rootfd, &rootsb) < 0 ||
	    (size && write(layerfd, data, size) != (ssize_t)size) ||
	    lseek(layerfd, 0, SEEK_SET) < 0)
		abort();
	(void)apply_layer(rootfd, layerfd, &o, &res, &e);
	close(layerfd);
	close(rootfd);
	/* applied or refused, nothing outside the root may have changed */
	watch_dir(WORK, "root", &parent2);
	watch_dir(WORK "/sentinel", NULL, &sentinel2);
	if (strcmp(parent.sig, parent2.sig) || strcmp(sentinel.sig, sentinel2.sig))
		abort();
	check_root(&rootsb);
	if (umount2(WORK, MNT_DETACH) < 0)
		die_setup("unmount", WORK);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	apply_once(data, size, false);
	apply_once(data, size, true);
	return 0;
}
