/* SPDX-License-Identifier: Apache-2.0 */
/* Container records: $ROOT/containers/<ns>/<id>/{record.json,bundle/} and $STATE/<ns>/<id>/. */
#ifndef CTR_RUN_CONTAINER_H
#define CTR_RUN_CONTAINER_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "cleanup.h"
#include "err.h"
#include "state.h"

#define CONTAINER_ID_MAX 64

/*
 * One container's places. dir: $ROOT/containers/<ns>/<id>; statedir:
 * $STATE/<ns>/<id> (the shim's socket, shim.json, exit.json); rootfs:
 * dir/bundle/rootfs. The fds are O_DIRECTORY, -1 when not open.
 */
struct container {
	char *id;
	char *dir, *bundle, *rootfs, *statedir, *runtime_root;
	int dirfd, statefd;
	json_t *rec;	   /* record.json, NULL until loaded or made */
	json_t *sync_exit; /* the exit the shim's sync line carried (run, over already) */
	pid_t shim_child;  /* the shim when this process spawned it (our child), else 0 */
	bool rootfs_gone;  /* run --rm: unmounted and its snapshot removed already */
};

/* What ls and state can tell without asking anyone. */
enum container_status {
	CS_CREATED,
	CS_RUNNING,
	CS_PAUSED,
	CS_STOPPED,
	CS_UNKNOWN, /* the shim died without writing exit.json */
};

void container_init(struct container *c, const struct state *st, const char *id);
void container_release(struct container *c);
/* An empty container, for `_cleanup_container_ struct container c = CONTAINER_INIT;`. */
#define CONTAINER_INIT ((struct container){.dirfd = -1, .statefd = -1})
#define _cleanup_container_ _cleanup_(container_release)
/*
 * Make the directories of a new container (record dir with bundle/rootfs,
 * state dir). Fails with code "exists" when the id is taken.
 */
int container_make(struct container *c, const struct state *st, struct err *e);
/* Open an existing container and load its record; code "not-found" when there is none. */
int container_open(struct container *c, const struct state *st, struct err *e);
/* Write the record atomically (durably, unless it is a run --rm container's). */
int container_save(struct container *c, struct err *e);
/* Remove both directories (the rootfs must be unmounted first). */
int container_remove_dirs(struct container *c, const struct state *st, struct err *e);
/* Take the container's lock (record dir/lock); returns the fd holding it. */
int container_lock(struct container *c, struct err *e);

/* Is the shim alive (shim.json pid with the same start time)? *pid gets its pid. */
bool container_shim_alive(const struct container *c, int *pid);
/*
 * The rootfs is mounted in the mount namespace that create made for itself
 * and the shim keeps (create.c): the path by which this process reaches it,
 * /proc/SHIM/root/... while the shim lives, else the plain path (new string).
 */
char *container_rootfs_path(const struct container *c);
/* Wait up to ms for the shim to exit (and with it the rootfs mount). */
void container_wait_shim_gone(const struct container *c, int ms);
/* The bundle's config.json, the OCI spec create wrote (new reference), or NULL with e. */
json_t *container_spec(const struct container *c, struct err *e);
/*
 * The container's cgroupsPath without its leading '/' (new string), as its
 * config.json says (--cgroup-parent places it). NULL with e when the spec
 * cannot be read or names none (a rootless container without a delegated
 * group: the runtime makes no group).
 */
char *container_cgroup_rel(const struct container *c, struct err *e);
/*
 * Remove the container's cgroup, empty, where the runtime left it (delete
 * and a failed create, after the runtime's own delete): in every hierarchy
 * under cgroup_root(). None named or one gone already is fine; -1 when one
 * remains.
 */
int container_cgroup_remove(const struct container *c, struct err *e);
/*
 * How the container's stdio is served: "pipe" (the shim holds it: logs,
 * attach), "null" or "inherit", as its shim says in shim.json (a run -it
 * detached with the detach keys is pipe from then on), else as its record.
 */
const char *container_stdio(const struct container *c);
/* exit.json (new reference) or NULL when absent. */
json_t *container_exit(const struct container *c);
/* The exit record of exec process EID (exec-EID.json, which the shim writes before it answers
 * anyone), or container_exit for a NULL exec. */
json_t *container_proc_exit(const struct container *c, const char *exec);
/* The status from files only: exit.json, shim.json, the start and pause markers. */
enum container_status container_status(const struct container *c, json_t **exit);
const char *container_status_name(enum container_status s);
/* Set or clear a marker file ("started", "paused") in the state dir. */
void container_mark(const struct container *c, const char *name, bool on);
/* Append {"event":event, ...extra's members} for c to the namespace's event log (extra may be
 * NULL; borrowed). Best effort, as every event: the operation stands whatever the log says. */
void container_event(const struct container *c, const char *event, const json_t *extra);

/* The ids of every container in st's namespace, sorted (new array of strings). */
json_t *container_list(const struct state *st, struct err *e);
/* The key of a container's snapshot in st's namespace (snapshot_container_key). New string. */
char *container_snapshot_key(const struct state *st, const char *id);
/* A new random id (16 hex digits), for create without --name. */
char *container_random_id(void);

#endif
