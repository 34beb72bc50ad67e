/* SPDX-License-Identifier: Apache-2.0 */
/* A container's resources and statistics: UpdateContainerResources, ContainerStats, ListContainerStats. */
#ifndef CTR_CRI_STATS_H
#define CTR_CRI_STATS_H

#include "cri.h"

int stats_update(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
		 struct arena *arena, struct cri_status *s);
int stats_container(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
		    struct arena *arena, struct cri_status *s);
int stats_list(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
	       struct arena *arena, struct cri_status *s);

#endif
