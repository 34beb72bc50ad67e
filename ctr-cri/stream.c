/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The streaming server: the listener thread, and per connection the HTTP
 * request, its token, the upgrade to SPDY/3.1 (stream-session.c runs an
 * exec or attach, stream-portforward.c a port-forward).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "fdio.h"
#include "log.h"
#include "stream-portforward.h"
#include "stream-session.h"
#include "stream.h"
#include "xmem.h"

/* The most an HTTP request head may take, and how long it may take to come (in all). */
#define REQUEST_MAX 8192
#define REQUEST_TIMEOUT_S 10
/*
 * The most connections whose request is not in yet: anyone on the node may
 * connect, and each one holds a descriptor and a thread, which gRPC's
 * socket and our children need too.
 */
#define HEADS_MAX 64

static struct {
	struct cri *c;
	int fd, stop[2];
	char host[64]; /* "127.0.0.1:PORT", "[::1]:PORT" */
	pthread_t thread;
	bool running;
	pthread_mutex_t lock;
	pthread_cond_t idle;
	int conns; /* connection threads alive */
	int heads; /* of which still before their session (HEADS_MAX) */
} srv = {.fd = -1,
	 .stop = {-1, -1},
	 .lock = PTHREAD_MUTEX_INITIALIZER,
	 .idle = PTHREAD_COND_INITIALIZER};

char *
stream_url(enum stream_kind kind, const char *token)
{
	static const char *const paths[] = {[STREAM_EXEC] = "exec",
					    [STREAM_ATTACH] = "attach",
					    [STREAM_PORTFORWARD] = "portforward"};

	return xasprintf("http://%s/%s/%s", srv.host, paths[kind], token);
}

/* An HTTP answer that ends the connection: code, reason, one line of body. */
static void
http_error(int fd, int code, const char *reason, const char *extra, const char *body)
{
	char *r = xasprintf("HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\n"
			    "X-Content-Type-Options: nosniff\r\n%sContent-Length: %zu\r\n"
			    "Connection: close\r\n\r\n%s\n",
			    code, reason, extra ? extra : "", strlen(body) + 1, body);

	fdio_write_full(fd, r, strlen(r));
	free(r);
}

/* Read the request head; its length (up to and with the blank line), or -1. *n: bytes read. */
static ssize_t
read_head(int fd, char *buf, size_t *n)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	*n = 0;
	while (*n < REQUEST_MAX) {
		struct pollfd p[2] = {{fd, POLLIN, 0}, {srv.stop[0], POLLIN, 0}};
		long long left;
		char *end;
		ssize_t r;

		/* the whole head within the time, not each read: a byte at a time holds no thread */
		clock_gettime(CLOCK_MONOTONIC, &t);
		left = REQUEST_TIMEOUT_S * 1000LL - (t.tv_sec - t0.tv_sec) * 1000LL -
		       (t.tv_nsec - t0.tv_nsec) / 1000000;
		if (left <= 0 || poll(p, 2, (int)left) <= 0 || p[1].revents)
			return -1;
		r = read(fd, buf + *n, REQUEST_MAX - *n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		*n += (size_t)r;
		buf[*n] = '\0';
		if ((end = memmem(buf, *n, "\r\n\r\n", 4)))
			return end + 4 - buf;
	}
	return -1;
}

/* The value of header name (case-insensitive) in the head, each line in turn: from *pos. */
static const char *
header_next(char *head, const char *name, char **pos, size_t *len)
{
	size_t nl = strlen(name);

	for (char *l = *pos; l && *l && strncmp(l, "\r\n", 2) != 0;) {
		char *eol = strstr(l, "\r\n");

		if (!eol)
			break;
		*pos = eol + 2;
		if ((size_t)(eol - l) > nl && strncasecmp(l, name, nl) == 0 && l[nl] == ':') {
			char *v = l + nl + 1;

			while (*v == ' ' || *v == '\t')
				v++;
			*len = (size_t)(eol - v);
			while (*len && (v[*len - 1] == ' ' || v[*len - 1] == '\t'))
				(*len)--;
			return v;
		}
		l = *pos;
	}
	(void)head;
	return NULL;
}

/* True when a comma-separated value of header name (every line of it) is word, case aside. */
static bool
header_has(char *head, char *first, const char *name, const char *word)
{
	char *pos = first;
	const char *v;
	size_t len, wl = strlen(word);

	while ((v = header_next(head, name, &pos, &len))) {
		for (const char *p = v, *end = v + len; p < end;) {
			const char *c = memchr(p, ',', (size_t)(end - p));
			const char *we = c ? c : end;

			while (p < we && *p == ' ')
				p++;
			while (we > p && we[-1] == ' ')
				we--;
			if ((size_t)(we - p) == wl && strncasecmp(p, word, wl) == 0)
				return true;
			p = c ? c + 1 : end;
		}
	}
	return false;
}

