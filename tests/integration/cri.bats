#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# ctr-cri: the CRI v1 socket driven as the kubelet drives it (gRPC from
# /usr/bin/python3 with stubs from ctr-cri/api.proto), against the same store
# as the other tools: images in namespace k8s.io.

bats_require_minimum_version 1.5.0
load ../lib/helpers
load ../lib/registry
load ../lib/crilog
load ../lib/containers

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
	cri_containers_clean
	cgroup_tree_remove "ctrtest-kp$$"
	common_teardown
	if [ -n "${BR:-}" ]; then ip link del "$BR" 2>/dev/null || true; fi
}

# Every container ctr-cri made in this test's store, by id: its shim, the
# runtime's record (a cgroup left is common_teardown's to find and fail on).
cri_containers_clean() {
	local id sd
	[ -d "${CTR_ROOT:-/nonexistent}/containers/k8s.io" ] || return 0
	for id in $(ls "$CTR_ROOT/containers/k8s.io"); do
		sd=$CTR_STATE/k8s.io/$id
		[ -f "$sd/shim.json" ] && track_pid "$(jq .pid "$sd/shim.json")"
		ctr-run -n k8s.io delete -f "$id" >/dev/null 2>&1 || true
		runc --root "$CTR_STATE/runtime/k8s.io" delete -f "$id" >/dev/null 2>&1 || true
	done
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
	run --separate-stderr cri_call RuntimeService/CheckpointContainer '{}'
	assert_status 1
	[[ "$stderr" == "UNIMPLEMENTED: runtime.v1.RuntimeService/CheckpointContainer is not served by ctr-cri"* ]]
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
	# killed at any instant: the next one replaces the socket it left
	kill -KILL "$CRI_PID"
	wait "$CRI_PID" || true
	[ -S "$SOCK" ]
	cri_start
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

# A CNI bridge network of the test's own (Debian's plugins), and the pins in its tmpdir.
pod_network() {
	[ -x /usr/lib/cni/bridge ] || skip "needs Debian's containernetworking-plugins"
	export CNI_CONF_DIR=$BATS_TEST_TMPDIR/net.d CTR_NETNS_DIR=$BATS_TEST_TMPDIR/netns
	BR=ctrk$((RANDOM % 10000))
	N=$((RANDOM % 200 + 20))
	mkdir -p "$CNI_CONF_DIR"
	cat >"$CNI_CONF_DIR/10-pods.conflist" <<-JSON
	{"cniVersion": "1.0.0", "name": "pods", "plugins": [
	  {"type": "bridge", "bridge": "$BR", "isGateway": true, "ipMasq": false,
	   "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.234.$N.0/24"}]],
	            "dataDir": "$BATS_TEST_TMPDIR/ipam"}}]}
	JSON
}

# pod_config's FIELDS of a pod on the host's network.
HOST_NET='"linux":{"security_context":{"namespace_options":{"network":"NODE"}}}'

# NAME [FIELDS]: a RunPodSandboxRequest; FIELDS ("k":v,...) replace the config's.
# Its log directory is the test's: containers with a log_path write there.
pod_config() {
	local base="{\"config\":{\"metadata\":{\"name\":\"$1\",\"uid\":\"uid-$1\",\"namespace\":\"default\",\"attempt\":0},\"hostname\":\"$1\",\"log_directory\":\"$BATS_TEST_TMPDIR/pods/default_$1\",\"labels\":{\"app\":\"$1\"},\"dns_config\":{\"servers\":[\"10.0.0.10\"],\"searches\":[\"default.svc\",\"svc\"],\"options\":[\"ndots:5\"]}}}"
	if [ -n "${2:-}" ]; then
		jq -c --argjson o "{$2}" '.config += $o' <<<"$base"
	else
		echo "$base"
	fi
}

@test "cri: a pod sandbox's life: run (netns pinned, CNI address), status, list, stop, remove" {
	require_root
	pod_network
	cri_start
	run cri_call RuntimeService/RunPodSandbox "$(pod_config web)"
	assert_status 0
	id=$(json_get "$output" .pod_sandbox_id)
	[[ "$id" =~ ^[0-9a-f]{64}$ ]]
	[ -e "$CTR_NETNS_DIR/cri-$id" ]
	[ "$(cat "$CTR_ROOT/cri/sandboxes/$id/resolv.conf")" = "$(printf 'nameserver 10.0.0.10\nsearch default.svc svc\noptions ndots:5')" ]
	run cri_call RuntimeService/PodSandboxStatus "{\"pod_sandbox_id\":\"$id\"}"
	assert_status 0
	[ "$(json_get "$output" '.status.state // "SANDBOX_READY"')" = SANDBOX_READY ]
	[ "$(json_get "$output" .status.metadata.name)" = web ]
	[ "$(json_get "$output" .status.labels.app)" = web ]
	ip=$(json_get "$output" .status.network.ip)
	[[ "$ip" == 10.234.$N.* ]]
	# the address answers in the pinned namespace
	ctr-netns exec "cri-$id" -- ip -4 -o addr show eth0 | grep -q "inet $ip/24"
	# a unique prefix names it too
	run cri_call RuntimeService/PodSandboxStatus "{\"pod_sandbox_id\":\"${id:0:12}\"}"
	[ "$(json_get "$output" .status.id)" = "$id" ]
	run cri_call RuntimeService/RunPodSandbox "$(pod_config db)"
	assert_status 0
	id2=$(json_get "$output" .pod_sandbox_id)
	run cri_call RuntimeService/ListPodSandbox
	[ "$(json_get "$output" '[.items[].id] | join(" ")')" = "$id $id2" ]
	run cri_call RuntimeService/ListPodSandbox '{"filter":{"label_selector":{"app":"db"}}}'
	[ "$(json_get "$output" '[.items[].id] | join(" ")')" = "$id2" ]
	# restart-safe: a new server answers the same from the records
	cri_stop
	cri_start
	run cri_call RuntimeService/StopPodSandbox "{\"pod_sandbox_id\":\"$id\"}"
	assert_status 0
	[ ! -e "$CTR_NETNS_DIR/cri-$id" ]
	[ -z "$(find "$BATS_TEST_TMPDIR/ipam/pods" -name '10.*' -printf '%f\n' | grep -Fx "$ip")" ]
	run cri_call RuntimeService/StopPodSandbox "{\"pod_sandbox_id\":\"$id\"}"
	assert_status 0
	run cri_call RuntimeService/PodSandboxStatus "{\"pod_sandbox_id\":\"$id\"}"
	[ "$(json_get "$output" .status.state)" = SANDBOX_NOTREADY ]
	[ "$(json_get "$output" '.status.network.ip // ""')" = "" ]
	run cri_call RuntimeService/ListPodSandbox '{"filter":{"state":{"state":"SANDBOX_READY"}}}'
	[ "$(json_get "$output" '[.items[].id] | join(" ")')" = "$id2" ]
	run cri_call RuntimeService/RemovePodSandbox "{\"pod_sandbox_id\":\"$id\"}"
	assert_status 0
	[ ! -e "$CTR_ROOT/cri/sandboxes/$id" ]
	run cri_call RuntimeService/RemovePodSandbox "{\"pod_sandbox_id\":\"$id\"}"
	assert_status 0
	run --separate-stderr cri_call RuntimeService/PodSandboxStatus "{\"pod_sandbox_id\":\"$id\"}"
	assert_status 1
	[[ "$stderr" == "NOT_FOUND: no pod sandbox '$id'"* ]]
	# removing a ready pod stops it first
	run cri_call RuntimeService/RemovePodSandbox "{\"pod_sandbox_id\":\"$id2\"}"
	assert_status 0
	[ ! -e "$CTR_NETNS_DIR/cri-$id2" ]
	[ -z "$(find "$BATS_TEST_TMPDIR/ipam/pods" -name '10.*' 2>/dev/null)" ]
	run cri_call RuntimeService/ListPodSandbox
	[ "$output" = "{}" ]
	cri_stop
}

@test "cri: host-network pods have no namespace; the same metadata twice is refused" {
	require_root
	pod_network
	cri_start
	run cri_call RuntimeService/RunPodSandbox "$(pod_config h "$HOST_NET")"
	assert_status 0
	id=$(json_get "$output" .pod_sandbox_id)
	[ ! -e "$CTR_NETNS_DIR/cri-$id" ]
	run cri_call RuntimeService/PodSandboxStatus "{\"pod_sandbox_id\":\"$id\"}"
	[ "$(json_get "$output" .status.linux.namespaces.options.network)" = NODE ]
	run --separate-stderr cri_call RuntimeService/RunPodSandbox "$(pod_config h "$HOST_NET")"
	assert_status 1
	[[ "$stderr" == "ALREADY_EXISTS: pod sandbox h_default_uid-h_0 is there already: $id"* ]]
	run cri_call RuntimeService/ListPodSandbox
	[ "$(json_get "$output" '.items | length')" = 1 ]
	run cri_call RuntimeService/RemovePodSandbox "{\"pod_sandbox_id\":\"$id\"}"
	assert_status 0
	cri_stop
}

@test "cri: bad pod configs are one INVALID_ARGUMENT each and leave no record; no network, no pod" {
	require_root
	pod_network
	cri_start
	local bad
	for bad in '{"config":{}}' \
		"$(pod_config ../x)" \
		"$(pod_config 'a/b')" \
		"$(pod_config ok '"log_directory":"/var/log/pods/../../etc"')" \
		"$(pod_config ok '"log_directory":"relative"')" \
		"$(pod_config ok '"hostname":"Bad_Host"')" \
		"$(pod_config ok '"port_mappings":[{"container_port":80}]')" \
		"$(pod_config ok '"dns_config":{"servers":["1.1.1.1\nnameserver 6.6.6.6"]}')"; do
		run --separate-stderr cri_call RuntimeService/RunPodSandbox "$bad"
		[ "$status" = 1 ] || { echo "accepted: $bad"; false; }
		[[ "$stderr" == INVALID_ARGUMENT:* ]] || { echo "$bad: $stderr"; false; }
	done
	run --separate-stderr cri_call RuntimeService/RunPodSandbox '{"config":{"metadata":{"name":"x","uid":"u","namespace":"n"}},"runtime_handler":"kata"}'
	[[ "$stderr" == "INVALID_ARGUMENT: no runtime handler 'kata'"* ]]
	[ -z "$(ls "$CTR_ROOT/cri/sandboxes" 2>/dev/null)" ]
	[ -z "$(ls "$CTR_NETNS_DIR" 2>/dev/null)" ]
	cri_stop
	# without a CNI network, a pod that needs one is refused
	rm "$CNI_CONF_DIR/10-pods.conflist"
	cri_start
	run --separate-stderr cri_call RuntimeService/RunPodSandbox "$(pod_config web)"
	assert_status 1
	[[ "$stderr" == "FAILED_PRECONDITION: the pod network is not ready: no CNI network configuration in $CNI_CONF_DIR"* ]]
	[ -z "$(ls "$CTR_ROOT/cri/sandboxes" 2>/dev/null)" ]
	run --separate-stderr cri_call RuntimeService/StopPodSandbox '{"pod_sandbox_id":"0123"}'
	[[ "$stderr" == "NOT_FOUND: no pod sandbox '0123'"* ]]
	cri_stop
}

# cri_wait_state ID STATE: until ContainerStatus says STATE (10 s).
cri_wait_state() {
	local i out
	for ((i = 0; i < 200; i++)); do
		out=$(cri_call RuntimeService/ContainerStatus "{\"container_id\":\"$1\"}")
		[ "$(jq -r '.status.state // "CONTAINER_CREATED"' <<<"$out")" = "$2" ] && return 0
		sleep 0.05
	done
	echo "$out" >&2
	return 1
}

# For a test that runs containers: root, runc, the pods' network, the
# busybox fixture in a registry as $img, a server.
cri_with_busybox() {
	require_root
	require_cmd docker-registry skopeo umoci runc
	export CTR_RUNTIME_NO_VERSION_CHECK=1
	pod_network
	registry_start
	fixture_push busybox test/busybox:1
	cri_start
	img=$REGISTRY/test/busybox:1
}

