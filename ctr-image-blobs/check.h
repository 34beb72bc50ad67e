/* SPDX-License-Identifier: Apache-2.0 */
/* ctr-image check's job: an image's blobs present, of their size and digest; --repair. */
#ifndef CTR_IMAGE_CHECK_H
#define CTR_IMAGE_CHECK_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "content.h"
#include "state.h"

/*
 * One run over any number of images: each blob is hashed once, and with
 * repair each bad blob repaired once (repair.h). Init with check_init,
 * release with check_release.
 */
struct checker {
	const struct content *c;
	const struct state *st;
	json_t *seen;	 /* digest -> problem text, "" when the blob is good */
	json_t *repairs; /* with repair: what was done per digest, else NULL */
};

/* What check_image found for one image. Release with check_result_release. */
struct check_result {
	json_t *problems; /* [{"digest","problem","size"?}], empty when the image is whole */
	json_t
	    *repairs; /* with repair and a problem: what was done, as repair_blob says; else NULL */
	size_t blobs; /* descriptors checked */
	int64_t bytes; /* their sizes */
};

void check_init(struct checker *k, const struct state *st, const struct content *c, bool repair);
void check_release(struct checker *k);
/*
 * Check image record rec: its target and, per its layout entry, the
 * platforms pulled; a blob found bad is marked so (content-bad). With
 * repair, each bad blob is repaired and the image checked again. Returns 0
 * with r filled, or -1 with e set when a repair failed on the store itself.
 */
int check_image(struct checker *k, const json_t *rec, struct check_result *r, struct err *e);
void check_result_release(struct check_result *r);

#endif
