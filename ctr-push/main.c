/* SPDX-License-Identifier: Apache-2.0 */
/* ctr-push: argv to push options, then the push job. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "cli.h"
#include "image.h"
#include "jsonio.h"
#include "prog.h"
#include "push.h"
#include "registry.h"
#include "xmem.h"

enum {
	P_PLATFORM = 0x100,
	P_ALL,
	P_MAXCONC,
	P_CHUNK,
};

static const struct opt opts[] = {
    {"platform", P_PLATFORM, "OS/ARCH[/VARIANT]", "push only this platform of an index", NULL},
    {"all-platforms", P_ALL, NULL, "push every platform of an index", NULL},
    {"max-concurrent-uploads", P_MAXCONC, "N", "blobs sent at once (default 3)", NULL},
    {"chunk-size", P_CHUNK, "BYTES",
     "PATCH chunk size for resumable uploads (default 16M; 0: one PUT per blob)", NULL},
    OPT_INCLUDE(cli_transfer_opts),
    OPT_INCLUDE(registry_opt_table),
    OPT_INCLUDE(registry_opt_limit),
    OPT_END,
};
static const struct opt_cmd push_spec = {
    "SRC|- [DEST]", "upload an image of the store to a registry (as DEST, default SRC)", opts, 0,
    OPT_PERMUTE};

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
parse_opt(int c, const char *arg, struct push_opts *o)
{
	if (platform_opt(c, arg, o) || registry_opt(c, arg, &o->reg) ||
	    cli_transfer_opt(c, arg, &o->progress))
		return;
	if (c == P_MAXCONC)
		o->max_concurrent = (int)cli_number(arg, 1, 64, "--max-concurrent-uploads");
	else if (c == P_CHUNK) {
		o->chunk_size = cli_size(arg, 0, 1LL << 30, "--chunk-size");
		if (o->chunk_size > 0 && o->chunk_size < 65536)
			die_usage("--chunk-size must be 0 (one PUT per blob) or at least 64K");
	}
}

/* SRC "-": the name in the JSON a tool printed about an image (ctr-pull's, ctr-image's). */
static char *
name_from_stdin(struct state *st)
{
	json_auto_t *in = NULL, *doc = NULL;
	struct err e;

	if (!(in = jsonio_load_fd(STDIN_FILENO, JSONIO_MAX, "stdin", &e)))
		die(EXIT_USAGE, "%s", e.msg);
	if (state_open(st, &e) < 0 || !(doc = image_stage_doc(st, in, &e)))
		die_err((err_prefix(&e, "stdin"), &e));
	if (!jsonio_str(doc, "name"))
		die(EXIT_USAGE, "stdin: the image JSON names no image");
	return xstrdup(jsonio_str(doc, "name"));
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
	struct opt_parser p;
	int c;

	prog_init("ctr-push", PROG_NO_NEW_PRIVS, &argc, &argv, &st);
	o.progress = cli_progress_mode("auto");
	opt_init(&p, &push_spec, argc, argv, &st);
	while ((c = opt_next(&p)) != -1)
		parse_opt(c, optarg, &o);
	opt_operands(&push_spec, argc, argv, 1, 2);
	if (o.platform_set && o.all_platforms)
		opt_die(&push_spec, "--platform and --all-platforms exclude each other");
	_cleanup_free_ char *src = strcmp(argv[optind], "-") ? NULL : name_from_stdin(&st);

	o.src = src ? src : argv[optind];
	o.dest = optind == argc - 2 ? argv[optind + 1] : NULL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		die(EXIT_SYS, "libcurl initialisation failed");
	push_run(&st, &o);
	curl_global_cleanup();
	state_release(&st);
	return 0;
}
