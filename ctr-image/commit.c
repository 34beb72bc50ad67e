/* SPDX-License-Identifier: Apache-2.0 */
/* A committed image's config and manifest, built from its base's and a new layer. */
#include "commit.h"

#include <ctype.h>
#include <string.h>

#include "cleanup.h"
#include "jsonio.h"
#include "ocidoc.h"
#include "xmem.h"

#define MT_CONFIG "application/vnd.oci.image.config.v1+json"

/* "[...]" is the exec form, a JSON array of strings; anything else the shell form. */
static json_t *
command_value(const char *v, struct err *e)
{
	json_error_t je;
	json_t *a, *s;
	size_t i;

	if (*v != '[')
		return json_pack("[s, s, s]", "/bin/sh", "-c", v);
	a = json_loads(v, JSON_REJECT_DUPLICATES, &je);
	json_array_foreach(a, i, s)
		if (!json_is_string(s))
			break;
	if (!json_is_array(a) || i != json_array_size(a)) {
		json_decref(a);
		err_code(e, "usage", "'%.64s' is not a JSON array of strings", v);
		return NULL;
	}
	return a;
}

/* Set K=V in the array of "K=V" strings at cfg[key], replacing K. */
static int
set_env(json_t *cfg, const char *kv, struct err *e)
{
	const char *eq = strchr(kv, '=');
	json_t *env = json_object_get(cfg, "Env"), *s;
	size_t i, klen;

	if (!eq || eq == kv)
		return err_code(e, "usage", "ENV '%.64s' is not NAME=VALUE", kv);
	klen = (size_t)(eq - kv) + 1;
	if (!json_is_array(env))
		json_object_set_new(cfg, "Env", env = json_array());
	json_array_foreach(env, i, s)
		if (json_is_string(s) && !strncmp(json_string_value(s), kv, klen))
			return json_array_set_new(env, i, json_string(kv));
	return json_array_append_new(env, json_string(kv));
}

/* cfg[key][k] = value, making the object as needed. */
static int
set_member(json_t *cfg, const char *key, const char *k, size_t klen, json_t *value)
{
	json_t *o = json_object_get(cfg, key);

	if (!json_is_object(o))
		json_object_set_new(cfg, key, o = json_object());
	return json_object_setn_new(o, k, klen, value);
}

static int
set_label(json_t *cfg, const char *kv, struct err *e)
{
	const char *eq = strchr(kv, '=');

	if (!eq || eq == kv)
		return err_code(e, "usage", "LABEL '%.64s' is not KEY=VALUE", kv);
	return set_member(cfg, "Labels", kv, (size_t)(eq - kv), json_string(eq + 1));
}

static int
set_port(json_t *cfg, const char *v, struct err *e)
{
	_cleanup_free_ char *p = strchr(v, '/') ? xstrdup(v) : xasprintf("%s/tcp", v);

	if (!isdigit((unsigned char)*v))
		return err_code(e, "usage", "EXPOSE '%.64s' is not PORT[/PROTO]", v);
	return set_member(cfg, "ExposedPorts", p, strlen(p), json_object());
}

