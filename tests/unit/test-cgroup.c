/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for cgroups: folders and numbers, v1 and v2, from recorded cgroupfs samples. */
#include "tap.h"

#include <sys/stat.h>

#include "cgroup.h"
#include "cleanup.h"
#include "fdio.h"
#include "path.h"
#include "xmem.h"

#define FIX "tests/fixtures/cgroup"

/* Is p the fixture path FIX/tail? */
static bool
at(const char *p, const char *tail)
{
	char want[256];

	snprintf(want, sizeof(want), FIX "/%s", tail);
	return p && !strcmp(p, want);
}

/* cgroup_parse of a sample /proc/PID/cgroup under the sample root of its version. */
static void
parse_sample(struct cgroup *cg, const char *version)
{
	char name[64], root[64];
	char *buf = NULL;
	size_t len;
	struct err e;

	snprintf(name, sizeof(name), FIX "/%s/proc-cgroup", version);
	snprintf(root, sizeof(root), FIX "/%s", version);
	if (fdio_read_file_at(AT_FDCWD, name, 4096, &buf, &len, &e) < 0) {
		printf("Bail out! %s (run from the top of the tree)\n", e.msg);
		exit(1);
	}
	cgroup_parse(cg, root, buf);
	free(buf);
}

static void
test_cgroup_parse_v1_hybrid(void)
{
	struct cgroup cg = {0};

	parse_sample(&cg, "v1");
	ok(at(cg.mem, "v1/memory/ctr/default-c1"), "memory folder: %s", cg.mem);
	ok(at(cg.cpu, "v1/cpuacct/ctr/default-c1"), "cpuacct folder: %s", cg.cpu);
	ok(at(cg.pids, "v1/pids/ctr/default-c1"), "pids folder: %s", cg.pids);
	ok(at(cg.freezer, "v1/freezer/ctr/default-c1"), "freezer folder: %s", cg.freezer);
	ok(!cg.v2, "a hybrid host's empty v2 tree is dropped");
	cgroup_release(&cg);
	ok(!cg.mem && !cg.v2, "release empties it");
}

static void
test_cgroup_parse_v2(void)
{
	struct cgroup cg = {0};

	parse_sample(&cg, "v2");
	ok(at(cg.v2, "v2/ctr/default-c1"), "the v2 folder at the unified root: %s", cg.v2);
	ok(!cg.mem && !cg.cpu && !cg.pids && !cg.freezer, "no v1 folders");
	cgroup_release(&cg);
}

static void
test_cgroup_parse_comounted(void)
{
	char dir[] = "/tmp/test-cgroup-XXXXXX";
	int dfd = tap_tmpdir(dir);
	char text[] = "3:cpu,cpuacct:/c\n2:memory:/c\nbroken line\n1:name=systemd:/\n0::/c\n";
	struct cgroup cg = {0};
	_cleanup_free_ char *want = xasprintf("%s/cpu,cpuacct/c", dir);

	mkdirat(dfd, "cpu,cpuacct", 0755);
	cgroup_parse(&cg, dir, text);
	is_str(cg.cpu, want, "cpuacct co-mounted with cpu: the folder named by the list");
	free(want);
	want = xasprintf("%s/memory/c", dir);
	is_str(cg.mem, want, "memory");
	ok(!cg.pids && !cg.freezer && !cg.v2, "nothing else");
	cgroup_release(&cg);
	unlinkat(dfd, "cpu,cpuacct", AT_REMOVEDIR);
	close(dfd);
	rmdir(dir);
}

static void
test_cgroup_at(void)
{
	struct cgroup cg = {0};
	struct err e;

	ok(cgroup_at(&cg, FIX "/v1", "ctr/default-c1", &e) == 0, "v1: found");
	ok(at(cg.mem, "v1/memory/ctr/default-c1") && at(cg.cpu, "v1/cpuacct/ctr/default-c1") &&
	       at(cg.pids, "v1/pids/ctr/default-c1") && !cg.v2,
	   "v1: the controllers' folders");
	cgroup_release(&cg);
	ok(cgroup_at(&cg, FIX "/v2", "ctr/default-c1", &e) == 0, "v2: found");
	ok(at(cg.v2, "v2/ctr/default-c1") && !cg.mem, "v2: the one folder");
	cgroup_release(&cg);
	ok(cgroup_at(&cg, FIX "/v1", "ctr/default-nope", &e) < 0, "v1: missing: -1");
	ok(strstr(e.msg, "memory/ctr/default-nope") && !cg.mem, "said, and nothing kept: %s",
	   e.msg);
	ok(cgroup_at(&cg, FIX "/v2", "ctr/default-nope", &e) < 0 && !cg.v2, "v2: missing: -1");
}

