/* SPDX-License-Identifier: Apache-2.0 */
/* ctr-unpack's options: argv -> struct opts, usage errors exit 100. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "layerlimit.h"
#include "prog.h"

enum {
	OPT_SNAP = 0x100,
	OPT_JOBS,
	OPT_PLATFORM,
	OPT_MAXSIZE,
	OPT_MAXENT,
	OPT_INFLATE,
	OPT_JSON,
	OPT_STREAM,
	OPT_DIGEST,
	OPT_DIFFID,
	OPT_MT,
	OPT_SIZE,
	OPT_DRY,
	OPT_DISCARD,
};

static uint64_t
number(const char *s, const char *what)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || !v)
		die_usage("bad %s '%s'", what, s);
	return v;
}

static void
parse_one(int c, const char *arg, struct opts *o)
{
	struct err e;

	switch (c) {
	case OPT_SNAP:
		if (snapshotter_parse(arg, &o->driver, &e) < 0)
			die_usage("%s", e.msg);
		break;
	case OPT_JOBS:
		o->jobs = (unsigned)number(arg, "job count");
		break;
	case OPT_PLATFORM:
		o->platform = arg;
		break;
	case OPT_MAXSIZE:
		o->apply.max_size = number(arg, "size");
		break;
	case OPT_MAXENT:
		o->apply.max_entries = number(arg, "entry count");
		break;
	case OPT_INFLATE:
		if (strcmp(arg, "isal") && strcmp(arg, "zlib"))
			die_usage("unknown inflater '%s'", arg);
		o->apply.dflags = !strcmp(arg, "zlib") ? DSTREAM_ZLIB : 0;
		break;
	case OPT_JSON:
		o->json = true;
		prog_set_json_errors(true);
		break;
	case OPT_STREAM:
		o->stream = true;
		break;
	case OPT_DIGEST:
		o->digest = arg;
		break;
	case OPT_DIFFID:
		o->diff_id = arg;
		break;
	case OPT_MT:
		o->media_type = arg;
		break;
	case OPT_SIZE:
		o->size = (long long)number(arg, "size");
		break;
	case OPT_DRY:
		o->dry_run = true;
		break;
	case OPT_DISCARD:
		o->discard = true;
		break;
	case LAYERLIMIT_OPT:
		o->max_layers = layerlimit_get(arg);
		break;
	}
}

static const struct opt unpack_opts[] = {
    {"snapshotter", OPT_SNAP, "overlay|native",
     "the store (default $CTR_SNAPSHOTTER, else overlay)", NULL},
    {"jobs", OPT_JOBS, "N", "layers applied at once (default: the CPUs online)", NULL},
    {"platform", OPT_PLATFORM, "OS/ARCH", "the image of an index to apply (default: ours)", NULL},
    {"max-size", OPT_MAXSIZE, "BYTES", "refuse a layer that unpacks to more", NULL},
    {"max-entries", OPT_MAXENT, "N", "refuse a layer with more entries", NULL},
    OPT_INCLUDE(layerlimit_opts),
    {"inflate", OPT_INFLATE, "isal|zlib", "the gzip decoder (default isal)", NULL},
    {"dry-run", OPT_DRY, NULL, "print the layers to apply (the plan), apply none", NULL},
    {"layer-stream", OPT_STREAM, NULL, "one compressed layer on stdin to an active snapshot", NULL},
    {"digest", OPT_DIGEST, "D", "--layer-stream: the layer's digest", NULL},
    {"diff-id", OPT_DIFFID, "D", "--layer-stream: its uncompressed digest", NULL},
    {"media-type", OPT_MT, "MT", "--layer-stream: its media type", NULL},
    {"size", OPT_SIZE, "N", "--layer-stream: its size in bytes", NULL},
    {"discard", OPT_DISCARD, NULL, "remove the active snapshots KEY... a caller gave up on", NULL},
    {"json", OPT_JSON, NULL, "errors as JSON too", NULL},
    OPT_END,
};
static const struct opt_cmd unpack_spec = {
    "[- | IMAGE-NAME]\n--layer-stream --digest D --diff-id D\n--discard KEY...",
    "apply an image's layers onto snapshots; the top one's JSON on stdout", unpack_opts, 0, 0};

void
cmd_parse_opts(int argc, char **argv, struct state *st, struct opts *o)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	struct opt_parser p;
	struct err e;
	int c;

	o->driver = SNAP_COUNT; /* none yet: --snapshotter, else snapshotter_default */
	o->size = -1;
	o->jobs = ncpu > 0 ? (unsigned)ncpu : 1;
	opt_init(&p, &unpack_spec, argc, argv, st);
	while ((c = opt_next(&p)) != -1)
		parse_one(c, optarg, o);
	if (o->driver == SNAP_COUNT && snapshotter_default(&o->driver, &e) < 0)
		die_err(&e);
	if (o->stream + o->dry_run + o->discard > 1)
		opt_die(&unpack_spec, "--layer-stream, --dry-run and --discard exclude each other");
	o->apply.overlay = o->driver == SNAP_OVERLAY;
	if (o->discard) {
		if (optind == argc)
			opt_die(&unpack_spec, "--discard needs a KEY");
		o->keys = argv + optind;
		o->nkeys = argc - optind;
		return;
	}
	opt_operands(&unpack_spec, argc, argv, 0, 1);
	o->src = optind < argc ? argv[optind] : "-";
}
