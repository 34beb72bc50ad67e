/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Pod sandboxes without a pause process: RunPodSandbox writes the record,
 * pins a network namespace with ctr-netns and attaches it to the default
 * CNI network through libcommon/cni-attach.c (the code of ctr-run --net cni:);
 * StopPodSandbox detaches and unpins; RemovePodSandbox removes the record.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "afile.h"
#include "cleanup.h"
#include "cni-attach.h"
#include "cniconf.h"
#include "containers.h"
#include "ctr-cri/api.pb-c.h"
#include "jsonio.h"
#include "linuxcfg.h"
#include "lock.h"
#include "path.h"
#include "pbmap.h"
#include "pods.h"
#include "record.h"
#include "xmem.h"

/* A pod's network namespace, pinned by ctr-netns under this name. */
#define POD_NETNS_PREFIX "cri-"

static int
check_name(const char *what, const char *v, struct cri_status *s)
{
	struct err e;

	if (!v || !v[0])
		return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT, "PodSandboxConfig: no %s", what);
	if (path_check_name(v, 253, &e) < 0)
		return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT, "PodSandboxConfig: %s: %s", what,
				e.msg);
	return 0;
}

/* An absolute path with no "." or ".." component: where the kubelet wants the pod's logs. */
static bool
clean_abs_path(const char *p)
{
	if (p[0] != '/' || strstr(p, "//"))
		return false;
	for (const char *c = p; c; c = strchr(c + 1, '/'))
		if (!strncmp(c, "/./", 3) || !strcmp(c, "/.") || !strncmp(c, "/../", 4) ||
		    !strcmp(c, "/.."))
			return false;
	return true;
}

/* Hostnames as RFC 1123 has them, at most 64 bytes (the kernel's limit). */
static bool
valid_hostname(const char *h)
{
	size_t n = strlen(h);

	return n > 0 && n <= 64 && strspn(h, "abcdefghijklmnopqrstuvwxyz0123456789.-") == n &&
	       h[0] != '-' && h[0] != '.';
}

static int
check_config(const Runtime__V1__PodSandboxConfig *cfg, const char *handler, struct cri_status *s)
{
	const Runtime__V1__PodSandboxMetadata *md = cfg ? cfg->metadata : NULL;

	if (!md)
		return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT, "PodSandboxConfig: no metadata");
	if (check_name("metadata.name", md->name, s) < 0 ||
	    check_name("metadata.uid", md->uid, s) < 0 ||
	    check_name("metadata.namespace", md->namespace_, s) < 0)
		return -1;
	if (cfg->hostname && cfg->hostname[0] && !valid_hostname(cfg->hostname))
		return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT,
				"PodSandboxConfig: hostname '%.80s' is no RFC 1123 host name",
				cfg->hostname);
	if (cfg->log_directory && cfg->log_directory[0] && !clean_abs_path(cfg->log_directory))
		return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT,
				"PodSandboxConfig: log_directory '%.200s' is not an absolute path "
				"without . and .. components",
				cfg->log_directory);
	if (cfg->n_port_mappings)
		return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT,
				"PodSandboxConfig: port_mappings are not supported by ctr-cri yet");
	if (handler && handler[0] && strcmp(handler, "runc") != 0)
		return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT,
				"no runtime handler '%.80s' (ctr-cri has runc only)", handler);
	return linuxcfg_pod_check(cfg->linux, s);
}

static bool
host_network(const Runtime__V1__PodSandboxConfig *cfg)
{
	const Runtime__V1__LinuxPodSandboxConfig *l = cfg->linux;

	return l && l->security_context && l->security_context->namespace_options &&
	       l->security_context->namespace_options->network == RUNTIME__V1__NAMESPACE_MODE__NODE;
}

static bool
same_metadata(const json_t *rec, const Runtime__V1__PodSandboxMetadata *md)
{
	const json_t *m = json_object_get(rec, "metadata");

	return !strcmp(jsonio_str(m, "name") ?: "", md->name) &&
	       !strcmp(jsonio_str(m, "uid") ?: "", md->uid) &&
	       !strcmp(jsonio_str(m, "namespace") ?: "", md->namespace_) &&
	       json_integer_value(json_object_get(m, "attempt")) == md->attempt;
}

