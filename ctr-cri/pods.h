/* SPDX-License-Identifier: Apache-2.0 */
/* RuntimeService's pod sandboxes: a record and a pinned network namespace on the default CNI network. */
#ifndef CTR_CRI_PODS_H
#define CTR_CRI_PODS_H

#include "cri.h"

int pods_run(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
	     struct arena *arena, struct cri_status *s);
int pods_stop(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
	      struct arena *arena, struct cri_status *s);
int pods_remove(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
		struct arena *arena, struct cri_status *s);
int pods_status(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
		struct arena *arena, struct cri_status *s);
int pods_list(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
	      struct arena *arena, struct cri_status *s);

#endif
