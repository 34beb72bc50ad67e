# SPDX-License-Identifier: Apache-2.0
# The peer: a private containerd (Debian's package) with its own config,
# root, state and socket under a folder the bench chose, never the system's;
# and its `ctr` client. One instance at a time: PEER_DIR, PEER_SOCK, PEER_PID.
# shellcheck shell=bash

PEER_BIN=${PEER_BIN:-/usr/bin/containerd}
PEER_DIR=
PEER_SOCK=
PEER_PID=

# pctr ARGS...: the ctr client on the private socket.
pctr() {
	ctr --address "$PEER_SOCK" "$@"
}

# peer_start DIR [SANDBOX_IMAGE]: a fresh containerd whose root, state and
# sockets are in DIR (which must not exist yet). The CRI plugin is off (we
# compare image, snapshot and task work, not Kubernetes) unless a
# SANDBOX_IMAGE is given: then it serves CRI v1 on the same socket, with
# that image as its pause container, the overlayfs snapshotter, runc, and
# CNI configuration from DIR/net.d (empty: host-network pods only).
peer_start() {
	local d=$1 pause=${2:-} i plugins
	[ -n "$PEER_PID" ] && peer_stop
	mkdir -p "$d" || return 1
	PEER_DIR=$d
	PEER_SOCK=$d/c.sock
	if [ -n "$pause" ]; then
		mkdir -p "$d/net.d"
		plugins=$(_peer_cri_conf "$d" "$pause")
	else
		plugins='disabled_plugins = ["io.containerd.grpc.v1.cri"]'
	fi
	cat >"$d/config.toml" <<-EOF
	version = 2
	root = "$d/root"
	state = "$d/state"
	$plugins
	[grpc]
	  address = "$d/c.sock"
	[ttrpc]
	  address = "$d/c.sock.ttrpc"
	[debug]
	  address = "$d/debug.sock"
	[plugins."io.containerd.internal.v1.opt"]
	  path = "$d/opt"
	[plugins."io.containerd.runtime.v1.linux"]
	  state = "$d/state/v1"
	EOF
	"$PEER_BIN" --config "$d/config.toml" --log-level warn \
		</dev/null >>"$d/containerd.log" 2>&1 &
	PEER_PID=$!
	pid_identity "$PEER_PID" >"$d/pid" 2>/dev/null
	for ((i = 0; i < 500; i++)); do
		pctr version >/dev/null 2>&1 && return 0
		kill -0 "$PEER_PID" 2>/dev/null || break
		sleep 0.01
	done
	echo "containerd did not come up; log:" >&2
	tail -n 20 "$d/containerd.log" >&2
	peer_stop
	return 1
}

# The CRI plugin's section of a private instance: nothing outside DIR (its
# stream server on 127.0.0.1 with a port of the kernel's choosing).
_peer_cri_conf() {
	cat <<-EOF
	[plugins."io.containerd.grpc.v1.cri"]
	  sandbox_image = "$2"
	  stream_server_address = "127.0.0.1"
	  stream_server_port = "0"
	  # a sandbox's oom_score_adj (-998) no lower than containerd's own: this
	  # machine's runc may not lower it (runc init fails on the write)
	  restrict_oom_score_adj = true
	  [plugins."io.containerd.grpc.v1.cri".containerd]
	    snapshotter = "overlayfs"
	    default_runtime_name = "runc"
	    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
	      runtime_type = "io.containerd.runc.v2"
	  [plugins."io.containerd.grpc.v1.cri".cni]
	    bin_dir = "/usr/lib/cni"
	    conf_dir = "$1/net.d"
	EOF
}

# peer_stop: delete every task and container of the instance by id (their
# shims exit with them), stop containerd by its pid, unmount and remove DIR.
peer_stop() {
	local d=$PEER_DIR
	[ -n "$d" ] || return 0
	if [ -n "$PEER_PID" ] && kill -0 "$PEER_PID" 2>/dev/null; then
		peer_rm_containers
		peer_rm_containers k8s.io
		bench_kill_recorded "$d/pid"
		wait "$PEER_PID" 2>/dev/null
	fi
	PEER_PID=
	_helpers_umount_under "$d"
	rm -rf --one-file-system "$d"
	PEER_DIR=
}

# peer_rm_containers [NS]: every container of namespace NS (default:
# default), by id.
peer_rm_containers() {
	local ids ns=${1:-default}
	ids=$(pctr -n "$ns" containers ls -q 2>/dev/null) || return 0
	[ -n "$ids" ] || return 0
	# shellcheck disable=SC2086 # one id a word
	printf '%s\n' $ids | xargs -r -P 2 -n 8 sh -c '
		ns=$1
		shift
		for id; do
			ctr --address "$0" -n "$ns" tasks kill -s KILL "$id" >/dev/null 2>&1
		done
		for id; do
			ctr --address "$0" -n "$ns" tasks delete -f "$id" >/dev/null 2>&1
			ctr --address "$0" -n "$ns" containers rm "$id" >/dev/null 2>&1
		done' "$PEER_SOCK" "$ns"
}

# peer_shim_pids: the containerd-shim-runc-v2 of every running task (the
# parent of its init, as the shim is the init's subreaper).
peer_shim_pids() {
	local pid
	pctr tasks ls 2>/dev/null | awk 'NR > 1 && $3 == "RUNNING" { print $2 }' |
		while read -r pid; do
			awk '{ print $4 }' "/proc/$pid/stat"
		done
}

peer_version() {
	"$PEER_BIN" --version | awk '{ print $3 }'
}
