/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for finding a delegated cgroup v2 subtree: mountinfo samples and a fake tree in a temp dir. */
#include "tap.h"

#include <sys/stat.h>

#include "cgroup-deleg.h"
#include "cleanup.h"
#include "fdio.h"
#include "xmem.h"

#define FIX "tests/fixtures/cgroup"
#define USER_CG "/user.slice/user-1000.slice/user@1000.service/app.slice"

static char *
sample(const char *name)
{
	char *buf = NULL;
	size_t len;
	struct err e;

	if (fdio_read_file_at(AT_FDCWD, name, 1 << 16, &buf, &len, &e) < 0) {
		printf("Bail out! %s (run from the top of the tree)\n", e.msg);
		exit(1);
	}
	return buf;
}

static void
test_cgroup_deleg_v2_mount(void)
{
	_cleanup_free_ char *hybrid = sample(FIX "/v1/mountinfo");
	_cleanup_free_ char *unified = sample(FIX "/v2/mountinfo");
	_cleanup_free_ char *a = cgroup_deleg_v2_mount(hybrid);
	_cleanup_free_ char *b = cgroup_deleg_v2_mount(unified);
	_cleanup_free_ char *c =
	    cgroup_deleg_v2_mount("32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n");

	is_str(a, "/sys/fs/cgroup/unified", "hybrid (recorded here): the v2 tree at unified/");
	is_str(b, "/sys/fs/cgroup", "a unified host: the v2 tree at /sys/fs/cgroup");
	ok(!c, "v1 only: no v2 tree");
}

/* A group at root/USER_CG as systemd's Delegate=yes leaves it: ours, with controllers. */
static void
make_tree(const char *root, const char *controllers)
{
	_cleanup_free_ char *dir = xasprintf("%s%s", root, USER_CG);
	_cleanup_free_ char *cmd = xasprintf("mkdir -p '%s'", dir);
	static const char *const files[] = {"cgroup.procs", "cgroup.subtree_control",
					    "cgroup.controllers"};

	if (system(cmd) != 0) {
		printf("Bail out! %s\n", cmd);
		exit(1);
	}
	for (size_t i = 0; i < 3; i++) {
		_cleanup_free_ char *p = xasprintf("%s/%s", dir, files[i]);
		FILE *f = fopen(p, "w");

		if (!f) {
			printf("Bail out! create %s\n", p);
			exit(1);
		}
		fputs(i == 2 ? controllers : "", f);
		fclose(f);
	}
}

/* cgroup_deleg_find under root for our own group; the error message when refused. */
static int
find(const char *root, uid_t uid, unsigned want, char **rel, struct err *e)
{
	*rel = NULL;
	memset(e, 0, sizeof(*e));
	return cgroup_deleg_find(root, "1:cpu:/\n0::" USER_CG "\n", uid, want, rel, e);
}

static void
test_cgroup_deleg_find(void)
{
	char tmpl[] = "/tmp/test-cgroup-deleg-XXXXXX";
	char *root = mkdtemp(tmpl), *rel = NULL;
	_cleanup_free_ char *rm = xasprintf("rm -rf '%s'", root);
	struct err e;
	uid_t me = geteuid();

	make_tree(root, "cpuset cpu io memory pids\n");
	ok(find(root, me, CGROUP_WANT_MEMORY | CGROUP_WANT_CPU | CGROUP_WANT_PIDS, &rel, &e) == 0,
	   "delegated with memory, cpu, pids: found");
	is_str(rel, USER_CG, "the group's path, the parent of a container's cgroupsPath");
	free(rel);

	ok(find(root, me + 1, CGROUP_WANT_MEMORY, &rel, &e) < 0 && !rel, "someone else's: refused");
	ok(strstr(e.msg, "is not delegated to you: . belongs to uid") && !strcmp(e.code, "invalid"),
	   "names the owner: %s", e.msg);

	make_tree(root, "cpuset io pids\n");
	ok(find(root, me, CGROUP_WANT_PIDS, &rel, &e) == 0, "pids alone: found");
	free(rel);
	ok(find(root, me, CGROUP_WANT_CPU, &rel, &e) < 0, "cpu not delegated (cpuset is not cpu)");
	ok(strstr(e.msg, "has no cpu controller (its cgroup.controllers: 'cpuset io pids')") &&
	       !strstr(e.msg, "cgroup v1"),
	   "names the controller and the list: %s", e.msg);

	ok(find(NULL, me, CGROUP_WANT_MEMORY, &rel, &e) < 0 &&
	       strstr(e.msg, "no cgroup v2 hierarchy is mounted"),
	   "no v2 tree: %s", e.msg);
	ok(cgroup_deleg_find(root, "4:memory:/x\n", me, CGROUP_WANT_MEMORY, &rel, &e) < 0 &&
	       strstr(e.msg, "no cgroup v2 group of ours"),
	   "no 0:: line: %s", e.msg);
	if (system(rm) != 0)
		printf("# could not remove %s\n", root);
}

/* The hybrid sample: the v2 tree's root holds what v1 left over (hugetlb here). */
static void
test_cgroup_deleg_hybrid(void)
{
	char tmpl[] = "/tmp/test-cgroup-deleg-XXXXXX";
	char *base = mkdtemp(tmpl), *rel = NULL;
	_cleanup_free_ char *root = xasprintf("%s/unified", base);
	_cleanup_free_ char *rm = xasprintf("rm -rf '%s'", base);
	_cleanup_free_ char *ctl = sample(FIX "/v1/unified/cgroup.controllers");
	struct err e;

	make_tree(root, ctl);
	ok(find(root, geteuid(), CGROUP_WANT_MEMORY, &rel, &e) < 0 && !rel, "refused");
	ok(strstr(e.msg, "has no memory controller") &&
	       strstr(e.msg, "this host's controllers are on cgroup v1"),
	   "says the controllers are on v1: %s", e.msg);
	if (system(rm) != 0)
		printf("# could not remove %s\n", base);
}

int
main(void)
{
	RUN(test_cgroup_deleg_v2_mount);
	RUN(test_cgroup_deleg_find);
	RUN(test_cgroup_deleg_hybrid);
	return tap_done();
}
