# SPDX-License-Identifier: Apache-2.0
# bash completion for the tools of the ctr suite: verbs, options and their
# values come from the tools' own --help (so they follow the tool that is
# installed), names from the store: containers, images, snapshots, network
# namespaces. Installed once and linked under each tool's name, where
# bash-completion finds it; or source it from ~/.bashrc.
# shellcheck shell=bash

# The words that select the store: --root, --state, -n and --snapshotter with
# their values, to pass on to the listings.
_ctr_store_args() {
	local i
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--root | --state | -n | --namespace | --snapshotter)
			printf '%s\n%s\n' "${COMP_WORDS[i]}" "${COMP_WORDS[i + 1]}"
			((i++))
			;;
		--root=* | --state=* | --namespace=* | --snapshotter=*) printf '%s\n' "${COMP_WORDS[i]}" ;;
		esac
	done
}

# The command paths of a tool: "ls", "veth add", ... from the indented lines of
# TOOL --help, the lower-case words before the first option or operand (and
# before a column of description, two spaces or more away).
_ctr_paths() {
	"$1" --help 2>&1 | sed -n 's/^[[:space:]]\{1,\}//p' | sed 's/  .*//' |
		awk -v tool="$1" '{ p = ""; for (i = ($1 == tool ? 2 : 1); i <= NF && $i ~ /^[a-z][a-z0-9-]*$/; i++) p = p (p == "" ? "" : " ") $i; if (p != "") print p }'
}

# The options the help of TOOL PATH... names, one per line, with its argument
# when it takes one: "--root DIR", "--progress auto|tty|json|none", "-q".
_ctr_options() {
	"$@" --help 2>&1 | grep -oE -- '(^|[][ ,|(])--?[a-zA-Z][a-zA-Z0-9-]*([ =][A-Z][A-Za-z0-9_/.:|-]*|[ =][a-z0-9]+(\|[a-z0-9.-]+)+)?' |
		sed -E 's/^[][ ,|(]//; s/=/ /' | sort -u
}

# ctr-run ls, ctr-image ls -q, ctr-snapshot ls, ctr-netns ls: the first column.
_ctr_names() {
	local kind=$1
	shift
	case $kind in
	containers) ctr-run "$@" ls 2>/dev/null | awk 'NR > 1 { print $1 }' ;;
	images) ctr-image "$@" ls -q 2>/dev/null ;;
	snapshots) ctr-snapshot "$@" ls 2>/dev/null | cut -f1 ;;
	netns) ctr-netns "$@" ls 2>/dev/null ;;
	esac
}

# What an operand of TOOL VERB is.
_ctr_operand_kind() {
	case "$1 $2" in
	"ctr-run run" | "ctr-run create" | "ctr-image inspect" | "ctr-image rm" | "ctr-image tag" | \
		"ctr-image export" | "ctr-image check" | "ctr-unpack "* | "ctr-push "*) echo images ;;
	"ctr-run "*) echo containers ;;
	"ctr-image import") echo files ;;
	"ctr-snapshot rm" | "ctr-snapshot mounts" | "ctr-snapshot stat" | "ctr-snapshot usage" | \
		"ctr-snapshot view" | "ctr-snapshot prepare" | "ctr-snapshot commit") echo snapshots ;;
	"ctr-netns rm" | "ctr-netns exec" | "ctr-netns show") echo netns ;;
	esac
}

