/* SPDX-License-Identifier: Apache-2.0 */
/* The default seccomp allowlist, its names checked with libseccomp (arches: seccomp-arch.c). */
#include "seccomp.h"

#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>

#include "jsonio.h"

/*
 * Calls any unprivileged process may make: containerd's and moby's default
 * list. Kept in one sorted list; names no architecture of the filter has
 * (e.g. "open" on arm64, "mmap2" on x86_64 alone, "set_tls" off arm) and
 * names this libseccomp does not know are dropped at build time.
 * Left out on purpose: keyctl, add_key, request_key (keys are not
 * namespaced), kexec_*, *_module, bpf, perf_event_open, userfaultfd,
 * io_uring_* (its operations never pass the filter, and it has been a steady
 * source of kernel bugs; containerd and moby refuse it too),
 * mount/umount2/unshare/setns (CAP_SYS_ADMIN, below), open_by_handle_at
 * (CAP_DAC_READ_SEARCH), ptrace (below), clock_settime (CAP_SYS_TIME),
 * socket (below), and clone3 which fails with ENOSYS so libcs fall back to
 * clone, whose flags can be checked.
 */
/* clang-format off */
static const char *const base_calls[] = {
	"_llseek", "_newselect", "accept", "accept4", "access", "adjtimex", "alarm",
	"arch_prctl", "arm_fadvise64_64", "arm_sync_file_range", "bind", "breakpoint", "brk",
	"cacheflush", "cachestat", "capget", "capset", "chdir", "chmod", "chown", "chown32",
	"clock_adjtime", "clock_adjtime64", "clock_getres", "clock_getres_time64",
	"clock_gettime", "clock_gettime64", "clock_nanosleep", "clock_nanosleep_time64",
	"close", "close_range", "connect", "copy_file_range", "creat", "dup", "dup2", "dup3",
	"epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait",
	"epoll_pwait2", "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2", "execve",
	"execveat", "exit", "exit_group", "faccessat", "faccessat2", "fadvise64",
	"fadvise64_64", "fallocate", "fanotify_mark", "fchdir", "fchmod", "fchmodat",
	"fchmodat2", "fchown", "fchown32", "fchownat", "fcntl", "fcntl64", "fdatasync",
	"fgetxattr", "flistxattr", "flock", "fork", "fremovexattr", "fsetxattr", "fstat",
	"fstat64", "fstatat64", "fstatfs", "fstatfs64", "fsync", "ftruncate", "ftruncate64",
	"futex", "futex_requeue", "futex_time64", "futex_wait", "futex_waitv", "futex_wake",
	"futimesat", "get_robust_list", "get_thread_area", "getcpu", "getcwd", "getdents",
	"getdents64", "getegid", "getegid32", "geteuid", "geteuid32", "getgid", "getgid32",
	"getgroups", "getgroups32", "getitimer", "getpeername", "getpgid", "getpgrp", "getpid",
	"getppid", "getpriority", "getrandom", "getresgid", "getresgid32", "getresuid",
	"getresuid32", "getrlimit", "getrusage", "getsid", "getsockname", "getsockopt",
	"gettid", "gettimeofday", "getuid", "getuid32", "getxattr", "getxattrat",
	"inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch", "io_cancel",
	"io_destroy", "io_getevents", "io_pgetevents", "io_pgetevents_time64", "io_setup",
	"io_submit", "ioctl", "ioprio_get", "ioprio_set", "ipc", "kill", "landlock_add_rule",
	"landlock_create_ruleset", "landlock_restrict_self", "lchown", "lchown32", "lgetxattr",
	"link", "linkat", "listen", "listmount", "listxattr", "listxattrat", "llistxattr",
	"lremovexattr", "lseek", "lsetxattr", "lstat", "lstat64", "madvise", "map_shadow_stack",
	"membarrier", "memfd_create", "memfd_secret", "mincore", "mkdir", "mkdirat", "mknod",
	"mknodat", "mlock", "mlock2", "mlockall", "mmap", "mmap2", "modify_ldt", "mprotect",
	"mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive", "mq_timedreceive_time64",
	"mq_timedsend", "mq_timedsend_time64", "mq_unlink", "mremap", "mseal", "msgctl",
	"msgget", "msgrcv", "msgsnd", "msync", "munlock", "munlockall", "munmap",
	"name_to_handle_at", "nanosleep", "newfstatat", "open", "openat", "openat2", "pause",
	"pidfd_open", "pidfd_send_signal", "pipe", "pipe2", "pkey_alloc", "pkey_free",
	"pkey_mprotect", "poll", "ppoll", "ppoll_time64", "prctl", "pread64", "preadv",
	"preadv2", "prlimit64", "process_mrelease", "pselect6", "pselect6_time64", "pwrite64",
	"pwritev", "pwritev2", "read", "readahead", "readlink", "readlinkat", "readv", "recv",
	"recvfrom", "recvmmsg", "recvmmsg_time64", "recvmsg", "remap_file_pages", "removexattr",
	"removexattrat", "rename", "renameat", "renameat2", "restart_syscall",
	"riscv_flush_icache", "riscv_hwprobe", "rmdir", "rseq", "rt_sigaction", "rt_sigpending",
	"rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait",
	"rt_sigtimedwait_time64", "rt_tgsigqueueinfo", "s390_pci_mmio_read",
	"s390_pci_mmio_write", "s390_runtime_instr", "sched_get_priority_max",
	"sched_get_priority_min", "sched_getaffinity", "sched_getattr", "sched_getparam",
	"sched_getscheduler", "sched_rr_get_interval", "sched_rr_get_interval_time64",
	"sched_setaffinity", "sched_setattr", "sched_setparam", "sched_setscheduler",
	"sched_yield", "seccomp", "select", "semctl", "semget", "semop", "semtimedop",
	"semtimedop_time64", "send", "sendfile", "sendfile64", "sendmmsg", "sendmsg", "sendto",
	"set_robust_list", "set_thread_area", "set_tid_address", "set_tls", "setfsgid",
	"setfsgid32", "setfsuid", "setfsuid32", "setgid", "setgid32", "setgroups",
	"setgroups32", "setitimer", "setpgid", "setpriority", "setregid", "setregid32",
	"setresgid", "setresgid32", "setresuid", "setresuid32", "setreuid", "setreuid32",
	"setrlimit", "setsid", "setsockopt", "setuid", "setuid32", "setxattr", "setxattrat",
	"shmat", "shmctl", "shmdt", "shmget", "shutdown", "sigaltstack", "signalfd",
	"signalfd4", "sigprocmask", "sigreturn", "socketcall", "socketpair", "splice", "stat",
	"stat64", "statfs", "statfs64", "statmount", "statx", "swapcontext", "symlink",
	"symlinkat", "sync", "sync_file_range", "sync_file_range2", "syncfs", "sysinfo", "tee",
	"tgkill", "time", "timer_create", "timer_delete", "timer_getoverrun", "timer_gettime",
	"timer_gettime64", "timer_settime", "timer_settime64", "timerfd_create",
	"timerfd_gettime", "timerfd_gettime64", "timerfd_settime", "timerfd_settime64", "times",
	"tkill", "truncate", "truncate64", "ugetrlimit", "umask", "uname", "unlink", "unlinkat",
	"uretprobe", "utime", "utimensat", "utimensat_time64", "utimes", "vfork", "vmsplice",
	"wait4", "waitid", "waitpid", "write", "writev", NULL,
};
/* clang-format on */

