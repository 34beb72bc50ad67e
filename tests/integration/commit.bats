#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# ctr-snapshot diff and ctr-image commit: a container's changes as a layer,
# run again by ctr-run, pushed to a real registry and read back by skopeo
# and umoci, pulled and run by containerd and podman; the same change gives
# the same bytes; bad input changes nothing.

bats_require_minimum_version 1.5.0
load ../lib/helpers
load ../lib/registry
load ../lib/containers

setup_file() { busybox_registry_start; }
teardown_file() { busybox_registry_stop; }
setup() { containers_setup; }
teardown() { containers_teardown; }

CHANGE='echo hi >/new; rm /etc/motd; mkdir -p /d && touch /d/x'

# run_change ID [SNAPSHOTTER]: a stopped container ID that made CHANGE.
run_change() {
	local id=$1 drv=${2:-overlay} doc=$BATS_TEST_TMPDIR/snap-$2.json
	ctr-pull -q "$IMG" | ctr-unpack --snapshotter "$drv" >"$doc"
	ctr-run run --name "$(cid "$id")" - -- sh -c "$CHANGE" <"$doc"
}

# check_changed ROOTFS: CHANGE is what ROOTFS shows.
check_changed() {
	[ "$(cat "$1/new")" = hi ]
	[ ! -e "$1/etc/motd" ] && [ ! -e "$1/etc/.wh.motd" ]
	[ -f "$1/d/x" ] && [ -f "$1/etc/passwd" ]
}

# A listing of the store (for "nothing changed").
store_listing() {
	(cd "$CTR_ROOT" && find . ! -name '*.lock' -printf '%p %y %s\n' | LC_ALL=C sort)
}

@test "commit: the committed image runs with the container's change, deletion and new directory" {
	local drv out cfg base
	base=$(ctr-image inspect "$IMG" | jq '.image.layers | length')
	for drv in overlay native; do
		run_change "c-$drv" "$drv"
		run --separate-stderr ctr-image commit -m "made by a test" -a tester \
			-c 'ENV=GREETING=hello' -c 'CMD ["cat", "/new"]' -c WORKDIR=/d \
			"c-$drv" "localhost/committed:$drv"
		assert_status 0
		out=$output
		# one more layer than the base, the new config's history and changes
		[ "$(jq '.layers | length' <<<"$out")" = $((base + 1)) ]
		cfg=$(cat "$(store_blob "$(jq -r .config.digest <<<"$out")")")
		jq -e '.history[-1] | .comment == "made by a test" and .author == "tester" and
			(.created_by | contains("echo hi"))' <<<"$cfg"
		jq -e '.config.Cmd == ["cat", "/new"] and .config.WorkingDir == "/d" and
			(.config.Env | index("GREETING=hello") != null)' <<<"$cfg"
		[ "$(jq -r '.rootfs.diff_ids[-1]' <<<"$cfg")" = "$(jq -r '.diff_ids[-1]' <<<"$out")" ]
		run --separate-stderr bash -c 'ctr-image inspect "$1" | jq .image | ctr-unpack --snapshotter "$2" - |
			ctr-run run --rm - -- sh -c "cat /new; ls /etc; ls /d; pwd; echo \$GREETING"' _ \
			"localhost/committed:$drv" "$drv"
		assert_status 0
		[ "${lines[0]}" = hi ]
		[ -z "$(grep -x motd <<<"$output")" ]
		grep -qx passwd <<<"$output"
		grep -qx x <<<"$output"
		[ "${lines[-2]}" = /d ] && [ "${lines[-1]}" = hello ]
	done
}

# layer_names DIFF-JSON: the entries of the layer a diff printed, as tar -tv lists them.
layer_names() {
	tar -tvzf "$(store_blob "$(jq -r .digest <<<"$1")")" | awk '{print $1, $2, $NF}'
}

