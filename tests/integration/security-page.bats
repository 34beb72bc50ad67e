#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# man/ctr-security.7 names a test file or fuzz target for each threat: each
# must exist, and every fuzz target must be named, so the page stays true.

bats_require_minimum_version 1.5.0
load ../lib/helpers

page() { echo "$BATS_TEST_DIRNAME/../../man/ctr-security.7"; }

@test "ctr-security.7: every file it names exists" {
	local f n=0 top=$BATS_TEST_DIRNAME/../..
	for f in $(sed -n 's/^\.Pa \(\(tests\|fuzz\|libcommon\)\/[^ ]*\.\(c\|bats\|py\|md\)\)\( .*\)\{0,1\}$/\1/p' "$(page)"); do
		[ -e "$top/$f" ] || { echo "ctr-security.7 names $f, which does not exist" >&2 && false; }
		n=$((n + 1))
	done
	[ "$n" -ge 20 ]
}

@test "ctr-security.7: every fuzz target is named, and every one named exists" {
	local f t named
	named=$(sed -n '/^fuzz targets\{0,1\}$/,/^\.Pq\|^\.Sh\|^\.It/{s/^\.Cm \([a-z0-9-]*\).*/\1/p}' "$(page)")
	[ "$(wc -w <<<"$named")" -ge 10 ]
	for f in "$BATS_TEST_DIRNAME"/../../fuzz/fuzz-*.c; do
		t=$(basename "$f" .c)
		grep -qx "${t#fuzz-}" <<<"$named" || { echo "fuzz target ${t#fuzz-} is not in ctr-security.7" >&2 && false; }
	done
	for t in $named; do
		[ -e "$BATS_TEST_DIRNAME/../../fuzz/fuzz-$t.c" ] || { echo "no fuzz target $t" >&2 && false; }
	done
}
