# SPDX-License-Identifier: Apache-2.0
# Section 4: snapshot prepare+commit on the tiny image's top layer; image rm
# with garbage collection; push of the 8-layer image.
# shellcheck shell=bash

sn_ours() {
	ctr-snapshot prepare --parent "$S_CHAIN" "k$1" >/dev/null &&
		ctr-snapshot commit "c$1" "k$1"
}
sn_peer() {
	pctr snapshots prepare "k$1" "$S_CHAIN" >/dev/null &&
		pctr snapshots commit "c$1" "k$1"
}

# Image rm + gc, measured on both sides to the same point: `ctr images rm
# --sync` returns once containerd's gc has run and its snapshotter's Cleanup
# has removed the snapshot directories and the content store the blobs
# (metadata.DB.GarbageCollect waits for both), as `ctr-image gc` does. `gc
# --background` returns earlier, once the records are gone and the snapshot
# directories are in the trash; its row is set against `ctr images rm`, which
# returns before any gc, and its child's unlinking is waited for, untimed.
# Checked with strace -f on the daemon (containerd 1.6, bench1): during `rm
# --sync` it unlinks every file of the snapshot and the blobs (one unlinkat
# per entry, no stat, one goroutine) before it writes its answer.
G_REF=
g_ours_prep() { ctr-pull --plain-http -q "$G_REF" | ctr-unpack >/dev/null; }
g_ours() { ctr-image rm "$G_REF"; }
g_ours_gc() { ctr-image rm "$G_REF" && ctr-image gc -q; }
g_ours_bg() { ctr-image rm "$G_REF" && ctr-image gc -q --background; }
g_ours_bg_post() {
	local t=$CTR_ROOT/snapshots/overlay/trash
	# flock(1) would make a file of a name that is not there
	[ ! -d "$t" ] || flock -w 120 "$t" true
}
g_peer_prep() { pctr images pull --plain-http "$G_REF" >/dev/null; }
g_peer_sync() { pctr images rm --sync "$G_REF" >/dev/null; }
g_peer() { pctr images rm "$G_REF" >/dev/null; }

# Pushes go to a registry started empty for each sample (not timed), so no
# blob is ever there already.
PU_REF=
PU_LAYOUT=
PU_MAIN=
pu_prep() {
	PU_MAIN=$REGISTRY_DIR
	TMPDIR=$BENCH_TMPFS registry_start plain || return 1
	PU_TARGET=$REGISTRY
	PU_DIR=$REGISTRY_DIR
	registry_use "$PU_MAIN"
}
pu_post() { registry_stop "$PU_DIR"; registry_use "$PU_MAIN"; }
pu_ours() { ctr-push --plain-http -q "$PU_REF" "$PU_TARGET/bench/pushed:1" >/dev/null; }
pu_peer() { pctr images push --plain-http "$PU_TARGET/bench/pushed:1" "$PU_REF" >/dev/null; }
pu_skopeo() {
	skopeo --insecure-policy copy -q --dest-tls-verify=false --preserve-digests \
		"oci:$PU_LAYOUT:latest" "docker://$PU_TARGET/bench/pushed:1"
}

bench_snap_rows() {
	local runs=$1
	bench_ab snapshot "prepare+commit on the tiny image" "$runs" \
		ours::sn_ours: peer::sn_peer:
	G_REF=$2
	if command -v ctr-image >/dev/null; then
		bench_ab snapshot "image rm, record only (peer: gc left to the background), $3" \
			"$runs" ours:g_ours_prep:g_ours: peer:g_peer_prep:g_peer:
		bench_ab snapshot "image rm + gc, $3" "$runs" \
			ours:g_ours_prep:g_ours_gc: peer:g_peer_prep:g_peer_sync:
		bench_ab snapshot "image rm + gc --background, returning before the files are unlinked (peer: rm, gc left to the background), $3" \
			"$runs" ours:g_ours_prep:g_ours_bg:g_ours_bg_post peer:g_peer_prep:g_peer:
	else
		bench_na snapshot "image rm + gc, $3" ours "n/a (not implemented: no ctr-image)"
		bench_ab snapshot "image rm + gc, $3" "$runs" peer:g_peer_prep:g_peer_sync:
	fi
}

# bench_push_rows RUNS REF LAYOUT LABEL: the peer has REF (pulled here).
bench_push_rows() {
	local runs=$1 what="push, $4"
	PU_REF=$2 PU_LAYOUT=$3
	pctr images pull --plain-http "$PU_REF" >/dev/null || bench_die "peer: cannot pull $PU_REF"
	if command -v ctr-push >/dev/null; then
		ctr-pull --plain-http -q "$PU_REF" >/dev/null || bench_die "ours: cannot pull $PU_REF"
		bench_ab push "$what" "$runs" ours:pu_prep:pu_ours:pu_post peer:pu_prep:pu_peer:pu_post
	else
		bench_na push "$what" ours "n/a (not implemented: no ctr-push)"
		bench_ab push "$what" "$runs" peer:pu_prep:pu_peer:pu_post
	fi
	bench_ab push "$what, skopeo copy from an OCI layout" "$runs" peer:pu_prep:pu_skopeo:pu_post
}
