/* SPDX-License-Identifier: Apache-2.0 */
/* The verbs beside the pipeline: mount and umount a snapshot by hand, cleanup after a crash. */
#include <stdbool.h>
#include <stdio.h>

#include "cleanup.h"
#include "cmd.h"
#include "jsonio.h"
#include "mount.h"

const struct opt_cmd cmd_mount_spec = {"KEY TARGET", "mount a snapshot on TARGET by its Mount list",
				       cmd_common_opts, 0, 0};
const struct opt_cmd cmd_umount_spec = {"TARGET", "unmount what mount mounted", cmd_common_opts, 0,
					0};
const struct opt_cmd cmd_cleanup_spec = {
    NULL, "remove what a crash left: active snapshots no process owns, half-made ones",
    cmd_json_opts, 0, 0};

int
cmd_mount(int argc, char **argv, struct state *st)
{
	struct snapshot_store *s;
	json_auto_t *m = NULL;
	struct err e;

	cmd_parse(argc, argv, st, &cmd_mount_spec);
	cmd_operands(&cmd_mount_spec, argc, argv, 2);
	s = cmd_open(st);
	if (!(m = snapshot_mounts(s, argv[optind], &e)) || mount_apply(m, argv[optind + 1], &e) < 0)
		die_err(&e);
	snapshot_store_free(s);
	return 0;
}

int
cmd_umount(int argc, char **argv, struct state *st)
{
	struct err e;

	cmd_parse(argc, argv, st, &cmd_umount_spec);
	cmd_operands(&cmd_umount_spec, argc, argv, 1);
	if (mount_unmount(argv[optind], &e) < 0)
		die_err(&e);
	return 0;
}

int
cmd_cleanup(int argc, char **argv, struct state *st)
{
	json_auto_t *removed = NULL;
	struct snapshot_store *s;
	bool json = cmd_parse(argc, argv, st, &cmd_cleanup_spec);
	struct err e;
	json_t *n;
	size_t i;

	cmd_operands(&cmd_cleanup_spec, argc, argv, 0);
	s = cmd_open(st);
	if (snapshot_cleanup(s, &removed, &e) < 0)
		die_err(&e);
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
