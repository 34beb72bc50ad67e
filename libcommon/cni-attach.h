/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CNI networks of a container (ctr-run --net cni:NAME[,NAME]) or a pod
 * (ctr-cri): a network namespace of its own, pinned by ctr-netns under a
 * name the caller chooses (ctr-run: ctr-<ns>-<id>), attached to each network
 * by `ctr-netns cni add` (eth0, eth1, ...). What was made is written first
 * to STATEDIR/cni.json, so every delete, and the undo of a failed create,
 * finds it and takes it down.
 */
#ifndef CTR_CNI_ATTACH_H
#define CTR_CNI_ATTACH_H

#include <jansson.h>

#include "err.h"
#include "state.h"

#define CNI_NET_PREFIX "cni:"
#define CNI_NETS_MAX 8

/* Check the NAME[,NAME] list of --net cni:LIST. */
int cni_check_list(const char *list, struct err *e);
/*
 * Make the namespace netns (pinned under that name) and attach it to each
 * network of list, recording both in statedir (an existing directory);
 * *nspath gets its path (new string) for the spec. On failure, what was
 * made is taken down.
 */
int cni_attach(const struct state *st, const char *statedir, const char *netns, const char *list,
	       char **nspath, struct err *e);
/* Detach and remove what cni_attach recorded in statedir; nothing when there is no record. */
int cni_detach(const struct state *st, const char *statedir, struct err *e);
/* The attachments' results for state and inspect ([{"network","ips",...}]), or NULL. */
json_t *cni_describe(const char *statedir);

#endif
