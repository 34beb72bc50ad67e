# SPDX-License-Identifier: Apache-2.0
# The machine facts printed with the results, as one JSON object.
# shellcheck shell=bash

# _f_image LAYOUT: {layers, compressed_bytes, unpacked_bytes, entries} of the
# "latest" image of LAYOUT, read from its blobs once and cached beside it.
_f_image() {
	local l=$1 cache=${1%/layout}/facts.json m d
	if [ ! -s "$cache" ]; then
		m=$l/blobs/sha256/$(jq -r '.manifests[]
			| select(.annotations["org.opencontainers.image.ref.name"] == "latest")
			| .digest | ltrimstr("sha256:")' "$l/index.json")
		{
			for d in $(jq -r '.layers[].digest' "$m"); do
				# tar -tv prints the size in column 3
				gzip -dc "$l/blobs/sha256/${d#sha256:}" | tar -tvf - | awk '{ print $3 }'
			done
		} | awk -v n="$(jq '.layers | length' "$m")" -v c="$(jq '[.layers[].size] | add' "$m")" '
			{ s += $1; e++ }
			END { printf "{\"layers\":%d,\"compressed_bytes\":%d,\"unpacked_bytes\":%d,\"entries\":%d}\n", n, c, s, e }' \
			>"$cache.tmp" && mv "$cache.tmp" "$cache"
	fi
	cat "$cache"
}

# Source files changed since the commit, when the tools are the tree's own.
_f_dirty() {
	if [ -n "${BENCH_COMMIT:-}" ]; then
		echo 0
	else
		git -C "$REPO_ROOT" status --porcelain -- 'ctr-*' libcommon | wc -l
	fi
}

# bench_facts QUICK LAYOUT_ONE LAYOUT_EIGHT
bench_facts() {
	jq -n --arg kernel "$(uname -r)" --argjson cores "$(nproc)" \
		--arg cpu "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)" \
		--argjson mem_kb "$(awk '/^MemTotal/ { print $2 }' /proc/meminfo)" \
		--arg containerd "$(peer_version)" --arg podman "$(pod_version)" \
		--arg runc "$(runc --version | awk 'NR == 1 { print $3 }')" \
		--arg commit "${BENCH_COMMIT:-$(git -C "$REPO_ROOT" rev-parse --short HEAD)}" \
		--arg dirty "$(_f_dirty)" \
		--arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
		--arg disk "$(findmnt -no FSTYPE -T /var/tmp)" \
		--arg mode "$([ "$1" = 1 ] && echo quick || echo full)" \
		--argjson one "$(_f_image "$2")" --argjson eight "$(_f_image "$3")" \
		--arg one_name "$(basename "$(dirname "$(dirname "$2")")")" \
		--arg eight_name "$(basename "$(dirname "$(dirname "$3")")")" \
		'{kernel: $kernel, cpu: $cpu, cores: $cores, mem_kb: $mem_kb,
		  containerd: $containerd, podman: $podman, runc: $runc, commit: $commit,
		  uncommitted_source_files: ($dirty | tonumber), date: $date,
		  disk_fs: $disk, mode: $mode,
		  images: {($one_name): $one, ($eight_name): $eight}}'
}
