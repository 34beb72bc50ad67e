/* SPDX-License-Identifier: Apache-2.0 */
/* docker save archives ("docker-archive"): import as OCI images, export in docker 25's layout. */
#ifndef CTR_IMAGE_DOCKER_ARCHIVE_H
#define CTR_IMAGE_DOCKER_ARCHIVE_H

#include <jansson.h>

#include "oci-archive.h"

/*
 * The images of a docker archive's manifest.json, once oci_archive_read
 * took in the archive: each entry's Config and Layers found (through links),
 * the config parsed with one diff_id per layer and every layer's diff_id
 * checked; only then are the files published from the spool as blobs and an
 * OCI manifest stored for each image (layers as stored, gzip or plain tar,
 * the config as is). Names come from RepoTags, normalised; name, when not
 * NULL, names the single image instead. An image of more than max_layers
 * layers is refused before its config is read. Returns the plan as
 * oci_archive_plan does: a new reference, or NULL with e filled and nothing
 * published.
 */
json_t *docker_archive_plan(struct oci_archive_in *in, const char *name, size_t max_layers,
			    struct err *e);

/*
 * Write the images of docs (image documents of ctr-json(7): name, config,
 * layers, diff_ids) as a docker save archive to fd, in the layout of docker
 * 25 and skopeo: manifest.json first ([{"Config","RepoTags","Layers"}], one
 * entry per image, the names of one image as its RepoTags), then
 * blobs/sha256/<hex> of each config and of each layer decompressed (a
 * docker archive's layers are tar, named by their diff_id), each once.
 * Every compressed layer is decompressed and checked against its diff_id
 * before the first byte goes out.
 */
int docker_archive_export(const struct content *c, const json_t *docs, int fd, struct err *e);

#endif
