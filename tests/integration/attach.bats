#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# ctr-run attach: a detached container's stdio is held by its shim (pipes
# or the PTY master); attach streams the output from then on and lends the
# stdin. Real runc, overlayfs, registry.

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

@test "attach: detach and attach again; what came meanwhile is in logs, nothing lost or twice" {
	local id n
	id=$(cid counter)
	ctr-run run -d --name "$id" "$IMG" -- \
		sh -c 'i=0; while [ $i -lt 1000 ]; do i=$((i+1)); echo $i; sleep 0.1; done' >/dev/null
	attach_bg "$BATS_TEST_TMPDIR/a1" --no-stdin "$id"
	wait_for_file_text "$BATS_TEST_TMPDIR/a1" '^5$'
	detach
	sleep 1 # about ten lines while nobody is attached
	attach_bg "$BATS_TEST_TMPDIR/a2" --no-stdin "$id"
	wait_for_file_text "$BATS_TEST_TMPDIR/a2" .
	detach
	ctr-run logs "$id" >"$BATS_TEST_TMPDIR/all"
	n=$(wc -l <"$BATS_TEST_TMPDIR/all")
	# 1..n in order in the logs: none lost while detached
	[ "$(cat "$BATS_TEST_TMPDIR/all")" = "$(seq 1 "$n")" ]
	# each attach saw a run of consecutive lines, from when it came
	[ "$(cat "$BATS_TEST_TMPDIR/a1")" = "$(seq "$(head -n1 "$BATS_TEST_TMPDIR/a1")" "$(tail -n1 "$BATS_TEST_TMPDIR/a1")")" ]
	[ "$(head -n1 "$BATS_TEST_TMPDIR/a2")" -gt "$(tail -n1 "$BATS_TEST_TMPDIR/a1")" ]
	ctr-run delete -f "$id"
}

@test "attach: stdin reaches cat; two clients at once both get the output" {
	local id
	id=$(cid cat)
	ctr-run run -d -i --name "$id" "$IMG" -- cat >/dev/null
	mkfifo "$BATS_TEST_TMPDIR/in"
	ctr-run attach "$id" <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out" 2>&1 &
	APID=$!
	track_pid "$APID"
	exec 5>"$BATS_TEST_TMPDIR/in"
	attach_bg "$BATS_TEST_TMPDIR/out2" --no-stdin "$id"
	local second=$APID
	sleep 0.3
	echo "hello through the pipe" >&5
	wait_for_file_text "$BATS_TEST_TMPDIR/out" "hello through the pipe"
	wait_for_file_text "$BATS_TEST_TMPDIR/out2" "hello through the pipe"
	exec 5>&-
	kill -TERM "$second"
	wait "$second"
	# end of our input is not the container's: cat is still there
	run ctr-run state "$id"
	[ "$(jq -r .status <<<"$output")" = running ]
	ctr-run delete -f "$id"
}

@test "attach: --stdin-once: the end of our stdin, or a detach, is the container's; not with --no-stdin" {
	local id tid
	id=$(cid once)
	ctr-run run -d -i --name "$id" "$IMG" -- sh -c 'cat; echo eof-seen; exec sleep 100' >/dev/null
	run -100 ctr-run attach --no-stdin --stdin-once "$id"
	assert_output_contains "exclude each other"
	# our stdin ends: the container's does, and cat exits while we still relay its output
	run timeout 20 bash -c "printf 'in-once\n' | ctr-run attach --stdin-once $id & sleep 3; kill \$!; wait"
	assert_output_contains "in-once"
	assert_output_contains "eof-seen"
	run ctr-run state "$id"
	[ "$(jq -r .status <<<"$output")" = running ]
	ctr-run delete -f "$id"
	# on a terminal: detached (SIGTERM) with our input still open, the shim writes ^D
	tid=$(cid oncetty)
	ctr-run run -d -t -i --name "$tid" "$IMG" -- sh -c 'cat; echo eof-seen; exec sleep 100' >/dev/null
	mkfifo "$BATS_TEST_TMPDIR/in"
	ctr-run attach --stdin-once "$tid" <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out" 2>&1 &
	APID=$!
	track_pid "$APID"
	exec 5>"$BATS_TEST_TMPDIR/in"
	echo "typed" >&5
	wait_for_file_text "$BATS_TEST_TMPDIR/out" typed
	detach
	exec 5>&-
	wait_logs "$tid" eof-seen
	run ctr-run state "$tid"
	[ "$(jq -r .status <<<"$output")" = running ]
	ctr-run delete -f "$tid"
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
	ctr-run run -d --stdio inherit --name "$id" "$IMG" -- sleep 1000 >/dev/null
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
	[ -z "$(ls "$CTR_STATE/default" | grep -vx -e "$id" -e events.jsonl)" ]
	ctr-run delete -f "$id"
}

