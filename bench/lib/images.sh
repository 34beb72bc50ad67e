# SPDX-License-Identifier: Apache-2.0
# The bench's registry and images: the test harness's docker-registry on a
# free 127.0.0.1 port (storage on the bench tmpfs), fixtures built once and
# cached under tests/.cache/, zstd copies of them, and pushes.
# shellcheck shell=bash

# bench_registry: start a plain registry owned by this shell (its watchdog
# stops it if the bench dies without cleaning up), and set up the cleanup of
# registries and containerd.
bench_registry() {
	TMPDIR=$BENCH_TMPFS registry_start plain || bench_die "registry did not start"
	# every registry started under the tmpfs: this one and the push targets
	bench_defer registry_stop_scope "$BENCH_TMPFS"
	# a containerd of a pull sample, if the bench is stopped in one
	bench_defer peer_stop
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
