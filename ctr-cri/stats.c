/* SPDX-License-Identifier: Apache-2.0 */
/*
 * UpdateContainerResources through ctr-run update; ContainerStats and
 * ListContainerStats from ctr-run stats --json (the cgroup's numbers) and
 * ctr-snapshot usage (the container's writable layer).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cgroup-path.h"
#include "cgroup.h"
#include "cleanup.h"
#include "ctr-cri/api.pb-c.h"
#include "images.h"
#include "jsonio.h"
#include "linuxcfg.h"
#include "pbmap.h"
#include "record.h"
#include "stats.h"
#include "tool.h"
#include "xmem.h"

/* ctr-run's (or ctr-snapshot's) JSON answer: a new reference, or NULL with s filled. */
static json_t *
tool_json(struct cri *c, const char *tool, const char *env, const char *const *args,
	  struct cri_status *s)
{
	_cleanup_free_ char *out = NULL;
	struct err e;
	json_t *doc;

	if (tool_run(c, tool, env, args, NULL, &out, s) < 0)
		return NULL;
	if (!(doc = jsonio_parse(out, strlen(out), tool, &e)))
		cri_fail_err(s, &e);
	return doc;
}

/* Every record of kind (a new array), or NULL with s filled. */
static json_t *
all_records(struct cri *c, const char *kind, struct cri_status *s)
{
	_cleanup_close_ int dirfd = -1;
	struct err e;
	json_t *all;

	if ((dirfd = record_dir(c->st, kind, &e)) < 0 || !(all = record_list(dirfd, &e))) {
		cri_fail_err(s, &e);
		return NULL;
	}
	return all;
}

int
stats_update(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
	     struct arena *arena, struct cri_status *s)
{
	const Runtime__V1__UpdateContainerResourcesRequest *q =
	    (const Runtime__V1__UpdateContainerResourcesRequest *)req;
	_cleanup_close_ int dirfd = -1, lk = -1;
	_cleanup_free_ const char **argv = NULL;
	json_auto_t *rec = NULL, *state = NULL;
	const char **opts;
	size_t n;
	struct err e;

	(void)resp;
	if (!(rec = record_find(c->st, RECORD_CONTAINERS, "container", q->container_id, &dirfd, &lk,
				&e)))
		return cri_fail_err(s, &e);
	if (linuxcfg_update_args(arena, q->linux, &opts, &n, s) < 0)
		return -1;
	if (n == 0) /* nothing ctr-run keeps was asked for: no runtime call */
		return 0;
	/* a CRI container never starts again: one that ended has nothing to change (containerd) */
	if (!(state = tool_json(c, "ctr-run", "CTR_RUN",
				(const char *[]){"state", jsonio_str(rec, "id"), NULL}, s)))
		return -1;
	if (!strcmp(jsonio_str(state, "status") ?: "", "stopped"))
		return 0;
	argv = xcalloc(n + 3, sizeof(*argv));
	argv[0] = "update";
	memcpy(argv + 1, opts, n * sizeof(*argv));
	argv[n + 1] = jsonio_str(rec, "id");
	return tool_run(c, "ctr-run", "CTR_RUN", argv, NULL, NULL, s);
}

