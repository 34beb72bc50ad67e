/* SPDX-License-Identifier: Apache-2.0 */
/* ctr-snapshot: snapshots and the Mount lists that describe them. */
#include <string.h>

#include "cmd.h"

static const struct verb verbs[] = {
    {"prepare", cmd_prepare, NULL, &cmd_prepare_spec, NULL},
    {"view", cmd_view, NULL, &cmd_view_spec, NULL},
    {"commit", cmd_commit, NULL, &cmd_commit_spec, NULL},
    {"diff", cmd_diff, NULL, &cmd_diff_spec, NULL},
    {"rm", cmd_rm, NULL, &cmd_rm_spec, NULL},
    {"mounts", cmd_mounts, NULL, &cmd_mounts_spec, NULL},
    {"stat", cmd_stat, NULL, &cmd_stat_spec, NULL},
    {"ls", cmd_ls, NULL, &cmd_ls_spec, NULL},
    {"usage", cmd_usage, NULL, &cmd_usage_spec, NULL},
    {"tree", cmd_tree, NULL, &cmd_tree_spec, NULL},
    {"mount", cmd_mount, NULL, &cmd_mount_spec, NULL},
    {"umount", cmd_umount, NULL, &cmd_umount_spec, NULL},
    {"cleanup", cmd_cleanup, NULL, &cmd_cleanup_spec, NULL},
    {NULL},
};

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
	int rc;

	prog_init("ctr-snapshot", PROG_NO_NEW_PRIVS | PROG_USERNS, &argc, &argv, &st);
	leading_driver(&argc, &argv);
	rc = prog_dispatch(verbs, argc, argv, &st);
	state_release(&st);
	return rc;
}
