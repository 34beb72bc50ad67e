#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The suite for an unprivileged user: a user made by each test (useradd, with
# the subordinate ranges useradd allocates), its own store under its XDG
# directories, pull and unpack in a user namespace mapped from /etc/subuid,
# gc; root's store is neither reached nor touched. Removed at teardown, by id.

bats_require_minimum_version 1.5.0
load ../lib/helpers
load ../lib/registry

setup() {
	common_setup
	require_root
	require_cmd useradd userdel usermod runuser unshare newuidmap newgidmap jq umoci
	[ -r /proc/sys/user/max_user_namespaces ] &&
		[ "$(cat /proc/sys/user/max_user_namespaces)" -gt 0 ] ||
		skip "user namespaces disabled"
	rl_user_add
}

teardown() {
	rl_san_claim
	rl_user_del
	common_teardown
}

# A user of this test alone: name from the run's pid and the test's number.
# RL_HOME is outside BATS_TEST_TMPDIR, whose parents only root may enter.
rl_user_add() {
	RL_USER=ctrrl${BATS_ROOT_PID:-$$}t${BATS_TEST_NUMBER}
	# lower case: podman names an image pulled from a layout after its path
	RL_HOME=/tmp/ctr-rootless-${BATS_ROOT_PID:-$$}-${BATS_TEST_NUMBER}
	mkdir -m 0755 "$RL_HOME"
	echo "$RL_HOME" >"$BATS_TEST_TMPDIR/.rl-home"
	useradd -d "$RL_HOME/home" -m -s /bin/sh "$@" "$RL_USER"
	RL_UID=$(id -u "$RL_USER")
	RL_GID=$(id -g "$RL_USER")
	install -d -m 0700 -o "$RL_USER" -g "$RL_GID" "$RL_HOME/home/run"
	RL_STORE=$RL_HOME/home/.local/share/ctr
	# the environment of the user's tools: CTR_BIN's, with the sanitizers'
	# options when they are on (a report goes where the user may write:
	# RL_HOME/san, which rl_san_claim hands to the test)
	RL_ENV=("CTR_BIN=$CTR_BIN")
	sanitized_build || return 0
	install -d -m 0700 -o "$RL_USER" -g "$RL_GID" "$RL_HOME/san"
	RL_ENV+=("ASAN_OPTIONS=$ASAN_OPTIONS:log_path=$RL_HOME/san/user"
		"UBSAN_OPTIONS=$UBSAN_OPTIONS:log_path=$RL_HOME/san/user")
}

# The user's sanitizer reports become the test's (common_teardown fails it).
rl_san_claim() {
	local f
	[ -n "${_helpers_san_prefix:-}" ] && [ -d "${RL_HOME:-}/san" ] || return 0
	for f in "$RL_HOME"/san/*; do
		[ -e "$f" ] && mv "$f" "$_helpers_san_prefix.${f##*/}"
	done
	return 0
}

# Kill what runs as the user (by pid: nothing else runs as a user this test
# made), then remove it with its home, mail and subordinate ranges.
rl_user_del() {
	local pid
	[ -n "${RL_USER:-}" ] && id "$RL_USER" >/dev/null 2>&1 || return 0
	# the user's processes, and its containers' (which run as its subordinate ids)
	for pid in $(rl_pids); do kill -KILL "$pid" 2>/dev/null || true; done
	userdel -r "$RL_USER" 2>/dev/null || userdel "$RL_USER"
	rm -rf --one-file-system "$RL_HOME"
}

# Pids running as the test user or one of its subordinate uids (zombies
# left to init to reap aside).
rl_pids() {
	local lo hi
	IFS=: read -r _ lo hi < <(grep -E "^($RL_USER|$RL_UID):" /etc/subuid | head -1) || true
	ps -eo pid=,uid=,stat= | awk -v u="$RL_UID" -v lo="${lo:-0}" -v n="${hi:-0}" \
		'$3 !~ /^Z/ && ($2 == u || (n > 0 && $2 >= lo && $2 < lo + n)) { print $1 }'
}

# as_user CMD...: run CMD as the test user with a login's environment.
as_user() {
	runuser -u "$RL_USER" -- env -i HOME="$RL_HOME/home" XDG_RUNTIME_DIR="$RL_HOME/home/run" \
		PATH="$CTR_BIN:/usr/sbin:/usr/bin:/sbin:/bin" LC_ALL=C.UTF-8 "${RL_ENV[@]}" "$@"
}

# The first subordinate uid (gid) of the test user: image id N is START+N-1.
sub_start() {
	awk -F: -v u="$RL_USER" -v i="$RL_UID" '$1 == u || $1 == i { print $2; exit }' "/etc/$1"
}

