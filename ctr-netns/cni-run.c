/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The runtime side of CNI: `ctr-netns cni add|del NETWORK NS` finds NETWORK's
 * configuration, runs its plugin chain for the namespace as the CNI spec
 * says (ADD in order, each given the previous result; DEL in reverse), and
 * keeps the ADD result for the DEL. ctr-run --net cni:NAME calls this.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "afile.h"
#include "cleanup.h"
#include "cmd.h"
#include "jsonio.h"
#include "netns.h"
#include "path.h"
#include "plugin.h"
#include "xmem.h"

#define CNI_CONF_DIR_DEFAULT "/etc/cni/net.d"
#define CNI_PATH_DEFAULT "/opt/cni/bin:/usr/lib/cni"
#define CNI_CONF_MAX (1 << 20)
struct cni_run {
	const char *conf_dir, *plugin_dir, *ifname, *id, *args;
	const char *network, *ns;
	json_t *list; /* {"name","cniVersion","plugins":[...]} */
};

/* A configuration file: a list (.conflist), or one plugin (.conf, .json) made a list of one. */
static json_t *
load_conf(int dirfd, const char *name, struct err *e)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	json_t *doc, *list;

	if (fd < 0) {
		err_set(e, errno, "open '%s'", name);
		return NULL;
	}
	if (!(doc = jsonio_load_fd(fd, CNI_CONF_MAX, name, e)))
		return NULL;
	if (!json_is_object(doc)) {
		json_decref(doc);
		err_code(e, "invalid", "%s: not a JSON object", name);
		return NULL;
	}
	if (json_object_get(doc, "plugins"))
		return doc;
	list = json_pack("{s:O?, s:O?, s:[O]}", "name", json_object_get(doc, "name"), "cniVersion",
			 json_object_get(doc, "cniVersion"), "plugins", doc);
	json_decref(doc);
	return list;
}

static int
check_list(json_t *list, const char *file, struct err *e)
{
	json_t *p, *plugins = json_object_get(list, "plugins");
	size_t i;

	if (!jsonio_str(list, "cniVersion"))
		return err_code(e, "invalid", "%s: no cniVersion", file);
	if (!json_is_array(plugins) || json_array_size(plugins) == 0)
		return err_code(e, "invalid", "%s: plugins is not a non-empty array", file);
	json_array_foreach(plugins, i, p) {
		const char *type = jsonio_str(p, "type");

		if (!json_is_object(p) || !type)
			return err_code(e, "invalid", "%s: plugin %zu has no type", file, i);
		if (path_check_name(type, 255, e) < 0)
			return err_prefix(e, "%s: plugin %zu type", file, i);
	}
	return 0;
}

/* Is f a configuration file by its name: .conflist, .conf or .json? */
static bool
conf_file(const char *f)
{
	const char *dot = strrchr(f, '.');

	return dot && (!strcmp(dot, ".conflist") || !strcmp(dot, ".conf") || !strcmp(dot, ".json"));
}

/* The first file of conf_dir, in name order, whose network is named network; unreadable and
 * other networks' files are passed over, as libcni does. */