@test "cri: containers in a pod: create, start, status, list, exit code, stop, remove; ctr-run -n k8s.io ls shows them" {
	cri_with_busybox
	run cri_call ImageService/PullImage "{\"image\":{\"image\":\"$img\"}}"
	assert_status 0
	image_id=$(json_get "$output" .image_ref)
	run cri_call RuntimeService/RunPodSandbox "$(pod_config web)"
	assert_status 0
	pod=$(json_get "$output" .pod_sandbox_id)
	run cri_call RuntimeService/CreateContainer "{\"pod_sandbox_id\":\"$pod\",\"config\":{\"metadata\":{\"name\":\"sleeper\"},\"image\":{\"image\":\"$img\"},\"command\":[\"sleep\",\"100\"],\"envs\":[{\"key\":\"GREETING\",\"value\":\"$(printf hello | base64)\"}],\"labels\":{\"tier\":\"front\"},\"log_path\":\"sleeper/0.log\"}}"
	assert_status 0
	c1=$(json_get "$output" .container_id)
	[[ "$c1" =~ ^[0-9a-f]{64}$ ]]
	[ "$(ctr-run -n k8s.io ls --json | jq -r '.[].id')" = "$c1" ]
	run cri_call RuntimeService/ContainerStatus "{\"container_id\":\"$c1\"}"
	[ "$(json_get "$output" '.status.state // "CONTAINER_CREATED"')" = CONTAINER_CREATED ]
	[ "$(json_get "$output" .status.image_ref)" = "$image_id" ]
	[ "$(json_get "$output" .status.log_path)" = "$BATS_TEST_TMPDIR/pods/default_web/sleeper/0.log" ]
	# the kubelet's folder for it is made, and the shim's file in it
	[ -f "$BATS_TEST_TMPDIR/pods/default_web/sleeper/0.log" ]
	run cri_call RuntimeService/StartContainer "{\"container_id\":\"$c1\"}"
	assert_status 0
	cri_wait_state "$c1" CONTAINER_RUNNING
	# in the pod's network namespace, with its hostname and our env
	[ "$(ctr-run -n k8s.io exec "$c1" -- hostname)" = web ]
	[ "$(ctr-run -n k8s.io exec "$c1" -- sh -c 'echo $GREETING')" = hello ]
	[ "$(ctr-run -n k8s.io exec "$c1" -- cat /etc/resolv.conf)" = "$(cat "$CTR_ROOT/cri/sandboxes/$pod/resolv.conf")" ]
	ip=$(cri_call RuntimeService/PodSandboxStatus "{\"pod_sandbox_id\":\"$pod\"}" | jq -r .status.network.ip)
	ctr-run -n k8s.io exec "$c1" -- ip -4 -o addr show eth0 | grep -q "inet $ip/24"
	# ExecSync: both streams and the exit code; a timeout is DEADLINE_EXCEEDED
	run cri_call RuntimeService/ExecSync "{\"container_id\":\"$c1\",\"cmd\":[\"sh\",\"-c\",\"echo out; echo err >&2; exit 7\"],\"timeout\":10}"
	assert_status 0
	[ "$(json_get "$output" .stdout | base64 -d)" = out ]
	[ "$(json_get "$output" .stderr | base64 -d)" = err ]
	[ "$(json_get "$output" .exit_code)" = 7 ]
	run cri_call RuntimeService/ExecSync "{\"container_id\":\"$c1\",\"cmd\":[\"true\"]}"
	assert_status 0
	[ "$(json_get "$output" '.exit_code // 0')" = 0 ]
	run --separate-stderr cri_call RuntimeService/ExecSync "{\"container_id\":\"$c1\",\"cmd\":[\"sleep\",\"30\"],\"timeout\":1}"
	assert_status 1
	[[ "$stderr" == DEADLINE_EXCEEDED:*"timeout of 1 s"* ]]
	run --separate-stderr cri_call RuntimeService/ExecSync "{\"container_id\":\"$c1\",\"cmd\":[]}"
	[[ "$stderr" == "INVALID_ARGUMENT: ExecSync: no cmd"* ]]
	# a second one that exits 3
	run cri_call RuntimeService/CreateContainer "{\"pod_sandbox_id\":\"$pod\",\"config\":{\"metadata\":{\"name\":\"quitter\"},\"image\":{\"image\":\"$img\"},\"command\":[\"sh\",\"-c\",\"exit 3\"]}}"
	assert_status 0
	c2=$(json_get "$output" .container_id)
	cri_call RuntimeService/StartContainer "{\"container_id\":\"$c2\"}"
	cri_wait_state "$c2" CONTAINER_EXITED
	run cri_call RuntimeService/ContainerStatus "{\"container_id\":\"$c2\"}"
	[ "$(json_get "$output" .status.exit_code)" = 3 ]
	[ "$(json_get "$output" .status.reason)" = Error ]
	[ "$(json_get "$output" .status.finished_at)" -ge "$(json_get "$output" .status.started_at)" ]
	run cri_call RuntimeService/ListContainers "{\"filter\":{\"pod_sandbox_id\":\"$pod\",\"label_selector\":{\"tier\":\"front\"}}}"
	[ "$(json_get "$output" '[.containers[].id] | join(" ")')" = "$c1" ]
	run cri_call RuntimeService/ListContainers '{"filter":{"state":{"state":"CONTAINER_EXITED"}}}'
	[ "$(json_get "$output" '[.containers[].id] | join(" ")')" = "$c2" ]
	# not running: ctr-run exec's own failure, not an exit code
	run --separate-stderr cri_call RuntimeService/ExecSync "{\"container_id\":\"$c2\",\"cmd\":[\"true\"]}"
	assert_status 1
	[[ "$stderr" == FAILED_PRECONDITION:* ]]
	# the same name and attempt in the pod again: refused
	run --separate-stderr cri_call RuntimeService/CreateContainer "{\"pod_sandbox_id\":\"$pod\",\"config\":{\"metadata\":{\"name\":\"quitter\"},\"image\":{\"image\":\"$img\"}}}"
	assert_status 1
	[[ "$stderr" == ALREADY_EXISTS:* ]]
	# restart-safe: a new server answers the same
	cri_stop
	cri_start
	cri_wait_state "$c1" CONTAINER_RUNNING
	run cri_call RuntimeService/StopContainer "{\"container_id\":\"$c1\",\"timeout\":5}"
	assert_status 0
	run cri_call RuntimeService/ContainerStatus "{\"container_id\":\"$c1\"}"
	[ "$(json_get "$output" .status.state)" = CONTAINER_EXITED ]
	# sleep as pid 1 has no TERM handler: the KILL after the timeout ended it
	[ "$(json_get "$output" .status.exit_code)" = 137 ]
	[ "$(json_get "$output" .status.reason)" = Error ]
	run cri_call RuntimeService/StopContainer "{\"container_id\":\"$c1\"}"
	assert_status 0
	run cri_call RuntimeService/RemoveContainer "{\"container_id\":\"$c1\"}"
	assert_status 0
	run cri_call RuntimeService/RemoveContainer "{\"container_id\":\"$c1\"}"
	assert_status 0
	[ "$(ctr-run -n k8s.io ls --json | jq -r '.[].id')" = "$c2" ]
	# the pod's removal takes its containers
	run cri_call RuntimeService/RemovePodSandbox "{\"pod_sandbox_id\":\"$pod\"}"
	assert_status 0
	[ "$(ctr-run -n k8s.io ls --json | jq 'length')" = 0 ]
	run cri_call RuntimeService/ListContainers
	[ "$output" = "{}" ]
	cri_stop
}

@test "cri: CreateContainer refuses a missing or stopped pod, a missing image, bad paths; nothing is left" {
	require_root
	export CTR_RUNTIME_NO_VERSION_CHECK=1
	pod_network
	cri_start
	pod=$(cri_call RuntimeService/RunPodSandbox "$(pod_config p "$HOST_NET")" | jq -r .pod_sandbox_id)
	cc() { echo "{\"pod_sandbox_id\":\"$1\",\"config\":{\"metadata\":{\"name\":\"c\"},\"image\":{\"image\":\"busybox\"}${2:+,$2}}}"; }
	run --separate-stderr cri_call RuntimeService/CreateContainer "$(cc 0000)"
	[[ "$stderr" == "NOT_FOUND: no pod sandbox '0000'"* ]]
	run --separate-stderr cri_call RuntimeService/CreateContainer "$(cc "$pod")"
	[[ "$stderr" == "NOT_FOUND: image 'busybox' is not in the store"* ]]
	for bad in '"log_path":"../../etc/passwd"' '"log_path":"/abs.log"' \
		'"mounts":[{"host_path":"rel","container_path":"/x"}]' \
		'"mounts":[{"host_path":"/a,b","container_path":"/x"}]' \
		'"working_dir":"rel"' '"envs":[{"key":"A=B","value":""}]'; do
		run --separate-stderr cri_call RuntimeService/CreateContainer "$(cc "$pod" "$bad")"
		[[ "$stderr" == INVALID_ARGUMENT:* ]] || { echo "$bad: $stderr"; false; }
	done
	cri_call RuntimeService/StopPodSandbox "{\"pod_sandbox_id\":\"$pod\"}"
	run --separate-stderr cri_call RuntimeService/CreateContainer "$(cc "$pod")"
	[[ "$stderr" == "FAILED_PRECONDITION: pod sandbox $pod is not ready"* ]]
	[ -z "$(ls "$CTR_ROOT/cri/containers" 2>/dev/null)" ]
	cri_stop
}

