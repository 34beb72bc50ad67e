/* SPDX-License-Identifier: Apache-2.0 */
/* Which architectures the default seccomp filter covers, as libseccomp names them. */
#include "seccomp.h"

#include <ctype.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "xmem.h"

/*
 * Architectures, as libseccomp names them; the OCI name is "SCMP_ARCH_" and
 * the name in capitals. Only names this libseccomp resolves are usable.
 */
static const char *const arch_names[] = {
    "x86",	 "x86_64", "x32",      "arm",	      "aarch64", "mips",  "mips64",
    "mips64n32", "mipsel", "mipsel64", "mipsel64n32", "ppc",	 "ppc64", "ppc64le",
    "s390",	 "s390x",  "parisc",   "parisc64",    "riscv64", NULL,
};

/* The 32-bit architecture a 64-bit kernel runs beside its own, for images built for it. */
static const struct {
	const char *native, *compat;
} compat_arches[] = {
    {"x86_64", "x86"}, {"aarch64", "arm"}, {"s390x", "s390"},
    {"ppc64", "ppc"},  {"mips64", "mips"}, {"mipsel64", "mipsel"},
};

/* An image's "architecture" (Go's GOARCH spelling) to libseccomp's name. */
static const struct {
	const char *oci, *scmp;
} image_arches[] = {
    {"386", "x86"},	  {"amd64", "x86_64"},	{"arm", "arm"},		  {"armhf", "arm"},
    {"armel", "arm"},	  {"arm64", "aarch64"}, {"s390", "s390"},	  {"s390x", "s390x"},
    {"ppc", "ppc"},	  {"ppc64", "ppc64"},	{"ppc64le", "ppc64le"},	  {"mips", "mips"},
    {"mipsle", "mipsel"}, {"mips64", "mips64"}, {"mips64le", "mipsel64"}, {"riscv64", "riscv64"},
};

_Static_assert(sizeof(arch_names) / sizeof(arch_names[0]) <= SECCOMP_ARCH_MAX,
	       "a set holds every architecture");

/* The entry of arch_names for a libseccomp token, or NULL. */
static const char *
arch_name(uint32_t tok)
{
	for (size_t i = 0; arch_names[i]; i++)
		if (seccomp_arch_resolve_name(arch_names[i]) == tok)
			return arch_names[i];
	return NULL;
}

int
seccomp_arch_parse(const char *name, uint32_t *tok, struct err *e)
{
	const char *s = strncasecmp(name, "SCMP_ARCH_", 10) ? name : name + 10;
	char low[16];
	size_t i;

	for (i = 0; s[i] && i < sizeof(low) - 1; i++)
		low[i] = (char)tolower((unsigned char)s[i]);
	low[i] = '\0';
	*tok = s[i] ? 0 : seccomp_arch_resolve_name(low);
	if (!*tok || !arch_name(*tok))
		return err_code(e, "invalid", "unknown seccomp architecture '%.32s'", name);
	return 0;
}

/* Add tok to the n tokens in set unless there already. */
static void
arch_add(uint32_t *set, size_t *n, uint32_t tok)
{
	for (size_t i = 0; i < *n; i++)
		if (set[i] == tok)
			return;
	if (*n < SECCOMP_ARCH_MAX)
		set[(*n)++] = tok;
}

/* The image's architecture when the kernel runs it beside the native one, or 0. */
static uint32_t
image_compat(const char *image_arch)
{
	const char *native = arch_name(seccomp_arch_native()), *want = NULL;

	for (size_t i = 0; image_arch && i < sizeof(image_arches) / sizeof(image_arches[0]); i++)
		if (!strcmp(image_arches[i].oci, image_arch))
			want = image_arches[i].scmp;
	for (size_t i = 0; want && native && i < sizeof(compat_arches) / sizeof(compat_arches[0]);
	     i++)
		if (!strcmp(compat_arches[i].native, native) &&
		    !strcmp(compat_arches[i].compat, want))
			return seccomp_arch_resolve_name(want);
	return 0;
}

/* Each NAME of "NAME[,NAME...]" into set. */
static int
arch_list_add(uint32_t *set, size_t *n, const char *list, struct err *e)
{
	_cleanup_free_ char *dup = xstrdup(list);
	char *rest = dup, *t;
	uint32_t tok;

	while ((t = strsep(&rest, ","))) {
		if (!*t)
			return err_code(e, "invalid", "seccomp-arch '%.64s': empty name", list);
		if (seccomp_arch_parse(t, &tok, e) < 0)
			return -1;
		arch_add(set, n, tok);
	}
	return 0;
}

int
seccomp_arch_check(const char *list, struct err *e)
{
	uint32_t set[SECCOMP_ARCH_MAX];
	size_t n = 0;

	return arch_list_add(set, &n, list, e);
}

/*
 * Which architectures the filter covers. runc compiles the filter once per
 * listed architecture at every start (about 7 ms of CPU each on x86_64), and
 * a syscall made through an architecture that is not listed kills the
 * process (libseccomp's bad-arch action), so a shorter list denies more and
 * never allows more. The native one is always needed (runc's own execve of
 * the container's process is a native call); the 32-bit compat one only for
 * an image built for it ("386" on amd64, "arm" on arm64); x32 and the rest
 * only when --security-opt seccomp-arch asks.
 */
int
seccomp_arch_set(const struct seccomp_arches *a, uint32_t *set, size_t *n, struct err *e)
{
	uint32_t compat = image_compat(a->image);

	*n = 0;
	arch_add(set, n, seccomp_arch_native());
	if (compat)
		arch_add(set, n, compat);
	for (size_t i = 0; i < a->nextra; i++)
		if (arch_list_add(set, n, a->extra[i], e) < 0)
			return err_prefix(e, "--security-opt");
	return 0;
}

json_t *
seccomp_arch_json(const uint32_t *set, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++) {
		char *s = xasprintf("SCMP_ARCH_%s", arch_name(set[i]));

		for (char *p = s; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		json_array_append_new(a, json_string(s));
		free(s);
	}
	return a;
}
