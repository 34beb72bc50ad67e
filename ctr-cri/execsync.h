/* SPDX-License-Identifier: Apache-2.0 */
/* ExecSync: one command in a running container, its output and exit code, through ctr-run exec. */
#ifndef CTR_CRI_EXECSYNC_H
#define CTR_CRI_EXECSYNC_H

#include "cri.h"

int execsync_run(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
		 struct arena *arena, struct cri_status *s);

#endif
