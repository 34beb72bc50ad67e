/* SPDX-License-Identifier: Apache-2.0 */
/* The verbs that change snapshots: prepare, view, commit, rm. */
#include <string.h>

#include "cleanup.h"
#include "cmd.h"
#include "jsonio.h"

struct life_opts {
	const char *parent;
	json_t *labels;
};

static void
parse_life(int argc, char **argv, struct state *st, const char *verb, struct life_opts *o)
{
	static const struct option opts[] = {
	    CMD_LONGOPTS,
	    {"parent", required_argument, NULL, OPT_PARENT},
	    {"label", required_argument, NULL, OPT_LABEL},
	    {NULL, 0, NULL, 0},
	};
	int c;

	while ((c = getopt_long(argc, argv, "+" PROG_GLOBAL_SHORTOPTS, opts, NULL)) != -1) {
		if (c == OPT_PARENT)
			o->parent = optarg;
		else if (c == OPT_LABEL)
			cmd_add_label(&o->labels, optarg);
		else
			cmd_common_opt(c, optarg, st, verb);
	}
}

static int
prepare(int argc, char **argv, struct state *st, const char *verb, int flags)
{
	struct life_opts o = {NULL, NULL};
	json_auto_t *labels = NULL, *mounts = NULL, *out = NULL;
	struct snapshot_store *s;
	struct err e;

	parse_life(argc, argv, st, verb, &o);
	cmd_label_ns(&o.labels, st);
	labels = o.labels;
	cmd_operands(argc, argv, 1, verb);
	s = cmd_open(st);
	if (snapshot_prepare(s, argv[optind], o.parent, labels, flags, &mounts, &e) < 0)
		cmd_die(&e);
	out = json_pack("{s:s, s:s, s:O}", "key", argv[optind], "snapshotter",
			snapshot_store_driver(s), "mounts", mounts);
	jsonio_write(stdout, out);
	snapshot_store_free(s);
	return 0;
}

int
cmd_prepare(int argc, char **argv, struct state *st)
{
	return prepare(argc, argv, st, "prepare", 0);
}

int
cmd_view(int argc, char **argv, struct state *st)
{
	return prepare(argc, argv, st, "view", SNAPSHOT_VIEW);
}

int
cmd_commit(int argc, char **argv, struct state *st)
{
	struct life_opts o = {NULL, NULL};
	json_auto_t *labels = NULL;
	struct snapshot_store *s;
	struct err e;

	parse_life(argc, argv, st, "commit", &o);
	cmd_label_ns(&o.labels, st);
	labels = o.labels;
	cmd_operands(argc, argv, 2, "commit");
	s = cmd_open(st);
	if (snapshot_commit(s, argv[optind], argv[optind + 1], o.parent, labels, &e) < 0)
		cmd_die(&e);
	snapshot_store_free(s);
	return 0;
}

int
cmd_rm(int argc, char **argv, struct state *st)
{
	static const struct option opts[] = {CMD_LONGOPTS, {NULL, 0, NULL, 0}};
	struct snapshot_store *s;
	struct err e;
	int c;

	while ((c = getopt_long(argc, argv, "+" PROG_GLOBAL_SHORTOPTS, opts, NULL)) != -1)
		cmd_common_opt(c, optarg, st, "rm");
	if (optind >= argc)
		cmd_operands(argc, argv, 1, "rm");
	s = cmd_open(st);
	/* all must exist before any goes, so that a typo removes nothing */
	for (int i = optind; i < argc; i++) {
		if (snapshot_check_key(argv[i], "key", &e) < 0)
			cmd_die(&e);
		if (!snapshot_exists(s, argv[i], NULL))
			die(EXIT_NEG, "snapshot '%s' does not exist", argv[i]);
	}
	/* one at a time, in the order given (children first): the first failure stops the rest */
	for (int i = optind; i < argc; i++)
		if (snapshot_remove(s, argv[i], &e) < 0)
			cmd_die(&e);
	snapshot_store_free(s);
	return 0;
}
