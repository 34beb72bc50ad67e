#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# ctr-run's default seccomp profile with real runc and the busybox image:
# which architectures it lists, --security-opt seccomp-arch=, and what a
# syscall through an architecture the filter lacks gets (SIGSYS).

bats_require_minimum_version 1.5.0
load ../lib/helpers
load ../lib/registry
load ../lib/containers

setup_file() { busybox_registry_start; }
teardown_file() { busybox_registry_stop; }
setup() { containers_setup; }
teardown() { containers_teardown; }

# The "architecture" of the image config the snapshot document points at.
image_arch() {
	local d
	d=$(jq -r .config.digest "$SNAP")
	jq -r .architecture "$CTR_ROOT/content/blobs/sha256/${d#sha256:}"
}

require_x86_64() {
	[ "$(uname -m)" = x86_64 ] || skip "the architecture lists checked here are x86_64's"
}

# create ID [OPTIONS...]: a created container; prints its linux.seccomp.
seccomp_of() {
	local id
	id=$(cid "$1")
	shift
	ctr-run create --name "$id" "$@" "$IMG" -- true >/dev/null
	jq -c .linux.seccomp "$CTR_ROOT/containers/default/$id/bundle/config.json"
}

@test "seccomp: an amd64 image gets a filter for x86_64 alone" {
	require_x86_64
	local sc
	[ "$(image_arch)" = amd64 ]
	sc=$(seccomp_of plain)
	[ "$(jq -c .architectures <<<"$sc")" = '["SCMP_ARCH_X86_64"]' ]
	jq -e '.syscalls[0].names | index("read") and index("execve") and index("arch_prctl")' <<<"$sc"
	# x86-only names have no place in an x86_64-only filter
	jq -e '.syscalls[0].names | (index("mmap2") or index("fcntl64") or index("socketcall")) | not' <<<"$sc"
	# each name once
	[ "$(jq '.syscalls[0].names | length' <<<"$sc")" = "$(jq '.syscalls[0].names | unique | length' <<<"$sc")" ]
}

@test "seccomp: --security-opt seccomp-arch=x86 adds x86 and its own calls" {
	require_x86_64
	local sc
	sc=$(seccomp_of withx86 --security-opt seccomp-arch=x86)
	[ "$(jq -c .architectures <<<"$sc")" = '["SCMP_ARCH_X86_64","SCMP_ARCH_X86"]' ]
	jq -e '.syscalls[0].names | index("mmap2") and index("fcntl64") and index("socketcall") and index("read")' <<<"$sc"
	sc=$(seccomp_of three --security-opt seccomp-arch=SCMP_ARCH_X86,x32 --security-opt seccomp-arch=X86)
	[ "$(jq -c .architectures <<<"$sc")" = '["SCMP_ARCH_X86_64","SCMP_ARCH_X86","SCMP_ARCH_X32"]' ]
}

@test "seccomp: an unknown architecture is one line, exit 125 (run) or 100 (create), nothing made" {
	cid bad >/dev/null
	for opt in seccomp-arch=i386 seccomp-arch= "seccomp-arch=x86," seccomp-arch=x86,bogus; do
		run --separate-stderr ctr-run run --rm --name bad --security-opt "$opt" "$IMG" -- true
		echo "$opt -> $status: $stderr"
		assert_status 125
		[ "$(wc -l <<<"$stderr")" = 1 ]
		[[ "$stderr" == "ctr-run: fatal: "*seccomp* ]]
		[ -z "$(ls "$CTR_ROOT/containers/default" 2>/dev/null)" ]
		[ -z "$(ls "$CTR_STATE/default" 2>/dev/null | grep -v "^events.jsonl")" ]
	done
	run --separate-stderr ctr-run create --name bad --security-opt seccomp-arch=i386 "$IMG" -- true
	assert_status 100
	[ "$stderr" = "ctr-run: fatal: --security-opt: unknown seccomp architecture 'i386'" ]
	[ ! -e "$CTR_ROOT/containers/default/bad" ]
	# with a profile file the option has nothing to add to: refused, and undone
	echo '{"defaultAction":"SCMP_ACT_ALLOW"}' >"$BATS_TEST_TMPDIR/allow.json"
	run --separate-stderr ctr-run run --rm --name bad --security-opt seccomp-arch=x86 \
		--security-opt "seccomp=$BATS_TEST_TMPDIR/allow.json" "$IMG" -- true
	assert_status 125
	[[ "$stderr" == *"seccomp-arch applies to the default profile only"* ]]
	[ -z "$(ls "$CTR_ROOT/containers/default" 2>/dev/null)" ]
}

