/* SPDX-License-Identifier: Apache-2.0 */
/* ctr-run's side of the ctr-shim contract: spawning, the sync line, JSON lines on shim.sock. */
#ifndef CTR_RUN_SHIMCLIENT_H
#define CTR_RUN_SHIMCLIENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "container.h"
#include "err.h"

struct shim_spawn {
	const char *runtime; /* absolute path of the OCI runtime */
	bool tty, stdin_open;
	const char *stdio;    /* shim --stdio: inherit (NULL), pipe or null */
	const char *log_path; /* shim --log, with --log-max-size log_max when > 0 */
	int64_t log_max;
	const char *log_format;	 /* shim --log-format: raw (NULL) or cri */
	char *const *exit_cmd;	 /* shim --exit-command and its args (the id follows), or NULL */
	pid_t caller_pid;	 /* shim --caller-pid: its TTY relay ends with us, or 0 */
	const char *detach_keys; /* shim --detach-keys: typed on our terminal, they detach us */
	pid_t exit_after;	 /* shim --exit-command-after: we delete while we live, or 0 */
	bool start;		 /* create and start in one runtime call (shim --start) */
	bool runtime_delete;	 /* the shim runs the runtime's delete after init exits */
	bool foreground; /* the runtime's run waits for init and deletes (shim --foreground) */
	int stdin_fd, stdout_fd, stderr_fd; /* the container's stdio, passed as the shim's */
	const char *notify_socket; /* the shim tells it READY=1 and MAINPID once init runs */
	bool notify_relay;	   /* ... or relays the container's own (shim --notify-relay) */
	bool slirp, slirp_host_loopback; /* shim --slirp4netns, --slirp4netns-host-loopback */
};

/*
 * A shim spawned ahead of its container (ctr-shim --await-go): it starts up
 * (exec, loading, its socket) while we prepare the rootfs and the bundle, on
 * the other CPU, and waits for our go on the sync socket.
 */
struct shim_handle {
	int fd;	   /* our end of the sync socket, -1 once used */
	pid_t pid; /* the shim, our child */
};

/* Spawn ctr-shim for c (setsid, sync socket); it waits for shim_go or shim_abort. */
int shim_spawn(const struct container *c, const struct shim_spawn *a, struct shim_handle *h,
	       struct err *e);
/*
 * Let it create the container and wait for its one sync line. On
 * {"ok":false} e carries the runtime's message with code "runtime". *pid
 * gets the container's init pid, *exit its exit record when it is over
 * already (shim --foreground), else NULL.
 */
int shim_go(struct shim_handle *h, int *pid, json_t **exit, struct err *e);
/* Call it off: it removes what it made and exits, which we wait for. */
void shim_abort(struct shim_handle *h);

/* A connection to STATEDIR/shim.sock with its read buffer. */
struct shim_conn {
	int fd;
	char *buf;
	size_t len, cap;
};

int shim_connect(const struct container *c, struct shim_conn *k, struct err *e);
void shim_close(struct shim_conn *k);
/* Send one request line, with fds (n of them, or 0) as SCM_RIGHTS in the same sendmsg. */
int shim_send(struct shim_conn *k, const json_t *req, const int *fds, int n, struct err *e);
/* Read one response line (blocking). New reference, or NULL when the shim hung up or lied. */
json_t *shim_recv(struct shim_conn *k, struct err *e);
/* Is a whole line already buffered? (for poll loops) */
bool shim_has_line(const struct shim_conn *k);
/*
 * connect + send + recv; a {"ok":false} answer becomes an error. New
 * reference. A shim that does not answer within $CTR_SHIM_TIMEOUT seconds
 * (default 10: a stopped one) is an error coded "busy".
 */
json_t *shim_call(const struct container *c, const json_t *req, struct err *e);

#endif
