/* SPDX-License-Identifier: Apache-2.0 */
/* The shim's one state object: its container, processes, clients and watches. */
#ifndef CTR_SHIM_H
#define CTR_SHIM_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup.h"
#include "err.h"
#include "ociruntime.h"
#include "ring.h"

#define SHIM_LINE_MAX (1u << 20) /* a longer request line drops its client */
#define SHIM_OUT_MAX (1u << 20)	 /* a client owed more output than this is dropped */
#define SHIM_EXEC_MAX 32	 /* exec processes known at once */

/* What an epoll event points at: the first member of each watched object. */
enum watch_kind {
	W_SIGNAL,
	W_LISTEN,
	W_CLIENT,
	W_OOM,
	W_PTY,
	W_STDIN,
	W_EXEC_TTY,
	W_OUTPUT,
	W_NOTIFY,
	W_CALLER
};
struct watch {
	enum watch_kind kind;
	int fd;
};

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
	const char *log_path; /* --log: output appended there too (--stdio pipe) */
	long long log_max;    /* --log-max-size: rotate to PATH.1 past it; 0: never */
	pid_t caller_pid;     /* --caller-pid: the TTY relay (inherit) ends with it */
	bool start;	      /* --start: create and start in one runtime call */
	bool runtime_delete;  /* --runtime-delete: RUNTIME delete once init has exited */
	bool foreground; /* --foreground: RUNTIME run stays with the container (foreground.c) */
	bool await_go;	 /* --await-go: a byte on the sync fd before anything is created */
	const char *exit_cmd;
	char **exit_args; /* NULL-terminated, may be empty */
	size_t n_exit_args;
	const char *notify_socket;
	bool notify_relay; /* --notify-relay: the container's own messages to notify_socket */
};

/* The init process (id NULL) or one exec process. */
struct proc {
	struct proc *next;
	char *id;
	pid_t pid;
	int pidfd;    /* -1 once reaped or where pidfd_open is missing */
	json_t *exit; /* the exit record once reaped */
};

struct client {
	struct watch w; /* first: epoll data points here */
	struct client *next;
	char *in, *out;
	size_t inlen, incap, outlen, outcap;
	int fds[3]; /* SCM_RIGHTS descriptors waiting for an exec request */
	int nfds;
	char *wait_for; /* "" waits for init, else an exec id; NULL: not waiting */
	bool events, dead;
	bool follow; /* gets the container's output as frames (logs -f, attach) */
	bool hangup; /* closed once its output is flushed */
};

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
	bool ended;	     /* no more output will come */
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
	pid_t delete_pid;  /* --runtime-delete: the runtime's delete, once started */
	int delete_rc;	   /* its exit code once the loop reaped it, else -1 */
	pid_t runtime_pid; /* --foreground: the runtime's run while it lasts, else 0 */
	struct output out;
	struct watch caller;	    /* a pidfd of --caller-pid while the relay lasts (tty.c) */
	struct exec_tty *exec_ttys; /* exec processes with a terminal (exec-tty.c) */
	struct watch notify;	    /* --notify-relay: STATEDIR/notify/notify.sock (notify.c) */
	bool notify_mainpid_sent, notify_warned;
};

/* loop.c */
int loop_init(struct shim *s, struct err *e);
void loop_add(struct shim *s, struct watch *w, uint32_t events);
void loop_mod(struct shim *s, struct watch *w, uint32_t events);
void loop_del(struct shim *s, struct watch *w);
/*
 * Serve until the container has exited and its clients were answered; then
 * the runtime's delete (--runtime-delete) and the exit command. Returns the
 * shim's exit status: 0, or 111 when the runtime's delete failed.
 */
int loop_run(struct shim *s);
/* Reap every child that has exited (the runtime's run, init, exec processes, strays). */
void loop_reap(struct shim *s);
/* Record p's exit (wstatus as from waitpid), tell its waiters; for init, start a delete. */
void loop_reaped(struct shim *s, struct proc *p, int wstatus);