@test "seccomp: a container runs, and a call outside the list still fails" {
	run --separate-stderr ctr-run run --rm "$IMG" -- /bin/true
	assert_status 0
	# root in the container with the default capabilities; unshare is not on
	# the list without CAP_SYS_ADMIN, so the filter is what refuses it
	run --separate-stderr ctr-run run --rm "$IMG" -- unshare -U true
	echo "default: $status: $stderr"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"Operation not permitted"* ]]
	run --separate-stderr ctr-run run --rm --security-opt seccomp-arch=x86 "$IMG" -- unshare -U true
	[ "$status" -ne 0 ]
	run --separate-stderr ctr-run run --rm --security-opt seccomp=unconfined "$IMG" -- unshare -U true
	echo "unconfined: $status: $stderr"
	assert_status 0
}

# A static x86_64 program that makes one ia32 system call (getpid, number 20)
# through int $0x80, as a 32-bit binary would.
build_ia32() {
	mkdir -p "$BATS_TEST_TMPDIR/ia32"
	cat >"$BATS_TEST_TMPDIR/ia32.c" <<'C'
#include <unistd.h>
int main(void)
{
	long r;

	__asm__ volatile("int $0x80" : "=a"(r) : "a"(20L) : "memory", "r8", "r9", "r10", "r11");
	if (r <= 0)
		return 2;
	return write(1, "ia32 ok\n", 8) == 8 ? 0 : 3;
}
C
	gcc -static -O2 -o "$BATS_TEST_TMPDIR/ia32/ia32" "$BATS_TEST_TMPDIR/ia32.c"
}

@test "seccomp: an ia32 syscall is killed (SIGSYS) by default, allowed with seccomp-arch=x86" {
	require_x86_64
	require_cmd gcc
	build_ia32
	run "$BATS_TEST_TMPDIR/ia32/ia32"
	[ "$status" = 0 ] || skip "this kernel runs no ia32 syscalls (status $status)"
	local bind="type=bind,src=$BATS_TEST_TMPDIR/ia32,dst=/t,options=ro"
	run --separate-stderr ctr-run run --rm --mount "$bind" "$IMG" -- /t/ia32
	echo "default: $status: $output"
	assert_status 159
	[ -z "$output" ]
	run --separate-stderr ctr-run run --rm --mount "$bind" --security-opt seccomp-arch=x86 \
		"$IMG" -- /t/ia32
	echo "x86: $status: $output $stderr"
	assert_status 0
	[ "$output" = "ia32 ok" ]
}

# The calls tests/fixtures/seccomp-probe.c makes, in the order it answers.
PROBE_CALLS=(io_uring_setup ptrace_traceme process_vm_readv kcmp pidfd_getfd
	name_to_handle_at open_by_handle_at socket_inet socket_alg socket_vsock)

build_probe() {
	require_cmd gcc
	mkdir -p "$BATS_TEST_TMPDIR/probe"
	gcc -static -O2 -o "$BATS_TEST_TMPDIR/probe/probe" \
		"$BATS_TEST_DIRNAME/../fixtures/seccomp-probe.c"
}

# probe [OPTIONS...]: run the probe in a container made with OPTIONS; its
# answers ("CALL 0" or "CALL ERRNO", one a line) in $output.
probe() {
	run --separate-stderr ctr-run run --rm \
		--mount "type=bind,src=$BATS_TEST_TMPDIR/probe,dst=/probe,options=ro" \
		"$@" "$IMG" -- /probe/probe "${PROBE_CALLS[@]}"
	printf '%s: status %s\n%s\n%s\n' "$*" "$status" "$output" "$stderr"
	assert_status 0
}

# answer CALL: what the last probe said of CALL.
answer() {
	awk -v c="$1" '$1 == c { print $2 }' <<<"$output"
}

# The kernel release as MAJOR*1000+MINOR.
kernel_number() {
	local r
	r=$(uname -r)
	r=${r%%-*}
	echo $((${r%%.*} * 1000 + $(cut -d. -f2 <<<"$r")))
}

