/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CRI's LinuxContainerConfig and devices, mapped onto ctr-run create's
 * options (ctr-cri(8) has the table). What ctr-run cannot do is refused
 * here, before anything is made, rather than dropped.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cgroup-path.h"
#include "cleanup.h"
#include "linuxcfg.h"

/* A NULL-terminated argv in the arena, its room counted by the caller. */
struct opts {
	const char **v;
	size_t n;
};

static void
add(struct opts *o, const char *opt, const char *val)
{
	o->v[o->n++] = opt;
	if (val)
		o->v[o->n++] = val;
}

/* --cpus as the ratio quota/period: ctr-run keeps a 100 ms period. */
static int
cpu_quota(struct opts *o, struct arena *ar, const Runtime__V1__LinuxContainerResources *r,
	  struct cri_status *s)
{
	long long period = r->cpu_period ? r->cpu_period : 100000;

	/* -1 is the kernel's "no limit", 0 CRI's */
	if (r->cpu_quota < -1)
		return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT,
				"LinuxContainerResources: cpu_quota %lld", (long long)r->cpu_quota);
	if (r->cpu_period < 0 || (r->cpu_period && (period < 1000 || period > 1000000)))
		return cri_fail(
		    s, GRPC_STATUS_INVALID_ARGUMENT,
		    "LinuxContainerResources: cpu_period %lld (want 1000 to 1000000 us)",
		    (long long)r->cpu_period);
	if (r->cpu_quota <= 0)
		return 0;
	if (r->cpu_quota < 1000)
		return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT,
				"LinuxContainerResources: cpu_quota %lld (at least 1000 us)",
				(long long)r->cpu_quota);
	add(o, "--cpus", arena_printf(ar, "%.6f", (double)r->cpu_quota / (double)period));
	return 0;
}

/* The limits both create and update take: memory, CPU quota and shares; cpusets refused. */
static int
resources(struct opts *o, struct arena *ar, const Runtime__V1__LinuxContainerResources *r,
	  struct cri_status *s)
{
	if (r->memory_limit_in_bytes < 0)
		return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT,
				"LinuxContainerResources: memory_limit_in_bytes %lld is negative",
				(long long)r->memory_limit_in_bytes);
	if (r->memory_limit_in_bytes > 0)
		add(o, "--memory", arena_printf(ar, "%lld", (long long)r->memory_limit_in_bytes));
	if (cpu_quota(o, ar, r, s) < 0)
		return -1;
	if (r->cpu_shares && (r->cpu_shares < 2 || r->cpu_shares > 262144))
		return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT,
				"LinuxContainerResources: cpu_shares %lld (want 2 to 262144)",
				(long long)r->cpu_shares);
	if (r->cpu_shares)
		add(o, "--cpu-shares", arena_printf(ar, "%lld", (long long)r->cpu_shares));
	if ((r->cpuset_cpus && r->cpuset_cpus[0]) || (r->cpuset_mems && r->cpuset_mems[0]))
		return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT,
				"LinuxContainerResources: cpuset_cpus and cpuset_mems are not "
				"supported by ctr-cri");
	return 0;
}

static int
create_resources(struct opts *o, struct arena *ar, const Runtime__V1__LinuxContainerResources *r,
		 struct cri_status *s)
{
	if (!r)
		return 0;
	if (resources(o, ar, r, s) < 0)
		return -1;
	if (r->oom_score_adj < -1000 || r->oom_score_adj > 1000)
		return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT,
				"LinuxContainerResources: oom_score_adj %lld (want -1000 to 1000)",
				(long long)r->oom_score_adj);
	add(o, "--oom-score-adj", arena_printf(ar, "%lld", (long long)r->oom_score_adj));
	return 0;
}