@test "cri: logs in the CRI format at the kubelet's path; ReopenContainerLog after a rename" {
	cri_with_busybox
	cri_call ImageService/PullImage "{\"image\":{\"image\":\"$img\"}}" >/dev/null
	pod=$(cri_call RuntimeService/RunPodSandbox "$(pod_config logs "$HOST_NET")" | jq -r .pod_sandbox_id)
	log=$BATS_TEST_TMPDIR/pods/default_logs/talker/0.log
	# both streams, a line of 40000 bytes, then (after the reopen) a last line without its newline
	script='echo out1; echo err1 >&2; head -c 40000 /dev/zero | tr "\0" z; echo; echo err2 >&2; echo marker1
		while [ ! -e /go ]; do sleep 0.05; done; echo after; echo err3 >&2; printf unended'
	run cri_call RuntimeService/CreateContainer "$(jq -nc --arg p "$pod" --arg i "$img" --arg s "$script" \
		'{pod_sandbox_id: $p, config: {metadata: {name: "talker"}, image: {image: $i},
		  command: ["sh", "-c", $s], log_path: "talker/0.log"}}')"
	assert_status 0
	c=$(json_get "$output" .container_id)
	cri_call RuntimeService/StartContainer "{\"container_id\":\"$c\"}"
	for ((i = 0; i < 200; i++)); do grep -q ' F marker1$' "$log" && break; sleep 0.05; done
	# the kubelet's rotation: rename, then ReopenContainerLog
	mv "$log" "$log.20261206-231709"
	run cri_call RuntimeService/ReopenContainerLog "{\"container_id\":\"$c\"}"
	assert_status 0
	[ -f "$log" ]
	ctr-run -n k8s.io exec "$c" -- touch /go
	cri_wait_state "$c" CONTAINER_EXITED
	old=$log.20261206-231709
	cri_log_check "$old"
	cri_log_check "$log"
	long=$(head -c 40000 /dev/zero | tr '\0' z)
	[ "$(cri_log_text "$old" stdout)" = "$(printf 'out1\n%s\nmarker1' "$long")" ]
	[ "$(cri_log_text "$old" stderr)" = "$(printf 'err1\nerr2')" ]
	[ "$(cri_log_tags "$old" stdout)" = FPPFF ]
	[ "$(awk '$3 == "P" { print length($0) - length($1 $2 $3) - 3 }' "$old")" = "$(printf '16384\n16384')" ]
	[ "$(grep -c . "$log")" = 3 ]
	[ "$(grep ' stdout ' "$log" | cut -d' ' -f2-)" = "$(printf 'stdout F after\nstdout P unended')" ]
	[ "$(grep ' stderr ' "$log" | cut -d' ' -f2-)" = "stderr F err3" ]
	# not running, or not there: containerd 1.6's answers
	run --separate-stderr cri_call RuntimeService/ReopenContainerLog "{\"container_id\":\"$c\"}"
	assert_status 1
	[ "$stderr" = "UNKNOWN: container is not running" ]
	run --separate-stderr cri_call RuntimeService/ReopenContainerLog '{"container_id":"0000"}'
	assert_status 1
	[[ "$stderr" == NOT_FOUND:* ]]
	# a log_path that climbs out of the pod's log directory is refused, nothing made
	run --separate-stderr cri_call RuntimeService/CreateContainer "$(jq -nc --arg p "$pod" --arg i "$img" \
		'{pod_sandbox_id: $p, config: {metadata: {name: "climber"}, image: {image: $i}, log_path: "x/../../../escape.log"}}')"
	[[ "$stderr" == INVALID_ARGUMENT:*"log_path"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/pods/escape.log" ] && [ ! -e "$BATS_TEST_TMPDIR/escape.log" ]
	run cri_call RuntimeService/RemovePodSandbox "{\"pod_sandbox_id\":\"$pod\"}"
	assert_status 0
	cri_stop
}

# cc_linux POD NAME [CONFIG FIELDS]: a CreateContainerRequest for busybox ($img) sleeping, FIELDS ("k":v,...) added to its config.
cc_linux() {
	jq -nc --arg pod "$1" --arg name "$2" --arg img "$img" --argjson o "{${3:-}}" \
		'{pod_sandbox_id: $pod, config: ({metadata: {name: $name}, image: {image: $img}, command: ["sleep", "1000"]} + $o)}'
}

# exec_out ID CMD...: ExecSync's stdout (exit status checked 0).
exec_out() {
	local id=$1 out
	shift
	out=$(cri_call RuntimeService/ExecSync "$(printf '%s\n' "$@" | jq -R . | jq -sc --arg id "$id" '{container_id: $id, cmd: ., timeout: 20}')")
	[ "$(jq -r '.exit_code // 0' <<<"$out")" = 0 ] || { echo "$* exited: $out" >&2; return 1; }
	jq -r '.stdout // ""' <<<"$out" | base64 -d
}

@test "cri: a container's security context, devices and resources reach it; UpdateContainerResources; stats move" {
	require_root
	require_cmd docker-registry skopeo umoci runc
	export CTR_RUNTIME_NO_VERSION_CHECK=1
	pod_network
	mkdir -p "$BATS_TEST_TMPDIR/seccomp"
	echo '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO"}]}' >"$BATS_TEST_TMPDIR/seccomp/nomkdir.json"
	cri_start --seccomp-profile-root "$BATS_TEST_TMPDIR/seccomp"
	busybox_pod sec
	node='"namespace_options":{"network":"NODE","pid":"CONTAINER"}'
	# a user and group, CHOWN dropped, a read-only root, limits, a device
	run cri_call RuntimeService/CreateContainer "$(cc_linux "$pod" confined "\"devices\":[{\"host_path\":\"/dev/null\",\"container_path\":\"/dev/xnull\",\"permissions\":\"rw\"}],\"linux\":{\"resources\":{\"memory_limit_in_bytes\":67108864,\"cpu_period\":100000,\"cpu_quota\":50000,\"cpu_shares\":512,\"oom_score_adj\":500},\"security_context\":{$node,\"run_as_user\":{\"value\":1000},\"run_as_group\":{\"value\":1001},\"capabilities\":{\"drop_capabilities\":[\"CHOWN\"]},\"readonly_rootfs\":true,\"seccomp\":{\"profile_type\":\"RuntimeDefault\"}}}")"
	assert_status 0
	c1=$(json_get "$output" .container_id)
	cri_call RuntimeService/StartContainer "{\"container_id\":\"$c1\"}"
	cri_wait_state "$c1" CONTAINER_RUNNING
	[ "$(exec_out "$c1" id -u)" = 1000 ]
	[ "$(exec_out "$c1" id -g)" = 1001 ]
	# uid 1000 has no effective set; the bounding set shows the drop
	capbnd=$(exec_out "$c1" sh -c 'grep CapBnd /proc/1/status' | awk '{print $2}')
	[ $((0x$capbnd & 1)) = 0 ]
	[ "$(exec_out "$c1" sh -c 'grep ^Seccomp: /proc/self/status' | awk '{print $2}')" = 2 ]
	run cri_call RuntimeService/ExecSync "{\"container_id\":\"$c1\",\"cmd\":[\"touch\",\"/tmp/x\"]}"
	[ "$(json_get "$output" .exit_code)" = 1 ]
	[[ "$(json_get "$output" .stderr | base64 -d)" == *"Read-only file system"* ]]
	exec_out "$c1" sh -c 'test -c /dev/xnull && echo hi >/dev/xnull'
	[ "$(exec_out "$c1" cat /proc/1/oom_score_adj)" = 500 ]
	cg=ctr/k8s.io-$c1
	[ "$(cat /sys/fs/cgroup/memory/$cg/memory.limit_in_bytes)" = 67108864 ]
	[ "$(cat /sys/fs/cgroup/cpu/$cg/cpu.cfs_quota_us)" = 50000 ]
	[ "$(cat /sys/fs/cgroup/cpu/$cg/cpu.shares)" = 512 ]
	run cri_call RuntimeService/UpdateContainerResources "{\"container_id\":\"$c1\",\"linux\":{\"memory_limit_in_bytes\":134217728,\"cpu_shares\":256,\"cpu_quota\":150000,\"cpu_period\":100000}}"
	assert_status 0
	[ "$(cat /sys/fs/cgroup/memory/$cg/memory.limit_in_bytes)" = 134217728 ]
	[ "$(cat /sys/fs/cgroup/cpu/$cg/cpu.shares)" = 256 ]
	[ "$(cat /sys/fs/cgroup/cpu/$cg/cpu.cfs_quota_us)" = 150000 ]
	run --separate-stderr cri_call RuntimeService/UpdateContainerResources "{\"container_id\":\"$c1\",\"linux\":{\"memory_limit_in_bytes\":-5}}"
	[[ "$stderr" == "INVALID_ARGUMENT: LinuxContainerResources: memory_limit_in_bytes -5 is negative"* ]]
	[ "$(cat /sys/fs/cgroup/memory/$cg/memory.limit_in_bytes)" = 134217728 ]

	# privileged: every capability and every device; Localhost seccomp profile applies
	run cri_call RuntimeService/CreateContainer "$(cc_linux "$pod" priv "\"linux\":{\"security_context\":{$node,\"privileged\":true}}")"
	assert_status 0
	c2=$(json_get "$output" .container_id)
	run cri_call RuntimeService/CreateContainer "$(cc_linux "$pod" local "\"linux\":{\"security_context\":{$node,\"capabilities\":{\"drop_capabilities\":[\"CHOWN\"]},\"seccomp\":{\"profile_type\":\"Localhost\",\"localhost_ref\":\"$BATS_TEST_TMPDIR/seccomp/nomkdir.json\"}}}")"
	assert_status 0
	c3=$(json_get "$output" .container_id)
	run cri_call RuntimeService/CreateContainer "$(cc_linux "$pod" unconf "\"linux\":{\"security_context\":{$node,\"seccomp\":{\"profile_type\":\"Unconfined\"}}}")"
	assert_status 0
	c4=$(json_get "$output" .container_id)
	for c in "$c2" "$c3" "$c4"; do
		cri_call RuntimeService/StartContainer "{\"container_id\":\"$c\"}"
		cri_wait_state "$c" CONTAINER_RUNNING
	done
	[ "$(exec_out "$c2" sh -c 'grep CapEff /proc/self/status' | awk '{print $2}')" = "$(grep CapBnd /proc/self/status | awk '{print $2}')" ]
	# loop-control (10:237): the device cgroup lets the privileged one open it, not the others
	exec_out "$c2" sh -c 'mknod /tmp/lc c 10 237 && exec 3</tmp/lc'
	run cri_call RuntimeService/ExecSync "{\"container_id\":\"$c4\",\"cmd\":[\"sh\",\"-c\",\"mknod /tmp/lc c 10 237 && exec 3</tmp/lc\"]}"
	[ "$(json_get "$output" '.exit_code // 0')" != 0 ]
	run cri_call RuntimeService/ExecSync "{\"container_id\":\"$c3\",\"cmd\":[\"mkdir\",\"/tmp/d\"]}"
	[ "$(json_get "$output" '.exit_code // 0')" != 0 ]
	exec_out "$c4" mkdir /tmp/d
	# root in both: CHOWN dropped from c3's effective set, kept in c4's
	[ $((0x$(exec_out "$c3" sh -c 'grep CapEff /proc/self/status' | awk '{print $2}') & 1)) = 0 ]
	[ $((0x$(exec_out "$c4" sh -c 'grep CapEff /proc/self/status' | awk '{print $2}') & 1)) = 1 ]
	[ "$(exec_out "$c4" sh -c 'grep ^Seccomp: /proc/self/status' | awk '{print $2}')" = 0 ]

	# stats: every container; the numbers move when c4 allocates memory and burns CPU
	run cri_call RuntimeService/ListContainerStats "{\"filter\":{\"pod_sandbox_id\":\"$pod\"}}"
	assert_status 0
	[ "$(json_get "$output" '.stats | length')" = 4 ]
	run cri_call RuntimeService/ContainerStats "{\"container_id\":\"$c4\"}"
	assert_status 0
	s1=$output
	[ "$(json_get "$s1" .stats.attributes.metadata.name)" = unconf ]
	exec_out "$c4" sh -c 'dd if=/dev/zero of=/dev/shm/fill bs=1M count=24 2>/dev/null; dd if=/dev/zero of=/layer bs=1M count=8 2>/dev/null; i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done'
	run cri_call RuntimeService/ContainerStats "{\"container_id\":\"$c4\"}"
	s2=$output
	ws1=$(jq -r .stats.memory.working_set_bytes.value <<<"$s1") ws2=$(jq -r .stats.memory.working_set_bytes.value <<<"$s2")
	[ "$ws2" -ge $((ws1 + 20 * 1048576)) ]
	[ "$(jq -r .stats.memory.usage_bytes.value <<<"$s2")" -ge "$ws2" ]
	[ "$(jq -r .stats.cpu.usage_core_nano_seconds.value <<<"$s2")" -gt "$(jq -r .stats.cpu.usage_core_nano_seconds.value <<<"$s1")" ]
	[ "$(jq -r .stats.cpu.timestamp <<<"$s2")" -gt "$(jq -r .stats.cpu.timestamp <<<"$s1")" ]
	[ "$(jq -r .stats.writable_layer.used_bytes.value <<<"$s2")" -ge $(($(jq -r '.stats.writable_layer.used_bytes.value // 0' <<<"$s1") + 8 * 1048576)) ]
	[[ "$(jq -r .stats.writable_layer.fs_id.mountpoint <<<"$s2")" == "$CTR_ROOT/snapshots/"* ]]
	# c1's limit leaves it available bytes; the filters
	run cri_call RuntimeService/ContainerStats "{\"container_id\":\"$c1\"}"
	[ "$(json_get "$output" .stats.memory.available_bytes.value)" -gt 0 ]
	run cri_call RuntimeService/ListContainerStats "{\"filter\":{\"id\":\"$c3\"}}"
	[ "$(json_get "$output" '[.stats[].attributes.id] | join(" ")')" = "$c3" ]
	run cri_call RuntimeService/ListContainerStats '{"filter":{"label_selector":{"none":"x"}}}'
	[ "$output" = "{}" ]
	run --separate-stderr cri_call RuntimeService/ContainerStats '{"container_id":"0123"}'
	[[ "$stderr" == "NOT_FOUND: no container '0123'"* ]]
	# the pod's: its four containers, and their sums
	run cri_call RuntimeService/PodSandboxStats "{\"pod_sandbox_id\":\"$pod\"}"
	assert_status 0
	ps=$output
	[ "$(jq -r .stats.attributes.metadata.name <<<"$ps")" = sec ]
	[ "$(jq -r '.stats.linux.containers | length' <<<"$ps")" = 4 ]
	[ "$(jq -r .stats.linux.memory.working_set_bytes.value <<<"$ps")" = "$(jq '[.stats.linux.containers[].memory.working_set_bytes.value | tonumber] | add' <<<"$ps")" ]
	[ "$(jq -r .stats.linux.memory.working_set_bytes.value <<<"$ps")" -ge "$ws2" ]
	[ "$(jq -r .stats.linux.cpu.usage_core_nano_seconds.value <<<"$ps")" = "$(jq '[.stats.linux.containers[].cpu.usage_core_nano_seconds.value | tonumber] | add' <<<"$ps")" ]
	run cri_call RuntimeService/ListPodSandboxStats "{\"filter\":{\"label_selector\":{\"app\":\"sec\"}}}"
	[ "$(json_get "$output" '[.stats[].attributes.id] | join(" ")')" = "$pod" ]
	run cri_call RuntimeService/ListPodSandboxStats '{"filter":{"id":"zz"}}'
	[ "$output" = "{}" ]
	run --separate-stderr cri_call RuntimeService/PodSandboxStats '{"pod_sandbox_id":"0123"}'
	[[ "$stderr" == "NOT_FOUND: no pod sandbox '0123'"* ]]
	# a stopped one: attributes and its layer, no CPU or memory
	cri_call RuntimeService/StopContainer "{\"container_id\":\"$c3\",\"timeout\":0}"
	run cri_call RuntimeService/ContainerStats "{\"container_id\":\"$c3\"}"
	assert_status 0
	[ "$(json_get "$output" '.stats.cpu // "none"')" = none ]
	[ "$(json_get "$output" .stats.attributes.id)" = "$c3" ]
	# as containerd: an ended container, or no resources, is no error and changes nothing
	run cri_call RuntimeService/UpdateContainerResources "{\"container_id\":\"$c3\",\"linux\":{\"memory_limit_in_bytes\":134217728}}"
	assert_status 0
	run cri_call RuntimeService/UpdateContainerResources "{\"container_id\":\"$c1\"}"
	assert_status 0
	[ "$(cat /sys/fs/cgroup/memory/$cg/memory.limit_in_bytes)" = 134217728 ]
	run cri_call RuntimeService/RemovePodSandbox "{\"pod_sandbox_id\":\"$pod\"}"
	assert_status 0
	cri_stop
	run --separate-stderr ctr-cri --listen "$SOCK" --seccomp-profile-root relative
	assert_status 100
	[[ "$stderr" == *"--seccomp-profile-root: want an absolute path"* ]]
}

@test "cri: linux configs we cannot honour are one INVALID_ARGUMENT each; nothing is left" {
	require_root
	require_cmd docker-registry skopeo umoci runc
	export CTR_RUNTIME_NO_VERSION_CHECK=1
	pod_network
	mkdir -p "$BATS_TEST_TMPDIR/seccomp"
	echo '{"defaultAction":"SCMP_ACT_ALLOW"}' >"$BATS_TEST_TMPDIR/elsewhere.json"
	cri_start --seccomp-profile-root "$BATS_TEST_TMPDIR/seccomp"
	busybox_pod bad
	ln -s "$BATS_TEST_TMPDIR/elsewhere.json" "$BATS_TEST_TMPDIR/seccomp/link.json"
	local bad
	for bad in '"resources":{"memory_limit_in_bytes":-1}' \
		'"resources":{"cpu_shares":1}' \
		'"resources":{"cpu_quota":500}' \
		'"resources":{"oom_score_adj":1001}' \
		'"resources":{"cpuset_cpus":"0"}' \
		'"security_context":{"seccomp":{"profile_type":7}}' \
		'"security_context":{"seccomp":{"profile_type":"RuntimeDefault","localhost_ref":"/x"}}' \
		"\"security_context\":{\"seccomp\":{\"profile_type\":\"Localhost\",\"localhost_ref\":\"$BATS_TEST_TMPDIR/elsewhere.json\"}}" \
		"\"security_context\":{\"seccomp\":{\"profile_type\":\"Localhost\",\"localhost_ref\":\"$BATS_TEST_TMPDIR/seccomp/link.json\"}}" \
		"\"security_context\":{\"seccomp\":{\"profile_type\":\"Localhost\",\"localhost_ref\":\"$BATS_TEST_TMPDIR/seccomp/absent.json\"}}" \
		'"security_context":{"seccomp":{"profile_type":"Localhost","localhost_ref":"relative.json"}}' \
		'"security_context":{"seccomp_profile_path":"bogus/profile"}' \
		'"security_context":{"run_as_group":{"value":5}}' \
		'"security_context":{"run_as_user":{"value":-1}}' \
		'"security_context":{"run_as_username":"a:b"}' \
		'"security_context":{"supplemental_groups":[5]}' \
		'"security_context":{"capabilities":{"add_capabilities":["--privileged"]}}' \
		'"security_context":{"capabilities":{"add_capabilities":["NO_SUCH_CAP"]}}' \
		'"security_context":{"namespace_options":{"network":"POD"}}' \
		'"security_context":{"namespace_options":{"network":"NODE","pid":"NODE"}}'; do
		run --separate-stderr cri_call RuntimeService/CreateContainer "$(cc_linux "$pod" c "\"linux\":{$bad}")"
		[ "$status" = 1 ] || { echo "accepted: $bad"; false; }
		[[ "$stderr" == INVALID_ARGUMENT:* ]] || { echo "$bad: $stderr"; false; }
	done
	run --separate-stderr cri_call RuntimeService/CreateContainer "$(cc_linux "$pod" c '"devices":[{"host_path":"/dev/null","container_path":"rel"}]')"
	[[ "$stderr" == "INVALID_ARGUMENT: device 0:"* ]]
	run --separate-stderr cri_call RuntimeService/CreateContainer "$(cc_linux "$pod" c '"linux":{"security_context":{"seccomp":{"profile_type":7}}}')"
	[[ "$stderr" == "INVALID_ARGUMENT: seccomp: unknown profile_type 7"* ]]
	run --separate-stderr cri_call RuntimeService/CreateContainer "$(cc_linux "$pod" c "\"linux\":{\"security_context\":{\"seccomp\":{\"profile_type\":\"Localhost\",\"localhost_ref\":\"$BATS_TEST_TMPDIR/elsewhere.json\"}}}")"
	[[ "$stderr" == *"is outside the profile root $BATS_TEST_TMPDIR/seccomp"* ]]
	[ -z "$(ls "$CTR_ROOT/cri/containers" 2>/dev/null)" ]
	[ "$(ctr-run -n k8s.io ls --json)" = "[]" ]
	# a pod's sysctls: no container could have them
	run --separate-stderr cri_call RuntimeService/RunPodSandbox "$(pod_config sys '"linux":{"sysctls":{"net.core.somaxconn":"1024"},"security_context":{"namespace_options":{"network":"NODE"}}}')"
	[[ "$stderr" == "INVALID_ARGUMENT: LinuxPodSandboxConfig: sysctls are not supported by ctr-cri"* ]]
	[ "$(ls "$CTR_ROOT/cri/sandboxes")" = "$pod" ]
	run cri_call RuntimeService/RemovePodSandbox "{\"pod_sandbox_id\":\"$pod\"}"
	assert_status 0
	cri_stop
}

