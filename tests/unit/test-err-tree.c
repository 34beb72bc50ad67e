/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The tree agrees with err's table of kinds (libcommon/err.c): every code
 * token the sources use is a row and every row is used; ctr-json(7) prints
 * the same table; each man page's EXIT STATUS lists what its tool exits with.
 * Reads the tree from the current directory: tests/run starts at its top.
 */
#include "tap.h"

#include <ctype.h>
#include <dirent.h>
#include <regex.h>
#include <stdbool.h>

#include "err.h"
#include "fdio.h"

#define FILE_MAX (4u << 20)
#define USES_MAX 1024

/* A code token found in the sources, and where. */
struct use {
	char token[40];
	char where[160];
};

static struct use uses[USES_MAX];
static size_t nuses;

/* The whole file at path (caller frees), or NULL with a diagnostic. */
static char *
slurp(const char *path)
{
	struct err e;
	char *s = NULL;

	if (fdio_read_file_at(AT_FDCWD, path, FILE_MAX, &s, NULL, &e) < 0)
		printf("# %s\n", e.msg);
	return s;
}

/* The next line after l, or NULL at the end of the text. */
static const char *
next_line(const char *l)
{
	const char *nl = strchr(l, '\n');

	return nl ? nl + 1 : NULL;
}

static int
line_of(const char *text, const char *at)
{
	int n = 1;

	for (const char *p = text; p < at; p++)
		n += *p == '\n';
	return n;
}

/* Record every non-empty string literal in [p, end) as a token used at path. */
static void
note_literals(const char *path, const char *text, const char *p, const char *end)
{
	while ((p = memchr(p, '"', (size_t)(end - p)))) {
		const char *q = ++p;

		while (q < end && *q != '"')
			q += *q == '\\' ? 2 : 1;
		if (q >= end)
			return;
		if (q > p && nuses < USES_MAX) {
			struct use *u = &uses[nuses++];

			snprintf(u->token, sizeof(u->token), "%.*s", (int)(q - p), p);
			snprintf(u->where, sizeof(u->where), "%s:%d", path, line_of(text, p));
		}
		p = q + 1;
	}
}

/* The end of the call argument that starts at p: a top-level ',' or ')'. */
static const char *
arg_end(const char *p)
{
	int depth = 0;

	for (; *p; p++) {
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++)
				p += *p == '\\';
		} else if (*p == '(') {
			depth++;
		} else if (*p == ')' && depth-- == 0) {
			return p;
		} else if (*p == ',' && depth == 0) {
			return p;
		}
		if (!*p)
			break;
	}
	return p;
}

/* err_code(e, CODE, ...), die_token(status, CODE, ...), vdie(status, CODE, ...). */
static void
scan_calls(const char *path, const char *text)
{
	static const char *const fns[] = {"err_code(", "die_token(", "vdie("};

	for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		for (const char *p = text; (p = strstr(p, fns[i])); p++) {
			const char *a1, *a2;

			if (p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
				continue;
			a1 = arg_end(p + strlen(fns[i]));
			if (*a1 != ',')
				continue;
			a2 = arg_end(a1 + 1);
			note_literals(path, text, a1 + 1, a2);
		}
	}
}

/* e->code = "gone"; strcmp(e->code, "busy"): tokens set or tested by hand. */
static void
scan_regex(const char *path, const char *text)
{
	static const char *const res[] = {
	    "(->|\\.)code = (\"[^\"]*\")",
	    "(->|\\.)code[^,;]*, (\"[^\"]*\")\\)",
	};
	regmatch_t m[3];
	regex_t re;

	for (size_t i = 0; i < sizeof(res) / sizeof(res[0]); i++) {
		if (regcomp(&re, res[i], REG_EXTENDED) != 0)
			continue;
		for (const char *p = text; regexec(&re, p, 3, m, 0) == 0; p += m[0].rm_eo)
			note_literals(path, text, p + m[2].rm_so, p + m[2].rm_eo);
		regfree(&re);
	}
}

/* A function definition's name at l (kernel style: at the start of its own line), or 0. */
static size_t
fn_name(const char *l)
{
	size_t n = strspn(l, "abcdefghijklmnopqrstuvwxyz0123456789_");

	return n && l[n] == '(' ? n : 0;
}

/* In a function named code_* or *_code (code_for_errno, registry_status_code): what it returns. */
static void
scan_code_functions(const char *path, const char *text)
{
	bool in = false;

	for (const char *l = text; l; l = next_line(l)) {
		size_t n = fn_name(l);

		if (n)
			in = !strncmp(l, "code_", 5) || (n > 5 && !strncmp(l + n - 5, "_code", 5));
		else if (*l == '}')
			in = false;
		else if (in && !strncmp(l + strspn(l, " \t"), "return ", 7))
			note_literals(path, text, l, l + strcspn(l, "\n"));
	}
}

