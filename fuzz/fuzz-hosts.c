/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: hosts.toml, the certs.d subset hosts_load reads (hosts_parse_toml). */
#include "fuzz.h"
#include "hosts.h"
#include "registry.h"

FUZZ_QUIET_INIT

static bool
url_with_host(const char *u)
{
	size_t skip = !strncmp(u, "https://", 8) ? 8 : !strncmp(u, "http://", 7) ? 7 : 0;

	return skip && u[skip] && u[skip] != '/';
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_str(data, size), *server;
	struct hosts_server top = {0};
	struct registry r = {0};
	struct err e;
	int rc = hosts_parse_toml(&r, buf, "hosts.toml", &top, &e);

	server = top.url;
	if (rc == 0) {
		/* every mirror is an http(s) URL with a host, of an API root; so is the server */
		for (size_t i = 0; i < r.neps; i++)
			if (!url_with_host(r.eps[i].base) || strlen(r.eps[i].base) < 3 ||
			    strcmp(r.eps[i].base + strlen(r.eps[i].base) - 3, "/v2"))
				abort();
		if (server && !url_with_host(server))
			abort();
	}
	free(server);
	registry_release(&r);
	free(buf);
	return 0;
}
