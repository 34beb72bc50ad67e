/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the default seccomp profile: its architectures and the names kept for them. */
#include <seccomp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>

#include "seccomp.h"
#include "spec.h"
#include "tap.h"

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

static json_t *
names_of(const json_t *p)
{
	return json_object_get(json_array_get(json_object_get(p, "syscalls"), 0), "names");
}

/* The architectures as one string, "A B C", for comparing. */
static const char *
arches_str(const json_t *p)
{
	static char buf[256];
	size_t i, off = 0;
	json_t *v;

	buf[0] = '\0';
	json_array_foreach(json_object_get(p, "architectures"), i, v)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s", i ? " " : "",
					json_string_value(v));
	return buf;
}

static json_t *
profile(const char *image, const char *extra, struct err *e)
{
	char *ex[] = {(char *)extra};
	struct seccomp_arches a = {image, ex, extra ? 1 : 0};
	json_auto_t *caps = json_pack("[s]", "CAP_CHOWN");

	return seccomp_default(caps, &a, SECCOMP_KERNEL(6, 1), e);
}

static void
test_arch_names(void)
{
	struct err e;
	uint32_t t;

	ok(seccomp_arch_parse("x86", &t, &e) == 0 && t == SCMP_ARCH_X86, "x86");
	ok(seccomp_arch_parse("SCMP_ARCH_X86", &t, &e) == 0 && t == SCMP_ARCH_X86,
	   "SCMP_ARCH_X86, as OCI spells it");
	ok(seccomp_arch_parse("X32", &t, &e) == 0 && t == SCMP_ARCH_X32, "any case");
	ok(seccomp_arch_parse("aarch64", &t, &e) == 0 && t == SCMP_ARCH_AARCH64, "aarch64");
	ok(seccomp_arch_parse("i386", &t, &e) < 0, "i386 is not a libseccomp name");
	ok(strstr(e.msg, "i386") != NULL, "the message names it: %s", e.msg);
	ok(seccomp_arch_parse("SCMP_ARCH_", &t, &e) < 0, "empty after the prefix");
	ok(seccomp_arch_parse("x86_64_and_then_a_lot_more", &t, &e) < 0, "long name");
	ok(seccomp_arch_check("x86,x32", &e) == 0, "a list");
	ok(seccomp_arch_check("", &e) < 0, "empty list refused");
	ok(seccomp_arch_check("x86,", &e) < 0 && seccomp_arch_check("x86,,x32", &e) < 0,
	   "empty element refused");
	ok(seccomp_arch_check("x86,bogus", &e) < 0, "one bad name spoils the list");
}

static void
test_arches_x86_64(void)
{
	struct err e;
	json_auto_t *def = profile(NULL, NULL, &e), *amd = profile("amd64", NULL, &e);
	json_auto_t *i386 = profile("386", NULL, &e), *arm = profile("arm64", NULL, &e);
	json_auto_t *ex = profile(NULL, "x86,SCMP_ARCH_X32", &e);
	json_auto_t *both = profile("386", "X86", &e);

	is_str(arches_str(def), "SCMP_ARCH_X86_64", "no image architecture: native only");
	is_str(arches_str(amd), "SCMP_ARCH_X86_64", "amd64 image: native only, no x86, no x32");
	is_str(arches_str(i386), "SCMP_ARCH_X86_64 SCMP_ARCH_X86", "386 image: native + x86");
	is_str(arches_str(arm), "SCMP_ARCH_X86_64", "arm64 image (emulated): native only");
	is_str(arches_str(ex), "SCMP_ARCH_X86_64 SCMP_ARCH_X86 SCMP_ARCH_X32",
	       "seccomp-arch adds, in order");
	is_str(arches_str(both), "SCMP_ARCH_X86_64 SCMP_ARCH_X86", "no architecture twice");
	ok(!has_str(names_of(def), "mmap2") && !has_str(names_of(def), "socketcall"),
	   "x86-only names left out of an x86_64-only filter");
	ok(has_str(names_of(i386), "mmap2") && has_str(names_of(i386), "fcntl64") &&
	       has_str(names_of(i386), "socketcall") && has_str(names_of(i386), "chown32"),
	   "x86-only names kept when x86 is in");
	ok(has_str(names_of(i386), "epoll_ctl_old") && has_str(names_of(def), "arch_prctl"),
	   "x86_64-only names kept");
	ok(json_array_size(names_of(i386)) > json_array_size(names_of(def)), "x86 adds names");
}

