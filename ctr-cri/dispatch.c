/* SPDX-License-Identifier: Apache-2.0 */
/* The table of served methods, and the unpack / call / pack of one call. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ctr-cri/api.pb-c.h"
#include "containers.h"
#include "cri.h"
#include "dispatch.h"
#include "err.h"
#include "execsync.h"
#include "images.h"
#include "pods.h"
#include "runtime.h"
#include "stats.h"
#include "stream-cri.h"
#include "xmem.h"

struct method {
	const char *path; /* "/SERVICE/METHOD" */
	cri_method_fn fn;
};

/* The served ones; ctr-cri(8) lists them, and every other method of the services is UNIMPLEMENTED. */
static const struct method methods[] = {
    {"/runtime.v1.RuntimeService/Version", runtime_version},
    {"/runtime.v1.RuntimeService/Status", runtime_status},
    {"/runtime.v1.RuntimeService/RunPodSandbox", pods_run},
    {"/runtime.v1.RuntimeService/StopPodSandbox", pods_stop},
    {"/runtime.v1.RuntimeService/RemovePodSandbox", pods_remove},
    {"/runtime.v1.RuntimeService/PodSandboxStatus", pods_status},
    {"/runtime.v1.RuntimeService/ListPodSandbox", pods_list},
    {"/runtime.v1.RuntimeService/CreateContainer", containers_create},
    {"/runtime.v1.RuntimeService/StartContainer", containers_start},
    {"/runtime.v1.RuntimeService/StopContainer", containers_stop},
    {"/runtime.v1.RuntimeService/RemoveContainer", containers_remove},
    {"/runtime.v1.RuntimeService/ListContainers", containers_list},
    {"/runtime.v1.RuntimeService/ContainerStatus", containers_status},
    {"/runtime.v1.RuntimeService/ReopenContainerLog", containers_reopen_log},
    {"/runtime.v1.RuntimeService/ExecSync", execsync_run},
    {"/runtime.v1.RuntimeService/UpdateContainerResources", stats_update},
    {"/runtime.v1.RuntimeService/ContainerStats", stats_container},
    {"/runtime.v1.RuntimeService/ListContainerStats", stats_list},
    {"/runtime.v1.RuntimeService/PodSandboxStats", stats_pod},
    {"/runtime.v1.RuntimeService/ListPodSandboxStats", stats_pod_list},
    {"/runtime.v1.RuntimeService/Exec", stream_exec},
    {"/runtime.v1.RuntimeService/Attach", stream_attach},
    {"/runtime.v1.RuntimeService/PortForward", stream_port_forward},
    {"/runtime.v1.ImageService/ListImages", images_list},
    {"/runtime.v1.ImageService/ImageStatus", images_status},
    {"/runtime.v1.ImageService/PullImage", images_pull},
    {"/runtime.v1.ImageService/RemoveImage", images_remove},
    {"/runtime.v1.ImageService/ImageFsInfo", images_fs_info},
};

static const ProtobufCServiceDescriptor *const services[] = {
    &runtime__v1__runtime_service__descriptor,
    &runtime__v1__image_service__descriptor,
};

int
cri_fail(struct cri_status *s, grpc_status_code code, const char *fmt, ...)
{
	va_list ap;

	s->code = code;
	va_start(ap, fmt);
	vsnprintf(s->msg, sizeof(s->msg), fmt, ap);
	va_end(ap);
	return -1;
}

grpc_status_code
cri_code_status(const char *code)
{
	static const struct {
		const char *code;
		grpc_status_code status;
	} map[] = {
	    {"usage", GRPC_STATUS_INVALID_ARGUMENT},
	    {"invalid", GRPC_STATUS_INVALID_ARGUMENT},
	    {"too-large", GRPC_STATUS_INVALID_ARGUMENT},
	    {"limit", GRPC_STATUS_INVALID_ARGUMENT},
	    {"not-found", GRPC_STATUS_NOT_FOUND},
	    {"exists", GRPC_STATUS_ALREADY_EXISTS},
	    {"conflict", GRPC_STATUS_FAILED_PRECONDITION},
	    {"auth", GRPC_STATUS_UNAUTHENTICATED},
	    {"permission", GRPC_STATUS_PERMISSION_DENIED},
	    {"busy", GRPC_STATUS_UNAVAILABLE},
	    {"network", GRPC_STATUS_UNAVAILABLE},
	};

	for (size_t i = 0; code && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].code, code) == 0)
			return map[i].status;
	return GRPC_STATUS_INTERNAL;
}

int
cri_fail_err(struct cri_status *s, const struct err *e)
{
	return cri_fail(s, cri_code_status(e->code), "%s", e->msg);
}

/* The method of path in our services' descriptors, or NULL. */
static const ProtobufCMethodDescriptor *
find_method(const char *path)
{
	for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++) {
		const ProtobufCServiceDescriptor *d = services[i];
		size_t n = strlen(d->name);

		if (path[0] != '/' || strncmp(path + 1, d->name, n) != 0 || path[n + 1] != '/')
			continue;
		for (unsigned m = 0; m < d->n_methods; m++)
			if (strcmp(path + n + 2, d->methods[m].name) == 0)
				return &d->methods[m];
	}
	return NULL;
}

static cri_method_fn
find_handler(const char *path)
{
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(methods[i].path, path) == 0)
			return methods[i].fn;
	return NULL;
}

int
dispatch_call(struct cri *c, const char *path, const uint8_t *req, size_t len, uint8_t **out,
	      size_t *outlen, struct cri_status *s)
{
	const ProtobufCMethodDescriptor *m = find_method(path);
	cri_method_fn fn = m ? find_handler(path) : NULL;
	struct arena arena = {0};
	ProtobufCMessage *in, *resp;
	int r;

	if (!m)
		return cri_fail(s, GRPC_STATUS_UNIMPLEMENTED, "unknown method %.200s", path);
	if (!fn)
		return cri_fail(s, GRPC_STATUS_UNIMPLEMENTED,
				"%.200s is not served by ctr-cri (see ctr-cri(8))", path + 1);
	in = protobuf_c_message_unpack(m->input, NULL, len, req);
	if (!in)
		return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT, "malformed %s message (%zu bytes)",
				m->input->name, len);
	resp = arena_alloc(&arena, m->output->sizeof_message);
	m->output->message_init(resp);
	r = fn(c, in, resp, &arena, s);
	protobuf_c_message_free_unpacked(in, NULL);
	if (r == 0) {
		*outlen = protobuf_c_message_get_packed_size(resp);
		*out = xmalloc(*outlen ? *outlen : 1);
		protobuf_c_message_pack(resp, *out);
	}
	arena_release(&arena);
	return r;
}