# in_userns CMD...: as the user, in a namespace with the map the tools use
# (0 the user, 1.. its first range), with a mount namespace of its own.
in_userns() {
	local su sg
	su=$(sub_start subuid)
	sg=$(sub_start subgid)
	as_user unshare --map-user=0 --map-group=0 --map-users="$su,1,65536" \
		--map-groups="$sg,1,65536" --mount "$@"
}

# The manifest of the committed snapshot CHAIN, as the user sees it in its
# namespace (a read-only view mounted there), on stdout.
user_tree_of() {
	in_userns bash -c "set -e; . '$REPO_ROOT/tests/lib/helpers.bash'
		ctr-snapshot --snapshotter $1 view --parent '$2' view-$$ >/dev/null
		mkdir -p \"\$HOME/mnt\"
		ctr-snapshot --snapshotter $1 mount view-$$ \"\$HOME/mnt\"
		tree_manifest \"\$HOME/mnt\"
		umount \"\$HOME/mnt\"
		ctr-snapshot --snapshotter $1 rm view-$$ >/dev/null"
}

umoci_tree_of() {
	umoci unpack --image "$(fixture_layout "$1"):latest" "$BATS_TEST_TMPDIR/bundle" >/dev/null
	tree_manifest "$BATS_TEST_TMPDIR/bundle/rootfs"
	rm -rf "$BATS_TEST_TMPDIR/bundle"
}

@test "rootless: a user's store under XDG directories, 0700, its own; root's unreached and untouched" {
	local before rootstore=$RL_HOME/root-store
	# root's store, where the user can see it: mode 0700, as /var/lib/ctr
	CTR_ROOT=$rootstore ctr-image ls >/dev/null
	before=$(find "$rootstore" -printf '%p %m %U %s\n' | sort)
	run as_user ctr-image ls
	assert_status 0
	[ "$(stat -c '%a %U' "$RL_STORE")" = "700 $RL_USER" ]
	[ "$(stat -c '%a %U' "$RL_HOME/home/run/ctr")" = "700 $RL_USER" ]
	# without XDG_RUNTIME_DIR: one line naming it, exit 100
	run runuser -u "$RL_USER" -- env -i HOME="$RL_HOME/home" PATH="$CTR_BIN:/usr/bin:/bin" "${RL_ENV[@]}" \
		ctr-image ls
	assert_status 100
	assert_output_contains "XDG_RUNTIME_DIR is unset; give --state or CTR_STATE"
	[ "${#lines[@]}" -eq 1 ]
	# root's store is not the user's, whatever its mode
	run as_user ctr-image --root "$rootstore" ls
	assert_status 111
	assert_output_contains "belongs to uid 0, not to you ($RL_UID)"
	chmod 0755 "$rootstore"
	run as_user ctr-image --root "$rootstore" gc
	assert_status 111
	assert_output_contains "belongs to uid 0, not to you ($RL_UID)"
	chmod 0700 "$rootstore"
	[ "$(find "$rootstore" -printf '%p %m %U %s\n' | sort)" = "$before" ]
	# nor a store others may write to
	install -d -m 0777 -o "$RL_USER" "$RL_HOME/home/shared"
	run as_user ctr-image --root "$RL_HOME/home/shared" ls
	assert_status 100
	assert_output_contains "is writable by others (mode 777)"
}

@test "rootless: pull, unpack overlay and native: owners mapped to subordinate ids, the tree umoci's" {
	local img chain su got driver
	require_cmd docker-registry skopeo
	registry_start
	fixture_push layers test/layers:1
	run as_user ctr-pull -q "$REGISTRY/test/layers:1"
	assert_status 0
	img=$output
	su=$(sub_start subuid)
	umoci_tree_of layers >"$BATS_TEST_TMPDIR/want"
	for driver in overlay native; do
		run as_user ctr-unpack --snapshotter "$driver" - <<<"$img"
		assert_status 0
		chain=$(jq -r .chain_id <<<"$output")
		user_tree_of "$driver" "$chain" >"$BATS_TEST_TMPDIR/got-$driver"
		diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got-$driver"
	done
	# on the host: image uid 1000 is the 1000th subordinate id, uid 0 the user
	got=$(find "$RL_STORE/snapshots" -path '*/fs/data/owned/by-1000' -printf '%U:%G\n' | sort -u)
	[ "$got" = "$((su + 999)):$(($(sub_start subgid) + 999))" ]
	got=$(find "$RL_STORE/snapshots" -path '*/fs/data/hello.txt' -printf '%U\n' | sort -u)
	[ "$got" = "$RL_UID" ]
	# the opaque directory is marked for overlay in a user namespace
	run find "$RL_STORE/snapshots/overlay" -path '*/fs/data/opq' -type d \
		-exec getfattr -n user.overlay.opaque --only-values {} \;
	assert_output_contains y
	# the user's tools wrote nothing under root's (the test's) store
	[ ! -e "$CTR_ROOT/content" ]
}

