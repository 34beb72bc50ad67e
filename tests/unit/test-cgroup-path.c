/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for a container's cgroupsPath under a named parent: paths, slices, refusals, and the folders found there. */
#include "tap.h"

#include "cgroup-path.h"
#include "cgroup.h"
#include "cleanup.h"
#include "xmem.h"

#define POD "pod0f3c9a52-5c4e-4c52-8f3e-7d1f1f7e2b10"
/* the kubelet's systemd driver writes the pod UID's '-' as '_': '-' opens a level */
#define POD_ "pod0f3c9a52_5c4e_4c52_8f3e_7d1f1f7e2b10"

/* clang-format off */
/* A parent, and its path and form; want NULL: refused, with that text in the line. */
static const struct {
	const char *in, *want, *why;
	bool slice;
} parents[] = {
	{"/kubepods/burstable/" POD, "/kubepods/burstable/" POD, NULL, false},
	{"/kubepods/", "/kubepods", NULL, false},
	{"/", "", NULL, false},
	{"/a_b.c@d+e=f-1", "/a_b.c@d+e=f-1", NULL, false},
	{"kubepods-burstable-" POD_ ".slice",
	 "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-" POD_ ".slice", NULL, true},
	{"a-b-c.slice", "/a.slice/a-b.slice/a-b-c.slice", NULL, true},
	{"kubepods.slice", "/kubepods.slice", NULL, true},
	{"-.slice", "", NULL, true},
	{"", NULL, "empty", false},
	{"kubepods/burstable", NULL, "neither an absolute path", false},
	{"./kubepods", NULL, "neither an absolute path", false},
	{"/kubepods/../etc", NULL, "'..'", false},
	{"/kubepods/..", NULL, "'..'", false},
	{"/kubepods/./x", NULL, "'..'", false},
	{"/kubepods//x", NULL, "empty component", false},
	{"/kube pods", NULL, "is outside", false},
	{"/kubepods\t/x", NULL, "byte 9 (0x09)", false},
	{"/kube:pods", NULL, "slice:prefix:name", false},
	{"/kubepods/\x01/x", NULL, "byte 10 (0x01)", false},
	{"system.slice:ctr:web", NULL, "slice:prefix:name", false},
	{"kubepods--burstable.slice", NULL, "not a slice name", false},
	{"-kubepods.slice", NULL, "not a slice name", false},
	{"kubepods-.slice", NULL, "not a slice name", false},
	{"a/b.slice", NULL, "neither", false},
	{".slice", NULL, "neither", false},
	{"kube pods.slice", NULL, "is outside", false},
	{"..slice", NULL, "'..'", false},
};
/* clang-format on */

static void
test_cgroup_parent_parse_table(void)
{
	for (size_t i = 0; i < sizeof(parents) / sizeof(*parents); i++) {
		struct cgroup_parent p;
		struct err e = {0};
		int r = cgroup_parent_parse(parents[i].in, &p, &e);

		if (parents[i].want) {
			ok(r == 0 && p.slice == parents[i].slice, "'%s' taken (%s)", parents[i].in,
			   parents[i].slice ? "a slice" : "a path");
			is_str(p.path, parents[i].want, "'%s': its path", parents[i].in);
		} else {
			ok(r < 0 && !p.path && !strcmp(e.code, "invalid") &&
			       strstr(e.msg, parents[i].why) && !strchr(e.msg, '\n'),
			   "'%s' refused: %s", parents[i].in, e.msg);
		}
		cgroup_parent_release(&p);
	}
}

static void
test_cgroup_parent_parse_long(void)
{
	_cleanup_free_ char *s = xmalloc(CGROUP_PATH_MAX + 2);
	struct cgroup_parent p;
	struct err e;

	memset(s, 'a', CGROUP_PATH_MAX + 1);
	s[0] = '/';
	s[CGROUP_PATH_MAX + 1] = '\0';
	ok(cgroup_parent_parse(s, &p, &e) < 0 && strstr(e.msg, "longer"), "too long: %s", e.msg);
	s[CGROUP_PATH_MAX] = '\0';
	ok(cgroup_parent_parse(s, &p, &e) == 0, "the longest taken");
	cgroup_parent_release(&p);
}

