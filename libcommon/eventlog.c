/* SPDX-License-Identifier: Apache-2.0 */
/* The namespace's event log: appended a line at a time, turned over at a size, followed. */
#include "eventlog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "timestamp.h"
#include "xmem.h"

#define LINE_MAX_BYTES (64 * 1024) /* a longer line is not an event of ours: dropped */

/* Past EVENTLOG_MAX: one appender (the one holding the lock) renames the file it wrote to, if
 * the name still means that file; appenders that opened it before keep appending to the old.
 * The others wait for the lock rather than go on appending while its holder is descheduled:
 * past the limit, each appender adds one line at most before the file is renamed. */
static void
turn_over(int dirfd, int fd)
{
	struct stat a, b;

	if (flock(fd, LOCK_EX) < 0)
		return;
	if (fstat(fd, &a) == 0 && a.st_size > EVENTLOG_MAX &&
	    fstatat(dirfd, EVENTLOG_NAME, &b, AT_SYMLINK_NOFOLLOW) == 0 && a.st_ino == b.st_ino)
		renameat(dirfd, EVENTLOG_NAME, dirfd, EVENTLOG_OLD);
	flock(fd, LOCK_UN);
}

bool
eventlog_file(const char *name)
{
	return !strcmp(name, EVENTLOG_NAME) || !strcmp(name, EVENTLOG_OLD);
}

int
eventlog_append(const char *nsdir, const char *id, const json_t *ev)
{
	char now[TIMESTAMP_LEN];
	json_t *o = json_object();
	char *line;
	int dirfd, fd, r = -1;
	size_t n;

	timestamp_now(now);
	json_object_set_new(o, "time", json_string(now));
	json_object_set_new(o, "id", json_string(id));
	json_object_update_missing(o, (json_t *)ev);
	line = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (!line)
		return -1;
	n = strlen(line);
	line = xrealloc(line, n + 2);
	line[n++] = '\n';
	dirfd = open(nsdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	fd = dirfd < 0 ? -1
		       : openat(dirfd, EVENTLOG_NAME,
				O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	/* one write with O_APPEND: lines of concurrent appenders never interleave */
	if (fd >= 0 && write(fd, line, n) == (ssize_t)n) {
		r = 0;
		if (lseek(fd, 0, SEEK_END) > EVENTLOG_MAX)
			turn_over(dirfd, fd);
	}
	if (fd >= 0)
		close(fd);
	if (dirfd >= 0)
		close(dirfd);
	free(line);
	return r;
}

/* Open name from its start; its inode in r->ino. */
static int
open_log(struct eventlog_reader *r, const char *name)
{
	struct stat st;
	int fd = openat(r->dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	r->ino = st.st_ino;
	return fd;
}

int
eventlog_open(struct eventlog_reader *r, const char *nsdir, bool from_start)
{
	memset(r, 0, sizeof(*r));
	r->fd = -1;
	r->dirfd = open(nsdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (r->dirfd < 0)
		return -1;
	r->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (r->ifd >= 0 &&
	    inotify_add_watch(r->ifd, nsdir, IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM) <
		0) {
		close(r->ifd);
		r->ifd = -1;
	}
	if (from_start && (r->fd = open_log(r, EVENTLOG_OLD)) >= 0) {
		r->old = true;
		return 0;
	}
	r->fd = open_log(r, EVENTLOG_NAME);
	if (r->fd >= 0 && !from_start)
		lseek(r->fd, 0, SEEK_END);
	return 0;
}

int
eventlog_wait_fd(struct eventlog_reader *r)
{
	return r->ifd;
}

/* A complete line out of r->buf, parsed; NULL when there is none (or it is not an object). */
static json_t *
take_line(struct eventlog_reader *r, bool *got)
{
	char *nl = r->len ? memchr(r->buf, '\n', r->len) : NULL;
	json_t *ev;
	size_t n;

	*got = nl != NULL;
	if (!nl)
		return NULL;
	n = (size_t)(nl - r->buf);
	ev = json_loadb(r->buf, n, JSON_REJECT_DUPLICATES, NULL);
	memmove(r->buf, nl + 1, r->len - n - 1);
	r->len -= n + 1;
	if (ev && !json_is_object(ev)) {
		json_decref(ev);
		ev = NULL;
	}
	return ev;
}

/* Read what fd has into r->buf: >0 bytes read, 0 at its end. */
static ssize_t
fill(struct eventlog_reader *r)
{
	ssize_t n;

	if (r->len == r->cap) {
		if (r->cap >= LINE_MAX_BYTES)
			r->len = 0; /* a line this long is no event: drop what came of it */
		else
			r->buf = xrealloc(r->buf, r->cap = r->cap ? r->cap * 2 : 4096);
	}
	do
		n = read(r->fd, r->buf + r->len, r->cap - r->len);
	while (n < 0 && errno == EINTR);
	if (n > 0)
		r->len += (size_t)n;
	return n > 0 ? n : 0;
}

json_t *
eventlog_next(struct eventlog_reader *r)
{
	char drain[4096];
	struct stat st;
	json_t *ev;
	bool got;

	if (r->ifd >= 0)
		while (read(r->ifd, drain, sizeof(drain)) > 0)
			;
	for (;;) {
		if ((ev = take_line(r, &got)))
			return ev;
		if (got)
			continue; /* a line that is not an object: skipped */
		if (r->fd < 0 && (r->fd = open_log(r, EVENTLOG_NAME)) < 0)
			return NULL; /* not written yet */
		if (fill(r) > 0)
			continue;
		/* at the end of the file we read: the next one, if the log turned over */
		if (!r->old && (fstatat(r->dirfd, EVENTLOG_NAME, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
				st.st_ino == r->ino))
			return NULL;
		close(r->fd);
		r->fd = -1;
		r->old = false;
		r->len = 0; /* a line cut short at the end of a turned-over file */
	}
}

void
eventlog_close(struct eventlog_reader *r)
{
	if (r->fd >= 0)
		close(r->fd);
	if (r->ifd >= 0)
		close(r->ifd);
	if (r->dirfd >= 0)
		close(r->dirfd);
	free(r->buf);
	memset(r, 0, sizeof(*r));
	r->fd = r->ifd = r->dirfd = -1;
}
