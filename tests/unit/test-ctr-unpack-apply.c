/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for ctr-unpack's applier: layers and hostile tars built here, a sentinel that must not
 * change. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "apply.h"
#include "digest.h"
#include "fdio.h"
#include "path.h"
#include "tap.h"
#include "xmem.h"

static char base[64], rootdir[128], sentinel[128], tarpath[128];
static bool is_root;

/* ---- building tars ------------------------------------------------------ */

static struct archive *
tar_begin(int filter)
{
	struct archive *a = archive_write_new();

	archive_write_set_format_pax_restricted(a);
	if (filter == 'g')
		archive_write_add_filter_gzip(a);
	else if (filter == 'z')
		archive_write_add_filter_zstd(a);
	archive_write_open_filename(a, tarpath);
	return a;
}

static void
tar_add(struct archive *a, const char *name, mode_t type, mode_t perm, const char *link,
	const void *data, size_t len)
{
	struct archive_entry *en = archive_entry_new();

	archive_entry_set_pathname(en, name);
	archive_entry_set_filetype(en, type);
	archive_entry_set_perm(en, perm);
	archive_entry_set_mtime(en, 1700000000, 0);
	if (type == AE_IFLNK)
		archive_entry_set_symlink(en, link);
	else if (link)
		archive_entry_set_hardlink(en, link);
	archive_entry_set_size(en, type == AE_IFREG && !link ? (la_int64_t)len : 0);
	archive_write_header(a, en);
	if (data && len)
		archive_write_data(a, data, len);
	archive_entry_free(en);
}

#define tar_file(a, n, c) tar_add(a, n, AE_IFREG, 0644, NULL, c, strlen(c))
#define tar_dir(a, n) tar_add(a, n, AE_IFDIR, 0755, NULL, NULL, 0)
#define tar_sym(a, n, t) tar_add(a, n, AE_IFLNK, 0777, t, NULL, 0)
#define tar_hard(a, n, t) tar_add(a, n, AE_IFREG, 0644, t, NULL, 0)

static void
tar_node(struct archive *a, const char *name, mode_t type, unsigned ma, unsigned mi)
{
	struct archive_entry *en = archive_entry_new();

	archive_entry_set_pathname(en, name);
	archive_entry_set_filetype(en, type);
	archive_entry_set_perm(en, 0600);
	archive_entry_set_rdevmajor(en, ma);
	archive_entry_set_rdevminor(en, mi);
	archive_write_header(a, en);
	archive_entry_free(en);
}

static void
tar_end(struct archive *a)
{
	archive_write_close(a);
	archive_write_free(a);
}

/* ---- the tree under test and the sentinel -------------------------------- */

static void
fresh_root(void)
{
	struct err e;

	path_rm_rf(AT_FDCWD, rootdir, &e);
	mkdir(rootdir, 0755);
}

static int
apply_opts(const struct apply_opts *o, struct apply_result *r, struct err *e)
{
	int rfd = open(rootdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int lfd = open(tarpath, O_RDONLY | O_CLOEXEC);
	int rc = apply_layer(rfd, lfd, o, r, e);

	close(rfd);
	close(lfd);
	return rc;
}

static int
apply(bool overlay, struct err *e)
{
	struct apply_opts o = {.overlay = overlay};
	struct apply_result r;

	memset(e, 0, sizeof(*e));
	return apply_opts(&o, &r, e);
}

static struct digester sum;

static int
sum_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	char buf[4096], x[256];
	int fd;
	ssize_t n;

	(void)flag, (void)f;
	snprintf(buf, sizeof(buf), "%s %o %u:%u %lld %lld\n", p, st->st_mode, st->st_uid,
		 st->st_gid, (long long)st->st_size, (long long)st->st_mtime);
	digester_update(&sum, buf, strlen(buf));
	n = llistxattr(p, x, sizeof(x));
	digester_update(&sum, x, n > 0 ? (size_t)n : 0);
	if (S_ISREG(st->st_mode) && (fd = open(p, O_RDONLY)) >= 0) {
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			digester_update(&sum, buf, (size_t)n);
		close(fd);
	}
	return 0;
}

/* A digest of everything about the sentinel tree: names, modes, owners, times, content. */
static void
sentinel_sum(char out[DIGEST_STR_LEN + 1])
{
	digester_init(&sum);
	nftw(sentinel, sum_one, 16, FTW_PHYS);
	digester_final(&sum, out);
	digester_release(&sum);
}

