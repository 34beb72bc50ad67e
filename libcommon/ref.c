/* SPDX-License-Identifier: Apache-2.0 */
/* Image references: Docker's grammar and normalisation (docker.io, library/, latest). */
#include "ref.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "digest.h"
#include "xmem.h"

#define REF_NAME_MAX 255 /* domain + '/' + path, as Docker counts it */
#define REF_TAG_MAX 128

static const char default_domain[] = "docker.io";
static const char legacy_domain[] = "index.docker.io";
static const char official_prefix[] = "library/";

static bool
is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool
is_alnum(char c)
{
	return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

static bool
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/*
 * One path component: [a-z0-9]+ joined by one separator each, where a
 * separator is ".", "_", "__" or a run of "-". It cannot start or end with one.
 */
static bool
component_ok(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t sep = i;

		while (i < n && is_lower_alnum(s[i]))
			i++;
		if (i == sep || i == n) /* empty run of alnums, or a clean end */
			return i == n && i > sep;
		sep = i;
		while (i < n && s[i] == '-')
			i++;
		if (i == sep && s[i] == '.')
			i++;
		else if (i == sep && s[i] == '_')
			i += (i + 1 < n && s[i + 1] == '_') ? 2 : 1;
		if (i == sep || i == n || !is_lower_alnum(s[i]))
			return false;
	}
	return false;
}

/* path: component ['/' component]* */
static bool
path_ok(const char *s)
{
	for (;;) {
		const char *slash = strchr(s, '/');
		size_t n = slash ? (size_t)(slash - s) : strlen(s);

		if (!component_ok(s, n))
			return false;
		if (!slash)
			return true;
		s = slash + 1;
	}
}

/* domain-name: components of [a-zA-Z0-9-] joined by '.', no '-' at either end. */
static bool
host_name_ok(const char *s, size_t n)
{
	size_t start = 0;

	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '.') {
			if (!is_alnum(s[i]) && s[i] != '-')
				return false;
			continue;
		}
		if (i == start || s[start] == '-' || s[i - 1] == '-')
			return false;
		start = i + 1;
	}
	return true;
}

/* host [':' port]: a domain name, an IPv4 address, or "[" IPv6 "]" as Docker's grammar has it. */
static bool
domain_ok(const char *s)
{
	size_t hostlen;
	const char *port;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close || close == s + 1)
			return false;
		for (const char *p = s + 1; p < close; p++)
			if (!is_hex(*p) && *p != ':')
				return false;
		hostlen = (size_t)(close - s) + 1;
	} else {
		hostlen = strcspn(s, ":");
		if (!host_name_ok(s, hostlen))
			return false;
	}
	port = s + hostlen;
	if (*port == '\0')
		return true;
	if (*port != ':' || !port[1])
		return false;
	return strspn(port + 1, "0123456789") == strlen(port + 1);
}

/* The port of a host domain_ok accepted: none, or 1-65535 (no connection could ever work). */
static bool
port_ok(const char *s)
{
	const char *close = s[0] == '[' ? strchr(s, ']') : s, *port = strchr(close, ':');
	unsigned long v = 0;

	if (!port)
		return true;
	for (port++; *port; port++)
		if ((v = v * 10 + (unsigned long)(*port - '0')) > 65535)
			return false;
	return v > 0;
}

/* tag: [\w][\w.-]{0,127} */
static bool
tag_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > REF_TAG_MAX || !(is_alnum(s[0]) || s[0] == '_'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!is_alnum(s[i]) && s[i] != '_' && s[i] != '.' && s[i] != '-')
			return false;
	return true;
}

