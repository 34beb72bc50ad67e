#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Docker credential helpers (credHelpers, credsStore in config.json): ctr-pull
# and ctr-push against the real docker-registry with basic and token auth,
# through a helper script the test writes; a helper that hangs, prints
# garbage, is missing, fails or has nothing.

bats_require_minimum_version 1.5.0
load ../lib/helpers
load ../lib/registry

setup_file() {
	registry_start basic
	export BASIC_DIR=$REGISTRY_DIR
	fixture_push busybox test/busybox:1
}

teardown_file() {
	registry_stop
}

setup() {
	common_setup
	registry_use "$BASIC_DIR"
	# no auth file of the machine's or the user's is read: only ours
	export HOME=$BATS_TEST_TMPDIR DOCKER_CONFIG=$BATS_TEST_TMPDIR/docker
	unset REGISTRY_AUTH_FILE XDG_RUNTIME_DIR
	export HELPER_LOG=$BATS_TEST_TMPDIR/helper.log HELPER_MODE=ok
	export HELPER_USER=$REGISTRY_USER HELPER_SECRET=$REGISTRY_PASS
	mkdir -p "$BATS_TEST_TMPDIR/bin" "$DOCKER_CONFIG"
	export PATH=$BATS_TEST_TMPDIR/bin:$PATH
	# the helper protocol of docker-credential-helpers: "get", the server on
	# stdin, {"ServerURL","Username","Secret"} on stdout
	cat >"$BATS_TEST_TMPDIR/bin/docker-credential-ctrtest" <<'EOF'
#!/bin/sh
[ "$1" = get ] || { echo "unsupported: $1" >&2; exit 1; }
read -r server
printf '%s\n' "$server" >>"$HELPER_LOG"
case "$HELPER_MODE" in
ok) printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}\n' "$server" "$HELPER_USER" "$HELPER_SECRET" ;;
token) printf '{"ServerURL":"%s","Username":"<token>","Secret":"%s"}\n' "$server" "$HELPER_SECRET" ;;
hang) sleep 600 & echo $! >"$HELPER_LOG.pid"; wait ;;
garbage) printf 'Password: hunter2\n\033[31m{"Username":\n' ;;
none) echo "credentials not found in native keychain"; exit 1 ;;
fail) echo "error getting credentials - err: exit status 1, out: keychain locked"; exit 1 ;;
esac
EOF
	chmod +x "$BATS_TEST_TMPDIR/bin/docker-credential-ctrtest"
}

teardown() {
	common_teardown
}

# config_json JSON-MEMBERS: $DOCKER_CONFIG/config.json with these members.
config_json() {
	printf '{"auths":{"%s":{}},%s}\n' "$REGISTRY" "$1" >"$DOCKER_CONFIG/config.json"
}

@test "credhelper: credHelpers and credsStore give pull and push their credentials" {
	config_json "\"credHelpers\":{\"$REGISTRY\":\"ctrtest\"}"
	run --separate-stderr ctr-pull "$REGISTRY/test/busybox:1"
	assert_status 0
	[ "$stderr" = "" ]
	[ "$(sort -u "$HELPER_LOG")" = "$REGISTRY" ]
	# skopeo (containers/image) runs the same helper from the same file
	# (credHelpers: it has no credsStore), asking for the same server
	rm -f "$HELPER_LOG"
	run skopeo inspect --tls-verify=false --authfile "$DOCKER_CONFIG/config.json" \
		"docker://$REGISTRY/test/busybox:1"
	assert_status 0
	[ "$(sort -u "$HELPER_LOG")" = "$REGISTRY" ]
	run --separate-stderr ctr-push "$REGISTRY/test/busybox:1" "$REGISTRY/test/pushed:1"
	assert_status 0
	[ "$(json_get "$output" .name)" = "$REGISTRY/test/pushed:1" ]
	# credsStore holds every registry's; a credHelpers entry for another does not apply
	rm -rf "$CTR_ROOT" "$HELPER_LOG"
	config_json '"credsStore":"ctrtest","credHelpers":{"other.example":"nosuch"}'
	run --separate-stderr ctr-pull "$REGISTRY/test/pushed:1"
	assert_status 0
	[ "$(sort -u "$HELPER_LOG")" = "$REGISTRY" ]
	# what the helper says goes: a wrong secret is refused by the registry
	rm -rf "$CTR_ROOT"
	HELPER_SECRET=wrong run --separate-stderr ctr-pull "$REGISTRY/test/busybox:1"
	assert_status 100
	[ ! -e "$CTR_ROOT/images" ]
}

