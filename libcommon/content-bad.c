/* SPDX-License-Identifier: Apache-2.0 */
/* Marks of blobs that ctr-image check found bad: content/bad/HEX.json, read by ctr-pull. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "afile.h"
#include "cleanup.h"
#include "content.h"
#include "xmem.h"

int
content_mark_bad(const struct content *c, const char *digest, const char *problem, struct err *e)
{
	_cleanup_free_ char *name = NULL;
	_cleanup_close_ int fd = -1;
	json_auto_t *rec = NULL;

	if (digest_check(digest, "blob", e) < 0)
		return -1;
	if (mkdirat(c->dirfd, CONTENT_BAD_DIR, 0755) < 0 && errno != EEXIST)
		return err_set(e, errno, "create 'content/%s'", CONTENT_BAD_DIR);
	fd = openat(c->dirfd, CONTENT_BAD_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, errno, "open 'content/%s'", CONTENT_BAD_DIR);
	name = xasprintf("%s.json", digest_hex(digest));
	rec = json_pack("{s:s, s:s, s:I}", "digest", digest, "problem", problem, "checked",
			(json_int_t)time(NULL));
	/* one writer wins, and each wrote a whole record: no lock needed */
	return afile_write_json(fd, name, rec, e);
}

bool
content_marked_bad(const struct content *c, const char *digest)
{
	_cleanup_free_ char *rel = NULL;

	if (!digest_valid(digest))
		return false;
	rel = xasprintf("%s/%s.json", CONTENT_BAD_DIR, digest_hex(digest));
	return faccessat(c->dirfd, rel, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

void
content_unmark_bad(const struct content *c, const char *digest)
{
	_cleanup_free_ char *rel = NULL;

	if (!digest_valid(digest))
		return;
	rel = xasprintf("%s/%s.json", CONTENT_BAD_DIR, digest_hex(digest));
	unlinkat(c->dirfd, rel, 0);
}
