/* SPDX-License-Identifier: Apache-2.0 */
/* The verbs that read snapshots: mounts, stat, ls, usage (tree: cmd-tree.c). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "cmd.h"
#include "jsonio.h"

const struct opt_cmd cmd_mounts_spec = {"KEY", "the Mount list of a snapshot as JSON",
					cmd_json_opts, 0, 0};
const struct opt_cmd cmd_stat_spec = {"KEY", "a snapshot's kind, parent, labels and times",
				      cmd_json_opts, 0, 0};
const struct opt_cmd cmd_ls_spec = {NULL, "list the snapshots of the store", cmd_list_opts, 0, 0};
const struct opt_cmd cmd_usage_spec = {"[KEY]", "disk space and inodes a snapshot (or each) uses",
				       cmd_list_opts, 0, 0};

int
cmd_mounts(int argc, char **argv, struct state *st)
{
	struct snapshot_store *s;
	json_auto_t *m = NULL;
	struct err e;

	cmd_parse(argc, argv, st, &cmd_mounts_spec);
	cmd_operands(&cmd_mounts_spec, argc, argv, 1);
	s = cmd_open(st);
	if (!(m = snapshot_mounts(s, argv[optind], &e)))
		die_err(&e);
	jsonio_write(stdout, m);
	snapshot_store_free(s);
	return 0;
}

static void
print_stat(const json_t *rec)
{
	const char *k;
	json_t *v;

	printf("name: %s\nkind: %s\n", jsonio_str(rec, "name"), jsonio_str(rec, "kind"));
	if (jsonio_str(rec, "parent"))
		printf("parent: %s\n", jsonio_str(rec, "parent"));
	printf("id: %s\ncreated: %s\nupdated: %s\n", jsonio_str(rec, "id"),
	       jsonio_str(rec, "created"), jsonio_str(rec, "updated"));
	json_object_foreach(json_object_get(rec, "labels"), k, v)
		printf("label: %s=%s\n", k, json_string_value(v));
}

int
cmd_stat(int argc, char **argv, struct state *st)
{
	bool json = cmd_parse(argc, argv, st, &cmd_stat_spec);
	struct snapshot_store *s;
	json_auto_t *rec = NULL;
	struct err e;

	cmd_operands(&cmd_stat_spec, argc, argv, 1);
	s = cmd_open(st);
	if (!(rec = snapshot_stat(s, argv[optind], &e)))
		die_err(&e);
	if (json)
		jsonio_write(stdout, rec);
	else
		print_stat(rec);
	snapshot_store_free(s);
	return 0;
}

int
cmd_ls(int argc, char **argv, struct state *st)
{
	bool json = cmd_parse(argc, argv, st, &cmd_ls_spec);
	struct snapshot_store *s;
	json_auto_t *all = NULL;
	json_t *rec;
	size_t i;

	cmd_operands(&cmd_ls_spec, argc, argv, 0);
	s = cmd_open(st);
	all = cmd_list(s, st);
	if (json)
		jsonio_write(stdout, all);
	else
		json_array_foreach(all, i, rec) {
			const char *p = jsonio_str(rec, "parent");

			printf("%s\t%s\t%s\n", jsonio_str(rec, "name"), jsonio_str(rec, "kind"),
			       p ? p : "-");
		}
	snapshot_store_free(s);
	return 0;
}

static json_t *
usage_of(struct snapshot_store *s, const char *key)
{
	long long bytes, inodes;
	struct err e;

	if (snapshot_usage(s, key, &bytes, &inodes, &e) < 0)
		die_err(&e);
	return json_pack("{s:s, s:I, s:I}", "name", key, "size", (json_int_t)bytes, "inodes",
			 (json_int_t)inodes);
}

static void
print_usage(const json_t *u)
{
	printf("%lld\t%lld\t%s\n", (long long)json_integer_value(json_object_get(u, "size")),
	       (long long)json_integer_value(json_object_get(u, "inodes")), jsonio_str(u, "name"));
}

int
cmd_usage(int argc, char **argv, struct state *st)
{
	bool json = cmd_parse(argc, argv, st, &cmd_usage_spec);
	struct snapshot_store *s;
	json_auto_t *all = NULL, *out = NULL;
	json_t *rec;
	size_t i;

	if (argc - optind > 1)
		cmd_operands(&cmd_usage_spec, argc, argv, 1);
	s = cmd_open(st);
	if (optind < argc) {
		out = usage_of(s, argv[optind]);
	} else {
		all = cmd_list(s, st);
		out = json_array();
		json_array_foreach(all, i, rec)
			json_array_append_new(out, usage_of(s, jsonio_str(rec, "name")));
	}
	if (json)
		jsonio_write(stdout, out);
	else if (json_is_object(out))
		print_usage(out);
	else
		json_array_foreach(out, i, rec)
			print_usage(rec);
	snapshot_store_free(s);
	return 0;
}