@test "seccomp: the probe's calls, refused or allowed as the default profile says" {
	build_probe
	# unconfined first: what the kernel itself answers, so that an EPERM
	# below is the filter's and not the kernel's
	probe --security-opt seccomp=unconfined
	[ "$(answer io_uring_setup)" = 0 ] || skip "this kernel refuses io_uring itself: $(answer io_uring_setup)"
	for c in kcmp pidfd_getfd socket_vsock; do
		[ "$(answer "$c")" != EPERM ] || skip "the kernel refuses $c without a filter"
	done
	[ "$(answer socket_alg)" != EPERM ]
	probe
	[ "$(answer io_uring_setup)" = EPERM ]
	if [ "$(kernel_number)" -ge 4008 ]; then
		[ "$(answer ptrace_traceme)" = 0 ]
		[ "$(answer process_vm_readv)" = 0 ]
	else
		[ "$(answer ptrace_traceme)" = EPERM ]
	fi
	[ "$(answer kcmp)" = EPERM ]
	[ "$(answer pidfd_getfd)" = EPERM ]
	[ "$(answer name_to_handle_at)" = 0 ]
	[ "$(answer open_by_handle_at)" = EPERM ]
	[ "$(answer socket_inet)" = 0 ]
	[ "$(answer socket_alg)" = EPERM ]
	[ "$(answer socket_vsock)" = EPERM ]
	[ "$(wc -l <<<"$output")" = "${#PROBE_CALLS[@]}" ]
}

@test "seccomp: CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH open their calls; no capability opens io_uring" {
	build_probe
	probe --cap-add SYS_PTRACE --cap-add DAC_READ_SEARCH
	[ "$(answer kcmp)" = 0 ]
	[ "$(answer pidfd_getfd)" = 0 ]
	[ "$(answer ptrace_traceme)" = 0 ]
	[ "$(answer open_by_handle_at)" = 0 ]
	[ "$(answer io_uring_setup)" = EPERM ]
	# not ALL: the host's own bounding set may lack some (a sandbox's lacks
	# SYS_RESOURCE), and runc then refuses to start
	probe --cap-add SYS_ADMIN --cap-add SYS_PTRACE --cap-add DAC_READ_SEARCH --cap-add BPF \
		--cap-add PERFMON --cap-add SYS_NICE
	[ "$(answer io_uring_setup)" = EPERM ]
	[ "$(answer socket_vsock)" = EPERM ]
	[ "$(answer open_by_handle_at)" = 0 ]
}

# The kernel refuses open_by_handle_at without CAP_DAC_READ_SEARCH with EPERM
# too; the default profile made without the capability, given to a process
# that has it, shows the filter's own refusal.
@test "seccomp: open_by_handle_at is refused by the filter made without CAP_DAC_READ_SEARCH" {
	build_probe
	local id
	id=$(cid noread)
	ctr-run create --name "$id" "$IMG" -- true >/dev/null
	jq .linux.seccomp "$CTR_ROOT/containers/default/$id/bundle/config.json" >"$BATS_TEST_TMPDIR/plain.json"
	jq -e '[.syscalls[].names[]] | index("open_by_handle_at") | not' "$BATS_TEST_TMPDIR/plain.json"
	probe --cap-add DAC_READ_SEARCH --security-opt "seccomp=$BATS_TEST_TMPDIR/plain.json"
	[ "$(answer open_by_handle_at)" = EPERM ]
	[ "$(answer name_to_handle_at)" = 0 ]
	ctr-run delete "$id"
}

@test "seccomp: maskedPaths has powercap and /proc/interrupts; masked in the container" {
	local id cfg
	id=$(cid masks)
	ctr-run create --name "$id" "$IMG" -- true >/dev/null
	cfg=$CTR_ROOT/containers/default/$id/bundle/config.json
	jq -e '.linux.maskedPaths | index("/sys/devices/virtual/powercap")' "$cfg"
	jq -e '.linux.maskedPaths | index("/proc/interrupts")' "$cfg"
	jq -e '.linux.maskedPaths | index("/sys/firmware") and index("/proc/kcore")' "$cfg"
	[ "$(jq -c .linux.readonlyPaths "$cfg")" = '["/proc/bus","/proc/fs","/proc/irq","/proc/sys","/proc/sysrq-trigger"]' ]
	ctr-run delete "$id"
	# /proc/interrupts is the host's, namespace or not: the mask is what
	# empties it (proc files have no size: read a byte)
	[ -n "$(head -c1 /proc/interrupts 2>/dev/null)" ] || skip "no /proc/interrupts on this host"
	run --separate-stderr ctr-run run --rm "$IMG" -- cat /proc/interrupts
	assert_status 0
	[ -z "$output" ]
	run --separate-stderr ctr-run run --rm "$IMG" -- head -c1 /proc/stat
	assert_status 0
	[ "$output" = c ]
}