/* A name of the characters a user, group or capability name has; no ':' or ','. */
static bool
plain_name(const char *n)
{
	size_t len = strlen(n);

	return len > 0 && len <= 64 &&
	       strspn(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") ==
		   len &&
	       n[0] != '-';
}

/* --user UID|NAME[:GID]; a group without a user is refused, as containerd does. */
static int
user(struct opts *o, struct arena *ar, const Runtime__V1__LinuxContainerSecurityContext *sc,
     struct cri_status *s)
{
	const char *name =
	    sc->run_as_username && sc->run_as_username[0] ? sc->run_as_username : NULL;
	const char *u;

	if (sc->run_as_user && sc->run_as_user->value < 0)
		return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT,
				"LinuxContainerSecurityContext: run_as_user %lld is negative",
				(long long)sc->run_as_user->value);
	if (sc->run_as_group && sc->run_as_group->value < 0)
		return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT,
				"LinuxContainerSecurityContext: run_as_group %lld is negative",
				(long long)sc->run_as_group->value);
	if (name && !plain_name(name))
		return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT,
				"LinuxContainerSecurityContext: run_as_username '%.64s' is no user "
				"name",
				name);
	if (sc->run_as_user)
		u = arena_printf(ar, "%lld", (long long)sc->run_as_user->value);
	else if (name)
		u = name;
	else if (sc->run_as_group)
		return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT,
				"LinuxContainerSecurityContext: run_as_group without run_as_user "
				"or run_as_username");
	else
		return 0;
	if (sc->run_as_group)
		u = arena_printf(ar, "%s:%lld", u, (long long)sc->run_as_group->value);
	add(o, "--user", u);
	return 0;
}

static int
caps(struct opts *o, const Runtime__V1__Capability *cap, struct cri_status *s)
{
	if (!cap)
		return 0;
	if (cap->n_add_ambient_capabilities)
		return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT,
				"Capability: add_ambient_capabilities is not supported by ctr-cri");
	for (size_t i = 0; i < cap->n_add_capabilities + cap->n_drop_capabilities; i++) {
		bool adding = i < cap->n_add_capabilities;
		const char *name = adding ? cap->add_capabilities[i]
					  : cap->drop_capabilities[i - cap->n_add_capabilities];

		/* ctr-run knows the names; the charset keeps an option out of its argv */
		if (!plain_name(name))
			return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT,
					"Capability: '%.64s' is no capability name", name);
		add(o, adding ? "--cap-add" : "--cap-drop", name);
	}
	return 0;
}

/*
 * A Localhost profile: an absolute path whose real path is a regular file
 * under the profile root, so that a request cannot make ctr-run read
 * any file of the node.
 */
static int
localhost_profile(struct opts *o, struct arena *ar, const char *root, const char *ref,
		  struct cri_status *s)
{
	_cleanup_free_ char *real = NULL, *rroot = NULL;
	struct stat st;
	size_t n;

	if (!ref || ref[0] != '/')
		return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT,
				"seccomp: localhost_ref '%.200s' is not an absolute path",
				ref ?: "");
	if (!(real = realpath(ref, NULL)) || stat(real, &st) < 0 || !S_ISREG(st.st_mode))
		return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT,
				"seccomp: profile '%.200s' is not there (or not a file)", ref);
	rroot = realpath(root, NULL);
	n = rroot ? strlen(rroot) : 0;
	if (!rroot || strncmp(real, rroot, n) != 0 || real[n] != '/' || strpbrk(real, ",="))
		return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT,
				"seccomp: profile '%.200s' is outside the profile root %.200s", ref,
				root);
	add(o, "--security-opt", arena_printf(ar, "seccomp=%s", real));
	return 0;
}

/*
 * The deprecated seccomp_profile_path as a SecurityProfile, as containerd
 * reads it: "" and runtime/default or docker/default are the default,
 * "unconfined", else "localhost/PATH".
 */
