#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# ctr-run under a systemd Type=notify unit, without systemd: $NOTIFY_SOCKET
# points at a datagram socket this file listens on. With --sdnotify=conmon
# (the default) READY=1 comes from the unit's main process: ctr-run itself
# in the foreground, the shim (with its MAINPID) for a detached container.
# With --sdnotify=container it comes from the container, relayed by the
# shim; busybox has no systemd-notify, so a static probe (built here) is
# bind-mounted on /probe and sends its arguments as one datagram.

bats_require_minimum_version 1.5.0
load ../lib/helpers
load ../lib/registry
load ../lib/containers

setup_file() {
	busybox_registry_start
	build_probe
}
teardown_file() { busybox_registry_stop; }

setup() {
	containers_setup python3
	GOT=$BATS_TEST_TMPDIR/notified
	PROBE=$BATS_FILE_TMPDIR/probe
	PROBE_MOUNT="type=bind,src=$PROBE,dst=/probe,options=ro"
}

# build_probe: $BATS_FILE_TMPDIR/probe/sdnotify LINE...: the lines as one
# datagram to $NOTIFY_SOCKET (a path), exit 1 without one. Static: the
# busybox image has no libc. Left out without gcc; require_probe skips.
build_probe() {
	mkdir -p "$BATS_FILE_TMPDIR/probe"
	command -v gcc >/dev/null || return 0
	cat >"$BATS_FILE_TMPDIR/sdnotify.c" <<'SRC'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
int main(int argc, char **argv)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	const char *path = getenv("NOTIFY_SOCKET");
	char msg[4096] = "";
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

	if (!path || strlen(path) >= sizeof(sa.sun_path)) {
		fputs("sdnotify: no NOTIFY_SOCKET\n", stderr);
		return 1;
	}
	strcpy(sa.sun_path, path);
	for (int i = 1; i < argc; i++)
		strncat(strncat(msg, argv[i], sizeof(msg) - strlen(msg) - 2), "\n", 2);
	if (sendto(fd, msg, strlen(msg), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("sdnotify");
		return 1;
	}
	return 0;
}
SRC
	gcc -static -O2 -o "$BATS_FILE_TMPDIR/probe/sdnotify" "$BATS_FILE_TMPDIR/sdnotify.c"
}

require_probe() {
	[ -x "$PROBE/sdnotify" ] || skip "needs gcc -static to build the notify probe"
}

teardown() { containers_teardown; }

