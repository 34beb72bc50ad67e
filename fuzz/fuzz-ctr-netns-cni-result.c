/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: the result an IPAM plugin prints, as the bridge plugin reads it. */
#include <sys/socket.h>

#include "cni.h"
#include "fuzz.h"

FUZZ_QUIET_INIT

/* An address the kernel can be given: a known family, a prefix within its width. */
static bool
sane(const struct inet_prefix *p)
{
	return (p->family == AF_INET && p->len <= 32) || (p->family == AF_INET6 && p->len <= 128);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *out = fuzz_str(data, size);
	struct cni c = {.ipam_type = "host-local"};
	struct err e;
	int code;

	if (cni_parse_result(&c, out, &code, &e) == 0) {
		if (c.nips < 1 || c.nips > CNI_MAX_IPS || c.nroutes > CNI_MAX_ROUTES)
			abort();
		for (size_t i = 0; i < c.nips; i++)
			if (!sane(&c.ips[i].addr) || (c.ips[i].has_gw && !sane(&c.ips[i].gw)))
				abort();
		for (size_t i = 0; i < c.nroutes; i++)
			if (!sane(&c.routes[i].dst) ||
			    (c.routes[i].has_gw && !sane(&c.routes[i].gw)))
				abort();
	} else if (code < CNI_ERR_VERSION || code > CNI_ERR_CHECK) {
		abort();
	}
	json_decref(c.ipam_res);
	free(out);
	return 0;
}
