/* SPDX-License-Identifier: Apache-2.0 */
/* Version and Status: who answers, and whether it can run pods. */
#include <dirent.h>
#include <string.h>

#include "cleanup.h"
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

/* Does dir hold a CNI network configuration (*.conf, *.conflist, *.json)? */
static bool
cni_configured(const char *dir)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *de;

	while (d && (de = readdir(d))) {
		const char *dot = strrchr(de->d_name, '.');

		if (de->d_name[0] != '.' && dot &&
		    (!strcmp(dot, ".conf") || !strcmp(dot, ".conflist") || !strcmp(dot, ".json")))
			return true;
	}
	return false;
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
 * containerd reports it: a CNI configuration is there for pods to use.
 */
int
runtime_status(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
	       struct arena *arena, struct cri_status *s)
{
	Runtime__V1__StatusResponse *r = (Runtime__V1__StatusResponse *)resp;
	Runtime__V1__RuntimeStatus *rs = arena_alloc(arena, sizeof(*rs));
	bool net = cni_configured(c->cni_conf_dir);

	(void)req, (void)s;
	runtime__v1__runtime_status__init(rs);
	rs->n_conditions = 2;
	rs->conditions = arena_array(arena, 2, sizeof(*rs->conditions));
	rs->conditions[0] = condition(arena, "RuntimeReady", true, "", "");
	rs->conditions[1] =
	    condition(arena, "NetworkReady", net, "NetworkPluginNotReady",
		      arena_printf(arena, "no CNI network configuration in %s", c->cni_conf_dir));
	r->status = rs;
	return 0;
}
