/* SPDX-License-Identifier: Apache-2.0 */
/* The "linux" part of the OCI spec: namespaces, cgroup limits, devices, capabilities. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "cgroup-deleg.h"
#include "cleanup.h"
#include "priv.h"
#include "seccomp.h"
#include "spec.h"
#include "xmem.h"

/* Every capability up to CAP_CHECKPOINT_RESTORE (40), in kernel order. */
static const char *const all_caps[] = {
    "CHOWN",
    "DAC_OVERRIDE",
    "DAC_READ_SEARCH",
    "FOWNER",
    "FSETID",
    "KILL",
    "SETGID",
    "SETUID",
    "SETPCAP",
    "LINUX_IMMUTABLE",
    "NET_BIND_SERVICE",
    "NET_BROADCAST",
    "NET_ADMIN",
    "NET_RAW",
    "IPC_LOCK",
    "IPC_OWNER",
    "SYS_MODULE",
    "SYS_RAWIO",
    "SYS_CHROOT",
    "SYS_PTRACE",
    "SYS_PACCT",
    "SYS_ADMIN",
    "SYS_BOOT",
    "SYS_NICE",
    "SYS_RESOURCE",
    "SYS_TIME",
    "SYS_TTY_CONFIG",
    "MKNOD",
    "LEASE",
    "AUDIT_WRITE",
    "AUDIT_CONTROL",
    "SETFCAP",
    "MAC_OVERRIDE",
    "MAC_ADMIN",
    "SYSLOG",
    "WAKE_ALARM",
    "BLOCK_SUSPEND",
    "AUDIT_READ",
    "PERFMON",
    "BPF",
    "CHECKPOINT_RESTORE",
    NULL,
};

/* containerd's (and Docker's) default set. */
static const char *const default_caps[] = {
    "CHOWN",  "DAC_OVERRIDE", "FSETID",	 "FOWNER",	     "MKNOD",	   "NET_RAW", "SETGID",
    "SETUID", "SETFCAP",      "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL",    "AUDIT_WRITE",
    NULL,
};

const char *
spec_cap_canon(const char *name)
{
	char up[64];
	size_t i;

	if (!strncasecmp(name, "CAP_", 4))
		name += 4;
	for (i = 0; name[i] && i < sizeof(up) - 1; i++)
		up[i] = (char)toupper((unsigned char)name[i]);
	up[i] = '\0';
	for (i = 0; all_caps[i]; i++)
		if (!strcmp(all_caps[i], up))
			return all_caps[i];
	return NULL;
}

static bool
in_list(char **list, size_t n, const char *cap)
{
	for (size_t i = 0; i < n; i++)
		if (!strcasecmp(list[i], "ALL") || spec_cap_canon(list[i]) == cap)
			return true;
	return false;
}

static int
check_caps(char **list, size_t n, struct err *e)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(list[i], "ALL") && !spec_cap_canon(list[i]))
			return err_code(e, "invalid", "unknown capability '%.32s'", list[i]);
	return 0;
}

json_t *
spec_caps(const struct spec_opts *o, struct err *e)
{
	json_t *caps;

	if (check_caps(o->cap_add, o->ncap_add, e) < 0 ||
	    check_caps(o->cap_drop, o->ncap_drop, e) < 0)
		return NULL;
	caps = json_array();
	for (size_t i = 0; all_caps[i]; i++) {
		/*
		 * privileged is every capability we hold in our bounding set, as
		 * containerd's: one outside it (a sandbox without SYS_RESOURCE)
		 * would make the runtime fail to apply the set
		 */
		bool def = o->privileged && prctl(PR_CAPBSET_READ, (unsigned long)i, 0, 0, 0) == 1;

		for (size_t j = 0; !def && default_caps[j]; j++)
			def = !strcmp(default_caps[j], all_caps[i]);
		/* an explicit add wins over a drop of ALL, as in Docker */
		if (in_list(o->cap_drop, o->ncap_drop, all_caps[i]))
			def = false;
		for (size_t j = 0; j < o->ncap_add; j++)
			if (spec_cap_canon(o->cap_add[j]) == all_caps[i] ||
			    (!strcasecmp(o->cap_add[j], "ALL") &&
			     !in_list(o->cap_drop, o->ncap_drop, all_caps[i])))
				def = true;
		if (def)
			json_array_append_new(caps, json_sprintf("CAP_%s", all_caps[i]));
	}
	return caps;
}

