/* SPDX-License-Identifier: Apache-2.0 */
/* --stdio pipe: the container's output read into a ring and a log file, streamed to followers. */
#ifndef CTR_SHIM_OUTPUT_H
#define CTR_SHIM_OUTPUT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "crilog.h"
#include "err.h"
#include "loop.h"
#include "ring.h"

struct shim;
struct client;

/* The container's output while the shim holds it (--stdio pipe). */
struct output {
	struct watch w[3]; /* W_OUTPUT: stdout's and stderr's read ends (index RING_*) */
	struct ring ring;
	int stdin_fd;	     /* the write end of the container's stdin pipe (-i), else -1 */
	int logfd;	     /* --log, else -1 */
	int logdir;	     /* its folder (O_PATH), else -1 */
	const char *logname; /* its name in that folder (in o.log_path) */
	long long logsize;   /* bytes in the current log file */
	char log_error[512]; /* the last log write failure, "" while writes work */
	bool log_warned;     /* the one warning about it was given */
	struct crilog cri;   /* --log-format cri: lines not yet ended */
	bool ended;	     /* no more output will come */
	unsigned char *fbuf; /* one read into a frame, header first: followers get it whole */
};

/* Before create: the container's three stdio fds in far (ours to close after), and our ends. */
int output_setup(struct shim *s, int far[3], struct err *e);
void output_close_far(int far[3]);
/* Once created: what the container does not need of the caller's stdio is let go of. */
void output_let_go(struct shim *s);
/*
 * The TTY relayed to the caller (--stdio inherit) is held from now on as
 * with --stdio pipe (the ring, logs, attach), and shim.json says so; the
 * caller's stdio is let go of. -1 when shim.json could not be written.
 */
int output_take_tty(struct shim *s, struct err *e);
/*
 * Read fd (a pipe of stream, or the PTY master as RING_STDOUT) into the ring,
 * the log and followers: a few reads, or until EAGAIN with drain. False at
 * its end (EOF, or EIO from a master whose terminal is gone).
 */
bool output_pump(struct shim *s, int stream, int fd, bool drain);
void output_on_event(struct shim *s, struct watch *w, uint32_t events);
/* Init has exited: read what is left; with the PTY gone or the pipes closed, end followers. */
void output_drain(struct shim *s);
void output_end(struct shim *s);
/* At exit: the ring to STATEDIR/output for `ctr-run logs` once we are gone. */
void output_save(struct shim *s);
void output_release(struct shim *s);
/* The logs and attach requests; close-stdin for --stdio pipe. */
void output_logs_op(struct shim *s, struct client *c, json_t *req);
void output_attach_op(struct shim *s, struct client *c, json_t *req);
int output_close_stdin(struct shim *s, struct err *e);
/* reopen-log: the --log file closed and opened again by its name (after a rename). */
void output_reopen_log_op(struct shim *s, struct client *c, json_t *req);

#endif