#define N CGROUP_NONE
/* clang-format off */
/* Each sample's numbers as cgroup_stats reads them, and whether it is frozen. */
static const struct {
	const char *root, *rel, *what;
	struct cgroup_stats want;
	bool frozen;
} samples[] = {
	{"v1", "ctr/default-c1", "v1 with limits (cpuacct.usage is in ns already)",
	 {1, 3440640, 6709248, 64 << 20, 0, 42306281, 2, 32}, false},
	{"v1", "ctr/default-c2", "v1 without limits (memory's left as it is), frozen, files missing",
	 {1, 5087232, N, 9223372036854771712ll, 2, N, 1, -1}, true},
	{"v2", "ctr/default-c1", "v2 with limits (oom_kill, not oom; usage_usec in ns)",
	 {2, 2162688, 4608000, 64 << 20, 1, 42306000, 2, 32}, false},
	{"v2", "ctr/default-c2", "v2 without limits (max: -1), frozen, no memory.peak",
	 {2, 5087232, N, -1, 0, 7000, 1, -1}, true},
};
/* clang-format on */

static bool
same(const struct cgroup_stats *a, const struct cgroup_stats *b)
{
	return a->version == b->version && a->mem_usage == b->mem_usage &&
	       a->mem_max_usage == b->mem_max_usage && a->mem_limit == b->mem_limit &&
	       a->oom_kills == b->oom_kills && a->cpu_ns == b->cpu_ns && a->pids == b->pids &&
	       a->pids_limit == b->pids_limit;
}

static void
test_cgroup_stats_samples(void)
{
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		_cleanup_free_ char *root = xasprintf(FIX "/%s", samples[i].root);
		struct cgroup cg = {0};
		struct cgroup_stats st;
		struct err e;

		cgroup_at(&cg, root, samples[i].rel, &e);
		cgroup_stats(&cg, &st);
		if (!ok(same(&st, &samples[i].want), "%s", samples[i].what))
			printf("#   got %d %lld %lld %lld %lld %lld %lld %lld\n", st.version,
			       st.mem_usage, st.mem_max_usage, st.mem_limit, st.oom_kills,
			       st.cpu_ns, st.pids, st.pids_limit);
		is_int(cgroup_oom_kills(&cg), st.oom_kills, "cgroup_oom_kills agrees");
		ok(cgroup_frozen(&cg) == samples[i].frozen, "frozen: %d", samples[i].frozen);
		cgroup_release(&cg);
	}
}

/* memory.stat: the working set (usage less inactive_file), rss and faults, per version. */
static void
test_cgroup_stats_memory_stat(void)
{
	static const struct {
		const char *root, *rel;
		long long inactive, rss, pgfault, pgmajfault, ws;
	} want[] = {
	    {"v1", "ctr/default-c1", 1208320, 1753088, 1523, 2, 3440640 - 1208320},
	    {"v1", "ctr/default-c2", N, N, N, N, N},
	    {"v2", "ctr/default-c1", 540672, 1081344, 2048, 3, 2162688 - 540672},
	    {"v2", "ctr/default-c2", 6000640, 0, 12, 0, 0},
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		_cleanup_free_ char *root = xasprintf(FIX "/%s", want[i].root);
		struct cgroup cg = {0};
		struct cgroup_stats st;
		struct err e;

		cgroup_at(&cg, root, want[i].rel, &e);
		cgroup_stats(&cg, &st);
		ok(st.mem_inactive_file == want[i].inactive && st.mem_rss == want[i].rss &&
		       st.pgfault == want[i].pgfault && st.pgmajfault == want[i].pgmajfault,
		   "%s %s: inactive_file %lld, rss %lld, faults %lld/%lld", want[i].root,
		   want[i].rel, st.mem_inactive_file, st.mem_rss, st.pgfault, st.pgmajfault);
		is_int(st.mem_working_set, want[i].ws, "%s %s: working set", want[i].root,
		       want[i].rel);
		cgroup_release(&cg);
	}
}

static void
test_cgroup_stats_none(void)
{
	struct cgroup cg = {0};
	struct cgroup_stats st;

	cgroup_stats(&cg, &st);
	ok(st.version == 1 && st.mem_usage == N && st.mem_limit == N && st.cpu_ns == N &&
	       st.pids == N && st.oom_kills == N,
	   "no cgroup at all: version 1, every number NONE");
	ok(!cgroup_frozen(&cg), "and not frozen");
}

