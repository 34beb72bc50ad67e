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

int
cmd_diff(int argc, char **argv, struct state *st)
{
	static const struct option opts[] = {
	    CMD_LONGOPTS,
	    {"compression", required_argument, NULL, OPT_COMPRESSION},
	    {NULL, 0, NULL, 0},
	};
	enum layer_compression comp = LAYER_GZIP;
	json_auto_t *out = NULL;
	struct snapshot_store *s;
	struct layer_result r;
	struct content c;
	struct err e;
	int lk, ch;

	while ((ch = getopt_long(argc, argv, "+" PROG_GLOBAL_SHORTOPTS, opts, NULL)) != -1) {
		if (ch != OPT_COMPRESSION)
			cmd_common_opt(ch, optarg, st, "diff");
		else if (layer_compression_parse(optarg, &comp, &e) < 0)
			die_err(&e);
	}
	cmd_operands(argc, argv, 1, "diff");
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
