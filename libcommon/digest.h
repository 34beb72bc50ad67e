/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Content digests ("sha256:<64 hex>"): strict validation, one-shot sha256 of
 * small buffers (sha256.c, no libcrypto) and streaming sha256 (digester.c).
 */
#ifndef CTR_DIGEST_H
#define CTR_DIGEST_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

#define DIGEST_HEX_LEN 64
#define DIGEST_STR_LEN (7 + DIGEST_HEX_LEN) /* "sha256:" + hex, without the NUL */

/*
 * Is s exactly "sha256:" followed by 64 lowercase hex digits? Only such a
 * string may ever become a path or a URL: anything else (other algorithms,
 * uppercase, "../", trailing bytes) is refused here.
 */
bool digest_valid(const char *s);
/* digest_valid() with an error message naming what the digest was for. */
int digest_check(const char *s, const char *what, struct err *e);
/* The hex part of a valid digest (borrowed, points into s). */
const char *digest_hex(const char *s);

/* One-shot digest of a buffer, with sha256.c: linking it does not pull in libcrypto. */
void digest_buf(const void *buf, size_t n, char out[DIGEST_STR_LEN + 1]);
/* Format a raw 32-byte sha256 as "sha256:<hex>" (DIGEST_STR_LEN + 1 bytes). */
void digest_format(const unsigned char md[32], char out[DIGEST_STR_LEN + 1]);

/*
 * Streaming sha256 for large blobs (digester.c, OpenSSL EVP): only tools
 * that call these link libcrypto. The context is heap-allocated by OpenSSL.
 */
struct digester {
	void *ctx; /* EVP_MD_CTX * */
};
void digester_init(struct digester *d);
void digester_update(struct digester *d, const void *buf, size_t n);
/* Writes "sha256:<hex>" (DIGEST_STR_LEN + 1 bytes) to out and resets d for reuse. */
void digester_final(struct digester *d, char out[DIGEST_STR_LEN + 1]);
void digester_release(struct digester *d);

#endif