/*
 * Extra calls a capability unlocks, as containerd and moby grant them, or
 * (cap NULL) that any process may make from a kernel release on.
 */
static const struct {
	const char *cap;
	unsigned kernel;
	const char *calls[16];
} cap_calls[] = {
    /*
     * Before 4.8 the kernel ran the filter before a tracer could change a
     * traced process's system call, so ptrace was a way around seccomp; the
     * process_vm_* calls need the same access a ptrace attach does.
     */
    {NULL, SECCOMP_KERNEL(4, 8), {"process_vm_readv", "process_vm_writev", "ptrace", NULL}},
    {"CAP_DAC_READ_SEARCH", 0, {"open_by_handle_at", NULL}},
    {"CAP_SYS_ADMIN",
     0,
     {"bpf", "clone", "clone3", "fanotify_init", "fsconfig", "fsmount", "fsopen", "fspick",
      "lookup_dcookie", "mount", "mount_setattr", "move_mount", "open_tree", "perf_event_open",
      "quotactl", NULL}},
    {"CAP_SYS_ADMIN",
     0,
     {"lsm_get_self_attr", "lsm_list_modules", "lsm_set_self_attr", "quotactl_fd", "setdomainname",
      "sethostname", "setns", "syslog", "umount", "umount2", "unshare", NULL}},
    {"CAP_SYS_PTRACE",
     0,
     {"kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv", "process_vm_writev", "ptrace",
      NULL}},
    {"CAP_SYS_BOOT", 0, {"reboot", NULL}},
    {"CAP_SYS_CHROOT", 0, {"chroot", NULL}},
    {"CAP_SYS_MODULE", 0, {"delete_module", "init_module", "finit_module", NULL}},
    {"CAP_SYS_PACCT", 0, {"acct", NULL}},
    {"CAP_SYS_RAWIO", 0, {"iopl", "ioperm", NULL}},
    {"CAP_SYS_TIME", 0, {"settimeofday", "stime", "clock_settime", "clock_settime64", NULL}},
    {"CAP_SYS_TTY_CONFIG", 0, {"vhangup", NULL}},
    {"CAP_SYS_NICE",
     0,
     {"get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node", NULL}},
    {"CAP_SYSLOG", 0, {"syslog", NULL}},
    {"CAP_BPF", 0, {"bpf", NULL}},
    {"CAP_PERFMON", 0, {"perf_event_open", NULL}},
};

