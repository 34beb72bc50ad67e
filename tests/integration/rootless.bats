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
	# a file system a test mounted in the user's home (by its path, lazily: its processes go next)
	[ ! -f "$BATS_TEST_TMPDIR/.mnt" ] || umount -l "$(cat "$BATS_TEST_TMPDIR/.mnt")"
	rl_user_del_san
	# a mode of /dev/net/tun a test changed (tun_open), put back
	[ ! -f "$BATS_TEST_TMPDIR/.tun-mode" ] || chmod "$(cat "$BATS_TEST_TMPDIR/.tun-mode")" /dev/net/tun
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

# rl_user_del, its tools' sanitizer reports kept first (after its processes end).
rl_user_del_san() {
	local pid
	if [ -n "${RL_USER:-}" ] && id "$RL_USER" >/dev/null 2>&1; then
		for pid in $(rl_pids); do kill -KILL "$pid" 2>/dev/null || true; done
	fi
	rl_san_collect
	rl_user_del
}

# Pids running as the test user or one of its subordinate uids (zombies
# left to init to reap aside).
rl_pids() {
	local lo hi
	IFS=: read -r _ lo hi < <(grep -E "^($RL_USER|$RL_UID):" /etc/subuid | head -1) || true
	ps -eo pid=,uid=,stat= | awk -v u="$RL_UID" -v lo="${lo:-0}" -v n="${hi:-0}" \
		'$3 !~ /^Z/ && ($2 == u || (n > 0 && $2 >= lo && $2 < lo + n)) { print $1 }'
}

# as_user CMD...: run CMD as the test user with a login's environment: the
# tools of CTR_BIN; sanitized, its reports in RL_HOME/san (rl_san_collect).
as_user() {
	local san=()
	if sanitized_build; then
		[ -d "$RL_HOME/san" ] || install -d -m 0700 -o "$RL_USER" "$RL_HOME/san"
		san=("ASAN_OPTIONS=$ASAN_OPTIONS:log_path=$RL_HOME/san/user"
			"UBSAN_OPTIONS=$UBSAN_OPTIONS:log_path=$RL_HOME/san/user")
	fi
	runuser -u "$RL_USER" -- env -i HOME="$RL_HOME/home" XDG_RUNTIME_DIR="$RL_HOME/home/run" \
		PATH="$CTR_BIN:/usr/sbin:/usr/bin:/sbin:/bin" LC_ALL=C.UTF-8 "${san[@]}" "$@"
}

