/* SPDX-License-Identifier: Apache-2.0 */
/* Verbs on whole namespaces: create, rm, ls, exec, sysctl. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "cmd.h"
#include "jsonio.h"
#include "netns.h"
#include "prog.h"
#include "xmem.h"

enum { OPT_SYSCTL = CMD_OPT_OWN };

static const struct opt create_opts[] = {
    {"sysctl", OPT_SYSCTL, "KEY=VALUE", "set a sysctl in the new namespace (again for more)", NULL},
    OPT_INCLUDE(cmd_opt_json),
    OPT_END,
};
const struct opt_cmd cmd_create_spec = {"NAME", "a network namespace, pinned; its path as JSON",
					create_opts, 0, OPT_PERMUTE};
const struct opt_cmd cmd_rm_spec = {"NAME...", "remove network namespaces (their links go too)",
				    cmd_opt_json, 0, OPT_PERMUTE};
static const struct opt ls_opts[] = {
    {"json", CMD_OPT_JSON, NULL, "print JSON (and errors as JSON)", NULL},
    OPT_END,
};
const struct opt_cmd cmd_ls_spec = {NULL, "list the pinned network namespaces", ls_opts, 0,
				    OPT_PERMUTE};
const struct opt_cmd cmd_exec_spec = {
    "NAME [--] COMMAND [ARG]...",
    "run COMMAND in the namespace (chain-loading; 127: not found, 126: not runnable)", NULL, 0, 0};
const struct opt_cmd cmd_sysctl_spec = {"KEY=VALUE...", "set sysctls in a namespace (or ours)",
					cmd_opt_netns, 0, OPT_PERMUTE};

/*
 * Loopback is down in a new namespace: nothing can talk to 127.0.0.1 until
 * it is up. Then the caller's sysctls, inside.
 */
static int
setup_new(const char *name, char **sysctls, struct err *e)
{
	struct target t;
	struct link_info lo;
	int rc = target_init(&t, name, e);

	if (rc == 0)
		rc = link_get(&t.nl, "lo", &lo, e);
	if (rc == 0)
		rc = link_set_up(&t.nl, lo.index, true, e);
	if (rc == 0)
		rc = cmd_apply_sysctls(t.nsfd, sysctls, e);
	target_release(&t);
	return rc;
}

static void
create_one(const char *name, char **sysctls)
{
	struct err e;
	_cleanup_free_ char *path = netns_dir_path(name, &e);
	json_auto_t *out = NULL;

	if (!path || netns_create(name, &e) < 0)
		die_err(&e);
	if (setup_new(name, sysctls, &e) < 0) {
		netns_remove(name, &(struct err){0});
		die_err(&e);
	}
	out = json_pack("{s:s, s:s}", "name", name, "path", path);
	jsonio_write(stdout, out);
}

static void
create_opt(int c, const char *arg, void *ctx)
{
	if (c == OPT_SYSCTL)
		cmd_add_sysctl(ctx, arg);
	else if (c == CMD_OPT_JSON)
		prog_set_json_errors(true);
}

int
cmd_create(int argc, char **argv, struct state *st)
{
	_cleanup_strv_ char **sysctls = NULL;

	opt_parse(&cmd_create_spec, argc, argv, st, create_opt, &sysctls);
	opt_operands(&cmd_create_spec, argc, argv, 1, 1);
	create_one(argv[optind], sysctls);
	return 0;
}

/* --json, --netns NS: into ctx, a struct simple. */
struct simple {
	bool json;
	const char *netns;
};

static void
simple_opt(int c, const char *arg, void *ctx)
{
	struct simple *o = ctx;

	if (c == CMD_OPT_JSON)
		prog_set_json_errors(o->json = true);
	else if (c == CMD_OPT_NETNS)
		o->netns = arg;
}

int
cmd_rm(int argc, char **argv, struct state *st)
{
	struct err e;

	struct simple o = {false, NULL};

	opt_parse(&cmd_rm_spec, argc, argv, st, simple_opt, &o);
	opt_operands(&cmd_rm_spec, argc, argv, 1, -1);
	for (int i = optind; i < argc; i++)
		if (netns_remove(argv[i], &e) < 0)
			die_err(&e);
	return 0;
}

int
cmd_ls(int argc, char **argv, struct state *st)
{
	struct simple o = {false, NULL};
	int i = opt_parse(&cmd_ls_spec, argc, argv, st, simple_opt, &o);
	bool json = o.json;
	_cleanup_strv_ char **names = NULL;
	json_auto_t *out = json_array();
	struct err e;

	opt_operands(&cmd_ls_spec, i, argv, 0, 0);
	if (netns_list(&names, &e) < 0)
		die_err(&e);
	for (char **n = names; *n; n++) {
		_cleanup_free_ char *path = xasprintf("%s/%s", netns_dir(&e), *n);

		if (!json)
			printf("%s\n", *n);
		else
			json_array_append_new(out,
					      json_pack("{s:s, s:s}", "name", *n, "path", path));
	}
	if (json)
		jsonio_write(stdout, out);
	else if (fflush(stdout) == EOF)
		die(EXIT_SYS, "write stdout: %s", strerror(errno));
	return 0;
}

int
cmd_exec(int argc, char **argv, struct state *st)
{
	_cleanup_close_ int fd = -1;
	struct err e;

	/* options stop at NAME: everything after it belongs to the command, options included */
	opt_parse(&cmd_exec_spec, argc, argv, st, NULL, NULL);
	if (optind < argc && !strcmp(argv[optind], "--"))
		optind++;
	opt_operands(&cmd_exec_spec, argc, argv, 2, -1);
	fd = netns_open(argv[optind], &e);
	if (fd < 0 || netns_join(fd, &e) < 0)
		die_err(&e);
	argv += optind + 1;
	if (!strcmp(argv[0], "--"))
		argv++;
	if (!argv[0])
		opt_die(&cmd_exec_spec, "missing COMMAND");
	execvp(argv[0], argv);
	/* as a shell says it: 127 for a command not found, 126 for one found but not runnable */
	if (errno == ENOENT)
		die(127, "exec '%s': %s", argv[0], strerror(errno));
	die(126, "exec '%s': %s", argv[0], strerror(errno));
}

int
cmd_sysctl(int argc, char **argv, struct state *st)
{
	struct simple o = {false, NULL};
	_cleanup_strv_ char **list = NULL;
	struct target t;
	struct err e;

	opt_parse(&cmd_sysctl_spec, argc, argv, st, simple_opt, &o);
	opt_operands(&cmd_sysctl_spec, argc, argv, 1, -1);
	for (int i = optind; i < argc; i++)
		cmd_add_sysctl(&list, argv[i]);
	target_open(&t, o.netns);
	if (cmd_apply_sysctls(t.nsfd, list, &e) < 0)
		die_err(&e);
	target_release(&t);
	return 0;
}
