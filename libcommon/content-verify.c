/* SPDX-License-Identifier: Apache-2.0 */
/* A stored blob re-read and re-hashed: what ctr-image check and ctr-pull --verify ask. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "content.h"
#include "digest.h"
#include "lock.h"
#include "xmem.h"

#define CHUNK (1u << 20)

char *
content_blob_problem(const struct content *c, const char *digest, int64_t size)
{
	struct err e;
	_cleanup_close_ int fd = content_open_blob(c, digest, &e);
	_cleanup_free_ char *buf = NULL;
	char got[DIGEST_STR_LEN + 1];
	struct digester d;
	struct stat sb;
	ssize_t n;

	if (fd < 0)
		return xstrdup(e.sys == ENOENT ? "missing" : e.msg);
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode))
		return xstrdup("not a regular file");
	if (sb.st_size != size)
		return xasprintf("size %lld, its descriptor says %lld", (long long)sb.st_size,
				 (long long)size);
	buf = xmalloc(CHUNK);
	digester_init(&d);
	while ((n = read(fd, buf, CHUNK)) > 0)
		digester_update(&d, buf, (size_t)n);
	digester_final(&d, got);
	digester_release(&d);
	if (n < 0)
		return xasprintf("unreadable: %s", strerror(errno));
	return strcmp(got, digest) ? xasprintf("corrupt: its content hashes to %s", got) : NULL;
}

int
content_drop_blob(const struct content *c, const char *digest, struct err *e)
{
	_cleanup_free_ char *lk = NULL;
	_cleanup_close_ int fd = -1;

	if (digest_check(digest, "blob", e) < 0)
		return -1;
	/* under its ingest lock: nobody is writing it while it goes */
	lk = xasprintf("ingest/%s.lock", digest_hex(digest));
	if ((fd = lock_at(c->dirfd, lk, 0, e)) < 0)
		return -1;
	if (unlinkat(c->blobsfd, digest_hex(digest), 0) < 0 && errno != ENOENT)
		return err_set(e, errno, "remove blob %s", digest);
	return 0;
}
