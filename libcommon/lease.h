/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Leases: $ROOT/leases/ID.json, the record of an operation in progress
 * (ctr-state(5)): its owner ("PID STARTTIME", owner.h), a purpose, an
 * optional expiry and the objects it is making or about to reference. An
 * object that only a dead or expired lease names is garbage.
 */
#ifndef CTR_LEASE_H
#define CTR_LEASE_H

#include <jansson.h>
#include <stdbool.h>
#include <time.h>

#include "err.h"
#include "state.h"

/* Object types a lease names; the name's form is the type's (ctr-state(5)). */
#define LEASE_CONTAINER "container" /* "NS/ID": a container directory */
#define LEASE_SNAPSHOT "snapshot"   /* a snapshot key or chain ID, in any snapshotter */
#define LEASE_BLOB "blob"	    /* "sha256:HEX": a blob or its ingest */

struct lease {
	int dirfd;     /* $ROOT/leases, -1 when no lease is held */
	char *id;      /* "PID-RAND" */
	json_t *rec;   /* the record as written */
	char file[48]; /* "ID.json": what a signal's handler unlinks, allocating nothing */
};

/*
 * Take a new lease owned by this process, for purpose (a short phrase),
 * expiring ttl seconds from now (0: only with its owner), naming objects
 * (an array of {"type","name"}, copied; NULL: none yet). The record is on
 * disk when this returns: make the objects after it. l must stay where it
 * is until lease_drop: exit() drops the leases still held, and so does
 * SIGINT, SIGTERM or SIGHUP where the tool left them at their default
 * (^C of a pull), before the signal ends the process as it would have.
 */
int lease_take(const struct state *st, const char *purpose, long long ttl, const json_t *objects,
	       struct lease *l, struct err *e);
/* Append {"type","name"} to objs, an array for lease_take, unless objs names it already. */
void lease_object(json_t *objs, const char *type, const char *name);
/* Name one more object: on disk before it returns, so call it before making the object. */
int lease_add(struct lease *l, const char *type, const char *name, struct err *e);
/* Remove the lease (a record names its objects now, or they are gone); no-op when none. */
void lease_drop(struct lease *l);

/* Is rec the record of a lease whose owner lives and that has not expired by now? */
bool lease_live(const json_t *rec, time_t now);
/*
 * Every lease of st's root, each record with "live" added (a record that
 * does not parse: {"id","live":false}). New array, or NULL with e filled.
 */
json_t *lease_list(const struct state *st, struct err *e);
/* Does a live lease of list (lease_list) name the object (type, name)? */
bool lease_names(const json_t *list, const char *type, const char *name);
/* Remove lease id (a directory of that name too: debris); code "not-found" when there is none. */
int lease_remove(const struct state *st, const char *id, struct err *e);

#endif
