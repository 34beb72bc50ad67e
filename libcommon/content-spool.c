/* SPDX-License-Identifier: Apache-2.0 */
/* Files of unknown digest in the store's ingest folder, published as blobs by rename. */
#include "content-spool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "path.h"
#include "xmem.h"

int
content_spool_open(const struct content *c, struct content_spool *sp, struct err *e)
{
	struct err ignored;

	sp->next = 0;
	sp->name = xasprintf("ingest/.spool.tmp-%d", (int)getpid());
	/* our pid: a folder of that name is what a dead process left */
	path_rm_rf(c->dirfd, sp->name, &ignored);
	if (mkdirat(c->dirfd, sp->name, 0700) < 0) {
		err_set(e, errno, "create '%s'", sp->name);
		goto fail;
	}
	sp->dirfd = openat(c->dirfd, sp->name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sp->dirfd >= 0)
		return 0;
	err_set(e, errno, "open '%s'", sp->name);
	unlinkat(c->dirfd, sp->name, AT_REMOVEDIR);
fail:
	free(sp->name);
	sp->name = NULL;
	sp->dirfd = -1;
	return -1;
}

int
content_spool_create(struct content_spool *sp, unsigned *id, struct err *e)
{
	char name[16];
	int fd;

	snprintf(name, sizeof(name), "%u", sp->next);
	fd = openat(sp->dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_set(e, errno, "create '%s/%s'", sp->name, name);
	*id = sp->next++;
	return fd;
}

int
content_spool_open_file(const struct content_spool *sp, unsigned id, struct err *e)
{
	char name[16];
	int fd;

	snprintf(name, sizeof(name), "%u", id);
	fd = openat(sp->dirfd, name, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? err_set(e, errno, "open '%s/%s'", sp->name, name) : fd;
}

int
content_spool_publish(const struct content *c, const struct content_spool *sp, unsigned id,
		      const char *digest, struct err *e)
{
	_cleanup_close_ int fd = -1;
	char name[16];

	if (digest_check(digest, "blob", e) < 0)
		return -1;
	if (content_has(c, digest, -1))
		return 0;
	if ((fd = content_spool_open_file(sp, id, e)) < 0)
		return -1;
	snprintf(name, sizeof(name), "%u", id);
	return content_publish(c, fd, sp->dirfd, name, digest, e);
}

void
content_spool_release(const struct content *c, struct content_spool *sp)
{
	struct err ignored;

	if (sp->dirfd < 0)
		return;
	close(sp->dirfd);
	sp->dirfd = -1;
	path_rm_rf(c->dirfd, sp->name, &ignored);
	free(sp->name);
	sp->name = NULL;
}
