# SPDX-License-Identifier: Apache-2.0
# Common bats helpers: per-test roots, process and mount cleanup, skips, ports,
# JSON and output assertions. Loaded by every bats file: `load ../lib/helpers`.
# shellcheck shell=bash

# The repository top, found from this file so tests run from any directory.
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
export REPO_ROOT
# The tools under test: bin/ (the plain build), or CTR_BIN (tests/asan points
# it at the sanitizer build).
CTR_BIN=${CTR_BIN:-$REPO_ROOT/bin}
export CTR_BIN
case ":$PATH:" in
*":$CTR_BIN:"*) ;;
*) PATH="$CTR_BIN:$PATH" ;;
esac
export PATH
CACHE_DIR=${CACHE_DIR:-$REPO_ROOT/tests/.cache}
export CACHE_DIR

# A fresh root and state dir per test (not created: the tools create them).
common_setup() {
	export CTR_ROOT=$BATS_TEST_TMPDIR/root
	export CTR_STATE=$BATS_TEST_TMPDIR/run
	export CTR_NAMESPACE=default
	_helpers_san_setup
}

# Under tests/asan (CTR_SAN_LOG set), each test's sanitizer reports go to
# files of its own, CTR_SAN_LOG/<suite>.<test>.<pid>, so that its teardown
# can fail the test that caused them.
_helpers_san_setup() {
	[ -n "${CTR_SAN_LOG:-}" ] || return 0
	_helpers_san_prefix=$CTR_SAN_LOG/$(basename "$BATS_TEST_FILENAME" .bats).$BATS_SUITE_TEST_NUMBER
	export ASAN_OPTIONS="${ASAN_OPTIONS:-}:log_path=$_helpers_san_prefix"
	export UBSAN_OPTIONS="${UBSAN_OPTIONS:-}:log_path=$_helpers_san_prefix"
}

# True under tests/run --sanitized. The ASan build's memory (shadow memory,
# freed blocks held in quarantine) says nothing of the plain build's: size
# checks are for the plain build only.
sanitized_build() { [ -n "${CTR_SAN_LOG:-}" ]; }

# Print the test's sanitizer reports on stderr and mark them seen (tests/run
# counts the others); fails when there is one.
_helpers_san_check() {
	[ -n "${_helpers_san_prefix:-}" ] || return 0
	local f found=0
	for f in "$_helpers_san_prefix".*; do
		[ -s "$f" ] && [ "${f%.seen}" = "$f" ] || continue
		echo "sanitizer report ${f##*/}:" >&2
		cat "$f" >&2
		mv "$f" "$f.seen"
		found=1
	done
	[ "$found" = 0 ]
}

# Undo what the test left: tracked pids, registries started inside the test,
# mounts under its tmpdir; then remove the tmpdir. Safe to call twice. Fails
# when a container of the test left its cgroup (removed then, when empty).
common_teardown() {
	local rc=0
	[ -n "${BATS_TEST_TMPDIR:-}" ] && [ -d "$BATS_TEST_TMPDIR" ] || return 0
	if declare -F registry_stop_scope >/dev/null; then
		registry_stop_scope "$BATS_TEST_TMPDIR"
	fi
	_helpers_kill_tracked "$BATS_TEST_TMPDIR/.tracked-pids"
	_helpers_umount_under "$BATS_TEST_TMPDIR" || return 1
	_helpers_cgroups_check || rc=1
	# --one-file-system: a mount we failed to remove is never walked into
	rm -rf --one-file-system "$BATS_TEST_TMPDIR"
	_helpers_san_check || rc=1
	return "$rc"
}

# The cgroups of this test's containers that are left: printed, removed
# when empty, and a failure. ctr-run logs "create" for each container it
# hands to the runtime ($CTR_STATE/NS/events.jsonl), whose group is
# ctr/NS-ID in every hierarchy. cgroups are the host's: a run beside this
# one (a state directory of its own, the same namespace) may have a live
# container of the same name, whose shim says so; that group is left alone.
_helpers_cgroups_check() {
	local log ns id g found="" left i
	[ -n "${CTR_STATE:-}" ] || return 0
	for log in "$CTR_STATE"/*/events.jsonl; do
		[ -f "$log" ] || continue
		ns=${log%/events.jsonl}
		ns=${ns##*/}
		# shellcheck disable=SC2013 # ids are single words
		for id in $(cat "$log.1" "$log" 2>/dev/null |
			sed -n 's/^{"time":"[^"]*","id":"\([^"]*\)","event":"create".*/\1/p' | sort -u); do
			_helpers_cgroups_of "$ns" "$id" >/dev/null && found="$found $ns/$id"
		done
	done
	[ -n "$found" ] || return 0
	# a shim carrying out --rm after the test's last command: its delete ends
	for ((i = 0; i < 100; i++)); do
		left=""
		for id in $found; do
			_helpers_cgroups_of "${id%%/*}" "${id#*/}" >/dev/null && left="$left $id"
		done
		[ -n "$left" ] || return 0
		sleep 0.05
	done
	found=""
	for id in $left; do
		_helpers_foreign_shim "${id%%/*}" "${id#*/}" && continue
		for g in $(_helpers_cgroups_of "${id%%/*}" "${id#*/}"); do
			rmdir "$g" 2>/dev/null || true
			found="$found $g"
		done
	done
	[ -n "$found" ] || return 0
	echo "cgroups left by this test's containers (removed when empty):$found" >&2
	return 1
}

