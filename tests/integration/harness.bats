#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Tests of the test harness itself: helpers, registry variants, token server,
# fixtures and their cache, and that nothing is left running afterwards.

load ../lib/helpers
load ../lib/registry

# One plain registry for the whole file: exercises setup_file/teardown_file.
setup_file() {
	registry_start plain
	export FILE_REGISTRY_DIR=$REGISTRY_DIR
}

teardown_file() {
	registry_stop
}

setup() {
	common_setup
}

teardown() {
	common_teardown
}

# The pids recorded for the registry in DIR (registry, token server, watchdog).
recorded_pids() {
	cat "$1/pids" "$1/watchdog" 2>/dev/null | awk '{print $1}'
}

all_gone() {
	local p
	for p in "$@"; do
		if pid_identity "$p" >/dev/null; then
			echo "pid $p still alive: $(tr '\0' ' ' <"/proc/$p/cmdline")" >&2
			return 1
		fi
	done
}

# bats in bats: the inner run must not see the outer run's BATS_* variables
bats_clean() {
	local u=() v
	for v in $(compgen -e | grep '^BATS_'); do u+=(-u "$v"); done
	env "${u[@]}" bats "$@" 3>&-
}

# decode one base64url JWT part
jwt_part() {
	local s
	s=$(cut -d. -f"$2" <<<"$1" | tr '_-' '/+')
	while [ $((${#s} % 4)) != 0 ]; do s="$s="; done
	base64 -d <<<"$s"
}

@test "helpers: REPO_ROOT, PATH, CACHE_DIR and per-test roots" {
	[ -f "$REPO_ROOT/tests/lib/helpers.bash" ]
	[[ ":$PATH:" == *":$CTR_BIN:"* ]]
	[ "$CACHE_DIR" = "$REPO_ROOT/tests/.cache" ]
	[ "$CTR_ROOT" = "$BATS_TEST_TMPDIR/root" ]
	[ "$CTR_STATE" = "$BATS_TEST_TMPDIR/run" ]
	[ "$CTR_NAMESPACE" = default ]
}

@test "helpers: free_port, wait_for_port, json_get, assert_*" {
	port=$(free_port)
	[[ "$port" =~ ^[0-9]+$ ]] && [ "$port" -gt 0 ] && [ "$port" -lt 65536 ]
	run wait_for_port "$port" 1
	assert_status 1
	"$(helpers_python)" -m http.server --bind 127.0.0.1 "$port" \
		>/dev/null 2>&1 3>&- </dev/null &
	track_pid $!
	wait_for_port "$port" 5
	[ "$(json_get '{"a":{"b":"c"}}' .a.b)" = c ]
	run json_get 'not json' .a
	[ "$status" -ne 0 ]
	run echo "some words here"
	assert_status 0
	assert_output_contains "words"
	run assert_output_contains "absent"
	assert_status 1
	run assert_status 3
	assert_status 1
	assert_output_contains "expected status 3, got"
}

@test "helpers: common_teardown kills tracked pids, even ones ignoring TERM" {
	sleep 100 3>&- &
	p1=$!
	run track_pid "$p1" # from a subshell: the record is a file
	bash -c 'trap "" TERM; while :; do sleep 0.1; done' 3>&- &
	p2=$!
	track_pid "$p2"
	KILL_GRACE=1 common_teardown
	all_gone "$p1" "$p2"
	[ ! -d "$BATS_TEST_TMPDIR" ]
}

@test "helpers: common_teardown unmounts nested mounts under the tmpdir only" {
	require_root
	mkdir -p "$BATS_TEST_TMPDIR/m/a b" "$BATS_TEST_TMPDIR/keep"
	mount -t tmpfs ctr-test "$BATS_TEST_TMPDIR/m"
	mkdir -p "$BATS_TEST_TMPDIR/m/in ner"
	mount -t tmpfs ctr-test "$BATS_TEST_TMPDIR/m/in ner"
	touch "$BATS_TEST_TMPDIR/m/in ner/f"
	run mounts_under "$BATS_TEST_TMPDIR"
	assert_status 0
	[ "${lines[0]}" = "$BATS_TEST_TMPDIR/m/in ner" ]
	[ "${lines[1]}" = "$BATS_TEST_TMPDIR/m" ]
	[ "${#lines[@]}" = 2 ]
	common_teardown
	[ -z "$(mounts_under "$BATS_TEST_TMPDIR")" ]
	grep -q " ${BATS_TEST_TMPDIR}/" /proc/self/mountinfo && false
	[ ! -d "$BATS_TEST_TMPDIR" ]
}

@test "helpers: common_teardown fails on a cgroup a container of the test left and removes it, not on another run's live one" {
	require_root
	local top mine=cgmine$$$RANDOM other=cgother$$$RANDOM now rc out fake i mine_left=""
	top=/sys/fs/cgroup/pids/ctr
	[ -f /sys/fs/cgroup/cgroup.controllers ] && top=/sys/fs/cgroup/ctr
	mkdir -p "$top" "$CTR_STATE/default"
	now=$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)
	printf '{"time":"%s","id":"%s","event":"create"}\n' "$now" "$mine" "$now" "$other" \
		>"$CTR_STATE/default/events.jsonl"
	mkdir "$top/default-$mine" "$top/default-$other"
	# a container of the same name in another state directory, alive: its shim
	(exec -a /elsewhere/ctr-shim "$(helpers_python)" -c 'import time; time.sleep(60)' \
		--id "$other" --runtime-root /elsewhere/run/runtime/default) 3>&- &
	fake=$!
	for ((i = 0; i < 100; i++)); do
		grep -qz ctr-shim "/proc/$fake/cmdline" && break
		sleep 0.05
	done
	run common_teardown
	rc=$status out=$output
	kill "$fake"
	[ -d "$top/default-$mine" ] && mine_left=1
	rmdir "$top/default-$mine" "$top/default-$other" 2>/dev/null || true
	echo "$rc: $out"
	[ "$rc" = 1 ]
	[[ $out == *"cgroups left by this test's containers"*"$top/default-$mine"* ]]
	[[ $out != *"default-$other"* ]]
	[ -z "$mine_left" ]
	[ ! -d "$BATS_TEST_TMPDIR" ]
}

@test "registry plain: file-scoped registry from setup_file answers /v2/" {
	registry_use "$FILE_REGISTRY_DIR"
	[ "$REGISTRY_SCHEME" = http ]
	[ "$REGISTRY_PLAIN" = "$REGISTRY" ]
	[[ "$REGISTRY" =~ ^127\.0\.0\.1:[0-9]+$ ]]
	pid_identity "$REGISTRY_PID" >/dev/null
	run curl -s -o /dev/null -w '%{http_code}' "http://$REGISTRY/v2/"
	[ "$output" = 200 ]
	run curl -sI "http://$REGISTRY/v2/"
	assert_output_contains "Docker-Distribution-Api-Version: registry/2.0"
}

@test "registry tls: refused without the CA, accepted with it, for 127.0.0.1 and localhost" {
	registry_start tls
	[ "$REGISTRY_SCHEME" = https ]
	[ "$REGISTRY_TLS" = "$REGISTRY" ]
	[ -f "$REGISTRY_CA" ] && [ -f "$REGISTRY_CERT_DIR/ca.crt" ]
	run curl -s -o /dev/null "https://$REGISTRY/v2/"
	[ "$status" = 60 ] # peer certificate cannot be authenticated
	run curl -s -o /dev/null -w '%{http_code}' --cacert "$REGISTRY_CA" "https://$REGISTRY/v2/"
	[ "$output" = 200 ]
	run curl -s -o /dev/null -w '%{http_code}' --cacert "$REGISTRY_CA" \
		"https://localhost:${REGISTRY#*:}/v2/"
	[ "$output" = 200 ]
	run curl -s -o /dev/null "http://$REGISTRY/v2/"
	[ "$output" != 200 ]
	# skopeo: verified TLS with the CA works, without it fails
	fixture_push busybox tls/busybox:1
	run skopeo inspect --raw "docker://$REGISTRY/tls/busybox:1"
	[ "$status" -ne 0 ]
	assert_output_contains "certificate"
	run skopeo inspect --raw --cert-dir "$REGISTRY_CERT_DIR" "docker://$REGISTRY/tls/busybox:1"
	assert_status 0
	[ "$(json_get "$output" '.layers | length')" = 1 ]
}

@test "registry basic: 401 with Basic challenge, 200 with credentials, AUTHFILE works" {
	registry_start basic
	[ "$REGISTRY_BASIC" = "$REGISTRY" ]
	run curl -s -D - -o /dev/null "http://$REGISTRY/v2/"
	assert_output_contains " 401"
	assert_output_contains 'Www-Authenticate: Basic realm="ctr-test"'
	run curl -s -o /dev/null -w '%{http_code}' -u "$REGISTRY_USER:$REGISTRY_PASS" "http://$REGISTRY/v2/"
	[ "$output" = 200 ]
	run curl -s -o /dev/null -w '%{http_code}' -u "$REGISTRY_USER:wrong" "http://$REGISTRY/v2/"
	[ "$output" = 401 ]
	# AUTHFILE is a Docker config.json for this host:port
	auth=$(jq -r --arg h "$REGISTRY" '.auths[$h].auth' "$AUTHFILE")
	[ "$(base64 -d <<<"$auth")" = "$REGISTRY_USER:$REGISTRY_PASS" ]
	fixture_push busybox basic/busybox:1
	run skopeo inspect --raw --tls-verify=false --no-creds "docker://$REGISTRY/basic/busybox:1"
	[ "$status" -ne 0 ]
	run skopeo inspect --raw --tls-verify=false --authfile "$AUTHFILE" \
		"docker://$REGISTRY/basic/busybox:1"
	assert_status 0
	run registry_curl v2/_catalog
	[ "$(json_get "$output" '.repositories[0]')" = basic/busybox ]
}

@test "registry token: Bearer challenge, RS256 JWT with x5c, push and pull with creds only" {
	registry_start token
	[ "$REGISTRY_TOKEN" = "$REGISTRY" ]
	pid_identity "$TOKEN_SERVER_PID" >/dev/null
	run curl -s -D - -o /dev/null "http://$REGISTRY/v2/"
	assert_output_contains " 401"
	assert_output_contains "Www-Authenticate: Bearer realm=\"$REGISTRY_TOKEN_REALM\",service=\"$REGISTRY_TOKEN_SERVICE\""
	# the token endpoint: right, wrong and no credentials
	q="service=$REGISTRY_TOKEN_SERVICE&scope=repository:tok/busybox:pull,push"
	run curl -sf -u "$REGISTRY_USER:$REGISTRY_PASS" "$REGISTRY_TOKEN_REALM?$q"
	assert_status 0
	tok=$(json_get "$output" .token)
	[ "$(json_get "$output" .access_token)" = "$tok" ]
	[ "$(json_get "$output" .expires_in)" -gt 0 ]
	hdr=$(jwt_part "$tok" 1)
	claims=$(jwt_part "$tok" 2)
	[ "$(json_get "$hdr" .alg)" = RS256 ]
	[ "$(json_get "$hdr" '.x5c | length')" = 1 ]
	[ "$(json_get "$claims" .aud)" = "$REGISTRY_TOKEN_SERVICE" ]
	[ "$(json_get "$claims" '.access[0].name')" = tok/busybox ]
	[ "$(json_get "$claims" '.access[0].actions | join(",")')" = pull,push ]
	run curl -s -o /dev/null -w '%{http_code}' -u "$REGISTRY_USER:nope" "$REGISTRY_TOKEN_REALM?$q"
	[ "$output" = 401 ]
	anon=$(curl -sf "$REGISTRY_TOKEN_REALM?$q" | jq -r .token)
	[ "$(json_get "$(jwt_part "$anon" 2)" '.access | length')" = 0 ]
	# the registry takes the token; without one, or with the anonymous one, no
	run curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok" "http://$REGISTRY/v2/"
	[ "$output" = 200 ]
	fixture_push busybox tok/busybox:1
	run curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $anon" \
		"http://$REGISTRY/v2/tok/busybox/manifests/1"
	[ "$output" = 401 ]
	run curl -s -o /dev/null -w '%{http_code}' \
		-H "Authorization: Bearer $(registry_token repository:tok/busybox:pull)" \
		-H "Accept: application/vnd.oci.image.manifest.v1+json" \
		"http://$REGISTRY/v2/tok/busybox/manifests/1"
	[ "$output" = 200 ]
	# skopeo pulls with credentials and fails without
	skopeo --insecure-policy copy -q --src-tls-verify=false \
		--src-creds "$REGISTRY_USER:$REGISTRY_PASS" \
		"docker://$REGISTRY/tok/busybox:1" "oci:$BATS_TEST_TMPDIR/pulled:1"
	[ "$(jq -r '.manifests[0].digest' "$BATS_TEST_TMPDIR/pulled/index.json")" = "$(fixture_digest busybox)" ]
	run skopeo --insecure-policy copy -q --src-tls-verify=false --src-no-creds \
		"docker://$REGISTRY/tok/busybox:1" "oci:$BATS_TEST_TMPDIR/anon:1"
	[ "$status" -ne 0 ]
	# the token server logged the scopes it granted
	grep -q '"scope":\["repository:tok/busybox:pull,push"\]' "$REGISTRY_TOKEN_LOG"
	grep -q '"status":401' "$REGISTRY_TOKEN_LOG"
}

@test "registry token: CTR_TEST_TOKEN_ANON_PULL=1 grants anonymous pull only" {
	CTR_TEST_TOKEN_ANON_PULL=1 registry_start token
	fixture_push busybox pub/busybox:1
	skopeo --insecure-policy copy -q --src-tls-verify=false --src-no-creds \
		"docker://$REGISTRY/pub/busybox:1" "oci:$BATS_TEST_TMPDIR/anon:1"
	run skopeo --insecure-policy copy -q --dest-tls-verify=false --dest-no-creds \
		"oci:$BATS_TEST_TMPDIR/anon:1" "docker://$REGISTRY/pub/other:1"
	[ "$status" -ne 0 ]
}

@test "registry: four variants at once, each answering, stop leaves no process" {
	pids=()
	for v in plain tls basic token; do
		registry_start "$v"
		# started means answering: /v2/ (401 without credentials is an answer too)
		run curl -s -o /dev/null -w '%{http_code}' --cacert "${REGISTRY_CA:-/dev/null}" \
			"$([ -n "${REGISTRY_CA:-}" ] && echo https || echo http)://$REGISTRY/v2/"
		[[ "$output" =~ ^(200|401)$ ]]
		dirs+=("$REGISTRY_DIR")
		mapfile -t -O "${#pids[@]}" pids < <(recorded_pids "$REGISTRY_DIR")
	done
	[ "${#pids[@]}" = 9 ] # 4 registries, 1 token server, 4 watchdogs
	[ -n "$REGISTRY_PLAIN" ] && [ -n "$REGISTRY_TLS" ] && [ -n "$REGISTRY_BASIC" ]
	[ "$REGISTRY" = "$REGISTRY_TOKEN" ] && [ "$REGISTRY_VARIANT" = token ]
	[ -z "${REGISTRY_CA:-}" ] # the last call's variables win
	# registry_use switches back to an earlier one
	registry_use "${dirs[1]}"
	[ "$REGISTRY" = "$REGISTRY_TLS" ] && [ -f "$REGISTRY_CA" ]
	# stop one by dir, then the rest of this test's
	registry_stop "${dirs[0]}"
	[ ! -d "${dirs[0]}" ]
	registry_stop
	all_gone "${pids[@]}"
	for d in "${dirs[@]}"; do [ ! -d "$d" ]; done
	# the file-scoped registry is untouched
	registry_use "$FILE_REGISTRY_DIR"
	curl -sf "http://$REGISTRY/v2/" >/dev/null
}

@test "registry: common_teardown stops registries started in the test" {
	registry_start token
	mapfile -t pids < <(recorded_pids "$REGISTRY_DIR")
	[ "${#pids[@]}" = 3 ]
	common_teardown
	all_gone "${pids[@]}"
}

@test "registry: setup_file/teardown_file in another bats run, and the watchdog when killed" {
	at=@ # a literal @test here would be rewritten by bats itself
	cat >"$BATS_TEST_TMPDIR/inner.bats" <<-EOF
	load $REPO_ROOT/tests/lib/helpers
	load $REPO_ROOT/tests/lib/registry
	setup_file() { registry_start basic; cat "\$REGISTRY_DIR/pids" >>"$BATS_TEST_TMPDIR/inner-pids"; }
	teardown_file() { registry_stop; }
	${at}test "inner fails" { curl -sf "http://\$REGISTRY/v2/"; }
	EOF
	run bats_clean "$BATS_TEST_TMPDIR/inner.bats"
	[ "$status" -ne 0 ] # the inner test failed (401) ...
	mapfile -t pids < <(awk '{print $1}' "$BATS_TEST_TMPDIR/inner-pids")
	[ "${#pids[@]}" = 1 ]
	all_gone "${pids[@]}" # ... and teardown_file still stopped the registry
	# a bats process SIGKILLed before its teardown: the watchdog cleans up
	cat >"$BATS_TEST_TMPDIR/killed.bats" <<-EOF
	load $REPO_ROOT/tests/lib/helpers
	load $REPO_ROOT/tests/lib/registry
	${at}test "killed" {
		registry_start token
		recorded_pids() { cat "\$REGISTRY_DIR/pids" "\$REGISTRY_DIR/watchdog"; }
		recorded_pids >"$BATS_TEST_TMPDIR/killed-pids"
		kill -KILL \$BASHPID
	}
	EOF
	run bats_clean "$BATS_TEST_TMPDIR/killed.bats"
	mapfile -t pids < <(awk '{print $1}' "$BATS_TEST_TMPDIR/killed-pids")
	[ "${#pids[@]}" = 3 ]
	for i in $(seq 50); do all_gone "${pids[@]}" 2>/dev/null && break; sleep 0.1; done
	all_gone "${pids[@]}"
}

@test "fixtures: busybox (OCI, gzip), v2s2, zstd and uncompressed pushes" {
	require_root
	registry_use "$FILE_REGISTRY_DIR"
	fixture_push busybox fx/busybox:oci
	m=$(registry_inspect_raw fx/busybox:oci)
	[ "$(json_get "$m" .config.mediaType)" = application/vnd.oci.image.config.v1+json ]
	[ "$(json_get "$m" '[.layers[].mediaType] | join(" ")')" = application/vnd.oci.image.layer.v1.tar+gzip ]
	[ "$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$REGISTRY/fx/busybox:oci")" = "$(fixture_digest busybox)" ]
	c=$(skopeo inspect --config --tls-verify=false "docker://$REGISTRY/fx/busybox:oci")
	[ "$(json_get "$c" '.config.Cmd | join(" ")')" = /bin/sh ]
	[ "$(json_get "$c" '.config.Entrypoint')" = null ]
	[ "$(json_get "$c" '.config.WorkingDir')" = / ]
	[ "$(json_get "$c" '.config.Labels["org.ctr.test.fixture"]')" = busybox ]
	[[ "$(json_get "$c" '.config.Env[0]')" == PATH=*/bin* ]]

	fixture_push busybox fx/busybox:v2s2 --format v2s2
	fixture_push busybox-v2s2 fx/busybox-v2s2:1
	for r in fx/busybox:v2s2 fx/busybox-v2s2:1; do
		m=$(registry_inspect_raw "$r")
		[ "$(json_get "$m" .mediaType)" = application/vnd.docker.distribution.manifest.v2+json ]
		[ "$(json_get "$m" .config.mediaType)" = application/vnd.docker.container.image.v1+json ]
		[ "$(json_get "$m" '[.layers[].mediaType] | join(" ")')" = application/vnd.docker.image.rootfs.diff.tar.gzip ]
	done

	fixture_push busybox-zstd fx/busybox-zstd:1
	m=$(registry_inspect_raw fx/busybox-zstd:1)
	[ "$(json_get "$m" '[.layers[].mediaType] | join(" ")')" = application/vnd.oci.image.layer.v1.tar+zstd ]
	blob=$(registry_curl "v2/fx/busybox-zstd/blobs/$(json_get "$m" '.layers[0].digest')" | zstd -dc | tar -t)
	grep -qx bin/busybox <<<"$blob"

	fixture_push busybox-uncompressed fx/busybox-plain:1
	m=$(registry_inspect_raw fx/busybox-plain:1)
	[ "$(json_get "$m" '[.layers[].mediaType] | join(" ")')" = application/vnd.oci.image.layer.v1.tar ]
	registry_curl "v2/fx/busybox-plain/blobs/$(json_get "$m" '.layers[0].digest')" |
		tar -t | grep -qx bin/busybox
}

@test "fixtures: busybox layer holds busybox, every applet link, and the users" {
	require_root
	l=$(fixture_layout busybox)
	m=$(jq -r '.manifests[0].digest' "$l/index.json")
	layer=$(jq -r '.layers[0].digest' "$l/blobs/sha256/${m#sha256:}")
	run tar -tvzf "$l/blobs/sha256/${layer#sha256:}"
	assert_status 0
	for a in sh echo cat ls true false sleep id env pwd ps touch rm mkdir ping grep wc; do
		grep -qE " bin/$a -> busybox\$" <<<"$output"
	done
	[ "$(grep -c -- '-> busybox$' <<<"$output")" -ge 200 ]
	tar -xzOf "$l/blobs/sha256/${layer#sha256:}" etc/passwd | grep -qx 'app:x:1000:1000:app:/home/app:/bin/sh'
	tar -xzOf "$l/blobs/sha256/${layer#sha256:}" etc/group | grep -q '^nogroup:x:65534:'
}

@test "fixtures: layers has >=4 layers with whiteouts, opaque dir, every file kind" {
	require_root
	registry_use "$FILE_REGISTRY_DIR"
	fixture_push layers fx/layers:1
	m=$(registry_inspect_raw fx/layers:1)
	[ "$(json_get "$m" '.layers | length')" -ge 5 ]
	l=$(fixture_layout layers)
	all=""
	for d in $(json_get "$m" '.layers[].digest'); do
		all+=$(tar --xattrs --xattrs-include='*' -tvzf "$l/blobs/sha256/${d#sha256:}")$'\n'
	done
	grep -qE ' data/\.wh\.gone\.txt$' <<<"$all"
	grep -qE ' data/\.wh\.gone-dir$' <<<"$all"
	grep -qE ' data/opq/\.wh\.\.wh\.\.opq$' <<<"$all"
	grep -qE '^h.* data/hard/h2 link to data/hard/h1$' <<<"$all"
	grep -qE '^l.* data/link1 -> link2$' <<<"$all"
	grep -qE '^l.* data/link3 -> hello.txt$' <<<"$all"
	grep -qE '^-rwsr-xr-x .* data/suid$' <<<"$all"
	grep -qE '^p.* data/fifo$' <<<"$all"
	grep -qE ' 1000/1000 .* data/owned/by-1000$' <<<"$all"
	grep -qE ' 65534/65534 .* data/owned/by-65534$' <<<"$all"
	grep -qE ' 0 [0-9-]+ [0-9:]+ data/empty$' <<<"$all"
	grep -qE ' 1048576 .* data/random.bin$' <<<"$all"
	grep -qE '^-.{9}\* .* data/xattr.txt$' <<<"$all"
	# the image as umoci applies it: whiteouts and the opaque dir took effect
	umoci unpack --image "$l:latest" "$BATS_TEST_TMPDIR/b" >/dev/null
	r=$BATS_TEST_TMPDIR/b/rootfs/data
	[ "$(ls "$r/opq" | tr '\n' ' ')" = "new1 new2 " ]
	[ ! -e "$r/gone.txt" ] && [ ! -e "$r/gone-dir" ] && [ ! -e "$r/hard/h3" ]
	[ "$(cat "$r/link1")" = hello-again ]
	[ "$(getfattr --only-values -n user.ctr.test "$r/xattr.txt")" = fixture ]
	[ "$(sha256sum <"$r/random.bin" | cut -d' ' -f1)" = \
		"$(head -c 1048576 /dev/zero | openssl enc -aes-128-ctr -nosalt \
			-K 000102030405060708090a0b0c0d0e0f -iv 00000000000000000000000000000000 |
			sha256sum | cut -d' ' -f1)" ]
}

@test "fixtures: multiarch is an index of amd64, arm64 and arm/v7 pushed with --all" {
	require_root
	registry_use "$FILE_REGISTRY_DIR"
	fixture_push multiarch fx/multi:1
	idx=$(registry_inspect_raw fx/multi:1)
	[ "$(json_get "$idx" .mediaType)" = application/vnd.oci.image.index.v1+json ]
	[ "$(json_get "$idx" '[.manifests[].platform | [.os, .architecture, .variant // empty] | join("/")] | join(" ")')" = \
		"linux/amd64 linux/arm64 linux/arm/v7" ]
	for i in 0 1 2; do
		d=$(json_get "$idx" ".manifests[$i].digest")
		want=$(json_get "$idx" ".manifests[$i].platform.architecture")
		c=$(skopeo inspect --config --tls-verify=false "docker://$REGISTRY/fx/multi@$d")
		[ "$(json_get "$c" .architecture)" = "$want" ]
		m=$(registry_inspect_raw "fx/multi@$d")
		last=$(json_get "$m" '.layers[-1].digest')
		arch=$(registry_curl "v2/fx/multi/blobs/$last" | tar -xzOf - etc/arch)
		[ "$arch" = "$(json_get "$idx" ".manifests[$i].platform | [.os, .architecture, .variant // empty] | join(\"/\")")" ]
	done
	c=$(skopeo --override-arch arm --override-variant v7 inspect --config --tls-verify=false \
		"docker://$REGISTRY/fx/multi:1")
	[ "$(json_get "$c" .variant)" = v7 ]
}

@test "fixtures: big is one ~30 MiB incompressible layer" {
	require_root
	registry_use "$FILE_REGISTRY_DIR"
	fixture_push big fx/big:1
	m=$(registry_inspect_raw fx/big:1)
	[ "$(json_get "$m" '.layers | length')" = 1 ]
	size=$(json_get "$m" '.layers[0].size')
	[ "$size" -gt $((30 * 1024 * 1024)) ] && [ "$size" -lt $((31 * 1024 * 1024)) ]
	run curl -sI "http://$REGISTRY/v2/fx/big/blobs/$(json_get "$m" '.layers[0].digest')"
	assert_output_contains "Content-Length: $size"
}

@test "fixtures: cache is keyed by the script, and a SIGKILLed build leaves no entry" {
	require_root
	export FIXTURES_DIR=$BATS_TEST_TMPDIR/fixtures CACHE_DIR=$BATS_TEST_TMPDIR/cache
	cp -a "$REPO_ROOT/tests/fixtures" "$FIXTURES_DIR"
	# kill a build of "big" (its whole process group) half-way
	setsid bash -c 'source "$1/tests/lib/registry.bash"; fixture_layout big' _ "$REPO_ROOT" \
		>/dev/null 2>&1 3>&- &
	pg=$!
	track_pid "$pg"
	for i in $(seq 100); do
		compgen -G "$CACHE_DIR/fixtures/big/.tmp.*/work/*" >/dev/null && break
		sleep 0.05
	done
	kill -KILL -- "-$pg"
	sleep 0.2
	key=$(_fixture_key big)
	# killed half-way: a temp folder is left, no entry
	compgen -G "$CACHE_DIR/fixtures/big/.tmp.*" >/dev/null
	[ ! -e "$CACHE_DIR/fixtures/big/$key" ]
	# the next build cleans the leftovers and succeeds
	l=$(fixture_layout big)
	[ "$l" = "$CACHE_DIR/fixtures/big/$key/layout" ]
	[ "$(ls -A "$CACHE_DIR/fixtures/big" | grep -c '^\.tmp')" = 0 ]
	skopeo inspect --raw "oci:$l:latest" | jq -e '.layers | length == 1'
	# a second call is a cache hit: same path, nothing rebuilt
	touch "$l/index.json.stamp"
	[ "$(fixture_layout big)" = "$l" ] && [ -e "$l/index.json.stamp" ]
	# editing the script changes the key: rebuilt, the old entry removed
	# (after 10 minutes: another run may still push from it)
	touch -d '-11 minutes' "$CACHE_DIR/fixtures/big/$key"
	echo "# changed" >>"$FIXTURES_DIR/mk-big.sh"
	[ "$(_fixture_key big)" != "$key" ]
	l2=$(fixture_layout big)
	[ "$l2" != "$l" ] && [ -d "$l2" ] && [ ! -e "$CACHE_DIR/fixtures/big/$key" ]
}

@test "fixtures: tests run from any directory" {
	require_root
	cd /
	run bash -c "source '$REPO_ROOT/tests/lib/registry.bash' && fixture_layout busybox"
	assert_status 0
	[ "$output" = "$(fixture_layout busybox)" ]
}
