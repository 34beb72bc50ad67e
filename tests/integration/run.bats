#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# ctr-run with real runc, real overlayfs and the busybox image pulled from a
# real registry through ctr-pull and ctr-unpack.

bats_require_minimum_version 1.5.0
load ../lib/helpers
load ../lib/registry
load ../lib/containers

setup_file() { busybox_registry_start; }
teardown_file() { busybox_registry_stop; }
setup() { containers_setup; }
teardown() {
	containers_remove_noted
	cgroup_tree_remove "ctrtest-cgp$$" "ctrtestcgp$$.slice"
	common_teardown
}

# A committed snapshot derived from the image with SCRIPT run in its root;
# prints the path of a snapshot document pointing at it.
derive_image() {
	local name=$1 script=$2 mnt=$BATS_TEST_TMPDIR/derive
	mkdir -p "$mnt"
	ctr-snapshot prepare --parent "$(jq -r .chain_id "$SNAP")" "work-$name" >/dev/null
	ctr-snapshot mount "work-$name" "$mnt"
	(cd "$mnt" && eval "$script")
	ctr-snapshot umount "$mnt"
	ctr-snapshot commit "$name" "work-$name" >/dev/null
	jq --arg k "$name" '.key = $k' "$SNAP" >"$BATS_TEST_TMPDIR/$name.json"
	echo "$BATS_TEST_TMPDIR/$name.json"
}

@test "run: the pipeline pull | unpack | run --rm prints hello and leaves nothing" {
	run --separate-stderr bash -c 'ctr-pull -q "$1" | ctr-unpack | ctr-run run --rm - -- echo hello' _ "$IMG"
	assert_status 0
	[ "$output" = hello ]
	[ -z "$(ls "$CTR_ROOT/containers/default")" ]
	[ "$(mountinfo_points)" = "$MI_BEFORE" ]
}

@test "run: exit codes pass through; 127 not found, 126 not executable" {
	run ctr-run run --rm "$IMG" -- sh -c 'exit 3'
	assert_status 3
	run ctr-run run --rm "$IMG" -- false
	assert_status 1
	run -127 ctr-run run --rm "$IMG" -- /no/such/command
	assert_status 127
	assert_output_contains "ctr-run: fatal:"
	run ctr-run run --rm "$IMG" -- /etc/passwd
	assert_status 126
	[ -z "$(ls "$CTR_ROOT/containers/default")" ]
	[ "$(mountinfo_points)" = "$MI_BEFORE" ]
}

# The runtime's own stderr line is not printed: its words are in ours.
@test "run: a runtime failure is one line of ours with the runtime's words" {
	local fake=$REPO_ROOT/tests/fixtures/fake-runtime.sh
	one_line() { # STATUS OPTIONS... -- CMD
		local want=$1
		shift
		run "-$want" --separate-stderr ctr-run run --rm "${@/IMG/$IMG}" </dev/null
		echo "$* -> $status: $stderr"
		assert_status "$want"
		[ "${#stderr_lines[@]}" = 1 ]
		[[ "$stderr" == "ctr-run: fatal: runc run failed: "* ]]
	}
	one_line 127 IMG -- /no/such/command
	one_line 126 IMG -- /etc/passwd
	one_line 125 --cwd /etc/passwd IMG -- true
	[[ "$stderr" == *"mkdir /etc/passwd: not a directory" ]]
	one_line 125 --memory 1 IMG -- true
	one_line 127 -t IMG -- /no/such/command
	one_line 127 -d --stdio inherit IMG -- /nope
	[[ "$stderr" == *'exec: "/nope": stat /nope: no such file or directory' ]]
	# a runtime that logs nothing: its last stderr line is folded into ours
	run --separate-stderr env FAKE_RUNTIME_MODE=create-unlogged \
		ctr-run run --rm --runtime "$fake" "$IMG" -- true
	assert_status 125
	[ "${#stderr_lines[@]}" = 1 ]
	[[ "$stderr" == "ctr-run: fatal: "*": fake runtime: unlogged failure" ]]
	# what the container writes on stderr still comes, all of it
	run --separate-stderr ctr-run run --rm "$IMG" -- sh -c 'yes e | head -c 200000 >&2; echo out'
	assert_status 0
	[ "$output" = out ]
	[ "${#stderr}" = 199999 ] # bats strips the last newline
	[ -z "$(ls "$CTR_ROOT/containers/default")" ]
	[ "$(mountinfo_points)" = "$MI_BEFORE" ]
}

@test "run: env, user, cwd and labels from options and the image" {
	run --separate-stderr ctr-run run --rm -e FOO=bar -e PATH=/bin --user app --cwd /tmp "$IMG" \
		-- sh -c 'echo "$FOO:$PATH"; id -u; id -g; pwd; hostname'
	assert_status 0
	[ "${lines[0]}" = "bar:/bin" ]
	[ "${lines[1]}" = 1000 ]
	[ "${lines[3]}" = /tmp ]
	run --separate-stderr ctr-run run --rm --user 1234:55 --hostname box "$IMG" -- sh -c 'id -u; id -g; hostname'
	assert_status 0
	[ "$output" = "$(printf '1234\n55\nbox')" ]
}

@test "run: stdin is piped through with -i, and the init holds only fds 0, 1, 2" {
	run --separate-stderr bash -c 'printf "line1\nline2\n" | ctr-run run --rm -i "$1" -- cat' _ "$IMG"
	assert_status 0
	[ "$output" = "$(printf 'line1\nline2')" ]
	# pid 1 is sleep, not a shell: a shell holds pipes and saved fds of its own
	local id
	id=$(cid fds)
	ctr-run run -d --name "$id" "$IMG" -- sleep 1000 >/dev/null
	run --separate-stderr ctr-run exec "$id" -- ls /proc/1/fd
	assert_status 0
	[ "$(echo $output)" = "0 1 2" ] || { echo "fds: $output"; false; }
	ctr-run kill -s KILL "$id"
	ctr-run delete -f "$id"
	assert_clean "$id"
}

@test "run: a TTY session through script(1)" {
	require_cmd script
	run script -qec "ctr-run run --rm -t -i $IMG -- sh -c 'tty; test -t 0 && echo is-a-tty; exit 6'" /dev/null
	assert_status 6
	assert_output_contains "/dev/pts/"
	assert_output_contains "is-a-tty"
}

@test "run: SIGTERM to the caller reaches the container's trap handler" {
	local id out=$BATS_TEST_TMPDIR/out pid rc=0
	id=$(cid fgterm)
	ctr-run run --rm --name "$id" "$IMG" -- sh -c \
		'trap "echo trapped; exit 5" TERM; echo ready; while :; do sleep 0.1; done' >"$out" 2>&1 &
	pid=$!
	track_pid $pid
	wait_for_file_text "$out" ready
	kill -TERM $pid
	wait $pid || rc=$?
	[ "$rc" = 5 ]
	grep -q trapped "$out"
	assert_clean "$id"
}

@test "run: detached, then kill -s KILL, wait reports 137" {
	local id
	id=$(cid det)
	ctr-run run -d --name "$id" "$IMG" -- sleep 1000 >/dev/null
	run ctr-run state "$id"
	assert_status 0
	[ "$(jq -r .status <<<"$output")" = running ]
	ctr-run kill -s KILL "$id"
	run --separate-stderr ctr-run wait "$id"
	assert_status 137
	[ "$(jq -r .signal <<<"$output")" = 9 ]
	ctr-run delete "$id"
	assert_clean "$id"
}