# cri_together: the calls of a JSON array of [Service/Method, JSON] from stdin, all at once.
cri_together() {
	cri together "$SOCK"
}

# The busybox fixture pulled into k8s.io and a host-network pod: $img, $pod.
busybox_pod() {
	require_cmd docker-registry skopeo umoci runc
	export CTR_RUNTIME_NO_VERSION_CHECK=1
	registry_start
	fixture_push busybox test/busybox:1
	img=$REGISTRY/test/busybox:1
	cri_call ImageService/PullImage "{\"image\":{\"image\":\"$img\"}}" >/dev/null
	pod=$(cri_call RuntimeService/RunPodSandbox "$(pod_config "${1:-p}" "$HOST_NET")" | jq -r .pod_sandbox_id)
}

# container_config NAME [ATTEMPT] [CMD...]: a CreateContainerRequest in $pod of $img.
container_config() {
	local name=$1 attempt=${2:-0}
	shift 2 || shift $#
	jq -cn --arg pod "$pod" --arg img "$img" --arg n "$name" --argjson a "$attempt" \
		--args '{pod_sandbox_id: $pod, config: {metadata: {name: $n, attempt: $a},
		image: {image: $img}, command: (if $ARGS.positional == [] then ["sleep", "100"] else $ARGS.positional end)}}' "$@"
}

@test "cri: calls are answered at once: Status and ListContainers while an ExecSync runs" {
	require_root
	cri_start
	busybox_pod
	c=$(cri_call RuntimeService/CreateContainer "$(container_config c)" | jq -r .container_id)
	cri_call RuntimeService/StartContainer "{\"container_id\":\"$c\"}"
	# an ExecSync that ends only when the test lets it
	cri_call RuntimeService/ExecSync "{\"container_id\":\"$c\",\"cmd\":[\"sh\",\"-c\",\"touch /started; while [ ! -e /go ]; do sleep 0.1; done; echo let go\"],\"timeout\":60}" \
		>"$BATS_TEST_TMPDIR/exec.out" 2>&1 &
	exec_pid=$!
	track_pid "$exec_pid"
	for ((i = 0; i < 200; i++)); do
		ctr-run -n k8s.io exec "$c" -- test -e /started && break
		sleep 0.05
	done
	ctr-run -n k8s.io exec "$c" -- test -e /started
	# it holds its call; the kubelet's calls are answered meanwhile
	run cri_call RuntimeService/Status
	assert_status 0
	run cri_call RuntimeService/ListContainers
	assert_status 0
	[ "$(json_get "$output" '.containers[0].id')" = "$c" ]
	run cri_call RuntimeService/ContainerStatus "{\"container_id\":\"$c\"}"
	assert_status 0
	run cri_call RuntimeService/ListPodSandbox
	assert_status 0
	[ "$(json_get "$output" '.items | length')" = 1 ]
	kill -0 "$exec_pid"
	[ ! -s "$BATS_TEST_TMPDIR/exec.out" ]
	# a second ExecSync beside the first
	run cri_call RuntimeService/ExecSync "{\"container_id\":\"$c\",\"cmd\":[\"echo\",\"beside\"],\"timeout\":10}"
	assert_status 0
	[ "$(json_get "$output" .stdout | base64 -d)" = beside ]
	ctr-run -n k8s.io exec "$c" -- touch /go
	wait "$exec_pid"
	[ "$(jq -r .stdout "$BATS_TEST_TMPDIR/exec.out" | base64 -d)" = "let go" ]
	# TERM waits for the calls in flight, then the socket goes
	cri_call RuntimeService/ExecSync "{\"container_id\":\"$c\",\"cmd\":[\"sh\",\"-c\",\"sleep 1; echo late\"],\"timeout\":60}" \
		>"$BATS_TEST_TMPDIR/late.out" 2>&1 &
	late_pid=$!
	track_pid "$late_pid"
	for ((i = 0; i < 200; i++)); do
		ctr-run -n k8s.io exec "$c" -- pgrep -f 'sleep 1' >/dev/null && break
		sleep 0.05
	done
	cri_stop
	wait "$late_pid"
	[ "$(jq -r .stdout "$BATS_TEST_TMPDIR/late.out" | base64 -d)" = late ]
	cri_start
	run cri_call RuntimeService/RemovePodSandbox "{\"pod_sandbox_id\":\"$pod\"}"
	assert_status 0
	[ "$(ctr-run -n k8s.io ls --json | jq length)" = 0 ]
	cri_stop
}

@test "cri: races: the same pod twice at once, CreateContainer against RemovePodSandbox, one container removed twice" {
	require_root
	cri_start
	busybox_pod first
	cri_call RuntimeService/RemovePodSandbox "{\"pod_sandbox_id\":\"$pod\"}"
	local i out won lost
	# the same metadata at once: one wins, the other names the winner
	for ((i = 0; i < 10; i++)); do
		out=$(jq -cn --argjson q "$(pod_config "same$i" "$HOST_NET")" \
			'[["RuntimeService/RunPodSandbox", ($q | tojson)], ["RuntimeService/RunPodSandbox", ($q | tojson)]]' |
			cri_together)
		won=$(jq -r '[.[] | .ok.pod_sandbox_id // empty] | join(" ")' <<<"$out")
		[[ "$won" =~ ^[0-9a-f]{64}$ ]] || { echo "$out"; false; }
		lost=$(jq -r '.[] | select(.code) | "\(.code): \(.details)"' <<<"$out")
		[[ "$lost" == "ALREADY_EXISTS: pod sandbox same${i}_default_uid-same${i}_0 is there already: $won" ]] || { echo "$out"; false; }
		[ "$(cri_call RuntimeService/ListPodSandbox | jq -c '[.items[].id]')" = "[\"$won\"]" ]
		cri_call RuntimeService/RemovePodSandbox "{\"pod_sandbox_id\":\"$won\"}"
	done
	# a container made while its pod goes: made and then taken by the removal, or refused
	for ((i = 0; i < 8; i++)); do
		pod=$(cri_call RuntimeService/RunPodSandbox "$(pod_config "race$i" "$HOST_NET")" | jq -r .pod_sandbox_id)
		out=$(jq -cn --arg c "$(container_config c)" --arg p "{\"pod_sandbox_id\":\"$pod\"}" \
			'[["RuntimeService/CreateContainer", $c], ["RuntimeService/RemovePodSandbox", $p]]' |
			cri_together)
		[ "$(jq -r '.[1].ok | type' <<<"$out")" = object ] || { echo "$out"; false; }
		if [ "$(jq -r '.[0].code // "OK"' <<<"$out")" != OK ]; then
			[[ "$(jq -r '.[0] | "\(.code): \(.details)"' <<<"$out")" =~ ^(NOT_FOUND: no pod sandbox|FAILED_PRECONDITION: pod sandbox .* is not ready) ]] || { echo "$out"; false; }
		fi
		[ "$(cri_call RuntimeService/ListPodSandbox)" = "{}" ]
		[ "$(cri_call RuntimeService/ListContainers)" = "{}" ]
		[ "$(ctr-run -n k8s.io ls --json | jq length)" = 0 ]
		[ -z "$(ls "$CTR_ROOT/cri/containers")" ]
	done
	# one container removed by two calls at once: both answer OK, and it is gone
	pod=$(cri_call RuntimeService/RunPodSandbox "$(pod_config twice "$HOST_NET")" | jq -r .pod_sandbox_id)
	for ((i = 0; i < 8; i++)); do
		c=$(cri_call RuntimeService/CreateContainer "$(container_config "c$i")" | jq -r .container_id)
		cri_call RuntimeService/StartContainer "{\"container_id\":\"$c\"}"
		out=$(jq -cn --arg c "{\"container_id\":\"$c\"}" \
			'[["RuntimeService/RemoveContainer", $c], ["RuntimeService/RemoveContainer", $c]]' |
			cri_together)
		[ "$(jq -c '[.[] | keys[0]]' <<<"$out")" = '["ok","ok"]' ] || { echo "$out"; false; }
		[ "$(cri_call RuntimeService/ListContainers)" = "{}" ]
		[ "$(ctr-run -n k8s.io ls --json | jq length)" = 0 ]
		[ -z "$(ls "$CTR_ROOT/cri/containers")" ]
	done
	cri_call RuntimeService/RemovePodSandbox "{\"pod_sandbox_id\":\"$pod\"}"
	[ -z "$(ls "$CTR_ROOT/cri/sandboxes")" ]
	cri_stop
}

# Kill ctr-cri (SIGKILL) while it answers; the children it had running are
# let finish (a kill takes them no more than it takes ctr-run's own), then
# a new one serves.
cri_kill_restart() {
	local kids k i
	kill -STOP "$CRI_PID"
	kids=$(ps -o pid= --ppid "$CRI_PID" || true)
	kill -KILL "$CRI_PID"
	wait "$CRI_PID" 2>/dev/null || true
	for k in $kids; do
		for ((i = 0; i < 600 && $(kill -0 "$k" 2>/dev/null && echo 1 || echo 0); i++)); do
			sleep 0.05
		done
	done
	cri_start
}

# {id: state} of every pod and every container, as List answers.
cri_states() {
	{
		cri_call RuntimeService/ListPodSandbox | jq -c '[.items[]? | {(.id): (.state // "SANDBOX_READY")}] | add // {}'
		cri_call RuntimeService/ListContainers | jq -c '[.containers[]? | {(.id): (.state // "CONTAINER_CREATED")}] | add // {}'
	} | jq -cs 'add'
}

# What a restarted ctr-cri must show: each pod and container listed answers
# its Status; each record is listed; no half-written file; no namespace pin
# without its pod, no ctr-run container without its record.
cri_check_consistent() {
	local id pods ctrs
	pods=$(cri_call RuntimeService/ListPodSandbox | jq -r '.items[]?.id' | sort)
	ctrs=$(cri_call RuntimeService/ListContainers | jq -r '.containers[]?.id' | sort)
	for id in $pods; do
		cri_call RuntimeService/PodSandboxStatus "{\"pod_sandbox_id\":\"$id\"}" >/dev/null
	done
	for id in $ctrs; do
		cri_call RuntimeService/ContainerStatus "{\"container_id\":\"$id\"}" >/dev/null
	done
	[ "$(ls "$CTR_ROOT/cri/sandboxes" | sort)" = "$pods" ]
	[ "$(ls "$CTR_ROOT/cri/containers" | sort)" = "$ctrs" ]
	[ -z "$(find "$CTR_ROOT/cri" -name '*.tmp')" ]
	for id in $(ls "$CTR_NETNS_DIR" 2>/dev/null); do
		[ -d "$CTR_ROOT/cri/sandboxes/${id#cri-}" ] || { echo "netns $id has no pod"; return 1; }
	done
	for id in $(ctr-run -n k8s.io ls --json | jq -r '.[].id'); do
		[ -d "$CTR_ROOT/cri/containers/$id" ] || { echo "container $id has no record"; return 1; }
	done
}

# ctr-run's --json error says when it has no such container (no-container):
# that, and no other failure, is a container gone.
@test "cri: a container ctr-run has not is exited 255 Unknown and removable; one it cannot read is an error" {
	require_root
	cri_start
	busybox_pod
	id=$(cri_call RuntimeService/CreateContainer "$(container_config unreadable)" | jq -r .container_id)
	rec=$CTR_ROOT/containers/k8s.io/$id/record.json
	cp "$rec" "$BATS_TEST_TMPDIR/record.json"
	echo '{' >"$rec"
	run --separate-stderr cri_call RuntimeService/ContainerStatus "{\"container_id\":\"$id\"}"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"ctr-run: "*"record.json"* && "$stderr" != NOT_FOUND* ]]
	cp "$BATS_TEST_TMPDIR/record.json" "$rec"
	run cri_call RuntimeService/ContainerStatus "{\"container_id\":\"$id\"}"
	assert_status 0
	[ "$(json_get "$output" '.status.state // "CONTAINER_CREATED"')" = CONTAINER_CREATED ]
	ctr-run -n k8s.io delete -f "$id"
	run cri_call RuntimeService/ContainerStatus "{\"container_id\":\"$id\"}"
	assert_status 0
	[ "$(json_get "$output" '[.status.state, .status.exit_code, .status.reason] | join(" ")')" = "CONTAINER_EXITED 255 Unknown" ]
	cri_call RuntimeService/StopContainer "{\"container_id\":\"$id\"}"
	cri_call RuntimeService/RemoveContainer "{\"container_id\":\"$id\"}"
	[ ! -e "$CTR_ROOT/cri/containers/$id" ]
	cri_call RuntimeService/StopPodSandbox "{\"pod_sandbox_id\":\"$pod\"}"
	cri_call RuntimeService/RemovePodSandbox "{\"pod_sandbox_id\":\"$pod\"}"
}

