/* SPDX-License-Identifier: Apache-2.0 */
/* Error values: set, prefix with context, map to exit codes. */
#include "err.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/*
 * Every code token a tool may print, and its exit status: 100 when the same
 * call would fail the same way again (the input, or the state the user put
 * things in, must change first), 111 when trying again may work. ctr-json(7)
 * lists the same table; tests/unit/test-err-tree.c checks that it does, that
 * every token in the sources is here, and the man pages' EXIT STATUS.
 */
const struct err_kind err_kinds[] = {
    {"usage", EXIT_USAGE},     /* a bad command line */
    {"invalid", EXIT_USAGE},   /* bad input: a name, a document, a registry's answer */
    {"not-found", EXIT_USAGE}, /* a thing named does not exist */
    /* ctr-run: no container of that id in the namespace (not-found's one case told apart) */
    {"no-container", EXIT_USAGE},
    {"exists", EXIT_USAGE},    /* a thing to create exists already */
    {"conflict", EXIT_USAGE},  /* its state forbids it: a running container, a parent */
    {"too-large", EXIT_USAGE}, /* input larger than the tool reads */
    {"limit", EXIT_USAGE},     /* a layer beyond a limit (size, entries, depth) */
    {"corrupt", EXIT_USAGE},   /* stored data fails its check; a retry reads the same */
    {"auth", EXIT_USAGE},      /* credentials missing or refused */
    {"runtime", EXIT_USAGE},   /* the OCI runtime refused; its message says why */
    {"negative", EXIT_NEG},    /* a negative answer (die(EXIT_NEG)) */
    {"system", EXIT_SYS},      /* a system call failed, a child died */
    {"permission", EXIT_SYS},  /* EACCES, EPERM: privileges, not input */
    {"busy", EXIT_SYS},	       /* held by a live process (a lock, a mount) or raced */
    {"network", EXIT_SYS},     /* a registry unreachable, cut or failing (5xx, 429) */
    {"gone", EXIT_SYS},	       /* the shim went away in the middle of a request */
    {NULL, 0},
};

const struct err_kind *
err_kind(const char *code)
{
	for (const struct err_kind *k = err_kinds; code && k->code; k++)
		if (!strcmp(k->code, code))
			return k;
	return NULL;
}

static const char *
code_for_errno(int sys)
{
	switch (sys) {
	case 0:
	/* a path that is not what the user said it is: bad input, not a failure */
	case ENOTDIR:
	case ELOOP:
	case ENAMETOOLONG:
	case EXDEV:
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

__attribute__((format(printf, 4, 0))) static int
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
	const struct err_kind *k = err_kind(e->code);

	/* the code says what went wrong; errno only speaks when there is none */
	if (!k)
		k = err_kind(code_for_errno(e->sys));
	return k->exit;
}
