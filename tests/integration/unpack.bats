#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# ctr-unpack against real images (the harness's fixture layouts, and pulls
# from a loopback registry), compared with `umoci unpack`; hostile layers
# through the whole tool; failures leave the store as it was.

bats_require_minimum_version 1.5.0
load ../lib/helpers
load ../lib/registry

setup() {
	common_setup
	require_root
	require_cmd umoci jq python3
}

teardown() {
	common_teardown
}

# Store the blobs of a fixture layout in $CTR_ROOT/content and print the
# image JSON ctr-pull would print for it (the permanent unpack-alone path).
image_json() {
	local layout=$1 name=${2:-test/$1:latest}
	mkdir -p "$CTR_ROOT/content/blobs/sha256"
	cp -n "$layout"/blobs/sha256/* "$CTR_ROOT/content/blobs/sha256/"
	layout_image_json "$layout" "$name"
}

# Mount the top snapshot read-only at DIR: mount_top DRIVER CHAIN DIR
mount_top() {
	local key=view-$RANDOM
	ctr-snapshot --snapshotter "$1" view --parent "$2" "$key" >/dev/null
	mkdir -p "$3"
	ctr-snapshot --snapshotter "$1" mount "$key" "$3"
}

# Unpack fixture NAME with DRIVER and compare the tree with umoci's.
compare_with_umoci() {
	local name=$1 driver=$2 ref=${3:-$1} layout out chain
	layout=$(fixture_layout "$name")
	image_json "$layout" >"$BATS_TEST_TMPDIR/img.json"
	out=$(ctr-unpack --snapshotter "$driver" - <"$BATS_TEST_TMPDIR/img.json")
	chain=$(jq -r .chain_id <<<"$out")
	[ "$(jq -r .key <<<"$out")" = "$chain" ]
	[ "$(jq -r .snapshotter <<<"$out")" = "$driver" ]
	[ "$(jq -r .config.digest <<<"$out")" = "$(jq -r .config.digest "$BATS_TEST_TMPDIR/img.json")" ]
	mount_top "$driver" "$chain" "$BATS_TEST_TMPDIR/mnt"
	# umoci 0.4 reads no zstd: such a fixture is compared with its gzip twin
	umoci unpack --image "$(fixture_layout "$ref"):latest" "$BATS_TEST_TMPDIR/bundle" >/dev/null
	tree_manifest "$BATS_TEST_TMPDIR/mnt" >"$BATS_TEST_TMPDIR/ours"
	tree_manifest "$BATS_TEST_TMPDIR/bundle/rootfs" >"$BATS_TEST_TMPDIR/umoci"
	diff -u "$BATS_TEST_TMPDIR/umoci" "$BATS_TEST_TMPDIR/ours"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/ours")" -gt 10 ]
}

# The chain ID of the image's layers, computed here from the config.
expected_chain() {
	local layout=$1 cfg chain="" id
	cfg=$(jq -r .config.digest <<<"$(image_json "$layout")" | cut -d: -f2)
	for id in $(jq -r '.rootfs.diff_ids[]' "$layout/blobs/sha256/$cfg"); do
		if [ -z "$chain" ]; then chain=$id; else
			chain=sha256:$(printf '%s %s' "$chain" "$id" | sha256sum | cut -d' ' -f1)
		fi
	done
	echo "$chain"
}

no_active_snapshots() {
	local driver=${1:-overlay}
	run ctr-snapshot --snapshotter "$driver" ls --json
	[ "$status" -eq 0 ]
	[ "$(jq '[.[] | select(.kind == "active")] | length' <<<"$output")" -eq 0 ]
}

@test "unpack: layers fixture, overlay, matches umoci unpack" {
	compare_with_umoci layers overlay
	no_active_snapshots overlay
}

@test "unpack: layers fixture, native, matches umoci unpack" {
	compare_with_umoci layers native
	no_active_snapshots native
}

@test "unpack: busybox in every compression and media type matches umoci" {
	local f
	for f in busybox busybox-zstd:busybox busybox-uncompressed busybox-v2s2; do
		compare_with_umoci "${f%%:*}" overlay "${f#*:}"
		umount "$BATS_TEST_TMPDIR/mnt"
		rm -rf "$BATS_TEST_TMPDIR/bundle" "$BATS_TEST_TMPDIR/mnt" "$CTR_ROOT"
	done
}

@test "unpack: chain ID is the image spec's, parents are stacked, a rerun skips" {
	local layout out
	layout=$(fixture_layout layers)
	image_json "$layout" >"$BATS_TEST_TMPDIR/img.json"
	out=$(ctr-unpack - <"$BATS_TEST_TMPDIR/img.json")
	[ "$(jq -r .chain_id <<<"$out")" = "$(expected_chain "$layout")" ]
	run ctr-snapshot ls --json
	[ "$(jq length <<<"$output")" -eq 5 ]
	[ "$(jq '[.[] | select(.parent == null or .parent == "")] | length' <<<"$output")" -eq 1 ]
	run ctr-unpack --log-level info - <"$BATS_TEST_TMPDIR/img.json"
	[ "$status" -eq 0 ]
	[[ "$output" == *"0 of 5 layers applied"* ]]
	run ctr-snapshot ls --json
	[ "$(jq length <<<"$output")" -eq 5 ]
}

@test "unpack: --jobs 1 and parallel give the same snapshots" {
	local layout a b
	layout=$(fixture_layout layers)
	image_json "$layout" >"$BATS_TEST_TMPDIR/img.json"
	a=$(ctr-unpack --jobs 1 - <"$BATS_TEST_TMPDIR/img.json" | jq -r .chain_id)
	mount_top overlay "$a" "$BATS_TEST_TMPDIR/m1"
	tree_manifest "$BATS_TEST_TMPDIR/m1" >"$BATS_TEST_TMPDIR/t1"
	umount "$BATS_TEST_TMPDIR/m1"
	export CTR_ROOT=$BATS_TEST_TMPDIR/root2
	image_json "$layout" >/dev/null
	b=$(ctr-unpack --jobs 8 --inflate zlib - <"$BATS_TEST_TMPDIR/img.json" | jq -r .chain_id)
	[ "$a" = "$b" ]
	mount_top overlay "$b" "$BATS_TEST_TMPDIR/m2"
	tree_manifest "$BATS_TEST_TMPDIR/m2" >"$BATS_TEST_TMPDIR/t2"
	diff -u "$BATS_TEST_TMPDIR/t1" "$BATS_TEST_TMPDIR/t2"
}

@test "unpack: two unpacks of one image at once both succeed" {
	local layout
	layout=$(fixture_layout layers)
	image_json "$layout" >"$BATS_TEST_TMPDIR/img.json"
	ctr-unpack - <"$BATS_TEST_TMPDIR/img.json" >"$BATS_TEST_TMPDIR/o1" &
	local p1=$!
	ctr-unpack - <"$BATS_TEST_TMPDIR/img.json" >"$BATS_TEST_TMPDIR/o2" &
	local p2=$!
	wait "$p1"
	wait "$p2"
	[ "$(jq -r .chain_id "$BATS_TEST_TMPDIR/o1")" = "$(jq -r .chain_id "$BATS_TEST_TMPDIR/o2")" ]
	no_active_snapshots
}

@test "unpack: eight unpacks of one image at once apply each layer once, and the others reuse it" {
	local layout n i pids=() total=0 applied
	layout=$(fixture_layout layers)
	image_json "$layout" >"$BATS_TEST_TMPDIR/img.json"
	n=$(jq '.layers | length' "$BATS_TEST_TMPDIR/img.json")
	# half of them with a state directory of their own: the root is what they share
	for i in 1 2 3 4 5 6 7 8; do
		CTR_STATE=$BATS_TEST_TMPDIR/state$((i % 2)) \
			ctr-unpack --log-level info - <"$BATS_TEST_TMPDIR/img.json" \
			>"$BATS_TEST_TMPDIR/o$i" 2>"$BATS_TEST_TMPDIR/e$i" &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i"; done
	for i in 1 2 3 4 5 6 7 8; do
		applied=$(sed -n 's/.*: \([0-9]*\) of [0-9]* layers applied.*/\1/p' "$BATS_TEST_TMPDIR/e$i")
		[ -n "$applied" ]
		total=$((total + applied))
		[ "$(jq -r .chain_id "$BATS_TEST_TMPDIR/o$i")" = "$(jq -r .chain_id "$BATS_TEST_TMPDIR/o1")" ]
	done
	# one extraction per layer in all: the peak disk of one unpack, not eight
	[ "$total" -eq "$n" ]
	no_active_snapshots
	# chain locks live only while held, in the root's snapshot store
	[ -z "$(find "$CTR_ROOT/snapshots/overlay" -maxdepth 1 -name 'chain-*.lock')" ]
	[ ! -e "$BATS_TEST_TMPDIR/state0/unpack" ] && [ ! -e "$BATS_TEST_TMPDIR/state1/unpack" ]
}