/* No version in common: the one we speak, in upstream's words. */
static void
refuse_protocol(int fd, const char *proto)
{
	_cleanup_free_ char *extra =
	    xasprintf("X-Accepted-Stream-Protocol-Versions: %s\r\n", proto);
	_cleanup_free_ char *body = xasprintf(
	    "unable to upgrade: unable to negotiate protocol: the server accepts %s", proto);

	http_error(fd, 403, "Forbidden", extra, body);
}

/* The connection is past its request: it no longer counts against HEADS_MAX. */
static void
head_done(bool *counted)
{
	if (!*counted)
		return;
	*counted = false;
	pthread_mutex_lock(&srv.lock);
	srv.heads--;
	pthread_mutex_unlock(&srv.lock);
}

static void
serve(int fd, bool *counted)
{
	char buf[REQUEST_MAX + 1], method[16], path[1024];
	char *lines;
	struct stream_req r = {0};
	enum stream_kind kind;
	const char *tok, *proto;
	size_t n;
	ssize_t head = read_head(fd, buf, &n);

	if (head < 0 || memchr(buf, '\0', (size_t)head) ||
	    sscanf(buf, "%15s %1023s HTTP/1.%*c", method, path) != 2 ||
	    !(lines = strstr(buf, "\r\n"))) {
		if (head >= 0 || n)
			http_error(fd, 400, "Bad Request", NULL, "400 Bad Request");
		return;
	}
	lines += 2;
	path[strcspn(path, "?")] = '\0';
	if (strncmp(path, "/exec/", 6) == 0) {
		kind = STREAM_EXEC;
		tok = path + 6;
	} else if (strncmp(path, "/attach/", 8) == 0) {
		kind = STREAM_ATTACH;
		tok = path + 8;
	} else if (strncmp(path, "/portforward/", 13) == 0) {
		kind = STREAM_PORTFORWARD;
		tok = path + 13;
	} else {
		http_error(fd, 404, "Not Found", NULL, "404 page not found");
		return;
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0) {
		http_error(fd, 405, "Method Not Allowed", NULL, "405: Method Not Allowed");
		return;
	}
	/* the token is spent by this request whatever comes next, as upstream's */
	if (stream_token_take(tok, &r) < 0 || r.kind != kind) {
		stream_req_release(&r);
		http_error(fd, 404, "Not Found", NULL, "404 page not found");
		return;
	}
	proto = kind == STREAM_PORTFORWARD ? PORTFORWARD_PROTOCOL : STREAM_PROTOCOL;
	if (!header_has(buf, lines, "X-Stream-Protocol-Version", proto)) {
		char *pos = lines;
		size_t len;

		if (!header_next(buf, "X-Stream-Protocol-Version", &pos, &len))
			http_error(fd, 400, "Bad Request", NULL,
				   "unable to upgrade: X-Stream-Protocol-Version is required");
		else
			refuse_protocol(fd, proto);
	} else if (!header_has(buf, lines, "Connection", "upgrade") ||
		   !header_has(buf, lines, "Upgrade", "SPDY/3.1")) {
		http_error(fd, 400, "Bad Request", NULL,
			   header_has(buf, lines, "Upgrade", "websocket")
			       ? "unable to upgrade: websocket is not served, use SPDY/3.1"
			       : "unable to upgrade: missing upgrade headers in request");
	} else {
		_cleanup_free_ char *ok = xasprintf("HTTP/1.1 101 Switching Protocols\r\n"
						    "Connection: Upgrade\r\nUpgrade: SPDY/3.1\r\n"
						    "X-Stream-Protocol-Version: %s\r\n\r\n",
						    proto);

		head_done(counted);
		if (fdio_write_full(fd, ok, strlen(ok)) == 0)
			(kind == STREAM_PORTFORWARD ? port_forward_session : stream_session)(
			    srv.c, fd, &r, buf + head, n - (size_t)head);
	}
	stream_req_release(&r);
}

/*
 * Our last bytes sent, wait (a little) for the client to close: a close
 * with its bytes unread would reset the connection, and the reset drops
 * what the client has not read of ours yet.
 */
static void
hang_up(int fd)
{
	shutdown(fd, SHUT_WR);
	for (int i = 0; i < 20; i++) {
		char buf[4096];
		struct pollfd p = {fd, POLLIN, 0};

		if (poll(&p, 1, 100) < 0 || (p.revents && read(fd, buf, sizeof(buf)) <= 0))
			break;
	}
}

