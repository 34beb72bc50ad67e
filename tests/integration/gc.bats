#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# ctr-image gc: what it removes (exactly the unreferenced blobs and layers),
# what it keeps (shared blobs, images' and containers' snapshots, work in
# flight), and how it survives a SIGKILL and a concurrent pull.

bats_require_minimum_version 1.5.0
load ../lib/helpers
load ../lib/registry
load ../lib/containers

setup_file() {
	source_registry_start busybox=test/busybox:oci layers=test/layers:1 big=test/big:1 \
		multiarch=test/multi:1
}

teardown_file() {
	registry_stop
}

setup() {
	common_setup
	registry_use "$SRC_DIR"
	BB=$SRC/test/busybox:oci
	LY=$SRC/test/layers:1
}

teardown() {
	# a trash lock holder of the --background test, by its pid
	[ -z "${HOLDER:-}" ] || kill -KILL "$HOLDER" 2>/dev/null || true
	containers_teardown
}

# The digests an image document names (manifest, config, layers), one a line, sorted.
image_blobs() {
	jq -r '.digest, .config.digest, .layers[].digest' <<<"$1" | sort -u
}

# Every blob file of the store as a digest, sorted.
store_blobs() {
	find "$CTR_ROOT/content/blobs/sha256" -type f -printf 'sha256:%f\n' | sort
}

# The whole store but the lock files, to compare before and after.
store_listing() {
	(cd "$CTR_ROOT" && find . ! -name '*.lock' -printf '%p %s\n' | sort)
}

# Pull and unpack test/layers:1, then remove its record: its layers are garbage.
unpacked_garbage() {
	ctr-pull -q "$LY" >/dev/null
	ctr-unpack "$LY" >/dev/null
	ctr-image rm "$LY"
}

# The committed snapshots of the overlay store, sorted by key.
snapshots() {
	ctr-snapshot ls --json | jq -r '.[] | select(.kind == "committed") | .name' | sort
}

# strace, with LeakSanitizer off in what it traces: a sanitizer build cannot
# check for leaks under ptrace (its own fatal error, exit 86, otherwise).
strace() {
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 command strace "$@"
}

@test "gc: a new root is a no-op; bad usage exits 100" {
	run --separate-stderr ctr-image gc --json
	assert_status 0
	[ "$(jq -c '[.blobs, .snapshots, .ingests, .files]' <<<"$output")" = '[[],[],[],[]]' ]
	[ "$(json_get "$output" .dry_run)" = false ]
	# gc gives no root a content store or a snapshot store
	[ ! -e "$CTR_ROOT/content" ] && [ ! -e "$CTR_ROOT/snapshots" ]
	run --separate-stderr ctr-image gc
	assert_status 0
	[ -z "$output" ]
	[[ "$stderr" == *"removed 0 blobs"* ]]
	run --separate-stderr ctr-image gc extra
	assert_status 100
	run --separate-stderr ctr-image gc --keep-ingest-younger soon
	assert_status 100
	run --separate-stderr ctr-image gc --bogus
	assert_status 100
}

@test "gc: two images share layers; rm one, gc removes exactly its own blobs" {
	local a b want
	a=$(ctr-pull -q "$BB")
	b=$(ctr-pull -q "$LY")
	# the fixtures share busybox's layer: the test is only worth it if they do
	[ -n "$(comm -12 <(image_blobs "$a") <(image_blobs "$b"))" ]
	want=$(comm -13 <(image_blobs "$a") <(image_blobs "$b"))
	run --separate-stderr ctr-image gc --json
	assert_status 0
	[ "$(jq '.blobs | length' <<<"$output")" = 0 ]
	# finished downloads leave their lock files; gc takes them
	[ "$(jq '[.files[] | select(test("^content/ingest/[0-9a-f]{64}[.]lock$"))] | length' \
		<<<"$output")" -gt 0 ]
	[ "$(ls "$CTR_ROOT/content/ingest")" = index.lock ]
	ctr-image rm "$LY"
	run --separate-stderr ctr-image gc --json
	assert_status 0
	[ "$(jq -r '.blobs[]' <<<"$output" | sort)" = "$want" ]
	[ "$(json_get "$output" .blob_bytes)" -gt 0 ]
	[ "$(store_blobs)" = "$(image_blobs "$a")" ]
	run --separate-stderr ctr-image check
	assert_status 0
	run --separate-stderr ctr-unpack "$BB"
	assert_status 0
	# a second gc finds nothing more
	run --separate-stderr ctr-image gc --json
	assert_status 0
	[ "$(jq -c '[.blobs, .snapshots]' <<<"$output")" = '[[],[]]' ]
}

