#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# --help of every tool and of every verb it lists, and the one-line usage
# errors: an unknown option, an unknown verb, a typo of either (did you mean),
# with the exit status ctr-json(7) and the man pages give. Verbs are read from
# each tool's own --help, so a new verb is walked without editing this file.

load ../lib/helpers
bats_require_minimum_version 1.5.0

TOOLS="ctr-pull ctr-push ctr-image ctr-unpack ctr-snapshot ctr-run ctr-netns ctr-shim ctr-cri"

setup() {
	common_setup
}

teardown() {
	common_teardown
}

# The verbs a tool's --help lists (sub-verbs as "veth add"), one a line.
verbs_of() { # TOOL
	"$1" --help | awk '/^verbs:$/ { on = 1; next } /^$/ { on = 0 }
		on && /^  [a-z]/ { sub(/^  /, ""); split($0, f, /   */); print f[1] }'
}

# The summary TOOL --help gives a verb (what follows its name on its line).
summary_of() { # TOOL VERB...
	local t=$1
	shift
	"$t" --help | awk -v v="$*" 'index($0, "  " v " ") == 1 {
		s = substr($0, length(v) + 3); sub(/^ +/, "", s); print s; exit }'
}

# The longest long option of a verb's own table (the left column of "options:").
longest_option() { # CMD...
	"$@" --help | awk '/^options:$/ { on = 1; next } /^$/ { on = 0 }
		on { sub(/^ +/, ""); split($0, col, /   */); n = split(col[1], w, /[ ,]+/)
			for (i = 1; i <= n; i++) if (w[i] ~ /^--[a-z]/ && length(w[i]) > length(best))
				best = w[i] }
		END { print best }'
}

# A typo of WORD: two different neighbours swapped, from the 4th character on
# ("--force" -> "--froce", "--keep" -> "--kepe").
typo() { # WORD
	local w=$1 i=3
	while [ "${w:i:1}" = "${w:i+1:1}" ]; do i=$((i + 1)); done
	printf '%s%s%s%s\n' "${w:0:i}" "${w:i+1:1}" "${w:i:1}" "${w:i+2}"
}

# The exit status of a usage error of "TOOL VERB": 125 for ctr-run's run, exec
# and wait (they keep 0-124 for the container's status), else 100.
usage_status() { # TOOL [VERB]
	case "$*" in
	"ctr-run run" | "ctr-run exec" | "ctr-run wait") echo 125 ;;
	*) echo 100 ;;
	esac
}

# --help: exit 0, nothing on stderr, "usage: CMD" first, a summary line.
check_help() { # CMD...
	run --separate-stderr "$@" --help
	[ "$status" -eq 0 ] || { echo "$* --help: exit $status: $stderr"; return 1; }
	[ -z "$stderr" ] || { echo "$* --help: stderr: $stderr"; return 1; }
	[[ "${lines[0]}" == "usage: $*"* ]] || { echo "$* --help: ${lines[0]}"; return 1; }
	[ -n "${lines[1]}" ] || { echo "$* --help: no summary line"; return 1; }
}

# One line on stderr starting "CMD: ", nothing on stdout, exit STATUS.
check_one_line() { # STATUS CMD... -- ARGS...
	local want=$1 cmd=()
	shift
	while [ "$1" != -- ]; do cmd+=("$1"); shift; done
	shift
	run --separate-stderr "${cmd[@]}" "$@"
	[ "$status" -eq "$want" ] || { echo "${cmd[*]} $*: exit $status, want $want: $stderr"; return 1; }
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ] || { echo "${cmd[*]} $*: stderr: $stderr"; return 1; }
	[[ "$stderr" == "${cmd[*]}: "* ]] || { echo "${cmd[*]} $*: stderr: $stderr"; return 1; }
	[ -z "$output" ] || { echo "${cmd[*]} $*: stdout: $output"; return 1; }
}