@test "rootless: pull --unpack as a user, then rm and gc remove files of subordinate ids" {
	local out chain
	require_cmd docker-registry skopeo
	registry_start
	fixture_push busybox test/bb:1
	run as_user ctr-pull -q --unpack "$REGISTRY/test/bb:1"
	assert_status 0
	chain=$(jq -r .chain_id <<<"$output")
	[ "$(find "$RL_STORE/snapshots/overlay" -path '*/fs/home/app' -printf '%U\n')" = \
		"$(($(sub_start subuid) + 999))" ]
	run as_user ctr-snapshot ls --json
	assert_status 0
	[ "$(jq --arg c "$chain" '[.[] | select(.name == $c)] | length' <<<"$output")" -eq 1 ]
	run as_user ctr-image rm "$REGISTRY/test/bb:1"
	assert_status 0
	run as_user ctr-image gc
	assert_status 0
	run as_user ctr-snapshot ls --json
	assert_status 0
	[ "$(jq length <<<"$output")" -eq 0 ]
	[ -z "$(find "$RL_STORE/snapshots/overlay" -mindepth 1 -maxdepth 1 -type d ! -name meta)" ]
}

@test "rootless: a user without subordinate ids: one id, owners squashed, said once" {
	local img snap
	rl_user_del
	rl_user_add -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0
	! grep -q "^$RL_USER:" /etc/subuid
	img=$(image_json_for "$(fixture_layout busybox)" test/bb:1)
	run --separate-stderr as_user ctr-unpack - <<<"$img"
	assert_status 0
	[[ "$stderr" == *"no subordinate uids for $RL_USER in /etc/subuid"* ]]
	[ "$(grep -c warning <<<"$stderr")" -eq 1 ]
	[ "$(find "$RL_STORE/snapshots/overlay" -path '*/fs/home/app' -printf '%U:%G\n')" = \
		"$RL_UID:$RL_GID" ]
	# root of the image runs; its other users cannot be switched to
	if command -v runc >/dev/null; then
		snap=$(as_user ctr-unpack - <<<"$img" 2>/dev/null)
		run --separate-stderr as_user ctr-run run --rm - -- id -u <<<"$snap"
		assert_status 0
		[ "$output" = 0 ]
		run --separate-stderr as_user ctr-run run --rm -u app - -- id -u <<<"$snap"
		assert_status 125
		[[ "$stderr" == *"user 1000:1000 needs subordinate ids, and there are none for $RL_USER in /etc/subuid: add a range with usermod --add-subuids"* ]]
	fi
}

@test "rootless: subordinate uids without gids: refused with one line naming the missing piece" {
	local img start count
	IFS=: read -r _ start count < <(grep "^$RL_USER:" /etc/subgid)
	usermod --del-subgids "$start-$((start + count - 1))" "$RL_USER"
	img=$(image_json_for "$(fixture_layout busybox)" test/bb:1)
	run as_user ctr-unpack - <<<"$img"
	assert_status 100
	assert_output_contains "no subordinate gids for $RL_USER in /etc/subgid: add a range with usermod --add-subgids"
	[ "${#lines[@]}" -eq 1 ]
}

