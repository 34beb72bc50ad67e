# SPDX-License-Identifier: Apache-2.0
# Section 6: the kubelet's calls for a host-network pod of one container,
# RunPodSandbox + CreateContainer + StartContainer and the Stop + Remove
# that undo them, by one gRPC client (bench/lib/cri-bench.py) against
# ctr-cri and against containerd 1.6's own CRI plugin (a private instance,
# bench/lib/peer.sh), in turn A B A B. containerd runs a pause container per
# pod (the busybox fixture sleeping, as its sandbox image); ctr-cri has none.
# shellcheck shell=bash

CRI_PID=

bench_cri_stop() {
	[ -n "$CRI_PID" ] || return 0
	kill -TERM "$CRI_PID" 2>/dev/null
	wait "$CRI_PID" 2>/dev/null
	CRI_PID=
}

# bench_cri_pause LAYOUT: LAYOUT's image made to sleep for ever, pushed as
# bench/pause:1 (the peer's sandbox image).
bench_cri_pause() {
	local d=$BENCH_TMP/pause
	cp -a "$1" "$d" &&
		umoci config --image "$d:latest" --config.entrypoint /bin/sleep \
			--config.cmd 2147483647 >/dev/null &&
		bench_push "$d" bench/pause:1
}

# bench_cri_rows ROUNDS TINY LAYOUT
bench_cri_rows() {
	local d=$BENCH_TMP/cri stubs=$BENCH_TMP/cri/stubs what side
	if ! /usr/bin/python3 -c 'import grpc, grpc_tools' 2>/dev/null; then
		for what in "RunPodSandbox + CreateContainer + StartContainer"; do
			bench_na cri "$what" ours "n/a (python3-grpcio, python3-grpc-tools missing)"
		done
		return 0
	fi
	mkdir -p "$d/net.d" "$d/root" "$d/run"
	bench_cri_pause "$3" || bench_die "the sandbox image"
	# ours: ctr-cri on a root of its own, pulling from the bench's registry
	CTR_ROOT=$d/root CTR_STATE=$d/run CNI_CONF_DIR=$d/net.d CTR_RUNTIME_NO_VERSION_CHECK=1 \
		ctr-cri --listen "$d/ours.sock" 2>>"$BENCH_LOG" &
	CRI_PID=$!
	bench_defer bench_cri_stop
	bench_defer bench_cri_clean "$d"
	peer_start "$d/peer" "$REGISTRY/bench/pause:1" || bench_die "containerd with CRI did not start"
	bench_defer peer_stop
	# the peer's images where its CRI finds them: k8s.io, unpacked for overlayfs
	pctr -n k8s.io images pull --plain-http "$REGISTRY/bench/pause:1" >/dev/null &&
		pctr -n k8s.io images pull --plain-http "$2" >/dev/null ||
		bench_die "the peer's pull"
	/usr/bin/python3 "$REPO_ROOT/tests/lib/cri.py" "$stubs" wait "$d/ours.sock" ||
		bench_die "ctr-cri did not come up"
	bench_log "cri: kubelet calls ($1 rounds: ours peer)"
	if ! /usr/bin/python3 "$REPO_ROOT/bench/lib/cri-bench.py" "$stubs" "$1" "$2" \
		"ours=$d/ours.sock" "peer=$PEER_SOCK" >>"$SAMPLES" 2>"$d/bench.err"; then
		cat "$d/bench.err" >>"$BENCH_LOG"
		what=$(tail -n1 "$d/bench.err")
		bench_log "cri: failed: $what"
		side=$(sed -n 's/^cri-bench: \([a-z]*\): .*/\1/p' <<<"$what")
		bench_sample cri "RunPodSandbox + CreateContainer + StartContainer" "${side:-ours}" \
			fail - "run failed: $(cut -c1-160 <<<"${what#cri-bench: }")"
	fi
	bench_cri_stop
	peer_stop
}

# What ctr-cri's side left when the bench stopped in it: its containers, by id.
bench_cri_clean() {
	local id
	[ -d "$1/root/containers/k8s.io" ] || return 0
	for id in $(ls "$1/root/containers/k8s.io"); do
		CTR_ROOT=$1/root CTR_STATE=$1/run ctr-run -n k8s.io delete -f "$id" >/dev/null 2>&1
	done
	_helpers_umount_under "$1/root"
}
