# SPDX-License-Identifier: Apache-2.0
# Checks of a log file in the CRI format (ctr-shim --log-format cri), for
# run-stdio.bats and cri.bats.

# cri_log_check FILE: every line is "TIME STREAM P|F TEXT" with RFC 3339
# nanoseconds in UTC, and the times never go back.
cri_log_check() {
	local bad
	bad=$(grep -cvE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z (stdout|stderr) [PF] ' "$1") || true
	[ "$bad" = 0 ] || { echo "$1: $bad lines not in the CRI format:" >&2; head -c 600 "$1" >&2; return 1; }
	# fixed width: the order of the text is the order of the times
	cut -d' ' -f1 "$1" | LC_ALL=C sort -c || { echo "$1: times go back" >&2; return 1; }
}

# cri_log_text FILE STREAM: the text of STREAM put back together: P records
# joined to what follows, each F record ending a line.
cri_log_text() {
	awk -v s="$2" '$2 == s { t = substr($0, length($1 $2 $3) + 4); printf "%s%s", t, ($3 == "F" ? "\n" : "") }' "$1"
}

# cri_log_tags FILE STREAM: the tags of STREAM's records, in one word (PPF...).
cri_log_tags() {
	awk -v s="$2" '$2 == s { printf "%s", $3 }' "$1"
}
