/* SPDX-License-Identifier: Apache-2.0 */
/* OCI platforms: parsing and normalisation as containerd does it, host detection, matching. */
#include "platform.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/utsname.h>

#include "cleanup.h"
#include "fdio.h"

#define CPUINFO_MAX (4u << 20)

static const char *const known_os[] = {
    "aix",   "android", "darwin", "dragonfly", "freebsd", "hurd",    "illumos", "ios", "js",
    "linux", "nacl",	"netbsd", "openbsd",   "plan9",	  "solaris", "windows", "zos", NULL,
};

static const char *const known_arch[] = {
    "386",	 "amd64",	"amd64p32", "arm",   "armbe",	"arm64",  "arm64be",
    "ppc64",	 "ppc64le",	"loong64",  "mips",  "mipsle",	"mips64", "mips64le",
    "mips64p32", "mips64p32le", "ppc",	    "riscv", "riscv64", "s390",	  "s390x",
    "sparc",	 "sparc64",	"wasm",	    NULL,
};

static bool
in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (!strcmp(*list, s))
			return true;
	return false;
}

/* Copy and lowercase; the caller checked that src fits. */
static void
set_lower(char *dst, size_t size, const char *src)
{
	size_t i;

	for (i = 0; src[i] && i + 1 < size; i++)
		dst[i] = (src[i] >= 'A' && src[i] <= 'Z') ? src[i] - 'A' + 'a' : src[i];
	dst[i] = '\0';
}

#define SET(field, src) set_lower((field), sizeof(field), (src))

static bool
is(const char *s, const char *a)
{
	return !strcmp(s, a);
}

void
platform_normalize(struct platform *p)
{
	char *a = p->arch, *v = p->variant;

	SET(p->os, p->os[0] ? p->os : "linux");
	SET(p->arch, p->arch);
	SET(p->variant, p->variant);
	if (is(p->os, "macos"))
		SET(p->os, "darwin");
	if (is(a, "i386") || is(a, "i486") || is(a, "i586") || is(a, "i686")) {
		SET(p->arch, "386");
		v[0] = '\0';
	} else if (is(a, "x86_64") || is(a, "x86-64") || is(a, "amd64")) {
		SET(p->arch, "amd64");
		if (is(v, "v1"))
			v[0] = '\0';
	} else if (is(a, "aarch64") || is(a, "arm64")) {
		/* every arm64 CPU is v8 or later, so "v8" says nothing and is dropped */
		SET(p->arch, "arm64");
		if (is(v, "8") || is(v, "v8"))
			v[0] = '\0';
	} else if (is(a, "armhf") || is(a, "armel")) {
		SET(p->variant, is(a, "armhf") ? "v7" : "v6");
		SET(p->arch, "arm");
	} else if (is(a, "arm")) {
		if (!v[0] || is(v, "7"))
			SET(p->variant, "v7");
		else if (is(v, "5") || is(v, "6") || is(v, "8"))
			snprintf(p->variant, sizeof(p->variant), "v%c", v[0]);
	}
}

/* The specifier for an error message: at most 64 bytes, unprintable bytes as '?'. */
static const char *
shown(const char *spec, char buf[68])
{
	size_t i;

	for (i = 0; spec[i] && i < 64; i++)
		buf[i] = (spec[i] >= 0x20 && spec[i] < 0x7f) ? spec[i] : '?';
	buf[i] = '\0';
	return buf;
}

/* One part of a specifier: [A-Za-z0-9_.-]+ that fits its field. */
static int
check_part(const char *s, size_t n, size_t size, const char *spec, struct err *e)
{
	char q[68];

	if (n == 0)
		return err_code(e, "invalid", "platform '%s': empty component", shown(spec, q));
	if (n >= size)
		return err_code(e, "invalid", "platform '%s': component too long", shown(spec, q));
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-'))
			return err_code(e, "invalid",
					"platform '%s': invalid character (want os/arch[/variant])",
					shown(spec, q));
	}
	return 0;
}

/* "linux" alone means the host's arch; "arm64" alone means the host's os. */
static int
parse_one(const char *spec, struct platform *p, struct err *e)
{
	struct platform host;
	char lower[32], q[68];

	SET(lower, spec);
	if (in_list(known_os, lower) || is(lower, "macos")) {
		platform_host(&host);
		SET(p->os, lower);
		SET(p->arch, host.arch);
		SET(p->variant, host.variant);
		platform_normalize(p);
		return 0;
	}
	SET(p->arch, spec);
	platform_normalize(p);
	if (!in_list(known_arch, p->arch))
		return err_code(e, "invalid",
				"platform '%s': unknown operating system or architecture",
				shown(spec, q));
	return 0;
}

int
platform_parse(const char *s, struct platform *p, struct err *e)
{
	const size_t sizes[3] = {sizeof(p->os), sizeof(p->arch), sizeof(p->variant)};
	char *fields[3] = {p->os, p->arch, p->variant};
	const char *part = s;
	char q[68];
	int n = 0;

	memset(p, 0, sizeof(*p));
	if (!s || !*s)
		return err_code(e, "invalid", "empty platform (want os/arch[/variant])");
	for (;;) {
		size_t len = strcspn(part, "/");

		if (n == 3)
			return err_code(e, "invalid", "platform '%s': too many components",
					shown(s, q));
		if (check_part(part, len, sizes[n], s, e) < 0)
			return -1;
		memcpy(fields[n], part, len);
		fields[n++][len] = '\0';
		if (!part[len])
			break;
		part += len + 1;
	}
	if (n == 1) {
		p->os[0] = '\0';
		return parse_one(s, p, e);
	}
	platform_normalize(p);
	return 0;
}

