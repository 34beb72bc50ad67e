/* SPDX-License-Identifier: Apache-2.0 */
/* Program start-up, global options, the verb table and fatal exits. */
#ifndef CTR_PROG_H
#define CTR_PROG_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "err.h"
#include "log.h"
#include "opt.h"
#include "state.h"

/* Long-only option values for the global options; tools use values below 0x100. */
enum {
	OPT_ROOT = 0x1000,
	OPT_STATE,
	OPT_LOG_LEVEL,
};

/*
 * The global options as getopt_long rows, for a verb not yet on an option
 * table (opt.h); a verb on one gets prog_global_opts without asking.
 */
/* (an initializer list, which the formatter takes for a block) */
/* clang-format off */
#define PROG_GLOBAL_LONGOPTS \
	{"root", required_argument, NULL, OPT_ROOT}, \
	{"state", required_argument, NULL, OPT_STATE}, \
	{"namespace", required_argument, NULL, 'n'}, \
	{"log-level", required_argument, NULL, OPT_LOG_LEVEL}
/* clang-format on */
#define PROG_GLOBAL_SHORTOPTS "n:"

/* Every verb takes these, before or after its name; the table of --help. */
extern const struct opt prog_global_opts[];
/* Taken before the verb (or a one-verb tool's own options) only: -V, --version. */
extern const struct opt prog_leading_opts[];

struct verb {
	const char *name;
	int (*fn)(int argc, char **argv, struct state *st); /* NULL when sub or exec is set */
	const char *summary;	   /* without cmd (an exec'd verb): its line in --help */
	const struct opt_cmd *cmd; /* its options, synopsis and summary */
	const struct verb *sub;	   /* sub-verbs ("veth add"), NULL-terminated */
	/*
	 * A program of the suite that runs this verb (spawn_sibling): the tool
	 * execs it with its own command line, untouched, so that verbs needing
	 * heavy libraries do not make every other verb load them.
	 */
	const char *exec;
};

enum {
	/*
	 * Set PR_SET_NO_NEW_PRIVS: for tools that never exec a container. It is
	 * inherited and irreversible, so ctr-run, ctr-shim and ctr-netns exec
	 * (whose children may rightly run setuid programs) leave it unset.
	 */
	PROG_NO_NEW_PRIVS = 1 << 0,
	/*
	 * Writes or removes snapshot trees, whose files belong to the image's
	 * ids: run by a user, state_open enters a user namespace mapped from
	 * its subordinate ids first (userns.h), and NO_NEW_PRIVS waits until
	 * then (newuidmap is setuid).
	 */
	PROG_USERNS = 1 << 1,
};

/*
 * Set PROG, read $CTR_ROOT/$CTR_STATE/$CTR_NAMESPACE/$CTR_LOG into st, and
 * consume leading global options from argv. flags: PROG_* above.
 */
void prog_init(const char *name, unsigned flags, int *argc, char ***argv, struct state *st);
/* Apply one global option found by a verb's getopt loop; false if c is not one. */
bool prog_global_opt(int c, const char *arg, struct state *st);
/*
 * Run argv[1]'s verb from the table with argv from there on. --help, -h and
 * help list the verbs; "help VERB" is "VERB --help"; a missing or unknown
 * verb dies with one line (a did-you-mean when one is near), exit 100. A
 * verb with exec set replaces the process with that program, given the
 * argv prog_init saw; exit 111 when it cannot be run.
 */
int prog_dispatch(const struct verb *verbs, int argc, char **argv, struct state *st);
/*
 * The whole main() of a tool that is its verb table: prog_init (flags:
 * PROG_*), prog_dispatch, then the state released. Returns the verb's status.
 */
int prog_main(const char *name, unsigned flags, const struct verb *verbs, int argc, char **argv);
/* The tool's --help: synopsis, every verb with its summary, the global options. */
void prog_help(const struct verb *verbs, FILE *f);
/* "PROG VERB" of the verb being run ("ctr-netns veth add"), PROG before dispatch. */
const char *prog_cmd_name(void);
/* The suite's version, as --version prints it after the name: "0.1 (git DESCRIBE)". */
const char *prog_version(void);

/*
 * A byte of text someone else chose (a name quoted in an error, a
 * container's command line), as a terminal may be shown it: bytes below
 * space and DEL become '?', so that it adds no line and drives no terminal.
 */
static inline char
prog_inert(char c)
{
	return (unsigned char)c < 0x20 || c == 0x7f ? '?' : c;
}

/* Failures also print {"error":{...}} on stdout once this is set (--json). */
void prog_set_json_errors(bool on);
/*
 * A failure the tool goes on after (one operand of several): "PROG: error:
 * msg" on stderr and, with --json, e's error document on stdout. Returns the
 * exit status of e's code.
 */
int prog_error(const struct err *e);
/* Print "PROG: fatal: msg" (and the JSON error) and exit with code. */
void die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
/* die() with e's message, code token and exit code. */
void die_err(const struct err *e) __attribute__((noreturn));
/* A usage error of the command line: "PROG VERB: msg" (no "fatal:"), exit code. */
void die_cmd(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
/* Bad usage: one line, a hint to --help, exit 100. */
void die_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
