/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for chain IDs: vectors computed outside this code, and refusals. */
#include "tap.h"

#include "chain.h"

/*
 * Diff IDs are sha256 of "layer one", "layer two", "layer three"; the chain
 * IDs were computed with the shell, independent of chain.c:
 *   printf '%s %s' "$c1" "$d2" | sha256sum
 */
#define D1 "sha256:f191e625176e7514249870c60bc24622131b04927a418001d1969c9cecd260f1"
#define D2 "sha256:77c7ed05b2e49df2e55d70cb007508cc66b2f5419a940bfd6f8749ba7db77c45"
#define D3 "sha256:6483085b79dcef99d4d90b43a910666cdce078bf772da453728f8c385fbfdf2f"
#define C2 "sha256:d440fc2ac5bfa225471b58c5d6b4283504f5dfbcd6251023a635cdcd0c058e3e"
#define C3 "sha256:952689aceeac7e377b602804de533a4ad47ba634e3917ca7cb071e5ff2bff6cd"

static void
test_chain_next_vectors(void)
{
	char c[DIGEST_STR_LEN + 1];

	chain_next(NULL, D1, c);
	is_str(c, D1, "the bottom layer's chain ID is its diff ID");
	chain_next(c, D2, c);
	is_str(c, C2, "two layers (parent and out may be one buffer)");
	chain_next(C2, D3, c);
	is_str(c, C3, "three layers");
}

static void
test_chain_ids_prefixes(void)
{
	struct err e = {0};
	json_auto_t *ids = json_pack("[s,s,s]", D1, D2, D3);
	json_auto_t *none = json_array();
	json_auto_t *chains = chain_ids(ids, &e), *empty = chain_ids(none, &e);
	char *top = chain_top(ids, &e);

	is_int(json_array_size(chains), 3, "one chain ID per layer");
	is_str(json_string_value(json_array_get(chains, 0)), D1, "prefix 0");
	is_str(json_string_value(json_array_get(chains, 1)), C2, "prefix 1");
	is_str(json_string_value(json_array_get(chains, 2)), C3, "prefix 2");
	is_str(top, C3, "chain_top is the last prefix");
	ok(empty && json_array_size(empty) == 0, "no layers: no chain IDs");
	free(top);
}

static void
test_chain_refusals(void)
{
	static const char *const bad[] = {
	    "md5:abc",
	    "sha256:F191E625176E7514249870C60BC24622131B04927A418001D1969C9CECD260F1",
	    "sha256:f191e625176e7514249870c60bc24622131b04927a418001d1969c9cecd260f1 ",
	    "sha256:../../etc",
	};
	json_auto_t *none = json_array(), *obj = json_object(), *num = json_pack("[s,i]", D1, 7);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct err e = {0};
		json_auto_t *ids = json_pack("[s,s]", D1, bad[i]);

		ok(!chain_ids(ids, &e) && !strcmp(e.code, "invalid"), "refused: '%s'", bad[i]);
		ok(strstr(e.msg, "diff_id") != NULL, "the message says which: %s", e.msg);
	}
	struct err e = {0};
	ok(!chain_ids(num, &e), "a diff ID that is not a string is refused");
	ok(!chain_ids(obj, &e), "not an array is refused");
	ok(!chain_top(none, &e) && strstr(e.msg, "no diff_ids"), "chain_top of no layers: %s",
	   e.msg);
	ok(!chain_top(NULL, &e), "chain_top of nothing");
}

int
main(void)
{
	RUN(test_chain_next_vectors);
	RUN(test_chain_ids_prefixes);
	RUN(test_chain_refusals);
	return tap_done();
}
