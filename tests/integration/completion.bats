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

# complete_line LINE: what TAB at the end of LINE offers, with the words split
# as bash splits them (at blanks, and around colons: COMP_WORDBREAKS), sorted
complete_line() {
	local w t
	local -a words=()
	for w in $1; do
		while [ -n "$w" ]; do
			t=${w%%[!:]*}
			[ -n "$t" ] || t=${w%%:*}
			words+=("$t")
			w=${w#"$t"}
		done
	done
	[[ $1 == *" " ]] && words+=("")
	COMP_LINE=$1 COMP_POINT=${#1} COMP_WORDS=("${words[@]}")
	COMP_CWORD=$((${#words[@]} - 1))
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

@test "completion: a name with colons (registry port, tag, digest) is one word" {
	local key
	COMP_WORDBREAKS=$' \t\n"\'><=;|&(:'
	ctr-unpack "$IMG" >/dev/null
	key=$(ctr-snapshot ls | cut -f1 | head -1)
	[[ $key == sha256:* ]]
	# bash hands over "127.0.0.1" ":" "PORT/test/busy"; readline replaces what
	# follows the last colon
	[ "$(complete_line "ctr-image rm ${IMG%busybox:1}busy")" = "${IMG#*:}" ]
	[ "$(complete_line "ctr-image inspect ${IMG%1}")" = 1 ]
	[ "$(complete_line "ctr-run run $IMG")" = "${IMG##*:}" ]
	[ "$(complete_line "ctr-snapshot stat ${key:0:12}")" = "${key#sha256:}" ]
	[ "$(complete_line "ctr-image rm $IMG ")" = "$IMG" ]
	[ "$(complete_line "ctr-run --ro")" = --root ]
}
