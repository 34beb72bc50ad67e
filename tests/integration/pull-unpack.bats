#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# ctr-pull --unpack: layers applied by ctr-unpack --layer-stream appliers as
# they download, then committed by ctr-unpack; the same snapshots and tree as
# ctr-pull | ctr-unpack, failures and kills leave no snapshot behind.

bats_require_minimum_version 1.5.0
load ../lib/helpers
load ../lib/registry

setup() {
	common_setup
	require_root
	require_cmd docker-registry skopeo umoci jq
	registry_start
}

teardown() {
	common_teardown
}

snapshots_of_kind() {
	ctr-snapshot ls --json | jq -r --arg k "$1" '[.[] | select(.kind == $k)] | length'
}

# Wait (up to 10 s) until no active snapshot is left: appliers of a killed
# pull notice the end of their pipe and remove their own snapshot.
wait_no_active() {
	local i
	for ((i = 0; i < 200; i++)); do
		[ "$(snapshots_of_kind active)" -eq 0 ] && return 0
		sleep 0.05
	done
	ctr-snapshot ls --json >&2
	return 1
}

# tree_of CHAIN: the manifest of the committed snapshot CHAIN, mounted read-only.
tree_of() {
	local key=view-$RANDOM mnt=$BATS_TEST_TMPDIR/mnt-$RANDOM
	ctr-snapshot view --parent "$1" "$key" >/dev/null
	mkdir -p "$mnt"
	ctr-snapshot mount "$key" "$mnt"
	tree_manifest "$mnt"
	ctr-snapshot umount "$mnt"
	ctr-snapshot rm "$key" >/dev/null
}

@test "pull --unpack: same chain ID and tree as ctr-pull | ctr-unpack (layers, busybox, zstd)" {
	local f out chain want
	for f in layers busybox busybox-zstd; do
		fixture_push "$f" "test/$f:1"
		export CTR_ROOT=$BATS_TEST_TMPDIR/a-$f
		want=$(ctr-pull -q "$REGISTRY/test/$f:1" | ctr-unpack | jq -r .chain_id)
		tree_of "$want" >"$BATS_TEST_TMPDIR/want"
		export CTR_ROOT=$BATS_TEST_TMPDIR/b-$f
		out=$(ctr-pull -q --unpack "$REGISTRY/test/$f:1")
		chain=$(jq -r .chain_id <<<"$out")
		[ "$chain" = "$want" ]
		[ "$(jq -r .key <<<"$out")" = "$chain" ]
		[ "$(jq -r .snapshotter <<<"$out")" = overlay ]
		[ "$(jq -r .image <<<"$out")" = "$REGISTRY/test/$f:1" ]
		tree_of "$chain" >"$BATS_TEST_TMPDIR/got"
		diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
		[ "$(snapshots_of_kind active)" -eq 0 ]
		# the blobs are stored as by a plain pull: ctr-unpack NAME works from them
		run ctr-unpack --snapshotter native "$REGISTRY/test/$f:1"
		[ "$status" -eq 0 ]
		[ "$(jq -r .chain_id <<<"$output")" = "$chain" ]
		# a rerun finds every layer committed and starts no applier
		out=$(ctr-pull -q --unpack --log-level info "$REGISTRY/test/$f:1" 2>"$BATS_TEST_TMPDIR/err")
		[ "$(jq -r .chain_id <<<"$out")" = "$chain" ]
		grep -q "0 of [0-9]* layers applied" "$BATS_TEST_TMPDIR/err"
	done
}

@test "pull --unpack: --snapshotter native, and a layer already in the store" {
	local out want
	fixture_push layers test/layers:1
	want=$(ctr-pull -q "$REGISTRY/test/layers:1" | ctr-unpack --snapshotter native | jq -r .chain_id)
	export CTR_ROOT=$BATS_TEST_TMPDIR/n
	out=$(ctr-pull -q --unpack --snapshotter native "$REGISTRY/test/layers:1")
	[ "$(jq -r .chain_id <<<"$out")" = "$want" ]
	[ "$(jq -r .snapshotter <<<"$out")" = native ]
	# blobs present, snapshots gone: applied from the store, by ctr-unpack
	export CTR_ROOT=$BATS_TEST_TMPDIR/s
	ctr-pull -q "$REGISTRY/test/layers:1" >/dev/null
	out=$(ctr-pull -q --unpack "$REGISTRY/test/layers:1")
	[ "$(jq -r .chain_id <<<"$out")" = "$want" ]
	[ "$(snapshots_of_kind active)" -eq 0 ]
}

