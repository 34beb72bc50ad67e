/* SPDX-License-Identifier: Apache-2.0 */
/* Exec, Attach and PortForward: a request checked and kept under a token, its URL on the streaming server. */
#ifndef CTR_CRI_STREAM_CRI_H
#define CTR_CRI_STREAM_CRI_H

#include "cri.h"

int stream_exec(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
		struct arena *arena, struct cri_status *s);
int stream_attach(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
		  struct arena *arena, struct cri_status *s);

int stream_port_forward(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
			struct arena *arena, struct cri_status *s);

#endif
