/* SPDX-License-Identifier: Apache-2.0 */
/* One option table per verb: getopt_long's tables, --help and usage errors all come from it. */
#include "opt.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "prog.h"
#include "suggest.h"

static const struct opt help_rows[] = {
    {"help", OPT_KEY_HELP, NULL, "print this help and exit", NULL},
    OPT_END,
};
static const struct opt help_rows_h[] = {
    {"help", 'h', NULL, "print this help and exit", NULL},
    OPT_END,
};

/* The --help rows of a table: with -h too unless the table takes 'h' itself. */
static const struct opt *
help_of(const struct opt *const *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (rows[i]->key == 'h')
			return help_rows;
	return help_rows_h;
}

static bool
row_end(const struct opt *o)
{
	return !o->name && !o->key && !o->include;
}

/* Rows of t in order, included tables spliced in. */
static void
flatten(const struct opt *t, const struct opt **rows, size_t *n)
{
	for (; t && !row_end(t); t++) {
		if (t->include) {
			flatten(t->include, rows, n);
			continue;
		}
		/* a table that outgrows the parser is a bug of ours, found by any --help */
		if (*n == OPT_MAX)
			die(EXIT_SYS, "option table longer than %d rows", OPT_MAX);
		rows[(*n)++] = t;
	}
}

static bool
is_short(int key)
{
	return key > 0 && key < 0x80 && isalnum(key);
}

static void
build(struct opt_parser *p)
{
	size_t nlo = 0;
	char *s = p->shorts;

	/* '+' stops at the first operand ('--' and chain-loading work); ':' reports a missing argument */
	if (!(p->cmd->flags & OPT_PERMUTE))
		*s++ = '+';
	*s++ = ':';
	for (size_t i = 0; i < p->n; i++) {
		const struct opt *o = p->rows[i];

		if (o->name)
			p->lo[nlo++] = (struct option){
			    o->name, o->arg ? required_argument : no_argument, NULL, o->key};
		if (is_short(o->key) && !memchr(p->shorts, o->key, (size_t)(s - p->shorts))) {
			*s++ = (char)o->key;
			if (o->arg)
				*s++ = ':';
		}
	}
	*s = '\0';
	p->lo[nlo] = (struct option){NULL, 0, NULL, 0};
}

void
opt_init(struct opt_parser *p, const struct opt_cmd *cmd, int argc, char **argv, struct state *st)
{
	p->cmd = cmd;
	p->argc = argc;
	p->argv = argv;
	p->st = st;
	p->n = 0;
	flatten(cmd->opts, p->rows, &p->n);
	flatten(prog_global_opts, p->rows, &p->n);
	flatten(help_of(p->rows, p->n), p->rows, &p->n);
	build(p);
	opterr = 0; /* our one line instead of getopt's */
	optind = 0;
}

static int
usage_status(const struct opt_cmd *cmd)
{
	const struct err_kind *k = err_kind("usage");

	if (cmd && cmd->usage_status)
		return cmd->usage_status;
	return k ? k->exit : EXIT_USAGE;
}

void
opt_die(const struct opt_cmd *cmd, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	die_cmd(usage_status(cmd), "%s; see '%s --help'", msg, prog_cmd_name());
}

/*
 * The option as typed, without its "=value": "--forse", "-x". getopt names
 * a short one in optopt, and a long one only by the word it stopped at; a
 * short one inside a cluster ("-tx") leaves optind on that word. Returns
 * whether it is a long one.
 */
static bool
typed_option(const struct opt_parser *p, char *buf, size_t size)
{
	const char *w = optind > 0 && optind <= p->argc ? p->argv[optind - 1] : "";
	size_t len = strcspn(w, "=");
	bool long_word = !strncmp(w, "--", 2) && len > 2, named = !optopt;

	/* with optopt set, the word names that option when one of its names starts so */
	for (const struct option *o = p->lo; long_word && !named && o->name; o++)
		named = o->val == optopt && !strncmp(o->name, w + 2, len - 2);
	if (optopt && !(long_word && named)) {
		snprintf(buf, size, "-%c", optopt);
		return false;
	}
	snprintf(buf, size, "%.*s", (int)len, w);
	return true;
}

