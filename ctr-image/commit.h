/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The documents of a committed image: the base image's config and manifest
 * with one more layer, a history entry and the changes asked for.
 */
#ifndef CTR_IMAGE_COMMIT_H
#define CTR_IMAGE_COMMIT_H

#include <jansson.h>

#include "err.h"

struct commit_req {
	const char *message;	/* history comment, or NULL */
	const char *author;	/* config author, or NULL */
	const char *created;	/* RFC 3339, the new config's and history entry's */
	const char *created_by; /* what made the layer (the container's command) */
	const json_t *changes;	/* --change strings, checked by commit_change */
	const json_t *layer;	/* the diff: {mediaType, digest, size, diffID} */
};

/*
 * Apply one change, "KEY=VALUE" or "KEY VALUE" as docker commit takes it,
 * to the "config" object of an image config cfg: CMD and ENTRYPOINT (a JSON
 * array, or a shell command run by /bin/sh -c), ENV (NAME=VALUE, replacing
 * NAME), EXPOSE (PORT[/PROTO]), LABEL (K=V), USER, VOLUME, WORKDIR.
 * Fails "usage" on anything else.
 */
int commit_change(json_t *cfg, const char *change, struct err *e);
/* The new image config from the base's (not changed). New reference. */
json_t *commit_config(const json_t *base, const struct commit_req *r, struct err *e);
/*
 * The new manifest (always OCI: Docker media types of the base are mapped to
 * theirs) from the base manifest, the new config's descriptor, and the base
 * image's name and manifest digest for its annotations. New reference.
 */
json_t *commit_manifest(const json_t *base, const json_t *config_desc, const json_t *layer,
			const char *base_name, const char *base_digest);

#endif
