/* SPDX-License-Identifier: Apache-2.0 */
/* Program start-up, global options, verb dispatch and fatal exits. */
#include "prog.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "xmem.h"

/* The Makefile passes CTR_VERSION to this file only, so a new commit rebuilds nothing else. */
#ifndef CTR_VERSION
#define CTR_VERSION "unknown"
#endif

static bool json_errors;

void
prog_set_json_errors(bool on)
{
	json_errors = on;
}

__attribute__((noreturn, format(printf, 3, 0))) static void
vdie(int code, const char *token, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* names quoted from hostile input must not add lines or terminal escapes */
	for (char *p = msg; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	fflush(stdout);
	fprintf(stderr, "%s: fatal: %s\n", PROG, msg);
	if (json_errors) {
		json_t *j = json_pack("{s:{s:s, s:s}}", "error", "code", token, "message", msg);

		if (j) {
			json_dumpf(j, stdout, JSON_COMPACT);
			fputc('\n', stdout);
			json_decref(j);
		}
		fflush(stdout);
	}
	exit(code);
}

/* The --json error code of an exit status die() was given. */
static const char *
code_of_status(int code)
{
	if (code == EXIT_SYS)
		return "system";
	return code == EXIT_NEG ? "negative" : "invalid";
}

void
die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdie(code, code_of_status(code), fmt, ap);
}

__attribute__((noreturn, format(printf, 3, 4))) static void
die_token(int code, const char *token, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdie(code, token, fmt, ap);
}

void
die_err(const struct err *e)
{
	die_token(err_exit_code(e), e->code ? e->code : "system", "%s", e->msg);
}

void
die_usage(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	die_token(EXIT_USAGE, "usage", "%s (see '%s --help')", msg, PROG);
}

bool
prog_global_opt(int c, const char *arg, struct state *st)
{
	switch (c) {
	case OPT_ROOT:
		state_set_root(st, arg);
		return true;
	case OPT_STATE:
		state_set_run(st, arg);
		return true;
	case 'n':
		state_set_ns(st, arg);
		return true;
	case OPT_LOG_LEVEL:
		if (log_parse_level(arg, &log_level) < 0)
			die_usage("unknown log level '%s'", arg);
		return true;
	}
	return false;
}

/* --version, -V: one line on stdout, "PROG VERSION (git DESCRIBE)", exit 0. */
__attribute__((noreturn)) static void
print_version(void)
{
	printf("%s %s\n", PROG, CTR_VERSION);
	exit(fflush(stdout) == 0 && !ferror(stdout) ? 0 : EXIT_SYS);
}

/*
 * Leading global options, before the verb or the tool's own arguments.
 * --version/-V is only taken here: no tool uses -V, and after a verb it
 * would be an option of that verb.
 */
static void
parse_leading(int *argc, char ***argv, struct state *st)
{
	static const struct option opts[] = {
	    PROG_GLOBAL_LONGOPTS, {"version", no_argument, NULL, 'V'}, {NULL, 0, NULL, 0}};
	int c;

	/* '+' stops at the first non-option; ':' keeps getopt quiet on unknown ones */
	opterr = 0;
	while ((c = getopt_long(*argc, *argv, "+:V" PROG_GLOBAL_SHORTOPTS, opts, NULL)) != -1) {
		if (c == '?' || c == ':') {
			optind--; /* leave the tool's own option for its parser */
			break;
		}
		if (c == 'V')
			print_version();
		prog_global_opt(c, optarg, st);
	}
	opterr = 1;
	/* keep argv[0] in place so the tool's parser sees a normal vector */
	(*argv)[optind - 1] = (*argv)[0];
	*argv += optind - 1;
	*argc -= optind - 1;
	optind = 0;
}

void
prog_init(const char *name, unsigned flags, int *argc, char ***argv, struct state *st)
{
	const char *lvl = getenv("CTR_LOG");

	PROG = name;
	if (lvl && log_parse_level(lvl, &log_level) < 0)
		log_warn("ignoring unknown CTR_LOG level '%s'", lvl);
	/* nothing this tool execs should gain privileges through setuid files */
	if (flags & PROG_NO_NEW_PRIVS)
		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	state_init(st);
	parse_leading(argc, argv, st);
}

void
prog_usage(const struct verb *verbs, const struct verb *v, bool to_stdout)
{
	FILE *f = to_stdout ? stdout : stderr;

	if (v) {
		fprintf(f, "usage: %s %s\n", PROG, v->usage);
		return;
	}
	fprintf(f, "usage: %s [--root DIR] [--state DIR] [-n NS] VERB [ARGS]\n\nverbs:\n", PROG);
	for (v = verbs; v->name; v++)
		fprintf(f, "  %s %s\n", PROG, v->usage);
}

int
prog_dispatch(const struct verb *verbs, int argc, char **argv, struct state *st)
{
	if (argc < 2) {
		prog_usage(verbs, NULL, false);
		exit(EXIT_USAGE);
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		prog_usage(verbs, NULL, true);
		return 0;
	}
	for (const struct verb *v = verbs; v->name; v++)
		if (!strcmp(argv[1], v->name)) {
			optind = 0;
			return v->fn(argc - 1, argv + 1, st);
		}
	fprintf(stderr, "%s: fatal: unknown verb '%s'\n", PROG, argv[1]);
	prog_usage(verbs, NULL, false);
	exit(EXIT_USAGE);
}
