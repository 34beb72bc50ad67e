#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# ctr-push: images of the store to a second real docker-registry (plain, TLS,
# basic, token), checked with skopeo; and a registry that fails mid-upload.

bats_require_minimum_version 1.5.0
load ../lib/helpers
load ../lib/registry

setup_file() {
	source_registry_start busybox=test/busybox:oci busybox-v2s2=test/busybox:v2s2 \
		busybox-zstd=test/busybox:zstd layers=test/layers:1 multiarch=test/multi:1 \
		big=test/big:1
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

@test "push: --limit-rate, as ctr-pull takes it: the push is whole; a bad value is bad usage" {
	ctr-pull -q "$SRC/test/busybox:oci" >/dev/null
	registry_start plain
	DEST_REF=capped/busybox:oci
	run --separate-stderr ctr-push --limit-rate 50M --chunk-size 256K "$SRC/test/busybox:oci" \
		"$REGISTRY/$DEST_REF"
	assert_status 0
	[ "$(json_get "$output" '.pushed | length')" = 3 ]
	copy_back
	run --separate-stderr ctr-push --limit-rate fast "$SRC/test/busybox:oci" "$REGISTRY/$DEST_REF"
	assert_status 100
	[[ $stderr == *--limit-rate* ]]
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

@test "push: Docker schema 2 and zstd images keep their digests" {
	registry_start plain
	for tag in v2s2 zstd; do
		img=$(ctr-pull -q "$SRC/test/busybox:$tag")
		run --separate-stderr ctr-push -q "$SRC/test/busybox:$tag" "$REGISTRY/t/bb:$tag"
		assert_status 0
		[ "$(json_get "$output" .digest)" = "$(json_get "$img" .digest)" ]
		DEST_REF=t/bb:$tag
		raw=$(registry_inspect_raw "$DEST_REF")
		[ "$(printf '%s' "$raw" | sha256sum | cut -c1-64)" = "$(json_get "$img" .digest | cut -c8-)" ]
		copy_back
	done
	[ "$(jq -r .mediaType <<<"$(registry_inspect_raw t/bb:v2s2)")" = application/vnd.docker.distribution.manifest.v2+json ]
	[ "$(jq -r '.layers[0].mediaType' <<<"$(registry_inspect_raw t/bb:zstd)")" = application/vnd.oci.image.layer.v1.tar+zstd ]
}

@test "push: DEST defaults to SRC; a digest DEST must be the image's" {
	img=$(ctr-pull -q "$SRC/test/busybox:oci")
	dg=$(json_get "$img" .digest)
	# the source registry already holds it all: nothing is sent
	run --separate-stderr ctr-push "$SRC/test/busybox:oci"
	assert_status 0
	[ "$(json_get "$output" .name)" = "$SRC/test/busybox:oci" ]
	[ "$(json_get "$output" '.pushed | length')" = 0 ]
	run --separate-stderr ctr-push "$SRC/test/busybox:oci" "$SRC/other/bb@$dg"
	assert_status 0
	[ "$(json_get "$output" .name)" = "$SRC/other/bb@$dg" ]
	run --separate-stderr ctr-push "$SRC/test/busybox:oci" "$SRC/other/bb@sha256:$(printf '0%.0s' {1..64})"
	assert_status 100
	[[ "$stderr" == *"not the digest named"* ]]
}

@test "push: cross-repository mount on the same registry sends no blob" {
	ctr-pull -q "$SRC/test/layers:1" >/dev/null
	run --separate-stderr ctr-push "$SRC/test/layers:1" "$SRC/mounted/layers:1"
	assert_status 0
	[ "$(json_get "$output" '.mounted | length')" -ge 6 ]
	[ "$(json_get "$output" '.pushed | length')" = 1 ]
	[ "$(json_get "$output" '.pushed[0]')" = "$(json_get "$output" .digest)" ]
	DEST_REF=mounted/layers:1
	run dest_inspect
	assert_status 0
	[ "$(json_get "$output" .Digest)" = "$(json_get "$(ctr-image inspect "$SRC/test/layers:1")" .image.digest)" ]
}

@test "push: a blob pushed to one repository is mounted into another, not sent" {
	bb=$(ctr-pull -q "$SRC/test/busybox:oci")
	layer=$(json_get "$bb" '.layers[0].digest')
	ctr-pull -q "$SRC/test/layers:1" >/dev/null
	CTR_TEST_REGISTRY_ACCESSLOG=1 registry_start plain
	run --separate-stderr ctr-push "$SRC/test/busybox:oci" "$REGISTRY/a/bb:1"
	assert_status 0
	[ "$(json_get "$output" '.mounted | length')" = 0 ]
	# a different image that shares busybox's layer, to another repository
	run --separate-stderr ctr-push --progress=json "$SRC/test/layers:1" "$REGISTRY/b/layers:1"
	assert_status 0
	[ "$(json_get "$output" '.mounted | join(" ")')" = "$layer" ]
	[ "$(jq -s --arg d "$layer" '[.[] | select(.event == "layer-done" and .digest == $d)][0].transferred' <<<"$stderr")" = 0 ]
	[ "$(registry_requests POST "/v2/b/layers/blobs/uploads/[?]mount=$layer&from=a/bb")" = 1 ]
	DEST_REF=b/layers:1
	copy_back
	# the sources are the store's: gc drops those of blobs it removes
	[ -f "$CTR_ROOT/content/sources/${layer#sha256:}.json" ]
	[ "$(jq -r '[.sources[] | .repository] | sort | join(" ")' "$CTR_ROOT/content/sources/${layer#sha256:}.json")" = "a/bb b/layers test/busybox test/layers" ]
	ctr-image rm "$SRC/test/busybox:oci" "$SRC/test/layers:1" >/dev/null
	run --separate-stderr ctr-image gc --json
	assert_status 0
	[ ! -f "$CTR_ROOT/content/sources/${layer#sha256:}.json" ]
}

@test "push: index with --all-platforms after pull --all-platforms" {
	ctr-pull -q --all-platforms "$SRC/test/multi:1" >/dev/null
	registry_start plain
	run --separate-stderr ctr-push --all-platforms "$SRC/test/multi:1" "$REGISTRY/m/multi:1"
	assert_status 0
	[ "$(json_get "$output" .digest)" = "$(fixture_digest multiarch)" ]
	raw=$(registry_inspect_raw m/multi:1)
	[ "$(jq -r '.manifests | length' <<<"$raw")" = 3 ]
	[ "$(printf '%s' "$raw" | sha256sum | cut -c1-64)" = "$(fixture_digest multiarch | cut -c8-)" ]
	DEST_REF=m/multi:1
	copy_back --all
}

@test "push: an index pulled for one platform pushes that manifest; --all-platforms refuses" {
	img=$(ctr-pull -q --platform linux/arm64 "$SRC/test/multi:1")
	registry_start plain
	run --separate-stderr ctr-push --all-platforms "$SRC/test/multi:1" "$REGISTRY/m/multi:1"
	assert_status 100
	[[ "$stderr" == *"pull it with --all-platforms"* ]]
	[ "$(echo "$stderr" | wc -l)" = 1 ]
	run --separate-stderr ctr-push --platform linux/arm64 "$SRC/test/multi:1" "$REGISTRY/m/multi:1"
	assert_status 0
	[ "$(json_get "$output" .digest)" = "$(json_get "$img" .digest)" ]
	[ "$(jq -r .architecture <<<"$(skopeo inspect --tls-verify=false --config "docker://$REGISTRY/m/multi:1")")" = arm64 ]
	run --separate-stderr ctr-push --platform linux/s390x "$SRC/test/multi:1" "$REGISTRY/m/multi:2"
	assert_status 100
}

@test "push: TLS registry through --hosts-dir; refused without its CA" {
	ctr-pull -q "$SRC/test/busybox:oci" >/dev/null
	registry_start tls
	run --separate-stderr ctr-push --retries 0 "$SRC/test/busybox:oci" "$REGISTRY/tls/bb:1"
	assert_status 111
	[[ "$stderr" == *"certificate"* ]]
	mkdir -p "$BATS_TEST_TMPDIR/hosts/$REGISTRY"
	cp "$REGISTRY_CA" "$BATS_TEST_TMPDIR/hosts/$REGISTRY/ca.crt"
	run --separate-stderr ctr-push --hosts-dir "$BATS_TEST_TMPDIR/hosts" "$SRC/test/busybox:oci" "$REGISTRY/tls/bb:1"
	assert_status 0
	DEST_REF=tls/bb:1
	run dest_inspect
	assert_status 0
	copy_back
}

@test "push: basic auth: refused without credentials, accepted with --creds" {
	ctr-pull -q "$SRC/test/busybox:oci" >/dev/null
	registry_start basic
	run --separate-stderr ctr-push "$SRC/test/busybox:oci" "$REGISTRY/b/bb:1"
	assert_status 100
	[[ "$stderr" == *"requires credentials"* ]]
	run --separate-stderr ctr-push --creds "$REGISTRY_USER:wrong" "$SRC/test/busybox:oci" "$REGISTRY/b/bb:1"
	assert_status 100
	run --separate-stderr ctr-push --creds "$REGISTRY_USER:$REGISTRY_PASS" "$SRC/test/busybox:oci" "$REGISTRY/b/bb:1"
	assert_status 0
	DEST_REF=b/bb:1
	run dest_inspect
	assert_status 0
	copy_back
}

@test "push: token auth asks for pull,push on the repository (and pull on a mount source)" {
	ctr-pull -q "$SRC/test/layers:1" >/dev/null
	registry_start token
	: >"$REGISTRY_TOKEN_LOG"
	run --separate-stderr ctr-push --authfile "$AUTHFILE" "$SRC/test/layers:1" "$REGISTRY/tok/layers:1"
	assert_status 0
	[ "$(wc -l <"$REGISTRY_TOKEN_LOG")" = 1 ]
	[ "$(jq -r '.scope[0]' "$REGISTRY_TOKEN_LOG")" = repository:tok/layers:pull,push ]
	DEST_REF=tok/layers:1
	copy_back
	# on the same registry, a push to another repository mounts from the first
	ctr-pull -q --authfile "$AUTHFILE" "$REGISTRY/tok/layers:1" >/dev/null
	: >"$REGISTRY_TOKEN_LOG"
	run --separate-stderr ctr-push --authfile "$AUTHFILE" "$REGISTRY/tok/layers:1" "$REGISTRY/tok/copy:1"
	assert_status 0
	[ "$(json_get "$output" '.mounted | length')" -ge 6 ]
	[ "$(jq -r '.scope | sort | join(" ")' "$REGISTRY_TOKEN_LOG")" = "repository:tok/copy:pull,push repository:tok/layers:pull" ]
	run --separate-stderr ctr-push "$SRC/test/layers:1" "$REGISTRY/tok/anon:1"
	assert_status 100
}

@test "push: Location URLs relative and absolute keep their own query" {
	ctr-pull -q "$SRC/test/busybox:oci" >/dev/null
	hostile_start
	for s in ok absolute; do
		run --separate-stderr ctr-push "$SRC/test/busybox:oci" "$HOSTILE/push/$s/bb:1"
		assert_status 0
		[ "$(json_get "$output" '.pushed | length')" = 3 ]
	done
	[ "$(jq -rs '[.[] | select(.method == "PUT" and (.path | test("/blobs/uploads/.*[?]_state=s%3D[0-9a-f]+&digest=sha256:[0-9a-f]{64}$")))] | length' "$HOSTILE_LOG")" = 4 ]
}

@test "push: a registry that fails mid-upload: one line, non-zero, the store unchanged" {
	ctr-pull -q "$SRC/test/busybox:oci" >/dev/null
	# (the leases directory's time changes with every lease taken: its files are what counts)
	before=$(cd "$CTR_ROOT" && find . -path ./leases -printf '%p\n' -o -printf '%p %s %T@\n' | sort)
	hostile_start
	run --separate-stderr ctr-push --retries 1 "$SRC/test/busybox:oci" "$HOSTILE/push/cut/bb:1"
	assert_status 111
	[ "$(echo "$stderr" | wc -l)" = 1 ]
	[[ "$stderr" == "ctr-push: fatal: "* ]]
	[ -z "$output" ]
	run --separate-stderr ctr-push --retries 1 "$SRC/test/busybox:oci" "$HOSTILE/push/error500/bb:1"
	assert_status 111
	[[ "$stderr" == *"disk on fire"* ]]
	[ "$(echo "$stderr" | wc -l)" = 1 ]
	# each blob was tried twice (one retry), each time from a new upload
	[ "$(jq -s '[.[] | select(.method == "POST" and (.path | test("error500")))] | length' "$HOSTILE_LOG")" -ge 2 ]
	run --separate-stderr ctr-push "$SRC/test/busybox:oci" "$HOSTILE/push/lying-digest/bb:1"
	assert_status 100
	[[ "$stderr" == *"the registry stored"* ]]
	[ "$(cd "$CTR_ROOT" && find . -path ./leases -printf '%p\n' -o -printf '%p %s %T@\n' | sort)" = "$before" ]
}

# The bytes of the big fixture's layer that a --progress=json run sent ($1: its stderr).
big_layer_sent() {
	jq -s --arg d "$BIG_LAYER" '[.[] | select(.event == "layer-done" and .digest == $d)][0].transferred' <<<"$1"
}

# Start a push of test/big:1 through the proxy in 1 MiB chunks and SIGKILL it
# once the proxy holds the PATCH it was told to (the registry then has what
# the proxy forwarded before).
killed_big_push() {
	ctr-push --chunk-size 1M --progress=json "$SRC/test/big:1" "$PROXY/r/big:1" \
		>/dev/null 2>"$BATS_TEST_TMPDIR/killed.err" &
	local pid=$! i
	for ((i = 0; i < 3000; i++)); do
		[ -f "$PROXY_HELD" ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.02
	done
	[ -f "$PROXY_HELD" ]
	kill -KILL "$pid"
	wait "$pid" || true
}

big_setup() {
	local img
	img=$(ctr-pull -q "$SRC/test/big:1")
	BIG_LAYER=$(json_get "$img" '.layers[0].digest')
	BIG_SIZE=$(json_get "$img" '.layers[0].size')
	registry_start plain
}

@test "push: a push killed between chunks resumes at the registry's offset" {
	big_setup
	upload_proxy_start --hold-patch 20
	killed_big_push
	[ "$(ls "$CTR_ROOT/uploads/"*.json | wc -l)" = 1 ]
	[ "$(jq -r .offset "$CTR_ROOT"/uploads/*.json)" = $((19 << 20)) ]
	: >"$PROXY_LOG"
	run --separate-stderr ctr-push --chunk-size 1M --progress=json "$SRC/test/big:1" "$PROXY/r/big:1"
	assert_status 0
	# the layer resumed at byte 19 MiB: less than half of it was sent again
	[ "$(jq -s --arg d "$BIG_LAYER" '[.[] | select(.event == "layer-start" and .digest == $d)][0].offset' <<<"$stderr")" = $((19 << 20)) ]
	[ "$(big_layer_sent "$stderr")" -lt $((BIG_SIZE / 2)) ]
	# counted at the proxy too: every body byte the second push sent
	[ "$(jq -s '[.[] | .bytes] | add' "$PROXY_LOG")" -lt $((BIG_SIZE / 2)) ]
	[ "$(jq -s '[.[] | select(.method == "GET" and (.path | test("/blobs/uploads/")))] | length' "$PROXY_LOG")" = 1 ]
	[ "$(json_get "$output" '.pushed | length')" = 2 ]
	[ -z "$(ls "$CTR_ROOT/uploads/"*.json 2>/dev/null)" ]
	DEST_REF=r/big:1
	copy_back
}

@test "push: a push killed mid-chunk finds its session dead and uploads afresh" {
	big_setup
	upload_proxy_start --cut-patch 5
	killed_big_push
	run --separate-stderr ctr-push --chunk-size 1M --progress=json "$SRC/test/big:1" "$PROXY/r/big:1"
	assert_status 0
	# distribution cancels a session whose offset moved behind its state: said, then sent whole
	[[ "$(jq -rs '[.[] | select(.event == "layer-restart")][0].reason' <<<"$stderr")" == *"no upload session"* ]]
	[ "$(big_layer_sent "$stderr")" -ge "$BIG_SIZE" ]
	DEST_REF=r/big:1
	copy_back
}

# The most blob PUTs the proxy saw in flight at once.
puts_at_once() {
	jq -s '[.[] | select(.method == "PUT" and (.path | contains("/blobs/uploads/"))) | .inflight] | max' "$PROXY_LOG"
}

@test "push: blobs go up in parallel, at most --max-concurrent-uploads at once, the manifest last" {
	ctr-pull -q "$SRC/test/layers:1" >/dev/null
	registry_start plain
	# each blob PUT is held until three are in flight (or 10 s passed)
	upload_proxy_start --gate-put 3
	run --separate-stderr ctr-push --max-concurrent-uploads 3 --chunk-size 0 "$SRC/test/layers:1" "$PROXY/par/layers:1"
	assert_status 0
	[ "$(json_get "$output" '.pushed | length')" = 7 ]
	[ "$(puts_at_once)" = 3 ]
	[ "$(tail -n1 "$PROXY_LOG" | jq -r '.method + " " + .path')" = "PUT /v2/par/layers/manifests/1" ]
	# another registry, where nothing can be mounted from the first push
	: >"$PROXY_LOG"
	registry_start plain
	upload_proxy_start
	run --separate-stderr ctr-push --max-concurrent-uploads 1 --chunk-size 0 "$SRC/test/layers:1" "$PROXY/one/layers:1"
	assert_status 0
	[ "$(json_get "$output" '.pushed | length')" = 7 ]
	[ "$(puts_at_once)" = 1 ]
	[ "$(tail -n1 "$PROXY_LOG" | jq -r '.method + " " + .path')" = "PUT /v2/one/layers/manifests/1" ]
}

@test "push: a registry that drops the connection mid-chunk: the same push carries on and succeeds" {
	big_setup
	upload_proxy_start --drop-patch 5
	run --separate-stderr ctr-push --chunk-size 1M --progress=json "$SRC/test/big:1" "$PROXY/r/big:1"
	assert_status 0
	# the 5th PATCH went half way, and was not the last one
	# distribution cancels the session whose offset the cut moved: asked, then sent whole
	[[ "$(jq -rs '[.[] | select(.event == "layer-restart")][0].reason' <<<"$stderr")" == *"no upload session"* ]]
	[ "$(jq -s '[.[] | select(.method == "PATCH")] | .[4].status' "$PROXY_LOG")" = 0 ]
	[ "$(jq -s '[.[] | select(.method == "PATCH")] | length' "$PROXY_LOG")" -gt 5 ]
	[ -z "$(ls "$CTR_ROOT/uploads/"*.json 2>/dev/null)" ]
	DEST_REF=r/big:1
	copy_back
}

@test "push: a registry answering a resume or a chunk with a wrong offset: started afresh, or one line" {
	big_setup
	# the resumed session's GET says more bytes than the blob has: not believed
	upload_proxy_start --hold-patch 5 --lie-range get
	killed_big_push
	run --separate-stderr ctr-push --chunk-size 1M --progress=json "$SRC/test/big:1" "$PROXY/r/big:1"
	assert_status 0
	[[ "$(jq -rs '[.[] | select(.event == "layer-restart")][0].reason' <<<"$stderr")" == "the registry has no upload session to resume (Range 1099511627776)" ]]
	[ "$(big_layer_sent "$stderr")" -ge "$BIG_SIZE" ]
	DEST_REF=r/big:1
	copy_back
	# a chunk's answer that the registry holds other bytes than were sent
	upload_proxy_start --lie-range patch
	before=$(cd "$CTR_ROOT" && find . -path ./uploads -prune -o -printf '%p %s\n' | sort)
	run --separate-stderr ctr-push --chunk-size 1M "$SRC/test/big:1" "$PROXY/r/lie:1"
	assert_status 100
	[ "$(wc -l <<<"$stderr")" = 1 ]
	[[ "$stderr" == "ctr-push: fatal: "*": blob $BIG_LAYER: the registry holds 2 bytes of the upload after 1048576 were sent" ]]
	[ "$(cd "$CTR_ROOT" && find . -path ./uploads -prune -o -printf '%p %s\n' | sort)" = "$before" ]
}

@test "push: a registry that refuses PATCH gets whole blobs; --chunk-size 0 never chunks" {
	big_setup
	upload_proxy_start --refuse-patch
	run --separate-stderr ctr-push --chunk-size 1M --progress=json "$SRC/test/big:1" "$PROXY/r/big:1"
	assert_status 0
	[ "$(jq -s '[.[] | select(.method == "PATCH")] | length' "$PROXY_LOG")" = 1 ]
	[ "$(jq -s --argjson n "$BIG_SIZE" '[.[] | select(.method == "PUT" and .bytes == $n)] | length' "$PROXY_LOG")" = 1 ]
	[ -z "$(ls "$CTR_ROOT/uploads/"*.json 2>/dev/null)" ]
	DEST_REF=r/big:1
	copy_back
	: >"$PROXY_LOG"
	run --separate-stderr ctr-push --chunk-size 0 "$SRC/test/big:1" "$PROXY/r/big0:1"
	assert_status 0
	[ "$(jq -s '[.[] | select(.method == "PATCH")] | length' "$PROXY_LOG")" = 0 ]
	run --separate-stderr ctr-push --chunk-size 1000 "$SRC/test/big:1" "$PROXY/r/big0:1"
	assert_status 100
}

@test "push: gc keeps a killed push's upload record a while, then reclaims it" {
	big_setup
	upload_proxy_start --hold-patch 3
	killed_big_push
	rec=$(ls "$CTR_ROOT/uploads/"*.json)
	run --separate-stderr ctr-image gc --json
	assert_status 0
	[ -f "$rec" ]
	touch -d '2 hours ago' "$rec"
	run --separate-stderr ctr-image gc --json
	assert_status 0
	[ ! -f "$rec" ]
	[ "$(json_get "$output" '[.files[] | select(startswith("uploads/"))] | length')" = 2 ]
	# the next push starts afresh and completes
	run --separate-stderr ctr-push --chunk-size 1M "$SRC/test/big:1" "$REGISTRY/r/big:1"
	assert_status 0
}

@test "push: bad usage and unknown images exit 100 with one line" {
	run --separate-stderr ctr-push
	assert_status 100
	run --separate-stderr ctr-push --platform linux/arm64 --all-platforms a b
	assert_status 100
	run --separate-stderr ctr-push --json "$SRC/no/such:1"
	assert_status 100
	[ "$(json_get "$output" .error.code)" = not-found ]
	[ "$(echo "$stderr" | wc -l)" = 1 ]
	run --separate-stderr ctr-push --max-concurrent-uploads 0 a
	assert_status 100
	run --separate-stderr ctr-push "$SRC/test/x:1" "UPPER/Case"
	assert_status 100
}
