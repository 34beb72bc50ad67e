/* SPDX-License-Identifier: Apache-2.0 */
/* Inside the layer writer: its state, shared by the stream (layer.c) and the entries (layer-entry.c). */
#ifndef CTR_SNAPSHOT_LAYER_INT_H
#define CTR_SNAPSHOT_LAYER_INT_H

#include <stdbool.h>

#include "layer.h"

struct archive;

/* A regular file with more than one link, added already: its next link is a hard link entry. */
struct layer_link {
	dev_t dev;
	ino_t ino;
	char *path;
};

struct layer_writer {
	const struct content *c;
	enum layer_compression comp;
	int64_t epoch;
	struct archive *a;
	struct digester tar;	   /* the diffID */
	struct content_writer out; /* the blob */
	int copy_fd;		   /* a copy of the blob's bytes (layer_writer_copy_to), or -1 */
	void *gz;		   /* z_stream * */
	void *zs;		   /* ZSTD_CCtx * */
	unsigned char obuf[1 << 16];
	struct err err; /* the first failure under libarchive's write callback */
	bool failed;
	struct layer_link *links;
	size_t nlinks, caplinks;
};

void layer_links_free(struct layer_writer *w);

#endif
