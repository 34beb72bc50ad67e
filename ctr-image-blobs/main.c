/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctr-image-blobs: the verbs of ctr-image that read or write every byte of
 * blobs (check hashes them, export and import carry them in tar archives),
 * and so need libcrypto and libarchive. ctr-image execs this program for
 * them, so that its other verbs (ls, rm, gc...) load neither; it speaks as
 * ctr-image.
 */
#include "cmd.h"
#include "prog.h"

static const struct verb verbs[] = {
    {"check", cmd_check, NULL, &cmd_check_spec, NULL},
    {"export", cmd_export, NULL, &cmd_export_spec, NULL},
    {"import", cmd_import, NULL, &cmd_import_spec, NULL},
    {NULL},
};

int
main(int argc, char **argv)
{
	return prog_main("ctr-image", PROG_NO_NEW_PRIVS | PROG_USERNS, verbs, argc, argv);
}
