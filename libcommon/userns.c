/* SPDX-License-Identifier: Apache-2.0 */
/* Entering a user namespace mapped from the user's subordinate ids, with newuidmap/newgidmap. */
#include "userns.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "fdio.h"
#include "log.h"
#include "priv.h"
#include "spawn.h"
#include "xmem.h"

size_t
userns_map_build(const char *text, const char *name, unsigned long id, struct userns_map *m)
{
	char owner[256], idstr[32];
	unsigned long start, count, next = 1;
	const char *p = text;

	snprintf(idstr, sizeof(idstr), "%lu", id);
	m->r[0] = (struct userns_range){0, id, 1};
	m->n = 1;
	while (p && *p && m->n < USERNS_MAX_RANGES) {
		int len = 0;

		if (sscanf(p, "%255[^:\n]:%lu:%lu%n", owner, &start, &count, &len) == 3 &&
		    (p[len] == '\n' || p[len] == '\0') && count > 0 &&
		    count <= 4294967294UL - next &&
		    (!strcmp(owner, name) || !strcmp(owner, idstr))) {
			m->r[m->n++] = (struct userns_range){next, start, count};
			next += count;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return m->n - 1;
}

/* The map of the user from file (NULL text when the file is absent: no ranges). */
static size_t
map_from(const char *file, const char *name, unsigned long id, struct userns_map *m)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int fd = open(file, O_RDONLY | O_CLOEXEC);
	struct err e;
	size_t len;

	if (fd < 0 || fdio_read_all(fd, 1 << 20, &text, &len, &e) < 0)
		return userns_map_build("", name, id, m);
	return userns_map_build(text, name, id, m);
}

/* "newuidmap PID 0 UID 1 1 START COUNT ..." */
static char **
map_argv(const char *prog, pid_t pid, const struct userns_map *m)
{
	char **argv = xcalloc(3 + 3 * m->n, sizeof(*argv));
	size_t k = 0;

	argv[k++] = xstrdup(prog);
	argv[k++] = xasprintf("%d", (int)pid);
	for (size_t i = 0; i < m->n; i++) {
		argv[k++] = xasprintf("%lu", m->r[i].inside);
		argv[k++] = xasprintf("%lu", m->r[i].outside);
		argv[k++] = xasprintf("%lu", m->r[i].count);
	}
	return argv;
}

static void
argv_free(char **argv)
{
	for (char **a = argv; a && *a; a++)
		free(*a);
	free(argv);
}

/* Run one of newuidmap/newgidmap on pid; its own last line of stderr says why it failed. */
static int
run_map(const char *prog, pid_t pid, const struct userns_map *m, struct err *e)
{
	char **argv = map_argv(prog, pid, m);
	_cleanup_free_ char *out = NULL, *why = NULL;
	int rc = spawn_output(argv, 4096, &out, &why, e);

	argv_free(argv);
	if (rc < 0 && e->sys == ENOENT)
		return err_code(e, "system", "%s not found: install the uidmap package", prog);
	if (rc < 0)
		return -1;
	if (rc != 0)
		return err_code(e, "permission", "%s failed (status %d): %s", prog, rc,
				why && *why ? why : "no message");
	return 0;
}

/*
 * The helper, forked before the unshare so that it stays in the parent
 * namespace: newuidmap must run there (a setuid file whose owner is not
 * mapped in our new namespace would not get its privileges). It waits for
 * the parent's byte, maps the parent, and reports a struct err.
 */
__attribute__((noreturn)) static void
helper(int rfd, int wfd, pid_t parent, const struct userns_map *u, const struct userns_map *g)
{
	struct err e = {0};
	char c;
	int rc;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent || fdio_read_full(rfd, &c, 1) != 1)
		_exit(2);
	rc = run_map("newuidmap", parent, u, &e);
	if (rc == 0)
		rc = run_map("newgidmap", parent, g, &e);
	_exit(fdio_write_full(wfd, &e, sizeof(e)) < 0 ? 2 : rc < 0);
}

