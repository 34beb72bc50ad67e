/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for name checks, mkdir -p and rm -rf relative to a dirfd. */
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "path.h"

static char tmp[] = "/tmp/ctr-test-path-XXXXXX";
static int tmpfd = -1;

/* A case for a TAP line: unprintable bytes as '?' so that one point stays one line. */
static const char *
show(const char *s)
{
	static char buf[40];
	size_t i;

	for (i = 0; s[i] && i + 1 < sizeof(buf); i++)
		buf[i] = (s[i] >= 0x20 && s[i] != 0x7f) ? s[i] : '?';
	buf[i] = '\0';
	return buf;
}

static void
check_names(int (*fn)(const char *, size_t, struct err *), const char *what,
	    const char *const *cases, size_t n, int want)
{
	for (size_t i = 0; i < n; i++) {
		struct err e = {0};
		int rc = fn(cases[i], 64, &e);

		is_int(rc, want, "%s #%zu '%s'", what, i, show(cases[i]));
		if (rc < 0)
			ok(!strcmp(e.code, "invalid") && e.msg[0],
			   "%s #%zu: code invalid, a message", what, i);
	}
}

static void
test_path_check_name_table(void)
{
	static const char *const good[] = {
	    "a",   "snap-1", "with space", "\xc3\xbcnicode", "...",   ".hidden",
	    "a.b", "a..b",   "UPPER",	   "-dash",	     "a:b@c", "sha256:0123",
	};
	static const char *const bad[] = {
	    "", ".", "..", "a/b", "/", "/a", "a/", "a\nb", "a\x01", "a\x7f", "\t", "\x1b[31m",
	};

	check_names(path_check_name, "good name", good, sizeof(good) / sizeof(good[0]), 0);
	check_names(path_check_name, "bad name", bad, sizeof(bad) / sizeof(bad[0]), -1);
}

static void
test_path_check_id_table(void)
{
	static const char *const good[] = {
	    "a", "A", "0", "abc-123", "a_b.c-d", "A.B", "9lives", "a..b", "a--", "x_",
	};
	static const char *const bad[] = {
	    "",	 "-a",	"_a",	    ".a",  "a/b", "a b",  "a:b", "..",
	    ".", "a\n", "\xc3\xa9", "a@b", "a+b", "a\\b", "a*",	 "$(x)",
	};

	check_names(path_check_id, "good id", good, sizeof(good) / sizeof(good[0]), 0);
	check_names(path_check_id, "bad id", bad, sizeof(bad) / sizeof(bad[0]), -1);
}

/* Exactly max bytes is allowed; one more is not. */
static void
test_path_length_limits(void)
{
	char s[300];
	struct err e;

	memset(s, 'a', 255);
	s[255] = '\0';
	is_int(path_check_name(s, 255, &e), 0, "255-byte name with max 255");
	is_int(path_check_id(s, 255, &e), 0, "255-byte id with max 255");
	s[255] = 'a';
	s[256] = '\0';
	is_int(path_check_name(s, 255, &e), -1, "256-byte name with max 255");
	ok(strlen(e.msg) < 200, "message does not echo the whole name");
	is_int(path_check_id(s, 255, &e), -1, "256-byte id with max 255");
	ok(strlen(e.msg) < 200, "id message does not echo the whole id");
	is_int(path_check_id("abcd", 3, &e), -1, "max is honoured for ids");
	is_int(path_check_name("abcd", 4, &e), 0, "max is inclusive for names");
}

