/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of ctr-snapshot's diff: what the native comparison and the overlay walk write. */
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <unistd.h>

#include "cmd.h"
#include "content.h"
#include "diff.h"
#include "layer.h"
#include "path.h"
#include "tap.h"
#include "xmem.h"

/* the verb table lives in main.c, which a unit test does not link */
const struct verb cmd_verbs[] = {{NULL, NULL, NULL}};

static struct state st;
static struct content c;
static char root[] = "/tmp/test-diff.XXXXXX";

/* Set name's mtime to sec + nsec (a fixed time, so only what a test changes differs). */
static void
set_mtime(int dirfd, const char *name, long sec, long nsec)
{
	struct timespec ts[2] = {{sec, nsec}, {sec, nsec}};

	utimensat(dirfd, name, ts, AT_SYMLINK_NOFOLLOW);
}

static void
put(int dirfd, const char *name, const char *text, long nsec)
{
	tap_write_file(dirfd, name, text);
	set_mtime(dirfd, name, 1000000, nsec);
}

/* The layer's entries as "NAME TYPE" lines, in order (new string). */
static char *
entries(const struct layer_result *r)
{
	struct archive *a = archive_read_new();
	struct archive_entry *ae;
	struct err e;
	int fd = content_open_blob(&c, r->digest, &e);
	char *out = xstrdup(""), *next;

	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	if (fd < 0 || archive_read_open_fd(a, fd, 4096) != ARCHIVE_OK)
		return out;
	while (archive_read_next_header(a, &ae) == ARCHIVE_OK) {
		const char *t = archive_entry_hardlink(ae)		 ? "h"
				: archive_entry_filetype(ae) == AE_IFDIR ? "d"
				: archive_entry_filetype(ae) == AE_IFLNK ? "l"
									 : "f";

		next = xasprintf("%s%s %s\n", out, archive_entry_pathname(ae), t);
		free(out);
		out = next;
	}
	archive_read_free(a);
	close(fd);
	return out;
}

static char *
run_native(int child, int parent, int *rc)
{
	struct layer_writer *w;
	struct layer_result r;
	struct err e;

	w = layer_writer_new(&c, LAYER_GZIP, -1, &e);
	if (!w || (*rc = diff_native(child, parent, w, &e)) < 0) {
		layer_writer_free(w);
		*rc = -1;
		return xstrdup("");
	}
	*rc = layer_finish(w, &r, &e);
	return *rc < 0 ? xstrdup("") : entries(&r);
}

static int
mkdir_open(int dirfd, const char *name)
{
	mkdirat(dirfd, name, 0755);
	return openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static void
test_diff_native_changes(void)
{
	int rfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int p = mkdir_open(rfd, "p"), ch = mkdir_open(rfd, "c");
	int pd, cd, rc;
	char *got;

	/* the same tree on both sides, to the nanosecond */
	for (int side = 0; side < 2; side++) {
		int t = side ? ch : p, d = mkdir_open(t, "dir");

		put(t, "same", "aaaa", 5);
		put(t, "coarse", "aaaa", 0); /* a coarse clock: no sub-second part */
		put(t, "fine", "aaaa", 7);
		put(t, "gone", "x", 5);
		put(t, "mode", "x", 5);
		symlinkat("target-a", t, "link");
		put(d, "inner", "x", 5);
		set_mtime(t, "dir", 1000000, 5);
		close(d);
	}
	/* the changes: bytes under equal metadata where the clock cannot tell, a mode, a
	 * removal, a link target, a new file in a directory (whose mtime is then kept) */
	put(ch, "coarse", "bbbb", 0);
	put(ch, "fine", "bbbb", 7);
	fchmodat(ch, "mode", 0600, 0);
	unlinkat(ch, "gone", 0);
	unlinkat(ch, "link", 0);
	symlinkat("target-b", ch, "link");
	cd = openat(ch, "dir", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	pd = openat(p, "dir", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	put(cd, "new", "n", 5);
	linkat(cd, "new", cd, "new2", 0);
	set_mtime(ch, "dir", 1000000, 5);
	got = run_native(ch, p, &rc);
	is_int(rc, 0, "native diff");
	/* "fine" has equal metadata to the nanosecond: taken as unchanged, as containerd does */
	is_str(got, "coarse f\ndir/new f\ndir/new2 h\n.wh.gone f\nlink l\nmode f\n", "the entries");
	free(got);
	close(cd);
	close(pd);
	close(p);
	close(ch);
	close(rfd);
}

static void
test_diff_same_bytes(void)
{
	int rfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int p = openat(rfd, "p", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int ch = openat(rfd, "c", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct layer_result r1, r2;
	struct layer_writer *w;
	struct err e;

	w = layer_writer_new(&c, LAYER_ZSTD, 0, &e);
	ok(diff_native(ch, p, w, &e) == 0 && layer_finish(w, &r1, &e) == 0, "a zstd diff");
	w = layer_writer_new(&c, LAYER_ZSTD, 0, &e);
	ok(diff_native(ch, p, w, &e) == 0 && layer_finish(w, &r2, &e) == 0, "and again");
	is_str(r1.digest, r2.digest, "the same bytes");
	w = layer_writer_new(&c, LAYER_NONE, 0, &e);
	ok(diff_native(ch, p, w, &e) == 0 && layer_finish(w, &r2, &e) == 0, "uncompressed");
	is_str(r2.digest, r1.diff_id, "its digest is the zstd layer's diffID");
	w = layer_writer_new(&c, LAYER_NONE, 0, &e);
	ok(diff_native(p, p, w, &e) == 0 && layer_finish(w, &r2, &e) == 0, "a tree against itself");
	is_int(r2.size, 1024, "is an empty tar: two zero blocks");
	close(p);
	close(ch);
	close(rfd);
}

static void
test_diff_overlay_upper(void)
{
	int rfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int up = mkdir_open(rfd, "upper"), d;
	char *got;
	int rc;

	/* whiteouts are character devices 0/0: root only */
	if (mknodat(up, "deleted", S_IFCHR | 0, makedev(0, 0)) < 0) {
		ok(1, "# skip: mknod needs root");
		close(up);
		close(rfd);
		return;
	}
	d = mkdir_open(up, "opq");
	put(d, "kept", "k", 0);
	close(d);
	{
		struct layer_writer *w = layer_writer_new(&c, LAYER_GZIP, -1, &(struct err){0});
		struct layer_result r;
		struct err e;

		/* no trusted.overlay.opaque here (not on tmpfs without root): only the whiteout */
		rc = diff_overlay(up, w, &e);
		rc = rc < 0 ? rc : layer_finish(w, &r, &e);
		got = rc < 0 ? xstrdup("") : entries(&r);
	}
	is_int(rc, 0, "overlay diff");
	is_str(got, ".wh.deleted f\nopq/ d\nopq/kept f\n", "a 0/0 device is a whiteout");
	free(got);
	close(up);
	close(rfd);
}

int
main(void)
{
	struct err e;

	state_init(&st);
	state_set_root(&st, mkdtemp(root));
	state_set_run(&st, root);
	if (state_open(&st, &e) < 0 || content_open(&st, &c, &e) < 0) {
		printf("Bail out! %s\n", e.msg);
		return 1;
	}
	RUN(test_diff_native_changes);
	RUN(test_diff_same_bytes);
	RUN(test_diff_overlay_upper);
	content_release(&c);
	path_rm_rf(AT_FDCWD, root, &e);
	state_release(&st);
	return tap_done();
}
