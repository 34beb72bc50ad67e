/* SPDX-License-Identifier: Apache-2.0 */
/* --stdio pipe: the container's output read into a ring and a log file, streamed to followers. */
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "afile.h"
#include "cleanup.h"
#include "control.h"
#include "crilog.h"
#include "exitfile.h"
#include "fdio.h"
#include "frame.h"
#include "log.h"
#include "loop.h"
#include "ring.h"
#include "shim.h"
#include "tty.h"
#include "xmem.h"

#define RING_CAP (64u << 10) /* memory per stream for `ctr-run logs` */
#define READ_MAX (64u << 10)
#define READ_ROUNDS 4 /* reads per event: a noisy stream must not starve the loop */
#define SAVED "output"

static int
open_null(int *fd, struct err *e)
{
	*fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	return *fd < 0 ? err_set(e, errno, "open /dev/null") : 0;
}

/*
 * The log's folder is opened once and the file by name in it, never through
 * a symbolic link: a container that can write in that folder (a bind mount)
 * must not make us, root, truncate or append to another file, nor stall us
 * on a FIFO. Rotation works in the same folder (rotate).
 */
static int
open_log_at(struct shim *s, int flags, struct err *e)
{
	struct stat st;
	int fd = openat(
	    s->out.logdir, s->out.logname,
	    O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK | flags, 0640);

	/* ENXIO: a FIFO with no reader, which O_NONBLOCK refuses rather than wait */
	if (fd < 0 && errno != ENXIO)
		return err_set(e, errno, "open log '%s'", s->o.log_path);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		return err_code(e, "invalid", "log '%s' is not a regular file", s->o.log_path);
	}
	fcntl(fd, F_SETFL, O_APPEND);
	s->out.logsize = st.st_size;
	return fd;
}

static int
open_log(struct shim *s, struct err *e)
{
	_cleanup_free_ char *dir = xstrdup(s->o.log_path);
	char *slash = strrchr(dir, '/');

	s->out.logname = strrchr(s->o.log_path, '/') + 1; /* absolute: there is a '/' */
	*slash = '\0';
	s->out.logdir = open(*dir ? dir : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (s->out.logdir < 0)
		return err_set(e, errno, "open the folder of log '%s'", s->o.log_path);
	if (!*s->out.logname)
		return err_code(e, "invalid", "log '%s' names a folder", s->o.log_path);
	s->out.logfd = open_log_at(s, O_CREAT, e);
	return s->out.logfd < 0 ? -1 : 0;
}

/* An output pipe: the write end for the container, the read end watched by us. */
static int
out_pipe(struct shim *s, int stream, int *far, struct err *e)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return err_set(e, errno, "pipe");
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	s->out.w[stream].kind = W_OUTPUT;
	s->out.w[stream].fd = p[0];
	loop_add(s, &s->out.w[stream], EPOLLIN);
	*far = p[1];
	return 0;
}

static int
in_pipe(struct shim *s, int *far, struct err *e)
{
	int p[2];

	if (!s->o.stdin_open || s->o.tty)
		return open_null(far, e);
	if (pipe2(p, O_CLOEXEC) < 0)
		return err_set(e, errno, "pipe");
	s->out.stdin_fd = p[1];
	*far = p[0];
	return 0;
}

int
output_setup(struct shim *s, int far[3], struct err *e)
{
	far[0] = far[1] = far[2] = -1;
	if (s->o.stdio == STDIO_INHERIT)
		return 0;
	if (s->o.stdio == STDIO_NULL || s->o.tty) {
		/* with a TTY the container has the terminal; the runtime gets nothing of ours */
		for (int i = 0; i < 3; i++)
			if (open_null(&far[i], e) < 0)
				return -1;
	}
	if (s->o.stdio == STDIO_NULL)
		return 0;
	ring_init(&s->out.ring, RING_CAP);
	if (s->o.log_path && open_log(s, e) < 0)
		return -1;
	if (s->o.tty)
		return 0; /* the PTY master is our end (tty.c) */
	if (in_pipe(s, &far[0], e) < 0 || out_pipe(s, RING_STDOUT, &far[1], e) < 0 ||
	    out_pipe(s, RING_STDERR, &far[2], e) < 0)
		return -1;
	return 0;
}

