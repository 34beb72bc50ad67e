/* SPDX-License-Identifier: Apache-2.0 */
/* --unpack: a download teed into ctr-unpack --layer-stream appliers, one per layer it fills. */
#ifndef CTR_PULL_FEED_H
#define CTR_PULL_FEED_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "digest.h"
#include "err.h"

/* How appliers are started: the ctr-unpack binary and its global options. */
struct feed_cfg {
	const char *exe;
	char **gargv; /* NULL-ended: --root R -n NS ... */
	char **left;  /* keys of snapshots that appliers left and nobody will commit */
	size_t nleft;
};

/* exe, the global options, then extra (NULL-ended) as a new NULL-ended argv (strings borrowed). */
char **feed_argv(const struct feed_cfg *cfg, const char *const *extra);

/* One ctr-unpack --layer-stream process. */
struct applier {
	pid_t pid;	  /* 0 once reaped */
	int fd;		  /* the write end of its stdin pipe, -1 once closed */
	int outfd, errfd; /* memfds that take its stdout and stderr */
	bool dropped;	  /* given up on purpose: its failure is expected */
};

/* One layer of the image that this blob fills (a blob may fill several). */
struct feed_slot {
	size_t layer;
	const char *diff_id;
	struct applier *a; /* every applier started for it; a[na-1] is the current one */
	size_t na;
	bool live;  /* the current applier takes the bytes */
	bool ended; /* the stream is complete: close the pipe once pend is written */
	char *pend; /* bytes the pipe did not take yet */
	size_t plen, poff;
	int64_t fed; /* bytes given to the current applier, pend included */
	char key[96];
};

struct feed {
	struct feed_cfg *cfg;
	const char *digest, *media_type;
	int64_t size;
	struct feed_slot *s;
	size_t n;
};

/* Add a layer (index, diff_id: borrowed) that the blob's bytes must be applied to. */
void feed_add_slot(struct feed *f, size_t layer, const char *diff_id);
/* Does a pipe still hold back bytes? Then the download waits (CURL_WRITEFUNC_PAUSE). */
bool feed_busy(const struct feed *f);
/*
 * Give len bytes found at offset pos of the blob to the appliers. Each must
 * see every byte once and in order: an applier that would see a gap or a
 * repeat (a resume) is dropped, and a new one starts when pos is 0.
 */
int feed_data(struct feed *f, int64_t pos, const void *buf, size_t len, struct err *e);
/* The blob is complete and verified (ok), or the stream is given up (!ok: drop them). */
void feed_end(struct feed *f, bool ok);
/*
 * Write held-back bytes, close finished pipes, reap appliers that exited.
 * An applier that failed unexpectedly is an error (its stderr is relayed).
 */
int feed_service(struct feed *f, struct err *e);
/* The pipes with held-back bytes, as pollfds (at most max); returns how many. */
unsigned feed_pollfds(const struct feed *f, struct pollfd *p, unsigned max);
/* Is an applier of f still to be reaped? */
bool feed_running(const struct feed *f);
/*
 * Give up on every applier: open pipes close (they fail and remove their
 * snapshots); one that still finishes has its key added to cfg->left.
 */
void feed_abort(struct feed *f);
/* Add the keys of the snapshots that f's appliers left to cfg->left (a failure elsewhere). */
void feed_give_up(struct feed *f);
void feed_release(struct feed *f);
/* The last line a child wrote to the file fd, without its "PROG: fatal: " (for our message). */
void feed_last_line(int fd, char *out, size_t max);

#endif
