#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# ctr-cri: the CRI v1 socket driven as the kubelet drives it (gRPC from
# /usr/bin/python3 with stubs from ctr-cri/api.proto), against the same store
# as the other tools: images in namespace k8s.io.

bats_require_minimum_version 1.5.0
load ../lib/helpers
load ../lib/registry

CRI_PY=/usr/bin/python3

setup_file() {
	/usr/bin/python3 -c 'import grpc, grpc_tools' 2>/dev/null || return 0
	# one set of stubs for the file: generated from our .proto at test time
	"$CRI_PY" "$REPO_ROOT/tests/lib/cri.py" "$BATS_FILE_TMPDIR/stubs" wait /nonexistent \
		>/dev/null 2>&1 || true
}

setup() {
	common_setup
	require_cmd jq
	/usr/bin/python3 -c 'import grpc, grpc_tools' 2>/dev/null ||
		skip "needs python3-grpcio and python3-grpc-tools for /usr/bin/python3"
	SOCK=$BATS_TEST_TMPDIR/cri.sock
}

teardown() {
	common_teardown
}

cri() {
	"$CRI_PY" "$REPO_ROOT/tests/lib/cri.py" "$BATS_FILE_TMPDIR/stubs" "$@"
}

# cri_call Service/Method [JSON]: the answer's JSON on stdout.
cri_call() {
	cri call "$SOCK" "$@"
}

# Start ctr-cri on $SOCK (extra arguments passed on), wait until it answers.
cri_start() {
	ctr-cri --listen "$SOCK" "$@" 2>>"$BATS_TEST_TMPDIR/cri.log" &
	CRI_PID=$!
	track_pid "$CRI_PID"
	cri wait "$SOCK" || { cat "$BATS_TEST_TMPDIR/cri.log" >&2; return 1; }
}

# Stop it as systemd does (TERM) and check it went cleanly.
cri_stop() {
	kill -TERM "$CRI_PID"
	wait "$CRI_PID"
	[ ! -e "$SOCK" ]
}

@test "cri: Version and Status; the default socket is \$CTR_STATE/cri.sock" {
	SOCK=$CTR_STATE/cri.sock
	ctr-cri 2>>"$BATS_TEST_TMPDIR/cri.log" &
	CRI_PID=$!
	track_pid "$CRI_PID"
	cri wait "$SOCK"
	run cri_call RuntimeService/Version '{"version":"0.1.0"}'
	assert_status 0
	[ "$(json_get "$output" .runtime_name)" = ctr-cri ]
	[ "$(json_get "$output" .runtime_api_version)" = v1 ]
	[ "$(json_get "$output" .version)" = 0.1.0 ]
	[[ "$(json_get "$output" .runtime_version)" == 0.1* ]]
	run cri_call RuntimeService/Status
	assert_status 0
	[ "$(json_get "$output" '.status.conditions[] | select(.type == "RuntimeReady") | .status')" = true ]
	cri_stop
}

@test "cri: NetworkReady follows the CNI configuration directory" {
	mkdir "$BATS_TEST_TMPDIR/net.d"
	CNI_CONF_DIR=$BATS_TEST_TMPDIR/net.d cri_start
	run cri_call RuntimeService/Status
	assert_status 0
	[ "$(json_get "$output" '.status.conditions[] | select(.type == "NetworkReady") | .status // false')" = false ]
	[ "$(json_get "$output" '.status.conditions[] | select(.type == "NetworkReady") | .reason')" = NetworkPluginNotReady ]
	echo '{"cniVersion":"1.0.0","name":"n","plugins":[]}' >"$BATS_TEST_TMPDIR/net.d/10-n.conflist"
	run cri_call RuntimeService/Status
	[ "$(json_get "$output" '.status.conditions[] | select(.type == "NetworkReady") | .status')" = true ]
	cri_stop
}

