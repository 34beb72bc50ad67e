/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A container's CNI networks (--net cni:NAME[,NAME]): a network namespace of
 * its own, pinned by ctr-netns as ctr-<ns>-<id>, attached to each network by
 * `ctr-netns cni add` (eth0, eth1, ...). What was made is written first to
 * STATEDIR/cni.json, so every delete, and the undo of a failed create, finds
 * it and takes it down.
 */
#ifndef CTR_RUN_CNI_H
#define CTR_RUN_CNI_H

#include "container.h"
#include "err.h"
#include "state.h"

#define CNI_NET_PREFIX "cni:"
#define CNI_NETS_MAX 8

/* Check the NAME[,NAME] list of --net cni:LIST. */
int cni_check_list(const char *list, struct err *e);
/*
 * Make c's namespace and attach it to each network of list; *nspath gets its
 * path (new string) for the spec. On failure, what was made is taken down.
 */
int cni_attach(const struct state *st, const struct container *c, const char *list, char **nspath,
	       struct err *e);
/* Detach and remove what cni_attach made for c, as STATEDIR/cni.json says; nothing when absent. */
int cni_detach(const struct state *st, const struct container *c, struct err *e);
/* The attachments' results for state and inspect ([{"network","ips",...}]), or NULL. */
json_t *cni_describe(const struct container *c);

#endif
