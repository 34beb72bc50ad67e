/* SPDX-License-Identifier: Apache-2.0 */
/* A container's linux config (resources, security context) and devices as ctr-run's options. */
#ifndef CTR_CRI_LINUXCFG_H
#define CTR_CRI_LINUXCFG_H

#include "cri.h"
#include "ctr-cri/api.pb-c.h"

/* Where Localhost seccomp profiles must lie: the kubelet's --seccomp-profile-root. */
#define LINUXCFG_SECCOMP_ROOT "/var/lib/kubelet/seccomp"

/*
 * ctr-run create's options for cfg's linux config and devices, in a pod on
 * the node's network (host_net) or its own: a NULL-terminated array from
 * the arena, or NULL with s filled (INVALID_ARGUMENT for a field ctr-run
 * cannot honour or a bad value; nothing is made either way).
 */
const char **linuxcfg_args(struct cri *c, struct arena *ar, const Runtime__V1__ContainerConfig *cfg,
			   bool host_net, struct cri_status *s);

/*
 * ctr-run update's options for r (UpdateContainerResources; may be NULL),
 * from the arena; *n of them (0: nothing to change). -1 with s filled on a
 * bad or unsupported value.
 */
int linuxcfg_update_args(struct arena *ar, const Runtime__V1__LinuxContainerResources *r,
			 const char ***out, size_t *n, struct cri_status *s);

/* A pod's linux config: -1 with s filled for what no container of it could honour (sysctls). */
int linuxcfg_pod_check(const Runtime__V1__LinuxPodSandboxConfig *l, struct cri_status *s);

#endif