static void
make_sentinel(void)
{
	char p[256];
	int fd;

	mkdir(sentinel, 0755);
	snprintf(p, sizeof(p), "%s/file", sentinel);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	write(fd, "sentinel\n", 9);
	close(fd);
	snprintf(p, sizeof(p), "%s/dir", sentinel);
	mkdir(p, 0755);
}

static bool
exists_in_root(const char *rel, mode_t type)
{
	char p[PATH_MAX];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", rootdir, rel);
	return lstat(p, &st) == 0 && (st.st_mode & S_IFMT) == type;
}

static struct stat
lstat_in_root(const char *rel)
{
	char p[PATH_MAX];
	struct stat st = {0};

	snprintf(p, sizeof(p), "%s/%s", rootdir, rel);
	lstat(p, &st);
	return st;
}

/* ---- hostile tars: each a clean error or neutralised, the sentinel unchanged */

static void
h_dotdot(struct archive *a)
{
	char p[256];

	snprintf(p, sizeof(p), "../%s/file", strrchr(sentinel, '/') + 1);
	tar_file(a, p, "pwned");
}

static void
h_abs(struct archive *a)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/file", sentinel);
	tar_file(a, p, "pwned"); /* neutralised: lands at root/<sentinel>/file */
}

static bool
c_abs(void)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/file", sentinel + 1);
	return exists_in_root(p, S_IFREG);
}

static void
h_symlink_root(struct archive *a)
{
	char p[256];

	tar_sym(a, "evil", "/");
	snprintf(p, sizeof(p), "evil/%s/file", sentinel + 1);
	tar_file(a, p, "pwned");
	tar_sym(a, "evil2", sentinel);
	tar_file(a, "evil2/new", "pwned");
	tar_sym(a, "up", "../../../../../../..");
	tar_file(a, "up/etc-pwned", "pwned");
}

static bool
c_symlink_root(void)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/new", sentinel + 1);
	return exists_in_root(p, S_IFREG) && exists_in_root("etc-pwned", S_IFREG) &&
	       exists_in_root("evil", S_IFLNK);
}

static void
h_symlink_etc(struct archive *a)
{
	tar_sym(a, "e", "/etc");
	tar_file(a, "e/ctr-unpack-pwned", "pwned");
}

static bool
c_symlink_etc(void)
{
	return access("/etc/ctr-unpack-pwned", F_OK) < 0 && exists_in_root("e", S_IFLNK) &&
	       exists_in_root("etc/ctr-unpack-pwned", S_IFREG);
}

/* /etc -> /etc inside the image is a loop, not the host's /etc */
static void
h_symlink_self(struct archive *a)
{
	tar_sym(a, "etc", "/etc");
	tar_file(a, "etc/ctr-unpack-pwned", "pwned");
}

static void
h_symlink_dot(struct archive *a)
{
	tar_sym(a, ".", sentinel);
	tar_file(a, "x", "pwned");
}

static void
h_hardlink_out(struct archive *a)
{
	char p[256];

	tar_file(a, "ok", "fine");
	snprintf(p, sizeof(p), "../%s/file", strrchr(sentinel, '/') + 1);
	tar_hard(a, "h", p);
}

static void
h_hardlink_abs(struct archive *a)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/file", sentinel);
	tar_hard(a, "h", p);
}

static void
h_hardlink_symlink(struct archive *a)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/file", sentinel);
	tar_sym(a, "s", p);
	tar_hard(a, "h", "s");				/* a second name for the symlink */
	tar_add(a, "h", AE_IFREG, 04777, "s", NULL, 0); /* "chmod" through it, again */
	tar_add(a, "s", AE_IFREG, 04777, NULL, "x", 1); /* replace, not write through */
}

static bool
c_hardlink_symlink(void)
{
	return exists_in_root("h", S_IFLNK) && exists_in_root("s", S_IFREG);
}

static void
h_dir_then_symlink(struct archive *a)
{
	tar_dir(a, "d");
	tar_file(a, "d/f", "in d");
	tar_sym(a, "d", sentinel);
	tar_file(a, "d/g", "through d");
	tar_dir(a, "d/dir");
}

static bool
c_dir_then_symlink(void)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/g", sentinel + 1);
	return exists_in_root("d", S_IFLNK) && exists_in_root(p, S_IFREG);
}

