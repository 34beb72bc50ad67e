/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the snapshot store: life cycle, bad input, Mount lists, usage, cleanup. */
#include "tap.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "digest.h"
#include "jsonio.h"
#include "path.h"
#include "snapshot-driver.h"
#include "snapshot.h"
#include "xmem.h"

static char tmp[] = "/tmp/ctr-test-snapshot-XXXXXX";
static struct state st;

static struct snapshot_store *
open_store(enum snapshotter driver)
{
	struct snapshot_store *s = NULL;
	struct err e = {0};

	if (snapshot_store_open(&st, driver, &s, &e) < 0)
		printf("# open %s: %s\n", snapshotter_name(driver), e.msg);
	return s;
}

static size_t
count(struct snapshot_store *s)
{
	struct err e;
	json_auto_t *all = snapshot_list(s, &e);

	return all ? json_array_size(all) : (size_t)-1;
}

/* The code of a failing call, or "ok". */
static const char *
code(int rc, const struct err *e)
{
	return rc < 0 ? e->code : "ok";
}

static void
write_file(struct snapshot_store *s, const char *key, const char *name, const char *text)
{
	struct err e;
	_cleanup_close_ int dfd = snapshot_open_dir(s, key, &e);
	_cleanup_close_ int fd =
	    dfd < 0 ? -1 : openat(dfd, name, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

	ok(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text), "write %s in %s",
	   name, key);
}

static const char *
mount_type(const json_t *m)
{
	return jsonio_str(json_array_get(m, 0), "type");
}

static const char *
mount_opt(const json_t *m, size_t i)
{
	return json_string_value(
	    json_array_get(json_object_get(json_array_get(m, 0), "options"), i));
}

static void
test_snapshot_bad_input(void)
{
	struct snapshot_store *s = open_store(SNAP_OVERLAY);
	static const char *const bad[] = {"", ".", "..", "a/b", "../x", "a\nb"};
	char long_key[300];
	struct err e;

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		is_str(code(snapshot_prepare(s, bad[i], NULL, NULL, 0, NULL, &e), &e), "invalid",
		       "bad key #%zu refused", i);
	memset(long_key, 'k', 256);
	long_key[256] = '\0';
	is_str(code(snapshot_prepare(s, long_key, NULL, NULL, 0, NULL, &e), &e), "invalid",
	       "256-byte key refused");
	long_key[255] = '\0';
	is_str(code(snapshot_prepare(s, long_key, NULL, NULL, 0, NULL, &e), &e), "ok",
	       "255-byte key taken (its record name is a hash)");
	is_str(code(snapshot_prepare(s, "x", "missing", NULL, 0, NULL, &e), &e), "not-found",
	       "missing parent");
	is_str(code(snapshot_prepare(s, "x", long_key, NULL, 0, NULL, &e), &e), "invalid",
	       "active parent refused");
	is_str(code(snapshot_prepare(s, long_key, NULL, NULL, 0, NULL, &e), &e), "exists",
	       "second prepare of a key: exists");
	is_str(code(snapshot_commit(s, "c", "missing", NULL, NULL, &e), &e), "not-found",
	       "commit of a missing key");
	is_int(count(s), 1, "nothing but the one good key was created");
	is_str(code(snapshot_remove(s, long_key, &e), &e), "ok", "remove");
	is_int(count(s), 0, "store empty again");
	snapshot_store_free(s);
}

