/* SPDX-License-Identifier: Apache-2.0 */
/* protobuf-c's map<string, string> fields: arrays of key/value entry messages, one layout for all. */
#include "pbmap.h"

#include <string.h>

/* The layout every map<string, string> entry message of protobuf-c has. */
struct pbmap_entry {
	ProtobufCMessage base;
	char *key;
	char *value;
};

json_t *
pbmap_to_json(void **entries, size_t n)
{
	struct pbmap_entry **m = (struct pbmap_entry **)entries;
	json_t *o = json_object();

	for (size_t i = 0; i < n; i++)
		json_object_set_new(o, m[i]->key, json_string(m[i]->value));
	return o;
}

void *
pbmap_from_json(struct arena *a, const ProtobufCMessageDescriptor *d, const json_t *o, size_t *n)
{
	struct pbmap_entry **out = arena_array(a, json_object_size(o) + 1, sizeof(*out));
	const char *k;
	json_t *v;

	*n = 0;
	json_object_foreach((json_t *)o, k, v) {
		struct pbmap_entry *m = arena_alloc(a, d->sizeof_message);

		d->message_init(&m->base);
		m->key = arena_strdup(a, k);
		m->value = arena_strdup(a, json_string_value(v) ? json_string_value(v) : "");
		out[(*n)++] = m;
	}
	return out;
}

bool
pbmap_match(const json_t *labels, void **selector, size_t n)
{
	struct pbmap_entry **m = (struct pbmap_entry **)selector;

	for (size_t i = 0; i < n; i++) {
		const char *v = json_string_value(json_object_get(labels, m[i]->key));

		if (!v || strcmp(v, m[i]->value) != 0)
			return false;
	}
	return true;
}
