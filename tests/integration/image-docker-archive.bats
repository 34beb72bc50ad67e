#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# ctr-image import and export of docker save archives ("docker-archive"):
# archives made by skopeo (and containerd, podman where they run here) read
# by us, ours read by them, docker's older layout with gzip layers and links,
# and hostile archives that must leave the store as it was.

bats_require_minimum_version 1.5.0
load ../lib/helpers
load ../lib/registry

setup() {
	common_setup
	LAYERS=$(fixture_layout layers)
	BUSYBOX=$(fixture_layout busybox)
}

teardown() {
	common_teardown
}

# What a refused import must not change: every file of the root but locks,
# and what is in the ingest (no spool, no partial blob).
store_listing() {
	(
		cd "$CTR_ROOT" || exit 1
		find . -path ./content/ingest -prune -o ! -name '*.lock' -printf '%p %s\n' | LC_ALL=C sort
		find content/ingest -mindepth 1 ! -name '*.lock' | LC_ALL=C sort
	)
}

# mkdocker MODE OUT: docker's layout up to 24 from the layers and busybox
# fixtures (see tests/fixtures/mk-docker-archive.py).
mkdocker() {
	"$(helpers_python)" -I "$REPO_ROOT/tests/fixtures/mk-docker-archive.py" "$1" "$LAYERS" "$BUSYBOX" "$2"
}

# The config and layers of the fixture LAYOUT's "latest" manifest, one a line.
fixture_blobs() {
	local m
	m=$(jq -r '.manifests[0].digest' "$1/index.json")
	jq -r '.config.digest, .layers[].digest' "$1/blobs/sha256/${m#sha256:}"
}

# The tree of the image document on stdin, unpacked (native) and mounted at DIR.
unpack_tree() {
	local chain key=view-$RANDOM
	chain=$(ctr-unpack --snapshotter native - | jq -r .chain_id)
	ctr-snapshot --snapshotter native view --parent "$chain" "$key" >/dev/null
	mkdir -p "$1"
	ctr-snapshot --snapshotter native mount "$key" "$1"
	tree_manifest "$1"
}

