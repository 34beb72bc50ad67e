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
	first=$output
	run --separate-stderr ctr-image check
	assert_status 0
	[ "$(echo "$output" | grep -c ': ok (')" = 5 ]
	[ "$(jq '.manifests | length' "$CTR_ROOT/content/index.json")" = 5 ]
	# again, gzip'ed on a pipe as `docker save | gzip` makes it: the same records, nothing new
	before=$(store_listing)
	gzip -c "$BATS_TEST_TMPDIR/d.tar" | ctr-image import - >"$BATS_TEST_TMPDIR/again"
	[ "$(cat "$BATS_TEST_TMPDIR/again")" = "$first" ]
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
	bigsize|tar entry '5a362cf7b79d4d067480271d9658eff2a66ee7a46ffa7952b26734619238a94a/layer.tar': unknown header magic
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

@test "export --format docker-archive: docker 25's layout, skopeo reads it, it imports back" {
	mkdocker ok "$BATS_TEST_TMPDIR/d.tar"
	ctr-image import "$BATS_TEST_TMPDIR/d.tar" >/dev/null
	names=(docker.io/app/layers:1 busybox:latest reg.example:5000/bb:2)
	run --separate-stderr ctr-image export --format docker-archive -o "$BATS_TEST_TMPDIR/ex.tar" "${names[@]}"
	assert_status 0
	[ -z "$output" ]
	ctr-image export --format docker-archive "${names[@]}" >"$BATS_TEST_TMPDIR/stdout.tar"
	# the same entries (on a pipe or stdout libarchive pads the last block)
	cmp -n "$(stat -c %s "$BATS_TEST_TMPDIR/ex.tar")" "$BATS_TEST_TMPDIR/stdout.tar" "$BATS_TEST_TMPDIR/ex.tar"
	[ "$(tar -tf "$BATS_TEST_TMPDIR/ex.tar" | head -n1)" = manifest.json ]
	man=$(tar -xOf "$BATS_TEST_TMPDIR/ex.tar" manifest.json)
	# one entry per image, its names together, full names as podman needs them
	[ "$(json_get "$man" '[.[].RepoTags | join(",")] | join(" ")')" = \
		"docker.io/app/layers:1 docker.io/library/busybox:latest,reg.example:5000/bb:2" ]
	cfg=$(fixture_blobs "$LAYERS" | head -n1)
	[ "$(json_get "$man" '.[0].Config')" = "blobs/sha256/${cfg#sha256:}" ]
	# the layers are decompressed: each file is named by its diff_id and hashes to it
	[ "$(json_get "$man" '.[0].Layers | map(sub("blobs/sha256/"; "sha256:")) | join(" ")')" = \
		"$(jq -r '.rootfs.diff_ids | join(" ")' "$LAYERS/blobs/sha256/${cfg#sha256:}")" ]
	mkdir "$BATS_TEST_TMPDIR/x"
	tar -C "$BATS_TEST_TMPDIR/x" -xf "$BATS_TEST_TMPDIR/ex.tar"
	for f in "$BATS_TEST_TMPDIR"/x/blobs/sha256/*; do
		[ "$(sha256sum <"$f" | cut -d' ' -f1)" = "$(basename "$f")" ]
	done
	[ "$(find "$BATS_TEST_TMPDIR/x/blobs/sha256" -type f | wc -l)" = 7 ]
	run skopeo inspect "docker-archive:$BATS_TEST_TMPDIR/ex.tar:docker.io/app/layers:1"
	assert_status 0
	[ "$(json_get "$output" '.Layers | join(" ")')" = "$(jq -r '.rootfs.diff_ids | join(" ")' "$LAYERS/blobs/sha256/${cfg#sha256:}")" ]
	skopeo --insecure-policy copy -q "docker-archive:$BATS_TEST_TMPDIR/ex.tar:reg.example:5000/bb:2" "oci:$BATS_TEST_TMPDIR/oci:x"
	# skopeo rewrites the config and compresses the layers on the way: the diff_ids stay
	m=$(jq -r '.manifests[0].digest' "$BATS_TEST_TMPDIR/oci/index.json")
	c=$(jq -r .config.digest "$BATS_TEST_TMPDIR/oci/blobs/sha256/${m#sha256:}")
	bbcfg=$(fixture_blobs "$BUSYBOX" | head -n1)
	[ "$(jq -c .rootfs.diff_ids "$BATS_TEST_TMPDIR/oci/blobs/sha256/${c#sha256:}")" = \
		"$(jq -c .rootfs.diff_ids "$BUSYBOX/blobs/sha256/${bbcfg#sha256:}")" ]
	# back into a fresh root: the same configs, layers as their diff_ids
	export CTR_ROOT=$BATS_TEST_TMPDIR/root2
	run --separate-stderr ctr-image import "$BATS_TEST_TMPDIR/ex.tar"
	assert_status 0
	[ "$(jq -r .name <<<"$output" | tr '\n' ' ')" = "docker.io/app/layers:1 docker.io/library/busybox:latest reg.example:5000/bb:2 " ]
	[ "$(jq -r .config.digest <<<"$output" | tr '\n' ' ')" = "$cfg $bbcfg $bbcfg " ]
	[ "$(sed -n 1p <<<"$output" | jq -c '[.layers[].digest]')" = "$(sed -n 1p <<<"$output" | jq -c .diff_ids)" ]
	ctr-image check
}

@test "export: --format other than oci-archive or docker-archive, no image: exit 100, no file" {
	mkdocker one "$BATS_TEST_TMPDIR/one.tar"
	ctr-image import "$BATS_TEST_TMPDIR/one.tar" >/dev/null
	run --separate-stderr ctr-image export --format docker -o "$BATS_TEST_TMPDIR/x.tar" docker.io/app/layers:1
	assert_status 100
	[[ "$stderr" == *"--format: 'docker' is neither oci-archive nor docker-archive"* ]]
	run --separate-stderr ctr-image export --format docker-archive -o "$BATS_TEST_TMPDIR/x.tar" no/such:1
	assert_status 100
	[ "$stderr" = "ctr-image: fatal: no image 'docker.io/no/such:1' in namespace 'default'" ]
	# a layer gone from the store: refused before the first byte
	layer=$(ctr-image inspect docker.io/app/layers:1 | jq -r '.image.layers[2].digest')
	mv "$(store_blob "$layer")" "$BATS_TEST_TMPDIR/layer"
	run --separate-stderr ctr-image export --format docker-archive -o "$BATS_TEST_TMPDIR/x.tar" docker.io/app/layers:1
	assert_status 100
	[[ "$stderr" == *"layer 3: blob $layer ("*" bytes) is not in the store" ]]
	[ -z "$(find "$BATS_TEST_TMPDIR" -maxdepth 1 -name 'x.tar*')" ]
}

@test "containerd: ctr images import of our docker-archive, its export read back" {
	require_root
	require_cmd containerd ctr
	containerd_start
	mkdocker one "$BATS_TEST_TMPDIR/one.tar"
	ctr-image import "$BATS_TEST_TMPDIR/one.tar" >/dev/null
	ctr-image export --format docker-archive -o "$BATS_TEST_TMPDIR/ex.tar" docker.io/app/layers:1
	$CTD images import --no-unpack "$BATS_TEST_TMPDIR/ex.tar"
	[ "$($CTD images ls -q)" = docker.io/app/layers:1 ]
	# containerd's export: an OCI layout with a manifest.json beside it, of a
	# Docker schema 2 manifest of plain layers (rootfs.diff.tar)
	$CTD images export "$BATS_TEST_TMPDIR/c.tar" docker.io/app/layers:1
	tar -tf "$BATS_TEST_TMPDIR/c.tar" | grep -qx manifest.json
	export CTR_ROOT=$BATS_TEST_TMPDIR/root2
	run --separate-stderr ctr-image import "$BATS_TEST_TMPDIR/c.tar"
	assert_status 0
	cfg=$(fixture_blobs "$LAYERS" | head -n1)
	[ "$(json_get "$output" .name)" = docker.io/app/layers:1 ]
	[ "$(json_get "$output" .manifest.mediaType)" = application/vnd.docker.distribution.manifest.v2+json ]
	[ "$(json_get "$output" .config.digest)" = "$cfg" ]
	[ "$(json_get "$output" '[.layers[].mediaType] | unique | join(" ")')" = application/vnd.docker.image.rootfs.diff.tar ]
	[ "$(json_get "$output" '[.layers[].digest]')" = "$(json_get "$output" .diff_ids)" ]
	ctr-image check
}

@test "podman: load of our docker-archive, save --multi-image-archive imported back" {
	require_root
	require_cmd podman
	local p=$BATS_TEST_TMPDIR/podman
	pod=(podman --root "$p/root" --runroot "$p/run" --tmpdir "$p/tmp" --runtime runc
		--cgroup-manager cgroupfs --storage-driver vfs --events-backend file)
	mkdir -p "$p/tmp"
	mkdocker ok "$BATS_TEST_TMPDIR/d.tar"
	ctr-image import "$BATS_TEST_TMPDIR/d.tar" >/dev/null
	ctr-image export --format docker-archive -o "$BATS_TEST_TMPDIR/ex.tar" docker.io/app/layers:1 reg.example:5000/bb:2
	"${pod[@]}" load -q -i "$BATS_TEST_TMPDIR/ex.tar"
	[ "$("${pod[@]}" images --format '{{.Repository}}:{{.Tag}}' | sort | tr '\n' ' ')" = "docker.io/app/layers:1 reg.example:5000/bb:2 " ]
	"${pod[@]}" save -q --multi-image-archive -o "$BATS_TEST_TMPDIR/p.tar" docker.io/app/layers:1 reg.example:5000/bb:2
	export CTR_ROOT=$BATS_TEST_TMPDIR/root2
	run --separate-stderr ctr-image import "$BATS_TEST_TMPDIR/p.tar"
	assert_status 0
	[ "$(jq -r .name <<<"$output" | tr '\n' ' ')" = "docker.io/app/layers:1 reg.example:5000/bb:2 " ]
	[ "$(jq -r .config.digest <<<"$output" | tr '\n' ' ')" = "$(fixture_blobs "$LAYERS" | head -n1) $(fixture_blobs "$BUSYBOX" | head -n1) " ]
	ctr-image check
}

@test "gc: the spool of an import that died goes, a live one stays" {
	mkdocker one "$BATS_TEST_TMPDIR/one.tar"
	ctr-image import "$BATS_TEST_TMPDIR/one.tar" >/dev/null
	(exit 0) &
	dead=$!
	wait "$dead"
	mkdir "$CTR_ROOT/content/ingest/.spool.tmp-$dead" "$CTR_ROOT/content/ingest/.spool.tmp-$$"
	echo x >"$CTR_ROOT/content/ingest/.spool.tmp-$dead/0"
	echo x >"$CTR_ROOT/content/ingest/.spool.tmp-$$/0"
	run --separate-stderr ctr-image gc --json
	assert_status 0
	[ "$(json_get "$output" '.files | join(" ")')" = "content/ingest/.spool.tmp-$dead" ]
	[ ! -e "$CTR_ROOT/content/ingest/.spool.tmp-$dead" ]
	[ -e "$CTR_ROOT/content/ingest/.spool.tmp-$$/0" ]
	rm -r "$CTR_ROOT/content/ingest/.spool.tmp-$$"
}

@test "export --format docker-archive: a zstd layer goes out as the tar of its diff_id" {
	require_root
	zst=$(fixture_layout busybox-zstd)
	tar -C "$zst" -cf "$BATS_TEST_TMPDIR/z.tar" .
	img=$(ctr-image import --name z/bb:1 "$BATS_TEST_TMPDIR/z.tar")
	[ "$(json_get "$img" '.layers[0].mediaType')" = application/vnd.oci.image.layer.v1.tar+zstd ]
	ctr-image export --format docker-archive -o "$BATS_TEST_TMPDIR/ex.tar" z/bb:1
	diff=$(json_get "$img" '.diff_ids[0]')
	[ "$(tar -xOf "$BATS_TEST_TMPDIR/ex.tar" manifest.json | jq -r '.[0].Layers[0]')" = "blobs/sha256/${diff#sha256:}" ]
	[ "sha256:$(tar -xOf "$BATS_TEST_TMPDIR/ex.tar" "blobs/sha256/${diff#sha256:}" | sha256sum | cut -d' ' -f1)" = "$diff" ]
	# and back: stored plain under its diff_id, the same config
	export CTR_ROOT=$BATS_TEST_TMPDIR/root2
	run --separate-stderr ctr-image import "$BATS_TEST_TMPDIR/ex.tar"
	assert_status 0
	[ "$(json_get "$output" '.layers[0].digest')" = "$diff" ]
	[ "$(json_get "$output" .config.digest)" = "$(json_get "$img" .config.digest)" ]
}
