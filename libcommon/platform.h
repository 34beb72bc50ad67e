/* SPDX-License-Identifier: Apache-2.0 */
/* OCI platforms: "os/arch[/variant]" strings, normalisation, host detection, matching. */
#ifndef CTR_PLATFORM_H
#define CTR_PLATFORM_H

#include <stdbool.h>

#include "err.h"

struct platform {
	char os[32];
	char arch[32];
	char variant[16]; /* "" when none */
};

/*
 * Parse "linux/amd64", "linux/arm/v7", "arm64" (os defaults to the host's),
 * normalising aliases as containerd does: x86_64/x86-64 -> amd64,
 * aarch64 -> arm64 (variant v8 dropped), armhf -> arm/v7, armel -> arm/v6,
 * arm with no variant -> arm/v7, i386/i686 -> 386.
 */
int platform_parse(const char *s, struct platform *p, struct err *e);
/*
 * Normalise p in place, as platform_parse does: lowercase, aliases resolved
 * ("aarch64" -> "arm64", arm64 "v8" -> "", arm "" -> "v7"), empty os -> "linux".
 * For platforms read from an image index, whose fields may be unnormalised.
 */
void platform_normalize(struct platform *p);
/* The host's platform, from uname(2), with the ARM variant where known. */
void platform_host(struct platform *p);
/*
 * What platform_host does, from a uname machine string ("x86_64", "armv7l")
 * and the text of /proc/cpuinfo (NULL when unreadable). For tests.
 */
void platform_from_machine(struct platform *p, const char *machine, const char *cpuinfo);
/* "linux/arm/v7" into buf. */
void platform_format(const struct platform *p, char *buf, unsigned len);
/*
 * Can an image for have run where want is asked? Same os and arch, and the
 * variant equal, or (for arm) have's variant older than or equal to want's
 * (a v7 host runs v6 and v5 images), or have's empty.
 */
bool platform_match(const struct platform *want, const struct platform *have);
/* Among candidates, the index of the best match for want (newest compatible variant), or -1. */
int platform_best(const struct platform *want, const struct platform *cands, int n);

#endif
