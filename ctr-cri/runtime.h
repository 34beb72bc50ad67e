/* SPDX-License-Identifier: Apache-2.0 */
/* RuntimeService's identity and health: Version, Status. */
#ifndef CTR_CRI_RUNTIME_H
#define CTR_CRI_RUNTIME_H

#include "cri.h"

/* The CRI API version ctr-cri speaks, and its name. */
#define CRI_API_VERSION "v1"
#define CRI_RUNTIME_NAME "ctr-cri"

int runtime_version(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
		    struct arena *arena, struct cri_status *s);
int runtime_status(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
		   struct arena *arena, struct cri_status *s);

#endif