static void
scan_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[512];

	while (d && (de = readdir(d))) {
		size_t n = strlen(de->d_name);
		char *text;

		if (n < 3 || (strcmp(de->d_name + n - 2, ".c") && strcmp(de->d_name + n - 2, ".h")))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (!(text = slurp(path)))
			continue;
		scan_calls(path, text);
		scan_regex(path, text);
		scan_code_functions(path, text);
		free(text);
	}
	if (d)
		closedir(d);
}

/* Every folder of the tools and libraries: ctr-*, lib*. */
static void
scan_tree(void)
{
	DIR *d = opendir(".");
	struct dirent *de;

	while (d && (de = readdir(d)))
		if (de->d_type == DT_DIR &&
		    (!strncmp(de->d_name, "ctr-", 4) || !strncmp(de->d_name, "lib", 3)))
			scan_dir(de->d_name);
	if (d)
		closedir(d);
}

static void
test_err_tree_tokens(void)
{
	size_t nkinds = 0;

	scan_tree();
	ok(nuses > 300, "the sources name %zu code tokens", nuses);
	for (size_t i = 0; i < nuses; i++) {
		bool first = true;

		for (size_t j = 0; j < i && first; j++)
			first = strcmp(uses[i].token, uses[j].token) != 0;
		if (first)
			ok(err_kind(uses[i].token), "token '%s' (%s) is in the table",
			   uses[i].token, uses[i].where);
	}
	for (const struct err_kind *k = err_kinds; k->code; k++, nkinds++) {
		bool used = false;

		for (size_t i = 0; i < nuses && !used; i++)
			used = !strcmp(uses[i].token, k->code);
		ok(used, "kind '%s' is used by the sources", k->code);
		ok(k->exit == EXIT_NEG || k->exit == EXIT_USAGE || k->exit == EXIT_SYS,
		   "kind '%s' exits %d: one of 1, 100, 111", k->code, k->exit);
	}
	ok(nkinds > 0, "the table has %zu kinds", nkinds);
}

/* The body of the section headed by the line head, up to the next heading like it. */
static const char *
section(const char *text, const char *head, const char **end)
{
	char want[64], next[8];
	const char *s;

	snprintf(want, sizeof(want), "\n%s\n", head);
	snprintf(next, sizeof(next), "\n%.3s ", head); /* ".Sh " or ".Ss " */
	if (!text || !(s = strstr(text, want)))
		return NULL;
	s += strlen(want);
	*end = strstr(s, next) ? strstr(s, next) + 1 : s + strlen(s);
	return s;
}

/* ctr-json(7) prints the table: each row once, with its exit status, and no other. */
static void
test_err_tree_json7(void)
{
	char *text = slurp("man/ctr-json.7"), row[64], tok[40];
	const char *end = NULL, *s = section(text, ".Ss Errors", &end);
	size_t listed = 0, rows = 0;
	int st;

	ok(s, "ctr-json(7) has an Errors section");
	for (const char *l = s; l && l < end; l = next_line(l)) {
		const struct err_kind *k;

		if (sscanf(l, ".It Ql %39s Ta %d", tok, &st) != 2)
			continue;
		k = err_kind(tok);
		listed++;
		ok(k && k->exit == st, "ctr-json(7): '%s' exits %d; the table says %d", tok, st,
		   k ? k->exit : -1);
	}
	for (const struct err_kind *k = err_kinds; s && k->code; k++, rows++) {
		snprintf(row, sizeof(row), "\n.It Ql %s Ta ", k->code);
		ok(memmem(s - 1, (size_t)(end - s + 1), row, strlen(row)),
		   "ctr-json(7) lists kind '%s'", k->code);
	}
	is_int(listed, rows, "ctr-json(7) lists as many kinds as the table has");
	free(text);
}

/*
 * The statuses of the items of an EXIT STATUS section, in st. Each "code Ql
 * X" in an item must name a kind whose exit status is that item's.
 */
static size_t
page_statuses(const char *name, const char *s, const char *end, int *st, size_t max)
{
	regmatch_t m[2];
	regex_t re;
	size_t n = 0;
	long cur = -1;

	if (regcomp(&re, "code Ql ([a-z-]+)", REG_EXTENDED) != 0)
		return 0;
	for (const char *l = s; l && l < end; l = next_line(l)) {
		char line[256], tok[40], *e;

		snprintf(line, sizeof(line), "%.*s", (int)strcspn(l, "\n"), l);
		if (!strncmp(line, ".It", 3)) {
			cur = strtol(line + 3, &e, 10);
			if (e == line + 3 || *e || n == max)
				ok(0, "%s: '%s' is an item of one exit status", name, line);
			else
				st[n++] = (int)cur;
		}
		for (const char *p = line; regexec(&re, p, 2, m, 0) == 0; p += m[0].rm_eo) {
			const struct err_kind *k;

			snprintf(tok, sizeof(tok), "%.*s", (int)(m[1].rm_eo - m[1].rm_so),
				 p + m[1].rm_so);
			k = err_kind(tok);
			ok(k && k->exit == cur, "%s: code '%s' is under %ld; the table says %d",
			   name, tok, cur, k ? k->exit : -1);
		}
	}
	regfree(&re);
	return n;
}

