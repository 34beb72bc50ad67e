/* SPDX-License-Identifier: Apache-2.0 */
/* Option handling, store opening and error exits shared by the verbs. */
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "cmd.h"
#include "ns.h"
#include "xmem.h"

/* the one choice made before any verb runs; NULL: $CTR_SNAPSHOTTER, else SNAP_DEFAULT */
static const char *driver;
/* --all: listings of every namespace's snapshots */
static bool all_namespaces;

void
cmd_set_driver(const char *name)
{
	driver = name;
}

const struct opt cmd_common_opts[] = {
    {"snapshotter", OPT_SNAPSHOTTER, "overlay|native",
     "the store (default $CTR_SNAPSHOTTER, else overlay)", NULL},
    OPT_END,
};

const struct opt cmd_json_opts[] = {
    {"json", OPT_JSON, NULL, "print JSON (and errors as JSON)", NULL},
    OPT_INCLUDE(cmd_common_opts),
    OPT_END,
};

const struct opt cmd_list_opts[] = {
    {"all", OPT_ALL, NULL, "every namespace's snapshots, not only this one's", NULL},
    OPT_INCLUDE(cmd_json_opts),
    OPT_END,
};

void
cmd_common_opt(int c, const char *arg)
{
	if (c == OPT_SNAPSHOTTER)
		cmd_set_driver(arg);
	else if (c == OPT_ALL)
		all_namespaces = true;
}

bool
cmd_parse(int argc, char **argv, struct state *st, const struct opt_cmd *spec)
{
	struct opt_parser p;
	bool json = false;
	int c;

	opt_init(&p, spec, argc, argv, st);
	while ((c = opt_next(&p)) != -1) {
		if (c == OPT_JSON)
			json = true;
		else
			cmd_common_opt(c, optarg);
	}
	prog_set_json_errors(json);
	return json;
}

void
cmd_operands(const struct opt_cmd *spec, int argc, char **argv, int n)
{
	opt_operands(spec, argc, argv, n, n);
}

struct snapshot_store *
cmd_open(struct state *st)
{
	enum snapshotter drv;
	struct snapshot_store *s;
	struct err e;

	if ((driver ? snapshotter_parse(driver, &drv, &e) : snapshotter_default(&drv, &e)) < 0 ||
	    state_open(st, &e) < 0 || snapshot_store_open(st, drv, &s, &e) < 0)
		die_err(&e);
	return s;
}

void
cmd_add_label(json_t **labels, const char *kv)
{
	const char *eq = strchr(kv, '=');
	_cleanup_free_ char *k = NULL;

	if (!eq || eq == kv)
		die_usage("label '%s' is not KEY=VALUE", kv);
	if (!*labels)
		*labels = json_object();
	k = xstrndup(kv, (size_t)(eq - kv));
	if (json_object_set_new(*labels, k, json_string(eq + 1)) < 0)
		die(EXIT_USAGE, "label '%s' is not valid UTF-8", kv);
}

json_t *
cmd_list(struct snapshot_store *s, const struct state *st)
{
	json_auto_t *all = NULL;
	json_t *mine;
	struct err e;

	if (!(all = snapshot_list(s, &e)))
		die_err(&e);
	if (all_namespaces)
		return json_incref(all);
	if (!(mine = ns_filter(st, all, &e)))
		die_err(&e);
	return mine;
}

void
cmd_label_ns(json_t **labels, const struct state *st)
{
	if (!*labels)
		*labels = json_object();
	if (!json_object_get(*labels, NS_LABEL))
		json_object_set_new(*labels, NS_LABEL, json_string(st->ns));
}