static __attribute__((noreturn)) void
bad_option(const struct opt_parser *p)
{
	char typed[80], names[160] = "";
	const char *near;
	struct suggest sg;
	size_t prefixed = 0, len = 0;
	bool is_long = typed_option(p, typed, sizeof(typed));

	if (is_long && optopt)
		opt_die(p->cmd, "option '%s' takes no argument", typed);
	suggest_init(&sg, typed + 2);
	for (const struct option *o = p->lo; is_long && o->name; o++) {
		/* getopt takes a unique prefix of a name; this one was not */
		if (!strncmp(o->name, typed + 2, strlen(typed + 2)) && len < sizeof(names))
			len += (size_t)snprintf(names + len, sizeof(names) - len, "%s--%s",
						prefixed++ ? ", " : "", o->name);
		suggest_add(&sg, o->name);
	}
	if (prefixed > 1)
		opt_die(p->cmd, "ambiguous option '%s' (%s)", typed, names);
	if (is_long && (near = suggest_best(&sg)))
		die_cmd(usage_status(p->cmd), "unknown option '%s'; did you mean '--%s'?", typed,
			near);
	opt_die(p->cmd, "unknown option '%s'", typed);
}

static __attribute__((noreturn)) void
missing_argument(const struct opt_parser *p)
{
	char typed[80];
	const char *arg = "an argument";

	typed_option(p, typed, sizeof(typed));
	for (size_t i = 0; i < p->n; i++)
		if (p->rows[i]->key == optopt && p->rows[i]->arg)
			arg = p->rows[i]->arg;
	opt_die(p->cmd, "option '%s' wants %s", typed, arg);
}

int
opt_next(struct opt_parser *p)
{
	int c;

	while ((c = getopt_long(p->argc, p->argv, p->shorts, p->lo, NULL)) != -1) {
		if (c == '?')
			bad_option(p);
		if (c == ':')
			missing_argument(p);
		if (c == p->rows[p->n - 1]->key) { /* the help row is last */
			opt_help(p->cmd, stdout);
			exit(fflush(stdout) == 0 && !ferror(stdout) ? 0 : EXIT_SYS);
		}
		if (!prog_global_opt(c, optarg, p->st))
			return c;
	}
	return -1;
}

int
opt_parse(const struct opt_cmd *cmd, int argc, char **argv, struct state *st,
	  void (*fn)(int key, const char *arg, void *ctx), void *ctx)
{
	struct opt_parser p;
	int c;

	opt_init(&p, cmd, argc, argv, st);
	while ((c = opt_next(&p)) != -1)
		if (fn)
			fn(c, optarg, ctx);
	return optind;
}

/* Past the bracket group that starts at s ("[--x N]", "(a | b)"). */
static const char *
group_end(const char *s)
{
	int depth = 0;

	for (; *s && *s != '\n'; s++) {
		if (*s == '[' || *s == '(')
			depth++;
		else if ((*s == ']' || *s == ')') && --depth == 0)
			return s + 1;
	}
	return s;
}

/* The n-th required operand named by the synopsis's first form ("REF"), into buf. */
static void
required_operand(const char *syn, int n, char *buf, size_t size)
{
	const char *s = syn ? syn : "";

	snprintf(buf, size, "an argument");
	while (*s && *s != '\n') {
		const char *end;
		size_t len;

		if (*s == ' ') {
			s++;
			continue;
		}
		end = *s == '[' || *s == '(' ? group_end(s) : s + strcspn(s, " \n");
		len = (size_t)(end - s);
		/* a required option ("--ifname IF") is no operand, nor its argument */
		if (*s == '-' && len > 2) {
			end += strspn(end, " ");
			end += strcspn(end, " \n");
		}
		if (*s != '[' && *s != '-' && n-- == 0) {
			if (len > 3 && !strncmp(end - 3, "...", 3))
				len -= 3;
			snprintf(buf, size, "%.*s", (int)len, s);
			return;
		}
		s = end;
	}
}

