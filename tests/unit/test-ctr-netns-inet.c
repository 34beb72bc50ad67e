/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of ctr-netns/inet.c: CIDRs, addresses, MACs, interface names, MTUs. */
#include <sys/socket.h>

#include "inet.h"
#include "tap.h"

static void
test_inet_cidr_roundtrip(void)
{
	const char *good[] = {"10.1.0.2/24", "0.0.0.0/0", "192.168.1.1/32",
			      "fd00::2/64",  "::/0",	  "fe80::1/128"};
	struct inet_prefix p;
	char buf[INET_STRLEN];
	struct err e;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ok(inet_parse_cidr(good[i], &p, &e) == 0, "parse %s", good[i]);
		is_str(inet_format(&p, true, buf), good[i], "format %s", good[i]);
	}
	inet_parse_cidr("fd00::2/64", &p, &e);
	is_int(p.family, AF_INET6, "IPv6 family");
	is_int(p.len, 64, "IPv6 length");
}

static void
test_inet_cidr_rejects(void)
{
	const char *bad[] = {
	    "10.1.0.2",	    "10.1.0.2/",   "10.1.0.2/33", "10.1.0/24", "10.1.0.256/24",
	    "10.1.0.2/024", "10.1.0.2/2x", "fd00::/129",  "/24",       "",
	    "x/1",	    "10.1.0.2/-1", " 10.1.0.2/24"};
	struct inet_prefix p;
	struct err e;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(inet_parse_cidr(bad[i], &p, &e) < 0 && !e.sys, "reject '%s'", bad[i]);
}

static void
test_inet_dst_and_mask(void)
{
	struct inet_prefix p;
	char buf[INET_STRLEN];
	struct err e;

	ok(inet_parse_dst("default", 0, &p, &e) == 0 && p.family == AF_INET && p.len == 0,
	   "default is IPv4 by default");
	ok(inet_parse_dst("default", AF_INET6, &p, &e) == 0 && p.family == AF_INET6,
	   "default follows the gateway's family");
	ok(inet_parse_dst("10.1.0.0/16", 0, &p, &e) == 0, "network destination");
	ok(inet_parse_dst("10.1.0.1/16", 0, &p, &e) < 0, "host bits set are refused");
	inet_parse_cidr("10.1.255.7/20", &p, &e);
	inet_mask(&p);
	is_str(inet_format(&p, true, buf), "10.1.240.0/20", "mask clears host bits");
	ok(inet_is_network(&p), "masked prefix is a network");
}

static void
test_inet_mac(void)
{
	unsigned char mac[INET_MAC_LEN];
	char buf[3 * INET_MAC_LEN];
	struct err e;

	ok(inet_parse_mac("02:AA:bb:0c:dd:0e", mac, &e) == 0, "parse a unicast MAC");
	is_str(inet_format_mac(mac, INET_MAC_LEN, buf), "02:aa:bb:0c:dd:0e", "format lowercase");
	ok(inet_parse_mac("01:00:5e:00:00:01", mac, &e) < 0, "multicast refused");
	ok(inet_parse_mac("00:00:00:00:00:00", mac, &e) < 0, "all zero refused");
	ok(inet_parse_mac("02:00:00:00:00", mac, &e) < 0, "five octets refused");
	ok(inet_parse_mac("02:00:00:00:00:00:00", mac, &e) < 0, "seven octets refused");
	ok(inet_parse_mac("02-00-00-00-00-01", mac, &e) < 0, "dashes refused");
	ok(inet_parse_mac("2:0:0:0:0:1", mac, &e) < 0, "short octets refused");
}

static void
test_inet_ifname(void)
{
	struct err e;

	ok(inet_check_ifname("eth0", &e) == 0, "eth0");
	ok(inet_check_ifname("0123456789abcde", &e) == 0, "15 bytes is the limit");
	ok(inet_check_ifname("0123456789abcdef", &e) < 0, "16 bytes refused");
	ok(inet_check_ifname("", &e) < 0, "empty refused");
	ok(inet_check_ifname(".", &e) < 0 && inet_check_ifname("..", &e) < 0, "dot names refused");
	ok(inet_check_ifname("a/b", &e) < 0, "slash refused");
	ok(inet_check_ifname("a:1", &e) < 0, "colon refused (alias syntax)");
	ok(inet_check_ifname("a b", &e) < 0, "space refused");
	ok(inet_check_ifname("a\nb", &e) < 0, "newline refused");
}

static void
test_inet_mtu(void)
{
	unsigned mtu = 0;
	struct err e;

	ok(inet_parse_mtu("1500", &mtu, &e) == 0 && mtu == 1500, "1500");
	ok(inet_parse_mtu("67", &mtu, &e) < 0, "below 68 refused");
	ok(inet_parse_mtu("65536", &mtu, &e) < 0, "above 65535 refused");
	ok(inet_parse_mtu("-1", &mtu, &e) < 0 && inet_parse_mtu("1500x", &mtu, &e) < 0 &&
	       inet_parse_mtu("", &mtu, &e) < 0,
	   "junk refused");
}

int
main(void)
{
	RUN(test_inet_cidr_roundtrip);
	RUN(test_inet_cidr_rejects);
	RUN(test_inet_dst_and_mask);
	RUN(test_inet_mac);
	RUN(test_inet_ifname);
	RUN(test_inet_mtu);
	return tap_done();
}
