/* SPDX-License-Identifier: Apache-2.0 */
/* CNI result documents: what every link-changing verb prints on stdout. */
#ifndef CTR_NETNS_RESULT_H
#define CTR_NETNS_RESULT_H

#include <jansson.h>

#include "addr.h"
#include "link.h"
#include "route.h"

#define RESULT_CNI_VERSION "1.0.0"

/* {"cniVersion":version,"interfaces":[],"ips":[],"routes":[],"dns":{}}; new reference. */
json_t *result_new(const char *version);
/* Append {"name","mac"[,"sandbox"]}; returns its index in "interfaces". */
int result_add_iface(json_t *res, const struct link_info *li, const char *sandbox);
/* Append {"address":"CIDR"[,"gateway"],"interface":iface} (iface < 0: left out). */
void result_add_ip(json_t *res, const struct inet_prefix *p, const struct inet_prefix *gw,
		   int iface);
/* Append {"dst":"CIDR"[,"gw"]}. */
void result_add_route(json_t *res, const struct route_info *r);

#endif
