/* SPDX-License-Identifier: Apache-2.0 */
/* The default seccomp profile: an allowlist of system calls, in OCI linux.seccomp form. */
#ifndef CTR_RUN_SECCOMP_H
#define CTR_RUN_SECCOMP_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* The architectures the default profile covers besides the native one. */
struct seccomp_arches {
	const char *image;  /* the image config's "architecture" ("386", "arm"); NULL: native */
	char *const *extra; /* --security-opt seccomp-arch= values, each "NAME[,NAME...]" */
	size_t nextra;
};

/* A kernel release as one number, for comparing: SECCOMP_KERNEL(4, 8) is 4.8. */
#define SECCOMP_KERNEL(major, minor) ((unsigned)(major) << 16 | (unsigned)(minor))
/* "MAJOR.MINOR..." (uname's release) to SECCOMP_KERNEL(MAJOR, MINOR); 0 if it is not one. */
unsigned seccomp_kernel_parse(const char *release);
/* The running kernel's release, as seccomp_kernel_parse reads it; 0 if unknown. */
unsigned seccomp_kernel(void);

/*
 * The default profile for a process with the capabilities caps (an array of
 * "CAP_*") on a kernel of release kernel (SECCOMP_KERNEL; 0: unknown, counts
 * as old): everything not listed fails with EPERM. Its architectures are the
 * native one, the image's when it is the native one's 32-bit compat
 * architecture ("386" on amd64, "arm" on arm64), and a->extra; names none of
 * them has (as libseccomp resolves them) are left out. New reference, or
 * NULL with e filled (an unknown name in a->extra).
 */
json_t *seccomp_default(const json_t *caps, const struct seccomp_arches *a, unsigned kernel,
			struct err *e);
/* Check the shape of a user's profile (an OCI linux.seccomp object). */
int seccomp_check(const json_t *profile, struct err *e);
/* Does libseccomp know name (a real number) on the native architecture? */
int seccomp_known(const char *name);
/* An architecture as OCI or libseccomp spell it ("SCMP_ARCH_X86", "x86") to its token. */
int seccomp_arch_parse(const char *name, uint32_t *tok, struct err *e);
/* Check a --security-opt seccomp-arch value, "NAME[,NAME...]". */
int seccomp_arch_check(const char *list, struct err *e);
/*
 * seccomp-arch.c: the architectures the default profile covers for a (at most
 * SECCOMP_ARCH_MAX tokens into set, native first), and their OCI names.
 */
#define SECCOMP_ARCH_MAX 24
int seccomp_arch_set(const struct seccomp_arches *a, uint32_t *set, size_t *n, struct err *e);
json_t *seccomp_arch_json(const uint32_t *set, size_t n);

#endif