# ---- bad input: exit 100 and the store as it was ---------------------------

# Replace the config by one with the given diff_ids (JSON array) and print the image JSON.
with_diff_ids() {
	local img=$1 ids=$2 cfg new
	cfg=$(jq -r .config.digest "$img" | cut -d: -f2)
	jq -c --argjson ids "$ids" '.rootfs.diff_ids = $ids' \
		"$CTR_ROOT/content/blobs/sha256/$cfg" >"$BATS_TEST_TMPDIR/cfg.json"
	new=$(sha256sum <"$BATS_TEST_TMPDIR/cfg.json" | cut -d' ' -f1)
	cp "$BATS_TEST_TMPDIR/cfg.json" "$CTR_ROOT/content/blobs/sha256/$new"
	jq -c --arg d "sha256:$new" --argjson s "$(stat -c %s "$BATS_TEST_TMPDIR/cfg.json")" \
		'.config.digest = $d | .config.size = $s' "$img"
}

@test "unpack: diff_id mismatch: exit 100, no snapshot of that layer, no active left" {
	local layout ids
	layout=$(fixture_layout layers)
	image_json "$layout" >"$BATS_TEST_TMPDIR/img.json"
	ids=$(jq -c --arg bad "sha256:$(printf x | sha256sum | cut -d' ' -f1)" \
		'.rootfs.diff_ids | .[2] = $bad' \
		"$CTR_ROOT/content/blobs/sha256/$(jq -r .config.digest "$BATS_TEST_TMPDIR/img.json" | cut -d: -f2)")
	with_diff_ids "$BATS_TEST_TMPDIR/img.json" "$ids" >"$BATS_TEST_TMPDIR/bad.json"
	run ctr-unpack - <"$BATS_TEST_TMPDIR/bad.json"
	[ "$status" -eq 100 ]
	[[ "$output" == *"ctr-unpack: fatal:"*"layer 2"*"diff_id mismatch"* ]]
	no_active_snapshots
	run ctr-snapshot ls --json
	[ "$(jq length <<<"$output")" -eq 0 ]
	# no snapshot directory left behind either: only the store's lock and records
	[ -z "$(ls "$CTR_ROOT/snapshots/overlay" | grep -v -e '^lock$' -e '^meta$')" ]
}