static void
test_cgroup_path_container(void)
{
	struct cgroup_parent p;
	struct err e;
	char *s;

	s = cgroup_path_container(NULL, "default", "c1");
	is_str(s, "/ctr/default-c1", "no parent: ctr's own");
	free(s);
	cgroup_parent_parse("/kubepods/burstable/" POD "/", &p, &e);
	s = cgroup_path_container(&p, "k8s.io", "abc");
	is_str(s, "/kubepods/burstable/" POD "/k8s.io-abc", "a path: NS-ID below it");
	free(s);
	cgroup_parent_release(&p);
	cgroup_parent_parse("kubepods-besteffort.slice", &p, &e);
	s = cgroup_path_container(&p, "k8s.io", "abc");
	is_str(s, "/kubepods.slice/kubepods-besteffort.slice/ctr-k8s.io-abc.scope",
	       "a slice: a scope below its expanded path");
	free(s);
	cgroup_parent_release(&p);
	cgroup_parent_parse("/", &p, &e);
	s = cgroup_path_container(&p, "default", "c1");
	is_str(s, "/default-c1", "the root: one level");
	free(s);
	cgroup_parent_release(&p);
}

static void
test_cgroup_path_within(void)
{
	ok(cgroup_path_within("/user.slice/u/app.slice", "/user.slice/u/app.slice"), "itself");
	ok(cgroup_path_within("/user.slice/u/app.slice/x", "/user.slice/u/app.slice/"), "below");
	ok(!cgroup_path_within("/user.slice/u/app.slicex", "/user.slice/u/app.slice"),
	   "a sibling sharing its prefix is not below");
	ok(!cgroup_path_within("/kubepods", "/user.slice"), "elsewhere");
	ok(cgroup_path_within("/anything", "/"), "everything is below the root");
}

/* The folders of a container under a pod parent, as /proc/PID/cgroup names them (v1 and v2). */
static void
test_cgroup_path_parse_under_parent(void)
{
	struct cgroup_parent p;
	struct cgroup cg = {0};
	struct err e;
	_cleanup_free_ char *path = NULL, *v1 = NULL, *v2 = NULL;

	cgroup_parent_parse("/kubepods/burstable/" POD, &p, &e);
	path = cgroup_path_container(&p, "k8s.io", "abc");
	v1 = xasprintf("9:name=systemd:/\n8:pids:%s\n6:freezer:%s\n4:memory:%s\n"
		       "2:cpuacct:%s\n0::/\n",
		       path, path, path, path);
	cgroup_parse(&cg, "tests/fixtures/cgroup/v1", v1);
	is_str(cg.mem, "tests/fixtures/cgroup/v1/memory/kubepods/burstable/" POD "/k8s.io-abc",
	       "v1: memory under the pod");
	is_str(cg.pids, "tests/fixtures/cgroup/v1/pids/kubepods/burstable/" POD "/k8s.io-abc",
	       "v1: pids under the pod");
	ok(!cg.v2, "v1 hybrid: no v2 folder kept");
	cgroup_release(&cg);
	v2 = xasprintf("0::%s\n", path);
	cgroup_parse(&cg, "tests/fixtures/cgroup/v2", v2);
	is_str(cg.v2, "tests/fixtures/cgroup/v2/kubepods/burstable/" POD "/k8s.io-abc",
	       "v2: the one folder under the pod");
	cgroup_release(&cg);
	cgroup_parent_release(&p);
}

int
main(void)
{
	RUN(test_cgroup_parent_parse_table);
	RUN(test_cgroup_parent_parse_long);
	RUN(test_cgroup_path_container);
	RUN(test_cgroup_path_within);
	RUN(test_cgroup_path_parse_under_parent);
	return tap_done();
}
