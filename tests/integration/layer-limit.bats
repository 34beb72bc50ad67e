#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The layer-count limit (--max-layers, $CTR_MAX_LAYERS, default 128): an
# image of more layers is refused by ctr-pull once it read the manifest
# (before any blob), by ctr-unpack before it applies one, and by ctr-image
# import; an image at the limit works, up to a mounted overlay of its layers.

bats_require_minimum_version 1.5.0
load ../lib/helpers
load ../lib/registry

setup_file() {
	local t a=()
	export CTR_TEST_REGISTRY_ACCESSLOG=1
	registry_start plain
	export PLAIN_DIR=$REGISTRY_DIR
	layout=$(fixture_layout many-layers)
	mapfile -t a < <(registry_skopeo_args dest)
	for t in 129 128 5; do
		skopeo --insecure-policy copy -q "${a[@]}" "oci:$layout:$t" \
			"docker://$REGISTRY/test/many:$t"
	done
}

setup() {
	common_setup
	registry_use "$PLAIN_DIR"
}

teardown() {
	common_teardown
}

teardown_file() {
	registry_stop
}

stderr_has() {
	[[ "$stderr" == *"$1"* ]] || { printf 'stderr lacks "%s":\n%s\n' "$1" "$stderr" >&2 && false; }
}

blobs_in_store() {
	find "$CTR_ROOT/content/blobs" -type f 2>/dev/null | wc -l
}

@test "layer limit: pull of 129 layers is refused after the manifest, before any blob" {
	local before
	before=$(registry_requests GET '/v2/test/many/blobs/[^ ]*')
	run --separate-stderr ctr-pull -q "$REGISTRY/test/many:129"
	assert_status 100
	[ "$(wc -l <<<"$stderr")" -eq 1 ]
	stderr_has "129 layers, more than the limit of 128"
	[ "$(registry_requests GET '/v2/test/many/blobs/[^ ]*')" -eq "$before" ]
	[ "$(blobs_in_store)" -eq 0 ]
	[ ! -d "$CTR_ROOT/images" ] || [ -z "$(find "$CTR_ROOT/images" -type f ! -name '.*')" ]
	# with --json the code says which kind of refusal it was
	run --separate-stderr ctr-pull -q --json "$REGISTRY/test/many:129"
	assert_status 100
	[ "$(jq -r .error.code <<<"$output")" = limit ]
}

@test "layer limit: --max-layers and \$CTR_MAX_LAYERS move it; bad values exit 100" {
	run --separate-stderr ctr-pull -q --max-layers 4 "$REGISTRY/test/many:5"
	assert_status 100
	stderr_has "5 layers, more than the limit of 4"
	CTR_MAX_LAYERS=4 run --separate-stderr ctr-pull -q "$REGISTRY/test/many:5"
	assert_status 100
	[ "$(blobs_in_store)" -eq 0 ]
	# the option wins over the environment; an image at the limit is pulled
	CTR_MAX_LAYERS=4 run --separate-stderr ctr-pull -q --max-layers 5 "$REGISTRY/test/many:5"
	assert_status 0
	[ "$(jq '.layers | length' <<<"$output")" -eq 5 ]
	for v in 0 1001 -3 x 12x ""; do
		run --separate-stderr ctr-pull -q --max-layers "$v" "$REGISTRY/test/many:5"
		assert_status 100
		stderr_has "--max-layers must be a number from 1 to 1000"
		CTR_MAX_LAYERS=$v run --separate-stderr ctr-unpack "$REGISTRY/test/many:5"
		assert_status 100
		stderr_has "CTR_MAX_LAYERS must be a number from 1 to 1000"
	done
}

@test "layer limit: ctr-unpack refuses before applying; ctr-pull --unpack passes its limit on" {
	require_root
	local img
	img=$(ctr-pull -q --max-layers 129 "$REGISTRY/test/many:129")
	run --separate-stderr ctr-unpack - <<<"$img"
	assert_status 100
	[ "$(wc -l <<<"$stderr")" -eq 1 ]
	stderr_has "129 layers, more than the limit of 128"
	[ "$(ctr-snapshot ls --json | jq length)" -eq 0 ]
	run --separate-stderr ctr-unpack --dry-run "$REGISTRY/test/many:129"
	assert_status 100
	# ctr-pull --unpack runs ctr-unpack with the same limit
	export CTR_ROOT=$BATS_TEST_TMPDIR/b
	run --separate-stderr ctr-pull -q --unpack --max-layers 129 "$REGISTRY/test/many:129"
	assert_status 0
	[ "$(ctr-snapshot ls --json | jq '[.[] | select(.kind == "committed")] | length')" -eq 129 ]
}

@test "layer limit: 128 layers (the default) unpack, and mount under an active snapshot" {
	require_root
	local out chain mnt=$BATS_TEST_TMPDIR/mnt
	out=$(ctr-pull -q --unpack "$REGISTRY/test/many:128")
	chain=$(jq -r .chain_id <<<"$out")
	ctr-snapshot prepare --parent "$chain" limit-top >/dev/null
	mkdir "$mnt"
	ctr-snapshot mount limit-top "$mnt"
	run ls "$mnt/layers"
	ctr-snapshot umount "$mnt"
	[ "${#lines[@]}" -eq 128 ]
	ctr-snapshot rm limit-top >/dev/null
}

@test "layer limit: ctr-image import refuses an OCI or docker archive over it, records nothing" {
	local f src=$BATS_TEST_TMPDIR/src
	CTR_ROOT=$src ctr-pull -q --max-layers 129 "$REGISTRY/test/many:129" >/dev/null
	CTR_ROOT=$src ctr-image export -o "$BATS_TEST_TMPDIR/oci.tar" "$REGISTRY/test/many:129"
	CTR_ROOT=$src ctr-image export --format docker-archive -o "$BATS_TEST_TMPDIR/docker.tar" \
		"$REGISTRY/test/many:129"
	for f in oci docker; do
		export CTR_ROOT=$BATS_TEST_TMPDIR/$f
		run --separate-stderr ctr-image import "$BATS_TEST_TMPDIR/$f.tar"
		assert_status 100
		[ "$(wc -l <<<"$stderr")" -eq 1 ]
		stderr_has "129 layers, more than the limit of 128"
		[ "$(ctr-image ls --json)" = "[]" ]
		# blobs/sha256/ files entered the store as read: unrecorded, gc takes them
		ctr-image gc >/dev/null
		[ "$(blobs_in_store)" -eq 0 ]
		run --separate-stderr ctr-image import --max-layers 129 "$BATS_TEST_TMPDIR/$f.tar"
		assert_status 0
		[ "$(ctr-image ls --json | jq length)" -eq 1 ]
	done
}