static void
test_bad_extra(void)
{
	struct err e;
	json_t *p = profile(NULL, "x86,nope", &e);

	ok(p == NULL, "unknown architecture refused");
	ok(strstr(e.msg, "nope") != NULL, "message: %s", e.msg);
}

/* Strictly ascending means sorted and without duplicates. */
static bool
sorted_unique(const json_t *names, size_t from, size_t to)
{
	for (size_t i = from + 1; i < to; i++)
		if (strcmp(json_string_value(json_array_get(names, i - 1)),
			   json_string_value(json_array_get(names, i))) >= 0)
			return false;
	return true;
}

static void
test_names_unique(void)
{
	struct err e;
	struct seccomp_arches a = {"386", NULL, 0};
	json_auto_t *none = json_array();
	json_auto_t *all =
	    json_pack("[s,s,s,s,s,s,s,s,s,s,s,s,s,s]", "CAP_DAC_READ_SEARCH", "CAP_SYS_ADMIN",
		      "CAP_SYS_PTRACE", "CAP_SYS_BOOT", "CAP_SYS_CHROOT", "CAP_SYS_MODULE",
		      "CAP_SYS_PACCT", "CAP_SYS_RAWIO", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG",
		      "CAP_SYS_NICE", "CAP_SYSLOG", "CAP_BPF", "CAP_PERFMON");
	json_auto_t *p0 = seccomp_default(none, &a, SECCOMP_KERNEL(4, 7), &e);
	json_auto_t *p1 = seccomp_default(all, &a, SECCOMP_KERNEL(6, 1), &e);
	json_t *n0 = names_of(p0), *n1 = names_of(p1);
	json_auto_t *seen = json_object();
	size_t i, dups = 0;
	json_t *v;

	ok(sorted_unique(n0, 0, json_array_size(n0)), "base list sorted and unique");
	json_array_foreach(n1, i, v) {
		dups += json_object_get(seen, json_string_value(v)) != NULL;
		json_object_set(seen, json_string_value(v), json_true());
	}
	is_int(dups, 0,
	       "no name twice with every capability and a 4.8+ kernel (syslog, bpf, "
	       "perf_event_open, ptrace, process_vm_readv come from two)");
	ok(has_str(n1, "mount") && has_str(n1, "syslog") && has_str(n1, "bpf") &&
	       has_str(n1, "ptrace") && has_str(n1, "reboot"),
	   "capability calls added");
	ok(!has_str(n0, "mount") && !has_str(n0, "ptrace"), "not without the capabilities");
}

/* A profile for caps (NULL: none) on kernel, native architecture only. */
static json_t *
profile_on(const char *cap, unsigned kernel)
{
	struct err e;
	struct seccomp_arches a = {NULL, NULL, 0};
	json_auto_t *caps = cap ? json_pack("[s]", cap) : json_array();

	return seccomp_default(caps, &a, kernel, &e);
}

static void
test_kernel_parse(void)
{
	struct utsname u;

	is_int(seccomp_kernel_parse("4.8.0"), SECCOMP_KERNEL(4, 8), "4.8.0");
	is_int(seccomp_kernel_parse("4.19.0-25-amd64"), SECCOMP_KERNEL(4, 19), "Debian's release");
	is_int(seccomp_kernel_parse("6.18.44-fc-v1300"), SECCOMP_KERNEL(6, 18), "a vendor suffix");
	ok(seccomp_kernel_parse("3.10.0-1160.el7.x86_64") < SECCOMP_KERNEL(4, 8), "3.10 is older");
	ok(SECCOMP_KERNEL(4, 19) > SECCOMP_KERNEL(4, 8) &&
	       SECCOMP_KERNEL(5, 0) > SECCOMP_KERNEL(4, 99),
	   "minor compares as a number, under the major");
	is_int(seccomp_kernel_parse("5"), 0, "no minor");
	is_int(seccomp_kernel_parse("linux"), 0, "not a number");
	is_int(seccomp_kernel_parse(""), 0, "empty");
	is_int(seccomp_kernel_parse(NULL), 0, "NULL");
	is_int(seccomp_kernel_parse("4.99999"), 0, "minor out of range");
	ok(uname(&u) == 0 && seccomp_kernel() == seccomp_kernel_parse(u.release) &&
	       seccomp_kernel() != 0,
	   "this kernel: %s", u.release);
}

/* ptrace and process_vm_* from 4.8 on as containerd and moby allow them; the rest of
 * CAP_SYS_PTRACE's calls stay behind it. */
