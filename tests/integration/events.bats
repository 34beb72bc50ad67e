#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# ctr-run events: the namespace's event log, written by ctr-run (create,
# kill, pause, resume, delete) and the shims (start, exec, oom, exit),
# followed from before any container exists, replayed with --since.

bats_require_minimum_version 1.5.0
load ../lib/helpers
load ../lib/registry
load ../lib/containers

setup_file() { busybox_registry_start; }
teardown_file() { busybox_registry_stop; }
setup() { containers_setup; }
teardown() { containers_teardown; }

# follow FILE [ARGS...]: ctr-run events ARGS in the background into FILE,
# its pid tracked for the teardown.
follow() {
	local out=$1
	shift
	ctr-run events "$@" >"$out" 2>&1 &
	track_pid $!
	echo $!
}

# events_of ID FILE: the event names of ID in FILE, one line
events_of() {
	jq -r --arg id "$1" 'select(.id == $id) | .event' "$2" | xargs
}

@test "events: a follower started before any container sees its whole life" {
	local out=$BATS_TEST_TMPDIR/ev pid id
	[ -z "$(ctr-run ls --json | jq '.[]')" ]
	pid=$(follow "$out")
	id=$(cid life)
	sleep 0.2 # the follower is at the log's end before the container starts
	run ctr-run run --rm --name "$id" "$IMG" -- sh -c 'exit 3'
	assert_status 3
	wait_for_file_text "$out" '"event":"delete"'
	[ "$(events_of "$id" "$out")" = "create start exit delete" ]
	[ "$(jq -r --arg id "$id" 'select(.id == $id and .event == "exit") | .exit.status' "$out")" = 3 ]
	[ "$(jq -r --arg id "$id" 'select(.id == $id and .event == "create") | .image' "$out")" = "$IMG" ]
	# every event has its time, RFC 3339 in UTC
	[ -z "$(jq -r 'select((.time | test("^20[0-9-]+T[0-9:.]+Z$")) | not)' "$out")" ]
	kill -0 "$pid" # still following
}

@test "events: pause, resume, kill and exec are there; ID filters; --since replays" {
	local out=$BATS_TEST_TMPDIR/ev a b
	a=$(cid evpause) b=$(cid evother)
	ctr-run run -d --name "$a" "$IMG" -- sleep 100 >/dev/null
	ctr-run run -d --name "$b" "$IMG" -- sleep 100 >/dev/null
	ctr-run pause "$a"
	ctr-run resume "$a"
	ctr-run exec "$a" -- true
	ctr-run kill -s KILL "$a"
	ctr-run wait "$a" >/dev/null || true
	ctr-run delete "$a"
	run --separate-stderr ctr-run events --since 0 --until 0s "$a"
	assert_status 0
	echo "$output" >"$out"
	[ "$(events_of "$a" "$out")" = "create start pause resume exec-start exec-exit kill exit delete" ]
	[ -z "$(events_of "$b" "$out")" ]
	[ "$(jq -r 'select(.event == "kill") | .signal' "$out")" = 9 ]
	[ "$(jq -r 'select(.event == "exec-exit") | .exec_id | length > 0' "$out")" = true ]
	# a later --since leaves the earlier ones out
	run --separate-stderr ctr-run events --since "$(jq -r 'select(.event == "kill") | .time' "$out")" --until 0s
	[ "$(events_of "$a" <(echo "$output"))" = "kill exit delete" ]
	ctr-run delete -f "$b"
}

@test "events: bad times are one line, exit 100" {
	run --separate-stderr ctr-run events --since yesterday
	assert_status 100
	[ "$(echo "$stderr" | wc -l)" = 1 ]
	[[ $stderr == *"--since 'yesterday': not an RFC 3339 time"* ]]
	run --separate-stderr ctr-run events --until 5x
	assert_status 100
	run --separate-stderr ctr-run events ../x
	assert_status 100
}
