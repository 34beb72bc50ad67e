/* SPDX-License-Identifier: Apache-2.0 */
/* Program start-up, global options, verb dispatch and fatal exits. */
#include "prog.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "priv.h"
#include "spawn.h"
#include "suggest.h"
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

/* "ctr-run run" once a verb is dispatched (prog_cmd_name) */
static char cmd_name[128];

const char *
prog_cmd_name(void)
{
	return cmd_name[0] ? cmd_name : PROG;
}

/*
 * One failure told: "label: msg" on stderr (label NULL: "PROG: fatal", or
 * "PROG: error" when the tool goes on), and with --json the error document
 * on stdout.
 */
__attribute__((format(printf, 4, 0))) static void
vreport(bool fatal, const char *token, const char *label, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* names quoted from hostile input must not add lines or terminal escapes */
	for (char *p = msg; *p; p++)
		*p = prog_inert(*p);
	fflush(stdout);
	if (label)
		fprintf(stderr, "%s: %s\n", label, msg);
	else
		fprintf(stderr, "%s: %s: %s\n", PROG, fatal ? "fatal" : "error", msg);
	if (json_errors) {
		json_t *j = json_pack("{s:{s:s, s:s}}", "error", "code", token, "message", msg);

		if (j) {
			json_dumpf(j, stdout, JSON_COMPACT);
			fputc('\n', stdout);
			json_decref(j);
		}
		fflush(stdout);
	}
}

__attribute__((noreturn, format(printf, 4, 0))) static void
vdie(int code, const char *token, const char *label, const char *fmt, va_list ap)
{
	vreport(true, token, label, fmt, ap);
	exit(code);
}

__attribute__((format(printf, 2, 3))) static void
report(const char *token, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(false, token, NULL, fmt, ap);
	va_end(ap);
}

int
prog_error(const struct err *e)
{
	report(e->code ? e->code : "system", "%s", e->msg);
	return err_exit_code(e);
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
	vdie(code, code_of_status(code), NULL, fmt, ap);
}

void
die_cmd(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdie(code, "usage", prog_cmd_name(), fmt, ap);
}

__attribute__((noreturn, format(printf, 3, 4))) static void
die_token(int code, const char *token, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdie(code, token, NULL, fmt, ap);
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
	die_token(EXIT_USAGE, "usage", "%s (see '%s --help')", msg, prog_cmd_name());
}

const struct opt prog_global_opts[] = {
    {"root", OPT_ROOT, "DIR",
     "the store (default $CTR_ROOT, else /var/lib/ctr; a user's: ctr-state(5))", NULL},
    {"state", OPT_STATE, "DIR",
     "volatile state (default $CTR_STATE, else /run/ctr; a user's: ctr-state(5))", NULL},
    {"namespace", 'n', "NS", "the namespace (default $CTR_NAMESPACE, else default)", NULL},
    {"log-level", OPT_LOG_LEVEL, "LEVEL", "error, warn, info or debug (default $CTR_LOG)", NULL},
    OPT_END,
};

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

