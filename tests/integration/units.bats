#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The systemd units we ship (systemd/): systemd-analyze verify finds nothing
# to say, and their commands, run as systemd would by tests/lib/unitrun.py
# (PID 1 here is not systemd), pull what is missing, run the container until
# it is stopped, and leave nothing behind.

bats_require_minimum_version 1.5.0
load ../lib/helpers
load ../lib/registry
load ../lib/containers

setup_file() { busybox_registry_start; }
teardown_file() { busybox_registry_stop; }

setup() {
	containers_setup python3 systemd-analyze
	UNITS=$BATS_TEST_TMPDIR/units
	mkdir -p "$UNITS" "$BATS_TEST_TMPDIR/env"
	bindir=$(dirname "$(command -v ctr-run)")
	# as make install writes them, with our test env file instead of /etc's
	for f in "$BATS_TEST_DIRNAME"/../../systemd/*; do
		sed -e "s|@BINDIR@|$bindir|g" \
			-e "s|/etc/ctr/containers/|$BATS_TEST_TMPDIR/env/|" "$f" >"$UNITS/${f##*/}"
	done
}
teardown() { containers_teardown; }

unitrun() { /usr/bin/python3 "$BATS_TEST_DIRNAME/../lib/unitrun.py" "$@"; }

@test "units: systemd-analyze verify has nothing to say; the pages they name exist" {
	cd "$UNITS"
	run --separate-stderr systemd-analyze verify --man=no ./ctr@web.service ./ctr-gc.service ./ctr-gc.timer
	assert_status 0
	[ -z "$stderr" ] || { echo "$stderr" >&2; false; }
	for p in $(grep -ho 'man:[a-z-]*([0-9])' ./*); do
		p=${p#man:}
		[ -f "$BATS_TEST_DIRNAME/../../man/${p%(*}.${p//[^0-9]/}" ]
	done
	# a unit that says something is caught: the check can fail
	sed -i 's/Type=oneshot/Type=oneshott/' ctr-gc.service
	run --separate-stderr systemd-analyze verify --man=no ./ctr-gc.service
	[ -n "$stderr" ]
}

@test "units: ctr@NAME pulls a missing image, is ready once it runs, stops, and leaves nothing" {
	id=$(cid unit-web)
	ctr-image rm "$IMG" >/dev/null
	ctr-image gc -q >/dev/null
	printf 'IMAGE=%s\nCMD=sleep 1000\nSTOP_TIMEOUT=1\n' "$IMG" >"$BATS_TEST_TMPDIR/env/$id.env"
	run --separate-stderr unitrun "$UNITS/ctr@.service" "$id" \
		sh -c "ctr-run state $id | jq -e '.status == \"running\"' >/dev/null"
	assert_status 0
	echo "$output"
	[ "$(jq -c '[.ready, .check, .main, .failed]' <<<"$output")" = '[true,0,137,null]' ]
	ctr-image inspect "$IMG" >/dev/null
	assert_clean "$id"
}

@test "units: ctr@NAME replaces what a crash left under its name" {
	id=$(cid unit-left)
	ctr-run create --name "$id" "$IMG" -- sleep 1000 >/dev/null
	printf 'IMAGE=%s\nOPTIONS=-e WHO=unit\nCMD=sleep 1000\nSTOP_TIMEOUT=1\n' "$IMG" >"$BATS_TEST_TMPDIR/env/$id.env"
	run --separate-stderr unitrun "$UNITS/ctr@.service" "$id" \
		sh -c "ctr-run exec $id -- sh -c 'test \"\$WHO\" = unit'"
	assert_status 0
	[ "$(jq -c '[.ready, .check, .failed]' <<<"$output")" = '[true,0,null]' ]
	assert_clean "$id"
}

@test "units: ctr-gc.service removes what no record needs" {
	ctr-image rm "$IMG" >/dev/null
	blobs=$(find "$CTR_ROOT/content" -path '*/blobs/*' -type f | wc -l)
	[ "$blobs" -gt 0 ]
	run --separate-stderr unitrun "$UNITS/ctr-gc.service" x true
	assert_status 0
	[ "$(jq -c '[.main, .failed]' <<<"$output")" = '[0,null]' ]
	[ "$(find "$CTR_ROOT/content" -path '*/blobs/*' -type f | wc -l)" = 0 ]
}
