#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# ctr-run --stdio pipe and attach: the shim holds the container's stdio as
# pipes and lends them to one client at a time; output written while nobody
# is attached waits in the pipe. Real runc, overlayfs, registry.

bats_require_minimum_version 1.5.0
load ../lib/helpers
load ../lib/registry
load ../lib/containers

setup_file() { busybox_registry_start; }
teardown_file() { busybox_registry_stop; }
setup() { containers_setup; }
teardown() { containers_teardown; }

# Start `ctr-run attach ARGS...` in the background, output to FILE; sets APID.
attach_bg() { # FILE ARGS...
	local out=$1
	shift
	ctr-run attach "$@" >"$out" 2>&1 &
	APID=$!
	track_pid "$APID"
}

# Detach the client APID the way a user would: SIGTERM; it exits 0.
detach() {
	kill -TERM "$APID"
	wait "$APID"
}

@test "attach: detach and attach again; lines printed meanwhile are not lost" {
	local id n
	id=$(cid counter)
	ctr-run run -d --stdio pipe --name "$id" "$IMG" -- \
		sh -c 'i=0; while [ $i -lt 1000 ]; do i=$((i+1)); echo $i; sleep 0.1; done' >/dev/null
	attach_bg "$BATS_TEST_TMPDIR/a1" --no-stdin "$id"
	wait_for_file_text "$BATS_TEST_TMPDIR/a1" '^5$'
	detach
	sleep 1 # about ten lines wait in the pipe, read by nobody
	attach_bg "$BATS_TEST_TMPDIR/a2" --no-stdin "$id"
	sleep 0.5
	detach
	cat "$BATS_TEST_TMPDIR/a1" "$BATS_TEST_TMPDIR/a2" >"$BATS_TEST_TMPDIR/all"
	n=$(wc -l <"$BATS_TEST_TMPDIR/all")
	# 1..n in order: no line lost at either detach or while detached, none twice
	[ "$(cat "$BATS_TEST_TMPDIR/all")" = "$(seq 1 "$n")" ]
	# the second client got what was printed during the second of detachment at once
	[ "$(wc -l <"$BATS_TEST_TMPDIR/a2")" -ge 10 ]
	ctr-run delete -f "$id"
}

@test "attach: stdin reaches cat; a second attach is refused while one is active" {
	local id
	id=$(cid cat)
	ctr-run run -d --stdio pipe --name "$id" "$IMG" -- cat >/dev/null
	mkfifo "$BATS_TEST_TMPDIR/in"
	ctr-run attach "$id" <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out" 2>&1 &
	APID=$!
	track_pid "$APID"
	exec 5>"$BATS_TEST_TMPDIR/in"
	echo "hello through the pipe" >&5
	wait_for_file_text "$BATS_TEST_TMPDIR/out" "hello through the pipe"
	run --separate-stderr ctr-run attach --no-stdin "$id"
	[ "$status" -ne 0 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == *"another client is attached"* ]]
	exec 5>&-
	detach
	# the first one gone, the pipes are free again, and cat is still there
	attach_bg "$BATS_TEST_TMPDIR/out2" "$id"
	sleep 0.3
	run ctr-run state "$id"
	[ "$(jq -r .status <<<"$output")" = running ]
	detach
	ctr-run delete -f "$id"
}

@test "attach: the container's output and exit status when it ends" {
	local id
	id=$(cid ends)
	ctr-run run -d --stdio pipe --name "$id" "$IMG" -- \
		sh -c 'sleep 1; echo bye; echo oops >&2; exit 3' >/dev/null
	run --separate-stderr ctr-run attach --no-stdin "$id"
	assert_status 3
	[ "$output" = bye ]
	[ "$stderr" = oops ]
	ctr-run delete "$id"
}

@test "attach: refused for a container whose stdio is inherited; bad --stdio" {
	local id
	id=$(cid plain)
	ctr-run run -d --name "$id" "$IMG" -- sleep 1000 >/dev/null
	run --separate-stderr ctr-run attach "$id"
	[ "$status" -ne 0 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == *"not held by the shim"* ]]
	run --separate-stderr ctr-run run --stdio pipe "$IMG" -- true
	assert_status 125
	[ "${#stderr_lines[@]}" -eq 1 ]
	run --separate-stderr ctr-run run -d --stdio bogus "$IMG" -- true
	assert_status 125
	run --separate-stderr ctr-run attach no-such-container
	[ "$status" -ne 0 ]
	[ -z "$(ls "$CTR_STATE/default" | grep -vx "$id")" ]
	ctr-run delete -f "$id"
}

@test "attach: with --stdio pipe the init holds only fds 0, 1, 2, all pipes" {
	local id
	id=$(cid fds)
	ctr-run run -d --stdio pipe --name "$id" "$IMG" -- sleep 1000 >/dev/null
	run --separate-stderr ctr-run exec "$id" -- ls /proc/1/fd
	assert_status 0
	[ "$(echo $output)" = "0 1 2" ] || { echo "fds: $output"; false; }
	run --separate-stderr ctr-run exec "$id" -- \
		sh -c 'for f in 0 1 2; do readlink /proc/1/fd/$f; done'
	assert_status 0
	[ "$(grep -c '^pipe:' <<<"$output")" = 3 ] || { echo "links: $output"; false; }
	ctr-run delete -f "$id"
}

@test "attach: create --stdio pipe, attach before start, then start" {
	local id
	id=$(cid created)
	ctr-run create --stdio pipe --name "$id" "$IMG" -- sh -c 'echo started; exit 4' >/dev/null
	attach_bg "$BATS_TEST_TMPDIR/out" --no-stdin "$id"
	sleep 0.3
	[ ! -s "$BATS_TEST_TMPDIR/out" ]
	ctr-run start "$id"
	wait_for_file_text "$BATS_TEST_TMPDIR/out" started
	local rc=0
	wait "$APID" || rc=$?
	[ "$rc" = 4 ] || { echo "attach exited $rc: $(cat "$BATS_TEST_TMPDIR/out")"; false; }
	ctr-run delete "$id"
}
