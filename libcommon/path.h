/* SPDX-License-Identifier: Apache-2.0 */
/* Checks on names that become paths, and directory helpers. */
#ifndef CTR_PATH_H
#define CTR_PATH_H

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "err.h"

/*
 * A name that becomes one path component (a snapshot key, a namespace): not
 * empty, not "." or "..", no '/', no control characters, at most max bytes.
 */
int path_check_name(const char *s, size_t max, struct err *e);
/*
 * A container or netns id: [A-Za-z0-9][A-Za-z0-9_.-]*, at most max bytes
 * (crun's and runc's rule, which keeps ids safe in paths, cgroups and argv).
 */
int path_check_id(const char *s, size_t max, struct err *e);
/*
 * A directory stream on rel under dirfd, links not followed ("." for dirfd
 * itself: readdir wants an open file of its own). NULL with e set, "open
 * 'what'", and e->sys ENOENT when there is no such directory.
 */
DIR *path_opendir(int dirfd, const char *rel, const char *what, struct err *e);
/* mkdir -p of rel under dirfd (AT_FDCWD for cwd), each new directory with mode. */
int path_mkdir_p(int dirfd, const char *rel, mode_t mode, struct err *e);
/*
 * rm -rf of name under dirfd, not crossing mount points nor following links:
 * du_remove counting nothing (du.h), which says how.
 */
int path_rm_rf(int dirfd, const char *name, struct err *e);
/*
 * rm -rf of directory rel under dirfd that is out of sight first: renamed
 * .gone-BASE beside itself in one step, then removed (an old .gone-BASE
 * first). A removal killed half-way leaves no BASE with half its files for
 * a reader to meet, only .gone-BASE, which anyone may finish: readers skip
 * dot names, and path_is_gone says which to sweep. Absent is success.
 */
int path_rm_rf_hidden(int dirfd, const char *rel, struct err *e);
/* Is name (one component) what path_rm_rf_hidden leaves when killed? */
bool path_is_gone(const char *name);

#endif
