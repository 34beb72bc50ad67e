/* SPDX-License-Identifier: Apache-2.0 */
/* Waiting for a container in the foreground: signals forwarded, TTY raw mode and size. */
#ifndef CTR_RUN_FG_H
#define CTR_RUN_FG_H

#include <jansson.h>
#include <stdbool.h>

#include "container.h"
#include "err.h"

/*
 * Block the signals fg_wait forwards (INT, TERM, HUP, QUIT, WINCH) so none
 * is lost between create and the wait; call before the shim is spawned.
 */
void fg_block_signals(void);
/*
 * Wait for init (exec NULL) or an exec process through the shim, forwarding
 * the blocked signals as kill requests and, with tty, our window size as
 * resize requests. Returns the exit object (new reference) or NULL.
 */
json_t *fg_wait(const struct container *c, const char *exec, bool tty, struct err *e);
/*
 * fg_wait that also watches pidfd (init's) and calls fn(arg) once when it
 * becomes readable: init is gone but the shim's answer is still to come (a
 * foreground runtime first tears the container down), so work that needs
 * only a dead container can overlap that teardown.
 */
struct fg_early {
	int pidfd;
	void (*fn)(void *arg);
	void *arg;
	/*
	 * Pipes we relay while we wait (exec without -t on a terminal): from[i]
	 * copied to to[i]; the pipe ends are closed at their end. -1: unused.
	 */
	int from[3], to[3];
	/*
	 * The shim watches our terminal for the detach keys (run -it): the
	 * wait may end with its answer {"detached":true} instead of an exit.
	 */
	bool detachable;
};
/* (an initializer list, which the formatter takes for a block) */
/* clang-format off */
#define FG_EARLY_INIT {.pidfd = -1, .from = {-1, -1, -1}, .to = {-1, -1, -1}}
/* clang-format on */
json_t *fg_wait_early(const struct container *c, const char *exec, bool tty, struct fg_early *early,
		      struct err *e);
/* Did the wait end in a detach (x from fg_wait_early with detachable)? */
bool fg_detached(const json_t *x);
/*
 * The same, and then the line the session left unfinished on our terminal
 * (its prompt) is ended, so that our shell's prompt starts a line of its own.
 */
bool fg_detach_done(const json_t *x);
/*
 * The detach keys (spec, else docker's ctrl-p,ctrl-q) the shim watches our
 * terminal for in a session that relays it to the container's (run -it,
 * exec -it in the foreground: relays); NULL when stdin is no terminal, the
 * session relays none, or spec is ''.
 */
const char *fg_detach_keys(const char *spec, bool relays);
/* Our window size to the terminal of init (exec NULL), or of exec process EXEC. */
void fg_resize(const struct container *c, const char *exec);
/* Put our stdin terminal in raw mode (restored at exit); false when stdin is no TTY. */
bool fg_raw_tty(void);
/* Back to the mode fg_raw_tty found (before a message, which a raw terminal would misplace). */
void fg_restore_tty(void);
/* The status to exit with, from an exit object ("status" is already 128+N for signals). */
int fg_status(const json_t *exit);

#endif