static int
write_file(const char *path, const char *text, struct err *e)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || fdio_write_full(fd, text, strlen(text)) < 0)
		return err_set(e, errno, "write '%s'", path);
	return 0;
}

/*
 * map_single and map_ranges return -1 when unshare failed (errno says why),
 * -2 when e says why.
 */

/* Single id: we may write our own maps, once setgroups is denied (user_namespaces(7)). */
static int
map_single(uid_t uid, gid_t gid, struct err *e)
{
	char line[64];

	if (unshare(CLONE_NEWUSER) < 0)
		return -1;
	snprintf(line, sizeof(line), "0 %u 1\n", (unsigned)uid);
	if (write_file("/proc/self/setgroups", "deny", e) < 0 ||
	    write_file("/proc/self/uid_map", line, e) < 0)
		return -2;
	snprintf(line, sizeof(line), "0 %u 1\n", (unsigned)gid);
	return write_file("/proc/self/gid_map", line, e) < 0 ? -2 : 0;
}

/* Subordinate ids: unshare, then let the helper map us; the helper's error is ours. */
static int
map_ranges(const struct userns_map *u, const struct userns_map *g, struct err *e)
{
	int go[2], rep[2], rc = 0, status, saved = 0;
	pid_t parent = getpid(), pid;

	if (pipe2(go, O_CLOEXEC) < 0)
		return err_set(e, errno, "pipe") - 1;
	if (pipe2(rep, O_CLOEXEC) < 0) {
		err_set(e, errno, "pipe");
		close(go[0]);
		close(go[1]);
		return -2;
	}
	fflush(NULL);
	if ((pid = fork()) < 0) {
		err_set(e, errno, "fork");
		close(go[0]), close(go[1]), close(rep[0]), close(rep[1]);
		return -2;
	}
	if (pid == 0)
		helper(go[0], rep[1], parent, u, g);
	close(go[0]);
	close(rep[1]);
	if (unshare(CLONE_NEWUSER) < 0)
		rc = -1, saved = errno;
	else if (fdio_write_full(go[1], "x", 1) < 0)
		rc = err_set(e, errno, "start the id mapper") - 1;
	close(go[1]);
	if (rc == 0 && fdio_read_full(rep[0], e, sizeof(*e)) != (ssize_t)sizeof(*e))
		rc = err_code(e, "system", "the id mapper died without a report") - 1;
	else if (rc == 0 && e->msg[0])
		rc = -2;
	close(rep[0]);
	waitpid(pid, &status, 0);
	errno = saved;
	return rc;
}

/* The setuid helpers must not be blocked by NO_NEW_PRIVS set earlier. */
static int
check_nnp(struct err *e)
{
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1)
		return err_code(e, "system",
				"no_new_privs is set: newuidmap cannot map a user namespace");
	return 0;
}

static int
enter(const char *name, uid_t uid, gid_t gid, struct err *e)
{
	struct userns_map u, g;
	size_t nu = map_from("/etc/subuid", name, uid, &u);
	size_t ng = map_from("/etc/subgid", name, gid, &g);
	int rc;

	if (!nu && ng)
		return err_code(e, "invalid",
				"no subordinate uids for %s in /etc/subuid: add a range with "
				"usermod --add-subuids",
				name);
	if (nu && !ng)
		return err_code(e, "invalid",
				"no subordinate gids for %s in /etc/subgid: add a range with "
				"usermod --add-subgids",
				name);
	if (!nu) {
		log_warn("no subordinate uids for %s in /etc/subuid: one id mapped, files of other "
			 "owners become yours (add a range with usermod --add-subuids)",
			 name);
		rc = map_single(uid, gid, e);
	} else {
		rc = check_nnp(e) < 0 ? -2 : map_ranges(&u, &g, e);
	}
	if (rc == -1)
		return err_set(e, errno,
			       "unshare a user namespace (unprivileged user namespaces disabled? "
			       "see sysctl user.max_user_namespaces)");
	return rc < 0 ? err_prefix(e, "user namespace") : 0;
}