# The sanitizer reports of the user's tools, moved where the test's teardown
# looks for its own (helpers.bash, _helpers_san_check).
rl_san_collect() {
	local f
	[ -n "${_helpers_san_prefix:-}" ] && [ -d "${RL_HOME:-}/san" ] || return 0
	for f in "$RL_HOME"/san/user.*; do
		[ -e "$f" ] && mv "$f" "$_helpers_san_prefix.${f##*/}"
	done
	return 0
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

# As the user, pull test/layers:1 from a registry of the test's; its image
# document in img.
user_pull_layers() {
	require_cmd docker-registry skopeo
	registry_start
	fixture_push layers test/layers:1
	run as_user ctr-pull -q "$REGISTRY/test/layers:1"
	assert_status 0
	img=$output
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
	run runuser -u "$RL_USER" -- env -i HOME="$RL_HOME/home" PATH="$CTR_BIN:/usr/bin:/bin" \
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
	# group-writable is others too; so is a state directory; root's state is root's
	install -d -m 0770 -o "$RL_USER" "$RL_HOME/home/group"
	run as_user env CTR_ROOT="$RL_HOME/home/group" ctr-run ls
	assert_status 100
	assert_output_contains "is writable by others (mode 770): chmod go-w it"
	[ "${#lines[@]}" -eq 1 ]
	run as_user ctr-run --state "$RL_HOME/home/group" ls
	assert_status 100
	assert_output_contains "is writable by others (mode 770): chmod go-w it"
	install -d -m 0755 "$RL_HOME/root-state"
	run as_user ctr-run --state "$RL_HOME/root-state" ls
	assert_status 111
	assert_output_contains "belongs to uid 0, not to you ($RL_UID)"
	[ -z "$(ls -A "$RL_HOME/root-state")" ]
}

@test "rootless: pull, unpack overlay and native: owners mapped to subordinate ids, the tree umoci's" {
	local img chain su got driver
	user_pull_layers
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

@test "rootless: a chain lock a user's unpack left when killed is the user's; the user's gc removes it" {
	local img dir=$RL_STORE/snapshots/overlay c0 c1 fd p pid= i
	user_pull_layers
	run as_user ctr-unpack --dry-run - <<<"$img"
	assert_status 0
	c0=$dir/chain-$(jq -r '.layers[0].chain_id | ltrimstr("sha256:")' <<<"$output").lock
	c1=$dir/chain-$(jq -r '.layers[1].chain_id | ltrimstr("sha256:")' <<<"$output").lock
	# the second layer's lock, a file of the user's, held here (no child gets
	# the fd): the user's unpack takes the first layer's, then waits
	as_user sh -c ': >"$1"' _ "$c1"
	exec {fd}<"$c1"
	flock -x "$fd"
	as_user ctr-unpack - <<<"$img" {fd}<&- >/dev/null 2>&1 &
	for i in $(seq 100); do
		for p in $(rl_pids); do
			[ "$(cat "/proc/$p/comm" 2>/dev/null)" = ctr-unpack ] &&
				grep -q -- "-> FLOCK .* $p " /proc/locks && pid=$p
		done
		[ -z "$pid" ] || break
		sleep 0.1
	done
	[ -n "$pid" ]
	kill -KILL "$pid"
	wait "$!" || true
	# made in its user namespace as uid 0 there: the user's on the host
	[ "$(stat -c '%U %a' "$c0")" = "$RL_USER 600" ]
	run as_user ctr-image gc --json {fd}<&-
	assert_status 0
	[ "$(jq -r '.files[] | select(startswith("snapshots/"))' <<<"$output")" = "${c0#"$RL_STORE/"}" ]
	[ ! -e "$c0" ] && [ -e "$c1" ]
	exec {fd}<&-
	run as_user ctr-image gc --json
	assert_status 0
	[ ! -e "$c1" ]
	run as_user ctr-unpack - <<<"$img"
	assert_status 0
	[ -z "$(find "$dir" -maxdepth 1 -name 'chain-*.lock')" ]
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
	local layout=$1 name=$2
	install -d -m 0700 -o "$RL_USER" -g "$RL_GID" "$RL_HOME/home/.local" \
		"$RL_HOME/home/.local/share" "$RL_STORE" "$RL_STORE/content" \
		"$RL_STORE/content/blobs" "$RL_STORE/content/blobs/sha256"
	cp -n "$layout"/blobs/sha256/* "$RL_STORE/content/blobs/sha256/"
	chown -R "$RL_USER:$RL_GID" "$RL_STORE/content"
	layout_image_json "$layout" "$name"
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
	# a limit that cannot be kept is refused, not dropped: one line naming what is missing
	run as_user ctr-run run --rm -m 64m - -- true <<<"$snap"
	assert_status 125
	assert_output_contains "--memory needs a cgroup delegated to you: cgroup '"
	assert_output_contains "' has no memory controller (its cgroup.controllers: '"
	[ "${#lines[@]}" -eq 1 ]
	if mountpoint -q /sys/fs/cgroup/unified; then
		assert_output_contains "; this host's controllers are on cgroup v1"
	fi
	run as_user ctr-run run --rm --pids-limit 10 - -- true <<<"$snap"
	assert_status 125
	assert_output_contains "--pids-limit needs a cgroup delegated to you: cgroup '"
	assert_output_contains "' has no pids controller"
	# so is a parent group: only one inside the delegated group could be the user's
	run as_user ctr-run run --rm --cgroup-parent /kubepods/x - -- true <<<"$snap"
	assert_status 125
	assert_output_contains "--cgroup-parent needs a cgroup delegated to you: "
	[ "${#lines[@]}" -eq 1 ]
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

@test "rootless: attach, logs and exec -t as a user; delete -f of two running containers" {
	local snap a b
	require_cmd runc
	snap=$(user_busybox)
	run as_user ctr-run run -d -i --name a1 - -- \
		sh -c 'echo started; read -r l; echo "got:$l"; sleep 1000' <<<"$snap"
	assert_status 0
	run as_user ctr-run run -d --name b1 - -- sleep 1000 <<<"$snap"
	assert_status 0
	# logs: what the container printed so far
	run as_user ctr-run logs a1
	assert_status 0
	assert_output_contains started
	# attach: a line typed reaches the container, its answer comes back
	run as_user sh -c '(echo typed; sleep 3) | timeout 2 ctr-run attach a1'
	assert_output_contains "got:typed"
	run as_user ctr-run logs a1
	assert_output_contains "got:typed"
	# exec -t on a real terminal: the process has one, of the container's devpts
	run as_user /usr/bin/python3 "$REPO_ROOT/tests/lib/ptyrun.py" -- \
		ctr-run exec -t b1 -- sh -c 'tty; id -u'
	assert_status 0
	assert_output_contains /dev/pts/0
	assert_output_contains 0
	# both joined in turn: each container's namespaces, neither left running
	a=$(as_user ctr-run state a1 | jq -r .pid)
	b=$(as_user ctr-run state b1 | jq -r .pid)
	run as_user ctr-run run --name c0 - -- true <<<"$snap"
	assert_status 0
	run --separate-stderr as_user ctr-run delete -f c0 a1 b1
	assert_status 0
	[ -z "$stderr" ]
	run as_user ctr-run ls --json
	assert_status 0
	[ "$(jq length <<<"$output")" -eq 0 ]
	! kill -0 "$a" 2>/dev/null || false
	! kill -0 "$b" 2>/dev/null || false
	[ -z "$(rl_pids)" ] || { ps -o pid,uid,cmd -p "$(rl_pids | paste -sd,)"; false; }
}

# A TCP server on the host's 127.0.0.1:PORT that says hello-from-host to each caller.
hello_server() {
	/usr/bin/python3 -c 'import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(8)
while True:
    c, _ = s.accept()
    c.sendall(b"hello-from-host\n")
    c.close()' "$1" 3>&- &
	track_pid $!
	wait_for_port "$1"
}

@test "rootless: --net slirp4netns: outbound access, the host's loopback only when allowed, gone with the container; as root too" {
	local snap port shim slirp i
	require_cmd runc slirp4netns
	snap=$(user_busybox)
	port=$(free_port)
	hello_server "$port"
	# a user's default stays none: loopback only
	run as_user ctr-run run --rm - -- ip -o link <<<"$snap"
	assert_status 0
	[[ $output != *tap0* ]]
	# slirp4netns opens /dev/net/tun as the user: without udev's 0666, one line
	stat -c %a /dev/net/tun >"$BATS_TEST_TMPDIR/.tun-mode"
	chmod 0600 /dev/net/tun
	run as_user ctr-run run --rm --net slirp4netns - -- true <<<"$snap"
	assert_status 125
	assert_output_contains "--net slirp4netns needs /dev/net/tun readable and writable by you (Permission denied; udev makes it mode 0666)"
	[ "${#lines[@]}" -eq 1 ]
	chmod 0666 /dev/net/tun
	# slirp4netns as rootless podman runs it: tap0, its DNS, no way to the host's 127.0.0.1
	run as_user ctr-run run --rm --net slirp4netns - -- \
		sh -c "ip -o -4 addr show tap0; cat /etc/resolv.conf; nc -w 3 10.0.2.2 $port; echo nc=\$?" <<<"$snap"
	assert_status 0
	assert_output_contains "inet 10.0.2.100/24"
	assert_output_contains "nameserver 10.0.2.3"
	[[ $output != *hello-from-host* ]]
	assert_output_contains "nc=1"
	# allow_host_loopback=true (podman's option): 10.0.2.2 is the host's 127.0.0.1
	run as_user ctr-run run --rm --net slirp4netns:allow_host_loopback=true - -- nc -w 3 10.0.2.2 "$port" <<<"$snap"
	assert_status 0
	assert_output_contains hello-from-host
	run as_user ctr-run run --rm --net slirp4netns:mtu=1500 - -- true <<<"$snap"
	assert_status 125
	assert_output_contains "--net slirp4netns: unknown option 'mtu=1500'"
	# detached: slirp4netns is the shim's child, runs as the user, ends with the container
	run as_user ctr-run run -d --name s1 --net slirp4netns:allow_host_loopback=true - -- sleep 1000 <<<"$snap"
	assert_status 0
	shim=$(jq .pid "$RL_HOME/home/run/ctr/default/s1/shim.json")
	slirp=$(pgrep -P "$shim" -x slirp4netns)
	[ "$(stat -c %u "/proc/$slirp")" = "$RL_UID" ]
	run as_user ctr-run exec s1 -- nc -w 3 10.0.2.2 "$port"
	assert_output_contains hello-from-host
	run as_user ctr-run kill -s KILL s1
	assert_status 0
	run as_user ctr-run wait s1
	assert_status 137
	for ((i = 0; i < 100 && $(kill -0 "$slirp" 2>/dev/null && echo 1); i++)); do sleep 0.05; done
	! kill -0 "$slirp" 2>/dev/null || false
	run as_user ctr-run delete s1
	assert_status 0
	[ -z "$(rl_pids)" ] || { ps -o pid,uid,cmd -p "$(rl_pids | paste -sd,)"; false; }
	# root: the same, in root's (the test's) store
	tar -C "$(fixture_layout busybox)" -cf "$BATS_TEST_TMPDIR/bb.tar" .
	snap=$(ctr-image import --name test/bb:1 "$BATS_TEST_TMPDIR/bb.tar" | ctr-unpack)
	run ctr-run run --rm --net slirp4netns:allow_host_loopback=true - -- nc -w 3 10.0.2.2 "$port" <<<"$snap"
	assert_status 0
	assert_output_contains hello-from-host
}

# odd_layout DIR [ENTRY...]: an OCI layout (umoci) of one layer made by
# python3 tarfile: inrange (1000:1000), suid (0, 4755), suid-app (1000, 6755),
# devices null (c 1:3) and sda (b 8:0), and each ENTRY given: beyond (a file
# of 100000:100000, past a 65536-id range).
odd_layout() {
	local dir=$1
	shift
	/usr/bin/python3 - "$BATS_TEST_TMPDIR/odd.tar" "$@" <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t:
    def add(name, uid, mode, typ=tarfile.REGTYPE, dev=(0, 0)):
        i = tarfile.TarInfo(name)
        i.uid = i.gid = uid
        i.mode, i.type = mode, typ
        i.devmajor, i.devminor = dev
        data = b"x\n" if typ == tarfile.REGTYPE else b""
        i.size = len(data)
        t.addfile(i, io.BytesIO(data))
    add("inrange", 1000, 0o644)
    add("suid", 0, 0o4755)
    add("suid-app", 1000, 0o6755)
    add("null", 0, 0o666, tarfile.CHRTYPE, (1, 3))
    add("sda", 0, 0o660, tarfile.BLKTYPE, (8, 0))
    if "beyond" in sys.argv[2:]:
        add("beyond", 100000, 0o644)
PY
	umoci init --layout "$dir"
	umoci new --image "$dir:latest"
	umoci raw add-layer --image "$dir:latest" "$BATS_TEST_TMPDIR/odd.tar"
}

@test "rootless: owners past the subordinate range refused, set-id bits kept, device nodes skipped" {
	local su sg before
	odd_layout "$BATS_TEST_TMPDIR/beyond" beyond
	image_json_for "$BATS_TEST_TMPDIR/beyond" test/beyond:1 >"$RL_HOME/img.json"
	chmod 0644 "$RL_HOME/img.json"
	# the store's skeleton first (snapshotter folders; gc.lock aside): made on first use
	as_user ctr-snapshot ls >/dev/null
	before=$(find "$RL_STORE" \( -path "$RL_STORE/content" -o -name gc.lock \) -prune -o -printf '%P %m\n' | sort)
	# as podman refuses it: one line naming the owner and the remedy, exit 100
	run as_user ctr-unpack - <"$RL_HOME/img.json"
	assert_status 100
	assert_output_contains "entry 'beyond': owner 100000:100000 is outside the ids your user namespace maps (/etc/subuid, /etc/subgid): add a larger range with usermod --add-subuids and --add-subgids"
	[ "${#lines[@]}" -eq 1 ]
	# the store as it was: no snapshot, active or committed
	diff -u <(echo "$before") <(find "$RL_STORE" \( -path "$RL_STORE/content" -o -name gc.lock \) -prune -o -printf '%P %m\n' | sort)
	run as_user ctr-snapshot ls --json
	assert_status 0
	[ "$(jq length <<<"$output")" -eq 0 ]
	# without it: ids mapped, set-id bits kept, devices skipped (as rootless podman)
	odd_layout "$BATS_TEST_TMPDIR/odd"
	image_json_for "$BATS_TEST_TMPDIR/odd" test/odd:1 >"$RL_HOME/img.json"
	run as_user ctr-unpack - <"$RL_HOME/img.json"
	assert_status 0
	su=$(sub_start subuid)
	sg=$(sub_start subgid)
	[ "$(find "$RL_STORE/snapshots" -path '*/fs/inrange' -printf '%U:%G %m')" = "$((su + 999)):$((sg + 999)) 644" ]
	[ "$(find "$RL_STORE/snapshots" -path '*/fs/suid' -printf '%U:%G %m')" = "$RL_UID:$RL_GID 4755" ]
	[ "$(find "$RL_STORE/snapshots" -path '*/fs/suid-app' -printf '%U:%G %m')" = "$((su + 999)):$((sg + 999)) 6755" ]
	[ -z "$(find "$RL_STORE/snapshots" -path '*/fs/*' \( -name null -o -name sda \))" ]
}

@test "rootless: a home on a file system without user xattrs: overlay refused with one line, native works" {
	local data=$RL_HOME/home/.local/share snap
	require_cmd runc
	# ramfs keeps owners but no extended attributes at all
	install -d -m 0755 -o "$RL_USER" -g "$RL_GID" "$RL_HOME/home/.local" "$data"
	mount -t ramfs -o mode=0700 none "$data"
	echo "$data" >"$BATS_TEST_TMPDIR/.mnt"
	chown "$RL_USER:$RL_GID" "$data"
	image_json_for "$(fixture_layout busybox)" test/bb:1 >"$RL_HOME/img.json"
	chmod 0644 "$RL_HOME/img.json"
	run as_user ctr-unpack - <"$RL_HOME/img.json"
	assert_status 100
	assert_output_contains "is on a file system without user extended attributes, which overlay needs for a user: use --snapshotter native"
	[ "${#lines[@]}" -eq 1 ]
	run as_user ctr-snapshot ls --json
	assert_status 0
	[ "$(jq length <<<"$output")" -eq 0 ]
	# native needs none: unpack, and a container runs from it
	run --separate-stderr as_user ctr-unpack --snapshotter native - <"$RL_HOME/img.json"
	assert_status 0
	snap=$output
	run as_user ctr-run run --rm - -- echo ran-on-ramfs <<<"$snap"
	assert_status 0
	assert_output_contains ran-on-ramfs
	run as_user ctr-run ls --json
	[ "$(jq length <<<"$output")" -eq 0 ]
	umount "$data"
	rm "$BATS_TEST_TMPDIR/.mnt"
}
