/* SPDX-License-Identifier: Apache-2.0 */
/* ctr-snapshot diff: the changes of an active snapshot as a layer in the content store. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "cmd.h"
#include "content.h"
#include "diff.h"
#include "jsonio.h"
#include "layer.h"
#include "lock.h"
#include "outfile.h"
#include "timestamp.h"
#include "xmem.h"

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

/* The changes of the tree fd against its parent's pfd as a layer in c. */
static int
write_layer(struct snapshot_store *s, const struct content *c, int fd, int pfd,
	    enum layer_compression comp, int copy_fd, struct layer_result *r, struct err *e)
{
	struct layer_writer *w;
	int rc;

	if (!(w = layer_writer_new(c, comp, mtime_clamp(), e)))
		return -1;
	layer_writer_copy_to(w, copy_fd);
	if (!strcmp(snapshot_store_driver(s), "overlay"))
		rc = diff_overlay(fd, w, e);
	else
		rc = diff_native(fd, pfd, w, e);
	if (rc < 0) {
		layer_writer_free(w);
		return -1;
	}
	return layer_finish(w, r, e);
}

/* -o FILE (outfile.h) or -o -: a copy of the layer; fd -1 without -o. */
static void
copy_open(struct outfile *o, const char *path)
{
	struct err e;

	*o = (struct outfile){path, NULL, NULL, -1};
	if (!path)
		return;
	if (!strcmp(path, "-")) {
		if (isatty(STDOUT_FILENO))
			die_usage(
			    "refusing to write a layer to a terminal (use -o FILE or a pipe)");
		o->fd = STDOUT_FILENO;
		return;
	}
	if (outfile_open(o, path, "a layer", &e) < 0)
		die_err(&e);
}

static const struct opt diff_opts[] = {
    {"compression", OPT_COMPRESSION, "gzip|zstd|none", "the layer's (default gzip)", NULL},
    {"output", 'o', "FILE|-", "also write the layer to FILE (renamed into place) or stdout", NULL},
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
	struct outfile copy = {NULL, NULL, NULL, -1};
	const char *copy_path = NULL;
	json_auto_t *out = NULL;
	struct snapshot_store *s;
	struct layer_result r;
	struct opt_parser p;
	_cleanup_close_ int fd = -1, pfd = -1;
	struct content c;
	struct err e;
	int lk, ch, rc;

	opt_init(&p, &cmd_diff_spec, argc, argv, st);
	while ((ch = opt_next(&p)) != -1) {
		if (ch == 'o')
			copy_path = optarg;
		else if (ch != OPT_COMPRESSION)
			cmd_common_opt(ch, optarg);
		else if (layer_compression_parse(optarg, &comp, &e) < 0)
			die_err(&e);
	}
	cmd_operands(&cmd_diff_spec, argc, argv, 1);
	s = cmd_open(st);
	/* the blob is named by no record until a commit's: the collector waits for us */
	if ((lk = state_lock_store(st, LOCK_SHARED, &e)) < 0 || content_open(st, &c, &e) < 0)
		die_err(&e);
	if (snapshot_open_diff(s, argv[optind], &fd, &pfd, &e) < 0)
		die_err(&e);
	copy_open(&copy, copy_path);
	rc = write_layer(s, &c, fd, pfd, comp, copy.fd, &r, &e);
	/* with -o -, standard output is the layer's, and stays open */
	if (copy_path && strcmp(copy_path, "-"))
		rc = outfile_close(&copy, rc == 0, &e);
	if (rc < 0)
		die_err(&e);
	if (!copy_path || strcmp(copy_path, "-")) {
		out =
		    json_pack("{s:s, s:s, s:I, s:s}", "mediaType", layer_media_type(comp), "digest",
			      r.digest, "size", (json_int_t)r.size, "diffID", r.diff_id);
		jsonio_write(stdout, out);
	}
	content_release(&c);
	close(lk);
	snapshot_store_free(s);
	return 0;
}