@test "gc: an index keeps the platform it was pulled for; all of it goes after rm" {
	local img
	img=$(ctr-pull -q --platform linux/arm/v7 "$SRC/test/multi:1")
	ctr-pull -q "$BB" >/dev/null
	ctr-image rm "$BB"
	run --separate-stderr ctr-image gc --json
	assert_status 0
	# the index, and the manifest, config and layers of the platform held
	[ "$(store_blobs)" = "$(sort -u <(image_blobs "$img") <(json_get "$img" .index.digest))" ]
	ctr-image check
	ctr-image rm "$SRC/test/multi:1"
	run --separate-stderr ctr-image gc --json
	assert_status 0
	[ -z "$(store_blobs)" ]
}

@test "gc: --dry-run lists what would go and removes nothing" {
	local a b before
	a=$(ctr-pull -q "$BB")
	b=$(ctr-pull -q "$LY")
	ctr-image rm "$LY" "$BB"
	before=$(store_listing)
	run --separate-stderr ctr-image gc --dry-run
	assert_status 0
	[[ "$stderr" == *"would remove"* ]]
	[ "$(grep -c '^blob ' <<<"$output")" = "$(sort -u <(image_blobs "$a") <(image_blobs "$b") | wc -l)" ]
	run --separate-stderr ctr-image gc --dry-run --json
	assert_status 0
	[ "$(json_get "$output" .dry_run)" = true ]
	dry=$(jq -c '.blobs | sort' <<<"$output")
	[ "$(store_listing)" = "$before" ]
	run --separate-stderr ctr-image gc --json
	assert_status 0
	[ "$(jq -c '.blobs | sort' <<<"$output")" = "$dry" ]
	[ -z "$(store_blobs)" ]
}

@test "gc: an image's unpacked layers stay while it exists and go after rm; hand-made ones stay" {
	local img chains
	img=$(ctr-pull -q "$LY")
	ctr-unpack "$LY" >/dev/null
	chains=$(snapshots)
	[ "$(wc -l <<<"$chains")" = "$(jq '.layers | length' <<<"$img")" ]
	# a snapshot committed by hand is no image's: gc leaves it alone
	ctr-snapshot prepare mine >/dev/null
	ctr-snapshot commit kept mine
	run --separate-stderr ctr-image gc --json
	assert_status 0
	[ "$(jq '.snapshots | length' <<<"$output")" = 0 ]
	[ "$(snapshots)" = "$(sort <<<"$chains"$'\n'kept)" ]
	ctr-image rm "$LY"
	run --separate-stderr ctr-image gc --json
	assert_status 0
	[ "$(jq -r '.snapshots[].key' <<<"$output" | sort)" = "$chains" ]
	[ "$(jq -r '[.snapshots[].snapshotter] | unique | join(",")' <<<"$output")" = overlay ]
	[ "$(json_get "$output" .snapshot_bytes)" -gt 0 ]
	[ "$(snapshots)" = kept ]
	# no directory of a removed snapshot is left behind
	[ "$(find "$CTR_ROOT/snapshots/overlay" -mindepth 1 -maxdepth 1 -name '[0-9a-f]*' | wc -l)" = 1 ]
}

