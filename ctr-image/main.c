/* SPDX-License-Identifier: Apache-2.0 */
/* ctr-image: the verb table of image management (records of the namespace, the store). */
#include "cmd.h"
#include "prog.h"

static const struct verb verbs[] = {
    {"ls", cmd_ls, "ls [--json] [-q]"},
    {"inspect", cmd_inspect, "inspect NAME"},
    {"tag", cmd_tag, "tag SRC DST"},
    {"rm", cmd_rm, "rm NAME..."},
    {"check", cmd_check, "check [--json] [NAME...]"},
    {"export", cmd_export, "export [-o FILE] [--format oci-archive|docker-archive] NAME..."},
    {"import", cmd_import, "import [--name NAME] FILE|-"},
    {"commit", cmd_commit,
     "commit [-m MESSAGE] [-a AUTHOR] [-c CHANGE]... [--no-pause] [--compression gzip|zstd|none] "
     "CONTAINER NAME"},
    {"gc", cmd_gc, "gc [--dry-run] [--json] [-q] [--keep-ingest-younger SECS]"},
    {NULL, NULL, NULL},
};

int
main(int argc, char **argv)
{
	struct state st;
	int rc;

	prog_init("ctr-image", PROG_NO_NEW_PRIVS, &argc, &argv, &st);
	rc = prog_dispatch(verbs, argc, argv, &st);
	state_release(&st);
	return rc;
}