static void
test_kernel_gate(void)
{
	json_auto_t *old = profile_on(NULL, SECCOMP_KERNEL(4, 7));
	json_auto_t *k48 = profile_on(NULL, SECCOMP_KERNEL(4, 8));
	json_auto_t *unknown = profile_on(NULL, 0);
	json_auto_t *cap_old = profile_on("CAP_SYS_PTRACE", SECCOMP_KERNEL(3, 10));
	const char *gated[] = {"kcmp", "pidfd_getfd", "process_madvise"};

	ok(!has_str(names_of(old), "ptrace") && !has_str(names_of(old), "process_vm_readv") &&
	       !has_str(names_of(old), "process_vm_writev"),
	   "4.7: no ptrace, no process_vm_*");
	ok(has_str(names_of(k48), "ptrace") && has_str(names_of(k48), "process_vm_readv") &&
	       has_str(names_of(k48), "process_vm_writev"),
	   "4.8: ptrace and process_vm_* without CAP_SYS_PTRACE");
	ok(!has_str(names_of(unknown), "ptrace"), "an unknown kernel counts as old");
	for (size_t i = 0; i < sizeof(gated) / sizeof(gated[0]); i++) {
		ok(!has_str(names_of(k48), gated[i]), "%s: not on 4.8 alone", gated[i]);
		ok(has_str(names_of(cap_old), gated[i]), "%s: with CAP_SYS_PTRACE", gated[i]);
	}
	ok(has_str(names_of(cap_old), "ptrace") && has_str(names_of(cap_old), "process_vm_writev"),
	   "CAP_SYS_PTRACE grants ptrace on any kernel");
}

static bool
has_any(const json_t *arr, const char *const *names)
{
	for (; *names; names++)
		if (has_str(arr, *names))
			return true;
	return false;
}

static void
test_refused_and_gated(void)
{
	static const char *const io_uring[] = {"io_uring_setup", "io_uring_enter",
					       "io_uring_register", NULL};
	static const char *const admin[] = {
	    "CAP_SYS_ADMIN", "CAP_SYS_PTRACE", "CAP_DAC_READ_SEARCH",
	    "CAP_SYS_NICE",  "CAP_BPF",	       NULL};
	json_auto_t *none = profile_on(NULL, SECCOMP_KERNEL(6, 1));
	json_auto_t *drs = profile_on("CAP_DAC_READ_SEARCH", SECCOMP_KERNEL(6, 1));

	for (const char *const *c = admin; *c; c++) {
		json_auto_t *p = profile_on(*c, SECCOMP_KERNEL(6, 1));

		ok(!has_any(names_of(p), io_uring), "no io_uring_* with %s", *c);
	}
	ok(!has_any(names_of(none), io_uring), "no io_uring_* without capabilities");
	ok(!has_str(names_of(none), "open_by_handle_at"), "open_by_handle_at: not by default");
	ok(has_str(names_of(drs), "open_by_handle_at"), "open_by_handle_at: CAP_DAC_READ_SEARCH");
	ok(has_str(names_of(none), "name_to_handle_at"),
	   "name_to_handle_at: allowed, as containerd and moby do");
	ok(!has_str(names_of(none), "pidfd_getfd") && has_str(names_of(none), "pidfd_open"),
	   "pidfd_getfd behind CAP_SYS_PTRACE, pidfd_open not");
	ok(!has_str(names_of(none), "quotactl_fd") &&
	       !has_str(names_of(none), "set_mempolicy_home_node"),
	   "quotactl_fd, set_mempolicy_home_node: capability calls");
	ok(has_str(names_of(none), "fchmodat2") && has_str(names_of(none), "modify_ldt") &&
	       has_str(names_of(none), "cachestat"),
	   "newer calls the references allow");
	ok(!has_str(names_of(none), "socket") && has_str(names_of(none), "socketpair"),
	   "socket only through its rules");
}

/* Does a rule of p allow socket(family, ...)? Evaluates the one-comparison rules. */
static bool
socket_allowed(const json_t *p, json_int_t family)
{
	size_t i;
	json_t *r;

	json_array_foreach(json_object_get(p, "syscalls"), i, r) {
		json_t *args = json_object_get(r, "args"), *a = json_array_get(args, 0);
		const char *op = json_string_value(json_object_get(a, "op"));
		json_int_t v = json_integer_value(json_object_get(a, "value"));

		if (!has_str(json_object_get(r, "names"), "socket"))
			continue;
		if (json_array_size(args) != 1 || json_integer_value(json_object_get(a, "index")) ||
		    strcmp(json_string_value(json_object_get(r, "action")), "SCMP_ACT_ALLOW"))
			return false; /* a shape this evaluator does not know */
		if ((!strcmp(op, "SCMP_CMP_LT") && family < v) ||
		    (!strcmp(op, "SCMP_CMP_EQ") && family == v) ||
		    (!strcmp(op, "SCMP_CMP_GT") && family > v))
			return true;
	}
	return false;
}

