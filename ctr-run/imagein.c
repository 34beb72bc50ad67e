/* SPDX-License-Identifier: Apache-2.0 */
/* Reading the image a container starts from, and checking its snapshot is there. */
#include "imagein.h"

#include <string.h>
#include <unistd.h>

#include "chain.h"
#include "cleanup.h"
#include "content.h"
#include "digest.h"
#include "image.h"
#include "jsonio.h"
#include "ocidoc.h"
#include "platform.h"
#include "ref.h"
#include "snapshot.h"
#include "xmem.h"

void
imagein_release(struct imagein *in)
{
	free(in->name);
	free(in->chain_id);
	free(in->parent);
	free(in->config_digest);
	json_decref(in->config);
	free(in->arch);
	memset(in, 0, sizeof(*in));
}

static int
read_config(const struct state *st, const json_t *desc, struct imagein *in, struct err *e)
{
	const char *d = jsonio_str(desc, "digest");
	struct content c;
	json_auto_t *cfg = NULL;

	if (!d || digest_check(d, "config digest", e) < 0)
		return err_prefix(e, "image config");
	if (content_open(st, &c, e) < 0)
		return -1;
	cfg = content_read_json(&c, d, OCIDOC_CONFIG_MAX, e);
	content_release(&c);
	if (!cfg)
		return err_prefix(e, "image config");
	in->config_digest = xstrdup(d);
	in->config = json_incref(json_object_get(cfg, "config"));
	/* for the seccomp filter's architectures; absent means the host's */
	if (jsonio_str(cfg, "architecture"))
		in->arch = xstrdup(jsonio_str(cfg, "architecture"));
	return 0;
}

static int
check_snapshot(const struct state *st, struct imagein *in, struct err *e)
{
	struct snapshot_store *s;
	const char *kind = NULL;
	bool there;

	if (snapshot_store_open(st, in->snapshotter, &s, e) < 0)
		return -1;
	there = snapshot_exists(s, in->parent, &kind);
	snapshot_store_free(s);
	if (!there)
		return err_code(e, "not-found",
				"image '%s' is not unpacked (no snapshot %.24s... in %s); "
				"run ctr-unpack first",
				in->name, in->parent, snapshotter_name(in->snapshotter));
	if (strcmp(kind, "committed"))
		return err_code(e, "invalid", "snapshot '%s' is not committed", in->parent);
	return 0;
}

/* ctr-pull's image document (or image_resolve's): the chain id comes from diff_ids. */
static int
from_image_doc(const struct state *st, const json_t *doc, struct imagein *in, struct err *e)
{
	const char *name = jsonio_str(doc, "name");

	in->chain_id = chain_top(json_object_get(doc, "diff_ids"), e);
	if (!in->chain_id)
		return err_prefix(e, "image document");
	in->name = xstrdup(name ? name : in->chain_id);
	if (snapshotter_default(&in->snapshotter, e) < 0)
		return -1;
	in->parent = xstrdup(in->chain_id);
	if (check_snapshot(st, in, e) < 0)
		return -1;
	return read_config(st, json_object_get(doc, "config"), in, e);
}

/* ctr-unpack's snapshot document. */
static int
from_snapshot_doc(const struct state *st, const json_t *doc, struct imagein *in, struct err *e)
{
	const char *chain = jsonio_str(doc, "chain_id"), *drv = jsonio_str(doc, "snapshotter");
	const char *key = jsonio_str(doc, "key"), *name = jsonio_str(doc, "image");

	in->snapshotter = SNAP_DEFAULT;
	if (digest_check(chain, "chain_id", e) < 0 ||
	    (drv && snapshotter_parse(drv, &in->snapshotter, e) < 0))
		return err_prefix(e, "snapshot document");
	in->chain_id = xstrdup(chain);
	in->name = xstrdup(name ? name : chain);
	in->parent = xstrdup(key ? key : chain);
	if (check_snapshot(st, in, e) < 0)
		return -1;
	if (!json_is_object(json_object_get(doc, "config")))
		return err_code(e, "invalid", "snapshot document has no config descriptor");
	return read_config(st, json_object_get(doc, "config"), in, e);
}

static int
from_name(const struct state *st, const char *arg, struct imagein *in, struct err *e)
{
	struct ref r;
	struct content c;
	struct platform p;
	_cleanup_free_ char *name = NULL;
	json_auto_t *rec = NULL, *doc = NULL;

	if (ref_parse(arg, &r, e) < 0)
		return err_prefix(e, "image '%s'", arg);
	name = ref_string(&r);
	ref_release(&r);
	if (!(rec = image_load(st, name, e)))
		return -1;
	in->stored = true;
	if (content_open(st, &c, e) < 0)
		return -1;
	platform_host(&p);
	doc = image_resolve(&c, rec, &p, e);
	content_release(&c);
	if (!doc)
		return err_prefix(e, "image '%s'", name);
	return from_image_doc(st, doc, in, e);
}

int
imagein_load(const struct state *st, const char *arg, struct imagein *in, struct err *e)
{
	json_auto_t *doc = NULL, *img = NULL;

	memset(in, 0, sizeof(*in));
	if (strcmp(arg, "-"))
		return from_name(st, arg, in, e);
	doc = jsonio_load_fd(STDIN_FILENO, JSONIO_MAX, "stdin", e);
	if (!doc)
		return -1;
	if (!json_is_object(doc))
		return err_code(e, "invalid", "stdin: not a JSON object");
	if (json_object_get(doc, "chain_id"))
		return from_snapshot_doc(st, doc, in, e);
	img = image_stage_doc(st, doc, e);
	if (!img)
		return strcmp(e->code, "invalid")
			   ? -1
			   : err_code(
				 e, "invalid",
				 "stdin: not a snapshot document (chain_id), nor JSON about an "
				 "image (an image document, an image record, or ctr-image "
				 "inspect's)");
	return from_image_doc(st, img, in, e);
}
