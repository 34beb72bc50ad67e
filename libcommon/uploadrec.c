/* SPDX-License-Identifier: Apache-2.0 */
/* Upload records: the session of a partly pushed blob, kept for a resume, swept by gc. */
#include "uploadrec.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "afile.h"
#include "cleanup.h"
#include "digest.h"
#include "jsonio.h"
#include "lock.h"
#include "owner.h"
#include "xmem.h"

#define UPLOADREC_MAX (64u << 10)

/* KEY: the hex sha256 of "REGISTRY/REPOSITORY@DIGEST", a fixed-length file name. */
static void
rec_key(const char *registry, const char *repo, const char *digest, char key[65])
{
	_cleanup_free_ char *s = xasprintf("%s/%s@%s", registry, repo, digest);
	char dg[DIGEST_STR_LEN + 1];

	digest_buf(s, strlen(s), dg);
	snprintf(key, 65, "%s", digest_hex(dg));
}

/* The session the record holds, when it is the one of this blob and repository. */
static void
rec_load(struct uploadrec *u, char **location, int64_t *offset)
{
	_cleanup_free_ char *name = xasprintf("%s.json", u->key);
	struct err ignored;
	json_auto_t *rec = jsonio_load_at(u->dirfd, name, UPLOADREC_MAX, &ignored);
	json_int_t off = json_integer_value(json_object_get(rec, "offset"));

	if (!rec || strcmp(jsonio_str(rec, "digest") ?: "", u->digest) ||
	    strcmp(jsonio_str(rec, "repository") ?: "", u->repo) ||
	    strcmp(jsonio_str(rec, "registry") ?: "", u->registry) ||
	    !jsonio_str(rec, "location") || off < 0)
		return;
	*location = xstrdup(jsonio_str(rec, "location"));
	*offset = off;
}

int
uploadrec_claim(int dirfd, const char *registry, const char *repo, const char *digest,
		struct uploadrec *u, char **location, int64_t *offset, struct err *e)
{
	_cleanup_free_ char *lockname = NULL;

	memset(u, 0, sizeof(*u));
	u->dirfd = dirfd;
	u->registry = registry;
	u->repo = repo;
	u->digest = digest;
	*location = NULL;
	*offset = 0;
	rec_key(registry, repo, digest, u->key);
	lockname = xasprintf("%s.lock", u->key);
	u->lockfd = lock_at(dirfd, lockname, LOCK_TRY, e);
	if (u->lockfd < 0)
		return strcmp(e->code ?: "", "busy") ? -1 : 0;
	rec_load(u, location, offset);
	return 0;
}

int
uploadrec_save(struct uploadrec *u, const char *location, int64_t offset, int64_t size,
	       struct err *e)
{
	_cleanup_free_ char *name = xasprintf("%s.json", u->key);
	char owner[64] = "";
	json_auto_t *rec = NULL;

	if (u->lockfd < 0)
		return 0;
	owner_identity(getpid(), owner, sizeof(owner));
	rec = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:s}", "registry", u->registry,
			"repository", u->repo, "digest", u->digest, "location", location, "offset",
			(json_int_t)offset, "size", (json_int_t)size, "owner", owner);
	return afile_write_json(u->dirfd, name, rec, e);
}

void
uploadrec_drop(struct uploadrec *u)
{
	_cleanup_free_ char *name = xasprintf("%s.json", u->key);

	if (u->lockfd < 0)
		return;
	unlinkat(u->dirfd, name, 0);
	uploadrec_release(u);
}

void
uploadrec_release(struct uploadrec *u)
{
	if (u->lockfd >= 0)
		close(u->lockfd);
	u->lockfd = -1;
}

static bool
rec_name(const char *name, const char *suffix, char key[65])
{
	size_t n = strlen(name), k = strlen(suffix);

	if (n != 64 + k || strcmp(name + 64, suffix) || strspn(name, "0123456789abcdef") != 64)
		return false;
	snprintf(key, 65, "%.64s", name);
	return true;
}

bool
uploadrec_stale(int dirfd, const char *name, time_t now, long long keep_secs, int *lockfd,
		char lockname[UPLOADREC_NAME_MAX])
{
	char key[65], rec[UPLOADREC_NAME_MAX];
	struct stat sb;
	struct err e;

	*lockfd = -1;
	if (!rec_name(name, ".json", key) && !rec_name(name, ".lock", key))
		return false;
	snprintf(rec, UPLOADREC_NAME_MAX, "%s.json", key);
	snprintf(lockname, UPLOADREC_NAME_MAX, "%s.lock", key);
	if (fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
		return false;
	/* an idle record is kept a while: the next push of the blob resumes from it */
	if (!strcmp(name, rec) && now - sb.st_mtime < keep_secs)
		return false;
	/* a lock file goes with its record, or alone when there is none */
	if (strcmp(name, rec) && fstatat(dirfd, rec, &sb, AT_SYMLINK_NOFOLLOW) == 0)
		return false;
	/* the owner of a session holds its lock as long as it lives */
	*lockfd = lock_at(dirfd, lockname, LOCK_TRY, &e);
	return *lockfd >= 0;
}
