/* SPDX-License-Identifier: Apache-2.0 */
/* Blobs written as a stream whose digest is known only at its end (a layer that a diff makes). */
#include "content.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdio.h"

int
content_writer_open(const struct content *c, struct content_writer *w, struct err *e)
{
	static unsigned seq;

	/* a temp name of afile's shape: gc removes it once this pid is gone */
	snprintf(w->tmp, sizeof(w->tmp), ".stream-%u.tmp-%ld", seq++, (long)getpid());
	w->fd =
	    openat(c->blobsfd, w->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0444);
	if (w->fd < 0)
		return err_set(e, errno, "create 'content/blobs/sha256/%s'", w->tmp);
	digester_init(&w->d);
	w->size = 0;
	return 0;
}

int
content_writer_write(struct content_writer *w, const void *buf, size_t n, struct err *e)
{
	if (fdio_write_full(w->fd, buf, n) < 0)
		return err_set(e, errno, "write 'content/blobs/sha256/%s'", w->tmp);
	digester_update(&w->d, buf, n);
	w->size += (int64_t)n;
	return 0;
}

int
content_writer_commit(const struct content *c, struct content_writer *w,
		      char out[DIGEST_STR_LEN + 1], struct err *e)
{
	digester_final(&w->d, out);
	/* the same bytes under the same name: a blob present already is kept as it is */
	if (content_has(c, out, w->size)) {
		content_writer_abort(c, w);
		return 0;
	}
	/* one way into blobs/ for every writer: read-only, synced, renamed */
	if (content_publish(c, w->fd, c->blobsfd, w->tmp, out, e) < 0) {
		content_writer_abort(c, w);
		return -1;
	}
	close(w->fd);
	w->fd = -1;
	digester_release(&w->d);
	return 0;
}

void
content_writer_abort(const struct content *c, struct content_writer *w)
{
	if (w->fd < 0)
		return;
	close(w->fd);
	w->fd = -1;
	unlinkat(c->blobsfd, w->tmp, 0);
	digester_release(&w->d);
}
