/* SPDX-License-Identifier: Apache-2.0 */
/* Disk usage of a tree, counted as du(1) counts, by a walk or by its removal. */
#ifndef CTR_DU_H
#define CTR_DU_H

#include <stddef.h>
#include <sys/stat.h>

#include "err.h"

/* A running count; zero it ({0}) to start, du_release it when done. */
struct du {
	long long bytes, inodes; /* allocated (st_blocks * 512), entries; hard links once */
	struct stat *seen;	 /* multiply-linked files already counted */
	size_t n, cap;
};

void du_release(struct du *u);
/* Count one entry. */
void du_count(struct du *u, const struct stat *st);
/* Count the entries under directory fd (taken), recursively, not following links. */
int du_dir(struct du *u, int fd, struct err *e);
/*
 * The tree at rel under dirfd, links not followed: *bytes allocated and
 * *inodes, the top directory and each hard-linked file counted once.
 */
int du_at(int dirfd, const char *rel, long long *bytes, long long *inodes, struct err *e);
/*
 * rm -rf of name under dirfd (a directory or anything else; absent is
 * success, and so is a tree another removal takes meanwhile), never crossing a mount point (code "busy", naming it) nor
 * following a link, counting what it removes in u: one pass where a du and
 * then a removal would read every directory twice. u NULL counts nothing and
 * stats no entry whose type the directory gives (path_rm_rf). Directories are
 * emptied by up to one thread a core (du-remove.c), joined before it returns,
 * or by the caller's alone where no thread can start (a seccomp filter); on
 * failure, what went before is gone. The kernel may hold a joined thread a
 * moment longer: setns(2) into a user or mount namespace, which wants a
 * process of one thread, is for before a removal or for another process.
 */
int du_remove(struct du *u, int dirfd, const char *name, struct err *e);

#endif
