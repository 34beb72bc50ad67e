/* SPDX-License-Identifier: Apache-2.0 */
/* The verbs beside the pipeline: mount and umount a snapshot by hand, cleanup after a crash. */
#include <stdbool.h>
#include <stdio.h>

#include "cleanup.h"
#include "cmd.h"
#include "jsonio.h"
#include "mount.h"

static void
parse_plain(int argc, char **argv, struct state *st, const char *verb)
{
	static const struct option opts[] = {CMD_LONGOPTS, {NULL, 0, NULL, 0}};
	int c;

	while ((c = getopt_long(argc, argv, "+" PROG_GLOBAL_SHORTOPTS, opts, NULL)) != -1)
		cmd_common_opt(c, optarg, st, verb);
}

int
cmd_mount(int argc, char **argv, struct state *st)
{
	struct snapshot_store *s;
	json_auto_t *m = NULL;
	struct err e;

	parse_plain(argc, argv, st, "mount");
	cmd_operands(argc, argv, 2, "mount");
	s = cmd_open(st);
	if (!(m = snapshot_mounts(s, argv[optind], &e)) || mount_apply(m, argv[optind + 1], &e) < 0)
		cmd_die(&e);
	snapshot_store_free(s);
	return 0;
}

int
cmd_umount(int argc, char **argv, struct state *st)
{
	struct err e;

	parse_plain(argc, argv, st, "umount");
	cmd_operands(argc, argv, 1, "umount");
	if (mount_unmount(argv[optind], &e) < 0)
		die_err(&e);
	return 0;
}

int
cmd_cleanup(int argc, char **argv, struct state *st)
{
	static const struct option opts[] = {
	    CMD_LONGOPTS,
	    {"json", no_argument, NULL, OPT_JSON},
	    {NULL, 0, NULL, 0},
	};
	json_auto_t *removed = NULL;
	struct snapshot_store *s;
	bool json = false;
	struct err e;
	json_t *n;
	size_t i;
	int c;

	while ((c = getopt_long(argc, argv, "+" PROG_GLOBAL_SHORTOPTS, opts, NULL)) != -1) {
		if (c == OPT_JSON)
			json = true;
		else
			cmd_common_opt(c, optarg, st, "cleanup");
	}
	cmd_operands(argc, argv, 0, "cleanup");
	s = cmd_open(st);
	if (snapshot_cleanup(s, &removed, &e) < 0)
		cmd_die(&e);
	if (json) {
		json_auto_t *out = json_pack("{s:O}", "removed", removed);

		jsonio_write(stdout, out);
	} else {
		json_array_foreach(removed, i, n)
			printf("removed %s\n", json_string_value(n));
	}
	snapshot_store_free(s);
	return 0;
}