@test "gc: an applier's active snapshot goes once its owner is gone; a live owner's stays" {
	local img d id blob dead live
	img=$(ctr-pull -q "$LY")
	d=$(jq -r '.layers[0].digest' <<<"$img")
	blob=$CTR_ROOT/content/blobs/sha256/${d#sha256:}
	id=$(jq -r '.rootfs.diff_ids[0]' "$CTR_ROOT/content/blobs/sha256/$(jq -r .config.digest <<<"$img" | cut -d: -f2)")
	# its owner is the shell that started it, gone when the shell ends ("; true": no exec)
	bash -c 'ctr-unpack --layer-stream --digest "$1" --diff-id "$2" <"$3" >"$4"; true' \
		_ "$d" "$id" "$blob" "$BATS_TEST_TMPDIR/dead.json"
	dead=$(jq -r .key "$BATS_TEST_TMPDIR/dead.json")
	# this one's owner is the test itself, alive during the gc
	ctr-unpack --layer-stream --digest "$d" --diff-id "$id" <"$blob" >"$BATS_TEST_TMPDIR/live.json"
	live=$(jq -r .key "$BATS_TEST_TMPDIR/live.json")
	ctr-snapshot prepare unpack-by-hand >/dev/null # no owner label: someone's work
	run --separate-stderr ctr-image gc --json
	assert_status 0
	[ "$(jq -r '[.snapshots[].key] | join(" ")' <<<"$output")" = "$dead" ]
	[ "$(ctr-snapshot ls --json | jq -r '.[].name' | sort)" = "$(printf '%s\n' "$live" unpack-by-hand | sort)" ]
}

@test "gc: a container's snapshot and the chain under it survive the image's rm" {
	require_root
	require_cmd runc
	local id=gc-ctr
	export CTR_RUNTIME_NO_VERSION_CHECK=1
	ctr-pull -q "$BB" | ctr-unpack >/dev/null
	chains=$(snapshots)
	cid "$id" >/dev/null
	ctr-run create --name "$id" "$BB" -- sh -c 'cat /etc/hostname >/dev/null; exit 7' >/dev/null
	ctr-image rm "$BB"
	run --separate-stderr ctr-image gc --json
	assert_status 0
	[ "$(jq '.snapshots | length' <<<"$output")" = 0 ]
	[ "$(jq '.blobs | length' <<<"$output")" -gt 0 ]
	[ "$(snapshots)" = "$chains" ]
	ctr-run start "$id"
	run ctr-run wait "$id"
	[ "$output" = 7 ] || [ "$status" = 7 ]
	ctr-run delete "$id"
	run --separate-stderr ctr-image gc --json
	assert_status 0
	[ "$(jq -r '.snapshots[].key' <<<"$output" | sort)" = "$chains" ]
	[ -z "$(snapshots)" ]
}

@test "gc: a pull in flight is waited for, and it succeeds" {
	local pid out=$BATS_TEST_TMPDIR/pull.json
	ctr-pull -q "$BB" >/dev/null
	ctr-image rm "$BB"
	ctr-pull -q --limit-rate 15000000 "$SRC/test/big:1" >"$out" 2>"$BATS_TEST_TMPDIR/pull.err" &
	pid=$!
	track_pid "$pid"
	for _ in $(seq 600); do
		[ -n "$(find "$CTR_ROOT/content/ingest" -name data -size +1M 2>/dev/null)" ] && break
		sleep 0.05
	done
	run --separate-stderr ctr-image gc --json --log-level info
	assert_status 0
	[[ "$stderr" == *"waiting for writers"* ]]
	wait "$pid"
	img=$(cat "$out")
	# busybox went; nothing of the pull did
	[ -z "$(comm -12 <(jq -r '.blobs[]' <<<"$output" | sort) <(image_blobs "$img"))" ]
	[ "$(jq '.blobs | length' <<<"$output")" -gt 0 ]
	[ "$(store_blobs)" = "$(image_blobs "$img")" ]
	run --separate-stderr ctr-image check
	assert_status 0
}

@test "gc: an interrupted download is kept for a resume, then expires" {
	local pid
	ctr-pull -q --limit-rate 3000000 "$SRC/test/big:1" >/dev/null 2>&1 &
	pid=$!
	track_pid "$pid"
	for _ in $(seq 600); do
		[ -n "$(find "$CTR_ROOT/content/ingest" -name data -size +1M 2>/dev/null)" ] && break
		sleep 0.05
	done
	kill -KILL "$pid"
	wait "$pid" || true
	run --separate-stderr ctr-image gc --json
	assert_status 0
	[ "$(jq '.ingests | length' <<<"$output")" = 0 ]
	[ "$(find "$CTR_ROOT/content/ingest" -name data | wc -l)" = 1 ]
	run --separate-stderr ctr-image gc --json --keep-ingest-younger 0
	assert_status 0
	[ "$(jq '.ingests | length' <<<"$output")" = 1 ]
	[ "$(json_get "$output" .ingest_bytes)" -gt 1000000 ]
	[ "$(ls -A "$CTR_ROOT/content/ingest")" = index.lock ]
	run --separate-stderr ctr-pull -q "$SRC/test/big:1"
	assert_status 0
	run --separate-stderr ctr-image check
	assert_status 0
}

@test "gc: lock files of removed records and temp files of dead writers go" {
	local dead
	ctr-pull -q "$BB" >/dev/null
	ctr-image tag "$BB" "$SRC/test/other:1"
	ctr-image rm "$SRC/test/other:1"
	ns=$CTR_ROOT/images/default
	# a crash leaves these: a lock without its record, a temp without its writer
	sh -c 'exit 0' &
	dead=$!
	wait "$dead"
	touch "$ns/.gone.json.lock" "$ns/.x.json.tmp-$dead" "$CTR_ROOT/content/blobs/sha256/.y.tmp-$dead"
	touch "$ns/.z.json.tmp-$$"
	# a lease writer killed before its rename (the crash harness found it)
	mkdir -p "$CTR_ROOT/leases"
	touch "$CTR_ROOT/leases/.1-ab.json.tmp-$dead" "$CTR_ROOT/leases/.2-cd.json.tmp-$$"
	run --separate-stderr ctr-image gc --json
	assert_status 0
	[ "$(jq -r '.files[]' <<<"$output" | grep -v '^content/ingest/' | sort)" = \
		"$(printf '%s\n' content/blobs/sha256/.y.tmp-$dead images/default/.gone.json.lock \
			images/default/.x.json.tmp-$dead leases/.1-ab.json.tmp-$dead)" ]
	# a live writer's temp file and a live record's lock stay
	[ -e "$ns/.z.json.tmp-$$" ] && [ -e "$CTR_ROOT/leases/.2-cd.json.tmp-$$" ]
	ls -A "$ns" | grep -q '[.]json[.]lock$'
	run --separate-stderr ctr-image check
	assert_status 0
}

@test "gc: a chain lock a killed unpack left goes, listed by --dry-run; a held one stays" {
	local dir=$CTR_ROOT/snapshots/overlay plan c0 c1 fd pid i
	ctr-pull -q "$LY" >/dev/null
	plan=$(ctr-unpack --dry-run "$LY")
	c0=$dir/chain-$(jq -r '.layers[0].chain_id | ltrimstr("sha256:")' <<<"$plan").lock
	c1=$dir/chain-$(jq -r '.layers[1].chain_id | ltrimstr("sha256:")' <<<"$plan").lock
	# the second layer's lock held here (flock(1) on an fd of this shell, which
	# no child gets): the unpack takes the first layer's, then waits
	exec {fd}>"$c1"
	flock -x "$fd"
	ctr-unpack "$LY" {fd}>&- >/dev/null 2>&1 &
	pid=$!
	for i in $(seq 100); do
		grep -q -- "-> FLOCK .* $pid " /proc/locks && break
		sleep 0.1
	done
	[ -e "$c0" ]
	# killed while it holds one: its lock file stays, held by nobody
	kill -KILL "$pid"
	wait "$pid" || true
	[ -e "$c0" ] && [ -e "$c1" ]
	run --separate-stderr ctr-image gc --dry-run {fd}>&-
	assert_status 0
	[ "$(grep '^file snapshots/' <<<"$output")" = "file ${c0#"$CTR_ROOT/"}" ]
	[ -e "$c0" ] && [ -e "$c1" ]
	run --separate-stderr ctr-image gc --json {fd}>&-
	assert_status 0
	[ "$(jq -r '.files[] | select(startswith("snapshots/"))' <<<"$output")" = "${c0#"$CTR_ROOT/"}" ]
	[ ! -e "$c0" ] && [ -e "$c1" ]
	# released without its file removed, as by a holder killed: the next gc takes it
	exec {fd}>&-
	run --separate-stderr ctr-image gc --json
	assert_status 0
	[ "$(jq -r '.files[] | select(startswith("snapshots/"))' <<<"$output")" = "${c1#"$CTR_ROOT/"}" ]
	[ -z "$(find "$dir" -maxdepth 1 -name 'chain-*.lock')" ]
	# and the image unpacks as ever, leaving no lock behind
	run --separate-stderr ctr-unpack "$LY"
	assert_status 0
	[ -z "$(find "$dir" -maxdepth 1 -name 'chain-*.lock')" ]
}

@test "gc: SIGKILL midway leaves a store every tool reads, and the next gc finishes" {
	require_cmd strace
	local a b
	a=$(ctr-pull -q "$BB")
	b=$(ctr-pull -q "$LY")
	ctr-unpack "$LY" >/dev/null
	ctr-image rm "$LY"
	# killed at its 4th unlinkat: a snapshot half removed, blobs partly
	run strace -f -o /dev/null -e trace=unlinkat -e inject=unlinkat:signal=KILL:when=4 \
		ctr-image gc
	[ "$status" -ne 0 ]
	run --separate-stderr ctr-image check
	assert_status 0
	ctr-snapshot ls >/dev/null
	run --separate-stderr ctr-image gc --json
	assert_status 0
	[ "$(store_blobs)" = "$(image_blobs "$a")" ]
	# busybox's one layer is also the first of "layers": its chain stays, as busybox's
	[ "$(jq '.layers | length' <<<"$a")" = 1 ]
	run --separate-stderr ctr-unpack "$BB"
	assert_status 0
	[ "$(snapshots)" = "$(json_get "$output" .chain_id)" ]
	[ "$(find "$CTR_ROOT/snapshots/overlay" -mindepth 1 -maxdepth 1 -name '[0-9a-f]*' | wc -l)" = 1 ]
	run --separate-stderr ctr-image check
	assert_status 0
}

@test "gc --background: keys free at once, a child unlinks; killed midway, the next gc finishes" {
	require_cmd strace
	local trash=$CTR_ROOT/snapshots/overlay/trash
	unpacked_garbage
	# the child (strace -f follows it) is killed at its 100th unlinkat: the
	# gc itself makes fewer, the busybox layer's files alone are hundreds
	run --separate-stderr strace -f -o /dev/null -e trace=unlinkat \
		-e inject=unlinkat:signal=KILL:when=100 ctr-image gc --background --json
	assert_status 0
	[ "$(jq '.snapshots | length' <<<"$output")" -gt 1 ]
	[ "$(jq -c '[.snapshots[].bytes] | unique' <<<"$output")" = '[null]' ]
	[ "$(json_get "$output" .snapshot_bytes)" = null ]
	[ -z "$(snapshots)" ] && [ -z "$(store_blobs)" ]
	# what the killed child left is in the trash, not under any snapshot's name
	[ -n "$(ls -A "$trash")" ]
	[ "$(find "$CTR_ROOT/snapshots/overlay" -mindepth 1 -maxdepth 1 -name '[0-9a-f]*' | wc -l)" = 0 ]
	run --separate-stderr ctr-image gc --json
	assert_status 0
	[ "$(jq '[.files[] | select(startswith("snapshots/overlay/trash/"))] | length' <<<"$output")" -gt 0 ]
	[ -z "$(ls -A "$trash")" ]
	# a trash whose emptier is at work (its lock held) is left to it
	ctr-unpack "$(ctr-pull -q "$LY" | jq -r .name)" >/dev/null
	ctr-image rm "$LY"
	# the holder is the process with the lock itself, so killing it frees the lock
	(
		exec 9<"$trash"
		flock -x 9
		exec sleep 600
	) &
	HOLDER=$!
	for _ in $(seq 200); do flock -n "$trash" true || break; sleep 0.05; done
	run ! flock -n "$trash" true
	run --separate-stderr ctr-image gc --background --json
	assert_status 0
	[ -z "$(snapshots)" ] && [ -n "$(ls -A "$trash")" ]
	run --separate-stderr ctr-image gc --json
	assert_status 0
	[ -n "$(ls -A "$trash")" ]
	kill -KILL "$HOLDER"
	wait "$HOLDER" || true
	HOLDER=
	run --separate-stderr ctr-image gc --json
	assert_status 0
	[ -z "$(ls -A "$trash")" ]
	[ -z "$(find "$CTR_ROOT/snapshots/overlay" -mindepth 1 -maxdepth 1 -name '[0-9a-f]*')" ]
}

@test "gc --background killed at its first move into the trash: the next gc finishes" {
	require_cmd strace
	local trash=$CTR_ROOT/snapshots/overlay/trash
	unpacked_garbage
	# the first rename of gc is a snapshot directory's into the trash: its record is gone
	run strace -f -o /dev/null -e trace=renameat,renameat2 \
		-e inject=renameat,renameat2:signal=KILL:when=1 ctr-image gc --background
	[ "$status" -ne 0 ]
	ctr-snapshot ls >/dev/null
	run --separate-stderr ctr-image gc --json
	assert_status 0
	[ -z "$(snapshots)" ] && [ -z "$(store_blobs)" ]
	[ -z "$(ls -A "$trash" 2>/dev/null)" ]
	[ -z "$(find "$CTR_ROOT/snapshots/overlay" -mindepth 1 -maxdepth 1 -name '[0-9a-f]*')" ]
	run --separate-stderr ctr-unpack "$(ctr-pull -q "$LY" | jq -r .name)"
	assert_status 0
}

@test "gc --background: the child holds the trash until it is empty; stdout is not kept open" {
	local trash=$CTR_ROOT/snapshots/overlay/trash out
	ctr-pull -q "$LY" >/dev/null
	ctr-unpack "$LY" >/dev/null
	ctr-image rm "$LY"
	# a pipe reader sees end of file when gc exits, whatever the child does
	out=$(ctr-image gc --background -q | cat)
	[ -z "$out" ]
	flock -w 60 "$trash" true
	[ -z "$(ls -A "$trash")" ]
	[ -z "$(find "$CTR_ROOT/snapshots/overlay" -mindepth 1 -maxdepth 1 -name '[0-9a-f]*')" ]
	run --separate-stderr ctr-image gc --json
	assert_status 0
	[ "$(jq -c '[.blobs, .snapshots, .ingests]' <<<"$output")" = '[[],[],[]]' ]
}

@test "gc: a record it cannot read stops it before anything is removed" {
	ctr-pull -q "$BB" >/dev/null
	ctr-image rm "$BB"
	echo '{"name":' >"$CTR_ROOT/images/default/broken.json"
	before=$(store_listing)
	run --separate-stderr ctr-image gc
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"nothing was collected"*"broken.json"* ]]
	[ "$(store_listing)" = "$before" ]
}

