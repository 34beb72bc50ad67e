/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The kubelet's port-forward protocol over SPDY/3.1: the client opens a
 * pair of streams per request (headers streamtype "error" or "data", port,
 * requestid), we connect to localhost:PORT in the pod's network namespace
 * and relay the data stream's bytes both ways; a failure is a message on
 * the error stream. One thread, one poll loop for the connection and every
 * request's socket.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "backlog.h"
#include "cleanup.h"
#include "log.h"
#include "netns-dir.h"
#include "spdy.h"
#include "stream-portforward.h"
#include "stream-session.h"
#include "xmem.h"

/* Requests relayed at once on one connection; a stream past them is refused. */
#define FWD_MAX 64
/* How long a request's second stream may take, as upstream's streamCreationTimeout. */
#define FWD_PAIR_TIMEOUT_S 30
/* The client's bytes a port has not taken yet: past this, the client waits. */
#define FWD_PEND_MAX (1u << 20)
/* A read from a port, one DATA frame (the size of the kubelet's copies). */
#define FWD_CHUNK 32768
/* RST_STREAM of a stream with bad headers, as spdystream's Reset sends it */
#define SPDY_CANCEL 5

struct pf_req {
	char *rid;	       /* requestid; NULL: a free slot */
	uint32_t data, error;  /* the client's streams, 0 until opened */
	unsigned port;	       /* from the data stream's header */
	int fd;		       /* our socket to the port; -1 before connecting */
	bool connecting, v6;   /* a connect in flight; to ::1 (after 127.0.0.1 failed) */
	char why4[96];	       /* how 127.0.0.1 failed */
	bool up_fin, wr_shut;  /* the client ended its data; the port's write side shut */
	bool down_fin, failed; /* the port ended its data; a write to it failed */
	struct backlog pend;   /* the client's bytes the port has not taken */
	time_t born;	       /* CLOCK_MONOTONIC seconds, for the pair's timeout */
};

struct pf {
	const struct stream_req *r;
	struct spdy sp;
	struct spdy_frame f;
	int nsfd; /* the pod's network namespace; -1: the host's */
	char nspath[256];
	uint32_t last;
	bool gone;
	struct pf_req q[FWD_MAX];
};

static time_t
mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static void
req_free(struct pf_req *q)
{
	if (q->fd >= 0)
		close(q->fd);
	free(q->rid);
	backlog_release(&q->pend);
	memset(q, 0, sizeof(*q));
	q->fd = -1;
}

/* End request q: msg (if any) on its error stream, both streams ended, the slot freed. */
static void
req_end(struct pf *p, struct pf_req *q, const char *msg)
{
	if (msg)
		log_debug("port-forward: %s", msg);
	if (q->data && !q->down_fin && spdy_send_data(&p->sp, q->data, SPDY_FLAG_FIN, NULL, 0) < 0)
		p->gone = true;
	if (q->error && !p->gone &&
	    spdy_send_data(&p->sp, q->error, SPDY_FLAG_FIN, msg, msg ? strlen(msg) : 0) < 0)
		p->gone = true;
	req_free(q);
}

/* The request stream id (never 0: a request's stream not yet open) is of, or NULL. */
static struct pf_req *
req_by_stream(struct pf *p, uint32_t id)
{
	for (int i = 0; id && i < FWD_MAX; i++)
		if (p->q[i].rid && (p->q[i].data == id || p->q[i].error == id))
			return &p->q[i];
	return NULL;
}

/* The slot of request rid, or a new one (NULL when all are taken). */
static struct pf_req *
req_get(struct pf *p, const char *rid)
{
	struct pf_req *free_slot = NULL;

	for (int i = 0; i < FWD_MAX; i++) {
		if (p->q[i].rid && strcmp(p->q[i].rid, rid) == 0)
			return &p->q[i];
		if (!p->q[i].rid && !free_slot)
			free_slot = &p->q[i];
	}
	if (free_slot) {
		free_slot->rid = xstrdup(rid);
		free_slot->born = mono_now();
	}
	return free_slot;
}

/*
 * A socket of the pod's network namespace: the namespace a socket works
 * in is the one of the thread that made it, so this thread enters the
 * pod's for socket() alone and comes back (setns of a network namespace
 * is per thread).
 */
static int
pod_socket(struct pf *p, int family)
{
	_cleanup_close_ int self = -1;
	int fd, saved;

	if (p->nsfd < 0)
		return socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0 || setns(p->nsfd, CLONE_NEWNET) < 0)
		return -1;
	fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	saved = errno;
	if (setns(self, CLONE_NEWNET) < 0) {
		/* this thread would make its next sockets in the pod: end the session */
		log_warn("port-forward: cannot return to our network namespace: %s",
			 strerror(errno));
		p->gone = true;
	}
	errno = saved;
	return fd;
}

