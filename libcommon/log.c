/* SPDX-License-Identifier: Apache-2.0 */
/* Messages for humans on stderr: "PROG: warning: text". */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *PROG = "ctr";
enum log_level log_level = LOG_WARN;

static const char *const level_names[] = {"quiet", "error", "warn", "info", "debug"};

int
log_parse_level(const char *s, enum log_level *out)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (strcmp(s, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	return -1;
}

void
log_msg(enum log_level lvl, const char *fmt, ...)
{
	static const char *const tags[] = {"", "error: ", "warning: ", "", "debug: "};
	char buf[1024];
	va_list ap;

	if (lvl > log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* one fprintf per line so lines of concurrent tools do not interleave */
	fprintf(stderr, "%s: %s%s\n", PROG, tags[lvl], buf);
}
