/* SPDX-License-Identifier: Apache-2.0 */
/* Option parsing and container lookup shared by the verbs. */
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "path.h"
#include "xmem.h"

#define OPT_HELP 0x2000

int
cmd_getopt(int argc, char **argv, const char *usage, const char *shorts, const struct option *opts,
	   void (*fn)(int c, const char *arg, void *ctx), void *ctx, struct state *st, int ucode)
{
	static const struct option globals[] = {
	    PROG_GLOBAL_LONGOPTS,
	    {"help", no_argument, NULL, OPT_HELP},
	    {NULL, 0, NULL, 0},
	};
	size_t n = 0, g = sizeof(globals) / sizeof(globals[0]);
	_cleanup_free_ char *sh = xasprintf("+%s" PROG_GLOBAL_SHORTOPTS, shorts);
	_cleanup_free_ struct option *all = NULL;
	int c;

	while (opts && opts[n].name)
		n++;
	all = xcalloc(n + g, sizeof(*all));
	if (n)
		memcpy(all, opts, n * sizeof(*all));
	memcpy(all + n, globals, g * sizeof(*all));
	while ((c = getopt_long(argc, argv, sh, all, NULL)) != -1) {
		if (c == OPT_HELP) {
			printf("usage: %s %s\n", PROG, usage);
			exit(0);
		}
		if (c == '?')
			die(ucode, "bad option (usage: %s %s)", PROG, usage);
		if (!prog_global_opt(c, optarg, st))
			fn(c, optarg, ctx);
	}
	return optind;
}

void
cmd_open(struct state *st, const char *id, struct container *c, int ucode)
{
	struct err e;

	if (path_check_id(id, CONTAINER_ID_MAX, &e) < 0 || state_open(st, &e) < 0)
		die(ucode == 125 ? 125 : err_exit_code(&e), "%s", e.msg);
	container_init(c, st, id);
	if (container_open(c, st, &e) < 0)
		die(ucode == 125 ? 125 : err_exit_code(&e), "%s", e.msg);
}

const char *
cmd_one_id(int argc, char **argv, int i, const char *usage)
{
	if (i != argc - 1)
		die_usage("want one container ID (usage: %s %s)", PROG, usage);
	return argv[i];
}