static void
test_cgroup_read_ll_keys_and_max(void)
{
	char dir[] = "/tmp/test-cgroup-XXXXXX";
	int dfd = tap_tmpdir(dir);
	long long v = 0;

	tap_write_file(dfd, "memory.events", "low 0\nhigh 0\nmax 2\noom 1\noom_kill 3\n");
	tap_write_file(dfd, "memory.max", "max\n");
	tap_write_file(dfd, "memory.current", "123456\n");
	ok(cgroup_read_ll(dir, "memory.events", "oom_kill", &v) == 0 && v == 3,
	   "oom_kill read, not its prefix oom");
	ok(cgroup_read_ll(dir, "memory.events", "oom", &v) == 0 && v == 1, "oom read");
	ok(cgroup_read_ll(dir, "memory.events", "nope", &v) < 0, "missing key: -1");
	ok(cgroup_read_ll(dir, "memory.max", NULL, &v) == 0 && v == -1, "max reads as -1");
	ok(cgroup_read_ll(dir, "memory.current", NULL, &v) == 0 && v == 123456, "whole file");
	ok(cgroup_read_ll(dir, "absent", NULL, &v) < 0, "missing file: -1");
	ok(cgroup_read_ll(NULL, "memory.current", NULL, &v) < 0, "no cgroup: -1");
	unlinkat(dfd, "memory.events", 0);
	unlinkat(dfd, "memory.max", 0);
	unlinkat(dfd, "memory.current", 0);
	close(dfd);
	ok(rmdir(dir) == 0, "temporary directory removed");
}

/* mkdir -p of each path below dfd. */
static void
mkdirs(int dfd, const char *const *paths)
{
	for (; *paths; paths++) {
		_cleanup_free_ char *p = xstrdup(*paths);

		for (char *s = strchr(p, '/');; s = strchr(s + 1, '/')) {
			if (s)
				*s = '\0';
			mkdirat(dfd, p, 0755);
			if (!s)
				break;
			*s = '/';
		}
	}
}