@test "attach: with --stdio pipe and -i the init holds only fds 0, 1, 2, all pipes" {
	local id
	id=$(cid fds)
	ctr-run run -d -i --stdio pipe --name "$id" "$IMG" -- sleep 1000 >/dev/null
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

@test "attach: output from now on, stdin to -i containers, the exit status at the end" {
	local id
	id=$(cid att)
	ctr-run run -d -i --name "$id" "$IMG" -- sh -c 'while read -r l; do echo "got:$l"; [ "$l" = quit ] && exit 3; done' >/dev/null
	run timeout 20 bash -c "printf 'hello\nquit\n' | ctr-run attach $id"
	assert_status 3
	[ "$output" = "$(printf 'got:hello\ngot:quit')" ]
	run ctr-run logs "$id"
	[ "$output" = "$(printf 'got:hello\ngot:quit')" ]
}

@test "attach: create, start -a: all the output and the status" {
	local id
	id=$(cid starta)
	ctr-run create --name "$id" "$IMG" -- sh -c 'echo first; echo second >&2; exit 4' >/dev/null
	run --separate-stderr ctr-run start -a "$id"
	assert_status 4
	[ "$output" = first ]
	[ "$stderr" = second ]
}

@test "attach: -d -t: the shim holds the terminal; logs show it, attach types into it" {
	local id
	id=$(cid ttyatt)
	ctr-run run -d -t -i --name "$id" "$IMG" -- sh >/dev/null
	wait_logs "$id" '#'
	run timeout 20 bash -c "(printf 'echo from-tty\n'; sleep 1; printf 'exit 6\n'; sleep 5) | ctr-run attach $id"
	assert_status 6
	assert_output_contains "from-tty"
}

@test "attach: a -t container on our terminal: ^C reaches it, ^P ^Q detaches as --help says" {
	local id
	id=$(cid tty)
	ctr-run run -d -t -i --name "$id" "$IMG" -- \
		sh -c 'trap "echo got-int" INT; while :; do echo tick; sleep 1; done' >/dev/null
	# once output comes (our terminal is raw then), ^C is the container's
	# (its trap answers; no detach), and ^P ^Q leaves it running: status 0
	run /usr/bin/python3 "$BATS_TEST_DIRNAME/../lib/ptyrun.py" \
		--send $'\x03' --after 'tick' \
		--send $'\x10\x11' --after 'got-int' -- ctr-run attach "$id"
	assert_status 0
	[[ $output == *got-int* ]]
	[ "$(ctr-run state "$id" | jq -r .status)" = running ]
	ctr-run attach --help | grep -qF '^P ^Q'
	ctr-run delete -f "$id"
}

@test "attach: ^P ^Q after a prompt ends its line, so the caller's prompt starts a new one" {
	local id out=$BATS_TEST_TMPDIR/pty.out
	id=$(cid prompt)
	# a prompt for each line typed, a whole line for "line"
	ctr-run run -d -t -i --name "$id" "$IMG" -- \
		sh -c 'while read -r x; do if [ "$x" = line ]; then echo done; else printf "ready> "; fi; done' \
		>/dev/null
	# (run's $output loses a last newline: the file keeps it; ptyrun drops the \r)
	/usr/bin/python3 "$BATS_TEST_DIRNAME/../lib/ptyrun.py" --send go --after '' \
		--send $'\x10\x11' --after 'ready> ' -- ctr-run attach "$id" >"$out"
	[ "$(tail -c 8 "$out" | od -An -c | tr -s ' ')" = ' r e a d y > \n' ]
	# a line already ended gets no empty one
	/usr/bin/python3 "$BATS_TEST_DIRNAME/../lib/ptyrun.py" --send line --after '' \
		--send $'\x10\x11' --after 'done' -- ctr-run attach "$id" >"$out"
	[ "$(tail -c 6 "$out" | od -An -c | tr -s ' ')" = ' \n d o n e \n' ]
	[ "$(ctr-run state "$id" | jq -r .status)" = running ]
	ctr-run delete -f "$id"
}

@test "attach: ^P then another key is input, both bytes; --detach-keys other keys; bad keys are one line" {
	local id
	id=$(cid keys)
	# shellcheck disable=SC2016 # the container's shell expands it
	ctr-run run -d -t -i --name "$id" "$IMG" -- sh -c 'n=0; while :; do n=$((n+1)); printf "ready$n> "
		read -r l; printf "hex$n:%s\n" "$(printf %s "$l" | od -An -tx1)"; done' >/dev/null
	# ^P held, then passed on with the x; with our keys ^A x, ^P ^Q is input and ^A x detaches
	run /usr/bin/python3 "$BATS_TEST_DIRNAME/../lib/ptyrun.py" --timeout 15 \
		--send go --after '' --send $'\x10x' --after 'ready2> ' \
		--send $'\x10\x11' --after 'hex2:' --type $'\x01x' --after 'hex3:' -- \
		ctr-run attach --detach-keys ctrl-a,x "$id"
	assert_status 0
	assert_output_contains "hex2: 10 78"
	assert_output_contains "hex3: 10"
	[ "$(ctr-run state "$id" | jq -r .status)" = running ]
	assert_bad_keys 100 ctrl-pq ctr-run attach --detach-keys ctrl-pq "$id"
	ctr-run delete -f "$id"
}

@test "attach: create -t -i, start -a -i on our terminal: ^P ^Q detaches, it runs on, attach takes it up again" {
	local id
	id=$(cid startkeys)
	# shellcheck disable=SC2016 # expanded by the container's shell
	ctr-run create -t -i --name "$id" "$IMG" -- \
		sh -c 'while :; do printf "ready> "; read -r l || exit 3; echo "got:$l"; done' >/dev/null
	# the prompt's line is ended, the terminal cooked, the shell's next line its own
	detach_in_shell 'ready> ' ctr-run start -a -i "$id"
	[ "$(ctr-run state "$id" | jq -r .status)" = running ]
	# attach: our line reaches it, ^P ^Q detaches again; logs keep what came since
	reattach "$id"
	ctr-run delete -f "$id"
	assert_clean "$id"
}

@test "attach: start -a --detach-keys other keys, none, or bad ones; -i implies -a" {
	local id id2 hex='printf "ready> "; read -r l; printf "hex:%s\n" "$(printf %s "$l" | od -An -tx1)"'
	id=$(cid startkeys2)
	ctr-run create -t -i --name "$id" "$IMG" -- sh -c "$hex; exec sleep 1000" >/dev/null
	run /usr/bin/python3 "$BATS_TEST_DIRNAME/../lib/ptyrun.py" --timeout 15 \
		--send $'\x10x' --after 'ready> ' --type $'\x01x' --after 'hex:' -- \
		ctr-run start -i --detach-keys ctrl-a,x "$id"
	assert_status 0
	assert_output_contains "hex: 10 78"
	[ "$(ctr-run state "$id" | jq -r .status)" = running ]
	# none: ^P ^Q is input (the terminal may take ^Q for flow control), then its status
	id2=$(cid startkeys3)
	ctr-run create -t -i --name "$id2" "$IMG" -- sh -c "$hex; exit 5" >/dev/null
	run /usr/bin/python3 "$BATS_TEST_DIRNAME/../lib/ptyrun.py" --timeout 15 \
		--send $'\x10\x11' --after 'ready> ' -- ctr-run start -a -i --detach-keys '' "$id2"
	assert_status 5
	assert_output_contains "hex: 10"
	assert_bad_keys 100 ctrl-qq ctr-run start -a -i --detach-keys ctrl-p,ctrl-qq "$id2"
	ctr-run delete -f "$id" "$id2"
	assert_clean "$id"
	assert_clean "$id2"
}
