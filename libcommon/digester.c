/* SPDX-License-Identifier: Apache-2.0 */
/* Streaming sha256 of large blobs through OpenSSL's EVP interface (its assembly is the fastest we
 * have). */
#include "digest.h"

#include <openssl/evp.h>

#include "xmem.h"

void
digester_init(struct digester *d)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		xmalloc((size_t)-1); /* allocation failure: exits 111 */
	d->ctx = ctx;
}

void
digester_update(struct digester *d, const void *buf, size_t n)
{
	EVP_DigestUpdate(d->ctx, buf, n);
}

void
digester_final(struct digester *d, char out[DIGEST_STR_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	EVP_DigestFinal_ex(d->ctx, md, &n);
	digest_format(md, out);
	EVP_DigestInit_ex(d->ctx, EVP_sha256(), NULL);
}

void
digester_release(struct digester *d)
{
	EVP_MD_CTX_free(d->ctx);
	d->ctx = NULL;
}
