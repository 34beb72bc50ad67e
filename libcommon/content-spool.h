/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A spool: files written into the content store before their digest is
 * known (the entries of an archive whose names are not digests), published
 * as blobs once the caller hashed and checked them.
 */
#ifndef CTR_CONTENT_SPOOL_H
#define CTR_CONTENT_SPOOL_H

#include "content.h"

/*
 * content/ingest/.spool.tmp-<pid>/<n>: on the store's filesystem, so that a
 * file becomes a blob by rename; gc removes the folder once pid is dead.
 */
struct content_spool {
	int dirfd;     /* the spool folder; -1 before content_spool_open */
	char *name;    /* its name under content/ingest */
	unsigned next; /* number of the next file */
};

/* Create the spool of this process (an old one of a dead process of the same pid is removed). */
int content_spool_open(const struct content *c, struct content_spool *sp, struct err *e);
/* A new file, open for writing (O_CLOEXEC); *id names it from now on. Returns the fd. */
int content_spool_create(struct content_spool *sp, unsigned *id, struct err *e);
/* File id opened for reading. Returns the fd. */
int content_spool_open_file(const struct content_spool *sp, unsigned id, struct err *e);
/*
 * Make file id the blob digest, which the caller computed from what it
 * wrote: read-only, synced, renamed into blobs/. A blob already there stays.
 */
int content_spool_publish(const struct content *c, const struct content_spool *sp, unsigned id,
			  const char *digest, struct err *e);
/* Remove the spool and every file left in it; a no-op on one never opened. */
void content_spool_release(const struct content *c, struct content_spool *sp);

#endif
