/* SPDX-License-Identifier: Apache-2.0 */
/* Leases: who is making or about to reference what, and whether they still are. */
#include "lease.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "afile.h"
#include "cleanup.h"
#include "jsonio.h"
#include "owner.h"
#include "path.h"
#include "timestamp.h"
#include "xmem.h"

#define LEASE_MAX (1 << 20)
#define HELD_MAX 8

/*
 * The leases this process holds, dropped at exit(): a tool that dies on a
 * refused input leaves no lease behind (only a SIGKILL does, which gc
 * reclaims). Process-wide by nature, like the exit it hooks.
 */
static struct lease *held[HELD_MAX];

static void
drop_held(void)
{
	for (size_t i = 0; i < HELD_MAX; i++)
		if (held[i])
			lease_drop(held[i]);
}

/*
 * ^C: a signal that ends us by default unlinks our leases first, as exit()
 * would (unlinkat is async-signal-safe; the names were made beforehand),
 * then ends us by the same signal, the status our caller expects.
 */
static void
drop_on_signal(int sig)
{
	int saved = errno;

	for (size_t i = 0; i < HELD_MAX; i++)
		if (held[i] && held[i]->dirfd >= 0 && held[i]->file[0])
			unlinkat(held[i]->dirfd, held[i]->file, 0);
	raise(sig); /* SA_RESETHAND: the default action, once we return */
	errno = saved;
}

/* Only where the tool left the signal at its default: its own handling stays its own. */
static void
hook_signals(void)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	struct sigaction sa = {.sa_handler = drop_on_signal, .sa_flags = SA_RESETHAND}, old;

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_DFL)
			sigaction(sigs[i], &sa, NULL);
}

static void
hold(struct lease *l, bool on)
{
	static bool hooked;

	if (on && !hooked) {
		hooked = atexit(drop_held) == 0;
		hook_signals();
	}
	for (size_t i = 0; i < HELD_MAX; i++)
		if (on ? !held[i] : held[i] == l) {
			held[i] = on ? l : NULL;
			return;
		}
}

/*
 * Not fsync'd: after a host crash every owner is dead, and a lease that
 * came back empty is as dead as one that parses.
 */
static int
lease_write(struct lease *l, struct err *e)
{
	return afile_write_json_flags(l->dirfd, l->file, l->rec, AFILE_NOSYNC, e);
}

int
lease_take(const struct state *st, const char *purpose, long long ttl, const json_t *objects,
	   struct lease *l, struct err *e)
{
	char owner[64], now[TIMESTAMP_LEN];
	unsigned int r = 0;

	l->dirfd = -1;
	l->id = NULL;
	l->rec = NULL;
	l->file[0] = '\0';
	if (owner_identity(getpid(), owner, sizeof(owner)) < 0)
		return err_set(e, errno, "read our own start time");
	if (getrandom(&r, sizeof(r), 0) < 0)
		return err_set(e, errno, "getrandom");
	/* with the store whose objects it names, whatever state directory we run with */
	if ((l->dirfd = state_dir(st, "leases", 0, e)) < 0)
		return -1;
	l->id = xasprintf("%d-%08x", (int)getpid(), r);
	snprintf(l->file, sizeof(l->file), "%s.json", l->id);
	timestamp_now(now);
	l->rec =
	    json_pack("{s:s, s:s, s:s, s:s, s:o}", "id", l->id, "owner", owner, "purpose", purpose,
		      "created", now, "objects", objects ? json_deep_copy(objects) : json_array());
	if (ttl > 0) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += ttl;
		timestamp_format(&ts, now);
		json_object_set_new(l->rec, "expires", json_string(now));
	}
	if (lease_write(l, e) < 0) {
		lease_drop(l);
		return err_prefix(e, "lease");
	}
	hold(l, true);
	return 0;
}

void
lease_object(json_t *objs, const char *type, const char *name)
{
	const json_t *o;
	size_t i;

	/* once each: a pull's manifest is also its top descriptor when there is no index */
	json_array_foreach(objs, i, o)
		if (!strcmp(jsonio_str(o, "type") ?: "", type) &&
		    !strcmp(jsonio_str(o, "name") ?: "", name))
			return;
	json_array_append_new(objs, json_pack("{s:s, s:s}", "type", type, "name", name));
}