@test "run: exec into a running container; pause and resume; stats move; ps" {
	local id s1 s2
	id=$(cid ex)
	ctr-run run -d --name "$id" "$IMG" -- sh -c 'while :; do sleep 0.1; done' >/dev/null
	run --separate-stderr ctr-run exec -e X=1 --user app --cwd /tmp "$id" -- sh -c 'echo "$X"; id -u; pwd; exit 4'
	assert_status 4
	[ "$output" = "$(printf '1\n1000\n/tmp')" ]
	run -127 --separate-stderr ctr-run exec "$id" -- /nope
	assert_status 127
	# the runtime's words in our one line, not its line then ours
	[ "${#stderr_lines[@]}" = 1 ]
	[[ $stderr == "ctr-run: fatal: exec: "*'exec: "/nope": stat /nope: no such file or directory' ]]
	run -126 --separate-stderr ctr-run exec "$id" -- /etc/passwd
	[ "${#stderr_lines[@]}" = 1 ]
	run --separate-stderr ctr-run exec --cwd /etc/passwd "$id" -- true
	assert_status 125
	[ "${#stderr_lines[@]}" = 1 ]
	run --separate-stderr ctr-run exec "$id" -- sh -c 'echo out; echo err >&2'
	[ "$output $stderr" = "out err" ]
	ctr-run pause "$id"
	[ "$(ctr-run state "$id" | jq -r .status)" = paused ]
	[ "$(ctr-run ls --json | jq -r '.[0].status')" = paused ]
	ctr-run resume "$id"
	[ "$(ctr-run state "$id" | jq -r .status)" = running ]
	s1=$(ctr-run stats --json "$id" | jq .cpu.usage_ns)
	ctr-run exec "$id" -- sh -c 'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done'
	s2=$(ctr-run stats --json "$id" | jq .cpu.usage_ns)
	[ "$s2" -gt "$s1" ]
	[ "$(ctr-run stats --json "$id" | jq .pids.current)" -ge 1 ]
	run ctr-run ps --json "$id"
	assert_status 0
	[ "$(jq length <<<"$output")" -ge 1 ]
	ctr-run update --memory 64m --pids-limit 50 "$id"
	[ "$(ctr-run stats --json "$id" | jq .memory.limit)" = $((64 << 20)) ]
	run ctr-run delete "$id"
	assert_status 100
	assert_output_contains "delete -f"
	ctr-run delete -f "$id"
	assert_clean "$id"
}

@test "run: an exec that ends the container: its status, even when the shim leaves before the exec's wait reaches it" {
	local id i
	# the shim leaves once the init is gone and its clients are answered; an
	# exec's wait that comes later reads exec-EID.json (failed 1 of 30 by hand on
	# the old build: "the shim went away without an exit status", 125)
	for i in $(seq 25); do
		id=$(cid "exk$i")
		ctr-run run -d --name "$id" "$IMG" -- sh -c 'trap "exit 0" TERM; while :; do sleep 0.05; done' >/dev/null
		run --separate-stderr ctr-run exec "$id" -- sh -c 'kill 1; exit 7'
		# 7, or 137 when the init's exit came first (the kernel kills what is
		# left in its pid namespace); never 125 for a status lost
		[ "$status" = 7 ] || [ "$status" = 137 ] || { echo "round $i: $status $stderr"; false; }
		ctr-run delete -f "$id"
		assert_clean "$id"
	done
}

@test "run: a container of the same name and namespace in another store: refused, its cgroup would be shared, and the first keeps running" {
	local id other=$BATS_TEST_TMPDIR/other
	id=$(cid twin)
	ctr-run run -d --name "$id" "$IMG" -- sleep 1000 >/dev/null
	run --separate-stderr env CTR_ROOT="$other/root" CTR_STATE="$other/run" ctr-run run -d --name "$id" "$IMG" -- sleep 1000
	assert_status 125
	[[ $stderr == "ctr-run: fatal: cgroup 'ctr/default-$id' holds processes of another container"* ]]
	[ "${#stderr_lines[@]}" = 1 ]
	# nothing of it in the other store; ours untouched (on the old build the
	# second store's delete -f killed it: runc kill --all of the shared group)
	[ "$(CTR_ROOT=$other/root CTR_STATE=$other/run ctr-run ls --json)" = "[]" ]
	CTR_ROOT=$other/root CTR_STATE=$other/run ctr-run delete -f "$id" 2>/dev/null || true
	[ "$(ctr-run state "$id" | jq -r .status)" = running ]
	ctr-run delete -f "$id"
	assert_clean "$id"
}

@test "run: ps is a table of the container's processes and --json their fields; a command line cannot drive the terminal; stats in binary units" {
	local id init
	id=$(cid ps)
	ctr-run run -d --name "$id" --user app "$IMG" -- sh -c 'sleep 1000 & while :; do sleep 0.1; done' >/dev/null
	ctr-run exec -d "$id" -- sh -c 'sleep 999; :' "$(printf 'x\033[2Jy\nz')" >/dev/null
	init=$(ctr-run state "$id" | jq .pid)
	run --separate-stderr ctr-run ps --json "$id"
	assert_status 0
	# every process of the container, with what /proc says of it
	[ "$(jq -r '.[0] | keys | join(",")' <<<"$output")" = args,comm,cpu_ns,pid,ppid,state,uid ]
	[ "$(jq --argjson p "$init" '[.[] | select(.pid == $p)][0].args' <<<"$output" | jq -c .)" = '["sh","-c","sleep 1000 & while :; do sleep 0.1; done"]' ]
	[ "$(jq --argjson p "$init" '[.[] | select(.ppid == $p and .args[0] == "sleep" and .args[1] == "1000")] | length' <<<"$output")" = 1 ]
	[ "$(jq --argjson p "$init" '[.[] | select(.pid == $p)][0].uid' <<<"$output")" = 1000 ]
	# the hostile argument, exact in JSON
	[ "$(jq -r '[.[] | select(.args[0] == "sh" and .args[2] == "sleep 999; :")][0].args[3]' <<<"$output")" = "$(printf 'x\033[2Jy\nz')" ]
	run --separate-stderr ctr-run ps "$id"
	assert_status 0
	[[ ${lines[0]} =~ ^PID\ +PPID\ +UID\ +STAT\ +TIME\ +CMD$ ]]
	[[ $output =~ (^|$'\n')"$init "\ +[0-9]+\ +1000\ +[RSD]\ +[0-9]+:[0-9]{2}\.[0-9]{2}\ +"sh -c sleep 1000 & while :; do sleep 0.1; done"($'\n'|$) ]]
	# one row for the hostile process, its escape and newline shown as '?'
	[ "$(grep -c 'sh -c sleep 999; : x?\[2Jy?z$' <<<"$output")" = 1 ]
	run ! grep -q $'\033' <<<"$output"
	run --separate-stderr ctr-run stats "$id"
	assert_status 0
	[[ ${lines[1]} =~ ^"$id "\ +[0-9.]+\ (B|KiB|MiB)\ +-\ +[0-9]+:[0-9]{2}\.[0-9]{2}\ +[0-9]+\ +-$ ]]
	ctr-run update --memory 64m --pids-limit 50 "$id"
	run ctr-run stats "$id"
	[[ ${lines[1]} =~ \ 64\.0\ MiB\ .*\ 50$ ]]
	ctr-run kill -s KILL "$id"
	ctr-run wait "$id" >/dev/null || true
	run --separate-stderr ctr-run ps "$id"
	assert_status 1
	[ "$stderr" = "ctr-run: fatal: container '$id' is not running (stopped)" ]
	ctr-run delete "$id"
	assert_clean "$id"
}

@test "run: --cpu-shares and --oom-score-adj reach the cgroup and the init; update changes shares; stats working set" {
	local id cg
	id=$(cid "shares$$")
	run ctr-run create --name "$id" --cpu-shares 1 "$IMG"
	assert_status 100
	assert_output_contains "--cpu-shares '1'"
	run ctr-run create --name "$id" --oom-score-adj 1001 "$IMG"
	assert_status 100
	assert_output_contains "--oom-score-adj '1001'"
	[ ! -e "$CTR_ROOT/containers/default/$id" ]
	ctr-run run -d --name "$id" --cpu-shares 512 --oom-score-adj 300 --memory 32m "$IMG" -- sleep 1000 >/dev/null
	cg=/sys/fs/cgroup/cpu/ctr/default-$id
	[ "$(cat "$cg/cpu.shares")" = 512 ]
	[ "$(ctr-run exec "$id" -- cat /proc/1/oom_score_adj)" = 300 ]
	ctr-run update --cpu-shares 256 "$id"
	[ "$(cat "$cg/cpu.shares")" = 256 ]
	run ctr-run update --cpu-shares 300000 "$id"
	assert_status 100
	run ctr-run stats --json "$id"
	assert_status 0
	jq -e '.memory.working_set >= 0 and .memory.working_set <= .memory.usage and .memory.rss >= 0 and .memory.pgfault > 0' <<<"$output"
	ctr-run delete -f "$id"
	assert_clean "$id"
}

