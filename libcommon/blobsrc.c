/* SPDX-License-Identifier: Apache-2.0 */
/* Blob sources: content/sources/HEX.json, one small record per blob, written under one lock. */
#include "blobsrc.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "afile.h"
#include "cleanup.h"
#include "jsonio.h"
#include "lock.h"
#include "xmem.h"

#define BLOBSRC_FILE_MAX (64u << 10)

static int
open_dir(const struct content *c, bool create, struct err *e)
{
	int fd;

	if (create && mkdirat(c->dirfd, "sources", 0755) < 0 && errno != EEXIST)
		return err_set(e, errno, "create 'content/sources'");
	fd = openat(c->dirfd, "sources", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, errno, "open 'content/sources'");
	return fd;
}

/* The sources array of a record; a missing or bad record has none. New reference. */
static json_t *
load(int dirfd, const char *digest)
{
	_cleanup_free_ char *name = xasprintf("%s.json", digest_hex(digest));
	struct err ignored;
	json_auto_t *rec = jsonio_load_at(dirfd, name, BLOBSRC_FILE_MAX, &ignored);
	json_t *list = json_object_get(rec, "sources");

	return json_is_array(list) ? json_incref(list) : json_array();
}

static bool
same(const json_t *s, const char *registry, const char *repo)
{
	return !strcmp(jsonio_str(s, "registry") ?: "", registry) &&
	       !strcmp(jsonio_str(s, "repository") ?: "", repo);
}

int
blobsrc_add(const struct content *c, const char *digest, const char *registry, const char *repo,
	    struct err *e)
{
	_cleanup_close_ int dfd = -1, lk = -1;
	_cleanup_free_ char *name = xasprintf("%s.json", digest_hex(digest));
	json_auto_t *old = NULL, *list = json_array(), *rec = NULL;
	json_t *s;
	size_t i;

	if ((dfd = open_dir(c, true, e)) < 0 || (lk = lock_at(dfd, ".lock", 0, e)) < 0)
		return err_prefix(e, "sources of %s", digest);
	old = load(dfd, digest);
	json_array_append_new(list,
			      json_pack("{s:s, s:s}", "registry", registry, "repository", repo));
	json_array_foreach(old, i, s) {
		if (json_array_size(list) < BLOBSRC_MAX && jsonio_str(s, "registry") &&
		    jsonio_str(s, "repository") && !same(s, registry, repo))
			json_array_append(list, s);
	}
	/* the same first entry: nothing to write */
	if (json_equal(old, list))
		return 0;
	rec = json_pack("{s:s, s:O}", "digest", digest, "sources", list);
	return afile_write_json(dfd, name, rec, e) < 0 ? err_prefix(e, "sources of %s", digest) : 0;
}

json_t *
blobsrc_repos(const struct content *c, const char *digest, const char *registry)
{
	struct err ignored;
	_cleanup_close_ int dfd = open_dir(c, false, &ignored);
	json_auto_t *list = dfd < 0 ? json_array() : load(dfd, digest);
	json_t *out = json_array(), *s;
	size_t i;

	json_array_foreach(list, i, s) {
		if (!strcmp(jsonio_str(s, "registry") ?: "", registry) &&
		    jsonio_str(s, "repository"))
			json_array_append_new(out, json_string(jsonio_str(s, "repository")));
	}
	return out;
}

json_t *
blobsrc_all(const struct content *c, const char *digest)
{
	struct err ignored;
	_cleanup_close_ int dfd = open_dir(c, false, &ignored);

	return dfd < 0 ? json_array() : load(dfd, digest);
}

bool
blobsrc_orphan(const struct content *c, const char *name)
{
	size_t n = strlen(name);
	_cleanup_free_ char *dg = NULL;

	if (n != DIGEST_HEX_LEN + 5 || strcmp(name + DIGEST_HEX_LEN, ".json") ||
	    strspn(name, "0123456789abcdef") != DIGEST_HEX_LEN)
		return false;
	dg = xasprintf("sha256:%.64s", name);
	return !content_has(c, dg, -1);
}
