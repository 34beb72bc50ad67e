/* SPDX-License-Identifier: Apache-2.0 */
/* create and run: their shared options, and the create job with its undo path. */
#ifndef CTR_RUN_CREATE_H
#define CTR_RUN_CREATE_H

#include <stdbool.h>
#include <stdint.h>

#include "pull.h"
#include "container.h"
#include "err.h"
#include "netfiles.h"
#include "spec.h"
#include "state.h"

/* --sdnotify: conmon (ready once started), container (its own word), ignore */
enum sdnotify_mode { SDNOTIFY_CONMON, SDNOTIFY_CONTAINER, SDNOTIFY_IGNORE };

struct create_args {
	struct spec_opts so;
	struct netfiles_opts nf; /* --dns, --dns-search, --add-host, --no-hosts */
	const char *name;	 /* --name, or NULL for a random id */
	const char *runtime;	 /* --runtime, default runc */
	const char *user;	 /* --user */
	const char *image;	 /* IMAGE or "-" */
	bool interactive, detach, rm;
	/*
	 * --stdio inherit|pipe|null, for containers that outlive the call
	 * (create, run -d); NULL until create_parse picks the default, pipe.
	 * A foreground run leaves it NULL: the runtime's run holds its stdio.
	 */
	const char *stdio;
	char *log_path;		     /* --log or --log-uri file://, made absolute */
	int64_t log_max;	     /* --log-max-size, 0: no rotation */
	const char *log_format;	     /* --log-format raw|cri, or NULL: raw */
	const char *detach_keys;     /* --detach-keys (checked), or NULL: the default */
	bool is_run;		     /* the verb is run: failures exit 125-127 */
	bool raw_tty;		     /* our terminal raw before the container starts (run -it) */
	enum sdnotify_mode sdnotify; /* notify.c */
	enum pull_policy pull;	     /* --pull, default missing (pull.c) */
	bool image_missing;	     /* set by a create that failed for want of the image */
	bool image_stored;	     /* ... whose record the store has: ctr-unpack makes the rest */
	char **owned;		     /* made here (-e VAR, --env-file, --net ns:), ours to free */
	size_t nowned;
};

void create_args_release(struct create_args *a);
/* Takes s: a keeps it until create_args_release. Returns s. */
char *create_args_keep(struct create_args *a, char *s);
/*
 * Parse create's or run's argv (a->is_run tells which) into a (strings
 * borrowed from argv). Returns 0 or -1 with e filled; --help prints the
 * verb's help and exits, a bad command line dies (opt.h).
 */
int create_parse(int argc, char **argv, struct create_args *a, struct state *st, struct err *e);
/*
 * Make the container: record dir, snapshot, rootfs mount, config.json,
 * record, shim. stdio: the container's stdin/stdout/stderr. On failure
 * everything made is undone (shim, mount, snapshot, record, dirs). c is
 * left initialised for the caller to release.
 */
int create_container(const struct state *st, struct create_args *a, const int stdio[3],
		     struct container *c, struct err *e);
/*
 * The detach keys the shim watches our terminal for (a foreground run -it
 * whose stdin is a terminal), or NULL for none.
 */
const char *create_detach_keys(const struct create_args *a);
/*
 * The exit code run and exec use for their own failures, from the error:
 * 127 command not found, 126 not invokable, else 125 (as podman).
 */
int create_fail_code(const struct err *e);

#endif
