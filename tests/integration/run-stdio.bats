#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Where a container's stdio goes when it outlives the call: never the
# caller's terminal. Real terminals (tests/lib/ptyrun.py), real runc and
# overlayfs; logs, log files and their rotation, a full disk, run -d --rm.

bats_require_minimum_version 1.5.0
load ../lib/helpers
load ../lib/registry
load ../lib/containers
load ../lib/crilog

setup_file() { busybox_registry_start; }
teardown_file() { busybox_registry_stop; }
setup() { containers_setup; }
teardown() { containers_teardown; }

PTYRUN=$REPO_ROOT/tests/lib/ptyrun.py

# The container's init pid.
init_pid() {
	ctr-run state "$1" | jq -r .pid
}

# terminal_fds PID RDEV: the fds of PID that are terminals: the pty RDEV
# (MAJOR:MINOR, decimal), any /dev/pts or /dev/tty device. Empty if none.
terminal_fds() {
	local pid=$1 rdev=$2 fd dev
	for fd in /proc/"$pid"/fd/*; do
		dev=$(stat -L -c '%t:%T' "$fd" 2>/dev/null) || continue
		dev=$((16#${dev%:*})):$((16#${dev#*:}))
		case $dev in
		"$rdev" | 136:* | 5:*) echo "$fd -> $(readlink "$fd")" ;;
		esac
	done
}

# wait_gone ID: up to 10 s for the container to vanish from ls.
wait_gone() {
	local i
	for ((i = 0; i < 200; i++)); do
		ctr-run ls --json | jq -e --arg id "$1" 'all(.[]; .id != $id)' >/dev/null && return 0
		sleep 0.05
	done
	echo "container $1 is still listed" >&2
	return 1
}

# gone_by_shim ID: the container's shim carried out its --rm: within 10 s
# nothing of it is left, neither ours (record, state, snapshot) nor runc's.
gone_by_shim() {
	local id=$1
	wait_gone "$id"
	[ ! -e "$CTR_ROOT/containers/default/$id" ]
	[ ! -e "$CTR_STATE/default/$id" ]
	run ctr-snapshot ls
	run ! grep -q "ctr:default:$id" <<<"$output"
	run runc --root "$RR" state "$id"
	assert_status 1
	assert_clean "$id"
}

@test "stdio: run -d from a terminal: the container holds none of it, and typed lines reach the shell" {
	local id pid rdev
	id=$(cid pty)
	# the container tries to read the caller's terminal through its stderr
	# shellcheck disable=SC2016 # expanded by the inner shells
	run "$PTYRUN" --send secret-line --after READY -- bash -c '
		ctr-run run -d --name '"$id"' '"$IMG"' -- sh -c "cat <&2 >/stolen 2>/stolen.err & exec sleep 60" >/dev/null
		echo "rdev=$PTY_RDEV"
		echo READY
		read -r line
		echo "shell-got:$line"'
	assert_status 0
	assert_output_contains "shell-got:secret-line"
	rdev=$(sed -n 's/^rdev=//p' <<<"$output")
	[ -n "$rdev" ]
	pid=$(init_pid "$id")
	[ "$(terminal_fds "$pid" "$rdev")" = "" ]
	# its stdin is /dev/null, stdout and stderr pipes the shim holds
	[ "$(readlink /proc/"$pid"/fd/0)" = /dev/null ]
	[[ $(readlink /proc/"$pid"/fd/1) == pipe:* ]]
	[[ $(readlink /proc/"$pid"/fd/2) == pipe:* ]]
	# what it read through its stderr: nothing, for there was nothing to read
	run ctr-run exec "$id" cat /stolen /stolen.err
	[ "$output" = "cat: read error: Bad file descriptor" ]
	# nor does its shim keep anything of the caller's
	[ "$(terminal_fds "$(jq .pid "$CTR_STATE/default/$id/shim.json")" "$rdev")" = "" ]
}

@test "stdio: create + start from a terminal, and -d -t: no fd of the caller's terminal" {
	local a b rdev
	a=$(cid created)
	b=$(cid withtty)
	run "$PTYRUN" -- bash -c '
		ctr-run create --name '"$a"' '"$IMG"' -- sleep 60 >/dev/null &&
		ctr-run start '"$a"' &&
		ctr-run run -d -t --name '"$b"' '"$IMG"' -- sleep 60 >/dev/null &&
		echo "rdev=$PTY_RDEV"'
	assert_status 0
	rdev=$(sed -n 's/^rdev=//p' <<<"$output")
	[ "$(terminal_fds "$(init_pid "$a")" "$rdev")" = "" ]
	# with -t the container has a terminal: its own, from the shim, not the caller's
	[ "$(readlink /proc/"$(init_pid "$b")"/fd/1)" != "$(sed 's/^/x/' <<<"$rdev")" ]
	run terminal_fds "$(init_pid "$b")" "$rdev"
	[[ $output != *"$rdev"* ]]
	[[ $output == *"/dev/pts/"* ]] # its own PTY slave
	run ctr-run exec "$b" readlink /proc/1/fd/0
	[[ $output == /dev/pts/* ]]
}

@test "stdio: run -t -i whose caller is killed: the shim lets go of the terminal" {
	local id
	id=$(cid fgtty)
	# shellcheck disable=SC2016 # expanded by the inner shells
	run "$PTYRUN" --send secret-line --after KILLED -- bash -c '
		ctr-run run -t -i --name '"$id"' '"$IMG"' -- sh -c "while read -r l; do echo \"\$l\" >>/got; done; echo eof >>/got; exec sleep 60" </dev/tty &
		cpid=$!
		for i in $(seq 100); do [ "$(ctr-run state '"$id"' 2>/dev/null | jq -r .status)" = running ] && break; sleep 0.05; done
		kill -9 $cpid; wait $cpid
		echo KILLED
		read -r line
		echo "shell-got:$line"'
	assert_status 0
	assert_output_contains "shell-got:secret-line"
	# the container saw the end of its input, not the line
	run ctr-run exec "$id" cat /got
	[ "$output" = eof ]
}

# A shell on the container's terminal: a prompt, and "got:LINE" for each line read.
PROMPT_LOOP='while :; do printf "ready> "; read -r l || exit 3; echo "got:$l"; done'

@test "stdio: run -t -i, then ^P ^Q: exit 0, the terminal is the shell's, the container runs on for attach and logs" {
	local id
	id=$(cid fgdetach)
	# the prompt's line is ended, the terminal cooked, the shell's next line its own
	detach_in_shell 'ready> ' ctr-run run -t -i --name "$id" "$IMG" -- sh -c "$PROMPT_LOOP"
	[ "$(ctr-run state "$id" | jq -r .status)" = running ]
	[ "$(jq -r .stdio "$CTR_STATE/default/$id/shim.json")" = pipe ]
	# attach: our line reaches it, ^P ^Q detaches again; logs keep what came since
	reattach "$id"
	ctr-run delete -f "$id"
	assert_clean "$id"
}

@test "stdio: run -t -i: ^P then another key is input, both bytes; --detach-keys other keys, none, or bad ones" {
	local id id2 hex='printf "hex:%s\n" "$(printf %s "$l" | od -An -tx1)"'
	id=$(cid fgkeys)
	# ^P x reaches the container as both bytes; the ^P ^Q after them detaches
	run "$PTYRUN" --timeout 15 --send $'\x10x' --after 'ready> ' --type $'\x10\x11' --after 'hex:' -- \
		ctr-run run -t -i --name "$id" "$IMG" -- sh -c "printf 'ready> '; read -r l; $hex; exec sleep 1000"
	assert_status 0
	assert_output_contains "hex: 10 78"
	[ "$(ctr-run state "$id" | jq -r .status)" = running ]
	id2=$(cid fgkeys2)
	run "$PTYRUN" --timeout 15 --type $'\x01x' --after 'ready> ' -- \
		ctr-run run -t -i --detach-keys ctrl-a,x --name "$id2" "$IMG" -- sh -c "printf 'ready> '; exec sleep 1000"
	assert_status 0
	[ "$(ctr-run state "$id2" | jq -r .status)" = running ]
	# none: ^P ^Q is input (the terminal may take ^Q for flow control)
	run "$PTYRUN" --timeout 15 --send $'\x10\x11' --after 'ready> ' -- \
		ctr-run run -t -i --rm --detach-keys '' "$IMG" -- sh -c "printf 'ready> '; read -r l; $hex"
	assert_status 0
	assert_output_contains "hex: 10"
	assert_bad_keys 125 ctrl-1 ctr-run run -t -i --detach-keys ctrl-1 "$IMG" -- true
	assert_bad_keys 100 '' ctr-run attach --detach-keys 'ctrl-p,' "$id"
	ctr-run delete -f "$id" "$id2"
}

@test "stdio: run --rm -t -i detached with ^P ^Q: when it exits, nothing of it is left" {
	local id
	id=$(cid fgdetachrm)
	run "$PTYRUN" --timeout 15 --type $'\x10\x11' --after 'ready> ' -- \
		ctr-run run --rm -t -i --name "$id" "$IMG" -- sh -c 'printf "ready> "; read -r l; echo "bye:$l"'
	assert_status 0
	[ "$(ctr-run state "$id" | jq -r .status)" = running ]
	# its input through attach ends it; its shim carries out the --rm
	run ctr-run attach "$id" <<<last
	assert_output_contains "bye:last"
	gone_by_shim "$id"
}

@test "stdio: exec without -t from a terminal gets pipes, never the terminal" {
	local id
	id=$(cid execpty)
	ctr-run run -d --name "$id" "$IMG" -- sleep 60 >/dev/null
	run "$PTYRUN" -- bash -c '
		ctr-run exec -i '"$id"' -- sh -c "for f in 0 1 2; do readlink /proc/self/fd/\$f; done" </dev/tty'
	assert_status 0
	[ "$(grep -c '^pipe:' <<<"$output")" = 3 ]
	run ! grep -q /dev/ <<<"$output"
	# exec -d: the process outlives the call and gets nothing of ours
	run "$PTYRUN" -- ctr-run exec -d "$id" -- sleep 31
	assert_status 0
	local pid fd
	for pid in $(ctr-run ps --json "$id" | jq '.[].pid'); do
		[ "$(tr '\0' ' ' </proc/"$pid"/cmdline)" = "sleep 31 " ] && break
	done
	for fd in 0 1 2; do
		[ "$(readlink /proc/"$pid"/fd/$fd)" = /dev/null ]
	done
}

@test "stdio: --stdio inherit refuses a terminal unless -t, in one line; nothing is made" {
	local id
	id=$(cid inherit)
	run "$PTYRUN" -- ctr-run run -d --stdio inherit --name "$id" "$IMG" -- true
	assert_status 125
	[ "$(grep -c . <<<"$output")" = 1 ]
	assert_output_contains "would hand the container your terminal"
	[ ! -e "$CTR_ROOT/containers/default/$id" ]
	run "$PTYRUN" -- ctr-run create --stdio inherit --name "$id" "$IMG" -- true
	assert_status 100
	# with pipes and files it is what it always was: the caller's descriptors
	ctr-run run -d --stdio inherit --name "$id" "$IMG" -- sh -c 'echo inherited' >"$BATS_TEST_TMPDIR/out" 2>&1
	ctr-run wait "$id" >/dev/null
	grep -qx inherited "$BATS_TEST_TMPDIR/out"
	run ctr-run logs "$id"
	assert_status 1
	assert_output_contains "not kept (--stdio inherit)"
}

@test "stdio: \$(ctr-run run -d ...) returns while the container runs, also with 2>&1" {
	local a b
	a=$(cid subst1)
	b=$(cid subst2)
	run timeout 20 bash -c "x=\$(ctr-run run -d --name $a $IMG -- sleep 60) && echo \"\$x\""
	assert_status 0
	[ "$output" = "$a" ]
	run timeout 20 bash -c "x=\$(ctr-run run -d --name $b $IMG -- sh -c 'echo noise; echo noise >&2; sleep 60' 2>&1) && echo \"\$x\""
	assert_status 0
	[ "$output" = "$b" ]
	[ "$(ctr-run state "$a" | jq -r .status)" = running ]
	[ "$(ctr-run state "$b" | jq -r .status)" = running ]
}

@test "logs: stdout and stderr in order, --tail, -f until the exit, and after the shim left" {
	local id
	id=$(cid logs)
	ctr-run run -d --name "$id" "$IMG" -- sh -c \
		'echo one; echo two >&2; echo three; i=0; while [ $i -lt 3 ]; do sleep 0.2; echo tick$i; i=$((i+1)); done; exit 7' >/dev/null
	run --separate-stderr ctr-run logs -f "$id"
	assert_status 0
	[ "$output" = "$(printf 'one\nthree\ntick0\ntick1\ntick2')" ]
	[ "$stderr" = two ]
	# both streams on one file; across streams the order is the shim's
	# reading order, so only each stream's own order is certain
	run ctr-run logs "$id"
	[ "$(sort <<<"$output")" = "$(printf 'one\nthree\ntick0\ntick1\ntick2\ntwo' | sort)" ]
	[ "$(grep -v two <<<"$output")" = "$(printf 'one\nthree\ntick0\ntick1\ntick2')" ]
	run ctr-run logs --tail 2 "$id"
	[ "$output" = "$(printf 'tick1\ntick2')" ]
	run ctr-run logs --tail 0 "$id"
	[ "$output" = "" ]
	run ctr-run wait "$id"
	assert_status 7
	[ -f "$CTR_STATE/default/$id/output" ]
	run ctr-run logs --tail all "$id"
	[ "$(wc -l <<<"$output")" = 6 ]
	run ctr-run logs --tail -3 "$id"
	assert_status 100
}

@test "logs: unknown or deleted containers are one line, exit 100; --stdio null keeps nothing" {
	local id
	run --separate-stderr ctr-run logs no-such-container
	assert_status 100
	[ "${#stderr_lines[@]}" = 1 ]
	id=$(cid gone)
	ctr-run run -d --name "$id" "$IMG" -- true >/dev/null
	ctr-run wait "$id" >/dev/null
	ctr-run delete "$id"
	run --separate-stderr ctr-run logs "$id"
	assert_status 100
	[ "${#stderr_lines[@]}" = 1 ]
	id=$(cid null)
	ctr-run run -d --stdio null --name "$id" "$IMG" -- sh -c 'echo x; sleep 60' >/dev/null
	[ "$(readlink /proc/"$(init_pid "$id")"/fd/1)" = /dev/null ]
	run --separate-stderr ctr-run logs "$id"
	assert_status 1
	[ "$stderr" = "ctr-run: fatal: the output of '$id' is not kept (--stdio null)" ]
}

@test "logs: 1 GiB to stdout with nobody reading: the container finishes, the shim stays small" {
	local id hwm
	id=$(cid flood)
	ctr-run run -d --name "$id" "$IMG" -- sh -c \
		'dd if=/dev/zero bs=1M count=1024 2>/dev/null; echo; echo flood-done; exec sleep 60' >/dev/null
	wait_logs "$id" flood-done
	hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$(jq .pid "$CTR_STATE/default/$id/shim.json")/status")
	# the ring is 64 KiB a stream; the shim's peak stays a few MiB at most
	# (the plain build's: ASan's quarantine keeps what the shim frees)
	sanitized_build || [ "$hwm" -lt 16384 ] || {
		echo "shim VmHWM ${hwm} kB" >&2
		false
	}
	run ctr-run logs --tail 1 "$id"
	[ "$output" = flood-done ]
}

@test "logs: --log FILE gets everything, rotated to FILE.1 past --log-max-size" {
	local id log=$BATS_TEST_TMPDIR/c.log
	id=$(cid logfile)
	ctr-run run -d --name "$id" --log "$log" --log-max-size 64k "$IMG" -- sh -c \
		'i=0; while [ $i -lt 2000 ]; do echo "line $i of the log file, padded to be long enough"; i=$((i+1)); done' >/dev/null
	run ctr-run wait "$id"
	assert_status 0
	[ -f "$log.1" ]
	[ "$(stat -c %s "$log")" -le $((64 * 1024 + 65536)) ]
	[ "$(stat -c %s "$log.1")" -le $((64 * 1024 + 65536)) ]
	# nothing lost between the two files that are kept: the last lines, in order
	tail -n 1 "$log" | grep -qx 'line 1999 of the log file, padded to be long enough'
	cat "$log.1" "$log" | sed -n 's/^line \([0-9]*\) .*/\1/p' >"$BATS_TEST_TMPDIR/nums"
	first=$(head -n 1 "$BATS_TEST_TMPDIR/nums")
	[ "$(cat "$BATS_TEST_TMPDIR/nums")" = "$(seq "$first" 1999)" ]
	# containerd's spelling, and what is refused
	id=$(cid loguri)
	ctr-run run -d --name "$id" --log-uri "file://$BATS_TEST_TMPDIR/u.log" "$IMG" -- echo via-uri >/dev/null
	ctr-run wait "$id" >/dev/null
	[ "$(cat "$BATS_TEST_TMPDIR/u.log")" = via-uri ]
	run ctr-run run -d --log-uri binary:///usr/bin/logger "$IMG" -- true
	assert_status 125
	run ctr-run run --log "$log" "$IMG" -- true
	assert_status 125
	assert_output_contains "outlive the call"
	run ctr-run create --log /dev/null "$IMG" -- true
	assert_status 100
	assert_output_contains "not a regular file"
	[ "$(ls "$CTR_ROOT/containers/default")" = "$(printf '%s\n' logfile loguri)" ]
}

