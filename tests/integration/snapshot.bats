#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# ctr-snapshot against the real kernel: overlay and native stores, real mounts,
# bad input, races, crash recovery and usage figures.

bats_require_minimum_version 1.5.0
load ../lib/helpers

setup() {
	common_setup
	MNT=$BATS_TEST_TMPDIR/mnt
	mkdir -p "$MNT"
}

teardown() {
	common_teardown
}

snap() {
	ctr-snapshot "$@"
}

# The store directory of snapshot KEY: id from stat --json.
snapdir() {
	local drv=${2:-overlay}
	echo "$CTR_ROOT/snapshots/$drv/$(snap --snapshotter "$drv" stat --json "$1" | jq -r .id)"
}

# A listing of everything in the store: paths, types, modes (for "nothing changed").
store_listing() {
	(cd "$CTR_ROOT" && find . -printf '%p %y %m %s\n' | sort)
}

require_overlay() {
	require_root
	grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null ||
		skip "no overlayfs in this kernel"
}

# Three committed layers L1 L2 L3 with driver $1, each written through a real
# mount: L1 adds a, d/x, d/y; L2 changes a, adds b; L3 removes d/y, adds c.
build_stack() {
	local drv=$1 parent="" i
	for i in 1 2 3; do
		snap --snapshotter "$drv" prepare $parent "w$i" >/dev/null
		snap --snapshotter "$drv" mount "w$i" "$MNT"
		case $i in
		1) echo one >"$MNT/a" && mkdir "$MNT/d" && echo x >"$MNT/d/x" && echo y >"$MNT/d/y" ;;
		2) echo two >"$MNT/a" && echo b >"$MNT/b" ;;
		3) rm "$MNT/d/y" && echo c >"$MNT/c" ;;
		esac
		snap umount "$MNT"
		snap --snapshotter "$drv" commit "L$i" "w$i"
		parent="--parent L$i"
	done
}

# The visible tree under a mount: type, mode, content of each path.
tree_of() {
	(cd "$1" && find . -printf '%p %y %m\n' | sort &&
		find . -type f -exec sh -c 'printf "%s=%s\n" "$1" "$(cat "$1")"' _ {} \; | sort)
}

@test "prepare and mounts: the Mount JSON of each kind" {
	run snap prepare base
	assert_status 0
	[ "$(json_get "$output" '.key')" = base ]
	[ "$(json_get "$output" '.mounts[0].type')" = bind ]
	[ "$(json_get "$output" '.mounts[0].options | join(",")')" = rw,rbind ]
	run snap commit --label role=base L1 base
	assert_status 0
	run snap view --parent L1 v1
	assert_status 0
	[ "$(json_get "$output" '.mounts[0].type')" = bind ]
	[ "$(json_get "$output" '.mounts[0].options | join(",")')" = ro,rbind ]
	snap prepare --parent L1 w2 >/dev/null
	snap commit L2 w2
	run snap prepare --parent L2 top
	[ "$(json_get "$output" '.mounts[0].type')" = overlay ]
	[ "$(json_get "$output" '.mounts[0].source')" = overlay ]
	[[ "$(json_get "$output" '.mounts[0].options[0]')" == lowerdir=*/fs:*/fs ]]
	[[ "$(json_get "$output" '.mounts[0].options[1]')" == upperdir=*/fs ]]
	[[ "$(json_get "$output" '.mounts[0].options[2]')" == workdir=*/work ]]
	run snap mounts top
	assert_status 0
	[ "$(json_get "$output" '.[0].type')" = overlay ]
	run snap view --parent L2 v2
	[ "$(json_get "$output" '.mounts[0].options | length')" = 1 ]
	run snap stat --json L1
	[ "$(json_get "$output" '.kind')" = committed ]
	[ "$(json_get "$output" '.labels.role')" = base ]
	run snap ls --json
	[ "$(json_get "$output" 'map(.name) | join(" ")')" = "L1 L2 top v1 v2" ]
	run snap tree --json
	[ "$(json_get "$output" '.[0].children | map(.name) | sort | join(" ")')" = "L2 v1" ]
	run snap tree
	assert_output_contains "    top [active]"
}

