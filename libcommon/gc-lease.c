/* SPDX-License-Identifier: Apache-2.0 */
/* gc and leases: what live leases name is kept; container directories and leases of the dead go. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "cnistate.h"
#include "gc-int.h"
#include "jsonio.h"
#include "lease.h"
#include "lock.h"
#include "log.h"
#include "path.h"
#include "snapshot.h"
#include "xmem.h"

int
gc_mark_leases(struct gc *g, struct err *e)
{
	const json_t *l, *o;
	size_t i, j;

	if (!(g->leases = lease_list(g->st, e)))
		return -1;
	json_array_foreach(g->leases, i, l) {
		if (!json_is_true(json_object_get(l, "live")))
			continue;
		json_array_foreach(json_object_get(l, "objects"), j, o) {
			const char *type = jsonio_str(o, "type") ?: "",
				   *name = jsonio_str(o, "name");

			if (!name)
				continue;
			if (!strcmp(type, LEASE_SNAPSHOT))
				json_object_set_new(g->snaps, name, json_true());
			else if (!strcmp(type, LEASE_BLOB))
				json_object_set_new(g->blobs, name, json_true());
		}
	}
	return 0;
}

/*
 * Remove what a create killed before it wrote the record left: its CNI
 * networks and namespace (attached before the record, as its cni.json
 * says), the snapshot "ctr:NS:ID" and both directories. The rootfs was
 * mounted only in its creator's own mount namespace (ctr-run's create),
 * gone with it; no runtime state exists before the record does (the shim
 * waits for its go).
 */
static int
drop_container(struct gc *g, const char *ns, const char *id, struct err *e)
{
	_cleanup_free_ char *key = snapshot_container_key(ns, id);
	_cleanup_free_ char *rel = xasprintf("containers/%s/%s", ns, id);
	_cleanup_free_ char *srel = xasprintf("%s/%s", ns, id);
	_cleanup_free_ char *statedir = xasprintf("%s/%s", g->st->run, srel);
	struct err cni;

	gc_file(g, "%s", rel);
	if (g->o->dry_run)
		return 0;
	/* as ctr-run delete does: a network that refuses is said, not a reason to stay */
	if (g->st->runfd >= 0 && cnistate_detach(g->st, ns, statedir, &cni) < 0)
		log_warn("container '%s': CNI: %s", srel, cni.msg);
	if (snapshot_remove_everywhere(g->st, key, e) < 0)
		return err_prefix(e, "container '%s'", srel);
	if (g->st->runfd >= 0 && path_rm_rf(g->st->runfd, srel, e) < 0)
		return -1;
	return path_rm_rf_hidden(g->st->rootfd, rel, e);
}

/*
 * A container directory without a record is garbage once no live lease
 * names it and nobody holds its lock. A create takes its lease before it
 * makes the directory and writes its record before it drops the lease, so
 * leases read after the directory was seen name it while its create is in
 * flight. The list read at gc's start is older than that: a directory it
 * does not name is judged by the leases read again, under its lock.
 */
static int
sweep_container(struct gc *g, int nsfd, const char *ns, const char *id, struct err *e)
{
	_cleanup_free_ char *name = xasprintf("%s/%s", ns, id);
	_cleanup_free_ char *rec = xasprintf("%s/record.json", id);
	_cleanup_free_ char *lock = xasprintf("%s/lock", id);
	_cleanup_close_ int lk = -1;
	json_auto_t *now = NULL;
	struct err busy;
	struct stat sb;

	/*
	 * ctr-run makes directories here, nothing else: a link (or a file) is
	 * debris, unlinked, never followed to lock, read or empty what it names.
	 */
	if (fstatat(nsfd, id, &sb, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(sb.st_mode)) {
		gc_file(g, "containers/%s", name);
		if (!g->o->dry_run && unlinkat(nsfd, id, 0) < 0 && errno != ENOENT)
			return err_set(e, errno, "remove 'containers/%s'", name);
		return 0;
	}
	if (faccessat(nsfd, rec, F_OK, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT ||
	    lease_names(g->leases, LEASE_CONTAINER, name))
		return 0;
	/*
	 * Never a lock file made in a directory a deleter is emptying (its
	 * rmdir would meet it): a deleter holds the lock file it made, and
	 * only a directory that never had one (a create killed before its
	 * lock) gets one from us.
	 */
	lk = lock_at(nsfd, lock, LOCK_TRY | LOCK_EXISTING, &busy);
	if (lk < 0 && busy.sys == ENOENT && faccessat(nsfd, id, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		lk = lock_at(nsfd, lock, LOCK_TRY, &busy);
	if (lk < 0)
		return 0; /* a creator or deleter that holds it lives (or the directory went) */
	/* taken under the lock: a record written since makes it a container again */
	if (faccessat(nsfd, rec, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	if (!(now = lease_list(g->st, e)))
		return -1;
	if (lease_names(now, LEASE_CONTAINER, name) ||
	    faccessat(nsfd, rec, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	return drop_container(g, ns, id, e);
}

/*
 * containers/<ns>/.gone-ID: a removal decided (its snapshot, networks and
 * runtime state went before the rename) and killed before its rm -rf was
 * done. A remover still at work meets our removal as its own.
 */
static int
sweep_gone(struct gc *g, int nsfd, const char *ns, const char *name, struct err *e)
{
	gc_file(g, "containers/%s/%s", ns, name);
	if (g->o->dry_run || path_rm_rf(nsfd, name, e) == 0)
		return 0;
	return err_prefix(e, "containers/%s", ns);
}

int
gc_sweep_containers(struct gc *g, struct err *e)
{
	if (gc_each_container(g, sweep_container, false, e) < 0)
		return -1;
	return gc_each_container(g, sweep_gone, true, e);
}

/* leases/.ID.json.tmp-PID: a lease writer killed between its write and its rename. */
static int
sweep_lease_temps(struct gc *g, struct err *e)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;

	if (gc_opendir(g->st->rootfd, "leases", &d, e) < 0)
		return -1;
	if (!d)
		return 0;
	while ((errno = 0, de = readdir(d))) {
		if (!gc_dead_temp(de->d_name))
			continue;
		if (!g->o->dry_run && unlinkat(dirfd(d), de->d_name, 0) < 0 && errno != ENOENT)
			return err_set(e, errno, "remove 'leases/%s'", de->d_name);
		gc_file(g, "leases/%s", de->d_name);
	}
	return errno ? err_set(e, errno, "read 'leases'") : 0;
}

int
gc_sweep_leases(struct gc *g, struct err *e)
{
	const json_t *l;
	struct err gone;
	size_t i;

	json_array_foreach(g->leases, i, l) {
		const char *id = jsonio_str(l, "id");

		if (json_is_true(json_object_get(l, "live")))
			continue;
		if (!g->o->dry_run && lease_remove(g->st, id, &gone) < 0 &&
		    strcmp(gone.code ?: "", "not-found")) {
			*e = gone;
			return -1;
		}
		gc_file(g, "leases/%s.json", id);
	}
	return sweep_lease_temps(g, e);
}