@test "unpack: a layer worker killed by a signal is a system failure: exit 111" {
	image_json "$(fixture_layout busybox)" >"$BATS_TEST_TMPDIR/img.json"
	# busybox is over 256 KiB: the worker writing it dies of SIGXFSZ
	run --separate-stderr bash -c 'ulimit -f 256 && exec ctr-unpack - <"$1"' _ \
		"$BATS_TEST_TMPDIR/img.json"
	assert_status 111
	[[ "$stderr" == "ctr-unpack: fatal: layer 0 "*"layer worker killed by signal 25" ]]
	[ -z "$output" ]
	no_active_snapshots
	run ctr-unpack - <"$BATS_TEST_TMPDIR/img.json"
	assert_status 0
}

@test "unpack: a rotted blob (digest mismatch) is refused before commit" {
	local layout blob
	layout=$(fixture_layout busybox)
	image_json "$layout" >"$BATS_TEST_TMPDIR/img.json"
	blob=$CTR_ROOT/content/blobs/sha256/$(jq -r '.layers[0].digest' "$BATS_TEST_TMPDIR/img.json" | cut -d: -f2)
	chmod u+w "$blob"
	printf 'X' | dd of="$blob" bs=1 seek=100 conv=notrunc status=none
	run ctr-unpack - <"$BATS_TEST_TMPDIR/img.json"
	[ "$status" -eq 100 ]
	no_active_snapshots
	run ctr-snapshot ls --json
	[ "$(jq length <<<"$output")" -eq 0 ]
}

@test "unpack: bad image JSON, media types and missing blobs: exit 100" {
	local layout
	layout=$(fixture_layout busybox)
	image_json "$layout" >"$BATS_TEST_TMPDIR/img.json"
	run ctr-unpack - <<<'not json'
	[ "$status" -eq 100 ]
	run ctr-unpack - <<<'{"name":"x","layers":[]}'
	[ "$status" -eq 100 ]
	jq -c '.layers[0].mediaType = "application/x-evil"' "$BATS_TEST_TMPDIR/img.json" >"$BATS_TEST_TMPDIR/mt.json"
	run ctr-unpack - <"$BATS_TEST_TMPDIR/mt.json"
	[ "$status" -eq 100 ]
	[[ "$output" == *"unsupported media type"* ]]
	jq -c '.layers[0].digest = "sha256:'"$(printf y | sha256sum | cut -d' ' -f1)"'"' \
		"$BATS_TEST_TMPDIR/img.json" >"$BATS_TEST_TMPDIR/missing.json"
	run ctr-unpack --json - <"$BATS_TEST_TMPDIR/missing.json"
	[ "$status" -eq 100 ]
	[ "$(jq -r .error.code <<<"${lines[-1]}")" = "not-found" ]
	jq -c '.layers[0].digest = "sha256:../../etc/passwd"' "$BATS_TEST_TMPDIR/img.json" >"$BATS_TEST_TMPDIR/trav.json"
	run ctr-unpack - <"$BATS_TEST_TMPDIR/trav.json"
	[ "$status" -eq 100 ]
	run ctr-unpack --snapshotter zfs -
	[ "$status" -eq 100 ]
	run ctr-unpack --jobs 0 -
	[ "$status" -eq 100 ]
	no_active_snapshots
}