static bool
exists(int dfd, const char *p)
{
	return faccessat(dfd, p, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

/* A hybrid host's layout: v1 folders, a co-mounted pair behind a link, the v2 tree. */
static void
test_cgroup_remove_v1_hybrid(void)
{
	char dir[] = "/tmp/test-cgroup-XXXXXX";
	int dfd = tap_tmpdir(dir);
	static const char *const tree[] = {"memory/ctr/default-x",
					   "pids/ctr/default-x",
					   "cpu,cpuacct/ctr/default-x",
					   "unified/ctr/default-x",
					   "freezer/ctr/default-y/sub",
					   "pids/ctr/default-y",
					   NULL};
	struct err e;

	mkdirs(dfd, tree);
	ok(symlinkat("cpu,cpuacct", dfd, "cpu") == 0, "cpu: a link to cpu,cpuacct");
	ok(cgroup_remove(dir, "ctr/default-x", &e) == 0, "removed: 0");
	ok(!exists(dfd, "memory/ctr/default-x") && !exists(dfd, "pids/ctr/default-x") &&
	       !exists(dfd, "cpu,cpuacct/ctr/default-x") && !exists(dfd, "unified/ctr/default-x"),
	   "gone from every hierarchy, the v2 tree too");
	ok(exists(dfd, "memory/ctr") && exists(dfd, "unified/ctr") && exists(dfd, "cpu"),
	   "its parents and the link stay");
	ok(cgroup_remove(dir, "ctr/default-x", &e) == 0, "gone already: 0");
	ok(cgroup_remove(dir, "ctr/default-y", &e) < 0, "a group not empty: -1");
	ok(strstr(e.msg, "freezer/ctr/default-y"), "named: %s", e.msg);
	ok(exists(dfd, "freezer/ctr/default-y/sub") && !exists(dfd, "pids/ctr/default-y"),
	   "it stays; the empty ones of the others went all the same");
	unlinkat(dfd, "freezer/ctr/default-y/sub", AT_REMOVEDIR);
	ok(cgroup_remove(dir, "ctr/default-y", &e) == 0, "emptied: removed");
	ok(!exists(dfd, "freezer/ctr/default-y"), "gone");
	close(dfd);
	ok(path_rm_rf(AT_FDCWD, dir, &e) == 0, "temporary directory removed");
}

/* A v2 host: one tree, its root a cgroup2 mount (cgroup.controllers). */
static void
test_cgroup_remove_v2(void)
{
	char dir[] = "/tmp/test-cgroup-XXXXXX";
	int dfd = tap_tmpdir(dir);
	static const char *const tree[] = {"kubepods/pod1/default-x",
					   "memory/kubepods/pod1/default-x", NULL};
	struct err e;

	mkdirs(dfd, tree);
	tap_write_file(dfd, "cgroup.controllers", "cpu memory pids\n");
	ok(cgroup_remove(dir, "kubepods/pod1/default-x", &e) == 0, "removed: 0");
	ok(!exists(dfd, "kubepods/pod1/default-x") && exists(dfd, "kubepods/pod1"),
	   "the group below its parent, the parent kept");
	ok(exists(dfd, "memory/kubepods/pod1/default-x"), "no v1 folder looked for in a v2 root");
	close(dfd);
	ok(path_rm_rf(AT_FDCWD, dir, &e) == 0, "temporary directory removed");
}

/* A path that is not a group below the root is refused before any rmdir. */
static void
test_cgroup_remove_refuses(void)
{
	static const char *const bad[] = {"",	     "/ctr/x", "..",	   "ctr/../x",
					  "ctr/./x", "ctr//x", "ctr/x/..", "ctr/x/"};
	char dir[] = "/tmp/test-cgroup-XXXXXX";
	int dfd = tap_tmpdir(dir);
	static const char *const tree[] = {"memory/ctr/x", "memory/x", NULL};
	struct err e;

	mkdirs(dfd, tree);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e.code = NULL;
		ok(cgroup_remove(dir, bad[i], &e) < 0 && e.code && !strcmp(e.code, "invalid"),
		   "'%s': refused", bad[i]);
	}
	ok(exists(dfd, "memory/ctr/x") && exists(dfd, "memory/x"), "nothing removed");
	ok(cgroup_remove("/nonexistent-cgroup-root", "ctr/x", &e) == 0, "no root: nothing to do");
	close(dfd);
	ok(path_rm_rf(AT_FDCWD, dir, &e) == 0, "temporary directory removed");
}

/* A group with processes of its own, one without, one missing; v1 and v2. */
static void
test_cgroup_busy(void)
{
	char dir[] = "/tmp/test-cgroup-XXXXXX", dir2[] = "/tmp/test-cgroup-XXXXXX";
	int dfd = tap_tmpdir(dir), dfd2 = tap_tmpdir(dir2);
	static const char *const tree[] = {"memory/ctr/default-x", "memory/ctr/default-y",
					   "pids/ctr/default-z", NULL};
	static const char *const tree2[] = {"ctr/default-x", "ctr/default-y", NULL};
	struct err e;

	mkdirs(dfd, tree);
	tap_write_file(dfd, "memory/ctr/default-x/cgroup.procs", "4242\n4243\n");
	tap_write_file(dfd, "memory/ctr/default-y/cgroup.procs", "");
	ok(cgroup_busy(dir, "ctr/default-x"), "v1: a group with pids is busy");
	ok(!cgroup_busy(dir, "ctr/default-y"), "v1: an empty one is not");
	ok(!cgroup_busy(dir, "ctr/default-z"), "v1: one without a memory folder is not");
	ok(!cgroup_busy(dir, "ctr/default-w") && !cgroup_busy(dir, "ctr/../ctr/default-x"),
	   "a missing group, a path not below the root: not");
	mkdirs(dfd2, tree2);
	tap_write_file(dfd2, "cgroup.controllers", "cpu memory pids\n");
	tap_write_file(dfd2, "ctr/default-x/cgroup.procs", "7\n");
	tap_write_file(dfd2, "ctr/default-y/cgroup.procs", "");
	ok(cgroup_busy(dir2, "ctr/default-x") && !cgroup_busy(dir2, "ctr/default-y"),
	   "v2: the same, in the one tree");
	close(dfd);
	close(dfd2);
	ok(path_rm_rf(AT_FDCWD, dir, &e) == 0 && path_rm_rf(AT_FDCWD, dir2, &e) == 0,
	   "temporary directories removed");
}

int
main(void)
{
	RUN(test_cgroup_parse_v1_hybrid);
	RUN(test_cgroup_parse_v2);
	RUN(test_cgroup_parse_comounted);
	RUN(test_cgroup_at);
	RUN(test_cgroup_stats_samples);
	RUN(test_cgroup_stats_memory_stat);
	RUN(test_cgroup_stats_none);
	RUN(test_cgroup_read_ll_keys_and_max);
	RUN(test_cgroup_remove_v1_hybrid);
	RUN(test_cgroup_remove_v2);
	RUN(test_cgroup_remove_refuses);
	RUN(test_cgroup_busy);
	return tap_done();
}