/*
 * Let go of the caller's descriptors. With --stdio inherit and no TTY the
 * container holds its own copies; dropping ours keeps a reader of the
 * caller's pipe from waiting on the shim, and stderr stays for our warnings.
 * With a TTY we relay the caller's terminal, and keep it. Otherwise nothing
 * of the caller's stays with us: `ID=$(ctr-run run -d ...)` must not wait
 * for the shim, and our warnings go to STATEDIR/shim.log.
 */
void
output_let_go(struct shim *s)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC), log = -1;

	if (null < 0 || (s->o.tty && s->o.stdio == STDIO_INHERIT))
		goto out;
	dup2(null, 0);
	dup2(null, 1);
	if (s->o.stdio == STDIO_INHERIT)
		goto out;
	log = openat(s->dirfd, "shim.log", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY,
		     0600);
	dup2(log >= 0 ? log : null, 2);
out:
	if (log >= 0)
		close(log);
	if (null >= 0)
		close(null);
}

int
output_take_tty(struct shim *s, struct err *e)
{
	/* the ring's memory comes with the first output (output_pump), as for any other */
	s->o.stdio = STDIO_PIPE;
	ring_init(&s->out.ring, RING_CAP);
	output_let_go(s);
	return exitfile_write_shim(s, e);
}

void
output_close_far(int far[3])
{
	for (int i = 0; i < 3; i++)
		if (far[i] >= 0)
			close(far[i]);
}

/*
 * FILE becomes FILE.1 and a new FILE begins, created by us (O_EXCL): whatever
 * appeared under the name meanwhile is not written to. -1 when that failed;
 * the caller drops the output rather than let the file grow past its cap.
 */
static int
rotate(struct shim *s, struct err *e)
{
	_cleanup_free_ char *old = xasprintf("%s.1", s->out.logname);
	int fd;

	if (renameat(s->out.logdir, s->out.logname, s->out.logdir, old) < 0)
		return err_set(e, errno, "rotate log '%s'", s->o.log_path);
	fd = open_log_at(s, O_CREAT | O_EXCL, e);
	if (fd < 0)
		return -1;
	close(s->out.logfd);
	s->out.logfd = fd;
	return 0;
}

/*
 * A failed write or rotation (a full disk, a folder gone read-only) costs
 * the log that output, never the container its progress. One warning: a
 * disk that is nearly full fails and succeeds by turns, and shim.log must
 * not fill with it; later spells are logged at info level, and logs shows
 * the error while it lasts.
 */
static void
log_failed(struct shim *s, const struct err *e)
{
	if (!s->out.log_error[0] && !s->out.log_warned)
		log_warn("%s; output is dropped from the log until it works again", e->msg);
	else if (!s->out.log_error[0])
		log_info("%s", e->msg);
	s->out.log_warned = true;
	snprintf(s->out.log_error, sizeof(s->out.log_error), "%s", e->msg);
}

/* One write of len bytes in n pieces (a CRI record is one), rotated before it. */
static void
log_writev(void *ctx, const struct iovec *iov, int n, size_t len)
{
	struct shim *s = ctx;
	struct stat st;
	struct err e;

	if (s->o.log_max > 0 && s->out.logsize > 0 &&
	    s->out.logsize + (long long)len > s->o.log_max && rotate(s, &e) < 0)
		return log_failed(s, &e);
	if (fdio_writev_full(s->out.logfd, iov, n) < 0) {
		err_set(&e, errno, "log '%s'", s->o.log_path);
		/* a partial write still grew the file; its size is what rotation needs */
		if (fstat(s->out.logfd, &st) == 0)
			s->out.logsize = st.st_size;
		return log_failed(s, &e);
	}
	if (s->out.log_error[0])
		log_info("log '%s' written again", s->o.log_path);
	s->out.log_error[0] = '\0';
	s->out.logsize += (long long)len;
}

static void
log_write(struct shim *s, int stream, const char *buf, size_t len)
{
	if (s->out.logfd < 0)
		return;
	if (s->o.log_cri)
		return crilog_feed(&s->out.cri, stream, buf, len, log_writev, s);
	log_writev(s, &(struct iovec){(void *)buf, len}, 1, len);
}