static void
h_xattr_symlink(struct archive *a)
{
	struct archive_entry *en = archive_entry_new();
	char p[256];

	snprintf(p, sizeof(p), "%s/file", sentinel);
	archive_entry_set_pathname(en, "s");
	archive_entry_set_filetype(en, AE_IFLNK);
	archive_entry_set_perm(en, 0777);
	archive_entry_set_symlink(en, p);
	archive_entry_xattr_add_entry(en, "user.evil", "x", 1);
	archive_entry_xattr_add_entry(en, "security.capability", "x", 1);
	archive_entry_xattr_add_entry(en, "trusted.overlay.opaque", "y", 1);
	archive_write_header(a, en);
	archive_entry_free(en);
}

static bool
c_xattr_symlink(void)
{
	return exists_in_root("s", S_IFLNK);
}

static void
h_whiteout_symlink(struct archive *a)
{
	tar_sym(a, "w", sentinel);
	tar_file(a, "w/.wh.file", "");
	tar_file(a, "w/.wh..wh..opq", "");
}

static void
h_wh_dotdot(struct archive *a)
{
	tar_file(a, ".wh..", "");
}

static void
h_wh_dot(struct archive *a)
{
	tar_file(a, "d/.wh.", "");
}

static void
h_wh_plnk(struct archive *a)
{
	tar_file(a, ".wh..wh.plnk", "");
}

static void
h_wh_parent(struct archive *a)
{
	tar_file(a, ".wh.d/x", "");
}

static void
h_dev_major(struct archive *a)
{
	tar_node(a, "c", AE_IFCHR, 5000, 1);
}

static void
h_dev_minor(struct archive *a)
{
	tar_node(a, "b", AE_IFBLK, 1, 2000000);
}

static void
h_dev_whiteout(struct archive *a)
{
	tar_node(a, "c", AE_IFCHR, 0, 0);
}

static void
h_symlink_loop(struct archive *a)
{
	tar_sym(a, "l1", "l2");
	tar_sym(a, "l2", "l1");
	tar_file(a, "l1/x", "loop");
}

static void
h_file_as_dir(struct archive *a)
{
	tar_file(a, "f", "a file");
	tar_file(a, "f/x", "under a file");
}

static void
h_deep(struct archive *a)
{
	char p[1400] = "";

	for (int i = 0; i < 600; i++) {
		strcat(p, "d/");
		tar_dir(a, p);
	}
}

static void
h_deep_name(struct archive *a)
{
	char *p = xmalloc(20001);

	for (int i = 0; i < 10000; i++)
		memcpy(p + 2 * i, "a/", 2);
	p[19999] = '\0';
	tar_file(a, p, "deep");
	free(p);
}

static void
h_root_file(struct archive *a)
{
	tar_file(a, ".", "not a dir");
}

static const struct hostile {
	const char *what;
	void (*build)(struct archive *);
	bool fails;
	bool (*check)(void);
} hostile[] = {
    {"'..' in a name", h_dotdot, true, NULL},
    {"absolute name", h_abs, false, c_abs},
    {"symlink to / and ../.. then writes", h_symlink_root, false, c_symlink_root},
    {"symlink to /etc then a write", h_symlink_etc, false, c_symlink_etc},
    {"symlink /etc -> /etc then a write", h_symlink_self, true, NULL},
    {"symlink named '.'", h_symlink_dot, true, NULL},
    {"root entry as a file", h_root_file, true, NULL},
    {"hardlink to ../outside", h_hardlink_out, true, NULL},
    {"hardlink to an absolute host path", h_hardlink_abs, true, NULL},
    {"hardlink to an outward symlink, chmod", h_hardlink_symlink, false, c_hardlink_symlink},
    {"dir replaced by a symlink", h_dir_then_symlink, false, c_dir_then_symlink},
    {"xattrs on a symlink", h_xattr_symlink, false, c_xattr_symlink},
    {"whiteouts through a symlink", h_whiteout_symlink, false, NULL},
    {"whiteout '.wh..'", h_wh_dotdot, true, NULL},
    {"whiteout '.wh.'", h_wh_dot, true, NULL},
    {"whiteout '.wh..wh.plnk'", h_wh_plnk, true, NULL},
    {"whiteout name as a parent", h_wh_parent, true, NULL},
    {"char device major 5000", h_dev_major, true, NULL},
    {"block device minor 2000000", h_dev_minor, true, NULL},
    {"char device 0:0", h_dev_whiteout, true, NULL},
    {"symlink loop", h_symlink_loop, true, NULL},
    {"file used as a directory", h_file_as_dir, true, NULL},
    {"600-deep directories", h_deep, true, NULL},
    {"10000-deep name", h_deep_name, true, NULL},
};

