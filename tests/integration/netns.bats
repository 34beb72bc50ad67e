#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# ctr-netns against the real kernel: namespaces pinned under /run/netns,
# veth pairs and bridges over netlink, pings, CNI mode with Debian's
# host-local IPAM. Everything lives in namespaces the test makes (a "host"
# namespace holds the bridge): the machine's own interfaces are never touched.

load ../lib/helpers
bats_require_minimum_version 1.5.0

setup() {
	common_setup
	require_root
	# short and unique: namespaces are names, interfaces stay under 15 bytes
	P=ct$$r$RANDOM
	H=$P-h A=$P-a B=$P-b
	NSLIST=$BATS_TEST_TMPDIR/.netns
}

teardown() {
	local n
	# removing a namespace removes the veths and bridges inside it
	if [ -f "$NSLIST" ]; then
		while read -r n; do
			[ -e "/run/netns/$n" ] && ctr-netns rm "$n"
		done <"$NSLIST"
	fi
	common_teardown
}

# mk NAME...: create namespaces and remember them for teardown.
mk() {
	local n
	for n in "$@"; do
		echo "$n" >>"$NSLIST"
		ctr-netns create "$n" >/dev/null
	done
}

# links NS: the interface names inside NS, one a line.
links() {
	ip -n "$1" -j link show | jq -r '.[].ifname' | sort
}

# Bridge 10.61.0.1/24 + fd61::1/64 in $H; $A (.2) and $B (.3) joined to it.
topology() {
	mk "$H" "$A" "$B"
	ctr-netns bridge add --netns "$H" --addr 10.61.0.1/24 --addr fd61::1/64 br0 >/dev/null
	ctr-netns veth add --netns "$A" --host-netns "$H" --ifname eth0 --host-ifname va \
		--bridge br0 >/dev/null
	ctr-netns veth add --netns "$B" --host-netns "$H" --ifname eth0 --host-ifname vb \
		--bridge br0 >/dev/null
	ctr-netns addr add --netns "$A" --ifname eth0 10.61.0.2/24 fd61::2/64 >/dev/null
	ctr-netns addr add --netns "$B" --ifname eth0 10.61.0.3/24 fd61::3/64 >/dev/null
}

