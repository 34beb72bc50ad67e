/* SPDX-License-Identifier: Apache-2.0 */
/* ctr-image: the verb table of image management (records of the namespace, the store). */
#include "cmd.h"
#include "image-cmds.h"
#include "prog.h"

static const struct verb verbs[] = {
    {"ls", image_cmd_ls, "ls [--json] [-q]"},
    {"inspect", image_cmd_inspect, "inspect NAME"},
    {"tag", image_cmd_tag, "tag SRC DST"},
    {"rm", image_cmd_rm, "rm NAME..."},
    {"check", image_cmd_check, "check [--json] [NAME...]"},
    {"export", image_cmd_export, "export [-o FILE] NAME..."},
    {"import", image_cmd_import, "import [--name NAME] FILE|-"},
    {"gc", image_cmd_gc, "gc [--dry-run] [--json] [-q] [--keep-ingest-younger SECS]"},
    {NULL, NULL, NULL},
};

int
image_main(int argc, char **argv)
{
	struct state st;
	int rc;

	prog_init("ctr-image", PROG_NO_NEW_PRIVS, &argc, &argv, &st);
	rc = prog_dispatch(verbs, argc, argv, &st);
	state_release(&st);
	return rc;
}
