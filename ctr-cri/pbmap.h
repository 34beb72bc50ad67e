/* SPDX-License-Identifier: Apache-2.0 */
/* protobuf-c's map<string, string> fields, to and from JSON objects of strings. */
#ifndef CTR_CRI_PBMAP_H
#define CTR_CRI_PBMAP_H

#include <jansson.h>
#include <stdbool.h>
#include <protobuf-c/protobuf-c.h>

#include "arena.h"

/* The entries of a map field (its array of entry messages, n long) as a new JSON object. */
json_t *pbmap_to_json(void **entries, size_t n);
/*
 * A JSON object of strings as the entries of a map field whose entry
 * message d describes: the array to assign to the field, *n its length;
 * all from the arena.
 */
void *pbmap_from_json(struct arena *a, const ProtobufCMessageDescriptor *d, const json_t *o,
		      size_t *n);

/* Does the JSON object labels hold every pair of the map field selector (n entries)? */
bool pbmap_match(const json_t *labels, void **selector, size_t n);

#endif