int
lease_add(struct lease *l, const char *type, const char *name, struct err *e)
{
	lease_object(json_object_get(l->rec, "objects"), type, name);
	return lease_write(l, e) < 0 ? err_prefix(e, "lease") : 0;
}

void
lease_drop(struct lease *l)
{
	hold(l, false);
	if (l->dirfd >= 0 && l->file[0])
		unlinkat(l->dirfd, l->file, 0);
	if (l->dirfd >= 0)
		close(l->dirfd);
	free(l->id);
	json_decref(l->rec);
	l->dirfd = -1;
	l->id = NULL;
	l->rec = NULL;
	l->file[0] = '\0';
}

bool
lease_live(const json_t *rec, time_t now)
{
	const char *owner = jsonio_str(rec, "owner"), *exp = jsonio_str(rec, "expires");
	struct timespec ts;

	/* an owner that is no "PID STARTTIME" is no process: the lease would never end */
	if (!owner_valid(owner) || owner_gone(owner))
		return false;
	/* an expiry that does not parse has passed: the lease is not honest */
	return !exp || (timestamp_parse(exp, &ts) == 0 && ts.tv_sec > now);
}

/* leases/NAME as a record with "live"; a broken one is a dead lease of that id. */
static json_t *
load_one(int dirfd, const char *name, time_t now)
{
	_cleanup_free_ char *id = xstrndup(name, strlen(name) - 5);
	struct err ignored;
	json_t *rec = jsonio_load_at(dirfd, name, LEASE_MAX, &ignored);

	if (!json_is_object(rec)) {
		json_decref(rec);
		return json_pack("{s:s, s:b}", "id", id, "live", 0);
	}
	json_object_set_new(rec, "id", json_string(id));
	json_object_set_new(rec, "live", json_boolean(lease_live(rec, now)));
	return rec;
}

json_t *
lease_list(const struct state *st, struct err *e)
{
	int fd = st->rootfd < 0 ? -1
				: openat(st->rootfd, "leases",
					 O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	_cleanup_closedir_ DIR *d = NULL;
	json_t *out = json_array();
	time_t now = time(NULL);
	struct dirent *de;

	if (fd < 0 && errno == ENOENT)
		return out;
	if (fd < 0 || !(d = fdopendir(fd))) {
		err_set(e, errno, "open '%s/leases'", st->root);
		if (fd >= 0)
			close(fd);
		json_decref(out);
		return NULL;
	}
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);

		/* hidden names are afile's temp files */
		if (de->d_name[0] == '.' || n <= 5 || strcmp(de->d_name + n - 5, ".json"))
			continue;
		json_array_append_new(out, load_one(dirfd(d), de->d_name, now));
	}
	return jsonio_sorted_by(out, "id");
}

bool
lease_names(const json_t *list, const char *type, const char *name)
{
	const json_t *l, *o;
	size_t i, j;

	json_array_foreach(list, i, l) {
		if (!json_is_true(json_object_get(l, "live")))
			continue;
		json_array_foreach(json_object_get(l, "objects"), j, o)
			if (!strcmp(jsonio_str(o, "type") ?: "", type) &&
			    !strcmp(jsonio_str(o, "name") ?: "", name))
				return true;
	}
	return false;
}

int
lease_remove(const struct state *st, const char *id, struct err *e)
{
	_cleanup_free_ char *name = NULL;

	if (path_check_id(id, 128, e) < 0)
		return -1;
	name = xasprintf("leases/%s.json", id);
	if (unlinkat(st->rootfd, name, 0) == 0)
		return 0;
	if (errno == ENOENT)
		return err_code(e, "not-found", "no such lease '%s'", id);
	/* no tool makes a directory there: debris, which would stop every gc */
	if (errno == EISDIR)
		return path_rm_rf(st->rootfd, name, e) < 0 ? err_prefix(e, "lease '%s'", id) : 0;
	return err_set(e, errno, "remove '%s/%s'", st->root, name);
}
