/* SPDX-License-Identifier: Apache-2.0 */
/* Option values and operands that several tools share: numbers, progress modes, creds, names. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prog.h"
#include "ref.h"
#include "xmem.h"

const struct opt cli_transfer_opts[] = {
    {"progress", CLI_OPT_PROGRESS, "auto|tty|json|none", "progress on stderr (default auto)", NULL},
    {"quiet", 'q', NULL, "no progress, errors only", NULL},
    {"json", CLI_OPT_JSON, NULL, "errors as JSON too", NULL},
    OPT_END,
};

bool
cli_transfer_opt(int c, const char *arg, enum progress_mode *mode)
{
	switch (c) {
	case CLI_OPT_PROGRESS:
		*mode = cli_progress_mode(arg);
		return true;
	case 'q':
		*mode = PROGRESS_NONE;
		log_level = LOG_ERROR;
		return true;
	case CLI_OPT_JSON:
		prog_set_json_errors(true);
		return true;
	}
	return false;
}

long
cli_number(const char *s, long min, long max, const char *what)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v < min || v > max)
		die_usage("%s must be a number from %ld to %ld", what, min, max);
	return v;
}

long long
cli_size(const char *s, long long min, long long max, const char *what)
{
	static const char units[] = "KMG";
	char *end;
	long long v = strtoll(s, &end, 10);
	const char *u = *end ? strchr(units, *end & ~0x20) : NULL;

	if (u && (end[1] == '\0' || !strcmp(end + 1, "iB")) && v <= (max >> (10 * (u - units + 1))))
		v <<= 10 * (u - units + 1), end += strlen(end);
	if (!*s || *end || v < min || v > max)
		die_usage(
		    "%s must be a size from %lld to %lld bytes (suffix K, M or G: KiB, MiB, GiB)",
		    what, min, max);
	return v;
}

enum progress_mode
cli_progress_mode(const char *s)
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
const char *
cli_creds(const char *s)
{
	static char *creds; /* ours until exit, like argv's strings */
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (strchr(s, ':'))
		return s;
	n = getline(&line, &cap, stdin);
	if (n <= 0) {
		free(line);
		die_usage("--creds %s: no password on stdin", s);
	}
	line[strcspn(line, "\r\n")] = '\0';
	free(creds);
	creds = xasprintf("%s:%s", s, line);
	explicit_bzero(line, cap);
	free(line);
	return creds;
}

char *
cli_image_name(const char *s)
{
	struct err e;
	char *name = ref_normalize(s, &e);

	if (!name)
		die_err(&e);
	return name;
}
