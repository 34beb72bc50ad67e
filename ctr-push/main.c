/* SPDX-License-Identifier: Apache-2.0 */
/* ctr-push: argv to push options, then the push job. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "prog.h"
#include "push.h"
#include "registry.h"

static const char USAGE[] =
    "usage: ctr-push [--platform OS/ARCH[/VARIANT] | --all-platforms]\n" REGISTRY_USAGE "\n"
    "       [--max-concurrent-uploads N] [--chunk-size BYTES]\n"
    "       [--progress auto|tty|json|none] [-q] [--json]\n"
    "       SRC [DEST]\n";

enum {
	P_PLATFORM = 0x100,
	P_ALL,
	P_MAXCONC,
	P_CHUNK,
	P_PROGRESS,
	P_JSON,
};

static const struct option opts[] = {
    {"platform", required_argument, NULL, P_PLATFORM},
    {"all-platforms", no_argument, NULL, P_ALL},
    {"max-concurrent-uploads", required_argument, NULL, P_MAXCONC},
    {"chunk-size", required_argument, NULL, P_CHUNK},
    {"progress", required_argument, NULL, P_PROGRESS},
    {"quiet", no_argument, NULL, 'q'},
    {"json", no_argument, NULL, P_JSON},
    {"help", no_argument, NULL, 'h'},
    REGISTRY_LONGOPTS,
    PROG_GLOBAL_LONGOPTS,
    {NULL, 0, NULL, 0},
};

/* Options of the platform choice; false when c is not one. */
static bool
platform_opt(int c, const char *arg, struct push_opts *o)
{
	struct err e;

	if (c == P_ALL) {
		o->all_platforms = true;
		return true;
	}
	if (c != P_PLATFORM)
		return false;
	if (platform_parse(arg, &o->platform, &e) < 0)
		die_err(&e);
	o->platform_set = true;
	return true;
}

static void
parse_opt(int c, const char *arg, struct push_opts *o, struct state *st)
{
	if (platform_opt(c, arg, o) || registry_opt(c, arg, &o->reg))
		return;
	if (c == P_MAXCONC) {
		o->max_concurrent = (int)cli_number(arg, 1, 64, "--max-concurrent-uploads");
	} else if (c == P_CHUNK) {
		o->chunk_size = cli_size(arg, 0, 1LL << 30, "--chunk-size");
		if (o->chunk_size > 0 && o->chunk_size < 65536)
			die_usage("--chunk-size must be 0 (one PUT per blob) or at least 64K");
	} else if (c == P_PROGRESS) {
		o->progress = cli_progress_mode(arg);
	} else if (c == 'q') {
		o->progress = PROGRESS_NONE;
		log_level = LOG_ERROR;
	} else if (c == P_JSON) {
		prog_set_json_errors(true);
	} else if (c == 'h') {
		fputs(USAGE, stdout);
		exit(0);
	} else if (!prog_global_opt(c, arg, st)) {
		die_usage("unknown option");
	}
}

int
main(int argc, char **argv)
{
	struct push_opts o = {
	    .reg = REGISTRY_OPTS_INIT,
	    .max_concurrent = 3,
	    .chunk_size = 16 << 20,
	};
	struct state st;
	int c;

	prog_init("ctr-push", PROG_NO_NEW_PRIVS, &argc, &argv, &st);
	o.progress = cli_progress_mode("auto");
	while ((c = getopt_long(argc, argv, "qh" PROG_GLOBAL_SHORTOPTS, opts, NULL)) != -1)
		parse_opt(c, optarg, &o, &st);
	if (optind != argc - 1 && optind != argc - 2) {
		fputs(USAGE, stderr);
		exit(EXIT_USAGE);
	}
	if (o.platform_set && o.all_platforms)
		die_usage("--platform and --all-platforms exclude each other");
	o.src = argv[optind];
	o.dest = optind == argc - 2 ? argv[optind + 1] : NULL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		die(EXIT_SYS, "libcurl initialisation failed");
	push_run(&st, &o);
	curl_global_cleanup();
	state_release(&st);
	return 0;
}