# lease_file ID OWNER PURPOSE TYPE NAME: a lease record as ctr-state(5) has it.
lease_file() {
	mkdir -p "$CTR_ROOT/leases"
	jq -n --arg id "$1" --arg o "$2" --arg p "$3" --arg t "$4" --arg n "$5" \
		'{id: $id, owner: $o, purpose: $p, created: "2026-01-01T00:00:00Z",
		  objects: [{type: $t, name: $n}]}' >"$CTR_ROOT/leases/$1.json"
}

@test "gc: a container directory without a record goes once no live lease or creator holds it" {
	require_root
	local sp dead live c
	sleep 300 &
	sp=$!
	track_pid $sp
	live=$(pid_identity $sp)
	sleep 300 &
	dead=$(pid_identity $!)
	# KILL: a TERM can land before the fork has exec'd sleep, in a copy of
	# bats' shell whose trap then reports this test a second time
	kill -KILL $! && wait $! || true
	for c in dead live nolease; do
		mkdir -p "$CTR_ROOT/containers/default/$c/bundle/rootfs"
		ctr-snapshot prepare "ctr:default:$c" >/dev/null
	done
	lease_file 1-dead "$dead" "create container default/dead" container default/dead
	lease_file 2-live "$live" "create container default/live" container default/live
	# ls tells a create in flight (a live lease) from a dead one
	run --separate-stderr ctr-run ls --json
	assert_status 0
	[ "$(jq -r 'map("\(.id)=\(.status)") | join(" ")' <<<"$output")" = \
		"dead=unknown live=creating nolease=unknown" ]
	run --separate-stderr ctr-image lease ls --json
	assert_status 0
	[ "$(jq -r 'map("\(.id)=\(.live)") | join(" ")' <<<"$output")" = "1-dead=false 2-live=true" ]
	[[ "$(ctr-image lease ls)" == *"2-live"*live*"create container default/live"* ]]
	run --separate-stderr ctr-image gc --json
	assert_status 0
	[ "$(jq -r '.files | sort | join(" ")' <<<"$output")" = \
		"containers/default/dead containers/default/nolease leases/1-dead.json" ]
	[ "$(ls "$CTR_ROOT/containers/default")" = live ]
	[ "$(ctr-snapshot ls --json | jq -r '.[].name')" = "ctr:default:live" ]
	# by hand: a lease removed is a lease dead
	run --separate-stderr ctr-image lease rm 2-live
	assert_status 0
	run --separate-stderr ctr-image lease rm 2-live
	assert_status 100
	[[ "$stderr" == *"no such lease '2-live'"* ]]
	run --separate-stderr ctr-image lease rm ../x
	assert_status 100
	run --separate-stderr ctr-image lease
	assert_status 100
	ctr-image gc -q
	[ -z "$(ls "$CTR_ROOT/containers/default")" ]
	[ -z "$(ctr-snapshot ls --json | jq -r '.[].name')" ]
	[ -z "$(ls "$CTR_ROOT/leases")" ]
}