static json_t *
new_record(const char *id, const Runtime__V1__PodSandboxConfig *cfg, const char *handler)
{
	const Runtime__V1__PodSandboxMetadata *md = cfg->metadata;
	struct timespec now;
	_cleanup_free_ char *netns = xasprintf(POD_NETNS_PREFIX "%s", id);

	clock_gettime(CLOCK_REALTIME, &now);
	return json_pack(
	    "{s:s, s:{s:s, s:s, s:s, s:I}, s:s, s:s, s:o, s:o, s:I, s:s, s:s, s:s?, "
	    "s:s, s:s}",
	    "id", id, "metadata", "name", md->name, "uid", md->uid, "namespace", md->namespace_,
	    "attempt", (json_int_t)md->attempt, "hostname", cfg->hostname ? cfg->hostname : "",
	    "log_directory", cfg->log_directory ? cfg->log_directory : "", "labels",
	    pbmap_to_json((void **)cfg->labels, cfg->n_labels), "annotations",
	    pbmap_to_json((void **)cfg->annotations, cfg->n_annotations), "created_at",
	    (json_int_t)now.tv_sec * 1000000000 + now.tv_nsec, "state", "notready", "network",
	    host_network(cfg) ? "node" : "pod", "netns", host_network(cfg) ? NULL : netns,
	    "runtime_handler", handler ? handler : "", "cgroup_parent",
	    cfg->linux && cfg->linux->cgroup_parent ? cfg->linux->cgroup_parent : "");
}

static bool
any_line_break(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strpbrk(v[i], "\r\n"))
			return true;
	return false;
}

/* "nameserver A\nnameserver B\n" (one per line) or "search A B\n" (all on one). */
static void
resolv_lines(FILE *f, const char *key, char **v, size_t n, bool one_each)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s%s%s", one_each || i == 0 ? key : " ", v[i],
			one_each || i + 1 == n ? "\n" : "");
}

/* The pod's resolv.conf from its DNSConfig, for its containers to mount; empty without one. */
static int
write_resolv(int sbfd, const Runtime__V1__DNSConfig *dns, struct err *e)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	FILE *f;

	/* the strings come from the kubelet; a line break in one would add a line of its own */
	if (dns && (any_line_break(dns->servers, dns->n_servers) ||
		    any_line_break(dns->searches, dns->n_searches) ||
		    any_line_break(dns->options, dns->n_options)))
		return err_code(e, "invalid", "DNSConfig: a value with a line break");
	if (!(f = open_memstream(&text, &len)))
		return err_set(e, errno, "open_memstream");
	if (dns) {
		resolv_lines(f, "nameserver ", dns->servers, dns->n_servers, true);
		resolv_lines(f, "search ", dns->searches, dns->n_searches, false);
		resolv_lines(f, "options ", dns->options, dns->n_options, false);
	}
	if (fclose(f) != 0)
		return err_set(e, errno, "resolv.conf");
	return afile_write(sbfd, "resolv.conf", text ? text : "", len, 0644, e);
}

/* The record's fields made, in order: directory and record, resolv.conf, the network. */
static int
pod_create(struct cri *c, int dirfd, json_t *rec, const Runtime__V1__PodSandboxConfig *cfg,
	   struct err *e)
{
	const char *id = jsonio_str(rec, "id"), *netns = jsonio_str(rec, "netns");
	_cleanup_free_ char *network = NULL, *path = record_path(c->st, RECORD_SANDBOXES, id),
			    *nspath = NULL;
	_cleanup_close_ int sbfd = -1;