@test "run: --cgroup-parent: bad parents refused, the container below a path or a slice, its own group gone at delete, the parent left" {
	local id sid pid bad p=ctrtest-cgp$$ sl=ctrtestcgp$$
	id=$(cid "cgp$$") sid=$(cid "cgps$$")
	for bad in kubepods/x ./x /x/../y /x/.. /x//y "/x y" $'/x\ny' /x:y x.slice:ctr:y -x.slice x--y.slice ""; do
		run ctr-run create --name "$id" --cgroup-parent "$bad" "$IMG"
		assert_status 100
		[ "${#lines[@]}" -eq 1 ]
		assert_output_contains "--cgroup-parent"
	done
	[ ! -e "$CTR_ROOT/containers/default/$id" ]
	assert_none "a refused parent" "$(cgroup_tree_left x)"
	# the parent as a kubelet leaves it: made, with its own limit, in memory only
	mkdir "/sys/fs/cgroup/memory/$p"
	echo $((64 << 20)) >"/sys/fs/cgroup/memory/$p/memory.limit_in_bytes"
	ctr-run run -d --name "$id" --cgroup-parent "/$p/pod1/" --memory 32m "$IMG" -- sleep 1000 >/dev/null
	pid=$(ctr-run state "$id" | jq .pid)
	grep -qx "[0-9]*:memory:/$p/pod1/default-$id" "/proc/$pid/cgroup"
	grep -qx "[0-9]*:pids:/$p/pod1/default-$id" "/proc/$pid/cgroup"
	grep -qx "[0-9]*:cpuacct:/$p/pod1/default-$id" "/proc/$pid/cgroup"
	[ "$(cat "/sys/fs/cgroup/memory/$p/pod1/default-$id/memory.limit_in_bytes")" = $((32 << 20)) ]
	[ "$(cat "/sys/fs/cgroup/memory/$p/memory.limit_in_bytes")" = $((64 << 20)) ]
	[ "$(ctr-run stats --json "$id" | jq .memory.limit)" = $((32 << 20)) ]
	# systemd's slice form, placed where systemd puts it
	ctr-run run -d --name "$sid" --cgroup-parent "$sl-pod2.slice" "$IMG" -- sleep 1000 >/dev/null
	pid=$(ctr-run state "$sid" | jq .pid)
	grep -qx "[0-9]*:memory:/$sl.slice/$sl-pod2.slice/ctr-default-$sid.scope" "/proc/$pid/cgroup"
	ctr-run delete -f "$id" "$sid"
	assert_clean "$id"
	assert_clean "$sid"
	# runc's delete removed each container's own group; the parents are their owner's
	assert_none "$id's group" "$(cgroup_tree_left "$p/pod1/default-$id")"
	assert_none "$sid's group" "$(cgroup_tree_left "$sl.slice/$sl-pod2.slice/ctr-default-$sid.scope")"
	[ -d "/sys/fs/cgroup/memory/$p/pod1" ] && [ -d "/sys/fs/cgroup/pids/$p/pod1" ]
	[ -d "/sys/fs/cgroup/memory/$sl.slice/$sl-pod2.slice" ]
	cgroup_tree_remove "$p" "$sl.slice"
	assert_none "the parents" "$(cgroup_tree_left "$p")$(cgroup_tree_left "$sl.slice")"
}

