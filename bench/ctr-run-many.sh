#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Many detached containers: start N (default 500) with ctr-run run -d, time
# each start and ctr-run ls as the count grows, delete them all, then check
# that nothing leaked (mounts, cgroups, runc state, processes).
#
#   bench/ctr-run-many.sh [N]        (root; real runc, overlayfs, registry)
#
# The image is the busybox test fixture, pushed to a private registry on
# 127.0.0.1 and pulled and unpacked into a temporary root. Each container
# runs sleep as pid 1; delete -f stops it with SIGKILL.
set -euo pipefail

N=${1:-500}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
# shellcheck source=../tests/lib/helpers.bash
source "$REPO/tests/lib/helpers.bash"
# shellcheck source=../tests/lib/registry.bash
source "$REPO/tests/lib/registry.bash"

[ "$(id -u)" = 0 ] || { echo "ctr-run-many: fatal: needs root" >&2; exit 100; }
WORK=$(mktemp -d /var/tmp/ctr-run-many.XXXXXX)
export TMPDIR=$WORK CTR_ROOT=$WORK/root CTR_STATE=$WORK/run CTR_NAMESPACE=benchmany
RR=$CTR_STATE/runtime/$CTR_NAMESPACE
ids=()

now_ms() { echo $(($(date +%s%N) / 1000000)); }

cleanup() {
	local id failed=0
	for id in "${ids[@]}"; do
		[ -e "$CTR_ROOT/containers/$CTR_NAMESPACE/$id" ] || continue
		ctr-run delete -f "$id" >/dev/null 2>&1 || failed=1
	done
	registry_stop >/dev/null 2>&1 || true
	if [ "$failed" = 1 ]; then
		# the runtime's state is in there: without it the rest cannot be found
		echo "ctr-run-many: some containers could not be deleted; left $WORK" >&2
		return
	fi
	_helpers_umount_under "$WORK" || true
	rm -rf --one-file-system "$WORK"
}
trap cleanup EXIT

registry_start plain >/dev/null
fixture_push busybox bench/busybox:1
IMG=$REGISTRY/bench/busybox:1
ctr-pull -q "$IMG" | ctr-unpack >/dev/null
registry_stop >/dev/null

# median of the numbers on stdin
median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

# time one ls (ms), median of 5
time_ls() {
	local i t0 out=()
	for i in 1 2 3 4 5; do
		t0=$(now_ms)
		ctr-run ls "$@" >/dev/null
		out+=($(($(now_ms) - t0)))
	done
	printf '%s\n' "${out[@]}" | median
}

echo "# $N detached containers (sleep 600), $(nproc) CPUs, $(uname -r)"
: >"$WORK/starts"
for ((i = 1; i <= N; i++)); do
	id=many$i
	ids+=("$id")
	t0=$(now_ms)
	ctr-run run -d --name "$id" "$IMG" -- sleep 600 </dev/null >/dev/null
	echo "$i $(($(now_ms) - t0))" >>"$WORK/starts"
	case $i in
	1 | 100 | 250 | "$N")
		echo "ls at $i containers: $(time_ls) ms; ls --json: $(time_ls --json) ms"
		;;
	esac
done
first=$(head -n 20 "$WORK/starts" | awk '{print $2}' | median)
last=$(tail -n 20 "$WORK/starts" | awk '{print $2}' | median)
echo "start: first 20 median ${first} ms, last 20 median ${last} ms, ratio $(awk -v a="$first" -v b="$last" 'BEGIN {printf "%.2f", b / a}')"
running=$(ctr-run ls --json | jq '[.[] | select(.status == "running")] | length')
echo "running according to ls: $running of $N"
shims=$(for id in "${ids[@]}"; do jq -r '"\(.pid) \(.start_time)"' "$CTR_STATE/$CTR_NAMESPACE/$id/shim.json"; done)
inits=$(ctr-run ls --json | jq -r '.[].pid')

t0=$(now_ms)
for id in "${ids[@]}"; do ctr-run delete -f "$id"; done
echo "delete -f of $N: $(($(now_ms) - t0)) ms"

# what must be gone now
leaks=0
left=$( (ls "$CTR_ROOT/containers/$CTR_NAMESPACE" 2>/dev/null || true) | wc -l)
[ "$left" = 0 ] || { echo "LEAK: $left container records"; leaks=1; }
mnt=$(awk -v d="$WORK/" 'index($5, d) == 1' /proc/self/mountinfo | wc -l)
[ "$mnt" = 0 ] || { echo "LEAK: $mnt mounts under $WORK"; leaks=1; }
cg=$( (ls -d /sys/fs/cgroup/*/ctr/"$CTR_NAMESPACE"-* /sys/fs/cgroup/ctr/"$CTR_NAMESPACE"-* 2>/dev/null || true) | wc -l)
[ "$cg" = 0 ] || { echo "LEAK: $cg cgroups"; leaks=1; }
rs=$( (runc --root "$RR" list -q 2>/dev/null || true) | wc -l)
[ "$rs" = 0 ] || { echo "LEAK: $rs runc containers"; leaks=1; }
alive=0
while read -r pid st; do
	if [ -n "$pid" ] && [ "$(pid_identity "$pid" | cut -d' ' -f2)" = "$st" ]; then
		alive=$((alive + 1))
	fi
done <<<"$shims"
for pid in $inits; do
	if grep -qs "/ctr/$CTR_NAMESPACE-" "/proc/$pid/cgroup"; then alive=$((alive + 1)); fi
done
[ "$alive" = 0 ] || { echo "LEAK: $alive shim or init processes alive"; leaks=1; }
snaps=$(ctr-snapshot ls 2>/dev/null | grep -c "ctr:$CTR_NAMESPACE:" || true)
[ "$snaps" = 0 ] || { echo "LEAK: $snaps container snapshots"; leaks=1; }
[ "$leaks" = 1 ] || echo "after delete: no records, mounts, cgroups, runc state, processes or snapshots left"
exit "$leaks"
