#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# ctr-run --net cni:NAME[,NAME]: the container's own namespace on CNI
# networks, through `ctr-netns cni add|del` and Debian's CNI plugins
# (bridge, host-local, portmap); everything taken down with the container.

bats_require_minimum_version 1.5.0
load ../lib/helpers
load ../lib/registry
load ../lib/containers

setup_file() { busybox_registry_start; }
teardown_file() { busybox_registry_stop; }

setup() {
	containers_setup ip busybox
	[ -x /usr/lib/cni/bridge ] || skip "needs Debian's containernetworking-plugins"
	export CNI_CONF_DIR=$BATS_TEST_TMPDIR/net.d
	IPAM=$BATS_TEST_TMPDIR/ipam
	# a bridge and subnets of this test's own
	BR=ctrb$((RANDOM % 10000))
	BR2=ctrc$((RANDOM % 10000))
	N=$((RANDOM % 200 + 20))
	mkdir -p "$CNI_CONF_DIR"
	conflist tnet "$BR" "10.232.$N.0/24" >"$CNI_CONF_DIR/10-tnet.conflist"
	conflist tnet2 "$BR2" "10.233.$N.0/24" >"$CNI_CONF_DIR/20-tnet2.conflist"
}

teardown() {
	containers_teardown
	ip link del "$BR" 2>/dev/null || true
	ip link del "$BR2" 2>/dev/null || true
}

# conflist NAME BRIDGE SUBNET: a bridge network with host-local IPAM and portmap
conflist() {
	cat <<-JSON
	{"cniVersion": "1.0.0", "name": "$1", "plugins": [
	  {"type": "bridge", "bridge": "$2", "isGateway": true, "ipMasq": false,
	   "ipam": {"type": "host-local", "ranges": [[{"subnet": "$3"}]], "dataDir": "$IPAM"}},
	  {"type": "portmap", "capabilities": {"portMappings": true}}]}
	JSON
}

# reserved NETWORK: the addresses host-local holds for NETWORK
reserved() {
	find "$IPAM/$1" -name '10.*' -printf '%f\n' 2>/dev/null | sort | xargs
}

@test "run-cni: --net cni:NAME gives eth0 an address on the network, and takes it back" {
	id=$(cid cni1)
	run --separate-stderr ctr-run run --rm --name "$id" --net cni:tnet "$IMG" -- ip -4 -o addr show eth0
	assert_status 0
	[[ $output == *"inet 10.232.$N."*"/24"* ]]
	assert_clean "$id"
	[ -z "$(reserved tnet)" ]
	[ ! -e "/run/netns/ctr-default-$id" ]
	! grep -q " /run/netns/ctr-default-$id " /proc/self/mountinfo
}

@test "run-cni: two networks, the address in state, reachable from the host, gone at delete" {
	id=$(cid cni2)
	ctr-run run -d --name "$id" --net cni:tnet,tnet2 "$IMG" -- sleep 100 >/dev/null
	st=$(ctr-run state "$id")
	a=$(jq -r '.networks[0].result.ips[0].address' <<<"$st")
	b=$(jq -r '.networks[1].result.ips[0].address' <<<"$st")
	[[ $a == 10.232.$N.*/24 ]]
	[[ $b == 10.233.$N.*/24 ]]
	[ "$(jq -r '[.networks[].ifname] | join(" ")' <<<"$st")" = "eth0 eth1" ]
	[ "$(reserved tnet)" = "${a%/*}" ]
	busybox ping -c 1 -W 5 "${a%/*}" >/dev/null
	ctr-run exec "$id" -- ip -4 -o addr show eth1 | grep -q "inet ${b%/*}/24"
	ctr-run delete -f "$id"
	assert_clean "$id"
	[ -z "$(reserved tnet)$(reserved tnet2)" ]
	[ ! -e "/run/netns/ctr-default-$id" ]
	! grep -q " /run/netns/ctr-default-$id " /proc/self/mountinfo
	[ -z "$(ls "$CTR_STATE/cni/default" 2>/dev/null)" ]
}

# A create killed after its networks, before its record: gc removes its
# directory, and with it what its cni.json names (networks, namespace).
@test "run-cni: gc of the directory a killed create left detaches its networks" {
	local d ns
	id=$(cid cnigc)
	ns=ctr-default-$id
	d=$CTR_STATE/default/$id
	mkdir -p "$CTR_ROOT/containers/default/$id/bundle/rootfs" "$d"
	: >"$CTR_ROOT/containers/default/$id/lock"
	ctr-netns create "$ns"
	res=$(ctr-netns cni add --ifname eth0 tnet "$ns")
	jq -n --arg ns "$ns" --argjson r "$res" \
		'{netns: $ns, networks: ["tnet"], results: [{network: "tnet", ifname: "eth0", result: $r}]}' \
		>"$d/cni.json"
	[ -n "$(reserved tnet)" ]
	[ -e "/run/netns/$ns" ]
	run --separate-stderr ctr-image gc --json
	assert_status 0
	[ "$(jq -r '.files[]' <<<"$output" | grep -c "^containers/default/$id\$")" = 1 ]
	[ -z "$(reserved tnet)" ]
	[ ! -e "/run/netns/$ns" ]
	! grep -q " /run/netns/$ns " /proc/self/mountinfo
	[ -z "$(ls "$CTR_STATE/cni/default" 2>/dev/null)" ]
	assert_clean "$id"
}

