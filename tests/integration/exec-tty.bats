#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# ctr-run exec -t: a terminal for an exec process, held by the shim, with
# real runc and the busybox image from a real registry.

# shellcheck disable=SC2016,SC2154 # $ in single quotes is the container's; bats sets $stderr
bats_require_minimum_version 1.5.0
load ../lib/helpers
load ../lib/registry
load ../lib/containers

setup_file() { busybox_registry_start; }
teardown_file() { busybox_registry_stop; }

# One running container per test, ID, with its state dir SD; its shim is
# tracked from the start.
setup() {
	containers_setup script
	CTL="$(helpers_python) $REPO_ROOT/tests/lib/shimctl.py"
	ID=$(cid xt)
	ctr-run run -d --name "$ID" "$IMG" -- sleep 1000 >/dev/null
	SD=$CTR_STATE/default/$ID
	track_pid "$(jq .pid "$SD/shim.json")"
}

teardown() { containers_teardown; }

# No console socket is left in the state dir; then delete -f leaves nothing.
assert_clean_after_delete() {
	run ls "$SD"
	[[ "$output" != *console* ]] || { echo "left: $output"; false; }
	ctr-run delete -f "$ID"
	assert_clean "$ID"
}

@test "exec -t -i: a terminal on stdin and stdout, and the exit status" {
	run script -qec "ctr-run exec -t -i $ID -- sh -c 'tty; test -t 0 && echo is-a-tty; exit 7'" /dev/null
	assert_status 7
	assert_output_contains "/dev/pts/"
	assert_output_contains "is-a-tty"
	# the caller's window size is the process's from its start
	run script -qec "stty rows 30 cols 100; ctr-run exec -t $ID -- stty size" /dev/null
	assert_status 0
	assert_output_contains "30 100"
	assert_clean_after_delete
}

@test "exec -t -i: typed input reaches the process" {
	run bash -c 'printf "echo hi-\$((6*7))\nexit 3\n" | script -qec "ctr-run exec -t -i $1 -- sh" /dev/null' _ "$ID"
	assert_status 3
	assert_output_contains "hi-42"
	assert_clean_after_delete
}

@test "exec -t: output to a pipe, stderr on the terminal too; the caller's terminal untouched" {
	run bash -c 'ctr-run exec -t "$1" -- sh -c "echo to-out; echo to-err >&2; exit 4" | od -c' _ "$ID"
	assert_status 0
	assert_output_contains "t   o   -   o   u   t  \\r  \\n"
	assert_output_contains "t   o   -   e   r   r  \\r  \\n"
	run bash -c 'ctr-run exec -t "$1" -- sh -c "exit 4" >/dev/null' _ "$ID"
	assert_status 4
	assert_clean_after_delete
}

@test "exec -t: two sessions at once keep their output apart" {
	local a=$BATS_TEST_TMPDIR/a b=$BATS_TEST_TMPDIR/b pa pb ra=0 rb=0
	script -qec "ctr-run exec -t $ID -- sh -c 'for i in \$(seq 300); do echo AAAA\$i; done; exit 11'" /dev/null >"$a" </dev/null &
	pa=$!
	script -qec "ctr-run exec -t $ID -- sh -c 'for i in \$(seq 300); do echo BBBB\$i; done; exit 12'" /dev/null >"$b" </dev/null &
	pb=$!
	track_pid $pa
	track_pid $pb
	wait $pa || ra=$?
	wait $pb || rb=$?
	[ "$ra" = 11 ]
	[ "$rb" = 12 ]
	[ "$(grep -c '^AAAA[0-9]*' "$a")" = 300 ]
	[ "$(grep -c '^BBBB[0-9]*' "$b")" = 300 ]
	run ! grep -q BBBB "$a"
	run ! grep -q AAAA "$b"
	assert_clean_after_delete
}

@test "exec -t: exec into a stopped container fails with one line" {
	ctr-run kill -s KILL "$ID"
	ctr-run wait "$ID" >/dev/null || true
	run --separate-stderr ctr-run exec -t -i "$ID" -- sh
	assert_status 125
	[ "$stderr" = "ctr-run: fatal: container '$ID' is not running" ]
	[ -z "$output" ]
	assert_clean_after_delete
}

