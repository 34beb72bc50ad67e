# SPDX-License-Identifier: Apache-2.0
# The steady state of sections 2-4: one root of ours and one long-lived
# private containerd (and a podman root), all on the bench tmpfs, with the tiny image unpacked;
# and a runc bundle of the same rootfs for the floor.
# shellcheck shell=bash

S_DIR=
S_TINY=
S_CHAIN=

# bench_steady TINY_REF: set up both sides and the bundle.
bench_steady() {
	S_DIR=$BENCH_TMPFS/steady
	S_TINY=$1
	mkdir -p "$S_DIR/bundle/rootfs" "$S_DIR/runc"
	export CTR_ROOT=$S_DIR/ours/root CTR_STATE=$S_DIR/ours/run CTR_NAMESPACE=default
	bench_defer bench_ours_rm_all
	# shellcheck disable=SC2034 # the top chain id, for sec-snap.sh
	S_CHAIN=$(ctr-pull --plain-http -q "$S_TINY" | ctr-unpack | jq -r .key) ||
		bench_die "ours: cannot pull $S_TINY"
	peer_start "$S_DIR/peer" || bench_die "containerd did not start"
	bench_defer peer_stop
	pctr images pull --plain-http "$S_TINY" >/dev/null || bench_die "peer: cannot pull"
	pod_use "$S_DIR/podman"
	bench_defer pod_reset
	ppod pull -q --tls-verify=false "$S_TINY" >/dev/null || bench_die "podman: cannot pull"
	bench_defer bench_runc_rm_all
	umoci raw unpack --image "$(bench_layout busybox):latest" "$S_DIR/bundle/rootfs" >/dev/null 2>&1 ||
		bench_die "umoci raw unpack failed"
	(cd "$S_DIR/bundle" && runc spec) || bench_die "runc spec failed"
	jq '.process.terminal = false | .process.args = ["/bin/true"]' \
		"$S_DIR/bundle/config.json" >"$S_DIR/bundle/c.json" &&
		mv "$S_DIR/bundle/c.json" "$S_DIR/bundle/config.json"
	bench_same_spec_bundle
}

# A second floor bundle: the config.json ctr-run itself generates (default
# seccomp profile, capabilities, masked paths, mounts), on the same rootfs, so
# that `runc run` of it costs what the runtime must do for our spec and the
# rest of our time is the tools' own.
bench_same_spec_bundle() {
	local cfg=$CTR_ROOT/containers/$CTR_NAMESPACE/benchspec/bundle/config.json
	mkdir -p "$S_DIR/bundle-spec"
	ctr-run create --name benchspec "$S_TINY" -- /bin/true >/dev/null ||
		bench_die "ours: cannot create the spec container"
	jq --arg root "$S_DIR/bundle/rootfs" \
		'.root = {path: $root, readonly: false} | .linux.cgroupsPath = "/ctr-bench-floor"' \
		"$cfg" >"$S_DIR/bundle-spec/config.json" || bench_die "cannot copy ctr-run's spec"
	ctr-run delete -f benchspec >/dev/null || bench_die "ours: cannot delete the spec container"
}

# Delete every container of our steady root, by id.
bench_ours_rm_all() {
	local ids
	ids=$(ctr-run ls --json 2>/dev/null | jq -r '.[].id') || return 0
	[ -n "$ids" ] || return 0
	# shellcheck disable=SC2086 # one id a word
	printf '%s\n' $ids | xargs -r -P 2 -n 16 ctr-run delete -f >/dev/null
}

bench_runc_rm_all() {
	local id
	for id in $(runc --root "$S_DIR/runc" list -q 2>/dev/null); do
		runc --root "$S_DIR/runc" delete -f "$id"
	done
}