# The folders of cgroup ctr/NS-ID, one a line; fails when there is none.
_helpers_cgroups_of() {
	local g r=1
	for g in /sys/fs/cgroup/*/ctr/"$1-$2" /sys/fs/cgroup/ctr/"$1-$2"; do
		[ -d "$g" ] && echo "$g" && r=0
	done
	return "$r"
}

# Is container ID of namespace NS alive in another state directory: a shim
# (ctr-shim --id ID) whose runtime root is not ours?
_helpers_foreign_shim() {
	local f a n prev rr hit ours
	ours=$(realpath -m "$CTR_STATE/runtime/$1")
	# shellcheck disable=SC2013 # /proc paths are single words
	for f in $(grep -lzx -- "$2" /proc/[0-9]*/cmdline 2>/dev/null); do
		n=0 prev="" rr="" hit=""
		while IFS= read -r -d '' a; do
			[ $((n++)) = 0 ] && [[ $a != *ctr-shim ]] && break
			[ "$prev" = --id ] && [ "$a" = "$2" ] && hit=1
			[ "$prev" = --runtime-root ] && rr=$a
			prev=$a
		done 2>/dev/null <"$f"
		[ -n "$hit" ] && [[ $rr == */runtime/"$1" ]] && [ "$rr" != "$ours" ] && return 0
	done
	return 1
}

# Print "PID STARTTIME" for a live, non-zombie pid; fails otherwise. The
# start time (field 22 of /proc/PID/stat) tells a reused pid from ours.
pid_identity() {
	local stat rest
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	rest=${stat##*) } # fields after "comm", which may hold spaces
	# shellcheck disable=SC2086 # split into the stat fields on purpose
	set -- "$1" $rest
	[ "$2" != Z ] && [ "$2" != X ] || return 1
	echo "$1 ${21}"
}

# Remember a pid to be killed at teardown: track_pid PID [FILE]. The record
# lives in a file so pids tracked inside `run` subshells are seen too.
track_pid() {
	local file=${2:-${BATS_TEST_TMPDIR:?track_pid needs BATS_TEST_TMPDIR}/.tracked-pids}
	pid_identity "$1" >>"$file" || true
}

# Kill every "PID STARTTIME" in FILE ("-": stdin) whose pid still has that
# identity: TERM, a grace period (KILL_GRACE seconds, default 3), then KILL.
kill_recorded() {
	local file=$1 grace=${KILL_GRACE:-3} pid start live="" i
	if [ "$file" != - ]; then
		[ -f "$file" ] || return 0
		kill_recorded - <"$file"
		return
	fi
	while read -r pid start _; do
		[ -n "$pid" ] || continue
		[ "$(pid_identity "$pid")" = "$pid $start" ] || continue
		kill -TERM "$pid" 2>/dev/null && live="$live $pid:$start"
	done
	for ((i = 0; i < grace * 20; i++)); do
		# shellcheck disable=SC2086 # one word per pid
		_helpers_any_alive $live || return 0
		sleep 0.05
	done
	for pid in $live; do
		[ "$(pid_identity "${pid%%:*}")" = "${pid%%:*} ${pid#*:}" ] &&
			kill -KILL "${pid%%:*}" 2>/dev/null
	done
	for ((i = 0; i < 100; i++)); do
		# shellcheck disable=SC2086 # one word per pid
		_helpers_any_alive $live || return 0
		sleep 0.05
	done
	echo "kill_recorded: still alive after KILL:$live" >&2
	return 1
}

_helpers_any_alive() {
	local p
	for p in "$@"; do
		[ "$(pid_identity "${p%%:*}")" = "${p%%:*} ${p#*:}" ] && return 0
	done
	return 1
}

_helpers_kill_tracked() {
	kill_recorded "$1" && rm -f "$1"
}

# Mount points under DIR from our mount table, deepest first. mountinfo
# escapes space, tab, newline and backslash as octal; undo that.
mounts_under() {
	local dir=${1%/}
	awk -v d="$dir/" '{
		p = $5; out = ""
		while (match(p, /\\[0-7][0-7][0-7]/)) {
			c = substr(p, RSTART + 1, 3)
			n = (substr(c,1,1) * 64) + (substr(c,2,1) * 8) + substr(c,3,1)
			out = out substr(p, 1, RSTART - 1) sprintf("%c", n)
			p = substr(p, RSTART + 4)
		}
		p = out p
		if (index(p "/", d) == 1)
			print gsub("/", "/", p) "\t" p
	}' /proc/self/mountinfo | sort -t "$(printf '\t')" -k1,1nr -k2,2r | cut -f2-
}