@test "diff: the entries of the change, the same bytes for the same change on both snapshotters" {
	local drv a b first=
	for drv in overlay native; do
		run_change "d1-$drv" "$drv"
		run_change "d2-$drv" "$drv"
		a=$(SOURCE_DATE_EPOCH=1000 ctr-snapshot --snapshotter "$drv" diff "ctr:default:d1-$drv")
		b=$(SOURCE_DATE_EPOCH=1000 ctr-snapshot --snapshotter "$drv" diff "ctr:default:d2-$drv")
		# the same change made twice: the same blob, to the byte
		[ "$(jq -r .digest <<<"$a")" = "$(jq -r .digest <<<"$b")" ]
		[ "$(jq -r .mediaType <<<"$a")" = application/vnd.oci.image.layer.v1.tar+gzip ]
		[ "$(jq -r .diffID <<<"$a")" = "sha256:$(gzip -dc "$(store_blob "$(jq -r .digest <<<"$a")")" | sha256sum | cut -d' ' -f1)" ]
		[ "$(jq -r .size <<<"$a")" = "$(stat -c %s "$(store_blob "$(jq -r .digest <<<"$a")")")" ]
		# sorted, numeric owners, whiteout of the deleted file, mtimes clamped
		[ "$(layer_names "$a")" = "$(printf '%s\n' 'drwxr-xr-x 0/0 d/' '-rw-r--r-- 0/0 d/x' \
			'drwxr-xr-x 0/0 etc/' '---------- 0/0 etc/.wh.motd' '-rw-r--r-- 0/0 new')" ]
		tar -tvzf "$(store_blob "$(jq -r .digest <<<"$a")")" | awk '{print $4}' | sort -u |
			grep -qx 1970-01-01
		# without SOURCE_DATE_EPOCH a diff of one snapshot is still the same bytes twice
		[ "$(ctr-snapshot --snapshotter "$drv" diff "ctr:default:d1-$drv" | jq -r .digest)" = \
			"$(ctr-snapshot --snapshotter "$drv" diff "ctr:default:d1-$drv" | jq -r .digest)" ]
		first=${first:-$a}
	done
	# overlay's upper directory and native's comparison find the same change
	[ "$first" = "$a" ]
	# zstd and none: their own media types, the same tar (diffID)
	a=$(SOURCE_DATE_EPOCH=1000 ctr-snapshot diff --compression zstd "ctr:default:d1-overlay")
	b=$(SOURCE_DATE_EPOCH=1000 ctr-snapshot diff --compression none "ctr:default:d1-overlay")
	[ "$(jq -r .mediaType <<<"$a")" = application/vnd.oci.image.layer.v1.tar+zstd ]
	[ "$(jq -r .mediaType <<<"$b")" = application/vnd.oci.image.layer.v1.tar ]
	[ "$(jq -r .diffID <<<"$a")" = "$(jq -r .diffID <<<"$first")" ]
	[ "$(jq -r .diffID <<<"$b")" = "$(jq -r .digest <<<"$b")" ]
	zstd -dc "$(store_blob "$(jq -r .digest <<<"$a")")" | cmp - "$(store_blob "$(jq -r .digest <<<"$b")")"
	# -o: a copy of the blob in a file, or on stdout instead of the descriptor
	a=$(SOURCE_DATE_EPOCH=1000 ctr-snapshot diff -o "$BATS_TEST_TMPDIR/l.tgz" "ctr:default:d1-overlay")
	[ "$(jq -r .digest <<<"$a")" = "$(jq -r .digest <<<"$first")" ]
	cmp "$BATS_TEST_TMPDIR/l.tgz" "$(store_blob "$(jq -r .digest <<<"$a")")"
	SOURCE_DATE_EPOCH=1000 ctr-snapshot diff -o - "ctr:default:d1-overlay" | cmp - "$BATS_TEST_TMPDIR/l.tgz"
	# a refused diff leaves no file
	run --separate-stderr ctr-snapshot diff -o "$BATS_TEST_TMPDIR/no.tgz" no-such
	assert_status 100
	[ -z "$(find "$BATS_TEST_TMPDIR" -maxdepth 1 -name 'no.tgz*')" ]
}

# view_of DOC NAME: mount a view of the top of the snapshot document DOC; prints the mount point.
view_of() {
	local m=$BATS_TEST_TMPDIR/view-$2
	mkdir -p "$m"
	ctr-snapshot --snapshotter "$(jq -r .snapshotter "$1")" view --parent "$(jq -r .chain_id "$1")" "$2" >/dev/null
	ctr-snapshot --snapshotter "$(jq -r .snapshotter "$1")" mount "$2" "$m"
	echo "$m"
}