static json_t *
find_network(const char *conf_dir, const char *network, struct err *e)
{
	_cleanup_close_ int dirfd = open(conf_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent **names = NULL;
	json_t *found = NULL;
	bool done = false;
	int n;

	if (dirfd < 0) {
		err_set(e, errno, "CNI configuration directory '%s'", conf_dir);
		return NULL;
	}
	n = scandir(conf_dir, &names, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		const char *f = names[i]->d_name;
		json_t *list;

		if (!done && conf_file(f) && (list = load_conf(dirfd, f, &(struct err){0}))) {
			if (jsonio_str(list, "name") &&
			    !strcmp(jsonio_str(list, "name"), network)) {
				done = true;
				if (check_list(list, f, e) < 0)
					json_decref(list);
				else
					found = list;
			} else
				json_decref(list);
		}
		free(names[i]);
	}
	free(names);
	if (!done)
		err_code(e, "not-found", "no CNI network '%s' in %s", network, conf_dir);
	return found;
}

/* The cache of an attachment's ADD result: $CTR_STATE/cni/<ns>/<network>-<id>-<ifname>.json */
static int
cache_dir(const struct state *st, struct err *e)
{
	_cleanup_free_ char *rel = xasprintf("cni/%s", st->ns);

	return state_dir(st, rel, 1, e);
}

static char *
cache_name(const struct cni_run *r)
{
	return xasprintf("%s-%s-%s.json", r->network, r->id, r->ifname);
}

/* The config one plugin reads: its own object, the list's name and version, prevResult. */
static char *
plugin_conf(const struct cni_run *r, const json_t *plugin, const json_t *prev)
{
	json_auto_t *c = json_deep_copy(plugin);

	json_object_set(c, "name", json_object_get(r->list, "name"));
	json_object_set(c, "cniVersion", json_object_get(r->list, "cniVersion"));
	if (prev)
		json_object_set(c, "prevResult", (json_t *)prev);
	return json_dumps(c, JSON_COMPACT);
}

/* Run one plugin; its result (ADD) in *res. A failure's message is the plugin's own. */
static int
run_plugin(const struct cni_run *r, const json_t *plugin, const char *command, const json_t *prev,
	   json_t **res, struct err *e)
{
	_cleanup_free_ char *conf = plugin_conf(r, plugin, prev), *out = NULL;
	const char *type = jsonio_str(plugin, "type");
	json_auto_t *doc = NULL;
	int status;

	if (plugin_run(r->plugin_dir, type, command, conf, strlen(conf), &out, &status, e) < 0)
		return -1;
	doc = out && *out ? json_loads(out, 0, NULL) : NULL;
	if (status != 0)
		return err_code(e, "system", "CNI plugin '%s' %s for network '%s': %s", type,
				command, r->network,
				jsonio_str(doc, "msg") ? jsonio_str(doc, "msg")
						       : "failed, saying nothing");
	if (res) {
		if (!json_is_object(doc))
			return err_code(e, "system", "CNI plugin '%s' ADD: no result", type);
		*res = json_incref(doc);
	}
	return 0;
}

/* DEL through plugins [0, n) in reverse; the first failure is reported, the rest still run. */
static int
del_chain(const struct cni_run *r, size_t n, const json_t *prev, struct err *e)
{
	json_t *plugins = json_object_get(r->list, "plugins");
	int rc = 0;

	while (n-- > 0) {
		struct err one;

		if (run_plugin(r, json_array_get(plugins, n), "DEL", prev, NULL, &one) < 0 &&
		    rc == 0) {
			*e = one;
			rc = -1;
		}
	}
	return rc;
}

static int
cni_add(const struct state *st, struct cni_run *r, struct err *e)
{
	json_t *plugins = json_object_get(r->list, "plugins");
	json_auto_t *prev = NULL;
	_cleanup_free_ char *name = cache_name(r);
	_cleanup_close_ int dfd = cache_dir(st, e);
	size_t i;

	if (dfd < 0)
		return -1;
	for (i = 0; i < json_array_size(plugins); i++) {
		json_t *res = NULL;

		if (run_plugin(r, json_array_get(plugins, i), "ADD", prev, &res, e) < 0) {
			struct err ignored;

			/* undo what the chain did so far, as a runtime must */
			del_chain(r, i + 1, prev, &ignored);
			return -1;
		}
		json_decref(prev);
		prev = res;
	}
	if (afile_write_json(dfd, name, prev, e) < 0) {
		struct err ignored;

		del_chain(r, i, prev, &ignored);
		return -1;
	}
	jsonio_write(stdout, prev);
	return 0;
}

static int
cni_del(const struct state *st, struct cni_run *r, struct err *e)
{
	_cleanup_free_ char *name = cache_name(r);
	_cleanup_close_ int dfd = cache_dir(st, e), fd = -1;
	json_auto_t *prev = NULL;

	if (dfd < 0)
		return -1;
	/* the result ADD gave is the DEL's prevResult; without it, DEL still runs (spec) */
	if ((fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) >= 0)
		prev = jsonio_load_fd(fd, CNI_CONF_MAX, name, &(struct err){0});
	if (del_chain(r, json_array_size(json_object_get(r->list, "plugins")), prev, e) < 0)
		return -1;
	unlinkat(dfd, name, 0);
	return 0;
}

static void
set_env(const char *k, const char *v)
{
	if (setenv(k, v ? v : "", 1) < 0)
		die(111, "setenv %s: %s", k, strerror(errno));
}

enum { OPT_CONF_DIR = CMD_OPT_OWN, OPT_PLUGIN_DIR, OPT_IFNAME, OPT_ID, OPT_ARGS };

static const struct opt cni_opts[] = {
    {"conf-dir", OPT_CONF_DIR, "DIR",
     "network configurations (default $CNI_CONF_DIR, else "
     "/etc/cni/net.d)",
     NULL},
    {"plugin-dir", OPT_PLUGIN_DIR, "PATH",
     "plugins, dirs split by ':' (default $CNI_PATH, else "
     "/opt/cni/bin:/usr/lib/cni)",
     NULL},
    {"ifname", OPT_IFNAME, "IF", "the interface in the namespace (default eth0)", NULL},
    {"id", OPT_ID, "ID", "the container ID plugins are told (default NS)", NULL},
    {"args", OPT_ARGS, "K=V;...", "CNI_ARGS for the plugins", NULL},
    OPT_END,
};
const struct opt_cmd cmd_cni_add_spec = {
    "NETWORK NS", "attach NS to a CNI network: its plugins' ADD; the result as JSON", cni_opts, 0,
    0};
const struct opt_cmd cmd_cni_del_spec = {"NETWORK NS", "detach NS from a CNI network (DEL)",
					 cni_opts, 0, 0};

static void
cni_opt(int c, const char *arg, void *ctx)
{
	struct cni_run *r = ctx;

	if (c == OPT_CONF_DIR)
		r->conf_dir = arg;
	else if (c == OPT_PLUGIN_DIR)
		r->plugin_dir = arg;
	else if (c == OPT_IFNAME)
		r->ifname = arg;
	else if (c == OPT_ID)
		r->id = arg;
	else if (c == OPT_ARGS)
		r->args = arg;
}

static int
cni(int argc, char **argv, struct state *st, bool add)
{
	const struct opt_cmd *spec = add ? &cmd_cni_add_spec : &cmd_cni_del_spec;
	struct cni_run r = {
	    .conf_dir = getenv("CNI_CONF_DIR"), .plugin_dir = getenv("CNI_PATH"), .ifname = "eth0"};
	_cleanup_free_ char *nspath = NULL;
	struct err e;
	int rc;

	opt_parse(spec, argc, argv, st, cni_opt, &r);
	opt_operands(spec, argc, argv, 2, 2);
	r.network = argv[optind];
	r.ns = argv[optind + 1];
	if (!r.id)
		r.id = r.ns;
	if (!r.conf_dir || !*r.conf_dir)
		r.conf_dir = CNI_CONF_DIR_DEFAULT;
	if (!r.plugin_dir || !*r.plugin_dir)
		r.plugin_dir = CNI_PATH_DEFAULT;
	cmd_ifname(r.ifname);
	if (path_check_name(r.network, 128, &e) < 0 || path_check_name(r.id, 128, &e) < 0)
		die(100, "cni: %s", e.msg);
	if (state_open(st, &e) < 0 || !(nspath = netns_path(r.ns, &e)) ||
	    !(r.list = find_network(r.conf_dir, r.network, &e)))
		die_err(&e);
	set_env("CNI_CONTAINERID", r.id);
	set_env("CNI_NETNS", nspath);
	set_env("CNI_IFNAME", r.ifname);
	set_env("CNI_PATH", r.plugin_dir);
	set_env("CNI_ARGS", r.args);
	rc = add ? cni_add(st, &r, &e) : cni_del(st, &r, &e);
	json_decref(r.list);
	if (rc < 0)
		die_err(&e);
	return 0;
}

int
cmd_cni_add(int argc, char **argv, struct state *st)
{
	return cni(argc, argv, st, true);
}

int
cmd_cni_del(int argc, char **argv, struct state *st)
{
	return cni(argc, argv, st, false);
}