	if (netns && cniconf_default(c->cni_conf_dir, &network, e) < 0) {
		_cleanup_free_ char *why = xstrdup(e->msg);

		return err_code(e, "conflict", "the pod network is not ready: %s", why);
	}
	/* the record first (not ready): whatever follows, a removal finds what to undo */
	if (record_store(dirfd, rec, e) < 0)
		return -1;
	sbfd = openat(dirfd, id, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sbfd < 0)
		return err_set(e, errno, "open sandbox '%s'", id);
	if (write_resolv(sbfd, cfg->dns_config, e) < 0)
		return -1;
	if (netns && cni_attach(c->st, path, netns, network, &nspath, e) < 0)
		return -1;
	json_object_set_new(rec, "state", json_string("ready"));
	return record_store(dirfd, rec, e);
}

int
pods_run(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp, struct arena *arena,
	 struct cri_status *s)
{
	const Runtime__V1__RunPodSandboxRequest *q = (const Runtime__V1__RunPodSandboxRequest *)req;
	Runtime__V1__RunPodSandboxResponse *r = (Runtime__V1__RunPodSandboxResponse *)resp;
	_cleanup_close_ int dirfd = -1, lk = -1;
	json_auto_t *all = NULL, *rec = NULL;
	char id[RECORD_ID_LEN + 1];
	struct err e;
	json_t *x;
	size_t i;

	if (check_config(q->config, q->runtime_handler, s) < 0)
		return -1;
	/* one creation at a time per store: two with the same metadata, and one wins */
	if ((dirfd = record_dir(c->st, RECORD_SANDBOXES, &e)) < 0 ||
	    (lk = lock_at(dirfd, ".lock", 0, &e)) < 0 || !(all = record_list(dirfd, &e)))
		return cri_fail_err(s, &e);
	json_array_foreach(all, i, x) {
		const Runtime__V1__PodSandboxMetadata *md = q->config->metadata;

		if (same_metadata(x, md))
			return cri_fail(s, GRPC_STATUS_ALREADY_EXISTS,
					"pod sandbox %s_%s_%s_%u is there already: %s", md->name,
					md->namespace_, md->uid, md->attempt, jsonio_str(x, "id"));
	}
	record_new_id(id);
	/* jansson takes UTF-8 only, as proto3 strings are */
	if (!(rec = new_record(id, q->config, q->runtime_handler)))
		return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT,
				"PodSandboxConfig: a string that is not UTF-8");
	if (pod_create(c, dirfd, rec, q->config, &e) < 0) {
		_cleanup_free_ char *path = record_path(c->st, RECORD_SANDBOXES, id);
		struct err ignored;

		cri_fail_err(s, &e);
		cni_detach(c->st, path, &ignored);
		record_remove(dirfd, id, &ignored);
		return -1;
	}
	r->pod_sandbox_id = arena_strdup(arena, id);
	return 0;
}

/* Detach the network and unpin the namespace; the record says not ready. Idempotent. */
static int
pod_stop(struct cri *c, int dirfd, json_t *rec, struct err *e)
{
	_cleanup_free_ char *path = record_path(c->st, RECORD_SANDBOXES, jsonio_str(rec, "id"));

	if (cni_detach(c->st, path, e) < 0)
		return -1;
	if (!strcmp(jsonio_str(rec, "state") ?: "", "notready"))
		return 0;
	json_object_set_new(rec, "state", json_string("notready"));
	return record_store(dirfd, rec, e);
}

/*
 * StopPodSandbox, and with remove RemovePodSandbox: its containers first
 * (killed as containerd's stop does, or removed), its network, its record.
 * A pod that is not there is removed already, which is no error.
 */
static int
pod_end(struct cri *c, const char *id, bool remove, struct cri_status *s)
{
	_cleanup_close_ int dirfd = -1, lk = -1;
	json_auto_t *rec = NULL;
	struct err e;

	if (!(rec = record_find(c->st, RECORD_SANDBOXES, "pod sandbox", id, &dirfd, &lk, &e)))
		return remove && !strcmp(e.code ?: "", "not-found") ? 0 : cri_fail_err(s, &e);
	if (containers_of_pod(c, jsonio_str(rec, "id"), remove, s) < 0)
		return -1;
	if (pod_stop(c, dirfd, rec, &e) < 0 ||
	    (remove && record_remove(dirfd, jsonio_str(rec, "id"), &e) < 0))
		return cri_fail_err(s, &e);
	return 0;
}

