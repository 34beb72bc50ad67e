/* SPDX-License-Identifier: Apache-2.0 */
/* Deleting containers in the reverse order of create, tolerant of what is already gone. */
#include "cni-attach.h"
#include "log.h"
#include "delete.h"

#include <fcntl.h>
#include <poll.h>
#include <string.h>

#include "cleanup.h"
#include "jsonio.h"
#include "lease.h"
#include "lock.h"
#include "mount.h"
#include "runtime.h"
#include "shimclient.h"
#include "snapshot.h"
#include "spawn.h"
#include "xmem.h"

json_t *
delete_wait_exit(const struct container *c, int ms, struct err *e)
{
	struct shim_conn k;
	json_auto_t *req = json_pack("{s:s}", "op", "wait");
	json_t *r = NULL, *x = NULL;
	struct pollfd p;

	if (shim_connect(c, &k, e) < 0 || shim_send(&k, req, NULL, 0, e) < 0)
		goto out;
	p = (struct pollfd){.fd = k.fd, .events = POLLIN};
	if (poll(&p, 1, ms) <= 0) {
		err_code(e, "busy", "container '%s' did not exit within %d ms", c->id, ms);
		goto out;
	}
	r = shim_recv(&k, e);
	x = json_incref(json_object_get(r, "exit"));
	if (r && !x)
		err_code(e, "system", "the shim's wait answer has no exit");
out:
	json_decref(r);
	shim_close(&k);
	/* the shim may have died between the exit and our question: exit.json tells */
	return x ? x : container_exit(c);
}

/* Stop a live container through its shim: resume if frozen, SIGKILL all, wait. */
static int
kill_through_shim(struct container *c, enum container_status cs, struct err *e)
{
	const char *rt = jsonio_str(c->rec, "runtime");
	static const char *const resume[] = {"resume", NULL};
	json_auto_t *kill = json_pack("{s:s, s:i, s:b}", "op", "kill", "signal", 9, "all", true);
	json_t *r, *x;
	struct err ignored;

	/* a frozen task cannot act on SIGKILL until it is thawed */
	if (cs == CS_PAUSED)
		runtime_run(rt, c, resume, -1, &ignored);
	r = shim_call(c, kill, &ignored);
	json_decref(r);
	x = delete_wait_exit(c, 10000, e);
	if (!x)
		return -1;
	json_decref(x);
	return 0;
}

static int
stop(struct container *c, bool force, struct err *e)
{
	enum container_status cs = container_status(c, NULL);
	json_auto_t *bye = json_pack("{s:s}", "op", "shutdown");
	struct err ignored;

	if (cs == CS_RUNNING || cs == CS_PAUSED) {
		if (!force)
			return err_code(e, "conflict",
					"container '%s' is %s; stop it or use delete -f", c->id,
					container_status_name(cs));
	}
	if (cs == CS_UNKNOWN && !force)
		return err_code(e, "conflict",
				"state of '%s' is unknown (shim gone); delete -f kills it through "
				"the runtime",
				c->id);
	if ((cs == CS_RUNNING || cs == CS_PAUSED || cs == CS_CREATED) &&
	    kill_through_shim(c, cs, e) < 0)
		return -1;
	if (container_shim_alive(c, NULL))
		json_decref(shim_call(c, bye, &ignored));
	/* the rootfs is mounted in its mount namespace: gone with it */
	container_wait_shim_gone(c, 5000);
	return 0;
}

/* runc delete --force: also kills what a dead shim left running. "Not there" is fine. */
static int
runtime_delete(struct container *c, struct err *e)
{
	static const char *const del[] = {"delete", "--force", NULL};
	const char *rt = jsonio_str(c->rec, "runtime");

	if (!rt || runtime_run(rt, c, del, -1, e) == 0)
		return 0;
	if (strstr(e->msg, "does not exist") || strstr(e->msg, "not found") ||
	    strstr(e->msg, "no such file"))
		return 0;
	return -1;
}

static int
unmount_rootfs(struct container *c, struct err *e)
{
	if (mount_unmount(c->rootfs, e) < 0 && strcmp(e->code, "invalid") &&
	    strcmp(e->code, "not-found"))
		return -1;
	return 0;
}

/* The last step of every delete: the directories go, and the event log says so. */
static int
removed(const struct state *st, struct container *c, struct err *e)
{
	struct err cni, cg;

	/* its CNI networks go with it; a network that refuses is said, not a reason to stay */
	if (cni_detach(st, c->statedir, &cni) < 0)
		log_warn("delete '%s': CNI: %s", c->id, cni.msg);
	/* so does a cgroup the runtime left, once empty; one still busy is said */
	if (container_cgroup_remove(c, &cg) < 0)
		log_warn("delete '%s': %s", c->id, cg.msg);
	if (container_remove_dirs(c, st, e) < 0)
		return -1;
	container_event(c, "delete", NULL);
	return 0;
}