/* Go's words for errno (its errors are lower case). */
static void
go_strerror(char *buf, size_t n, int err)
{
	snprintf(buf, n, "%s", strerror(err));
	buf[0] = (char)tolower((unsigned char)buf[0]);
}

/* Start connecting q to localhost:port, IPv4 or IPv6; 0 (done or in flight), or -1 with errno. */
static int
connect_start(struct pf *p, struct pf_req *q)
{
	struct sockaddr_in v4 = {.sin_family = AF_INET, .sin_port = htons((uint16_t)q->port)};
	struct sockaddr_in6 v6 = {.sin6_family = AF_INET6,
				  .sin6_port = htons((uint16_t)q->port),
				  .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	int r;

	v4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (q->fd >= 0)
		close(q->fd);
	q->fd = pod_socket(p, q->v6 ? AF_INET6 : AF_INET);
	if (q->fd < 0)
		return -1;
	r = q->v6 ? connect(q->fd, (struct sockaddr *)&v6, sizeof(v6))
		  : connect(q->fd, (struct sockaddr *)&v4, sizeof(v4));
	q->connecting = r < 0 && errno == EINPROGRESS;
	return r < 0 && !q->connecting ? -1 : 0;
}

/*
 * The connect of q failed with err: try ::1 after 127.0.0.1, as containerd
 * does, and after both say so in its words and the kubelet's.
 */
static void
connect_failed(struct pf *p, struct pf_req *q, int err)
{
	char why[96];
	_cleanup_free_ char *msg = NULL;

	go_strerror(why, sizeof(why), err);
	if (!q->v6) {
		snprintf(q->why4, sizeof(q->why4), "%s", why);
		q->v6 = true;
		if (connect_start(p, q) == 0)
			return;
		go_strerror(why, sizeof(why), errno);
	}
	msg =
	    xasprintf("error forwarding port %u to pod %s, uid : failed to execute portforward "
		      "in network namespace \"%s\": failed to connect to localhost:%u inside "
		      "namespace \"%s\", IPv4: dial tcp4 127.0.0.1:%u: connect: %s IPv6 dial tcp6 "
		      "[::1]:%u: connect: %s ",
		      q->port, p->r->container, p->nspath, q->port, p->r->container, q->port,
		      q->why4, q->port, why);
	req_end(p, q, msg);
}

/* Both streams of q are open: connect, unless the namespace is gone. */
static void
pair_complete(struct pf *p, struct pf_req *q)
{
	_cleanup_free_ char *msg = NULL;

	if (p->r->netns && p->nsfd < 0) {
		msg = xasprintf("error forwarding port %u to pod %s, uid : network namespace for "
				"sandbox \"%s\" is closed",
				q->port, p->r->container, p->r->container);
		req_end(p, q, msg);
		return;
	}
	if (connect_start(p, q) < 0)
		connect_failed(p, q, errno);
}

/* upstream's checks of a new stream's headers (httpStreamReceived); NULL when good. */
static char *
stream_check(char *const *v, unsigned *port)
{
	char *end;
	unsigned long n;

	if (!v[1] || !v[1][0])
		return xstrdup("\"port\" header is required");
	errno = 0;
	n = strtoul(v[1], &end, 10);
	if (!isdigit((unsigned char)v[1][0]) || *end || errno || n > 65535)
		return xasprintf("unable to parse \"%s\" as a port", v[1]);
	if (n < 1)
		return xasprintf("port \"%s\" must be > 0", v[1]);
	if (!v[0] || !v[0][0])
		return xstrdup("\"streamType\" header is required");
	if (strcmp(v[0], "error") != 0 && strcmp(v[0], "data") != 0)
		return xasprintf("invalid stream type \"%s\"", v[0]);
	*port = (unsigned)n;
	return NULL;
}

/* A new stream: a bad one reset, a good one replied to and paired by its request ID. */
static void
open_stream(struct pf *p)
{
	static const char *const names[] = {"streamtype", "port", "requestid"};
	char *v[3] = {NULL, NULL, NULL};
	_cleanup_free_ char *bad = NULL, *rid = NULL;
	uint32_t id = p->f.stream;
	struct pf_req *q;
	unsigned port = 0;
	bool data;
	struct err e;

	if (spdy_headers(&p->sp, &p->f, names, v, 3, &e) < 0) {
		log_debug("port-forward: %s", e.msg);
		p->gone = true;
		return;
	}
	p->last = id;
	bad = stream_check(v, &port);
	data = v[0] && strcmp(v[0], "data") == 0;
	/* an older client sends no request ID: upstream pairs error N with data N+2 */
	rid = v[2] && v[2][0] ? xstrdup(v[2]) : xasprintf("%u", data ? id - 2 : id);
	for (int i = 0; i < 3; i++)
		free(v[i]);
	if (bad) {
		log_debug("port-forward: stream %u rejected: %s", id, bad);
		spdy_send_rst(&p->sp, id, SPDY_CANCEL);
		return;
	}
	if (!(q = req_get(p, rid))) {
		spdy_send_rst(&p->sp, id, SPDY_REFUSED_STREAM);
		return;
	}
	if (spdy_send_reply(&p->sp, id) < 0) {
		p->gone = true;
		return;
	}
	if (data ? q->data != 0 : q->error != 0) {
		/* upstream keeps the request and says so on its error stream */
		_cleanup_free_ char *msg =
		    xasprintf("error processing stream for request %s: %s stream already assigned",
			      rid, data ? "data" : "error");

		if (q->error && spdy_send_data(&p->sp, q->error, 0, msg, strlen(msg)) < 0)
			p->gone = true;
		return;
	}
	*(data ? &q->data : &q->error) = id;
	if (data)
		q->port = port;
	if (q->data && q->error)
		pair_complete(p, q);
}

/* Give the port what it takes now of the client's bytes; at their end, shut its write side. */
static void
to_port(struct pf_req *q)
{
	/* a port gone: its output says the rest */
	if (!q->connecting && !q->failed && backlog_flush(&q->pend, q->fd) < 0)
		q->failed = true;
	if (q->up_fin && !q->pend.len && !q->connecting && !q->wr_shut) {
		shutdown(q->fd, SHUT_WR);
		q->wr_shut = true;
	}
}

static void
on_data(struct pf *p)
{
	const struct spdy_frame *f = &p->f;
	struct pf_req *q = req_by_stream(p, f->stream);

	/* the error stream's bytes (none: the client only ends it) are not read upstream either */
	if (!q || f->stream != q->data || q->up_fin)
		return;
	if (!q->failed) {
		backlog_add(&q->pend, f->data, f->len);
	}
	if (f->flags & SPDY_FLAG_FIN)
		q->up_fin = true;
	if (q->fd >= 0)
		to_port(q);
}

/* A frame of the client's (in p->f); arg is the session. */
static void
on_frame(void *arg)
{
	struct pf *p = arg;
	const struct spdy_frame *f = &p->f;
	struct pf_req *q;

	if (!f->control) {
		on_data(p);
		return;
	}
	switch (f->type) {
	case SPDY_SYN_STREAM:
		open_stream(p);
		break;
	case SPDY_RST_STREAM:
		/* the client gave up on the request: its port connection is closed */
		if ((q = req_by_stream(p, f->stream)))
			req_free(q);
		break;
	default:
		if (spdy_control(&p->sp, f) < 0)
			p->gone = true;
		break;
	}
}

/* Read from the client and act on each whole frame. */
static void
from_client(struct pf *p)
{
	if (spdy_pump(&p->sp, &p->f, &p->last, &p->gone, on_frame, p) < 0)
		p->gone = true;
}

/* The port's connect ended: failed (try the next address), or relaying. */
static void
connected(struct pf *p, struct pf_req *q)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(q->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	q->connecting = false;
	if (err) {
		connect_failed(p, q, err);
		return;
	}
	to_port(q);
}

/*
 * One read from the port to the data stream. The write to the client
 * blocks while it does not read: the port then waits too, and what it
 * sends stays in its socket, not in our memory.
 */
static void
from_port(struct pf *p, struct pf_req *q)
{
	char buf[FWD_CHUNK];
	ssize_t n;

	do
		n = recv(q->fd, buf, sizeof(buf), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0 && errno == EAGAIN)
		return;
	if (n > 0) {
		if (spdy_send_data(&p->sp, q->data, 0, buf, (size_t)n) < 0)
			p->gone = true;
		return;
	}
	/* its end (or a reset): the data stream ends; the request with it once the client's has */
	if (spdy_send_data(&p->sp, q->data, SPDY_FLAG_FIN, NULL, 0) < 0)
		p->gone = true;
	q->down_fin = true;
}

/* Requests whose second stream did not come in time: upstream's message, and the slot freed. */
static void
expire(struct pf *p)
{
	time_t now = mono_now();

	for (int i = 0; i < FWD_MAX; i++) {
		struct pf_req *q = &p->q[i];
		_cleanup_free_ char *msg = NULL;

		if (!q->rid || (q->data && q->error) || now - q->born < FWD_PAIR_TIMEOUT_S)
			continue;
		msg = xasprintf("(request=%s) timed out waiting for streams", q->rid);
		req_end(p, q, msg);
	}
}

/*
 * A request is done once its port has ended its side and has the client's
 * bytes we held (or cannot take them): as containerd's, which gives the
 * other side a second, for the kubelet's client waits for the error
 * stream's end before it ends its data stream.
 */
static void
sweep(struct pf *p)
{
	for (int i = 0; i < FWD_MAX && !p->gone; i++) {
		struct pf_req *q = &p->q[i];

		if (q->rid && q->down_fin && (!q->pend.len || q->failed))
			req_end(p, q, NULL);
	}
}

/* The poll set: the client (unless a port has FWD_PEND_MAX of its bytes), the stop pipe, each port. */
static int
poll_set(struct pf *p, struct pollfd *fds, struct pf_req **who, bool *waiting)
{
	bool full = false;
	int n = 2;

	*waiting = false;
	for (int i = 0; i < FWD_MAX; i++) {
		struct pf_req *q = &p->q[i];
		short ev = 0;

		if (!q->rid)
			continue;
		full |= q->pend.len >= FWD_PEND_MAX;
		*waiting |= !(q->data && q->error);
		if (q->fd < 0)
			continue;
		if (q->connecting || (q->pend.len && !q->failed))
			ev |= POLLOUT;
		if (!q->connecting && !q->down_fin)
			ev |= POLLIN;
		if (ev) {
			fds[n] = (struct pollfd){q->fd, ev, 0};
			who[n++] = q;
		}
	}
	fds[0] = (struct pollfd){full ? -1 : p->sp.fd, POLLIN, 0};
	fds[1] = (struct pollfd){stream_stop_fd(), POLLIN, 0};
	return n;
}

static void
relay(struct pf *p)
{
	while (!p->gone) {
		struct pollfd fds[FWD_MAX + 2];
		struct pf_req *who[FWD_MAX + 2];
		bool waiting;
		int n = poll_set(p, fds, who, &waiting);

		if (poll(fds, (nfds_t)n, waiting ? 1000 : -1) < 0 && errno != EINTR)
			break;
		if (fds[1].revents)
			break;
		for (int i = 2; i < n && !p->gone; i++) {
			struct pf_req *q = who[i];

			if (!fds[i].revents || !q->rid)
				continue;
			if (q->connecting) {
				connected(p, q);
				continue;
			}
			if (fds[i].revents & POLLOUT)
				to_port(q);
			if (fds[i].revents & (POLLIN | POLLHUP | POLLERR) && !q->down_fin)
				from_port(p, q);
		}
		if (fds[0].revents && !p->gone)
			from_client(p);
		if (waiting)
			expire(p);
		sweep(p);
	}
}

void
port_forward_session(struct cri *c, int fd, const struct stream_req *r, const void *early,
		     size_t nearly)
{
	struct pf *p = xcalloc(1, sizeof(*p));
	struct err e;

	(void)c;
	p->r = r;
	p->nsfd = -1;
	for (int i = 0; i < FWD_MAX; i++)
		p->q[i].fd = -1;
	if (spdy_init(&p->sp, fd, &e) < 0) {
		log_warn("port-forward: %s", e.msg);
		goto out;
	}
	if (r->netns) {
		_cleanup_free_ char *path = netns_dir_path(r->netns, &e);

		snprintf(p->nspath, sizeof(p->nspath), "%s", path ? path : r->netns);
		/* the pod's namespace is pinned until its removal: each request says when it is not */
		if (path)
			p->nsfd = open(path, O_RDONLY | O_CLOEXEC);
	} else {
		snprintf(p->nspath, sizeof(p->nspath), "host");
	}
	spdy_feed(&p->sp, early, nearly);
	while (!p->gone && spdy_next(&p->sp, &p->f, &e) > 0)
		on_frame(p);
	relay(p);
	if (!p->gone)
		spdy_send_goaway(&p->sp, p->last, 0);
out:
	for (int i = 0; i < FWD_MAX; i++)
		if (p->q[i].rid)
			req_free(&p->q[i]);
	if (p->nsfd >= 0)
		close(p->nsfd);
	spdy_release(&p->sp);
	free(p);
}
