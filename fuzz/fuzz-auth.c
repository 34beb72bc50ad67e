/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: WWW-Authenticate challenges (auth_parse_challenge). */
#include "auth.h"
#include "fuzz.h"

FUZZ_QUIET_INIT

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	struct challenge c;
	struct err e;

	if (auth_parse_challenge(s, &c, &e) == 0) {
		/* a usable challenge: a known scheme, and Bearer has an http(s) realm */
		if (!c.scheme || (strcmp(c.scheme, "bearer") && strcmp(c.scheme, "basic")))
			abort();
		if (!strcmp(c.scheme, "bearer") && (!c.realm || (strncmp(c.realm, "https://", 8) &&
								 strncmp(c.realm, "http://", 7))))
			abort();
		auth_challenge_release(&c);
	}
	free(s);
	return 0;
}