@test "run: ls shows each container's true state" {
	local c r s
	c=$(cid st-created) r=$(cid st-running) s=$(cid st-stopped)
	ctr-run create --name "$c" "$IMG" -- true >/dev/null
	ctr-run run -d --name "$r" "$IMG" -- sleep 1000 >/dev/null
	ctr-run run -d --name "$s" "$IMG" -- sh -c 'exit 9' >/dev/null
	ctr-run wait "$s" >/dev/null || true
	run ctr-run ls --json
	assert_status 0
	[ "$(jq -r ".[] | select(.id == \"$c\") | .status" <<<"$output")" = created ]
	[ "$(jq -r ".[] | select(.id == \"$r\") | .status" <<<"$output")" = running ]
	[ "$(jq -r ".[] | select(.id == \"$s\") | .status" <<<"$output")" = stopped ]
	[ "$(jq -r ".[] | select(.id == \"$s\") | .exit.status" <<<"$output")" = 9 ]
	run ctr-run ls
	assert_output_contains "stopped (9)"
	[[ "$(grep "^$s " <<<"$output")" =~ \ (Less\ than\ a\ second|[0-9]+\ seconds?|About\ a\ minute)\ ago$ ]]
	# -q: the IDs alone, for xargs (and before --json, as ctr-image ls -q)
	[ "$(ctr-run ls -q | sort | xargs)" = "$(printf '%s\n' "$c" "$r" "$s" | sort | xargs)" ]
	[ "$(ctr-run ls --json -q | sort | xargs)" = "$(ctr-run ls --quiet | sort | xargs)" ]
	ctr-run start "$c"
	ctr-run wait "$c" >/dev/null
	ctr-run delete "$c" "$s"
	ctr-run delete -f "$r"
	[ "$(ctr-run ls --json)" = "[]" ]
}

# run_kill_caller ID [OPTION...]: a foreground run of a long sh, its caller
# SIGKILLed once it runs; the container still runs; then it is SIGKILLed
# (sh as pid 1 ignores SIGTERM without a handler).
run_kill_caller() {
	local id=$1 pid out=$BATS_TEST_TMPDIR/out-$1
	shift
	ctr-run run "$@" --name "$id" "$IMG" -- sh -c 'echo ready; sleep 1000' >"$out" 2>&1 &
	pid=$!
	track_pid $pid
	wait_for_file_text "$out" ready
	kill -KILL $pid
	wait $pid || true
	[ "$(ctr-run state "$id" | jq -r .status)" = running ]
	ctr-run kill -s KILL "$id"
}

@test "run: the caller killed mid-run; state and wait still work" {
	local id
	id=$(cid orphan)
	run_kill_caller "$id"
	run --separate-stderr ctr-run wait "$id"
	assert_status 137
	ctr-run delete "$id"
	assert_clean "$id"
}

# wait_removed ID: wait up to 20 s for container ID's directory to go, then
# for its shim (and the shim's exit-command watcher) to exit.
wait_removed() {
	local i
	for ((i = 0; i < 400; i++)); do
		[ -e "$CTR_ROOT/containers/default/$1" ] || break
		sleep 0.05
	done
	assert_none "$1: container directory" "$(ls -d "$CTR_ROOT/containers/default/$1" 2>/dev/null)"
}

# ours_left: processes of ours (shims, their watchers, ctr-run) still alive
# whose command line names this test's state directory.
ours_left() {
	local p
	for p in $(pgrep -f -- "$CTR_STATE" || true); do
		[ "$p" != $$ ] && tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null && echo
	done
}

@test "run --rm: the caller SIGKILLed while waiting; the shim removes the container after it exits" {
	local id
	id=$(cid rmwait)
	# nobody deletes a container that still runs
	run_kill_caller "$id" --rm
	wait_removed "$id"
	assert_clean "$id"
	[ "$(ctr-run ls --json)" = "[]" ]
	for i in $(seq 100); do [ -z "$(ours_left)" ] && break; sleep 0.05; done
	assert_none "processes" "$(ours_left)"
}

@test "run --rm: the caller SIGKILLed as soon as its shim exists, in the foreground and with -d" {
	local id pid n mode
	for n in 1 2 3 4; do
		mode=$([ $((n % 2)) = 0 ] && echo -d || echo --rm)
		id=$(cid "rmstart$n")
		ctr-run run --rm $mode --name "$id" "$IMG" -- true >/dev/null 2>&1 &
		pid=$!
		track_pid $pid
		# a shim writes shim.json once it is up; the caller may be anywhere after that
		for ((i = 0; i < 200; i++)); do
			[ -e "$CTR_STATE/default/$id/shim.json" ] && break
			sleep 0.01
		done
		kill -KILL $pid 2>/dev/null || true
		wait $pid || true
		wait_removed "$id"
		assert_clean "$id"
	done
	[ "$(ctr-run ls --json)" = "[]" ]
	for i in $(seq 100); do [ -z "$(ours_left)" ] && break; sleep 0.05; done
	assert_none "processes" "$(ours_left)"
}

@test "run: a dead shim: state, kill and wait go through the runtime; never an invented exit code" {
	local id spid cpid wout
	id=$(cid deadshim)
	wout=$BATS_TEST_TMPDIR/wait.out
	ctr-run run -d --name "$id" "$IMG" -- sleep 1000 >/dev/null
	spid=$(jq .pid "$CTR_STATE/default/$id/shim.json")
	kill -KILL "$spid"
	while kill -0 "$spid" 2>/dev/null; do sleep 0.05; done
	# unsupervised but alive: the runtime says so, and there is no exit status
	run --separate-stderr ctr-run state "$id"
	assert_status 0
	[ "$(jq -r .status <<<"$output")" = running ]
	[ "$(jq -r .reason <<<"$output")" = "shim gone" ]
	[ "$(jq -r .exit <<<"$output")" = null ]
	cpid=$(jq -r .pid <<<"$output")
	kill -0 "$cpid"
	# wait watches the process itself and ends with it, honest about the status
	ctr-run wait "$id" >"$wout" 2>&1 &
	track_pid $!
	sleep 0.3
	kill -0 $! # still waiting: the container runs
	run ctr-run kill -s KILL "$id"
	assert_status 0
	[[ "$output" == *"shim of '$id' is gone: signalled through the runtime"* ]]
	wait $! || [ $? -eq 125 ]
	grep -q "ended; its exit status is unknown" "$wout"
	# dead (a zombie when nothing reaps the shim's orphans, as on this sandbox's PID 1)
	[ ! -e "/proc/$cpid" ] || [ "$(awk '{print $3}' "/proc/$cpid/stat")" = Z ]
	run --separate-stderr ctr-run state "$id"
	[ "$(jq -r .status <<<"$output")" = unknown ]
	[ "$(jq -r .exit <<<"$output")" = null ]
	run ctr-run kill "$id"
	assert_status 1
	run ctr-run wait "$id"
	assert_status 125
	run ctr-run delete "$id"
	[ "$status" -ne 0 ]
	ctr-run delete -f "$id"
	run ! runc --root "$RR" state "$id"
	assert_clean "$id"
}

@test "run: a stopped shim: state, kill and stop fail in bounded time, then work once it runs" {
	local id spid
	id=$(cid stopshim)
	ctr-run run -d --name "$id" "$IMG" -- sleep 1000 >/dev/null
	spid=$(jq .pid "$CTR_STATE/default/$id/shim.json")
	export CTR_SHIM_TIMEOUT=1
	kill -STOP "$spid"
	# whatever happens below, the shim runs again
	(sleep 30; kill -CONT "$spid" 2>/dev/null) &
	track_pid $!
	run --separate-stderr ctr-run state "$id"
	assert_status 0
	[[ "$stderr" == *"shim $spid of '$id' does not answer (1 s)"* ]]
	[ "$(jq -r .reason <<<"$output")" = "shim $spid of '$id' does not answer (1 s)" ]
	run ctr-run kill "$id"
	assert_status 111
	[[ "$output" == *"does not answer"* ]]
	# the shim's silence ends the stop, not a wait for an exit that cannot come
	run ctr-run stop -t 1 "$id"
	assert_status 111
	[[ "$output" == *"does not answer"* ]]
	kill -CONT "$spid"
	# the requests it missed carry deadlines: none is carried out now (the kill was SIGTERM,
	# which a pid 1 without a handler ignores; stop's SIGKILL would have ended it)
	sleep 0.5
	run --separate-stderr ctr-run state "$id"
	assert_status 0
	[ "$(jq -r .status <<<"$output")" = running ]
	[ "$(jq -r .reason <<<"$output")" = null ]
	ctr-run kill -s KILL "$id"
	run ctr-run wait "$id"
	assert_status 137
	ctr-run delete "$id"
	assert_clean "$id"
}

@test "run: 50 containers at once, then all deleted" {
	local i ids=()
	for ((i = 0; i < 50; i++)); do
		ids+=("$(cid many$i)")
		ctr-run run -d --name "many$i" - -- sleep 1000 <"$SNAP" >/dev/null 2>>"$BATS_TEST_TMPDIR/many.err" &
	done
	wait
	cat "$BATS_TEST_TMPDIR/many.err" >&2
	[ "$(ctr-run ls --json | jq '[.[] | select(.status == "running")] | length')" = 50 ]
	ctr-run delete -f "${ids[@]}"
	[ "$(ctr-run ls --json)" = "[]" ]
	[ "$(mountinfo_points)" = "$MI_BEFORE" ]
	assert_none cgroups "$(ls -d /sys/fs/cgroup/*/ctr/default-many* 2>/dev/null)"
}

@test "run: create/delete cycle leaves /proc/self/mountinfo as it was" {
	local id
	id=$(cid cycle)
	ctr-run create --name "$id" "$IMG" >/dev/null
	# the rootfs is mounted in the mount namespace the shim keeps, not on the host
	[ "$(mountinfo_points)" = "$MI_BEFORE" ]
	shim=$(jq .pid "$CTR_STATE/default/$id/shim.json")
	grep -q " $CTR_ROOT/containers/default/$id/bundle/rootfs " "/proc/$shim/mountinfo"
	[ "$(readlink "/proc/$shim/ns/mnt")" != "$(readlink /proc/self/ns/mnt)" ]
	ctr-run delete "$id"
	assert_clean "$id"
}

# A failing create must leave no record, state dir, mount, cgroup, snapshot or shim.
assert_nothing_left() {
	assert_none records "$(ls "$CTR_ROOT/containers/default" 2>/dev/null)" &&
		assert_none "state dirs" "$(ls "$CTR_STATE/default" 2>/dev/null | grep -v "^events.jsonl")" &&
		assert_none "snapshots" "$(ctr-snapshot ls 2>/dev/null | grep "ctr:default:")" &&
		assert_clean bad
}

@test "run: bad options are one clear line, exit 125, nothing left" {
	local long
	long=$(printf 'a%.0s' $(seq 65))
	cid bad >/dev/null
	for args in "-e =x" "--cwd relative" "--cwd /a/../../etc" \
		"--mount type=bind,src=/no/such/dir,dst=/x" "--user 4294967296" \
		"--user ghost" "--user app:ghosts" "--name /" "--name .." "--name $long" \
		"--runtime /no/such/runtime" "--runtime no-such-runtime-xyz" "--memory lots" \
		"--cap-add CAP_FLY" "--net /no/such/netns"; do
		run --separate-stderr ctr-run run --rm --name bad $args "$IMG" -- true
		echo "args: $args -> $status: $stderr"
		assert_status 125
		[ "$(wc -l <<<"$stderr")" = 1 ]
		[[ "$stderr" == "ctr-run: fatal: "* ]]
		assert_nothing_left
	done
	run --separate-stderr ctr-run create --name bad --user ghost "$IMG"
	assert_status 100
	[[ "$stderr" == *"user 'ghost' not found"* ]]
	assert_nothing_left
}

@test "run: a duplicate id is refused and the first container stays" {
	local id
	id=$(cid dup)
	ctr-run run -d --name "$id" "$IMG" -- sleep 1000 >/dev/null
	run --separate-stderr ctr-run run -d --name "$id" "$IMG" -- true
	assert_status 125
	[[ "$stderr" == *"already exists"* ]]
	[ "$(ctr-run state "$id" | jq -r .status)" = running ]
	ctr-run delete -f "$id"
	assert_clean "$id"
}

@test "run: the image's /etc/passwd as a link to the host's shadow, a FIFO, 1 GiB: refused" {
	local doc what
	cid bad >/dev/null
	for what in link fifo huge; do
		case $what in
		link) doc=$(derive_image pw-link 'rm -f etc/passwd && ln -s /etc/shadow etc/passwd') ;;
		fifo) doc=$(derive_image pw-fifo 'rm -f etc/passwd && mkfifo etc/passwd') ;;
		huge) doc=$(derive_image pw-huge 'truncate -s 1G etc/passwd') ;;
		esac
		run --separate-stderr timeout 20 ctr-run run --rm --name bad --user app - -- true <"$doc"
		echo "$what -> $status: $stderr"
		assert_status 125
		[[ "$stderr" == *"/etc/passwd"* ]]
		[[ "$stderr" != *"root:"* ]]
		assert_nothing_left
	done
}

@test "run: a failing runtime (fake runtime) leaves nothing behind" {
	local fake=$REPO_ROOT/tests/fixtures/fake-runtime.sh mode
	[ -x "$fake" ] || skip "no fake runtime"
	cid bad >/dev/null
	for mode in create-fail create-crash start-fail; do
		run --separate-stderr env FAKE_RUNTIME_MODE=$mode \
			ctr-run run --rm --name bad --runtime "$fake" "$IMG" -- true
		echo "$mode -> $status: $stderr"
		assert_status 125
		[[ "$stderr" == *"ctr-run: fatal: "* ]]
		runc --root "$RR" delete -f bad 2>/dev/null || true
		assert_nothing_left
		run ! runc --root "$RR" state bad
	done
	# create then start (run makes both in one runtime call): a failed start
	# leaves a created container, which delete removes
	FAKE_RUNTIME_MODE=start-fail ctr-run create --name bad --runtime "$fake" "$IMG" \
		-- true >/dev/null
	run --separate-stderr env FAKE_RUNTIME_MODE=start-fail ctr-run start bad
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"start failed on purpose"* ]]
	[ "$(ctr-run state bad | jq -r .status)" = created ]
	ctr-run delete bad
	assert_nothing_left
	run ! runc --root "$RR" state bad
}

