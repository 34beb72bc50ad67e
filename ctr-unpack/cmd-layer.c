/* SPDX-License-Identifier: Apache-2.0 */
/* ctr-unpack --layer-stream and --discard: one layer applied as its bytes arrive, for a puller. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "digest.h"
#include "jsonio.h"
#include "prog.h"
#include "owner.h"
#include "stale.h"
#include "unpack.h"

static void
check_stream_opts(const struct opts *o, int *comp)
{
	struct err e = {0};

	if (o->driver != SNAP_OVERLAY)
		die_usage("--layer-stream needs the overlay snapshotter");
	if (!o->digest || !o->diff_id)
		die_usage("--layer-stream needs --digest and --diff-id");
	if (digest_check(o->digest, "--digest", &e) < 0 ||
	    digest_check(o->diff_id, "--diff-id", &e) < 0)
		die(100, "%s", e.msg);
	*comp = o->media_type ? compression_from_media_type(o->media_type) : COMP_AUTO;
	if (*comp < 0)
		die(100, "unsupported media type '%s'", o->media_type);
}

int
cmd_layer_stream(const struct opts *o, struct state *st)
{
	struct unpack_job j = {0};
	struct layer l = {0};
	struct err e = {0};
	json_auto_t *out = NULL;
	int comp;

	check_stream_opts(o, &comp);
	if (state_open_writer(st, &e) < 0 || snapshot_store_open(st, o->driver, &j.s, &e) < 0)
		die_err(&e);
	snprintf(l.digest, sizeof(l.digest), "%s", o->digest);
	snprintf(l.diff_id, sizeof(l.diff_id), "%s", o->diff_id);
	l.size = o->size;
	l.comp = (enum compression)comp;
	/* the worker reads the pipe; nothing else in this process may */
	l.w.layerfd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
	if (l.w.layerfd < 0)
		die(111, "stdin: cannot duplicate");
	j.layers = &l;
	j.n = 1;
	j.jobs = 1;
	j.overlay = true;
	j.opts = o->apply;
	apply_rootless(&j.opts);
	/* the snapshot outlives us, until our spawner (ctr-pull --unpack) has it committed */
	j.owner = getppid();
	if (unpack_stream(&j, &e) < 0)
		die_err(&e);
	out = json_pack("{s:s, s:s, s:s, s:s}", "digest", l.digest, "diff_id", l.diff_id, "key",
			l.key, "snapshotter", snapshotter_name(o->driver));
	jsonio_write(stdout, out);
	snapshot_store_free(j.s);
	return 0;
}

/* Is key an applier's snapshot made for the process owner ("PID STARTTIME"), or gone? */
static bool
owned_by(struct snapshot_store *s, const char *key, const char *owner)
{
	struct err e;
	json_auto_t *st = NULL;
	const json_t *labels;

	if (!snapshot_exists(s, key, NULL))
		return true;
	if (strncmp(key, "unpack-", 7) || !(st = snapshot_stat(s, key, &e)))
		return false;
	labels = json_object_get(st, "labels");
	return !strcmp(jsonio_str(st, "kind") ?: "", "active") &&
	       !strcmp(jsonio_str(labels, OWNER_LABEL_UNPACK) ?: "", owner);
}

int
cmd_discard(const struct opts *o, struct state *st)
{
	struct snapshot_store *s;
	struct err e = {0};
	char owner[64];

	if (owner_identity(getppid(), owner, sizeof(owner)) < 0)
		die(111, "cannot read the identity of process %d", (int)getppid());
	if (state_open_writer(st, &e) < 0 || snapshot_store_open(st, o->driver, &s, &e) < 0)
		die_err(&e);
	/* all or nothing: one key that is not the caller's and nothing is removed */
	for (int i = 0; i < o->nkeys; i++) {
		if (snapshot_check_key(o->keys[i], "key", &e) < 0)
			die(100, "%s", e.msg);
		if (!owned_by(s, o->keys[i], owner))
			die(100, "snapshot '%s' is not an active snapshot an applier left for us",
			    o->keys[i]);
	}
	for (int i = 0; i < o->nkeys; i++)
		if (snapshot_exists(s, o->keys[i], NULL) && snapshot_remove(s, o->keys[i], &e) < 0)
			die_err(&e);
	snapshot_store_free(s);
	return 0;
}
