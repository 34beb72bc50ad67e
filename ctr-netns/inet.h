/* SPDX-License-Identifier: Apache-2.0 */
/* Pure parsing and formatting of addresses, prefixes, MACs and interface names. */
#ifndef CTR_NETNS_INET_H
#define CTR_NETNS_INET_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

#define INET_IFNAME_MAX 15 /* IFNAMSIZ - 1: the kernel's limit on interface names */
#define INET_MAC_LEN 6
#define INET_STRLEN 64 /* room for an IPv6 address, '/', a length and the NUL */

/* An IPv4 or IPv6 address with a prefix length (32/128 for a plain address). */
struct inet_prefix {
	int family; /* AF_INET or AF_INET6 */
	unsigned char addr[16];
	unsigned char len;
};

/* Parse "10.1.0.2/24" or "fd00::2/64"; the length is required. */
int inet_parse_cidr(const char *s, struct inet_prefix *p, struct err *e);
/* Parse a plain address "10.1.0.1" or "fd00::1"; len is set to the full width. */
int inet_parse_addr(const char *s, struct inet_prefix *p, struct err *e);
/* Parse "default" (family from want, AF_INET when 0) or a CIDR destination. */
int inet_parse_dst(const char *s, int want, struct inet_prefix *p, struct err *e);
/* Address bytes: 4 or 16. */
size_t inet_addr_len(int family);
/* Write "addr/len" (with_len) or "addr" into buf (INET_STRLEN bytes); returns buf. */
char *inet_format(const struct inet_prefix *p, bool with_len, char *buf);
/* True when the bits after the prefix length are all zero (a network, not a host). */
bool inet_is_network(const struct inet_prefix *p);
/* Clear the host bits after the prefix length. */
void inet_mask(struct inet_prefix *p);

/* Parse "02:aa:bb:cc:dd:ee": six hex octets, unicast and not all zero. */
int inet_parse_mac(const char *s, unsigned char mac[INET_MAC_LEN], struct err *e);
/* Write "aa:bb:..." of n bytes into buf (3*n bytes); returns buf. */
char *inet_format_mac(const unsigned char *mac, size_t n, char *buf);
/*
 * An interface name the kernel accepts (dev_valid_name): 1 to 15 bytes, not
 * "." or "..", no '/', ':' or whitespace, no control characters.
 */
int inet_check_ifname(const char *s, struct err *e);
/* A positive MTU from a decimal string (68 .. 65535). */
int inet_parse_mtu(const char *s, unsigned *mtu, struct err *e);

#endif
