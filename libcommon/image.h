/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Image records: a name in a namespace pointing at a manifest or index in the
 * content store. The documents themselves are checked by ocidoc.h.
 */
#ifndef CTR_IMAGE_H
#define CTR_IMAGE_H

#include <jansson.h>

#include "content.h"
#include "err.h"
#include "platform.h"
#include "state.h"

/*
 * A record, $ROOT/images/<ns>/<escaped name>.json:
 * {"name":"docker.io/library/alpine:3.20","target":{descriptor},
 *  "labels":{...},"created":"RFC 3339","updated":"RFC 3339"}
 */

/*
 * What a stage reading "-" takes from JSON another tool printed about an
 * image: an image document as it is; `ctr-image inspect`'s {"image":...,
 * "record":...}: its image; a record (an element of `ctr-image ls --json`: name
 * and target), resolved in the store for the host's platform. New reference,
 * or NULL with code "invalid" for anything else.
 */
json_t *image_stage_doc(const struct state *st, json_t *in, struct err *e);

/* Load the record of name (a normalised reference string). New reference. */
json_t *image_load(const struct state *st, const char *name, struct err *e);
/*
 * A name with a digest (NAME@sha256:...) says what the image is: is it
 * digest, the target's? Else code "invalid": every reader by that name (a
 * run, a pull finding it stored) would take other content for it.
 * image_store checks it; writers check first so as to change nothing.
 */
int image_name_check(const char *name, const char *digest, struct err *e);
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
/*
 * image_resolve for the host platform or, when the record's target is an
 * index of which the store holds other platforms only, for the first one it
 * holds. New reference, or NULL with e saying why the host's failed.
 */
json_t *image_resolve_held(const struct content *c, const json_t *record, struct err *e);

/* The record's file name under images/<ns>/: name percent-encoded. New string. */
char *image_file_name(const char *name);

#endif
