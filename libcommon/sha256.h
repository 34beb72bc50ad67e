/* SPDX-License-Identifier: Apache-2.0 */
/* A self-contained SHA-256 (FIPS 180-4) so that tools hashing small things need no libcrypto. */
#ifndef CTR_SHA256_H
#define CTR_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32 /* bytes of a raw digest */

/* The whole hash state, in the caller's memory: no heap, no release. */
struct sha256 {
	uint32_t h[8];
	uint64_t len;	       /* bytes fed so far */
	unsigned char buf[64]; /* the partial block, len % 64 bytes of it */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t n);
/* Writes the digest to out; s must be initialised again before reuse. */
void sha256_final(struct sha256 *s, unsigned char out[SHA256_LEN]);
/* One-shot: sha256_init + sha256_update + sha256_final. */
void sha256_buf(const void *data, size_t n, unsigned char out[SHA256_LEN]);

/* The block code in use: "sha-ni" (x86 SHA extensions) or "portable". */
const char *sha256_impl(void);
/* For tests: false makes later hashing use the portable code, true the fastest one. */
void sha256_set_accel(bool on);

#endif