# image_json_for LAYOUT NAME: the fixture's blobs into the user's store (as
# root, then given to the user) and the image JSON ctr-pull would print.
image_json_for() {
	local layout=$1 name=$2 m
	install -d -m 0700 -o "$RL_USER" -g "$RL_GID" "$RL_HOME/home/.local" \
		"$RL_HOME/home/.local/share" "$RL_STORE" "$RL_STORE/content" \
		"$RL_STORE/content/blobs" "$RL_STORE/content/blobs/sha256"
	cp -n "$layout"/blobs/sha256/* "$RL_STORE/content/blobs/sha256/"
	chown -R "$RL_USER:$RL_GID" "$RL_STORE/content"
	m=$(jq -c '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "latest")' \
		"$layout/index.json")
	jq -c --arg n "$name" --argjson m "$m" \
		'{name: $n, digest: $m.digest, manifest: $m, config: .config, layers: .layers}' \
		"$layout/blobs/sha256/$(jq -r .digest <<<"$m" | cut -d: -f2)"
}

# The busybox fixture unpacked as the user: its snapshot JSON on stdout.
user_busybox() {
	image_json_for "$(fixture_layout busybox)" test/bb:1 >"$RL_HOME/img.json"
	chmod 0644 "$RL_HOME/img.json"
	as_user ctr-unpack - <"$RL_HOME/img.json"
}

@test "rootless: run --rm shows the image's users, mapped; a container's file is a subordinate id's" {
	local snap su
	require_cmd runc
	snap=$(user_busybox)
	su=$(sub_start subuid)
	run as_user ctr-run run --rm - -- id <<<"$snap"
	assert_status 0
	assert_output_contains "uid=0(root) gid=0(root)"
	run as_user ctr-run run --rm -u app - -- id <<<"$snap"
	assert_status 0
	assert_output_contains "uid=1000(app) gid=1000(app)"
	run as_user ctr-run run --rm - -- sh -c 'exit 7' <<<"$snap"
	assert_status 7
	# detached: exec as the image's users, files on the host as the mapped ids
	run as_user ctr-run run -d --name c1 - -- sleep 1000 <<<"$snap"
	assert_status 0
	run as_user ctr-run exec c1 -- sh -c 'touch /tmp/by-root && id -u'
	assert_status 0
	assert_output_contains 0
	run as_user ctr-run exec -u 1000 c1 -- sh -c 'touch /tmp/by-app && id -u'
	assert_status 0
	assert_output_contains 1000
	[ "$(find "$RL_STORE/snapshots" -path '*/fs/tmp/by-app' -printf '%U:%G')" = \
		"$((su + 999)):$(($(sub_start subgid) + 999))" ]
	[ "$(find "$RL_STORE/snapshots" -path '*/fs/tmp/by-root' -printf '%U')" = "$RL_UID" ]
	# the container runs as the subordinate ids, not as root of the host
	run as_user ctr-run state c1
	assert_status 0
	[ "$(jq -r .status <<<"$output")" = running ]
	[ "$(stat -c %u "/proc/$(jq -r .pid <<<"$output")")" = "$RL_UID" ]
	run as_user ctr-run exec c1 -- sh -c 'rm -rf /home && mkdir /home'
	assert_status 0
	run as_user ctr-run stats c1
	assert_status 100
	assert_output_contains "ctr-run stats needs the container's cgroup, and a rootless container has none"
	run as_user ctr-run kill -s KILL c1
	assert_status 0
	run as_user ctr-run wait c1
	assert_status 137
	# its changes as a layer: the opaque directory read from user.overlay.opaque
	run as_user ctr-snapshot diff --compression none -o "$RL_HOME/home/c1.tar" ctr:default:c1
	assert_status 0
	run tar -tf "$RL_HOME/home/c1.tar"
	assert_output_contains "home/.wh..wh..opq"
	assert_output_contains "tmp/by-app"
	run as_user ctr-run delete c1
	assert_status 0
	run as_user ctr-run ls --json
	assert_status 0
	[ "$(jq length <<<"$output")" -eq 0 ]
	# a limit that cannot be kept is refused, not dropped
	run as_user ctr-run run --rm -m 64m - -- true <<<"$snap"
	assert_status 125
	assert_output_contains "--memory needs a cgroup delegated to you"
	run as_user ctr-run run --rm --net cni:x - -- true <<<"$snap"
	assert_status 125
	assert_output_contains "needs root (ctr-netns)"
	# delete -f of a running container, then gc: nothing of the user's left
	run as_user ctr-run run -d --name c2 - -- sleep 1000 <<<"$snap"
	assert_status 0
	run as_user ctr-run delete -f c2
	assert_status 0
	run as_user ctr-image gc
	assert_status 0
	[ -z "$(rl_pids)" ] || { ps -o pid,uid,cmd -p "$(rl_pids | paste -sd,)"; false; }
}

@test "rootless: the unpacked tree is rootless podman's for the same image (podman unshare)" {
	local chain
	require_cmd podman
	image_json_for "$(fixture_layout layers)" test/layers:1 >"$RL_HOME/img.json"
	chmod 0644 "$RL_HOME/img.json"
	cp -r "$(fixture_layout layers)" "$RL_HOME/home/layout"
	chown -R "$RL_USER:$RL_GID" "$RL_HOME/home/layout"
	chain=$(as_user ctr-unpack - <"$RL_HOME/img.json" | jq -r .chain_id)
	run --separate-stderr as_user podman pull -q "oci:$RL_HOME/home/layout:latest"
	assert_status 0
	output=${lines[-1]} # the image ID
	# both trees seen through podman's namespace, whose map is ours
	as_user podman unshare bash -c "set -e; . '$REPO_ROOT/tests/lib/helpers.bash'
		m=\$(podman image mount '$output')
		tree_manifest \"\$m\" >\"\$HOME/podman.txt\"
		podman image umount -a >/dev/null
		ctr-snapshot view --parent '$chain' pv >/dev/null
		mkdir -p \"\$HOME/mnt\"
		ctr-snapshot mount pv \"\$HOME/mnt\"
		tree_manifest \"\$HOME/mnt\" >\"\$HOME/ours.txt\"
		umount \"\$HOME/mnt\"
		ctr-snapshot rm pv >/dev/null"
	diff -u "$RL_HOME/home/podman.txt" "$RL_HOME/home/ours.txt"
	[ "$(wc -l <"$RL_HOME/home/ours.txt")" -gt 100 ]
}
