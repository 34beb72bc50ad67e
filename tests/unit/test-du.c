/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for du: a removal counts what a walk counts, links once, no link followed. */
#include "tap.h"

#include <fcntl.h>
#include <sys/stat.h>
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

int
main(void)
{
	struct err e;

	tmpfd = tap_tmpdir(tmp);
	RUN(test_du_remove_counts_as_a_walk);
	RUN(test_du_remove_plain_file);
	close(tmpfd);
	ok(path_rm_rf(AT_FDCWD, tmp, &e) == 0, "temporary directory removed");
	return tap_done();
}
