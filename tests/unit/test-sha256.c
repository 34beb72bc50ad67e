/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for sha256.c: FIPS 180 vectors, and OpenSSL's EVP result as the oracle for the rest.
 */
#include "tap.h"

#include <openssl/evp.h>
#include <stdint.h>

#include "sha256.h"

static const char *impl_name; /* "portable" or "sha-ni": the code under test */

static void
hex(const unsigned char md[SHA256_LEN], char out[2 * SHA256_LEN + 1])
{
	for (int i = 0; i < SHA256_LEN; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
}

static void
evp_sha256(const void *p, size_t n, unsigned char md[SHA256_LEN])
{
	unsigned int len = 0;

	if (EVP_Digest(p, n, md, &len, EVP_sha256(), NULL) != 1 || len != SHA256_LEN)
		printf("Bail out! EVP_Digest failed\n"), exit(1);
}

/* xorshift64*: a fixed seed, so a failure reproduces */
static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t
rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static void
test_sha256_nist_vectors(void)
{
	static const char *const cases[][2] = {
	    {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
	    {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	    {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", /* 448 bits, two blocks */
	     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
	};
	unsigned char md[SHA256_LEN];
	char got[2 * SHA256_LEN + 1];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sha256_buf(cases[i][0], strlen(cases[i][0]), md);
		hex(md, got);
		is_str(got, cases[i][1], "%s: sha256 of %zu bytes '%.8s'", impl_name,
		       strlen(cases[i][0]), cases[i][0]);
	}
}

/* One million 'a' (FIPS 180 appendix), fed in odd-sized chunks that straddle block edges. */
static void
test_sha256_million_a(void)
{
	static const size_t chunks[] = {1, 3, 55, 63, 65, 127, 997, 65537, 1000000};
	const size_t n = 1000000;
	char *buf = malloc(n), got[2 * SHA256_LEN + 1];
	unsigned char md[SHA256_LEN];
	struct sha256 s;

	memset(buf, 'a', n);
	for (size_t k = 0; k < sizeof(chunks) / sizeof(chunks[0]); k++) {
		sha256_init(&s);
		for (size_t done = 0; done < n;) {
			size_t step = n - done < chunks[k] ? n - done : chunks[k];

			sha256_update(&s, buf + done, step);
			done += step;
		}
		sha256_final(&s, md);
		hex(md, got);
		is_str(got, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
		       "%s: a million 'a' in chunks of %zu", impl_name, chunks[k]);
	}
	free(buf);
}

/* Every length 0..300 covers each padding case (55, 56, 63, 64, 119, 120 bytes ...). */
static void
test_sha256_every_short_length(void)
{
	unsigned char buf[301], want[SHA256_LEN], md[SHA256_LEN];
	int bad = -1;

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)rnd();
	for (size_t n = 0; n < sizeof(buf) && bad < 0; n++) {
		evp_sha256(buf, n, want);
		sha256_buf(buf, n, md);
		if (memcmp(md, want, SHA256_LEN))
			bad = (int)n;
	}
	is_int(bad, -1, "%s: lengths 0..300 equal OpenSSL (first mismatch at -1 = none)",
	       impl_name);
}

/* Random data of random lengths 0..10000, one-shot and in random splits, against EVP. */
static void
test_sha256_random_vs_openssl(void)
{
	enum { ROUNDS = 3000, MAXLEN = 10000 };
	unsigned char *buf = malloc(MAXLEN), want[SHA256_LEN], md[SHA256_LEN];
	int oneshot_bad = 0, split_bad = 0;

	for (int r = 0; r < ROUNDS; r++) {
		size_t n = rnd() % (MAXLEN + 1);
		struct sha256 s;

		for (size_t i = 0; i < n; i++)
			buf[i] = (unsigned char)rnd();
		evp_sha256(buf, n, want);
		sha256_buf(buf, n, md);
		oneshot_bad += memcmp(md, want, SHA256_LEN) != 0;
		sha256_init(&s);
		for (size_t done = 0; done < n;) {
			/* mostly small pieces, sometimes a big one, sometimes empty */
			size_t step = rnd() % 4 == 0 ? rnd() % (n + 1) : rnd() % 130;

			step = step < n - done ? step : n - done;
			sha256_update(&s, buf + done, step);
			done += step;
		}
		sha256_final(&s, md);
		split_bad += memcmp(md, want, SHA256_LEN) != 0;
	}
	is_int(oneshot_bad, 0, "%s: %d random buffers, one-shot equals OpenSSL", impl_name, ROUNDS);
	is_int(split_bad, 0, "%s: %d random buffers, random splits equal OpenSSL", impl_name,
	       ROUNDS);
	free(buf);
}

static void
test_sha256_null_empty_update(void)
{
	unsigned char a[SHA256_LEN], b[SHA256_LEN];
	struct sha256 s;

	sha256_init(&s);
	sha256_update(&s, NULL, 0);
	sha256_update(&s, "ab", 2);
	sha256_update(&s, NULL, 0);
	sha256_update(&s, "c", 1);
	sha256_final(&s, a);
	sha256_buf("abc", 3, b);
	ok(!memcmp(a, b, SHA256_LEN), "%s: empty updates (NULL, 0) change nothing", impl_name);
}

/* The kernel's view of the CPU, as a second opinion on sha256.c's cpuid check. */
static bool
cpu_has_sha_ni(void)
{
	char line[4096];
	bool has = false;
	FILE *f = fopen("/proc/cpuinfo", "re");

	while (f && !has && fgets(line, sizeof(line), f))
		has = !strncmp(line, "flags", 5) && strstr(line, " sha_ni");
	if (f)
		fclose(f);
	return has;
}

static void
run_all(bool accel)
{
	const char *want = accel && cpu_has_sha_ni() ? "sha-ni" : "portable";

	sha256_set_accel(accel);
	impl_name = sha256_impl();
	printf("# code under test: %s\n", impl_name);
	if (accel && !strcmp(impl_name, "portable"))
		printf("# this CPU has no SHA extensions: the portable code runs twice\n");
	is_str(impl_name, want, "set_accel(%d) selects the code /proc/cpuinfo expects", accel);
	RUN(test_sha256_nist_vectors);
	RUN(test_sha256_million_a);
	RUN(test_sha256_every_short_length);
	RUN(test_sha256_random_vs_openssl);
	RUN(test_sha256_null_empty_update);
}

int
main(void)
{
	run_all(false);
	run_all(true);
	return tap_done();
}
