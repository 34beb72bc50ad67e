/* SPDX-License-Identifier: Apache-2.0 */
/* The unpack job: layers to committed snapshots named by chain ID, in parallel for overlay. */
#include "unpack.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "jsonio.h"
#include "log.h"
#include "owner.h"
#include "stale.h"

static void
close_fds(struct layer *l)
{
	if (l->w.rootfd >= 0)
		close(l->w.rootfd);
	if (l->w.layerfd >= 0)
		close(l->w.layerfd);
	l->w.rootfd = l->w.layerfd = -1;
}

/* An active snapshot under a key nobody else picks: "unpack-<pid>-<layer>-<random>". */
static int
prepare_layer(struct unpack_job *j, size_t i, const char *parent, struct err *e)
{
	struct layer *l = &j->layers[i];
	uint32_t rnd = 0;
	char owner[64] = "";
	json_auto_t *labels = NULL;

	/* a later run removes the snapshot once its owner is gone (stale_sweep, or gc) */
	owner_identity(j->owner ? j->owner : getpid(), owner, sizeof(owner));
	labels = json_pack("{s:s, s:s, s:s}", "ctr.unpack/layer", l->digest, "ctr.unpack/diff-id",
			   l->diff_id, OWNER_LABEL_UNPACK, owner);

	if (getrandom(&rnd, sizeof(rnd), 0) < 0)
		rnd = (uint32_t)time(NULL);
	snprintf(l->key, sizeof(l->key), "unpack-%d-%zu-%08" PRIx32, (int)getpid(), i, rnd);
	if (snapshot_prepare(j->s, l->key, parent, labels, 0, NULL, e) < 0) {
		l->key[0] = '\0';
		return -1;
	}
	l->w.opts = j->opts;
	l->w.opts.hint = l->comp;
	l->w.rootfd = snapshot_open_dir(j->s, l->key, e);
	if (l->w.rootfd < 0)
		return -1;
	/* a stream (--layer-stream) comes open; a stored layer is read from its blob */
	if (l->w.layerfd < 0)
		l->w.layerfd = content_open_blob(j->c, l->digest, e);
	return l->w.layerfd < 0 ? -1 : 0;
}

/* What the worker computed against what the image promised, before anything is committed. */
static int
verify(const struct layer *l, struct err *e)
{
	const struct apply_result *r = &l->w.res;

	if (l->size >= 0 && (int64_t)r->compressed != l->size)
		return err_code(e, "invalid",
				"blob size %" PRIu64 " differs from the descriptor's %" PRId64,
				r->compressed, l->size);
	if (strcmp(r->digest, l->digest))
		return err_code(e, "invalid", "blob digest mismatch: got %s", r->digest);
	if (strcmp(r->diff_id, l->diff_id))
		return err_code(e, "invalid", "diff_id mismatch: got %s, want %s", r->diff_id,
				l->diff_id);
	return 0;
}

static struct layer *
by_pid(struct unpack_job *j, pid_t pid)
{
	for (size_t i = 0; i < j->n; i++)
		if (j->layers[i].started && !j->layers[i].done && j->layers[i].w.pid == pid)
			return &j->layers[i];
	return NULL;
}

/* Reap one worker; the first failure is the one reported. */
static int
reap_one(struct unpack_job *j, bool *failed, struct err *e)
{
	struct layer *l;
	struct err le;
	int status;
	pid_t pid = waitpid(-1, &status, 0);

	if (pid < 0)
		return errno == EINTR ? 0 : err_set(e, errno, "waitpid");
	if (!(l = by_pid(j, pid)))
		return 0;
	worker_finish(&l->w, status);
	l->done = true;
	close_fds(l);
	le = l->w.err;
	if (l->w.ok ? verify(l, &le) < 0 : true) {
		err_prefix(&le, "layer %zu (%s)", (size_t)(l - j->layers), l->digest);
		if (!*failed)
			*e = le;
		*failed = true;
	}
	return 1;
}

/* Workers for every layer not skipped, j->jobs at a time; the rest killed on a failure. */
static int
run_workers(struct unpack_job *j, struct err *e)
{
	size_t next = 0, running = 0;
	bool failed = false;

	for (;;) {
		while (!failed && running < j->jobs && next < j->n) {
			struct layer *l = &j->layers[next++];

			if (l->skip || l->preapplied || !l->key[0])
				continue;
			if (worker_start(&l->w, e) < 0) {
				failed = true;
				break;
			}
			l->started = true;
			running++;
		}
		if (!running)
			break;
		if (failed)
			for (size_t i = 0; i < j->n; i++)
				if (j->layers[i].started && !j->layers[i].done)
					kill(j->layers[i].w.pid, SIGKILL);
		int r = reap_one(j, &failed, e);
		if (r < 0)
			return -1;
		running -= (size_t)r;
	}
	return failed ? -1 : 0;
}

static int
commit_layer(struct unpack_job *j, size_t i, const char *parent, struct err *e)
{
	struct layer *l = &j->layers[i];
	json_auto_t *labels = json_pack("{s:s, s:s}", "ctr.unpack/layer", l->digest,
					"ctr.unpack/diff-id", l->diff_id);

	if (snapshot_commit(j->s, l->chain, l->key, parent, labels, e) < 0)
		return err_prefix(e, "commit layer %zu", i);
	l->key[0] = '\0';
	j->applied++;
	return 0;
}