static int
profile_from_path(const char *p, Runtime__V1__SecurityProfile *sp, struct cri_status *s)
{
	runtime__v1__security_profile__init(sp);
	if (!p[0] || !strcmp(p, "runtime/default") || !strcmp(p, "docker/default"))
		sp->profile_type = RUNTIME__V1__SECURITY_PROFILE__PROFILE_TYPE__RuntimeDefault;
	else if (!strcmp(p, "unconfined"))
		sp->profile_type = RUNTIME__V1__SECURITY_PROFILE__PROFILE_TYPE__Unconfined;
	else if (!strncmp(p, "localhost/", 10)) {
		sp->profile_type = RUNTIME__V1__SECURITY_PROFILE__PROFILE_TYPE__Localhost;
		sp->localhost_ref = (char *)p + 10;
	} else
		return cri_fail(
		    s, GRPC_STATUS_INVALID_ARGUMENT,
		    "seccomp_profile_path '%.200s': want runtime/default, unconfined or "
		    "localhost/PATH",
		    p);
	return 0;
}

/*
 * The seccomp field, else the deprecated path; neither: no filter, as
 * containerd 1.6 runs it. Privileged containers get none (ctr-run).
 */
static int
seccomp(struct opts *o, struct arena *ar, struct cri *c,
	const Runtime__V1__LinuxContainerSecurityContext *sc, struct cri_status *s)
{
	const Runtime__V1__SecurityProfile *sp = sc->seccomp;
	const char *path = sc->seccomp_profile_path;
	Runtime__V1__SecurityProfile from_path;

	if (!sp) {
		if (profile_from_path(path && path[0] ? path : "unconfined", &from_path, s) < 0)
			return -1;
		sp = &from_path;
	}
	if (sp->profile_type != RUNTIME__V1__SECURITY_PROFILE__PROFILE_TYPE__Localhost &&
	    sp->localhost_ref && sp->localhost_ref[0])
		return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT,
				"seccomp: localhost_ref is for profile_type Localhost only");
	switch ((int)sp->profile_type) {
	case RUNTIME__V1__SECURITY_PROFILE__PROFILE_TYPE__RuntimeDefault:
		return 0;
	case RUNTIME__V1__SECURITY_PROFILE__PROFILE_TYPE__Unconfined:
		if (!sc->privileged)
			add(o, "--security-opt", "seccomp=unconfined");
		return 0;
	case RUNTIME__V1__SECURITY_PROFILE__PROFILE_TYPE__Localhost:
		return sc->privileged
			   ? 0
			   : localhost_profile(o, ar, c->seccomp_root, sp->localhost_ref, s);
	}
	return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT, "seccomp: unknown profile_type %d",
			(int)sp->profile_type);
}

/* The network must be the pod's; pid the container's own; ipc its own (the pod has no process). */
static int
namespaces(const Runtime__V1__NamespaceOption *ns, bool host_net, struct cri_status *s)
{
	if (!ns)
		return 0;
	if ((ns->network == RUNTIME__V1__NAMESPACE_MODE__NODE) != host_net ||
	    (ns->network != RUNTIME__V1__NAMESPACE_MODE__NODE &&
	     ns->network != RUNTIME__V1__NAMESPACE_MODE__POD))
		return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT,
				"NamespaceOption: network must be the pod's (%s)",
				host_net ? "NODE" : "POD");
	if (ns->pid != RUNTIME__V1__NAMESPACE_MODE__CONTAINER)
		return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT,
				"NamespaceOption: pid %d: only CONTAINER is supported by ctr-cri "
				"(a pod has no process to share)",
				(int)ns->pid);
	if (ns->ipc != RUNTIME__V1__NAMESPACE_MODE__POD &&
	    ns->ipc != RUNTIME__V1__NAMESPACE_MODE__CONTAINER)
		return cri_fail(
		    s, GRPC_STATUS_INVALID_ARGUMENT,
		    "NamespaceOption: ipc %d: only POD or CONTAINER (each container its "
		    "own) is supported by ctr-cri",
		    (int)ns->ipc);
	return 0;
}