# A one-layer image around a tar that python writes: hostile_image NAME
# with $BATS_TEST_TMPDIR/layer.tar present; prints the image JSON.
hostile_image() {
	local tar=$BATS_TEST_TMPDIR/layer.tar dig diffid cfg cdig
	mkdir -p "$CTR_ROOT/content/blobs/sha256"
	gzip -n -c "$tar" >"$BATS_TEST_TMPDIR/layer.tgz"
	dig=$(sha256sum <"$BATS_TEST_TMPDIR/layer.tgz" | cut -d' ' -f1)
	diffid=$(sha256sum <"$tar" | cut -d' ' -f1)
	cp "$BATS_TEST_TMPDIR/layer.tgz" "$CTR_ROOT/content/blobs/sha256/$dig"
	cfg=$(jq -cn --arg d "sha256:$diffid" \
		'{architecture:"amd64",os:"linux",rootfs:{type:"layers",diff_ids:[$d]},config:{}}')
	printf '%s' "$cfg" >"$BATS_TEST_TMPDIR/cfg"
	cdig=$(sha256sum <"$BATS_TEST_TMPDIR/cfg" | cut -d' ' -f1)
	cp "$BATS_TEST_TMPDIR/cfg" "$CTR_ROOT/content/blobs/sha256/$cdig"
	jq -cn --arg n "$1" --arg d "sha256:$dig" --argjson s "$(stat -c %s "$BATS_TEST_TMPDIR/layer.tgz")" \
		--arg c "sha256:$cdig" --argjson cs "${#cfg}" \
		'{name:$n, config:{mediaType:"application/vnd.oci.image.config.v1+json",digest:$c,size:$cs},
		  layers:[{mediaType:"application/vnd.oci.image.layer.v1.tar+gzip",digest:$d,size:$s}]}'
}

# zeros_layer NAME MIB: $BATS_TEST_TMPDIR/layer.tar holding one file NAME of
# MIB MiB of zeros (a gzip of it is tiny; unpacking it is not).
zeros_layer() {
	python3 - "$BATS_TEST_TMPDIR/layer.tar" "$1" "$2" <<'PY'
import sys, tarfile
class Zeros:
    def __init__(self, n): self.n = n
    def read(self, k=-1):
        k = self.n if k < 0 else min(k, self.n); self.n -= k; return b"\0" * k
t = tarfile.open(sys.argv[1], "w")
i = tarfile.TarInfo(sys.argv[2]); i.size = int(sys.argv[3]) << 20
t.addfile(i, Zeros(i.size)); t.close()
PY
}

# The sentinel: a host tree the hostile layers aim at.
make_sentinel() {
	mkdir -p "$BATS_TEST_TMPDIR/sentinel/dir"
	echo sentinel >"$BATS_TEST_TMPDIR/sentinel/file"
	(cd "$BATS_TEST_TMPDIR/sentinel" && find . -printf '%p %y %m %s %T@\n' | sort && cat file) \
		>"$BATS_TEST_TMPDIR/sentinel.before"
}

sentinel_unchanged() {
	(cd "$BATS_TEST_TMPDIR/sentinel" && find . -printf '%p %y %m %s %T@\n' | sort && cat file) |
		diff -u "$BATS_TEST_TMPDIR/sentinel.before" -
	[ ! -e /etc/ctr-unpack-pwned ]
}

@test "unpack: hostile layer through the tool: writes through symlinks stay inside" {
	make_sentinel
	S=$BATS_TEST_TMPDIR/sentinel python3 - "$BATS_TEST_TMPDIR/layer.tar" <<'PY'
import io, os, sys, tarfile
s = os.environ["S"]
t = tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT)
def add(name, type=tarfile.REGTYPE, data=b"pwned", link=""):
    i = tarfile.TarInfo(name); i.type = type; i.linkname = link; i.mode = 0o644
    if type == tarfile.REGTYPE: i.size = len(data); t.addfile(i, io.BytesIO(data))
    else: t.addfile(i)
