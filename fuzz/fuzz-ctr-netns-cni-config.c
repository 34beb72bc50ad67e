/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: a CNI network configuration as the bridge plugin reads it on stdin. */
#include "cni.h"
#include "fuzz.h"

FUZZ_QUIET_INIT

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cni c = {0};
	struct err e;
	int code;

	c.conf = (char *)data;
	c.conflen = size;
	if (cni_parse_config(&c, &code, &e) == 0) {
		/* what was accepted is what the plugin relies on */
		if (!c.version || !c.bridge || (c.mtu && (c.mtu < 68 || c.mtu > 65535)))
			abort();
		if (inet_check_ifname(c.bridge, &e) < 0)
			abort();
	} else if (code < CNI_ERR_VERSION || code > CNI_ERR_CHECK) {
		abort();
	}
	json_decref(c.cfg);
	return 0;
}