@test "run: a cgroup the runtime left goes with the container (runtime killed after making it; runtime that forgot a stopped one)" {
	local fake=$REPO_ROOT/tests/fixtures/fake-runtime.sh id
	id=$(cid cgleft$RANDOM)
	# runc makes the group before any state of its own: killed in between, it
	# leaves a group nobody knows of but the create that failed
	run --separate-stderr env FAKE_RUNTIME_MODE=create-cgroup-crash \
		ctr-run run --rm --name "$id" --runtime "$fake" "$IMG" -- true
	echo "$status: $stderr"
	assert_status 125
	assert_clean "$id"
	# runc's delete forgets a container whose group it could not remove (busy):
	# the state gone, the group left; the next delete removes it
	ctr-run run -d --name "$id" "$IMG" -- true >/dev/null
	ctr-run wait "$id"
	[ -n "$(ls -d /sys/fs/cgroup/*/ctr/default-"$id")" ]
	rm -rf "${RR:?}/$id"
	run --separate-stderr ctr-run delete "$id"
	assert_status 0
	assert_clean "$id"
}

@test "run: ctr-run without a TTY on -t still runs; --read-only and --net none" {
	run --separate-stderr ctr-run run --rm --read-only --net none "$IMG" -- sh -c \
		'touch /x 2>/dev/null && echo writable; ls /sys/class/net | tr "\n" " "'
	assert_status 0
	[ "$output" = "lo " ]
}

@test "run: --net ns:NAME joins a namespace made by ctr-netns" {
	local ns=ctrrun$RANDOM ino
	export CTR_NETNS_DIR=$BATS_TEST_TMPDIR/netns
	ctr-netns create "$ns" >/dev/null
	ino=$(stat -L -c %i "$CTR_NETNS_DIR/$ns")
	run --separate-stderr ctr-run run --rm --net "ns:$ns" "$IMG" -- readlink /proc/self/ns/net
	ctr-netns rm "$ns"
	assert_status 0
	[ "$output" = "net:[$ino]" ]
	run --separate-stderr ctr-run run --rm --net "$CTR_NETNS_DIR/$ns" "$IMG" -- true
	assert_status 125
	# the directory follows ctr-netns's rule: absolute, or refused
	CTR_NETNS_DIR=netns run --separate-stderr ctr-run run --rm --net "ns:$ns" "$IMG" -- true
	assert_status 125
	[[ $stderr == *"CTR_NETNS_DIR 'netns' is not an absolute path"* ]]
}

@test "run: start -a waits; events keeps the exit" {
	local c e out=$BATS_TEST_TMPDIR/events
	c=$(cid attach) e=$(cid evs)
	ctr-run create --name "$c" "$IMG" -- sh -c 'echo attached; exit 3' >/dev/null
	run ctr-run start -a "$c"
	assert_status 3
	[ "$output" = attached ]
	ctr-run run -d --name "$e" "$IMG" -- sh -c 'sleep 0.5; exit 2' >/dev/null
	ctr-run wait "$e" >/dev/null || true
	timeout 10 ctr-run events --since 0 --until 0s "$e" >"$out"
	[ "$(jq -r 'select(.event == "exit") | .exit.status' "$out")" = 2 ]
	[ "$(jq -r 'select(.event == "exit") | .id' "$out")" = "$e" ]
	ctr-run delete "$c" "$e"
	assert_clean "$c"
	assert_clean "$e"
}

# hold_as_creator ID: a process that holds container ID's lock, as a live
# creator does, in $fl; returns once ctr-run state says "creating".
hold_as_creator() {
	local i
	(exec 9>"$CTR_ROOT/containers/default/$1/lock" && flock 9 && exec sleep 30) &
	fl=$!
	track_pid $fl
	for i in $(seq 100); do
		[ "$(ctr-run state "$1" 2>/dev/null | jq -r .status)" = creating ] && return 0
		sleep 0.05
	done
}

@test "run: delete -f also removes a container whose record was never written" {
	local id
	id=$(cid norecord)
	ctr-run create --name "$id" "$IMG" -- true >/dev/null
	rm "$CTR_ROOT/containers/default/$id/record.json"
	# never invisible: ls and state show it, and say what it is
	run --separate-stderr ctr-run ls --json
	assert_status 0
	[ "$(jq -r --arg id "$id" '.[] | select(.id == $id) | .status' <<<"$output")" = unknown ]
	[[ "$(ctr-run ls)" == *"$id"*"unknown (no record)"* ]]
	run --separate-stderr ctr-run state "$id"
	assert_status 0
	[[ "$(jq -r .reason <<<"$output")" == *"creator died"*"delete -f"* ]]
	# a creator that holds the container's lock is alive: creating, not dead
	hold_as_creator "$id"
	[ "$(ctr-run state "$id" 2>/dev/null | jq -r .status)" = creating ]
	[ "$(ctr-run ls --json | jq -r --arg id "$id" '.[] | select(.id == $id) | .status')" = creating ]
	kill $fl
	wait $fl || true
	run ctr-run delete "$id"
	assert_status 100
	ctr-run delete -f "$id"
	run ! runc --root "$RR" state "$id"
	assert_clean "$id"
}

# A create SIGKILLed before its record left the id taken: the re-run said
# "already exists" (found by tests/crash/run). It now reclaims the directory
# of a dead creator, as delete -f would, never that of a live one.
@test "run: create reclaims an id a dead creator left without a record; a live creator keeps it" {
	local id d
	id=$(cid deadcreator)
	d=$CTR_ROOT/containers/default/$id
	# what a create killed between its mkdir and its record leaves
	mkdir -p "$d/bundle/rootfs" "$CTR_STATE/default/$id"
	: >"$d/lock"
	[ "$(ctr-run state "$id" | jq -r .status)" = unknown ]
	ctr-run create --name "$id" "$IMG" -- true >/dev/null
	[ "$(ctr-run state "$id" | jq -r .status)" = created ]
	ctr-run delete "$id"
	assert_clean "$id"
	# a creator holding the lock lives: its id is not taken from it
	mkdir -p "$d/bundle/rootfs"
	hold_as_creator "$id"
	run --separate-stderr ctr-run create --name "$id" "$IMG" -- true
	assert_status 100
	[[ "$stderr" == *"already exists"* ]]
	[ -d "$d/bundle" ]
	kill $fl
	wait $fl || true
	ctr-run create --name "$id" "$IMG" -- true >/dev/null
	ctr-run delete "$id"
	assert_clean "$id"
}

