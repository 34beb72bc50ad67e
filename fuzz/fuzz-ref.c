/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: image references (ref_parse), and that a normalised one parses back to itself. */
#include "fuzz.h"
#include "ref.h"

FUZZ_QUIET_INIT

/* s must parse, to exactly the normalised string want. */
static void
parses_to(const char *s, const char *want)
{
	struct ref r;
	struct err e;
	char *got;

	if (ref_parse(s, &r, &e) < 0)
		abort();
	got = ref_string(&r);
	if (strcmp(got, want))
		abort();
	free(got);
	ref_release(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), *str, *name, *fam;
	struct ref r;
	struct err e;

	if (ref_parse(s, &r, &e) < 0) {
		free(s);
		return 0;
	}
	str = ref_string(&r);
	name = ref_name(&r);
	fam = ref_familiar(&r);
	parses_to(str, str);
	parses_to(fam, str);
	(void)ref_registry_host(&r);
	(void)ref_is_loopback(&r);
	free(str);
	free(name);
	free(fam);
	ref_release(&r);
	free(s);
	return 0;
}
