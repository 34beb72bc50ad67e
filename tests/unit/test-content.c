/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the content store: layout, blobs, index.json, resumable ingests. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "content.h"
#include "cleanup.h"
#include "fdio.h"
#include "jsonio.h"
#include "path.h"
#include "tap.h"
#include "xmem.h"

static struct state st;
static struct content c;
static char data[300000];
static char data_digest[DIGEST_STR_LEN + 1];

static void
setup(void)
{
	char tmpl[] = "/tmp/test-content.XXXXXX";
	struct err e;

	state_init(&st);
	state_set_root(&st, mkdtemp(tmpl));
	state_set_run(&st, tmpl);
	if (state_open(&st, &e) < 0 || content_open(&st, &c, &e) < 0) {
		printf("Bail out! %s\n", e.msg);
		exit(1);
	}
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)(i * 7 + i / 251);
	digest_buf(data, sizeof(data), data_digest);
}

static void
test_content_layout(void)
{
	struct stat sb;
	json_t *idx = jsonio_load_at(c.dirfd, "index.json", 1 << 20, &(struct err){0});

	ok(fstatat(c.dirfd, "oci-layout", &sb, 0) == 0, "oci-layout exists");
	ok(json_is_array(json_object_get(idx, "manifests")), "index.json has a manifests array");
	json_decref(idx);
}

static void
test_content_put_read(void)
{
	char dg[DIGEST_STR_LEN + 1], *buf = NULL;
	size_t len = 0;
	struct err e;
	struct stat sb;

	ok(content_put(&c, "hello", 5, dg, &e) == 0, "put a small blob");
	ok(content_has(&c, dg, 5) && !content_has(&c, dg, 6), "has checks the size");
	ok(content_read_blob(&c, dg, 100, &buf, &len, &e) == 0 && len == 5 &&
	       !memcmp(buf, "hello", 5),
	   "read it back");
	free(buf);
	ok(fstatat(c.blobsfd, digest_hex(dg), &sb, 0) == 0 && (sb.st_mode & 0777) == 0444,
	   "published read-only");
	ok(content_read_blob(&c, dg, 3, &buf, &len, &e) < 0, "max is enforced");
	ok(content_open_blob(&c, "sha256:../../etc/passwd", &e) < 0,
	   "a bad digest never becomes a path");
	ok(!content_has(&c, "sha256:ABC", -1), "has refuses bad digests");
}

static void
test_content_corrupt_blob(void)
{
	char dg[DIGEST_STR_LEN + 1], *buf = NULL;
	struct err e;
	int fd;

	content_put(&c, "rot me", 6, dg, &e);
	fchmodat(c.blobsfd, digest_hex(dg), 0644, 0);
	fd = openat(c.blobsfd, digest_hex(dg), O_WRONLY);
	ok(fd >= 0 && write(fd, "R", 1) == 1, "corrupt a blob on disk");
	close(fd);
	ok(content_read_blob(&c, dg, 100, &buf, NULL, &e) < 0, "a rotten blob is an error");
	is_str(e.code, "corrupt", "its code");
}

/* check's marks: one per digest, read by pull, cleared once the blob is good again. */
static void
test_content_bad_marks(void)
{
	const char *dg = "sha256:0000000000000000000000000000000000000000000000000000000000000001";
	json_auto_t *rec = NULL;
	struct err e;

	ok(!content_marked_bad(&c, dg), "not marked");
	ok(content_mark_bad(&c, dg, "corrupt: its content hashes to x", &e) == 0, "mark");
	ok(content_marked_bad(&c, dg), "marked");
	rec = jsonio_load_at(
	    c.dirfd, "bad/0000000000000000000000000000000000000000000000000000000000000001.json",
	    4096, &e);
	is_str(jsonio_str(rec, "problem"), "corrupt: its content hashes to x",
	       "the problem recorded");
	ok(content_mark_bad(&c, dg, "again", &e) == 0, "marked twice: replaced");
	content_unmark_bad(&c, dg);
	ok(!content_marked_bad(&c, dg), "unmarked");
	content_unmark_bad(&c, dg);
	ok(content_mark_bad(&c, "sha256:../x", "no", &e) < 0, "a bad digest is refused");
	ok(!content_marked_bad(&c, "sha256:../x"), "and never marked");
}

