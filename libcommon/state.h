/* SPDX-License-Identifier: Apache-2.0 */
/* The state directory: where the root, the volatile state and the namespace are. */
#ifndef CTR_STATE_H
#define CTR_STATE_H

#include <stdbool.h>

#include "err.h"

#define STATE_DEFAULT_ROOT "/var/lib/ctr"
#define STATE_DEFAULT_RUN "/run/ctr"
#define STATE_DEFAULT_NS "default"

/*
 * root: persistent store ($ROOT: content/, images/, snapshots/, containers/);
 * run: volatile state ($STATE: sockets, pids); ns: the namespace name.
 * The fds are -1 until state_open() opens them (O_PATH directories).
 */
struct state {
	char *root;
	char *run;
	char *ns;
	int rootfd;
	int runfd;
	int lockfd;	 /* $ROOT/gc.lock held shared by state_open_writer, else -1 */
	bool userns;	 /* state_open enters a user namespace for a user (PROG_USERNS) */
	bool userns_nnp; /* and sets NO_NEW_PRIVS once in it */
};

/*
 * Fill st from $CTR_ROOT, $CTR_STATE, $CTR_NAMESPACE or the defaults of the
 * privilege mode (priv.h): root's above, a rootless user's below.
 */
void state_init(struct state *st);
void state_release(struct state *st);
/*
 * A rootless user's defaults ($XDG_DATA_HOME/ctr, else $HOME/.local/share/ctr;
 * $XDG_RUNTIME_DIR/ctr) from those values, NULL when unset or relative. The
 * strings are the caller's; a NULL one is refused by state_open.
 */
void state_user_defaults(const char *data_home, const char *home, const char *runtime_dir,
			 char **root, char **run);
/* Setters for --root, --state, -n; they copy the string. */
void state_set_root(struct state *st, const char *dir);
void state_set_run(struct state *st, const char *dir);
void state_set_ns(struct state *st, const char *ns);
/*
 * Is ns a namespace name: a file name (path_check_name, at most 64 bytes)
 * and none of the state directory's own entries (runtime, unpack, cni,
 * cri.sock; ctr-state(5))? Code "invalid", the message starting with
 * "namespace", when not.
 */
int state_check_ns(const char *ns, struct err *e);
/*
 * Create (0700) and open the root and run directories, and check the
 * namespace name. Absolute paths are required so that a record written in one
 * working directory is found from another. Rootless, both must belong to
 * the user and be writable by nobody else. With st->userns, a user's process
 * first enters a user namespace (userns_ensure).
 */
int state_open(struct state *st, struct err *e);
/*
 * Open (creating with mode 0700 as needed) the directory rel under the root
 * (or run when in_run), e.g. "images/default". Returns an O_DIRECTORY fd.
 */
int state_dir(const struct state *st, const char *rel, int in_run, struct err *e);

/*
 * The store-wide lock, $ROOT/gc.lock (ctr-state(5)): a writer that makes
 * objects before any record names them (a pull's blobs, an unpack's
 * snapshots) holds it shared for its whole run; the garbage collector holds
 * it exclusive. flags as lock_at (LOCK_SHARED, LOCK_TRY). Returns the fd that
 * holds it; st must be open.
 */
int state_lock_store(const struct state *st, int flags, struct err *e);
/* state_open, then the store lock shared, held in st until state_release. */
int state_open_writer(struct state *st, struct err *e);

#endif