int
commit_change(json_t *img, const char *change, struct err *e)
{
	size_t n = strspn(change, "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
	const char *v = change + n + 1;
	json_t *cfg = json_object_get(img, "config"), *cmd;

	if (!json_is_object(cfg))
		json_object_set_new(img, "config", cfg = json_object());
	if (!n || (change[n] != '=' && change[n] != ' '))
		goto bad;
	if ((n == 3 && !strncmp(change, "CMD", 3)) ||
	    (n == 10 && !strncmp(change, "ENTRYPOINT", 10))) {
		if (!(cmd = command_value(v, e)))
			return -1;
		return json_object_set_new(cfg, n == 3 ? "Cmd" : "Entrypoint", cmd);
	}
	if (n == 3 && !strncmp(change, "ENV", 3))
		return set_env(cfg, v, e);
	if (n == 5 && !strncmp(change, "LABEL", 5))
		return set_label(cfg, v, e);
	if (n == 6 && !strncmp(change, "EXPOSE", 6))
		return set_port(cfg, v, e);
	if (n == 6 && !strncmp(change, "VOLUME", 6) && *v == '/')
		return set_member(cfg, "Volumes", v, strlen(v), json_object());
	if (n == 4 && !strncmp(change, "USER", 4))
		return json_object_set_new(cfg, "User", json_string(v));
	if (n == 7 && !strncmp(change, "WORKDIR", 7) && *v == '/')
		return json_object_set_new(cfg, "WorkingDir", json_string(v));
bad:
	return err_code(e, "usage",
			"--change '%.64s': want CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, "
			"VOLUME=/PATH or WORKDIR=/PATH with a value",
			change);
}

static json_t *
history_entry(const struct commit_req *r)
{
	json_t *h = json_pack("{s:s, s:s}", "created", r->created, "created_by", r->created_by);

	if (r->message)
		json_object_set_new(h, "comment", json_string(r->message));
	if (r->author)
		json_object_set_new(h, "author", json_string(r->author));
	return h;
}

json_t *
commit_config(const json_t *base, const struct commit_req *r, struct err *e)
{
	json_auto_t *cfg = json_deep_copy(base);
	json_t *rootfs = json_object_get(cfg, "rootfs"), *hist, *c;
	size_t i;

	if (!json_is_array(json_object_get(rootfs, "diff_ids")))
		return err_code(e, "corrupt", "base image config has no rootfs.diff_ids"), NULL;
	json_array_foreach(r->changes, i, c)
		if (commit_change(cfg, json_string_value(c), e) < 0)
			return NULL;
	json_array_append(json_object_get(rootfs, "diff_ids"), json_object_get(r->layer, "diffID"));
	hist = json_object_get(cfg, "history");
	if (!json_is_array(hist))
		json_object_set_new(cfg, "history", hist = json_array());
	json_array_append_new(hist, history_entry(r));
	json_object_set_new(cfg, "created", json_string(r->created));
	if (r->author)
		json_object_set_new(cfg, "author", json_string(r->author));
	return json_incref(cfg);
}

/* The OCI media type of a layer of the base (Docker's gzip layers are OCI's). */
static const char *
oci_layer_type(const char *mt)
{
	return strcmp(mt, "application/vnd.docker.image.rootfs.diff.tar.gzip")
		   ? mt
		   : "application/vnd.oci.image.layer.v1.tar+gzip";
}

json_t *
commit_manifest(const json_t *base, const json_t *config_desc, const json_t *layer,
		const char *base_name, const char *base_digest)
{
	json_t *layers = json_array(), *l, *ann;
	size_t i;

	json_array_foreach(json_object_get(base, "layers"), i, l) {
		json_t *d = json_deep_copy(l);

		json_object_set_new(d, "mediaType",
				    json_string(oci_layer_type(jsonio_str(l, "mediaType"))));
		json_array_append_new(layers, d);
	}
	json_array_append_new(layers, json_pack("{s:O, s:O, s:O}", "mediaType",
						json_object_get(layer, "mediaType"), "digest",
						json_object_get(layer, "digest"), "size",
						json_object_get(layer, "size")));
	ann = json_is_object(json_object_get(base, "annotations"))
		  ? json_deep_copy(json_object_get(base, "annotations"))
		  : json_object();
	/* image-spec's pre-defined keys: which image this one was made from */
	json_object_set_new(ann, "org.opencontainers.image.base.name", json_string(base_name));
	json_object_set_new(ann, "org.opencontainers.image.base.digest", json_string(base_digest));
	return json_pack("{s:i, s:s, s:{s:s, s:O, s:O}, s:o, s:o}", "schemaVersion", 2, "mediaType",
			 OCIDOC_MT_MANIFEST, "config", "mediaType", MT_CONFIG, "digest",
			 json_object_get(config_desc, "digest"), "size",
			 json_object_get(config_desc, "size"), "layers", layers, "annotations",
			 ann);
}
