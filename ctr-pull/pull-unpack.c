/* SPDX-License-Identifier: Apache-2.0 */
/* ctr-pull --unpack: appliers fed while layers download, then ctr-unpack commits them. */
#include "pull-unpack.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "fdio.h"
#include "fetch.h"
#include "image.h"
#include "jsonio.h"
#include "log.h"
#include "prog.h"
#include "resolve.h"
#include "snapshot.h"
#include "spawn.h"
#include "xmem.h"

bool
pull_unpack_opt(int c, const char *arg, struct pull_unpack_opts *o)
{
	switch (c) {
	case OPT_UNPACK:
		o->on = true;
		return true;
	case OPT_SNAPSHOTTER:
		if (strcmp(arg, "overlay") && strcmp(arg, "native"))
			die_usage("unknown snapshotter '%s'", arg);
		o->driver = arg;
		return true;
	case OPT_KEEP_BLOBS:
		if (strcmp(arg, "all") && strcmp(arg, "none"))
			die_usage("--keep-blobs must be all or none");
		o->keep_none = !strcmp(arg, "none");
		return true;
	}
	return false;
}

void
pull_unpack_check(struct pull_unpack_opts *o, bool all_platforms)
{
	if (!o->on && (o->driver || o->keep_none))
		die_usage("--snapshotter and --keep-blobs go with --unpack");
	if (!o->driver)
		o->driver = "overlay";
	if (o->on && all_platforms)
		die_usage("--unpack unpacks one platform, not --all-platforms");
	/* native applies each layer on a copy of the one below: only from the store */
	if (o->keep_none && strcmp(o->driver, "overlay"))
		die_usage("--keep-blobs=none needs the overlay snapshotter");
}

/* $CTR_UNPACK, else ctr-unpack beside our own binary, else the one on $PATH. */
static char *
unpack_exe(void)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash, *p;

	if (getenv("CTR_UNPACK") && *getenv("CTR_UNPACK"))
		return xstrdup(getenv("CTR_UNPACK"));
	if (n > 0) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/'))) {
			*slash = '\0';
			p = xasprintf("%s/ctr-unpack", self);
			if (access(p, X_OK) == 0)
				return p;
			free(p);
		}
	}
	return xstrdup("ctr-unpack");
}

static const char *const LEVELS[] = {"quiet", "error", "warn", "info", "debug"};

/* The global options our children need to see the same store. */
static char **
global_argv(const struct state *st, const char *driver)
{
	char **a = xcalloc(10, sizeof(*a));
	size_t i = 0;

	a[i++] = "--root";
	a[i++] = st->root;
	a[i++] = "-n";
	a[i++] = st->ns;
	a[i++] = "--log-level";
	a[i++] = (char *)LEVELS[log_level];
	a[i++] = "--snapshotter";
	a[i++] = (char *)driver;
	return a;
}

/* Is the layer's chain ID committed already? Then nothing of it is applied. */
static bool
committed(struct pull_unpack *u, const char *chain)
{
	const char *kind;

	return snapshot_exists(u->s, chain, &kind) && !strcmp(kind, "committed");
}

/* Feeds for the blobs whose layers are still to apply; chain[i] as ctr-unpack computes it. */
static void
attach_feeds(struct pull_unpack *u, const json_t *layers, struct blob *b, size_t n)
{
	char chain[DIGEST_STR_LEN + 1], buf[2 * DIGEST_STR_LEN + 2];
	const json_t *l;
	size_t i;

	u->feeds = xcalloc(n ? n : 1, sizeof(*u->feeds));
	u->nfeeds = n;
	json_array_foreach(layers, i, l)
	{
		const char *id = json_string_value(json_array_get(u->diff_ids, i));
		size_t k;

		if (!i)
			snprintf(chain, sizeof(chain), "%s", id);
		else {
			snprintf(buf, sizeof(buf), "%s %s", chain, id);
			digest_buf(buf, strlen(buf), chain);
		}
		for (k = 0; k < n && strcmp(b[k].digest, jsonio_str(l, "digest")); k++)
			;
		if (k == n || committed(u, chain))
			continue;
		u->feeds[k].cfg = &u->cfg;
		u->feeds[k].digest = b[k].digest;
		u->feeds[k].media_type = jsonio_str(l, "mediaType");
		u->feeds[k].size = b[k].size;
		feed_add_slot(&u->feeds[k], i, id);
	}
}

int
pull_unpack_prepare(struct pull_unpack *u, const struct state *st, const struct plan *p,
		    struct blob *b, size_t *n, struct err *e)
{
	const json_t *layers = json_object_get(p->man[0].json, "layers");
	bool stream = !strcmp(u->o.driver, "overlay");
	size_t k = 0;

	u->cfg.exe = unpack_exe();
	u->cfg.gargv = global_argv(st, u->o.driver);
	if (snapshot_store_open(st, u->o.driver, &u->s, e) < 0)
		return -1;
	u->cfg.s = u->s;
	u->diff_ids = image_config_diff_ids(p->cfg[0].json, json_array_size(layers), e);
	if (!u->diff_ids)
		return -1;
	if (!stream) /* native applies in place, in order: after the pull, by ctr-unpack */
		return 0;
	attach_feeds(u, layers, b, *n);
	for (size_t i = 0; i < *n; i++) {
		/* without a copy in the store, a layer already committed needs no bytes */
		if (u->o.keep_none && !u->feeds[i].n)
			continue;
		b[k] = b[i];
		u->feeds[k] = u->feeds[i];
		b[k].feed = u->feeds[k].n ? &u->feeds[k] : NULL;
		b[k].ingest_flags = u->o.keep_none ? CONTENT_NODATA : 0;
		k++;
	}
	*n = u->nfeeds = k;
	return 0;
}

