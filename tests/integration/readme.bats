#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The README's "A session", run line by line as a reader would type it, with
# this file's registry for 127.0.0.1:5000 and a pty for the terminal line.

bats_require_minimum_version 1.5.0
load ../lib/helpers
load ../lib/registry
load ../lib/containers

setup_file() { busybox_registry_start; }
teardown_file() { busybox_registry_stop; }
setup() {
	containers_setup python3
	cd "$BATS_TEST_TMPDIR"
}
teardown() { containers_teardown; }

@test "readme: the session runs as written and leaves nothing" {
	cid web >/dev/null
	ctr-image rm "$IMG" >/dev/null
	ctr-image gc -q >/dev/null
	sed -n '/^## A session/,/^## /p' "$BATS_TEST_DIRNAME/../../README.md" | grep '^    ' |
		sed -e 's/^    //' -e '/^export CTR_ROOT=/d' -e "s|127.0.0.1:5000/app:1|$IMG|g" \
			-e "s|^\\(.*\\)# a terminal\$|/usr/bin/python3 $BATS_TEST_DIRNAME/../lib/ptyrun.py --send exit --after '# ' -- \\1|" \
			>session.sh
	[ "$(wc -l <session.sh)" -ge 10 ]
	run --separate-stderr bash -e -x session.sh
	echo "$stderr" | tail -20
	assert_status 0
	assert_output_contains "httpd -f -v" # ctr-run exec web -- ps
	assert_clean web
	[ -z "$(ctr-image ls -q)" ]
	[ -z "$(ctr-run ls --json | jq '.[]')" ]
}