/* Docker refuses a bare 64-hex name: it could be an image id as well as a repository. */
static bool
is_identifier(const char *s)
{
	if (strlen(s) != DIGEST_HEX_LEN)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

static bool
has_upper(const char *s, size_t n)
{
	for (size_t i = 0; i < n && s[i]; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			return true;
	return false;
}

/* The input is hostile: quote at most 100 bytes of it, with unprintable bytes as '?'. */
static void
quote(char *out, size_t size, const char *s)
{
	size_t i, max = size - 4; /* room for "..." and the NUL */

	for (i = 0; s[i] && i < max; i++)
		out[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	if (s[i]) {
		memcpy(out + i, "...", 3);
		i += 3;
	}
	out[i] = '\0';
}

static int
bad(struct err *e, const char *s, const char *why)
{
	char q[104];

	quote(q, sizeof(q), s);
	return err_code(e, "invalid", "invalid reference '%s': %s", q, why);
}

/*
 * Split off the domain as Docker does: the first component is a domain only
 * when it has a '.' or a ':' or is "localhost"; otherwise it is docker.io, and
 * a single-component docker.io name gets "library/".
 */
static bool
names_host(const char *s)
{
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : 0;

	/*
	 * As distribution/reference does: the first component is a registry
	 * host when it has a '.' or ':', is "localhost", or has an uppercase
	 * letter (a repository path never may), so "Foo/bar" names host "Foo".
	 */
	return slash && (memchr(s, '.', n) || memchr(s, ':', n) || has_upper(s, n) ||
			 (n == 9 && !strncmp(s, "localhost", 9)));
}

static void
split_domain(const char *s, char **domain, char **rest)
{
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : 0;

	if (names_host(s)) {
		*domain = xstrndup(s, n);
		*rest = xstrdup(slash + 1);
	} else {
		*domain = xstrdup(default_domain);
		*rest = xstrdup(s);
	}
	if (!strcmp(*domain, legacy_domain)) {
		free(*domain);
		*domain = xstrdup(default_domain);
	}
	if (!strcmp(*domain, default_domain) && !strchr(*rest, '/')) {
		char *p = xasprintf("%s%s", official_prefix, *rest);

		free(*rest);
		*rest = p;
	}
}

static int
check_digest(const char *s, const char *d, struct err *e)
{
	const char *colon = strchr(d, ':');

	if (colon && (colon - d != 6 || strncmp(d, "sha256", 6)))
		return bad(e, s, "unsupported digest algorithm (only sha256 is accepted)");
	if (!digest_valid(d))
		return bad(e, s, "invalid digest (want sha256:<64 lowercase hex digits>)");
	return 0;
}

/* Split rest ("path[:tag][@digest]") in place and check each part. */
static int
parse_rest(const char *s, char *rest, struct ref *r, struct err *e)
{
	char *at = strchr(rest, '@'), *colon;

	if (at) {
		*at = '\0';
		if (check_digest(s, at + 1, e) < 0)
			return -1;
		r->digest = xstrdup(at + 1);
	}
	colon = strchr(rest, ':');
	if (colon) {
		*colon = '\0';
		if (!tag_ok(colon + 1))
			return bad(e, s, "invalid tag (want [A-Za-z0-9_][A-Za-z0-9_.-]{0,127})");
		r->tag = xstrdup(colon + 1);
	}
	if (has_upper(rest, strlen(rest)))
		return bad(e, s, "repository name must be lowercase");
	if (!path_ok(rest))
		return bad(e, s, "invalid reference format");
	r->path = xstrdup(rest);
	return 0;
}

static int
parse(const char *s, struct ref *r, struct err *e)
{
	_cleanup_free_ char *rest = NULL;

	if (!*s)
		return err_code(e, "invalid", "invalid reference: empty string");
	if (is_identifier(s))
		return bad(e, s, "a 64-hex name is ambiguous with an image id");
	split_domain(s, &r->domain, &rest);
	if (!domain_ok(r->domain))
		return bad(e, s, "invalid registry host");
	if (!port_ok(r->domain))
		return bad(e, s, "registry port out of range (1-65535)");
	if (parse_rest(s, rest, r, e) < 0)
		return -1;
	if (strlen(r->domain) + 1 + strlen(r->path) > REF_NAME_MAX)
		return bad(e, s, "repository name must not be more than 255 characters");
	if (!r->tag && !r->digest)
		r->tag = xstrdup("latest");
	return 0;
}

int
ref_parse(const char *s, struct ref *r, struct err *e)
{
	memset(r, 0, sizeof(*r));
	if (parse(s, r, e) < 0) {
		ref_release(r);
		return -1;
	}
	return 0;
}

void
ref_release(struct ref *r)
{
	free(r->domain);
	free(r->path);
	free(r->tag);
	free(r->digest);
	memset(r, 0, sizeof(*r));
}

static char *
with_suffix(const char *name, const struct ref *r)
{
	return xasprintf("%s%s%s%s%s", name, r->tag ? ":" : "", r->tag ? r->tag : "",
			 r->digest ? "@" : "", r->digest ? r->digest : "");
}

char *
ref_name(const struct ref *r)
{
	return xasprintf("%s/%s", r->domain, r->path);
}

char *
ref_string(const struct ref *r)
{
	_cleanup_free_ char *name = ref_name(r);

	return with_suffix(name, r);
}

char *
ref_normalize(const char *s, struct err *e)
{
	struct ref r = {0};
	char *out;

	if (ref_parse(s, &r, e) < 0)
		return NULL;
	out = ref_string(&r);
	ref_release(&r);
	return out;
}

char *
ref_familiar(const struct ref *r)
{
	_cleanup_free_ char *name = NULL;
	const char *path = r->path;

	/*
	 * Without "docker.io/", a path whose first component names a host
	 * ("docker.io/a.b/c") would read back as another registry's image.
	 */
	if (strcmp(r->domain, default_domain) || names_host(path))
		return ref_string(r);
	/* only "library/x" shortens: "library/a/b" would be ambiguous with "a/b" */
	if (!strncmp(path, official_prefix, strlen(official_prefix)) &&
	    !strchr(path + strlen(official_prefix), '/'))
		path += strlen(official_prefix);
	name = xstrdup(path);
	return with_suffix(name, r);
}

const char *
ref_registry_host(const struct ref *r)
{
	return strcmp(r->domain, default_domain) ? r->domain : "registry-1.docker.io";
}

int
ref_is_loopback(const struct ref *r)
{
	const char *d = r->domain;
	struct in_addr a4;
	char host[64];
	size_t n;

	if (d[0] == '[') {
		struct in6_addr a6;

		n = strcspn(d + 1, "]");
		if (n >= sizeof(host) || d[1 + n] != ']')
			return 0;
		memcpy(host, d + 1, n);
		host[n] = '\0';
		return inet_pton(AF_INET6, host, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
	}
	n = strcspn(d, ":");
	if (n >= sizeof(host))
		return 0;
	memcpy(host, d, n);
	host[n] = '\0';
	if (!strcasecmp(host, "localhost"))
		return 1;
	/* inet_pton takes only dotted quads, so "127.1" or "127.0.0.1.example" are not loopback */
	return inet_pton(AF_INET, host, &a4) == 1 && (ntohl(a4.s_addr) >> 24) == 127;
}
