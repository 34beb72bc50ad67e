#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The global --version/-V option: every tool and alias prints one line,
# "NAME RELEASE (git DESCRIBE)", on stdout and exits 0 without touching a store.

load ../lib/helpers
bats_require_minimum_version 1.5.0

TOOLS="ctr-pull ctr-unpack ctr-snapshot ctr-run ctr-netns ctr-shim ctr-push ctr-image ctr-cri"

setup() {
	common_setup
}

teardown() {
	common_teardown
}

# One line, the tool's own name first, nothing on stderr, exit 0.
check_version() { # TOOL OPTION...
	local t=$1
	shift
	run --separate-stderr "$t" "$@"
	[ "$status" -eq 0 ] || { echo "$t $*: exit $status: $stderr"; return 1; }
	[ -z "$stderr" ] || { echo "$t $*: stderr: $stderr"; return 1; }
	[ "${#lines[@]}" -eq 1 ] || { echo "$t $*: ${#lines[@]} lines: $output"; return 1; }
	[[ "$output" =~ ^$t\ [0-9]+\.[0-9]+(\.[0-9]+)?\ \(git\ [^\ \)]+\)$ ]] ||
		{ echo "$t $*: unexpected line: $output"; return 1; }
}

@test "version: --version prints one line with the tool's name and exits 0" {
	for t in $TOOLS; do
		check_version "$t" --version
	done
}

@test "version: -V is the same as --version" {
	for t in $TOOLS; do
		check_version "$t" -V
		local short=$output
		run "$t" --version
		[ "$output" = "$short" ]
	done
}

@test "version: all tools of one build report the same version" {
	local first="" v
	for t in $TOOLS; do
		run "$t" --version
		v=${output#"$t "}
		[ -n "$first" ] || first=$v
		[ "$v" = "$first" ] || { echo "$t says '$v', ctr-pull '$first'"; false; }
	done
}

@test "version: after global options too, and it creates no store" {
	check_version ctr-run --root "$BATS_TEST_TMPDIR/other" -n ns1 --version
	check_version ctr-snapshot --log-level debug -V
	[ ! -e "$BATS_TEST_TMPDIR/other" ]
	[ ! -e "$CTR_ROOT" ]
	[ ! -e "$CTR_STATE" ]
}

@test "version: after a verb it is not a global option" {
	run --separate-stderr ctr-snapshot ls --version
	[ "$status" -eq 100 ]
	[ "$output" = "" ]
	[ "$stderr" = "ctr-snapshot ls: unknown option '--version'; see 'ctr-snapshot ls --help'" ]
	[ ! -e "$CTR_ROOT" ]
}

@test "version: each tool's --help names -V, --version (one-verb tools too); a verb's does not" {
	for t in $TOOLS; do
		run --separate-stderr "$t" --help
		[ "$status" -eq 0 ] || { echo "$t --help: exit $status"; false; }
		grep -qE '^  -V, --version  +print the version and exit$' <<<"$output" ||
			{ echo "$t --help names no -V, --version" >&2; false; }
	done
	run ctr-run run --help
	[[ $output != *--version* ]]
}
