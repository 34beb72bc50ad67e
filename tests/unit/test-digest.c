/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for digests: known sha256 vectors, streaming, strict validation. */
#include "tap.h"

#include "digest.h"

#define HEX "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void
test_digest_known_vectors(void)
{
	/* FIPS 180-2 test vectors */
	static const char *const cases[][2] = {
	    {"", "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
	    {"abc", "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	    {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	     "sha256:248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
	};
	char out[DIGEST_STR_LEN + 1];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		digest_buf(cases[i][0], strlen(cases[i][0]), out);
		is_str(out, cases[i][1], "sha256('%.10s')", cases[i][0]);
		ok(digest_valid(out), "result #%zu is a valid digest", i);
	}
}

/* One million 'a', fed in uneven chunks, equals the FIPS vector and the one-shot digest. */
static void
test_digest_streaming(void)
{
	static const char want[] =
	    "sha256:cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
	static const size_t chunks[] = {1, 7, 63, 64, 65, 4096, 100000};
	const size_t n = 1000000;
	char *buf = malloc(n), one[DIGEST_STR_LEN + 1], out[DIGEST_STR_LEN + 1];
	struct digester d;

	memset(buf, 'a', n);
	digest_buf(buf, n, one);
	is_str(one, want, "one-shot sha256 of a million 'a'");
	digester_init(&d);
	for (size_t k = 0; k < sizeof(chunks) / sizeof(chunks[0]); k++) {
		for (size_t done = 0; done < n;) {
			size_t step = n - done < chunks[k] ? n - done : chunks[k];

			digester_update(&d, buf + done, step);
			done += step;
		}
		digester_final(&d, out); /* also resets d for the next round */
		is_str(out, want, "chunks of %zu equal one-shot", chunks[k]);
	}
	digester_update(&d, "abc", 3);
	digester_final(&d, out);
	is_str(out, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	       "a reset digester starts from scratch");
	digester_update(&d, "", 0);
	digester_final(&d, out);
	is_str(out, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	       "zero-length update");
	digester_release(&d);
	ok(d.ctx == NULL, "release clears the context");
	free(buf);
}

static void
test_digest_valid_table(void)
{
	static const struct {
		const char *s;
		bool valid;
	} cases[] = {
	    {"sha256:" HEX, true},
	    {"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", true},
	    {"sha256:0000000000000000000000000000000000000000000000000000000000000000", true},
	    {"sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", false},
	    {"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde", false},
	    {"sha256:" HEX "0", false},
	    {"sha256:" HEX "\n", false},
	    {"sha256:" HEX " ", false},
	    {" sha256:" HEX, false},
	    {"SHA256:" HEX, false},
	    {"sha256 :" HEX, false},
	    {"sha256::" HEX, false},
	    {"sha256:../../../../etc/passwd", false},
	    {"sha256:../" HEX, false},
	    {"sha256:" HEX "/..", false},
	    {"sha512:" HEX HEX, false},
	    {"sha384:" HEX "0123456789abcdef0123456789abcdef", false},
	    {"md5:0123456789abcdef0123456789abcdef", false},
	    {HEX, false},
	    {"sha256:", false},
	    {"sha256", false},
	    {"", false},
	    {"sha256:0123456789abcdeg0123456789abcdef0123456789abcdef0123456789abcdef", false},
	    {"sha256:+123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", false},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		is_int(digest_valid(cases[i].s), cases[i].valid, "digest_valid #%zu", i);
	is_int(digest_valid(NULL), false, "NULL is not valid");
}

static void
test_digest_check(void)
{
	char big[400];
	struct err e;

	is_int(digest_check("sha256:" HEX, "layer 0", &e), 0, "valid digest passes");
	is_int(digest_check("sha512:abc", "layer 0", &e), -1, "sha512 refused");
	is_str(e.code, "invalid", "code invalid");
	ok(strstr(e.msg, "layer 0") && strstr(e.msg, "sha512:abc"), "message names both: %s",
	   e.msg);
	is_int(digest_check(NULL, "config", &e), -1, "NULL refused");
	ok(strstr(e.msg, "(null)"), "NULL shown as (null)");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	is_int(digest_check(big, "blob", &e), -1, "long junk refused");
	ok(strlen(e.msg) < 200, "message caps the bad string (%zu bytes)", strlen(e.msg));
	is_str(digest_hex("sha256:" HEX), HEX, "digest_hex points at the hex");
}

int
main(void)
{
	RUN(test_digest_known_vectors);
	RUN(test_digest_streaming);
	RUN(test_digest_valid_table);
	RUN(test_digest_check);
	return tap_done();
}