/* Serve the feeds until every applier is reaped: flush held-back bytes, poll briefly. */
static int
drain(struct pull_unpack *u, bool ok, struct err *e)
{
	struct pollfd p[64];
	int rc = 0;

	for (;;) {
		unsigned np = 0;
		bool running = false;

		for (size_t i = 0; i < u->nfeeds; i++) {
			struct err fe;

			if (feed_service(&u->feeds[i], &fe) < 0 && ok && rc == 0) {
				*e = fe;
				rc = -1;
			}
			if (rc < 0 && ok)
				for (size_t j = 0; j < u->nfeeds; j++)
					feed_abort(&u->feeds[j]);
			running = running || feed_running(&u->feeds[i]);
			np += feed_pollfds(&u->feeds[i], p + np, 64 - np);
		}
		if (!running)
			return rc;
		/* no descriptor tells when a child exits: look again soon */
		poll(p, np, 5);
	}
}

int
pull_unpack_wait(struct pull_unpack *u, bool ok, struct err *e)
{
	int rc;

	if (!ok)
		for (size_t i = 0; i < u->nfeeds; i++)
			feed_abort(&u->feeds[i]);
	rc = drain(u, ok, e);
	if (!ok || rc < 0)
		for (size_t i = 0; i < u->nfeeds; i++)
			feed_remove_snapshots(&u->feeds[i]);
	return ok ? rc : -1;
}

/* The image document plus "unpacked":[{"digest","key"}...], in a memfd for ctr-unpack's stdin. */
static int
input_doc(struct pull_unpack *u, json_t *doc, struct err *e)
{
	json_t *unp = json_array();
	int fd;

	for (size_t i = 0; i < u->nfeeds; i++)
		for (size_t k = 0; k < u->feeds[i].n; k++)
			if (u->feeds[i].s[k].key[0])
				json_array_append_new(unp, json_pack("{s:s, s:s}", "digest",
								     u->feeds[i].digest, "key",
								     u->feeds[i].s[k].key));
	json_object_set_new(doc, "unpacked", unp);
	fd = memfd_create("image-doc", MFD_CLOEXEC);
	if (fd < 0)
		return err_set(e, errno, "memfd_create");
	if (json_dumpfd(doc, fd, JSON_COMPACT) < 0 || lseek(fd, 0, SEEK_SET) < 0) {
		close(fd);
		return err_set(e, EIO, "write the image document");
	}
	return fd;
}

static char **
commit_argv(const struct pull_unpack *u)
{
	size_t g = 0;
	char **argv;

	while (u->cfg.gargv[g])
		g++;
	argv = xcalloc(g + 3, sizeof(*argv));
	argv[0] = (char *)u->cfg.exe;
	memcpy(argv + 1, u->cfg.gargv, g * sizeof(*argv));
	argv[g + 1] = "-";
	return argv;
}

/* What ctr-unpack said on a success (warnings, info) goes on to our stderr. */
static void
relay(int fd)
{
	_cleanup_free_ char *buf = NULL;
	struct err ignored;
	size_t len = 0;

	if (lseek(fd, 0, SEEK_SET) == 0 && fdio_read_all(fd, 1 << 20, &buf, &len, &ignored) == 0)
		fdio_write_full(STDERR_FILENO, buf, len);
}

int
pull_unpack_commit(struct pull_unpack *u, const struct state *st, json_t *doc, struct err *e)
{
	_cleanup_free_ char **argv = commit_argv(u);
	_cleanup_close_ int in = input_doc(u, doc, e);
	_cleanup_close_ int errfd = memfd_create("unpack-err", MFD_CLOEXEC);
	struct spawn_opts so = SPAWN_OPTS_INIT;
	char msg[400];
	int rc;

	(void)st;
	if (in < 0 || errfd < 0)
		return in < 0 ? -1 : err_set(e, errno, "memfd_create");
	so.stdin_fd = in;
	so.stderr_fd = errfd;
	fflush(stdout); /* its stdout is ours: the snapshot document */
	rc = spawn_run(argv, &so, e);
	if (rc == 0) {
		relay(errfd);
		return 0;
	}
	for (size_t i = 0; i < u->nfeeds; i++) /* it removes what it adopted, not the rest */
		feed_remove_snapshots(&u->feeds[i]);
	if (rc < 0)
		return -1;
	feed_last_line(errfd, msg, sizeof(msg));
	err_code(e, rc == 100 ? "invalid" : "system", "unpack: %s", msg);
	e->sys = rc == 100 ? 0 : EIO;
	return -1;
}

void
pull_unpack_release(struct pull_unpack *u)
{
	for (size_t i = 0; i < u->nfeeds; i++)
		feed_release(&u->feeds[i]);
	free(u->feeds);
	free(u->cfg.gargv);
	free((char *)u->cfg.exe);
	json_decref(u->diff_ids);
	if (u->s)
		snapshot_store_free(u->s);
	memset(u, 0, sizeof(*u));
}