@test "bad input: clear error, non-zero exit, store unchanged" {
	snap prepare a >/dev/null
	snap commit A a
	snap prepare --parent A act >/dev/null
	before=$(store_listing)
	long=$(printf 'k%.0s' $(seq 256))
	for key in a/b .. . "" "$long"; do
		run snap prepare "$key"
		assert_status 100
		[ "${#lines[@]}" = 1 ]
		[[ "$output" == "ctr-snapshot: fatal: "* ]]
	done
	# not found is bad input, 100, in every tool of the suite (ctr-json(7))
	run snap prepare --parent nope x
	assert_status 100
	assert_output_contains "does not exist"
	run --separate-stderr snap stat --json nope
	assert_status 100
	[ "$(json_get "$output" .error.code)" = not-found ]
	run snap prepare --parent act x
	assert_status 100
	assert_output_contains "not committed"
	run snap commit B A
	assert_status 100
	assert_output_contains "not active"
	run snap rm A
	assert_status 100
	assert_output_contains "children"
	run snap prepare act
	assert_status 100
	assert_output_contains "exists"
	run snap --snapshotter btrfs ls
	assert_status 100
	run snap prepare
	assert_status 100
	run snap frobnicate
	assert_status 100
	[ "$(store_listing)" = "$before" ]
}

@test "overlay: 3 layers, writes and deletes land in the upperdir as whiteouts" {
	require_overlay
	build_stack overlay
	l3=$(snapdir L3)
	# the deletion in L3 is a 0:0 character device in its own layer
	[ "$(stat -c '%F %t:%T' "$l3/fs/d/y")" = "character special file 0:0" ]
	snap prepare --parent L3 top >/dev/null
	snap mount top "$MNT"
	[ "$(cat "$MNT/a")" = two ]
	[ -e "$MNT/d/x" ]
	[ ! -e "$MNT/d/y" ]
	[ -e "$MNT/c" ]
	rm "$MNT/b"
	echo new >"$MNT/n"
	rm -r "$MNT/d" && mkdir "$MNT/d"
	snap umount "$MNT"
	up=$(snapdir top)/fs
	[ "$(stat -c '%F %t:%T' "$up/b")" = "character special file 0:0" ]
	[ "$(cat "$up/n")" = new ]
	[ "$(getfattr --only-values -n trusted.overlay.opaque "$up/d")" = y ]
	# the layers below did not change
	[ -e "$(snapdir L2)/fs/b" ]
	run snap umount "$MNT"
	assert_status 100
	assert_output_contains "not a mount point"
}

@test "umount of a mount in use: busy, exit 111 (a retry may work); then it goes" {
	require_overlay
	snap prepare top >/dev/null
	snap mount top "$MNT"
	(cd "$MNT" && exec sleep 60) &
	pid=$!
	run --separate-stderr snap umount "$MNT"
	kill "$pid"
	wait "$pid" || true
	assert_status 111
	[[ "$stderr" == *"is busy"* ]]
	mountpoint -q "$MNT"
	# the holder gone, the same call works
	snap umount "$MNT"
	! mountpoint -q "$MNT" || false
}

@test "native: the same visible tree as overlay" {
	require_overlay
	build_stack overlay
	snap view --parent L3 ov >/dev/null
	snap mount ov "$MNT"
	want=$(tree_of "$MNT")
	snap umount "$MNT"
	build_stack native
	snap --snapshotter native view --parent L3 nv >/dev/null
	snap --snapshotter native mount nv "$MNT"
	got=$(tree_of "$MNT")
	run touch "$MNT/ro-check"
	[ "$status" != 0 ]
	snap umount "$MNT"
	[ -n "$want" ]
	[ "$got" = "$want" ]
	# native snapshots are full copies: no whiteouts anywhere
	[ -z "$(find "$CTR_ROOT/snapshots/native" -type c)" ]
}