int
pods_stop(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp, struct arena *arena,
	  struct cri_status *s)
{
	(void)resp, (void)arena;
	return pod_end(c, ((const Runtime__V1__StopPodSandboxRequest *)req)->pod_sandbox_id, false,
		       s);
}

int
pods_remove(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp, struct arena *arena,
	    struct cri_status *s)
{
	(void)resp, (void)arena;
	return pod_end(c, ((const Runtime__V1__RemovePodSandboxRequest *)req)->pod_sandbox_id, true,
		       s);
}

static Runtime__V1__PodSandboxMetadata *
metadata_msg(struct arena *a, const json_t *rec)
{
	Runtime__V1__PodSandboxMetadata *m = arena_alloc(a, sizeof(*m));
	const json_t *md = json_object_get(rec, "metadata");

	runtime__v1__pod_sandbox_metadata__init(m);
	m->name = arena_strdup(a, jsonio_str(md, "name") ?: "");
	m->uid = arena_strdup(a, jsonio_str(md, "uid") ?: "");
	m->namespace_ = arena_strdup(a, jsonio_str(md, "namespace") ?: "");
	m->attempt = (uint32_t)json_integer_value(json_object_get(md, "attempt"));
	return m;
}

static Runtime__V1__PodSandboxState
state_of(const json_t *rec)
{
	return strcmp(jsonio_str(rec, "state") ?: "", "ready") == 0
		   ? RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_READY
		   : RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_NOTREADY;
}

/* The pod's addresses from its CNI results: the first is ip, the others additional_ips. */
static Runtime__V1__PodSandboxNetworkStatus *
network_msg(struct arena *a, struct cri *c, const json_t *rec)
{
	Runtime__V1__PodSandboxNetworkStatus *n = arena_alloc(a, sizeof(*n));
	_cleanup_free_ char *path = record_path(c->st, RECORD_SANDBOXES, jsonio_str(rec, "id"));
	json_auto_t *res = state_of(rec) == RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_READY
			       ? cni_describe(path)
			       : NULL;
	json_t *one, *ip;
	size_t i, j;

	runtime__v1__pod_sandbox_network_status__init(n);
	n->additional_ips = arena_array(a, 16, sizeof(*n->additional_ips));
	json_array_foreach(res, i, one) {
		json_array_foreach(json_object_get(json_object_get(one, "result"), "ips"), j, ip) {
			const char *addr = jsonio_str(ip, "address");
			char *bare =
			    addr ? arena_printf(a, "%.*s", (int)strcspn(addr, "/"), addr) : NULL;

			if (!bare)
				continue;
			if (!n->ip[0])
				n->ip = bare;
			else if (n->n_additional_ips < 16) {
				Runtime__V1__PodIP *p = arena_alloc(a, sizeof(*p));

				runtime__v1__pod_ip__init(p);
				p->ip = bare;
				n->additional_ips[n->n_additional_ips++] = p;
			}
		}
	}
	return n;
}

static Runtime__V1__LinuxPodSandboxStatus *
linux_msg(struct arena *a, const json_t *rec)
{
	Runtime__V1__LinuxPodSandboxStatus *l = arena_alloc(a, sizeof(*l));
	Runtime__V1__Namespace *ns = arena_alloc(a, sizeof(*ns));
	Runtime__V1__NamespaceOption *o = arena_alloc(a, sizeof(*o));

	runtime__v1__linux_pod_sandbox_status__init(l);
	runtime__v1__namespace__init(ns);
	runtime__v1__namespace_option__init(o);
	if (!strcmp(jsonio_str(rec, "network") ?: "", "node"))
		o->network = RUNTIME__V1__NAMESPACE_MODE__NODE;
	/* no pause process: each container has its own pid and ipc namespaces */
	o->pid = RUNTIME__V1__NAMESPACE_MODE__CONTAINER;
	o->ipc = RUNTIME__V1__NAMESPACE_MODE__CONTAINER;
	ns->options = o;
	l->namespaces = ns;
	return l;
}

