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

G_REF=
g_peer_prep() { pctr images pull --plain-http "$G_REF" >/dev/null; }
g_peer() { pctr images rm --sync "$G_REF" >/dev/null; }

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
pu_peer() { pctr images push --plain-http "$PU_TARGET/bench/pushed:1" "$PU_REF" >/dev/null; }
pu_skopeo() {
	skopeo --insecure-policy copy -q --dest-tls-verify=false --preserve-digests \
		"oci:$PU_LAYOUT:latest" "docker://$PU_TARGET/bench/pushed:1"
}

bench_snap_rows() {
	local runs=$1 na="n/a (not implemented: no image rm/gc verb)"
	bench_ab snapshot "prepare+commit on the tiny image" "$runs" \
		ours::sn_ours: peer::sn_peer:
	G_REF=$2
	bench_na snapshot "image rm + gc, $3" ours "$na"
	bench_ab snapshot "image rm + gc, $3" "$runs" peer:g_peer_prep:g_peer:
}

# bench_push_rows RUNS REF LAYOUT LABEL: the peer has REF (pulled here).
bench_push_rows() {
	local runs=$1 what="push, $4"
	PU_REF=$2 PU_LAYOUT=$3
	pctr images pull --plain-http "$PU_REF" >/dev/null || bench_die "peer: cannot pull $PU_REF"
	if [ -x "$REPO_ROOT/bin/ctr-push" ]; then
		bench_na push "$what" ours "n/a (ctr-push exists but is not wired into the bench yet)"
	else
		bench_na push "$what" ours "n/a (not implemented: no ctr-push)"
	fi
	bench_ab push "$what" "$runs" peer:pu_prep:pu_peer:pu_post
	bench_ab push "$what, skopeo copy from an OCI layout" "$runs" peer:pu_prep:pu_skopeo:pu_post
}
