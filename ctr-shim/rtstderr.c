/* SPDX-License-Identifier: Apache-2.0 */
/* --stdio inherit: the runtime's stderr through a pipe of ours, so that its failure is told once. */
#include "rtstderr.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "cleanup.h"
#include "fdio.h"
#include "log.h"
#include "loop.h"
#include "shim.h"

#define HELD_MAX (64u << 10) /* what the runtime wrote before it answered: one pipe's worth */
#define READ_ROUNDS 4	     /* reads per event: a noisy stream must not starve the loop */
#define DRAIN_ROUNDS 16	     /* at init's exit: more than a pipe holds */

/*
 * Why: runc and crun print their fatal error on their stderr as well as in
 * the --log file, and with --stdio inherit that stderr is our caller's (and
 * the container's: runc's `run` copies the container's stderr to its own,
 * `create` hands its own on). The caller then printed the runtime's line and
 * ours after it, the same words twice. Through this pipe the runtime's words
 * before the container runs are ours to drop; once it runs, everything is
 * relayed as it comes.
 */
int
rtstderr_open(struct shim *s, struct spawn_opts *so, struct err *e)
{
	int p[2];

	s->rterr.kind = W_RTSTDERR;
	if (s->o.stdio != STDIO_INHERIT)
		return 0;
	if (pipe2(p, O_CLOEXEC) < 0)
		return err_set(e, errno, "pipe");
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	s->rterr.fd = p[0];
	so->stderr_fd = p[1];
	return 0;
}

static void
stop(struct shim *s, bool watched)
{
	if (watched)
		loop_del(s, &s->rterr);
	close(s->rterr.fd);
	s->rterr.fd = -1;
}

/* What the pipe holds now, without waiting: the bytes read into buf (NUL-terminated). */
static size_t
held(struct shim *s, char *buf, size_t max, bool *eof)
{
	size_t len = 0;
	ssize_t n;

	*eof = false;
	while (len < max - 1) {
		n = read(s->rterr.fd, buf + len, max - 1 - len);
		if (n > 0) {
			len += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		*eof = n == 0 || errno != EAGAIN;
		break;
	}
	buf[len] = '\0';
	return len;
}

/* The last non-empty line of text, trimmed, in place. */
static const char *
last_line(char *text)
{
	size_t len = strlen(text);
	char *start;

	while (len && (text[len - 1] == '\n' || text[len - 1] == ' ' || text[len - 1] == '\r'))
		text[--len] = '\0';
	start = strrchr(text, '\n');
	return start ? start + 1 : text;
}

/* The runtime's own line where the error does not carry it already (no --log support). */
static void
fold(struct err *e, char *text)
{
	const char *line = last_line(text);
	size_t len = strlen(e->msg);

	if (*line && !strstr(e->msg, line))
		snprintf(e->msg + len, sizeof(e->msg) - len, ": %s", line);
}

void
rtstderr_done(struct shim *s, struct spawn_opts *so, int r, struct err *e)
{
	_cleanup_free_ char *buf = NULL;
	bool eof = false;
	size_t len;

	if (s->rterr.fd < 0)
		return;
	close(so->stderr_fd); /* the runtime and the container hold their own copies */
	so->stderr_fd = -1;
	buf = malloc(HELD_MAX);
	len = buf ? held(s, buf, HELD_MAX, &eof) : 0;
	if (r < 0) {
		if (buf)
			fold(e, buf);
		stop(s, false);
		return;
	}
	if (len && fdio_write_full(2, buf, len) < 0)
		log_info("runtime stderr: %s", strerror(errno));
	if (eof)
		stop(s, false);
	else
		loop_add(s, &s->rterr, EPOLLIN);
}

static bool
relay(struct shim *s, int rounds)
{
	char buf[16384];
	ssize_t n;

	for (int i = 0; i < rounds; i++) {
		n = read(s->rterr.fd, buf, sizeof(buf));
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return true;
		if (n <= 0)
			return false;
		if (fdio_write_full(2, buf, (size_t)n) < 0)
			log_info("container stderr: %s", strerror(errno));
	}
	return true;
}

void
rtstderr_on_event(struct shim *s, uint32_t events)
{
	(void)events;
	if (!relay(s, READ_ROUNDS))
		stop(s, true);
}

void
rtstderr_drain(struct shim *s)
{
	if (s->rterr.fd >= 0 && !relay(s, DRAIN_ROUNDS))
		stop(s, true);
}