@test "overlay: a 150-layer stack mounts" {
	require_overlay
	# a long root makes the absolute lowerdir list far longer than a page
	export CTR_ROOT=$BATS_TEST_TMPDIR/a-root-with-a-long-name/to-make-every-lowerdir/longer-still
	parent=""
	for i in $(seq 150); do
		up=$(snap prepare $parent "w$i" | jq -r '.mounts[0].source, (.mounts[0].options[] | select(startswith("upperdir=")) | ltrimstr("upperdir="))' | tail -1)
		echo "$i" >"$up/f$i"
		snap commit "L$i" "w$i"
		parent="--parent L$i"
	done
	snap prepare --parent L150 top >/dev/null
	[ "$(snap mounts top | jq -r '.[0].options[0]' | wc -c)" -gt 4096 ]
	snap mount top "$MNT"
	[ "$(ls "$MNT" | wc -l)" = 150 ]
	[ "$(cat "$MNT/f1")" = 1 ]
	[ "$(cat "$MNT/f150")" = 150 ]
	snap umount "$MNT"
}

@test "usage matches du: bytes and inodes, hard links once" {
	snap prepare u >/dev/null
	fs=$(snapdir u)/fs
	head -c 100000 /dev/urandom >"$fs/big"
	ln "$fs/big" "$fs/big-link"
	mkdir -p "$fs/d/e"
	echo small >"$fs/d/e/s"
	ln -s big "$fs/sym"
	run snap usage --json u
	assert_status 0
	[ "$(json_get "$output" .size)" = "$(du -sB1 "$fs" | cut -f1)" ]
	[ "$(json_get "$output" .inodes)" = "$(du -s --inodes "$fs" | cut -f1)" ]
	run snap usage
	assert_status 0
	assert_output_contains "	u"
}

@test "concurrent prepare of one key: one wins, the other gets exists" {
	for round in 1 2 3 4 5; do
		snap prepare "k$round" >"$BATS_TEST_TMPDIR/o1" 2>"$BATS_TEST_TMPDIR/e1" &
		p1=$!
		snap prepare "k$round" >"$BATS_TEST_TMPDIR/o2" 2>"$BATS_TEST_TMPDIR/e2" &
		p2=$!
		r1=0 r2=0
		wait $p1 || r1=$?
		wait $p2 || r2=$?
		[ $((r1 + r2)) = 100 ]
		cat "$BATS_TEST_TMPDIR/e1" "$BATS_TEST_TMPDIR/e2" | grep -q "already exists"
	done
	[ "$(snap ls --json | jq length)" = 5 ]
	# one directory per snapshot: the loser left nothing behind
	[ "$(find "$CTR_ROOT/snapshots/overlay" -mindepth 1 -maxdepth 1 -type d ! -name meta | wc -l)" = 5 ]
}

@test "concurrent commits of one layer both succeed" {
	snap prepare b >/dev/null
	snap commit base b
	snap prepare u1 >/dev/null
	snap prepare u2 >/dev/null
	snap commit --parent base layer u1 &
	p1=$!
	snap commit --parent base layer u2 &
	p2=$!
	wait $p1
	wait $p2
	[ "$(snap ls --json | jq -c 'map(.name)')" = '["base","layer"]' ]
	[ "$(snap stat --json layer | jq -r .parent)" = base ]
}