# Bash splits the line at ':' too (COMP_WORDBREAKS): "127.0.0.1:5000/app:1"
# or "sha256:ab" comes as several words. Into the arrays named $1 and $2 (the
# words and the index of the current one): COMP_WORDS joined again where only
# a colon stood between two of them in COMP_LINE.
_ctr_rejoin() {
	local -n out=$1 at=$2
	local i w rest lead pos=0
	out=() at=$COMP_CWORD
	if [ -z "${COMP_LINE+set}" ]; then
		out=("${COMP_WORDS[@]}")
		return 0
	fi
	for ((i = 0; i <= COMP_CWORD && i < ${#COMP_WORDS[@]}; i++)); do
		w=${COMP_WORDS[i]}
		rest=${COMP_LINE:pos}
		lead=${rest%%[![:space:]]*}
		pos=$((pos + ${#lead} + ${#w}))
		if ((i > 0)) && [ -z "$lead" ] && [[ $w == :* || ${out[-1]} == *: ]]; then
			out[-1]+=$w
		else
			out+=("$w")
		fi
		at=$((${#out[@]} - 1))
	done
}

# COMPREPLY for COMP_WORDS and COMP_CWORD, as words of whole names.
_ctr_reply() {
	local tool=${COMP_WORDS[0]##*/} cur=${COMP_WORDS[COMP_CWORD]} prev=
	local -a store path opts
	local i w line arg kind paths stopped=
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	for ((i = 1; i < COMP_CWORD; i++)); do
		[ "${COMP_WORDS[i]}" = -- ] && return 0 # the container's command: not ours
	done
	mapfile -t store < <(_ctr_store_args)
	paths=$(_ctr_paths "$tool")
	# the verb path typed so far: words that extend a known path, options skipped
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		-*)
			# an option with an argument takes the next word
			line=$(_ctr_options "$tool" "${path[@]}" | grep -E -- "^$w " | head -1)
			[ -n "$line" ] && ((i++))
			continue
			;;
		esac
		if awk -v p="${path[*]}${path[*]:+ }$w" '$0 == p || index($0, p " ") == 1 { f = 1 } END { exit !f }' <<<"$paths"; then
			path+=("$w")
		else
			stopped=1 # an operand, or a verb the tool does not have
			break
		fi
	done
	# the value of an option: its choices, or files for a FILE, DIR or PATH
	if [[ $prev == -* ]]; then
		arg=$(_ctr_options "$tool" "${path[@]}" | awk -v o="$prev" '$1 == o { print $2; exit }')
		case $arg in
		"") ;;
		*"|"*)
			mapfile -t COMPREPLY < <(compgen -W "${arg//|/ }" -- "$cur")
			return 0
			;;
		DIR)
			mapfile -t COMPREPLY < <(compgen -d -- "$cur")
			return 0
			;;
		FILE | PATH | FILE\|-)
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
			return 0
			;;
		*) return 0 ;;
		esac
	fi
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_ctr_options "$tool" "${path[@]}" | cut -d' ' -f1)" -- "$cur")
		return 0
	fi
	# the next word of a verb path
	w=
	((${#path[@]})) && w=$(printf '%s ' "${path[@]}")
	line=$(awk -v p="$w" 'index($0 " ", p) == 1 { n = split(substr($0, length(p) + 1), a, " "); if (n) print a[1] }' <<<"$paths" | sort -u)
	[ -n "$line" ] && [ -n "$stopped" ] && return 0 # not a verb of this tool
	if [ -z "$stopped" ]; then
		mapfile -t COMPREPLY < <(compgen -W "$line" -- "$cur")
		((${#COMPREPLY[@]})) && return 0
	fi
	kind=$(_ctr_operand_kind "$tool" "${path[*]}")
	case $kind in
	files) mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
	?*) mapfile -t COMPREPLY < <(compgen -W "$(_ctr_names "$kind" "${store[@]}")" -- "$cur") ;;
	esac
	return 0
}

_ctr_complete() {
	local -a words
	local cword cur
	_ctr_rejoin words cword
	local -a COMP_WORDS=("${words[@]}")
	local COMP_CWORD=$cword
	_ctr_reply
	cur=${COMP_WORDS[COMP_CWORD]}
	# readline replaces only what follows the word's last colon
	if [[ $cur == *:* && ${COMP_WORDBREAKS-} == *:* && -n ${COMP_LINE+set} ]]; then
		COMPREPLY=("${COMPREPLY[@]#"${cur%"${cur##*:}"}"}")
	fi
	return 0
}

complete -F _ctr_complete ctr-pull ctr-push ctr-image ctr-unpack ctr-snapshot ctr-run ctr-netns ctr-cri
