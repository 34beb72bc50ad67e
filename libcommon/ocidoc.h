/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OCI (and Docker v2) documents from untrusted sources: media types,
 * descriptors, manifests, indexes and image configs, checked before anything
 * is stored or trusted. Image records, which point at them, are image.h.
 */
#ifndef CTR_OCIDOC_H
#define CTR_OCIDOC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "platform.h"

/* Media types (RFC 6838 strings without parameters). */
#define OCIDOC_MT_INDEX "application/vnd.oci.image.index.v1+json"
#define OCIDOC_MT_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define OCIDOC_MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define OCIDOC_MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define OCIDOC_MANIFEST_MAX (4u << 20) /* manifests and indexes */
#define OCIDOC_CONFIG_MAX (16u << 20)  /* image configs */

/* Is mt an index (OCI index, Docker manifest list)? A manifest (OCI, Docker v2)? */
bool ocidoc_is_index_type(const char *mt);
bool ocidoc_is_manifest_type(const char *mt);
/*
 * Is index entry m an image's manifest? Not an attestation manifest (its
 * platform os "unknown"), which is never pulled.
 */
bool ocidoc_is_image_entry(const json_t *m);
/* A descriptor: object, known-shape mediaType, valid digest, size >= 0. */
int ocidoc_check_descriptor(const json_t *d, const char *what, struct err *e);
/*
 * Check a manifest or index document fetched as media type mt: schemaVersion
 * 2, an embedded mediaType equal to mt when present, no mix of "manifests"
 * with "config"/"layers", known config and layer media types.
 */
int ocidoc_check_document(const json_t *doc, const char *mt, struct err *e);
/* Position in index's "manifests" of the best entry for p, or -1 (e filled). */
int ocidoc_index_select(const json_t *index, const struct platform *p, struct err *e);
/* The platform of an index entry (or of a config) as a platform struct. */
int ocidoc_platform_of(const json_t *obj, struct platform *p, struct err *e);
/* Copy of the config's rootfs.diff_ids, checked (nlayers valid digests). New reference. */
json_t *ocidoc_config_diff_ids(const json_t *config, size_t nlayers, struct err *e);

#endif
