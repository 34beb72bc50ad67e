/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A CNI container's /etc/resolv.conf and /etc/hosts, as podman makes them:
 * files in its bundle, bind-mounted over the image's.
 */
#ifndef CTR_RUN_NETFILES_H
#define CTR_RUN_NETFILES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "container.h"
#include "err.h"
#include "spec.h"

/* --dns, --dns-search, --add-host, --no-hosts; strings borrowed from argv. */
struct netfiles_opts {
	const char **dns; /* nameservers, in order */
	size_t ndns;
	const char **search; /* search domains; "." alone: none */
	size_t nsearch;
	const char **hosts; /* NAME:IP */
	size_t nhosts;
	bool no_hosts;
	bool any; /* one of them was given */
};

void netfiles_opts_release(struct netfiles_opts *o);
/* Check and keep one value: of --dns (an address), --dns-search, --add-host (NAME:IP). */
int netfiles_add_dns(struct netfiles_opts *o, const char *ip, struct err *e);
int netfiles_add_search(struct netfiles_opts *o, const char *domain, struct err *e);
int netfiles_add_host(struct netfiles_opts *o, const char *entry, struct err *e);

/*
 * The text of resolv.conf (new string): nameservers from --dns, else the
 * CNI results' dns (results as cni_describe gives them), else the host's
 * (host: the text of its resolv.conf, may be NULL) without 127.x and ::1,
 * else 8.8.8.8 and 8.8.4.4; search domains and options likewise.
 */
char *netfiles_resolv(const char *host, const json_t *results, const struct netfiles_opts *o);
/* The text of hosts (new string): localhost, --add-host, each address with hostname and id. */
char *netfiles_hosts(const json_t *results, const char *hostname, const char *id,
		     const struct netfiles_opts *o);
/*
 * Write both into c's bundle and add their bind mounts to so, except where
 * so mounts something there already (or --no-hosts). The host's file:
 * $CTR_RESOLV_CONF, else /etc/resolv.conf.
 */
int netfiles_setup(const struct container *c, struct spec_opts *so, const json_t *results,
		   const struct netfiles_opts *o, struct err *e);

#endif
