/* SPDX-License-Identifier: Apache-2.0 */
/* CNI mode: call the IPAM plugin and read its result into C structs. */
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "cni.h"
#include "plugin.h"
#include "jsonio.h"

static int
parse_ip(struct cni *c, json_t *ip, int *code, struct err *e)
{
	const char *addr = jsonio_str(ip, "address"), *gw = jsonio_str(ip, "gateway");
	struct cni_ip *out;

	*code = CNI_ERR_SYSTEM;
	if (c->nips == CNI_MAX_IPS)
		return err_code(e, "invalid", "IPAM result: more than %d addresses", CNI_MAX_IPS);
	out = &c->ips[c->nips++];
	*code = CNI_ERR_DECODE;
	if (!addr)
		return err_code(e, "invalid", "IPAM result: bad address: missing");
	if (inet_parse_cidr(addr, &out->addr, e) < 0)
		return err_prefix(e, "IPAM result: bad address");
	out->has_gw = gw != NULL;
	if (gw && inet_parse_addr(gw, &out->gw, e) < 0)
		return err_prefix(e, "IPAM result: bad gateway");
	return 0;
}

static int
parse_route(struct cni *c, json_t *rt, int *code, struct err *e)
{
	const char *dst = jsonio_str(rt, "dst"), *gw = jsonio_str(rt, "gw");
	struct route_info *r;

	*code = CNI_ERR_SYSTEM;
	if (c->nroutes == CNI_MAX_ROUTES)
		return err_code(e, "invalid", "IPAM result: more than %d routes", CNI_MAX_ROUTES);
	r = &c->routes[c->nroutes++];
	memset(r, 0, sizeof(*r));
	*code = CNI_ERR_DECODE;
	if (!dst)
		return err_code(e, "invalid", "IPAM result: bad route: no dst");
	if (inet_parse_cidr(dst, &r->dst, e) < 0)
		return err_prefix(e, "IPAM result: bad route");
	inet_mask(&r->dst);
	r->has_gw = gw != NULL;
	if (gw && inet_parse_addr(gw, &r->gw, e) < 0)
		return err_prefix(e, "IPAM result: bad route gateway");
	return 0;
}

int
cni_parse_result(struct cni *c, const char *out, int *code, struct err *e)
{
	size_t i;
	json_t *v;

	*code = CNI_ERR_DECODE;
	c->ipam_res = jsonio_parse(out, strlen(out), "IPAM result", e);
	if (!c->ipam_res)
		return -1;
	json_array_foreach(json_object_get(c->ipam_res, "ips"), i, v)
		if (parse_ip(c, v, code, e) < 0)
			return -1;
	json_array_foreach(json_object_get(c->ipam_res, "routes"), i, v)
		if (parse_route(c, v, code, e) < 0)
			return -1;
	c->dns = json_object_get(c->ipam_res, "dns");
	*code = CNI_ERR_SYSTEM;
	if (c->nips == 0)
		return err_code(e, "invalid", "IPAM plugin '%s' gave no address", c->ipam_type);
	return 0;
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
	int status, code;

	if (!c->ipam_type)
		cni_fail(c, CNI_ERR_CONFIG, "network config: ipam.type is required");
	if (plugin_run(c->path, c->ipam_type, command, c->conf, c->conflen, &out, &status, &e) < 0)
		cni_fail(c, CNI_ERR_SYSTEM, "%s", e.msg);
	if (status != 0)
		ipam_failed(c, command, out, status);
	if (!strcmp(command, "ADD") && cni_parse_result(c, out, &code, &e) < 0)
		cni_fail(c, code, "%s", e.msg);
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