@test "cri: a method we do not serve is UNIMPLEMENTED, naming itself; so is an unknown one" {
	cri_start
	run --separate-stderr cri_call RuntimeService/Exec '{}'
	assert_status 1
	[[ "$stderr" == "UNIMPLEMENTED: runtime.v1.RuntimeService/Exec is not served by ctr-cri"* ]]
	run --separate-stderr cri raw "$SOCK" /runtime.v1.RuntimeService/NoSuchThing ""
	assert_status 1
	[[ "$stderr" == "UNIMPLEMENTED: unknown method /runtime.v1.RuntimeService/NoSuchThing"* ]]
	cri_stop
}

@test "cri: pull, list, status, remove; the same images as ctr-image -n k8s.io ls" {
	require_root
	require_cmd docker-registry skopeo umoci
	registry_start
	fixture_push busybox test/busybox:1
	cri_start
	run cri_call ImageService/ImageStatus "{\"image\":{\"image\":\"$REGISTRY/test/busybox:1\"}}"
	assert_status 0
	[ "$output" = "{}" ]
	run cri_call ImageService/PullImage "{\"image\":{\"image\":\"$REGISTRY/test/busybox:1\"}}"
	assert_status 0
	id=$(json_get "$output" .image_ref)
	[[ "$id" == sha256:* ]]
	# the id is the config's digest, as containerd answers it
	[ "$id" = "$(ctr-image -n k8s.io inspect "$REGISTRY/test/busybox:1" | jq -r .image.config.digest)" ]
	[ "$(ctr-image -n k8s.io ls -q)" = "$REGISTRY/test/busybox:1" ]
	[ "$(ctr-image -n default ls -q)" = "" ]
	# the layers are unpacked for containers
	[ "$(ctr-snapshot ls --json | jq 'length')" -ge 1 ]
	ctr-image -n k8s.io tag "$REGISTRY/test/busybox:1" "$REGISTRY/test/busybox:2"
	run cri_call ImageService/ListImages
	assert_status 0
	[ "$(json_get "$output" '.images | length')" = 1 ]
	[ "$(json_get "$output" '.images[0].id')" = "$id" ]
	[ "$(json_get "$output" '.images[0].repo_tags | sort | join(" ")')" = "$REGISTRY/test/busybox:1 $REGISTRY/test/busybox:2" ]
	[ "$(json_get "$output" '.images[0].repo_digests[0]')" = "$REGISTRY/test/busybox@$(fixture_digest busybox)" ]
	[ "$(json_get "$output" '.images[0].size')" -gt 100000 ]
	run cri_call ImageService/ImageStatus "{\"image\":{\"image\":\"$id\"}}"
	assert_status 0
	[ "$(json_get "$output" .image.id)" = "$id" ]
	run cri_call ImageService/ImageStatus "{\"image\":{\"image\":\"${id#sha256:}\"}}"
	[ "$(json_get "$output" .image.id)" = "$id" ]
	run cri_call ImageService/ListImages "{\"filter\":{\"image\":{\"image\":\"$REGISTRY/test/busybox:2\"}}}"
	[ "$(json_get "$output" '.images | length')" = 1 ]
	run cri_call ImageService/ImageFsInfo
	assert_status 0
	[ "$(json_get "$output" '.image_filesystems[0].fs_id.mountpoint')" = "$CTR_ROOT/snapshots" ]
	[ "$(json_get "$output" '.image_filesystems[0].used_bytes.value')" -gt 0 ]
	# removal takes every name of the image; removing it again is no error
	run cri_call ImageService/RemoveImage "{\"image\":{\"image\":\"$REGISTRY/test/busybox:1\"}}"
	assert_status 0
	[ "$(ctr-image -n k8s.io ls -q)" = "" ]
	run cri_call ImageService/RemoveImage "{\"image\":{\"image\":\"$id\"}}"
	assert_status 0
	run cri_call ImageService/ListImages
	[ "$output" = "{}" ]
	cri_stop
}

