/* SPDX-License-Identifier: Apache-2.0 */
/* ctr-pull: fetch an image from a registry into the content store and print its JSON. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "cli.h"
#include "prog.h"
#include "pull.h"
#include "registry.h"
#include "xmem.h"

static const char USAGE[] =
    "usage: ctr-pull [--platform OS/ARCH[/VARIANT] | --all-platforms]\n" REGISTRY_USAGE
    " [--limit-rate BYTES]\n"
    "       [--max-concurrent-downloads N] [--progress auto|tty|json|none] [-q] [--json]\n"
    "       [--verify]\n" PULL_UNPACK_USAGE "       REF\n";

enum {
	OPT_PLATFORM = 0x100,
	OPT_ALL,
	OPT_MAXCONC,
	OPT_PROGRESS,
	OPT_JSON,
	OPT_VERIFY,
};

static const struct option opts[] = {
    {"platform", required_argument, NULL, OPT_PLATFORM},
    {"all-platforms", no_argument, NULL, OPT_ALL},
    {"max-concurrent-downloads", required_argument, NULL, OPT_MAXCONC},
    {"progress", required_argument, NULL, OPT_PROGRESS},
    {"quiet", no_argument, NULL, 'q'},
    {"json", no_argument, NULL, OPT_JSON},
    {"verify", no_argument, NULL, OPT_VERIFY},
    {"help", no_argument, NULL, 'h'},
    PULL_UNPACK_LONGOPTS,
    REGISTRY_LONGOPTS,
    REGISTRY_LIMIT_LONGOPT,
    PROG_GLOBAL_LONGOPTS,
    {NULL, 0, NULL, 0},
};

static void
parse_opt(int c, const char *arg, struct pull_opts *o, struct state *st)
{
	struct err e;

	switch (c) {
	case OPT_PLATFORM:
		if (platform_parse(arg, &o->platform, &e) < 0)
			die_err(&e);
		break;
	case OPT_ALL:
		o->all_platforms = true;
		break;
	case OPT_MAXCONC:
		o->max_concurrent = (int)cli_number(arg, 1, 64, "--max-concurrent-downloads");
		break;
	case OPT_PROGRESS:
		o->progress = cli_progress_mode(arg);
		break;
	case 'q':
		o->progress = PROGRESS_NONE;
		log_level = LOG_ERROR;
		break;
	case OPT_JSON:
		prog_set_json_errors(true);
		break;
	case OPT_VERIFY:
		o->verify = true;
		break;
	case 'h':
		fputs(USAGE, stdout);
		exit(0);
	default:
		if (!prog_global_opt(c, arg, st) && !pull_unpack_opt(c, arg, &o->unpack) &&
		    !registry_opt(c, arg, &o->reg))
			die_usage("unknown option");
	}
}

int
main(int argc, char **argv)
{
	struct pull_opts o = {
	    .reg = REGISTRY_OPTS_INIT,
	    .max_concurrent = 3,
	    .progress = PROGRESS_NONE,
	};
	struct state st;
	int c;

	prog_init("ctr-pull", PROG_NO_NEW_PRIVS, &argc, &argv, &st);
	o.progress = cli_progress_mode("auto");
	platform_host(&o.platform);
	while ((c = getopt_long(argc, argv, "qh" PROG_GLOBAL_SHORTOPTS, opts, NULL)) != -1)
		parse_opt(c, optarg, &o, &st);
	pull_unpack_check(&o.unpack, o.all_platforms);
	if (optind != argc - 1) {
		fputs(USAGE, stderr);
		exit(EXIT_USAGE);
	}
	o.ref = argv[optind];
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		die(EXIT_SYS, "libcurl initialisation failed");
	pull_run(&st, &o);
	curl_global_cleanup();
	state_release(&st);
	return 0;
}