static void
test_content_ingest_resume(void)
{
	struct content_ingest in;
	struct err e;
	struct stat sb;

	ok(content_ingest_open(&c, data_digest, sizeof(data), "u", 0, &in, &e) == 0, "open ingest");
	ok(content_ingest_write(&in, data, 100000, &e) == 0, "write a first part");
	content_ingest_close(&c, &in, false);
	ok(content_ingest_open(&c, data_digest, sizeof(data), "u", 0, &in, &e) == 0, "reopen");
	is_int(in.resumed, 100000, "resumes at the saved offset");
	ok(!in.rehashed, "from the saved hash state, without re-reading");
	ok(content_ingest_write(&in, data + 100000, 200001, &e) < 0,
	   "more than the size is refused");
	ok(content_ingest_write(&in, data + 100000, sizeof(data) - 100000, &e) == 0,
	   "write the rest");
	ok(content_ingest_commit(&c, &in, &e) == 0, "commit verifies and publishes");
	ok(content_has(&c, data_digest, sizeof(data)), "the blob is in the store");
	ok(fstatat(c.blobsfd, digest_hex(data_digest), &sb, 0) == 0 && (sb.st_mode & 0777) == 0444,
	   "read-only");
	ok(content_ingest_open(&c, data_digest, sizeof(data), "u", 0, &in, &e) == 1,
	   "a present blob needs no ingest");
}

static void
test_content_ingest_bad_state(void)
{
	char other[64 * 1024], dg[DIGEST_STR_LEN + 1];
	_cleanup_free_ char *state = NULL;
	struct content_ingest in;
	struct err e;
	int dfd;

	memset(other, 'x', sizeof(other));
	digest_buf(other, sizeof(other), dg);
	content_ingest_open(&c, dg, sizeof(other), NULL, 0, &in, &e);
	content_ingest_write(&in, other, 5000, &e);
	content_ingest_close(&c, &in, false);
	state = xasprintf("ingest/%s", digest_hex(dg));
	dfd = openat(c.dirfd, state, O_RDONLY | O_DIRECTORY);
	ok(dfd >= 0 && pwrite(openat(dfd, "sha256state", O_WRONLY), "junk", 4, 12) == 4,
	   "corrupt the saved state");
	close(dfd);
	ok(content_ingest_open(&c, dg, sizeof(other), NULL, 0, &in, &e) == 0, "reopen");
	ok(in.rehashed && in.resumed == 5000, "falls back to re-hashing the partial data");
	content_ingest_write(&in, other + 5000, sizeof(other) - 5000, &e);
	ok(content_ingest_commit(&c, &in, &e) == 0, "and still verifies");
}

static void
test_content_ingest_mismatch(void)
{
	char dg[DIGEST_STR_LEN + 1];
	struct content_ingest in;
	struct err e;
	struct stat sb;
	_cleanup_free_ char *dir = NULL;

	digest_buf("right", 5, dg);
	content_ingest_open(&c, dg, 5, NULL, 0, &in, &e);
	content_ingest_write(&in, "wrong", 5, &e);
	ok(content_ingest_commit(&c, &in, &e) < 0, "a digest mismatch fails");
	dir = xasprintf("ingest/%s", digest_hex(dg));
	ok(fstatat(c.dirfd, dir, &sb, 0) < 0, "and the ingest is removed");
	ok(!content_has(&c, dg, -1), "nothing is published");
}

static void
test_content_index_add(void)
{
	json_t *d1 =
	    json_pack("{s:s, s:s, s:i}", "mediaType", "m", "digest", data_digest, "size", 1);
	json_t *idx;
	struct err e;

	ok(content_index_add(&c, d1, "a:1", &e) == 0, "add an entry");
	ok(content_index_add(&c, d1, "a:1", &e) == 0, "add it again");
	ok(content_index_add(&c, d1, "b:1", &e) == 0, "another name");
	idx = jsonio_load_at(c.dirfd, "index.json", 1 << 20, &e);
	is_int(json_array_size(json_object_get(idx, "manifests")), 2, "one entry per name");
	json_decref(idx);
	json_decref(d1);
}