# A create SIGKILLed after its record, before the shim's go: the shim exits
# without one and nothing reaches the runtime; ls says "unknown (shim gone)"
# and the re-run said "already exists" (tests/crash/run, 2 in 400).
@test "run: create reclaims an id whose record's create never reached the runtime" {
	local id sd shim
	id=$(cid nevercreated)
	sd=$CTR_STATE/default/$id
	ctr-run create --name "$id" "$IMG" -- sleep 100 >/dev/null
	shim=$(jq .pid "$sd/shim.json")
	# a shim gone with its init still there: a container, never reclaimed
	kill -KILL "$shim"
	while kill -0 "$shim" 2>/dev/null; do sleep 0.05; done
	[ "$(ctr-run state "$id" | jq -r .status)" = created ]
	run --separate-stderr ctr-run create --name "$id" "$IMG" -- true
	assert_status 100
	[[ "$stderr" == *"already exists"* ]]
	# what the killed create leaves: no runtime state, and of the shim's
	# files (it removes them when its caller is gone before the go) none
	runc --root "$RR" delete -f "$id"
	rm -f "$sd/init.pid" "$sd/shim.json" "$sd/shim.sock" "$sd/runtime.log"
	[ "$(ctr-run ls --json | jq -r --arg id "$id" '.[] | select(.id == $id) | .status')" = unknown ]
	ctr-run create --name "$id" "$IMG" -- true >/dev/null
	[ "$(ctr-run state "$id" | jq -r .status)" = created ]
	ctr-run delete "$id"
	assert_clean "$id"
}

# A start SIGKILLed after the runtime's start, before it marked the
# container started, left ls saying "created" for a running container.
@test "run: the shim marks a container started, so a start killed before the answer leaves ls right" {
	local id
	id=$(cid startmark)
	ctr-run create --name "$id" "$IMG" -- sleep 100 >/dev/null
	# the start request of a caller that dies before it reads the answer
	$(helpers_python) "$REPO_ROOT/tests/lib/shimctl.py" call "$CTR_STATE/default/$id" '{"op":"start"}' >/dev/null
	[ "$(ctr-run ls --json | jq -r --arg id "$id" '.[] | select(.id == $id) | .status')" = running ]
	run --separate-stderr ctr-run start "$id"
	assert_status 100
	[[ "$stderr" == *"is running, not created"* ]]
	ctr-run delete -f "$id"
	assert_clean "$id"
}

@test "run: delete -f of a container with no record on the native snapshotter removes its snapshot" {
	local id native=$BATS_TEST_TMPDIR/native.json
	id=$(cid nativenorec)
	ctr-pull -q "$IMG" | ctr-unpack --snapshotter native >"$native"
	ctr-run create --name "$id" - -- true <"$native" >/dev/null
	[ "$(ctr-snapshot --snapshotter native ls | grep -c "ctr:default:$id")" = 1 ]
	# a create killed after the snapshot was prepared, before the record
	rm "$CTR_ROOT/containers/default/$id/record.json"
	ctr-run delete -f "$id"
	run ! runc --root "$RR" state "$id"
	assert_clean "$id"
}

@test "run: stop: the stop signal to a handler; SIGKILL after -t to a pid 1 without one" {
	local id
	id=$(cid stp)
	ctr-run run -d --name "$id" "$IMG" -- sh -c 'trap "exit 42" TERM; echo ready; while :; do sleep 0.1; done' >/dev/null
	wait_logs "$id" ready # the handler is in place
	run --separate-stderr ctr-run stop -t 20 "$id"
	assert_status 0
	# 42: the handler's exit, not SIGKILL's 137 after -t
	[ "$(jq .status <<<"$output")" = 42 ]
	# stopped already: the same exit again, status 0
	run --separate-stderr ctr-run stop "$id"
	assert_status 0
	[ "$(jq .status <<<"$output")" = 42 ]
	ctr-run delete "$id"
	assert_clean "$id"

	# sleep as pid 1 has no handler: SIGTERM does nothing, SIGKILL after 1 s
	id=$(cid stk)
	ctr-run run -d --name "$id" "$IMG" -- sleep 1000 >/dev/null
	run --separate-stderr ctr-run stop -t 1 "$id"
	assert_status 0
	[ "$(jq .status <<<"$output")" = 137 ]
	[ "$(jq .signal <<<"$output")" = 9 ]
	[ "$(ctr-run state "$id" | jq -r .status)" = stopped ]
	ctr-run delete "$id"
	assert_clean "$id"
}

@test "run: stop: -s, the image's StopSignal from the record, paused and created containers" {
	local id
	id=$(cid sts)
	ctr-run run -d --name "$id" "$IMG" -- sh -c 'trap "exit 7" USR1; trap "exit 8" TERM; echo ready; while :; do sleep 0.1; done' >/dev/null
	wait_logs "$id" ready
	run --separate-stderr ctr-run stop -s USR1 "$id"
	assert_status 0
	[ "$(jq .status <<<"$output")" = 7 ]
	ctr-run delete "$id"

	# the record keeps the image's StopSignal; the busybox fixture has none, so set it
	id=$(cid ssr)
	ctr-run run -d --name "$id" "$IMG" -- sh -c 'trap "exit 7" USR1; trap "exit 8" TERM; echo ready; while :; do sleep 0.1; done' >/dev/null
	wait_logs "$id" ready
	jq '.stop_signal = "SIGUSR1"' "$CTR_ROOT/containers/default/$id/record.json" >"$BATS_TEST_TMPDIR/rec"
	cp "$BATS_TEST_TMPDIR/rec" "$CTR_ROOT/containers/default/$id/record.json"
	run --separate-stderr ctr-run stop "$id"
	[ "$(jq .status <<<"$output")" = 7 ]
	ctr-run delete "$id"

	# paused: thawed first, so the handler runs
	id=$(cid stz)
	ctr-run run -d --name "$id" "$IMG" -- sh -c 'trap "exit 8" TERM; echo ready; while :; do sleep 0.1; done' >/dev/null
	wait_logs "$id" ready
	ctr-run pause "$id"
	run --separate-stderr ctr-run stop -t 10 "$id"
	assert_status 0
	[ "$(jq .status <<<"$output")" = 8 ]
	ctr-run delete "$id"

	# created: nothing runs that could handle a signal, SIGKILL at once
	id=$(cid stc)
	ctr-run create --name "$id" "$IMG" -- sleep 1000 >/dev/null
	run --separate-stderr ctr-run stop "$id"
	assert_status 0
	[ "$(jq .status <<<"$output")" = 137 ]
	ctr-run delete "$id"
	assert_clean "$id"

	run --separate-stderr ctr-run stop -t soon "$id"
	assert_status 100
	run --separate-stderr ctr-run stop nosuch
	assert_status 100
	[[ "$stderr" == "ctr-run: fatal: "* ]]
}

