/* SPDX-License-Identifier: Apache-2.0 */
/* From a gRPC method path and request bytes to response bytes or a status. */
#ifndef CTR_CRI_DISPATCH_H
#define CTR_CRI_DISPATCH_H

#include <stddef.h>
#include <stdint.h>

#include "cri.h"

/*
 * Answer one call of path ("/runtime.v1.RuntimeService/Version") with
 * request bytes req: 0 and *out (new buffer, *outlen bytes) with the
 * packed response, or -1 with s filled (UNIMPLEMENTED for a method we do
 * not serve, INVALID_ARGUMENT for bytes that are no such request).
 */
int dispatch_call(struct cri *c, const char *path, const uint8_t *req, size_t len, uint8_t **out,
		  size_t *outlen, struct cri_status *s);

#endif
