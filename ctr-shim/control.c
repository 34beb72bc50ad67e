/* SPDX-License-Identifier: Apache-2.0 */
/* The control socket: JSON lines in and out, descriptors by SCM_RIGHTS, slow clients dropped. */
#include "control.h"

#include <errno.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "ops.h"
#include "shim.h"
#include "xmem.h"

#define CLIENTS_MAX 128
#define LINE_MAX_LEN (1u << 20) /* a longer request line drops its client */
#define OUT_MAX (1u << 20)	/* a client owed more output than this is dropped */
#define READ_CHUNK 65536

int
control_listen(struct shim *s, struct err *e)
{
	/* relative to our cwd (STATEDIR): sun_path's 108 bytes never limit STATEDIR */
	struct sockaddr_un sa = {.sun_family = AF_UNIX, .sun_path = "shim.sock"};
	mode_t old;
	int r;

	s->lsn.kind = W_LISTEN;
	s->lsn.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->lsn.fd < 0)
		return err_set(e, errno, "socket");
	unlinkat(s->dirfd, "shim.sock", 0);
	old = umask(0177); /* born 0600: no window where others could connect */
	r = bind(s->lsn.fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r < 0 || listen(s->lsn.fd, 16) < 0)
		return err_set(e, errno, "bind '%s/shim.sock'", s->dir);
	loop_add(s, &s->lsn, EPOLLIN);
	return 0;
}

void
control_close_fds(struct client *c)
{
	for (int i = 0; i < c->nfds; i++)
		close(c->fds[i]);
	c->nfds = 0;
}

void
control_drop(struct shim *s, struct client *c)
{
	if (c->dead)
		return;
	loop_del(s, &c->w);
	close(c->w.fd);
	control_close_fds(c);
	c->dead = true;
}

static void
interest(struct shim *s, struct client *c)
{
	/* once the peer stopped sending, only output (or its hangup) matters */
	uint32_t ev = (c->in ? EPOLLIN : 0) | (c->outlen ? EPOLLOUT : 0);

	if (!c->dead)
		loop_mod(s, &c->w, ev);
}

void
control_accept(struct shim *s)
{
	size_t n = 0;
	int fd;

	for (struct client *c = s->clients; c; c = c->next)
		n++;
	while ((fd = accept4(s->lsn.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		if (n++ >= CLIENTS_MAX) {
			close(fd);
			continue;
		}
		struct client *c = xcalloc(1, sizeof(*c));
		c->w.kind = W_CLIENT;
		c->w.fd = fd;
		c->in = xmalloc(1); /* non-NULL while the peer may still send */
		c->next = s->clients;
		s->clients = c;
		loop_add(s, &c->w, EPOLLIN);
	}
}

static void
flush(struct shim *s, struct client *c)
{
	while (c->outlen) {
		ssize_t n = send(c->w.fd, c->out, c->outlen, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0)
			return control_drop(s, c);
		memmove(c->out, c->out + n, c->outlen - (size_t)n);
		c->outlen -= (size_t)n;
	}
	if (!c->outlen) {
		free(c->out);
		c->out = NULL;
		c->outcap = 0;
		/* a peer done sending and no longer waiting has had all it asked for */
		if (c->hangup || (!c->in && !c->wait_for && !c->events && !c->follow))
			return control_drop(s, c);
	}
	interest(s, c);
}

int
control_send_bytes(struct shim *s, struct client *c, const void *buf, size_t len)
{
	if (c->dead)
		return -1;
	if (c->outlen + len > OUT_MAX) {
		log_info("client %d reads too slowly: dropped", c->w.fd);
		control_drop(s, c);
		return -1;
	}
	xgrow((void **)&c->out, &c->outcap, c->outlen + len, 1);
	memcpy(c->out + c->outlen, buf, len);
	c->outlen += len;
	flush(s, c);
	return c->dead ? -1 : 0;
}

void
control_send(struct shim *s, struct client *c, json_t *doc)
{
	char *line = doc ? json_dumps(doc, JSON_COMPACT) : NULL;

	json_decref(doc);
	if (line) {
		size_t len = strlen(line);

		line[len] = '\n'; /* over the NUL: the line goes out by length */
		control_send_bytes(s, c, line, len + 1);
	}
	free(line);
}

void
control_error(struct shim *s, struct client *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	control_send(s, c, json_pack("{s:b, s:s}", "ok", 0, "error", msg));
}

static void
take_fds(struct client *c, struct msghdr *mh)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		int n = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		/* a new batch replaces one no exec request used */
		control_close_fds(c);
		memcpy(c->fds, CMSG_DATA(cm), (size_t)(n > 3 ? 3 : n) * sizeof(int));
		c->nfds = n > 3 ? 3 : n;
		for (int i = 3; i < n; i++)
			close(((int *)CMSG_DATA(cm))[i]);
	}
}