@test "gc: leases live with the store --root names, whatever the state directory" {
	require_root
	require_cmd runc
	local i p rt=$BATS_TEST_TMPDIR/waiting-runtime go=$BATS_TEST_TMPDIR/go
	export CTR_RUNTIME_NO_VERSION_CHECK=1
	mkfifo "$go"
	# runc, its first call once we say so: the create holds its lease until the runtime answers
	printf '#!/bin/sh\n[ -p "%s" ] && read -r x <"%s" && rm -f "%s"\nexec runc "$@"\n' \
		"$go" "$go" "$go" >"$rt"
	chmod +x "$rt"
	ctr-pull -q "$BB" | ctr-unpack >"$BATS_TEST_TMPDIR/snap.json"
	ctr-run create --runtime "$rt" --name "$(cid leased)" - <"$BATS_TEST_TMPDIR/snap.json" \
		-- true >/dev/null &
	p=$!
	track_pid $p
	for i in $(seq 500); do
		[ -z "$(ls "$CTR_ROOT/leases" 2>/dev/null)" ] || break
		sleep 0.01
	done
	# (let the create go on whatever we saw, so nothing waits on the fifo at teardown)
	if [ -z "$(ls "$CTR_ROOT/leases" 2>/dev/null)" ]; then
		echo go >"$go"
		false
	fi
	# the store's tools see it with any state directory: a gc there keeps the create's work
	run --separate-stderr ctr-image --state "$BATS_TEST_TMPDIR/other" lease ls --json
	assert_status 0
	[ "$(jq -r '.[] | "\(.live) \(.purpose)"' <<<"$output")" = "true create container default/leased" ]
	[ ! -e "$CTR_STATE/leases" ]
	ctr-image --state "$BATS_TEST_TMPDIR/other" gc -q
	[ -d "$CTR_ROOT/containers/default/leased" ]
	echo go >"$go"
	wait $p
	[ -z "$(ctr-image lease ls -q)" ]
	[ "$(ctr-run ls --json | jq -r '.[].status')" = created ]
}

