#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# ctr-image export and import: OCI layout tars ("oci-archive") read by skopeo,
# made by skopeo, round trips between roots, and hostile archives that must
# leave the store without a record.

bats_require_minimum_version 1.5.0
load ../lib/helpers
load ../lib/registry

setup_file() {
	source_registry_start busybox=test/busybox:oci layers=test/layers:1 multiarch=test/multi:1
}

teardown_file() {
	registry_stop
}

setup() {
	common_setup
	registry_use "$SRC_DIR"
}

teardown() {
	common_teardown
}

# The store has no image: no record, no layout entry, no ingest left behind,
# and every blob in it is what its name says.
assert_no_image() {
	local f
	[ -z "$(ctr-image ls -q)" ]
	[ -z "$(find "$CTR_ROOT/images" -name '*.json' 2>/dev/null)" ]
	[ "$(jq '.manifests | length' "$CTR_ROOT/content/index.json")" = 0 ]
	[ -z "$(find "$CTR_ROOT/content/ingest" -mindepth 1 -type d)" ]
	for f in "$CTR_ROOT"/content/blobs/sha256/*; do
		[ -e "$f" ] || continue
		[ "$(sha256sum <"$f" | cut -d' ' -f1)" = "$(basename "$f")" ]
	done
}

# mktar MODE OUT: a tar of the busybox fixture layout (blobs first, index.json
# last, as tar -C LAYOUT . makes it) with the defect MODE names.
mktar() {
	"$(helpers_python)" -I - "$1" "$(fixture_layout busybox)" "$2" <<'EOF'
import io, json, os, sys, tarfile
mode, layout, out = sys.argv[1:4]
files = []
for d, _, names in sorted(os.walk(layout)):
    for n in sorted(names):
        p = os.path.join(d, n)
        files.append([os.path.relpath(p, layout), open(p, "rb").read()])
files.sort(key=lambda f: f[0] == "index.json")
index = json.loads(dict(files)["index.json"])
man_hex = index["manifests"][0]["digest"][7:]
man = json.loads(dict(files)["blobs/sha256/" + man_hex])
layer = "blobs/sha256/" + man["layers"][0]["digest"][7:]
config = "blobs/sha256/" + man["config"]["digest"][7:]
links = []
if mode == "escape":
    files.append(["blobs/../../escaped", b"x"])
elif mode == "absolute":
    files.append(["/tmp/ctr-archive-absolute", b"x"])
elif mode == "mismatch":
    for f in files:
        if f[0] == layer:
            f[1] = f[1][:100] + bytes([f[1][100] ^ 1]) + f[1][101:]
elif mode == "missing":
    files = [f for f in files if f[0] != layer]
elif mode == "badindex":
    files = [f if f[0] != "index.json" else [f[0], b'{"schemaVersion":2,'] for f in files]
elif mode == "hugeindex":
    files = [f if f[0] != "index.json" else [f[0], f[1] + b" " * (5 << 20)] for f in files]
elif mode == "dupblob":
    files.append([config, dict(files)[config]])
elif mode == "dupindex":
    files.append(["index.json", dict(files)["index.json"]])
elif mode == "symlink":
    files = [f for f in files if f[0] != config]
    links.append((config, "/etc/passwd"))
elif mode == "badname":
    files.append(["blobs/sha256/" + "A" * 64, b"x"])
elif mode == "docker":
    files = [["manifest.json", b"[]"], ["repositories", b"{}"]]
with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as tf:
    for name, data in files:
        ti = tarfile.TarInfo(name)
        ti.size = len(data)
        tf.addfile(ti, io.BytesIO(data))
    for name, target in links:
        ti = tarfile.TarInfo(name)
        ti.type = tarfile.SYMTYPE
        ti.linkname = target
        tf.addfile(ti)
EOF
}

@test "export: a tar skopeo reads and copies, the same with -o and on stdout" {
	img=$(ctr-pull -q "$SRC/test/busybox:oci")
	run --separate-stderr ctr-image export -o "$BATS_TEST_TMPDIR/bb.tar" "$SRC/test/busybox:oci"
	assert_status 0
	[ -z "$output" ]
	ctr-image export "$SRC/test/busybox:oci" >"$BATS_TEST_TMPDIR/stdout.tar"
	cmp "$BATS_TEST_TMPDIR/bb.tar" "$BATS_TEST_TMPDIR/stdout.tar"
	[ -z "$(find "$BATS_TEST_TMPDIR" -maxdepth 1 -name '*.tmp-*')" ]
	tar -tf "$BATS_TEST_TMPDIR/bb.tar" >"$BATS_TEST_TMPDIR/list"
	[ "$(head -n2 "$BATS_TEST_TMPDIR/list" | tr '\n' ' ')" = "oci-layout index.json " ]
	[ "$(grep -c '^blobs/sha256/.' "$BATS_TEST_TMPDIR/list")" = 3 ]
	idx=$(tar -xOf "$BATS_TEST_TMPDIR/bb.tar" index.json)
	[ "$(json_get "$idx" '.manifests[0].annotations["io.containerd.image.name"]')" = "$SRC/test/busybox:oci" ]
	[ "$(json_get "$idx" '.manifests[0].annotations["org.opencontainers.image.ref.name"]')" = "$SRC/test/busybox:oci" ]
	run skopeo inspect "oci-archive:$BATS_TEST_TMPDIR/bb.tar"
	assert_status 0
	[ "$(json_get "$output" .Digest)" = "$(json_get "$img" .digest)" ]
	[ "$(json_get "$output" '.Layers[0]')" = "$(json_get "$img" '.layers[0].digest')" ]
	run skopeo --insecure-policy copy -q "oci-archive:$BATS_TEST_TMPDIR/bb.tar" "oci:$BATS_TEST_TMPDIR/dir:x"
	assert_status 0
	[ "$(jq -r '.manifests[0].digest' "$BATS_TEST_TMPDIR/dir/index.json")" = "$(json_get "$img" .digest)" ]
}

# -o wrote a temporary file and renamed it over FILE whatever FILE was: a
# device, a fifo, or the link /dev/stdout was replaced by a regular file
# ('export -o /dev/full' as root turned /dev/full into one).
@test "export -o: a device or fifo is written in place, a link's file replaced, a directory refused" {
	local d=$BATS_TEST_TMPDIR ref=$SRC/test/busybox:oci
	ctr-pull -q "$ref" >/dev/null
	ctr-image export -o "$d/want.tar" "$ref"
	# a device node of the test's own (the null device)
	require_root
	mknod "$d/null" c 1 3
	ctr-image export -o "$d/null" "$ref"
	[ -c "$d/null" ]
	# a fifo: the reader gets the tar
	mkfifo "$d/fifo"
	timeout 20 cat "$d/fifo" >"$d/from-fifo.tar" &
	ctr-image export -o "$d/fifo" "$ref"
	wait $!
	[ -p "$d/fifo" ]
	cmp "$d/want.tar" "$d/from-fifo.tar"
	# /dev/stdout is a link to the shell's descriptor: the file it names gets the tar
	ln -s /proc/self/fd/1 "$d/stdout"
	ctr-image export -o "$d/stdout" "$ref" | cmp "$d/want.tar" -
	ctr-image export -o "$d/stdout" "$ref" >"$d/redirected.tar"
	[ -L "$d/stdout" ]
	cmp "$d/want.tar" "$d/redirected.tar"
	ln -s redirected.tar "$d/link.tar"
	ctr-image export --format docker-archive -o "$d/link.tar" "$ref"
	[ -L "$d/link.tar" ]
	tar -tf "$d/redirected.tar" manifest.json >/dev/null
	# a directory: one line, 100, before anything is written
	run --separate-stderr ctr-image export -o "$d" "$ref"
	assert_status 100
	[ "$stderr" = "ctr-image: fatal: '$d' is a directory" ]
	[ -z "$(find "$d" -maxdepth 1 -name '*.tmp-*')" ]
}

@test "export: skopeo finds each image by the full name a user types; one tag in two repositories never collides" {
	bb=$(ctr-pull -q "$SRC/test/busybox:oci")
	ly=$(ctr-pull -q "$SRC/test/layers:1")
	ctr-image tag "$SRC/test/busybox:oci" example.org/a/app:1
	ctr-image tag "$SRC/test/layers:1" example.org/b/app:1
	ctr-image tag "$SRC/test/layers:1" example.org/b/app@"$(json_get "$ly" .digest)"
	ctr-image export -o "$BATS_TEST_TMPDIR/two.tar" "$SRC/test/busybox:oci" \
		example.org/a/app:1 example.org/b/app:1 "example.org/b/app@$(json_get "$ly" .digest)"
	for pair in "$SRC/test/busybox:oci=$bb" "example.org/a/app:1=$bb" "example.org/b/app:1=$ly" \
		"example.org/b/app@$(json_get "$ly" .digest)=$ly"; do
		run --separate-stderr skopeo inspect "oci-archive:$BATS_TEST_TMPDIR/two.tar:${pair%%=*}"
		assert_status 0
		[ "$(json_get "$output" .Digest)" = "$(json_get "${pair#*=}" .digest)" ]
	done
	run --separate-stderr skopeo --insecure-policy copy -q \
		"oci-archive:$BATS_TEST_TMPDIR/two.tar:example.org/b/app:1" "oci:$BATS_TEST_TMPDIR/dir:x"
	assert_status 0
	[ "$(jq -r '.manifests[0].digest' "$BATS_TEST_TMPDIR/dir/index.json")" = "$(json_get "$ly" .digest)" ]
	# a name the archive does not hold, and the tag alone, which names no image
	run skopeo inspect "oci-archive:$BATS_TEST_TMPDIR/two.tar:example.org/c/app:1"
	[ "$status" -ne 0 ]
	run skopeo inspect "oci-archive:$BATS_TEST_TMPDIR/two.tar:1"
	[ "$status" -ne 0 ]
	# and our import reads the names back, each once
	CTR_ROOT=$BATS_TEST_TMPDIR/root2 run --separate-stderr ctr-image import "$BATS_TEST_TMPDIR/two.tar"
	assert_status 0
	[ "$(CTR_ROOT=$BATS_TEST_TMPDIR/root2 ctr-image ls -q | sort | tr '\n' ' ')" = "$(printf '%s\n' "$SRC/test/busybox:oci" example.org/a/app:1 example.org/b/app:1 "example.org/b/app@$(json_get "$ly" .digest)" | sort | tr '\n' ' ')" ]
}

@test "export: containerd imports each image of one archive by its full name" {
	require_root
	require_cmd containerd ctr
	containerd_start
	ctr-pull -q "$SRC/test/busybox:oci" >/dev/null
	ly=$(ctr-pull -q "$SRC/test/layers:1")
	ctr-image tag "$SRC/test/busybox:oci" example.org/a/app:1
	ctr-image tag "$SRC/test/layers:1" example.org/b/app:1
	ctr-image export -o "$BATS_TEST_TMPDIR/two.tar" example.org/a/app:1 example.org/b/app:1
	$CTD images import --no-unpack "$BATS_TEST_TMPDIR/two.tar"
	[ "$($CTD images ls -q | sort | tr '\n' ' ')" = "example.org/a/app:1 example.org/b/app:1 " ]
	[ "$($CTD images ls | awk '$1 == "example.org/b/app:1" { print $3 }')" = "$(json_get "$ly" .digest)" ]
}

@test "export: bad names, no names, a terminal, a missing blob: exit 100, no file" {
	ctr-pull -q "$SRC/test/busybox:oci" >/dev/null
	run --separate-stderr ctr-image export -o "$BATS_TEST_TMPDIR/x.tar" "$SRC/test/none:1"
	assert_status 100
	[ "$stderr" = "ctr-image: fatal: no image '$SRC/test/none:1' in namespace 'default'" ]
	run --separate-stderr ctr-image export -o "$BATS_TEST_TMPDIR/x.tar"
	assert_status 100
	run --separate-stderr ctr-image export --bogus "$SRC/test/busybox:oci"
	assert_status 100
	run script -qec "ctr-image export $SRC/test/busybox:oci" /dev/null
	assert_status 100
	assert_output_contains "refusing to write a tar to a terminal"
	layer=$(ctr-image inspect "$SRC/test/busybox:oci" | jq -r '.image.layers[0].digest')
	mv "$(store_blob "$layer")" "$BATS_TEST_TMPDIR/layer"
	run --separate-stderr ctr-image export -o "$BATS_TEST_TMPDIR/x.tar" "$SRC/test/busybox:oci"
	assert_status 100
	[ "$(echo "$stderr" | wc -l)" = 1 ]
	[[ "$stderr" == *"is not in the store"* ]]
	[ -z "$(find "$BATS_TEST_TMPDIR" -maxdepth 1 -name 'x.tar*')" ]
}

@test "import: the fixture layout as tar -C LAYOUT . makes it, from stdin, then check" {
	tar -C "$(fixture_layout busybox)" -cf "$BATS_TEST_TMPDIR/bb.tar" .
	run --separate-stderr ctr-image import --name my/bb:1 - <"$BATS_TEST_TMPDIR/bb.tar"
	assert_status 0
	[ "$(echo "$output" | wc -l)" = 1 ]
	[ "$(json_get "$output" .name)" = docker.io/my/bb:1 ]
	[ "$(json_get "$output" .digest)" = "$(fixture_digest busybox)" ]
	[ "$(json_get "$output" '.diff_ids | length')" = 1 ]
	[ "$(ctr-image ls -q)" = docker.io/my/bb:1 ]
	run --separate-stderr ctr-image check
	assert_status 0
	[[ "$output" == "docker.io/my/bb:1: ok (3 blobs, "* ]]
	[ -z "$(find "$CTR_ROOT/content/ingest" -mindepth 1 -type d)" ]
	# the same image again: nothing new, the record replaced
	run --separate-stderr ctr-image import --name my/bb:1 "$BATS_TEST_TMPDIR/bb.tar"
	assert_status 0
	[ "$(jq '.manifests | length' "$CTR_ROOT/content/index.json")" = 1 ]
	# the layout's entry is a bare tag: not a name, so --name is needed
	run --separate-stderr ctr-image import "$BATS_TEST_TMPDIR/bb.tar"
	assert_status 100
	[ "$stderr" = "ctr-image: fatal: the archive names no image (use --name NAME)" ]
}

@test "import: an oci-archive made by skopeo, named by its ref name, piped to ctr-unpack" {
	require_root
	mapfile -t skargs < <(registry_skopeo_args src)
	skopeo --insecure-policy copy -q "${skargs[@]}" "docker://$SRC/test/layers:1" \
		"oci-archive:$BATS_TEST_TMPDIR/l.tar:example.org/app/layers:2"
	run --separate-stderr ctr-image import "$BATS_TEST_TMPDIR/l.tar"
	assert_status 0
	[ "$(json_get "$output" .name)" = example.org/app/layers:2 ]
	ctr-image check example.org/app/layers:2
	snap=$(ctr-image import "$BATS_TEST_TMPDIR/l.tar" | ctr-unpack --snapshotter native)
	want=$(ctr-pull -q "$SRC/test/layers:1" | ctr-unpack --snapshotter native)
	[ "$(json_get "$snap" .chain_id)" = "$(json_get "$want" .chain_id)" ]
	[ "$(json_get "$snap" .image)" = example.org/app/layers:2 ]
}

@test "export -> import into a fresh root: same names, digests and records; gzip on the way" {
	a=$(ctr-pull -q "$SRC/test/busybox:oci")
	b=$(ctr-pull -q "$SRC/test/layers:1")
	ctr-image export "$SRC/test/busybox:oci" "$SRC/test/layers:1" "$SRC/test/busybox:oci" |
		gzip >"$BATS_TEST_TMPDIR/two.tar.gz"
	old_root=$CTR_ROOT
	export CTR_ROOT=$BATS_TEST_TMPDIR/root2
	run --separate-stderr ctr-image import - <"$BATS_TEST_TMPDIR/two.tar.gz"
	assert_status 0
	[ "$(echo "$output" | wc -l)" = 2 ]
	[ "$(jq -cS . <<<"$(sed -n 1p <<<"$output")")" = "$(jq -cS . <<<"$a")" ]
	[ "$(jq -cS . <<<"$(sed -n 2p <<<"$output")")" = "$(jq -cS . <<<"$b")" ]
	[ "$(ctr-image ls -q)" = "$(CTR_ROOT=$old_root ctr-image ls -q)" ]
	for n in busybox:oci layers:1; do
		f="images/default/$SRC%2Ftest%2F$n.json"
		[ "$(jq -cS .target "$CTR_ROOT/$f")" = "$(jq -cS .target "$old_root/$f")" ]
	done
	[ "$(jq -cS '.manifests | sort_by(.digest)' "$CTR_ROOT/content/index.json")" = \
		"$(jq -cS '.manifests | sort_by(.digest)' "$old_root/content/index.json")" ]
	ctr-image check
}

@test "multiarch: export and import keep the index, all platforms or the one held" {
	ctr-pull -q --all-platforms "$SRC/test/multi:1" >/dev/null
	ctr-image export -o "$BATS_TEST_TMPDIR/all.tar" "$SRC/test/multi:1"
	run skopeo inspect --raw "oci-archive:$BATS_TEST_TMPDIR/all.tar"
	assert_status 0
	[ "$(json_get "$output" '.manifests | length')" = 3 ]
	run skopeo --insecure-policy copy -q --all "oci-archive:$BATS_TEST_TMPDIR/all.tar" "oci:$BATS_TEST_TMPDIR/dir:x"
	assert_status 0
	[ "$(jq -r '.manifests[0].digest' "$BATS_TEST_TMPDIR/dir/index.json")" = "$(fixture_digest multiarch)" ]
	export CTR_ROOT=$BATS_TEST_TMPDIR/root2
	run --separate-stderr ctr-image import "$BATS_TEST_TMPDIR/all.tar"
	assert_status 0
	[ "$(echo "$output" | wc -l)" = 1 ]
	[ "$(json_get "$output" .index.digest)" = "$(fixture_digest multiarch)" ]
	[ "$(jq -r .target.digest "$CTR_ROOT/images/default/$SRC%2Ftest%2Fmulti:1.json")" = "$(fixture_digest multiarch)" ]
	[ "$(jq -r '.manifests[0].digest' "$CTR_ROOT/content/index.json")" = "$(fixture_digest multiarch)" ]
	run --separate-stderr ctr-image check --json
	assert_status 0
	[ "$(json_get "$output" .blobs)" -ge 7 ]
	# one platform held: the index and that manifest travel; the layout entry is the manifest
	export CTR_ROOT=$BATS_TEST_TMPDIR/root3
	arm=$(ctr-pull -q --platform linux/arm64 "$SRC/test/multi:1")
	ctr-image export -o "$BATS_TEST_TMPDIR/arm.tar" "$SRC/test/multi:1"
	[ "$(tar -tf "$BATS_TEST_TMPDIR/arm.tar" | grep -c '^blobs/sha256/.')" = 4 ]
	export CTR_ROOT=$BATS_TEST_TMPDIR/root4
	run --separate-stderr ctr-image import "$BATS_TEST_TMPDIR/arm.tar"
	assert_status 0
	[ "$(jq -cS . <<<"$output")" = "$(jq -cS . <<<"$arm")" ]
	[ "$(jq -r '.manifests[0].platform.architecture' "$CTR_ROOT/content/index.json")" = arm64 ]
	ctr-image check
}

@test "import: hostile and broken archives fail with one line, exit 100, and no record" {
	for mode in escape absolute mismatch missing badindex hugeindex dupblob dupindex symlink badname docker; do
		# a root each: blobs verified before the failure stay, and would fill the gap of "missing"
		export CTR_ROOT=$BATS_TEST_TMPDIR/root-$mode
		mktar "$mode" "$BATS_TEST_TMPDIR/$mode.tar"
		run --separate-stderr ctr-image import --name my/x:1 "$BATS_TEST_TMPDIR/$mode.tar"
		echo "$mode: $status $stderr"
		assert_status 100
		[ "$(echo "$stderr" | wc -l)" = 1 ]
		[[ "$stderr" == "ctr-image: fatal: "* ]]
		[ -z "$output" ]
		assert_no_image
		[ ! -e /tmp/ctr-archive-absolute ]
		[ ! -e "$CTR_ROOT/escaped" ] && [ ! -e "$CTR_ROOT/content/escaped" ]
	done
	layer=$(jq -r '.layers[0].digest' "$(fixture_layout busybox)/blobs/sha256/$(fixture_digest busybox | cut -c8-)")
	mktar mismatch "$BATS_TEST_TMPDIR/m.tar"
	export CTR_ROOT=$BATS_TEST_TMPDIR/root-m1
	run --separate-stderr ctr-image import --name my/x:1 "$BATS_TEST_TMPDIR/m.tar"
	[[ "$stderr" == *"content does not match its name"* ]]
	[ ! -e "$(store_blob "$layer")" ]
	mktar missing "$BATS_TEST_TMPDIR/m.tar"
	export CTR_ROOT=$BATS_TEST_TMPDIR/root-m2
	run --separate-stderr ctr-image import --name my/x:1 "$BATS_TEST_TMPDIR/m.tar"
	[[ "$stderr" == *"$layer is missing from the archive"* ]]
}

@test "import: truncated, empty and non-tar input, bad usage: exit 100, no record" {
	tar -C "$(fixture_layout busybox)" -cf "$BATS_TEST_TMPDIR/bb.tar" .
	head -c 600000 "$BATS_TEST_TMPDIR/bb.tar" >"$BATS_TEST_TMPDIR/cut.tar"
	printf 'this is not a tar archive\n%.0s' {1..100} >"$BATS_TEST_TMPDIR/text"
	: >"$BATS_TEST_TMPDIR/empty"
	for f in cut.tar text empty; do
		run --separate-stderr ctr-image import --name my/x:1 "$BATS_TEST_TMPDIR/$f"
		echo "$f: $status $stderr"
		assert_status 100
		[ "$(echo "$stderr" | wc -l)" = 1 ]
		assert_no_image
	done
	run --separate-stderr ctr-image import --name my/x:1 - <"$BATS_TEST_TMPDIR/cut.tar"
	assert_status 100
	[[ "$stderr" == *runcated* ]]
	# a text file (a secret, say) is refused without a byte of it quoted as a tar entry's name
	printf 'root:x:0:0:secret-word:/root:/bin/sh\n%.0s' {1..40} >"$BATS_TEST_TMPDIR/passwd"
	for f in text passwd; do
		run --separate-stderr ctr-image import "$BATS_TEST_TMPDIR/$f"
		assert_status 100
		[ "$stderr" = "ctr-image: fatal: not a tar archive (its first block is no tar header)" ]
		assert_no_image
	done
	run --separate-stderr ctr-image import "$BATS_TEST_TMPDIR"
	assert_status 100
	[ "$stderr" = "ctr-image: fatal: '$BATS_TEST_TMPDIR' is a directory, not an archive" ]
	run --separate-stderr ctr-image import "$BATS_TEST_TMPDIR/nonexistent.tar"
	assert_status 100
	run --separate-stderr ctr-image import
	assert_status 100
	run --separate-stderr ctr-image import a.tar b.tar
	assert_status 100
	run --separate-stderr ctr-image import --name 'Bad/Ref' "$BATS_TEST_TMPDIR/bb.tar"
	assert_status 100
	# --name names one image; the multiarch layout has four entries
	tar -C "$(fixture_layout multiarch)" -cf "$BATS_TEST_TMPDIR/multi.tar" .
	run --separate-stderr ctr-image import --name my/x:1 "$BATS_TEST_TMPDIR/multi.tar"
	assert_status 100
	[[ "$stderr" == *"--name needs an archive of one image"* ]]
	assert_no_image
}
