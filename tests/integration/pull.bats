#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# ctr-pull against the real docker-registry (plain, TLS, basic, token) and a
# hostile registry of our own (tests/lib/hostile-registry.py).

bats_require_minimum_version 1.5.0
load ../lib/helpers
load ../lib/registry

setup_file() {
	# a line per request in registry.log, for registry_requests
	export CTR_TEST_REGISTRY_ACCESSLOG=1
	registry_start plain
	export PLAIN_DIR=$REGISTRY_DIR
	fixture_push busybox test/busybox:oci
	fixture_push busybox-v2s2 test/busybox:v2s2
	fixture_push busybox-zstd test/busybox:zstd
	fixture_push busybox-uncompressed test/busybox:tar
	fixture_push layers test/layers:1
	fixture_push multiarch test/multi:1
	fixture_push big test/big:1
}

teardown_file() {
	registry_stop
}

setup() {
	common_setup
	registry_use "$PLAIN_DIR"
}

teardown() {
	common_teardown
}

# The files of the store that a failed pull must not change (locks aside).
store_listing() {
	[ -d "$CTR_ROOT" ] || return 0
	(cd "$CTR_ROOT" && find content/blobs content/index.json images -name '.*.lock' -prune \
		-o -print 2>/dev/null | sort)
}

# The image JSON on stdout must describe what the store holds.
check_image() {
	local img=$1 d
	[ "$(jq -r '.layers | length' <<<"$img")" = "$(jq -r '.diff_ids | length' <<<"$img")" ]
	for d in $(jq -r '.manifest.digest, .config.digest, .layers[].digest' <<<"$img"); do
		[ -f "$CTR_ROOT/content/blobs/sha256/${d#sha256:}" ]
		[ "$(stat -c %a "$CTR_ROOT/content/blobs/sha256/${d#sha256:}")" = 444 ]
		[ "$(sha256sum <"$CTR_ROOT/content/blobs/sha256/${d#sha256:}" | cut -c1-64)" = "${d#sha256:}" ]
	done
}

@test "pull: OCI gzip image: JSON on stdout, blobs, record, index.json" {
	run --separate-stderr ctr-pull "$REGISTRY/test/busybox:oci"
	assert_status 0
	check_image "$output"
	[ "$(json_get "$output" .name)" = "$REGISTRY/test/busybox:oci" ]
	[ "$(json_get "$output" .digest)" = "$(fixture_digest busybox)" ]
	[ "$(json_get "$output" .manifest.mediaType)" = application/vnd.oci.image.manifest.v1+json ]
	[ "$(json_get "$output" .layers[0].mediaType)" = application/vnd.oci.image.layer.v1.tar+gzip ]
	[ "$(json_get "$output" .platform.os)" = linux ]
	[ "$(echo "$output" | wc -l)" = 1 ]
	rec=$(cat "$CTR_ROOT/images/default/$REGISTRY%2Ftest%2Fbusybox:oci.json")
	[ "$(json_get "$rec" .target.digest)" = "$(json_get "$output" .digest)" ]
	[ "$(jq -r '.manifests[0].annotations["org.opencontainers.image.ref.name"]' \
		"$CTR_ROOT/content/index.json")" = "$REGISTRY/test/busybox:oci" ]
	[ "$(jq -r .imageLayoutVersion "$CTR_ROOT/content/oci-layout")" = 1.0.0 ]
}

@test "pull: the store is an OCI layout that skopeo and umoci read" {
	require_cmd skopeo
	require_cmd umoci
	ctr-pull -q "$REGISTRY/test/layers:1" >"$BATS_TEST_TMPDIR/img.json"
	run skopeo inspect "oci:$CTR_ROOT/content:$REGISTRY/test/layers:1"
	assert_status 0
	[ "$(json_get "$output" .Digest)" = "$(jq -r .digest "$BATS_TEST_TMPDIR/img.json")" ]
	[ "$(json_get "$output" '.Layers | length')" = "$(jq -r '.layers | length' "$BATS_TEST_TMPDIR/img.json")" ]
	run umoci ls --layout "$CTR_ROOT/content"
	assert_status 0
	[ "$output" = "$REGISTRY/test/layers:1" ]
}

@test "pull: Docker schema 2, zstd and uncompressed layers" {
	run --separate-stderr ctr-pull "$REGISTRY/test/busybox:v2s2"
	assert_status 0
	check_image "$output"
	[ "$(json_get "$output" .manifest.mediaType)" = application/vnd.docker.distribution.manifest.v2+json ]
	[ "$(json_get "$output" .layers[0].mediaType)" = application/vnd.docker.image.rootfs.diff.tar.gzip ]
	run --separate-stderr ctr-pull "$REGISTRY/test/busybox:zstd"
	assert_status 0
	check_image "$output"
	[ "$(json_get "$output" .layers[0].mediaType)" = application/vnd.oci.image.layer.v1.tar+zstd ]
	run --separate-stderr ctr-pull "$REGISTRY/test/busybox:tar"
	assert_status 0
	check_image "$output"
	[ "$(json_get "$output" .layers[0].mediaType)" = application/vnd.oci.image.layer.v1.tar ]
}

@test "pull: multi-layer image; a second pull fetches nothing" {
	run --separate-stderr ctr-pull --progress=json "$REGISTRY/test/layers:1"
	assert_status 0
	check_image "$output"
	[ "$(json_get "$output" '.layers | length')" -ge 4 ]
	first=$output
	run --separate-stderr ctr-pull --progress=json "$REGISTRY/test/layers:1"
	assert_status 0
	[ "$output" = "$first" ]
	[ "$(jq -s '[.[] | select(.event == "done")][0].transferred' <<<"$stderr")" = 0 ]
	[ "$(jq -s '[.[] | select(.event == "layer-done" and .status == "exists")] | length' <<<"$stderr")" -ge 4 ]
}

@test "pull: a second pull of a tag is one HEAD: its documents come from the store" {
	local first m b h d f
	first=$(ctr-pull -q "$REGISTRY/test/layers:1")
	m=$(registry_requests GET '/v2/test/layers/manifests/[^ ]*')
	b=$(registry_requests GET '/v2/test/layers/blobs/[^ ]*')
	h=$(registry_requests HEAD '/v2/test/layers/manifests/1')
	run --separate-stderr ctr-pull -q "$REGISTRY/test/layers:1"
	assert_status 0
	[ "$output" = "$first" ]
	[ "$(registry_requests GET '/v2/test/layers/manifests/[^ ]*')" = "$m" ]
	[ "$(registry_requests GET '/v2/test/layers/blobs/[^ ]*')" = "$b" ]
	[ "$(registry_requests HEAD '/v2/test/layers/manifests/1')" = $((h + 1)) ]
	# an index: from the store too; another platform fetches its own manifest only
	ctr-pull -q "$REGISTRY/test/multi:1" >/dev/null
	m=$(registry_requests GET '/v2/test/multi/manifests/[^ ]*')
	ctr-pull -q "$REGISTRY/test/multi:1" >/dev/null
	[ "$(registry_requests GET '/v2/test/multi/manifests/[^ ]*')" = "$m" ]
	ctr-pull -q --platform linux/arm64 "$REGISTRY/test/multi:1" >/dev/null
	[ "$(registry_requests GET '/v2/test/multi/manifests/[^ ]*')" = $((m + 1)) ]
	# a blob that rotted in the store (one byte, same size) is fetched again,
	# never trusted, and the pull puts the good bytes back
	d=$(jq -r .config.digest <<<"$first")
	f=$CTR_ROOT/content/blobs/sha256/${d#sha256:}
	chmod u+w "$f"
	printf 'X' | dd of="$f" bs=1 seek=2 conv=notrunc status=none
	run ctr-image check
	[ "$status" -ne 0 ]
	b=$(registry_requests GET '/v2/test/layers/blobs/[^ ]*')
	run --separate-stderr ctr-pull -q "$REGISTRY/test/layers:1"
	assert_status 0
	[ "$(registry_requests GET '/v2/test/layers/blobs/[^ ]*')" = $((b + 1)) ]
	ctr-image check
}

@test "pull: by digest" {
	dg=$(fixture_digest busybox)
	run --separate-stderr ctr-pull "$REGISTRY/test/busybox@$dg"
	assert_status 0
	[ "$(json_get "$output" .name)" = "$REGISTRY/test/busybox@$dg" ]
	[ "$(json_get "$output" .digest)" = "$dg" ]
}

@test "pull: index: host platform by default, --platform, --all-platforms" {
	run --separate-stderr ctr-pull "$REGISTRY/test/multi:1"
	assert_status 0
	check_image "$output"
	[ "$(json_get "$output" .index.digest)" = "$(fixture_digest multiarch)" ]
	[ "$(json_get "$output" .platform.architecture)" = "$(uname -m | sed 's/x86_64/amd64/;s/aarch64/arm64/')" ]
	run --separate-stderr ctr-pull --platform linux/arm/v7 "$REGISTRY/test/multi:1"
	assert_status 0
	[ "$(json_get "$output" .platform.architecture)/$(json_get "$output" .platform.variant)" = arm/v7 ]
	check_image "$output"
	run --separate-stderr ctr-pull --platform linux/arm64 "$REGISTRY/test/multi:1"
	assert_status 0
	[ "$(json_get "$output" .platform.architecture)" = arm64 ]
	run --separate-stderr ctr-pull --all-platforms "$REGISTRY/test/multi:1"
	assert_status 0
	[ "$(echo "$output" | wc -l)" = 3 ]
	[ "$(jq -sr '[.[].platform.architecture] | sort | join(",")' <<<"$output")" = amd64,arm,arm64 ]
	run --separate-stderr ctr-pull --platform linux/s390x "$REGISTRY/test/multi:1"
	assert_status 100
	[[ "$stderr" == *"no manifest for platform linux/s390x"* ]]
}

@test "pull: TLS registry: refused without its CA, accepted with --hosts-dir" {
	registry_start tls
	fixture_push busybox test/busybox:1
	run --separate-stderr ctr-pull "$REGISTRY/test/busybox:1"
	assert_status 111
	[[ "$stderr" == *"certificate"* ]]
	[ ! -e "$CTR_ROOT/images/default/$REGISTRY%2Ftest%2Fbusybox:1.json" ]
	mkdir -p "$BATS_TEST_TMPDIR/hosts/$REGISTRY"
	cp "$REGISTRY_CA" "$BATS_TEST_TMPDIR/hosts/$REGISTRY/ca.crt"
	run --separate-stderr ctr-pull --hosts-dir "$BATS_TEST_TMPDIR/hosts" "$REGISTRY/test/busybox:1"
	assert_status 0
	check_image "$output"
}

@test "pull: hosts.toml mirror is tried before the registry" {
	registry_use "$PLAIN_DIR"
	mirror=$REGISTRY
	registry_start plain
	mkdir -p "$BATS_TEST_TMPDIR/hosts/$REGISTRY"
	printf 'server = "http://%s"\n[host."http://%s"]\n  capabilities = ["pull", "resolve"]\n' \
		"$REGISTRY" "$mirror" >"$BATS_TEST_TMPDIR/hosts/$REGISTRY/hosts.toml"
	# the image is only on the mirror
	run --separate-stderr ctr-pull --hosts-dir "$BATS_TEST_TMPDIR/hosts" "$REGISTRY/test/busybox:oci"
	assert_status 0
	check_image "$output"
	[ "$(json_get "$output" .name)" = "$REGISTRY/test/busybox:oci" ]
}

@test "pull: a hosts.toml server or mirror that is no URL: one line, exit 100, nothing stored" {
	local d=$BATS_TEST_TMPDIR/hosts/127.0.0.1_9
	mkdir -p "$d"
	printf 'server = "registry.example"\n' >"$d/hosts.toml"
	run --separate-stderr ctr-pull --hosts-dir "$BATS_TEST_TMPDIR/hosts" 127.0.0.1:9/a/b:1
	assert_status 100
	[ "$stderr" = "ctr-pull: fatal: $d/hosts.toml:1: bad server URL" ]
	printf '# a mirror without a host\n[host."https://"]\n' >"$d/hosts.toml"
	run --separate-stderr ctr-pull --hosts-dir "$BATS_TEST_TMPDIR/hosts" 127.0.0.1:9/a/b:1
	assert_status 100
	[ "$stderr" = "ctr-pull: fatal: $d/hosts.toml:2: bad [host.\"URL\"] section" ]
	[ ! -e "$CTR_ROOT/images" ]
}

@test "pull: basic auth from --creds, --authfile and XDG_RUNTIME_DIR; refused without" {
	registry_start basic
	fixture_push busybox test/busybox:1
	run --separate-stderr ctr-pull "$REGISTRY/test/busybox:1"
	assert_status 100
	[[ "$stderr" == *"requires credentials"* ]]
	run --separate-stderr ctr-pull --creds "$REGISTRY_USER:wrong" "$REGISTRY/test/busybox:1"
	assert_status 100
	run --separate-stderr ctr-pull --creds "$REGISTRY_USER:$REGISTRY_PASS" "$REGISTRY/test/busybox:1"
	assert_status 0
	rm -rf "$CTR_ROOT"
	run --separate-stderr ctr-pull --authfile "$AUTHFILE" "$REGISTRY/test/busybox:1"
	assert_status 0
	rm -rf "$CTR_ROOT"
	mkdir -p "$BATS_TEST_TMPDIR/xdg/containers"
	cp "$AUTHFILE" "$BATS_TEST_TMPDIR/xdg/containers/auth.json"
	XDG_RUNTIME_DIR=$BATS_TEST_TMPDIR/xdg HOME=$BATS_TEST_TMPDIR run --separate-stderr \
		ctr-pull "$REGISTRY/test/busybox:1"
	assert_status 0
	check_image "$output"
}

@test "pull: token auth: one token for the whole pull, scope repository:NAME:pull" {
	registry_start token
	fixture_push layers test/layers:1
	: >"$REGISTRY_TOKEN_LOG"
	run --separate-stderr ctr-pull --authfile "$AUTHFILE" "$REGISTRY/test/layers:1"
	assert_status 0
	check_image "$output"
	[ "$(wc -l <"$REGISTRY_TOKEN_LOG")" = 1 ]
	[ "$(jq -r '.scope[0]' "$REGISTRY_TOKEN_LOG")" = repository:test/layers:pull ]
	[ "$(jq -r .user "$REGISTRY_TOKEN_LOG")" = "$REGISTRY_USER" ]
	# with the store there, the HEAD of the tag goes through the same token dance
	run --separate-stderr ctr-pull --authfile "$AUTHFILE" "$REGISTRY/test/layers:1"
	assert_status 0
	[ "$(wc -l <"$REGISTRY_TOKEN_LOG")" = 2 ]
	rm -rf "$CTR_ROOT"
	run --separate-stderr ctr-pull "$REGISTRY/test/layers:1"
	assert_status 100
	[ -z "$output" ]
}

@test "pull: ^C on a terminal ends it by SIGINT and leaves no lease; the re-run completes" {
	# ptyrun types ^C once the progress shows a download (at 100 kB/s the layer takes ~10 s)
	run /usr/bin/python3 "$BATS_TEST_DIRNAME/../lib/ptyrun.py" --send $'\x03' --after 'downloading' \
		-- ctr-pull --limit-rate 100000 "$REGISTRY/test/busybox:oci"
	assert_status 130
	[ -z "$(ls -A "$CTR_ROOT/leases")" ]
	[ -z "$(ctr-image lease ls -q)" ]
	ctr-pull -q "$REGISTRY/test/busybox:oci" >/dev/null
	ctr-image check >/dev/null
}

@test "pull: SIGKILL during a big layer, then the re-run resumes at the offset" {
	ctr-pull -q --limit-rate 3000000 "$REGISTRY/test/big:1" >/dev/null 2>&1 &
	pid=$!
	track_pid "$pid"
	ingest=
	for _ in $(seq 600); do
		ingest=$(find "$CTR_ROOT/content/ingest" -name data -size +4M 2>/dev/null | head -n1)
		[ -n "$ingest" ] && break
		sleep 0.05
	done
	[ -n "$ingest" ]
	kill -KILL "$pid"
	wait "$pid" || true
	have=$(stat -c %s "$ingest")
	[ -s "$(dirname "$ingest")/sha256state" ]
	run --separate-stderr ctr-pull --progress=json "$REGISTRY/test/big:1"
	assert_status 0
	check_image "$output"
	size=$(json_get "$output" .layers[0].size)
	start=$(jq -s '[.[] | select(.event == "layer-start")][0]' <<<"$stderr")
	offset=$(jq .offset <<<"$start")
	# the resume starts where the killed run stopped (its last write may not
	# have reached the state file: at most one write behind the data)
	[ "$offset" -gt 4000000 ] && [ "$offset" -le "$have" ] && [ $((have - offset)) -lt 1048576 ]
	got=$(jq -s '[.[] | select(.event == "layer-done")][0].transferred' <<<"$stderr")
	[ "$got" = $((size - offset)) ]
	[ ! -e "$(dirname "$ingest")" ]
}

@test "pull: a corrupt saved hash state falls back to re-reading the partial data" {
	ctr-pull -q --limit-rate 3000000 "$REGISTRY/test/big:1" >/dev/null 2>&1 &
	pid=$!
	track_pid "$pid"
	for _ in $(seq 600); do
		ingest=$(find "$CTR_ROOT/content/ingest" -name data -size +2M 2>/dev/null | head -n1)
		[ -n "$ingest" ] && break
		sleep 0.05
	done
	kill -KILL "$pid"
	wait "$pid" || true
	printf 'garbage' | dd of="$(dirname "$ingest")/sha256state" bs=1 seek=20 conv=notrunc 2>/dev/null
	have=$(stat -c %s "$ingest")
	run --separate-stderr ctr-pull --progress=json "$REGISTRY/test/big:1"
	assert_status 0
	check_image "$output"
	[ "$(jq -s '[.[] | select(.event == "layer-start")][0].offset' <<<"$stderr")" = "$have" ]
}

@test "pull: a blob whose every byte reached the ingest is published without a request" {
	local layout layer hex size
	layout=$(fixture_layout busybox)
	layer=$(jq -r '.manifests[0].digest' "$layout/index.json")
	layer=$(jq -r '.layers[0].digest' "$layout/blobs/sha256/${layer#sha256:}")
	hex=${layer#sha256:}
	size=$(stat -c %s "$layout/blobs/sha256/$hex")
	# a pull killed after the last byte and before the rename left this
	mkdir -p "$CTR_ROOT/content/ingest/$hex"
	cp "$layout/blobs/sha256/$hex" "$CTR_ROOT/content/ingest/$hex/data"
	run --separate-stderr ctr-pull --progress=json "$REGISTRY/test/busybox:oci"
	assert_status 0
	check_image "$output"
	[ "$(jq -s --arg d "$layer" '[.[] | select(.event == "layer-done" and .digest == $d)][0].transferred' <<<"$stderr")" = 0 ]
	cmp "$layout/blobs/sha256/$hex" "$CTR_ROOT/content/blobs/sha256/$hex"
	[ ! -e "$CTR_ROOT/content/ingest/$hex" ]
	# the same with one byte wrong: the bytes are discarded and fetched anew
	rm -rf "$CTR_ROOT"
	mkdir -p "$CTR_ROOT/content/ingest/$hex"
	cp "$layout/blobs/sha256/$hex" "$CTR_ROOT/content/ingest/$hex/data"
	printf 'X' | dd of="$CTR_ROOT/content/ingest/$hex/data" bs=1 seek=100 conv=notrunc 2>/dev/null
	run --separate-stderr ctr-pull --progress=json "$REGISTRY/test/busybox:oci"
	assert_status 0
	[ "$(jq -s --arg d "$layer" '[.[] | select(.event == "layer-done" and .digest == $d)][0].transferred' <<<"$stderr")" = "$size" ]
	cmp "$layout/blobs/sha256/$hex" "$CTR_ROOT/content/blobs/sha256/$hex"
}

@test "pull: 4 concurrent pulls of one image all succeed and fetch each blob once" {
	for i in 1 2 3 4; do
		ctr-pull --progress=json "$REGISTRY/test/layers:1" >"$BATS_TEST_TMPDIR/out.$i" \
			2>"$BATS_TEST_TMPDIR/err.$i" &
		pids[i]=$!
		track_pid "${pids[i]}"
	done
	for i in 1 2 3 4; do
		wait "${pids[i]}"
	done
	for i in 2 3 4; do
		cmp "$BATS_TEST_TMPDIR/out.1" "$BATS_TEST_TMPDIR/out.$i"
	done
	check_image "$(cat "$BATS_TEST_TMPDIR/out.1")"
	total=$(jq '[.layers[].size] | add' "$BATS_TEST_TMPDIR/out.1")
	got=$(cat "$BATS_TEST_TMPDIR"/err.* | jq -s '[.[] | select(.event == "layer-done") | .transferred] | add')
	[ "$got" = "$total" ]
	[ -z "$(ls "$CTR_ROOT/content/ingest" | grep -v '\.lock$')" ]
}

@test "pull: bad references and usage exit 100 with one line" {
	run --separate-stderr ctr-pull "UPPER/Case:tag"
	assert_status 100
	[ "$(echo "$stderr" | wc -l)" = 1 ]
	[[ "$stderr" == "ctr-pull: fatal: "* ]]
	run --separate-stderr ctr-pull --json "a/b@sha256:../../etc"
	assert_status 100
	[ "$(json_get "$output" .error.code)" = invalid ]
	run ctr-pull
	assert_status 100
	run ctr-pull --max-concurrent-downloads 0 x
	assert_status 100
	# a port no connection can ever use is the reference's fault, not the network's
	for ref in 127.0.0.1:99999/x:1 127.0.0.1:0/x:1 "[::1]:65536/x"; do
		run --separate-stderr ctr-pull --json "$ref"
		assert_status 100
		[ "$(json_get "$output" .error.code)" = invalid ]
		[[ "$stderr" == *"port out of range (1-65535)" ]]
	done
}

@test "pull: an unreachable registry is a system failure (111)" {
	port=$(free_port)
	run --separate-stderr ctr-pull --retries 0 "127.0.0.1:$port/a/b:c"
	assert_status 111
}

# ---- the hostile registry ----------------------------------------------------

# hostile_refused SCENARIO STATUS TEXT: the pull fails so, and the store stays as it was.
hostile_refused() {
	local before after
	before=$(store_listing)
	run --separate-stderr ctr-pull --retries 1 "$HOSTILE/bad/img:$1"
	if [ "$status" != "$2" ] || [[ "$stderr" != *"$3"* ]] || [ -n "$output" ]; then
		printf '%s: status %s, stdout %s, stderr:\n%s\n' "$1" "$status" "$output" "$stderr" >&2
		return 1
	fi
	[ "$(echo "$stderr" | wc -l)" = 1 ] && [[ "$stderr" == "ctr-pull: fatal: "* ]]
	after=$(store_listing)
	if [ "$before" != "$after" ]; then
		printf '%s: the store changed:\n%s\n' "$1" "$(diff <(echo "$before") <(echo "$after"))" >&2
		return 1
	fi
}

@test "pull: hostile registry: a good image passes (the server itself works)" {
	hostile_start
	run --separate-stderr ctr-pull "$HOSTILE/bad/img:good"
	assert_status 0
	check_image "$output"
}

@test "pull: hostile registry: bad blobs are refused and never published" {
	hostile_start
	ctr-pull -q "$HOSTILE/bad/img:good" >/dev/null
	hostile_refused blob-mismatch 100 "digest mismatch"
	hostile_refused blob-short 100 "body shorter"
	hostile_refused blob-long 100 "body longer"
	hostile_refused blob-lying-header 100 "Docker-Content-Digest"
	hostile_refused blob-close 111 "partial"
	# a wrong whole body is dropped; a cut one is kept for a resume
	[ "$(ls "$CTR_ROOT/content/ingest" | grep -vc '\.lock$')" = 2 ]
}

@test "pull: hostile registry: bad manifests are refused before any blob is fetched" {
	hostile_start
	ctr-pull -q "$HOSTILE/bad/img:good" >/dev/null
	hostile_refused manifest-lying-header 100 "Docker-Content-Digest header"
	hostile_refused manifest-huge 100 "larger than 4194304"
	hostile_refused ambiguous 100 "ambiguous manifest"
	hostile_refused mediatype-mismatch 100 "disagrees"
	hostile_refused unknown-mediatype 100 "unsupported manifest media type"
	hostile_refused layer-unknown-mediatype 100 "unsupported media type"
	hostile_refused diffids-count 100 "diff_ids"
	hostile_refused auth-no-challenge 100 "without a usable challenge"
	dg=$(curl -sI "http://$HOSTILE/v2/bad/img/manifests/manifest-digest-mismatch" |
		tr -d '\r' | sed -n 's/^Docker-Content-Digest: //p')
	hostile_refused "manifest-digest-mismatch@$dg" 100 "digest mismatch"
	# the good image's layer and config, and diffids-count's config: no bad layer was asked for
	[ "$(grep -c '/blobs/' "$HOSTILE_LOG")" = 3 ]
}

# No wall clock here: the stall must be named, retried once only (whatever
# --retries says), and leave the store as it was.
@test "pull: a body that stalls fails as a stall, tried twice at most: exit 111" {
	local before dg
	hostile_start
	ctr-pull -q "$HOSTILE/bad/img:good" >/dev/null
	before=$(store_listing)
	run --separate-stderr ctr-pull --stall-timeout 1 --retries 5 "$HOSTILE/bad/img:blob-stall"
	echo "$stderr"
	assert_status 111
	[ "$(echo "$stderr" | wc -l)" = 1 ]
	[[ "$stderr" == "ctr-pull: fatal: "*"stalled: no data for 1 s after 32768 of 65536 bytes" ]]
	dg=$(grep -o 'sha256:[0-9a-f]*' <<<"$stderr")
	[ "$(grep -c "\"GET\".*/blobs/$dg" "$HOSTILE_LOG")" -eq 2 ]
	# the second try resumed where the first stalled
	grep -q "/blobs/$dg\", \"range\": \"bytes=32768-\"" "$HOSTILE_LOG"
	run --separate-stderr ctr-pull --json --stall-timeout 1 --retries 5 "$HOSTILE/bad/img:manifest-stall"
	assert_status 111
	[ "$(json_get "$output" .error.code)" = network ]
	[[ "$stderr" == *"manifests/manifest-stall: stalled: no data for 1 s" ]]
	[ "$(grep -c '"GET".*/manifests/manifest-stall' "$HOSTILE_LOG")" -eq 2 ]
	# a partial blob stays in the ingest for a resume; nothing else changed
	[ "$(store_listing | grep -v '^content/ingest')" = "$(grep -v '^content/ingest' <<<"$before")" ]
}

@test "pull: hostile registry: bad digests never become paths or URLs" {
	hostile_start
	for s in digest-traversal digest-upper digest-short; do
		hostile_refused "$s" 100 "invalid digest"
	done
	[ ! -e /tmp/ctr-hostile-escape ]
	! grep -q '/blobs/' "$HOSTILE_LOG" || false
}

@test "pull: redirects do not carry credentials to another host:port" {
	hostile_start
	run --separate-stderr ctr-pull --creds u:p "$HOSTILE/bad/img:redirect"
	[ "$status" -ne 0 ]
	# the manifest request was authenticated; the redirected blob request was not
	[ "$(jq -s "[.[] | select(.port == $HOSTILE_TARGET)] | length" "$HOSTILE_LOG")" -ge 1 ]
	[ "$(jq -s "[.[] | select(.port == $HOSTILE_TARGET and .authorization)] | length" "$HOSTILE_LOG")" = 0 ]
	[ "$(jq -s '[.[] | select((.path | test("/manifests/")) and .authorization)] | length' "$HOSTILE_LOG")" -ge 1 ]
}

@test "pull: a TLS registry with an untrusted certificate is refused (111)" {
	certs=$(registry_certs)
	hostile_start --tls "$certs/server.pem" "$certs/server.key"
	before=$(store_listing)
	run --separate-stderr ctr-pull "$HOSTILE/bad/img:good"
	assert_status 111
	[[ "$stderr" == *"certificate"* ]]
	[ "$(store_listing)" = "$before" ]
}

@test "pull --blob: one blob by digest, no record; a good copy is kept; bad input refused" {
	local img dg size before
	img=$(ctr-pull -q "$REGISTRY/test/layers:1")
	dg=$(json_get "$img" .layers[0].digest)
	size=$(json_get "$img" .layers[0].size)
	ctr-image rm "$REGISTRY/test/layers:1"
	ctr-image gc -q
	[ ! -e "$(store_blob "$dg")" ]
	run --separate-stderr ctr-pull -q --blob "$size" "$REGISTRY/test/layers@$dg"
	assert_status 0
	[ "$(json_get "$output" .digest)" = "$dg" ]
	[ "$(json_get "$output" .transferred)" = "$size" ]
	[ "$(sha256sum <"$(store_blob "$dg")" | cut -d' ' -f1)" = "${dg#sha256:}" ]
	[ -z "$(ctr-image ls -q)" ]
	[ "$(jq -r '.sources[0].repository' "$CTR_ROOT/content/sources/${dg#sha256:}.json")" = test/layers ]
	# the store has it whole: nothing is fetched
	run --separate-stderr ctr-pull -q --blob "$size" "$REGISTRY/test/layers@$dg"
	assert_status 0
	[ "$(json_get "$output" .transferred)" = 0 ]
	before=$(store_listing)
	run --separate-stderr ctr-pull -q --blob "$size" "$REGISTRY/test/layers:1"
	assert_status 100
	[[ "$stderr" == *"names no digest"* ]]
	run --separate-stderr ctr-pull -q --blob -1 "$REGISTRY/test/layers@$dg"
	assert_status 100
	run --separate-stderr ctr-pull -q --unpack --blob "$size" "$REGISTRY/test/layers@$dg"
	assert_status 100
	run --separate-stderr ctr-pull -q --blob 5 "$REGISTRY/test/layers@sha256:$(printf x | sha256sum | cut -d' ' -f1)"
	assert_status 1
	[[ "$stderr" == *"is not in"* ]]
	[ "$(store_listing)" = "$before" ]
}
