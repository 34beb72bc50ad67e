/* SPDX-License-Identifier: Apache-2.0 */
/* Applies one layer stream onto a directory fd: libarchive reads, our own *at() calls write. */
#ifndef CTR_UNPACK_APPLY_H
#define CTR_UNPACK_APPLY_H

#include <stdbool.h>
#include <stdint.h>

#include "decompress.h"
#include "digest.h"
#include "err.h"

#define APPLY_MAX_SIZE (32ull << 30) /* uncompressed bytes of one layer */
#define APPLY_MAX_ENTRIES 4000000ull /* tar entries of one layer */
#define APPLY_MAX_DEPTH 512u	     /* path components of one entry */
#define APPLY_MAX_DEPTH_CAP 2048u    /* the most max_depth may be: PATH_MAX / 2 */

struct apply_opts {
	bool overlay;	      /* whiteouts become overlay char 0:0 nodes and opaque xattrs */
	bool userxattr;	      /* overlay in a user namespace: user.overlay.opaque */
	bool no_devices;      /* in a user namespace: device nodes are skipped */
	bool squash_ids;      /* a single-id namespace: every owner becomes 0 */
	uint64_t max_size;    /* 0: APPLY_MAX_SIZE */
	uint64_t max_entries; /* 0: APPLY_MAX_ENTRIES */
	unsigned max_depth;   /* 0: APPLY_MAX_DEPTH */
	unsigned dflags;      /* DSTREAM_* */
	enum compression hint;
};

struct apply_result {
	char digest[DIGEST_STR_LEN + 1];  /* sha256 of the bytes read from layerfd */
	char diff_id[DIGEST_STR_LEN + 1]; /* sha256 of the whole decompressed stream */
	uint64_t compressed, size, entries;
	char format[8]; /* "gzip", "zstd", "none" */
};

/*
 * Inside a user namespace (the store opened: priv.h): no device nodes, the
 * user overlay xattrs, and every owner squashed when it maps one id.
 */
void apply_rootless(struct apply_opts *o);
/*
 * Apply the layer read from layerfd onto rootfd (an overlay upperdir when
 * o->overlay, else a native snapshot's full tree, changed in place), then
 * syncfs. Digests are computed, not compared: the caller checks them before
 * it commits. On failure the tree is half-applied: the caller removes it.
 */
int apply_layer(int rootfd, int layerfd, const struct apply_opts *o, struct apply_result *r,
		struct err *e);

#endif