@test "create pins a namespace that ip netns sees, with loopback up; rm unpins it" {
	mk "$A"
	run ctr-netns ls --json
	assert_status 0
	[ "$(json_get "$output" ".[] | select(.name == \"$A\") | .path")" = "/run/netns/$A" ]
	ip netns list | grep -qw "$A"
	[ "$(stat -f -c %T "/run/netns/$A")" = nsfs ]
	# /run/netns is a shared mount point, as iproute2 makes it
	findmnt -n -o PROPAGATION /run/netns | grep -q shared
	ip -n "$A" -j link show lo | jq -e '.[0].flags | index("UP")'
	ip netns exec "$A" busybox ping -c1 -W2 127.0.0.1 >/dev/null
	run ctr-netns rm "$A"
	assert_status 0
	[ ! -e "/run/netns/$A" ]
	! ip netns list | grep -qw "$A" || false
}

@test "bad names and duplicates: one line, exit 100, nothing made" {
	run ctr-netns create 'a/b'
	assert_status 100
	[ "${#lines[@]}" = 1 ]
	assert_output_contains "ctr-netns: fatal:"
	run ctr-netns create ..
	assert_status 100
	CTR_NETNS_DIR=netns run ctr-netns create "$A"
	assert_status 100
	assert_output_contains "CTR_NETNS_DIR 'netns' is not an absolute path"
	CTR_NETNS_DIR=netns run ctr-netns ls
	assert_status 100
	mk "$A"
	run ctr-netns create "$A"
	assert_status 100
	assert_output_contains exists
	run ctr-netns veth add --netns "$A" --ifname 0123456789abcdef
	assert_status 100
	assert_output_contains "longer than 15"
	run ctr-netns veth add --netns "$A" --ifname lo
	assert_status 100
	assert_output_contains "'lo' exists"
	run ctr-netns veth add --netns "$P-none" --ifname eth0
	assert_status 100
	assert_output_contains "no such network namespace"
	run ctr-netns rm "$P-none"
	assert_status 100
	run ctr-netns addr add --netns "$A" --ifname lo 10.1.2.3/33
	assert_status 100
	assert_output_contains "invalid CIDR"
	run ctr-netns addr add --netns "$A" --ifname lo 10.1.2/24
	assert_status 100
	run ctr-netns veth add --netns "$A" --ifname e1 --mac 01:00:5e:00:00:01
	assert_status 100
	assert_output_contains "invalid MAC"
	run ctr-netns veth add --netns "$A" --ifname e1 --mac 02:00:00:00:00
	assert_status 100
	[ "$(links "$A")" = lo ]
}

@test "two namespaces on a bridge in a third ping each other over IPv4 and IPv6" {
	topology
	ctr-netns exec "$A" -- busybox ping -c1 -W2 10.61.0.3
	ctr-netns exec "$B" -- busybox ping -c1 -W2 10.61.0.2
	ctr-netns exec "$A" -- busybox ping -c1 -W2 10.61.0.1
	ctr-netns exec "$A" -- busybox ping -c1 -W2 fd61::3
	# both host ends are ports of br0 inside $H, and nothing leaked outside it
	[ "$(ip -n "$H" -j link show master br0 | jq -r '.[].ifname' | sort | tr '\n' ' ')" = "va vb " ]
	! ip link show va 2>/dev/null || false
	# exec remounts /sys: it shows the namespace's devices
	[ "$(ctr-netns exec "$A" -- ls /sys/class/net | sort | tr '\n' ' ')" = "eth0 lo " ]
}

@test "veth add prints a CNI-shaped result naming the sandbox" {
	mk "$H" "$A"
	run ctr-netns veth add --netns "$A" --host-netns "$H" --ifname eth0 --host-ifname vx \
		--mtu 1400 --mac 02:00:00:00:61:0a
	assert_status 0
	json_get "$output" '.cniVersion == "1.0.0" and (.ips | length) == 0 and .dns == {}' | grep -qx true
	[ "$(json_get "$output" '.interfaces[0].name')" = vx ]
	[ "$(json_get "$output" '.interfaces[1] | "\(.name) \(.mac) \(.sandbox)"')" = \
		"eth0 02:00:00:00:61:0a /run/netns/$A" ]
	[ "$(ip -n "$A" -j link show eth0 | jq -r '.[0] | "\(.mtu) \(.operstate != "DOWN")"')" = "1400 true" ]
	run ctr-netns addr add --netns "$A" --ifname eth0 10.62.0.2/24
	assert_status 0
	[ "$(json_get "$output" '.ips[0] | "\(.address) \(.interface)"')" = "10.62.0.2/24 0" ]
}

@test "show --json agrees with ip -j addr inside the namespace" {
	topology
	ctr-netns route add --netns "$A" default via 10.61.0.1 >/dev/null
	run ctr-netns show --json "$A"
	assert_status 0
	mine=$(jq -r '. as $r | .ips[] | "\($r.interfaces[.interface].name) \(.address)"' <<<"$output" | sort)
	theirs=$(ip -n "$A" -j addr | jq -r '.[] | .ifname as $n | .addr_info[] | "\($n) \(.local)/\(.prefixlen)"' | sort)
	[ -n "$mine" ]
	[ "$mine" = "$theirs" ]
	[ "$(jq -r '.routes[] | select(.dst == "0.0.0.0/0") | .gw' <<<"$output")" = 10.61.0.1 ]
	macs=$(jq -r '.interfaces[] | "\(.name) \(.mac)"' <<<"$output" | sort)
	[ "$macs" = "$(ip -n "$A" -j link | jq -r '.[] | "\(.ifname) \(.address)"' | sort)" ]
}

@test "route add and rm, IPv4 and IPv6, with via and dev" {
	topology
	run ctr-netns route add --netns "$A" 10.99.0.0/16 via 10.61.0.1
	assert_status 0
	[ "$(json_get "$output" '.routes[0] | "\(.dst) \(.gw)"')" = "10.99.0.0/16 10.61.0.1" ]
	ctr-netns route add --netns "$A" fd99::/64 via fd61::1 dev eth0 >/dev/null
	ctr-netns route add --netns "$A" 10.98.0.0/16 dev eth0 >/dev/null
	ip -n "$A" route show 10.99.0.0/16 | grep -q "via 10.61.0.1"
	ip -n "$A" -6 route show fd99::/64 | grep -q "via fd61::1"
	run ctr-netns route add --netns "$A" 10.99.0.0/16 via 10.61.0.1
	assert_status 100
	run ctr-netns route add --netns "$A" 10.99.0.1/16 via 10.61.0.1
	assert_status 100
	ctr-netns route rm --netns "$A" 10.99.0.0/16 via 10.61.0.1
	[ -z "$(ip -n "$A" route show 10.99.0.0/16)" ]
	run ctr-netns route rm --netns "$A" 10.99.0.0/16 via 10.61.0.1
	assert_status 100
	# the kernel's ENETUNREACH and EADDRNOTAVAIL: the caller's mistakes, not failures
	run --separate-stderr ctr-netns route add --netns "$A" 10.97.0.0/16 via 192.0.2.1
	assert_status 100
	run --separate-stderr ctr-netns addr rm --netns "$A" --ifname eth0 10.61.9.9/24
	assert_status 100
}

@test "a missing bridge rolls the veth back: nothing is left on either side" {
	mk "$H" "$A"
	run ctr-netns veth add --netns "$A" --host-netns "$H" --ifname eth0 --host-ifname vr \
		--bridge nobr0
	assert_status 100
	[ "${#lines[@]}" = 1 ]
	assert_output_contains "no such interface 'nobr0'"
	[ "$(links "$H")" = lo ]
	[ "$(links "$A")" = lo ]
	# a "bridge" that is not one fails in the kernel, mid-way: rolled back too
	run ctr-netns veth add --netns "$A" --host-netns "$H" --ifname eth0 --host-ifname vr \
		--bridge lo
	[ "$status" -ne 0 ]
	[ "$(links "$H")" = lo ]
	[ "$(links "$A")" = lo ]
}

@test "link set down/up, mtu, and link rm" {
	topology
	ctr-netns link set --netns "$A" eth0 down
	ip -n "$A" -j link show eth0 | jq -e '.[0].flags | index("UP") | not'
	ctr-netns link set --netns "$A" --mtu 1300 eth0 up
	ip -n "$A" -j link show eth0 | jq -e '.[0].mtu == 1300 and (.[0].flags | index("UP"))'
	ctr-netns link rm --netns "$A" eth0
	[ "$(links "$A")" = lo ]
	# the peer went with it
	! ip -n "$H" link show va 2>/dev/null || false
	run ctr-netns link rm --netns "$A" eth0
	assert_status 100
}

@test "sysctls are written inside the namespace only, and only net.*" {
	before=$(cat /proc/sys/net/ipv4/ip_forward)
	echo "$A" >>"$NSLIST"
	ctr-netns create --sysctl net.ipv4.ip_forward=1 "$A" >/dev/null
	[ "$(ip netns exec "$A" cat /proc/sys/net/ipv4/ip_forward)" = 1 ]
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$before" ]
	ctr-netns sysctl --netns "$A" net.ipv4.ip_forward=0
	[ "$(ip netns exec "$A" cat /proc/sys/net/ipv4/ip_forward)" = 0 ]
	run ctr-netns sysctl --netns "$A" kernel.hostname=x
	assert_status 100
	run ctr-netns sysctl --netns "$A" net.ipv4.../../kernel/hostname=x
	assert_status 100
	# a failed sysctl at create leaves no namespace behind
	echo "$B" >>"$NSLIST"
	run ctr-netns create --sysctl net.ipv4.no_such_key=1 "$B"
	assert_status 100
	[ ! -e "/run/netns/$B" ]
}

# CNI: the plugin runs in $H (the caller's "host"), IPAM is Debian's host-local.
cni_conf() {
	cat <<-EOF
	{"cniVersion":"1.0.0","name":"ctrt$$","type":"ctr-netns","bridge":"${1:-cbr0}",
	 "isGateway":true,"ipam":{"type":"host-local","dataDir":"$BATS_TEST_TMPDIR/ipam",
	 "ranges":[[{"subnet":"10.63.0.0/24"}]],"routes":[{"dst":"0.0.0.0/0"}]}}
	EOF
}

cni() { # cni COMMAND [CONF-FILE]: run the plugin as a runtime would, in $H
	CNI_COMMAND=$1 CNI_NETNS=/run/netns/$A CNI_IFNAME=eth0 CNI_CONTAINERID=ctrt$$ \
		CNI_PATH=/usr/lib/cni ctr-netns exec "$H" -- ctr-netns <"${2:-$BATS_TEST_TMPDIR/conf}"
}

@test "CNI mode: ADD, CHECK and DEL with host-local IPAM" {
	[ -x /usr/lib/cni/host-local ] || skip "needs containernetworking-plugins"
	mk "$H" "$A"
	cni_conf >"$BATS_TEST_TMPDIR/conf"
	run cni VERSION
	assert_status 0
	json_get "$output" '.supportedVersions | index("1.0.0") != null' | grep -qx true
	run cni ADD
	assert_status 0
	res=$output
	json_get "$res" '.cniVersion == "1.0.0" and (.interfaces | length) == 3 and .dns == {}' | grep -qx true
	i=$(json_get "$res" '.ips[0].interface')
	[ "$(json_get "$res" ".interfaces[$i] | \"\(.name) \(.sandbox)\"")" = "eth0 /run/netns/$A" ]
	[ "$(json_get "$res" '.ips[0] | "\(.address) \(.gateway)"')" = "10.63.0.2/24 10.63.0.1" ]
	[ "$(json_get "$res" '.routes[0] | "\(.dst) \(.gw)"')" = "0.0.0.0/0 10.63.0.1" ]
	[ "$(json_get "$res" ".interfaces[$i].mac")" = "$(ip -n "$A" -j link show eth0 | jq -r '.[0].address')" ]
	ip -n "$A" -j addr show eth0 | jq -e '.[0].addr_info[] | select(.local == "10.63.0.2")'
	ctr-netns exec "$A" -- busybox ping -c1 -W2 10.63.0.1
	[ -f "$BATS_TEST_TMPDIR/ipam/ctrt$$/10.63.0.2" ]
	jq --argjson p "$res" '. + {prevResult: $p}' "$BATS_TEST_TMPDIR/conf" >"$BATS_TEST_TMPDIR/check"
	run cni CHECK "$BATS_TEST_TMPDIR/check"
	assert_status 0
	# CHECK fails once the address is gone
	ip -n "$A" addr del 10.63.0.2/24 dev eth0
	run cni CHECK "$BATS_TEST_TMPDIR/check"
	assert_status 1
	json_get "${lines[-1]}" '.code >= 100 and (.msg | contains("10.63.0.2"))' | grep -qx true
	run cni DEL
	assert_status 0
	[ "$(links "$A")" = lo ]
	[ ! -e "$BATS_TEST_TMPDIR/ipam/ctrt$$/10.63.0.2" ]
	[ "$(ip -n "$H" -j link show master cbr0 | jq length)" = 0 ]
	# DEL twice is fine (the spec asks for idempotence)
	run cni DEL
	assert_status 0
}

@test "CNI mode: errors are CNI error JSON, and a failed ADD takes everything back" {
	[ -x /usr/lib/cni/host-local ] || skip "needs containernetworking-plugins"
	mk "$H" "$A"
	cni_conf | jq '.ipMasq = true' >"$BATS_TEST_TMPDIR/conf"
	run cni ADD
	assert_status 1
	[ "$(json_get "${lines[-1]}" .code)" = 2 ]
	echo '{"cniVersion":"9.9.9","name":"x","type":"ctr-netns"}' >"$BATS_TEST_TMPDIR/conf"
	run cni ADD
	assert_status 1
	[ "$(json_get "${lines[-1]}" .code)" = 1 ]
	echo '{not json' >"$BATS_TEST_TMPDIR/conf"
	run cni ADD
	assert_status 1
	[ "$(json_get "${lines[-1]}" .code)" = 6 ]
	# "bridge" names a link that is not a bridge: no veth, no address kept
	ctr-netns veth add --netns "$H" --host-netns "$H" --ifname notbr --host-ifname notbr2 >/dev/null
	cni_conf notbr >"$BATS_TEST_TMPDIR/conf"
	run cni ADD
	assert_status 1
	json_get "${lines[-1]}" '.msg | contains("not a bridge")' | grep -qx true
	[ "$(links "$A")" = lo ]
	[ "$(links "$H" | tr '\n' ' ')" = "lo notbr notbr2 " ]
	[ ! -e "$BATS_TEST_TMPDIR/ipam/ctrt$$/10.63.0.2" ]
}

@test "every namespace the tests made is gone after rm" {
	topology
	ctr-netns rm "$A" "$B" "$H"
	for n in "$A" "$B" "$H"; do
		[ ! -e "/run/netns/$n" ]
		! ip netns list | grep -qw "$n" || false
	done
}

@test "exec: the command's status; 127 when not found, 126 when not runnable, as a shell" {
	mk "$A"
	run ctr-netns exec "$A" -- sh -c 'exit 7'
	assert_status 7
	run -127 --separate-stderr ctr-netns exec "$A" -- no-such-command-xyz
	assert_status 127
	[ "$stderr" = "ctr-netns: fatal: exec 'no-such-command-xyz': No such file or directory" ]
	printf 'not a program\n' >"$BATS_TEST_TMPDIR/data"
	run --separate-stderr ctr-netns exec "$A" -- "$BATS_TEST_TMPDIR/data"
	assert_status 126
	[ "$(wc -l <<<"$stderr")" = 1 ]
	run --separate-stderr ctr-netns exec "$A" -- /
	assert_status 126
	run --separate-stderr ctr-netns exec "$A" --
	assert_status 100
	[ "$stderr" = "ctr-netns exec: missing COMMAND; see 'ctr-netns exec --help'" ]
}