_helpers_umount_under() {
	local dir=$1 m _pass
	for _pass in 1 2 3; do
		[ -n "$(mounts_under "$dir")" ] || return 0
		while IFS= read -r m; do
			umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
		done < <(mounts_under "$dir")
	done
	if [ -n "$(mounts_under "$dir")" ]; then
		echo "common_teardown: mounts left under $dir:" >&2
		mounts_under "$dir" >&2
		return 1
	fi
}

# tree_manifest DIR: everything the comparisons of unpacked trees (with umoci,
# between drivers) look at, one line per fact: path, type, mode, owner, then
# size, link count and link target for non-dirs; the sha256 of every regular
# file; xattrs; device numbers.
tree_manifest() {
	(
		cd "$1" || exit 1
		find . -mindepth 1 \( -type d -printf '%p %y %m %U:%G\n' \) -o \
			\( ! -type d -printf '%p %y %m %U:%G %s %n %l\n' \) | LC_ALL=C sort
		find . \( -type b -o -type c \) -printf '%p ' -exec stat -c '%t:%T' {} \; | LC_ALL=C sort
		find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum
		getfattr -R -h -d -m - . 2>/dev/null | grep -v '^$' || true
	)
}

# The path of blob DIGEST in $CTR_ROOT's content store.
store_blob() {
	echo "$CTR_ROOT/content/blobs/sha256/${1#sha256:}"
}

# Skip unless root. Only for tests that truly need it.
require_root() {
	[ "$(id -u)" = 0 ] || skip "needs root"
}

# Skip unless every named command is on PATH.
# A containerd of our own (bench/lib/peer.sh): root, state and sockets under
# the test's folder, its pid tracked so that teardown stops it; CTD is its
# ctr client. Skips when it does not start.
containerd_start() {
	# shellcheck source=../../bench/lib/peer.sh
	. "$REPO_ROOT/bench/lib/peer.sh"
	peer_start "$BATS_TEST_TMPDIR/ctd" || skip "containerd does not start here"
	track_pid "$PEER_PID"
	CTD="ctr --address $PEER_SOCK"
}

require_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "needs command: $c"
	done
}

# The python3 to run helpers with: Debian's, not a user shim (faster, stable).
helpers_python() {
	if [ -x /usr/bin/python3 ]; then echo /usr/bin/python3; else command -v python3; fi
}

# Print a TCP port on 127.0.0.1 that was free a moment ago.
free_port() {
	"$(helpers_python)" -I -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# Wait until something accepts on 127.0.0.1:PORT (TIMEOUT seconds, default 5).
wait_for_port() {
	local port=$1 timeout=${2:-5} i
	for ((i = 0; i < timeout * 50; i++)); do
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
		sleep 0.02
	done
	echo "wait_for_port: nothing listens on 127.0.0.1:$port after ${timeout}s" >&2
	return 1
}

# Wait until FILE is not empty (TIMEOUT seconds, default 10): what a background job prints.
wait_nonempty() {
	local file=$1 timeout=${2:-10} i
	for ((i = 0; i < timeout * 20; i++)); do
		[ -s "$file" ] && return 0
		sleep 0.05
	done
	echo "wait_nonempty: $file is still empty after ${timeout}s" >&2
	return 1
}

# json_get JSON EXPR: jq -r EXPR on JSON; fails on invalid JSON.
json_get() {
	jq -r "$2" <<<"$1"
}

# After `run`: check $status, printing the output when it differs.
# shellcheck disable=SC2154 # status and output are set by bats' run
assert_status() {
	if [ "$status" != "$1" ]; then
		printf 'expected status %s, got %s; output:\n%s\n' "$1" "$status" "$output" >&2
		return 1
	fi
}

# After `run`: check that $output contains STR.
assert_output_contains() {
	case "$output" in
	*"$1"*) return 0 ;;
	esac
	printf 'output does not contain "%s"; output:\n%s\n' "$1" "$output" >&2
	return 1
}