add("root", tarfile.SYMTYPE, link="/")
add("root" + s + "/file")
add("up", tarfile.SYMTYPE, link="/etc/../../..")
add("up/ctr-unpack-pwned")
add("s", tarfile.SYMTYPE, link=s + "/file")
add("h", tarfile.LNKTYPE, link="s")
add("s")
add("d", tarfile.DIRTYPE)
add("d", tarfile.SYMTYPE, link=s)
add("d/new")
add("w", tarfile.SYMTYPE, link=s)
add("w/.wh.file", data=b"")
t.close()
PY
	hostile_image hostile/ok:1 >"$BATS_TEST_TMPDIR/img.json"
	for d in overlay native; do
		run ctr-unpack --snapshotter "$d" - <"$BATS_TEST_TMPDIR/img.json"
		echo "$d: $output"
		[ "$status" -eq 0 ]
		sentinel_unchanged
	done
	mount_top overlay "$(jq -r .chain_id <<<"$output")" "$BATS_TEST_TMPDIR/mnt" 2>/dev/null ||
		mount_top native "$(jq -r .chain_id <<<"$output")" "$BATS_TEST_TMPDIR/mnt"
	[ -f "$BATS_TEST_TMPDIR/mnt/$BATS_TEST_TMPDIR/sentinel/new" ]
	[ -f "$BATS_TEST_TMPDIR/mnt/ctr-unpack-pwned" ]
	[ -L "$BATS_TEST_TMPDIR/mnt/h" ]
}

@test "unpack: hostile layers that must fail: exit 100, store and host unchanged" {
	local case
	make_sentinel
	for case in dotdot hardlink-out dev-huge wh-dotdot pax-huge; do
		CASE=$case S=$BATS_TEST_TMPDIR/sentinel python3 - "$BATS_TEST_TMPDIR/layer.tar" <<'PY'
import io, os, sys, tarfile
s, case, out = os.environ["S"], os.environ["CASE"], sys.argv[1]
if case == "pax-huge":
    # a pax 'x' header whose size field claims 8 GiB
    h = bytearray(512); h[0:12] = b"PaxHeaders/x"; h[100:108] = b"0000644\0"
    h[124:136] = b"77777777777\0"; h[156:157] = b"x"; h[257:265] = b"ustar\x0000"
    h[148:156] = b" " * 8; h[148:155] = ("%06o\0" % sum(h)).encode()
    open(out, "wb").write(bytes(h) + b"30 path=aaaaaaaaaaaaaaaaaaaaa\n".ljust(2048, b"\0"))
    sys.exit(0)
t = tarfile.open(out, "w", format=tarfile.PAX_FORMAT)
def add(name, type=tarfile.REGTYPE, data=b"pwned", link="", major=0, minor=0):
    i = tarfile.TarInfo(name); i.type = type; i.linkname = link; i.mode = 0o644
    i.devmajor, i.devminor = major, minor
    if type == tarfile.REGTYPE: i.size = len(data); t.addfile(i, io.BytesIO(data))
    else: t.addfile(i)
add("ok")
if case == "dotdot": add("../../../../../../.." + s + "/file")
if case == "hardlink-out": add("h", tarfile.LNKTYPE, link="../../../../../.." + s + "/file")
if case == "dev-huge": add("c", tarfile.CHRTYPE, major=4096, minor=1)
if case == "wh-dotdot": add(".wh..", data=b"")
t.close()
PY
		hostile_image "hostile/$case:1" >"$BATS_TEST_TMPDIR/img.json"
		run ctr-unpack - <"$BATS_TEST_TMPDIR/img.json"
		echo "$case: $output"
		[ "$status" -eq 100 ]
		[[ "$output" == "ctr-unpack: fatal: layer 0"* ]]
		sentinel_unchanged
		no_active_snapshots
		run ctr-snapshot ls --json
		[ "$(jq length <<<"$output")" -eq 0 ]
	done
}

