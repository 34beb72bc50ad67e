/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of ctr-run's OCI spec builder and default seccomp profile. */
#include <string.h>

#include <signal.h>
#include <sys/prctl.h>

#include "imagein.h"
#include "runtime.h"
#include "seccomp.h"
#include "sig.h"
#include "spec.h"
#include "tap.h"

static json_t *
imgcfg(void)
{
	return json_pack("{s:[s], s:[s,s], s:[s,s], s:s, s:{s:s}, s:s}", "Entrypoint", "/bin/ep",
			 "Cmd", "a", "b", "Env", "PATH=/bin", "FOO=img", "WorkingDir", "/work",
			 "Labels", "org.x", "1", "StopSignal", "SIGQUIT");
}

static bool
has_str(const json_t *arr, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v)
		if (!strcmp(json_string_value(v), s))
			return true;
	return false;
}

static void
test_spec_args_env(void)
{
	json_auto_t *cfg = imgcfg(), *args = NULL, *env = NULL;
	struct spec_opts o;
	char *over[] = {"echo", "hi", NULL}, *envs[] = {"FOO=cli", "BAR=1", "NOEQ"};
	struct err e;

	spec_opts_init(&o);
	ok(spec_process_args(cfg, &o, &args, &e) == 0 && json_array_size(args) == 3,
	   "entrypoint + cmd");
	json_decref(args);
	o.args = over;
	ok(spec_process_args(cfg, &o, &args, &e) == 0 && json_array_size(args) == 3,
	   "cmd replaced");
	is_str(json_string_value(json_array_get(args, 0)), "/bin/ep", "entrypoint kept");
	is_str(json_string_value(json_array_get(args, 2)), "hi", "override last");
	o.args = NULL;
	o.env = envs;
	o.nenv = 2;
	env = spec_process_env(cfg, &o, &e);
	ok(env && json_array_size(env) == 3, "env merged: PATH, FOO, BAR");
	ok(has_str(env, "FOO=cli") && !has_str(env, "FOO=img"), "-e overrides the image");
	ok(has_str(env, "PATH=/bin"), "image PATH kept");
	o.nenv = 3;
	ok(spec_process_env(cfg, &o, &e) == NULL, "env without '=' refused: %s", e.msg);
	o.env = NULL;
	o.nenv = 0;
	json_auto_t *empty = json_object();
	ok(spec_process_args(empty, &o, &args, &e) < 0, "no command at all refused");
	json_auto_t *env2 = spec_process_env(empty, &o, &e);
	ok(env2 && strncmp(json_string_value(json_array_get(env2, 0)), "PATH=", 5) == 0,
	   "PATH defaulted");
}

static void
test_spec_checks(void)
{
	struct err e;
	struct spec_mount m;
	int64_t v;

	ok(spec_check_cwd("/a/b", &e) == 0, "absolute cwd ok");
	ok(spec_check_cwd("a/b", &e) < 0, "relative cwd refused");
	ok(spec_check_cwd("/a/../../etc", &e) < 0, "escaping cwd refused");
	ok(spec_check_cwd("/a/..b", &e) == 0, "'..b' is a name");
	ok(spec_parse_bytes("512m", &v, &e) == 0 && v == 512ll << 20, "512m");
	ok(spec_parse_bytes("1g", &v, &e) == 0 && v == 1ll << 30, "1g");
	ok(spec_parse_bytes("-1", &v, &e) < 0 && spec_parse_bytes("1x", &v, &e) < 0,
	   "bad sizes refused");
	ok(spec_parse_cpus("1.5", &v, &e) == 0 && v == 150000, "1.5 cpus");
	ok(spec_parse_cpus("0", &v, &e) < 0 && spec_parse_cpus("abc", &v, &e) < 0, "bad cpus");
	ok(spec_parse_mount("type=bind,src=/h,dst=/c,options=ro:rbind", &m, &e) == 0 &&
	       !strcmp(m.src, "/h") && !strcmp(m.dst, "/c") && !strcmp(m.options, "ro:rbind"),
	   "bind mount parsed");
	spec_mount_release(&m);
	ok(spec_parse_mount("type=tmpfs,dst=/c,tmpfs-size=64m,ro", &m, &e) == 0 && m.tmpfs &&
	       !m.src && !strcmp(m.options, "size=64m:ro"),
	   "tmpfs parsed, docker's tmpfs-size and a bare ro as options");
	spec_mount_release(&m);
	ok(spec_parse_mount("type=tmpfs,src=/h,dst=/c", &m, &e) < 0, "a tmpfs has no source");
	ok(spec_parse_mount("type=volume,dst=/c", &m, &e) < 0, "other types refused");
	ok(spec_parse_mount("type=bind,src=/h,dst=/c,bogus", &m, &e) < 0, "unknown word refused");
	ok(spec_parse_mount("type=bind,src=rel,dst=/c", &m, &e) < 0, "relative source refused");
	ok(spec_parse_mount("type=bind,src=/h,dst=/../x", &m, &e) < 0, "escaping dest refused");
}

