/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The namespace's event log: $CTR_STATE/<ns>/events.jsonl, one JSON object a
 * line, appended by whoever does the thing (ctr-run for create, pause, resume,
 * kill, delete; the shim for start, exit, oom, exec), read by `ctr-run events`.
 * Past EVENTLOG_MAX bytes it turns over to events.jsonl.1, so at most twice
 * that is kept; it lives in the run directory, so a reboot empties it.
 */
#ifndef CTR_EVENTLOG_H
#define CTR_EVENTLOG_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#define EVENTLOG_NAME "events.jsonl"
#define EVENTLOG_OLD "events.jsonl.1"
#define EVENTLOG_MAX (1 << 20)

/*
 * Is name one of the log's files? They share the namespace's run directory
 * with the containers' state directories ($CTR_STATE/<ns>/<id>), so no
 * container may have such an id.
 */
bool eventlog_file(const char *name);

/*
 * Append {"time":NOW,"id":id, ...ev's members} to the log in nsdir (the
 * namespace's run directory); ev is borrowed. Best effort: an event that
 * cannot be written is lost, never the operation that made it; -1 then.
 */
int eventlog_append(const char *nsdir, const char *id, const json_t *ev);

/* A reader that follows the log across turnovers. */
struct eventlog_reader {
	int dirfd, fd, ifd; /* the namespace directory, the file read, inotify on the directory */
	ino_t ino;	    /* of the file fd reads */
	bool old;	    /* fd reads events.jsonl.1 */
	char *buf;	    /* a partial line carried to the next read */
	size_t len, cap;
};

/*
 * Open nsdir's log for reading: from the oldest kept event when from_start
 * (events.jsonl.1 first), else from its current end. A log not yet written
 * is waited for. -1 with errno when nsdir cannot be opened.
 */
int eventlog_open(struct eventlog_reader *r, const char *nsdir, bool from_start);
/* The next complete line, parsed (JSON objects only; other lines skipped); NULL when none is
 * there yet. The caller owns the result. */
json_t *eventlog_next(struct eventlog_reader *r);
/* The fd to poll for more (an inotify fd watching nsdir), or -1. */
int eventlog_wait_fd(struct eventlog_reader *r);
void eventlog_close(struct eventlog_reader *r);

#endif