@test "commit: pushed, copied by skopeo and unpacked by umoci, the same tree as ours; opaque dirs" {
	require_cmd skopeo umoci
	local drv ref doc m lay=$BATS_TEST_TMPDIR/oci sk=()
	mapfile -t sk < <(registry_skopeo_args src)
	for drv in overlay native; do
		ctr-pull -q "$IMG" | ctr-unpack --snapshotter "$drv" >"$BATS_TEST_TMPDIR/b.json"
		# an opaque directory on overlay (a directory removed and made again), whiteouts on native
		ctr-run run --name "$(cid "p-$drv")" - -- sh -c "$CHANGE; rm -rf /home; mkdir -p /home/only" \
			<"$BATS_TEST_TMPDIR/b.json"
		ref=$REGISTRY/test/committed:$drv
		ctr-image commit "p-$drv" "$ref" >/dev/null
		if [ "$drv" = overlay ]; then
			tar -tzf "$(store_blob "$(ctr-image inspect "$ref" | jq -r '.image.layers[-1].digest')")" |
				grep -qx 'home/.wh..wh..opq'
		fi
		run --separate-stderr ctr-push -q "$ref"
		assert_status 0
		skopeo --insecure-policy copy -q "${sk[@]}" "docker://$ref" "oci:$lay:$drv"
		umoci unpack --image "$lay:$drv" "$BATS_TEST_TMPDIR/u-$drv" >/dev/null
		check_changed "$BATS_TEST_TMPDIR/u-$drv/rootfs"
		[ "$(ls "$BATS_TEST_TMPDIR/u-$drv/rootfs/home")" = only ]
		# our unpack of the committed image and umoci's: the same tree
		doc=$BATS_TEST_TMPDIR/c-$drv.json
		ctr-image inspect "$ref" | jq .image | ctr-unpack --snapshotter "$drv" - >"$doc"
		m=$(view_of "$doc" "v-$drv")
		[ "$(tree_manifest "$m")" = "$(tree_manifest "$BATS_TEST_TMPDIR/u-$drv/rootfs")" ]
		ctr-snapshot umount "$m"
	done
}

@test "commit and diff: bad input is one line, exit 100, and the store as it was" {
	local before base
	ctr-run run --name "$(cid bad)" "$IMG" -- true
	base=$(jq -r .chain_id "$SNAP")
	ctr-snapshot prepare lonely >/dev/null
	before=$(store_listing)
	for args in "commit no-such localhost/x:1" "commit bad localhost/UPPER:1" \
		"commit -c NOPE=1 bad localhost/x:1" "commit -c WORKDIR=rel bad localhost/x:1" \
		"commit --compression lz4 bad localhost/x:1" "commit ../bad localhost/x:1" \
		"commit --max-layers 1 bad localhost/x:1"; do
		run --separate-stderr ctr-image $args
		assert_status 100
		[ "${#stderr_lines[@]}" = 1 ]
		[[ "$stderr" == "ctr-image: fatal: "* ]]
		[ "$(store_listing)" = "$before" ]
	done
	run --separate-stderr ctr-image commit no-such localhost/x:1
	[ "$stderr" = "ctr-image: fatal: container 'no-such' does not exist" ]
	# a layer more than the limit allows: refused before the diff (import would refuse it)
	run --separate-stderr ctr-image commit --max-layers 1 bad localhost/x:1
	[[ "$stderr" == *"2 layers, more than the limit of 1"* ]]
	for args in "diff lonely" "diff $base" "diff --compression lz4 lonely" "diff no-such"; do
		run --separate-stderr ctr-snapshot $args
		[ "$status" = 100 ] || [ "$status" = 1 ]
		[ "${#stderr_lines[@]}" = 1 ]
		[ "$(store_listing)" = "$before" ]
	done
	run --separate-stderr ctr-snapshot diff lonely
	[ "$stderr" = "ctr-snapshot: fatal: snapshot 'lonely' has no parent to diff against" ]
	run --separate-stderr ctr-snapshot diff "$base"
	[ "$stderr" = "ctr-snapshot: fatal: snapshot '$base' is committed: a diff takes an active snapshot" ]
	# the container's image record gone: nothing to add a layer to
	ctr-image rm "$IMG"
	before=$(store_listing)
	run --separate-stderr ctr-image commit bad localhost/x:1
	assert_status 100
	[[ "$stderr" == "ctr-image: fatal: container 'bad': its image '$IMG' is gone (no image of this namespace has its config sha256:"* ]]
	[ "$(store_listing)" = "$before" ]
}

@test "commit: twice under the name of the container's own image, the base found by its config" {
	local n
	run_change twice
	n=$(ctr-image inspect "$IMG" | jq '.image.layers | length')
	ctr-image tag "$IMG" localhost/base:1
	# the container's image name now names the first commit: the base is still its image
	ctr-image commit twice "$IMG" >/dev/null
	run --separate-stderr ctr-image commit twice "$IMG"
	assert_status 0
	[ "$(jq '.layers | length' <<<"$output")" = $((n + 1)) ]
	jq -e --arg d "$(ctr-image inspect localhost/base:1 | jq -r .image.digest)" \
		'.annotations["org.opencontainers.image.base.digest"] == $d and
		 .annotations["org.opencontainers.image.base.name"] == "localhost/base:1"' \
		"$(store_blob "$(jq -r .digest <<<"$output")")"
}

