/* SPDX-License-Identifier: Apache-2.0 */
/* Resources and statistics: UpdateContainerResources, container and pod sandbox stats. */
#ifndef CTR_CRI_STATS_H
#define CTR_CRI_STATS_H

#include "cri.h"

int stats_update(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
		 struct arena *arena, struct cri_status *s);
int stats_container(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
		    struct arena *arena, struct cri_status *s);
int stats_list(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
	       struct arena *arena, struct cri_status *s);
/* A pod's: its containers' stats and their sums (the pod has no process of its own). */
int stats_pod(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
	      struct arena *arena, struct cri_status *s);
int stats_pod_list(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
		   struct arena *arena, struct cri_status *s);

#endif
