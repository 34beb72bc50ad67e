/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of gc: roots, what goes, what stays, the store lock, dead temp files. */
#include "ocidoc.h"
#include "tap.h"

#include <sys/wait.h>

#include "cleanup.h"
#include "content.h"
#include "gc-int.h"
#include "image.h"
#include "jsonio.h"
#include "lock.h"
#include "path.h"
#include "snapshot.h"
#include "xmem.h"

#define MT_CONFIG "application/vnd.oci.image.config.v1+json"
#define MT_LAYER "application/vnd.oci.image.layer.v1.tar+gzip"
#define Z_ORPHAN "1111111111111111111111111111111111111111111111111111111111111111"

static char tmp[] = "/tmp/ctr-test-gc-XXXXXX";
static struct state st;
static struct content c;
static struct snapshot_store *s;
static char cfg[DIGEST_STR_LEN + 1], man[DIGEST_STR_LEN + 1], junk[DIGEST_STR_LEN + 1];
static char l1[DIGEST_STR_LEN + 1], l2[DIGEST_STR_LEN + 1], d1[DIGEST_STR_LEN + 1],
    d2[DIGEST_STR_LEN + 1], chain2[DIGEST_STR_LEN + 1];

static void
put(const char *text, char out[DIGEST_STR_LEN + 1])
{
	struct err e;

	if (content_put(&c, text, strlen(text), out, &e) < 0)
		printf("# put: %s\n", e.msg);
}

/* An image of two layers: blobs, its record, and the chain IDs ctr-unpack would use. */
static void
make_image(void)
{
	_cleanup_free_ char *config = NULL, *manifest = NULL, *two = NULL;
	json_auto_t *rec = NULL;
	struct err e;

	put("layer one", l1);
	put("layer two", l2);
	digest_buf("diff one", 8, d1);
	digest_buf("diff two", 8, d2);
	config =
	    xasprintf("{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\",\"%s\"]}}", d1, d2);
	put(config, cfg);
	manifest = xasprintf("{\"schemaVersion\":2,\"mediaType\":\"%s\",\"config\":{\"mediaType\":"
			     "\"%s\",\"digest\":\"%s\",\"size\":%zu},\"layers\":[{\"mediaType\":"
			     "\"%s\",\"digest\":\"%s\",\"size\":9},{\"mediaType\":\"%s\","
			     "\"digest\":\"%s\",\"size\":9}]}",
			     OCIDOC_MT_MANIFEST, MT_CONFIG, cfg, strlen(config), MT_LAYER, l1,
			     MT_LAYER, l2);
	put(manifest, man);
	put("nobody's", junk);
	two = xasprintf("%s %s", d1, d2);
	digest_buf(two, strlen(two), chain2);
	rec =
	    json_pack("{s:s, s:{s:s, s:s, s:I}}", "name", "example.com/a:1", "target", "mediaType",
		      OCIDOC_MT_MANIFEST, "digest", man, "size", (json_int_t)strlen(manifest));
	if (image_store(&st, rec, &e) < 0)
		printf("# image_store: %s\n", e.msg);
}

/* A committed snapshot name on parent, made as ctr-unpack makes one (labelled) or by hand. */
static void
commit(const char *name, const char *parent, bool unpacked)
{
	json_auto_t *labels = unpacked ? json_pack("{s:s}", "ctr.unpack/layer", l1) : NULL;
	_cleanup_free_ char *key = xasprintf("tmp-%s", name);
	struct err e;

	if (snapshot_prepare(s, key, parent, NULL, 0, NULL, &e) < 0 ||
	    snapshot_commit(s, name, key, NULL, labels, &e) < 0)
		printf("# commit %s: %s\n", name, e.msg);
}

static int
collect(bool dry, struct gc_report *r)
{
	struct gc_opts o = {.dry_run = dry, .ingest_keep_secs = 3600};
	struct err e;
	int rc;

	gc_report_init(r);
	rc = gc_run(&st, &o, r, &e);
	if (rc < 0)
		printf("# gc_run: %s\n", e.msg);
	return rc;
}

static bool
has(const json_t *arr, const char *v)
{
	const json_t *x;
	size_t i;

	json_array_foreach(arr, i, x) {
		const char *k = json_is_string(x) ? json_string_value(x) : jsonio_str(x, "key");

		if (k && !strcmp(k, v))
			return true;
	}
	return false;
}