/* out.fbuf holds a header's room and len bytes of stream: to the ring, the log, followers. */
static void
feed(struct shim *s, int stream, size_t len)
{
	unsigned char *fbuf = s->out.fbuf;
	const char *data = (const char *)fbuf + FRAME_HDR;

	ring_append(&s->out.ring, stream, data, len);
	log_write(s, stream, data, len);
	frame_header(fbuf, stream, (uint32_t)len);
	for (struct client *c = s->clients; c; c = c->next)
		if (c->follow && !c->dead)
			control_send_bytes(s, c, fbuf, FRAME_HDR + len);
}

bool
output_pump(struct shim *s, int stream, int fd, bool drain)
{
	/*
	 * Made at the first output, not a static array: 64 KiB of bss put the
	 * few variables after it on a page of their own, dirty in every shim,
	 * and a container that never writes needs none of it.
	 */
	if (!s->out.fbuf)
		s->out.fbuf = xmalloc(FRAME_HDR + READ_MAX);
	for (int i = 0; drain || i < READ_ROUNDS; i++) {
		ssize_t n = read(fd, s->out.fbuf + FRAME_HDR, READ_MAX);

		if (n > 0) {
			feed(s, stream, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return true;
		/* EOF or EIO (a PTY whose slave is gone): the end, and of a line held */
		if (s->out.logfd >= 0 && s->o.log_cri)
			crilog_flush(&s->out.cri, stream, log_writev, s);
		return false;
	}
	return true;
}

static void
close_stream(struct shim *s, int stream)
{
	struct watch *w = &s->out.w[stream];

	if (w->fd < 0)
		return;
	loop_del(s, w);
	close(w->fd);
	w->fd = -1;
	if (s->out.w[RING_STDOUT].fd < 0 && s->out.w[RING_STDERR].fd < 0)
		output_end(s);
}

void
output_on_event(struct shim *s, struct watch *w, uint32_t events)
{
	int stream = w == &s->out.w[RING_STDERR] ? RING_STDERR : RING_STDOUT;

	(void)events;
	if (!output_pump(s, stream, w->fd, false))
		close_stream(s, stream);
}

void
output_drain(struct shim *s)
{
	for (int i = RING_STDOUT; i <= RING_STDERR; i++)
		if (s->out.w[i].fd >= 0 && !output_pump(s, i, s->out.w[i].fd, true))
			close_stream(s, i);
}

/* A follower with nothing more to come: closed once it has what it is owed. */
static void
hang_up(struct shim *s, struct client *c)
{
	c->follow = false;
	c->hangup = true;
	if (!c->outlen)
		control_drop(s, c);
}

void
output_end(struct shim *s)
{
	if (s->out.ended)
		return;
	s->out.ended = true;
	for (struct client *c = s->clients; c; c = c->next)
		if (c->follow && !c->dead)
			hang_up(s, c);
}

/* Frames of the ring from the last tail lines on (tail < 0: all) into *buf (caller frees). */
static size_t
ring_frames(const struct ring *r, long tail, unsigned char **buf)
{
	const struct ring_chunk *c;
	size_t off, len = 0, cap = 0;

	*buf = NULL;
	ring_tail(r, tail, &c, &off);
	for (; c; c = c->next, off = 0) {
		size_t n = c->len - off;

		xgrow((void **)buf, &cap, len + FRAME_HDR + n, 1);
		frame_header(*buf + len, c->stream, (uint32_t)n);
		memcpy(*buf + len + FRAME_HDR, c->data + off, n);
		len += FRAME_HDR + n;
	}
	return len;
}

void
output_save(struct shim *s)
{
	_cleanup_free_ unsigned char *buf = NULL;
	size_t len;
	struct err e;

	if (s->o.stdio != STDIO_PIPE || !(len = ring_frames(&s->out.ring, -1, &buf)))
		return;
	if (afile_write_flags(s->dirfd, SAVED, buf, len, 0600, AFILE_NOSYNC, &e) < 0)
		log_warn("save the output for logs: %s", e.msg);
}

void
output_release(struct shim *s)
{
	for (int i = RING_STDOUT; i <= RING_STDERR; i++)
		if (s->out.w[i].fd >= 0)
			close(s->out.w[i].fd);
	if (s->out.stdin_fd >= 0)
		close(s->out.stdin_fd);
	if (s->out.logfd >= 0)
		close(s->out.logfd);
	if (s->out.logdir >= 0)
		close(s->out.logdir);
	crilog_release(&s->out.cri);
	ring_release(&s->out.ring);
	free(s->out.fbuf);
}

static bool
held(struct shim *s, struct client *c, const char *what)
{
	if (s->o.stdio == STDIO_PIPE)
		return true;
	control_error(s, c, "the container's %s is not held by the shim (--stdio %s)", what,
		      s->o.stdio == STDIO_NULL ? "null" : "inherit");
	return false;
}

void
output_logs_op(struct shim *s, struct client *c, json_t *req)
{
	json_int_t tail = -1;
	int follow = 0;
	_cleanup_free_ unsigned char *buf = NULL;
	size_t len;
	json_t *r;

	if (json_unpack(req, "{s?b, s?I}", "follow", &follow, "tail", &tail) < 0)
		return control_error(s, c, "logs wants \"follow\" a boolean, \"tail\" a number");
	if (!held(s, c, "output"))
		return;
	c->follow = true; /* until the backlog is out: a half-closed client must stay */
	r = json_pack("{s:b}", "ok", 1);
	if (s->out.log_error[0])
		json_object_set_new(r, "log_error", json_string(s->out.log_error));
	control_send(s, c, r);
	len = ring_frames(&s->out.ring, tail < 0 ? -1 : (long)tail, &buf);
	if (c->dead || (len && control_send_bytes(s, c, buf, len) < 0))
		return;
	if (!follow || s->out.ended)
		hang_up(s, c);
}

/*
 * reopen-log: what logrotate's postrotate and the kubelet's
 * ReopenContainerLog need once they renamed the file away. The file is
 * opened by its name again (created if gone, appended to if there) before
 * the old one is closed: a failure keeps writing where we wrote.
 */
void
output_reopen_log_op(struct shim *s, struct client *c, json_t *req)
{
	struct err e;
	int fd;

	(void)req;
	if (s->out.logfd < 0)
		return control_error(s, c, "the container has no log file (--log)");
	if (s->status == CTR_STOPPED)
		return control_error(s, c, "the container is stopped: its log is complete");
	if ((fd = open_log_at(s, O_CREAT, &e)) < 0)
		return control_error(s, c, "%s", e.msg);
	close(s->out.logfd);
	s->out.logfd = fd;
	control_send(s, c, json_pack("{s:b}", "ok", 1));
}

/* The reply line and the stdin descriptor in one sendmsg, so they arrive together. */
static int
send_fd(int sock, int fd)
{
	static const char line[] = "{\"ok\":true}\n";
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {(void *)line, sizeof(line) - 1};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	struct cmsghdr *cm;

	memset(&u, 0, sizeof(u));
	mh.msg_control = u.buf;
	mh.msg_controllen = sizeof(u.buf);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	/* a fresh connection's socket buffer takes 12 bytes: a short send is an error */
	return sendmsg(sock, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)iov.iov_len ? 0 : -1;
}

/*
 * attach: the output from now on as frames, and the container's stdin (the
 * pipe's write end, or the PTY master) lent by SCM_RIGHTS: input never
 * passes through us. Any number of clients may attach at once.
 */
void
output_attach_op(struct shim *s, struct client *c, json_t *req)
{
	int in = 1, fd;

	if (json_unpack(req, "{s?b}", "stdin", &in) < 0)
		return control_error(s, c, "attach wants \"stdin\" as a boolean");
	if (!held(s, c, "stdio"))
		return;
	if (c->outlen)
		return control_error(s, c, "attach wants a connection with no answer pending");
	fd = !in	? -1
	     : s->o.tty ? (s->o.stdin_open && !s->tty_stdin_closed ? s->pty.fd : -1)
			: s->out.stdin_fd;
	c->follow = true;
	if (fd < 0)
		control_send(s, c, json_pack("{s:b}", "ok", 1));
	else if (send_fd(c->w.fd, fd) < 0)
		return control_drop(s, c);
	if (!c->dead && s->out.ended)
		hang_up(s, c);
}

int
output_close_stdin(struct shim *s, struct err *e)
{
	if (s->o.tty)
		return tty_close_stdin(s, e);
	if (s->out.stdin_fd < 0)
		return err_code(e, "invalid", "the container's stdin is not open (-i) or closed");
	close(s->out.stdin_fd);
	s->out.stdin_fd = -1;
	return 0;
}
