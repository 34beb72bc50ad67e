# SPDX-License-Identifier: Apache-2.0
# Setup, teardown and checks shared by the suites that run containers from
# the busybox fixture with real runc. Load after helpers and registry:
# `load ../lib/containers`.
# shellcheck shell=bash
#
#   setup_file()    { busybox_registry_start; }
#   teardown_file() { busybox_registry_stop; }
#   setup()         { containers_setup; }     # extra required commands as args
#   teardown()      { containers_teardown; }
#   @test ... { id=$(cid x); ctr-run run -d --name "$id" "$IMG" ...; assert_clean "$id"; }
#
# After containers_setup: IMG (the busybox image in this file's registry,
# pulled and unpacked), SNAP (the snapshot document ctr-unpack printed), RR
# (runc's --root for namespace default), MI_BEFORE (mountinfo_points then).

if ! declare -F registry_use >/dev/null; then
	# shellcheck source=registry.bash
	source "$(dirname "${BASH_SOURCE[0]}")/registry.bash"
fi

# containers_setup [EXTRA-REQUIRED-CMDS...]: skip unless root with jq, runc
# and the extra commands; a fresh root with the image pulled and unpacked.
containers_setup() {
	require_root
	require_cmd jq runc "$@"
	common_setup
	registry_use "$PLAIN_DIR"
	export CTR_RUNTIME_NO_VERSION_CHECK=1
	IMG=$REGISTRY/test/busybox:1
	# shellcheck disable=SC2034 # RR and MI_BEFORE are for the suites
	RR=$CTR_STATE/runtime/default
	SNAP=$BATS_TEST_TMPDIR/snap.json
	ctr-pull -q "$IMG" | ctr-unpack >"$SNAP"
	# shellcheck disable=SC2034
	MI_BEFORE=$(mountinfo_points)
}

# Every container noted with cid, whatever state a failed test left it in;
# then common_teardown.
containers_teardown() {
	containers_remove_noted
	common_teardown
}

# Remove every container noted with cid: its shim tracked to be killed (if
# it outlives the delete), ctr-run delete -f, runc's delete -f as the
# fallback. A cgroup either leaves is common_teardown's to find and fail on.
# For a teardown with more to undo between this and common_teardown.
containers_remove_noted() {
	local id sd rr=$CTR_STATE/runtime/default
	[ -f "$BATS_TEST_TMPDIR/ids" ] || return 0
	# shellcheck disable=SC2013 # ids are single words
	for id in $(cat "$BATS_TEST_TMPDIR/ids"); do
		sd=$CTR_STATE/default/$id
		if [ -f "$sd/shim.json" ]; then
			track_pid "$(jq .pid "$sd/shim.json")"
		fi
		ctr-run delete -f "$id" >/dev/null 2>&1 || true
		runc --root "$rr" delete -f "$id" >/dev/null 2>&1 || true
	done
}

# cid ID: note ID for containers_teardown and print it.
cid() {
	echo "$1" >>"$BATS_TEST_TMPDIR/ids"
	echo "$1"
}

# The mount points of our mount table that can be ours: everything under this
# test's tmpdir (root, bundles, rootfs). Mounts elsewhere come and go with
# other suites running on the same host at the same time.
mountinfo_points() {
	mounts_under "$BATS_TEST_TMPDIR"
}

# assert_none WHAT TEXT: fails, saying WHAT is left, unless TEXT is empty.
assert_none() {
	[ -z "$2" ] && return 0
	printf '%s left:\n%s\n' "$1" "$2" >&2
	return 1
}

# snapshots_of ID: container ID's snapshot keys in every snapshotter's store
# that exists (listing a store that does not exist would make it).
snapshots_of() {
	local d
	for d in overlay native; do
		[ -d "$CTR_ROOT/snapshots/$d" ] || continue
		ctr-snapshot --snapshotter "$d" ls 2>/dev/null | grep "ctr:default:$1"
	done
	return 0
}

# assert_clean ID: nothing of container ID is left: record, state dir,
# mount, cgroup, snapshot. Every check can fail the test on its own (a bare
# `! cmd` in a function never does), also when called under `||` or `if`.
assert_clean() {
	local id=$1
	assert_none "$id: record" "$(ls -d "$CTR_ROOT/containers/default/$id" 2>/dev/null)" &&
		assert_none "$id: state dir" "$(ls -d "$CTR_STATE/default/$id" 2>/dev/null)" &&
		assert_none "$id: cgroups" "$(ls -d /sys/fs/cgroup/*/ctr/default-"$id" 2>/dev/null)" &&
		assert_none "$id: snapshots" "$(snapshots_of "$id")" &&
		assert_mounts_as_before
}