static void
test_gc_image_roots(void)
{
	struct gc_report r;
	struct err e;

	make_image();
	commit(d1, NULL, true);
	commit(chain2, d1, true);
	commit("sha256:" Z_ORPHAN, NULL, true);
	commit("mine", NULL, false);
	commit("under-work", NULL, true);
	snapshot_prepare(s, "work", "under-work", NULL, 0, NULL, &e);
	ok(collect(true, &r) == 0, "a dry run");
	ok(json_array_size(r.blobs) == 1 && has(r.blobs, junk), "would remove the junk blob only");
	ok(json_array_size(r.snapshots) == 1 && has(r.snapshots, "sha256:" Z_ORPHAN),
	   "and the orphan layer only");
	ok(content_has(&c, junk, -1) && snapshot_exists(s, "sha256:" Z_ORPHAN, NULL),
	   "a dry run removes nothing");
	gc_report_release(&r);
	ok(collect(false, &r) == 0, "a real run");
	ok(!content_has(&c, junk, -1) && !snapshot_exists(s, "sha256:" Z_ORPHAN, NULL),
	   "the junk blob and the orphan layer are gone");
	ok(content_has(&c, man, -1) && content_has(&c, cfg, -1) && content_has(&c, l1, -1) &&
	       content_has(&c, l2, -1),
	   "the image's blobs stay");
	ok(snapshot_exists(s, d1, NULL) && snapshot_exists(s, chain2, NULL), "its chain stays");
	ok(snapshot_exists(s, "mine", NULL), "a snapshot committed by hand stays");
	ok(snapshot_exists(s, "under-work", NULL) && snapshot_exists(s, "work", NULL),
	   "an active snapshot and its parent stay");
	is_int(r.kept_blobs, 4, "kept count of blobs");
	gc_report_release(&r);
	image_remove(&st, "example.com/a:1", &e);
	ok(collect(false, &r) == 0, "after image_remove");
	is_int(json_array_size(r.blobs), 4, "its four blobs go");
	ok(json_array_size(r.snapshots) == 2 && has(r.snapshots, d1) && has(r.snapshots, chain2),
	   "its two layers go");
	ok(!strcmp(jsonio_str(json_array_get(r.snapshots, 0), "key"), chain2),
	   "the child before its parent");
	gc_report_release(&r);
}

static void
test_gc_corrupt_record_stops(void)
{
	_cleanup_close_ int dfd = state_dir(&st, "images/default", 0, &(struct err){0});
	struct gc_report r;

	put("junk again", junk);
	tap_write_file(dfd, "broken.json", "{\"name\":");
	ok(collect(false, &r) < 0, "an unreadable record fails the run");
	ok(content_has(&c, junk, -1) && json_array_size(r.blobs) == 0, "before anything went");
	gc_report_release(&r);
	unlinkat(dfd, "broken.json", 0);
}

static void
test_gc_store_lock(void)
{
	struct state w;
	struct err e;
	int fd;

	state_init(&w);
	state_set_root(&w, st.root);
	state_set_run(&w, st.run);
	ok(state_open_writer(&w, &e) == 0 && w.lockfd >= 0, "a writer holds the lock shared");
	fd = state_lock_store(&st, LOCK_TRY, &e);
	ok(fd < 0 && !strcmp(e.code, "busy"), "gc cannot take it meanwhile");
	fd = state_lock_store(&st, LOCK_TRY | LOCK_SHARED, &e);
	ok(fd >= 0, "another writer can");
	close(fd);
	state_release(&w);
	fd = state_lock_store(&st, LOCK_TRY, &e);
	ok(fd >= 0, "gc takes it once the writer is done");
	close(fd);
}

static void
test_gc_dead_temp(void)
{
	_cleanup_free_ char *mine = xasprintf(".x.json.tmp-%d", (int)getpid());
	_cleanup_free_ char *dead = NULL;
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	dead = xasprintf(".x.json.tmp-%d", (int)pid);
	ok(gc_dead_temp(dead), "a temp file of a dead writer");
	ok(!gc_dead_temp(mine), "not one of a live writer");
	ok(!gc_dead_temp("x.json") && !gc_dead_temp(".x.tmp-") && !gc_dead_temp(".x.tmp-12a"),
	   "not other names");
}

int
main(void)
{
	struct err e;

	tap_tmpdir(tmp);
	state_init(&st);
	state_set_root(&st, tmp);
	state_set_run(&st, tmp);
	if (state_open(&st, &e) < 0 || content_open(&st, &c, &e) < 0 ||
	    snapshot_store_open(&st, SNAP_NATIVE, &s, &e) < 0) {
		printf("Bail out! %s\n", e.msg);
		return 1;
	}
	RUN(test_gc_image_roots);
	RUN(test_gc_corrupt_record_stops);
	RUN(test_gc_store_lock);
	RUN(test_gc_dead_temp);
	snapshot_store_free(s);
	content_release(&c);
	path_rm_rf(AT_FDCWD, tmp, &e);
	state_release(&st);
	return tap_done();
}
