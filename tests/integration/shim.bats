#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# ctr-shim driven as ctr-run drives it: spawned with a sync pipe, then spoken
# to on its socket by tests/lib/shimctl.py. Real runc, real cgroups; each
# test removes its container by id (runc --root of its own), its cgroups and
# the shim by pid.

load ../lib/helpers

setup() {
	require_root
	require_cmd jq /usr/sbin/runc
	[ -x /bin/busybox ] || skip "needs busybox-static"
	common_setup
	ID=t$RANDOM$RANDOM
	CG=ctrtest-$ID
	B=$BATS_TEST_TMPDIR/bundle
	SD=$CTR_STATE/default/$ID
	RR=$CTR_STATE/runtime/default
	RUNTIME=/usr/sbin/runc
	OUT=$BATS_TEST_TMPDIR/out
	PY=$(helpers_python)
	CTL="$PY $REPO_ROOT/tests/lib/shimctl.py"
	mkdir -p -m 0700 "$SD" "$RR"
}

teardown() {
	[ -f "$SD/shim.json" ] && track_pid "$(jq .pid "$SD/shim.json")"
	local d c
	for c in $(/usr/sbin/runc --root "$RR" list -q 2>/dev/null); do
		/usr/sbin/runc --root "$RR" delete -f "$c" 2>/dev/null || true
	done
	for d in /sys/fs/cgroup/*/"$CG" /sys/fs/cgroup/*/"$CG"-*; do
		[ -d "$d" ] && rmdir "$d" 2>/dev/null
	done
	common_teardown
}

# make_bundle CMD ARGS...: busybox rootfs and runc's default spec running CMD.
make_bundle() {
	local c args
	rm -rf "$B"
	mkdir -p "$B/rootfs/bin" "$B/rootfs/proc" "$B/rootfs/dev"
	cp /bin/busybox "$B/rootfs/bin/"
	for c in sh sleep echo cat true ls head tr; do ln -s busybox "$B/rootfs/bin/$c"; done
	(cd "$B" && /usr/sbin/runc spec)
	args=$("$PY" -c 'import json, sys; print(json.dumps(sys.argv[1:]))' "$@")
	jq --arg cg "/$CG" --argjson args "$args" \
		'.process.args = $args | .process.terminal = false | .linux.cgroupsPath = $cg' \
		"$B/config.json" >"$B/config.json.new"
	mv "$B/config.json.new" "$B/config.json"
}

# bundle_set JQ-EXPR: edit config.json.
bundle_set() {
	jq "$1" "$B/config.json" >"$B/config.json.new" && mv "$B/config.json.new" "$B/config.json"
}

# spawn_shim [SHIM-OPTS...]: as ctr-run does; $output is the sync line.
spawn_shim() {
	run $CTL spawn --stdout "$OUT" --stderr "$OUT" -- "$CTR_BIN/ctr-shim" --id "$ID" \
		--bundle "$B" --dir "$SD" --runtime "$RUNTIME" --runtime-root "$RR" --sync-fd '{sync}' "$@"
	[ -f "$SD/shim.json" ] && track_pid "$(jq .pid "$SD/shim.json")"
	return 0
}

# call JSON [OPTS]: one request; $output is the response.
call() {
	run $CTL call "$SD" "$@"
}

shim_pid() {
	jq .pid "$SD/shim.json"
}