/* One recvmsg into the input buffer; 0 at EOF, -1 on EAGAIN or error. */
static ssize_t
receive(struct client *c)
{
	union {
		char buf[CMSG_SPACE(4 * sizeof(int))];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov;
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n;

	xgrow((void **)&c->in, &c->incap, c->inlen + READ_CHUNK, 1);
	iov.iov_base = c->in + c->inlen;
	iov.iov_len = READ_CHUNK;
	mh.msg_control = cbuf.buf;
	mh.msg_controllen = sizeof(cbuf.buf);
	do
		n = recvmsg(c->w.fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n >= 0)
		take_fds(c, &mh);
	return n;
}

/* Hand every complete line to ops; keep the tail; refuse an endless line. */
static void
lines(struct shim *s, struct client *c)
{
	size_t off = 0;
	char *nl;

	while (!c->dead && (nl = memchr(c->in + off, '\n', c->inlen - off))) {
		size_t len = (size_t)(nl - (c->in + off));

		if (len > LINE_MAX_LEN)
			break;
		if (len)
			ops_handle(s, c, c->in + off, len);
		off += len + 1;
	}
	if (c->dead)
		return;
	memmove(c->in, c->in + off, c->inlen - off);
	c->inlen -= off;
	if (c->inlen > LINE_MAX_LEN) { /* too long, whether its newline came or not */
		control_error(s, c, "request line longer than %u bytes", LINE_MAX_LEN);
		control_drop(s, c);
	} else if (!c->inlen && c->incap > READ_CHUNK) {
		c->in = xrealloc(c->in, 1); /* give a big line's memory back */
		c->incap = 1;
	}
}

static void
readable(struct shim *s, struct client *c)
{
	ssize_t n;

	while (!c->dead && c->in && (n = receive(c)) != 0) {
		if (n < 0) {
			if (errno != EAGAIN)
				control_drop(s, c);
			return;
		}
		c->inlen += (size_t)n;
		lines(s, c);
	}
	if (c->dead || !c->in)
		return;
	/* EOF: keep a client that still waits or is owed output, else let it go */
	free(c->in);
	c->in = NULL;
	c->inlen = c->incap = 0;
	if (!c->wait_for && !c->events && !c->follow && !c->outlen)
		return control_drop(s, c);
	interest(s, c);
}

void
control_io(struct shim *s, struct client *c, uint32_t events)
{
	if (c->dead)
		return;
	if (events & EPOLLOUT)
		flush(s, c);
	if (!c->dead && (events & EPOLLIN))
		readable(s, c);
	if (!c->dead && (events & (EPOLLHUP | EPOLLERR)) && !(events & EPOLLIN))
		control_drop(s, c);
}

void
control_sweep(struct shim *s)
{
	struct client **pp = &s->clients;
	bool freed = false;

	while (*pp) {
		struct client *c = *pp;

		if (!c->dead) {
			pp = &c->next;
			continue;
		}
		*pp = c->next;
		free(c->in);
		free(c->out);
		free(c->wait_for);
		free(c);
		freed = true;
	}
	/*
	 * free() hands pages back only from the heap's top and past 128 KiB
	 * (M_TRIM_THRESHOLD): the pages a client's buffers dirtied (64 KiB of
	 * input room, its output) stayed with the shim for its life, 8 KiB of
	 * every idle shim. Clients come rarely; a trim each time is cheap.
	 */
	if (freed)
		malloc_trim(0);
}

bool
control_drained(const struct shim *s)
{
	for (const struct client *c = s->clients; c; c = c->next)
		if (!c->dead && c->outlen)
			return false;
	return true;
}

void
control_close_all(struct shim *s)
{
	for (struct client *c = s->clients; c; c = c->next)
		control_drop(s, c);
	control_sweep(s);
}
