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

enum { OPT_SYSCTL = 0x100, OPT_JSON, OPT_NETNS };

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

int
cmd_create(int argc, char **argv, struct state *st)
{
	static const struct option opts[] = {
	    {"sysctl", required_argument, NULL, OPT_SYSCTL},
	    {"json", no_argument, NULL, OPT_JSON},
	    {"help", no_argument, NULL, 'h'},
	    PROG_GLOBAL_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	_cleanup_strv_ char **sysctls = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "h" PROG_GLOBAL_SHORTOPTS, opts, NULL)) != -1) {
		if (c == OPT_SYSCTL)
			cmd_add_sysctl(&sysctls, optarg);
		else if (c == OPT_JSON)
			prog_set_json_errors(true);
		else if (c == 'h')
			cmd_usage("create");
		else if (!prog_global_opt(c, optarg, st))
			die_usage("create: unknown option");
	}
	if (argc - optind != 1)
		die_usage("create: want one NAME");
	create_one(argv[optind], sysctls);
	return 0;
}

/* Options shared by verbs that take nothing but --json and --netns. */
static int
simple_opts(int argc, char **argv, struct state *st, const char *verb, const char **netns)
{
	static const struct option opts[] = {
	    {"json", no_argument, NULL, OPT_JSON},
	    {"netns", required_argument, NULL, OPT_NETNS},
	    {"help", no_argument, NULL, 'h'},
	    PROG_GLOBAL_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	bool json = false;
	int c;

	while ((c = getopt_long(argc, argv, "h" PROG_GLOBAL_SHORTOPTS, opts, NULL)) != -1) {
		if (c == OPT_JSON)
			json = true;
		else if (c == OPT_NETNS && netns)
			*netns = optarg;
		else if (c == 'h')
			cmd_usage(verb);
		else if (!prog_global_opt(c, optarg, st))
			die_usage("%s: unknown option", verb);
	}
	prog_set_json_errors(json);
	return json;
}

int
cmd_rm(int argc, char **argv, struct state *st)
{
	struct err e;

	simple_opts(argc, argv, st, "rm", NULL);
	if (optind >= argc)
		die_usage("rm: want NAME");
	for (int i = optind; i < argc; i++)
		if (netns_remove(argv[i], &e) < 0)
			die_err(&e);
	return 0;
}

int
cmd_ls(int argc, char **argv, struct state *st)
{
	bool json = simple_opts(argc, argv, st, "ls", NULL);
	_cleanup_strv_ char **names = NULL;
	json_auto_t *out = json_array();
	struct err e;

	if (optind != argc)
		die_usage("ls: no arguments expected");
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
	int c;

	(void)st;
	/* '+': everything after NAME belongs to the command, options included */
	while ((c = getopt(argc, argv, "+h")) != -1)
		if (c == 'h')
			cmd_usage("exec");
		else
			die_usage("exec: unknown option");
	if (optind < argc && !strcmp(argv[optind], "--"))
		optind++;
	if (argc - optind < 2)
		die_usage("exec: want NAME -- COMMAND [ARG]...");
	fd = netns_open(argv[optind], &e);
	if (fd < 0 || netns_join(fd, &e) < 0)
		die_err(&e);
	argv += optind + 1;
	if (!strcmp(argv[0], "--"))
		argv++;
	if (!argv[0])
		die_usage("exec: want a COMMAND");
	execvp(argv[0], argv);
	die(errno == ENOENT ? EXIT_USAGE : EXIT_SYS, "exec '%s': %s", argv[0], strerror(errno));
}

int
cmd_sysctl(int argc, char **argv, struct state *st)
{
	const char *netns = NULL;
	_cleanup_strv_ char **list = NULL;
	struct target t;
	struct err e;

	simple_opts(argc, argv, st, "sysctl", &netns);
	if (optind >= argc)
		die_usage("sysctl: want KEY=VALUE");
	for (int i = optind; i < argc; i++)
		cmd_add_sysctl(&list, argv[i]);
	target_open(&t, netns);
	if (cmd_apply_sysctls(t.nsfd, list, &e) < 0)
		die_err(&e);
	target_release(&t);
	return 0;
}
