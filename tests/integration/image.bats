#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# ctr-image: listing, inspecting, tagging, removing and checking image records
# and the content store they point into.

bats_require_minimum_version 1.5.0
load ../lib/helpers
load ../lib/registry

setup_file() {
	source_registry_start busybox=test/busybox:oci layers=test/layers:1 multiarch=test/multi:1
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

ref_names() {
	jq -r '[.manifests[].annotations["org.opencontainers.image.ref.name"]] | sort | join(" ")' \
		"$CTR_ROOT/content/index.json"
}

@test "image ls: names, digests, sizes of the host platform, -q and --json" {
	run --separate-stderr ctr-image ls
	assert_status 0
	[ "$output" = "$(printf 'NAME  %-19s  %10s  %s' DIGEST SIZE CREATED)" ]
	run --separate-stderr ctr-image ls --json
	assert_status 0
	[ "$output" = "[]" ]
	a=$(ctr-pull -q "$SRC/test/layers:1")
	b=$(ctr-pull -q "$SRC/test/busybox:oci")
	run --separate-stderr ctr-image ls -q
	assert_status 0
	[ "$output" = "$(printf '%s\n%s' "$SRC/test/busybox:oci" "$SRC/test/layers:1")" ]
	run --separate-stderr ctr-image ls --json
	assert_status 0
	# one array, as every listing of the suite (ctr-json(7))
	[ "$(echo "$output" | wc -l)" = 1 ]
	[ "$(jq length <<<"$output")" = 2 ]
	want=$(jq '.manifest.size + .config.size + ([.layers[].size] | add)' <<<"$a")
	[ "$(jq '.[1].size' <<<"$output")" = "$want" ]
	[ "$(jq -r '.[1].digest' <<<"$output")" = "$(json_get "$a" .digest)" ]
	[ "$(jq -r '.[0].target.mediaType' <<<"$output")" = application/vnd.oci.image.manifest.v1+json ]
	[[ "$(jq -r '.[0].created' <<<"$output")" == 20*Z ]]
	run --separate-stderr ctr-image ls
	assert_status 0
	[ "$(echo "$output" | wc -l)" = 3 ]
	# sizes in binary units and ages in words for people; --json above keeps the exact ones
	# (minutes too: a loaded machine, or the sanitizer build, may take one since the pull)
	size=$(awk -v n="$want" 'BEGIN { if (n < 1024) print n " B"; else if (n < 1048525) printf "%.1f KiB", n / 1024; else printf "%.1f MiB", n / 1048576 }')
	[[ "$(sed -n 3p <<<"$output")" =~ ^$SRC/test/layers:1\ +$(json_get "$a" .digest | cut -c1-19)\ +"$size"\ +(Less\ than\ a\ second|[0-9]+\ seconds?|About\ a\ minute|[0-9]+\ minutes)\ ago$ ]]
}

@test "image ls: an index pulled for another platform still has a size" {
	img=$(ctr-pull -q --platform linux/arm/v7 "$SRC/test/multi:1")
	run --separate-stderr ctr-image ls --json
	assert_status 0
	want=$(jq '.manifest.size + .config.size + ([.layers[].size] | add)' <<<"$img")
	[ "$(json_get "$output" '.[0].size')" = "$want" ]
	[ "$(json_get "$output" '.[0].digest')" = "$(fixture_digest multiarch)" ]
}

@test "image inspect: the record and the image document, pretty" {
	img=$(ctr-pull -q "$SRC/test/busybox:oci")
	run --separate-stderr ctr-image inspect "$SRC/test/busybox:oci"
	assert_status 0
	[ "$(echo "$output" | wc -l)" -gt 10 ]
	[ "$(json_get "$output" .record.name)" = "$SRC/test/busybox:oci" ]
	[ "$(jq -cS .image <<<"$output")" = "$(jq -cS . <<<"$img")" ]
	run --separate-stderr ctr-image inspect "$SRC/test/none:1"
	assert_status 100
	[ "$stderr" = "ctr-image: fatal: no image '$SRC/test/none:1' in namespace 'default'" ]
	run --separate-stderr ctr-image inspect "Bad/Ref"
	assert_status 100
}

@test "image tag: a new record with the same target, in content/index.json too" {
	img=$(ctr-pull -q "$SRC/test/busybox:oci")
	run --separate-stderr ctr-image tag "$SRC/test/busybox:oci" mine/bb:2
	assert_status 0
	rec=$(cat "$CTR_ROOT/images/default/docker.io%2Fmine%2Fbb:2.json")
	[ "$(json_get "$rec" .name)" = docker.io/mine/bb:2 ]
	[ "$(jq -c .target <<<"$rec")" = "$(jq -c .target "$CTR_ROOT/images/default/$SRC%2Ftest%2Fbusybox:oci.json")" ]
	[ "$(ref_names)" = "$SRC/test/busybox:oci docker.io/mine/bb:2" ]
	run skopeo inspect "oci:$CTR_ROOT/content:docker.io/mine/bb:2"
	assert_status 0
	[ "$(json_get "$output" .Digest)" = "$(json_get "$img" .digest)" ]
	# a single platform of an index keeps that manifest as the layout entry
	ctr-pull -q --platform linux/arm64 "$SRC/test/multi:1" >/dev/null
	ctr-image tag "$SRC/test/multi:1" mine/multi:arm
	[ "$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "docker.io/mine/multi:arm") | .platform.architecture' "$CTR_ROOT/content/index.json")" = arm64 ]
	run --separate-stderr ctr-image tag "$SRC/test/none:1" x:1
	assert_status 100
	run --separate-stderr ctr-image tag "$SRC/test/busybox:oci"
	assert_status 100
}

# tag wrote any NAME@DIGEST as asked: 'ctr-image tag bb x@sha256:000...'
# made a record whose name claims a digest its content does not have, and a
# run or pull by that digest took the store's word for it.
@test "image tag and import --name: a name's digest must be the image's; the store is left as it was" {
	local zero=sha256:0000000000000000000000000000000000000000000000000000000000000000 d before
	img=$(ctr-pull -q "$SRC/test/busybox:oci")
	d=$(json_get "$img" .digest)
	before=$(cd "$CTR_ROOT" && find . ! -name '*.lock' -printf '%p %s\n' | sort)
	run --separate-stderr ctr-image tag "$SRC/test/busybox:oci" "mine/bb@$zero"
	assert_status 100
	[ "$stderr" = "ctr-image: fatal: 'docker.io/mine/bb@$zero' names digest $zero, not the image's ($d)" ]
	run --separate-stderr ctr-image tag "$SRC/test/busybox:oci" "mine/bb:1@$zero"
	assert_status 100
	ctr-image export -o "$BATS_TEST_TMPDIR/bb.tar" "$SRC/test/busybox:oci"
	run --separate-stderr ctr-image import --name "mine/bb@$zero" "$BATS_TEST_TMPDIR/bb.tar"
	assert_status 100
	[ "$(cd "$CTR_ROOT" && find . ! -name '*.lock' -printf '%p %s\n' | sort)" = "$before" ]
	# the image's own digest is its name
	ctr-image tag "$SRC/test/busybox:oci" "mine/bb@$d"
	[ "$(ctr-image inspect "mine/bb@$d" | jq -r .record.target.digest)" = "$d" ]
}

@test "image rm: record and layout entry go, blobs stay; a missing name removes nothing" {
	img=$(ctr-pull -q "$SRC/test/busybox:oci")
	ctr-image tag "$SRC/test/busybox:oci" mine/bb:2
	run --separate-stderr ctr-image rm mine/bb:2 "$SRC/test/none:1"
	assert_status 100
	[ "$(echo "$stderr" | wc -l)" = 1 ]
	[ "$(ctr-image ls -q | wc -l)" = 2 ]
	run --separate-stderr ctr-image rm mine/bb:2
	assert_status 0
	[ "$(ctr-image ls -q)" = "$SRC/test/busybox:oci" ]
	[ "$(ref_names)" = "$SRC/test/busybox:oci" ]
	[ ! -e "$CTR_ROOT/images/default/docker.io%2Fmine%2Fbb:2.json" ]
	for d in $(jq -r '.manifest.digest, .config.digest, .layers[].digest' <<<"$img"); do
		[ -f "$(store_blob "$d")" ]
	done
	run --separate-stderr ctr-image rm "$SRC/test/busybox:oci"
	assert_status 0
	[ -z "$(ctr-image ls -q)" ]
	[ "$(jq '.manifests | length' "$CTR_ROOT/content/index.json")" = 0 ]
}

# What an rm SIGKILLed between its two writes leaves (tests/crash/run found
# the second): the record without its layout entry (the order rm uses), or
# the entry without its record (the order it used before, which pinned the
# blobs for ever: gc keeps entries no record names). rm again, then gc,
# leaves an empty store either way.
@test "image rm: a record without its layout entry, or an entry without its record, goes" {
	ctr-pull -q "$SRC/test/busybox:oci" >/dev/null
	ctr-image tag "$SRC/test/busybox:oci" mine/bb:2
	idx=$CTR_ROOT/content/index.json
	jq --arg n "$SRC/test/busybox:oci" \
		'.manifests |= map(select(.annotations["org.opencontainers.image.ref.name"] != $n))' \
		"$idx" >"$BATS_TEST_TMPDIR/idx" && cp "$BATS_TEST_TMPDIR/idx" "$idx"
	rm "$CTR_ROOT/images/default/docker.io%2Fmine%2Fbb:2.json"
	[ "$(ctr-image ls -q)" = "$SRC/test/busybox:oci" ]
	[ "$(ref_names)" = docker.io/mine/bb:2 ]
	ctr-image rm "$SRC/test/busybox:oci" mine/bb:2
	[ -z "$(ctr-image ls -q)" ]
	[ "$(jq '.manifests | length' "$idx")" = 0 ]
	ctr-image gc -q
	[ -z "$(find "$CTR_ROOT/content/blobs/sha256" -type f)" ]
	run --separate-stderr ctr-image rm mine/bb:2
	assert_status 100
}

# rot DIGEST: flip a byte of the stored blob (saved first as $BATS_TEST_TMPDIR/saved).
rot() {
	local layer
	layer=$(store_blob "$1")
	cp -p "$layer" "$BATS_TEST_TMPDIR/saved"
	chmod u+w "$layer"
	printf '\x00' | dd of="$layer" bs=1 seek=100 conv=notrunc 2>/dev/null
	cmp -s "$layer" "$BATS_TEST_TMPDIR/saved" && printf '\x01' | dd of="$layer" bs=1 seek=100 conv=notrunc 2>/dev/null
	! cmp -s "$layer" "$BATS_TEST_TMPDIR/saved"
}

# pull_layers: pull test/layers:1; img, its second layer's dg and hex, and layer (its file).
pull_layers() {
	img=$(ctr-pull -q "$SRC/test/layers:1")
	dg=$(json_get "$img" .layers[1].digest)
	hex=${dg#sha256:}
	layer=$(store_blob "$dg")
}

@test "image check marks a rotted blob, and a plain pull fetches it again; --verify needs no mark" {
	local img layer dg hex
	pull_layers
	rot "$dg"
	# no mark yet: reuse checks the size only, the rot stays
	ctr-pull -q "$SRC/test/layers:1" >/dev/null
	run ctr-image check "$SRC/test/layers:1"
	assert_status 1
	[ "$(jq -r .digest "$CTR_ROOT/content/bad/$hex.json")" = "$dg" ]
	run --separate-stderr ctr-pull --progress none "$SRC/test/layers:1"
	assert_status 0
	[[ "$stderr" == *"blob $dg: corrupt: "*"; fetching it again"* ]]
	[ ! -e "$CTR_ROOT/content/bad/$hex.json" ]
	run ctr-image check "$SRC/test/layers:1"
	assert_status 0
	cmp "$layer" "$BATS_TEST_TMPDIR/saved"
	rot "$dg"
	run --separate-stderr ctr-pull --progress none --verify "$SRC/test/layers:1"
	assert_status 0
	[[ "$stderr" == *"blob $dg: corrupt: "*"; fetching it again"* ]]
	run ctr-image check "$SRC/test/layers:1"
	assert_status 0
	cmp "$layer" "$BATS_TEST_TMPDIR/saved"
}

@test "image check --repair: fetched again from its recorded source, else dropped; later runs work" {
	local img layer dg hex
	pull_layers
	run --separate-stderr ctr-image check --repair "$SRC/test/layers:1"
	assert_status 0
	[[ "$output" == *": ok ("* ]]
	rot "$dg"
	run --separate-stderr ctr-image check "$SRC/test/layers:1"
	assert_status 1
	run --separate-stderr ctr-image check --repair --json "$SRC/test/layers:1"
	assert_status 0
	[ "$(json_get "$output" .ok)" = true ]
	[ "$(json_get "$output" '.repairs | length')" = 1 ]
	[ "$(json_get "$output" .repairs[0].digest)" = "$dg" ]
	[ "$(json_get "$output" .repairs[0].action)" = refetched ]
	[ "$(json_get "$output" .repairs[0].source)" = "$SRC/test/layers" ]
	[[ "$(json_get "$output" .repairs[0].problem)" == "corrupt: "* ]]
	cmp "$layer" "$BATS_TEST_TMPDIR/saved"
	[ ! -e "$CTR_ROOT/content/bad/$hex.json" ]
	run --separate-stderr ctr-image check "$SRC/test/layers:1"
	assert_status 0
	run --separate-stderr ctr-unpack "$SRC/test/layers:1"
	assert_status 0
	# no recorded source: the bad blob is dropped, so that the next pull fetches it
	rm "$CTR_ROOT/content/sources/$hex.json"
	rot "$dg"
	run --separate-stderr ctr-image check --repair "$SRC/test/layers:1"
	assert_status 1
	[[ "$output" == *"$dg: dropped (no repository is recorded for it)"* ]]
	[[ "$output" == *"$dg: missing"* ]]
	[ ! -e "$layer" ]
	ctr-pull -q "$SRC/test/layers:1" >/dev/null
	cmp "$layer" "$BATS_TEST_TMPDIR/saved"
	run --separate-stderr ctr-image check "$SRC/test/layers:1"
	assert_status 0
	# a source that no longer has it: not repaired, then dropped; bad usage: 100
	run --separate-stderr ctr-image check --repair --bogus
	assert_status 100
}

@test "image check: good, a corrupt blob (exit 1), a missing blob, restored" {
	img=$(ctr-pull -q "$SRC/test/layers:1")
	ctr-pull -q --all-platforms "$SRC/test/multi:1" >/dev/null
	run --separate-stderr ctr-image check
	assert_status 0
	[ "$(echo "$output" | wc -l)" = 2 ]
	[[ "$output" == *"$SRC/test/layers:1: ok ("* ]]
	run --separate-stderr ctr-image check --json "$SRC/test/multi:1"
	assert_status 0
	[ "$(json_get "$output" .ok)" = true ]
	# the index, 3 manifests, their configs and layers
	[ "$(json_get "$output" .blobs)" -ge 7 ]
	[ "$(json_get "$output" '.problems | length')" = 0 ]
	layer=$(store_blob "$(json_get "$img" .layers[1].digest)")
	cp -p "$layer" "$BATS_TEST_TMPDIR/saved"
	chmod u+w "$layer"
	printf '\x00' | dd of="$layer" bs=1 seek=100 conv=notrunc 2>/dev/null
	cmp -s "$layer" "$BATS_TEST_TMPDIR/saved" && printf '\x01' | dd of="$layer" bs=1 seek=100 conv=notrunc 2>/dev/null
	run --separate-stderr ctr-image check
	assert_status 1
	[[ "$output" == *"$SRC/test/layers:1: $(json_get "$img" .layers[1].digest): corrupt: its content hashes to sha256:"* ]]
	[[ "$output" == *"$SRC/test/multi:1: ok ("* ]]
	run --separate-stderr ctr-image check --json "$SRC/test/layers:1"
	assert_status 1
	[ "$(json_get "$output" .ok)" = false ]
	[ "$(json_get "$output" '.problems | length')" = 1 ]
	mv "$layer" "$BATS_TEST_TMPDIR/moved"
	run --separate-stderr ctr-image check "$SRC/test/layers:1"
	assert_status 1
	[[ "$output" == *": missing"* ]]
	cp -p "$BATS_TEST_TMPDIR/saved" "$layer"
	run --separate-stderr ctr-image check
	assert_status 0
	run --separate-stderr ctr-image check "$SRC/test/none:1"
	assert_status 100
}

@test "image: bad verbs and usage exit 100" {
	run --separate-stderr ctr-image
	assert_status 100
	run --separate-stderr ctr-image frobnicate
	assert_status 100
	run --separate-stderr ctr-image ls extra
	assert_status 100
	run --separate-stderr ctr-image ls --bogus
	assert_status 100
	run --separate-stderr ctr-image rm
	assert_status 100
	run --separate-stderr ctr-image --help
	assert_status 0
	[[ "$output" == *$'\n  check '* ]]
}

# ctr-image execs ctr-image-blobs for check, export and import: only that
# program links libcrypto and libarchive, which cost every other verb a few
# milliseconds of the dynamic loader (rm + gc is a figure of make bench).
@test "image: rm and gc load neither libarchive nor libcrypto; check runs ctr-image-blobs" {
	ctr-pull -q "$SRC/test/busybox:oci" >/dev/null
	run --separate-stderr env LD_DEBUG=libs ctr-image rm "$SRC/test/busybox:oci"
	assert_status 0
	[[ "$stderr" == *"libjansson"* ]]
	[[ "$stderr" != *"libarchive"* && "$stderr" != *"libcrypto"* ]] || { echo "$stderr"; false; }
	run --separate-stderr env LD_DEBUG=libs ctr-image gc -q
	assert_status 0
	[[ "$stderr" != *"libarchive"* && "$stderr" != *"libcrypto"* ]] || { echo "$stderr"; false; }
	run --separate-stderr env LD_DEBUG=libs ctr-image check
	assert_status 0
	[[ "$stderr" == *"libcrypto"* ]]
}

@test "image: check, export and import without ctr-image-blobs: one line, exit 111" {
	mkdir "$BATS_TEST_TMPDIR/lone"
	cp "$CTR_BIN/ctr-image" "$BATS_TEST_TMPDIR/lone/"
	for v in check export import; do
		run --separate-stderr env PATH=/usr/bin:/bin "$BATS_TEST_TMPDIR/lone/ctr-image" $v x
		assert_status 111
		[ "$stderr" = "ctr-image: fatal: cannot run 'ctr-image-blobs' for 'ctr-image $v': No such file or directory" ]
	done
	# the others work without it
	run --separate-stderr env PATH=/usr/bin:/bin "$BATS_TEST_TMPDIR/lone/ctr-image" ls -q
	assert_status 0
}