@test "pull --unpack | ctr-run run: the pipeline runs the image" {
	require_cmd runc
	fixture_push busybox test/bb:1
	run bash -c "ctr-pull -q --unpack '$REGISTRY/test/bb:1' | ctr-run run --rm - -- echo hello-from-pull"
	assert_status 0
	assert_output_contains hello-from-pull
}

@test "pull --unpack --keep-blobs=none: no layer blob stored, the image still runs" {
	require_cmd runc
	local out cfg d layers
	fixture_push layers test/layers:1
	layers=$(registry_inspect_raw test/layers:1 | jq -r '.layers[].digest')
	out=$(ctr-pull -q --unpack --keep-blobs=none "$REGISTRY/test/layers:1")
	cfg=$(jq -r .config.digest <<<"$out")
	# the config and manifest only: no layer blob, no partial download
	for d in $layers; do
		[ ! -e "$CTR_ROOT/content/blobs/sha256/${d#sha256:}" ]
	done
	[ -e "$CTR_ROOT/content/blobs/sha256/${cfg#sha256:}" ]
	[ -z "$(find "$CTR_ROOT/content/ingest" -mindepth 1 ! -name '*.lock')" ]
	# not in the OCI layout's index.json: its blobs are not all there
	[ "$(jq '.manifests | length' "$CTR_ROOT/content/index.json")" -eq 0 ]
	[ "$(snapshots_of_kind active)" -eq 0 ]
	run ctr-run run --rm - -- /bin/sh -c 'echo ok-none' <<<"$out"
	assert_status 0
	assert_output_contains ok-none
	# a rerun needs no blob: every layer is committed
	out=$(ctr-pull -q --unpack --keep-blobs=none "$REGISTRY/test/layers:1")
	[ "$(jq -r .chain_id <<<"$out")" = "$(jq -r .chain_id <<<"$out")" ]
	# ctr-unpack NAME works while the snapshots exist; a plain pull fetches the blobs
	ctr-unpack "$REGISTRY/test/layers:1" >/dev/null
	ctr-pull -q "$REGISTRY/test/layers:1" >/dev/null
	[ "$(jq '.manifests | length' "$CTR_ROOT/content/index.json")" -eq 1 ]
	for d in $layers; do
		[ -e "$CTR_ROOT/content/blobs/sha256/${d#sha256:}" ]
	done
}

@test "pull --unpack: bad options" {
	run ctr-pull --keep-blobs=none "$REGISTRY/x/y:1"
	assert_status 100
	run ctr-pull --unpack --keep-blobs=some "$REGISTRY/x/y:1"
	assert_status 100
	run ctr-pull --unpack --snapshotter native --keep-blobs=none "$REGISTRY/x/y:1"
	assert_status 100
	run ctr-pull --unpack --all-platforms "$REGISTRY/x/y:1"
	assert_status 100
	run ctr-pull --unpack --snapshotter zfs "$REGISTRY/x/y:1"
	assert_status 100
}

