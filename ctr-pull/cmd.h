/* SPDX-License-Identifier: Apache-2.0 */
/* Entry points of the programs this binary also is, chosen by the name it runs as. */
#ifndef CTR_PULL_CMD_H
#define CTR_PULL_CMD_H

/* ctr-push [opts] SRC [DEST]: copy an image of the store to a registry. */
int push_main(int argc, char **argv);
/* ctr-image VERB: ls, inspect, tag, rm, check, export, import. */
int image_main(int argc, char **argv);

#endif
