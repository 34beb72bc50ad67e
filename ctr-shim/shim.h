/* SPDX-License-Identifier: Apache-2.0 */
/* The shim's one state object: its options, container, processes, clients and watches. */
#ifndef CTR_SHIM_SHIM_H
#define CTR_SHIM_SHIM_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cgroup.h"
#include "detachkeys.h"
#include "loop.h"
#include "ociruntime.h"
#include "output.h"

struct client;
struct exec_tty;

/*
 * --stdio: where the container's stdio goes. INHERIT: ours, as the caller
 * gave it; PIPE: pipes (or the PTY master) we hold and read (output.c);
 * NULL: /dev/null.
 */
enum shim_stdio { STDIO_INHERIT, STDIO_PIPE, STDIO_NULL };

struct shim_opts {
	const char *id, *bundle, *dir, *runtime, *runtime_root;
	int sync_fd;
	bool tty, stdin_open;
	enum shim_stdio stdio;
	const char *log_path;	 /* --log: output appended there too (--stdio pipe) */
	long long log_max;	 /* --log-max-size: rotate to PATH.1 past it; 0: never */
	bool log_cri;		 /* --log-format cri: CRI records (crilog.c), not raw bytes */
	pid_t caller_pid;	 /* --caller-pid: the TTY relay (inherit) ends with it */
	const char *detach_keys; /* --detach-keys: typed on the caller's terminal, they detach */
	bool start;		 /* --start: create and start in one runtime call */
	bool runtime_delete;	 /* --runtime-delete: RUNTIME delete once init has exited */
	bool foreground;	 /* --foreground: RUNTIME run stays with the container */
	bool await_go;		 /* --await-go: a byte on the sync fd before anything is created */
	const char *exit_cmd;
	char **exit_args; /* NULL-terminated, may be empty */
	size_t n_exit_args;
	pid_t
	    exit_after; /* --exit-command-after: the caller, which deletes itself while it lives */
	const char *notify_socket;
	bool notify_relay; /* --notify-relay: the container's own messages to notify_socket */
	bool slirp;	   /* --slirp4netns: user-mode networking for the init's netns */
	bool
	    slirp_host_loopback; /* --slirp4netns-host-loopback: 10.0.2.2 is the host's 127.0.0.1 */
};

/* The init process (id NULL) or one exec process. */
struct proc {
	struct proc *next;
	char *id;
	pid_t pid;
	int pidfd;    /* -1 once reaped or where pidfd_open is missing */
	json_t *exit; /* the exit record once reaped */
	/* the detach keys were typed on its caller's terminal: that wait is answered "detached" */
	bool detached;
	bool mid_line; /* then: the last byte relayed to that terminal was no '\n' */
};

enum ctr_status { CTR_CREATED, CTR_RUNNING, CTR_STOPPED };

struct shim {
	struct shim_opts o;
	char *dir; /* STATEDIR, absolute */
	int dirfd, epfd;
	struct ociruntime rt; /* --runtime, --runtime-root; its --log files in STATEDIR */
	int console_lfd;      /* the --console-socket listener until the PTY master came */
	struct watch sig, lsn, oomw, pty, in;
	struct proc init;
	struct proc *execs;
	size_t n_execs;
	enum ctr_status status;
	struct client *clients;
	struct cgroup cg;
	long long oom_base; /* oom_kill count when the container was created */
	bool oom_seen;
	bool stdin_done;
	/* --stdio pipe with a TTY: close-stdin was done (no master lent for input) */
	bool tty_stdin_closed;
	pid_t delete_pid;  /* --runtime-delete: the runtime's delete, once started */
	int delete_rc;	   /* its exit code once the loop reaped it, else -1 */
	pid_t runtime_pid; /* --foreground: the runtime's run while it lasts, else 0 */
	struct output out;
	struct watch rterr;	    /* --stdio inherit: the runtime's stderr (rtstderr.c) */
	struct watch caller;	    /* a pidfd of --caller-pid while the relay lasts (tty.c) */
	struct detachkeys keys;	    /* --detach-keys, and how much of them was typed */
	bool mid_line;		    /* the last byte relayed to the caller's terminal was no '\n' */
	struct exec_tty *exec_ttys; /* exec processes with a terminal (exec-tty.c) */
	struct watch notify;	    /* --notify-relay: STATEDIR/notify/notify.sock (notify.c) */
	bool notify_mainpid_sent, notify_warned;
	int after_fd;	 /* --exit-command-after: a pidfd of that process, -1 when it is gone */
	int ctr_dirfd;	 /* --exit-command-after: the container's directory (--bundle/..), O_PATH */
	int slirp_exit;	 /* --slirp4netns: its exit pipe, closed when init is gone, else -1 */
	pid_t slirp_pid; /* --slirp4netns: the process until reaped, else 0 */
};

#endif