/* Our ids are 0 in a namespace just entered or joined: files we make are its root's. */
static int
become_root(bool no_new_privs, struct err *e)
{
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		return err_set(e, errno, "become root in the user namespace");
	priv_reset();
	if (no_new_privs)
		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	return 0;
}

int
userns_enter(bool no_new_privs, struct err *e)
{
	uid_t uid = getuid();
	gid_t gid = getgid();
	struct passwd *pw = getpwuid(uid);
	_cleanup_free_ char *name = xstrdup(pw ? pw->pw_name : "");

	if (enter(name, uid, gid, e) < 0)
		return -1;
	/*
	 * And a mount namespace that the new one owns: mounts and unmounts of
	 * ours (a rootfs, a view) are then allowed and private to us. Shared
	 * mounts come in as slaves of the host's (mount_namespaces(7)).
	 */
	if (unshare(CLONE_NEWNS) < 0)
		return err_set(e, errno, "unshare a mount namespace in the user namespace");
	return become_root(no_new_privs, e);
}

int
userns_join(pid_t pid, struct err *e)
{
	char upath[64], mpath[64];
	_cleanup_close_ int ufd = -1, mfd = -1;

	snprintf(upath, sizeof(upath), "/proc/%d/ns/user", (int)pid);
	snprintf(mpath, sizeof(mpath), "/proc/%d/ns/mnt", (int)pid);
	/* both opened first: once in its user namespace, /proc/pid may answer differently */
	if ((ufd = open(upath, O_RDONLY | O_CLOEXEC)) < 0)
		return err_set(e, errno, "open '%s'", upath);
	if ((mfd = open(mpath, O_RDONLY | O_CLOEXEC)) < 0)
		return err_set(e, errno, "open '%s'", mpath);
	/* the user namespace first: it gives us the rights over the mount namespace it owns */
	if (setns(ufd, CLONE_NEWUSER) < 0)
		return err_set(e, errno, "join the user namespace of process %d", (int)pid);
	if (setns(mfd, CLONE_NEWNS) < 0)
		return err_set(e, errno, "join the mount namespace of process %d", (int)pid);
	return become_root(false, e);
}

int
userns_ensure(bool no_new_privs, struct err *e)
{
	return priv_mode() == PRIV_USER ? userns_enter(no_new_privs, e) : 0;
}

bool
userns_single(void)
{
	char buf[4096];
	unsigned long a, b, c, total = 0;
	_cleanup_close_ int fd = open("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : fdio_read_full(fd, buf, sizeof(buf) - 1);
	const char *p = buf;

	if (n <= 0)
		return false;
	buf[n] = '\0';
	while (p && sscanf(p, " %lu %lu %lu", &a, &b, &c) == 3) {
		total += c;
		p = strchr(p, '\n');
		p = p && p[1] ? p + 1 : NULL;
	}
	return total == 1;
}

/* The name of the user outside: the id our uid 0 maps to, looked up in the host's passwd. */
static char *
outside_name(void)
{
	char buf[256];
	unsigned long in, out, n;
	_cleanup_close_ int fd = open("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);
	ssize_t len = fd < 0 ? -1 : fdio_read_full(fd, buf, sizeof(buf) - 1);
	struct passwd *pw;

	if (len <= 0)
		return xstrdup("you");
	buf[len] = '\0';
	if (sscanf(buf, " %lu %lu %lu", &in, &out, &n) != 3)
		return xstrdup("you");
	pw = getpwuid((uid_t)out);
	return pw ? xstrdup(pw->pw_name) : xasprintf("%lu", out);
}

int
userns_check_ids(unsigned long uid, unsigned long gid, struct err *e)
{
	_cleanup_free_ char *name = NULL;

	if ((uid == 0 && gid == 0) || !priv_rootless() || !userns_single())
		return 0;
	name = outside_name();
	return err_code(e, "invalid",
			"user %lu:%lu needs subordinate ids, and there are none for %s in "
			"/etc/subuid: add a range with usermod --add-subuids",
			uid, gid, name);
}