int
pods_status(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp, struct arena *arena,
	    struct cri_status *s)
{
	const Runtime__V1__PodSandboxStatusRequest *q =
	    (const Runtime__V1__PodSandboxStatusRequest *)req;
	Runtime__V1__PodSandboxStatusResponse *r = (Runtime__V1__PodSandboxStatusResponse *)resp;
	Runtime__V1__PodSandboxStatus *st = arena_alloc(arena, sizeof(*st));
	_cleanup_close_ int dirfd = -1;
	json_auto_t *rec = NULL;
	struct timespec now;
	struct err e;

	if (!(rec = record_find(c->st, RECORD_SANDBOXES, "pod sandbox", q->pod_sandbox_id, &dirfd,
				NULL, &e)))
		return cri_fail_err(s, &e);
	runtime__v1__pod_sandbox_status__init(st);
	st->id = arena_strdup(arena, jsonio_str(rec, "id"));
	st->metadata = metadata_msg(arena, rec);
	st->state = state_of(rec);
	st->created_at = json_integer_value(json_object_get(rec, "created_at"));
	st->network = network_msg(arena, c, rec);
	st->linux = linux_msg(arena, rec);
	st->labels =
	    pbmap_from_json(arena, &runtime__v1__pod_sandbox_status__labels_entry__descriptor,
			    json_object_get(rec, "labels"), &st->n_labels);
	st->annotations =
	    pbmap_from_json(arena, &runtime__v1__pod_sandbox_status__annotations_entry__descriptor,
			    json_object_get(rec, "annotations"), &st->n_annotations);
	st->runtime_handler = arena_strdup(arena, jsonio_str(rec, "runtime_handler") ?: "");
	r->status = st;
	clock_gettime(CLOCK_REALTIME, &now);
	r->timestamp = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
	return 0;
}

static bool
matches(const json_t *rec, const Runtime__V1__PodSandboxFilter *f)
{
	if (!f)
		return true;
	if (f->state && state_of(rec) != f->state->state)
		return false;
	return record_match(rec, f->id, NULL, (void **)f->label_selector, f->n_label_selector);
}

static Runtime__V1__PodSandbox *
item_msg(struct arena *a, const json_t *rec)
{
	Runtime__V1__PodSandbox *p = arena_alloc(a, sizeof(*p));

	runtime__v1__pod_sandbox__init(p);
	p->id = arena_strdup(a, jsonio_str(rec, "id"));
	p->metadata = metadata_msg(a, rec);
	p->state = state_of(rec);
	p->created_at = json_integer_value(json_object_get(rec, "created_at"));
	p->labels = pbmap_from_json(a, &runtime__v1__pod_sandbox__labels_entry__descriptor,
				    json_object_get(rec, "labels"), &p->n_labels);
	p->annotations =
	    pbmap_from_json(a, &runtime__v1__pod_sandbox__annotations_entry__descriptor,
			    json_object_get(rec, "annotations"), &p->n_annotations);
	p->runtime_handler = arena_strdup(a, jsonio_str(rec, "runtime_handler") ?: "");
	return p;
}

int
pods_list(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp, struct arena *arena,
	  struct cri_status *s)
{
	const Runtime__V1__ListPodSandboxRequest *q =
	    (const Runtime__V1__ListPodSandboxRequest *)req;
	Runtime__V1__ListPodSandboxResponse *r = (Runtime__V1__ListPodSandboxResponse *)resp;
	_cleanup_close_ int dirfd = -1;
	json_auto_t *all = NULL;
	struct err e;
	json_t *rec;
	size_t i;

	if ((dirfd = record_dir(c->st, RECORD_SANDBOXES, &e)) < 0 ||
	    !(all = record_list(dirfd, &e)))
		return cri_fail_err(s, &e);
	r->items = arena_array(arena, json_array_size(all), sizeof(*r->items));
	json_array_foreach(all, i, rec) {
		if (matches(rec, q->filter))
			r->items[r->n_items++] = item_msg(arena, rec);
	}
	return 0;
}
