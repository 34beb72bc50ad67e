/* SPDX-License-Identifier: Apache-2.0 */
/* Spawning ctr-shim and talking to it over its unix socket. */
#include "shimclient.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "fdio.h"
#include "jsonio.h"
#include "spawn.h"
#include "xmem.h"

#define LINE_MAX_BYTES (1u << 20)
#define CALL_TIMEOUT_S 10 /* a request a live shim answers at once; $CTR_SHIM_TIMEOUT */

/* How long a request may wait for the shim's answer: $CTR_SHIM_TIMEOUT seconds, else 10. */
static long
call_timeout(void)
{
	const char *v = getenv("CTR_SHIM_TIMEOUT");
	char *end;
	long t = v && *v ? strtol(v, &end, 10) : 0;

	return t > 0 && t <= 3600 && !*end ? t : CALL_TIMEOUT_S;
}

static int
read_sync(int fd, pid_t shim, int *pid, json_t **exit, struct err *e)
{
	_cleanup_free_ char *buf = NULL;
	struct err ignored;
	json_auto_t *j = NULL;
	json_int_t p = 0;
	int okv = 0;
	const char *msg;

	if (fdio_read_all(fd, 64 << 10, &buf, NULL, e) < 0)
		return err_prefix(e, "read the shim's sync line");
	if (!*buf) {
		int st = spawn_wait(shim, &ignored);

		return err_code(e, "system", "the shim exited (status %d) before reporting", st);
	}
	j = jsonio_parse(buf, strlen(buf), "shim sync line", e);
	if (!j || json_unpack(j, "{s:b}", "ok", &okv) < 0)
		return j ? err_code(e, "system", "bad shim sync line") : -1;
	if (!okv) {
		msg = jsonio_str(j, "error");
		spawn_wait(shim, &ignored); /* it exits after reporting a failure */
		return err_code(e, "runtime", "%s", msg ? msg : "the runtime failed");
	}
	if (json_unpack(j, "{s:I}", "pid", &p) < 0 || p <= 0)
		return err_code(e, "system", "shim sync line without a pid");
	*pid = (int)p;
	*exit = json_incref(json_object_get(j, "exit"));
	return 0;
}

int
shim_spawn(const struct container *c, const struct shim_spawn *a, struct shim_handle *h,
	   struct err *e)
{
	_cleanup_free_ char *shim = spawn_sibling("ctr-shim", "CTR_SHIM");
	_cleanup_free_ char *fdarg = NULL, *max = NULL, *caller = NULL, *after = NULL;
	int pfd[2];
	struct spawn_opts o = SPAWN_OPTS_INIT;
	char *argv[64];
	int n = 0, r;

	h->fd = -1;
	h->pid = 0;
	/* both ways: our go to it, its sync line to us */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pfd) < 0)
		return err_set(e, errno, "socketpair");
	fdarg = xasprintf("%d", pfd[1]);
	argv[n++] = shim;
	argv[n++] = "--id", argv[n++] = c->id;
	argv[n++] = "--bundle", argv[n++] = c->bundle;
	argv[n++] = "--dir", argv[n++] = c->statedir;
	argv[n++] = "--runtime", argv[n++] = (char *)a->runtime;
	argv[n++] = "--runtime-root", argv[n++] = c->runtime_root;
	argv[n++] = "--sync-fd", argv[n++] = fdarg;
	argv[n++] = "--await-go";
	if (a->start)
		argv[n++] = "--start";
	if (a->runtime_delete)
		argv[n++] = "--runtime-delete";
	if (a->foreground)
		argv[n++] = "--foreground";
	if (a->tty)
		argv[n++] = "--tty";
	if (a->stdin_open)
		argv[n++] = "--stdin-open";
	if (a->stdio)
		argv[n++] = "--stdio", argv[n++] = (char *)a->stdio;
	if (a->log_path)
		argv[n++] = "--log", argv[n++] = (char *)a->log_path;
	if (a->log_format)
		argv[n++] = "--log-format", argv[n++] = (char *)a->log_format;
	if (a->log_max > 0) {
		max = xasprintf("%lld", (long long)a->log_max);
		argv[n++] = "--log-max-size", argv[n++] = max;
	}
	if (a->caller_pid > 0) {
		caller = xasprintf("%ld", (long)a->caller_pid);
		argv[n++] = "--caller-pid", argv[n++] = caller;
	}
	if (a->detach_keys)
		argv[n++] = "--detach-keys", argv[n++] = (char *)a->detach_keys;
	for (size_t i = 0; a->exit_cmd && a->exit_cmd[i] && n < 56; i++)
		argv[n++] = i ? "--exit-command-arg" : "--exit-command", argv[n++] = a->exit_cmd[i];
	if (a->exit_cmd && a->exit_after > 0) {
		after = xasprintf("%ld", (long)a->exit_after);
		argv[n++] = "--exit-command-after", argv[n++] = after;
	}
	if (a->notify_socket)
		argv[n++] = "--notify-socket", argv[n++] = (char *)a->notify_socket;
	if (a->notify_relay)
		argv[n++] = "--notify-relay";
	if (a->slirp)
		argv[n++] = "--slirp4netns";
	if (a->slirp_host_loopback)
		argv[n++] = "--slirp4netns-host-loopback";
	argv[n] = NULL;
	o.stdin_fd = a->stdin_fd;
	o.stdout_fd = a->stdout_fd;
	o.stderr_fd = a->stderr_fd;
	o.keep_fd = pfd[1];
	/* a new session: ^C in the caller's terminal must reach the container through us, not the
	 * shim */
	o.setsid = true;
	r = spawn_start(argv, &o, &h->pid, e);
	close(pfd[1]);
	if (r < 0) {
		close(pfd[0]);
		return -1;
	}
	h->fd = pfd[0];
	return 0;
}