@test "commit: a running container is paused for the diff and runs on; --no-pause leaves it be" {
	local id
	id=$(cid live)
	ctr-run run -d --name "$id" "$IMG" -- sh -c 'echo up >/up; exec sleep 1000' >/dev/null
	for _ in $(seq 100); do ctr-run exec "$id" -- test -f /up && break; sleep 0.1; done
	run --separate-stderr ctr-image commit "$id" localhost/live:1
	assert_status 0
	[ "$(ctr-run state "$id" | jq -r .status)" = running ]
	# the event log says it was paused and resumed around the diff
	[ "$(ctr-run events --since 0 --until 0s "$id" | jq -r .event | grep -E '^(pause|resume)$' | xargs)" = "pause resume" ]
	run --separate-stderr ctr-image commit --no-pause "$id" localhost/live:2
	assert_status 0
	[ "$(ctr-run state "$id" | jq -r .status)" = running ]
	[ "$(ctr-run events --since 0 --until 0s "$id" | jq -r .event | grep -E '^(pause|resume)$' | xargs)" = "pause resume" ]
	tar -tzf "$(store_blob "$(ctr-image inspect localhost/live:1 | jq -r '.image.layers[-1].digest')")" | grep -qx up
	# a paused container stays paused: commit does not resume what it did not pause
	ctr-run pause "$id"
	run --separate-stderr ctr-image commit "$id" localhost/live:3
	assert_status 0
	[ "$(ctr-run state "$id" | jq -r .status)" = paused ]
	ctr-run resume "$id"
	ctr-run kill "$id"
}

@test "commit: containerd pulls the pushed image, unpacks it to umoci's tree and runs it" {
	require_cmd containerd ctr skopeo umoci
	local ref=$REGISTRY/test/committed:ctd m=$BATS_TEST_TMPDIR/ctd-mnt lay=$BATS_TEST_TMPDIR/oci sk=()
	run_change c-ctd
	ctr-image commit c-ctd "$ref" >/dev/null
	ctr-push -q "$ref"
	# shellcheck source=../../bench/lib/peer.sh
	. "$REPO_ROOT/bench/lib/peer.sh"
	peer_start "$BATS_TEST_TMPDIR/ctd" || skip "containerd does not start here"
	track_pid "$PEER_PID"
	pctr images pull --plain-http "$ref" >/dev/null
	mkdir -p "$m"
	pctr images mount "$ref" "$m" >/dev/null
	mapfile -t sk < <(registry_skopeo_args src)
	skopeo --insecure-policy copy -q "${sk[@]}" "docker://$ref" "oci:$lay:c"
	umoci unpack --image "$lay:c" "$BATS_TEST_TMPDIR/u" >/dev/null
	check_changed "$m"
	[ "$(tree_manifest "$m")" = "$(tree_manifest "$BATS_TEST_TMPDIR/u/rootfs")" ]
	pctr images unmount "$m" >/dev/null
	run --separate-stderr timeout 120 ctr --address "$PEER_SOCK" run --rm "$ref" "ctd-$BATS_TEST_NUMBER" sh -c 'cat /new; ls /d'
	assert_status 0
	[ "$output" = "$(printf 'hi\nx')" ]
}

@test "commit: podman pulls the pushed image and runs it" {
	require_cmd podman
	local ref=$REGISTRY/test/committed:pod p=$BATS_TEST_TMPDIR/podman pod
	pod=(podman --root "$p/root" --runroot "$p/run" --tmpdir "$p/tmp" --runtime runc
		--cgroup-manager cgroupfs --storage-driver vfs --events-backend file)
	mkdir -p "$p/tmp"
	run_change c-pod
	ctr-image commit -c 'CMD ["cat", "/new"]' c-pod "$ref" >/dev/null
	ctr-push -q "$ref" >/dev/null
	"${pod[@]}" pull -q --tls-verify=false "$ref" >/dev/null
	# podman's default open-files limit is above this machine's hard limit
	run --separate-stderr "${pod[@]}" run --rm --net none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 "$ref"
	echo "$stderr"
	assert_status 0
	[ "$output" = hi ]
	run --separate-stderr "${pod[@]}" run --rm --net none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 "$ref" sh -c 'ls /d; test -e /etc/motd || echo gone'
	assert_status 0
	[ "$output" = "$(printf 'x\ngone')" ]
}
