/* SPDX-License-Identifier: Apache-2.0 */
/* The content store: an OCI image layout of verified blobs under $ROOT/content. */
#include "content.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "afile.h"
#include "cleanup.h"
#include "fdio.h"
#include "jsonio.h"
#include "lock.h"
#include "path.h"
#include "xmem.h"

#define INDEX_MAX (64u << 20)
#define REF_NAME "org.opencontainers.image.ref.name"

int
content_ensure_file(int dirfd, const char *name, const char *text, struct err *e)
{
	struct stat sb;

	if (fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0)
		return S_ISREG(sb.st_mode) ? 0 : err_code(e, "invalid", "'%s' is not a file", name);
	if (errno != ENOENT)
		return err_set(e, errno, "stat '%s'", name);
	return afile_write(dirfd, name, text, strlen(text), 0644, e);
}

static int
init_layout(int dirfd, struct err *e)
{
	_cleanup_close_ int lk = -1;

	if (path_mkdir_p(dirfd, "blobs/sha256", 0755, e) < 0 ||
	    path_mkdir_p(dirfd, "ingest", 0700, e) < 0)
		return -1;
	/* two first pulls at once must not both decide index.json is missing */
	lk = lock_at(dirfd, "ingest/index.lock", 0, e);
	if (lk < 0)
		return -1;
	if (content_ensure_file(dirfd, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}\n", e) < 0)
		return -1;
	return content_ensure_file(dirfd, "index.json", CONTENT_INDEX_NEW("default"), e);
}

int
content_open(const struct state *st, struct content *c, struct err *e)
{
	c->dirfd = c->blobsfd = -1;
	c->ns = NULL;
	c->dirfd = state_dir(st, "content", 0, e);
	if (c->dirfd < 0)
		return -1;
	if (init_layout(c->dirfd, e) < 0)
		goto fail;
	c->blobsfd =
	    openat(c->dirfd, "blobs/sha256", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (c->blobsfd < 0) {
		err_set(e, errno, "open '%s/content/blobs/sha256'", st->root);
		goto fail;
	}
	c->rootfd = fcntl(st->rootfd, F_DUPFD_CLOEXEC, 3);
	if (c->rootfd < 0) {
		err_set(e, errno, "dup '%s'", st->root);
		goto fail;
	}
	c->ns = xstrdup(st->ns);
	return 0;
fail:
	err_prefix(e, "content store");
	content_release(c);
	return -1;
}

void
content_release(struct content *c)
{
	if (c->dirfd >= 0)
		close(c->dirfd);
	if (c->blobsfd >= 0)
		close(c->blobsfd);
	if (c->ns) {
		close(c->rootfd);
		free(c->ns);
	}
	c->dirfd = c->blobsfd = -1;
	c->ns = NULL;
}

bool
content_has(const struct content *c, const char *digest, int64_t size)
{
	struct stat sb;

	if (!digest_valid(digest))
		return false;
	if (fstatat(c->blobsfd, digest_hex(digest), &sb, AT_SYMLINK_NOFOLLOW) < 0)
		return false;
	return S_ISREG(sb.st_mode) && (size < 0 || sb.st_size == size);
}

int
content_open_blob(const struct content *c, const char *digest, struct err *e)
{
	int fd;

	if (digest_check(digest, "blob", e) < 0)
		return -1;
	fd = openat(c->blobsfd, digest_hex(digest), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return err_set(e, errno, "open blob %s", digest);
	return fd;
}

int
content_read_blob(const struct content *c, const char *digest, size_t max, char **out, size_t *len,
		  struct err *e)
{
	_cleanup_close_ int fd = content_open_blob(c, digest, e);
	_cleanup_free_ char *buf = NULL;
	char got[DIGEST_STR_LEN + 1];
	size_t n;

	if (fd < 0)
		return -1;
	if (fdio_read_all(fd, max, &buf, &n, e) < 0)
		return err_prefix(e, "blob %s", digest);
	digest_buf(buf, n, got);
	if (strcmp(got, digest))
		return err_code(e, "corrupt", "blob %s is corrupt on disk (its digest is %s)",
				digest, got);
	*out = steal_ptr(buf);
	if (len)
		*len = n;
	return 0;
}

json_t *
content_read_json(const struct content *c, const char *digest, size_t max, struct err *e)
{
	_cleanup_free_ char *buf = NULL;
	size_t n;

	if (content_read_blob(c, digest, max, &buf, &n, e) < 0)
		return NULL;
	return jsonio_parse(buf, n, digest, e);
}

int
content_put(const struct content *c, const void *buf, size_t len, char out[DIGEST_STR_LEN + 1],
	    struct err *e)
{
	_cleanup_free_ char *old = NULL;
	size_t oldlen;
	struct err ignored;

	digest_buf(buf, len, out);
	/* present and still hashing to its name (it is small): kept; rotted: replaced */
	if (content_has(c, out, (int64_t)len) &&
	    content_read_blob(c, out, len, &old, &oldlen, &ignored) == 0)
		return 0;
	/* the temp file is named by pid, so two writers of one blob do not collide */
	if (afile_write(c->blobsfd, digest_hex(out), buf, len, 0444, e) < 0)
		return err_prefix(e, "store blob %s", out);
	return 0;
}

int
content_publish(const struct content *c, int fd, int dirfd, const char *name, const char *digest,
		struct err *e)
{
	/* the blob is final: read-only, durable, then visible under its name */
	if (fchmod(fd, 0444) < 0 || fsync(fd) < 0)
		return err_set(e, errno, "sync blob %s", digest);
	if (renameat(dirfd, name, c->blobsfd, digest_hex(digest)) < 0)
		return err_set(e, errno, "publish blob %s", digest);
	if (fsync(c->blobsfd) < 0)
		return err_set(e, errno, "sync blobs directory");
	return 0;
}

/* Drop entries of index that carry refname, so the new one replaces them. */
static void
index_drop_ref(json_t *manifests, const char *refname)
{
	for (size_t i = json_array_size(manifests); i-- > 0;) {
		json_t *ann = json_object_get(json_array_get(manifests, i), "annotations");
		const char *r = jsonio_str(ann, REF_NAME);

		if (r && !strcmp(r, refname))
			json_array_remove(manifests, i);
	}
}

/* index.json of the layout dirfd and its "manifests" array (new reference). */
static json_t *
index_load(int dirfd, json_t **manifests, struct err *e)
{
	json_t *idx = jsonio_load_at(dirfd, "index.json", INDEX_MAX, e);

	if (!idx) {
		err_prefix(e, "layout index");
		return NULL;
	}
	*manifests = json_object_get(idx, "manifests");
	if (!json_is_array(*manifests)) {
		json_decref(idx);
		err_code(e, "corrupt", "index.json: no \"manifests\" array");
		return NULL;
	}
	return idx;
}

int
content_index_add(const struct content *c, const json_t *desc, const char *refname, struct err *e)
{
	_cleanup_close_ int lk = -1, fd = -1;
	json_auto_t *idx = NULL, *entry = NULL;
	json_t *manifests;

	if ((lk = lock_at(c->dirfd, "ingest/index.lock", 0, e)) < 0 ||
	    (fd = content_layout_open(c, true, e)) < 0 || !(idx = index_load(fd, &manifests, e)))
		return -1;
	entry = json_deep_copy(desc);
	if (!entry || !json_is_object(entry))
		return err_code(e, "invalid", "index entry is not an object");
	if (!json_is_object(json_object_get(entry, "annotations")))
		json_object_set_new(entry, "annotations", json_object());
	json_object_set_new(json_object_get(entry, "annotations"), REF_NAME, json_string(refname));
	index_drop_ref(manifests, refname);
	json_array_append(manifests, entry);
	return afile_write_json(fd, "index.json", idx, e);
}

json_t *
content_index_get(const struct content *c, const char *refname, struct err *e)
{
	_cleanup_close_ int fd = content_layout_open(c, false, e);
	json_auto_t *idx = NULL;
	json_t *manifests, *m;
	size_t i;

	if (fd < 0 || !(idx = index_load(fd, &manifests, e)))
		return NULL;
	json_array_foreach(manifests, i, m) {
		const char *r = jsonio_str(json_object_get(m, "annotations"), REF_NAME);

		if (r && !strcmp(r, refname))
			return json_deep_copy(m);
	}
	err_code(e, "not-found", "no entry '%s' in the layout of namespace '%s'", refname, c->ns);
	return NULL;
}

int
content_index_remove(const struct content *c, const char *refname, struct err *e)
{
	_cleanup_close_ int lk = -1, fd = -1;
	json_auto_t *idx = NULL;
	json_t *manifests;
	size_t before;

	if ((lk = lock_at(c->dirfd, "ingest/index.lock", 0, e)) < 0)
		return -1;
	if ((fd = content_layout_open(c, false, e)) < 0)
		return e->code && !strcmp(e->code, "not-found") ? 0 : -1;
	if (!(idx = index_load(fd, &manifests, e)))
		return -1;
	before = json_array_size(manifests);
	index_drop_ref(manifests, refname);
	if (json_array_size(manifests) == before)
		return 0;
	return afile_write_json(fd, "index.json", idx, e);
}
