/* SPDX-License-Identifier: Apache-2.0 */
/* ctr-pull: fetch an image from a registry into the content store and print its JSON. */
#include <curl/curl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blob.h"
#include "cleanup.h"
#include "cli.h"
#include "layerlimit.h"
#include "prog.h"
#include "pull.h"
#include "registry.h"
#include "xmem.h"

enum {
	OPT_PLATFORM = 0x100,
	OPT_ALL,
	OPT_MAXCONC,
	OPT_VERIFY,
	OPT_BLOB,
};

static const struct opt opts[] = {
    {"platform", OPT_PLATFORM, "OS/ARCH[/VARIANT]", "the platform to pull (default: ours)", NULL},
    {"all-platforms", OPT_ALL, NULL, "pull every platform of an index", NULL},
    {"max-concurrent-downloads", OPT_MAXCONC, "N", "blobs fetched at once (default 3)", NULL},
    OPT_INCLUDE(cli_transfer_opts),
    {"verify", OPT_VERIFY, NULL, "re-hash layer blobs the store has; fetch bad ones again", NULL},
    OPT_INCLUDE(layerlimit_opts),
    {"blob", OPT_BLOB, "SIZE", "fetch only the blob REF names by digest, of SIZE bytes", NULL},
    OPT_INCLUDE(pull_unpack_opt_table),
    OPT_INCLUDE(registry_opt_table),
    OPT_INCLUDE(registry_opt_limit),
    OPT_END,
};
static const struct opt_cmd pull_spec = {
    "REF", "fetch an image into the content store; its JSON on stdout (for ctr-unpack)", opts, 0,
    OPT_PERMUTE};

static void
parse_opt(int c, const char *arg, struct pull_opts *o)
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
	case OPT_VERIFY:
		o->verify = true;
		break;
	case LAYERLIMIT_OPT:
		o->max_layers = layerlimit_get(arg);
		break;
	case OPT_BLOB:
		o->blob_size = cli_number(arg, 0, LONG_MAX, "--blob");
		break;
	default:
		if (!cli_transfer_opt(c, arg, &o->progress) && !pull_unpack_opt(c, arg, &o->unpack))
			registry_opt(c, arg, &o->reg);
	}
}

int
main(int argc, char **argv)
{
	struct pull_opts o = {
	    .reg = REGISTRY_OPTS_INIT,
	    .max_concurrent = 3,
	    .blob_size = -1,
	    .progress = PROGRESS_NONE,
	};
	struct state st;
	struct opt_parser p;
	int c;

	prog_init("ctr-pull", PROG_NO_NEW_PRIVS, &argc, &argv, &st);
	o.progress = cli_progress_mode("auto");
	platform_host(&o.platform);
	opt_init(&p, &pull_spec, argc, argv, &st);
	while ((c = opt_next(&p)) != -1)
		parse_opt(c, optarg, &o);
	opt_operands(&pull_spec, argc, argv, 1, 1);
	if (!o.max_layers)
		o.max_layers = layerlimit_get(NULL);
	layerlimit_export(o.max_layers); /* the ctr-unpack of --unpack checks the same */
	pull_unpack_check(&o.unpack, o.all_platforms);
	o.ref = argv[optind];
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		die(EXIT_SYS, "libcurl initialisation failed");
	if (o.blob_size >= 0 && (o.unpack.on || o.all_platforms))
		opt_die(&pull_spec, "--blob fetches one blob: no --unpack, no --all-platforms");
	if (o.blob_size >= 0)
		pull_blob(&st, &o);
	else
		pull_run(&st, &o);
	curl_global_cleanup();
	state_release(&st);
	return 0;
}
