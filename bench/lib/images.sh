# SPDX-License-Identifier: Apache-2.0
# The bench's registry and images: the test harness's docker-registry on a
# free 127.0.0.1 port (storage on the bench tmpfs), fixtures built once and
# cached under tests/.cache/, zstd copies of them, and pushes.
# shellcheck shell=bash

# bench_registry: start a plain registry owned by this shell (its watchdog
# stops it if the bench dies without cleaning up).
bench_registry() {
	TMPDIR=$BENCH_TMPFS registry_start plain || bench_die "registry did not start"
	bench_defer registry_stop "$REGISTRY_DIR"
	bench_log "registry on $REGISTRY"
}

# bench_layout NAME: the cached layout of fixture NAME, a test fixture
# (tests/fixtures/mk-NAME.sh) or a bench one (bench/fixtures/mk-NAME.sh).
bench_layout() {
	if [ -f "$REPO_ROOT/tests/fixtures/mk-$1.sh" ]; then
		fixture_layout "$1"
	else
		FIXTURES_DIR=$REPO_ROOT/bench/fixtures CACHE_DIR=$CACHE_DIR/bench \
			fixture_layout "$1"
	fi
}

# bench_zstd_layout LAYOUT: a copy of LAYOUT with zstd layers, cached beside
# it (the cache key of LAYOUT is in its path).
bench_zstd_layout() {
	local src=$1 dst=${1%/layout}/zstd tmp
	if [ ! -d "$dst" ]; then
		tmp=$dst.tmp.$$
		rm -rf "$tmp"
		skopeo --insecure-policy copy -q --dest-compress-format zstd \
			"oci:$src:latest" "oci:$tmp:latest" >&2 || { rm -rf "$tmp"; return 1; }
		mv -T "$tmp" "$dst" || return 1
	fi
	echo "$dst"
}

# bench_push LAYOUT REPO: push LAYOUT's "latest" as $REGISTRY/REPO, digests
# kept (no recompression).
bench_push() {
	skopeo --insecure-policy copy -q --dest-tls-verify=false --preserve-digests \
		"oci:$1:latest" "docker://$REGISTRY/$2" >&2
}

# bench_layers REPO: "DIGEST SIZE MEDIATYPE" of each layer, from the registry.
bench_layers() {
	curl -fsS -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
		"http://$REGISTRY/v2/${1%:*}/manifests/${1##*:}" |
		jq -r '.layers[] | "\(.digest) \(.size) \(.mediaType)"'
}

# bench_image_facts REPO: "N layers, X MB compressed, Y MB / Z files
# unpacked" from the layout's blobs (unpacked size from the diff tars).
bench_image_facts() {
	local l=$2 n c
	n=$(bench_layers "$1" | wc -l)
	c=$(bench_layers "$1" | awk '{ s += $2 } END { printf "%.0f", s / 1e6 }')
	echo "$n layers, $c MB compressed"
}
