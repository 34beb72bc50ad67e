#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# ctr-push: images of the store to a second real docker-registry (plain, TLS,
# basic, token), checked with skopeo; and a registry that fails mid-upload.

bats_require_minimum_version 1.5.0
load ../lib/helpers
load ../lib/registry

setup_file() {
	registry_start plain
	export SRC_DIR=$REGISTRY_DIR SRC=$REGISTRY
	fixture_push busybox test/busybox:oci
	fixture_push busybox-v2s2 test/busybox:v2s2
	fixture_push busybox-zstd test/busybox:zstd
	fixture_push layers test/layers:1
	fixture_push multiarch test/multi:1
}

teardown_file() {
	registry_stop
}

setup() {
	common_setup
	registry_use "$SRC_DIR"
}

teardown() {
	common_teardown
}

# skopeo's view of an image on the current registry.
dest_inspect() {
	local a=()
	mapfile -t a < <(registry_skopeo_args src)
	a=("${a[@]/#--src-/--}")
	skopeo --insecure-policy inspect "$@" "${a[@]}" "docker://$REGISTRY/${DEST_REF}"
}

# Copy the pushed image back out with skopeo and compare with the store's blobs.
copy_back() {
	local a=() out=$BATS_TEST_TMPDIR/back d
	mapfile -t a < <(registry_skopeo_args src)
	rm -rf "$out"
	skopeo --insecure-policy copy -q "${a[@]}" --preserve-digests "$@" \
		"docker://$REGISTRY/$DEST_REF" "oci:$out:x"
	for d in $(find "$out/blobs/sha256" -type f -printf '%f\n'); do
		cmp "$out/blobs/sha256/$d" "$CTR_ROOT/content/blobs/sha256/$d"
	done
}

@test "push: OCI image to a plain registry; skopeo reads it back byte for byte" {
	img=$(ctr-pull -q "$SRC/test/busybox:oci")
	registry_start plain
	DEST_REF=copy/busybox:oci
	run --separate-stderr ctr-push "$SRC/test/busybox:oci" "$REGISTRY/$DEST_REF"
	assert_status 0
	[ "$(json_get "$output" .name)" = "$REGISTRY/$DEST_REF" ]
	[ "$(json_get "$output" .digest)" = "$(json_get "$img" .digest)" ]
	[ "$(json_get "$output" '.pushed | length')" = 3 ]
	[ "$(json_get "$output" '.existing | length')" = 0 ]
	[ "$(json_get "$output" '.mounted | length')" = 0 ]
	run dest_inspect
	assert_status 0
	[ "$(json_get "$output" .Digest)" = "$(json_get "$img" .digest)" ]
	copy_back
	[ "$(registry_inspect_raw "$DEST_REF" | sha256sum | cut -c1-64)" = "$(json_get "$img" .digest | cut -c8-)" ]
}

@test "push: a second push uploads nothing" {
	ctr-pull -q "$SRC/test/layers:1" >/dev/null
	registry_start plain
	run --separate-stderr ctr-push "$SRC/test/layers:1" "$REGISTRY/x/layers:1"
	assert_status 0
	first=$output
	[ "$(json_get "$first" '.pushed | length')" -ge 6 ]
	run --separate-stderr ctr-push --progress=json "$SRC/test/layers:1" "$REGISTRY/x/layers:1"
	assert_status 0
	[ "$(json_get "$output" '.pushed | length')" = 0 ]
	[ "$(json_get "$output" '.existing | length')" = "$(json_get "$first" '.pushed | length')" ]
	[ "$(jq -s '[.[] | select(.event == "done")][0].transferred' <<<"$stderr")" = 0 ]
}
