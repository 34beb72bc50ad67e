/* SPDX-License-Identifier: Apache-2.0 */
/* opt and prog_dispatch: tables to getopt, --help text, and the one-line usage errors. */
#include "opt.h"

#include <sys/wait.h>

#include "fdio.h"
#include "prog.h"
#include "tap.h"

enum { K_NAME = 0x100, K_RM, K_TAIL };

static const struct opt shared[] = {
    {"tail", K_TAIL, "N", "the last N lines", NULL},
    OPT_END,
};
static const struct opt table[] = {
    {"name", K_NAME, "ID", "the container's ID", NULL},
    {"env", 'e', "K=V", "set a variable", NULL},
    {"cwd", 'w', "DIR", "the working directory", NULL},
    {"workdir", 'w', "DIR", NULL, NULL},
    {"rm", K_RM, NULL, "delete it at exit", NULL},
    {"force", 'f', NULL, "and mean it", NULL},
    {"progress", 'P', "auto|tty|json|none|quiet", "wider than the column", NULL},
    OPT_INCLUDE(shared),
    OPT_END,
};
static const struct opt_cmd cmd = {"IMAGE [-- CMD ...]", "make a thing", table, 0, 0};
static const struct opt_cmd cmd125 = {"ID -- CMD ...", "exec", table, 125, 0};
static const struct opt_cmd permute = {"NAME...", "names", table, 0, OPT_PERMUTE};
static const struct opt takes_h[] = {
    {"host", 'h', "NAME", "a host", NULL},
    OPT_END,
};
static const struct opt_cmd cmd_h = {NULL, "h is ours", takes_h, 0, 0};

/* Parse argv (NULL-ended) by c; the keys seen, as "K=arg," text, into out. */
static int
parse(const struct opt_cmd *c, char **argv, struct state *st, char *out, size_t size)
{
	struct opt_parser p;
	int argc = 0, k;

	while (argv[argc])
		argc++;
	out[0] = '\0';
	opt_init(&p, c, argc, argv, st);
	while ((k = opt_next(&p)) != -1) {
		size_t len = strlen(out);

		snprintf(out + len, size - len, "%x=%s,", k, optarg ? optarg : "");
	}
	return optind;
}

static void
test_opt_parse(void)
{
	struct state st;
	char out[256];

	state_init(&st);
	char *a1[] = {"run", "-e", "A=1", "--workdir=/w", "--root", "/r", "-f", "img", "-x", NULL};
	is_int(parse(&cmd, a1, &st, out, sizeof(out)), 7, "stops at the first operand");
	is_str(out, "65=A=1,77=/w,66=,", "short, alias and flag keys; the global one not shown");
	is_str(st.root, "/r", "--root applied to the state");
	char *a2[] = {"run", "-n", "ns1", "--tail", "5", "--", "-e", NULL};
	is_int(parse(&cmd, a2, &st, out, sizeof(out)), 6, "'--' ends the options (and is skipped)");
	is_str(out, "102=5,", "an included table's row");
	is_str(st.ns, "ns1", "-n applied");
	char *a3[] = {"rm", "a", "--rm", "b", NULL};
	is_int(parse(&permute, a3, &st, out, sizeof(out)), 2,
	       "OPT_PERMUTE: options after operands");
	is_str(out, "101=,", "--rm found after an operand");
	char *a4[] = {"x", "--wor", "/d", NULL};
	parse(&cmd, a4, &st, out, sizeof(out));
	is_str(out, "77=/d,", "a unique prefix of a long name");
	state_release(&st);
}

