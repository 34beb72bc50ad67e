/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of a CNI container's resolv.conf and hosts text, and of the options that change them. */
#include <string.h>

#include "cleanup.h"
#include "netfiles.h"
#include "tap.h"

#define HOST                                                                                       \
	"domain host.test\nnameserver 127.0.0.53\nnameserver ::1\n# a comment\n"                   \
	"nameserver 10.1.2.3\noptions ndots:2\n"

static json_t *
results(const char *dns)
{
	char text[512];

	snprintf(text, sizeof(text),
		 "[{\"network\":\"n\",\"ifname\":\"eth0\",\"result\":{\"ips\":"
		 "[{\"address\":\"10.4.0.7/24\"}],\"dns\":%s}}]",
		 dns);
	return json_loads(text, 0, NULL);
}

static void
test_netfiles_resolv_sources(void)
{
	struct netfiles_opts o = {0};
	json_auto_t *none = results("{}");
	json_auto_t *cni =
	    results("{\"nameservers\":[\"10.4.0.53\"],\"search\":[\"a.test\",\"b.test\"],"
		    "\"options\":[\"ndots:1\"]}");
	json_auto_t *hostile = results("{\"nameservers\":[\"1.2.3.4\\nnameserver 6.6.6.6\"]}");
	struct err e;
	char *t;

	t = netfiles_resolv(HOST, none, &o);
	is_str(t, "domain host.test\nnameserver 10.1.2.3\noptions ndots:2\n",
	       "no DNS in the result: the host's, without 127.x and ::1");
	free(t);
	t = netfiles_resolv(HOST, cni, &o);
	is_str(t, "search a.test\nsearch b.test\nnameserver 10.4.0.53\noptions ndots:1\n",
	       "the CNI result's DNS first");
	free(t);
	t = netfiles_resolv("nameserver 127.0.0.53\n", none, &o);
	is_str(t, "nameserver 8.8.8.8\nnameserver 8.8.4.4\n",
	       "only a local stub: podman's defaults");
	free(t);
	t = netfiles_resolv(NULL, hostile, &o);
	ok(!strstr(t, "6.6.6.6"), "a result's value with a newline is not copied");
	free(t);
	ok(netfiles_add_dns(&o, "1.1.1.1", &e) == 0 && netfiles_add_dns(&o, "2001:db8::1", &e) == 0,
	   "--dns takes IPv4 and IPv6");
	ok(netfiles_add_search(&o, "corp.test", &e) == 0, "--dns-search takes a domain");
	t = netfiles_resolv(HOST, cni, &o);
	is_str(t, "search corp.test\nnameserver 1.1.1.1\nnameserver 2001:db8::1\noptions ndots:1\n",
	       "--dns and --dns-search replace the result's");
	free(t);
	netfiles_opts_release(&o);
	ok(netfiles_add_search(&o, ".", &e) == 0, "--dns-search . is none");
	t = netfiles_resolv(HOST, cni, &o);
	is_str(t, "nameserver 10.4.0.53\noptions ndots:1\n", "no search line with '.'");
	free(t);
	netfiles_opts_release(&o);
}

static void
test_netfiles_hosts(void)
{
	struct netfiles_opts o = {0};
	json_auto_t *r = results("{}");
	struct err e;
	char *t;

	ok(netfiles_add_host(&o, "db:10.9.9.9", &e) == 0, "--add-host NAME:IP");
	t = netfiles_hosts(r, "web", "c0ffee", &o);
	is_str(t,
	       "127.0.0.1\tlocalhost localhost.localdomain localhost4 localhost4.localdomain4\n"
	       "::1\tlocalhost localhost.localdomain localhost6 localhost6.localdomain6\n"
	       "10.9.9.9\tdb\n10.4.0.7\tweb c0ffee\n",
	       "localhost, --add-host, the address with hostname and id");
	free(t);
	t = netfiles_hosts(r, "c0ffee", "c0ffee", &o);
	ok(strstr(t, "10.4.0.7\tc0ffee\n") != NULL, "the id once when it is the hostname");
	free(t);
	netfiles_opts_release(&o);
}

static void
test_netfiles_bad_values(void)
{
	struct netfiles_opts o = {0};
	const char *bad_dns[] = {"1.1.1", "localhost", "", "1.1.1.1\n", NULL};
	const char *bad_hosts[] = {"db", "db:", ":10.0.0.1", "d b:10.0.0.1", "db:10.0.0", NULL};
	struct err e;

	for (size_t i = 0; bad_dns[i]; i++)
		ok(netfiles_add_dns(&o, bad_dns[i], &e) < 0 && !strcmp(e.code, "invalid"),
		   "--dns '%s' refused", bad_dns[i]);
	for (size_t i = 0; bad_hosts[i]; i++)
		ok(netfiles_add_host(&o, bad_hosts[i], &e) < 0, "--add-host '%s' refused",
		   bad_hosts[i]);
	ok(netfiles_add_search(&o, "a b", &e) < 0, "--dns-search with a blank refused");
	ok(!o.any && o.ndns == 0 && o.nhosts == 0, "nothing kept of what was refused");
	netfiles_opts_release(&o);
}

int
main(void)
{
	RUN(test_netfiles_resolv_sources);
	RUN(test_netfiles_hosts);
	RUN(test_netfiles_bad_values);
	return tap_done();
}
