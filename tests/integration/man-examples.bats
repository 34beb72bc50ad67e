#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Every example in the man pages' EXAMPLES sections (each .Bd -literal
# block), run as a reader would type it: shell examples with bash -e, unit
# files through systemd-analyze verify. The names of remote registries and
# images stand for this file's registry and its busybox image (SUBST below);
# host paths (/var/lib/ctr, /mnt, /srv/data) for folders of the test's own.
# An example that cannot run here is in SKIP, with the reason; a new example
# runs without anyone adding it here.

bats_require_minimum_version 1.5.0
load ../lib/helpers
load ../lib/registry
load ../lib/containers

MAN=$BATS_TEST_DIRNAME/../../man

# The repositories the examples name, all holding the busybox fixture.
REPOS="library/alpine:3.20 app:1 ci/base:1 ci/app:1 team/app:1 ml/model:7"

setup_file() {
	[ "$(id -u)" = 0 ] || return 0
	registry_start plain
	export PLAIN_DIR=$REGISTRY_DIR
	fixture_push busybox test/busybox:1
	for r in $REPOS; do fixture_push busybox "$r"; done
}
teardown_file() { busybox_registry_stop; }

setup() {
	containers_setup python3 umoci skopeo
	cd "$BATS_TEST_TMPDIR"
	mkdir -p mnt data log
	P=me$$r$RANDOM # ctr-netns names: short, unique
	for r in $REPOS; do ctr-pull -q "$REGISTRY/$r" >/dev/null; done
	# skopeo speaks plain HTTP to this registry, as ctr-pull does
	printf '[[registry]]\nlocation = "%s"\ninsecure = true\n' "$REGISTRY" >registries.conf
	mkdir -p standin
	printf '#!/bin/sh\nexec /usr/bin/skopeo --registries-conf %s "$@"\n' \
		"$BATS_TEST_TMPDIR/registries.conf" >standin/skopeo
	chmod +x standin/skopeo
}

teardown() {
	local n
	for n in "$P-h" "$P-a" "$P-b"; do
		[ -e "/run/netns/$n" ] && ctr-netns rm "$n"
	done
	containers_teardown
}

# The first line of each example that is not run here, and why.
declare -gA SKIP=(
	# needs a TLS registry named reg.example:5000, an arm64 image, and
	# writes the host's /etc/ctr/certs.d (pull.bats tests certs.d and
	# --platform against registries of its own)
	["mkdir -p /etc/ctr/certs.d/reg.example:5000"]=tls
	# no docker daemon here (image-docker-archive.bats reads docker-archive
	# files made by mk-docker-archive.py instead)
	["ctr-image export --format docker-archive -o img.tar reg.example/app:1"]=docker
	["docker save busybox | ctr-image import -"]=docker
	# PID 1 is not systemd here (units.bats verifies the units and runs
	# their commands as systemd would)
	["mkdir -p /etc/ctr/containers"]=systemd
	["systemctl enable --now ctr-gc.timer"]=systemd
	# a bundle made by hand for the shim to run (shim.bats starts shims
	# this way, with bundles of its own)
	['ctr-shim --id web --bundle /var/lib/ctr/containers/default/web/bundle \e']=bundle
	# no kubelet here (cri.bats drives the socket as the kubelet does)
	['# ctr-cri &']=kubelet
)

# What an example takes as already there, made before it runs (keyed as SKIP).
declare -gA PREP=(
	# the namespaces of the example before it (which removes them at its
	# end), and the net.conf it reads: ctr-netns's plugin, host-local IPAM
	# keeping its leases in the test's folder
	['CNI_COMMAND=ADD CNI_NETNS=/run/netns/a CNI_IFNAME=eth0 \e']='
		ctr-netns create "$P-h" >/dev/null; ctr-netns create "$P-a" >/dev/null
		printf "%s" "{\"cniVersion\":\"1.0.0\",\"name\":\"$P\",\"type\":\"ctr-netns\",
			\"bridge\":\"br0\",\"isGateway\":true,\"ipam\":{\"type\":\"host-local\",
			\"dataDir\":\"$BATS_TEST_TMPDIR/ipam\",\"ranges\":[[{\"subnet\":\"10.1.0.0/24\"}]]}}" >net.conf'
	# a container named web
	['SOURCE_DATE_EPOCH=0 ctr-snapshot diff --compression zstd ctr:default:web']='
		ctr-run create --name web "$IMG" -- true >/dev/null'
)

# mdoc escapes to text, then the stand-ins for remote names and host paths.
subst() {
	local r=$REGISTRY t=$BATS_TEST_TMPDIR
	sed -e 's/\\e/\\/g' -e 's/\\(dq/"/g' -e 's/\\&//g' \
		-e "s|docker\\.io/library/alpine:3\\.20|$r/library/alpine:3.20|g" \
		-e "s|\\([ =]\\)alpine:3\\.20|\\1$r/library/alpine:3.20|g" \
		-e "s|reg\\.example:5000/|$r/|g" -e "s|reg\\.example/|$r/|g" \
		-e "s|backup\\.example/|$r/backup/|g" \
		-e "s|/var/lib/ctr|$CTR_ROOT|g" -e "s|/run/ctr|$CTR_STATE|g" \
		-e "s|/var/log/|$t/log/|g" -e "s|/srv/data|$t/data|g" -e "s| /mnt| $t/mnt|g" \
		-e "s|/usr/local/bin/ctr-run|$(command -v ctr-run)|g" \
		-e "s|'apk add curl'|'touch /bin/curl'|" # busybox has no apk
}