int
shim_go(struct shim_handle *h, int *pid, json_t **exit, struct err *e)
{
	int r;

	if (fdio_write_full(h->fd, "g", 1) < 0)
		r = err_set(e, errno, "tell the shim to go");
	else
		r = read_sync(h->fd, h->pid, pid, exit, e);
	close(h->fd);
	h->fd = -1;
	return r;
}

void
shim_abort(struct shim_handle *h)
{
	struct err ignored;

	if (h->fd < 0)
		return;
	close(h->fd); /* end of file before any go */
	h->fd = -1;
	spawn_wait(h->pid, &ignored);
	h->pid = 0;
}

int
shim_connect(const struct container *c, struct shim_conn *k, struct err *e)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	memset(k, 0, sizeof(*k));
	k->fd = -1;
	if (c->statefd < 0)
		return err_code(e, "not-found", "container '%s' has no state directory", c->id);
	/* via our dirfd: the state dir's path may be longer than sun_path */
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/shim.sock", c->statefd);
	k->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (k->fd < 0)
		return err_set(e, errno, "socket");
	if (connect(k->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int sys = errno;

		close(k->fd);
		k->fd = -1;
		return err_set(e, sys, "connect to the shim of '%s'", c->id);
	}
	return 0;
}

void
shim_close(struct shim_conn *k)
{
	if (k->fd >= 0)
		close(k->fd);
	free(k->buf);
	memset(k, 0, sizeof(*k));
	k->fd = -1;
}

int
shim_send(struct shim_conn *k, const json_t *req, const int *fds, int n, struct err *e)
{
	_cleanup_free_ char *line = json_dumps(req, JSON_COMPACT);
	_cleanup_free_ char *full = xasprintf("%s\n", line);
	union {
		char buf[CMSG_SPACE(3 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {full, strlen(full)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t w;

	if (n > 0) {
		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = CMSG_SPACE(n * sizeof(int));
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(n * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, n * sizeof(int));
	}
	do
		w = sendmsg(k->fd, &mh, MSG_NOSIGNAL);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		return err_set(e, errno, "send to the shim");
	/* the fds went with the first bytes; the rest, if any, is plain data */
	if ((size_t)w < iov.iov_len &&
	    fdio_write_full(k->fd, full + w, iov.iov_len - (size_t)w) < 0)
		return err_set(e, errno, "send to the shim");
	return 0;
}

bool
shim_has_line(const struct shim_conn *k)
{
	return k->len && memchr(k->buf, '\n', k->len);
}

json_t *
shim_recv(struct shim_conn *k, struct err *e)
{
	char *nl;

	while (!(nl = k->len ? memchr(k->buf, '\n', k->len) : NULL)) {
		ssize_t r;

		if (k->len >= LINE_MAX_BYTES) {
			err_code(e, "system", "shim response line too long");
			return NULL;
		}
		xgrow((void **)&k->buf, &k->cap, k->len + 4096, 1);
		r = read(k->fd, k->buf + k->len, k->cap - k->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			err_set(e, r < 0 ? errno : 0, "the shim closed the connection");
			if (r == 0)
				e->code = "gone";
			return NULL;
		}
		k->len += (size_t)r;
	}
	size_t n = (size_t)(nl - k->buf);
	json_t *j = jsonio_parse(k->buf, n, "shim response", e);

	memmove(k->buf, nl + 1, k->len - n - 1);
	k->len -= n + 1;
	return j;
}

json_t *
shim_call(const struct container *c, const json_t *req, struct err *e)
{
	struct shim_conn k;
	json_t *r;

	struct timeval tv = {.tv_sec = call_timeout()};
	json_auto_t *sent = json_copy((json_t *)req);
	struct timespec now;
	int pid = 0;

	/* past this instant we have given up: the shim must not act on it any more */
	clock_gettime(CLOCK_MONOTONIC, &now);
	json_object_set_new(
	    sent, "deadline",
	    json_integer((json_int_t)(now.tv_sec + tv.tv_sec) * 1000 + now.tv_nsec / 1000000));
	if (shim_connect(c, &k, e) < 0)
		return NULL;
	/* a stopped or wedged shim must not hang its client: bounded send and receive */
	setsockopt(k.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(k.fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	r = shim_send(&k, sent, NULL, 0, e) < 0 ? NULL : shim_recv(&k, e);
	shim_close(&k);
	if (!r && (e->sys == EAGAIN || e->sys == EWOULDBLOCK)) {
		container_shim_alive(c, &pid);
		return err_code(e, "busy", "shim %d of '%s' does not answer (%ld s)", pid, c->id,
				(long)tv.tv_sec),
		       NULL;
	}
	if (r && !json_is_true(json_object_get(r, "ok"))) {
		const char *msg = jsonio_str(r, "error");

		err_code(e, "runtime", "%s", msg ? msg : "the shim refused the request");
		json_decref(r);
		return NULL;
	}
	return r;
}
