/* SPDX-License-Identifier: Apache-2.0 */
/* Disk usage of a snapshot's own layer, counted as du(1) counts. */
#include "snapshot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "du.h"
#include "jsonio.h"
#include "snapshot-driver.h"
#include "xmem.h"

int
snapshot_usage(struct snapshot_store *s, const char *key, long long *bytes, long long *inodes,
	       struct err *e)
{
	json_auto_t *rec = NULL;
	_cleanup_free_ char *rel = NULL;
	struct du u = {0};
	struct stat st;
	int fd, r;

	if (snapshot_check_key(key, "key", e) < 0 || !(rec = snapshot_meta_load(s, key, e)))
		return -1;
	rel = xasprintf("%s/fs", jsonio_str(rec, "id"));
	fd = openat(s->dirfd, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		err_set(e, errno, "open '%s/%s'", s->path, rel);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	du_count(&u, &st);
	r = du_dir(&u, fd, e);
	du_release(&u);
	if (r < 0)
		return err_prefix(e, "usage of '%s'", key);
	*bytes = u.bytes;
	*inodes = u.inodes;
	return 0;
}
