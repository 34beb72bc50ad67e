/* SPDX-License-Identifier: Apache-2.0 */
/* SHA-256 as FIPS 180-4 describes it, with the x86 SHA extensions when the CPU has them. */
#include "sha256.h"

#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>
#define SHA256_X86 1
#endif

/* The first 32 bits of the fractional parts of the cube roots of the first 64 primes (4.2.2). */
static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* Hash n whole 64-byte blocks at p into the state h. */
typedef void blocks_fn(uint32_t h[8], const unsigned char *p, size_t n);

static inline uint32_t
ror(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32 - n));
}

static inline uint32_t
load_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The message schedule W of one block (6.2.2 step 1). */
static void
schedule(uint32_t w[64], const unsigned char *p)
{
	for (int t = 0; t < 16; t++)
		w[t] = load_be32(p + 4 * t);
	for (int t = 16; t < 64; t++) {
		uint32_t s0 = ror(w[t - 15], 7) ^ ror(w[t - 15], 18) ^ (w[t - 15] >> 3);
		uint32_t s1 = ror(w[t - 2], 17) ^ ror(w[t - 2], 19) ^ (w[t - 2] >> 10);

		w[t] = w[t - 16] + s0 + w[t - 7] + s1;
	}
}

/* The 64 rounds over the working variables a..h, named as in 6.2.2 steps 2-4. */
static void
blocks_portable(uint32_t h[8], const unsigned char *p, size_t n)
{
	uint32_t w[64];

	for (; n > 0; n--, p += 64) {
		uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6],
			 hh = h[7];

		schedule(w, p);
		for (int t = 0; t < 64; t++) {
			uint32_t t1 = hh + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) +
				      ((e & f) ^ (~e & g)) + K[t] + w[t];
			uint32_t t2 =
			    (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));

			hh = g;
			g = f;
			f = e;
			e = d + t1;
			d = c;
			c = b;
			b = a;
			a = t1 + t2;
		}
		h[0] += a;
		h[1] += b;
		h[2] += c;
		h[3] += d;
		h[4] += e;
		h[5] += f;
		h[6] += g;
		h[7] += hh;
	}
}

#ifdef SHA256_X86
#define SHA_NI __attribute__((target("sha,ssse3,sse4.1")))

/*
 * The SHA instructions keep the state as two registers, ABEF and CDGH
 * (A in the top lane), and do two rounds per sha256rnds2: after it the old
 * ABEF is the new CDGH, so the two registers swap roles every two rounds.
 */
static SHA_NI void
blocks_sha_ni(uint32_t h[8], const unsigned char *p, size_t n)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
	__m128i dcba = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)h), 0xb1); /* B A D C */
	__m128i efgh = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(h + 4)), 0x1b);
	__m128i abef = _mm_alignr_epi8(dcba, efgh, 8);
	__m128i cdgh = _mm_blend_epi16(efgh, dcba, 0xf0);

	for (; n > 0; n--, p += 64) {
		__m128i m[4], save_abef = abef, save_cdgh = cdgh;

#pragma GCC unroll 16
		for (int i = 0; i < 16; i++) {
			__m128i *w = &m[i & 3]; /* W[4i..4i+3], replacing W[4i-16..4i-13] */

			if (i < 4)
				*w = _mm_shuffle_epi8(
				    _mm_loadu_si128((const __m128i *)(p + 16 * i)), bswap);
			else
				*w = _mm_sha256msg2_epu32(
				    _mm_add_epi32(
					_mm_sha256msg1_epu32(*w, m[(i + 1) & 3]),
					_mm_alignr_epi8(m[(i + 3) & 3], m[(i + 2) & 3], 4)),
				    m[(i + 3) & 3]);
			__m128i wk = _mm_add_epi32(*w, _mm_loadu_si128((const __m128i *)&K[4 * i]));
			cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);
			abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(wk, 0x0e));
		}
		abef = _mm_add_epi32(abef, save_abef);
		cdgh = _mm_add_epi32(cdgh, save_cdgh);
	}
	__m128i abef_r = _mm_shuffle_epi32(abef, 0x1b); /* F E B A -> A B E F */
	__m128i cdgh_r = _mm_shuffle_epi32(cdgh, 0xb1); /* H G D C -> G H C D */
	_mm_storeu_si128((__m128i *)h, _mm_blend_epi16(abef_r, cdgh_r, 0xf0));
	_mm_storeu_si128((__m128i *)(h + 4), _mm_alignr_epi8(cdgh_r, abef_r, 8));
}

/* CPUID leaf 7 EBX bit 29 is SHA; the code above also uses SSSE3 and SSE4.1 (leaf 1 ECX). */
static bool
have_sha_ni(void)
{
	unsigned a, b, c, d;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSSE3) || !(c & bit_SSE4_1))
		return false;
	return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 29));
}
#endif

/* Chosen once: cpuid traps to the hypervisor in a VM, so it is not asked per hash. */
static blocks_fn *chosen;

static blocks_fn *
fastest(void)
{
#ifdef SHA256_X86
	if (have_sha_ni())
		return blocks_sha_ni;
#endif
	return blocks_portable;
}

static blocks_fn *
blocks(void)
{
	blocks_fn *f = __atomic_load_n(&chosen, __ATOMIC_RELAXED);

	if (!f) {
		f = fastest();
		__atomic_store_n(&chosen, f, __ATOMIC_RELAXED);
	}
	return f;
}

void
sha256_set_accel(bool on)
{
	__atomic_store_n(&chosen, on ? fastest() : blocks_portable, __ATOMIC_RELAXED);
}

const char *
sha256_impl(void)
{
	return blocks() == blocks_portable ? "portable" : "sha-ni";
}

void
sha256_init(struct sha256 *s)
{
	/* the first 32 bits of the fractional parts of the square roots of the first 8 primes */
	static const uint32_t h0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
				       0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

	memcpy(s->h, h0, sizeof(h0));
	s->len = 0;
}

void
sha256_update(struct sha256 *s, const void *data, size_t n)
{
	const unsigned char *p = data;
	size_t fill = s->len % 64;

	if (n == 0)
		return;
	s->len += n;
	if (fill) {
		size_t take = n < 64 - fill ? n : 64 - fill;

		memcpy(s->buf + fill, p, take);
		p += take;
		n -= take;
		if (fill + take < 64)
			return;
		blocks()(s->h, s->buf, 1);
	}
	if (n >= 64)
		blocks()(s->h, p, n / 64);
	memcpy(s->buf, p + (n & ~(size_t)63), n % 64);
}

/* Padding (5.1.1): a 1 bit, zeros up to 56 mod 64 bytes, then the length in bits, big-endian. */
void
sha256_final(struct sha256 *s, unsigned char out[SHA256_LEN])
{
	uint64_t bits = s->len * 8;
	size_t fill = s->len % 64;

	s->buf[fill++] = 0x80;
	if (fill > 56) {
		memset(s->buf + fill, 0, 64 - fill);
		blocks()(s->h, s->buf, 1);
		fill = 0;
	}
	memset(s->buf + fill, 0, 56 - fill);
	for (int i = 0; i < 8; i++)
		s->buf[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
	blocks()(s->h, s->buf, 1);
	for (int i = 0; i < 8; i++)
		for (int j = 0; j < 4; j++)
			out[4 * i + j] = (unsigned char)(s->h[i] >> (24 - 8 * j));
}

void
sha256_buf(const void *data, size_t n, unsigned char out[SHA256_LEN])
{
	struct sha256 s;

	sha256_init(&s);
	sha256_update(&s, data, n);
	sha256_final(&s, out);
}
