#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# ctr-run under a systemd Type=notify unit, without systemd: $NOTIFY_SOCKET
# points at a datagram socket this file listens on, and READY=1 must come
# from the unit's main process: ctr-run itself in the foreground, the shim
# (with its MAINPID) for a detached container.

bats_require_minimum_version 1.5.0
load ../lib/helpers
load ../lib/registry
load ../lib/containers

setup_file() { busybox_registry_start; }
teardown_file() { busybox_registry_stop; }

setup() {
	containers_setup python3
	GOT=$BATS_TEST_TMPDIR/notified
}

teardown() { containers_teardown; }

# listen ADDR: receive datagrams on ADDR (a path, or @name for the abstract
# namespace), one per line in $GOT with newlines as "|"; the listener is
# tracked for teardown.
listen() {
	python3 -c '
import socket, sys
addr, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + addr[1:] if addr.startswith("@") else addr)
open(out + ".ready", "w").close()
while True:
    d = s.recv(4096).decode()
    with open(out, "a") as f:
        f.write(d.replace("\n", "|") + "\n")
' "$1" "$GOT" &
	track_pid $!
	local i
	for ((i = 0; i < 100; i++)); do
		[ -e "$GOT.ready" ] && return 0
		sleep 0.05
	done
	return 1
}

wait_notified() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ -s "$GOT" ] && return 0
		sleep 0.05
	done
	return 1
}

@test "notify: a foreground run says READY=1 itself, while the container runs" {
	local sock=$BATS_TEST_TMPDIR/notify.sock out=$BATS_TEST_TMPDIR/out id
	listen "$sock"
	id=$(cid notifyfg)
	NOTIFY_SOCKET=$sock ctr-run run --rm --name "$id" "$IMG" -- sh -c 'echo up; sleep 30' >"$out" &
	track_pid $!
	wait_notified
	[ "$(cat "$GOT")" = "READY=1|" ]
	# the container was running when it came
	grep -q up "$out"
	[ "$(ctr-run state "$id" | jq -r .status)" = running ]
}

@test "notify: a detached container: the shim says READY=1 with its own MAINPID" {
	local sock=$BATS_TEST_TMPDIR/notify.sock id spid
	listen "$sock"
	id=$(cid notifyd)
	NOTIFY_SOCKET=$sock ctr-run run -d --name "$id" "$IMG" -- sleep 1000 >/dev/null
	wait_notified
	spid=$(jq .pid "$CTR_STATE/default/$id/shim.json")
	[ "$(cat "$GOT")" = "READY=1|MAINPID=$spid|" ]
	# systemd's socket is not the container's business
	run ctr-run exec "$id" -- env
	assert_status 0
	[[ "$output" != *NOTIFY_SOCKET* ]]
}

@test "notify: an abstract socket (@name) works; a relative path is a warning, not a failure" {
	local name="@ctr-test-notify-$$-$BATS_TEST_NUMBER"
	listen "$name"
	NOTIFY_SOCKET=$name ctr-run run --rm "$IMG" -- true
	wait_notified
	[ "$(cat "$GOT")" = "READY=1|" ]
	run --separate-stderr env NOTIFY_SOCKET=relative/sock ctr-run run --rm "$IMG" -- sh -c 'exit 3'
	assert_status 3
	[[ "$stderr" == *"not an absolute or abstract socket path"* ]]
}