@test "cri: killed at any instant in RunPodSandbox, CreateContainer, StartContainer, RemovePodSandbox: restarted, it answers as before and leaves nothing behind" {
	require_root
	pod_network
	cri_start
	busybox_pod unused
	# a removal cut short after ctr-run's delete, before our record's: exited, Unknown, as
	# containerd answers for a task lost across its restart; stopped and removed as any
	id=$(cri_call RuntimeService/CreateContainer "$(container_config half)" | jq -r .container_id)
	ctr-run -n k8s.io delete -f "$id"
	run cri_call RuntimeService/ContainerStatus "{\"container_id\":\"$id\"}"
	assert_status 0
	[ "$(json_get "$output" '[.status.state, .status.exit_code, .status.reason] | join(" ")')" = "CONTAINER_EXITED 255 Unknown" ]
	[ "$(cri_call RuntimeService/ListContainers | jq -r '.containers[0].state')" = CONTAINER_EXITED ]
	cri_call RuntimeService/StopContainer "{\"container_id\":\"$id\"}"
	cri_call RuntimeService/StopPodSandbox "{\"pod_sandbox_id\":\"$pod\"}"
	cri_call RuntimeService/RemovePodSandbox "{\"pod_sandbox_id\":\"$pod\"}"
	[ -z "$(ls "$CTR_ROOT/cri/containers")" ]
	pod=
	local i op t0 client before after id req ops=(run create start remove)
	declare -A took
	for ((i = 0; i < 16; i++)); do
		op=${ops[i % 4]}
		if [ -z "$pod" ]; then
			pod=$(cri_call RuntimeService/RunPodSandbox "$(pod_config "p$i")" | jq -r .pod_sandbox_id)
			cri_call RuntimeService/CreateContainer "$(container_config keep)" >/dev/null
		fi
		case $op in
		run) req=(RuntimeService/RunPodSandbox "$(pod_config "k$i")") ;;
		create) req=(RuntimeService/CreateContainer "$(container_config "c$i")") ;;
		start)
			id=$(cri_call RuntimeService/CreateContainer "$(container_config "c$i")" | jq -r .container_id)
			req=(RuntimeService/StartContainer "{\"container_id\":\"$id\"}")
			;;
		remove) req=(RuntimeService/RemovePodSandbox "{\"pod_sandbox_id\":\"$pod\"}") ;;
		esac
		before=$(cri_states)
		if [ -z "${took[$op]:-}" ]; then
			# the first of each runs whole: how long it takes bounds the instants of the kills
			t0=$(date +%s%N)
			cri_call "${req[@]}" >/dev/null
			took[$op]=$((($(date +%s%N) - t0) / 1000000))
		else
			cri_call "${req[@]}" >/dev/null 2>&1 &
			client=$!
			track_pid "$client"
			sleep "$(printf '0.%03d' $((RANDOM % (took[$op] > 999 ? 999 : took[$op] + 1))))"
			cri_kill_restart
			wait "$client" || true
		fi
		cri_check_consistent
		after=$(cri_states)
		# what the call did not touch answers as before
		jq -e -n --argjson b "$before" --argjson a "$after" --arg pod "$pod" --arg op "$op" '
			$b | to_entries | all(
				if $op == "remove" then true
				elif $op == "start" then true
				else $a[.key] == .value end)' >/dev/null ||
			{ echo "$op: before $before after $after"; false; }
		# then as the kubelet goes on: a pod that is not ready is stopped and removed
		for id in $(cri_call RuntimeService/ListPodSandbox | jq -r '.items[]? | select(.state == "SANDBOX_NOTREADY") | .id'); do
			cri_call RuntimeService/StopPodSandbox "{\"pod_sandbox_id\":\"$id\"}"
			cri_call RuntimeService/RemovePodSandbox "{\"pod_sandbox_id\":\"$id\"}"
		done
		[ "$op" = remove ] && pod=
		[ -n "$pod" ] && [ ! -d "$CTR_ROOT/cri/sandboxes/$pod" ] && pod=
		cri_check_consistent
	done
	for id in $(cri_call RuntimeService/ListPodSandbox | jq -r '.items[]?.id'); do
		cri_call RuntimeService/StopPodSandbox "{\"pod_sandbox_id\":\"$id\"}"
		cri_call RuntimeService/RemovePodSandbox "{\"pod_sandbox_id\":\"$id\"}"
	done
	[ "$(cri_call RuntimeService/ListPodSandbox)" = "{}" ]
	[ "$(cri_call RuntimeService/ListContainers)" = "{}" ]
	[ "$(ctr-run -n k8s.io ls --json | jq length)" = 0 ]
	for id in $(ls "$CTR_ROOT/cri/sandboxes"; ls "$CTR_ROOT/cri/containers"); do
		echo "left: $id: $(cat "$CTR_ROOT"/cri/*/"$id"/record.json)"
		false
	done
	# a creation or removal cut short left a dot name; the Lists above took it
	[ "$(ls -A "$CTR_ROOT/cri/sandboxes" "$CTR_ROOT/cri/containers" | grep -v '^\.lock$' | grep -v '^$' | grep -v ':$')" = "" ]
	[ -z "$(ls "$CTR_NETNS_DIR" 2>/dev/null)" ]
	cri_stop
}

# stream URL [OPTIONS]: a streaming session as tests/lib/cri-stream.py tells it (JSON).
stream() {
	"$CRI_PY" "$REPO_ROOT/tests/lib/cri-stream.py" "$@"
}

# stream_container CMD [CRI-OPTIONS]: ctr-cri started (with CRI-OPTIONS) and
# a container running CMD (a JSON array) in a host-network pod, its id in $c.
stream_container() {
	require_root
	require_cmd docker-registry skopeo umoci runc
	export CTR_RUNTIME_NO_VERSION_CHECK=1
	pod_network
	registry_start
	fixture_push busybox test/busybox:1
	cri_start "${@:2}"
	local img=$REGISTRY/test/busybox:1
	cri_call ImageService/PullImage "{\"image\":{\"image\":\"$img\"}}" >/dev/null
	pod=$(cri_call RuntimeService/RunPodSandbox "$(pod_config s "$HOST_NET")" | jq -r .pod_sandbox_id)
	c=$(cri_call RuntimeService/CreateContainer "{\"pod_sandbox_id\":\"$pod\",\"config\":{\"metadata\":{\"name\":\"c\"},\"image\":{\"image\":\"$img\"},\"command\":$(jq -c . <<<"$1")}}" | jq -r .container_id)
	cri_call RuntimeService/StartContainer "{\"container_id\":\"$c\"}" >/dev/null
	cri_wait_state "$c" CONTAINER_RUNNING
}

# tty_container NAME CMD FIELDS: a container of $pod (stream_container's)
# running CMD (a JSON array) with FIELDS ("tty":true,...) and its log in
# NAME/0.log, started; its id on stdout.
tty_container() {
	local id
	id=$(cri_call RuntimeService/CreateContainer "{\"pod_sandbox_id\":\"$pod\",\"config\":{\"metadata\":{\"name\":\"$1\"},\"image\":{\"image\":\"$REGISTRY/test/busybox:1\"},\"command\":$(jq -c . <<<"$2"),\"log_path\":\"$1/0.log\",$3}}" | jq -r .container_id)
	cri_call RuntimeService/StartContainer "{\"container_id\":\"$id\"}" >/dev/null
	cri_wait_state "$id" CONTAINER_RUNNING
	echo "$id"
}

# attach_url ID FIELDS: the URL an Attach of ID with FIELDS answers.
attach_url() {
	cri_call RuntimeService/Attach "{\"container_id\":\"$1\",$2}" | jq -r .url
}

# wait_file FILE TEXT: until FILE holds TEXT (10 s).
wait_file() {
	local i
	for ((i = 0; i < 100; i++)); do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "no '$2' in $1:" >&2
	cat "$1" >&2 || true
	return 1
}

# rss PID: its resident set in KiB.
rss() {
	awk '/^VmRSS:/ {print $2}' "/proc/$1/status"
}

# rss_bounded BEFORE DURING: DURING is less than 16 MiB above BEFORE. Not
# under the sanitizer build: ASan keeps freed blocks (256 MiB of them) in its
# quarantine, and every frame of input is a realloc.
rss_bounded() {
	echo "rss before $1 KiB, meanwhile $2 KiB"
	[ -n "${CTR_SAN_LOG:-}" ] || [ $(($2 - $1)) -lt 16384 ]
}

# exec_url FIELDS: the URL an Exec of $c with FIELDS ("k":v,...) answers.
exec_url() {
	cri_call RuntimeService/Exec "{\"container_id\":\"$c\",$1}" | jq -r .url
}