@test "import: a docker-archive by skopeo (symlinked layers) is the fixture's image, unpacks as umoci does" {
	require_root
	skopeo --insecure-policy copy -q "oci:$LAYERS:latest" "docker-archive:$BATS_TEST_TMPDIR/sk.tar:example.org/app/layers:2"
	tar -tvf "$BATS_TEST_TMPDIR/sk.tar" | grep -q '^l.*/layer.tar -> \.\./'
	run --separate-stderr ctr-image import - <"$BATS_TEST_TMPDIR/sk.tar"
	assert_status 0
	[ "$(echo "$output" | wc -l)" = 1 ]
	[ "$(json_get "$output" .name)" = example.org/app/layers:2 ]
	cfg=$(fixture_blobs "$LAYERS" | head -n1)
	[ "$(json_get "$output" .config.digest)" = "$cfg" ]
	[ "$(json_get "$output" .manifest.mediaType)" = application/vnd.oci.image.manifest.v1+json ]
	# skopeo writes the layers decompressed: each is stored as its diff_id
	[ "$(json_get "$output" '[.layers[].digest] | join(" ")')" = \
		"$(jq -r '.rootfs.diff_ids | join(" ")' "$LAYERS/blobs/sha256/${cfg#sha256:}")" ]
	[ "$(json_get "$output" '[.layers[].mediaType] | unique | join(" ")')" = application/vnd.oci.image.layer.v1.tar ]
	[ "$(jq -r '.manifests[0].annotations["org.opencontainers.image.ref.name"]' "$CTR_ROOT/content/index.json")" = example.org/app/layers:2 ]
	ctr-image check example.org/app/layers:2
	[ -z "$(find "$CTR_ROOT/content/ingest" -mindepth 1 ! -name '*.lock')" ]
	ctr-image inspect example.org/app/layers:2 | jq -c .image | unpack_tree "$BATS_TEST_TMPDIR/mnt" >"$BATS_TEST_TMPDIR/ours"
	umoci unpack --image "$LAYERS:latest" "$BATS_TEST_TMPDIR/bundle" >/dev/null
	tree_manifest "$BATS_TEST_TMPDIR/bundle/rootfs" >"$BATS_TEST_TMPDIR/umoci"
	diff -u "$BATS_TEST_TMPDIR/umoci" "$BATS_TEST_TMPDIR/ours"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/ours")" -gt 10 ]
}

@test "import: docker's layout up to 24, gzip layers, hard and symbolic links, five names" {
	mkdocker ok "$BATS_TEST_TMPDIR/d.tar"
	run --separate-stderr ctr-image import "$BATS_TEST_TMPDIR/d.tar"
	assert_status 0
	[ "$(jq -r .name <<<"$output" | tr '\n' ' ')" = "docker.io/app/layers:1 docker.io/library/busybox:latest reg.example:5000/bb:2 docker.io/library/bb:linked docker.io/library/bb:chain " ]
	# gzip layers stay as they were: the digests of the fixture, typed +gzip
	[ "$(sed -n 1p <<<"$output" | jq -r '.config.digest, .layers[].digest')" = "$(fixture_blobs "$LAYERS")" ]
	[ "$(sed -n 2p <<<"$output" | jq -r '.config.digest, .layers[].digest')" = "$(fixture_blobs "$BUSYBOX")" ]
	[ "$(jq -r '.layers[].mediaType' <<<"$output" | sort -u)" = application/vnd.oci.image.layer.v1.tar+gzip ]
	[ "$(jq -r .digest <<<"$output" | sed -n '2,5p' | sort -u | wc -l)" = 1 ]
	run --separate-stderr ctr-image check
	assert_status 0
	[ "$(echo "$output" | grep -c ': ok (')" = 5 ]
	[ "$(jq '.manifests | length' "$CTR_ROOT/content/index.json")" = 5 ]
	# again: the same records, nothing new
	before=$(store_listing)
	ctr-image import "$BATS_TEST_TMPDIR/d.tar" >/dev/null
	[ "$(store_listing)" = "$before" ]
	# --name names the image of a one-image archive, and only there
	mkdocker one "$BATS_TEST_TMPDIR/one.tar"
	run --separate-stderr ctr-image import --name my/app:3 "$BATS_TEST_TMPDIR/one.tar"
	assert_status 0
	[ "$(json_get "$output" .name)" = docker.io/my/app:3 ]
	run --separate-stderr ctr-image import --name my/app:3 "$BATS_TEST_TMPDIR/d.tar"
	assert_status 100
	[ "$stderr" = "ctr-image: fatal: --name needs an archive of one image (manifest.json has 4)" ]
}

@test "import: hostile docker archives fail with one line, exit 100, the store as it was" {
	mkdocker one "$BATS_TEST_TMPDIR/one.tar"
	ctr-image import "$BATS_TEST_TMPDIR/one.tar" >/dev/null
	before=$(store_listing)
	[ -n "$before" ]
	while IFS='|' read -r mode want; do
		mkdocker "$mode" "$BATS_TEST_TMPDIR/$mode.tar"
		run --separate-stderr ctr-image import "$BATS_TEST_TMPDIR/$mode.tar"
		echo "$mode: $status $stderr"
		assert_status 100
		[ "$stderr" = "ctr-image: fatal: $want" ]
		[ -z "$output" ]
		[ "$(store_listing)" = "$before" ]
	done <<-'DONE'
	outside|chain/layer.tar: link leaves the archive ('../../etc/passwd')
	absolute|chain/layer.tar: link to an absolute or empty path '/etc/passwd'
	todir|chain/layer.tar: link target '5a362cf7b79d4d067480271d9658eff2a66ee7a46ffa7952b26734619238a94a' is not a file of the archive
	loop|chain/layer.tar: more than 8 links in a row (a loop?)
	missing|image docker.io/app/layers:1: 'nope/layer.tar' is not a file of the archive
	diffid|layer 1 of docker.io/app/layers:1 does not match its diff_id
	huge|manifest.json: larger than 4194304 bytes
	duptags|manifest.json names 'docker.io/library/busybox:latest' twice
	notjson|manifest.json:1:11: unexpected token near end of file
	nolayers|manifest.json: image docker.io/app/layers:1: needs a Config path and a Layers list
	DONE
	printf 'hello\n' >"$BATS_TEST_TMPDIR/hello"
	tar -C "$BATS_TEST_TMPDIR" -cf "$BATS_TEST_TMPDIR/neither.tar" hello
	run --separate-stderr ctr-image import "$BATS_TEST_TMPDIR/neither.tar"
	assert_status 100
	[ "$stderr" = "ctr-image: fatal: $BATS_TEST_TMPDIR/neither.tar is neither an OCI layout nor a docker archive (no index.json, no manifest.json)" ]
	run --separate-stderr ctr-image import - <"$BATS_TEST_TMPDIR/neither.tar"
	[ "$stderr" = "ctr-image: fatal: stdin is neither an OCI layout nor a docker archive (no index.json, no manifest.json)" ]
	[ "$(store_listing)" = "$before" ]
}