unsigned
seccomp_kernel_parse(const char *release)
{
	unsigned major, minor;

	if (!release || sscanf(release, "%u.%u", &major, &minor) != 2 || major > 0xffff ||
	    minor > 0xffff)
		return 0;
	return SECCOMP_KERNEL(major, minor);
}

unsigned
seccomp_kernel(void)
{
	struct utsname u;

	return uname(&u) < 0 ? 0 : seccomp_kernel_parse(u.release);
}

int
seccomp_known(const char *name)
{
	return seccomp_syscall_resolve_name(name) >= 0;
}

/*
 * Does any architecture of the filter have the call? A real number on one
 * of them, not one of libseccomp's negative stand-ins for a call the
 * architecture lacks ("mmap2" on x86_64): x86-only names stay when x86 is in.
 */
static bool
known_on(const uint32_t *set, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (seccomp_syscall_resolve_name_arch(set[i], name) >= 0)
			return true;
	return false;
}

static bool
has_cap(const json_t *caps, const char *cap)
{
	size_t i;
	json_t *v;

	json_array_foreach(caps, i, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), cap))
			return true;
	return false;
}

/* Does entry i of cap_calls apply to a process with caps on a kernel of release kernel? */
static bool
granted(const json_t *caps, unsigned kernel, size_t i)
{
	if (cap_calls[i].cap)
		return has_cap(caps, cap_calls[i].cap);
	return kernel >= cap_calls[i].kernel;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

#define NBASE (sizeof(base_calls) / sizeof(base_calls[0]) - 1)
#define NCAPS (sizeof(cap_calls) / sizeof(cap_calls[0]))

/*
 * base_calls is sorted and unique (the unit test checks), so only what the
 * capabilities and the kernel add needs a duplicate check: a binary search in base_calls
 * and a scan of the few names added so far, instead of a scan of the whole
 * array for each of ~350 names.
 */
static json_t *
allowed_names(const json_t *caps, unsigned kernel, const uint32_t *set, size_t n)
{
	json_t *names = json_array();
	const char *added[NCAPS * 16];
	size_t nadded = 0;

	for (size_t i = 0; i < NBASE; i++)
		if (known_on(set, n, base_calls[i]))
			json_array_append_new(names, json_string(base_calls[i]));
	for (size_t i = 0; i < NCAPS; i++) {
		if (!granted(caps, kernel, i))
			continue;
		for (const char *const *c = cap_calls[i].calls; *c; c++) {
			bool dup = bsearch(c, base_calls, NBASE, sizeof(*base_calls), name_cmp);

			for (size_t k = 0; !dup && k < nadded; k++)
				dup = !strcmp(added[k], *c);
			if (!dup && known_on(set, n, *c))
				json_array_append_new(names, json_string(added[nadded++] = *c));
		}
	}
	return names;
}

/*
 * clone without CAP_SYS_ADMIN: allowed only when no namespace flag is set
 * (CLONE_NEWNS|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET|NEWCGROUP = 0x7E020000).
 * On s390 the flags are the second argument; elsewhere the first.
 */
static json_t *
clone_rule(void)
{
	unsigned idx = seccomp_arch_native() == SCMP_ARCH_S390X ? 1 : 0;

	return json_pack("{s:[s], s:s, s:[{s:I, s:I, s:I, s:s}]}", "names", "clone", "action",
			 "SCMP_ACT_ALLOW", "args", "index", (json_int_t)idx, "value",
			 (json_int_t)0x7E020000, "valueTwo", (json_int_t)0, "op",
			 "SCMP_CMP_MASKED_EQ");
}

/* A rule allowing name when its first argument compares to value by op. */
static json_t *
arg0_rule(const char *name, const char *op, json_int_t value)
{
	return json_pack("{s:[s], s:s, s:[{s:i, s:I, s:s}]}", "names", name, "action",
			 "SCMP_ACT_ALLOW", "args", "index", 0, "value", value, "op", op);
}

/*
 * socket for every address family but AF_ALG (the kernel's crypto API) and
 * AF_VSOCK (the channel to the hypervisor), as containerd and moby allow it.
 * Three rules of one comparison each, never one rule with two: runc splits
 * comparisons of the same argument into rules of their own, either of which
 * would allow. Through socketcall (32-bit x86) the family is out of reach.
 */
static void
socket_rules(json_t *syscalls)
{
	_Static_assert(AF_VSOCK == AF_ALG + 2, "one family between AF_ALG and AF_VSOCK");
	json_array_append_new(syscalls, arg0_rule("socket", "SCMP_CMP_LT", AF_ALG));
	json_array_append_new(syscalls, arg0_rule("socket", "SCMP_CMP_EQ", AF_ALG + 1));
	json_array_append_new(syscalls, arg0_rule("socket", "SCMP_CMP_GT", AF_VSOCK));
}

/*
 * personality: only the harmless personas (PER_LINUX, PER_LINUX32, their
 * UNAME26 forms) and the query 0xffffffff.
 */
static const json_int_t personas[] = {0, 0x8, 0x20000, 0x20008, 0xffffffff};

json_t *
seccomp_default(const json_t *caps, const struct seccomp_arches *a, unsigned kernel, struct err *e)
{
	uint32_t set[SECCOMP_ARCH_MAX];
	size_t n;
	json_t *syscalls;

	if (seccomp_arch_set(a, set, &n, e) < 0)
		return NULL;
	syscalls = json_pack("[{s:o, s:s}]", "names", allowed_names(caps, kernel, set, n), "action",
			     "SCMP_ACT_ALLOW");
	socket_rules(syscalls);
	for (size_t i = 0; i < sizeof(personas) / sizeof(personas[0]); i++)
		json_array_append_new(syscalls,
				      arg0_rule("personality", "SCMP_CMP_EQ", personas[i]));
	if (!has_cap(caps, "CAP_SYS_ADMIN")) {
		json_array_append_new(syscalls, clone_rule());
		json_array_append_new(syscalls,
				      json_pack("{s:[s], s:s, s:i}", "names", "clone3", "action",
						"SCMP_ACT_ERRNO", "errnoRet", 38 /* ENOSYS */));
	}
	/* SCMP_ACT_ERRNO without errnoRet is EPERM in runc and crun */
	return json_pack("{s:s, s:o, s:o}", "defaultAction", "SCMP_ACT_ERRNO", "architectures",
			 seccomp_arch_json(set, n), "syscalls", syscalls);
}

int
seccomp_check(const json_t *p, struct err *e)
{
	const char *act = jsonio_str(p, "defaultAction");
	const json_t *sc = json_object_get(p, "syscalls");
	size_t i;
	json_t *r;

	if (!json_is_object(p) || !act || strncmp(act, "SCMP_ACT_", 9))
		return err_code(
		    e, "invalid",
		    "seccomp profile: want an OCI linux.seccomp object with defaultAction");
	if (sc && !json_is_array(sc))
		return err_code(e, "invalid", "seccomp profile: syscalls is not an array");
	json_array_foreach(sc, i, r) {
		if (!json_is_array(json_object_get(r, "names")) || !jsonio_str(r, "action"))
			return err_code(e, "invalid",
					"seccomp profile: syscalls[%zu] needs names and action", i);
	}
	return 0;
}