@test "cri: Exec and Attach through the streaming server (SPDY/3.1, v4.channel.k8s.io); a removed container's token" {
	stream_container '["sh","-c","i=0; while :; do echo tick $i; i=$((i+1)); sleep 0.2; done"]'
	# stdout and stderr apart, the exit code in the Status as the kubelet writes it
	url=$(exec_url '"cmd":["sh","-c","echo out; echo err >&2; exit 3"],"stdout":true,"stderr":true')
	[[ "$url" =~ ^http://127\.0\.0\.1:[0-9]+/exec/[A-Za-z0-9_-]{11}$ ]]
	run stream "$url" --stdout --stderr
	assert_status 0
	[ "$(jq -r .stdout <<<"$output")" = out ]
	[ "$(jq -r .stderr <<<"$output")" = err ]
	[ "$(jq -c .status <<<"$output")" = '{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: error executing command [sh -c echo out; echo err >&2; exit 3], exit code 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}' ]
	[ "$(jq -r .goaway <<<"$output")" = true ]
	# a token serves once
	run stream "$url" --stdout --stderr
	[ "$(jq -r .http <<<"$output")" = 404 ]
	# stdin piped through, to its end
	url=$(exec_url '"cmd":["cat"],"stdin":true,"stdout":true')
	run stream "$url" --stdout --stdin 'line one\nline two\n'
	[ "$(jq -r .stdout <<<"$output")" = $'line one\nline two' ]
	[ "$(jq -c .status <<<"$output")" = '{"metadata":{},"status":"Success"}' ]
	# more input than the server holds for a command that does not read yet: none lost
	head -c 3000000 /dev/zero >"$BATS_TEST_TMPDIR/in"
	url=$(exec_url '"cmd":["sh","-c","sleep 1; wc -c"],"stdin":true,"stdout":true')
	run stream "$url" --stdout --stdin-file "$BATS_TEST_TMPDIR/in"
	[ "$(jq -r .stdout <<<"$output" | tr -d ' ')" = 3000000 ]
	# flow control both ways: 32 MiB to a command that waits, 64 MiB from one to a
	# client that waits; what they wait for stays out of ctr-cri's memory
	head -c 33554432 /dev/zero >"$BATS_TEST_TMPDIR/in"
	before=$(rss "$CRI_PID")
	url=$(exec_url '"cmd":["sh","-c","sleep 4; wc -c"],"stdin":true,"stdout":true')
	stream "$url" --stdout --stdin-file "$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/up.json" &
	up=$!
	track_pid "$up"
	sleep 3
	during_up=$(rss "$CRI_PID")
	url=$(exec_url '"cmd":["head","-c","67108864","/dev/zero"],"stdout":true')
	stream "$url" --stdout --pause 4 --digest >"$BATS_TEST_TMPDIR/down.json" &
	down=$!
	track_pid "$down"
	sleep 3
	during_down=$(rss "$CRI_PID")
	wait "$up" "$down"
	rss_bounded "$before" "$during_up"
	rss_bounded "$before" "$during_down"
	[ "$(jq -r .stdout "$BATS_TEST_TMPDIR/up.json" | tr -d ' ')" = 33554432 ]
	[ "$(jq -r .stdout_bytes "$BATS_TEST_TMPDIR/down.json")" = 67108864 ]
	[ "$(jq -r .stdout_sha256 "$BATS_TEST_TMPDIR/down.json")" = "$(head -c 67108864 /dev/zero | sha256sum | cut -d' ' -f1)" ]
	# a terminal, of the size the client's first resize message gives
	url=$(exec_url '"cmd":["sh","-c","test -t 0 && test -t 1 && echo a tty; stty size"],"tty":true,"stdout":true')
	run stream "$url" --stdout --tty --size 100x30
	[ "$(jq -r .stdout <<<"$output" | tr -d '\r')" = $'a tty\n30 100' ]
	[ "$(jq -r .status.status <<<"$output")" = Success ]
	# and of a later one (ctr-run exec passes it on to the container's terminal)
	url=$(exec_url '"cmd":["sh","-c","stty size; sleep 3; stty size"],"tty":true,"stdout":true')
	run stream "$url" --stdout --tty --size 100x30 --resize-on '30 100' 120x40
	[ "$(jq -r .stdout <<<"$output" | tr -d '\r')" = $'30 100\n40 120' ]
	# ^P ^Q on a terminal are the process's keys, not ctr-run exec's detach keys
	# (the container's terminal may take ^Q for flow control)
	url=$(exec_url '"cmd":["sh","-c","read -r l; printf %s \"$l\" | od -An -tx1"],"tty":true,"stdin":true,"stdout":true')
	run stream "$url" --stdout --tty --stdin '\x10x\x10\x11\n'
	[[ "$(jq -r .stdout <<<"$output")" == *" 10 78 10"* ]] || { echo "$output"; false; }
	[ "$(jq -r .status.status <<<"$output")" = Success ]
	# attach: the running container's output, until we hang up
	run --separate-stderr cri_call RuntimeService/Attach "{\"container_id\":\"$c\",\"stdout\":true,\"stderr\":true}"
	url=$(jq -r .url <<<"$output")
	[[ "$url" =~ ^http://127\.0\.0\.1:[0-9]+/attach/[A-Za-z0-9_-]{11}$ ]]
	run stream "$url" --stdout --stderr --until tick --timeout 10
	assert_status 0
	[[ "$(jq -r .stdout <<<"$output")" =~ tick\ [0-9]+ ]]
	# the container runs on, and so does the server
	cri_wait_state "$c" CONTAINER_RUNNING
	# the container removed after its token was minted: the session says so in its Status
	url=$(exec_url '"cmd":["true"],"stdout":true')
	cri_call RuntimeService/StopContainer "{\"container_id\":\"$c\",\"timeout\":1}" >/dev/null
	cri_call RuntimeService/RemoveContainer "{\"container_id\":\"$c\"}" >/dev/null
	run stream "$url" --stdout
	[ "$(jq -r .http <<<"$output")" = 101 ]
	[ "$(jq -r .status.status <<<"$output")" = Failure ]
	[ "$(jq -r .status.reason <<<"$output")" = InternalError ]
	[ "$(jq -r .status.code <<<"$output")" = 500 ]
	[[ "$(jq -r .status.message <<<"$output")" == "Internal error occurred: error executing command in container: failed to exec in container:"* ]]
	cri_stop
}

@test "cri: a container with tty and stdin: Attach types to it, resizes it, detaches; stdin_once ends its stdin" {
	stream_container '["sleep","100"]'
	logs=$BATS_TEST_TMPDIR/pods/default_s
	# kubectl run -it: a terminal and stdin; ^P ^Q are its keys, not a detach
	t=$(tty_container t '["sh","-c","read -r l; printf %s \"$l\" | od -An -tx1; stty size; read -r m; echo \"got $m\"; sleep 2; stty size; exec sleep 100"]' '"tty":true,"stdin":true')
	url=$(attach_url "$t" '"tty":true,"stdin":true,"stdout":true')
	run stream "$url" --stdout --tty --size 100x30 --stdin 'a\x10\x11b\n' --until '30 100' --timeout 10
	assert_status 0
	[[ "$(jq -r .stdout <<<"$output")" == *" 61 10 "* ]] || { echo "$output"; false; }
	# hanging up detached: the container runs on, and a later Attach gets the terminal again
	cri_wait_state "$t" CONTAINER_RUNNING
	url=$(attach_url "$t" '"tty":true,"stdin":true,"stdout":true')
	run stream "$url" --stdout --tty --size 100x30 --stdin 'there\n' --resize-on 'got there' 120x40 --until '40 120' --timeout 10
	assert_status 0
	[[ "$(jq -r .stdout <<<"$output" | tr -d '\r')" == *$'got there\n40 120'* ]] || { echo "$output"; false; }
	cri_wait_state "$t" CONTAINER_RUNNING
	# its output is in its CRI log as stdout records
	wait_file "$logs/t/0.log" '40 120'
	grep -Eq '^[0-9-]+T[0-9:.]+Z stdout F got there' "$logs/t/0.log"
	run ! grep -q ' stderr ' "$logs/t/0.log"
	# stdin_once without a terminal: the end of the first Attach's stdin is the container's
	o=$(tty_container once '["sh","-c","cat; echo eof-seen; exec sleep 100"]' '"stdin":true,"stdin_once":true')
	url=$(attach_url "$o" '"stdin":true,"stdout":true,"stderr":true')
	run stream "$url" --stdout --stderr --stdin 'x1\n' --until eof-seen --timeout 10
	assert_status 0
	[ "$(jq -r .stdout <<<"$output")" = $'x1\neof-seen' ] || { echo "$output"; false; }
	cri_wait_state "$o" CONTAINER_RUNNING
	# with a terminal: the first Attach with stdin hangs up, the container reads end of file
	ot=$(tty_container oncetty '["sh","-c","cat; echo eof-seen; exec sleep 100"]' '"tty":true,"stdin":true,"stdin_once":true')
	url=$(attach_url "$ot" '"tty":true,"stdin":true,"stdout":true')
	run stream "$url" --stdout --tty --stdin 'y1\n' --until 'y1' --timeout 10
	assert_status 0
	wait_file "$logs/oncetty/0.log" eof-seen
	cri_wait_state "$ot" CONTAINER_RUNNING
	# without stdin_once, the end of an Attach's stdin leaves the container's open
	n=$(tty_container keep '["sh","-c","cat; echo eof-seen; exec sleep 100"]' '"stdin":true')
	url=$(attach_url "$n" '"stdin":true,"stdout":true')
	run stream "$url" --stdout --stdin 'z1\n' --until z1 --timeout 10
	assert_status 0
	sleep 1
	run ! grep -q eof-seen "$logs/keep/0.log"
	for id in "$t" "$o" "$ot" "$n" "$c"; do
		cri_call RuntimeService/StopContainer "{\"container_id\":\"$id\",\"timeout\":0}" >/dev/null
		cri_call RuntimeService/RemoveContainer "{\"container_id\":\"$id\"}" >/dev/null
	done
	cri_stop
}

@test "cri: streaming requests that are bad, unknown, used up or expired; garbage on the streaming port" {
	stream_container '["sleep","100"]' --stream-token-ttl 5
	# the checks of the kubelet's streaming library, in its words
	run --separate-stderr cri_call RuntimeService/Exec '{"cmd":["true"],"stdout":true}'
	[[ "$stderr" == "INVALID_ARGUMENT: missing required container_id"* ]]
	run --separate-stderr cri_call RuntimeService/Exec "{\"container_id\":\"$c\",\"cmd\":[\"true\"],\"tty\":true,\"stderr\":true}"
	[[ "$stderr" == "INVALID_ARGUMENT: tty and stderr cannot both be true"* ]]
	run --separate-stderr cri_call RuntimeService/Attach "{\"container_id\":\"$c\"}"
	[[ "$stderr" == "INVALID_ARGUMENT: one of stdin, stdout, or stderr must be set"* ]]
	run --separate-stderr cri_call RuntimeService/Exec '{"container_id":"0000","cmd":["true"],"stdout":true}'
	[[ "$stderr" == NOT_FOUND:* ]]
	url=$(exec_url '"cmd":["true"],"stdout":true')
	base=${url%/exec/*}
	# unknown tokens and paths: 404; an exec token on the attach path is spent and 404
	run stream "$base/exec/AAAAAAAAAAA" --stdout
	[ "$(jq -r .http <<<"$output")" = 404 ]
	run stream "$base/nothing" --stdout
	[ "$(jq -r .http <<<"$output")" = 404 ]
	run stream "$base/attach/${url##*/}" --stdout
	[ "$(jq -r .http <<<"$output")" = 404 ]
	run stream "$url" --stdout
	[ "$(jq -r .http <<<"$output")" = 404 ]
	# no protocol offered: 400; none we speak: 403; no upgrade: 400 (each spends its token)
	run stream "$(exec_url '"cmd":["true"],"stdout":true')" --stdout --protocol ''
	[ "$(jq -r .http <<<"$output")" = 400 ]
	[[ "$(jq -r .body <<<"$output")" == *"X-Stream-Protocol-Version is required"* ]]
	run stream "$(exec_url '"cmd":["true"],"stdout":true')" --stdout --protocol channel.k8s.io
	[ "$(jq -r .http <<<"$output")" = 403 ]
	[[ "$(jq -r .headers <<<"$output")" == *"X-Accepted-Stream-Protocol-Versions: v4.channel.k8s.io"* ]]
	run stream "$(exec_url '"cmd":["true"],"stdout":true')" --stdout --upgrade websocket
	[ "$(jq -r .http <<<"$output")" = 400 ]
	[[ "$(jq -r .body <<<"$output")" == *"websocket is not served"* ]]
	# expired: the server was started with tokens of 5 s
	url=$(exec_url '"cmd":["true"],"stdout":true')
	sleep 6
	run stream "$url" --stdout
	[ "$(jq -r .http <<<"$output")" = 404 ]
	# garbage: not HTTP, then not SPDY after the upgrade; the server lives on
	port=${base##*:}
	exec 7<>"/dev/tcp/127.0.0.1/$port"
	printf '\x16\x03\x01\x02\x00garbage\r\n\r\n' >&7
	run timeout 10 cat <&7
	exec 7>&-
	[[ "$output" == "HTTP/1.1 400 Bad Request"* ]]
	# SPDY/2, a frame of 16 MiB, a header block that does not inflate
	for raw in 80020001000000040000000100ffffffff0000 8003000100ffffff0000000100000000 \
		800300010000001200000001000000000000deadbeefdeadbeef; do
		run stream "$(exec_url '"cmd":["true"],"stdout":true')" --raw "$raw" --timeout 10
		[ "$(jq -r .closed <<<"$output")" = true ] || { echo "$raw: $output"; false; }
	done
	run stream "$(exec_url '"cmd":["echo","still here"],"stdout":true')" --stdout
	[ "$(jq -r .stdout <<<"$output")" = "still here" ]
	run cri_call RuntimeService/Version '{}'
	assert_status 0
	# a streaming port taken is a system failure; the options' usage errors
	run --separate-stderr ctr-cri --listen "$BATS_TEST_TMPDIR/other.sock" --stream-port "$port"
	assert_status 111
	[[ "$stderr" == *"streaming server: listen on 127.0.0.1 port $port"* ]]
	# SIGTERM with a session open: it ends (its command hung up), the server stops cleanly
	url=$(exec_url '"cmd":["sh","-c","echo ready; sleep 100"],"stdout":true')
	stream "$url" --stdout --progress "$BATS_TEST_TMPDIR/progress" --until never \
		>"$BATS_TEST_TMPDIR/session.json" &
	client=$!
	track_pid "$client"
	for ((i = 0; i < 200; i++)); do
		grep -q ready "$BATS_TEST_TMPDIR/progress" 2>/dev/null && break
		sleep 0.05
	done
	cri_stop
	wait "$client"
	[ "$(jq -r .http "$BATS_TEST_TMPDIR/session.json")" = 101 ]
	[ "$(jq -r .status "$BATS_TEST_TMPDIR/session.json")" = null ]
	for bad in '--stream-port 70000' '--stream-address nowhere' '--stream-token-ttl 0'; do
		run --separate-stderr ctr-cri --listen "$SOCK" $bad
		[ "$status" -eq 100 ] || { echo "$bad: $status $stderr"; false; }
	done
}

# Hostile input: a local user, a container, a kubelet that misbehaves.

@test "cri: the socket is the owner's alone, whatever the umask (an open one is root for any local user)" {
	mkdir -m 0755 "$BATS_TEST_TMPDIR/pub"
	SOCK=$BATS_TEST_TMPDIR/pub/cri.sock
	umask 000
	cri_start
	umask 022
	[ "$(stat -c %a "$SOCK")" = 600 ]
	run cri_call RuntimeService/Version '{}'
	assert_status 0
	cri_stop
}

@test "cri: a pod whose record would be too large to read back is refused, not made unlistable and unremovable" {
	cri_start
	python3 -c 'import json, sys; print(json.dumps({"config": {"metadata": {"name": "big", "uid": "u", "namespace": "d"},
		"annotations": {"a": "x" * 1500000},
		"linux": {"security_context": {"namespace_options": {"network": "NODE"}}}}}))' \
		>"$BATS_TEST_TMPDIR/big.json"
	run --separate-stderr cri_call RuntimeService/RunPodSandbox "@$BATS_TEST_TMPDIR/big.json"
	assert_status 1
	[[ "$stderr" == "INVALID_ARGUMENT: the record (names, labels, annotations) would take more than 1048575 bytes"* ]]
	[ -z "$(ls "$CTR_ROOT/cri/sandboxes")" ]
	run cri_call RuntimeService/ListPodSandbox '{}'
	assert_status 0
	[ "$output" = '{}' ]
	cri_stop
}

@test "cri: the streaming port is anyone's: idle connections cannot take the CRI socket's descriptors; a request trickled in is cut" {
	local nofile
	nofile=$(ulimit -Sn)
	ulimit -Sn 256
	cri_start --log-level info
	ulimit -Sn "$nofile"
	port=$(sed -n 's|.*streaming server on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$BATS_TEST_TMPDIR/cri.log")
	[ -n "$port" ]
	# a byte every half second: the head must be in within 10 s in all, not 10 s a read
	run python3 -c '
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
req = b"GET /exec/AAAAAAAAAAA HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"p" * 40
for n, b in enumerate(req):
    try:
        s.sendall(bytes([b]))
    except OSError:
        break
    s.settimeout(0.5)
    try:
        got = s.recv(4096)
        print(n + 1, got.split(b"\r\n")[0].decode())
        sys.exit(0)
    except socket.timeout:
        pass
    except OSError:
        print(n + 1, "reset")
        sys.exit(0)
print(len(req), "never cut")' "$port"
	assert_status 0
	[[ "$output" == *" HTTP/1.1 400 Bad Request" ]] || { echo "$output"; false; }
	(( ${output%% *} < 40 ))
	# 300 idle connections while ctr-cri may have 256 descriptors: 64 wait, the others get 503
	python3 -c '
import socket, sys, os, time
held, busy = [], 0
for i in range(300):
    s = socket.socket()
    s.settimeout(10)  # a SYN the full backlog dropped is sent again after 1 s
    try:
        s.connect(("127.0.0.1", int(sys.argv[1])))
    except OSError as e:
        print(i, e, file=sys.stderr)
        break
    held.append(s)
time.sleep(1)
for s in held:
    s.settimeout(0.01)
    try:
        if s.recv(64).startswith(b"HTTP/1.1 503"):
            busy += 1
    except OSError:
        pass
print(len(held), busy, flush=True)
while not os.path.exists(sys.argv[2]):
    time.sleep(0.1)' "$port" "$BATS_TEST_TMPDIR/done" >"$BATS_TEST_TMPDIR/held" &
	track_pid $!
	wait_nonempty "$BATS_TEST_TMPDIR/held"
	run cri_call RuntimeService/Version '{}'
	touch "$BATS_TEST_TMPDIR/done"
	assert_status 0
	read -r held busy <"$BATS_TEST_TMPDIR/held"
	[ "$held" -eq 300 ]
	[ "$busy" -ge 200 ]
	cri_stop
}

@test "cri: a container that can write in its pod's log directory cannot turn a log folder into a link elsewhere" {
	require_root
	cri_start
	busybox_pod p
	logs=$BATS_TEST_TMPDIR/pods/default_p
	mkdir -p "$logs" "$BATS_TEST_TMPDIR/elsewhere"
	# a log collector's container with the pod's log directory mounted: it plants a link
	c=$(cri_call RuntimeService/CreateContainer "$(jq -cn --arg pod "$pod" --arg img "$img" --arg logs "$logs" \
		--arg to "$BATS_TEST_TMPDIR/elsewhere" '{pod_sandbox_id: $pod, config: {metadata: {name: "collector"},
		image: {image: $img}, mounts: [{host_path: $logs, container_path: "/logs"}],
		command: ["sh", "-c", ("ln -s " + $to + " /logs/victim && sleep 100")]}}')" | jq -r .container_id)
	cri_call RuntimeService/StartContainer "{\"container_id\":\"$c\"}"
	for ((i = 0; i < 200; i++)); do
		[ -L "$logs/victim" ] && break
		sleep 0.05
	done
	[ -L "$logs/victim" ]
	# the next container's log folder is that name
	run --separate-stderr cri_call RuntimeService/CreateContainer "$(jq -cn --arg pod "$pod" --arg img "$img" \
		'{pod_sandbox_id: $pod, config: {metadata: {name: "victim"}, image: {image: $img},
		command: ["echo", "written by the container"], log_path: "victim/0.log"}}')"
	assert_status 1
	[[ "$stderr" == "INVALID_ARGUMENT: log_path 'victim/0.log': 'victim' in the pod's log directory is not a folder"* ]]
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/elsewhere")" ]
	run cri_call RuntimeService/ListContainers '{}'
	[ "$(jq '.containers | length' <<<"$output")" = 1 ]
	cri_stop
}

