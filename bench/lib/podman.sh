# SPDX-License-Identifier: Apache-2.0
# The second peer: Debian's podman, what a user who wants no daemon picks
# instead of us. Every call has its own root, runroot and tmpdir under a
# folder the bench chose (never /var/lib/containers), runc with cgroupfs
# (this machine's hybrid cgroups: podman's crun and systemd defaults do not
# run here), events to a file, and ulimits within this sandbox's hard limits.
# shellcheck shell=bash

POD_DIR=

# ppod ARGS...: podman on the instance in POD_DIR.
ppod() {
	podman --root "$POD_DIR/root" --runroot "$POD_DIR/run" --tmpdir "$POD_DIR/tmp" \
		--storage-driver overlay --runtime runc --cgroup-manager cgroupfs \
		--events-backend file "$@"
}

# ppod_run ARGS...: podman run with the options of every container here: no
# network (as ours and ctr run: a namespace with lo only), limits this
# sandbox allows.
ppod_run() {
	ppod run --network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 "$@"
}

# pod_use DIR: the instance in DIR (made if missing).
pod_use() {
	POD_DIR=$1
	mkdir -p "$POD_DIR/root" "$POD_DIR/run" "$POD_DIR/tmp"
}

# pod_reset: remove the instance's containers by id, unmount its storage,
# remove its folder.
pod_reset() {
	local d=$POD_DIR
	[ -n "$d" ] && [ -d "$d" ] || return 0
	pod_rm_containers
	_helpers_umount_under "$d"
	rm -rf --one-file-system "$d"
	POD_DIR=
}

# pod_rm_containers: every container of the instance, by id, at once.
pod_rm_containers() {
	local ids
	ids=$(ppod ps -aq 2>/dev/null) || return 0
	[ -n "$ids" ] || return 0
	# shellcheck disable=SC2086 # one id a word
	ppod rm -f -t 0 $ids >/dev/null 2>&1
}

# pod_conmon_pids: the conmon of every running container (podman's shim).
pod_conmon_pids() {
	local id
	for id in $(ppod ps -q 2>/dev/null); do
		ppod inspect --format '{{.State.ConmonPid}}' "$id"
	done
}

pod_version() {
	podman --version | awk '{ print $3 }'
}
