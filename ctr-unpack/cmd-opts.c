/* SPDX-License-Identifier: Apache-2.0 */
/* ctr-unpack's options: argv -> struct opts, usage errors exit 100. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
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
	default:
		die_usage("unknown option");
	}
}

void
cmd_parse_opts(int argc, char **argv, struct state *st, struct opts *o)
{
	static const struct option lo[] = {
	    {"snapshotter", required_argument, NULL, OPT_SNAP},
	    {"jobs", required_argument, NULL, OPT_JOBS},
	    {"platform", required_argument, NULL, OPT_PLATFORM},
	    {"max-size", required_argument, NULL, OPT_MAXSIZE},
	    {"max-entries", required_argument, NULL, OPT_MAXENT},
	    {"inflate", required_argument, NULL, OPT_INFLATE},
	    {"json", no_argument, NULL, OPT_JSON},
	    {"layer-stream", no_argument, NULL, OPT_STREAM},
	    {"digest", required_argument, NULL, OPT_DIGEST},
	    {"diff-id", required_argument, NULL, OPT_DIFFID},
	    {"media-type", required_argument, NULL, OPT_MT},
	    {"size", required_argument, NULL, OPT_SIZE},
	    {"dry-run", no_argument, NULL, OPT_DRY},
	    {"discard", no_argument, NULL, OPT_DISCARD},
	    {"help", no_argument, NULL, 'h'},
	    PROG_GLOBAL_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int c;

	o->driver = SNAP_DEFAULT;
	o->size = -1;
	o->jobs = ncpu > 0 ? (unsigned)ncpu : 1;
	while ((c = getopt_long(argc, argv, "+h" PROG_GLOBAL_SHORTOPTS, lo, NULL)) != -1) {
		if (c == 'h') {
			printf("usage: %s %s\n", PROG, UNPACK_USAGE);
			exit(0);
		}
		if (c == '?')
			die_usage("bad option");
		if (!prog_global_opt(c, optarg, st))
			parse_one(c, optarg, o);
	}
	if (o->stream + o->dry_run + o->discard > 1)
		die_usage("--layer-stream, --dry-run and --discard exclude each other");
	o->apply.overlay = o->driver == SNAP_OVERLAY;
	if (o->discard) {
		if (optind == argc)
			die_usage("--discard needs a KEY");
		o->keys = argv + optind;
		o->nkeys = argc - optind;
		return;
	}
	if (argc - optind > 1)
		die_usage("too many arguments");
	o->src = optind < argc ? argv[optind] : "-";
}