int
delete_orphan(const struct state *st, struct container *c, struct err *e)
{
	_cleanup_free_ char *key = container_snapshot_key(st, c->id);
	_cleanup_free_ char *rt = runtime_find(RUNTIME_DEFAULT, e);
	static const char *const del[] = {"delete", "--force", NULL};
	struct err ignored;

	/* no record, so no runtime name: the default one may hold state of this id */
	if (rt)
		runtime_run(rt, c, del, -1, &ignored);
	if (unmount_rootfs(c, e) < 0 || snapshot_remove_everywhere(st, key, e) < 0)
		return err_prefix(e, "delete '%s'", c->id);
	return removed(st, c, e);
}

/* Does a live lease other than mine name container id of st's namespace? */
static bool
leased_by_other(const struct state *st, const char *id, const char *mine)
{
	_cleanup_free_ char *name = xasprintf("%s/%s", st->ns, id);
	json_auto_t *list = NULL;
	struct err e;
	size_t i;
	json_t *l;

	if (!(list = lease_list(st, &e)))
		return true; /* cannot tell: not ours to remove */
	json_array_foreach(list, i, l) {
		if (mine && !strcmp(jsonio_str(l, "id") ? jsonio_str(l, "id") : "", mine)) {
			json_array_remove(list, i);
			break;
		}
	}
	return lease_names(list, LEASE_CONTAINER, name);
}

/*
 * A record whose create never reached the runtime: its creator died before
 * the shim's go, and the shim, left without one, removed its files and
 * exited (or was killed) before any init: no init.pid, no exit record, no
 * live shim. Only with a state directory of this boot (create makes it):
 * after a reboot none is left, and nothing tells then.
 */
static bool
never_created(const struct container *c)
{
	json_auto_t *x = NULL;

	if (c->statefd < 0 || faccessat(c->statefd, "init.pid", F_OK, 0) == 0 ||
	    container_shim_alive(c, NULL))
		return false;
	x = container_exit(c);
	return !x;
}

int
delete_abandoned(const struct state *st, const char *id, const char *mine, struct err *e)
{
	struct container c;
	struct err why;
	int lk = -1, r;
	bool rec;

	container_init(&c, st, id);
	rec = container_open(&c, st, &why) == 0;
	/* a container, or a creator in flight (its lock, its lease): it is not abandoned */
	if (c.dirfd < 0 || (rec ? !never_created(&c) : why.sys != ENOENT) ||
	    (lk = lock_at(c.dirfd, "lock", LOCK_TRY, &why)) < 0 || leased_by_other(st, id, mine))
		r = err_code(e, "exists", "container '%s' already exists", id);
	else
		r = rec ? delete_container(st, &c, true, e) : delete_orphan(st, &c, e);
	if (lk >= 0)
		close(lk);
	container_release(&c);
	return r;
}

/* The shim's exit status, or -1; it is our child only when we spawned it. */
static int
reap_shim(const struct container *c)
{
	struct err ignored;

	return c->shim_child > 0 ? spawn_wait(c->shim_child, &ignored) : -1;
}

/* Unmount the rootfs and remove the snapshot the record names; sets c->rootfs_gone. */
static int
remove_rootfs(const struct state *st, struct container *c, struct err *e)
{
	const char *key = jsonio_str(c->rec, "snapshot_key");
	const char *name = jsonio_str(c->rec, "snapshotter");
	enum snapshotter drv;

	if (unmount_rootfs(c, e) < 0)
		return -1;
	if (key && name &&
	    (snapshotter_parse(name, &drv, e) < 0 || snapshot_remove_in(st, drv, key, e) < 0))
		return -1;
	c->rootfs_gone = true;
	return 0;
}

void
delete_rootfs_early(const struct state *st, struct container *c)
{
	struct err e;
	_cleanup_close_ int lk = container_lock(c, &e);

	/* a failure is for delete_after_run to meet again and report */
	if (lk >= 0)
		remove_rootfs(st, c, &e);
}

int
delete_after_run(const struct state *st, struct container *c, struct err *e)
{
	_cleanup_close_ int lk = container_lock(c, e);
	json_auto_t *x = NULL;

	if (lk < 0)
		return err_prefix(e, "delete '%s'", c->id);
	/* no exit record (the shim died?) or not our shim: the careful way */
	if (c->shim_child <= 0 || !(x = container_exit(c)))
		return delete_container(st, c, false, e);
	/* we made the rootfs' mount namespace and share it with the shim: ours to unmount */
	if (!c->rootfs_gone && remove_rootfs(st, c, e) < 0)
		return err_prefix(e, "delete '%s'", c->id);
	if (reap_shim(c) != 0 && runtime_delete(c, e) < 0)
		return err_prefix(e, "delete '%s'", c->id);
	return removed(st, c, e);
}

int
delete_container(const struct state *st, struct container *c, bool force, struct err *e)
{
	if (stop(c, force, e) < 0 || runtime_delete(c, e) < 0 || remove_rootfs(st, c, e) < 0)
		return err_prefix(e, "delete '%s'", c->id);
	return removed(st, c, e);
}
