#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# ctr-run containers in network namespaces made by ctr-netns: two test-made
# namespaces joined by a bridge in a third one, addresses 10.62.0.0/24 inside
# them only. The host's own interfaces and namespaces are never touched.

bats_require_minimum_version 1.5.0
load ../lib/helpers
load ../lib/registry
load ../lib/containers

setup_file() { busybox_registry_start; }
teardown_file() { busybox_registry_stop; }

setup() {
	containers_setup ip
	# pinned under /run/netns (as ctr-run's --net /run/netns/NAME expects) by
	# names only this test uses; interfaces stay under 15 bytes
	unset CTR_NETNS_DIR
	P=cr$$n$RANDOM
	H=$P-h A=$P-a B=$P-b
	NSLIST=$BATS_TEST_TMPDIR/.netns
}

# The containers first, then the namespaces they were in.
teardown() {
	local n
	containers_remove_noted
	# removing a namespace takes its veths and bridge with it
	if [ -f "$NSLIST" ]; then
		while read -r n; do
			[ -e "/run/netns/$n" ] && ctr-netns rm "$n"
		done <"$NSLIST"
	fi
	common_teardown
}

# Bridge br0 in $H; $A (10.62.0.2) and $B (10.62.0.3) joined to it by veths.
topology() {
	local n
	for n in "$H" "$A" "$B"; do
		echo "$n" >>"$NSLIST"
		ctr-netns create "$n" >/dev/null
	done
	ctr-netns bridge add --netns "$H" br0 >/dev/null
	ctr-netns veth add --netns "$A" --host-netns "$H" --ifname eth0 --host-ifname va \
		--bridge br0 >/dev/null
	ctr-netns veth add --netns "$B" --host-netns "$H" --ifname eth0 --host-ifname vb \
		--bridge br0 >/dev/null
	ctr-netns addr add --netns "$A" --ifname eth0 10.62.0.2/24 >/dev/null
	ctr-netns addr add --netns "$B" --ifname eth0 10.62.0.3/24 >/dev/null
}

@test "run-net: a container in namespace A pings a peer in B across a bridge in a third" {
	topology
	# ns:NAME form; the peer is B's own kernel answering
	run --separate-stderr ctr-run run --rm --net "ns:$A" "$IMG" -- \
		sh -c 'ip -o -4 addr show eth0; ping -c 2 -W 2 10.62.0.3'
	echo "$output $stderr"
	assert_status 0
	assert_output_contains "10.62.0.2/24"
	assert_output_contains "2 packets received"
	# path form, the other way round
	run --separate-stderr ctr-run run --rm --net "/run/netns/$B" "$IMG" -- \
		ping -c 1 -W 2 10.62.0.2
	assert_status 0
	assert_output_contains "1 packets received"
}

@test "run-net: a detached container in A answers a ping from a container in B; its namespace is A's" {
	local id ino
	topology
	id=$(cid netsrv$RANDOM)
	ctr-run run -d --name "$id" --net "ns:$A" "$IMG" -- sleep 600 </dev/null >/dev/null
	pid=$(ctr-run state "$id" | jq .pid)
	ino=$(stat -L -c %i "/run/netns/$A")
	[ "$(stat -L -c %i "/proc/$pid/ns/net")" = "$ino" ]
	run ctr-run run --rm --net "ns:$B" "$IMG" -- ping -c 1 -W 2 10.62.0.2
	assert_status 0
	# with the link in A down, the same ping fails: the answer came through A
	ctr-netns link set --netns "$A" eth0 down
	run ctr-run run --rm --net "ns:$B" "$IMG" -- ping -c 1 -W 1 10.62.0.2
	[ "$status" -ne 0 ]
	ctr-run delete -f "$id"
	[ -e "/run/netns/$A" ] # the namespace outlives the container
}

@test "run-net: run --rm --net slirp4netns in the foreground leaves no runtime state and no cgroup; the name is free again" {
	local id
	require_cmd slirp4netns
	[ -c /dev/net/tun ] || skip "needs /dev/net/tun"
	id=$(cid slirp$RANDOM)
	# not the runtime's own run (slirp4netns joins init before it starts):
	# the shim deletes the runtime's state and cgroup as init exits
	run --separate-stderr ctr-run run --rm --name "$id" --net slirp4netns "$IMG" -- sh -c 'exit 3'
	assert_status 3
	run ! runc --root "$RR" state "$id"
	assert_clean "$id"
	run --separate-stderr ctr-run run --rm --name "$id" --net slirp4netns "$IMG" -- echo again
	echo "$stderr"
	assert_status 0
	[ "$output" = again ]
	run ! runc --root "$RR" state "$id"
	assert_clean "$id"
}

@test "run-net: a missing namespace is one clear line, exit 125, nothing left" {
	run --separate-stderr ctr-run run --rm --net "ns:$P-missing" "$IMG" -- true
	assert_status 125
	[[ "$stderr" == "ctr-run: fatal: "* ]]
	[ "$(echo "$stderr" | wc -l)" = 1 ]
	[ -z "$(ls "$CTR_ROOT/containers/default" 2>/dev/null)" ]
	run --separate-stderr ctr-run run --rm --net "/run/netns/$P-missing" "$IMG" -- true
	assert_status 125
	[ -z "$(ls "$CTR_ROOT/containers/default" 2>/dev/null)" ]
}