# Every check of one command (a tool without verbs, or TOOL VERB).
check_command() { # CMD...
	local want opt
	want=$(usage_status "$@")
	check_help "$@"
	check_one_line "$want" "$@" -- --no-such-option-xyz
	[[ "$stderr" == *"unknown option '--no-such-option-xyz'; see '$* --help'" ]] ||
		{ echo "$*: $stderr"; return 1; }
	opt=$(longest_option "$@")
	[ -n "$opt" ] || return 0
	check_one_line "$want" "$@" -- "$(typo "$opt")"
	[[ "$stderr" == *"did you mean '$opt'?" ]] || { echo "$* $(typo "$opt"): $stderr"; return 1; }
}

@test "help: every tool and every verb it lists has --help; bad options are one line" {
	local t v n=0 verbs
	for t in $TOOLS; do
		check_help "$t"
		verbs=$(verbs_of "$t")
		if [ -z "$verbs" ]; then
			check_command "$t"
			n=$((n + 1))
			continue
		fi
		while read -r v; do
			# shellcheck disable=SC2086 # a sub-verb is two words
			check_command "$t" $v
			n=$((n + 1))
		done <<<"$verbs"
	done
	echo "# $n commands" >&3
	# ctr-run alone has 18 verbs: a walk that found few read the listing wrong
	[ "$n" -gt 50 ]
	# refused before any state was touched
	[ ! -e "$CTR_ROOT" ] && [ ! -e "$CTR_STATE" ]
}

# A verb another program runs (ctr-image check: ctr-image-blobs) has its
# summary written in both programs' tables: they must not drift apart.
@test "help: a verb's line in TOOL --help is the summary its own --help prints" {
	local t v n=0
	for t in $TOOLS; do
		while read -r v; do
			[ -n "$v" ] || continue
			# shellcheck disable=SC2086 # a sub-verb is two words
			run --separate-stderr "$t" $v --help
			# shellcheck disable=SC2086
			[ "${lines[1]}" = "$(summary_of "$t" $v)" ] ||
				{ echo "$t $v: '${lines[1]}' in its --help, '$(summary_of "$t" $v)' in $t's"; false; }
			n=$((n + 1))
		done <<<"$(verbs_of "$t")"
	done
	[ "$n" -gt 50 ]
}

@test "help: an unknown verb is one line, with a guess when one is near" {
	local t v verbs
	for t in $TOOLS; do
		verbs=$(verbs_of "$t" | cut -d' ' -f1 | sort -u)
		[ -n "$verbs" ] || continue
		check_one_line 100 "$t" -- frobnicate
		[ "$stderr" = "$t: unknown verb 'frobnicate'; see '$t --help'" ]
		check_one_line 100 "$t" -- ''
		v=$(awk '{ if (length($0) > length(b)) b = $0 } END { print b }' <<<"$verbs")
		check_one_line 100 "$t" -- "$(typo "$v")"
		[ "$stderr" = "$t: unknown verb '$(typo "$v")'; did you mean '$v'?" ] ||
			{ echo "$stderr"; false; }
		check_one_line 100 "$t" --
		[ "$stderr" = "$t: missing VERB; see '$t --help'" ]
	done
	check_one_line 100 ctr-netns veth -- ad
	[ "$stderr" = "ctr-netns veth: unknown verb 'ad'; did you mean 'add'?" ]
}

@test "help: a missing operand is named; help VERB is VERB --help" {
	check_one_line 100 ctr-pull --
	[ "$stderr" = "ctr-pull: missing REF; see 'ctr-pull --help'" ]
	check_one_line 100 ctr-image tag -- a
	[ "$stderr" = "ctr-image tag: missing DST; see 'ctr-image tag --help'" ]
	check_one_line 125 ctr-run exec -- someid --
	[ "$stderr" = "ctr-run exec: missing CMD; see 'ctr-run exec --help'" ]
	check_one_line 100 ctr-run stop -- --time
	[ "$stderr" = "ctr-run stop: option '--time' wants SECS; see 'ctr-run stop --help'" ]
	run --separate-stderr ctr-run help kill
	assert_status 0
	[ "$output" = "$(ctr-run kill --help)" ]
	# every option the parser takes is in the help, aliases included
	run --separate-stderr ctr-run run --help
	assert_status 0
	for o in --workdir --network --cwd --net --rm --detach --sdnotify --log-uri; do
		assert_output_contains " $o"
	done
}