static json_t *
find_ns(const json_t *spec, const char *type)
{
	size_t i;
	json_t *v, *ns = json_object_get(json_object_get(spec, "linux"), "namespaces");

	json_array_foreach(ns, i, v)
		if (!strcmp(json_string_value(json_object_get(v, "type")), type))
			return v;
	return NULL;
}

static void
test_spec_build_defaults(void)
{
	json_auto_t *cfg = imgcfg();
	struct spec_opts o;
	struct spec_user u = {1000, 1000, NULL, 0};
	struct err e;

	spec_opts_init(&o);
	o.id = "c1";
	o.ns = "default";
	json_auto_t *s = spec_build(cfg, &o, &u, &e);
	ok(s != NULL, "spec built");
	json_t *proc = json_object_get(s, "process"), *lnx = json_object_get(s, "linux");
	is_str(json_string_value(json_object_get(s, "hostname")), "c1", "hostname is the id");
	is_str(json_string_value(json_object_get(proc, "cwd")), "/work", "WorkingDir used");
	is_int(json_integer_value(json_object_get(json_object_get(proc, "user"), "uid")), 1000,
	       "uid set");
	ok(json_is_true(json_object_get(proc, "noNewPrivileges")), "noNewPrivileges");
	json_t *caps = json_object_get(json_object_get(proc, "capabilities"), "bounding");
	is_int(json_array_size(caps), 14, "the 14 default capabilities");
	ok(!has_str(caps, "CAP_SYS_ADMIN"), "no SYS_ADMIN");
	ok(find_ns(s, "pid") && find_ns(s, "network") && find_ns(s, "mount"), "namespaces");
	is_str(json_string_value(json_object_get(lnx, "cgroupsPath")), "/ctr/default-c1",
	       "cgroup under ctr");
	is_int(json_array_size(json_object_get(lnx, "maskedPaths")), 12, "masked paths");
	ok(has_str(json_object_get(lnx, "maskedPaths"), "/sys/devices/virtual/powercap") &&
	       has_str(json_object_get(lnx, "maskedPaths"), "/proc/interrupts"),
	   "powercap and /proc/interrupts masked");
	is_int(json_array_size(json_object_get(lnx, "readonlyPaths")), 5, "read-only paths");
	ok(json_object_get(lnx, "seccomp") != NULL, "default seccomp");
	is_str(json_string_value(json_object_get(json_object_get(s, "annotations"), "org.x")), "1",
	       "labels become annotations");
	is_int(json_array_size(json_object_get(s, "mounts")), 8, "default mounts");
}

static void
test_spec_build_options(void)
{
	json_auto_t *cfg = imgcfg();
	struct spec_opts o;
	struct spec_user u = {0, 0, NULL, 0};
	char *add[] = {"net_admin"}, *drop[] = {"ALL"}, *bad[] = {"CAP_FLY"};
	struct err e;

	spec_opts_init(&o);
	o.id = "c2";
	o.ns = "ns";
	o.net = "host";
	o.seccomp = "unconfined";
	o.cap_add = add;
	o.ncap_add = 1;
	o.cap_drop = drop;
	o.ncap_drop = 1;
	o.memory = 1 << 20;
	o.pids_limit = 10;
	o.read_only = true;
	json_auto_t *s = spec_build(cfg, &o, &u, &e);
	ok(s != NULL, "spec built");
	json_t *caps = json_object_get(
	    json_object_get(json_object_get(s, "process"), "capabilities"), "bounding");
	ok(json_array_size(caps) == 1 && has_str(caps, "CAP_NET_ADMIN"), "drop ALL, add one");
	ok(!find_ns(s, "network"), "--net host: no netns");
	ok(!json_object_get(json_object_get(s, "linux"), "seccomp"), "unconfined");
	ok(json_is_true(json_object_get(json_object_get(s, "root"), "readonly")), "read-only root");
	json_t *res = json_object_get(json_object_get(s, "linux"), "resources");
	is_int(json_integer_value(json_object_get(json_object_get(res, "memory"), "limit")),
	       1 << 20, "memory limit");
	is_int(json_integer_value(json_object_get(json_object_get(res, "pids"), "limit")), 10,
	       "pids limit");
	o.cap_add = bad;
	ok(spec_build(cfg, &o, &u, &e) == NULL, "unknown capability refused: %s", e.msg);
	o.cap_add = NULL;
	o.ncap_add = 0;
	o.cap_drop = NULL;
	o.ncap_drop = 0;
	o.privileged = true;
	json_auto_t *p = spec_build(cfg, &o, &u, &e);
	caps = json_object_get(json_object_get(json_object_get(p, "process"), "capabilities"),
			       "bounding");
	/* all 41 that ctr-run knows, less those our bounding set lacks (a sandbox's) */
	size_t held = 0;
	for (unsigned long i = 0; i <= 40; i++)
		held += prctl(PR_CAPBSET_READ, i, 0, 0, 0) == 1;
	ok(has_str(caps, "CAP_SYS_ADMIN") == (prctl(PR_CAPBSET_READ, 21ul, 0, 0, 0) == 1) &&
	       json_array_size(caps) == held,
	   "privileged: all caps of our bounding set (%zu of 41)", held);
	o.cwd = "relative";
	ok(spec_build(cfg, &o, &u, &e) == NULL, "relative cwd refused");
}