# wait_gone PID: up to 5 s for the process to go.
wait_gone() {
	local i
	for ((i = 0; i < 100; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.05
	done
	echo "process $1 still alive" >&2
	return 1
}

start_sleeper() {
	make_bundle sleep 1000
	spawn_shim
	assert_status 0
	[ "$(json_get "$output" .ok)" = true ]
	PID=$(json_get "$output" .pid)
	call '{"op":"start"}'
	assert_status 0
}

@test "shim: output streams through the inherited stdout; exit 0 in exit.json and the wait" {
	make_bundle sh -c 'echo hello; echo oops >&2'
	spawn_shim
	assert_status 0
	[ "$(json_get "$output" .ok)" = true ]
	pid=$(json_get "$output" .pid)
	[ "$(stat -c %a "$SD/shim.sock")" = 600 ]
	call '{"op":"state"}'
	[ "$(json_get "$output" .status)" = created ]
	[ "$(json_get "$output" .pid)" = "$pid" ]
	shim=$(shim_pid)
	call '{"op":"start"}'
	assert_status 0
	call '{"op":"wait"}'
	assert_status 0
	# on disk before the answer: the file is there once the answer is
	[ -f "$SD/exit.json" ]
	[ "$(json_get "$output" .exit.status)" = 0 ]
	[ "$(json_get "$output" .exit.pid)" = "$pid" ]
	[ "$(jq .status "$SD/exit.json")" = 0 ]
	[ "$(jq .signal "$SD/exit.json")" = 0 ]
	[ "$(jq .oom "$SD/exit.json")" = false ]
	jq -e '.exited_at | test("^[0-9-]+T[0-9:]+\\.[0-9]{9}Z$")' "$SD/exit.json"
	grep -qx hello "$OUT"
	grep -qx oops "$OUT"
	# the container's exit was collected: the shim leaves
	wait_gone "$shim"
	[ ! -e "$SD/shim.sock" ]
	run $CTL alive "$SD"
	assert_status 1
}

@test "shim: exit code 3 and SIGKILL (128+9) reach exit.json and the wait" {
	make_bundle sh -c 'exit 3'
	spawn_shim
	assert_status 0
	call '{"op":"start"}'
	call '{"op":"wait"}'
	[ "$(json_get "$output" .exit.status)" = 3 ]
	[ "$(jq .status "$SD/exit.json")" = 3 ]
	wait_gone "$(shim_pid)"
	/usr/sbin/runc --root "$RR" delete -f "$ID"
	rm -f "$SD"/*

	start_sleeper
	call '{"op":"state"}'
	[ "$(json_get "$output" .status)" = running ]
	call '{"op":"kill","signal":9}'
	assert_status 0
	call '{"op":"wait"}'
	[ "$(json_get "$output" .exit.status)" = 137 ]
	[ "$(json_get "$output" .exit.signal)" = 9 ]
	[ "$(jq .status "$SD/exit.json")" = 137 ]
}

@test "shim: the container's init holds only fds 0, 1 and 2" {
	start_sleeper
	run ls "/proc/$PID/fd"
	[ "$(echo $output)" = "0 1 2" ]
	# sleep as pid 1 ignores SIGTERM: KILL to all processes, through the runtime
	call '{"op":"kill","signal":9,"all":true}'
	assert_status 0
	call '{"op":"wait"}'
	[ "$(json_get "$output" .exit.status)" = 137 ]
}

@test "shim: the caller SIGKILLed after the sync; a new client gets state, kill and wait" {
	make_bundle sleep 1000
	$CTL spawn --hang --stdout "$OUT" --stderr "$OUT" -- "$CTR_BIN/ctr-shim" --id "$ID" \
		--bundle "$B" --dir "$SD" --runtime "$RUNTIME" --runtime-root "$RR" \
		--sync-fd '{sync}' >"$BATS_TEST_TMPDIR/sync" 3>&- &
	caller=$!
	track_pid "$caller"
	for ((i = 0; i < 100; i++)); do
		[ -s "$BATS_TEST_TMPDIR/sync" ] && break
		sleep 0.05
	done
	pid=$(jq .pid "$BATS_TEST_TMPDIR/sync")
	track_pid "$(shim_pid)"
	kill -KILL "$caller"
	wait_gone "$caller"
	call '{"op":"start"}'
	assert_status 0
	call '{"op":"state"}'
	[ "$(json_get "$output" .status)" = running ]
	kill -0 "$pid"
	call '{"op":"kill","signal":9}'
	assert_status 0
	call '{"op":"wait"}'
	[ "$(json_get "$output" .exit.status)" = 137 ]
}

@test "shim: the shim SIGKILLed leaves the container running; liveness says gone; runc cleans up" {
	start_sleeper
	shim=$(shim_pid)
	run $CTL alive "$SD"
	assert_status 0
	kill -KILL "$shim"
	wait_gone "$shim"
	kill -0 "$PID"
	run $CTL alive "$SD"
	assert_status 1
	[ "$output" = gone ]
	[ ! -e "$SD/exit.json" ] # never a made-up exit code
	/usr/sbin/runc --root "$RR" kill "$ID" KILL
	/usr/sbin/runc --root "$RR" delete -f "$ID"
	wait_gone "$PID"
	[ ! -d "/sys/fs/cgroup/memory/$CG" ]
}

@test "shim: the runtime failing at create: the sync line has its error, nothing is left" {
	make_bundle true
	RUNTIME=$REPO_ROOT/tests/fixtures/fake-runtime.sh
	for mode in create-fail create-nopid create-crash; do
		FAKE_RUNTIME_MODE=$mode spawn_shim
		assert_status 1
		[ "$(echo "$output" | head -1 | jq .ok)" = false ]
		echo "$output" | grep -qx 'shim-exit 111'
		case $mode in
		create-fail) echo "$output" | head -1 | jq -e '.error | test("create failed on purpose")' ;;
		create-nopid) echo "$output" | head -1 | jq -e '.error | test("no pid file")' ;;
		create-crash) echo "$output" | head -1 | jq -e '.error | test("signal 9")' ;;
		esac
		[ -z "$(ls -A "$SD")" ]
		[ -z "$(/usr/sbin/runc --root "$RR" list -q)" ]
	done
}

@test "shim: the runtime failing at start: an error response; kill still works" {
	make_bundle true
	RUNTIME=$REPO_ROOT/tests/fixtures/fake-runtime.sh
	FAKE_RUNTIME_MODE=start-fail spawn_shim
	assert_status 0
	call '{"op":"start"}'
	assert_status 1
	json_get "$output" .error | grep -q 'start failed on purpose'
	call '{"op":"state"}'
	[ "$(json_get "$output" .status)" = created ]
	call '{"op":"kill","signal":9}'
	call '{"op":"wait"}'
	[ "$(json_get "$output" .exit.status)" = 137 ]
}

@test "shim: --start runs in one runtime call; --runtime-delete deletes before the shim leaves" {
	make_bundle sh -c 'echo hi; sleep 2; exit 4'
	RUNTIME=$REPO_ROOT/tests/fixtures/fake-runtime.sh
	export FAKE_RUNTIME_TRACE=$BATS_TEST_TMPDIR/trace
	spawn_shim --start --runtime-delete
	assert_status 0
	[ "$(json_get "$output" .ok)" = true ]
	shim=$(shim_pid)
	call '{"op":"state"}'
	[ "$(json_get "$output" .status)" = running ]
	call '{"op":"start"}'
	assert_status 1
	call '{"op":"wait"}'
	[ "$(json_get "$output" .exit.status)" = 4 ]
	wait_gone "$shim"
	grep -qx hi "$OUT"
	# one call made it run, one removed it; no create, no start
	[ "$(cat "$FAKE_RUNTIME_TRACE" | tr '\n' ' ')" = "run delete " ]
	! /usr/sbin/runc --root "$RR" state "$ID" 2>/dev/null || false
	! ls -d /sys/fs/cgroup/*/"$CG" 2>/dev/null || false
	[ "$(jq .status "$SD/exit.json")" = 4 ]

	# a failing run: the error on the sync line, nothing left
	rm -f "$SD"/* "$FAKE_RUNTIME_TRACE"
	FAKE_RUNTIME_MODE=start-fail spawn_shim --start
	assert_status 1
	echo "$output" | head -1 | jq -e '.error | test("start failed on purpose")'
	[ -z "$(ls -A "$SD")" ]
	[ -z "$(/usr/sbin/runc --root "$RR" list -q)" ]
}

@test "shim: a client that never reads, a 1.5 MB line and garbage JSON; others are still served" {
	start_sleeper
	shim=$(shim_pid)
	SD=$SD "$PY" - <<'EOF'
import json, os, socket, sys
sys.path.insert(0, os.environ["REPO_ROOT"] + "/tests/lib")
import shimctl
sd = os.environ["SD"]
# a client that sends and never reads: its answers pile up until it is dropped
lazy = shimctl.connect(sd)
lazy.setblocking(False)
sent = 0
try:
    for _ in range(200000):
        sent += lazy.send(b'{"op":"state"}\n' * 64)
except BlockingIOError:
    pass
# garbage, then a good request on the same connection
g = shimctl.connect(sd)
r = shimctl.request(g, "{this is not json")
assert r["ok"] is False and "JSON" in r["error"], r
r = shimctl.request(g, '"just a string"')
assert r["ok"] is False, r
r = shimctl.request(g, {"op": "no-such-op"})
assert r["ok"] is False and "unknown op" in r["error"], r
assert shimctl.request(g, {"op": "state"})["status"] == "running"
# a line over 1 MiB: an error, then that client is closed
big = shimctl.connect(sd)
big.settimeout(20)
try:
    big.sendall(b'{"op":"state","pad":"' + b"x" * 1500000 + b'"}\n')
except (BrokenPipeError, ConnectionResetError):
    pass
resp = shimctl.readline(big)
assert "longer than" in resp, resp
try:
    assert big.recv(10) == b""
except ConnectionResetError:
    pass  # closed with our unread input queued: a reset instead of EOF
# and another client is served as before
c = shimctl.connect(sd)
assert shimctl.request(c, {"op": "state"})["status"] == "running"
print("ok", sent)
EOF
	kill -0 "$shim"
	# the shim gave the memory back (sizes: the plain build's only)
	rss=$(awk '/^VmRSS/ {print $2}' "/proc/$shim/status")
	sanitized_build || [ "$rss" -lt 8000 ]
	call '{"op":"kill","signal":9}'
	call '{"op":"wait"}'
	[ "$(json_get "$output" .exit.status)" = 137 ]
}

@test "shim: exec with stdio passed by SCM_RIGHTS; its exit code in the wait and exec-ID.json" {
	start_sleeper
	proc='{"args":["sh","-c","echo out; echo err >&2; read x; echo got $x; exit 5"],"cwd":"/","env":["PATH=/bin"]}'
	echo line-in >"$BATS_TEST_TMPDIR/in"
	call "{\"op\":\"exec\",\"id\":\"e1\",\"process\":$proc}" --stdin "$BATS_TEST_TMPDIR/in" \
		--stdout "$BATS_TEST_TMPDIR/eout" --stderr "$BATS_TEST_TMPDIR/eerr"
	assert_status 0
	epid=$(json_get "$output" .pid)
	[ "$epid" -gt 0 ]
	call '{"op":"wait","exec":"e1"}'
	assert_status 0
	[ "$(json_get "$output" .exit.status)" = 5 ]
	[ "$(jq .status "$SD/exec-e1.json")" = 5 ]
	[ "$(jq -r .id "$SD/exec-e1.json")" = e1 ]
	grep -qx out "$BATS_TEST_TMPDIR/eout"
	grep -qx 'got line-in' "$BATS_TEST_TMPDIR/eout"
	grep -qx err "$BATS_TEST_TMPDIR/eerr"
	# nothing of the shim leaks into an exec process either
	call '{"op":"exec","id":"e2","process":{"args":["sh","-c","ls /proc/$$/fd; true"],"cwd":"/","env":["PATH=/bin"]}}' \
		--stdout "$BATS_TEST_TMPDIR/e2out"
	assert_status 0
	call '{"op":"wait","exec":"e2"}'
	[ "$(echo $(cat "$BATS_TEST_TMPDIR/e2out"))" = "0 1 2" ]
	# an id in use, a bad id, and a wait for an unknown one
	call "{\"op\":\"exec\",\"id\":\"e1\",\"process\":$proc}"
	assert_status 1
	call "{\"op\":\"exec\",\"id\":\"../x\",\"process\":$proc}"
	assert_status 1
	call '{"op":"wait","exec":"nope"}'
	assert_status 1
	# the container runs on
	call '{"op":"state"}'
	[ "$(json_get "$output" .status)" = running ]
	call '{"op":"kill","signal":9}'
}

@test "shim: events stream start and exit; stats read the container's cgroup" {
	make_bundle sh -c 'sleep 2; exit 7'
	spawn_shim
	assert_status 0
	$CTL events "$SD" 2 --timeout 20 >"$BATS_TEST_TMPDIR/events" &
	ev=$!
	for ((i = 0; i < 100; i++)); do
		[ -s "$BATS_TEST_TMPDIR/events" ] && break
		sleep 0.05
	done
	call '{"op":"start"}'
	call '{"op":"stats"}'
	assert_status 0
	[ "$(json_get "$output" .pids.current)" -ge 1 ]
	[ "$(json_get "$output" .memory.usage)" -gt 0 ]
	wait "$ev"
	sed -n 2p "$BATS_TEST_TMPDIR/events" | jq -e '.event == "start"'
	sed -n 3p "$BATS_TEST_TMPDIR/events" | jq -e '.event == "exit" and .exit.status == 7'
}

@test "shim: an OOM kill is flagged in exit.json" {
	make_bundle sh -c 'x=$(head -c 200000000 /dev/zero | tr "\0" a); echo survived'
	bundle_set '.linux.resources.memory = {"limit": 16777216, "swap": 16777216}'
	spawn_shim
	assert_status 0
	call '{"op":"start"}'
	call '{"op":"wait"}'
	assert_status 0
	[ "$(jq .oom "$SD/exit.json")" = true ]
	[ "$(json_get "$output" .exit.oom)" = true ]
}

@test "shim: a state dir path over 108 bytes works (socket relative, console via /proc)" {
	SD=$CTR_STATE/default/$(printf 'd%.0s' {1..60})/$(printf 'e%.0s' {1..60})/$ID
	mkdir -p -m 0700 "$SD"
	make_bundle sh -c 'tty; echo hi-from-tty'
	bundle_set '.process.terminal = true'
	spawn_shim --tty
	assert_status 0
	call '{"op":"resize","width":100,"height":40}'
	assert_status 0
	call '{"op":"start"}'
	call '{"op":"wait"}'
	[ "$(json_get "$output" .exit.status)" = 0 ]
	grep -q '^/dev/pts/' "$OUT"
	grep -q 'hi-from-tty' "$OUT"
}

@test "shim: exit command runs with the id; bad usage exits 100" {
	make_bundle true
	spawn_shim --exit-command /bin/sh --exit-command-arg -c \
		--exit-command-arg "echo \"\$0\" >$BATS_TEST_TMPDIR/exitcmd"
	assert_status 0
	call '{"op":"start"}'
	call '{"op":"wait"}'
	for ((i = 0; i < 100; i++)); do
		[ -s "$BATS_TEST_TMPDIR/exitcmd" ] && break
		sleep 0.05
	done
	[ "$(cat "$BATS_TEST_TMPDIR/exitcmd")" = "$ID" ]
	run "$CTR_BIN/ctr-shim" --id "$ID"
	assert_status 100
	run "$CTR_BIN/ctr-shim" --id "$ID" --bundle "$B" --dir "$SD" --runtime x \
		--runtime-root "$RR" --sync-fd 77
	assert_status 100
	assert_output_contains "not an open descriptor"
}

# PSS splits a page among its mappers: the shared libraries' text counts for
# little and varies with the machine; the anonymous part (data, heap, stack,
# what the loader dirties) is each shim's own: 118 KiB at ea57b12, 136 KiB
# before the shim took jansson in statically, its output buffer left bss and
# it trimmed its heap once a client went, 116 KiB after. libc's and the
# loader's share of a shim's PSS (87-95 KiB of it here) moves with how many
# other processes of the host map them: a bound on the total PSS failed on a
# quiet machine (178-181 KiB with the same binary that measured 141-154 KiB
# beside a busy one), so the bound is on the rest, the shim's own mappings:
# 81-85 KiB (anonymous 36, stack 20-24, heap 12, its binary 13).
@test "shim: 20 running shims cost at most 100 KiB PSS beside libc (126 KiB anonymous) each, map no library but libc and use no CPU while idle" {
	make_bundle sleep 1000
	local i n=20 pids=() pss total=0 own=0 anon=0 t0=0 t1=0
	for ((i = 1; i <= n; i++)); do
		mkdir -p "$BATS_TEST_TMPDIR/b$i" && mkdir -m 0700 -p "$CTR_STATE/default/$ID-$i"
		jq --arg cg "/$CG-$i" --arg root "$B/rootfs" '.root.path = $root | .linux.cgroupsPath = $cg' \
			"$B/config.json" >"$BATS_TEST_TMPDIR/b$i/config.json"
		run $CTL spawn -- "$CTR_BIN/ctr-shim" --id "$ID-$i" --bundle "$BATS_TEST_TMPDIR/b$i" \
			--dir "$CTR_STATE/default/$ID-$i" --runtime "$RUNTIME" --runtime-root "$RR" --sync-fd '{sync}'
		assert_status 0
		pids+=("$(jq .pid "$CTR_STATE/default/$ID-$i/shim.json")")
		track_pid "${pids[-1]}"
		run $CTL call "$CTR_STATE/default/$ID-$i" '{"op":"start"}'
		assert_status 0
	done
	for p in "${pids[@]}"; do
		pss=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup")
		total=$((total + pss))
		own=$((own + $(awk '/^[0-9a-f]+-[0-9a-f]+ / {lib = $6 ~ /\/(libc\.so\.6|ld-linux[-a-z0-9_]*\.so\.[0-9])$/}
			/^Pss:/ && !lib {sum += $2} END {print sum + 0}' "/proc/$p/smaps")))
		anon=$((anon + $(awk '/^Pss_Anon:/ {print $2}' "/proc/$p/smaps_rollup")))
		t0=$((t0 + $(awk '{print $14 + $15}' "/proc/$p/stat")))
	done
	echo "# average PSS $((total / n)) KiB ($((own / n)) KiB beside libc and the loader, $((anon / n)) KiB anonymous) over $n shims" >&3
	sanitized_build || [ $((own / n)) -le 100 ]
	sanitized_build || [ $((anon / n)) -le 126 ]
	# each shared object costs every shim the pages the loader dirties for it
	sanitized_build || ! awk '$6 ~ /\.so/ {print $6}' "/proc/${pids[0]}/maps" |
		grep -vE '/(libc\.so\.6|ld-linux[-a-z0-9_]*\.so\.[0-9])$' || false
	sleep 3
	for p in "${pids[@]}"; do
		t1=$((t1 + $(awk '{print $14 + $15}' "/proc/$p/stat")))
	done
	[ "$t0" = "$t1" ]
	for ((i = 1; i <= n; i++)); do
		/usr/sbin/runc --root "$RR" kill "$ID-$i" KILL
	done
	for p in "${pids[@]}"; do wait_gone "$p"; done
	for ((i = 1; i <= n; i++)); do
		/usr/sbin/runc --root "$RR" delete -f "$ID-$i"
		[ "$(jq .status "$CTR_STATE/default/$ID-$i/exit.json")" = 137 ]
	done
}

@test "shim: with --tty --stdin-open, input reaches the container through the PTY" {
	make_bundle sh -c 'read x; echo "got-$x"'
	bundle_set '.process.terminal = true'
	mkfifo "$BATS_TEST_TMPDIR/in"
	(echo hello-in >"$BATS_TEST_TMPDIR/in") &
	run $CTL spawn --stdin "$BATS_TEST_TMPDIR/in" --stdout "$OUT" --stderr "$OUT" -- \
		"$CTR_BIN/ctr-shim" --id "$ID" --bundle "$B" --dir "$SD" --runtime "$RUNTIME" \
		--runtime-root "$RR" --sync-fd '{sync}' --tty --stdin-open
	assert_status 0
	track_pid "$(shim_pid)"
	call '{"op":"start"}'
	call '{"op":"wait"}'
	[ "$(json_get "$output" .exit.status)" = 0 ]
	grep -q 'got-hello-in' "$OUT"
	call '{"op":"close-stdin"}' # no shim any more: the client says so
	assert_status 111
}
