/* SPDX-License-Identifier: Apache-2.0 */
/* ctr-image lease: the leases of operations in progress, listed, and removed by hand. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "human.h"
#include "jsonio.h"
#include "lease.h"
#include "prog.h"

static const struct opt lease_ls_opts[] = {
    OPT_INCLUDE(cmd_json_opt),
    {"quiet", 'q', NULL, "print the lease ids only", NULL},
    OPT_END,
};
static const struct opt_cmd lease_ls_spec = {
    NULL, "the leases of operations in progress, live or left by dead ones", lease_ls_opts, 0, 0};
static const struct opt_cmd lease_rm_spec = {
    "ID...", "remove leases by hand (gc removes dead ones)", NULL, 0, 0};

static void
ls_line(const json_t *l, time_t now)
{
	const json_t *objs = json_object_get(l, "objects"), *o;
	char age[HUMAN_LEN];
	size_t i;

	printf("%-18s %-7s %-24s %-16s %s:", jsonio_str(l, "id"),
	       json_is_true(json_object_get(l, "live")) ? "live" : "dead",
	       jsonio_str(l, "owner") ?: "-",
	       jsonio_str(l, "created") ? human_since_rfc3339(jsonio_str(l, "created"), now, age)
					: "-",
	       jsonio_str(l, "purpose") ?: "(unreadable)");
	/* a record of garbage may name no type or name: '?', never printf's NULL */
	json_array_foreach(objs, i, o)
		printf(" %s %s", jsonio_str(o, "type") ?: "?", jsonio_str(o, "name") ?: "?");
	putchar('\n');
}

static int
lease_ls(int argc, char **argv, struct state *st)
{
	bool json = false, quiet = false;
	json_auto_t *list = NULL;
	time_t now = time(NULL);
	struct err e;
	json_t *l;
	size_t i;

	cmd_opts(&lease_ls_spec, argc, argv, st, &json, &quiet, 0, 0);
	if (state_open(st, &e) < 0 || !(list = lease_list(st, &e)))
		die_err(&e);
	if (!json && !quiet)
		printf("%-18s %-7s %-24s %-16s %s\n", "ID", "STATUS", "OWNER", "CREATED",
		       "PURPOSE: OBJECTS");
	json_array_foreach(list, i, l) {
		if (quiet)
			puts(jsonio_str(l, "id"));
		else if (!json)
			ls_line(l, now);
	}
	/* the whole listing is one array, as every listing of the suite (ctr-json(7)) */
	if (json && !quiet)
		jsonio_write(stdout, list);
	return fflush(stdout) == 0 ? 0 : (die(EXIT_SYS, "write to stdout failed"), 1);
}

static int
lease_rm(int argc, char **argv, struct state *st)
{
	struct err e;
	int rc = 0;

	cmd_opts(&lease_rm_spec, argc, argv, st, NULL, NULL, 1, -1);
	if (state_open(st, &e) < 0)
		die_err(&e);
	for (int i = optind; i < argc; i++)
		if (lease_remove(st, argv[i], &e) < 0) {
			fprintf(stderr, "%s: error: %s\n", PROG, e.msg);
			rc = rc ? rc : err_exit_code(&e);
		}
	return rc;
}

const struct verb cmd_lease_verbs[] = {
    {"ls", lease_ls, NULL, &lease_ls_spec, NULL},
    {"rm", lease_rm, NULL, &lease_rm_spec, NULL},
    {NULL},
};