static void
test_seccomp_default(void)
{
	json_auto_t *caps = json_pack("[s]", "CAP_CHOWN");
	struct err e;
	struct seccomp_arches native = {0};
	json_auto_t *p = seccomp_default(caps, &native, SECCOMP_KERNEL(6, 1), &e);
	json_t *names = json_object_get(json_array_get(json_object_get(p, "syscalls"), 0), "names");

	ok(seccomp_known("read") && !seccomp_known("no_such_call"), "libseccomp resolves names");
	ok(has_str(names, "read") && has_str(names, "execve"), "basic calls allowed");
	ok(!has_str(names, "mount") && !has_str(names, "kexec_load"), "mount, kexec denied");
	for (size_t i = 0; i < json_array_size(names); i++)
		if (!seccomp_known(json_string_value(json_array_get(names, i))))
			ok(0, "unknown name %s", json_string_value(json_array_get(names, i)));
	is_str(json_string_value(json_object_get(p, "defaultAction")), "SCMP_ACT_ERRNO",
	       "deny by default");
	json_auto_t *admin = json_pack("[s]", "CAP_SYS_ADMIN");
	json_auto_t *pa = seccomp_default(admin, &native, SECCOMP_KERNEL(6, 1), &e);
	ok(has_str(json_object_get(json_array_get(json_object_get(pa, "syscalls"), 0), "names"),
		   "mount"),
	   "SYS_ADMIN allows mount");
	json_auto_t *bad = json_pack("{s:s}", "syscalls", "x");
	ok(seccomp_check(bad, &e) < 0, "a profile without defaultAction refused");
	ok(seccomp_check(p, &e) == 0, "our own profile passes the check");
}

static void
test_runtime_version(void)
{
	ok(!runtime_version_fixed("runc version 1.1.5\ncommit: v1.1.5\n"),
	   "plain 1.1.5 lacks the fix");
	ok(runtime_version_fixed("runc version 1.1.5+ds1\ncommit: 1.1.5+ds1-1+deb12u1\n"),
	   "Debian's backport carries it");
	ok(runtime_version_fixed("runc version 1.1.12\n"), "1.1.12 has it");
	ok(runtime_version_fixed("runc version 1.2.0\n"), "1.2.0 has it");
	ok(!runtime_version_fixed("runc version 1.0.3\n"), "1.0.3 lacks it");
	ok(runtime_version_fixed("crun version 1.8\n"), "not runc: no warning");
}

static void
test_misc_sig(void)
{
	is_int(sig_parse("9"), SIGKILL, "9");
	is_int(sig_parse("SIGTERM"), SIGTERM, "SIGTERM");
	is_int(sig_parse("hup"), SIGHUP, "hup");
	is_int(sig_parse("RTMIN+1"), SIGRTMIN + 1, "RTMIN+1");
	ok(sig_parse("NOPE") < 0 && sig_parse("0") < 0 && sig_parse("999") < 0, "bad signals");
}

int
main(void)
{
	RUN(test_runtime_version);
	RUN(test_misc_sig);
	RUN(test_spec_args_env);
	RUN(test_spec_checks);
	RUN(test_spec_build_defaults);
	RUN(test_spec_build_options);
	RUN(test_seccomp_default);
	return tap_done();
}
