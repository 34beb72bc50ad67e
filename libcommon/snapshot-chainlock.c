/* SPDX-License-Identifier: Apache-2.0 */
/* Chain locks: one maker at a time of a committed chain ID, whatever its state directory. */
#include "snapshot.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "digest.h"
#include "lock.h"
#include "path.h"
#include "snapshot-driver.h"

#define PREFIX "chain-"
#define SUFFIX ".lock"
#define NAME_LEN (sizeof(PREFIX) - 1 + DIGEST_HEX_LEN + sizeof(SUFFIX) - 1)

/* "chain-<hex>.lock" for chain "sha256:<hex>", checked before it becomes a path. */
static int
lock_name(const char *chain, char out[NAME_LEN + 1], struct err *e)
{
	if (digest_check(chain, "chain ID", e) < 0)
		return -1;
	snprintf(out, NAME_LEN + 1, PREFIX "%s" SUFFIX, digest_hex(chain));
	return 0;
}

static bool
is_lock_name(const char *n)
{
	size_t p = sizeof(PREFIX) - 1;

	return strlen(n) == NAME_LEN && !strncmp(n, PREFIX, p) &&
	       strspn(n + p, "0123456789abcdef") == DIGEST_HEX_LEN &&
	       !strcmp(n + p + DIGEST_HEX_LEN, SUFFIX);
}

int
snapshot_chain_lock(struct snapshot_store *s, const char *chain, struct err *e)
{
	char name[NAME_LEN + 1];
	int fd;

	if (lock_name(chain, name, e) < 0)
		return -1;
	if ((fd = lock_transient_at(s->dirfd, name, e)) < 0)
		return err_prefix(e, "%s", s->path);
	return fd;
}

void
snapshot_chain_unlock(struct snapshot_store *s, const char *chain, int fd)
{
	char name[NAME_LEN + 1];
	struct err ignored;

	if (fd < 0)
		return;
	if (lock_name(chain, name, &ignored) < 0) {
		close(fd);
		return;
	}
	lock_transient_release(s->dirfd, name, fd);
}

int
snapshot_chain_reap(struct snapshot_store *s, bool keep, json_t *removed, struct err *e)
{
	_cleanup_closedir_ DIR *d = path_opendir(s->dirfd, ".", s->path, e);
	struct dirent *de;

	if (!d)
		return -1;
	while ((errno = 0, de = readdir(d))) {
		int r;

		/* a chain lock is a file: a directory of that name is not ours to open */
		if (!is_lock_name(de->d_name) || (de->d_type != DT_REG && de->d_type != DT_UNKNOWN))
			continue;
		if ((r = lock_transient_reap(s->dirfd, de->d_name, keep, e)) < 0)
			return err_prefix(e, "%s", s->path);
		if (r)
			json_array_append_new(removed, json_string(de->d_name));
	}
	return errno ? err_set(e, errno, "readdir '%s'", s->path) : 0;
}
