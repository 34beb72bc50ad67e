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
#include "jsonio.h"
#include "log.h"
#include "ocidoc.h"
#include "prog.h"
#include "resolve.h"
#include "spawn.h"
#include "xmem.h"

const struct opt pull_unpack_opt_table[] = {
    {"unpack", OPT_UNPACK, NULL, "unpack the layers (with ctr-unpack) while they download", NULL},
    {"snapshotter", OPT_SNAPSHOTTER, "overlay|native",
     "--unpack: the store (default $CTR_SNAPSHOTTER, else overlay)", NULL},
    {"keep-blobs", OPT_KEEP_BLOBS, "all|none", "--unpack: keep the layers' blobs (default all)",
     NULL},
    OPT_END,
};

bool
pull_unpack_opt(int c, const char *arg, struct pull_unpack_opts *o)
{
	struct err e;

	switch (c) {
	case OPT_UNPACK:
		o->on = true;
		return true;
	case OPT_SNAPSHOTTER:
		if (snapshotter_parse(arg, &o->driver, &e) < 0)
			die_usage("%s", e.msg);
		o->driver_set = true;
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
	struct err e;

	if (!o->on && (o->driver_set || o->keep_none))
		die_usage("--snapshotter and --keep-blobs go with --unpack");
	if (o->on && !o->driver_set && snapshotter_default(&o->driver, &e) < 0)
		die_err(&e);
	if (o->on && all_platforms)
		die_usage("--unpack unpacks one platform, not --all-platforms");
	/* native applies each layer on a copy of the one below: only from the store */
	if (o->keep_none && o->driver != SNAP_OVERLAY)
		die_usage("--keep-blobs=none needs the overlay snapshotter");
}

static const char *const LEVELS[] = {"quiet", "error", "warn", "info", "debug"};

/* The global options our children need to see the same store. */
static char **
global_argv(const struct state *st, enum snapshotter driver)
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
	a[i++] = (char *)snapshotter_name(driver);
	return a;
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

/*
 * Run ctr-unpack with our global options, then extra (NULL-ended), stdin
 * from in (or /dev/null when -1) and stdout to out (or ours when -1). Its
 * stderr is relayed on success; on failure its last line is the error.
 */
static int
run_unpack(const struct pull_unpack *u, const char *const *extra, int in, int out, struct err *e)
{
	_cleanup_close_ int errfd = memfd_create("unpack-err", MFD_CLOEXEC);
	_cleanup_free_ char **argv = feed_argv(&u->cfg, extra);
	struct spawn_opts so = SPAWN_OPTS_INIT;
	char msg[400];
	int rc;

	if (errfd < 0)
		return err_set(e, errno, "memfd_create");
	so.stdin_fd = in;
	so.stderr_fd = errfd;
	if (out >= 0)
		so.stdout_fd = out;
	fflush(stdout);
	rc = spawn_run(argv, &so, e);
	if (rc == 0) {
		relay(errfd);
		return 0;
	}
	if (rc < 0)
		return -1;
	feed_last_line(errfd, msg, sizeof(msg));
	return err_code(e, rc == 100 ? "invalid" : "system", "unpack: %s", msg);
}

/* A JSON document in a memfd, at offset 0, for a child's stdin. */
static int
doc_fd(const json_t *doc, struct err *e)
{
	int fd = memfd_create("image-doc", MFD_CLOEXEC);

	if (fd < 0)
		return err_set(e, errno, "memfd_create");
	if (json_dumpfd(doc, fd, JSON_COMPACT) < 0 || lseek(fd, 0, SEEK_SET) < 0) {
		close(fd);
		return err_set(e, EIO, "write the image document");
	}
	return fd;
}

/* ctr-unpack --dry-run on the layers of p: which are committed already. */
static json_t *
dry_run(struct pull_unpack *u, const char *name, const struct plan *p, struct err *e)
{
	json_auto_t *doc =
	    json_pack("{s:s, s:O, s:O, s:O}", "name", name, "config", p->cfg[0].desc, "layers",
		      json_object_get(p->man[0].json, "layers"), "diff_ids", u->diff_ids);
	static const char *const extra[] = {"--dry-run", "-", NULL};
	_cleanup_close_ int in = doc ? doc_fd(doc, e) : -1;
	_cleanup_close_ int out = memfd_create("unpack-plan", MFD_CLOEXEC);
	json_t *plan;

	if (!doc)
		return err_code(e, "system", "cannot build the layer list"), NULL;
	if (in < 0 || out < 0)
		return in < 0 ? NULL : (err_set(e, errno, "memfd_create"), NULL);
	if (run_unpack(u, extra, in, out, e) < 0)
		return NULL;
	if (lseek(out, 0, SEEK_SET) < 0 || !(plan = jsonio_load_fd(out, 1 << 20, "unpack plan", e)))
		return NULL;
	if (json_array_size(json_object_get(plan, "layers")) !=
	    json_array_size(json_object_get(doc, "layers"))) {
		json_decref(plan);
		return err_code(e, "system", "unpack: a plan of another image"), NULL;
	}
	return plan;
}

/* Feeds for the blobs whose layers are still to apply (plan: ctr-unpack's dry run). */
static void
attach_feeds(struct pull_unpack *u, const json_t *layers, const json_t *plan, struct blob *b,
	     size_t n)
{
	const json_t *l;
	size_t i;

	u->feeds = xcalloc(n ? n : 1, sizeof(*u->feeds));
	u->nfeeds = n;
	json_array_foreach(layers, i, l) {
		const json_t *pl = json_array_get(json_object_get(plan, "layers"), i);
		const char *id = json_string_value(json_array_get(u->diff_ids, i));
		size_t k;

		for (k = 0; k < n && strcmp(b[k].digest, jsonio_str(l, "digest")); k++)
			;
		if (k == n || json_is_true(json_object_get(pl, "committed")))
			continue;
		u->feeds[k].cfg = &u->cfg;
		u->feeds[k].digest = b[k].digest;
		u->feeds[k].media_type = jsonio_str(l, "mediaType");
		u->feeds[k].size = b[k].size;
		feed_add_slot(&u->feeds[k], i, id);
	}
}

int
pull_unpack_prepare(struct pull_unpack *u, const struct state *st, const char *name,
		    const struct plan *p, struct blob *b, size_t *n, struct err *e)
{
	const json_t *layers = json_object_get(p->man[0].json, "layers");
	bool stream = u->o.driver == SNAP_OVERLAY; /* native applies in place, in order */
	json_auto_t *plan = NULL;
	size_t k = 0;

	u->cfg.exe = spawn_sibling("ctr-unpack", "CTR_UNPACK");
	u->cfg.gargv = global_argv(st, u->o.driver);
	u->diff_ids = ocidoc_config_diff_ids(p->cfg[0].json, json_array_size(layers), e);
	if (!u->diff_ids)
		return -1;
	if (!stream) /* native applies in place, in order: after the pull, by ctr-unpack */
		return 0;
	if (!(plan = dry_run(u, name, p, e)))
		return -1;
	attach_feeds(u, layers, plan, b, *n);
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

/*
 * Have ctr-unpack remove what the appliers left that nobody will commit
 * (it removes only snapshots made for us). A failure here is only a warning:
 * the snapshots name us as their owner, and the next unpack or gc after our
 * exit reclaims them.
 */
static void
discard(struct pull_unpack *u)
{
	char **extra;
	struct err e;

	for (size_t i = 0; i < u->nfeeds; i++)
		feed_give_up(&u->feeds[i]);
	if (!u->cfg.nleft)
		return;
	extra = xcalloc(u->cfg.nleft + 2, sizeof(*extra));
	extra[0] = "--discard";
	memcpy(extra + 1, u->cfg.left, u->cfg.nleft * sizeof(*extra));
	if (run_unpack(u, (const char *const *)extra, -1, -1, &e) < 0)
		log_warn("%s", e.msg);
	free(extra);
	for (size_t i = 0; i < u->cfg.nleft; i++)
		free(u->cfg.left[i]);
	free(u->cfg.left);
	u->cfg.left = NULL;
	u->cfg.nleft = 0;
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
		discard(u);
	return ok ? rc : -1;
}

/* The image document plus "unpacked":[{"digest","key"}...]: the snapshots the appliers left. */
static void
add_unpacked(struct pull_unpack *u, json_t *doc)
{
	json_t *unp = json_array();

	for (size_t i = 0; i < u->nfeeds; i++)
		for (size_t k = 0; k < u->feeds[i].n; k++)
			if (u->feeds[i].s[k].key[0])
				json_array_append_new(unp, json_pack("{s:s, s:s}", "digest",
								     u->feeds[i].digest, "key",
								     u->feeds[i].s[k].key));
	json_object_set_new(doc, "unpacked", unp);
}

int
pull_unpack_commit(struct pull_unpack *u, json_t *doc, struct err *e)
{
	static const char *const extra[] = {"-", NULL};
	_cleanup_close_ int in = (add_unpacked(u, doc), doc_fd(doc, e));

	/* its stdout is ours: the snapshot document */
	if (in >= 0 && run_unpack(u, extra, in, -1, e) == 0)
		return 0;
	discard(u); /* it removes what it adopted, not the rest */
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
	memset(u, 0, sizeof(*u));
}