@test "SIGKILL in the middle of prepare leaves nothing visible; cleanup reclaims it" {
	# native prepare copies the parent: give it enough files to be caught mid-copy
	snap --snapshotter native prepare p >/dev/null
	fs=$(snapdir p native)/fs
	(cd "$fs" && seq 30000 | xargs touch)
	snap --snapshotter native commit P p
	setsid ctr-snapshot --snapshotter native prepare --parent P victim >/dev/null 2>&1 &
	pid=$!
	track_pid $pid
	for i in $(seq 500); do
		compgen -G "$CTR_ROOT/snapshots/native/new-*/fs" >/dev/null && break
		sleep 0.01
	done
	# the whole group: ctr-snapshot and its cp
	kill -KILL -- -$pid
	wait $pid || true
	compgen -G "$CTR_ROOT/snapshots/native/new-*" >/dev/null
	run snap --snapshotter native stat victim
	assert_status 100
	[ "$(snap --snapshotter native ls --json | jq -c 'map(.name)')" = '["P"]' ]
	run snap --snapshotter native cleanup --json
	assert_status 0
	[ "$(json_get "$output" '.removed[0]')" != null ]
	[ -z "$(compgen -G "$CTR_ROOT/snapshots/native/new-*")" ]
	[ "$(find "$CTR_ROOT/snapshots/native" -mindepth 1 -maxdepth 1 -type d ! -name meta | wc -l)" = 1 ]
	# and the key is free again
	snap --snapshotter native prepare --parent P victim >/dev/null
}

# diff -o shares export's -o (outfile.h): a fifo is written, not replaced.
@test "diff -o: a fifo gets the layer and stays a fifo; a directory is refused" {
	require_root
	build_stack native
	snap --snapshotter native prepare --parent L3 live >/dev/null
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	timeout 20 cat "$BATS_TEST_TMPDIR/fifo" >"$BATS_TEST_TMPDIR/layer.tgz" &
	run --separate-stderr snap --snapshotter native diff -o "$BATS_TEST_TMPDIR/fifo" live
	assert_status 0
	wait $!
	[ -p "$BATS_TEST_TMPDIR/fifo" ]
	[ "sha256:$(sha256sum <"$BATS_TEST_TMPDIR/layer.tgz" | cut -d' ' -f1)" = "$(jq -r .digest <<<"$output")" ]
	run --separate-stderr snap --snapshotter native diff -o "$BATS_TEST_TMPDIR" live
	assert_status 100
	[ "$stderr" = "ctr-snapshot: fatal: '$BATS_TEST_TMPDIR' is a directory" ]
}

@test "diff of a snapshot being written to: busy, exit 111, nothing stored; once the writer stopped it works" {
	require_root
	build_stack native
	snap --snapshotter native prepare --parent L3 live >/dev/null
	snap --snapshotter native mount live "$MNT"
	head -c 8M /dev/urandom >"$MNT/grow"
	blobs() { find "$CTR_ROOT/content" -path '*/blobs/*' -type f 2>/dev/null | sort; }
	before=$(blobs)
	# a writer appending all the while the diff reads the file
	(while :; do printf x >>"$MNT/grow"; done) &
	local w=$!
	track_pid "$w"
	run --separate-stderr snap --snapshotter native diff live
	kill "$w"
	wait "$w" || true
	assert_status 111
	[ "$stderr" = "ctr-snapshot: fatal: 'grow' changed while it was read: stop its writers (pause the container) and diff again" ]
	[ -z "$output" ]
	[ "$(blobs)" = "$before" ]
	run --separate-stderr snap --snapshotter native diff live
	assert_status 0
	[ "$(gzip -dc "$(store_blob "$(json_get "$output" .digest)")" | tar -tf - | grep -x grow)" = grow ]
	snap umount "$MNT"
}

@test "rm removes the directory; cleanup on a clean store removes nothing" {
	snap prepare x >/dev/null
	d=$(snapdir x)
	[ -d "$d" ]
	snap rm x
	[ ! -e "$d" ]
	run --separate-stderr snap rm x
	assert_status 100
	[ "$stderr" = "ctr-snapshot: fatal: snapshot 'x' does not exist" ]
	run snap cleanup --json
	assert_status 0
	[ "$output" = '{"removed":[]}' ]
}

