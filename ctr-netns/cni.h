/* SPDX-License-Identifier: Apache-2.0 */
/* CNI plugin mode: the request, the IPAM answer and the bridge-plugin jobs. */
#ifndef CTR_NETNS_CNI_H
#define CTR_NETNS_CNI_H

#include <jansson.h>
#include <stdbool.h>

#include "cmd.h"
#include "inet.h"
#include "route.h"

/* CNI error codes (spec 1.0.0, "Error"); 100 and up are ours. */
enum {
	CNI_ERR_VERSION = 1,
	CNI_ERR_UNSUPPORTED = 2,
	CNI_ERR_ENV = 4,
	CNI_ERR_DECODE = 6,
	CNI_ERR_CONFIG = 7,
	CNI_ERR_SYSTEM = 100,
	CNI_ERR_EXISTS = 101,
	CNI_ERR_CHECK = 102,
};

#define CNI_MAX_IPS 8
#define CNI_MAX_ROUTES 32

struct cni_ip {
	struct inet_prefix addr;
	bool has_gw;
	struct inet_prefix gw;
};

/* One invocation: environment, network configuration, and what IPAM gave. */
struct cni {
	char *command; /* copied: running IPAM rewrites CNI_COMMAND */
	const char *containerid, *netns, *ifname, *path;
	char *conf;
	size_t conflen;
	json_t *cfg;
	const char *version, *bridge, *ipam_type;
	bool is_gw;
	unsigned mtu;
	struct cni_ip ips[CNI_MAX_IPS];
	size_t nips;
	struct route_info routes[CNI_MAX_ROUTES];
	size_t nroutes;
	json_t *dns; /* borrowed from ipam_res */
	json_t *ipam_res;
};

/* Print the CNI error document on stdout, the message on stderr; exit 1. */
void cni_fail(const struct cni *c, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), noreturn));
/*
 * Parse the network configuration (c->conf, c->conflen bytes) into c->cfg and
 * the fields it sets. On error, *code is the CNI error code and e says why.
 */
int cni_parse_config(struct cni *c, int *code, struct err *e);
/*
 * Parse an IPAM plugin's result (out, NUL-terminated) into c->ipam_res,
 * c->ips, c->routes and c->dns; errors as cni_parse_config's.
 */
int cni_parse_result(struct cni *c, const char *out, int *code, struct err *e);
/* Run IPAM with command; for ADD, parse its result into c->ips/routes/dns. */
void cni_ipam(struct cni *c, const char *command);
/* IPAM DEL for a rollback: errors ignored. */
void cni_ipam_release(struct cni *c);
/* The jobs behind ADD, DEL and CHECK; they print the result or fail. */
void cni_add(struct cni *c);
void cni_del(struct cni *c);
void cni_check(struct cni *c);

#endif