static void
test_snapshot_life(void)
{
	struct snapshot_store *s = open_store(SNAP_OVERLAY);
	json_auto_t *m = NULL, *v1 = NULL, *v2 = NULL, *lbl = json_pack("{s:s}", "a", "b");
	const char *kind = NULL;
	struct err e;

	ok(snapshot_prepare(s, "l1", NULL, lbl, 0, &m, &e) == 0, "prepare l1");
	is_str(mount_type(m), "bind", "active without parent: a bind mount");
	is_str(mount_opt(m, 0), "rw", "... read-write");
	write_file(s, "l1", "f", "one");
	ok(snapshot_commit(s, "sha256:c1", "l1", NULL, NULL, &e) == 0, "commit l1");
	ok(!snapshot_exists(s, "l1", NULL), "the active key is gone");
	ok(snapshot_exists(s, "sha256:c1", &kind) && !strcmp(kind, "committed"), "committed");
	is_str(code(snapshot_commit(s, "again", "sha256:c1", NULL, NULL, &e), &e), "invalid",
	       "a committed snapshot cannot be committed");
	is_str(code(snapshot_open_dir(s, "sha256:c1", &e), &e), "invalid",
	       "no writable tree of a committed snapshot");
	ok(snapshot_prepare(s, "l2", "sha256:c1", NULL, 0, NULL, &e) == 0, "prepare l2 on c1");
	ok(snapshot_commit(s, "sha256:c2", "l2", NULL, NULL, &e) == 0, "commit l2");
	json_decref(m);
	ok(snapshot_prepare(s, "top", "sha256:c2", NULL, 0, &m, &e) == 0, "prepare top");
	is_str(mount_type(m), "overlay", "active on parents: overlay");
	ok(!strncmp(mount_opt(m, 0), "lowerdir=", 9) && strchr(mount_opt(m, 0), ':'),
	   "two lowerdirs");
	ok(!strncmp(mount_opt(m, 1), "upperdir=", 9) && !strncmp(mount_opt(m, 2), "workdir=", 8),
	   "upperdir and workdir");
	ok(snapshot_prepare(s, "v1", "sha256:c1", NULL, SNAPSHOT_VIEW, &v1, &e) == 0,
	   "view of one");
	is_str(mount_type(v1), "bind", "view of one layer: bind");
	is_str(mount_opt(v1, 0), "ro", "... read-only");
	ok(snapshot_prepare(s, "v2", "sha256:c2", NULL, SNAPSHOT_VIEW, &v2, &e) == 0,
	   "view of two");
	ok(!strcmp(mount_type(v2), "overlay") &&
	       json_array_size(json_object_get(json_array_get(v2, 0), "options")) == 1,
	   "view of two layers: overlay with lowerdir only");
	is_str(code(snapshot_remove(s, "sha256:c1", &e), &e), "conflict", "parent with children");
	ok(snapshot_remove(s, "v1", &e) == 0 && snapshot_remove(s, "v2", &e) == 0 &&
	       snapshot_remove(s, "top", &e) == 0 && snapshot_remove(s, "sha256:c2", &e) == 0 &&
	       snapshot_remove(s, "sha256:c1", &e) == 0,
	   "children first, then parents");
	is_int(count(s), 0, "empty");
	snapshot_store_free(s);
}

static void
test_snapshot_commit_races(void)
{
	struct snapshot_store *s = open_store(SNAP_OVERLAY);
	struct err e;
	json_auto_t *rec = NULL;

	ok(snapshot_prepare(s, "base-a", NULL, NULL, 0, NULL, &e) == 0 &&
	       snapshot_commit(s, "base", "base-a", NULL, NULL, &e) == 0,
	   "a base layer");
	ok(snapshot_prepare(s, "u1", NULL, NULL, 0, NULL, &e) == 0 &&
	       snapshot_prepare(s, "u2", NULL, NULL, 0, NULL, &e) == 0,
	   "two unpackers of one layer, applied without parent");
	ok(snapshot_commit(s, "layer", "u1", "base", NULL, &e) == 0, "first commit, late parent");
	ok(snapshot_commit(s, "layer", "u2", "base", NULL, &e) == 0, "second commit succeeds");
	ok(!snapshot_exists(s, "u2", NULL), "the loser's active snapshot is dropped");
	rec = snapshot_stat(s, "layer", &e);
	is_str(jsonio_str(rec, "parent"), "base", "parent set by commit");
	ok(snapshot_prepare(s, "u3", NULL, NULL, 0, NULL, &e) == 0, "a third one");
	is_str(code(snapshot_commit(s, "layer", "u3", NULL, NULL, &e), &e), "exists",
	       "same name, other parent: exists");
	is_str(code(snapshot_commit(s, "x", "u3", "nope", NULL, &e), &e), "not-found",
	       "late parent must exist");
	ok(snapshot_exists(s, "u3", NULL), "u3 left as it was");
	snapshot_store_free(s);

	s = open_store(SNAP_NATIVE);
	ok(snapshot_prepare(s, "n1", NULL, NULL, 0, NULL, &e) == 0 &&
	       snapshot_commit(s, "nbase", "n1", NULL, NULL, &e) == 0,
	   "native base");
	ok(snapshot_prepare(s, "n2", NULL, NULL, 0, NULL, &e) == 0, "native active");
	is_str(code(snapshot_commit(s, "nl", "n2", "nbase", NULL, &e), &e), "invalid",
	       "native refuses a late parent");
	snapshot_store_free(s);
}

