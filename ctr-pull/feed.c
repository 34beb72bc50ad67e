/* SPDX-License-Identifier: Apache-2.0 */
/* --unpack: a download teed into ctr-unpack --layer-stream appliers, one per layer it fills. */
#include "feed.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "fdio.h"
#include "jsonio.h"
#include "log.h"
#include "spawn.h"
#include "xmem.h"

/* A pipe this size lets an applier decompress ahead while the download loop serves others. */
#define FEED_PIPE_SIZE (1 << 20)

void
feed_add_slot(struct feed *f, size_t layer, const char *diff_id)
{
	f->s = xrealloc(f->s, (f->n + 1) * sizeof(*f->s));
	memset(&f->s[f->n], 0, sizeof(f->s[f->n]));
	f->s[f->n].layer = layer;
	f->s[f->n++].diff_id = diff_id;
}

char **
feed_argv(const struct feed_cfg *cfg, const char *const *extra)
{
	size_t g = 0, x = 0;
	char **argv;

	while (cfg->gargv[g])
		g++;
	while (extra[x])
		x++;
	argv = xcalloc(g + x + 2, sizeof(*argv));
	argv[0] = (char *)cfg->exe;
	memcpy(argv + 1, cfg->gargv, g * sizeof(*argv));
	memcpy(argv + 1 + g, extra, x * sizeof(*argv));
	return argv;
}

static char **
applier_argv(const struct feed *f, const char *diff_id, char *size)
{
	const char *const extra[] = {"--layer-stream",
				     "--digest",
				     f->digest,
				     "--diff-id",
				     diff_id,
				     "--media-type",
				     f->media_type,
				     f->size > 0 ? "--size" : NULL,
				     size,
				     NULL};

	return feed_argv(f->cfg, extra);
}

/* Start an applier with its stdin on a pipe whose (non-blocking) write end we keep. */
static int
start_applier(struct feed *f, struct feed_slot *s, struct err *e)
{
	char size[24];
	_cleanup_free_ char **argv =
	    (snprintf(size, sizeof(size), "%" PRId64, f->size), applier_argv(f, s->diff_id, size));
	struct spawn_opts so = SPAWN_OPTS_INIT;
	struct applier a = {.fd = -1};
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return err_set(e, errno, "pipe");
	fcntl(p[1], F_SETPIPE_SZ, FEED_PIPE_SIZE); /* a smaller pipe only costs speed */
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	a.outfd = memfd_create("applier-out", MFD_CLOEXEC);
	a.errfd = memfd_create("applier-err", MFD_CLOEXEC);
	so.stdin_fd = p[0];
	so.stdout_fd = a.outfd;
	so.stderr_fd = a.errfd;
	if (a.outfd < 0 || a.errfd < 0)
		err_set(e, errno, "memfd_create");
	else if (spawn_start(argv, &so, &a.pid, e) == 0)
		a.fd = p[1];
	close(p[0]);
	if (a.fd < 0) {
		close(p[1]);
		if (a.outfd >= 0)
			close(a.outfd);
		if (a.errfd >= 0)
			close(a.errfd);
		return err_prefix(e, "layer %zu: start %s", s->layer, f->cfg->exe);
	}
	s->a = xrealloc(s->a, (s->na + 1) * sizeof(*s->a));
	s->a[s->na++] = a;
	s->live = true;
	s->fed = 0;
	return 0;
}

static void
close_pipe(struct feed_slot *s)
{
	struct applier *a = &s->a[s->na - 1];

	if (a->fd >= 0)
		close(a->fd);
	a->fd = -1;
	s->live = false;
	free(s->pend);
	s->pend = NULL;
	s->plen = s->poff = 0;
}

/* Closing the pipe early makes the applier fail its size or digest check and clean up. */
static void
drop(struct feed_slot *s)
{
	if (!s->na || !s->live)
		return;
	s->a[s->na - 1].dropped = true;
	close_pipe(s);
}

static int
flush(struct feed_slot *s, struct err *e)
{
	while (s->poff < s->plen) {
		ssize_t w = write(s->a[s->na - 1].fd, s->pend + s->poff, s->plen - s->poff);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			return 0;
		if (w < 0 && errno == EPIPE) {
			close_pipe(s); /* it died: reaping tells why */
			return 0;
		}
		if (w < 0)
			return err_set(e, errno, "layer %zu: write to its applier", s->layer);
		s->poff += (size_t)w;
	}
	free(s->pend);
	s->pend = NULL;
	s->plen = s->poff = 0;
	if (s->ended)
		close_pipe(s);
	return 0;
}

static int
push(struct feed_slot *s, const void *buf, size_t len, struct err *e)
{
	s->pend = xrealloc(s->pend, s->plen + len);
	memcpy(s->pend + s->plen, buf, len);
	s->plen += len;
	s->fed += (int64_t)len;
	return flush(s, e);
}

bool
feed_busy(const struct feed *f)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->s[i].live && f->s[i].plen > f->s[i].poff)
			return true;
	return false;
}

int
feed_data(struct feed *f, int64_t pos, const void *buf, size_t len, struct err *e)
{
	for (size_t i = 0; i < f->n; i++) {
		struct feed_slot *s = &f->s[i];

		if (s->live && s->fed != pos) {
			log_info("layer %zu: the download resumed at %" PRId64
				 "; applying it from the store once complete",
				 s->layer, pos);
			drop(s);
		}
		if (!s->live && pos == 0 && !s->ended && start_applier(f, s, e) < 0)
			return -1;
		if (s->live && push(s, buf, len, e) < 0)
			return -1;
	}
	return 0;
}