static void
test_apply_hostile(void)
{
	char before[DIGEST_STR_LEN + 1], after[DIGEST_STR_LEN + 1];

	for (int overlay = 1; overlay >= 0; overlay--) {
		for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
			const struct hostile *h = &hostile[i];
			struct archive *a = tar_begin('g');
			struct err e;
			int rc;

			h->build(a);
			tar_end(a);
			fresh_root();
			sentinel_sum(before);
			rc = apply(overlay, &e);
			sentinel_sum(after);
			if (h->fails)
				ok(rc < 0 && e.code, "%s: %s: refused (%s)",
				   overlay ? "overlay" : "native", h->what, e.msg);
			else
				ok(rc == 0 && (!h->check || h->check()), "%s: %s: neutralised%s%s",
				   overlay ? "overlay" : "native", h->what, rc ? ": " : "",
				   rc ? e.msg : "");
			is_str(after, before, "%s: %s: sentinel unchanged",
			       overlay ? "overlay" : "native", h->what);
		}
	}
}

/* ---- streams: bombs, lies, corruption, digests ---------------------------- */

static void
write_file(const char *p, const void *buf, size_t n)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	write(fd, buf, n);
	close(fd);
}

static char *
read_file(const char *p, size_t *n)
{
	char *buf;
	struct err e;

	if (fdio_read_file_at(AT_FDCWD, p, 1 << 26, &buf, n, &e) < 0)
		return NULL;
	return buf;
}

static void
test_apply_gzip_bomb(void)
{
	struct apply_opts o = {.overlay = true, .max_size = 8 << 20};
	struct apply_result r;
	struct err e = {0};
	struct archive *a = tar_begin('g');
	char *zeros = xcalloc(1, 64 << 20);
	char before[DIGEST_STR_LEN + 1], after[DIGEST_STR_LEN + 1];

	tar_add(a, "bomb", AE_IFREG, 0644, NULL, zeros, 64 << 20);
	tar_end(a);
	free(zeros);
	fresh_root();
	sentinel_sum(before);
	ok(apply_opts(&o, &r, &e) < 0 && !strcmp(e.code, "limit"),
	   "gzip bomb stops at max_size (%s)", e.msg);
	sentinel_sum(after);
	is_str(after, before, "gzip bomb: sentinel unchanged");
	ok(lstat_in_root("bomb").st_size <= (8 << 20), "gzip bomb: no more than the limit written");
}

static void
octal(char *f, size_t w, unsigned long long v)
{
	snprintf(f, w, "%0*llo", (int)w - 1, v);
}

