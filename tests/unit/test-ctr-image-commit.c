/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for ctr-image commit's documents: --change, the new config and manifest. */
#include <jansson.h>

#include "commit.h"
#include "tap.h"

/* The "config" of {} after one change, as compact JSON with sorted keys (new string). */
static char *
after(const char *change, int *rc)
{
	json_t *img = json_object();
	struct err e;
	char *s;

	*rc = commit_change(img, change, &e);
	s = json_dumps(json_object_get(img, "config"), JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(img);
	return s;
}

static void
test_commit_change_table(void)
{
	static const struct {
		const char *change, *config; /* NULL config: refused */
	} t[] = {
	    {"CMD=echo hi", "{\"Cmd\":[\"/bin/sh\",\"-c\",\"echo hi\"]}"},
	    {"CMD [\"a\",\"b\"]", "{\"Cmd\":[\"a\",\"b\"]}"},
	    {"ENTRYPOINT=[\"/bin/x\"]", "{\"Entrypoint\":[\"/bin/x\"]}"},
	    {"ENV=A=1", "{\"Env\":[\"A=1\"]}"},
	    {"ENV A=b=c", "{\"Env\":[\"A=b=c\"]}"},
	    {"LABEL=k=v", "{\"Labels\":{\"k\":\"v\"}}"},
	    {"EXPOSE=80", "{\"ExposedPorts\":{\"80/tcp\":{}}}"},
	    {"EXPOSE=53/udp", "{\"ExposedPorts\":{\"53/udp\":{}}}"},
	    {"USER=app", "{\"User\":\"app\"}"},
	    {"VOLUME=/data", "{\"Volumes\":{\"/data\":{}}}"},
	    {"WORKDIR=/srv", "{\"WorkingDir\":\"/srv\"}"},
	    {"CMD=[1]", NULL},
	    {"CMD=[\"a\"", NULL},
	    {"ENV=noequals", NULL},
	    {"ENV==x", NULL},
	    {"LABEL=novalue", NULL},
	    {"EXPOSE=http", NULL},
	    {"WORKDIR=relative", NULL},
	    {"VOLUME=data", NULL},
	    {"RUN=true", NULL},
	    {"cmd=x", NULL},
	    {"CMD", NULL},
	    {"", NULL},
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int rc;
		char *got = after(t[i].change, &rc);

		is_int(rc, t[i].config ? 0 : -1, "change '%s' %s", t[i].change,
		       t[i].config ? "applies" : "is refused");
		if (t[i].config)
			is_str(got, t[i].config, "config after '%s'", t[i].change);
		free(got);
	}
}

static void
test_commit_change_env_replaces(void)
{
	json_t *img = json_pack("{s:{s:[s, s]}}", "config", "Env", "PATH=/bin", "A=old");
	struct err e;

	ok(commit_change(img, "ENV=A=new", &e) == 0, "ENV of a set name");
	{
		json_t *want = json_pack("[s, s]", "PATH=/bin", "A=new");

		ok(json_equal(json_object_get(json_object_get(img, "config"), "Env"), want),
		   "replaces it in place, the others kept");
		json_decref(want);
	}
	json_decref(img);
}

static void
test_commit_config_and_manifest(void)
{
	json_t *base =
	    json_pack("{s:s, s:{s:s, s:[s]}, s:[{s:s}]}", "architecture", "amd64", "rootfs", "type",
		      "layers", "diff_ids", "sha256:aa", "history", "created_by", "base");
	json_t *layer = json_pack("{s:s, s:s, s:i, s:s}", "mediaType",
				  "application/vnd.oci.image.layer.v1.tar+zstd", "digest",
				  "sha256:cc", "size", 7, "diffID", "sha256:bb");
	json_t *changes = json_pack("[s]", "USER=app");
	struct commit_req r = {"msg", "me", "2026-12-06T00:00:00Z", "sh -c x", changes, layer};
	json_t *bman = json_pack(
	    "{s:i, s:s, s:{}, s:[{s:s, s:s, s:i}]}", "schemaVersion", 2, "mediaType",
	    "application/vnd.docker.distribution.manifest.v2+json", "config", "layers", "mediaType",
	    "application/vnd.docker.image.rootfs.diff.tar.gzip", "digest", "sha256:dd", "size", 5);
	json_t *cdesc = json_pack("{s:s, s:i}", "digest", "sha256:ee", "size", 9);
	struct err e;
	json_t *cfg = commit_config(base, &r, &e), *man, *h;
	json_t *want = json_pack("[s, s]", "sha256:aa", "sha256:bb");

	ok(cfg != NULL, "a config");
	ok(json_equal(json_object_get(json_object_get(cfg, "rootfs"), "diff_ids"), want),
	   "the layer's diffID appended");
	h = json_array_get(json_object_get(cfg, "history"), 1);
	is_str(json_string_value(json_object_get(h, "comment")), "msg", "history comment");
	is_str(json_string_value(json_object_get(h, "created_by")), "sh -c x",
	       "history created_by");
	is_str(json_string_value(json_object_get(cfg, "author")), "me", "author");
	is_str(json_string_value(json_object_get(json_object_get(cfg, "config"), "User")), "app",
	       "the change applied");
	ok(json_array_size(json_object_get(json_object_get(base, "rootfs"), "diff_ids")) == 1,
	   "the base config untouched");
	man = commit_manifest(bman, cdesc, layer, "reg/base:1", "sha256:ff");
	is_str(json_string_value(json_object_get(man, "mediaType")),
	       "application/vnd.oci.image.manifest.v1+json", "an OCI manifest from a Docker one");
	is_str(json_string_value(
		   json_object_get(json_array_get(json_object_get(man, "layers"), 0), "mediaType")),
	       "application/vnd.oci.image.layer.v1.tar+gzip", "Docker's gzip layer as OCI's");
	is_str(json_string_value(
		   json_object_get(json_array_get(json_object_get(man, "layers"), 1), "digest")),
	       "sha256:cc", "the new layer last");
	is_str(json_string_value(json_object_get(json_object_get(man, "annotations"),
						 "org.opencontainers.image.base.digest")),
	       "sha256:ff", "the base named");
	json_object_del(base, "rootfs");
	ok(commit_config(base, &r, &e) == NULL, "a base config without rootfs.diff_ids is refused");
	json_decref(man);
	json_decref(cfg);
	json_decref(base);
	json_decref(layer);
	json_decref(changes);
	json_decref(bman);
	json_decref(cdesc);
	json_decref(want);
}

int
main(void)
{
	RUN(test_commit_change_table);
	RUN(test_commit_change_env_replaces);
	RUN(test_commit_config_and_manifest);
	return tap_done();
}
