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

static const struct opt life_opts[] = {
    {"parent", OPT_PARENT, "NAME", "the committed snapshot to start from", NULL},
    {"label", OPT_LABEL, "K=V", "a label on the snapshot (again for more)", NULL},
    OPT_INCLUDE(cmd_common_opts),
    OPT_END,
};
const struct opt_cmd cmd_prepare_spec = {
    "KEY", "make an active snapshot to write in; its Mount list as JSON", life_opts, 0, 0};
const struct opt_cmd cmd_view_spec = {
    "KEY", "make a read-only view of --parent; its Mount list as JSON", life_opts, 0, 0};
const struct opt_cmd cmd_commit_spec = {"NAME KEY", "commit the active snapshot KEY as NAME",
					life_opts, 0, 0};
const struct opt_cmd cmd_rm_spec = {"KEY ...", "remove snapshots (children first)", cmd_common_opts,
				    0, 0};

static void
parse_life(int argc, char **argv, struct state *st, const struct opt_cmd *spec, struct life_opts *o)
{
	struct opt_parser p;
	int c;

	opt_init(&p, spec, argc, argv, st);
	while ((c = opt_next(&p)) != -1) {
		if (c == OPT_PARENT)
			o->parent = optarg;
		else if (c == OPT_LABEL)
			cmd_add_label(&o->labels, optarg);
		else
			cmd_common_opt(c, optarg);
	}
}

static int
prepare(int argc, char **argv, struct state *st, const struct opt_cmd *spec, int flags)
{
	struct life_opts o = {NULL, NULL};
	json_auto_t *labels = NULL, *mounts = NULL, *out = NULL;
	struct snapshot_store *s;
	struct err e;

	parse_life(argc, argv, st, spec, &o);
	cmd_label_ns(&o.labels, st);
	labels = o.labels;
	cmd_operands(spec, argc, argv, 1);
	s = cmd_open(st);
	if (snapshot_prepare(s, argv[optind], o.parent, labels, flags, &mounts, &e) < 0)
		die_err(&e);
	out = json_pack("{s:s, s:s, s:O}", "key", argv[optind], "snapshotter",
			snapshot_store_driver(s), "mounts", mounts);
	jsonio_write(stdout, out);
	snapshot_store_free(s);
	return 0;
}

int
cmd_prepare(int argc, char **argv, struct state *st)
{
	return prepare(argc, argv, st, &cmd_prepare_spec, 0);
}

int
cmd_view(int argc, char **argv, struct state *st)
{
	return prepare(argc, argv, st, &cmd_view_spec, SNAPSHOT_VIEW);
}

int
cmd_commit(int argc, char **argv, struct state *st)
{
	struct life_opts o = {NULL, NULL};
	json_auto_t *labels = NULL;
	struct snapshot_store *s;
	struct err e;

	parse_life(argc, argv, st, &cmd_commit_spec, &o);
	cmd_label_ns(&o.labels, st);
	labels = o.labels;
	cmd_operands(&cmd_commit_spec, argc, argv, 2);
	s = cmd_open(st);
	if (snapshot_commit(s, argv[optind], argv[optind + 1], o.parent, labels, &e) < 0)
		die_err(&e);
	snapshot_store_free(s);
	return 0;
}

int
cmd_rm(int argc, char **argv, struct state *st)
{
	struct snapshot_store *s;
	struct err e;
	struct opt_parser p;
	int c;

	opt_init(&p, &cmd_rm_spec, argc, argv, st);
	while ((c = opt_next(&p)) != -1)
		cmd_common_opt(c, optarg);
	opt_operands(&cmd_rm_spec, argc, argv, 1, -1);
	s = cmd_open(st);
	/* all must exist before any goes, so that a typo removes nothing */
	for (int i = optind; i < argc; i++) {
		if (snapshot_check_key(argv[i], "key", &e) < 0)
			die_err(&e);
		if (!snapshot_exists(s, argv[i], NULL))
			die_err((err_code(&e, "not-found", "snapshot '%s' does not exist", argv[i]),
				 &e));
	}
	/* one at a time, in the order given (children first): the first failure stops the rest */
	for (int i = optind; i < argc; i++)
		if (snapshot_remove(s, argv[i], &e) < 0)
			die_err(&e);
	snapshot_store_free(s);
	return 0;
}
