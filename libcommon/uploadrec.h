/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Upload records: $ROOT/uploads/KEY.json, one blob upload to one repository
 * in progress (the registry's Location and the offset it acknowledged), so
 * that a push killed midway resumes where the registry stopped (ctr-state(5)).
 */
#ifndef CTR_UPLOADREC_H
#define CTR_UPLOADREC_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "err.h"

/* The record of one blob to one repository, held by its lock while a push owns it. */
struct uploadrec {
	int dirfd;  /* $ROOT/uploads (borrowed) */
	int lockfd; /* KEY.lock, held; -1 when another push owns the session: not recorded */
	char key[65];
	const char *registry, *repo, *digest; /* borrowed */
};

/*
 * Take the record of digest pushed to registry/repo in dirfd ($ROOT/uploads).
 * *location (new string) and *offset get the session it holds, or NULL and 0.
 * When another live push holds it, u->lockfd is -1: the caller uploads afresh
 * and nothing is recorded.
 */
int uploadrec_claim(int dirfd, const char *registry, const char *repo, const char *digest,
		    struct uploadrec *u, char **location, int64_t *offset, struct err *e);
/* Record that the registry acknowledged offset bytes of size at location. */
int uploadrec_save(struct uploadrec *u, const char *location, int64_t offset, int64_t size,
		   struct err *e);
/* The upload ended (the blob is in the registry, or the session is dead): forget it. */
void uploadrec_drop(struct uploadrec *u);
/* Unlock, keeping the record for a later resume. */
void uploadrec_release(struct uploadrec *u);

/* The longest name of an entry of $ROOT/uploads, with its NUL. */
#define UPLOADREC_NAME_MAX 72
/*
 * Is the entry name of $ROOT/uploads (dirfd) to be removed: a record last
 * written more than keep_secs before now whose owner is gone, or a lock file
 * of no record that nobody holds? When true, *lockfd holds the entry's lock
 * (lockname) until the caller has removed both and closes it.
 */
bool uploadrec_stale(int dirfd, const char *name, time_t now, long long keep_secs, int *lockfd,
		     char lockname[UPLOADREC_NAME_MAX]);

#endif
