/* SPDX-License-Identifier: Apache-2.0 */
/* ctr-snapshot: snapshots and the Mount lists that describe them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

const struct verb cmd_verbs[] = {
    {"prepare", cmd_prepare, "prepare [--parent NAME] [--label K=V ...] KEY"},
    {"view", cmd_view, "view [--parent NAME] [--label K=V ...] KEY"},
    {"commit", cmd_commit, "commit [--parent NAME] [--label K=V ...] NAME KEY"},
    {"diff", cmd_diff, "diff [--compression gzip|zstd|none] [-o FILE|-] KEY"},
    {"rm", cmd_rm, "rm KEY ..."},
    {"mounts", cmd_mounts, "mounts KEY"},
    {"stat", cmd_stat, "stat [--json] KEY"},
    {"ls", cmd_ls, "ls [--json] [--all]"},
    {"usage", cmd_usage, "usage [--json] [--all] [KEY]"},
    {"tree", cmd_tree, "tree [--json] [--all]"},
    {"mount", cmd_mount, "mount KEY TARGET"},
    {"umount", cmd_umount, "umount TARGET"},
    {"cleanup", cmd_cleanup, "cleanup [--json]"},
    {NULL, NULL, NULL},
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: %s [--root DIR] [-n NS] [--snapshotter overlay|native] VERB [ARGS]\n",
		PROG);
	for (const struct verb *v = cmd_verbs; v->name; v++)
		fprintf(f, "       %s %s\n", PROG, v->usage);
}

/* --snapshotter before the verb (prog_init stops at the first option it does not know) */
static void
leading_driver(int *argc, char ***argv)
{
	while (*argc > 2 && !strcmp((*argv)[1], "--snapshotter")) {
		cmd_set_driver((*argv)[2]);
		(*argv)[2] = (*argv)[0];
		*argv += 2;
		*argc -= 2;
	}
	if (*argc > 1 && !strncmp((*argv)[1], "--snapshotter=", 14)) {
		cmd_set_driver((*argv)[1] + 14);
		(*argv)[1] = (*argv)[0];
		*argv += 1;
		*argc -= 1;
	}
}

int
main(int argc, char **argv)
{
	struct state st;
	const struct verb *v;

	prog_init("ctr-snapshot", PROG_NO_NEW_PRIVS, &argc, &argv, &st);
	leading_driver(&argc, &argv);
	if (argc > 1 &&
	    (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help"))) {
		usage(stdout);
		return 0;
	}
	for (v = cmd_verbs; argc > 1 && v->name && strcmp(v->name, argv[1]); v++)
		;
	if (argc < 2 || !v->name) {
		if (argc > 1)
			fprintf(stderr, "%s: fatal: unknown verb '%s'\n", PROG, argv[1]);
		usage(stderr);
		return EXIT_USAGE;
	}
	return prog_dispatch(cmd_verbs, argc, argv, &st);
}