void
feed_end(struct feed *f, bool ok)
{
	struct err ignored;

	for (size_t i = 0; i < f->n; i++) {
		if (!ok) {
			drop(&f->s[i]);
			continue;
		}
		f->s[i].ended = true;
		if (f->s[i].live && f->s[i].plen == f->s[i].poff)
			close_pipe(&f->s[i]);
		else if (f->s[i].live)
			flush(&f->s[i], &ignored);
	}
}

void
feed_last_line(int fd, char *out, size_t max)
{
	_cleanup_free_ char *buf = NULL;
	struct err ignored;
	size_t len = 0;
	char *p, *fatal;

	out[0] = '\0';
	if (lseek(fd, 0, SEEK_SET) < 0 || fdio_read_all(fd, 1 << 20, &buf, &len, &ignored) < 0 ||
	    !len)
		return;
	while (len && buf[len - 1] == '\n')
		buf[--len] = '\0';
	p = strrchr(buf, '\n');
	p = p ? p + 1 : buf;
	fatal = strstr(p, ": fatal: ");
	snprintf(out, max, "%s", fatal ? fatal + 9 : p);
}

/* Its output, {"digest","diff_id","key","snapshotter"}: the active snapshot it leaves. */
static int
read_key(const struct feed *f, const struct feed_slot *s, const struct applier *a, char *key,
	 size_t max, struct err *e)
{
	json_auto_t *out = NULL;
	const char *k;

	if (lseek(a->outfd, 0, SEEK_SET) < 0 ||
	    !(out = jsonio_load_fd(a->outfd, 1 << 16, "applier output", e)))
		return err_prefix(e, "layer %zu", s->layer);
	k = jsonio_str(out, "key");
	if (!k || strcmp(jsonio_str(out, "digest") ?: "", f->digest) || strlen(k) >= max)
		return err_code(e, "system", "layer %zu: unexpected applier output", s->layer);
	snprintf(key, max, "%s", k);
	return 0;
}

static void
left(struct feed_cfg *cfg, const char *key)
{
	cfg->left = xrealloc(cfg->left, (cfg->nleft + 1) * sizeof(*cfg->left));
	cfg->left[cfg->nleft++] = xstrdup(key);
}

/* It finished after we gave up on it: its snapshot is nobody's. */
static void
orphan(const struct feed *f, const struct feed_slot *s, const struct applier *a)
{
	char key[sizeof(s->key)];
	struct err e;

	if (read_key(f, s, a, key, sizeof(key), &e) == 0)
		left(f->cfg, key);
}

static int
reaped(struct feed *f, struct feed_slot *s, struct applier *a, int status, struct err *e)
{
	bool current = a == &s->a[s->na - 1];
	char msg[200];
	int rc = 0;

	if (a->dropped && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		orphan(f, s, a);
	} else if (!a->dropped && current && !s->live && s->ended && WIFEXITED(status) &&
		   WEXITSTATUS(status) == 0) {
		rc = read_key(f, s, a, s->key, sizeof(s->key), e);
	} else if (!a->dropped) {
		feed_last_line(a->errfd, msg, sizeof(msg));
		if (WIFEXITED(status) && WEXITSTATUS(status) == 100)
			rc = err_code(e, "invalid", "layer %zu: %s", s->layer, msg);
		else
			rc = err_code(e, "system", "layer %zu: applier %s (status %d): %s",
				      s->layer, f->cfg->exe, status, msg);
	}
	close(a->outfd);
	close(a->errfd);
	a->outfd = a->errfd = -1;
	a->pid = 0;
	return rc;
}

int
feed_service(struct feed *f, struct err *e)
{
	for (size_t i = 0; i < f->n; i++) {
		struct feed_slot *s = &f->s[i];

		if (s->live && flush(s, e) < 0)
			return -1;
		for (size_t k = 0; k < s->na; k++) {
			struct applier *a = &s->a[k];
			int status;
			pid_t r = a->pid > 0 ? waitpid(a->pid, &status, WNOHANG) : 0;

			if (r < 0 && errno != EINTR)
				return err_set(e, errno, "wait for an applier");
			if (r == a->pid && a->pid > 0 && reaped(f, s, a, status, e) < 0)
				return -1;
		}
	}
	return 0;
}

unsigned
feed_pollfds(const struct feed *f, struct pollfd *p, unsigned max)
{
	unsigned n = 0;

	for (size_t i = 0; i < f->n && n < max; i++)
		if (f->s[i].live && f->s[i].plen > f->s[i].poff)
			p[n++] =
			    (struct pollfd){.fd = f->s[i].a[f->s[i].na - 1].fd, .events = POLLOUT};
	return n;
}

bool
feed_running(const struct feed *f)
{
	for (size_t i = 0; i < f->n; i++)
		for (size_t k = 0; k < f->s[i].na; k++)
			if (f->s[i].a[k].pid > 0)
				return true;
	return false;
}

void
feed_abort(struct feed *f)
{
	for (size_t i = 0; i < f->n; i++) {
		drop(&f->s[i]);
		for (size_t k = 0; k < f->s[i].na; k++)
			f->s[i].a[k].dropped = true;
	}
}

void
feed_give_up(struct feed *f)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->s[i].key[0]) {
			left(f->cfg, f->s[i].key);
			f->s[i].key[0] = '\0';
		}
}

void
feed_release(struct feed *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->s[i].pend);
		free(f->s[i].a);
	}
	free(f->s);
	f->s = NULL;
	f->n = 0;
}