# --json errors: the code no-container for an id the namespace has not, and
# only for that (ctr-cri tells a container gone by it).
@test "run: state, kill, stop and delete --json: no-container for a missing id, other codes otherwise" {
	local id v
	for v in state kill stop delete; do
		run --separate-stderr ctr-run "$v" --json nosuch
		assert_status 100
		[ "$(jq -r .error.code <<<"$output")" = no-container ] || { echo "$v: $output"; false; }
		[ "$(jq -r .error.message <<<"$output")" = "no such container 'nosuch'" ]
		[[ "$stderr" == "ctr-run: "*": no such container 'nosuch'" ]]
		run --separate-stderr ctr-run "$v" nosuch
		assert_status 100
		[ -z "$output" ]
	done
	run --separate-stderr ctr-run state --json ../x
	assert_status 100
	[ "$(jq -r .error.code <<<"$output")" = invalid ]
	id=$(cid jsonerr)
	ctr-run create --name "$id" "$IMG" -- sleep 1000 >/dev/null
	ctr-run start "$id"
	# running: delete refuses it without -f, as a conflict; the other id of the
	# same call, missing, is a line of its own, after it
	run --separate-stderr ctr-run delete --json "$id" nosuch
	assert_status 100
	[ "$(jq -sr 'map(.error.code) | join(" ")' <<<"$output")" = "conflict no-container" ]
	[ "$(wc -l <<<"$stderr")" = 2 ]
	run --separate-stderr ctr-run state --json "$id"
	assert_status 0
	[ "$(jq -r .status <<<"$output")" = running ]
	ctr-run stop -t 0 --json "$id" >/dev/null
	run --separate-stderr ctr-run kill --json "$id"
	assert_status 1
	[ "$(jq -r .error.code <<<"$output")" = negative ]
	# exited, its shim on its way out: alive, its socket already gone
	sleep 1000 &
	local sp=$!
	track_pid "$sp"
	read -r _ st < <(pid_identity "$sp")
	jq -n --argjson pid "$sp" --argjson st "$st" '{pid: $pid, start_time: $st}' \
		>"$CTR_STATE/default/$id/shim.json"
	run --separate-stderr ctr-run kill --json "$id"
	local kst=$status kout=$output
	run --separate-stderr ctr-run attach "$id"
	kill "$sp"
	rm "$CTR_STATE/default/$id/shim.json"
	assert_status 1
	[ "$stderr" = "ctr-run: fatal: container '$id' is not running (stopped)" ]
	[ "$kst" = 1 ] && [ "$(jq -r .error.code <<<"$kout")" = negative ]
	# and once the shim has left
	run --separate-stderr ctr-run attach "$id"
	assert_status 1
	[ "$stderr" = "ctr-run: fatal: container '$id' is not running (stopped)" ]
	ctr-run delete --json "$id"
	run --separate-stderr ctr-run state --json "$id"
	assert_status 100
	[ "$(jq -r .error.code <<<"$output")" = no-container ]
	assert_clean "$id"
}

# The foreground run is the runtime's own `run` (ctr-shim --foreground): one
# runtime process that reaps init and deletes its state as it exits.
@test "run: in the foreground the runtime's own run deletes its state; a signal reads as 128+N" {
	local id out=$BATS_TEST_TMPDIR/out rpid
	id=$(cid fgstate)
	run ctr-run run --name "$id" "$IMG" -- sh -c 'exit 3'
	assert_status 3
	# gone from the runtime already, before any delete of ours
	run ! runc --root "$RR" state "$id"
	[ "$(jq .status "$CTR_STATE/default/$id/exit.json")" = 3 ]
	ctr-run delete "$id"
	assert_clean "$id"

	id=$(cid fgkill)
	ctr-run run --name "$id" "$IMG" -- sh -c 'echo ready; exec sleep 1000' >"$out" 2>&1 &
	track_pid $!
	wait_for_file_text "$out" ready
	# a foreground runtime is a running process of the shim's, beside the container
	rpid=$(pgrep -P "$(jq .pid "$CTR_STATE/default/$id/shim.json")" -x runc)
	[ -n "$rpid" ]
	ctr-run kill -s KILL "$id"
	run ctr-run wait "$id"
	assert_status 137
	[ "$(jq -r .signal <<<"$output")" = 9 ]
	ctr-run delete "$id"
	assert_clean "$id"
}

@test "run: a foreground runtime killed mid-run: the shim reaps init and deletes its state" {
	local id out=$BATS_TEST_TMPDIR/out spid rpid
	id=$(cid fgrtkill)
	ctr-run run --name "$id" "$IMG" -- sh -c 'echo ready; exec sleep 1000' >"$out" 2>&1 &
	track_pid $!
	wait_for_file_text "$out" ready
	spid=$(jq .pid "$CTR_STATE/default/$id/shim.json")
	rpid=$(pgrep -P "$spid" -x runc)
	kill -KILL "$rpid"
	# the container outlives its runtime and is still ours to stop
	sleep 0.2
	[ "$(ctr-run state "$id" | jq -r .status)" = running ]
	ctr-run kill -s KILL "$id"
	run ctr-run wait "$id"
	assert_status 137
	# the shim ran the runtime's delete for the state the dead run left
	while kill -0 "$spid" 2>/dev/null; do sleep 0.05; done
	run ! runc --root "$RR" state "$id"
	ctr-run delete "$id"
	assert_clean "$id"
}

@test "run: --pull missing (the default) pulls and unpacks what the store lacks; never says how" {
	local id out shims=$BATS_TEST_TMPDIR/shims
	id=$(cid pulled)
	ctr-image rm "$IMG" >/dev/null
	ctr-image gc -q >/dev/null
	# each shim started is noted: a missing image costs none
	printf '#!/bin/sh\necho "$$" >>%s\nexec %s "$@"\n' "$shims" "$(command -v ctr-shim)" \
		>"$BATS_TEST_TMPDIR/ctr-shim"
	chmod +x "$BATS_TEST_TMPDIR/ctr-shim"
	export CTR_SHIM=$BATS_TEST_TMPDIR/ctr-shim
	run --separate-stderr ctr-run run --rm --pull never "$IMG" -- true
	assert_status 125
	[ "$stderr" = "ctr-run: fatal: no image '$IMG' in namespace 'default': pull it with 'ctr-pull --unpack $IMG' or use --pull=missing" ]
	[ -z "$(ctr-image ls -q)" ]
	[ ! -e "$shims" ]
	# on a terminal, ctr-pull's progress is drawn by ctr-run
	out=$(/usr/bin/python3 "$BATS_TEST_DIRNAME/../lib/ptyrun.py" -- ctr-run run --rm --name "$id" "$IMG" -- echo ran)
	[[ $out == *"$IMG: resolved sha256:"* ]]
	[[ $out == *"ran"* ]]
	[ "$(ctr-image ls -q)" = "$IMG" ]
	[ "$(wc -l <"$shims")" = 1 ] # the one that ran it, none before the pull
	unset CTR_SHIM
	assert_clean "$id"
	# always: pulled again even when present
	run --separate-stderr ctr-run run --rm --pull always "$IMG" -- echo again
	assert_status 0
	[ "$output" = again ]
	run --separate-stderr ctr-run run --rm --pull always 127.0.0.1:1/none:1 -- true
	assert_status 125
	[ "$(echo "$stderr" | wc -l)" = 1 ]
	[[ $stderr == "ctr-run: fatal: pull '127.0.0.1:1/none:1': "* ]]
	run --separate-stderr ctr-run run --rm --pull sometimes "$IMG" -- true
	assert_status 125
	[[ $stderr == *"--pull 'sometimes': want missing, always or never"* ]]
}

@test "run: --pull missing unpacks an image the store has from the store: a commit in no registry runs by name" {
	local id layer new=$REGISTRY/test/committed-here:1
	id=$(cid made)
	ctr-run run --name "$id" "$IMG" -- sh -c 'echo made-here >/made' >/dev/null
	layer=$(ctr-image commit -c 'CMD=cat /made' "$id" "$new" | jq -r '.layers[-1].digest')
	ctr-run delete "$id"
	# the registry has no such image: a pull fails (404)
	run ! ctr-pull -q "$new"
	# ctr-unpack's refusal (its layer's blob gone) is one line of ours, status 125
	mv "$CTR_ROOT/content/blobs/sha256/${layer#sha256:}" "$BATS_TEST_TMPDIR/blob"
	run --separate-stderr ctr-run run --rm "$new"
	assert_status 125
	[ "$(echo "$stderr" | wc -l)" = 1 ]
	[[ $stderr == "ctr-run: fatal: unpack '$new': "* ]]
	mv "$BATS_TEST_TMPDIR/blob" "$CTR_ROOT/content/blobs/sha256/${layer#sha256:}"
	run --separate-stderr ctr-run run --rm "$new"
	assert_status 0
	[ "$output" = made-here ]
	# unpacked now: --pull never finds it
	run --separate-stderr ctr-run run --rm --pull never "$new"
	assert_status 0
	[ "$output" = made-here ]
}

