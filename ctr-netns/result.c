/* SPDX-License-Identifier: Apache-2.0 */
/* Build CNI-shaped results (spec 1.0.0) from links, addresses and routes. */
#include "result.h"

#include "prog.h"

static json_t *
checked(json_t *j)
{
	if (!j) /* jansson fails only on allocation */
		die(EXIT_SYS, "out of memory");
	return j;
}

json_t *
result_new(const char *version)
{
	return checked(json_pack("{s:s, s:[], s:[], s:[], s:{}}", "cniVersion",
				 version ? version : RESULT_CNI_VERSION, "interfaces", "ips",
				 "routes", "dns"));
}

int
result_add_iface(json_t *res, const struct link_info *li, const char *sandbox)
{
	json_t *ifs = json_object_get(res, "interfaces");
	char mac[3 * sizeof(li->mac)];
	json_t *o = checked(json_pack("{s:s}", "name", li->name));

	if (li->maclen)
		json_object_set_new(o, "mac",
				    json_string(inet_format_mac(li->mac, li->maclen, mac)));
	if (sandbox)
		json_object_set_new(o, "sandbox", json_string(sandbox));
	json_array_append_new(ifs, o);
	return (int)json_array_size(ifs) - 1;
}

void
result_add_ip(json_t *res, const struct inet_prefix *p, const struct inet_prefix *gw, int iface)
{
	char buf[INET_STRLEN];
	json_t *o = checked(json_pack("{s:s}", "address", inet_format(p, true, buf)));

	if (gw)
		json_object_set_new(o, "gateway", json_string(inet_format(gw, false, buf)));
	if (iface >= 0)
		json_object_set_new(o, "interface", json_integer(iface));
	json_array_append_new(json_object_get(res, "ips"), o);
}

void
result_add_route(json_t *res, const struct route_info *r)
{
	char buf[INET_STRLEN];
	json_t *o = checked(json_pack("{s:s}", "dst", inet_format(&r->dst, true, buf)));

	if (r->has_gw)
		json_object_set_new(o, "gw", json_string(inet_format(&r->gw, false, buf)));
	json_array_append_new(json_object_get(res, "routes"), o);
}