# The shim protocol: the request's connection closes at once, so nobody is
# relayed to; the process keeps its terminal and runs to its end.
@test "exec -t: resize with an exec id; a client gone at once leaves the process running" {
	local proc
	proc='{"args":["sh","-c","while [ ! -e /tmp/go ]; do sleep 0.05; done; stty size >/tmp/size; tty >>/tmp/size; exit 5"],"cwd":"/","env":["PATH=/bin"],"terminal":true}'
	run $CTL call "$SD" "{\"op\":\"exec\",\"id\":\"r1\",\"tty\":true,\"process\":$proc}"
	assert_status 0
	[ "$(json_get "$output" .ok)" = true ]
	run $CTL call "$SD" '{"op":"resize","exec":"r1","width":77,"height":22}'
	[ "$(json_get "$output" .ok)" = true ]
	run $CTL call "$SD" '{"op":"resize","exec":"nope","width":1,"height":1}'
	[ "$(json_get "$output" .error)" = "exec process 'nope' has no terminal" ]
	ctr-run exec "$ID" -- touch /tmp/go
	run $CTL call "$SD" '{"op":"wait","exec":"r1"}'
	[ "$(json_get "$output" .exit.status)" = 5 ]
	run ctr-run exec "$ID" -- cat /tmp/size
	[ "${lines[0]}" = "22 77" ]
	[[ "${lines[1]}" = /dev/pts/* ]]
	assert_clean_after_delete
}

@test "exec -d -t: the process gets a terminal, its output goes nowhere" {
	run --separate-stderr ctr-run exec -d -t "$ID" -- sh -c 'echo not-for-you; tty >/tmp/dt; exit 0'
	assert_status 0
	[[ "$output" = exec-* ]]
	[[ "$output" != *not-for-you* ]]
	local i
	for ((i = 0; i < 100; i++)); do
		ctr-run exec "$ID" -- test -s /tmp/dt && break
		sleep 0.05
	done
	run ctr-run exec "$ID" -- cat /tmp/dt
	[[ "$output" = /dev/pts/* ]]
	assert_clean_after_delete
}

@test "exec -t: a client killed mid-session stops the relay; the process runs on" {
	local out=$BATS_TEST_TMPDIR/out pid n1 n2 s1 s2
	ctr-run exec -t "$ID" -- sh -c 'i=0; while :; do i=$((i+1)); echo $i >/tmp/n.t; mv /tmp/n.t /tmp/n; echo tick; sleep 0.05; done' >"$out" &
	pid=$!
	track_pid $pid
	wait_for_file_text "$out" tick
	kill -KILL $pid
	wait $pid || true
	sleep 0.3 # the shim hears of the hangup
	s1=$(stat -c %s "$out")
	n1=$(ctr-run exec "$ID" -- cat /tmp/n)
	sleep 0.5
	s2=$(stat -c %s "$out")
	n2=$(ctr-run exec "$ID" -- cat /tmp/n)
	[ "$s1" = "$s2" ] || { echo "relay went on: $s1 -> $s2"; false; }
	[ "$n2" -gt "$n1" ] || { echo "process stopped: $n1 -> $n2"; false; }
	[ "$(ctr-run state "$ID" | jq -r .status)" = running ]
	assert_clean_after_delete
}

@test "exec -t -i: the caller's terminal leaves raw mode on success and on failure" {
	run script -qec "ctr-run exec -t -i $ID -- true; echo rc=\$?; stty -a" /dev/null
	assert_output_contains "rc=0"
	[[ "$output" =~ [[:space:]]icanon[[:space:]] ]] || { echo "still raw: $output"; false; }
	[[ "$output" =~ [[:space:]]echo[[:space:]] ]]
	run script -qec "ctr-run exec -t -i $ID -- /no/such; echo rc=\$?; stty -a" /dev/null
	assert_output_contains "rc=127"
	assert_output_contains "ctr-run: fatal:"
	[[ "$output" =~ [[:space:]]icanon[[:space:]] ]] || { echo "still raw: $output"; false; }
	assert_clean_after_delete
}

PTYRUN=$REPO_ROOT/tests/lib/ptyrun.py

# wait_in_container FILE: up to 5 s for FILE, not empty, in the container.
wait_in_container() {
	local i
	for ((i = 0; i < 100; i++)); do
		ctr-run exec "$ID" -- test -s "$1" && return 0
		sleep 0.05
	done
	echo "no $1 in $ID" >&2
	return 1
}

@test "exec -t -i: ^P ^Q detaches: exit 0, the terminal the shell's, the process runs on with its terminal" {
	# a prompt; once /tmp/go is there, output to its terminal, then a file
	# that says the write neither failed (a closed master: EIO) nor killed it (SIGHUP)
	local proc='echo $$ >/tmp/pid; printf "ready> "; while [ ! -e /tmp/go ]; do sleep 0.05; done
		echo late-output && tty >/tmp/after'
	# the prompt's line is ended, the terminal cooked, the shell's next line its own
	detach_in_shell 'ready> ' ctr-run exec -t -i "$ID" -- sh -c "$proc"
	# it runs on, its terminal held by the shim: its output is written (and discarded)
	ctr-run exec "$ID" -- sh -c 'kill -0 "$(cat /tmp/pid)"'
	ctr-run exec "$ID" -- touch /tmp/go
	wait_in_container /tmp/after
	run ctr-run exec "$ID" -- cat /tmp/after
	[[ "$output" = /dev/pts/* ]]
	assert_clean_after_delete
}

@test "exec -t -i: ^P then another key is input, both bytes; --detach-keys other keys, none, or bad ones" {
	local hex='printf "ready> "; read -r l; printf "hex:%s\n" "$(printf %s "$l" | od -An -tx1)"'
	# ^P x reaches the process as both bytes; the ^P ^Q after them detaches
	run "$PTYRUN" --timeout 15 --send $'\x10x' --after 'ready> ' --type $'\x10\x11' --after 'hex:' -- \
		ctr-run exec -t -i "$ID" -- sh -c "$hex; exec sleep 1000"
	assert_status 0
	assert_output_contains "hex: 10 78"
	run "$PTYRUN" --timeout 15 --type $'\x01x' --after 'ready> ' -- \
		ctr-run exec -t -i --detach-keys ctrl-a,x "$ID" -- sh -c "$hex; exit 5"
	assert_status 0
	# none: ^P ^Q is input (the terminal may take ^Q for flow control)
	run "$PTYRUN" --timeout 15 --send $'\x10\x11' --after 'ready> ' -- \
		ctr-run exec -t -i --detach-keys '' "$ID" -- sh -c "$hex; exit 5"
	assert_status 5
	assert_output_contains "hex: 10"
	assert_bad_keys 125 ctrl-1 ctr-run exec -t -i --detach-keys ctrl-1 "$ID" -- true
	# the sleep detached above still runs
	run ctr-run exec "$ID" -- ps -o args
	assert_output_contains "sleep 1000"
	assert_clean_after_delete
}

# The shim protocol: detach keys come with a TTY and in docker's format, or
# the request is refused and nothing runs.
@test "exec -t: the shim refuses bad \"detach_keys\", and keys without a TTY" {
	local proc='{"args":["touch","/tmp/ran"],"cwd":"/","env":["PATH=/bin"],"terminal":true}'
	run $CTL call "$SD" "{\"op\":\"exec\",\"id\":\"k1\",\"tty\":true,\"detach_keys\":\"ctrl-p,ctrl-1\",\"process\":$proc}"
	[[ "$(json_get "$output" .error)" == "exec: --detach-keys 'ctrl-p,ctrl-1': bad key 'ctrl-1';"* ]]
	run $CTL call "$SD" "{\"op\":\"exec\",\"id\":\"k2\",\"tty\":false,\"detach_keys\":\"ctrl-p,ctrl-q\",\"process\":$proc}"
	[ "$(json_get "$output" .error)" = 'exec: "detach_keys" wants "tty"' ]
	run ctr-run exec "$ID" -- test -e /tmp/ran
	assert_status 1
	assert_clean_after_delete
}