@test "cri: calls that hang (pulls from a registry that never answers) leave room for Status and the List calls" {
	cri_start
	# a registry that takes connections and never says a word
	python3 -c '
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(512)
print(s.getsockname()[1], flush=True)
held = []
while True:
    held.append(s.accept()[0])' >"$BATS_TEST_TMPDIR/silent.port" &
	silent=$!
	track_pid "$silent"
	wait_nonempty "$BATS_TEST_TMPDIR/silent.port"
	port=$(cat "$BATS_TEST_TMPDIR/silent.port")
	jq -cn --arg img "127.0.0.1:$port/never/answers:1" \
		'[range(64) | ["ImageService/PullImage", ({image: {image: $img}} | tojson)]]' |
		cri_together >"$BATS_TEST_TMPDIR/pulls.json" &
	pulls=$!
	track_pid "$pulls"
	# the pulls in flight: 48 of them hang, the others are told to come back
	for ((i = 0; i < 600; i++)); do
		[ "$(pgrep -c -f "ctr-pull.*127.0.0.1:$port/never" || true)" -ge 48 ] && break
		sleep 0.05
	done
	[ "$(pgrep -c -f "ctr-pull.*127.0.0.1:$port/never")" -ge 48 ]
	run cri_call RuntimeService/Status '{}'
	assert_status 0
	run cri_call RuntimeService/ListContainers '{}'
	assert_status 0
	kill "$silent"
	wait "$pulls" || true
	[ "$(jq '[.[] | select(.code == "UNAVAILABLE" and (.details | test("48 calls that may take long")))] | length' "$BATS_TEST_TMPDIR/pulls.json")" -eq 16 ]
	cri_stop
}

@test "cri: an ExecSync past its timeout ends its command, as containerd's does (a probe that hangs leaves nothing behind)" {
	require_root
	cri_start
	busybox_pod p
	c=$(cri_call RuntimeService/CreateContainer "$(container_config c)" | jq -r .container_id)
	cri_call RuntimeService/StartContainer "{\"container_id\":\"$c\"}"
	run --separate-stderr cri_call RuntimeService/ExecSync "{\"container_id\":\"$c\",\"cmd\":[\"sleep\",\"997\"],\"timeout\":1}"
	assert_status 1
	[[ "$stderr" == DEADLINE_EXCEEDED:*"timeout of 1 s"* ]]
	run ctr-run -n k8s.io exec "$c" -- ps -o args
	assert_status 0
	[[ "$output" != *"sleep 997"* ]] || { echo "$output"; false; }
	cri_stop
}

@test "cri: ExecSync keeps 16 MiB of each stream and no more, wherever the command writes (stderr is copied by ctr-run, outside the container's memory limit)" {
	require_root
	cri_start
	busybox_pod p
	c=$(cri_call RuntimeService/CreateContainer "$(container_config c)" | jq -r .container_id)
	cri_call RuntimeService/StartContainer "{\"container_id\":\"$c\"}"
	cri_call RuntimeService/ExecSync "{\"container_id\":\"$c\",\"cmd\":[\"sh\",\"-c\",\"head -c 100000000 /dev/zero >&2; head -c 100000000 /dev/zero; touch /written; sleep 3; echo end >&2\"],\"timeout\":60}" \
		>"$BATS_TEST_TMPDIR/exec.json" &
	exec_pid=$!
	track_pid "$exec_pid"
	until ctr-run -n k8s.io exec "$c" -- test -e /written; do sleep 0.1; done
	# the memory ctr-cri holds for the output while the command runs on
	n=0
	for fd in /proc/"$CRI_PID"/fd/*; do
		[[ "$(readlink "$fd")" == /memfd:execsync-* ]] || continue
		n=$((n + 1))
		(( $(stat -L -c '%b * %B' "$fd") <= 16777216 )) || { readlink "$fd"; stat -L "$fd"; false; }
	done
	[ "$n" -eq 2 ]
	wait "$exec_pid"
	[ "$(jq -r .stdout "$BATS_TEST_TMPDIR/exec.json" | base64 -d | wc -c)" -eq 16777216 ]
	[ "$(jq -r .stderr "$BATS_TEST_TMPDIR/exec.json" | base64 -d | wc -c)" -eq 16777216 ]
	cri_stop
}

@test "cri: --listen naming a file that is no socket leaves it alone (it was removed)" {
	echo precious >"$BATS_TEST_TMPDIR/notes"
	run --separate-stderr ctr-cri --listen "$BATS_TEST_TMPDIR/notes"
	assert_status 111
	[[ "$stderr" == *"'$BATS_TEST_TMPDIR/notes' is there and is no socket: not replaced"* ]]
	[ "$(cat "$BATS_TEST_TMPDIR/notes")" = precious ]
}

# The pod group a kubelet (cgroupfs driver) makes before RunPodSandbox, in
# the hierarchies it uses, with a memory limit: $KP (below each root).
kubelet_pod_group() {
	local c
	KP=ctrtest-kp$$/burstable/pod$1
	for c in memory cpu cpuacct pids freezer; do
		mkdir -p "/sys/fs/cgroup/$c/$KP"
	done
	echo $((256 << 20)) >"/sys/fs/cgroup/memory/$KP/memory.limit_in_bytes"
}

@test "cri: cgroup_parent: the pod's containers below the kubelet's pod group, limits there, pod stats from it, nothing left but the group" {
	local c1 c2 p1 p2 hostsleep pod ps bad
	require_root
	cri_start
	kubelet_pod_group 1
	busybox_pod unused
	# what RunPodSandbox refuses, leaving no pod
	for bad in relative/x /a/../b "/a b" kube.slice:ctr:x; do
		run --separate-stderr cri_call RuntimeService/RunPodSandbox "$(pod_config bad "\"linux\":{\"cgroup_parent\":\"$bad\",\"security_context\":{\"namespace_options\":{\"network\":\"NODE\"}}}")"
		[ "$status" -ne 0 ]
		[[ "$stderr" == "INVALID_ARGUMENT: LinuxPodSandboxConfig: --cgroup-parent"* ]]
	done
	[ "$(cri_call RuntimeService/ListPodSandbox '{"filter":{"label_selector":{"app":"bad"}}}')" = "{}" ]
	pod=$(cri_call RuntimeService/RunPodSandbox "$(pod_config kp "\"linux\":{\"cgroup_parent\":\"/$KP\",\"security_context\":{\"namespace_options\":{\"network\":\"NODE\"}}}")" | jq -r .pod_sandbox_id)
	c1=$(cri_call RuntimeService/CreateContainer "$(jq -c '.config.linux = {resources: {memory_limit_in_bytes: 67108864}}' <<<"$(container_config a 0 sleep 1000)")" | jq -r .container_id)
	c2=$(cri_call RuntimeService/CreateContainer "$(container_config b 0 sleep 1000)" | jq -r .container_id)
	cri_call RuntimeService/StartContainer "{\"container_id\":\"$c1\"}"
	cri_call RuntimeService/StartContainer "{\"container_id\":\"$c2\"}"
	cri_wait_state "$c1" CONTAINER_RUNNING
	cri_wait_state "$c2" CONTAINER_RUNNING
	p1=$(ctr-run -n k8s.io state "$c1" | jq .pid) p2=$(ctr-run -n k8s.io state "$c2" | jq .pid)
	grep -qx "[0-9]*:memory:/$KP/k8s.io-$c1" "/proc/$p1/cgroup"
	grep -qx "[0-9]*:memory:/$KP/k8s.io-$c2" "/proc/$p2/cgroup"
	grep -qx "[0-9]*:pids:/$KP/k8s.io-$c2" "/proc/$p2/cgroup"
	[ ! -e "/sys/fs/cgroup/memory/ctr/k8s.io-$c1" ]
	[ "$(cat "/sys/fs/cgroup/memory/$KP/k8s.io-$c1/memory.limit_in_bytes")" = 67108864 ]
	# UpdateContainerResources acts on the container's own group, not the pod's
	cri_call RuntimeService/UpdateContainerResources "{\"container_id\":\"$c1\",\"linux\":{\"memory_limit_in_bytes\":100663296}}"
	[ "$(cat "/sys/fs/cgroup/memory/$KP/k8s.io-$c1/memory.limit_in_bytes")" = 100663296 ]
	[ "$(cat "/sys/fs/cgroup/memory/$KP/memory.limit_in_bytes")" = $((256 << 20)) ]
	run cri_call RuntimeService/ContainerStats "{\"container_id\":\"$c1\"}"
	[ "$(json_get "$output" .stats.memory.available_bytes.value)" -le 100663296 ]
	# the pod's numbers are its group's: a task the kubelet's side put there counts
	sleep 1000 &
	hostsleep=$!
	track_pid "$hostsleep"
	echo "$hostsleep" >"/sys/fs/cgroup/pids/$KP/cgroup.procs"
	echo "$hostsleep" >"/sys/fs/cgroup/memory/$KP/cgroup.procs"
	exec_out "$c2" sh -c 'dd if=/dev/zero of=/dev/shm/fill bs=1M count=24 2>/dev/null'
	run cri_call RuntimeService/PodSandboxStats "{\"pod_sandbox_id\":\"$pod\"}"
	assert_status 0
	ps=$output
	[ "$(jq -r '.stats.linux.containers | length' <<<"$ps")" = 2 ]
	[ "$(jq -r .stats.linux.process.process_count.value <<<"$ps")" = 3 ]
	[ "$(jq -r .stats.linux.process.process_count.value <<<"$ps")" = "$(cat "/sys/fs/cgroup/pids/$KP/pids.current")" ]
	[ "$(jq -r .stats.linux.memory.usage_bytes.value <<<"$ps")" -ge $((24 << 20)) ]
	[ "$(jq -r .stats.linux.memory.available_bytes.value <<<"$ps")" -le $((232 << 20)) ]
	[ "$(jq -r .stats.linux.cpu.usage_core_nano_seconds.value <<<"$ps")" -gt 0 ]
	kill "$hostsleep"
	wait "$hostsleep" || true
	# stop and remove: the containers' groups go; the pod group is the kubelet's
	cri_call RuntimeService/StopPodSandbox "{\"pod_sandbox_id\":\"$pod\"}"
	cri_call RuntimeService/RemovePodSandbox "{\"pod_sandbox_id\":\"$pod\"}"
	assert_none "containers' groups" "$(ls -d /sys/fs/cgroup/*/"$KP"/k8s.io-* 2>/dev/null)"
	[ -d "/sys/fs/cgroup/memory/$KP" ]
	cgroup_tree_remove "ctrtest-kp$$"
	assert_none "the pod group" "$(ls -d /sys/fs/cgroup/*/ctrtest-kp$$ 2>/dev/null)"
}

@test "cri: a container that allocates past its memory limit: exited, OOMKilled, 137, as containerd answers" {
	local c pod
	require_root
	cri_start
	kubelet_pod_group 2
	busybox_pod unused
	pod=$(cri_call RuntimeService/RunPodSandbox "$(pod_config oom "\"linux\":{\"cgroup_parent\":\"/$KP\",\"security_context\":{\"namespace_options\":{\"network\":\"NODE\"}}}")" | jq -r .pod_sandbox_id)
	# below the pod's group; the shell that is the container's init holds the memory: the OOM killer's choice
	c=$(cri_call RuntimeService/CreateContainer "$(jq -c --arg s 'a=$(yes aaaaaaaaaaaaaaaa | head -c 268435456); echo survived' \
		'.config.command = ["sh", "-c", $s] | .config.linux = {resources: {memory_limit_in_bytes: 33554432}}' <<<"$(container_config hog)")" | jq -r .container_id)
	cri_call RuntimeService/StartContainer "{\"container_id\":\"$c\"}"
	cri_wait_state "$c" CONTAINER_EXITED
	run cri_call RuntimeService/ContainerStatus "{\"container_id\":\"$c\"}"
	assert_status 0
	[ "$(json_get "$output" '[.status.state, .status.exit_code, .status.reason] | join(" ")')" = "CONTAINER_EXITED 137 OOMKilled" ]
	[ "$(json_get "$output" .status.finished_at)" -ge "$(json_get "$output" .status.started_at)" ]
	# one KILLed by StopContainer also exits 137, and is no OOM
	c=$(cri_call RuntimeService/CreateContainer "$(container_config killed 0 sleep 1000)" | jq -r .container_id)
	cri_call RuntimeService/StartContainer "{\"container_id\":\"$c\"}"
	cri_wait_state "$c" CONTAINER_RUNNING
	cri_call RuntimeService/StopContainer "{\"container_id\":\"$c\",\"timeout\":0}"
	run cri_call RuntimeService/ContainerStatus "{\"container_id\":\"$c\"}"
	[ "$(json_get "$output" '[.status.exit_code, .status.reason] | join(" ")')" = "137 Error" ]
	cri_call RuntimeService/RemovePodSandbox "{\"pod_sandbox_id\":\"$pod\"}"
	assert_none "containers' groups" "$(ls -d /sys/fs/cgroup/*/"$KP"/k8s.io-* 2>/dev/null)"
}

