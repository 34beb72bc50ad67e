/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of libregistry/hosts.c's hosts.toml parser (hosts_parse_toml). */
#include <stdlib.h>
#include <string.h>

#include "hosts.h"
#include "registry.h"
#include "tap.h"
#include "xmem.h"

/* Parse text; returns the parser's result, r and *server filled. */
static int
parse(const char *text, struct registry *r, char **server, struct err *e)
{
	char *buf = xstrdup(text);
	int rc;

	memset(r, 0, sizeof(*r));
	*server = NULL;
	rc = hosts_parse_toml(r, buf, "hosts.toml", server, e);
	free(buf);
	return rc;
}

static void
test_hosts_mirrors_and_server(void)
{
	struct registry r;
	char *server;
	struct err e;

	ok(parse("server = \"https://reg.example:5000\"\n"
		 "[host.\"https://mirror.example/\"]\n"
		 "  capabilities = [\"pull\", \"resolve\", \"push\"]\n"
		 "  ca = \"/etc/m.crt\"\n"
		 "[host.\"http://127.0.0.1:5001/v2\"]\n",
		 &r, &server, &e) == 0,
	   "a full file parses");
	is_str(server, "https://reg.example:5000", "server");
	is_int(r.neps, 2, "two mirrors");
	is_str(r.eps[0].base, "https://mirror.example/v2", "mirror 1 is an API root");
	is_int(r.eps[0].caps, EP_PULL | EP_RESOLVE | EP_PUSH, "mirror 1 capabilities");
	is_str(r.eps[0].cafile, "/etc/m.crt", "mirror 1 CA");
	is_str(r.eps[1].base, "http://127.0.0.1:5001/v2", "mirror 2 keeps its /v2");
	free(server);
	registry_release(&r);
}

/* Found by fuzz-hosts: a URL without a host, and a server that is no URL at all. */
static void
test_hosts_bad_urls(void)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
	    {"[host.\"https://\"]\n", "hosts.toml:1: bad [host.\"URL\"] section"},
	    {"[host.\"http:///v2\"]\n", "hosts.toml:1: bad [host.\"URL\"] section"},
	    {"[host.\"https://a b\"]\n", "hosts.toml:1: bad [host.\"URL\"] section"},
	    {"server = \"registry.example\"\n", "hosts.toml:1: bad server URL"},
	    {"# c\nserver = \"https://\"\n", "hosts.toml:2: bad server URL"},
	    {"server = none\n", "hosts.toml:1: bad server URL"},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct registry r;
		char *server;
		struct err e = {0};

		ok(parse(bad[i].text, &r, &server, &e) < 0, "bad URL %zu refused", i);
		is_str(e.msg, bad[i].msg, "bad URL %zu: message", i);
		free(server);
		registry_release(&r);
	}
}

int
main(void)
{
	RUN(test_hosts_mirrors_and_server);
	RUN(test_hosts_bad_urls);
	return tap_done();
}
