/* SPDX-License-Identifier: Apache-2.0 */
/* Address, prefix, MAC and interface-name parsing: no I/O, unit-tested. */
#include "inet.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

size_t
inet_addr_len(int family)
{
	return family == AF_INET6 ? 16 : 4;
}

int
inet_parse_addr(const char *s, struct inet_prefix *p, struct err *e)
{
	memset(p, 0, sizeof(*p));
	/* inet_pton rejects leading zeros, short forms like "10.1" and trailing junk */
	if (inet_pton(AF_INET, s, p->addr) == 1) {
		p->family = AF_INET;
		p->len = 32;
		return 0;
	}
	if (inet_pton(AF_INET6, s, p->addr) == 1) {
		p->family = AF_INET6;
		p->len = 128;
		return 0;
	}
	return err_code(e, "invalid", "invalid IP address '%.64s'", s);
}

static int
parse_len(const char *s, unsigned max, unsigned char *len)
{
	char *end;
	unsigned long v;

	if (!isdigit((unsigned char)*s) || (s[0] == '0' && s[1]))
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*len = (unsigned char)v;
	return 0;
}

int
inet_parse_cidr(const char *s, struct inet_prefix *p, struct err *e)
{
	const char *slash = strchr(s, '/');
	char host[INET6_ADDRSTRLEN];

	if (!slash || (size_t)(slash - s) >= sizeof(host))
		return err_code(e, "invalid", "invalid CIDR '%.64s': want ADDRESS/LENGTH", s);
	memcpy(host, s, slash - s);
	host[slash - s] = '\0';
	if (inet_parse_addr(host, p, e) < 0)
		return err_code(e, "invalid", "invalid CIDR '%.64s': bad address", s);
	if (parse_len(slash + 1, p->family == AF_INET ? 32 : 128, &p->len) < 0)
		return err_code(e, "invalid", "invalid CIDR '%.64s': bad prefix length", s);
	return 0;
}

int
inet_parse_dst(const char *s, int want, struct inet_prefix *p, struct err *e)
{
	if (strcmp(s, "default") != 0) {
		if (inet_parse_cidr(s, p, e) < 0)
			return -1;
		if (!inet_is_network(p))
			return err_code(e, "invalid",
					"invalid route destination '%.64s': host bits set", s);
		return 0;
	}
	memset(p, 0, sizeof(*p));
	p->family = want ? want : AF_INET;
	return 0;
}

char *
inet_format(const struct inet_prefix *p, bool with_len, char *buf)
{
	if (!inet_ntop(p->family, p->addr, buf, INET_STRLEN))
		snprintf(buf, INET_STRLEN, "?");
	if (with_len)
		snprintf(buf + strlen(buf), INET_STRLEN - strlen(buf), "/%u", p->len);
	return buf;
}

bool
inet_is_network(const struct inet_prefix *p)
{
	struct inet_prefix m = *p;

	inet_mask(&m);
	return !memcmp(m.addr, p->addr, sizeof(m.addr));
}

void
inet_mask(struct inet_prefix *p)
{
	size_t n = inet_addr_len(p->family);

	for (size_t i = 0; i < n; i++) {
		unsigned bits = i * 8 >= p->len ? 0 : p->len - i * 8;

		if (bits < 8)
			p->addr[i] &= (unsigned char)(0xff00u >> bits);
	}
}

int
inet_parse_mac(const char *s, unsigned char mac[INET_MAC_LEN], struct err *e)
{
	unsigned char any = 0;

	for (int i = 0; i < INET_MAC_LEN; i++) {
		const char *o = s + i * 3;

		if (!isxdigit((unsigned char)o[0]) || !isxdigit((unsigned char)o[1]) ||
		    o[2] != (i == INET_MAC_LEN - 1 ? '\0' : ':'))
			return err_code(e, "invalid", "invalid MAC address '%.32s'", s);
		mac[i] = (unsigned char)strtoul((char[]){o[0], o[1], '\0'}, NULL, 16);
		any |= mac[i];
	}
	/* the kernel refuses these for a device address (is_valid_ether_addr) */
	if (mac[0] & 1)
		return err_code(e, "invalid", "invalid MAC address '%s': multicast", s);
	if (!any)
		return err_code(e, "invalid", "invalid MAC address '%s': all zero", s);
	return 0;
}

char *
inet_format_mac(const unsigned char *mac, size_t n, char *buf)
{
	char *o = buf;

	*o = '\0';
	for (size_t i = 0; i < n; i++)
		o += sprintf(o, i ? ":%02x" : "%02x", mac[i]);
	return buf;
}

int
inet_check_ifname(const char *s, struct err *e)
{
	size_t n = strlen(s);

	if (n == 0)
		return err_code(e, "invalid", "empty interface name");
	if (n > INET_IFNAME_MAX)
		return err_code(e, "invalid", "interface name '%.32s' is longer than %d bytes", s,
				INET_IFNAME_MAX);
	if (!strcmp(s, ".") || !strcmp(s, ".."))
		return err_code(e, "invalid", "invalid interface name '%s'", s);
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		if (*c == '/' || *c == ':' || isspace(*c) || *c < 0x20 || *c == 0x7f)
			return err_code(e, "invalid", "invalid character in interface name '%s'",
					s);
	return 0;
}

int
inet_parse_mtu(const char *s, unsigned *mtu, struct err *e)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!isdigit((unsigned char)*s) || errno || *end || v < 68 || v > 65535)
		return err_code(e, "invalid", "invalid MTU '%.32s': want 68 to 65535", s);
	*mtu = (unsigned)v;
	return 0;
}