@test "cri: Exec and Attach of a container that is not running fail at the call, in containerd 1.6's words" {
	require_root
	cri_start
	busybox_pod
	c=$(cri_call RuntimeService/CreateContainer "$(container_config c 0 sh -c 'exit 0')" | jq -r .container_id)
	declare -A cmd=([Exec]='"cmd":["true"],' [Attach]='')
	for m in Exec Attach; do
		run --separate-stderr cri_call RuntimeService/$m "{\"container_id\":\"$c\",${cmd[$m]}\"stdout\":true}"
		assert_status 1
		[[ "$stderr" == "UNKNOWN: container is in CONTAINER_CREATED state"* ]] || { echo "$m: $stderr"; false; }
	done
	cri_call RuntimeService/StartContainer "{\"container_id\":\"$c\"}" >/dev/null
	cri_wait_state "$c" CONTAINER_EXITED
	# the state is checked before the streams asked for, as containerd does
	run --separate-stderr cri_call RuntimeService/Exec "{\"container_id\":\"$c\",\"cmd\":[\"true\"],\"tty\":true,\"stderr\":true}"
	[[ "$stderr" == "UNKNOWN: container is in CONTAINER_EXITED state"* ]]
	run --separate-stderr cri_call RuntimeService/Attach "{\"container_id\":\"$c\",\"stdout\":true}"
	[[ "$stderr" == "UNKNOWN: container is in CONTAINER_EXITED state"* ]]
	cri_stop
}

# pf_url POD: the URL a PortForward of POD answers.
pf_url() {
	cri_call RuntimeService/PortForward "{\"pod_sandbox_id\":\"$1\"}" | jq -r .url
}

# forward URL JSON: the requests of JSON on one port-forward session (cri-stream.py's JSON).
forward() {
	stream "$1" --protocol portforward.k8s.io --portforward "$2" --timeout 60
}


# pf_pod: a pod of its own network ($pod) whose container $c serves on its
# loopback: 7301 answers a line, 7302 hashes what it is sent, 7303 sends 64 MiB.
pf_pod() {
	local script i
	cri_call ImageService/PullImage "{\"image\":{\"image\":\"$img\"}}" >/dev/null
	pod=$(cri_call RuntimeService/RunPodSandbox "$(pod_config pf)" | jq -r .pod_sandbox_id)
	script='nc -ll -p 7301 -e sh -c "read x; echo got \$x" &
		nc -ll -p 7302 -e sha256sum &
		nc -ll -p 7303 -e head -c 67108864 /dev/zero &
		wait'
	c=$(cri_call RuntimeService/CreateContainer "$(container_config srv | jq -c --arg s "$script" '.config.command = ["sh", "-c", $s]')" | jq -r .container_id)
	cri_call RuntimeService/StartContainer "{\"container_id\":\"$c\"}" >/dev/null
	# until the three listen (state 0A) in the pod's namespace
	for ((i = 0; i < 200; i++)); do
		[ "$(ctr-netns exec "cri-$pod" -- cat /proc/net/tcp /proc/net/tcp6 |
			awk '$4 == "0A" && $2 ~ /:1C8[567]$/' | wc -l)" -ge 3 ] && return 0
		sleep 0.05
	done
	return 1
}

@test "cri: PortForward relays requests to ports on the pod's loopback (portforward.k8s.io over SPDY/3.1)" {
	cri_with_busybox
	pf_pod
	url=$(pf_url "$pod")
	[[ "$url" =~ ^http://127\.0\.0\.1:[0-9]+/portforward/[A-Za-z0-9_-]{11}$ ]]
	# two requests at once on one connection, and a closed port: its message on the error stream
	run forward "$url" '[{"port":7301,"send":"one\n"},{"port":7301,"send":"two\n"},{"port":7399}]'
	assert_status 0
	[ "$(jq -r .http <<<"$output")" = 101 ]
	[ "$(jq -r '.requests[0].data' <<<"$output")" = "got one" ]
	[ "$(jq -r '.requests[1].data' <<<"$output")" = "got two" ]
	[ "$(jq -r '[.requests[0,1].error] | join("")' <<<"$output")" = "" ]
	[ "$(jq -r '[.requests[].ended] | all' <<<"$output")" = true ]
	[ "$(jq -r '.requests[2].data' <<<"$output")" = "" ]
	[ "$(jq -r '.requests[2].error' <<<"$output")" = "error forwarding port 7399 to pod $pod, uid : failed to execute portforward in network namespace \"$CTR_NETNS_DIR/cri-$pod\": failed to connect to localhost:7399 inside namespace \"$pod\", IPv4: dial tcp4 127.0.0.1:7399: connect: connection refused IPv6 dial tcp6 [::1]:7399: connect: connection refused " ]
	# the token is spent
	run forward "$url" '[{"port":7301,"send":"again\n"}]'
	[ "$(jq -r .http <<<"$output")" = 404 ]
	# bad headers: each stream reset (as the kubelet's), the session goes on
	run forward "$(pf_url "$pod")" '[{"headers":{"port":"0","requestid":"1"}},
		{"headers":{"port":"http","requestid":"2"}}, {"headers":{"port":"70000","requestid":"3"}},
		{"headers":{"requestid":"4"}}, {"headers":{"port":"7301","streamtype":"stdin","requestid":"5"}},
		{"port":7301,"send":"after\n"}]'
	[ "$(jq -r '[.requests[0:5][].reset] | all' <<<"$output")" = true ]
	[ "$(jq -r '.requests[5].data' <<<"$output")" = "got after" ]
	[ "$(jq -r '.requests[5].reset' <<<"$output")" = false ]
	# 32 MiB up, hashed in the pod; 64 MiB down to a reader that pauses: our memory stays
	head -c 33554432 /dev/urandom >"$BATS_TEST_TMPDIR/up"
	run forward "$(pf_url "$pod")" "[{\"port\":7302,\"send_file\":\"$BATS_TEST_TMPDIR/up\"}]"
	[ "$(jq -r '.requests[0].data' <<<"$output")" = "$(sha256sum <"$BATS_TEST_TMPDIR/up")" ]
	before=$(rss "$CRI_PID")
	forward "$(pf_url "$pod")" '[{"port":7303,"pause":4}]' >"$BATS_TEST_TMPDIR/down.json" &
	client=$!
	track_pid "$client"
	sleep 3
	during=$(rss "$CRI_PID")
	wait "$client"
	rss_bounded "$before" "$during"
	[ "$(jq -r '.requests[0].bytes' "$BATS_TEST_TMPDIR/down.json")" = 67108864 ]
	[ "$(jq -r '.requests[0].sha256' "$BATS_TEST_TMPDIR/down.json")" = "$(head -c 67108864 /dev/zero | sha256sum | cut -d' ' -f1)" ]
	# the call's refusals: no pod named, no such pod, a pod stopped
	run --separate-stderr cri_call RuntimeService/PortForward '{}'
	[[ "$stderr" == "INVALID_ARGUMENT: missing required pod_sandbox_id"* ]]
	run --separate-stderr cri_call RuntimeService/PortForward '{"pod_sandbox_id":"0000"}'
	[[ "$stderr" == NOT_FOUND:* ]]
	url=$(pf_url "$pod")
	# the protocol is the port-forward one; a port-forward token is no exec's
	run stream "$url" --protocol v4.channel.k8s.io
	[ "$(jq -r .http <<<"$output")" = 403 ]
	[[ "$(jq -r .headers <<<"$output")" == *"X-Accepted-Stream-Protocol-Versions: portforward.k8s.io"* ]]
	url=$(pf_url "$pod")
	run stream "${url/portforward/exec}" --stdout
	[ "$(jq -r .http <<<"$output")" = 404 ]
	cri_call RuntimeService/StopPodSandbox "{\"pod_sandbox_id\":\"$pod\"}" >/dev/null
	run --separate-stderr cri_call RuntimeService/PortForward "{\"pod_sandbox_id\":\"$pod\"}"
	[[ "$stderr" == "UNKNOWN: sandbox container is not running"* ]]
	cri_stop
}

@test "cri: PortForward of a host-network pod connects on the host's loopback" {
	require_root
	cri_start
	busybox_pod
	# a server of the test's on the host's 127.0.0.1, on a port the kernel chose
	"$CRI_PY" -c 'import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(4)
print(s.getsockname()[1], flush=True)
while True:
    c, _ = s.accept(); c.sendall(b"host side\n"); c.close()' >"$BATS_TEST_TMPDIR/port" &
	track_pid $!
	for ((i = 0; i < 100; i++)); do [ -s "$BATS_TEST_TMPDIR/port" ] && break; sleep 0.05; done
	port=$(cat "$BATS_TEST_TMPDIR/port")
	run forward "$(pf_url "$pod")" "[{\"port\":$port}]"
	[ "$(jq -r '.requests[0].data' <<<"$output")" = "host side" ]
	[ "$(jq -r '.requests[0].error' <<<"$output")" = "" ]
	cri_stop
}

# go_client: tests/lib/cri-stream-go built (offline, against Debian's
# moby/spdystream) once per file, as $GO_CLIENT.
go_client() {
	require_cmd go
	[ -d /usr/share/gocode/src/github.com/moby/spdystream ] ||
		skip "needs golang-github-docker-spdystream-dev"
	GO_CLIENT=$BATS_FILE_TMPDIR/cri-stream-go
	[ -x "$GO_CLIENT" ] && return 0
	(cd "$REPO_ROOT/tests/lib/cri-stream-go" &&
		GOPATH=/usr/share/gocode GO111MODULE=off GOFLAGS= GOCACHE=$BATS_FILE_TMPDIR/gocache \
			go build -o "$GO_CLIENT" .)
}

@test "cri: the API server's own SPDY library (Go, moby/spdystream) does Exec and PortForward with us" {
	go_client
	cri_with_busybox
	pf_pod
	# exec: stdout, stderr and the Status of an exit code; stdin to its end
	url=$(cri_call RuntimeService/Exec "{\"container_id\":\"$c\",\"cmd\":[\"sh\",\"-c\",\"echo out; echo err >&2; exit 3\"],\"stdout\":true,\"stderr\":true}" | jq -r .url)
	run "$GO_CLIENT" exec "$url"
	assert_status 0
	[ "$(jq -r .stdout <<<"$output")" = out ]
	[ "$(jq -r .stderr <<<"$output")" = err ]
	[ "$(jq -r .status.reason <<<"$output")" = NonZeroExitCode ]
	[ "$(jq -r '.status.details.causes[0].message' <<<"$output")" = 3 ]
	head -c 5000000 /dev/urandom >"$BATS_TEST_TMPDIR/in"
	url=$(cri_call RuntimeService/Exec "{\"container_id\":\"$c\",\"cmd\":[\"sha256sum\"],\"stdin\":true,\"stdout\":true,\"stderr\":true}" | jq -r .url)
	run "$GO_CLIENT" exec -stdin "$BATS_TEST_TMPDIR/in" "$url"
	assert_status 0
	[ "$(jq -r .stdout <<<"$output")" = "$(sha256sum <"$BATS_TEST_TMPDIR/in")" ]
	[ "$(jq -r .status.status <<<"$output")" = Success ]
	# port-forward: three requests at once, one to a closed port
	run "$GO_CLIENT" portforward -send $'go\n' "$(pf_url "$pod")" 7301 7301 7399
	assert_status 0
	[ "$(jq -r '[.requests[0,1].data] | join(",")' <<<"$output")" = $'got go\n,got go' ]
	[ "$(jq -r '[.requests[0,1].error] | join("")' <<<"$output")" = "" ]
	[[ "$(jq -r '.requests[2].error' <<<"$output")" == "error forwarding port 7399 to pod $pod, uid : failed to execute portforward in network namespace"*"connection refused "* ]]
	# 5 MB up and its hash back; 64 MiB down
	run "$GO_CLIENT" portforward "$(pf_url "$pod")" "7302@$BATS_TEST_TMPDIR/in" 7303
	assert_status 0
	[ "$(jq -r '.requests[0].data' <<<"$output")" = "$(sha256sum <"$BATS_TEST_TMPDIR/in")" ]
	[ "$(jq -r '.requests[1].bytes' <<<"$output")" = 67108864 ]
	[ "$(jq -r '.requests[1].sha256' <<<"$output")" = "$(head -c 67108864 /dev/zero | sha256sum | cut -d' ' -f1)" ]
	cri_stop
}

@test "cri: what a killed ctr-cri left half-made or half-removed (dot names) is taken by the next listing; a live creator's is not" {
	require_root
	cri_start
	local sb=$CTR_ROOT/cri/sandboxes ct=$CTR_ROOT/cri/containers dead=4194304
	mkdir -p "$sb/.gone-0123456789abcdef0123456789abcdef/x" "$sb/.new-$dead-0123456789abcdef0123456789abcdef" \
		"$sb/.new-$$-0123456789abcdef0123456789abcdef" "$ct/.gone-0123456789abcdef0123456789abcdef"
	echo '{}' >"$sb/.gone-0123456789abcdef0123456789abcdef/x/record.json"
	[ "$(cri_call RuntimeService/ListPodSandbox)" = "{}" ]
	[ "$(cri_call RuntimeService/ListContainers)" = "{}" ]
	[ "$(ls -A "$sb" | grep -v '^\.lock$')" = ".new-$$-0123456789abcdef0123456789abcdef" ]
	[ -z "$(ls -A "$ct" | grep -v '^\.lock$')" ]
	rmdir "$sb/.new-$$-0123456789abcdef0123456789abcdef"
	cri_stop
}