static void
test_socket_families(void)
{
	json_auto_t *p = profile_on(NULL, SECCOMP_KERNEL(6, 1));
	json_auto_t *admin = profile_on("CAP_SYS_ADMIN", SECCOMP_KERNEL(6, 1));

	ok(socket_allowed(p, AF_UNIX) && socket_allowed(p, AF_INET) &&
	       socket_allowed(p, AF_INET6) && socket_allowed(p, AF_NETLINK) &&
	       socket_allowed(p, AF_PACKET),
	   "the usual families");
	ok(socket_allowed(p, AF_ALG - 1) && socket_allowed(p, AF_ALG + 1) &&
	       socket_allowed(p, AF_VSOCK + 1) && socket_allowed(p, 45),
	   "the neighbours of the two refused");
	ok(!socket_allowed(p, AF_ALG), "AF_ALG refused");
	ok(!socket_allowed(p, AF_VSOCK), "AF_VSOCK refused");
	ok(!socket_allowed(admin, AF_VSOCK), "AF_VSOCK refused with CAP_SYS_ADMIN too");
}

static void
test_personas(void)
{
	json_auto_t *p = profile_on(NULL, SECCOMP_KERNEL(6, 1));
	json_int_t want[] = {0, 0x8, 0x20000, 0x20008, 0xffffffff};
	size_t i, found = 0;
	json_t *r;

	json_array_foreach(json_object_get(p, "syscalls"), i, r) {
		json_t *a = json_array_get(json_object_get(r, "args"), 0);

		if (!has_str(json_object_get(r, "names"), "personality"))
			continue;
		for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++)
			found +=
			    json_integer_value(json_object_get(a, "value")) == want[k] &&
			    !strcmp(json_string_value(json_object_get(a, "op")), "SCMP_CMP_EQ");
	}
	is_int(found, 5, "personality: Linux, Linux32, their UNAME26 forms, the query");
	ok(!has_str(names_of(p), "personality"), "personality never unconditionally");
}

/* The image's architecture and seccomp-arch reach the profile through spec_build. */
static void
test_spec_build(void)
{
	struct spec_opts o;
	struct spec_user u = {0, 0, NULL, 0};
	struct err e;
	char *extra[] = {"x32"};

	spec_opts_init(&o);
	o.id = "c1", o.ns = "default", o.arch = "386";
	o.seccomp_arch = extra, o.nseccomp_arch = 1;
	char *args[] = {"true", NULL};
	o.args = args;
	json_auto_t *s1 = spec_build(NULL, &o, &u, &e);
	json_t *sc = json_object_get(json_object_get(s1, "linux"), "seccomp");
	if (seccomp_arch_native() == SCMP_ARCH_X86_64)
		is_str(arches_str(sc), "SCMP_ARCH_X86_64 SCMP_ARCH_X86 SCMP_ARCH_X32",
		       "386 image with seccomp-arch=x32");
	else
		ok(json_array_size(json_object_get(sc, "architectures")) >= 2, "native + x32");
	o.seccomp_json = json_pack("{s:s}", "defaultAction", "SCMP_ACT_ALLOW");
	json_auto_t *s2 = spec_build(NULL, &o, &u, &e);
	ok(s2 == NULL && strstr(e.msg, "seccomp-arch"), "seccomp-arch with a profile file: %s",
	   e.msg);
	o.seccomp = "unconfined";
	json_decref(o.seccomp_json), o.seccomp_json = NULL;
	json_auto_t *s3 = spec_build(NULL, &o, &u, &e);
	ok(s3 && !json_object_get(json_object_get(s3, "linux"), "seccomp"),
	   "unconfined: no filter, seccomp-arch moot");
}

int
main(void)
{
	RUN(test_arch_names);
	RUN(test_bad_extra);
	RUN(test_names_unique);
	RUN(test_kernel_parse);
	RUN(test_kernel_gate);
	RUN(test_refused_and_gated);
	RUN(test_socket_families);
	RUN(test_personas);
	RUN(test_spec_build);
	if (seccomp_arch_native() == SCMP_ARCH_X86_64)
		RUN(test_arches_x86_64);
	else
		printf("# skip test_arches_x86_64: not an x86_64 host\n");
	return tap_done();
}