/* control.c: the JSON-lines socket */
int control_listen(struct shim *s, struct err *e);
void control_accept(struct shim *s);
void control_io(struct shim *s, struct client *c, uint32_t events);
/* Queue doc (taken) plus a newline for c; drops c when it reads too slowly. */
void control_send(struct shim *s, struct client *c, json_t *doc);
/* Queue len bytes for c; -1 when c was dropped (too slow) or is gone. */
int control_send_bytes(struct shim *s, struct client *c, const void *buf, size_t len);
void control_error(struct shim *s, struct client *c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Close c now (its memory goes at the next sweep); close its unused passed fds. */
void control_drop(struct shim *s, struct client *c);
void control_close_fds(struct client *c);
/* Free the clients marked dead. */
void control_sweep(struct shim *s);
/* True when no client is owed output. */
bool control_drained(const struct shim *s);
void control_close_all(struct shim *s);

/* ops.c: the requests */
void ops_handle(struct shim *s, struct client *c, const char *line, size_t len);
/* Answer the waiters of p and tell subscribers; p->exit is set. */
void ops_exited(struct shim *s, struct proc *p);
/* Send ev (taken) to every events subscriber. */
void ops_event(struct shim *s, json_t *ev);

/* runtime.c: the OCI runtime binary */
int runtime_create(struct shim *s, const char *console, struct err *e);
int runtime_start(struct shim *s, struct err *e);
int runtime_kill(struct shim *s, int sig, bool all, struct err *e);
/* console: a --console-socket path for a process with a terminal, else NULL */
int runtime_exec(struct shim *s, const char *eid, const json_t *process, const int fds[3],
		 pid_t *pid, struct err *e, const char *console);
/* delete --force; a failure is logged and returned (-1) */
int runtime_delete(struct shim *s);
/* delete --force without waiting (delete_pid); _finish waits for it, logs and returns -1 on failure
 */
void runtime_delete_start(struct shim *s);
int runtime_delete_finish(struct shim *s);

/* foreground.c: --foreground */
/* Launch `RUNTIME run` (ARGS) and return once init runs (s->init.pid) or ran. */
int foreground_start(struct shim *s, const char *const args[], const struct spawn_opts *so,
		     struct err *e);
/* The loop reaped the runtime's run: record init's exit from its status. */
void foreground_exited(struct shim *s, int wstatus);
/* Is init still running (not even a zombie)? */
bool foreground_init_alive(const struct shim *s);

/* exitfile.c: records on disk */
/* A new exit record {"pid","status","signal","exited_at","oom"} for a wait status. */
json_t *exitfile_record(pid_t pid, int wstatus, bool oom);
int exitfile_write(struct shim *s, const char *name, const json_t *doc, struct err *e);
/* Field 22 of /proc/PID/stat, the start time in clock ticks since boot. */
int exitfile_start_time(pid_t pid, unsigned long long *out);
int exitfile_write_shim(struct shim *s, struct err *e);
/* Read a pid file ("123" or "123\n") under the state dir. */
int exitfile_read_pid(struct shim *s, const char *name, pid_t *pid, struct err *e);

/* oom.c */
void oom_setup(struct shim *s);
void oom_on_event(struct shim *s);
bool oom_killed(struct shim *s);

/* tty.c */
int tty_listen(struct shim *s, char **console_path, struct err *e);
int tty_receive(struct shim *s, struct err *e);
void tty_on_master(struct shim *s, uint32_t events);
void tty_on_stdin(struct shim *s, uint32_t events);
void tty_drain(struct shim *s);
int tty_resize(struct shim *s, unsigned w, unsigned h, struct err *e);
int tty_close_stdin(struct shim *s, struct err *e);
/*
 * --caller-pid with --stdio inherit: watch the caller, and when it is gone
 * stop relaying the terminal, which is then its shell's again.
 */
void tty_watch_caller(struct shim *s);
void tty_on_caller(struct shim *s);
/* Bind STATEDIR/NAME for --console-socket; *path (caller's) is what the runtime is told. */
int tty_console_listen(struct shim *s, const char *name, int *lfd, char **path, struct err *e);
/* The PTY master the runtime sent (non-blocking); *lfd is closed and NAME removed either way. */
int tty_console_take(struct shim *s, int *lfd, const char *name, struct err *e);

/* exec-tty.c: exec processes with a terminal */
/*
 * Run exec EID with a terminal: a console socket of its own, then relay the
 * master to c's passed stdout and from its stdin while c's connection lasts.
 */
int exec_tty_run(struct shim *s, struct client *c, const char *eid, const json_t *process,
		 pid_t *pid, struct err *e);
void exec_tty_on_event(struct shim *s, struct watch *w, uint32_t events);
/* EID has exited: relay what is left in its master, then close it. No-op without a TTY. */
void exec_tty_exited(struct shim *s, const char *eid);
/* Free the terminals closed since the last sweep (events of one batch may still name them). */
void exec_tty_sweep(struct shim *s);
int exec_tty_resize(struct shim *s, const char *eid, unsigned w, unsigned h, struct err *e);
/* Close every exec terminal (at exit). */
void exec_tty_release_all(struct shim *s);

/* output.c: --stdio pipe, the container's output read into a ring, a log file, followers */
/* Before create: the container's three stdio fds in far (ours to close after), and our ends. */
int output_setup(struct shim *s, int far[3], struct err *e);
void output_close_far(int far[3]);
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

/* notify.c */
/* --sdnotify=conmon: READY=1 and MAINPID=the shim, once init runs; no-op with a relay. */
void notify_ready(struct shim *s);
/*
 * --notify-relay: make STATEDIR/notify/ and bind notify.sock in it (before
 * the runtime mounts it into the container), watched by the loop.
 */
int notify_relay_open(struct shim *s, struct err *e);
/* Forward what the container sent (allowed lines only, MAINPID with the first READY=1). */
void notify_relay_on_event(struct shim *s);
/* Close the socket and remove it and its directory. */
void notify_relay_remove(struct shim *s);

/* proc helpers (loop.c) */
int proc_signal(struct proc *p, int sig);

#endif
