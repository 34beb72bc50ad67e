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
		[ -z "$(ls "$CTR_STATE/default" 2>/dev/null)" ]
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
