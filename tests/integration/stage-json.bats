#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Every JSON a tool prints about an image is taken by the next stage's "-":
# ctr-pull's, ctr-image inspect's, import's, commit's and an element of
# ctr-image ls --json, each into ctr-unpack -, ctr-run run - and ctr-push -.

bats_require_minimum_version 1.5.0
load ../lib/helpers
load ../lib/registry
load ../lib/containers

setup_file() { busybox_registry_start; }
teardown_file() { busybox_registry_stop; }
setup() {
	containers_setup
	cd "$BATS_TEST_TMPDIR"
}
teardown() { containers_teardown; }

# consumers FILE TAG: FILE (JSON about an image) into each stage's "-".
consumers() {
	local f=$1 tag=$2
	run --separate-stderr ctr-unpack - <"$f"
	echo "$tag | ctr-unpack - -> $status: $stderr"
	assert_status 0
	jq -e '.chain_id | test("^sha256:[0-9a-f]{64}$")' <<<"$output" >/dev/null
	run --separate-stderr ctr-run run --rm - -- echo "ran from $tag" <"$f"
	echo "$tag | ctr-run run - -> $status: $stderr"
	assert_status 0
	[ "$output" = "ran from $tag" ]
	run --separate-stderr ctr-push -q - "$REGISTRY/pairs/$tag:1" <"$f"
	echo "$tag | ctr-push - -> $status: $stderr"
	assert_status 0
	registry_inspect_raw "pairs/$tag:1" >/dev/null
}

@test "stage JSON: ctr-pull's, inspect's, ls --json's, import's and commit's, into unpack, run and push" {
	ctr-pull -q "$IMG" >pull.json
	consumers pull.json pull
	ctr-image inspect "$IMG" >inspect.json
	consumers inspect.json inspect
	ctr-image ls --json | jq -c '.[0]' >ls.json
	[ "$(jq -r .name ls.json)" = "$IMG" ]
	consumers ls.json ls
	ctr-image export -o app.tar "$IMG"
	ctr-image import --name "$REGISTRY/test/imported:1" app.tar >import.json
	consumers import.json import
	id=$(cid committer)
	ctr-run create --name "$id" "$IMG" -- true >/dev/null
	ctr-image commit "$id" "$REGISTRY/test/committed:1" >commit.json
	ctr-run delete "$id"
	consumers commit.json commit
	assert_clean "$id"
}

@test "stage JSON: what is not about an image is one line and status 100 (125 for run)" {
	echo '{"a":1}' >other.json
	run --separate-stderr ctr-unpack - <other.json
	assert_status 100
	[ "${#stderr_lines[@]}" = 1 ]
	[[ $stderr == *"not JSON about an image"* ]]
	run --separate-stderr ctr-run run --rm - -- true <other.json
	assert_status 125
	[[ $stderr == *"not a snapshot document"* ]]
	run --separate-stderr ctr-push - "$REGISTRY/pairs/x:1" <other.json
	assert_status 100
	[ "${#stderr_lines[@]}" = 1 ]
	# a record whose target is not in the store
	jq -c '.target.digest = "sha256:" + ("0" * 64)' <(ctr-image ls --json | jq -c '.[0]') >gone.json
	run --separate-stderr ctr-unpack - <gone.json
	[ "$status" -ne 0 ]
	[ "${#stderr_lines[@]}" = 1 ]
	[ -z "$(ls "$CTR_ROOT/containers/default")" ]
}