/* A ustar header by hand, for what libarchive's writer will not produce. */
static void
raw_header(unsigned char h[512], const char *name, char type, unsigned long long size)
{
	unsigned cks = 0;

	memset(h, 0, 512);
	snprintf((char *)h, 100, "%s", name);
	octal((char *)h + 100, 8, 0644);
	octal((char *)h + 108, 8, 0);
	octal((char *)h + 116, 8, 0);
	octal((char *)h + 124, 12, size);
	octal((char *)h + 136, 12, 1700000000);
	h[156] = (unsigned char)type;
	memcpy(h + 257,
	       "ustar\0"
	       "00",
	       8);
	memset(h + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		cks += h[i];
	snprintf((char *)h + 148, 8, "%06o", cks);
}

static void
test_apply_pax_huge(void)
{
	unsigned char buf[512 * 8] = {0};
	struct err e;

	raw_header(buf, "PaxHeaders/x", 'x', 077777777777ull);
	memcpy(buf + 512, "30 path=aaaaaaaaaaaaaaaaaaaaa\n", 30);
	write_file(tarpath, buf, sizeof(buf));
	fresh_root();
	ok(apply(true, &e) < 0, "pax header claiming 8 GiB refused (%s)", e.msg);
	raw_header(buf, "././@LongLink", 'L', 077777777777ull);
	write_file(tarpath, buf, sizeof(buf));
	ok(apply(true, &e) < 0, "GNU long name claiming 8 GiB refused (%s)", e.msg);
}

static void
test_apply_corrupt(void)
{
	struct archive *a = tar_begin(0);
	size_t n;
	char *buf;
	struct err e;

	tar_file(a, "one", "1");
	tar_file(a, "two", "2");
	tar_file(a, "three", "3");
	tar_end(a);
	buf = read_file(tarpath, &n);
	/* pax_restricted writes plain ustar for these: headers at 0, 1024, 2048 */
	memset(buf + 1024 + 100, 'X', 40);
	write_file(tarpath, buf, n);
	fresh_root();
	ok(apply(true, &e) < 0 && strstr(e.msg, "'two'") && strstr(e.msg, "checksum"),
	   "corrupt header mid-stream names it (%s)", e.msg);
	free(buf);

	a = tar_begin('g');
	for (int i = 0; i < 50; i++) {
		char name[16], data[4096];

		snprintf(name, sizeof(name), "f%d", i);
		for (size_t k = 0; k < sizeof(data); k++)
			data[k] = (char)(rand() & 0xff);
		tar_add(a, name, AE_IFREG, 0644, NULL, data, sizeof(data));
	}
	tar_end(a);
	buf = read_file(tarpath, &n);
	write_file(tarpath, buf, n / 2);
	fresh_root();
	ok(apply(true, &e) < 0, "truncated gzip (%s)", e.msg);
	buf[n / 2] ^= 0x55;
	write_file(tarpath, buf, n);
	ok(apply(true, &e) < 0, "flipped byte in gzip (%s)", e.msg);
	buf[n / 2] ^= 0x55;
	memcpy(buf + n - 8, "garbage!", 8);
	write_file(tarpath, buf, n);
	ok(apply(true, &e) < 0, "gzip trailer mismatch (%s)", e.msg);
	free(buf);
}

static void
test_apply_digests(void)
{
	struct apply_opts o = {.overlay = true};
	struct apply_result r;
	struct err e;
	struct archive *a = tar_begin(0);
	char want[DIGEST_STR_LEN + 1], *buf;
	size_t n;

	tar_file(a, "x", "x");
	tar_end(a);
	buf = read_file(tarpath, &n);
	buf = xrealloc(buf, n + 700);
	memset(buf + n, 0, 700); /* zeros after the end blocks still count */
	write_file(tarpath, buf, n + 700);
	digest_buf(buf, n + 700, want);
	fresh_root();
	ok(apply_opts(&o, &r, &e) == 0, "tar with trailing bytes applies");
	is_str(r.diff_id, want, "diff_id covers the bytes after the end blocks");
	is_str(r.digest, want, "uncompressed: digest == diff_id");
	is_int(r.size, n + 700, "size counts them");
	is_str(r.format, "none", "format none");
	free(buf);
}

static void
build_sample(int filter)
{
	struct archive *a = tar_begin(filter);
	char big[100000];

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 7 % 251);
	tar_dir(a, "d");
	tar_file(a, "d/f", "content");
	tar_add(a, "d/big", AE_IFREG, 0644, NULL, big, sizeof(big));
	tar_sym(a, "d/l", "f");
	tar_end(a);
}

static void
test_apply_formats(void)
{
	static const struct {
		int filter;
		unsigned flags;
		const char *format;
	} t[] = {{0, 0, "none"}, {'g', 0, "gzip"}, {'g', DSTREAM_ZLIB, "gzip"}, {'z', 0, "zstd"}};
	char first[DIGEST_STR_LEN + 1] = "";

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct apply_opts o = {.overlay = true, .dflags = t[i].flags};
		struct apply_result r;
		struct err e;

		build_sample(t[i].filter);
		fresh_root();
		ok(apply_opts(&o, &r, &e) == 0 && exists_in_root("d/l", S_IFLNK) &&
		       lstat_in_root("d/big").st_size == 100000,
		   "%s%s applies", t[i].format, t[i].flags ? " (zlib)" : "");
		is_str(r.format, t[i].format, "format detected by magic");
		if (!*first)
			snprintf(first, sizeof(first), "%s", r.diff_id);
		is_str(r.diff_id, first, "%s: same diff_id", t[i].format);
	}
	/* two gzip members, as pigz or a resumed gzip writes */
	build_sample(0);
	char cmd[512];
	snprintf(cmd, sizeof(cmd),
		 "cd %s && head -c 5000 t.tar | gzip > m.gz && tail -c +5001 t.tar | gzip >> m.gz"
		 " && mv m.gz t.tar",
		 base);
	if (system(cmd) == 0) {
		struct apply_opts o = {.overlay = true};
		struct apply_result r;
		struct err e;

		fresh_root();
		ok(apply_opts(&o, &r, &e) == 0 && !strcmp(r.diff_id, first),
		   "multi-member gzip: same diff_id");
	}
}

/* ---- what a good layer becomes -------------------------------------------- */