@test "logs: a log file on a full disk: the container runs on, one warning, logs still work" {
	local id dir=$BATS_TEST_TMPDIR/full
	id=$(cid fulldisk)
	mkdir "$dir"
	mount -t tmpfs -o size=64k tmpfs "$dir"
	ctr-run run -d --name "$id" --log "$dir/c.log" "$IMG" -- sh -c \
		'i=0; while [ $i -lt 3000 ]; do echo "line $i, which will not all fit on this disk"; i=$((i+1)); done; echo full-done' >/dev/null
	run ctr-run wait "$id"
	assert_status 0
	run ctr-run logs --tail 1 "$id"
	[ "$output" = full-done ]
	[ "$(grep -c 'No space left on device' "$CTR_STATE/default/$id/shim.log")" = 1 ]
	umount "$dir"
}

@test "run -d --rm: the shim removes the container when it exits, with no caller left" {
	local id
	id=$(cid autorm)
	ctr-run run -d --rm --name "$id" "$IMG" -- sh -c 'echo bye; sleep 0.5' >/dev/null
	[ "$(ctr-run state "$id" | jq -r .status)" = running ]
	gone_by_shim "$id"
}

@test "logs: a container that writes in the log's folder cannot redirect, stall or outgrow it" {
	local id dir=$BATS_TEST_TMPDIR/shared victim=$BATS_TEST_TMPDIR/victim
	mkdir "$dir"
	echo ORIGINAL >"$victim"
	# a FIFO as the log: refused at once, nothing made
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	run timeout 20 ctr-run run -d --log "$BATS_TEST_TMPDIR/fifo" "$IMG" -- true
	assert_status 125
	assert_output_contains "not a regular file"
	# a symlink planted where rotation reopens the log is never written through
	id=$(cid race)
	ctr-run run -d --name "$id" --mount "type=bind,src=$dir,dst=/data" \
		--log "$dir/out.log" --log-max-size 4k "$IMG" -- sh -c \
		'cd /data; (while :; do ln -s '"$victim"' out.log 2>/dev/null; done) & i=0; while [ $i -lt 3000 ]; do echo "line $i"; i=$((i+1)); done; exec sleep 60' >/dev/null
	wait_logs "$id" 'line 2999'
	[ "$(cat "$victim")" = ORIGINAL ]
	ctr-run delete -f "$id"
	# rotation made impossible (a folder as FILE.1): the cap holds, one warning. More
	# than the shim reads at once (64 KiB; the pipe holds as much): a shim that reads
	# late gets it all in one read, which an empty log takes whole, without a rotation
	id=$(cid norotate)
	rm -rf "${dir:?}"/*
	ctr-run run -d --name "$id" --mount "type=bind,src=$dir,dst=/data" \
		--log "$dir/out.log" --log-max-size 4k "$IMG" -- sh -c \
		'mkdir -p /data/out.log.1/x; yes "a line of thirty bytes or so" | head -n 5000' >/dev/null
	ctr-run wait "$id" >/dev/null
	[ "$(stat -c %s "$dir/out.log")" -le $((4096 + 65536)) ]
	cat "$CTR_STATE/default/$id/shim.log" >&2
	[ "$(grep -c . "$CTR_STATE/default/$id/shim.log")" = 1 ]
}


@test "logs: --log-format cri: the kubelet's lines, P past 16 KiB and at an unended last line; reopen-log" {
	local id log=$BATS_TEST_TMPDIR/cri.log long
	id=$(cid crilog)
	ctr-run run -d --name "$id" --log "$log" --log-format cri "$IMG" -- sh -c \
		'echo out1; echo err1 >&2; printf "crlf\r\n"; head -c 40000 /dev/zero | tr "\0" y; echo; echo err2 >&2; echo marker1
		 while [ ! -e /go ]; do sleep 0.05; done; echo after; printf unended' >/dev/null
	for ((i = 0; i < 200; i++)); do grep -q ' F marker1$' "$log" && break; sleep 0.05; done
	# logrotate's way: rename, then have the shim open the name again
	mv "$log" "$log.old"
	run ctr-run reopen-log "$id"
	assert_status 0
	[ -f "$log" ]
	ctr-run exec "$id" touch /go
	run ctr-run wait "$id"
	assert_status 0
	cri_log_check "$log.old"
	cri_log_check "$log"
	long=$(head -c 40000 /dev/zero | tr '\0' y)
	[ "$(cri_log_text "$log.old" stdout)" = "$(printf 'out1\ncrlf\n%s\nmarker1' "$long")" ]
	[ "$(cri_log_text "$log.old" stderr)" = "$(printf 'err1\nerr2')" ]
	# 40000 bytes: two P records of 16384, then F with the rest
	[ "$(cri_log_tags "$log.old" stdout)" = FFPPFF ]
	[ "$(awk '$3 == "P" { print length($0) - length($1 $2 $3) - 3 }' "$log.old")" = "$(printf '16384\n16384')" ]
	# after the reopen: the new file only; the last line without its newline is P
	[ "$(cut -d' ' -f2- "$log")" = "$(printf 'stdout F after\nstdout P unended')" ]
	# ctr-run logs shows the bytes the container wrote, not the records
	run ctr-run logs --tail 2 "$id"
	[ "$output" = "$(printf 'after\nunended')" ]
	[ "$(jq -r .log_format "$CTR_ROOT/containers/default/$id/record.json")" = cri ]
	# with a terminal there is one stream, stdout, and "\r\n" ends its lines
	id=$(cid critty)
	ctr-run run -d -t --name "$id" --log "$BATS_TEST_TMPDIR/tty.log" --log-format cri "$IMG" -- \
		sh -c 'echo a; echo b >&2' >/dev/null
	ctr-run wait "$id" >/dev/null
	cri_log_check "$BATS_TEST_TMPDIR/tty.log"
	[ "$(cut -d' ' -f2- "$BATS_TEST_TMPDIR/tty.log")" = "$(printf 'stdout F a\nstdout F b')" ]
}

@test "logs: --log-format and reopen-log refuse bad input with one line and a documented status" {
	local id
	run --separate-stderr ctr-run create --log "$BATS_TEST_TMPDIR/x.log" --log-format json "$IMG" -- true
	assert_status 100
	[ "$stderr" = "ctr-run: fatal: --log-format 'json': want raw or cri" ]
	run --separate-stderr ctr-run run -d --log "$BATS_TEST_TMPDIR/x.log" --log-format json "$IMG" -- true
	assert_status 125
	for f in cri raw; do
		run --separate-stderr ctr-run create --log-format $f "$IMG" -- true
		assert_status 100
		[ "$stderr" = "ctr-run: fatal: --log-format wants --log" ]
	done
	run --separate-stderr ctr-run reopen-log no-such-container
	assert_status 100
	[ "$(grep -c . <<<"$stderr")" = 1 ]
	run --separate-stderr ctr-run reopen-log
	assert_status 100
	# no --log: nothing to reopen
	id=$(cid nolog)
	ctr-run run -d --name "$id" "$IMG" -- sleep 60 >/dev/null
	run --separate-stderr ctr-run reopen-log "$id"
	assert_status 1
	[ "$stderr" = "ctr-run: fatal: '$id' has no log file (create it with --log)" ]
	# stopped: its shim is gone, and the log is complete
	id=$(cid stopped)
	ctr-run run -d --name "$id" --log "$BATS_TEST_TMPDIR/s.log" --log-format cri "$IMG" -- true >/dev/null
	ctr-run wait "$id" >/dev/null
	run --separate-stderr ctr-run reopen-log "$id"
	assert_status 1
	[ "$stderr" = "ctr-run: fatal: container '$id' is not running (stopped)" ]
	[ "$(ls "$CTR_ROOT/containers/default")" = "$(printf '%s\n' nolog stopped)" ]
}