# listen ADDR: receive datagrams on ADDR (a path, or @name for the abstract
# namespace), one per line in $GOT with newlines as "|"; the listener is
# tracked for teardown.
listen() {
	"$(helpers_python)" -I -c '
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

# wait_notified [N]: wait up to 5 s for N datagrams (default 1).
wait_notified() {
	local i n=${1:-1}
	for ((i = 0; i < 100; i++)); do
		[ "$(wc -l 2>/dev/null <"$GOT" || echo 0)" -ge "$n" ] && return 0
		sleep 0.05
	done
	echo "got $(wc -l 2>/dev/null <"$GOT" || echo 0) datagrams, not $n" >&2
	return 1
}

# init_pid ID: the host pid of the container's init.
init_pid() {
	ctr-run state "$1" | jq -er .pid
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

@test "notify: --sdnotify=container relays the container's READY=1, with its init as MAINPID, when it says it" {
	require_probe
	local sock=$BATS_TEST_TMPDIR/notify.sock out=$BATS_TEST_TMPDIR/out id pid
	listen "$sock"
	id=$(cid notifyc)
	NOTIFY_SOCKET=$sock ctr-run run --rm --sdnotify=container --name "$id" \
		--mount "$PROBE_MOUNT" "$IMG" -- \
		sh -c 'echo up; sleep 1; /probe/sdnotify STATUS=serving MAINPID=1 READY=1 FDSTORE=1 X=y; sleep 30' \
		>"$out" &
	track_pid $!
	wait_for_file_text "$out" up
	sleep 0.5
	# running, and the container has not said it yet: neither ctr-run nor the shim may
	[ "$(ctr-run state "$id" | jq -r .status)" = running ]
	[ ! -s "$GOT" ]
	wait_notified
	pid=$(init_pid "$id")
	[ "$(cat "$GOT")" = "STATUS=serving|READY=1|MAINPID=$pid|" ]
	# a host pid, and the one that is pid 1 in the container
	[ "$(awk '/^NSpid:/ { print $NF }' "/proc/$pid/status")" = 1 ]
	[ "$pid" != 1 ]
}

@test "notify: --sdnotify=container with -d: the socket is mounted nosuid,nodev,noexec; MAINPID once; gone with the container" {
	require_probe
	local sock=$BATS_TEST_TMPDIR/notify.sock id pid sd
	listen "$sock"
	id=$(cid notifycd)
	sd=$CTR_STATE/default/$id
	NOTIFY_SOCKET=$sock ctr-run run -d --sdnotify=container --name "$id" \
		--mount "$PROBE_MOUNT" "$IMG" -- \
		sh -c '/probe/sdnotify READY=1 WATCHDOG=1; /probe/sdnotify STATUS=reloaded READY=1; sleep 1000' \
		>/dev/null
	wait_notified 2
	pid=$(init_pid "$id")
	[ "$(cat "$GOT")" = "READY=1|WATCHDOG=1|MAINPID=$pid|
STATUS=reloaded|READY=1|" ]
	[ -S "$sd/notify/notify.sock" ]
	run ctr-run exec "$id" -- sh -c 'echo "$NOTIFY_SOCKET"; grep " /run/notify " /proc/self/mountinfo'
	assert_status 0
	[ "${lines[0]}" = /run/notify/notify.sock ]
	# read-only: the container sends there but writes nothing in our state dir
	[[ "${lines[1]}" == *" ro,nosuid,nodev,noexec"* ]]
	run ctr-run exec "$id" -- touch /run/notify/fill
	assert_status 1
	[ ! -e "$sd/notify/fill" ]
	ctr-run delete -f "$id"
	assert_clean "$id"
}

@test "notify: --sdnotify=container with create and start: no READY=1 at start, the container's later" {
	require_probe
	local sock=$BATS_TEST_TMPDIR/notify.sock id
	listen "$sock"
	id=$(cid notifycs)
	NOTIFY_SOCKET=$sock ctr-run create --sdnotify=container --name "$id" \
		--mount "$PROBE_MOUNT" "$IMG" -- \
		sh -c 'sleep 1; /probe/sdnotify READY=1; sleep 1000' >/dev/null
	NOTIFY_SOCKET=$sock ctr-run start "$id"
	sleep 0.5
	[ ! -s "$GOT" ]
	wait_notified
	[ "$(cat "$GOT")" = "READY=1|MAINPID=$(init_pid "$id")|" ]
}

@test "notify: --sdnotify=container to an abstract socket (@name)" {
	require_probe
	local name="@ctr-test-notify-$$-$BATS_TEST_NUMBER" id
	listen "$name"
	id=$(cid notifyca)
	NOTIFY_SOCKET=$name ctr-run run -d --sdnotify=container --name "$id" \
		--mount "$PROBE_MOUNT" "$IMG" -- \
		sh -c '/probe/sdnotify READY=1; sleep 1000' >/dev/null
	wait_notified
	[ "$(cat "$GOT")" = "READY=1|MAINPID=$(init_pid "$id")|" ]
}

@test "notify: --sdnotify=container without NOTIFY_SOCKET mounts nothing" {
	local id
	id=$(cid notifycn)
	env -u NOTIFY_SOCKET ctr-run run -d --sdnotify=container --name "$id" "$IMG" -- sleep 1000 >/dev/null
	run ctr-run exec "$id" -- sh -c 'env; cat /proc/self/mountinfo'
	assert_status 0
	[[ "$output" != *NOTIFY_SOCKET* && "$output" != */run/notify* ]]
	[ ! -e "$CTR_STATE/default/$id/notify" ]
}

@test "notify: --sdnotify=ignore sends nothing and passes nothing in" {
	require_probe
	local sock=$BATS_TEST_TMPDIR/notify.sock id
	listen "$sock"
	NOTIFY_SOCKET=$sock ctr-run run --rm --sdnotify=ignore "$IMG" -- true
	id=$(cid notifyi)
	NOTIFY_SOCKET=$sock ctr-run run -d --sdnotify=ignore --name "$id" \
		--mount "$PROBE_MOUNT" "$IMG" -- \
		sh -c '/probe/sdnotify READY=1 >/tmp/probe.out 2>&1; sleep 1000' >/dev/null
	run ctr-run exec "$id" -- sh -c 'sleep 0.3; cat /tmp/probe.out; env; cat /proc/self/mountinfo'
	assert_status 0
	[[ "$output" == *"no NOTIFY_SOCKET"* ]]
	[[ "$output" != *NOTIFY_SOCKET=* && "$output" != */run/notify* ]]
	sleep 0.2
	[ ! -s "$GOT" ]
}

@test "notify: a bad --sdnotify is refused with one line, and nothing is made" {
	local sock=$BATS_TEST_TMPDIR/notify.sock
	run --separate-stderr env NOTIFY_SOCKET="$sock" ctr-run run --sdnotify=bogus --name bad "$IMG" -- true
	assert_status 125
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == *"--sdnotify 'bogus'"* ]]
	run --separate-stderr ctr-run create --sdnotify=bogus --name bad "$IMG" -- true
	assert_status 100
	[ "${#stderr_lines[@]}" -eq 1 ]
	[ "$(ctr-run ls --json | jq length)" = 0 ]
	[ ! -e "$CTR_STATE/default/bad" ] && [ ! -e "$CTR_ROOT/containers/default/bad" ]
}

@test "notify: the systemd unit in ctr-run(8)'s EXAMPLES passes systemd-analyze verify" {
	require_cmd systemd-analyze
	local unit=$BATS_TEST_TMPDIR/ctr-web.service man=$BATS_TEST_DIRNAME/../../man/ctr-run.8
	awk '/^\[Unit\]$/ { on = 1 } on && /^\.Ed$/ { exit } on' "$man" |
		sed "s|/usr/local/bin/ctr-run|$(command -v ctr-run)|" >"$unit"
	grep -qx 'Type=notify' "$unit"
	grep -qx 'NotifyAccess=all' "$unit"
	grep -q -- 'run --rm --sdnotify=container' "$unit"
	# unknown keys and bad values are only warnings: stderr must be empty too
	run --separate-stderr systemd-analyze verify "$unit"
	assert_status 0
	[ -z "$stderr" ]
}