void
opt_operands(const struct opt_cmd *cmd, int argc, char **argv, int min, int max)
{
	int have = argc - optind;
	char name[64];

	if (have < min) {
		required_operand(cmd->operands, have, name, sizeof(name));
		opt_die(cmd, "missing %s", name);
	}
	if (max >= 0 && have > max)
		opt_die(cmd, "unexpected argument '%s'", argv[optind + max]);
}

/* "-e, --env K=V": a row's spellings (and those of the aliases after it) and argument. */
static size_t
left_column(const struct opt *const *rows, size_t n, size_t i, char *buf, size_t size)
{
	const struct opt *o = rows[i];
	int len = snprintf(buf, size, is_short(o->key) ? "-%c" : "  ", o->key);

	for (size_t j = i; j < n && (j == i || !rows[j]->help); j++)
		if (rows[j]->name)
			len += snprintf(buf + len, size - (size_t)len, "%s--%s",
					is_short(o->key) || j > i ? ", " : "  ", rows[j]->name);
	if (o->arg)
		len += snprintf(buf + len, size - (size_t)len, " %s", o->arg);
	return strlen(buf);
}

/* The widest left column that still shares its line with the meaning. */
#define OPT_HELP_COLUMN 32

static void
print_rows(const struct opt *const *rows, size_t from, size_t to, FILE *f)
{
	char left[128];
	size_t width = 0;

	for (size_t i = from; i < to; i++)
		if (rows[i]->help) {
			size_t w = left_column(rows, to, i, left, sizeof(left));

			width = w > width && w <= OPT_HELP_COLUMN ? w : width;
		}
	for (size_t i = from; i < to; i++) {
		if (!rows[i]->help)
			continue;
		/* a wider row puts its meaning on a line of its own, so the column holds */
		if (left_column(rows, to, i, left, sizeof(left)) > width)
			fprintf(f, "  %s\n  %-*s  %s\n", left, (int)width, "", rows[i]->help);
		else
			fprintf(f, "  %-*s  %s\n", (int)width, left, rows[i]->help);
	}
}

static void
help_globals(const struct opt *extra, const struct opt *help, FILE *f)
{
	const struct opt *rows[OPT_MAX];
	size_t n = 0;

	flatten(extra, rows, &n);
	flatten(prog_global_opts, rows, &n);
	flatten(help, rows, &n);
	fputs("global options:\n", f);
	print_rows(rows, 0, n, f);
}

void
opt_help(const struct opt_cmd *cmd, FILE *f)
{
	const struct opt *rows[OPT_MAX];
	const char *form = cmd->operands ? cmd->operands : "";
	size_t n = 0, own;
	bool first = true;

	flatten(cmd->opts, rows, &n);
	own = n;
	do {
		size_t len = strcspn(form, "\n");

		fprintf(f, "%s %s%s%s%.*s\n", first ? "usage:" : "      ", prog_cmd_name(),
			own ? " [OPTIONS]" : "", len ? " " : "", (int)len, form);
		form += len;
		first = false;
	} while (*form && *form++);
	if (cmd->summary)
		fprintf(f, "\n%s\n", cmd->summary);
	if (own) {
		fputs("\noptions:\n", f);
		print_rows(rows, 0, own, f);
	}
	fputs("\n", f);
	/* a tool of one verb ("ctr-pull"): its help is the tool's, -V included */
	help_globals(strcmp(prog_cmd_name(), PROG) ? NULL : prog_leading_opts, help_of(rows, own),
		     f);
}

void
opt_help_globals(const struct opt *extra, FILE *f)
{
	help_globals(extra, help_rows_h, f);
}
