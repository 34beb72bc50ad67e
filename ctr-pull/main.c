/* SPDX-License-Identifier: Apache-2.0 */
/* ctr-pull: fetch an image from a registry into the content store and print its JSON. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "prog.h"
#include "pull.h"
#include "xmem.h"

static const char USAGE[] =
    "usage: ctr-pull [--platform OS/ARCH[/VARIANT] | --all-platforms] [--plain-http]\n"
    "       [--hosts-dir DIR] [--creds USER[:PASS]] [--authfile FILE]\n"
    "       [--max-concurrent-downloads N] [--progress auto|tty|json|none] [-q] [--json]\n"
    "       [--retries N] [--stall-timeout SECS] [--limit-rate BYTES] REF\n";

enum {
	OPT_PLATFORM = 0x100,
	OPT_ALL,
	OPT_PLAIN,
	OPT_HOSTS,
	OPT_CREDS,
	OPT_AUTHFILE,
	OPT_MAXCONC,
	OPT_PROGRESS,
	OPT_JSON,
	OPT_RETRIES,
	OPT_STALL,
	OPT_LIMIT,
};

static const struct option opts[] = {
    {"platform", required_argument, NULL, OPT_PLATFORM},
    {"all-platforms", no_argument, NULL, OPT_ALL},
    {"plain-http", no_argument, NULL, OPT_PLAIN},
    {"hosts-dir", required_argument, NULL, OPT_HOSTS},
    {"creds", required_argument, NULL, OPT_CREDS},
    {"authfile", required_argument, NULL, OPT_AUTHFILE},
    {"max-concurrent-downloads", required_argument, NULL, OPT_MAXCONC},
    {"progress", required_argument, NULL, OPT_PROGRESS},
    {"quiet", no_argument, NULL, 'q'},
    {"json", no_argument, NULL, OPT_JSON},
    {"retries", required_argument, NULL, OPT_RETRIES},
    {"stall-timeout", required_argument, NULL, OPT_STALL},
    {"limit-rate", required_argument, NULL, OPT_LIMIT},
    {"help", no_argument, NULL, 'h'},
    PROG_GLOBAL_LONGOPTS,
    {NULL, 0, NULL, 0},
};

static long
number(const char *s, long min, long max, const char *what)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v < min || v > max)
		die_usage("%s must be a number from %ld to %ld", what, min, max);
	return v;
}

static enum progress_mode
progress_mode(const char *s)
{
	if (!strcmp(s, "auto"))
		return isatty(STDERR_FILENO) ? PROGRESS_TTY : PROGRESS_NONE;
	if (!strcmp(s, "tty"))
		return PROGRESS_TTY;
	if (!strcmp(s, "json"))
		return PROGRESS_JSON;
	if (!strcmp(s, "none"))
		return PROGRESS_NONE;
	die_usage("--progress must be auto, tty, json or none");
}

/* "USER" alone: the password is the first line of stdin, so it stays out of argv. */
static const char *
full_creds(const char *s)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (strchr(s, ':'))
		return s;
	n = getline(&line, &cap, stdin);
	if (n <= 0)
		die_usage("--creds %s: no password on stdin", s);
	line[strcspn(line, "\r\n")] = '\0';
	return xasprintf("%s:%s", s, line);
}

static void
parse_opt(int c, const char *arg, struct pull_opts *o, struct state *st)
{
	struct err e;

	switch (c) {
	case OPT_PLATFORM:
		if (platform_parse(arg, &o->platform, &e) < 0)
			die_err(&e);
		break;
	case OPT_ALL:
		o->all_platforms = true;
		break;
	case OPT_PLAIN:
		o->reg.plain_http = true;
		break;
	case OPT_HOSTS:
		o->reg.hosts_dir = arg;
		break;
	case OPT_CREDS:
		o->reg.creds = full_creds(arg);
		break;
	case OPT_AUTHFILE:
		o->reg.authfile = arg;
		break;
	case OPT_MAXCONC:
		o->max_concurrent = (int)number(arg, 1, 64, "--max-concurrent-downloads");
		break;
	case OPT_PROGRESS:
		o->progress = progress_mode(arg);
		break;
	case 'q':
		o->progress = PROGRESS_NONE;
		log_level = LOG_ERROR;
		break;
	case OPT_JSON:
		prog_set_json_errors(true);
		break;
	case OPT_RETRIES:
		o->reg.retries = (int)number(arg, 0, 20, "--retries");
		break;
	case OPT_STALL:
		o->reg.stall_secs = number(arg, 1, 86400, "--stall-timeout");
		break;
	case OPT_LIMIT:
		o->reg.limit_rate = number(arg, 0, 1L << 40, "--limit-rate");
		break;
	case 'h':
		fputs(USAGE, stdout);
		exit(0);
	default:
		if (!prog_global_opt(c, arg, st))
			die_usage("unknown option");
	}
}

int
main(int argc, char **argv)
{
	struct pull_opts o = {
	    .reg = {.stall_secs = 30, .min_rate = 1, .retries = 3},
	    .max_concurrent = 3,
	    .progress = PROGRESS_NONE,
	};
	struct state st;
	int c;

	prog_init("ctr-pull", PROG_NO_NEW_PRIVS, &argc, &argv, &st);
	o.progress = progress_mode("auto");
	platform_host(&o.platform);
	while ((c = getopt_long(argc, argv, "qh" PROG_GLOBAL_SHORTOPTS, opts, NULL)) != -1)
		parse_opt(c, optarg, &o, &st);
	if (optind != argc - 1) {
		fputs(USAGE, stderr);
		exit(EXIT_USAGE);
	}
	o.ref = argv[optind];
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		die(EXIT_SYS, "libcurl initialisation failed");
	pull_run(&st, &o);
	curl_global_cleanup();
	state_release(&st);
	return 0;
}
