/* SPDX-License-Identifier: Apache-2.0 */
/* A container's cgroupsPath: under ctr's own parent, or under one its caller names (a path or a systemd slice). */
#ifndef CTR_CGROUP_PATH_H
#define CTR_CGROUP_PATH_H

#include <stdbool.h>

#include "err.h"

#define CGROUP_PATH_MAX 2048 /* the longest parent taken, in bytes */

/*
 * A --cgroup-parent resolved: path is where it sits in every hierarchy
 * (absolute, no trailing '/'; "" for the root), slice whether it was named
 * as a systemd slice, whose children are scopes.
 */
struct cgroup_parent {
	char *path;
	bool slice;
};

/*
 * Resolve s, an absolute cgroupfs path ("/kubepods/burstable/podUID") or a
 * systemd slice ("kubepods-burstable-podUID.slice", placed as systemd
 * places it: "/kubepods.slice/kubepods-burstable.slice/..."), into p (new
 * string). -1 with code "invalid" and one line for anything else: a
 * relative path, "." or "..", an empty component, a byte outside
 * [A-Za-z0-9_.@+=-], runc's "slice:prefix:name" (it names the container's
 * own group, which is ours to name).
 */
int cgroup_parent_parse(const char *s, struct cgroup_parent *p, struct err *e);
void cgroup_parent_release(struct cgroup_parent *p);

/*
 * The cgroupsPath of container id of namespace ns (new string): under p,
 * "P/NS-ID" for a path and "P/ctr-NS-ID.scope" under a slice (the name
 * runc's systemd driver gives prefix "ctr"); p NULL: "/ctr/NS-ID".
 */
char *cgroup_path_container(const struct cgroup_parent *p, const char *ns, const char *id);

/* Is path (a cgroupfs path) top or a group below it? */
bool cgroup_path_within(const char *path, const char *top);

#endif
