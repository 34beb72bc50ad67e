/* SPDX-License-Identifier: Apache-2.0 */
/* Image records: a name in a namespace pointing at a manifest or index in the content store. */
#ifndef CTR_IMAGE_H
#define CTR_IMAGE_H

#include <jansson.h>
#include <stdbool.h>

#include "content.h"
#include "err.h"
#include "platform.h"
#include "state.h"

/*
 * A record, $ROOT/images/<ns>/<escaped name>.json:
 * {"name":"docker.io/library/alpine:3.20","target":{descriptor},
 *  "labels":{...},"created":"RFC 3339","updated":"RFC 3339"}
 */

/* Load the record of name (a normalised reference string). New reference. */
json_t *image_load(const struct state *st, const char *name, struct err *e);
/* Write (create or replace) a record under the image's lock. */
int image_store(const struct state *st, const json_t *record, struct err *e);
/*
 * Every record of st's namespace, sorted by name, as a new JSON array.
 * Malformed records are skipped with a warning.
 */
json_t *image_list(const struct state *st, struct err *e);
/* Remove name's record under its lock; code "not-found" when there is none. */
int image_remove(const struct state *st, const char *name, struct err *e);
/*
 * The stage document (ctr-json(7) "image") for record: the manifest for
 * platform p chosen from an index when the target is one, its config and
 * layers, and the config's diff_ids. New reference.
 */
json_t *image_resolve(const struct content *c, const json_t *record, const struct platform *p,
		      struct err *e);

/* Media types (RFC 6838 strings without parameters). */
#define IMAGE_MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define IMAGE_MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define IMAGE_MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define IMAGE_MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define IMAGE_MANIFEST_MAX (4u << 20) /* manifests and indexes */
#define IMAGE_CONFIG_MAX (16u << 20)  /* image configs */

bool image_is_index_type(const char *mt);
bool image_is_manifest_type(const char *mt);
/* A descriptor: object, known-shape mediaType, valid digest, size >= 0. */
int image_check_descriptor(const json_t *d, const char *what, struct err *e);
/*
 * Check a manifest or index document fetched as media type mt: schemaVersion
 * 2, an embedded mediaType equal to mt when present, no mix of "manifests"
 * with "config"/"layers", known config and layer media types.
 */
int image_check_document(const json_t *doc, const char *mt, struct err *e);
/* Position in index's "manifests" of the best entry for p, or -1 (e filled). */
int image_index_select(const json_t *index, const struct platform *p, struct err *e);
/* The platform of an index entry (or of a config) as a platform struct. */
int image_platform_of(const json_t *obj, struct platform *p, struct err *e);
/* Copy of the config's rootfs.diff_ids, checked (nlayers valid digests). New reference. */
json_t *image_config_diff_ids(const json_t *config, size_t nlayers, struct err *e);
/* The record's file name under images/<ns>/: name percent-encoded. New string. */
char *image_file_name(const char *name);

#endif
