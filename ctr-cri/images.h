/* SPDX-License-Identifier: Apache-2.0 */
/* ImageService: the image records of namespace k8s.io, as the kubelet sees them. */
#ifndef CTR_CRI_IMAGES_H
#define CTR_CRI_IMAGES_H

#include "cri.h"

int images_list(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
		struct arena *arena, struct cri_status *s);
int images_status(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
		  struct arena *arena, struct cri_status *s);
int images_pull(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
		struct arena *arena, struct cri_status *s);
int images_remove(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
		  struct arena *arena, struct cri_status *s);
int images_fs_info(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
		   struct arena *arena, struct cri_status *s);
/* A FilesystemUsage of mountpoint, stamped now; all from the arena. */
struct Runtime__V1__FilesystemUsage *images_fs_usage(struct arena *a, const char *mountpoint,
						     long long bytes, long long inodes);

#endif
