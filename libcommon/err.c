/* SPDX-License-Identifier: Apache-2.0 */
/* Error values: set, prefix with context, map to exit codes. */
#include "err.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *
code_for_errno(int sys)
{
	switch (sys) {
	case 0:
		return "invalid";
	case ENOENT:
		return "not-found";
	case EEXIST:
		return "exists";
	case EACCES:
	case EPERM:
		return "permission";
	case EBUSY:
	case EWOULDBLOCK:
		return "busy";
	default:
		return "system";
	}
}

static int
err_vset(struct err *e, int sys, const char *code, const char *fmt, va_list ap)
{
	int n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);

	if (n < 0)
		n = 0;
	if (sys && (size_t)n < sizeof(e->msg))
		snprintf(e->msg + n, sizeof(e->msg) - n, ": %s", strerror(sys));
	e->sys = sys;
	e->code = code ? code : code_for_errno(sys);
	return -1;
}

int
err_set(struct err *e, int sys, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(e, sys, NULL, fmt, ap);
	va_end(ap);
	return -1;
}

int
err_code(struct err *e, const char *code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(e, 0, code, fmt, ap);
	va_end(ap);
	return -1;
}

int
err_prefix(struct err *e, const char *fmt, ...)
{
	char old[sizeof(e->msg)];
	va_list ap;
	int n;

	memcpy(old, e->msg, sizeof(old));
	va_start(ap, fmt);
	n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	/* the newest context goes first; the tail is cut when the message is full */
	if (n >= 0 && (size_t)n < sizeof(e->msg))
		snprintf(e->msg + n, sizeof(e->msg) - (size_t)n, ": %.*s",
			 (int)(sizeof(e->msg) - (size_t)n), old);
	return -1;
}

int
err_exit_code(const struct err *e)
{
	if (!e->sys)
		return EXIT_USAGE;
	/* a missing file named by the user is bad input, not a system failure */
	if (e->sys == ENOENT || e->sys == EEXIST || e->sys == ENOTDIR || e->sys == ELOOP ||
	    e->sys == ENAMETOOLONG || e->sys == EXDEV)
		return EXIT_USAGE;
	return EXIT_SYS;
}
