/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for du: a removal counts what a walk counts, links once, no link followed. */
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "du.h"
#include "path.h"

static char tmp[] = "/tmp/ctr-test-du-XXXXXX";
static int tmpfd;

static void
tree(const char *top)
{
	struct err e;
	char p[256];

	snprintf(p, sizeof(p), "%s/a/b", top);
	path_mkdir_p(tmpfd, p, 0755, &e);
	snprintf(p, sizeof(p), "%s/f", top);
	tap_write_file(tmpfd, p, "some bytes of a file");
	snprintf(p, sizeof(p), "%s/a/b/g", top);
	tap_write_file(tmpfd, p, "more");
}

static mode_t
mode_at(int dirfd, const char *rel)
{
	struct stat sb;

	return fstatat(dirfd, rel, &sb, AT_SYMLINK_NOFOLLOW) < 0 ? (mode_t)-1 : sb.st_mode;
}

static void
test_du_remove_counts_as_a_walk(void)
{
	struct du walk = {0}, rm = {0};
	struct err e;
	struct stat sb;
	int fd;

	tree("t");
	ok(linkat(tmpfd, "t/f", tmpfd, "t/a/hard", 0) == 0, "a hard link");
	ok(symlinkat("../../keep", tmpfd, "t/a/sym") == 0, "a symlink out of the tree");
	tap_write_file(tmpfd, "keep", "not ours");
	fd = openat(tmpfd, "t", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ok(fd >= 0 && fstat(fd, &sb) == 0, "open the tree");
	du_count(&walk, &sb);
	ok(du_dir(&walk, fd, &e) == 0, "walk");
	/* t, a, b, f (and its link, once), g, sym */
	is_int(walk.inodes, 6, "entries counted, the hard link once");
	ok(du_remove(&rm, tmpfd, "t", &e) == 0, "remove");
	is_int(rm.inodes, walk.inodes, "the removal counts the entries the walk counts");
	ok(rm.bytes == walk.bytes && rm.bytes > 0, "and the same bytes");
	is_int(mode_at(tmpfd, "t"), (mode_t)-1, "the tree is gone");
	ok(S_ISREG(mode_at(tmpfd, "keep")), "what the symlink names is not touched");
	ok(du_remove(&rm, tmpfd, "t", &e) == 0, "removing what is absent succeeds");
	du_release(&walk);
	du_release(&rm);
}

static void
test_du_remove_plain_file(void)
{
	struct du u = {0};
	struct err e;

	tap_write_file(tmpfd, "plain", "x");
	ok(du_remove(&u, tmpfd, "plain", &e) == 0 && u.inodes == 1, "a plain file, counted");
	is_int(mode_at(tmpfd, "plain"), (mode_t)-1, "and gone");
	du_release(&u);
}

/* A tree wide enough for every thread: dirs directories of files files, one level down too. */
static void
wide_tree(const char *top, int dirs, int files)
{
	struct err e;
	char p[256];

	for (int i = 0; i < dirs; i++)
		for (int j = 0; j < files; j++) {
			snprintf(p, sizeof(p), "%s/d%d/sub", top, i);
			path_mkdir_p(tmpfd, p, 0755, &e);
			snprintf(p, sizeof(p), "%s/d%d/f%d", top, i, j);
			tap_write_file(tmpfd, p, "a file's bytes");
			snprintf(p, sizeof(p), "%s/d%d/sub/g%d", top, i, j);
			tap_write_file(tmpfd, p, "x");
		}
}

static void
test_du_remove_wide_tree_counts_as_a_walk(void)
{
	struct du walk = {0}, rm = {0};
	struct err e;
	struct stat sb;
	int fd;

	wide_tree("w", 24, 10);
	ok(linkat(tmpfd, "w/d0/f0", tmpfd, "w/d23/sub/hard", 0) == 0,
	   "a hard link across directories");
	fd = openat(tmpfd, "w", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ok(fd >= 0 && fstat(fd, &sb) == 0, "open the tree");
	du_count(&walk, &sb);
	ok(du_dir(&walk, fd, &e) == 0, "walk");
	/* w, 24 x (d, sub, 10 f, 10 g) */
	is_int(walk.inodes, 1 + 24 * 22, "every entry, the hard link once");
	ok(du_remove(&rm, tmpfd, "w", &e) == 0, "remove");
	is_int(rm.inodes, walk.inodes, "the removal counts what the walk counts");
	ok(rm.bytes == walk.bytes, "and the same bytes");
	is_int(mode_at(tmpfd, "w"), (mode_t)-1, "the tree is gone");
	du_release(&walk);
	du_release(&rm);
}

static void
test_du_remove_uncounted(void)
{
	struct err e;

	wide_tree("u", 16, 8);
	ok(symlinkat("../../keep2", tmpfd, "u/d3/sym") == 0, "a symlink out of the tree");
	tap_write_file(tmpfd, "keep2", "not ours");
	ok(du_remove(NULL, tmpfd, "u", &e) == 0, "remove, counting nothing");
	is_int(mode_at(tmpfd, "u"), (mode_t)-1, "the tree is gone");
	ok(S_ISREG(mode_at(tmpfd, "keep2")), "what the symlink names is not touched");
	tap_write_file(tmpfd, "plain2", "x");
	ok(du_remove(NULL, tmpfd, "plain2", &e) == 0, "a plain file, uncounted");
	is_int(mode_at(tmpfd, "plain2"), (mode_t)-1, "and gone");
	ok(du_remove(NULL, tmpfd, "u", &e) == 0, "removing what is absent succeeds");
}

static void
test_du_remove_stops_at_a_mount_point(void)
{
	char p[512];
	struct err e;

	wide_tree("m", 8, 4);
	snprintf(p, sizeof(p), "%s/m/d5/sub", tmp);
	if (mount("ctr-test-du", p, "tmpfs", 0, "size=1m") < 0) {
		ok(1, "# skip: cannot mount a tmpfs (%s)", strerror(errno));
		return;
	}
	tap_write_file(tmpfd, "m/d5/sub/theirs", "someone else's");
	for (int counted = 0; counted < 2; counted++) {
		struct du u = {0};

		ok(du_remove(counted ? &u : NULL, tmpfd, "m", &e) < 0, "refused (counted: %d)",
		   counted);
		is_str(e.code, "busy", "as busy");
		ok(strstr(e.msg, "m/d5/sub") != NULL, "naming the mount point: %s", e.msg);
		ok(S_ISREG(mode_at(tmpfd, "m/d5/sub/theirs")), "what the mount holds is untouched");
		du_release(&u);
	}
	ok(umount(p) == 0, "unmount");
	ok(du_remove(NULL, tmpfd, "m", &e) == 0 && mode_at(tmpfd, "m") == (mode_t)-1,
	   "then the rest goes");
}

/* clone3 refused, as ctr-unpack's applier has it: glibc then starts no thread. */
static int
deny_clone3(void)
{
	struct sock_filter f[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone3, 0, 1),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {sizeof(f) / sizeof(f[0]), f};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

/* Where no thread can start, the caller's thread removes it all, and counts the same. */
static void
test_du_remove_without_threads(void)
{
	struct du walk = {0};
	struct err e;
	struct stat sb;
	int fd, status = -1;
	pid_t pid;

	wide_tree("nt", 12, 4);
	fd = openat(tmpfd, "nt", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ok(fd >= 0 && fstat(fd, &sb) == 0, "open the tree");
	du_count(&walk, &sb);
	ok(du_dir(&walk, fd, &e) == 0, "walk");
	fflush(stdout);
	if ((pid = fork()) == 0) {
		struct du u = {0};
		int r = deny_clone3() < 0 ? 2 : du_remove(&u, tmpfd, "nt", &e) < 0 ? 3 : 0;

		_exit(r ? r : u.inodes == walk.inodes && u.bytes == walk.bytes ? 0 : 4);
	}
	ok(pid > 0 && waitpid(pid, &status, 0) == pid, "a child under a seccomp filter");
	is_int(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), 0,
	       "removed and counted as the walk (2: no filter, 3: failed, 4: counted wrong)");
	is_int(mode_at(tmpfd, "nt"), (mode_t)-1, "the tree is gone");
	du_release(&walk);
}

int
main(void)
{
	struct err e;

	tmpfd = tap_tmpdir(tmp);
	RUN(test_du_remove_counts_as_a_walk);
	RUN(test_du_remove_plain_file);
	RUN(test_du_remove_wide_tree_counts_as_a_walk);
	RUN(test_du_remove_uncounted);
	RUN(test_du_remove_stops_at_a_mount_point);
	RUN(test_du_remove_without_threads);
	close(tmpfd);
	ok(path_rm_rf(AT_FDCWD, tmp, &e) == 0, "temporary directory removed");
	return tap_done();
}