/* Does the source of tool (its folder) exit with status? */
static bool
tool_exits_with(const char *tool, int status)
{
	char re_s[128], path[512];
	bool found = false;
	struct dirent *de;
	regex_t re;
	DIR *d;

	/* a forked child's _exit() is not the tool's status; main() returns a verb's */
	if (status == EXIT_NEG)
		snprintf(re_s, sizeof(re_s), "EXIT_NEG|(^|[^_a-z])(die|exit)\\(1[,)]");
	else
		snprintf(re_s, sizeof(re_s), "(^|[^_a-z])(die|exit)\\(%d[,)]|return %d;", status,
			 status);
	if (regcomp(&re, re_s, REG_EXTENDED | REG_NOSUB) != 0 || !(d = opendir(tool)))
		return false;
	while (!found && (de = readdir(d))) {
		size_t n = strlen(de->d_name);
		char *text;

		if (n < 3 || strcmp(de->d_name + n - 2, ".c"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", tool, de->d_name);
		if ((text = slurp(path)))
			found = regexec(&re, text, 0, NULL, 0) == 0;
		free(text);
	}
	closedir(d);
	regfree(&re);
	return found;
}

static bool
has(const int *st, size_t n, int want)
{
	for (size_t i = 0; i < n; i++)
		if (st[i] == want)
			return true;
	return false;
}

/* What HACKING.md allows: 0, 1, 100, 111; for ctr-run 125-127, for ctr-netns exec 126-127. */
static bool
allowed(const char *tool, int st)
{
	if (st == 0 || st == EXIT_NEG || st == EXIT_USAGE || st == EXIT_SYS)
		return true;
	if (!strcmp(tool, "ctr-netns"))
		return st == 126 || st == 127;
	return !strcmp(tool, "ctr-run") && st >= 125 && st <= 127;
}

/* One page: its EXIT STATUS against the convention, the table and its tool's source. */
static void
check_page(const char *name)
{
	static const int optional[] = {EXIT_NEG, 125, 126, 127};
	size_t len = strlen(name), n;
	char path[300], tool[64];
	const char *s, *end = NULL;
	bool is8 = len > 2 && !strcmp(name + len - 2, ".8");
	char *text;
	int st[32];

	snprintf(path, sizeof(path), "man/%s", name);
	snprintf(tool, sizeof(tool), "%.*s", (int)(len - 2), name);
	text = slurp(path);
	s = section(text, ".Sh EXIT STATUS", &end);
	if (!s) {
		if (is8) /* a page of a file format (.5) or a contract (.7) may have none */
			ok(0, "%s has an EXIT STATUS section", name);
		free(text);
		return;
	}
	n = page_statuses(name, s, end, st, sizeof(st) / sizeof(st[0]));
	for (size_t i = 0; i < n; i++)
		ok(allowed(tool, st[i]), "%s: status %d is one of the convention's", name, st[i]);
	if (!is8) {
		free(text);
		return;
	}
	ok(has(st, n, 0) && has(st, n, EXIT_USAGE) && has(st, n, EXIT_SYS),
	   "%s lists 0, 100 and 111", name);
	if (!strcmp(tool, "ctr-run"))
		ok(has(st, n, 125) && has(st, n, 126) && has(st, n, 127), "%s lists 125-127", name);
	for (size_t i = 0; i < sizeof(optional) / sizeof(optional[0]); i++) {
		bool listed = has(st, n, optional[i]), used = tool_exits_with(tool, optional[i]);

		ok(listed == used, "%s %s %d, and %s %s with it", name,
		   listed ? "lists" : "does not list", optional[i], tool,
		   used ? "exits" : "never exits");
	}
	free(text);
}

static void
test_err_tree_pages(void)
{
	DIR *d = opendir("man");
	struct dirent *de;
	size_t n8 = 0;

	while (d && (de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (len < 3 || de->d_name[len - 2] != '.' || !strchr("578", de->d_name[len - 1]))
			continue;
		n8 += de->d_name[len - 1] == '8';
		check_page(de->d_name);
	}
	if (d)
		closedir(d);
	ok(n8 >= 8, "%zu tool pages read", n8);
}

int
main(void)
{
	if (access("libcommon/err.c", R_OK) != 0 || access("man/ctr-json.7", R_OK) != 0) {
		printf("Bail out! not at the top of the tree (tests/run starts there)\n");
		return 1;
	}
	RUN(test_err_tree_tokens);
	RUN(test_err_tree_json7);
	RUN(test_err_tree_pages);
	return tap_done();
}
