/* SPDX-License-Identifier: Apache-2.0 */
/* Error values that libraries fill and tools report, and the exit codes. */
#ifndef CTR_ERR_H
#define CTR_ERR_H

#include <stdarg.h>
#include <stdbool.h>

/* Exit codes, after s6: 0 ok, 1 negative answer, 100 bad usage or input, 111 system failure. */
enum {
	EXIT_NEG = 1,
	EXIT_USAGE = 100,
	EXIT_SYS = 111,
};

/*
 * Filled by a failing library call; lives on the caller's stack.
 * sys: errno at the failure (0 when the failure is not a system error).
 * code: a short stable token for --json, one of err_kinds[] ("invalid",
 * "not-found", "busy", ...); msg: the human text, context prefixed on the way up.
 */
struct err {
	int sys;
	const char *code;
	char msg[512];
};

/* Record a failure; sys may be 0. Always returns -1. The strerror(sys) text is appended. */
int err_set(struct err *e, int sys, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Like err_set, with an explicit code token (static string) and no strerror. */
int err_code(struct err *e, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Prefix context ("layer 3: ...") to a filled error. Always returns -1. */
int err_prefix(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * A kind of failure: the code token tools print with --json (ctr-json(7))
 * and the exit status it gives. The table is in err.c, ended by a NULL code.
 */
struct err_kind {
	const char *code;
	int exit;
};
extern const struct err_kind err_kinds[];
/* The kind of a code token, or NULL when the table has no such token. */
const struct err_kind *err_kind(const char *code);
/* Exit status of e: its code's in err_kinds; by errno when the code is absent or unknown. */
int err_exit_code(const struct err *e);

#endif