@test "cri: PullImage with the kubelet's AuthConfig (username/password, auth); refused without" {
	require_root
	require_cmd docker-registry skopeo umoci
	registry_start basic
	fixture_push busybox test/busybox:1
	cri_start
	local img="\"image\":{\"image\":\"$REGISTRY/test/busybox:1\"}"
	run --separate-stderr cri_call ImageService/PullImage "{$img}"
	assert_status 1
	[[ "$stderr" == UNAUTHENTICATED:*"requires credentials"* ]]
	run --separate-stderr cri_call ImageService/PullImage "{$img,\"auth\":{\"username\":\"$REGISTRY_USER\",\"password\":\"wrong\"}}"
	assert_status 1
	[[ "$stderr" == UNAUTHENTICATED:* ]]
	[ "$(ctr-image -n k8s.io ls -q)" = "" ]
	run cri_call ImageService/PullImage "{$img,\"auth\":{\"username\":\"$REGISTRY_USER\",\"password\":\"$REGISTRY_PASS\"}}"
	assert_status 0
	ctr-image -n k8s.io rm "$REGISTRY/test/busybox:1"
	run cri_call ImageService/PullImage "{$img,\"auth\":{\"auth\":\"$(printf '%s:%s' "$REGISTRY_USER" "$REGISTRY_PASS" | base64 -w0)\"}}"
	assert_status 0
	[ "$(ctr-image -n k8s.io ls -q)" = "$REGISTRY/test/busybox:1" ]
	run --separate-stderr cri_call ImageService/PullImage "{$img,\"auth\":{\"identity_token\":\"t\"}}"
	assert_status 1
	[[ "$stderr" == INVALID_ARGUMENT:*"identity_token"* ]]
	cri_stop
}

@test "cri: bad image names and a missing image are one clear status each; the store stays" {
	cri_start
	run --separate-stderr cri_call ImageService/PullImage '{"image":{"image":"Bad..Name"}}'
	assert_status 1
	[[ "$stderr" == "INVALID_ARGUMENT: image 'Bad..Name': "* ]]
	run --separate-stderr cri_call ImageService/PullImage '{}'
	assert_status 1
	[[ "$stderr" == "INVALID_ARGUMENT: no image named"* ]]
	run --separate-stderr cri_call ImageService/ImageStatus '{"image":{"image":"../x"}}'
	assert_status 1
	[[ "$stderr" == INVALID_ARGUMENT:* ]]
	run --separate-stderr cri_call ImageService/PullImage '{"image":{"image":"127.0.0.1:1/nothing:1"}}'
	assert_status 1
	[[ "$stderr" == UNAVAILABLE:* ]]
	[ "$(ctr-image -n k8s.io ls -q)" = "" ]
	cri_stop
}

@test "cri: malformed bytes, unknown fields, an oversized request, garbage on the socket" {
	cri_start --max-message-size 64K
	# VersionRequest{version:"0.1.0"} and an unknown field 99 (varint): skipped
	run cri raw "$SOCK" /runtime.v1.RuntimeService/Version 0a05302e312e30980601
	assert_status 0
	[ -n "$output" ]
	# a length-delimited field that claims more bytes than there are
	run --separate-stderr cri raw "$SOCK" /runtime.v1.RuntimeService/Version 0a7f41
	assert_status 1
	[[ "$stderr" == "INVALID_ARGUMENT: malformed runtime.v1.VersionRequest message"* ]]
	# 100 KiB of request: over the limit
	big=$(head -c 102400 /dev/zero | tr '\0' a)
	run --separate-stderr cri_call ImageService/ImageStatus "{\"image\":{\"image\":\"$big\"}}"
	assert_status 1
	[[ "$stderr" == RESOURCE_EXHAUSTED:* ]]
	run cri garbage "$SOCK"
	assert_status 0
	# and the server still answers
	run cri_call RuntimeService/Version
	assert_status 0
	[ "$(json_get "$output" .runtime_name)" = ctr-cri ]
	cri_stop
}

@test "cri: one server per socket; usage errors" {
	cri_start
	run --separate-stderr ctr-cri --listen "$SOCK"
	assert_status 111
	[[ "$stderr" == *"another ctr-cri serves '$SOCK'"* ]]
	run cri_call RuntimeService/Version
	assert_status 0
	cri_stop
	run --separate-stderr ctr-cri -n other --listen "$SOCK"
	assert_status 100
	[[ "$stderr" == *"the CRI namespace is k8s.io"* ]]
	run --separate-stderr ctr-cri --listen "$SOCK" extra
	assert_status 100
	run --separate-stderr ctr-cri --max-message-size 1
	assert_status 100
}
