# SPDX-License-Identifier: Apache-2.0
# Section 1: cold pull+unpack, fetch only, unpack only, ours vs a fresh
# private containerd per sample (and podman on a fresh root for cold
# pull+unpack), and the shell floor (curl | gzip -d | tar).
# shellcheck shell=bash
#
# Every sample starts from nothing: an empty root for ours, a containerd
# started on a fresh root for the peer (its start is not timed). P_REF is
# the image, P_DIR the folder (tmpfs or disk) where roots go.

P_REF=
P_DIR=

_p_fresh() {
	rm -rf --one-file-system "${P_DIR:?}/$1"
	mkdir -p "$P_DIR/$1"
	if [ "$P_STORE" = disk ]; then bench_sync; fi
}

_p_ours_env() {
	export CTR_ROOT=$P_DIR/ours/root CTR_STATE=$P_DIR/ours/run
}

p_ours_prep() { _p_fresh ours && _p_ours_env; }
p_ours_post() { rm -rf --one-file-system "${P_DIR:?}/ours"; }
p_ours_pull() { ctr-pull --plain-http -q "$P_REF" | ctr-unpack >/dev/null; }
p_ours_pullu() { ctr-pull --plain-http -q --unpack "$P_REF" >/dev/null; }
p_ours_fetch() { ctr-pull --plain-http -q "$P_REF" >/dev/null; }
p_ours_unpack_prep() { p_ours_prep && p_ours_fetch; }
p_ours_unpack() { ctr-unpack "$P_REF" >/dev/null; }

p_peer_prep() {
	if [ "$P_STORE" = disk ]; then bench_sync; fi
	peer_start "$P_DIR/peer"
}
p_peer_post() { peer_stop; }
p_peer_pull() { pctr images pull --plain-http "$P_REF" >/dev/null; }
p_peer_fetch() { pctr content fetch --plain-http "$P_REF" >/dev/null; }
p_peer_unpack_prep() { p_peer_prep && p_peer_fetch && mkdir -p "$P_DIR/peer/mnt"; }
# ctr 1.6 has no "images unpack": "images mount" unpacks the layers, then
# mounts a view, which unmount --rm removes again (a few milliseconds).
p_peer_unpack() {
	pctr images mount "$P_REF" "$P_DIR/peer/mnt" >/dev/null &&
		pctr images unmount --rm "$P_DIR/peer/mnt" >/dev/null
}

# podman pull into a fresh root: like containerd's, it unpacks every layer
# into its overlay store as it pulls.
p_pod_prep() {
	if [ "$P_STORE" = disk ]; then bench_sync; fi
	pod_use "$P_DIR/podman"
}
p_pod_post() { pod_reset; }
p_pod_pull() { ppod pull -q --tls-verify=false "$P_REF" >/dev/null; }

# The floor: every layer, two at a time, through curl | DECOMPRESSOR | tar.
P_FLOOR_DEC=
p_floor_prep() { _p_fresh floor; }
p_floor_post() { rm -rf --one-file-system "${P_DIR:?}/floor"; }
p_floor() {
	bench_layers "${P_REF#*/}" | awk '{ print $1 }' |
		xargs -P 2 -I{} bash -c 'set -o pipefail; mkdir "$2/${1#sha256:}" &&
			curl -fsS "$3/$1" | $4 | tar -x -C "$2/${1#sha256:}"' \
			_ {} "$P_DIR/floor" "http://$REGISTRY/v2/$(_p_repo)/blobs" "$P_FLOOR_DEC"
}
p_dl() {
	bench_layers "${P_REF#*/}" | awk '{ print $1 }' |
		xargs -P 2 -I{} curl -fsS -o "$P_DIR/floor/{}" "http://$REGISTRY/v2/$(_p_repo)/blobs/{}"
}
p_raw() {
	bench_layers "${P_REF#*/}" | awk '{ print $1 }' |
		xargs -P 2 -I{} curl -fsS -o /dev/null "http://$REGISTRY/v2/$(_p_repo)/blobs/{}"
}

_p_repo() {
	local r=${P_REF#*/}
	echo "${r%:*}"
}

# bench_pull_rows LABEL REF STORE RUNS [ops]: the rows of one image in one
# storage. ops is a list of: pull (pullv: also ctr-pull --unpack), fetch,
# unpack, floor-gzip, raw.
bench_pull_rows() {
	local label=$1 store=$3 runs=$4 ops=$5 dec sec=pull
	P_REF=$2 P_STORE=$store
	P_DIR=$BENCH_TMP/disk
	[ "$store" = tmpfs ] && P_DIR=$BENCH_TMPFS/work
	mkdir -p "$P_DIR"
	case "$(bench_layers "${P_REF#*/}" | head -n1)" in
	*zstd*) dec="zstd -d -c" ;;
	*) dec="igzip -d -c" ;;
	esac
	P_FLOOR_DEC=$dec
	local floor="floor:p_floor_prep:p_floor:p_floor_post"
	local variant=()
	case " $ops " in *" pullv "*)
		variant=(ours+unpack:p_ours_prep:p_ours_pullu:p_ours_post)
		ops="$ops pull" ;;
	esac
	case " $ops " in *" pull "*)
		bench_ab $sec "cold pull+unpack, $label, $store" "$runs" \
			ours:p_ours_prep:p_ours_pull:p_ours_post "${variant[@]}" \
			peer:p_peer_prep:p_peer_pull:p_peer_post \
			podman:p_pod_prep:p_pod_pull:p_pod_post "$floor" ;;
	esac
	case " $ops " in *" fetch "*)
		bench_ab $sec "fetch only, $label, $store" "$runs" \
			ours:p_ours_prep:p_ours_fetch:p_ours_post \
			peer:p_peer_prep:p_peer_fetch:p_peer_post \
			floor:p_floor_prep:p_dl:p_floor_post ;;
	esac
	case " $ops " in *" unpack "*)
		bench_ab $sec "unpack only, $label, $store" "$runs" \
			ours:p_ours_unpack_prep:p_ours_unpack:p_ours_post \
			peer:p_peer_unpack_prep:p_peer_unpack:p_peer_post ;;
	esac
	case " $ops " in *" floor-gzip "*)
		P_FLOOR_DEC="gzip -d -c"
		bench_ab $sec "floor: curl | gzip -d | tar -x (2 at a time), $label, $store" \
			"$runs" "$floor"
		P_FLOOR_DEC=$dec ;;
	esac
	case " $ops " in *" raw "*)
		bench_ab $sec "floor: registry raw, curl -o /dev/null (2 at a time), $label" \
			"$runs" "floor::p_raw:" ;;
	esac
}