@test "credhelper: a helper that hangs is killed with what it started; one line, exit 111" {
	config_json "\"credHelpers\":{\"$REGISTRY\":\"ctrtest\"}"
	HELPER_MODE=hang run --separate-stderr ctr-pull --helper-timeout 1 "$REGISTRY/test/busybox:1"
	assert_status 111
	[ "$stderr" = "ctr-pull: fatal: $DOCKER_CONFIG/config.json: credential helper 'docker-credential-ctrtest' did not answer within 1 s; killed" ]
	[ -s "$HELPER_LOG.pid" ]
	run ! pid_identity "$(cat "$HELPER_LOG.pid")"
	[ ! -e "$CTR_ROOT/images" ]
	ctr-pull -q "$REGISTRY/test/busybox:1" >/dev/null
	HELPER_MODE=hang run --separate-stderr ctr-push --helper-timeout 1 "$REGISTRY/test/busybox:1" "$REGISTRY/test/x:1"
	assert_status 111
	[[ "$stderr" == *"did not answer within 1 s; killed" ]]
	run --separate-stderr ctr-pull --helper-timeout 0 "$REGISTRY/test/busybox:1"
	assert_status 100
}

@test "credhelper: garbage, a missing helper, a failing one: one line each, the store as it was" {
	config_json "\"credHelpers\":{\"$REGISTRY\":\"ctrtest\"}"
	HELPER_MODE=garbage run --separate-stderr ctr-pull "$REGISTRY/test/busybox:1"
	assert_status 100
	[ "$stderr" = "ctr-pull: fatal: $DOCKER_CONFIG/config.json: credential helper 'docker-credential-ctrtest' answered no {\"Username\",\"Secret\"} JSON" ]
	HELPER_MODE=fail run --separate-stderr ctr-pull "$REGISTRY/test/busybox:1"
	assert_status 111
	[ "$stderr" = "ctr-pull: fatal: $DOCKER_CONFIG/config.json: credential helper 'docker-credential-ctrtest' failed (status 1): error getting credentials - err: exit status 1, out: keychain locked" ]
	config_json "\"credHelpers\":{\"$REGISTRY\":\"nosuch\"}"
	run --separate-stderr ctr-pull "$REGISTRY/test/busybox:1"
	assert_status 100
	[ "$stderr" = "ctr-pull: fatal: $DOCKER_CONFIG/config.json: credential helper 'docker-credential-nosuch' not found in \$PATH" ]
	config_json '"credsStore":"../../bin/sh"'
	run --separate-stderr ctr-pull "$REGISTRY/test/busybox:1"
	assert_status 100
	[ "$(wc -l <<<"$stderr")" = 1 ]
	[[ "$stderr" == "ctr-pull: fatal: $DOCKER_CONFIG/config.json: credential helper: "* ]]
	[ ! -e "$CTR_ROOT/images" ]
}

@test "credhelper: 'credentials not found' is no credentials, as with docker: the registry's refusal, one line" {
	config_json "\"credHelpers\":{\"$REGISTRY\":\"ctrtest\"}"
	HELPER_MODE=none run --separate-stderr ctr-pull "$REGISTRY/test/busybox:1"
	assert_status 100
	[ "$(wc -l <<<"$stderr")" = 1 ]
	[[ "$stderr" == "ctr-pull: fatal: "*"requires credentials"* ]]
	[ ! -e "$CTR_ROOT/images" ]
	ctr-pull -q "$REGISTRY/test/busybox:1" >/dev/null
	HELPER_MODE=none run --separate-stderr ctr-push "$REGISTRY/test/busybox:1" "$REGISTRY/test/y:1"
	assert_status 100
	[[ "$stderr" == "ctr-push: fatal: "*"requires credentials"* ]]
	# an identity token is for a token server: a Basic-only registry is told so
	HELPER_MODE=token run --separate-stderr ctr-pull "$REGISTRY/test/busybox:1"
	assert_status 100
	[[ "$stderr" == *"asks for a password; an identity token is for a token server only" ]]
}

@test "credhelper: a '<token>' user's secret is an identity token, sent to the token server as a refresh token" {
	registry_start token
	fixture_push busybox test/busybox:1
	config_json "\"credHelpers\":{\"$REGISTRY\":\"ctrtest\"}"
	: >"$REGISTRY_TOKEN_LOG"
	HELPER_MODE=token HELPER_SECRET=idtoken-$REGISTRY_PASS run --separate-stderr \
		ctr-pull "$REGISTRY/test/busybox:1"
	assert_status 0
	[ "$(jq -r '[.method, .user, (.scope | join(" "))] | join(" ")' "$REGISTRY_TOKEN_LOG")" = "POST $REGISTRY_USER repository:test/busybox:pull" ]
	HELPER_MODE=token HELPER_SECRET=idtoken-$REGISTRY_PASS run --separate-stderr \
		ctr-push "$REGISTRY/test/busybox:1" "$REGISTRY/test/tok:1"
	assert_status 0
	HELPER_MODE=token HELPER_SECRET=idtoken-wrong run --separate-stderr \
		ctr-pull "$REGISTRY/test/busybox:1"
	assert_status 100
}
