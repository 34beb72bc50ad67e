/* SPDX-License-Identifier: Apache-2.0 */
/* CNI mode: call the IPAM plugin and read its result into C structs. */
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "cni.h"
#include "plugin.h"
#include "jsonio.h"

static void
parse_ip(struct cni *c, json_t *ip)
{
	const char *addr = jsonio_str(ip, "address"), *gw = jsonio_str(ip, "gateway");
	struct cni_ip *out;
	struct err e;

	if (c->nips == CNI_MAX_IPS)
		cni_fail(c, CNI_ERR_SYSTEM, "IPAM result: more than %d addresses", CNI_MAX_IPS);
	out = &c->ips[c->nips++];
	if (!addr || inet_parse_cidr(addr, &out->addr, &e) < 0)
		cni_fail(c, CNI_ERR_DECODE, "IPAM result: bad address: %s",
			 addr ? e.msg : "missing");
	out->has_gw = gw != NULL;
	if (gw && inet_parse_addr(gw, &out->gw, &e) < 0)
		cni_fail(c, CNI_ERR_DECODE, "IPAM result: bad gateway: %s", e.msg);
}

static void
parse_route(struct cni *c, json_t *rt)
{
	const char *dst = jsonio_str(rt, "dst"), *gw = jsonio_str(rt, "gw");
	struct route_info *r;
	struct err e;

	if (c->nroutes == CNI_MAX_ROUTES)
		cni_fail(c, CNI_ERR_SYSTEM, "IPAM result: more than %d routes", CNI_MAX_ROUTES);
	r = &c->routes[c->nroutes++];
	memset(r, 0, sizeof(*r));
	if (!dst || inet_parse_cidr(dst, &r->dst, &e) < 0)
		cni_fail(c, CNI_ERR_DECODE, "IPAM result: bad route: %s", dst ? e.msg : "no dst");
	inet_mask(&r->dst);
	r->has_gw = gw != NULL;
	if (gw && inet_parse_addr(gw, &r->gw, &e) < 0)
		cni_fail(c, CNI_ERR_DECODE, "IPAM result: bad route gateway: %s", e.msg);
}

static void
parse_result(struct cni *c, const char *out)
{
	struct err e;
	size_t i;
	json_t *v;

	c->ipam_res = jsonio_parse(out, strlen(out), "IPAM result", &e);
	if (!c->ipam_res)
		cni_fail(c, CNI_ERR_DECODE, "%s", e.msg);
	json_array_foreach(json_object_get(c->ipam_res, "ips"), i, v)
		parse_ip(c, v);
	json_array_foreach(json_object_get(c->ipam_res, "routes"), i, v)
		parse_route(c, v);
	c->dns = json_object_get(c->ipam_res, "dns");
	if (c->nips == 0)
		cni_fail(c, CNI_ERR_SYSTEM, "IPAM plugin '%s' gave no address", c->ipam_type);
}

/* A failing plugin prints a CNI error; pass its code and message on. */
static void
ipam_failed(struct cni *c, const char *command, const char *out, int status)
{
	json_auto_t *err = jsonio_parse(out, strlen(out), "IPAM error", &(struct err){0});
	json_t *code = json_object_get(err, "code");
	const char *msg = jsonio_str(err, "msg");

	cni_fail(c, json_is_integer(code) ? (int)json_integer_value(code) : CNI_ERR_SYSTEM,
		 "IPAM plugin '%s' %s: %s", c->ipam_type, command,
		 msg	  ? msg
		 : status ? "failed"
			  : "no result");
}

void
cni_ipam(struct cni *c, const char *command)
{
	_cleanup_free_ char *out = NULL;
	struct err e;
	int status;

	if (!c->ipam_type)
		cni_fail(c, CNI_ERR_CONFIG, "network config: ipam.type is required");
	if (plugin_run(c->path, c->ipam_type, command, c->conf, c->conflen, &out, &status, &e) < 0)
		cni_fail(c, CNI_ERR_SYSTEM, "%s", e.msg);
	if (status != 0)
		ipam_failed(c, command, out, status);
	if (!strcmp(command, "ADD"))
		parse_result(c, out);
}

/* For rollback: release what IPAM gave, saying nothing (we are failing already). */
void
cni_ipam_release(struct cni *c)
{
	_cleanup_free_ char *out = NULL;
	int status;

	plugin_run(c->path, c->ipam_type, "DEL", c->conf, c->conflen, &out, &status,
		   &(struct err){0});
}