static void
test_snapshot_native_copy(void)
{
	struct snapshot_store *s = open_store(SNAP_NATIVE);
	json_auto_t *m = NULL;
	struct err e;
	_cleanup_close_ int dfd = -1;
	struct stat sb;

	ok(snapshot_prepare(s, "na", NULL, NULL, 0, NULL, &e) == 0, "prepare");
	write_file(s, "na", "hello", "world");
	ok(snapshot_commit(s, "nc", "na", NULL, NULL, &e) == 0, "commit");
	ok(snapshot_prepare(s, "nb", "nc", NULL, 0, &m, &e) == 0, "prepare on it");
	dfd = snapshot_open_dir(s, "nb", &e);
	ok(dfd >= 0 && fstatat(dfd, "hello", &sb, 0) == 0 && sb.st_size == 5,
	   "the parent's file is copied");
	is_str(mount_type(m), "bind", "native: a bind mount");
	snapshot_store_free(s);
}

static void
test_snapshot_usage(void)
{
	struct snapshot_store *s = open_store(SNAP_OVERLAY);
	long long bytes = 0, inodes = 0;
	struct err e;
	_cleanup_close_ int dfd = -1;

	ok(snapshot_prepare(s, "du", NULL, NULL, 0, NULL, &e) == 0, "prepare");
	write_file(s, "du", "a", "aaaa");
	dfd = snapshot_open_dir(s, "du", &e);
	ok(linkat(dfd, "a", dfd, "b", 0) == 0 && mkdirat(dfd, "d", 0755) == 0, "link and dir");
	ok(snapshot_usage(s, "du", &bytes, &inodes, &e) == 0, "usage");
	is_int(inodes, 3, "root, file (linked twice, counted once), dir");
	ok(bytes > 0 && bytes % 512 == 0, "bytes in blocks");
	snapshot_store_free(s);
}

