# SPDX-License-Identifier: Apache-2.0
# Section 3: memory per running container, PSS and RSS from
# /proc/PID/smaps_rollup, of every ctr-shim vs every containerd-shim-runc-v2
# (+ the containerd daemon) vs every conmon of podman (no daemon), at growing numbers of detached `sleep`
# containers. Also the time each side took to start each batch.
# shellcheck shell=bash

M_OURS=0
M_PEER=0
M_POD=0

# _m_start SIDE FROM TO: containers FROM+1..TO, two starts at a time.
_m_start() {
	seq "$(($2 + 1))" "$3" | case $1 in
	ours) xargs -P 2 -I{} ctr-run run -d --name "m{}" "$S_TINY" -- sleep 1000000 ;;
	peer) xargs -P 2 -I{} ctr --address "$PEER_SOCK" run -d "$S_TINY" "m{}" sleep 1000000 ;;
	podman)
		export -f ppod ppod_run
		export POD_DIR
		xargs -P 2 -I{} bash -c 'ppod_run -d --name "m$1" "$2" sleep 1000000' _ {} "$S_TINY"
		;;
	esac >/dev/null
}

# Ours name the shim in $CTR_STATE/NS/ID/shim.json (ctr-state(5)).
m_ours_shims() {
	local id
	for id in $(ctr-run ls --json | jq -r '.[] | select(.status == "running") | .id'); do
		jq -r .pid "$CTR_STATE/$CTR_NAMESPACE/$id/shim.json"
	done
}
m_peer_shims() { peer_shim_pids; }

# _m_record N COUNT SIDE WHAT PIDS...: PSS and RSS of PIDS over COUNT
# containers, in the rows for N containers.
_m_record() {
	local n=$1 count=$2 side=$3 what=$4 pss rss
	shift 4
	if [ "$count" = 0 ]; then
		bench_sample memory "$what PSS per container, $n containers" "$side" fail - \
			"no shim found"
		return
	fi
	read -r pss rss < <(bench_mem "$@")
	bench_sample memory "$what PSS per container, $n containers" "$side" $((pss / count)) kB
	bench_sample memory "$what RSS per container, $n containers" "$side" $((rss / count)) kB
}

bench_mem_rows() {
	local n t0 t1 shims side from
	for n in "$@"; do
		bench_log "memory: $n containers each"
		for side in ours peer podman; do
			t0=$(bench_now)
			case $side in
			ours) from=$M_OURS ;;
			peer) from=$M_PEER ;;
			podman) from=$M_POD ;;
			esac
			if _m_start "$side" "$from" "$n" \
				>>"$BENCH_LOG" 2>&1; then
				t1=$(bench_now)
				bench_sample memory "start containers up to $n (2 at a time)" "$side" \
					$((t1 - t0)) us
			else
				bench_sample memory "start containers up to $n (2 at a time)" "$side" fail - \
					"a start failed (see the command log)"
			fi
		done
		M_OURS=$n M_PEER=$n M_POD=$n
		sleep 1
		mapfile -t shims < <(m_ours_shims)
		[ ${#shims[@]} = "$n" ] || bench_log "memory: ours: ${#shims[@]} shims running, wanted $n"
		_m_record "$n" "${#shims[@]}" ours "shim" "${shims[@]}"
		_m_record "$n" "${#shims[@]}" ours "shim (+ daemon)" "${shims[@]}"
		mapfile -t shims < <(m_peer_shims)
		[ ${#shims[@]} = "$n" ] || bench_log "memory: peer: ${#shims[@]} shims running, wanted $n"
		_m_record "$n" "${#shims[@]}" peer "shim" "${shims[@]}"
		_m_record "$n" "${#shims[@]}" peer "shim (+ daemon)" "${shims[@]}" "$PEER_PID"
		mapfile -t shims < <(pod_conmon_pids)
		[ ${#shims[@]} = "$n" ] || bench_log "memory: podman: ${#shims[@]} conmons running, wanted $n"
		_m_record "$n" "${#shims[@]}" podman "shim" "${shims[@]}"
		_m_record "$n" "${#shims[@]}" podman "shim (+ daemon)" "${shims[@]}"
	done
	bench_log "memory: deleting the containers"
	bench_ours_rm_all
	peer_rm_containers
	pod_rm_containers
}