static void
test_apply_kinds(void)
{
	struct archive *a = tar_begin('g');
	struct archive_entry *en = archive_entry_new();
	char v[16] = "";
	struct err e;
	struct stat st;

	archive_entry_set_pathname(en, "d");
	archive_entry_set_filetype(en, AE_IFDIR);
	archive_entry_set_perm(en, 0750);
	archive_entry_set_uid(en, 1000);
	archive_entry_set_gid(en, 1001);
	archive_entry_set_mtime(en, 1600000000, 0);
	archive_write_header(a, en);
	archive_entry_clear(en);
	archive_entry_set_pathname(en, "d/suid");
	archive_entry_set_filetype(en, AE_IFREG);
	archive_entry_set_perm(en, 04755);
	archive_entry_set_uid(en, 65534);
	archive_entry_set_gid(en, 65534);
	archive_entry_set_size(en, 3);
	archive_entry_set_mtime(en, 1500000000, 0);
	archive_entry_xattr_add_entry(en, "user.test", "val", 3);
	archive_entry_xattr_add_entry(en, "trusted.evil", "x", 1);
	archive_write_header(a, en);
	archive_write_data(a, "abc", 3);
	archive_entry_free(en);
	tar_hard(a, "d/hard", "d/suid");
	tar_sym(a, "d/sym", "suid");
	tar_add(a, "d/fifo", AE_IFIFO, 0640, NULL, NULL, 0);
	tar_file(a, "\xc3\xa9t\xc3\xa9.txt", "utf-8");
	tar_file(a, "implied/parent/file", "x");
	if (is_root)
		tar_node(a, "d/null", AE_IFCHR, 1, 3);
	tar_end(a);
	fresh_root();
	ok(apply(true, &e) == 0, "a layer of every kind applies (%s)", e.msg);
	st = lstat_in_root("d");
	ok(S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0750, "dir mode");
	ok(st.st_mtime == 1600000000, "dir mtime set after its children");
	ok(!is_root || (st.st_uid == 1000 && st.st_gid == 1001), "dir owner (numeric)");
	st = lstat_in_root("d/suid");
	ok((st.st_mode & 07777) == 04755, "setuid kept (mode after chown)");
	ok(!is_root || st.st_uid == 65534, "file owner 65534");
	ok(st.st_mtime == 1500000000 && st.st_size == 3, "file mtime and size");
	ok(st.st_nlink == 2, "hardlink shares the inode");
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/d/suid", rootdir);
	memset(v, 0, sizeof(v));
	ok(getxattr(p, "user.test", v, sizeof(v)) == 3 && !strcmp(v, "val"), "user.* xattr set");
	ok(getxattr(p, "trusted.evil", v, sizeof(v)) < 0, "trusted.* xattr dropped");
	ok(exists_in_root("d/sym", S_IFLNK), "symlink");
	ok(exists_in_root("d/fifo", S_IFIFO), "fifo");
	ok(exists_in_root("\xc3\xa9t\xc3\xa9.txt", S_IFREG), "UTF-8 name kept");
	st = lstat_in_root("implied/parent");
	ok(S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0755, "implied parent: 0755 dir");
	if (is_root) {
		st = lstat_in_root("d/null");
		ok(S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3), "char device 1:3");
	}
}

/* A pax sparse file (GNU.sparse 1.0): two 4 KiB extents in 16 MiB stay two extents. */
static void
test_apply_sparse(void)
{
	struct archive *a = tar_begin('g');
	struct archive_entry *en = archive_entry_new();
	char *data = xcalloc(1, 16 << 20), p[PATH_MAX], got[4096];
	struct stat st;
	struct err e;
	int fd;

	/* libarchive's writer takes the logical content and stores only the extents */
	memset(data, 'A', 4096);
	memset(data + (8 << 20), 'B', 4096);
	archive_entry_set_pathname(en, "sparse");
	archive_entry_set_filetype(en, AE_IFREG);
	archive_entry_set_perm(en, 0644);
	archive_entry_set_size(en, 16 << 20);
	archive_entry_sparse_add_entry(en, 0, 4096);
	archive_entry_sparse_add_entry(en, 8 << 20, 4096);
	archive_write_header(a, en);
	archive_write_data(a, data, 16 << 20);
	archive_entry_free(en);
	free(data);
	tar_end(a);
	fresh_root();
	ok(apply(true, &e) == 0, "sparse file applies");
	st = lstat_in_root("sparse");
	is_int(st.st_size, 16 << 20, "sparse: full size");
	ok(st.st_blocks * 512 < (1 << 20), "sparse: holes stay holes (%lld blocks)",
	   (long long)st.st_blocks);
	snprintf(p, sizeof(p), "%s/sparse", rootdir);
	fd = open(p, O_RDONLY);
	ok(pread(fd, got, 4096, 8 << 20) == 4096 && got[0] == 'B' && got[4095] == 'B',
	   "sparse: second extent at its offset");
	ok(pread(fd, got, 1, 4 << 20) == 1 && got[0] == 0, "sparse: zeros between");
	close(fd);
}