static void *
conn_main(void *arg)
{
	int fd = (int)(intptr_t)arg;
	bool counted = true;

	serve(fd, &counted);
	hang_up(fd);
	close(fd);
	head_done(&counted);
	pthread_mutex_lock(&srv.lock);
	if (--srv.conns == 0)
		pthread_cond_broadcast(&srv.idle);
	pthread_mutex_unlock(&srv.lock);
	return NULL;
}

static void *
accept_main(void *arg)
{
	(void)arg;
	for (;;) {
		struct pollfd p[2] = {{srv.fd, POLLIN, 0}, {srv.stop[0], POLLIN, 0}};
		pthread_attr_t at;
		pthread_t t;
		int fd;

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents)
			break;
		if (!p[0].revents)
			continue;
		fd = accept4(srv.fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			/* no fds or memory for now: the connection waits, and we do not spin */
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM)
				poll(&p[1], 1, 100);
			continue;
		}
		pthread_mutex_lock(&srv.lock);
		if (srv.heads >= HEADS_MAX) {
			pthread_mutex_unlock(&srv.lock);
			http_error(fd, 503, "Service Unavailable", NULL,
				   "too many connections wait for their request: try again");
			close(fd);
			continue;
		}
		pthread_attr_init(&at);
		pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
		srv.conns++;
		srv.heads++;
		if (pthread_create(&t, &at, conn_main, (void *)(intptr_t)fd) != 0) {
			srv.conns--;
			srv.heads--;
			close(fd);
		}
		pthread_mutex_unlock(&srv.lock);
		pthread_attr_destroy(&at);
	}
	return NULL;
}

static int
listen_on(const struct stream_opts *o, struct err *e)
{
	const char *addr = o->address ? o->address : "127.0.0.1";
	struct sockaddr_storage ss = {0};
	struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
	socklen_t sl;
	int one = 1;
	char ip[INET6_ADDRSTRLEN];

	if (inet_pton(AF_INET, addr, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)o->port);
		sl = sizeof(*v4);
	} else if (inet_pton(AF_INET6, addr, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)o->port);
		sl = sizeof(*v6);
	} else {
		return err_code(e, "usage", "--stream-address: '%s' is not an IP address", addr);
	}
	srv.fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (srv.fd < 0)
		return err_set(e, errno, "socket");
	setsockopt(srv.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(srv.fd, (struct sockaddr *)&ss, sl) < 0 || listen(srv.fd, 64) < 0 ||
	    getsockname(srv.fd, (struct sockaddr *)&ss, &sl) < 0) {
		err_set(e, errno, "streaming server: listen on %s port %d", addr, o->port);
		close(srv.fd);
		srv.fd = -1;
		return -1;
	}
	if (ss.ss_family == AF_INET)
		snprintf(srv.host, sizeof(srv.host), "%s:%u",
			 inet_ntop(AF_INET, &v4->sin_addr, ip, sizeof(ip)), ntohs(v4->sin_port));
	else
		snprintf(srv.host, sizeof(srv.host), "[%s]:%u",
			 inet_ntop(AF_INET6, &v6->sin6_addr, ip, sizeof(ip)), ntohs(v6->sin6_port));
	return 0;
}

int
stream_start(struct cri *c, const struct stream_opts *o, struct err *e)
{
	srv.c = c;
	signal(SIGPIPE, SIG_IGN); /* a client gone is write()'s error, not our end */
	if (listen_on(o, e) < 0)
		return -1;
	if (pipe2(srv.stop, O_CLOEXEC) < 0 ||
	    pthread_create(&srv.thread, NULL, accept_main, NULL)) {
		err_set(e, errno, "streaming server: start");
		close(srv.fd);
		srv.fd = -1;
		return -1;
	}
	srv.running = true;
	log_info("streaming server on http://%s", srv.host);
	return 0;
}

void
stream_stop(void)
{
	if (!srv.running)
		return;
	fdio_write_full(srv.stop[1], "x", 1);
	pthread_join(srv.thread, NULL);
	close(srv.fd);
	/* sessions see the stop pipe too and end their commands */
	pthread_mutex_lock(&srv.lock);
	while (srv.conns > 0)
		pthread_cond_wait(&srv.idle, &srv.lock);
	pthread_mutex_unlock(&srv.lock);
	close(srv.stop[0]);
	close(srv.stop[1]);
	srv.running = false;
	stream_token_clear();
}

int
stream_stop_fd(void)
{
	return srv.stop[0];
}
