#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# hosts.toml settings against the real docker-registry: skip_verify on the
# TLS variant, whose certificate no CA we trust signed.

bats_require_minimum_version 1.5.0
load ../lib/helpers
load ../lib/registry

setup_file() {
	registry_start tls
	export TLS_DIR=$REGISTRY_DIR
	fixture_push busybox test/busybox:1
}

teardown_file() {
	registry_stop
}

setup() {
	common_setup
	registry_use "$TLS_DIR"
	HOSTS=$BATS_TEST_TMPDIR/hosts
	mkdir -p "$HOSTS/$REGISTRY"
}

teardown() {
	common_teardown
}

@test "hosts: skip_verify = true reaches a registry with an untrusted certificate, and says so" {
	# no ca.crt: refused, as a TLS failure
	run --separate-stderr ctr-pull --hosts-dir "$HOSTS" "$REGISTRY/test/busybox:1"
	assert_status 111
	[ "$(wc -l <<<"$stderr")" = 1 ]
	[[ "$stderr" == "ctr-pull: fatal: "*"https://$REGISTRY/v2/"*certificate* ]]
	[ ! -e "$CTR_ROOT/images" ]
	printf '# test\nskip_verify = true\n' >"$HOSTS/$REGISTRY/hosts.toml"
	run --separate-stderr ctr-pull --hosts-dir "$HOSTS" "$REGISTRY/test/busybox:1"
	assert_status 0
	[ "$stderr" = "ctr-pull: warning: $HOSTS/$REGISTRY/hosts.toml:2: skip_verify: TLS certificates of the registry are not verified" ]
	[ "$(json_get "$output" .name)" = "$REGISTRY/test/busybox:1" ]
	run --separate-stderr ctr-push --hosts-dir "$HOSTS" "$REGISTRY/test/busybox:1" "$REGISTRY/test/pushed:1"
	assert_status 0
	[[ "$stderr" == *"skip_verify: TLS certificates of the registry are not verified" ]]
	# skip_verify = false is the default: refused again
	printf 'skip_verify = false\n' >"$HOSTS/$REGISTRY/hosts.toml"
	run --separate-stderr ctr-pull --hosts-dir "$HOSTS" "$REGISTRY/test/pushed:1"
	assert_status 111
}

@test "hosts: a mirror's own skip_verify; a value not a boolean is one line, exit 100" {
	# the server is unreachable: the image comes from the mirror, unverified
	printf 'server = "https://127.0.0.1:1"\n[host."https://%s"]\n  capabilities = ["pull", "resolve"]\n  skip_verify = true\n' \
		"$REGISTRY" >"$HOSTS/$REGISTRY/hosts.toml"
	run --separate-stderr ctr-pull --hosts-dir "$HOSTS" "$REGISTRY/test/busybox:1"
	assert_status 0
	[ "$stderr" = "ctr-pull: warning: $HOSTS/$REGISTRY/hosts.toml:4: skip_verify: TLS certificates of https://$REGISTRY/v2 are not verified" ]
	rm -rf "$CTR_ROOT"
	printf 'skip_verify = "yes"\n' >"$HOSTS/$REGISTRY/hosts.toml"
	run --separate-stderr ctr-pull --hosts-dir "$HOSTS" "$REGISTRY/test/busybox:1"
	assert_status 100
	[ "$stderr" = "ctr-pull: fatal: $HOSTS/$REGISTRY/hosts.toml:1: skip_verify wants true or false" ]
	[ ! -e "$CTR_ROOT/images" ]
}

@test "hosts: containerd reads the same hosts.toml the same way: refused, then pulled with skip_verify" {
	require_root
	require_cmd containerd ctr
	containerd_start
	# a [host] section: containerd 1.6 refuses a hosts.toml without one
	printf '[host."https://%s"]\n  capabilities = ["pull", "resolve"]\n' "$REGISTRY" \
		>"$HOSTS/$REGISTRY/hosts.toml"
	run $CTD images pull --hosts-dir "$HOSTS" "$REGISTRY/test/busybox:1"
	[ "$status" -ne 0 ]
	[[ "$output" == *certificate* ]]
	run --separate-stderr ctr-pull --hosts-dir "$HOSTS" "$REGISTRY/test/busybox:1"
	assert_status 111
	printf '  skip_verify = true\n' >>"$HOSTS/$REGISTRY/hosts.toml"
	run $CTD images pull --hosts-dir "$HOSTS" "$REGISTRY/test/busybox:1"
	assert_status 0
	run --separate-stderr ctr-pull --hosts-dir "$HOSTS" "$REGISTRY/test/busybox:1"
	assert_status 0
	[ "$($CTD images ls | awk -v r="$REGISTRY/test/busybox:1" '$1 == r { print $3 }')" = "$(json_get "$output" .digest)" ]
}