/* The value of a "Key : value" line of /proc/cpuinfo (key compared without case), or "". */
static void
cpuinfo_get(const char *info, const char *key, char *out, size_t size)
{
	size_t klen = strlen(key);
	const char *l = info;

	out[0] = '\0';
	for (; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		const char *c = l + klen;
		size_t n;

		if (strncasecmp(l, key, klen))
			continue;
		c += strspn(c, " \t");
		if (*c != ':')
			continue;
		c += 1 + strspn(c + 1, " \t");
		n = strcspn(c, "\n");
		while (n > 0 && (c[n - 1] == ' ' || c[n - 1] == '\t' || c[n - 1] == '\r'))
			n--;
		snprintf(out, size, "%.*s", (int)n, c);
		return;
	}
}

/*
 * The ARM variant from /proc/cpuinfo's "CPU architecture", as containerd
 * reads it. Some ARMv6 boards (Raspberry Pi 1, Zero) report 7 there, so the
 * model name wins when it says ARMv6.
 */
static void
arm_from_cpuinfo(struct platform *p, const char *info, const char *machine)
{
	char v[32], model[64];

	cpuinfo_get(info ? info : "", "CPU architecture", v, sizeof(v));
	cpuinfo_get(info ? info : "", "model name", model, sizeof(model));
	if (is(v, "7") && !strncasecmp(model, "armv6-compatible", 16))
		SET(v, "6");
	if (!v[0] && !strncmp(machine, "armv", 4)) /* no cpuinfo: "armv7l" says 7 */
		snprintf(v, sizeof(v), "%c", machine[4]);
	if (is(v, "8") || !strcasecmp(v, "aarch64"))
		SET(p->arch, "arm64");
	else if (v[0] >= '3' && v[0] <= '7')
		snprintf(p->variant, sizeof(p->variant), "v%c", v[0]);
}

void
platform_from_machine(struct platform *p, const char *machine, const char *cpuinfo)
{
	memset(p, 0, sizeof(*p));
	SET(p->os, "linux");
	if (is(machine, "loongarch64"))
		SET(p->arch, "loong64");
	else if (is(machine, "ppc64le") || is(machine, "s390x") || is(machine, "riscv64"))
		SET(p->arch, machine);
	else if (!strncmp(machine, "arm", 3) && strcmp(machine, "arm64")) {
		SET(p->arch, "arm");
		arm_from_cpuinfo(p, cpuinfo, machine);
	} else
		SET(p->arch, machine);
	platform_normalize(p);
}

void
platform_host(struct platform *p)
{
	_cleanup_free_ char *info = NULL;
	struct utsname u;
	struct err e;

	if (uname(&u) < 0)
		SET(u.machine, "unknown");
	if (!strncmp(u.machine, "arm", 3) &&
	    fdio_read_file_at(AT_FDCWD, "/proc/cpuinfo", CPUINFO_MAX, &info, NULL, &e) < 0)
		info = NULL;
	platform_from_machine(p, u.machine, info);
}

void
platform_format(const struct platform *p, char *buf, unsigned len)
{
	snprintf(buf, len, "%s/%s%s%s", p->os, p->arch, p->variant[0] ? "/" : "", p->variant);
}

/* "v7" -> 7; -1 for anything else, which then has to match exactly. */
static int
variant_num(const char *v)
{
	if (v[0] != 'v' || !v[1] || strspn(v + 1, "0123456789") != strlen(v + 1) || strlen(v) > 4)
		return -1;
	return atoi(v + 1);
}

bool
platform_match(const struct platform *want, const struct platform *have)
{
	struct platform w = *want, h = *have;
	int wn, hn;

	platform_normalize(&w);
	platform_normalize(&h);
	if (strcmp(w.os, h.os) || strcmp(w.arch, h.arch))
		return false;
	if (is(w.variant, h.variant) || !h.variant[0])
		return true;
	/* 32-bit ARM is backward compatible: a v7 CPU runs v6 and v5 code */
	wn = variant_num(w.variant);
	hn = variant_num(h.variant);
	return is(w.arch, "arm") && wn >= 0 && hn >= 0 && hn <= wn;
}

int
platform_best(const struct platform *want, const struct platform *cands, int n)
{
	int best = -1, best_score = -1;

	for (int i = 0; i < n; i++) {
		struct platform w = *want, c = cands[i];
		int score;

		if (!platform_match(want, &cands[i]))
			continue;
		platform_normalize(&w);
		platform_normalize(&c);
		/* exact variant first, then the newest older arm variant, then no variant */
		if (is(w.variant, c.variant))
			score = 1000;
		else
			score = c.variant[0] ? variant_num(c.variant) + 1 : 0;
		if (score > best_score) {
			best = i;
			best_score = score;
		}
	}
	return best;
}
