/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of libregistry/hosts.c's hosts.toml parser (hosts_parse_toml). */
#include <stdlib.h>
#include <string.h>

#include "hosts.h"
#include "registry.h"
#include "tap.h"
#include "xmem.h"

/* Parse text; returns the parser's -1, else the top level's skip_verify; r and *server filled. */
static int
parse(const char *text, struct registry *r, char **server, struct err *e)
{
	struct hosts_server top = {0};
	char *buf = xstrdup(text);
	int rc;

	memset(r, 0, sizeof(*r));
	rc = hosts_parse_toml(r, buf, "hosts.toml", &top, e);
	*server = top.url;
	free(buf);
	return rc < 0 ? rc : top.skip_verify ? 1 : 0;
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

static void
test_hosts_skip_verify(void)
{
	struct registry r;
	char *server;
	struct err e;

	is_int(parse("skip_verify = true # as containerd\n"
		     "[host.\"https://m1.example\"]\n  skip_verify = true\n"
		     "[host.\"https://m2.example\"]\n  skip_verify=false\n",
		     &r, &server, &e),
	       1, "the server's skip_verify");
	ok(r.neps == 2 && r.eps[0].skip_verify && !r.eps[1].skip_verify, "each mirror's own");
	registry_release(&r);
	is_int(parse("server = \"https://r.example\"\n", &r, &server, &e), 0, "off by default");
	free(server);
	registry_release(&r);
	is_int(parse("\nskip_verify = yes\n", &r, &server, &e), -1, "a value not a boolean");
	is_str(e.msg, "hosts.toml:2: skip_verify wants true or false", "refused by line");
	registry_release(&r);
	is_int(parse("skip_verify = trueish\n", &r, &server, &e), -1, "nor a word starting so");
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
	RUN(test_hosts_skip_verify);
	RUN(test_hosts_bad_urls);
	return tap_done();
}
