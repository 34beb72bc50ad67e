/* SPDX-License-Identifier: Apache-2.0 */
/* RuntimeService's containers: records of ours, run by ctr-run in namespace k8s.io. */
#ifndef CTR_CRI_CONTAINERS_H
#define CTR_CRI_CONTAINERS_H

#include "cri.h"

int containers_create(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
		      struct arena *arena, struct cri_status *s);
int containers_start(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
		     struct arena *arena, struct cri_status *s);
int containers_stop(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
		    struct arena *arena, struct cri_status *s);
int containers_remove(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
		      struct arena *arena, struct cri_status *s);
int containers_status(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
		      struct arena *arena, struct cri_status *s);
int containers_list(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
		    struct arena *arena, struct cri_status *s);
int containers_reopen_log(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
			  struct arena *arena, struct cri_status *s);
/*
 * 0 when container id (a full ID) runs, else -1 with s filled: containerd
 * 1.6's "container is in CONTAINER_EXITED state" (UNKNOWN) for Exec and Attach.
 */
int containers_running(struct cri *c, const char *id, struct cri_status *s);
/*
 * The containers of pod sandbox sb: killed (remove false) or deleted with
 * their records (remove true), as a pod's stop and removal do. -1 with s
 * filled at the first that fails.
 */
int containers_of_pod(struct cri *c, const char *sb, bool remove, struct cri_status *s);

#endif
