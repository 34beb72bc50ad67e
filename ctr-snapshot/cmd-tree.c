/* SPDX-License-Identifier: Apache-2.0 */
/* The tree verb: snapshots under their parents, as text or nested JSON. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "cmd.h"
#include "jsonio.h"

/* The children of parent (NULL: the roots) in all, each with its own "children". */
static json_t *
children_of(const json_t *all, const char *parent, int depth)
{
	json_t *out = json_array(), *rec;
	size_t i;

	json_array_foreach(all, i, rec) {
		const char *p = jsonio_str(rec, "parent");

		if (parent ? !p || strcmp(p, parent) : p != NULL)
			continue;
		/* records are not trusted to be acyclic; no chain is deeper than this */
		json_array_append_new(
		    out,
		    json_pack("{s:O, s:O, s:o}", "name", json_object_get(rec, "name"), "kind",
			      json_object_get(rec, "kind"), "children",
			      depth < 1024 ? children_of(all, jsonio_str(rec, "name"), depth + 1)
					   : json_array()));
	}
	return out;
}

static void
print_tree(const json_t *nodes, int depth)
{
	json_t *n;
	size_t i;

	json_array_foreach(nodes, i, n) {
		printf("%*s%s [%s]\n", depth * 2, "", jsonio_str(n, "name"), jsonio_str(n, "kind"));
		print_tree(json_object_get(n, "children"), depth + 1);
	}
}

const struct opt_cmd cmd_tree_spec = {NULL, "the snapshots as a tree of parents and children",
				      cmd_list_opts, 0, 0};

int
cmd_tree(int argc, char **argv, struct state *st)
{
	json_auto_t *all = NULL, *tree = NULL;
	struct snapshot_store *s;
	bool json = cmd_parse(argc, argv, st, &cmd_tree_spec);

	cmd_operands(&cmd_tree_spec, argc, argv, 0);
	s = cmd_open(st);
	all = cmd_list(s, st);
	tree = children_of(all, NULL, 0);
	if (json)
		jsonio_write(stdout, tree);
	else
		print_tree(tree, 0);
	snapshot_store_free(s);
	return 0;
}
