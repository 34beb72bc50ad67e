/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: digest strings (digest_valid, digest_check), checked against the grammar. */
#include <ctype.h>

#include "digest.h"
#include "fuzz.h"

FUZZ_QUIET_INIT

/* The grammar digest_valid() promises, written out plainly. */
static bool
grammar(const char *s)
{
	if (strncmp(s, "sha256:", 7) || strlen(s) != DIGEST_STR_LEN)
		return false;
	for (s += 7; *s; s++)
		if (!isdigit((unsigned char)*s) && !(*s >= 'a' && *s <= 'f'))
			return false;
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	bool ok = digest_valid(s);
	struct err e;

	if (ok != grammar(s) || ok != (digest_check(s, "fuzz", &e) == 0))
		abort();
	if (ok && strcmp(digest_hex(s), s + 7))
		abort();
	free(s);
	return 0;
}
