/* SPDX-License-Identifier: Apache-2.0 */
/* The OCI runtime binary: finding it, checking its version, running its commands. */
#ifndef CTR_RUN_RUNTIME_H
#define CTR_RUN_RUNTIME_H

#include <jansson.h>
#include <stdbool.h>

#include "container.h"
#include "err.h"
#include "state.h"

#define RUNTIME_DEFAULT "runc"

/*
 * An absolute path for name: a path (containing '/') must be an executable
 * file; a bare name is looked up in $PATH. New string, or NULL with code
 * "not-found".
 */
char *runtime_find(const char *name, struct err *e);
/*
 * Warn (once per runtime binary, remembered under $STATE/runtime) when a
 * runc older than 1.1.12 without a distribution backport of the fix for
 * CVE-2024-21626 is used. $CTR_RUNTIME_NO_VERSION_CHECK=1 skips it.
 */
void runtime_check_version(const struct state *st, const char *path);
/* Is the text of "runc --version" a version carrying the CVE-2024-21626 fix? */
int runtime_version_fixed(const char *text);
/*
 * Run "RUNTIME --root ROOT verb args... ID" for c. Its stderr is captured
 * into e on failure; stdout goes to out_fd (-1: ours).
 */
int runtime_run(const char *runtime, const struct container *c, const char *const *args, int out_fd,
		struct err *e);
/* "RUNTIME kill [--all] ID SIG": signal c without its shim. */
int runtime_kill(const char *runtime, const struct container *c, int sig, bool all, struct err *e);
/* runtime_run's output parsed as JSON (at most 1 MiB; what names it in errors). New reference,
 * or NULL with e. */
json_t *runtime_json(const char *runtime, const struct container *c, const char *const *args,
		     const char *what, struct err *e);
/* "RUNTIME state ID" parsed: {"status","pid",...}. New reference, or NULL with e. */
json_t *runtime_state(const char *runtime, const struct container *c, struct err *e);

#endif