@test "run: CTR_SNAPSHOTTER is the default of ctr-unpack, ctr-pull --unpack and run by name, as of ctr-snapshot" {
	local id chain
	id=$(cid native)
	chain=$(jq -r .chain_id "$SNAP") # unpacked by the setup, into overlay
	export CTR_SNAPSHOTTER=native
	# not in native yet: run unpacks it there from the store, and ctr-snapshot sees it
	run --separate-stderr ctr-run run --name "$id" "$IMG" -- echo ran
	assert_status 0
	[ "$output" = ran ]
	[ "$(ctr-run state "$id" | jq -r .snapshotter)" = native ]
	ctr-snapshot ls | cut -f1 | grep -qxF "$chain"
	ctr-snapshot --snapshotter native stat "$chain" >/dev/null
	[ "$(ctr-unpack "$IMG" | jq -r .snapshotter)" = native ]
	[ "$(ctr-pull -q --unpack "$IMG" | jq -r .snapshotter)" = native ]
	# an option still wins
	[ "$(ctr-unpack --snapshotter overlay "$IMG" | jq -r .snapshotter)" = overlay ]
	ctr-run delete "$id"
	# a bad value is bad input, named; a pull that unpacks nothing ignores it
	CTR_SNAPSHOTTER=bogus run --separate-stderr ctr-unpack "$IMG"
	assert_status 100
	[[ $stderr == *"\$CTR_SNAPSHOTTER: unknown snapshotter 'bogus'"* ]]
	CTR_SNAPSHOTTER=bogus run --separate-stderr ctr-pull -q "$IMG"
	assert_status 0
	unset CTR_SNAPSHOTTER
	assert_clean "$id"
}

@test "run: docker's flags: -e VAR, --env-file, -v, --tmpfs, --mount type=tmpfs; -p refused" {
	local d=$BATS_TEST_TMPDIR/vol
	mkdir -p "$d" && echo hostfile >"$d/f"
	printf '# a comment\n\nFROMFILE=1\nFROMENV\n' >"$BATS_TEST_TMPDIR/env"
	run --separate-stderr env FROMENV=2 HOSTVAR=3 ctr-run run --rm -e HOSTVAR -e UNSETVAR \
		--env-file "$BATS_TEST_TMPDIR/env" -v "$d:/v:ro" --tmpfs /scratch:size=1m,mode=1777 \
		--mount type=tmpfs,dst=/t2,ro "$IMG" -- sh -c \
		'echo "$HOSTVAR $FROMFILE $FROMENV ${UNSETVAR-unset}"; cat /v/f; touch /v/x 2>/dev/null || echo ro;
		 grep " /scratch tmpfs " /proc/mounts | grep -c "size=1024k";
		 touch /t2/x 2>/dev/null || echo ro2'
	assert_status 0
	[ "$output" = "$(printf '3 1 2 unset\nhostfile\nro\n1\nro2')" ] || { echo "$output"; false; }
	[ ! -e "$d/x" ]
	run --separate-stderr ctr-run run --rm -p 8080:80 "$IMG" -- true
	assert_status 125
	[[ "$stderr" == "ctr-run: fatal: -p '8080:80': port publishing is a higher layer's job"* ]]
	run --separate-stderr ctr-run run --rm -v relative:/x "$IMG" -- true
	assert_status 125
	assert_nothing_left
}

@test "run: --device /dev/X[:/PATH][:rwm] makes the node and allows it in the devices cgroup" {
	run --separate-stderr ctr-run run --rm --device /dev/zero:/dev/myzero "$IMG" \
		-- sh -c 'ls -l /dev/myzero; head -c 4 /dev/myzero | od -An -tx1'
	assert_status 0
	[[ "${lines[0]}" == "crw-rw-rw-"*" 1,   5 "*" /dev/myzero" ]]
	[ "$(echo ${lines[1]})" = "00 00 00 00" ]
	# /dev/kmsg is not among the devices every container may use: only the
	# access given opens it (for writing; nothing is written)
	run --separate-stderr ctr-run run --rm --device /dev/kmsg:/dev/k:r "$IMG" \
		-- sh -c 'true >/dev/k && echo w-ok; exit 0'
	assert_status 0
	[ -z "$output" ]
	[[ "$stderr" == *"can't create /dev/k: Operation not permitted"* ]]
	run --separate-stderr ctr-run run --rm --device /dev/kmsg:/dev/k "$IMG" -- sh -c 'true >/dev/k && echo w-ok'
	assert_status 0
	[ "$output" = w-ok ]
	# same path in the container by default, access in the second place too
	run --separate-stderr ctr-run run --rm --device /dev/zero:rw "$IMG" -- head -c 1 /dev/zero
	assert_status 0
	for bad in /etc/passwd /nonexistent dev/zero /dev/zero:rx /dev/zero:/dev/../x \
		/dev/zero:/dev/z:rwx /dev/zero:rwmm; do
		run --separate-stderr ctr-run run --rm --device "$bad" "$IMG" -- true
		echo "$bad -> $status: $stderr"
		assert_status 125
		[ "${#stderr_lines[@]}" = 1 ]
		[[ "$stderr" == "ctr-run: fatal: --device "* ]]
	done
	[ -z "$(ls "$CTR_ROOT/containers/default")" ]
	[ "$(mountinfo_points)" = "$MI_BEFORE" ]
}

# $STATE/NS/ID sits beside the state directory's own folders: a namespace
# named after one of them put its containers' state there, and a create
# replaces a stale state directory of its id. 'ctr-run -n runtime create
# --name default' removed runc's state of every container of namespace default.
@test "run: a namespace named after the state directory's own folders is refused, runc's state kept" {
	local id ns
	id=$(cid "nsres$$")
	ctr-run run -d --name "$id" "$IMG" -- sleep 100 >/dev/null
	for ns in runtime unpack cni cri.sock; do
		run --separate-stderr ctr-run -n "$ns" create --name default "$IMG" -- true
		assert_status 100
		[ "$stderr" = "ctr-run: fatal: namespace: '$ns' is reserved (the state directory's own '$ns')" ]
		run --separate-stderr ctr-image -n "$ns" ls
		assert_status 100
	done
	[ -z "$(ls "$CTR_ROOT/containers")" ] || [ "$(ls "$CTR_ROOT/containers")" = default ]
	[ -d "$RR/$id" ]
	run ctr-run exec "$id" -- echo alive
	assert_status 0
	[ "$output" = alive ]
	ctr-run delete -f "$id"
	assert_clean "$id"
}

# The event log shares $STATE/NS with the containers' state directories: a
# container named events.jsonl had its state directory replace the log.
@test "run: --name events.jsonl or events.jsonl.1 is refused, the event log kept" {
	local n before
	ctr-run create --name "$(cid evlog$$)" "$IMG" -- true >/dev/null
	before=$(cat "$CTR_STATE/default/events.jsonl")
	for n in events.jsonl events.jsonl.1; do
		cid "$n" >/dev/null # for the teardown, should it be made
		run --separate-stderr ctr-run create --name "$n" "$IMG" -- true
		assert_status 100
		[ "$stderr" = "ctr-run: fatal: --name: '$n' is the namespace's event log" ]
		run --separate-stderr ctr-run run --rm --name "$n" "$IMG" -- true
		assert_status 125
	done
	[ -f "$CTR_STATE/default/events.jsonl" ]
	[ "$(cat "$CTR_STATE/default/events.jsonl")" = "$before" ]
	[ "$(ls "$CTR_ROOT/containers/default")" = "evlog$$" ]
	ctr-run delete "evlog$$"
	assert_clean "evlog$$"
}

# runc refuses to update a stopped container with its own log line
# (time="..." level=error msg="container not running"), printed as ours.
@test "run: update of a stopped container is one line of ours, exit 100" {
	local id
	id=$(cid "updstop$$")
	ctr-run run --name "$id" "$IMG" -- true
	run --separate-stderr ctr-run update --memory 64m "$id"
	assert_status 100
	[ "$stderr" = "ctr-run: fatal: container '$id' is stopped" ]
	ctr-run delete "$id"
	assert_clean "$id"
}
