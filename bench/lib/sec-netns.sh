# SPDX-License-Identifier: Apache-2.0
# Section 5: a network namespace with a veth and an address, made and
# removed, by ctr-netns vs ip(8); and CNI ADD+DEL, ctr-netns as a plugin vs
# the reference bridge plugin, both with host-local IPAM. Every namespace is
# the bench's own (N_PFX and a number); the host ends of the veths and the
# bridges live in the bench's "host" namespace, never in ours.
# shellcheck shell=bash

N_PFX=
N_HOST=
N_LIST=

# bench_netns_setup: the host namespace; every name goes to N_LIST.
bench_netns_setup() {
	N_PFX=ctrb$$
	N_HOST=${N_PFX}h
	N_LIST=$BENCH_TMP/netns.list
	: >"$N_LIST"
	bench_defer bench_netns_rm_all
	echo "$N_HOST" >>"$N_LIST"
	ip netns add "$N_HOST" || bench_die "ip netns add $N_HOST failed"
	mkdir -p "$BENCH_TMP/ipam"
}

bench_netns_rm_all() {
	local n
	[ -n "$N_LIST" ] && [ -f "$N_LIST" ] || return 0
	while read -r n; do
		[ -e "/run/netns/$n" ] && ip netns del "$n"
	done <"$N_LIST"
}

_n_name() {
	echo "$N_PFX$1$2" >>"$N_LIST"
	echo "$N_PFX$1$2"
}

n_ours() {
	local n
	n=$(_n_name o "$1")
	ctr-netns create "$n" >/dev/null &&
		ctr-netns veth add --netns "$n" --host-netns "$N_HOST" --ifname eth0 \
			--host-ifname "vo$1" >/dev/null &&
		ctr-netns addr add --netns "$n" --ifname eth0 10.209.0.2/24 >/dev/null &&
		ctr-netns rm "$n"
}

# The same steps with ip(8): lo up, both veth ends up, the address.
n_peer() {
	local n
	n=$(_n_name i "$1")
	ip netns add "$n" && ip -n "$n" link set lo up &&
		ip -n "$N_HOST" link add "vi$1" type veth peer name eth0 netns "$n" &&
		ip -n "$N_HOST" link set "vi$1" up && ip -n "$n" link set eth0 up &&
		ip -n "$n" addr add 10.209.0.2/24 dev eth0 && ip netns del "$n"
}

_n_conf() {
	printf '{"cniVersion":"1.0.0","name":"%s","type":"%s","bridge":"%s","isGateway":true,
"ipam":{"type":"host-local","subnet":"%s","dataDir":"%s"}}' \
		"bench-$1" "$2" "$3" "$4" "$BENCH_TMP/ipam/$1"
}

N_CNI=
c_prep() {
	N_CNI=$(_n_name "c$2" "$1")
	ip netns add "$N_CNI"
}
c_post() { ip netns del "$N_CNI"; }
c_ours_prep() { c_prep "$1" o; }
c_peer_prep() { c_prep "$1" p; }

# _c_run WHO COMMAND: ADD then DEL through the plugin, inside the host ns.
_c_run() {
	local conf=$1 cmd
	shift
	for cmd in ADD DEL; do
		CNI_COMMAND=$cmd CNI_CONTAINERID="c-$N_CNI" CNI_NETNS=/run/netns/$N_CNI \
			CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni "$@" <<<"$conf" >/dev/null || return 1
	done
}
c_ours() {
	_c_run "$(_n_conf ours bridge cbo0 10.210.0.0/24)" \
		ctr-netns exec "$N_HOST" -- "$(command -v ctr-netns)"
}
c_peer() {
	_c_run "$(_n_conf ref bridge cbp0 10.211.0.0/24)" \
		ip netns exec "$N_HOST" /usr/lib/cni/bridge
}

bench_netns_rows() {
	bench_ab netns "netns create + veth + addr + rm (peer: ip)" "$1" \
		ours::n_ours: peer::n_peer:
	if [ -x /usr/lib/cni/bridge ] && [ -x /usr/lib/cni/host-local ]; then
		bench_ab netns "CNI ADD+DEL, bridge + host-local (peer: CNI bridge plugin)" "$1" \
			ours:c_ours_prep:c_ours:c_post peer:c_peer_prep:c_peer:c_post
	else
		bench_na netns "CNI ADD+DEL" peer "n/a (containernetworking-plugins missing)"
	fi
}
