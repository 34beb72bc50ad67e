/* SPDX-License-Identifier: Apache-2.0 */
/* The one verb of ctr-unpack. */
#ifndef CTR_UNPACK_CMD_H
#define CTR_UNPACK_CMD_H

#include "state.h"

#define UNPACK_USAGE                                                                               \
	"[--root DIR] [-n NS] [--snapshotter overlay|native] [--jobs N]\n"                         \
	"       [--platform OS/ARCH] [--max-size BYTES] [--max-entries N]\n"                       \
	"       [--inflate isal|zlib] [--json] [- | IMAGE-NAME]"

/* argv -> unpack job -> the snapshot JSON on stdout. */
int cmd_unpack(int argc, char **argv, struct state *st);

#endif