static mode_t
mode_at(int dirfd, const char *p)
{
	struct stat st;

	if (fstatat(dirfd, p, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return (mode_t)-1;
	return st.st_mode;
}

static void
test_path_mkdir_p(void)
{
	struct err e;
	char abs[256];
	int fd;

	umask(022);
	is_int(path_mkdir_p(tmpfd, "a/b/c", 0700, &e), 0, "mkdir -p a/b/c");
	ok(S_ISDIR(mode_at(tmpfd, "a/b/c")), "a/b/c is a directory");
	is_int(mode_at(tmpfd, "a") & 07777, 0700, "a has mode 0700");
	is_int(mode_at(tmpfd, "a/b/c") & 07777, 0700, "a/b/c has mode 0700");
	is_int(path_mkdir_p(tmpfd, "a/b/c", 0700, &e), 0, "again: existing tree is fine");
	is_int(path_mkdir_p(tmpfd, "x//y/", 0755, &e), 0, "double and trailing slashes");
	is_int(mode_at(tmpfd, "x/y") & 07777, 0755, "x/y has mode 0755");

	fd = openat(tmpfd, "file", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	close(fd);
	is_int(path_mkdir_p(tmpfd, "file/sub", 0700, &e), -1, "a file in the way fails");
	is_int(e.sys, ENOTDIR, "with ENOTDIR");
	is_int(path_mkdir_p(tmpfd, "file", 0700, &e), 0,
	       "an existing non-directory at the end is not checked (EEXIST)");

	snprintf(abs, sizeof(abs), "%s/abs/q", tmp);
	is_int(path_mkdir_p(AT_FDCWD, abs, 0700, &e), 0, "absolute path with AT_FDCWD");
	ok(S_ISDIR(mode_at(tmpfd, "abs/q")), "abs/q exists");
}

static void
mkfile(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

	if (fd >= 0) {
		ssize_t r = write(fd, "data", 4);

		(void)r;
		close(fd);
	}
}

static void
test_path_rm_rf_tree(void)
{
	struct err e;
	char deep[512] = "t/d";

	path_mkdir_p(tmpfd, "t/a/b/c", 0755, &e);
	path_mkdir_p(tmpfd, "t/empty", 0755, &e);
	for (int i = 0; i < 40; i++)
		strcat(deep, "/d");
	path_mkdir_p(tmpfd, deep, 0755, &e);
	mkfile(tmpfd, "t/f");
	mkfile(tmpfd, "t/a/b/c/g");
	mkfile(tmpfd, "t/.hidden");
	mknodat(tmpfd, "t/a/fifo", S_IFIFO | 0600, 0);
	fchmodat(tmpfd, "t/a/b", 0500, 0); /* unwritable to others; root can still empty it */

	is_int(path_rm_rf(tmpfd, "t", &e), 0, "rm -rf a tree with files, fifos, deep dirs");
	is_int(mode_at(tmpfd, "t"), (mode_t)-1, "the tree is gone");
	is_int(path_rm_rf(tmpfd, "t", &e), 0, "removing what is absent succeeds");
	mkfile(tmpfd, "plain");
	is_int(path_rm_rf(tmpfd, "plain", &e), 0, "a plain file is removed");
	is_int(mode_at(tmpfd, "plain"), (mode_t)-1, "plain is gone");
}

/* Out of sight first: an old .gone- of the same name is finished, the parent stays. */
static void
test_path_rm_rf_hidden(void)
{
	struct err e;

	path_mkdir_p(tmpfd, "h/c/bundle/rootfs", 0755, &e);
	mkfile(tmpfd, "h/c/record.json");
	path_mkdir_p(tmpfd, "h/.gone-c/bundle", 0755, &e);
	mkfile(tmpfd, "h/.gone-c/lock");
	is_int(path_rm_rf_hidden(tmpfd, "h/c", &e), 0, "a directory removed out of sight");
	is_int(mode_at(tmpfd, "h/c"), (mode_t)-1, "it is gone");
	is_int(mode_at(tmpfd, "h/.gone-c"), (mode_t)-1, "the old leftover of its name too");
	ok(mode_at(tmpfd, "h") != (mode_t)-1, "the parent stays");
	is_int(path_rm_rf_hidden(tmpfd, "h/c", &e), 0, "removing what is absent succeeds");
	path_mkdir_p(tmpfd, "top", 0755, &e);
	is_int(path_rm_rf_hidden(tmpfd, "top", &e), 0, "a name without a parent part");
	is_int(mode_at(tmpfd, ".gone-top"), (mode_t)-1, "nothing left beside it");
	ok(path_is_gone(".gone-c"), ".gone-c is a leftover");
	ok(!path_is_gone(".gone-"), ".gone- alone is not");
	ok(!path_is_gone("c") && !path_is_gone(".new-1-c") && !path_is_gone(".gonec"),
	   "other names are not");
	path_rm_rf(tmpfd, "h", &e);
}

/* Two removals of one tree at once (a deleter and gc): both succeed, nothing is left. */
static void
test_path_rm_rf_concurrent(void)
{
	struct err e;
	int fails = 0, rounds = 30;

	for (int r = 0; r < rounds; r++) {
		char p[64];
		int st;
		pid_t pid;

		for (int i = 0; i < 64; i++) {
			snprintf(p, sizeof(p), "cc/d%d/e/f", i);
			path_mkdir_p(tmpfd, p, 0755, &e);
			snprintf(p, sizeof(p), "cc/d%d/e/g", i);
			mkfile(tmpfd, p);
		}
		pid = fork();
		if (pid == 0)
			_exit(path_rm_rf(tmpfd, "cc", &e) == 0 ? 0 : 1);
		if (path_rm_rf(tmpfd, "cc", &e) < 0) {
			printf("# round %d: %s\n", r, e.msg);
			fails++;
		}
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			fails++;
	}
	is_int(fails, 0, "%d rounds of two rm -rf of one tree at once: every one succeeds", rounds);
	is_int(mode_at(tmpfd, "cc"), (mode_t)-1, "the tree is gone");
}

/* A symlink inside the tree is removed; what it points to is not touched. */
static void
test_path_rm_rf_symlinks(void)
{
	struct err e;

	path_mkdir_p(tmpfd, "keep/inner", 0755, &e);
	mkfile(tmpfd, "keep/precious");
	mkfile(tmpfd, "keep/inner/precious2");
	path_mkdir_p(tmpfd, "victim", 0755, &e);
	symlinkat("../keep", tmpfd, "victim/dirlink");
	symlinkat("../keep/precious", tmpfd, "victim/filelink");
	symlinkat("/nonexistent/dangling", tmpfd, "victim/dangling");

	is_int(path_rm_rf(tmpfd, "victim", &e), 0, "rm -rf a tree with symlinks");
	is_int(mode_at(tmpfd, "victim"), (mode_t)-1, "the tree is gone");
	ok(S_ISREG(mode_at(tmpfd, "keep/precious")), "a linked file survives");
	ok(S_ISREG(mode_at(tmpfd, "keep/inner/precious2")),
	   "a linked directory's content survives");

	symlinkat("keep", tmpfd, "toplink");
	is_int(path_rm_rf(tmpfd, "toplink", &e), 0, "rm -rf of a symlink itself");
	ok(S_ISLNK(mode_at(tmpfd, "toplink")) == 0 && mode_at(tmpfd, "toplink") == (mode_t)-1,
	   "the link is gone");
	ok(S_ISREG(mode_at(tmpfd, "keep/precious")), "its target's content survives");
}

/* Neither a mount point at the top nor one inside is entered: its tree is someone else's. */
static void
test_path_rm_rf_mount_points(void)
{
	char inner[512];
	struct err e;

	path_mkdir_p(tmpfd, "mp/a/b", 0755, &e);
	mkfile(tmpfd, "mp/f");
	snprintf(inner, sizeof(inner), "%s/mp/a/b", tmp);
	if (mount("ctr-test-path", inner, "tmpfs", 0, "size=1m") < 0) {
		ok(1, "# skip: cannot mount a tmpfs (%s)", strerror(errno));
		return;
	}
	mkfile(tmpfd, "mp/a/b/theirs");
	is_int(path_rm_rf(tmpfd, "mp", &e), -1, "a tree holding a mount point is refused");
	is_str(e.code, "busy", "as busy");
	ok(strstr(e.msg, "mp/a/b") != NULL, "naming the mount point: %s", e.msg);
	ok(S_ISREG(mode_at(tmpfd, "mp/a/b/theirs")), "what the mount holds is untouched");
	is_int(path_rm_rf(tmpfd, "mp/a/b", &e), -1, "a mount point itself is refused");
	is_str(e.code, "busy", "as busy");
	ok(S_ISREG(mode_at(tmpfd, "mp/a/b/theirs")), "and its tree untouched");
	ok(umount(inner) == 0, "unmount");
	is_int(path_rm_rf(tmpfd, "mp", &e), 0, "then the tree goes");
	is_int(mode_at(tmpfd, "mp"), (mode_t)-1, "all of it");
}

/* An entry that cannot go fails the removal, named from the top, and stays. */
static void
test_path_rm_rf_failure(void)
{
	char ro[512];
	struct err e;
	int rofd;

	path_mkdir_p(tmpfd, "ro", 0755, &e);
	snprintf(ro, sizeof(ro), "%s/ro", tmp);
	if (mount("ctr-test-path", ro, "tmpfs", 0, "size=1m") < 0) {
		ok(1, "# skip: cannot mount a tmpfs (%s)", strerror(errno));
		return;
	}
	path_mkdir_p(tmpfd, "ro/t/d", 0755, &e);
	mkfile(tmpfd, "ro/t/d/f");
	ok(mount(NULL, ro, NULL, MS_REMOUNT | MS_RDONLY, NULL) == 0, "made read-only");
	rofd = open(ro, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	is_int(path_rm_rf(rofd, "t", &e), -1, "a read-only file system refuses");
	ok(e.sys == EROFS && strstr(e.msg, "t/d/f") != NULL, "with the entry and why: %s", e.msg);
	ok(S_ISREG(mode_at(tmpfd, "ro/t/d/f")), "the tree stays");
	close(rofd);
	ok(umount(ro) == 0, "unmount");
	is_int(path_rm_rf(tmpfd, "ro", &e), 0, "the mount point, empty again, goes");
}

/* A stream on a directory, its own or one below; a missing one is ENOENT, a link is not followed. */
static void
test_path_opendir(void)
{
	struct dirent *de;
	struct err e;
	DIR *d;
	int seen = 0;

	path_mkdir_p(tmpfd, "od/sub", 0755, &e);
	mkfile(tmpfd, "od/f");
	symlinkat("od", tmpfd, "odlink");
	d = path_opendir(tmpfd, "od", "od", &e);
	ok(d != NULL, "a directory below");
	while (d && (de = readdir(d)))
		seen += !strcmp(de->d_name, "f") || !strcmp(de->d_name, "sub");
	is_int(seen, 2, "its entries");
	if (d)
		closedir(d);
	d = path_opendir(tmpfd, ".", "the top", &e);
	ok(d != NULL, "dirfd itself, as '.'");
	if (d)
		closedir(d);
	ok(!path_opendir(tmpfd, "nope", "nope", &e) && e.sys == ENOENT, "a missing one: ENOENT");
	is_str(e.msg, "open 'nope': No such file or directory", "named as told");
	ok(!path_opendir(tmpfd, "odlink", "odlink", &e) && (e.sys == ELOOP || e.sys == ENOTDIR),
	   "a link is not followed: %s", e.msg);
	ok(!path_opendir(tmpfd, "od/f", "od/f", &e) && e.sys == ENOTDIR, "a file is no directory");
	path_rm_rf(tmpfd, "od", &e);
	path_rm_rf(tmpfd, "odlink", &e);
}

int
main(void)
{
	struct err e;

	tmpfd = tap_tmpdir(tmp);
	RUN(test_path_check_name_table);
	RUN(test_path_check_id_table);
	RUN(test_path_length_limits);
	RUN(test_path_mkdir_p);
	RUN(test_path_rm_rf_tree);
	RUN(test_path_rm_rf_hidden);
	RUN(test_path_rm_rf_concurrent);
	RUN(test_path_rm_rf_symlinks);
	RUN(test_path_rm_rf_mount_points);
	RUN(test_path_rm_rf_failure);
	RUN(test_path_opendir);
	close(tmpfd);
	ok(path_rm_rf(AT_FDCWD, tmp, &e) == 0, "temporary directory removed");
	return tap_done();
}