@test "run-cni: a network that fails undoes the ones before it; one line, nothing left" {
	id=$(cid cni3)
	echo '{"cniVersion": "1.0.0", "name": "broken", "plugins": [{"type": "no-such-plugin"}]}' \
		>"$CNI_CONF_DIR/30-broken.conflist"
	run --separate-stderr ctr-run run --rm --name "$id" --net cni:tnet,broken "$IMG" -- true
	assert_status 125
	[ "$(echo "$stderr" | wc -l)" = 1 ]
	[[ $stderr == *"network 'broken'"*"CNI plugin 'no-such-plugin' not found"* ]]
	assert_clean "$id"
	[ -z "$(reserved tnet)" ]
	[ ! -e "/run/netns/ctr-default-$id" ]
	! grep -q " /run/netns/ctr-default-$id " /proc/self/mountinfo
	run --separate-stderr ctr-run run --rm --net cni:nosuch "$IMG" -- true
	assert_status 125
	[[ $stderr == *"no CNI network 'nosuch' in $CNI_CONF_DIR"* ]]
	run --separate-stderr ctr-run run --rm --net cni:a,,b "$IMG" -- true
	assert_status 125
	run --separate-stderr ctr-run run --rm --net cni:../x "$IMG" -- true
	assert_status 125
}

@test "run-cni: /etc/resolv.conf and /etc/hosts as podman makes them; --dns, --dns-search, --add-host, --no-hosts" {
	local dnsnet=$BATS_TEST_TMPDIR/net.d/30-tdns.conflist
	# DNS in the network's result (the bridge plugin passes its "dns" on)
	jq '.name = "tdns" | .plugins[0].dns = {nameservers: ["10.232.0.53"], search: ["corp.test"]}' \
		"$CNI_CONF_DIR/10-tnet.conflist" >"$dnsnet"
	id=$(cid dns1)
	run --separate-stderr ctr-run run --rm --name "$id" --hostname web --net cni:tdns "$IMG" \
		-- sh -c 'cat /etc/resolv.conf; echo --; cat /etc/hosts'
	assert_status 0
	[ "${lines[0]}" = "search corp.test" ]
	[ "${lines[1]}" = "nameserver 10.232.0.53" ]
	[ "${lines[2]}" = "--" ]
	[[ "${lines[3]}" == "127.0.0.1"$'\t'"localhost "* ]]
	[[ "${lines[4]}" == "::1"$'\t'"localhost "* ]]
	[[ "${lines[5]}" == "10.232.$N."*$'\t'"web $id" ]]
	assert_clean "$id"
	# no DNS in the result: the host's resolver file without 127.x and ::1
	printf 'domain host.test\nnameserver 127.0.0.53\nnameserver 10.7.7.7\noptions ndots:2\n' \
		>"$BATS_TEST_TMPDIR/host-resolv"
	id=$(cid dns2)
	run --separate-stderr env CTR_RESOLV_CONF="$BATS_TEST_TMPDIR/host-resolv" \
		ctr-run run --rm --name "$id" --add-host db:10.9.9.9 --net cni:tnet "$IMG" \
		-- sh -c 'cat /etc/resolv.conf; echo --; cat /etc/hosts'
	assert_status 0
	[ "$(printf '%s\n' "${lines[@]:0:3}")" = "$(printf 'domain host.test\nnameserver 10.7.7.7\noptions ndots:2')" ]
	[ "${lines[6]}" = "10.9.9.9"$'\t'"db" ]
	[[ "${lines[7]}" == "10.232.$N."*$'\t'"$id" ]]
	# the flags win; --no-hosts keeps the image's (busybox has none)
	id=$(cid dns3)
	run --separate-stderr ctr-run run --rm --name "$id" --dns 10.8.8.8 --dns 2001:db8::53 \
		--dns-search . --no-hosts --net cni:tdns "$IMG" \
		-- sh -c 'cat /etc/resolv.conf; echo --; cat /etc/hosts 2>&1; true'
	assert_status 0
	[ "$(printf '%s\n' "${lines[@]:0:3}")" = "$(printf 'nameserver 10.8.8.8\nnameserver 2001:db8::53\n--')" ]
	[[ "${lines[3]}" == *"can't open '/etc/hosts'"* ]]
	# a mount of the user's own there is left alone
	echo "nameserver 10.6.6.6" >"$BATS_TEST_TMPDIR/mine"
	run --separate-stderr ctr-run run --rm -v "$BATS_TEST_TMPDIR/mine:/etc/resolv.conf:ro" \
		--net cni:tdns "$IMG" -- cat /etc/resolv.conf
	assert_status 0
	[ "$output" = "nameserver 10.6.6.6" ]
	# bad values and the options without a CNI network: one line, 125, nothing made
	for bad in "--dns 10.1.1 --net cni:tnet" "--add-host db --net cni:tnet" \
		"--dns-search a,b --net cni:tnet" "--dns 10.1.1.1" "--no-hosts --net none"; do
		# shellcheck disable=SC2086 # the words of each case
		run --separate-stderr ctr-run run --rm $bad "$IMG" -- true
		echo "$bad -> $status: $stderr"
		assert_status 125
		[ "${#stderr_lines[@]}" = 1 ]
	done
	[ -z "$(ls "$CTR_ROOT/containers/default")" ]
	[ -z "$(reserved tnet)$(reserved tdns)" ]
}
