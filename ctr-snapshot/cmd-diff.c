/* SPDX-License-Identifier: Apache-2.0 */
/* ctr-snapshot diff: the changes of an active snapshot as a layer in the content store. */
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "cmd.h"
#include "content.h"
#include "diff.h"
#include "jsonio.h"
#include "layer.h"
#include "lock.h"
#include "timestamp.h"

/* $SOURCE_DATE_EPOCH: the latest mtime a layer keeps, or -1. */
static int64_t
mtime_clamp(void)
{
	long long v;
	struct err e;
	int r = timestamp_source_date(&v, &e);

	if (r < 0)
		die_err(&e);
	return r ? v : -1;
}

static void
write_layer(struct snapshot_store *s, const struct content *c, const char *key,
	    enum layer_compression comp, struct layer_result *r)
{
	_cleanup_close_ int fd = -1, pfd = -1;
	struct layer_writer *w;
	struct err e;
	int rc;

	if (snapshot_open_diff(s, key, &fd, &pfd, &e) < 0)
		cmd_die(&e);
	if (!(w = layer_writer_new(c, comp, mtime_clamp(), &e)))
		die_err(&e);
	if (!strcmp(snapshot_store_driver(s), "overlay"))
		rc = diff_overlay(fd, w, &e);
	else
		rc = diff_native(fd, pfd, w, &e);
	if (rc < 0) {
		layer_writer_free(w);
		die_err(&e);
	}
	if (layer_finish(w, r, &e) < 0)
		die_err(&e);
}

static const struct opt diff_opts[] = {
    {"compression", OPT_COMPRESSION, "gzip|zstd|none", "the layer's (default gzip)", NULL},
    OPT_INCLUDE(cmd_common_opts),
    OPT_END,
};
const struct opt_cmd cmd_diff_spec = {
    "KEY", "an active snapshot's changes as a layer in the content store; its descriptor as JSON",
    diff_opts, 0, 0};

int
cmd_diff(int argc, char **argv, struct state *st)
{
	enum layer_compression comp = LAYER_GZIP;
	json_auto_t *out = NULL;
	struct snapshot_store *s;
	struct layer_result r;
	struct opt_parser p;
	struct content c;
	struct err e;
	int lk, ch;

	opt_init(&p, &cmd_diff_spec, argc, argv, st);
	while ((ch = opt_next(&p)) != -1) {
		if (ch != OPT_COMPRESSION)
			cmd_common_opt(ch, optarg);
		else if (layer_compression_parse(optarg, &comp, &e) < 0)
			die_err(&e);
	}
	cmd_operands(&cmd_diff_spec, argc, argv, 1);
	s = cmd_open(st);
	/* the blob is named by no record until a commit's: the collector waits for us */
	if ((lk = state_lock_store(st, LOCK_SHARED, &e)) < 0 || content_open(st, &c, &e) < 0)
		die_err(&e);
	write_layer(s, &c, argv[optind], comp, &r);
	out = json_pack("{s:s, s:s, s:I, s:s}", "mediaType", layer_media_type(comp), "digest",
			r.digest, "size", (json_int_t)r.size, "diffID", r.diff_id);
	jsonio_write(stdout, out);
	content_release(&c);
	close(lk);
	snapshot_store_free(s);
	return 0;
}