# The mounts under the test's tmpdir are those of setup (MI_BEFORE).
assert_mounts_as_before() {
	local now
	now=$(mountinfo_points)
	[ "$now" = "$MI_BEFORE" ] && return 0
	printf 'mounts under the tmpdir differ; now:\n%s\nafter setup:\n%s\n' \
		"$now" "$MI_BEFORE" >&2
	return 1
}

# wait_logs ID TEXT: wait up to 10 s for TEXT (a grep pattern) in the
# container's logs (ctr-run logs).
wait_logs() {
	local i
	for ((i = 0; i < 200; i++)); do
		ctr-run logs "$1" 2>/dev/null | grep -q "$2" && return 0
		sleep 0.05
	done
	echo "no '$2' in the logs of $1: $(ctr-run logs "$1" 2>&1 | tail -c 300)" >&2
	return 1
}

# wait_for_file_text FILE TEXT: wait up to 5 s for a line matching TEXT (a
# grep pattern) in FILE.
wait_for_file_text() {
	local i
	for ((i = 0; i < 100; i++)); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "no '$2' in $1: $(cat "$1" 2>/dev/null)" >&2
	return 1
}

# cgroup_tree_remove NAME...: remove the cgroup folder NAME (a path below
# each hierarchy's root that the test chose) and every folder below it,
# deepest first, in every hierarchy (v1 controllers and the v2 tree).
# What the kubelet does with a pod's cgroup once the pod is gone.
cgroup_tree_remove() {
	local name top
	for name in "$@"; do
		for top in /sys/fs/cgroup/*/"$name" /sys/fs/cgroup/"$name"; do
			[ -d "$top" ] || continue
			find "$top" -depth -type d -exec rmdir {} + 2>/dev/null || true
		done
	done
}

# cgroup_tree_left NAME: the folders of cgroup NAME left in any hierarchy.
cgroup_tree_left() {
	ls -d /sys/fs/cgroup/*/"$1" /sys/fs/cgroup/"$1" 2>/dev/null || true
}

# detach_in_shell MARKER CMD...: in a shell on a new terminal (ptyrun.py),
# CMD, which relays the terminal to a container's or exec's; ^P ^Q typed
# once MARKER (its prompt) is shown, then a line for the shell. Fails unless
# CMD exited 0, the prompt's line was ended (MARKER is a line of its own),
# the terminal is cooked again and the line went to the shell, not to CMD.
detach_in_shell() {
	local marker=$1 out=$BATS_TEST_TMPDIR/detach.out
	shift
	# shellcheck disable=SC2016 # expanded by the inner shell
	/usr/bin/python3 "$REPO_ROOT/tests/lib/ptyrun.py" --type $'\x10\x11' --after "$marker" \
		--send after-detach --after 'rc=' -- bash -c '
		"$@"
		echo "rc=$?"
		stty -a | grep -o -- "-\?icanon"
		read -r line
		echo "shell-got:$line"' _ "$@" >"$out"
	grep -qx 'rc=0' "$out" &&
		grep -qxF "$marker" "$out" &&
		grep -qx 'icanon' "$out" &&
		grep -qx 'shell-got:after-detach' "$out" ||
		{
			printf 'the terminal showed:\n%s\n' "$(cat "$out")" >&2
			return 1
		}
}

# assert_bad_keys STATUS KEY CMD...: CMD, given a bad --detach-keys, exits
# STATUS with one line on stderr, which names the bad KEY.
assert_bad_keys() {
	local want=$1 key=$2
	shift 2
	run --separate-stderr "$@"
	assert_status "$want"
	[ "${#stderr_lines[@]}" -eq 1 ] && [[ $stderr == *"bad key '$key'"* ]] ||
		{
			echo "stderr: $stderr" >&2
			return 1
		}
}

# reattach ID: after detach_in_shell, ctr-run attach takes the container's
# terminal up again on a new one: a line typed reaches its prompt loop
# ("got:LINE" back) and ^P ^Q detaches again (exit 0, still running); logs
# has that line and not the shell's.
reattach() {
	run /usr/bin/python3 "$REPO_ROOT/tests/lib/ptyrun.py" --timeout 15 --send hello --after '' \
		--type $'\x10\x11' --after 'got:hello' -- ctr-run attach "$1"
	assert_status 0
	assert_output_contains "got:hello"
	[ "$(ctr-run state "$1" | jq -r .status)" = running ]
	run ctr-run logs "$1"
	assert_status 0
	assert_output_contains "got:hello"
	[[ $output != *after-detach* ]] || {
		echo "the shell's line reached $1" >&2
		return 1
	}
}