/*
 * Masked: containerd's list (powercap: its RAPL energy counters are a power
 * side channel, GHSA-jq35-85cj-fj4p) and /proc/interrupts, which moby masks
 * too (GHSA-6fw5-f8r9-fgfm). Not moby's per-CPU thermal_throttle
 * directories: one more mount per CPU at every start (ctr-run(8)).
 */
static const char *const masked_paths[] = {
    "/proc/acpi",
    "/proc/asound",
    "/proc/interrupts",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/proc/sched_debug",
    "/sys/firmware",
    "/sys/devices/virtual/powercap",
    "/proc/scsi",
    NULL,
};
static const char *const readonly_paths[] = {
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

static json_t *
str_array(const char *const *s)
{
	json_t *a = json_array();

	while (*s)
		json_array_append_new(a, json_string(*s++));
	return a;
}

static json_t *
namespaces(const struct spec_opts *o)
{
	json_t *ns = json_pack("[{s:s}, {s:s}, {s:s}, {s:s}]", "type", "pid", "type", "ipc", "type",
			       "uts", "type", "mount");

	if (!o->net || !strcmp(o->net, "none"))
		json_array_append_new(ns, json_pack("{s:s}", "type", "network"));
	else if (strcmp(o->net, "host"))
		json_array_append_new(ns,
				      json_pack("{s:s, s:s}", "type", "network", "path", o->net));
	return ns;
}

static json_t *
devices(const struct spec_opts *o)
{
	/* deny all, then the devices runc creates in /dev (null zero full tty random urandom, ptmx,
	 * pts) */
	static const int allow[][2] = {{1, 3}, {1, 5}, {1, 7}, {1, 8},	 {1, 9},
				       {5, 0}, {5, 1}, {5, 2}, {136, -1}};
	json_t *d = json_array();

	json_array_append_new(d, json_pack("{s:b, s:s}", "allow", o->privileged, "access", "rwm"));
	for (size_t i = 0; !o->privileged && i < sizeof(allow) / sizeof(allow[0]); i++) {
		json_t *r = json_pack("{s:b, s:s, s:I, s:s}", "allow", true, "type", "c", "major",
				      (json_int_t)allow[i][0], "access", "rwm");

		if (allow[i][1] >= 0)
			json_object_set_new(r, "minor", json_integer(allow[i][1]));
		json_array_append_new(d, r);
	}
	for (size_t i = 0; !o->privileged && i < o->ndevices; i++) {
		const struct spec_device *v = &o->devices[i];

		json_array_append_new(d, json_pack("{s:b, s:s#, s:I, s:I, s:s}", "allow", true,
						   "type", &v->type, (size_t)1, "major",
						   (json_int_t)v->major, "minor",
						   (json_int_t)v->minor, "access", v->access));
	}
	return d;
}

/* --device: the nodes the runtime makes in the container's /dev (or wherever named). */
static json_t *
device_nodes(const struct spec_opts *o)
{
	json_t *d = json_array();

	for (size_t i = 0; i < o->ndevices; i++) {
		const struct spec_device *v = &o->devices[i];

		json_array_append_new(d, json_pack("{s:s, s:s#, s:I, s:I, s:I, s:i, s:i}", "path",
						   v->path, "type", &v->type, (size_t)1, "major",
						   (json_int_t)v->major, "minor",
						   (json_int_t)v->minor, "fileMode",
						   (json_int_t)v->mode, "uid", 0, "gid", 0));
	}
	return d;
}

static json_t *
resources(const struct spec_opts *o)
{
	json_t *r = json_pack("{s:o}", "devices", devices(o));

	if (o->memory > 0)
		json_object_set_new(r, "memory",
				    json_pack("{s:I}", "limit", (json_int_t)o->memory));
	if (o->cpu_quota > 0 || o->cpu_shares > 0) {
		json_t *cpu = json_object();

		if (o->cpu_quota > 0) {
			json_object_set_new(cpu, "quota", json_integer(o->cpu_quota));
			json_object_set_new(cpu, "period", json_integer(100000));
		}
		if (o->cpu_shares > 0)
			json_object_set_new(cpu, "shares", json_integer(o->cpu_shares));
		json_object_set_new(r, "cpu", cpu);
	}
	if (o->pids_limit > 0)
		json_object_set_new(r, "pids",
				    json_pack("{s:I}", "limit", (json_int_t)o->pids_limit));
	return r;
}

static json_t *
seccomp_for(const struct spec_opts *o, json_t *caps, struct err *e)
{
	struct seccomp_arches a = {o->arch, o->seccomp_arch, o->nseccomp_arch};

	if (o->seccomp_json && o->nseccomp_arch)
		return err_code(e, "invalid",
				"--security-opt seccomp-arch applies to the default profile only; "
				"list the architectures in the profile file"),
		       NULL;
	if (o->seccomp_json)
		return seccomp_check(o->seccomp_json, e) < 0 ? NULL : json_incref(o->seccomp_json);
	return seccomp_default(caps, &a, seccomp_kernel(), e);
}

/*
 * Rootless, the container gets a cgroup only under a cgroup v2 subtree
 * delegated to the user (systemd's Delegate=yes), with the controllers its
 * limits need: *parent is then that subtree's path. Without one, a limit
 * asked for could not be kept and is refused rather than dropped (podman
 * warns and drops it); so is a --cgroup-parent outside it. No limit and no
 * --cgroup-parent: no cgroup, *parent stays NULL.
 */
static int
rootless_limits(const struct spec_opts *o, char **parent, struct err *e)
{
	const char *opt = o->memory > 0		  ? "--memory"
			  : o->cpu_quota > 0	  ? "--cpus"
			  : o->pids_limit > 0	  ? "--pids-limit"
			  : o->cpu_shares > 0	  ? "--cpu-shares"
			  : o->cgroup_parent.path ? "--cgroup-parent"
						  : NULL;
	unsigned want = (o->memory > 0 ? CGROUP_WANT_MEMORY : 0) |
			(o->cpu_quota > 0 || o->cpu_shares > 0 ? CGROUP_WANT_CPU : 0) |
			(o->pids_limit > 0 ? CGROUP_WANT_PIDS : 0);

	*parent = NULL;
	if (!opt || !priv_rootless())
		return 0;
	if (cgroup_deleg_self(want, parent, e) < 0)
		return err_prefix(e, "%s needs a cgroup delegated to you", opt);
	if (o->cgroup_parent.path && !cgroup_path_within(o->cgroup_parent.path, *parent)) {
		err_code(e, "invalid",
			 "--cgroup-parent '%s' is outside the cgroup delegated to you (%s)",
			 o->cgroup_parent.path, *parent);
		free(*parent);
		*parent = NULL;
		return -1;
	}
	return 0;
}

/*
 * The container's cgroupsPath (new string), or NULL for none (rootless
 * without a delegated group). runc's cgroupfs driver makes the missing
 * folders of a parent and removes only the container's own at delete.
 */
static char *
cgroups_path(const struct spec_opts *o, const char *deleg)
{

	/* root: below --cgroup-parent or the one flat parent "/ctr", on v1 and v2 alike */
	if (!priv_rootless() || o->cgroup_parent.path)
		return cgroup_path_container(o->cgroup_parent.path ? &o->cgroup_parent : NULL,
					     o->ns, o->id);
	/* a user's: a child of the delegated group, which runc --rootless may make */
	if (!deleg)
		return NULL;
	return xasprintf("%s/ctr-%s-%s", strcmp(deleg, "/") ? deleg : "", o->ns, o->id);
}

json_t *
spec_linux(const struct spec_opts *o, json_t *caps, struct err *e)
{
	json_t *l;
	_cleanup_free_ char *cg = NULL, *parent = NULL;

	if (rootless_limits(o, &parent, e) < 0)
		return NULL;
	l = json_pack("{s:o, s:o}", "namespaces", namespaces(o), "resources", resources(o));
	if ((cg = cgroups_path(o, parent)))
		json_object_set_new(l, "cgroupsPath", json_string(cg));
	if (o->ndevices)
		json_object_set_new(l, "devices", device_nodes(o));
	if (!o->privileged) {
		json_object_set_new(l, "maskedPaths", str_array(masked_paths));
		json_object_set_new(l, "readonlyPaths", str_array(readonly_paths));
	}
	if (!o->privileged && !(o->seccomp && !strcmp(o->seccomp, "unconfined"))) {
		json_t *sc = seccomp_for(o, caps, e);

		if (!sc) {
			json_decref(l);
			return NULL;
		}
		json_object_set_new(l, "seccomp", sc);
	}
	return l;
}