@test "pull --unpack: a failing applier (\$CTR_UNPACK) fails the pull and leaves no snapshot" {
	fixture_push layers test/layers:1
	# a wrapper that applies, but claims a wrong diff_id for one layer
	cat >"$BATS_TEST_TMPDIR/bad-unpack" <<-EOF
		#!/bin/bash
		args=("\$@")
		for ((i = 0; i < \${#args[@]}; i++)); do
			if [ "\${args[i]}" = --diff-id ] && [ -n "\$BAD_ONE" ]; then
				args[i+1]=sha256:$(printf 0%.0s {1..64})
			fi
		done
		exec ctr-unpack "\${args[@]}"
	EOF
	chmod +x "$BATS_TEST_TMPDIR/bad-unpack"
	BAD_ONE=1 CTR_UNPACK=$BATS_TEST_TMPDIR/bad-unpack run --separate-stderr \
		ctr-pull -q --unpack "$REGISTRY/test/layers:1"
	assert_status 100
	[ -z "$output" ]
	[[ "$stderr" == "ctr-pull: fatal: layer "*"diff_id mismatch"* ]]
	[ "$(snapshots_of_kind active)" -eq 0 ]
	[ "$(snapshots_of_kind committed)" -eq 0 ]
	# the same wrapper, passing the right values, works
	CTR_UNPACK=$BATS_TEST_TMPDIR/bad-unpack run ctr-pull -q --unpack "$REGISTRY/test/layers:1"
	assert_status 0
}

@test "pull --unpack: a registry serving a wrong layer digest leaves no snapshot" {
	local s
	hostile_start
	for s in blob-mismatch blob-long blob-lying-header good; do
		run --separate-stderr ctr-pull -q --retries 1 --unpack "$HOSTILE/bad/img:$s"
		assert_status 100
		[ -z "$output" ]
		[ "$(echo "$stderr" | wc -l)" = 1 ]
		[ "$(snapshots_of_kind active)" -eq 0 ]
		[ "$(snapshots_of_kind committed)" -eq 0 ]
	done
}

@test "pull --unpack: SIGKILL mid-download, then a rerun completes and leaves no active snapshot" {
	local pid i d chain want
	fixture_push big test/big:1
	d=$(registry_inspect_raw test/big:1 | jq -r '.layers[0].digest')
	want=$(registry_inspect_raw test/big:1 | jq -r .config.digest)
	ctr-pull -q --unpack --limit-rate 3000000 "$REGISTRY/test/big:1" >/dev/null 2>&1 &
	pid=$!
	track_pid "$pid"
	for ((i = 0; i < 200; i++)); do
		[ "$(stat -c %s "$CTR_ROOT/content/ingest/${d#sha256:}/data" 2>/dev/null || echo 0)" -gt 2000000 ] && break
		sleep 0.05
	done
	[ "$(snapshots_of_kind active)" -eq 1 ]
	kill -KILL "$pid"
	wait "$pid" || true
	# the applier sees the end of its pipe, fails its size check and removes its snapshot
	wait_no_active
	[ "$(snapshots_of_kind committed)" -eq 0 ]
	# the rerun resumes the download: that layer is applied from the stored blob
	run --separate-stderr ctr-pull -q --unpack "$REGISTRY/test/big:1"
	assert_status 0
	chain=$(jq -r .chain_id <<<"$output")
	[ "$(jq -r .config.digest <<<"$output")" = "$want" ]
	[ "$(snapshots_of_kind active)" -eq 0 ]
	[ "$(ctr-snapshot stat --json "$chain" | jq -r .kind)" = committed ]
}

@test "pull --unpack: an applied snapshot whose owner died is removed by the next run" {
	local layout d id blob key
	fixture_push busybox test/bb:1
	ctr-pull -q "$REGISTRY/test/bb:1" >"$BATS_TEST_TMPDIR/img.json"
	d=$(jq -r '.layers[0].digest' "$BATS_TEST_TMPDIR/img.json")
	id=$(jq -r '.diff_ids[0]' "$BATS_TEST_TMPDIR/img.json")
	blob=$CTR_ROOT/content/blobs/sha256/${d#sha256:}
	# an applier whose spawner (this bash -c) is gone once it finished: left active
	key=$(bash -c 'ctr-unpack --layer-stream --digest "$1" --diff-id "$2" <"$3"; true' _ "$d" "$id" "$blob" | jq -r .key)
	[ "$(ctr-snapshot stat --json "$key" | jq -r .kind)" = active ]
	[ -n "$(ctr-snapshot stat --json "$key" | jq -r '.labels["ctr.unpack/owner"]')" ]
	ctr-pull -q --unpack "$REGISTRY/test/bb:1" >/dev/null
	[ "$(snapshots_of_kind active)" -eq 0 ]
}