const char *
prog_version(void)
{
	return CTR_VERSION;
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
const struct opt prog_leading_opts[] = {
    {"version", 'V', NULL, "print the version and exit", NULL},
    OPT_END,
};
static const struct opt_cmd leading_cmd = {NULL, NULL, prog_leading_opts, 0, 0};

static void
parse_leading(int *argc, char ***argv, struct state *st)
{
	struct opt_parser p;
	int c;

	/* the tables of opt_next, without its verdicts: the first option not ours is the tool's */
	opt_init(&p, &leading_cmd, *argc, *argv, st);
	while ((c = getopt_long(*argc, *argv, p.shorts, p.lo, NULL)) != -1) {
		if (c == 'V')
			print_version();
		if (!prog_global_opt(c, optarg, st)) {
			optind--; /* leave it (--help too) for the tool's parser */
			break;
		}
	}
	/* keep argv[0] in place so the tool's parser sees a normal vector */
	(*argv)[optind - 1] = (*argv)[0];
	*argv += optind - 1;
	*argc -= optind - 1;
	optind = 0;
}

/* The command line as main() got it, for a verb another program runs (exec_verb). */
static char **whole_argv;

void
prog_init(const char *name, unsigned flags, int *argc, char ***argv, struct state *st)
{
	const char *lvl = getenv("CTR_LOG");

	PROG = name;
	/* parse_leading writes over one slot of argv: keep the vector as it came */
	whole_argv = xcalloc((size_t)*argc + 1, sizeof(char *));
	memcpy(whole_argv, *argv, (size_t)*argc * sizeof(char *));
	if (lvl && log_parse_level(lvl, &log_level) < 0)
		log_warn("ignoring unknown CTR_LOG level '%s'", lvl);
	/*
	 * Nothing this tool execs should gain privileges through setuid files;
	 * but a user's tools, or the ctr-unpack they start, map a user
	 * namespace with the setuid newuidmap first (then userns_enter sets it).
	 */
	if ((flags & PROG_NO_NEW_PRIVS) && priv_mode() != PRIV_USER)
		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	state_init(st);
	st->userns = flags & PROG_USERNS;
	st->userns_nnp = flags & PROG_NO_NEW_PRIVS;
	parse_leading(argc, argv, st);
}

static void
help_verbs(const struct verb *verbs, const char *parent, FILE *f)
{
	for (const struct verb *v = verbs; v->name; v++) {
		char name[64];

		snprintf(name, sizeof(name), "%s%s%s", parent, *parent ? " " : "", v->name);
		if (v->sub)
			help_verbs(v->sub, name, f);
		else
			fprintf(f, "  %-14s  %s\n", name,
				v->cmd && v->cmd->summary ? v->cmd->summary : v->summary);
	}
}

void
prog_help(const struct verb *verbs, FILE *f)
{
	const char *name = prog_cmd_name();
	/* under a verb ("ctr-netns veth") the sub-verbs are listed by their whole names */
	const char *parent = strlen(name) > strlen(PROG) ? name + strlen(PROG) + 1 : "";

	if (*parent)
		fprintf(f, "usage: %s VERB [OPTIONS] [ARGS]\n\nverbs:\n", name);
	else
		fprintf(f, "usage: %s [GLOBAL OPTIONS] VERB [OPTIONS] [ARGS]\n\nverbs:\n", name);
	help_verbs(verbs, parent, f);
	fputs("\n", f);
	opt_help_globals(*parent ? NULL : prog_leading_opts, f);
	fprintf(f, "\n'%s VERB --help' shows a verb's options.\n", name);
}

static const struct verb *
find_verb(const struct verb *verbs, const char *name)
{
	for (const struct verb *v = verbs; v->name; v++)
		if (!strcmp(v->name, name))
			return v;
	return NULL;
}

static __attribute__((noreturn)) void
unknown_verb(const struct verb *verbs, const char *word)
{
	struct suggest sg;
	const char *near;

	if (word[0] == '-') {
		suggest_init(&sg, word + strspn(word, "-"));
		for (const struct opt *o = prog_global_opts; o->name; o++)
			suggest_add(&sg, o->name);
		if ((near = suggest_best(&sg)))
			die_cmd(EXIT_USAGE, "unknown option '%s'; did you mean '--%s'?", word,
				near);
		die_cmd(EXIT_USAGE, "unknown option '%s'; see '%s --help'", word, cmd_name);
	}
	suggest_init(&sg, word);
	for (const struct verb *v = verbs; v->name; v++)
		suggest_add(&sg, v->name);
	if ((near = suggest_best(&sg)))
		die_cmd(EXIT_USAGE, "unknown verb '%s'; did you mean '%s'?", word, near);
	die_cmd(EXIT_USAGE, "unknown verb '%s'; see '%s --help'", word, cmd_name);
}

/* "help VERB [SUB]": the same argv as "VERB [SUB] --help". */
static char **
help_argv(int argc, char **argv)
{
	char **v = xcalloc((size_t)argc + 1, sizeof(char *));

	v[0] = argv[0];
	memcpy(v + 1, argv + 2, (size_t)(argc - 2) * sizeof(char *));
	v[argc - 1] = "--help";
	return v;
}

/*
 * The program that runs v, with the whole command line: it parses the global
 * options and the verb again, as it would have from a shell.
 */
static __attribute__((noreturn)) void
exec_verb(const struct verb *v)
{
	char *exe = spawn_sibling(v->exec, NULL);

	fflush(stdout);
	whole_argv[0] = exe;
	execvp(exe, whole_argv);
	die(EXIT_SYS, "cannot run '%s' for '%s': %s", exe, cmd_name, strerror(errno));
}

static int
dispatch(const struct verb *verbs, int argc, char **argv, struct state *st)
{
	const struct verb *v;
	size_t len = strlen(cmd_name);

	if (argc < 2)
		die_cmd(EXIT_USAGE, "missing VERB; see '%s --help'", cmd_name);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    (!strcmp(argv[1], "help") && argc == 2)) {
		prog_help(verbs, stdout);
		exit(fflush(stdout) == 0 && !ferror(stdout) ? 0 : EXIT_SYS);
	}
	if (!strcmp(argv[1], "help") && !find_verb(verbs, "help"))
		return dispatch(verbs, argc, help_argv(argc, argv), st);
	if (!(v = find_verb(verbs, argv[1])))
		unknown_verb(verbs, argv[1]);
	snprintf(cmd_name + len, sizeof(cmd_name) - len, " %s", v->name);
	optind = 0;
	if (v->exec)
		exec_verb(v);
	if (v->sub)
		return dispatch(v->sub, argc - 1, argv + 1, st);
	return v->fn(argc - 1, argv + 1, st);
}

int
prog_dispatch(const struct verb *verbs, int argc, char **argv, struct state *st)
{
	snprintf(cmd_name, sizeof(cmd_name), "%s", PROG);
	return dispatch(verbs, argc, argv, st);
}

int
prog_main(const char *name, unsigned flags, const struct verb *verbs, int argc, char **argv)
{
	struct state st;
	int rc;

	prog_init(name, flags, &argc, &argv, &st);
	rc = prog_dispatch(verbs, argc, argv, &st);
	state_release(&st);
	return rc;
}
