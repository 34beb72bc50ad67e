/* SPDX-License-Identifier: Apache-2.0 */
/* ctr-image: the verb table of image management (records of the namespace, the store). */
#include "cmd.h"
#include "prog.h"

#define BLOBS "ctr-image-blobs"

static const struct verb verbs[] = {
    {"ls", cmd_ls, NULL, &cmd_ls_spec, NULL},
    {"inspect", cmd_inspect, NULL, &cmd_inspect_spec, NULL},
    {"tag", cmd_tag, NULL, &cmd_tag_spec, NULL},
    {"rm", cmd_rm, NULL, &cmd_rm_spec, NULL},
    /* ctr-image-blobs runs these: only they need libcrypto and libarchive */
    {"check", NULL, "check that the store holds all of each image and that digests match", NULL,
     NULL, BLOBS},
    {"export", NULL, "images as an OCI or docker archive (a tar)", NULL, NULL, BLOBS},
    {"import", NULL, "images from an OCI or docker archive (a tar)", NULL, NULL, BLOBS},
    {"commit", cmd_commit, NULL, &cmd_commit_spec, NULL},
    {"lease", NULL, NULL, NULL, cmd_lease_verbs},
    {"gc", cmd_gc, NULL, &cmd_gc_spec, NULL},
    {NULL},
};

int
main(int argc, char **argv)
{
	return prog_main("ctr-image", PROG_NO_NEW_PRIVS | PROG_USERNS, verbs, argc, argv);
}