/* Run fn in a child; its exit status, stdout and stderr. */
static int
in_child(void (*fn)(void *), void *arg, char *out, size_t outn, char *err, size_t errn)
{
	int op[2], ep[2], status;
	pid_t pid;
	ssize_t r;

	fflush(stdout);
	if (pipe(op) < 0 || pipe(ep) < 0 || (pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		dup2(op[1], 1);
		dup2(ep[1], 2);
		PROG = "ctr-test";
		fn(arg);
		fflush(stdout);
		_exit(0);
	}
	close(op[1]);
	close(ep[1]);
	r = fdio_read_full(op[0], out, outn - 1);
	out[r > 0 ? r : 0] = '\0';
	r = fdio_read_full(ep[0], err, errn - 1);
	err[r > 0 ? r : 0] = '\0';
	close(op[0]);
	close(ep[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

struct parse_case {
	const struct opt_cmd *cmd;
	char *argv[6];
	int min, max; /* operands wanted */
};

static void
run_parse(void *arg)
{
	struct parse_case *pc = arg;
	struct state st;
	char out[256];
	int argc = 0;

	while (pc->argv[argc])
		argc++;
	state_init(&st);
	parse(pc->cmd, pc->argv, &st, out, sizeof(out));
	opt_operands(pc->cmd, argc, pc->argv, pc->min, pc->max);
}

static void
test_opt_errors(void)
{
	static const struct {
		struct parse_case pc;
		int status;
		const char *err;
	} cases[] = {
	    {{&cmd, {"run", "--forse", "x"}, 1, 1},
	     100,
	     "ctr-test: unknown option '--forse'; did you mean '--force'?\n"},
	    {{&cmd, {"run", "--zzzzzz", "x"}, 1, 1},
	     100,
	     "ctr-test: unknown option '--zzzzzz'; see 'ctr-test --help'\n"},
	    {{&cmd, {"run", "-tx", "x"}, 1, 1},
	     100,
	     "ctr-test: unknown option '-t'; see 'ctr-test --help'\n"},
	    {{&cmd, {"run", "--rm=1", "x"}, 1, 1},
	     100,
	     "ctr-test: option '--rm' takes no argument; see 'ctr-test --help'\n"},
	    {{&cmd, {"run", "--name"}, 1, 1},
	     100,
	     "ctr-test: option '--name' wants ID; see 'ctr-test --help'\n"},
	    {{&cmd, {"run", "-e"}, 1, 1},
	     100,
	     "ctr-test: option '-e' wants K=V; see 'ctr-test --help'\n"},
	    {{&cmd, {"run", "--n", "x"}, 1, 1},
	     100,
	     "ctr-test: ambiguous option '--n' (--name, --namespace); see 'ctr-test --help'\n"},
	    {{&cmd, {"run"}, 1, 1}, 100, "ctr-test: missing IMAGE; see 'ctr-test --help'\n"},
	    {{&cmd, {"run", "a", "b"}, 1, 1},
	     100,
	     "ctr-test: unexpected argument 'b'; see 'ctr-test --help'\n"},
	    {{&cmd125, {"exec", "id"}, 2, -1},
	     125,
	     "ctr-test: missing CMD; see 'ctr-test --help'\n"},
	    {{&cmd125, {"exec", "--bogus"}, 2, -1},
	     125,
	     "ctr-test: unknown option '--bogus'; see 'ctr-test --help'\n"},
	};
	char out[256], err[512];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct parse_case pc = cases[i].pc;

		is_int(in_child(run_parse, &pc, out, sizeof(out), err, sizeof(err)),
		       cases[i].status, "%s %s: exit status", pc.argv[0],
		       pc.argv[1] ? pc.argv[1] : "");
		is_str(err, cases[i].err, "one line on stderr");
		is_str(out, "", "nothing on stdout");
	}
}

static void
run_help(void *arg)
{
	char *argv[] = {"run", arg, NULL};
	struct state st;
	char out[256];

	state_init(&st);
	parse(strcmp(arg, "-h") ? &cmd : &cmd_h, argv, &st, out, sizeof(out));
}

static void
test_opt_help(void)
{
	char out[4096], err[256];

	is_int(in_child(run_help, "--help", out, sizeof(out), err, sizeof(err)), 0,
	       "--help exits 0");
	is_str(err, "", "nothing on stderr");
	ok(!strncmp(out, "usage: ctr-test [OPTIONS] IMAGE [-- CMD ...]\n\nmake a thing\n", 59),
	   "synopsis, then the summary");
	ok(strstr(out, "\n  -w, --cwd, --workdir DIR  "), "a short name and an alias on one line");
	ok(strstr(out, "\n      --name ID"), "a long-only option with its argument");
	ok(strstr(out, "\n      --tail N") && strstr(out, "the last N lines\n"),
	   "an included table's row");
	ok(strstr(out, "\n      --rm ") && strstr(out, "delete it at exit\n"), "a flag");
	/* the column is that of the widest row that fits: -w, --cwd, --workdir DIR */
	ok(strstr(out, "\n      --rm                  delete it at exit\n"), "the column");
	ok(strstr(out, "\n  -P, --progress auto|tty|json|none|quiet\n"
		       "                            wider than the column\n"),
	   "a row wider than the column has its meaning on the next line, in the column");
	ok(strstr(out, "global options:\n") && strstr(out, "--root DIR") &&
	       strstr(out, "-n, --namespace NS"),
	   "the global options");
	ok(strstr(out, "\n  -h, --help "), "-h is help when the table leaves it free");
	is_int(in_child(run_help, "-h", out, sizeof(out), err, sizeof(err)), 100,
	       "-h of a table that takes it is that option");
	is_str(err, "ctr-test: option '-h' wants NAME; see 'ctr-test --help'\n",
	       "and wants its NAME");
}

static int
verb_ok(int argc, char **argv, struct state *st)
{
	(void)st;
	printf("%s %d %s\n", prog_cmd_name(), argc, argv[0]);
	return 0;
}

static int
verb_start(int argc, char **argv, struct state *st)
{
	opt_parse(&cmd, argc, argv, st, NULL, NULL);
	return verb_ok(argc, argv, st);
}

static const struct opt_cmd add_cmd = {"X", "add a thing", NULL, 0, 0};
static const struct verb subs[] = {
    {"add", verb_ok, NULL, &add_cmd, NULL},
    {NULL},
};
static const struct verb verbs[] = {
    {"start", verb_start, NULL, &cmd, NULL},
    {"status", verb_ok, "status ID", NULL, NULL},
    {"veth", NULL, NULL, NULL, subs},
    {NULL},
};

static void
run_dispatch(void *arg)
{
	char **argv = arg;
	struct state st;
	int argc = 0;

	while (argv[argc])
		argc++;
	state_init(&st);
	exit(prog_dispatch(verbs, argc, argv, &st));
}

static void
test_opt_dispatch(void)
{
	char out[4096], err[256];
	char *a1[] = {"ctr-test", "strat", NULL}, *a2[] = {"ctr-test", "veth", "add", "y", NULL};
	char *a3[] = {"ctr-test", "--help", NULL}, *a4[] = {"ctr-test", NULL};
	char *a5[] = {"ctr-test", "veth", "ad", NULL}, *a6[] = {"ctr-test", "help", "start", NULL};
	char *a7[] = {"ctr-test", "zzzzzz", NULL};

	is_int(in_child(run_dispatch, a1, out, sizeof(out), err, sizeof(err)), 100, "unknown verb");
	is_str(err, "ctr-test: unknown verb 'strat'; did you mean 'start'?\n", "one line, a guess");
	is_int(in_child(run_dispatch, a7, out, sizeof(out), err, sizeof(err)), 100, "unknown verb");
	is_str(err, "ctr-test: unknown verb 'zzzzzz'; see 'ctr-test --help'\n", "no guess");
	is_int(in_child(run_dispatch, a4, out, sizeof(out), err, sizeof(err)), 100, "no verb");
	is_str(err, "ctr-test: missing VERB; see 'ctr-test --help'\n", "one line");
	is_int(in_child(run_dispatch, a2, out, sizeof(out), err, sizeof(err)), 0, "a sub-verb");
	is_str(out, "ctr-test veth add 2 add\n", "runs with its own argv and name");
	is_int(in_child(run_dispatch, a5, out, sizeof(out), err, sizeof(err)), 100, "bad sub-verb");
	is_str(err, "ctr-test veth: unknown verb 'ad'; did you mean 'add'?\n", "named in full");
	is_int(in_child(run_dispatch, a3, out, sizeof(out), err, sizeof(err)), 0, "--help");
	ok(strstr(out, "\n  start           make a thing\n") &&
	       strstr(out, "\n  status          status ID\n") &&
	       strstr(out, "\n  veth add        add a thing\n"),
	   "a line per verb, sub-verbs by their whole names");
	is_int(in_child(run_dispatch, a6, out, sizeof(out), err, sizeof(err)), 0, "help VERB");
	ok(!strncmp(out, "usage: ctr-test start [OPTIONS] IMAGE", 37), "is VERB --help");
}

int
main(void)
{
	PROG = "ctr-test";
	RUN(test_opt_parse);
	RUN(test_opt_errors);
	RUN(test_opt_help);
	RUN(test_opt_dispatch);
	return tap_done();
}
