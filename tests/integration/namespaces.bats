#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Namespaces as peers see them: each namespace's names in its own OCI layout
# (read by skopeo and umoci), a store made before split on its first write,
# and snapshot listings per namespace.

bats_require_minimum_version 1.5.0
load ../lib/helpers
load ../lib/registry

setup_file() {
	source_registry_start busybox=test/busybox:oci layers=test/layers:1
}

teardown_file() {
	registry_stop
}

setup() {
	common_setup
	registry_use "$SRC_DIR"
	require_cmd skopeo umoci jq
}

teardown() {
	common_teardown
}

# layout_digest NS NAME: the manifest digest skopeo reads for NAME in NS's layout.
layout_digest() {
	skopeo inspect --raw "oci:$CTR_ROOT/layouts/$1:$2" | sha256sum | sed 's/^/sha256:/; s/ .*//'
}

@test "namespaces: one name tagged in two namespaces, each layout shows its own to skopeo and umoci" {
	local bb ly
	bb=$(ctr-pull -q -n a "$SRC/test/busybox:oci" | jq -r .digest)
	ly=$(ctr-pull -q -n b "$SRC/test/layers:1" | jq -r .digest)
	ctr-image -n a tag "$SRC/test/busybox:oci" localhost/app:1
	ctr-image -n b tag "$SRC/test/layers:1" localhost/app:1
	[ "$(layout_digest a localhost/app:1)" = "$bb" ]
	[ "$(layout_digest b localhost/app:1)" = "$ly" ]
	# what one namespace pulled is not in the other's layout
	run skopeo inspect --raw "oci:$CTR_ROOT/layouts/b:$SRC/test/busybox:oci"
	[ "$status" -ne 0 ]
	[ "$(jq -r '.annotations["ctr.namespace"]' "$CTR_ROOT/layouts/a/index.json")" = a ]
	[ "$(jq '.manifests | length' "$CTR_ROOT/layouts/a/index.json")" = 2 ]
	# nor in the default namespace's, content/ (layouts/default links to it)
	[ "$(jq '.manifests | length' "$CTR_ROOT/content/index.json")" = 0 ]
	[ "$(readlink "$CTR_ROOT/layouts/default")" = ../content ]
	# umoci unpacks from a namespace's layout: blobs shared, not copied
	umoci unpack --image "$CTR_ROOT/layouts/a:localhost/app:1" "$BATS_TEST_TMPDIR/u" >/dev/null
	[ -x "$BATS_TEST_TMPDIR/u/rootfs/bin/busybox" ]
	[ "$(readlink "$CTR_ROOT/layouts/a/blobs")" = ../../content/blobs ]
	# rm in one namespace leaves the other's entry
	ctr-image -n a rm localhost/app:1
	run skopeo inspect --raw "oci:$CTR_ROOT/layouts/a:localhost/app:1"
	[ "$status" -ne 0 ]
	[ "$(layout_digest b localhost/app:1)" = "$ly" ]
	# and gc keeps what any namespace's layout names, and removes a dead writer's temp file
	touch "$CTR_ROOT/layouts/b/.index.json.tmp-2147483"
	ctr-image gc -q
	[ ! -e "$CTR_ROOT/layouts/b/.index.json.tmp-2147483" ]
	[ "$(layout_digest b localhost/app:1)" = "$ly" ]
	skopeo inspect "oci:$CTR_ROOT/layouts/b:localhost/app:1" >/dev/null
}

@test "namespaces: a store with one index for all is split on its first write" {
	local bb ly
	bb=$(ctr-pull -q -n a "$SRC/test/busybox:oci" | jq -r .digest)
	ly=$(ctr-pull -q "$SRC/test/layers:1" | jq -r .digest)
	# the store as an older ctr left it: every namespace's names in content/index.json, and
	# an entry skopeo wrote that no record names
	rm -rf "$CTR_ROOT/layouts"
	jq --arg bb "$bb" --arg r "$SRC/test/busybox:oci" '
		del(.annotations) | .manifests += [{mediaType: "application/vnd.oci.image.manifest.v1+json",
		digest: $bb, size: 1, annotations: {"org.opencontainers.image.ref.name": $r}},
		{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $bb, size: 1,
		annotations: {"org.opencontainers.image.ref.name": "by-skopeo"}}]' \
		"$CTR_ROOT/content/index.json" >"$BATS_TEST_TMPDIR/idx"
	cp "$BATS_TEST_TMPDIR/idx" "$CTR_ROOT/content/index.json"
	ctr-image tag "$SRC/test/layers:1" localhost/y:1
	[ "$(jq -r '.annotations["ctr.namespace"]' "$CTR_ROOT/content/index.json")" = default ]
	[ "$(jq -r '[.manifests[].annotations["org.opencontainers.image.ref.name"]] | sort | join(" ")' \
		"$CTR_ROOT/content/index.json")" = "$SRC/test/layers:1 by-skopeo localhost/y:1" ]
	[ "$(jq -r '[.manifests[].annotations["org.opencontainers.image.ref.name"]] | join(" ")' \
		"$CTR_ROOT/layouts/a/index.json")" = "$SRC/test/busybox:oci" ]
	[ "$(jq -r '.manifests[0].digest' "$CTR_ROOT/layouts/a/index.json")" = "$bb" ]
	[ "$(layout_digest default localhost/y:1)" = "$ly" ]
}

# names NS [ARGS]: the names ctr-snapshot ls lists in NS, on one line.
names() {
	local ns=$1
	shift
	ctr-snapshot -n "$ns" --snapshotter native ls --json "$@" | jq -r '[.[].name] | join(" ")'
}

@test "namespaces: snapshot listings show a namespace's own snapshots and the layers its images use" {
	local chain l1
	ctr-pull -q -n a "$SRC/test/layers:1" | ctr-unpack -n a --snapshotter native >"$BATS_TEST_TMPDIR/s.json"
	chain=$(jq -r .chain_id "$BATS_TEST_TMPDIR/s.json")
	l1=$(names a | tr ' ' '\n' | grep -c '^sha256:')
	[ "$l1" -ge 2 ]
	ctr-snapshot -n a --snapshotter native prepare --parent "$chain" mine-a >/dev/null
	ctr-snapshot -n other --snapshotter native prepare o1 >/dev/null
	ctr-snapshot -n other --snapshotter native prepare ctr:b:box >/dev/null
	[ "$(ctr-snapshot -n other --snapshotter native stat --json o1 | jq -r '.labels["ctr.namespace"]')" = other ]
	[ "$(names other)" = o1 ]
	[ "$(names b)" = ctr:b:box ]
	# a's image layers (by reference) and its own snapshot; nothing of other's
	[ "$(names a | tr ' ' '\n' | grep -vc '^sha256:')" = 1 ]
	names a | grep -qw mine-a
	[ "$(names a | wc -w)" = $((l1 + 1)) ]
	# the default namespace sees the shared layers, none of the others' own
	[ "$(names default | tr ' ' '\n' | grep -vc '^sha256:')" = 0 ]
	[ "$(names default | wc -w)" = "$l1" ]
	# --all lists every namespace's
	[ "$(names other --all | wc -w)" = $((l1 + 3)) ]
	# another namespace that tags the image sees its layers too
	ctr-pull -q -n c "$SRC/test/layers:1" >/dev/null
	[ "$(names c | wc -w)" = "$l1" ]
}
