/* SPDX-License-Identifier: Apache-2.0 */
/* Program start-up, global options, the verb table and fatal exits. */
#ifndef CTR_PROG_H
#define CTR_PROG_H

#include <getopt.h>
#include <stdbool.h>

#include "err.h"
#include "log.h"
#include "state.h"

/* Long-only option values for the global options; tools use values below 0x100. */
enum {
	OPT_ROOT = 0x1000,
	OPT_STATE,
	OPT_LOG_LEVEL,
};

/* Spliced into every getopt_long table so global options work after the verb too. */
/* (an initializer list, which the formatter takes for a block) */
/* clang-format off */
#define PROG_GLOBAL_LONGOPTS \
	{"root", required_argument, NULL, OPT_ROOT}, \
	{"state", required_argument, NULL, OPT_STATE}, \
	{"namespace", required_argument, NULL, 'n'}, \
	{"log-level", required_argument, NULL, OPT_LOG_LEVEL}
/* clang-format on */
#define PROG_GLOBAL_SHORTOPTS "n:"

struct verb {
	const char *name;
	int (*fn)(int argc, char **argv, struct state *st);
	const char *usage; /* "prepare [--parent KEY] KEY": printed after PROG */
};

enum {
	/*
	 * Set PR_SET_NO_NEW_PRIVS: for tools that never exec a container. It is
	 * inherited and irreversible, so ctr-run, ctr-shim and ctr-netns exec
	 * (whose children may rightly run setuid programs) leave it unset.
	 */
	PROG_NO_NEW_PRIVS = 1 << 0,
};

/*
 * Set PROG, read $CTR_ROOT/$CTR_STATE/$CTR_NAMESPACE/$CTR_LOG into st, and
 * consume leading global options from argv. flags: PROG_* above.
 */
void prog_init(const char *name, unsigned flags, int *argc, char ***argv, struct state *st);
/* Apply one global option found by a verb's getopt loop; false if c is not one. */
bool prog_global_opt(int c, const char *arg, struct state *st);
/* Run argv[0]'s verb from the table; prints usage and exits 100 on an unknown one. */
int prog_dispatch(const struct verb *verbs, int argc, char **argv, struct state *st);
/* Print "usage: PROG VERB-USAGE" for one verb (or all when v is NULL). */
void prog_usage(const struct verb *verbs, const struct verb *v, bool to_stdout);

/* Failures also print {"error":{...}} on stdout once this is set (--json). */
void prog_set_json_errors(bool on);
/* Print "PROG: fatal: msg" (and the JSON error) and exit with code. */
void die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
/* die() with e's message, code token and exit code. */
void die_err(const struct err *e) __attribute__((noreturn));
/* Bad usage: one line, a hint to --help, exit 100. */
void die_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