# No tool makes anything but ID.json files in leases/; whatever else is there
# is a dead lease. A directory named like one made every gc fail (111).
@test "gc: debris in leases/ (not JSON, a link, a fifo, a directory) is dead and goes" {
	local l=$CTR_ROOT/leases
	ctr-pull -q "$BB" >/dev/null
	mkdir -p "$l/dir.json/sub"
	touch "$l/dir.json/sub/f"
	echo garbage >"$l/text.json"
	ln -s /etc/passwd "$l/link.json"
	mkfifo "$l/fifo.json"
	run --separate-stderr ctr-image lease ls --json
	assert_status 0
	[ "$(jq -r '.[] | "\(.id) \(.live)"' <<<"$output")" = "dir false
fifo false
link false
text false" ]
	run --separate-stderr ctr-image gc
	assert_status 0
	[ -z "$(ls -A "$l")" ]
	[ -f /etc/passwd ]
	ctr-image inspect "$BB" >/dev/null
	# and by hand
	mkdir "$l/again.json"
	ctr-image lease rm again
	[ -z "$(ls -A "$l")" ]
}

# A lease whose owner is no "PID STARTTIME" names no process: it was taken
# for live forever, and kept what it named from every gc.
@test "gc: a lease whose owner is not a process's label is dead, and what only it names goes" {
	local l=$CTR_ROOT/leases o
	ctr-pull -q "$BB" >/dev/null
	ctr-image rm "$BB"
	mkdir -p "$l"
	for o in abc 9999999999999999999999 "-5 1" "$$"; do
		jq -n --arg o "$o" --arg d "$(store_blobs | head -n1)" \
			'{owner: $o, purpose: "test", objects: [{type: "blob", name: $d}]}' \
			>"$l/o${#o}.json"
	done
	run --separate-stderr ctr-image lease ls --json
	assert_status 0
	[ "$(jq -r '[.[] | .live] | unique | @csv' <<<"$output")" = false ]
	ctr-image gc -q
	[ -z "$(ls -A "$l")" ]
	[ -z "$(store_blobs)" ]
}

# A container entry that is a link was followed: gc made its lock file in
# the directory the link named, and read and emptied through it.
@test "gc: a link among the container directories is debris unlinked, never followed" {
	local v=$BATS_TEST_TMPDIR/victim
	mkdir -p "$v" "$CTR_ROOT/containers/default"
	touch "$v/keep"
	ln -s "$v" "$CTR_ROOT/containers/default/evil"
	ln -s "$v" "$CTR_ROOT/containers/default/.gone-evil2"
	run --separate-stderr ctr-image gc --dry-run
	assert_status 0
	[ "$(ls -A "$v")" = keep ]
	[ -L "$CTR_ROOT/containers/default/evil" ]
	run --separate-stderr ctr-image gc
	assert_status 0
	[ "$(ls -A "$v")" = keep ]
	[ -z "$(ls -A "$CTR_ROOT/containers/default")" ]
}

# A record's objects without a type or name were printed with printf's
# NULL ('(null)' in glibc, undefined behaviour in C).
@test "lease ls: objects of a garbage record without a type or name print as '?'" {
	mkdir -p "$CTR_ROOT/leases"
	echo '{"owner":"1 0","purpose":"p","objects":[1,{"type":3},{"type":"blob"}]}' \
		>"$CTR_ROOT/leases/g.json"
	run --separate-stderr ctr-image lease ls
	assert_status 0
	[ "$(sed -n 2p <<<"$output" | sed 's/.*p://')" = " ? ? ? ? blob ?" ]
}

@test "gc: a removal killed after its rename (.gone-ID) is finished by gc; ls never shows it" {
	require_root
	# what ctr-run delete and gc leave when killed between their rename and their rm -rf
	mkdir -p "$CTR_ROOT/containers/default/.gone-x/bundle/rootfs/etc" "$CTR_ROOT/containers/default/y"
	echo '{}' >"$CTR_ROOT/containers/default/.gone-x/record.json"
	: >"$CTR_ROOT/containers/default/.gone-x/lock"
	: >"$CTR_ROOT/containers/default/.gone-x/bundle/rootfs/etc/passwd"
	mkdir -p "$CTR_ROOT/containers/default/.other"
	run --separate-stderr ctr-run ls -q
	assert_status 0
	[ "$output" = y ]
	run --separate-stderr ctr-image gc --dry-run --json
	assert_status 0
	[ "$(jq -r '.files | sort | join(" ")' <<<"$output")" = \
		"containers/default/.gone-x containers/default/y" ]
	[ -e "$CTR_ROOT/containers/default/.gone-x/bundle/rootfs/etc/passwd" ]
	run --separate-stderr ctr-image gc --json
	assert_status 0
	[ "$(jq -r '.files | sort | join(" ")' <<<"$output")" = \
		"containers/default/.gone-x containers/default/y" ]
	# only what a removal names: another dot name is not gc's
	[ "$(ls -A "$CTR_ROOT/containers/default")" = .other ]
}

@test "gc: run in a loop while pulls, unpacks, creates and pushes run; every one succeeds" {
	require_root
	require_cmd runc
	local g i p stop=$BATS_TEST_TMPDIR/stop
	export CTR_RUNTIME_NO_VERSION_CHECK=1
	(while [ ! -e "$stop" ]; do ctr-image gc -q || echo "gc failed: $?"; done) \
		>"$BATS_TEST_TMPDIR/gc.log" 2>&1 &
	g=$!
	track_pid $g
	for i in 1 2 3 4 5; do
		ctr-pull -q "$BB" | ctr-unpack >"$BATS_TEST_TMPDIR/snap.json"
		cid "race$i" >/dev/null
		ctr-run create --name "race$i" - <"$BATS_TEST_TMPDIR/snap.json" -- true >/dev/null
		ctr-push -q "$BB" "$SRC/race/bb:$i" >/dev/null &
		p=$!
		# once the push has its lease, the image's rm and gc must not take its blobs
		while kill -0 $p 2>/dev/null && ! ctr-image lease ls | grep -q " push "; do
			sleep 0.01
		done
		ctr-image rm "$BB"
		wait $p
		ctr-run start -a "race$i"
		ctr-run delete "race$i"
	done
	touch "$stop"
	wait $g
	[ -z "$(grep failed "$BATS_TEST_TMPDIR/gc.log")" ]
	# every operation dropped its lease
	[ -z "$(ctr-image lease ls -q)" ]
	ctr-image gc -q
	[ -z "$(store_blobs)" ]
	[ -z "$(ctr-snapshot ls --json | jq -r '.[].name')" ]
}