static void
test_snapshot_cleanup(void)
{
	struct snapshot_store *s = open_store(SNAP_OVERLAY);
	json_auto_t *gone = NULL, *rec = NULL;
	struct err e;
	int fd;

	ok(snapshot_prepare(s, "keep", NULL, NULL, 0, NULL, &e) == 0, "a live snapshot");
	rec = snapshot_stat(s, "keep", &e);
	json_object_set_new(rec, "name", json_string("keep-committed"));
	json_object_set_new(rec, "kind", json_string("committed"));
	ok(snapshot_meta_save(s, rec, &e) == 0, "a commit cut short: two records, one directory");
	ok(mkdirat(s->dirfd, "deadbeef", 0700) == 0 && mkdirat(s->dirfd, "new-01234567", 0700) == 0,
	   "an orphan and an unfinished directory");
	fd = openat(s->metafd, ".x.json.tmp-1", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	ok(fd >= 0, "a temp record");
	close(fd);
	ok(snapshot_cleanup(s, &gone, &e) == 0, "cleanup");
	is_int(json_array_size(gone), 4, "four things removed");
	ok(faccessat(s->dirfd, "deadbeef", F_OK, 0) < 0 &&
	       faccessat(s->dirfd, "new-01234567", F_OK, 0) < 0,
	   "directories gone");
	ok(!snapshot_exists(s, "keep", NULL) && snapshot_exists(s, "keep-committed", NULL),
	   "the committed record wins");
	snapshot_store_free(s);
}

/* discard: the key is free at once, the directory waits in the trash for its emptier. */
static void
test_snapshot_discard_and_trash(void)
{
	struct snapshot_store *s = open_store(SNAP_OVERLAY);
	json_auto_t *gone = json_array(), *again = NULL, *rec = NULL;
	char trashed[64];
	struct du u = {0};
	struct err e;
	int lk;

	ok(snapshot_prepare(s, "tr", NULL, NULL, 0, NULL, &e) == 0, "prepare");
	write_file(s, "tr", "f", "bytes");
	rec = snapshot_meta_load(s, "tr", &e);
	snprintf(trashed, sizeof(trashed), "%s/%s", SNAPSHOT_TRASH, jsonio_str(rec, "id"));
	is_str(code(snapshot_discard(s, "tr", &e), &e), "ok", "discard");
	ok(!snapshot_exists(s, "tr", NULL), "the key is free");
	ok(faccessat(s->dirfd, jsonio_str(rec, "id"), F_OK, 0) < 0 &&
	       faccessat(s->dirfd, trashed, F_OK, 0) == 0,
	   "the directory is in the trash");
	lk = snapshot_trash_lock(s, false, &e);
	ok(lk >= 0, "the trash's lock");
	is_str(code(snapshot_trash_lock(s, false, &e), &e), "busy", "held: busy to another");
	ok(snapshot_cleanup(s, &again, &e) == 0 && json_array_size(again) == 0,
	   "cleanup leaves a trash whose lock is held");
	ok(snapshot_trash_empty(lk, &u, gone, &e) == 0, "empty it");
	close(lk);
	is_str(json_string_value(json_array_get(gone, 0)), trashed, "reported by its trash path");
	ok(u.inodes >= 3 && u.bytes > 0, "counted as it went");
	ok(faccessat(s->dirfd, trashed, F_OK, 0) < 0, "gone");
	ok(unlinkat(s->dirfd, SNAPSHOT_TRASH, AT_REMOVEDIR) == 0, "no trash");
	tap_write_file(s->dirfd, SNAPSHOT_TRASH, "");
	is_str(code(snapshot_trash_lock(s, false, &e), &e), "invalid", "a file named trash");
	json_decref(again);
	ok(snapshot_cleanup(s, &again, &e) == 0 && json_array_size(again) == 1 &&
	       faccessat(s->dirfd, SNAPSHOT_TRASH, F_OK, AT_SYMLINK_NOFOLLOW) < 0,
	   "is debris: cleanup removes it");
	du_release(&u);
	snapshot_store_free(s);
}

/*
 * A commit cut short leaves the active record beside the committed one; the
 * active one's owner is dead, so ctr-unpack's stale sweep or gc removes it:
 * the committed snapshot keeps its directory (the crash harness found a
 * committed layer without one, and every container on it failed to mount).
 */
static void
test_snapshot_remove_shared(void)
{
	struct snapshot_store *s = open_store(SNAP_OVERLAY);
	json_auto_t *rec = NULL, *c = NULL;
	_cleanup_free_ char *fs = NULL;
	struct err e;

	ok(snapshot_prepare(s, "unpack-1", NULL, NULL, 0, NULL, &e) == 0, "an active snapshot");
	rec = snapshot_stat(s, "unpack-1", &e);
	json_object_set_new(rec, "name", json_string("sha256:chain"));
	json_object_set_new(rec, "kind", json_string("committed"));
	ok(snapshot_meta_save(s, rec, &e) == 0, "its commit cut short: two records, one directory");
	ok(snapshot_remove(s, "unpack-1", &e) == 0, "the active one removed (%s)", e.msg);
	ok(!snapshot_exists(s, "unpack-1", NULL), "its record is gone");
	c = snapshot_meta_load(s, "sha256:chain", &e);
	fs = xasprintf("%s/fs", jsonio_str(c, "id") ?: "?");
	ok(c && faccessat(s->dirfd, fs, F_OK, 0) == 0, "the committed one keeps its directory");
	ok(snapshot_remove(s, "sha256:chain", &e) == 0, "then it goes as any other");
	ok(faccessat(s->dirfd, fs, F_OK, 0) < 0, "with its directory");
	snapshot_store_free(s);
}

/* "<hex of parent>/<hex of child>": an entry of the parent index under meta/children. */
static void
entry(const char *parent, const char *child, char out[2 * DIGEST_HEX_LEN + 2])
{
	char d[DIGEST_STR_LEN + 1];
	int n;

	digest_buf(parent, strlen(parent), d);
	n = snprintf(out, 2 * DIGEST_HEX_LEN + 2, "%s/", digest_hex(d));
	digest_buf(child, strlen(child), d);
	snprintf(out + n, 2 * DIGEST_HEX_LEN + 2 - n, "%s", digest_hex(d));
}

static bool
has_entry(struct snapshot_store *s, const char *parent, const char *child)
{
	char rel[2 * DIGEST_HEX_LEN + 2];

	entry(parent, child, rel);
	return faccessat(s->childfd, rel, F_OK, 0) == 0;
}

/* A leftover of a crash: an entry whose record never came. */
static void
dangle(struct snapshot_store *s, const char *parent, const char *child)
{
	char rel[2 * DIGEST_HEX_LEN + 2];
	int fd;

	entry(parent, child, rel);
	rel[DIGEST_HEX_LEN] = 0;
	mkdirat(s->childfd, rel, 0700);
	rel[DIGEST_HEX_LEN] = '/';
	fd = openat(s->childfd, rel, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	ok(fd >= 0 && close(fd) == 0, "dangling entry %s -> %s", parent, child);
}

static void
test_snapshot_children_index(void)
{
	struct snapshot_store *s = open_store(SNAP_OVERLAY);
	struct err e;

	ok(snapshot_prepare(s, "ix-a", NULL, NULL, 0, NULL, &e) == 0 &&
	       snapshot_commit(s, "ix", "ix-a", NULL, NULL, &e) == 0,
	   "a committed parent");
	ok(snapshot_prepare(s, "ix-c", "ix", NULL, 0, NULL, &e) == 0, "a child");
	ok(has_entry(s, "ix", "ix-c"), "prepare made the index entry");
	is_str(code(snapshot_remove(s, "ix", &e), &e), "conflict", "parent with a child refused");
	ok(snapshot_prepare(s, "ix-late", NULL, NULL, 0, NULL, &e) == 0 &&
	       snapshot_commit(s, "ix-l", "ix-late", "ix", NULL, &e) == 0,
	   "commit with a late parent");
	ok(has_entry(s, "ix", "ix-l") && !has_entry(s, "ix", "ix-late"),
	   "the entry follows the committed name");
	ok(snapshot_remove(s, "ix-c", &e) == 0 && !has_entry(s, "ix", "ix-c"),
	   "removing the child removes its entry");
	is_str(code(snapshot_remove(s, "ix", &e), &e), "conflict", "still refused: the late child");
	ok(snapshot_remove(s, "ix-l", &e) == 0, "remove the late child");
	dangle(s, "ix", "ghost");
	ok(snapshot_prepare(s, "ix-other", NULL, NULL, 0, NULL, &e) == 0, "a parentless record");
	dangle(s, "ix", "ix-other");
	ok(snapshot_remove(s, "ix", &e) == 0, "dangling entries do not block removal");
	ok(!has_entry(s, "ix", "ghost") && !has_entry(s, "ix", "ix-other"), "and are removed");
	ok(snapshot_remove(s, "ix-other", &e) == 0, "remove the parentless one");
	snapshot_store_free(s);
}

/* A store made before the index: it is built on open, from the records. */
static void
test_snapshot_children_migrate(void)
{
	struct snapshot_store *s = open_store(SNAP_OVERLAY);
	json_auto_t *gone = NULL;
	struct err e;

	ok(snapshot_prepare(s, "mg-a", NULL, NULL, 0, NULL, &e) == 0 &&
	       snapshot_commit(s, "mg", "mg-a", NULL, NULL, &e) == 0 &&
	       snapshot_prepare(s, "mg-c", "mg", NULL, 0, NULL, &e) == 0,
	   "a parent and a child");
	ok(path_rm_rf(s->metafd, "children", &e) == 0, "the index removed, as in an old store");
	snapshot_store_free(s);
	s = open_store(SNAP_OVERLAY);
	ok(s && has_entry(s, "mg", "mg-c"), "reopening rebuilt the index");
	is_str(code(snapshot_remove(s, "mg", &e), &e), "conflict",
	       "the child still protects its parent");
	dangle(s, "mg", "crashed");
	ok(snapshot_cleanup(s, &gone, &e) == 0, "cleanup");
	ok(!has_entry(s, "mg", "crashed") && has_entry(s, "mg", "mg-c"),
	   "cleanup drops the dangling entry only");
	ok(snapshot_remove(s, "mg-c", &e) == 0 && snapshot_remove(s, "mg", &e) == 0,
	   "child, then parent");
	snapshot_store_free(s);
}

/*
 * A chain's lock file lives beside the store's snapshots while held; one
 * a killed holder left is reaped (listed, removed unless keep), and only
 * files named as chain locks are.
 */
static void
test_snapshot_chain_lock(void)
{
	static const char chain[] =
	    "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	static const char name[] =
	    "chain-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.lock";
	struct snapshot_store *s = open_store(SNAP_OVERLAY);
	json_auto_t *gone = json_array();
	struct stat sb;
	struct err e;
	int fd = snapshot_chain_lock(s, chain, &e);

	ok(fd >= 0 && fstatat(s->dirfd, name, &sb, 0) == 0, "held: %s is there", name);
	ok(snapshot_chain_reap(s, false, gone, &e) == 0 && json_array_size(gone) == 0,
	   "a held lock is not reaped");
	snapshot_chain_unlock(s, chain, fd);
	ok(fstatat(s->dirfd, name, &sb, 0) < 0, "released: gone");
	is_int(snapshot_chain_lock(s, "sha256:../x", &e), -1, "a chain ID that is no digest");
	is_str(e.code, "invalid", "is refused");
	/* what a SIGKILLed holder leaves: the file, held by nobody */
	close(openat(s->dirfd, name, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
	close(openat(s->dirfd, "chain-x.lock", O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
	ok(snapshot_chain_reap(s, true, gone, &e) == 0 && json_array_size(gone) == 1 &&
	       fstatat(s->dirfd, name, &sb, 0) == 0,
	   "keep: listed, not removed");
	json_array_clear(gone);
	ok(snapshot_chain_reap(s, false, gone, &e) == 0 && json_array_size(gone) == 1,
	   "reaped once");
	is_str(json_string_value(json_array_get(gone, 0)), name, "by its store-relative name");
	ok(fstatat(s->dirfd, name, &sb, 0) < 0, "and removed");
	ok(fstatat(s->dirfd, "chain-x.lock", &sb, 0) == 0, "another name is not a chain lock");
	unlinkat(s->dirfd, "chain-x.lock", 0);
	snapshot_store_free(s);
}

/* The store of a snapshotter lives under its name. */
static void
test_snapshot_store_names(void)
{
	struct snapshot_store *s = open_store(SNAP_NATIVE);
	char *want = xasprintf("%s/snapshots/native", tmp);

	is_str(snapshot_store_driver(s), "native", "the store's driver name");
	is_str(snapshot_store_path(s), want, "under snapshots/<name>");
	snapshot_store_free(s);
	free(want);
	s = open_store(SNAP_OVERLAY);
	is_str(snapshot_store_driver(s), "overlay", "the other store");
	snapshot_store_free(s);
}

int
main(void)
{
	struct err e;

	if (!mkdtemp(tmp))
		return 1;
	state_init(&st);
	state_set_root(&st, tmp);
	state_set_run(&st, tmp);
	if (state_open(&st, &e) < 0)
		return printf("# %s\n", e.msg), 1;
	RUN(test_snapshot_bad_input);
	RUN(test_snapshot_life);
	RUN(test_snapshot_commit_races);
	RUN(test_snapshot_native_copy);
	RUN(test_snapshot_usage);
	RUN(test_snapshot_cleanup);
	RUN(test_snapshot_discard_and_trash);
	RUN(test_snapshot_remove_shared);
	RUN(test_snapshot_children_index);
	RUN(test_snapshot_children_migrate);
	RUN(test_snapshot_chain_lock);
	RUN(test_snapshot_store_names);
	state_release(&st);
	path_rm_rf(AT_FDCWD, tmp, &e);
	return tap_done();
}