/*
 * Overlay: each layer's upperdir depends on no other, so all are prepared
 * without a parent, applied at once, and given their parent at commit, in
 * order, once every diff_id checked.
 */
static int
run_overlay(struct unpack_job *j, struct err *e)
{
	for (size_t i = 0; i < j->n; i++)
		if (!j->layers[i].skip && !j->layers[i].preapplied &&
		    prepare_layer(j, i, NULL, e) < 0)
			return err_prefix(e, "layer %zu", i);
	if (run_workers(j, e) < 0)
		return -1;
	for (size_t i = 0; i < j->n; i++)
		if (!j->layers[i].skip &&
		    commit_layer(j, i, i ? j->layers[i - 1].chain : NULL, e) < 0)
			return -1;
	return 0;
}

/* Native: each layer changes a copy of its parent in place, so one after the other. */
static int
run_native(struct unpack_job *j, struct err *e)
{
	for (size_t i = 0; i < j->n; i++) {
		if (j->layers[i].skip)
			continue;
		if (prepare_layer(j, i, i ? j->layers[i - 1].chain : NULL, e) < 0)
			return err_prefix(e, "layer %zu", i);
		if (run_workers(j, e) < 0 || commit_layer(j, i, NULL, e) < 0)
			return -1;
	}
	return 0;
}

/*
 * A layer an applier (--layer-stream) left as an active snapshot: adopted
 * only if it is one of ours and its labels name this layer's blob and diff_id,
 * which the applier put there and checked before it exited 0.
 */
static int
adopt(struct unpack_job *j, struct layer *l, struct err *e)
{
	json_auto_t *st = NULL;
	const json_t *labels;

	if (strncmp(l->key, "unpack-", 7) || !(st = snapshot_stat(j->s, l->key, e)))
		return err_code(e, "invalid", "unpacked layer %s: no snapshot '%s'", l->digest,
				l->key);
	labels = json_object_get(st, "labels");
	if (strcmp(jsonio_str(st, "kind"), "active") ||
	    strcmp(jsonio_str(labels, "ctr.unpack/layer") ?: "", l->digest) ||
	    strcmp(jsonio_str(labels, "ctr.unpack/diff-id") ?: "", l->diff_id))
		return err_code(e, "invalid", "snapshot '%s' is not an applied %s", l->key,
				l->digest);
	l->preapplied = true;
	return 0;
}

int
unpack_stream(struct unpack_job *j, struct err *e)
{
	struct layer *l = &j->layers[0];
	struct err ignored;

	l->w.rootfd = l->w.rfd = -1;
	if (prepare_layer(j, 0, NULL, e) < 0 || run_workers(j, e) < 0) {
		close_fds(l);
		if (l->key[0])
			snapshot_remove(j->s, l->key, &ignored);
		l->key[0] = '\0';
		return -1;
	}
	close_fds(l);
	return 0;
}

static void
unlock_chain(const struct unpack_job *j, struct layer *l)
{
	snapshot_chain_unlock(j->s, l->chain, l->lockfd);
	l->lockfd = -1;
}

/*
 * Unpacks of one chain ID at once: one applies it, the others wait on its
 * lock and find it committed. Bottom layer first, the same order in every
 * run (a chain ID names its whole prefix), so no two runs wait on each other.
 * The locks are in the snapshot store, so runs on one root exclude each
 * other whatever state directory each has.
 */
static int
lock_chains(struct unpack_job *j, struct err *e)
{
	const char *kind;

	for (size_t i = 0; i < j->n; i++) {
		struct layer *l = &j->layers[i];

		if (l->skip)
			continue;
		if ((l->lockfd = snapshot_chain_lock(j->s, l->chain, e)) < 0)
			return err_prefix(e, "layer %zu", i);
		/* another run committed it while we waited: reuse it */
		if (snapshot_exists(j->s, l->chain, &kind) && !strcmp(kind, "committed")) {
			l->skip = true;
			unlock_chain(j, l);
		}
	}
	return 0;
}

int
unpack_run(struct unpack_job *j, struct err *e)
{
	const char *kind;
	int rc;

	for (size_t i = 0; i < j->n; i++) {
		struct layer *l = &j->layers[i];

		l->w.rootfd = l->w.layerfd = l->w.rfd = -1;
		l->lockfd = -1;
		l->skip = snapshot_exists(j->s, l->chain, &kind) && !strcmp(kind, "committed");
		if (!l->skip && l->key[0] && (!j->overlay || adopt(j, l, e) < 0))
			return j->overlay ? -1
					  : err_code(e, "invalid", "unpacked layers need overlay");
		if (!l->skip && !l->preapplied && !content_has(j->c, l->digest, l->size))
			return err_code(e, "not-found",
					"layer %zu: blob %s not in the content store", i,
					l->digest);
	}
	rc = lock_chains(j, e) < 0 ? -1 : j->overlay ? run_overlay(j, e) : run_native(j, e);
	for (size_t i = 0; i < j->n; i++) {
		struct err ignored;

		close_fds(&j->layers[i]);
		unlock_chain(j, &j->layers[i]);
		/* leave the store as it was: no active snapshot of ours survives a failure */
		if (j->layers[i].key[0] && snapshot_remove(j->s, j->layers[i].key, &ignored) < 0)
			log_warn("cannot remove snapshot '%s': %s", j->layers[i].key, ignored.msg);
	}
	return rc;
}