static int
security(struct opts *o, struct arena *ar, struct cri *c,
	 const Runtime__V1__LinuxContainerSecurityContext *sc, bool host_net, struct cri_status *s)
{
	static const Runtime__V1__LinuxContainerSecurityContext none =
	    RUNTIME__V1__LINUX_CONTAINER_SECURITY_CONTEXT__INIT;

	if (!sc)
		sc = &none;
	if (sc->n_supplemental_groups)
		return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT,
				"LinuxContainerSecurityContext: supplemental_groups are not "
				"supported by ctr-cri");
	if (namespaces(sc->namespace_options, host_net, s) < 0 || user(o, ar, sc, s) < 0 ||
	    caps(o, sc->capabilities, s) < 0 || seccomp(o, ar, c, sc, s) < 0)
		return -1;
	if (sc->privileged)
		add(o, "--privileged", NULL);
	if (sc->readonly_rootfs)
		add(o, "--read-only", NULL);
	return 0;
}

static int
devices(struct opts *o, struct arena *ar, const Runtime__V1__ContainerConfig *cfg,
	struct cri_status *s)
{
	for (size_t i = 0; i < cfg->n_devices; i++) {
		const Runtime__V1__Device *d = cfg->devices[i];
		const char *perm = d->permissions && d->permissions[0] ? d->permissions : "rwm";

		if (!d->host_path || d->host_path[0] != '/' || strchr(d->host_path, ':') ||
		    !d->container_path || d->container_path[0] != '/' ||
		    strchr(d->container_path, ':') || strspn(perm, "rwm") != strlen(perm))
			return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT,
					"device %zu: host_path and container_path absolute without "
					"':', permissions of 'rwm'",
					i);
		add(o, "--device",
		    arena_printf(ar, "%s:%s:%s", d->host_path, d->container_path, perm));
	}
	return 0;
}

const char **
linuxcfg_args(struct cri *c, struct arena *ar, const Runtime__V1__ContainerConfig *cfg,
	      bool host_net, struct cri_status *s)
{
	const Runtime__V1__LinuxContainerConfig *l = cfg->linux;
	const Runtime__V1__LinuxContainerSecurityContext *sc = l ? l->security_context : NULL;
	size_t room = 32 + 2 * cfg->n_devices;
	struct opts o = {0};

	if (sc && sc->capabilities)
		room += 2 * (sc->capabilities->n_add_capabilities +
			     sc->capabilities->n_drop_capabilities);
	o.v = arena_array(ar, room, sizeof(*o.v));
	if (create_resources(&o, ar, l ? l->resources : NULL, s) < 0 ||
	    security(&o, ar, c, sc, host_net, s) < 0 || devices(&o, ar, cfg, s) < 0)
		return NULL;
	return o.v;
}

int
linuxcfg_update_args(struct arena *ar, const Runtime__V1__LinuxContainerResources *r,
		     const char ***out, size_t *n, struct cri_status *s)
{
	struct opts o = {arena_array(ar, 16, sizeof(*o.v)), 0};

	/* no resources: nothing to change, as containerd answers it */
	if (r && resources(&o, ar, r, s) < 0)
		return -1;
	*out = o.v;
	*n = o.n;
	return 0;
}

int
linuxcfg_pod_check(const Runtime__V1__LinuxPodSandboxConfig *l, struct cri_status *s)
{
	struct cgroup_parent p;
	struct err e;

	/* checked now, so that no container of the pod fails at create for it */
	if (l && l->cgroup_parent && l->cgroup_parent[0]) {
		if (cgroup_parent_parse(l->cgroup_parent, &p, &e) < 0)
			return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT,
					"LinuxPodSandboxConfig: %s", e.msg);
		cgroup_parent_release(&p);
	}
	if (l && l->n_sysctls)
		return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT,
				"LinuxPodSandboxConfig: sysctls are not supported by ctr-cri "
				"(%s=...)",
				l->sysctls[0]->key);
	return 0;
}