static bool
opaque(const char *rel)
{
	char p[PATH_MAX], v[4] = "";

	snprintf(p, sizeof(p), "%s/%s", rootdir, rel);
	return getxattr(p, "trusted.overlay.opaque", v, sizeof(v)) == 1 && v[0] == 'y';
}

static void
test_apply_overlay_whiteouts(void)
{
	struct archive *a = tar_begin('g');
	struct stat st;
	struct err e;

	tar_file(a, ".wh.gone", "");
	tar_dir(a, "o");
	tar_file(a, "o/.wh..wh..opq", "");
	tar_file(a, "o/new", "n");
	tar_file(a, ".wh.x", "");
	tar_dir(a, "x");
	tar_dir(a, "y");
	tar_file(a, ".wh.y", "");
	tar_file(a, "f", "mine");
	tar_file(a, ".wh.f", "");
	tar_file(a, "deep/.wh.z", "");
	tar_end(a);
	fresh_root();
	if (!is_root) {
		ok(1, "# SKIP overlay whiteouts need root (mknod, trusted.*)");
		return;
	}
	ok(apply(true, &e) == 0, "overlay whiteouts apply (%s)", e.msg);
	st = lstat_in_root("gone");
	ok(S_ISCHR(st.st_mode) && st.st_rdev == 0, ".wh.gone -> char 0:0");
	ok(opaque("o") && exists_in_root("o/new", S_IFREG), "opaque marker -> xattr, content kept");
	ok(!exists_in_root("o/.wh..wh..opq", S_IFREG), "no marker file left");
	ok(exists_in_root("x", S_IFDIR) && opaque("x"), "whiteout then dir -> opaque dir");
	ok(exists_in_root("y", S_IFDIR) && opaque("y"), "dir then whiteout -> opaque dir");
	ok(exists_in_root("f", S_IFREG), "this layer's file survives its whiteout");
	st = lstat_in_root("deep/z");
	ok(S_ISCHR(st.st_mode) && exists_in_root("deep", S_IFDIR) && !opaque("deep"),
	   "whiteout in an implied dir");
}

static void
lower(const char *rel, mode_t type, const char *link)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", rootdir, rel);
	if (type == S_IFDIR)
		mkdir(p, 0700);
	else if (type == S_IFLNK)
		symlink(link, p);
	else
		write_file(p, "lower", 5);
}

static void
test_apply_native(void)
{
	struct archive *a = tar_begin('g');
	struct err e;
	struct stat st;

	tar_file(a, ".wh.gone", "");
	tar_file(a, "o/.wh..wh..opq", "");
	tar_file(a, "o/new", "n");
	tar_dir(a, "d");
	tar_file(a, "d/mine", "m");
	tar_file(a, ".wh.d", "");
	tar_file(a, "lib/x", "implied dir hides the lower symlink");
	tar_file(a, "gonedir/.wh.sub", "");
	tar_end(a);
	fresh_root();
	lower("gone", S_IFREG, NULL);
	lower("keep", S_IFREG, NULL);
	lower("o", S_IFDIR, NULL);
	lower("o/old", S_IFREG, NULL);
	lower("o/olddir", S_IFDIR, NULL);
	lower("o/olddir/f", S_IFREG, NULL);
	lower("d", S_IFDIR, NULL);
	lower("d/old", S_IFREG, NULL);
	lower("usr", S_IFDIR, NULL);
	lower("usr/lib", S_IFDIR, NULL);
	lower("usr/lib/libc", S_IFREG, NULL);
	lower("lib", S_IFLNK, "usr/lib");
	lower("gonedir", S_IFDIR, NULL);
	lower("gonedir/sub", S_IFDIR, NULL);
	lower("gonedir/sub/f", S_IFREG, NULL);
	ok(apply(false, &e) == 0, "native layer applies (%s)", e.msg);
	ok(!exists_in_root("gone", S_IFREG) && exists_in_root("keep", S_IFREG), ".wh.gone deletes");
	ok(!exists_in_root("o/old", S_IFREG) && !exists_in_root("o/olddir", S_IFDIR) &&
	       exists_in_root("o/new", S_IFREG),
	   "opaque: lower children gone, this layer's kept");
	ok(exists_in_root("d/mine", S_IFREG) && !exists_in_root("d/old", S_IFREG),
	   "whiteout of this layer's dir: its lower content goes, its own stays");
	st = lstat_in_root("lib");
	ok(S_ISDIR(st.st_mode) && exists_in_root("lib/x", S_IFREG), "implied lib/ is a directory");
	ok(!exists_in_root("usr/lib/x", S_IFREG) && exists_in_root("usr/lib/libc", S_IFREG),
	   "nothing written through the lower symlink");
	ok(!exists_in_root("gonedir/sub", S_IFDIR), "whiteout under a lower dir");
}

