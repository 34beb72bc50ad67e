#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# bash completion (completion/ctr.bash): verbs, options and option values
# from the tools' --help, and names from a real store.

bats_require_minimum_version 1.5.0
load ../lib/helpers
load ../lib/registry
load ../lib/containers

setup_file() { busybox_registry_start; }
teardown_file() { busybox_registry_stop; }

setup() {
	containers_setup
	# shellcheck source=../../completion/ctr.bash
	source "$BATS_TEST_DIRNAME/../../completion/ctr.bash"
}
teardown() { containers_teardown; }

# complete WORD...: what TAB offers for the last word, sorted, one line
complete_words() {
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMPREPLY=()
	_ctr_complete
	printf '%s\n' "${COMPREPLY[@]}" | sort | xargs
}

@test "completion: verbs, sub-verbs, options and their choices come from --help" {
	[[ " $(complete_words ctr-run '') " == *" exec "*" ls "*" run "*" stop "* ]]
	[ "$(complete_words ctr-run st)" = "start state stats stop" ]
	[ "$(complete_words ctr-run --root /tmp st)" = "start state stats stop" ]
	[ "$(complete_words ctr-netns veth '')" = add ]
	[[ " $(complete_words ctr-netns veth add --) " == *" --ifname "*" --netns "* ]]
	[ "$(complete_words ctr-pull --progress '')" = "auto json none tty" ]
	[ "$(complete_words ctr-unpack --snapshotter n)" = native ]
	[ "$(complete_words ctr-pull --pro)" = --progress ]
	[ "$(complete_words ctr-image bogus '')" = "" ]
}

@test "completion: names from the store, in the namespace the line names" {
	id=$(cid compl-run)
	ctr-run run -d --name "$id" "$IMG" -- sleep 100 >/dev/null
	[ "$(complete_words ctr-run stop compl-)" = "$id" ]
	[ "$(complete_words ctr-run exec '')" = "$id" ]
	[ "$(complete_words ctr-run -n other stop '')" = "" ]
	[ "$(complete_words ctr-run run '')" = "$IMG" ]
	[ "$(complete_words ctr-image rm '')" = "$IMG" ]
	[ "$(complete_words ctr-run run "$IMG" -- '')" = "" ]
	touch "$BATS_TEST_TMPDIR/app.tar"
	[ "$(complete_words ctr-image import "$BATS_TEST_TMPDIR/app.t")" = "$BATS_TEST_TMPDIR/app.tar" ]
	ctr-run stop -t 1 "$id" >/dev/null || true
	ctr-run delete -f "$id"
}
