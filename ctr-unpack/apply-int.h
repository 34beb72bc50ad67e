/* SPDX-License-Identifier: Apache-2.0 */
/* Internals shared by apply.c (the stream) and entry.c (one tar entry onto the tree). */
#ifndef CTR_UNPACK_APPLY_INT_H
#define CTR_UNPACK_APPLY_INT_H

#include <archive.h>
#include <archive_entry.h>
#include <stdbool.h>
#include <time.h>

#include "apply.h"
#include "tarread.h"
#include "tree.h"

struct dirtime {
	char *canon;
	struct timespec ts[2];
};

struct applier {
	struct apply_opts o;
	struct tree t;
	struct tarread tr;
	struct dstream *ds;
	uint64_t entries;
	struct dirtime *dirs;
	size_t ndirs, dirs_cap;
};

/* Apply one tar entry (name as read) to the tree. */
int apply_entry(struct applier *ap, struct archive_entry *en, const char *name, struct err *e);
/* Remember a directory's times, set after the whole layer (base NULL: the root). */
void applier_defer_times(struct applier *ap, const char *pcanon, const char *base,
			 struct archive_entry *en);
/* atime (mtime when absent) and mtime of en. */
void entry_times(struct archive_entry *en, struct timespec ts[2]);

#endif
