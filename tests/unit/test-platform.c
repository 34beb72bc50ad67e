/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for platforms: parsing, normalisation, host detection and matching. */
#include "tap.h"

#include <sys/utsname.h>

#include "platform.h"

static const char *
fmt(const struct platform *p)
{
	static char buf[4][96];
	static int k;

	k = (k + 1) % 4;
	platform_format(p, buf[k], sizeof(buf[k]));
	return buf[k];
}

/* A platform as an image index may spell it, unnormalised. */
static struct platform
raw(const char *os, const char *arch, const char *variant)
{
	struct platform p;

	memset(&p, 0, sizeof(p));
	snprintf(p.os, sizeof(p.os), "%s", os);
	snprintf(p.arch, sizeof(p.arch), "%s", arch);
	snprintf(p.variant, sizeof(p.variant), "%s", variant);
	return p;
}

static void
test_platform_parse_table(void)
{
	static const char *const cases[][2] = {
	    {"linux/amd64", "linux/amd64"},
	    {"linux/x86_64", "linux/amd64"},
	    {"linux/x86-64", "linux/amd64"},
	    {"Linux/AMD64", "linux/amd64"},
	    {"linux/amd64/v1", "linux/amd64"},
	    {"linux/amd64/v3", "linux/amd64/v3"},
	    {"linux/aarch64", "linux/arm64"},
	    {"linux/arm64/v8", "linux/arm64"},
	    {"linux/arm64/8", "linux/arm64"},
	    {"linux/AArch64/V8", "linux/arm64"},
	    {"linux/arm64/v9", "linux/arm64/v9"},
	    {"linux/armhf", "linux/arm/v7"},
	    {"linux/armel", "linux/arm/v6"},
	    {"linux/arm", "linux/arm/v7"},
	    {"linux/arm/7", "linux/arm/v7"},
	    {"linux/arm/v7", "linux/arm/v7"},
	    {"linux/arm/V7", "linux/arm/v7"},
	    {"linux/arm/6", "linux/arm/v6"},
	    {"linux/arm/v6", "linux/arm/v6"},
	    {"linux/arm/5", "linux/arm/v5"},
	    {"linux/arm/8", "linux/arm/v8"},
	    {"linux/i386", "linux/386"},
	    {"linux/i686", "linux/386"},
	    {"linux/386", "linux/386"},
	    {"linux/ppc64le", "linux/ppc64le"},
	    {"linux/s390x", "linux/s390x"},
	    {"linux/riscv64", "linux/riscv64"},
	    {"amd64", "linux/amd64"},
	    {"x86_64", "linux/amd64"},
	    {"arm64", "linux/arm64"},
	    {"aarch64", "linux/arm64"},
	    {"armhf", "linux/arm/v7"},
	    {"arm", "linux/arm/v7"},
	    {"s390x", "linux/s390x"},
	    {"macos/arm64", "darwin/arm64"},
	    {"windows/amd64", "windows/amd64"},
	    {"freebsd/amd64", "freebsd/amd64"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct platform p;
		struct err e = {0};

		if (!ok(platform_parse(cases[i][0], &p, &e) == 0, "'%s' parses", cases[i][0])) {
			printf("#   error: %s\n", e.msg);
			continue;
		}
		is_str(fmt(&p), cases[i][1], "'%s' normalises", cases[i][0]);
	}
}

static void
test_platform_parse_invalid(void)
{
	static const char *const cases[] = {
	    "",
	    "/",
	    "linux/",
	    "/amd64",
	    "linux//v7",
	    "linux/amd64/v7/x",
	    "linux/*",
	    "*",
	    "linux/amd 64",
	    "linux/amd64\n",
	    "linux/amd64 ",
	    "foo",
	    "linux(10.0)/amd64",
	    "linux/amd64/v12345678901234567",
	    "linuxlinuxlinuxlinuxlinuxlinuxlinux/amd64",
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct platform p;
		struct err e = {0};

		ok(platform_parse(cases[i], &p, &e) == -1, "invalid platform #%zu refused", i);
		ok(e.msg[0] && !strchr(e.msg, '\n'), "#%zu: one-line message: %s", i, e.msg);
		is_str(e.code, "invalid", "#%zu: code", i);
	}
}

/* "linux" alone takes the host's architecture, as containerd does. */
static void
test_platform_parse_os_only(void)
{
	struct platform p, host;
	struct err e;

	platform_host(&host);
	ok(platform_parse("linux", &p, &e) == 0, "'linux' parses");
	is_str(p.os, "linux", "os");
	is_str(p.arch, host.arch, "arch is the host's");
	is_str(p.variant, host.variant, "variant is the host's");
}

static void
test_platform_from_machine(void)
{
	static const char *const cases[][3] = {
	    {"x86_64", NULL, "linux/amd64"},
	    {"i686", NULL, "linux/386"},
	    {"i386", NULL, "linux/386"},
	    {"aarch64", NULL, "linux/arm64"},
	    {"arm64", NULL, "linux/arm64"},
	    {"armv7l", "processor\t: 0\nCPU architecture: 7\n", "linux/arm/v7"},
	    {"armv7l", "processor\t: 0\nCPU architecture: 8\n", "linux/arm64"},
	    {"armv8l", NULL, "linux/arm64"},
	    {"armv7l", NULL, "linux/arm/v7"},
	    {"armv6l", NULL, "linux/arm/v6"},
	    {"armv6l",
	     "model name\t: ARMv6-compatible processor rev 7 (v6l)\nCPU architecture: 7\n",
	     "linux/arm/v6"},
	    {"armv5tel", "CPU architecture: 5TEJ\n", "linux/arm/v5"},
	    {"armv7l", "cpu architecture\t: 6\r\n", "linux/arm/v6"},
	    {"armv7l", "CPU architecture: AArch64\n", "linux/arm64"},
	    {"arm", "", "linux/arm/v7"},
	    {"ppc64le", NULL, "linux/ppc64le"},
	    {"s390x", NULL, "linux/s390x"},
	    {"riscv64", NULL, "linux/riscv64"},
	    {"loongarch64", NULL, "linux/loong64"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct platform p;

		platform_from_machine(&p, cases[i][0], cases[i][1]);
		is_str(fmt(&p), cases[i][2], "machine '%s' (cpuinfo #%zu)", cases[i][0], i);
	}
}

static void
test_platform_host(void)
{
	struct platform p, want;
	struct utsname u;

	platform_host(&p);
	ok(uname(&u) == 0, "uname");
	is_str(p.os, "linux", "host os");
	ok(p.arch[0] != '\0', "host arch '%s'", p.arch);
	if (!strcmp(u.machine, "x86_64"))
		is_str(fmt(&p), "linux/amd64", "x86_64 host is linux/amd64");
	if (!strcmp(u.machine, "aarch64"))
		is_str(fmt(&p), "linux/arm64", "aarch64 host is linux/arm64");
	want = p;
	ok(platform_match(&want, &p), "the host matches itself");
}

static void
test_platform_match_table(void)
{
	static const struct {
		const char *want[3], *have[3];
		bool match;
	} cases[] = {
	    {{"linux", "amd64", ""}, {"linux", "amd64", ""}, true},
	    {{"linux", "amd64", ""}, {"linux", "arm64", ""}, false},
	    {{"linux", "amd64", ""}, {"windows", "amd64", ""}, false},
	    {{"linux", "amd64", ""}, {"linux", "386", ""}, false},
	    {{"linux", "amd64", ""}, {"linux", "amd64", "v3"}, false},
	    {{"linux", "amd64", "v3"}, {"linux", "amd64", ""}, true},
	    {{"linux", "amd64", "v3"}, {"linux", "amd64", "v2"}, false},
	    {{"linux", "arm64", ""}, {"linux", "arm64", "v8"}, true},
	    {{"linux", "aarch64", ""}, {"linux", "arm64", ""}, true},
	    {{"linux", "arm64", "v8"}, {"linux", "arm64", ""}, true},
	    {{"linux", "arm64", ""}, {"linux", "arm", "v7"}, false},
	    {{"linux", "arm", "v7"}, {"linux", "arm", "v7"}, true},
	    {{"linux", "arm", "v7"}, {"linux", "arm", "v6"}, true},
	    {{"linux", "arm", "v7"}, {"linux", "arm", "v5"}, true},
	    {{"linux", "arm", "v7"}, {"linux", "arm", ""}, true},
	    {{"linux", "arm", "v7"}, {"linux", "arm", "v8"}, false},
	    {{"linux", "arm", "v6"}, {"linux", "arm", "v7"}, false},
	    {{"linux", "arm", "v5"}, {"linux", "arm", "v6"}, false},
	    {{"linux", "arm", "v8"}, {"linux", "arm", "v7"}, true},
	    {{"linux", "arm", "v7"}, {"linux", "arm64", ""}, false},
	    {{"Linux", "AMD64", ""}, {"linux", "x86_64", ""}, true},
	    {{"", "amd64", ""}, {"linux", "amd64", ""}, true},
	    {{"linux", "arm", "v7"}, {"linux", "arm", "v7a"}, false},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct platform w = raw(cases[i].want[0], cases[i].want[1], cases[i].want[2]);
		struct platform h = raw(cases[i].have[0], cases[i].have[1], cases[i].have[2]);

		is_int(platform_match(&w, &h), cases[i].match, "want %s/%s/%s have %s/%s/%s",
		       cases[i].want[0], cases[i].want[1], cases[i].want[2], cases[i].have[0],
		       cases[i].have[1], cases[i].have[2]);
	}
}

static void
test_platform_best(void)
{
	struct platform want = raw("linux", "arm", "v7");
	struct platform a[] = {raw("linux", "amd64", ""), raw("linux", "arm", "v5"),
			       raw("linux", "arm", "v6"), raw("linux", "arm64", "")};
	struct platform b[] = {raw("linux", "arm", "v6"), raw("linux", "arm", "v7"),
			       raw("linux", "arm", "v5")};
	struct platform c[] = {raw("linux", "amd64", ""), raw("linux", "arm", "v7"),
			       raw("linux", "arm64", "v8")};
	struct platform d[] = {raw("linux", "arm64", ""), raw("linux", "386", "")};
	struct platform f[] = {raw("linux", "amd64", ""), raw("linux", "amd64", "v3")};

	is_int(platform_best(&want, a, 4), 2, "arm/v7 picks v6 over v5");
	is_int(platform_best(&want, b, 3), 1, "arm/v7 picks the exact variant");
	want = raw("linux", "arm64", "");
	is_int(platform_best(&want, c, 3), 2, "arm64 picks arm64/v8, not arm/v7");
	want = raw("linux", "amd64", "");
	is_int(platform_best(&want, d, 2), -1, "amd64: no arm64 or 386 fallback");
	is_int(platform_best(&want, d, 0), -1, "no candidates");
	is_int(platform_best(&want, a, 4), 0, "amd64 found at index 0");
	is_int(platform_best(&want, f, 2), 0, "amd64 host skips amd64/v3");
	want = raw("linux", "amd64", "v3");
	is_int(platform_best(&want, f, 2), 1, "amd64/v3 prefers the exact variant");
}

static void
test_platform_format(void)
{
	struct platform p = raw("linux", "arm", "v7");
	char small[8];

	is_str(fmt(&p), "linux/arm/v7", "with variant");
	p.variant[0] = '\0';
	is_str(fmt(&p), "linux/arm", "without variant");
	memset(small, 'x', sizeof(small));
	platform_format(&p, small, sizeof(small));
	is_str(small, "linux/a", "truncated to the buffer, NUL-terminated");
}

int
main(void)
{
	RUN(test_platform_parse_table);
	RUN(test_platform_parse_invalid);
	RUN(test_platform_parse_os_only);
	RUN(test_platform_from_machine);
	RUN(test_platform_host);
	RUN(test_platform_match_table);
	RUN(test_platform_best);
	RUN(test_platform_format);
	return tap_done();
}