# Headers Go's archive/tar (containerd, podman) refuses and libarchive reads
# with a guess or a warning: python writes a good tar, then bytes are edited.
@test "unpack: malformed tar headers: exit 100, one line naming the entry, store unchanged" {
	local case
	for case in size-not-octal bad-checksum link-with-data pax-key-twice one-zero-block trailing-entry; do
		CASE=$case "$(helpers_python)" -I - "$BATS_TEST_TMPDIR/layer.tar" <<'PY'
import io, os, sys, tarfile
case, out = os.environ["CASE"], sys.argv[1]
b = io.BytesIO()
t = tarfile.open(fileobj=b, mode="w", format=tarfile.USTAR_FORMAT)
def add(name, data=b"x", type=tarfile.REGTYPE, link=""):
    i = tarfile.TarInfo(name); i.type = type; i.linkname = link
    i.size = len(data) if type == tarfile.REGTYPE else 0
    t.addfile(i, io.BytesIO(data) if i.size else None)
add("ok"); add("bad"); add("last")
t.close()
d = bytearray(b.getvalue())
def resum(off):
    d[off + 148:off + 156] = b" " * 8
    d[off + 148:off + 155] = ("%06o\0" % sum(d[off:off + 512])).encode()
if case == "size-not-octal":
    d[1024 + 124:1024 + 136] = b"0000000001x\0"; resum(1024)
if case == "bad-checksum":
    d[1024 + 20] ^= 1
if case == "link-with-data":
    d[1024 + 156] = ord("1"); d[1024 + 157:1024 + 159] = b"ok"; resum(1024)
if case == "pax-key-twice":
    rec = b"11 path=a\n11 path=b\n"
    h = bytearray(d[1024:1536]); h[0:12] = b"PaxHeaders/x".ljust(12, b"\0"); h[156] = ord("x")
    h[124:136] = b"%011o\0" % len(rec)
    d[1024:1024] = bytes(h) + rec.ljust(512, b"\0"); resum(1024)
if case == "one-zero-block":
    d[1024:1024] = bytes(512)
if case == "trailing-entry":
    d += d[:1024] + bytes(1024)
open(out, "wb").write(d)
PY
		hostile_image "malformed/$case:1" >"$BATS_TEST_TMPDIR/img.json"
		run ctr-unpack - <"$BATS_TEST_TMPDIR/img.json"
		echo "$case: $output"
		[ "$status" -eq 100 ]
		[ "${#lines[@]}" -eq 1 ]
		[[ "$output" =~ ^ctr-unpack:\ fatal:\ layer\ 0.*tar\ (entry\ \'(bad|ok|a|PaxHeaders/x)\'|stream\ at\ byte) ]]
		no_active_snapshots
		run ctr-snapshot ls --json
		[ "$(jq length <<<"$output")" -eq 0 ]
	done
}

@test "unpack: gzip bomb stops at --max-size" {
	make_sentinel
	zeros_layer bomb 256
	hostile_image hostile/bomb:1 >"$BATS_TEST_TMPDIR/img.json"
	rm -f "$BATS_TEST_TMPDIR/layer.tar"
	[ "$(jq '.layers[0].size' "$BATS_TEST_TMPDIR/img.json")" -lt $((1 << 20)) ]
	run ctr-unpack --max-size 16777216 - <"$BATS_TEST_TMPDIR/img.json"
	[ "$status" -eq 100 ]
	[[ "$output" == *"larger than 16777216 bytes"* ]]
	no_active_snapshots
	sentinel_unchanged
}

# ---- with ctr-pull: by name, and the pipeline -------------------------------

@test "unpack: ctr-pull | ctr-unpack, and ctr-unpack IMAGE-NAME" {
	require_cmd docker-registry skopeo
	registry_start
	fixture_push layers test/layers:1
	run ctr-pull --plain-http -q "$REGISTRY/test/layers:1"
	[ "$status" -eq 0 ]
	local name chain
	name=$(jq -r .name <<<"$output")
	chain=$(ctr-pull --plain-http -q "$REGISTRY/test/layers:1" | ctr-unpack | jq -r .chain_id)
	[ "$chain" = "$(expected_chain "$(fixture_layout layers)")" ]
	run ctr-unpack --snapshotter native "$name"
	[ "$status" -eq 0 ]
	[ "$(jq -r .chain_id <<<"$output")" = "$chain" ]
	[ "$(jq -r .image <<<"$output")" = "$name" ]
	run ctr-unpack no.such/image:1
	[ "$status" -eq 100 ]
	[[ "$output" == *"no image 'no.such/image:1'"* ]]
	run ctr-unpack 'BAD REF'
	[ "$status" -eq 100 ]
}

# ---- unpack while downloading: --layer-stream appliers, then commit ---------

@test "unpack: --layer-stream appliers fed by pipes, then ctr-unpack commits (no layer blob stored)" {
	local layout cfg i=0 d id mt o unp="[]" chain want
	layout=$(fixture_layout layers)
	want=$(expected_chain "$layout")
	image_json "$layout" >"$BATS_TEST_TMPDIR/img.json"
	cfg=$(jq -r .config.digest "$BATS_TEST_TMPDIR/img.json" | cut -d: -f2)
	# only the config in the store: the layers arrive on pipes, as from a download
	rm -rf "$CTR_ROOT/content/blobs/sha256"
	mkdir -p "$CTR_ROOT/content/blobs/sha256"
	cp "$layout/blobs/sha256/$cfg" "$CTR_ROOT/content/blobs/sha256/"
	for d in $(jq -r '.layers[].digest' "$BATS_TEST_TMPDIR/img.json"); do
		id=$(jq -r ".rootfs.diff_ids[$i]" "$layout/blobs/sha256/$cfg")
		mt=$(jq -r ".layers[$i].mediaType" "$BATS_TEST_TMPDIR/img.json")
		o=$(cat "$layout/blobs/sha256/${d#sha256:}" |
			ctr-unpack --layer-stream --digest "$d" --diff-id "$id" --media-type "$mt")
		[ "$(jq -r .digest <<<"$o")" = "$d" ]
		unp=$(jq -c --argjson o "$o" '. + [$o]' <<<"$unp")
		i=$((i + 1))
	done
	run ctr-snapshot ls --json
	[ "$(jq '[.[] | select(.kind == "active")] | length' <<<"$output")" -eq 5 ]
	jq -c --argjson u "$unp" '. + {unpacked: $u}' "$BATS_TEST_TMPDIR/img.json" >"$BATS_TEST_TMPDIR/u.json"
	chain=$(ctr-unpack - <"$BATS_TEST_TMPDIR/u.json" | jq -r .chain_id)
	[ "$chain" = "$want" ]
	no_active_snapshots
	[ "$(ls "$CTR_ROOT/content/blobs/sha256" | wc -l)" -eq 1 ]
	mount_top overlay "$chain" "$BATS_TEST_TMPDIR/mnt"
	umoci unpack --image "$layout:latest" "$BATS_TEST_TMPDIR/bundle" >/dev/null
	diff -u <(tree_manifest "$BATS_TEST_TMPDIR/bundle/rootfs") <(tree_manifest "$BATS_TEST_TMPDIR/mnt")
}

@test "unpack: --layer-stream refuses a wrong diff_id or digest and leaves nothing" {
	local layout d id blob
	layout=$(fixture_layout busybox)
	image_json "$layout" >"$BATS_TEST_TMPDIR/img.json"
	d=$(jq -r '.layers[0].digest' "$BATS_TEST_TMPDIR/img.json")
	blob=$layout/blobs/sha256/${d#sha256:}
	id=sha256:$(gzip -dc "$blob" | sha256sum | cut -d' ' -f1)
	run ctr-unpack --layer-stream --digest "$d" --diff-id "sha256:$(printf x | sha256sum | cut -c1-64)" <"$blob"
	[ "$status" -eq 100 ]
	[[ "$output" == *"diff_id mismatch"* ]]
	run ctr-unpack --layer-stream --digest "sha256:$(printf y | sha256sum | cut -c1-64)" --diff-id "$id" <"$blob"
	[ "$status" -eq 100 ]
	[[ "$output" == *"digest mismatch"* ]]
	run ctr-unpack --layer-stream --digest "$d" --diff-id "$id" --size 12 <"$blob"
	[ "$status" -eq 100 ]
	run ctr-unpack --layer-stream --digest "$d" <"$blob"
	[ "$status" -eq 100 ]
	run ctr-unpack --layer-stream --snapshotter native --digest "$d" --diff-id "$id" <"$blob"
	[ "$status" -eq 100 ]
	run ctr-snapshot ls --json
	[ "$(jq length <<<"$output")" -eq 0 ]
	# a key that is not an applier's, or applied for another layer, is not adopted
	ctr-snapshot prepare unpack-1-0-forged >/dev/null
	jq -c '. + {unpacked: [{digest: .layers[0].digest, key: "unpack-1-0-forged"}]}' \
		"$BATS_TEST_TMPDIR/img.json" >"$BATS_TEST_TMPDIR/forged.json"
	run ctr-unpack - <"$BATS_TEST_TMPDIR/forged.json"
	[ "$status" -eq 100 ]
	[[ "$output" == *"is not an applied"* ]]
	run ctr-snapshot ls --json
	[ "$(jq '[.[] | select(.kind == "committed")] | length' <<<"$output")" -eq 0 ]
}

@test "unpack: --dry-run says which layers are committed and changes nothing" {
	local layout want cfg
	layout=$(fixture_layout layers)
	want=$(expected_chain "$layout")
	image_json "$layout" >"$BATS_TEST_TMPDIR/img.json"
	run ctr-unpack --dry-run - <"$BATS_TEST_TMPDIR/img.json"
	[ "$status" -eq 0 ]
	[ "$(jq -r .chain_id <<<"$output")" = "$want" ]
	[ "$(jq -r '.layers[-1].chain_id' <<<"$output")" = "$want" ]
	[ "$(jq '[.layers[] | select(.committed)] | length' <<<"$output")" -eq 0 ]
	[ "$(jq '.layers | length' <<<"$output")" -eq "$(jq '.layers | length' "$BATS_TEST_TMPDIR/img.json")" ]
	run ctr-snapshot ls --json
	[ "$(jq length <<<"$output")" -eq 0 ]
	ctr-unpack - <"$BATS_TEST_TMPDIR/img.json" >/dev/null
	run ctr-unpack --dry-run - <"$BATS_TEST_TMPDIR/img.json"
	[ "$status" -eq 0 ]
	[ "$(jq '[.layers[] | select(.committed | not)] | length' <<<"$output")" -eq 0 ]
	# a puller's document: the config not stored yet, its diff_ids in the document
	cfg=$(jq -r .config.digest "$BATS_TEST_TMPDIR/img.json")
	jq -c --slurpfile c "$layout/blobs/sha256/${cfg#sha256:}" '. + {diff_ids: $c[0].rootfs.diff_ids}' \
		"$BATS_TEST_TMPDIR/img.json" >"$BATS_TEST_TMPDIR/ids.json"
	rm "$CTR_ROOT/content/blobs/sha256/${cfg#sha256:}"
	run ctr-unpack --dry-run - <"$BATS_TEST_TMPDIR/ids.json"
	[ "$status" -eq 0 ]
	[ "$(jq -r .chain_id <<<"$output")" = "$want" ]
	# without them there is nothing to compute chain IDs from; a real unpack never trusts them
	run ctr-unpack --dry-run - <"$BATS_TEST_TMPDIR/img.json"
	[ "$status" -eq 100 ]
	run ctr-unpack - <"$BATS_TEST_TMPDIR/ids.json"
	[ "$status" -eq 100 ]
	run ctr-unpack --dry-run --layer-stream - <"$BATS_TEST_TMPDIR/img.json"
	[ "$status" -eq 100 ]
}

@test "unpack: --discard removes only the snapshots appliers left for its caller" {
	local layout d id blob key
	layout=$(fixture_layout busybox)
	image_json "$layout" >"$BATS_TEST_TMPDIR/img.json"
	d=$(jq -r '.layers[0].digest' "$BATS_TEST_TMPDIR/img.json")
	blob=$layout/blobs/sha256/${d#sha256:}
	id=sha256:$(gzip -dc "$blob" | sha256sum | cut -d' ' -f1)
	ctr-snapshot prepare unpack-1-0-forged >/dev/null
	# one shell is the parent of the applier and of both --discard runs ("; true": no exec)
	run bash -c '
		ctr-unpack --layer-stream --digest "$1" --diff-id "$2" <"$3" >"$4" || exit 9
		key=$(jq -r .key "$4")
		ctr-unpack --discard "$key" unpack-1-0-forged; echo "forged: $?"
		ctr-snapshot ls --json | jq -r ".[].name" | sort | tr "\n" " "; echo
		ctr-unpack --discard "$key"; echo "own: $?"
		ctr-unpack --discard "$key"; echo "again: $?"
		true' _ "$d" "$id" "$blob" "$BATS_TEST_TMPDIR/out.json"
	[ "$status" -eq 0 ]
	key=$(jq -r .key "$BATS_TEST_TMPDIR/out.json")
	[[ "$output" == *"forged: 100"* ]]
	[[ "$output" == *"not an active snapshot an applier left for us"* ]]
	# all or nothing: the refused run removed neither
	[[ "$output" == *"$key "* && "$output" == *"unpack-1-0-forged "* ]]
	[[ "$output" == *"own: 0"* ]]
	[[ "$output" == *"again: 0"* ]]
	run ctr-snapshot ls --json
	[ "$(jq -r '.[].name' <<<"$output")" = unpack-1-0-forged ]
	# another process's applier snapshot (here: made under another parent) is refused too
	ctr-unpack --layer-stream --digest "$d" --diff-id "$id" <"$blob" >"$BATS_TEST_TMPDIR/out2.json"
	key=$(jq -r .key "$BATS_TEST_TMPDIR/out2.json")
	run ctr-unpack --discard "$key"
	[ "$status" -eq 100 ]
	run ctr-unpack --discard
	[ "$status" -eq 100 ]
	run ctr-unpack --discard ../x
	[ "$status" -eq 100 ]
}

@test "unpack: SIGKILL mid-unpack: its workers die with it, and a rerun completes" {
	local upid w p i state
	zeros_layer zeros 512
	hostile_image big/zeros:1 >"$BATS_TEST_TMPDIR/img.json"
	rm -f "$BATS_TEST_TMPDIR/layer.tar"
	ctr-unpack - <"$BATS_TEST_TMPDIR/img.json" >/dev/null 2>&1 &
	upid=$!
	track_pid $upid
	for i in $(seq 200); do
		w=$(pgrep -P "$upid") && break
		sleep 0.02
	done
	[ -n "$w" ]
	for p in $w; do track_pid "$p"; done # whatever happens, teardown ends them
	# held where it is: only its parent's death can end it now
	kill -STOP $w
	kill -KILL "$upid"
	wait "$upid" || true
	for i in $(seq 100); do
		state=gone
		for p in $w; do
			[ -e "/proc/$p" ] && [ "$(awk '{print $3}' "/proc/$p/stat")" != Z ] && state=alive
		done
		[ "$state" = gone ] && break
		sleep 0.05
	done
	[ "$state" = gone ]
	# what it left active is its own (owner dead): the rerun removes it and commits
	ctr-unpack - <"$BATS_TEST_TMPDIR/img.json" >/dev/null
	no_active_snapshots
}