static json_int_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (json_int_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* A UInt64Value of a number read (from a cgroup or ctr-run), or NULL when it could not be read (negative). */
static Runtime__V1__UInt64Value *
u64_ll(struct arena *a, long long v)
{
	Runtime__V1__UInt64Value *u;

	if (v < 0)
		return NULL;
	u = arena_alloc(a, sizeof(*u));
	runtime__v1__uint64_value__init(u);
	u->value = (uint64_t)v;
	return u;
}

/* A UInt64Value of a number ctr-run printed, or NULL when it could not read it (-1). */
static Runtime__V1__UInt64Value *
u64(struct arena *a, const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return u64_ll(a, json_is_integer(v) ? (long long)json_integer_value(v) : -1);
}

/* CPU and memory from ctr-run stats --json, both stamped with the time it was read. */
static void
cgroup_usage(struct arena *a, Runtime__V1__ContainerStats *cs, const json_t *st, json_int_t ts)
{
	const json_t *mem = json_object_get(st, "memory");
	json_int_t limit = json_integer_value(json_object_get(mem, "limit"));
	json_int_t ws = json_integer_value(json_object_get(mem, "working_set"));

	cs->cpu = arena_alloc(a, sizeof(*cs->cpu));
	runtime__v1__cpu_usage__init(cs->cpu);
	cs->cpu->timestamp = ts;
	cs->cpu->usage_core_nano_seconds = u64(a, json_object_get(st, "cpu"), "usage_ns");
	cs->memory = arena_alloc(a, sizeof(*cs->memory));
	runtime__v1__memory_usage__init(cs->memory);
	cs->memory->timestamp = ts;
	cs->memory->working_set_bytes = u64(a, mem, "working_set");
	cs->memory->usage_bytes = u64(a, mem, "usage");
	cs->memory->rss_bytes = u64(a, mem, "rss");
	cs->memory->page_faults = u64(a, mem, "pgfault");
	cs->memory->major_page_faults = u64(a, mem, "pgmajfault");
	/* cAdvisor's: what the limit leaves the working set; none without a limit */
	if (limit >= 0 && ws >= 0) {
		cs->memory->available_bytes = arena_alloc(a, sizeof(*cs->memory->available_bytes));
		runtime__v1__uint64_value__init(cs->memory->available_bytes);
		cs->memory->available_bytes->value = (uint64_t)(limit > ws ? limit - ws : 0);
	}
}

/* The container's snapshot as ctr-snapshot usage counts it, or NULL when that fails. */
static Runtime__V1__FilesystemUsage *
writable_layer(struct cri *c, struct arena *a, const json_t *state)
{
	const char *drv = jsonio_str(state, "snapshotter"),
		   *key = jsonio_str(state, "snapshot_key");
	struct cri_status ignored;
	json_auto_t *u = NULL;

	if (!drv || !key)
		return NULL;
	u = tool_json(c, "ctr-snapshot", "CTR_SNAPSHOT",
		      (const char *[]){"usage", "--snapshotter", drv, "--json", key, NULL},
		      &ignored);
	if (!json_is_integer(json_object_get(u, "size")))
		return NULL;
	return images_fs_usage(a, arena_printf(a, "%s/snapshots/%s", c->st->root, drv),
			       json_integer_value(json_object_get(u, "size")),
			       json_integer_value(json_object_get(u, "inodes")));
}

static Runtime__V1__ContainerAttributes *
attributes(struct arena *a, const json_t *rec)
{
	Runtime__V1__ContainerAttributes *at = arena_alloc(a, sizeof(*at));
	const json_t *md = json_object_get(rec, "metadata");

	runtime__v1__container_attributes__init(at);
	at->id = arena_strdup(a, jsonio_str(rec, "id"));
	at->metadata = arena_alloc(a, sizeof(*at->metadata));
	runtime__v1__container_metadata__init(at->metadata);
	at->metadata->name = arena_strdup(a, jsonio_str(md, "name") ?: "");
	at->metadata->attempt = (uint32_t)json_integer_value(json_object_get(md, "attempt"));
	at->labels =
	    pbmap_from_json(a, &runtime__v1__container_attributes__labels_entry__descriptor,
			    json_object_get(rec, "labels"), &at->n_labels);
	at->annotations =
	    pbmap_from_json(a, &runtime__v1__container_attributes__annotations_entry__descriptor,
			    json_object_get(rec, "annotations"), &at->n_annotations);
	return at;
}

/*
 * One container's stats: its attributes and writable layer always; CPU and
 * memory while it has a cgroup (created, running or paused). NULL with s
 * filled when ctr-run cannot say what it is.
 */
static Runtime__V1__ContainerStats *
one(struct cri *c, struct arena *a, const json_t *rec, struct cri_status *s)
{
	const char *id = jsonio_str(rec, "id"), *status;
	Runtime__V1__ContainerStats *cs;
	json_auto_t *state = NULL, *st = NULL;
	struct cri_status ignored;
	json_int_t ts;

	if (!(state = tool_json(c, "ctr-run", "CTR_RUN", (const char *[]){"state", id, NULL}, s)))
		return NULL;
	cs = arena_alloc(a, sizeof(*cs));
	runtime__v1__container_stats__init(cs);
	cs->attributes = attributes(a, rec);
	status = jsonio_str(state, "status") ?: "";
	ts = now_ns();
	/* it may stop between the two calls: then it has no numbers, as a stopped one */
	if ((!strcmp(status, "running") || !strcmp(status, "paused") ||
	     !strcmp(status, "created")) &&
	    (st = tool_json(c, "ctr-run", "CTR_RUN", (const char *[]){"stats", "--json", id, NULL},
			    &ignored)))
		cgroup_usage(a, cs, st, ts);
	cs->writable_layer = writable_layer(c, a, state);
	return cs;
}

int
stats_container(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
		struct arena *arena, struct cri_status *s)
{
	const Runtime__V1__ContainerStatsRequest *q =
	    (const Runtime__V1__ContainerStatsRequest *)req;
	Runtime__V1__ContainerStatsResponse *r = (Runtime__V1__ContainerStatsResponse *)resp;
	_cleanup_close_ int dirfd = -1;
	json_auto_t *rec = NULL;
	struct err e;

	if (!(rec = record_find(c->st, RECORD_CONTAINERS, "container", q->container_id, &dirfd,
				NULL, &e)))
		return cri_fail_err(s, &e);
	return (r->stats = one(c, arena, rec, s)) ? 0 : -1;
}

static bool
matches(const json_t *rec, const Runtime__V1__ContainerStatsFilter *f)
{
	return !f || record_match(rec, f->id, f->pod_sandbox_id, (void **)f->label_selector,
				  f->n_label_selector);
}

int
stats_list(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp, struct arena *arena,
	   struct cri_status *s)
{
	const Runtime__V1__ListContainerStatsRequest *q =
	    (const Runtime__V1__ListContainerStatsRequest *)req;
	Runtime__V1__ListContainerStatsResponse *r =
	    (Runtime__V1__ListContainerStatsResponse *)resp;
	json_auto_t *all = NULL;
	json_t *rec;
	size_t i;

	if (!(all = all_records(c, RECORD_CONTAINERS, s)))
		return -1;
	r->stats = arena_array(arena, json_array_size(all) + 1, sizeof(*r->stats));
	json_array_foreach(all, i, rec) {
		Runtime__V1__ContainerStats *cs;
		struct cri_status gone;

		if (!matches(rec, q->filter))
			continue;
		/* one removed meanwhile (ctr-run knows it no more) is left out, not an error */
		if ((cs = one(c, arena, rec, &gone)))
			r->stats[r->n_stats++] = cs;
		else if (gone.code != GRPC_STATUS_NOT_FOUND &&
			 gone.code != GRPC_STATUS_INVALID_ARGUMENT)
			return *s = gone, -1;
	}
	return 0;
}

/* *sum += v, sum made when v is the first value; NULL v (not read) adds nothing. */
static void
add_u64(struct arena *a, Runtime__V1__UInt64Value **sum, const Runtime__V1__UInt64Value *v)
{
	if (!v)
		return;
	if (!*sum) {
		*sum = arena_alloc(a, sizeof(**sum));
		runtime__v1__uint64_value__init(*sum);
	}
	(*sum)->value += v->value;
}

/* The pod's CPU and memory as its containers' sums, for a pod with no group of its own. */
static void
pod_sums(struct arena *a, Runtime__V1__LinuxPodSandboxStats *l, json_int_t ts)
{
	l->cpu = arena_alloc(a, sizeof(*l->cpu));
	runtime__v1__cpu_usage__init(l->cpu);
	l->memory = arena_alloc(a, sizeof(*l->memory));
	runtime__v1__memory_usage__init(l->memory);
	l->cpu->timestamp = l->memory->timestamp = ts;
	for (size_t i = 0; i < l->n_containers; i++) {
		const Runtime__V1__ContainerStats *cs = l->containers[i];

		if (cs->cpu)
			add_u64(a, &l->cpu->usage_core_nano_seconds,
				cs->cpu->usage_core_nano_seconds);
		if (!cs->memory)
			continue;
		add_u64(a, &l->memory->working_set_bytes, cs->memory->working_set_bytes);
		add_u64(a, &l->memory->usage_bytes, cs->memory->usage_bytes);
		add_u64(a, &l->memory->rss_bytes, cs->memory->rss_bytes);
		add_u64(a, &l->memory->page_faults, cs->memory->page_faults);
		add_u64(a, &l->memory->major_page_faults, cs->memory->major_page_faults);
	}
}

static Runtime__V1__PodSandboxAttributes *
pod_attributes(struct arena *a, const json_t *pod)
{
	Runtime__V1__PodSandboxAttributes *at = arena_alloc(a, sizeof(*at));
	const json_t *md = json_object_get(pod, "metadata");

	runtime__v1__pod_sandbox_attributes__init(at);
	at->id = arena_strdup(a, jsonio_str(pod, "id"));
	at->metadata = arena_alloc(a, sizeof(*at->metadata));
	runtime__v1__pod_sandbox_metadata__init(at->metadata);
	at->metadata->name = arena_strdup(a, jsonio_str(md, "name") ?: "");
	at->metadata->uid = arena_strdup(a, jsonio_str(md, "uid") ?: "");
	at->metadata->namespace_ = arena_strdup(a, jsonio_str(md, "namespace") ?: "");
	at->metadata->attempt = (uint32_t)json_integer_value(json_object_get(md, "attempt"));
	at->labels =
	    pbmap_from_json(a, &runtime__v1__pod_sandbox_attributes__labels_entry__descriptor,
			    json_object_get(pod, "labels"), &at->n_labels);
	at->annotations =
	    pbmap_from_json(a, &runtime__v1__pod_sandbox_attributes__annotations_entry__descriptor,
			    json_object_get(pod, "annotations"), &at->n_annotations);
	return at;
}

/*
 * The pod's CPU, memory and task count from the group the kubelet named
 * (cgroup_parent), which holds every container of the pod, as containerd
 * reads them. -1 when the pod names none or its group cannot be found.
 */
static int
pod_group(struct arena *a, Runtime__V1__LinuxPodSandboxStats *l, const json_t *pod, json_int_t ts)
{
	const char *name = jsonio_str(pod, "cgroup_parent");
	struct cgroup_parent p;
	struct cgroup cg = {0};
	struct cgroup_stats st;
	struct err e;
	int r;

	if (!name || !name[0] || cgroup_parent_parse(name, &p, &e) < 0)
		return -1;
	r = cgroup_at(&cg, cgroup_root(), p.path + strspn(p.path, "/"), &e);
	cgroup_parent_release(&p);
	if (r < 0)
		return -1;
	cgroup_stats(&cg, &st);
	cgroup_release(&cg);
	l->cpu = arena_alloc(a, sizeof(*l->cpu));
	runtime__v1__cpu_usage__init(l->cpu);
	l->cpu->usage_core_nano_seconds = u64_ll(a, st.cpu_ns);
	l->memory = arena_alloc(a, sizeof(*l->memory));
	runtime__v1__memory_usage__init(l->memory);
	l->memory->working_set_bytes = u64_ll(a, st.mem_working_set);
	l->memory->usage_bytes = u64_ll(a, st.mem_usage);
	l->memory->rss_bytes = u64_ll(a, st.mem_rss);
	l->memory->page_faults = u64_ll(a, st.pgfault);
	l->memory->major_page_faults = u64_ll(a, st.pgmajfault);
	if (st.mem_limit >= 0 && st.mem_working_set >= 0)
		l->memory->available_bytes = u64_ll(
		    a, st.mem_limit > st.mem_working_set ? st.mem_limit - st.mem_working_set : 0);
	l->process = arena_alloc(a, sizeof(*l->process));
	runtime__v1__process_usage__init(l->process);
	l->process->process_count = u64_ll(a, st.pids);
	l->cpu->timestamp = l->memory->timestamp = l->process->timestamp = ts;
	return 0;
}

/*
 * A pod's stats: its containers' (from all, every container record), and
 * its group's numbers, or without one their sums.
 */
static Runtime__V1__PodSandboxStats *
pod_one(struct cri *c, struct arena *a, const json_t *pod, const json_t *all, struct cri_status *s)
{
	Runtime__V1__PodSandboxStats *ps = arena_alloc(a, sizeof(*ps));
	Runtime__V1__LinuxPodSandboxStats *l = arena_alloc(a, sizeof(*l));
	json_int_t ts = now_ns();
	const json_t *rec;
	size_t i;

	runtime__v1__pod_sandbox_stats__init(ps);
	runtime__v1__linux_pod_sandbox_stats__init(l);
	ps->attributes = pod_attributes(a, pod);
	ps->linux = l;
	l->containers = arena_array(a, json_array_size(all) + 1, sizeof(*l->containers));
	json_array_foreach(all, i, rec) {
		Runtime__V1__ContainerStats *cs;
		struct cri_status gone;

		if (strcmp(jsonio_str(rec, "pod_sandbox_id") ?: "", jsonio_str(pod, "id")) != 0)
			continue;
		if ((cs = one(c, a, rec, &gone)))
			l->containers[l->n_containers++] = cs;
		else if (gone.code != GRPC_STATUS_NOT_FOUND &&
			 gone.code != GRPC_STATUS_INVALID_ARGUMENT)
			return *s = gone, NULL;
	}
	if (pod_group(a, l, pod, ts) < 0)
		pod_sums(a, l, ts);
	return ps;
}

int
stats_pod(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp, struct arena *arena,
	  struct cri_status *s)
{
	const Runtime__V1__PodSandboxStatsRequest *q =
	    (const Runtime__V1__PodSandboxStatsRequest *)req;
	Runtime__V1__PodSandboxStatsResponse *r = (Runtime__V1__PodSandboxStatsResponse *)resp;
	_cleanup_close_ int dirfd = -1;
	json_auto_t *pod = NULL, *all = NULL;
	struct err e;

	if (!(pod = record_find(c->st, RECORD_SANDBOXES, "pod sandbox", q->pod_sandbox_id, &dirfd,
				NULL, &e)))
		return cri_fail_err(s, &e);
	if (!(all = all_records(c, RECORD_CONTAINERS, s)))
		return -1;
	return (r->stats = pod_one(c, arena, pod, all, s)) ? 0 : -1;
}

int
stats_pod_list(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
	       struct arena *arena, struct cri_status *s)
{
	const Runtime__V1__ListPodSandboxStatsRequest *q =
	    (const Runtime__V1__ListPodSandboxStatsRequest *)req;
	Runtime__V1__ListPodSandboxStatsResponse *r =
	    (Runtime__V1__ListPodSandboxStatsResponse *)resp;
	const Runtime__V1__PodSandboxStatsFilter *f = q->filter;
	json_auto_t *pods = NULL, *all = NULL;
	json_t *pod;
	size_t i;

	if (!(pods = all_records(c, RECORD_SANDBOXES, s)) ||
	    !(all = all_records(c, RECORD_CONTAINERS, s)))
		return -1;
	r->stats = arena_array(arena, json_array_size(pods) + 1, sizeof(*r->stats));
	json_array_foreach(pods, i, pod) {
		if (f && !record_match(pod, f->id, NULL, (void **)f->label_selector,
				       f->n_label_selector))
			continue;
		if (!(r->stats[r->n_stats] = pod_one(c, arena, pod, all, s)))
			return -1;
		r->n_stats++;
	}
	return 0;
}