# Lines a person types at a terminal run on one (ptyrun.py), with the input
# that ends them.
terminal() {
	local pty="/usr/bin/python3 $BATS_TEST_DIRNAME/../lib/ptyrun.py"
	sed -e "s|^\\(ctr-run exec -t -i .*\\)\$|$pty --send exit --after '# ' -- \\1|" \
		-e "s|^\\(ctr-run attach \"\$id\"\\) .*\$|$pty --send \$'\\\\x03' --after '' -- \\1|"
}

# For ctr-netns(8): its namespace names, made ours.
netns_names() {
	sed -e "s/\\<hostns\\>/$P-h/g" -e "s/\\<a\\>/$P-a/g" -e "s/\\<b\\>/$P-b/g"
}

# examples PAGE: each literal block of PAGE's EXAMPLES as ex/PAGE.N; prints N.
examples() {
	mkdir -p ex
	awk -v out="ex/$1" '
		/^\.Sh EXAMPLES/ { p = 1; next }
		/^\.Sh / { p = 0 }
		p && /^\.Bd -literal/ { n++; b = 1; next }
		p && /^\.Ed/ { b = 0; next }
		b { print > (out "." n) }
		END { print n + 0 }' "$MAN/$1"
}

# run_example FILE: a unit file is verified, anything else run with bash -e.
run_example() {
	local f=$1
	if head -1 "$f" | grep -q '^\[Unit\]'; then
		cp "$f" "$f.service"
		run --separate-stderr systemd-analyze verify --man=no "$f.service"
		[ -z "$stderr" ] || status=1
	else
		PATH=$BATS_TEST_TMPDIR/standin:$PATH run --separate-stderr bash -e -x "$f"
	fi
}

# note_containers: every container there is, for containers_teardown.
note_containers() {
	local id
	for id in $(ctr-run ls --json | jq -r '.[].id'); do cid "$id" >/dev/null; done
}

# page PAGE: run each example of PAGE in order in one store, as a reader
# following the page would.
page() {
	local n ex f first ran=0
	n=$(examples "$1")
	[ "$n" -gt 0 ]
	for ((ex = 1; ex <= n; ex++)); do
		f=ex/$1.$ex
		first=$(sed -n 1p "$f")
		if [ -n "${SKIP[$first]:-}" ]; then
			echo "# $1 example $ex: skipped (${SKIP[$first]})" >&3
			continue
		fi
		eval "${PREP[$first]:-}"
		subst <"$f" | terminal >"$f.sh"
		[ "$1" = ctr-netns.8 ] && netns_names <"$f.sh" >"$f.tmp" && mv "$f.tmp" "$f.sh"
		run_example "$f.sh"
		note_containers
		if [ "$status" != 0 ]; then
			printf '%s example %d failed (%s):\n%s\n%s\n' "$1" "$ex" "$status" \
				"$(cat "$f.sh")" "$(echo "$stderr" | tail -15)" >&2
			return 1
		fi
		ran=$((ran + 1))
	done
	echo "# $1: $ran of $n examples ran" >&3
}

@test "man examples: ctr-cri(8)" { page ctr-cri.8; }
@test "man examples: ctr-image(8)" { page ctr-image.8; }
@test "man examples: ctr-netns(8)" { page ctr-netns.8; }
@test "man examples: ctr-pull(8)" { page ctr-pull.8; }
@test "man examples: ctr-push(8)" { page ctr-push.8; }
@test "man examples: ctr-run(8)" { page ctr-run.8; }
@test "man examples: ctr-shim(8)" { page ctr-shim.8; }
@test "man examples: ctr-snapshot(8)" { page ctr-snapshot.8; }
@test "man examples: ctr-systemd(7)" { page ctr-systemd.7; }
@test "man examples: ctr-unpack(8)" { page ctr-unpack.8; }

@test "man examples: every page with EXAMPLES has its test here" {
	local p
	for p in "$MAN"/*; do
		grep -q '^\.Sh EXAMPLES' "$p" || continue
		grep -q "page ${p##*/};" "$BATS_TEST_FILENAME"
	done
	# and every skipped or prepared example still exists as written
	for p in "${!SKIP[@]}" "${!PREP[@]}"; do
		grep -qxF "$p" "$MAN"/*
	done
}

@test "man examples: a line of a page ends in \\e, never in a bare backslash" {
	# roff takes a bare one for a line continuation: the reader sees the two
	# lines run together, though the example the test runs is whole
	run grep -nE '(^|[^\\])(\\\\)*\\$' "$MAN"/*
	assert_status 1
}
