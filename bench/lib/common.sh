# SPDX-License-Identifier: Apache-2.0
# The bench's frame: its temporary folders and tmpfs, interleaved timing
# loops, the sample file, and the cleanup that runs however the bench ends.
# shellcheck shell=bash
#
# Globals set by bench_init: BENCH_TMP (on disk), BENCH_TMPFS (a tmpfs
# mounted under it), SAMPLES (the TSV every sample goes to), BENCH_LOG.

bench_log() {
	printf '[bench %s] %s\n' "$(date +%T)" "$*" >&2
}

bench_die() {
	bench_log "fatal: $*"
	exit 111
}

# bench_init DIR_PARENT TMPFS_MIB: make the bench's folders and its tmpfs.
bench_init() {
	BENCH_TMP=$(mktemp -d "$1/ctr-bench.XXXXXX") || bench_die "mktemp"
	chmod 0755 "$BENCH_TMP"
	BENCH_TMPFS=$BENCH_TMP/tmpfs
	mkdir "$BENCH_TMPFS"
	mount -t tmpfs -o "size=${2}m,mode=0755" bench-tmpfs "$BENCH_TMPFS" ||
		bench_die "cannot mount a tmpfs on $BENCH_TMPFS"
	SAMPLES=$BENCH_TMP/samples.tsv
	BENCH_LOG=$BENCH_TMP/commands.log
	: >"$SAMPLES"
	: >"$BENCH_LOG"
	trap bench_cleanup EXIT
	trap 'bench_log "interrupted"; exit 130' INT TERM HUP
}

# Cleanup hooks run last-registered first: bench_defer FUNC [ARGS...].
BENCH_DEFERRED=()
bench_defer() {
	BENCH_DEFERRED+=("$(printf '%q ' "$@")")
}

bench_cleanup() {
	local i rc=$?
	trap - EXIT INT TERM HUP
	set +e
	for ((i = ${#BENCH_DEFERRED[@]} - 1; i >= 0; i--)); do
		eval "${BENCH_DEFERRED[$i]}" >>"${BENCH_LOG:-/dev/null}" 2>&1
	done
	if [ -n "${BENCH_TMP:-}" ] && [ -d "$BENCH_TMP" ]; then
		_helpers_umount_under "$BENCH_TMP" >&2
		if [ -n "${BENCH_KEEP_LOG:-}" ]; then
			cp "$BENCH_LOG" "$BENCH_KEEP_LOG" 2>/dev/null
		fi
		rm -rf --one-file-system "$BENCH_TMP"
	fi
	return $rc
}

# bench_sample SECTION WHAT SIDE VALUE UNIT [NOTE]: one line of the TSV.
bench_sample() {
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "${6:-}" >>"$SAMPLES"
}

# bench_na SECTION WHAT SIDE REASON: a figure we do not have, and why.
bench_na() {
	bench_sample "$1" "$2" "$3" na - "$4"
}

# Microseconds since the epoch, without a fork.
bench_now() {
	local t=$EPOCHREALTIME
	echo "${t/./}"
}

# bench_ab SECTION WHAT RUNS SPEC...: interleaved samples, one SPEC after
# the other in each of RUNS rounds (A B A B ...). A SPEC is
# "SIDE:PREP:CMD:POST" naming shell functions called with the round number;
# only CMD is timed. A side whose step fails is recorded as failed, with the
# last line of its output, and not run again.
bench_ab() {
	local sec=$1 what=$2 runs=$3 i spec side prep cmd post t0 t1 out
	local -A failed=()
	shift 3
	bench_log "$sec: $what ($runs rounds: ${*%%:*})"
	out=$BENCH_TMP/step.out
	for ((i = 1; i <= runs; i++)); do
		for spec in "$@"; do
			IFS=: read -r side prep cmd post <<<"$spec"
			[ -n "${failed[$side]:-}" ] && continue
			echo "## $sec / $what / $side / round $i" >>"$BENCH_LOG"
			: >"$out"
			if [ -n "$prep" ] && ! "$prep" "$i" >"$out" 2>&1; then
				_bench_failed "$sec" "$what" "$side" "prepare" "$out"
				failed[$side]=1
				continue
			fi
			cat "$out" >>"$BENCH_LOG"
			t0=$(bench_now)
			if ! "$cmd" "$i" >"$out" 2>&1; then
				_bench_failed "$sec" "$what" "$side" "run" "$out"
				failed[$side]=1
				continue
			fi
			t1=$(bench_now)
			cat "$out" >>"$BENCH_LOG"
			bench_sample "$sec" "$what" "$side" $((t1 - t0)) us
			if [ -n "$post" ] && ! "$post" "$i" >"$out" 2>&1; then
				_bench_failed "$sec" "$what" "$side" "cleanup" "$out"
				failed[$side]=1
			fi
		done
	done
}

_bench_failed() {
	local msg
	cat "$5" >>"$BENCH_LOG"
	msg=$(grep -v '^[[:space:]]*$' "$5" | tail -n1 | tr '\t' ' ' | cut -c1-160)
	bench_log "$1: $2: $3 failed at $4: $msg"
	bench_sample "$1" "$2" "$3" fail - "$4 failed: $msg"
}

# bench_kill_recorded FILE: stop the "PID START" processes of FILE.
bench_kill_recorded() {
	KILL_GRACE=${KILL_GRACE:-5} kill_recorded "$1"
}

# bench_mem PID...: print "PSS_KB RSS_KB" summed over the pids, from
# /proc/PID/smaps_rollup.
bench_mem() {
	local p pss=0 rss=0 k v
	for p in "$@"; do
		while read -r k v _; do
			case "$k" in
			Pss:) pss=$((pss + v)) ;;
			Rss:) rss=$((rss + v)) ;;
			esac
		done <"/proc/$p/smaps_rollup"
	done
	echo "$pss $rss"
}

# bench_sync: write back what earlier samples left dirty, outside timing.
bench_sync() {
	sync
}