/* What a user namespace needs (apply_rootless): devices skipped, user overlay marks, one owner. */
static void
test_apply_rootless(void)
{
	struct apply_opts o = {.overlay = true, .userxattr = true, .no_devices = true};
	struct archive *a = tar_begin('g');
	struct archive_entry *en = archive_entry_new();
	struct apply_result r;
	char p[PATH_MAX], v[8] = {0};
	struct stat st;
	struct err e = {0};

	tar_node(a, "dev-null", AE_IFCHR, 1, 3);
	tar_node(a, "dev-loop", AE_IFBLK, 7, 0);
	tar_dir(a, "o");
	tar_file(a, "o/.wh..wh..opq", "");
	archive_entry_set_pathname(en, "owned");
	archive_entry_set_filetype(en, AE_IFREG);
	archive_entry_set_perm(en, 04755);
	archive_entry_set_uid(en, 1000);
	archive_entry_set_gid(en, 1000);
	archive_entry_set_size(en, 1);
	archive_entry_xattr_add_entry(en, "user.overlay.opaque", "y", 1);
	archive_entry_xattr_add_entry(en, "user.kept", "k", 1);
	archive_write_header(a, en);
	archive_write_data(a, "x", 1);
	archive_entry_free(en);
	tar_end(a);
	fresh_root();
	if (!is_root) { /* the layer's owners are chowned to, squashed or not */
		ok(1, "# SKIP applying owners needs root (or a user namespace)");
		return;
	}
	o.squash_ids = true;
	ok(apply_opts(&o, &r, &e) == 0, "applies (%s)", e.msg);
	ok(!exists_in_root("dev-null", S_IFCHR) && !exists_in_root("dev-loop", S_IFBLK),
	   "device nodes skipped, no error");
	snprintf(p, sizeof(p), "%s/o", rootdir);
	ok(getxattr(p, "user.overlay.opaque", v, sizeof(v)) == 1 && v[0] == 'y',
	   "opaque directory: user.overlay.opaque=y");
	ok(getxattr(p, "trusted.overlay.opaque", v, sizeof(v)) < 0, "and not the trusted one");
	snprintf(p, sizeof(p), "%s/owned", rootdir);
	ok(getxattr(p, "user.overlay.opaque", v, sizeof(v)) < 0,
	   "a layer's own user.overlay.* dropped");
	ok(getxattr(p, "user.kept", v, sizeof(v)) == 1, "other user.* kept");
	st = lstat_in_root("owned");
	ok(st.st_uid == 0 && st.st_gid == 0 && (st.st_mode & 07777) == 04755,
	   "one id: owner 1000 squashed to 0, set-id bit kept (%u:%u %o)", (unsigned)st.st_uid,
	   (unsigned)st.st_gid, (unsigned)(st.st_mode & 07777));
}

int
main(void)
{
	char p[PATH_MAX];

	is_root = geteuid() == 0;
	snprintf(base, sizeof(base), "/tmp/ctr-unpack-test.XXXXXX");
	if (!mkdtemp(base))
		return 1;
	chmod(base, 0755);
	snprintf(rootdir, sizeof(rootdir), "%s/root", base);
	snprintf(sentinel, sizeof(sentinel), "%s/sentinel", base);
	snprintf(tarpath, sizeof(tarpath), "%s/t.tar", base);
	make_sentinel();
	RUN(test_apply_kinds);
	RUN(test_apply_sparse);
	RUN(test_apply_overlay_whiteouts);
	RUN(test_apply_rootless);
	RUN(test_apply_native);
	RUN(test_apply_hostile);
	RUN(test_apply_gzip_bomb);
	RUN(test_apply_pax_huge);
	RUN(test_apply_corrupt);
	RUN(test_apply_digests);
	RUN(test_apply_formats);
	snprintf(p, sizeof(p), "%s", base);
	struct err e;
	path_rm_rf(AT_FDCWD, p, &e);
	return tap_done();
}