/* The names of the layout index under dirfd/rel, sorted, space-separated (new string). */
static char *
ref_names(int dirfd, const char *rel)
{
	json_auto_t *idx = jsonio_load_at(dirfd, rel, 1 << 20, &(struct err){0});
	char *out = xstrdup("");
	json_t *m;
	size_t i;

	json_array_foreach(json_object_get(idx, "manifests"), i, m) {
		char *next = xasprintf("%s%s%s", out, *out ? " " : "",
				       jsonio_str(json_object_get(m, "annotations"),
						  "org.opencontainers.image.ref.name"));
		free(out);
		out = next;
	}
	return out;
}

static void
test_content_index_namespaces(void)
{
	json_t *d1 =
	    json_pack("{s:s, s:s, s:i}", "mediaType", "m", "digest", data_digest, "size", 1);
	struct content a;
	struct err e;
	char *got;
	json_t *x;

	state_set_ns(&st, "nsa");
	ok(content_open(&st, &a, &e) == 0, "open as namespace nsa");
	ok(content_index_get(&a, "a:1", &e) == NULL, "the default namespace's name is not nsa's");
	ok(content_index_add(&a, d1, "own:1", &e) == 0, "add a name in nsa");
	got = ref_names(st.rootfd, "layouts/nsa/index.json");
	is_str(got, "own:1", "it is in layouts/nsa only");
	free(got);
	got = ref_names(c.dirfd, "index.json");
	is_str(got, "a:1 b:1", "content/index.json keeps the default namespace's");
	free(got);
	ok((x = content_index_get(&a, "own:1", &e)) != NULL, "read back in nsa");
	json_decref(x);
	ok(content_index_get(&c, "own:1", &e) == NULL && !strcmp(e.code, "not-found"),
	   "not in the default namespace");
	ok(content_has(&a, data_digest, -1), "blobs are shared");
	ok(content_index_remove(&a, "own:1", &e) == 0, "remove it in nsa");
	got = ref_names(st.rootfd, "layouts/nsa/index.json");
	is_str(got, "", "gone from nsa's layout");
	free(got);
	content_release(&a);
	state_set_ns(&st, "default");
	json_decref(d1);
}

static void
test_content_writer(void)
{
	struct content_writer w;
	char dg[DIGEST_STR_LEN + 1];
	struct err e;

	ok(content_writer_open(&c, &w, &e) == 0, "open a stream");
	ok(content_writer_write(&w, data, 1000, &e) == 0 &&
	       content_writer_write(&w, data + 1000, sizeof(data) - 1000, &e) == 0,
	   "write it in two parts");
	ok(content_writer_commit(&c, &w, dg, &e) == 0, "publish it");
	is_str(dg, data_digest, "named by the digest of all its bytes");
	ok(content_has(&c, dg, sizeof(data)), "present with its size");
	ok(content_writer_open(&c, &w, &e) == 0 && content_writer_write(&w, "x", 1, &e) == 0,
	   "another stream");
	content_writer_abort(&c, &w);
	ok(faccessat(c.blobsfd, w.tmp, F_OK, 0) < 0, "aborted: its temporary file is gone");
}

int
main(void)
{
	struct err e;

	setup();
	RUN(test_content_layout);
	RUN(test_content_put_read);
	RUN(test_content_corrupt_blob);
	RUN(test_content_bad_marks);
	RUN(test_content_ingest_resume);
	RUN(test_content_ingest_bad_state);
	RUN(test_content_ingest_mismatch);
	RUN(test_content_index_add);
	RUN(test_content_index_namespaces);
	RUN(test_content_writer);
	content_release(&c);
	path_rm_rf(AT_FDCWD, st.root, &e);
	state_release(&st);
	return tap_done();
}
