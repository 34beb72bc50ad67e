/* SPDX-License-Identifier: Apache-2.0 */
/* One option table per verb: getopt_long's tables, --help and usage errors all come from it. */
#ifndef CTR_OPT_H
#define CTR_OPT_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct state;

/*
 * A row of a verb's option table. key is what opt_next() returns: a
 * printable character is also the short option (-e), a value >= 0x100 is
 * long-only. A row with help NULL is another spelling of the row before
 * (--workdir beside --cwd) and shares its help line.
 */
struct opt {
	const char *name;	   /* long name without "--", or NULL */
	int key;		   /* short option character, or >= 0x100 */
	const char *arg;	   /* the argument's name ("N", "DIR"); NULL: no argument */
	const char *help;	   /* one line: what it does */
	const struct opt *include; /* a row of only this: splice that table here */
};

/* A row that splices another table (shared options) into this one. */
#define OPT_INCLUDE(table)                                                                         \
	{                                                                                          \
		NULL, 0, NULL, NULL, (table)                                                       \
	}
#define OPT_END                                                                                    \
	{                                                                                          \
		NULL, 0, NULL, NULL, NULL                                                          \
	}

enum {
	OPT_PERMUTE = 1 << 0, /* options may follow operands (getopt's default order) */
};

/* What one verb (or a tool without verbs) takes, and says of itself in --help. */
struct opt_cmd {
	/* after "PROG VERB [OPTIONS] "; a '\n' starts another form of the synopsis */
	const char *operands;
	const char *summary;	/* one line: what the verb does */
	const struct opt *opts; /* NULL: none but the global ones */
	int usage_status;	/* exit status of a usage error; 0: that of code "usage" */
	unsigned flags;		/* OPT_* above */
};

/* Options in one getopt_long call at most (the global ones and --help included). */
#define OPT_MAX 64

/* A parse of one verb's argv; on the caller's stack, nothing to release. */
struct opt_parser {
	const struct opt_cmd *cmd;
	int argc;
	char **argv;
	struct state *st;
	size_t n;
	const struct opt *rows[OPT_MAX];
	struct option lo[OPT_MAX + 1];
	char shorts[3 * OPT_MAX + 4];
};

/* Key of the --help row every verb gets; -h too unless the table takes 'h'. */
#define OPT_KEY_HELP 0x1fff

/*
 * Start parsing argv (argv[0] the verb or program) by cmd's table, the
 * global options and --help appended.
 */
void opt_init(struct opt_parser *p, const struct opt_cmd *cmd, int argc, char **argv,
	      struct state *st);
/*
 * The key of the next option of the verb's own table, optarg its argument;
 * -1 when the options end, optind then the first operand. Global options are
 * applied to st here; --help prints the help and exits 0; an unknown option
 * or a missing argument dies with one line (the verb's usage status).
 */
int opt_next(struct opt_parser *p);
/* Parse all of argv that way, calling fn for each of the verb's options; returns optind. */
int opt_parse(const struct opt_cmd *cmd, int argc, char **argv, struct state *st,
	      void (*fn)(int key, const char *arg, void *ctx), void *ctx);
/*
 * Die with a usage error unless argc - optind operands, at least min and at
 * most max (-1: no limit), remain; names the first missing one from the
 * synopsis ("missing REF").
 */
void opt_operands(const struct opt_cmd *cmd, int argc, char **argv, int min, int max);
/* "PROG VERB: msg; see 'PROG VERB --help'" on stderr; exit cmd's usage status. */
void opt_die(const struct opt_cmd *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));
/* cmd's --help text on f: synopsis, summary, every option with its argument and meaning. */
void opt_help(const struct opt_cmd *cmd, FILE *f);

/* "global options:" and their help lines, after those of extra (may be NULL). */
void opt_help_globals(const struct opt *extra, FILE *f);

#endif
