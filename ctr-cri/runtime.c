/* SPDX-License-Identifier: Apache-2.0 */
/* Version and Status: who answers, and whether it can run pods. */

#include "cleanup.h"
#include "cniconf.h"
#include "ctr-cri/api.pb-c.h"
#include "prog.h"
#include "runtime.h"

int
runtime_version(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
		struct arena *arena, struct cri_status *s)
{
	Runtime__V1__VersionResponse *r = (Runtime__V1__VersionResponse *)resp;

	(void)c, (void)req, (void)arena, (void)s;
	/* "version" is the kubelet's runtime API version, which has stayed 0.1.0 since CRI v1alpha */
	r->version = "0.1.0";
	r->runtime_name = CRI_RUNTIME_NAME;
	r->runtime_version = (char *)prog_version();
	r->runtime_api_version = CRI_API_VERSION;
	return 0;
}

static Runtime__V1__RuntimeCondition *
condition(struct arena *a, const char *type, bool ok, const char *reason, const char *msg)
{
	Runtime__V1__RuntimeCondition *rc = arena_alloc(a, sizeof(*rc));

	runtime__v1__runtime_condition__init(rc);
	rc->type = (char *)type;
	rc->status = ok;
	rc->reason = (char *)(ok ? "" : reason);
	rc->message = (char *)(ok ? "" : msg);
	return rc;
}

/*
 * RuntimeReady: we answer, so the runtime is ready. NetworkReady, as
 * containerd reports it: a CNI network is configured for pods to join.
 */
int
runtime_status(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
	       struct arena *arena, struct cri_status *s)
{
	Runtime__V1__StatusResponse *r = (Runtime__V1__StatusResponse *)resp;
	Runtime__V1__RuntimeStatus *rs = arena_alloc(arena, sizeof(*rs));
	_cleanup_free_ char *network = NULL;
	struct err e;
	bool net = cniconf_default(c->cni_conf_dir, &network, &e) == 0;

	(void)req, (void)s;
	runtime__v1__runtime_status__init(rs);
	rs->n_conditions = 2;
	rs->conditions = arena_array(arena, 2, sizeof(*rs->conditions));
	rs->conditions[0] = condition(arena, "RuntimeReady", true, "", "");
	rs->conditions[1] = condition(arena, "NetworkReady", net, "NetworkPluginNotReady",
				      net ? "" : arena_strdup(arena, e.msg));
	r->status = rs;
	return 0;
}
