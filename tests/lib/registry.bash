# SPDX-License-Identifier: Apache-2.0
# Starts Debian's docker-registry on 127.0.0.1 (plain, TLS, basic or token
# auth) and pushes cached OCI fixtures to it. Load after helpers.bash:
# `load ../lib/registry`.
# shellcheck shell=bash
#
#   setup_file()    { registry_start; }       # or in a test: stopped by
#   teardown_file() { registry_stop; }        # common_teardown
#   @test ... { fixture_push busybox lib/bb:1; ctr-pull "$REGISTRY/lib/bb:1"; }
#
# Do not call registry_start under `run` (a subshell): the registry belongs
# to the process that starts it and a watchdog stops it when that one dies.
#
# Fixtures (tests/fixtures/mk-NAME.sh; fixture_push NAME REF [SKOPEO-ARGS]):
#   busybox               OCI manifest, 1 gzip layer, Cmd ["/bin/sh"]
#   busybox-v2s2          = fixture_push busybox REF --format v2s2 (Docker types)
#   busybox-zstd          1 ...layer.v1.tar+zstd layer (see mk-busybox-zstd.sh)
#   busybox-uncompressed  1 ...layer.v1.tar layer (pushed --preserve-digests)
#   layers                busybox + 4 layers: file kinds, whiteouts, opaque dir
#   multiarch             OCI index: linux/amd64, linux/arm64, linux/arm/v7
#   big                   1 layer, ~30 MiB incompressible (/big.bin)
# OCI manifests pushed by skopeo 1.9 have no top-level "mediaType"; look at
# .config.mediaType or the Content-Type the registry answers with.

if ! declare -F common_setup >/dev/null; then
	# shellcheck source=helpers.bash
	source "$(dirname "${BASH_SOURCE[0]}")/helpers.bash"
fi

# A proxy in the environment must never see our 127.0.0.1 traffic.
export no_proxy="127.0.0.1,localhost${no_proxy:+,$no_proxy}"
export NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}"

REGISTRY_BIN=${REGISTRY_BIN:-/usr/bin/docker-registry}
REGISTRY_SERVICE=ctr-test-registry
REGISTRY_ISSUER=ctr-test-token-server

# Variables describing "the current registry"; each registry_start resets them.
_REGISTRY_VARS="REGISTRY REGISTRY_PID REGISTRY_DIR REGISTRY_SCHEME REGISTRY_VARIANT
REGISTRY_CA REGISTRY_CERT_DIR REGISTRY_USER REGISTRY_PASS AUTHFILE
TOKEN_SERVER TOKEN_SERVER_PID REGISTRY_TOKEN_REALM REGISTRY_TOKEN_SERVICE
REGISTRY_TOKEN_LOG"

# The TLS material, made once and cached: a CA, a server cert for 127.0.0.1
# and localhost signed by it, and a self-signed RSA cert for token signing.
registry_certs() {
	local dir=$CACHE_DIR/tls-v1 tmp
	[ -f "$dir/done" ] && { echo "$dir"; return 0; }
	mkdir -p "$CACHE_DIR" || return 1
	tmp=$(mktemp -d "$CACHE_DIR/.tls.XXXXXX") || return 1
	if ! _registry_make_certs "$tmp" >"$tmp.log" 2>&1; then
		cat "$tmp.log" >&2
		rm -rf "$tmp" "$tmp.log"
		return 1
	fi
	rm -f "$tmp.log"
	touch "$tmp/done"
	# a concurrent maker may have won; then ours is dropped
	mv -T "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp"
	echo "$dir"
}

_registry_make_certs() {
	local d=$1 ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1)
	set -e
	openssl req -x509 "${ec[@]}" -nodes -days 3650 -subj "/CN=ctr-test CA" \
		-keyout "$d/ca.key" -out "$d/ca.pem" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign"
	openssl req "${ec[@]}" -nodes -subj "/CN=127.0.0.1" \
		-keyout "$d/server.key" -out "$d/server.csr"
	printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" \
		"extendedKeyUsage=serverAuth" "basicConstraints=CA:FALSE" >"$d/server.ext"
	openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
		-CAcreateserial -days 3650 -extfile "$d/server.ext" -out "$d/server.pem"
	openssl req -x509 -newkey rsa:2048 -nodes -days 3650 \
		-subj "/CN=ctr-test token signer" -keyout "$d/token.key" -out "$d/token.pem"
	mkdir "$d/certs.d"
	cp "$d/ca.pem" "$d/certs.d/ca.crt"
	set +e
}

# The folder a registry started now belongs to: the test's, or the file's
# when called from setup_file.
_registry_scope() {
	echo "${BATS_TEST_TMPDIR:-${BATS_FILE_TMPDIR:-${TMPDIR:-/tmp}}}"
}

# registry_start [plain|tls|basic|token]: start a registry and export
# REGISTRY=127.0.0.1:PORT, REGISTRY_PID, REGISTRY_DIR, REGISTRY_SCHEME,
# REGISTRY_VARIANT, REGISTRY_<VARIANT>=host:port and, per variant:
#   tls:         REGISTRY_CA (PEM of the CA), REGISTRY_CERT_DIR (ca.crt)
#   basic/token: REGISTRY_USER, REGISTRY_PASS, AUTHFILE (Docker config.json)
#   token:       TOKEN_SERVER=127.0.0.1:PORT, TOKEN_SERVER_PID,
#                REGISTRY_TOKEN_REALM, REGISTRY_TOKEN_SERVICE, REGISTRY_TOKEN_LOG
# All of them are also written to $REGISTRY_DIR/env (see registry_use).
registry_start() {
	local variant=${1:-plain} scope dir _try
	case "$variant" in
	plain | tls | basic | token) ;;
	*) echo "registry_start: unknown variant '$variant'" >&2; return 1 ;;
	esac
	[ -x "$REGISTRY_BIN" ] || { echo "registry_start: no $REGISTRY_BIN" >&2; return 1; }
	scope=$(_registry_scope)
	dir=$(mktemp -d "$scope/registry.XXXXXX") || return 1
	echo "$dir" >>"$scope/.registries"
	# free_port can race with another process taking the port: retry
	for _try in 1 2 3; do
		_registry_try_start "$variant" "$dir" && return 0
		kill_recorded "$dir/pids"
		: >"$dir/pids"
	done
	echo "registry_start: $variant registry did not come up; log:" >&2
	cat "$dir/registry.log" "$dir/token-server.log" 2>/dev/null >&2
	registry_stop "$dir"
	return 1
}

_registry_try_start() {
	local variant=$1 dir=$2 port tls="" certs="" scheme=http
	local -A env=()
	port=$(free_port) || return 1
	env[REGISTRY]=127.0.0.1:$port
	env[REGISTRY_DIR]=$dir
	env[REGISTRY_VARIANT]=$variant
	env[REGISTRY_${variant^^}]=127.0.0.1:$port
	env[AUTHFILE]=$dir/auth.json
	echo '{"auths":{}}' >"$dir/auth.json"
	if [ "$variant" != plain ] && [ "$variant" != basic ]; then
		certs=$(registry_certs) || return 1
	fi
	if [ "$variant" = tls ]; then
		scheme=https
		env[REGISTRY_CA]=$certs/ca.pem
		env[REGISTRY_CERT_DIR]=$certs/certs.d
		tls=$(printf '  tls:\n    certificate: %s\n    key: %s\n' \
			"$certs/server.pem" "$certs/server.key")
	fi
	env[REGISTRY_SCHEME]=$scheme
	_registry_auth_setup "$variant" "$dir" "$certs" env || return 1
	_registry_write_config "$dir" "$port" "$tls" "$variant" "${env[REGISTRY_TOKEN_REALM]:-}"
	_registry_spawn "$dir" || return 1
	env[REGISTRY_PID]=$(cat "$dir/registry.pid")
	_registry_wait "$dir" "$scheme://127.0.0.1:$port/v2/" "${env[REGISTRY_CA]:-}" || return 1
	_registry_export "$dir" env
}

# Credentials for basic and token: an htpasswd (bcrypt) file or a token
# server, and a Docker-style auth file. Fills the env array named by $4.
_registry_auth_setup() {
	local variant=$1 dir=$2 certs=$3 user=ctr-tester pass
	local -n vars=$4
	[ "$variant" = basic ] || [ "$variant" = token ] || return 0
	pass=pw-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
	vars[REGISTRY_USER]=$user
	vars[REGISTRY_PASS]=$pass
	printf '{"auths":{"%s":{"auth":"%s"}}}\n' "${vars[REGISTRY]}" \
		"$(printf '%s:%s' "$user" "$pass" | base64 -w0)" >"$dir/auth.json"
	if [ "$variant" = basic ]; then
		htpasswd -Bbc "$dir/htpasswd" "$user" "$pass" 2>/dev/null || return 1
		return 0
	fi
	_registry_token_server "$dir" "$certs" "$user" "$pass" vars
}

# shellcheck disable=SC2034 # tvars is a nameref: fills the caller's array
_registry_token_server() {
	local dir=$1 certs=$2 user=$3 pass=$4 i port anon=()
	local -n tvars=$5
	[ "${CTR_TEST_TOKEN_ANON_PULL:-0}" = 1 ] && anon=(--anonymous-pull)
	rm -f "$dir/token.port"
	"$(helpers_python)" -I "$REPO_ROOT/tests/lib/token-server.py" \
		--key "$certs/token.key" --cert "$certs/token.pem" \
		--issuer "$REGISTRY_ISSUER" --service "$REGISTRY_SERVICE" \
		--user "$user" --password "$pass" --port-file "$dir/token.port" \
		--log "$dir/token.log" "${anon[@]}" \
		</dev/null >>"$dir/token-server.log" 2>&1 3>&- 4>&- &
	local pid=$!
	echo "$(pid_identity "$pid" || echo "$pid 0") token-server" >>"$dir/pids"
	for ((i = 0; i < 250; i++)); do
		[ -f "$dir/token.port" ] && break
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.02
	done
	port=$(cat "$dir/token.port" 2>/dev/null) || return 1
	tvars[TOKEN_SERVER]=127.0.0.1:$port
	tvars[TOKEN_SERVER_PID]=$pid
	tvars[REGISTRY_TOKEN_REALM]=http://127.0.0.1:$port/token
	tvars[REGISTRY_TOKEN_SERVICE]=$REGISTRY_SERVICE
	tvars[REGISTRY_TOKEN_LOG]=$dir/token.log
}

_registry_write_config() {
	local dir=$1 port=$2 tls=$3 variant=$4 realm=$5
	{
		# CTR_TEST_REGISTRY_ACCESSLOG=1: a line per request in registry.log, for
		# tests that count requests (registry_requests)
		printf 'version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: %s\n' \
			"$([ "${CTR_TEST_REGISTRY_ACCESSLOG:-}" = 1 ] && echo false || echo true)"
		printf 'storage:\n  filesystem:\n    rootdirectory: %s/data\n' "$dir"
		printf '  delete:\n    enabled: true\n'
		printf '  maintenance:\n    uploadpurging:\n      enabled: false\n'
		printf 'http:\n  addr: 127.0.0.1:%s\n  secret: ctr-test-%s\n' "$port" "$port"
		[ -n "$tls" ] && printf '%s\n' "$tls"
		case "$variant" in
		basic) printf 'auth:\n  htpasswd:\n    realm: ctr-test\n    path: %s/htpasswd\n' "$dir" ;;
		token)
			printf 'auth:\n  token:\n    realm: %s\n    service: %s\n' \
				"$realm" "$REGISTRY_SERVICE"
			printf '    issuer: %s\n    rootcertbundle: %s\n' \
				"$REGISTRY_ISSUER" "$(registry_certs)/token.pem"
			;;
		esac
	} >"$dir/config.yml"
}

# registry_requests METHOD URI-REGEX: how many requests the current registry
# answered (access log on: CTR_TEST_REGISTRY_ACCESSLOG=1 at registry_start).
registry_requests() {
	grep -Ec "\"$1 $2 HTTP/" "$REGISTRY_DIR/registry.log" || true
}

# Start the registry with a clean environment: docker-registry reads any
# REGISTRY_* variable as a config override, and we export many of those.
_registry_spawn() {
	local dir=$1 pid
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$dir" \
		"$REGISTRY_BIN" serve "$dir/config.yml" \
		</dev/null >>"$dir/registry.log" 2>&1 3>&- 4>&- &
	pid=$!
	echo "$pid" >"$dir/registry.pid"
	echo "$(pid_identity "$pid" || echo "$pid 0") docker-registry" >>"$dir/pids"
	_registry_watchdog "$dir" "$BASHPID"
}

# If the bats process that owns the registry dies without a teardown (killed),
# a watchdog stops the registry within a second. It keeps the pid list in
# memory (bats removes its tmpdir, pids file included, when it ends) and
# waits on a fifo nobody writes, so stopping it leaves no sleeping child.
_registry_watchdog() {
	local dir=$1 owner=$2 me
	[ -f "$dir/watchdog" ] && return 0
	me=$(pid_identity "$owner") || return 0
	mkfifo "$dir/.watchdog-fifo" || return 1
	bash -c '
		source "$1" || exit 1
		trap "exit 0" TERM
		exec 5<>"$4/.watchdog-fifo"
		ids=""
		while [ "$(pid_identity "$2")" = "$3" ]; do
			ids=$(cat "$4/pids" 2>/dev/null) || ids=$ids
			read -r -t 1 -u 5 _
		done
		printf "%s\n" "$ids" | KILL_GRACE=1 kill_recorded -
		exit 0
	' watchdog "$REPO_ROOT/tests/lib/helpers.bash" "$owner" "$me" "$dir" \
		</dev/null >/dev/null 2>&1 3>&- 4>&- &
	echo "$(pid_identity $! || echo "$! 0") watchdog" >"$dir/watchdog"
}

_registry_wait() {
	local dir=$1 url=$2 ca=$3 i code pid
	pid=$(cat "$dir/registry.pid")
	for ((i = 0; i < 250; i++)); do
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 \
			${ca:+--cacert "$ca"} "$url") || code=000
		case "$code" in 200 | 401) return 0 ;; esac
		pid_identity "$pid" >/dev/null || return 1
		sleep 0.02
	done
	return 1
}

_registry_export() {
	local dir=$1 v
	local -n evars=$2
	for v in $_REGISTRY_VARS; do unset "$v"; done
	: >"$dir/env"
	for v in "${!evars[@]}"; do
		export "$v=${evars[$v]}"
		printf 'export %s=%q\n' "$v" "${evars[$v]}" >>"$dir/env"
	done
}

# registry_use DIR: make the registry in DIR the current one again.
registry_use() {
	local v
	[ -f "$1/env" ] || { echo "registry_use: no registry in $1" >&2; return 1; }
	for v in $_REGISTRY_VARS; do unset "$v"; done
	# shellcheck disable=SC1091
	source "$1/env"
}

# registry_stop [DIR...]: stop registries (and their token servers) by their
# recorded pids and remove their folders. Without DIR: every registry started
# in the current scope (this test, or setup_file's), else $REGISTRY_DIR.
registry_stop() {
	local d rc=0 list=()
	if [ $# -gt 0 ]; then
		list=("$@")
	elif [ -s "$(_registry_scope)/.registries" ]; then
		mapfile -t list <"$(_registry_scope)/.registries"
	elif [ -n "${REGISTRY_DIR:-}" ]; then
		list=("$REGISTRY_DIR")
	fi
	for d in "${list[@]}"; do
		[ -d "$d" ] || continue
		kill_recorded "$d/pids" || rc=1
		kill_recorded "$d/watchdog" || rc=1
		rm -rf "$d"
		_registry_forget "$d"
	done
	return $rc
}

# Stop what was started in one scope folder (used by common_teardown).
registry_stop_scope() {
	[ -s "$1/.registries" ] || return 0
	local list=()
	mapfile -t list <"$1/.registries"
	registry_stop "${list[@]}"
}

_registry_forget() {
	local f
	f=$(_registry_scope)/.registries
	[ -f "$f" ] || return 0
	grep -vxF "$1" "$f" >"$f.tmp" || true
	mv "$f.tmp" "$f"
}

# registry_skopeo_args src|dest: the skopeo options to reach the current
# registry (TLS, CA, credentials), one per line: mapfile -t a < <(...).
registry_skopeo_args() {
	local side=$1
	printf -- '--%s-authfile\n%s\n' "$side" "$AUTHFILE"
	case "$REGISTRY_VARIANT" in
	tls) printf -- '--%s-cert-dir\n%s\n' "$side" "$REGISTRY_CERT_DIR" ;;
	*) printf -- '--%s-tls-verify=false\n' "$side" ;;
	esac
	case "$REGISTRY_VARIANT" in
	basic | token) printf -- '--%s-creds\n%s:%s\n' "$side" "$REGISTRY_USER" "$REGISTRY_PASS" ;;
	esac
}

# registry_inspect_raw REF: the manifest (or index) of REF, as stored.
registry_inspect_raw() {
	local a=()
	mapfile -t a < <(registry_skopeo_args src)
	a=("${a[@]/#--src-/--}")
	skopeo --insecure-policy inspect --raw "${a[@]}" "docker://$REGISTRY/$1"
}

# registry_token SCOPE...: a bearer token from the current token server,
# e.g. registry_token repository:foo:pull.
registry_token() {
	local q="service=$REGISTRY_TOKEN_SERVICE" s
	for s in "$@"; do q="$q&scope=$s"; done
	curl -sf -u "$REGISTRY_USER:$REGISTRY_PASS" "$REGISTRY_TOKEN_REALM?$q" | jq -r .token
}

# registry_curl PATH [CURL-ARGS...]: curl $REGISTRY_SCHEME://$REGISTRY/PATH
# with the CA and credentials (basic) of the current registry; for token
# registries pass -H "Authorization: Bearer $(registry_token ...)".
registry_curl() {
	local path=$1 a=()
	shift
	[ -n "${REGISTRY_CA:-}" ] && a+=(--cacert "$REGISTRY_CA")
	[ "$REGISTRY_VARIANT" = basic ] && a+=(-u "$REGISTRY_USER:$REGISTRY_PASS")
	curl -s "${a[@]}" "$@" "$REGISTRY_SCHEME://$REGISTRY/${path#/}"
}

# ---- fixtures ---------------------------------------------------------------
# A fixture NAME is built by tests/fixtures/mk-NAME.sh OUT [DEP_LAYOUT...]
# into an OCI image layout whose ref "latest" is the image (or index). It is
# built once and cached as $CACHE_DIR/fixtures/NAME/KEY/{layout/,push-args},
# KEY hashing the script, lib.sh and the keys of the fixtures it names on a
# "# fixture-deps:" line. Builds run under a per-fixture flock in a temp
# folder renamed into place when complete, so a killed or concurrent build
# never leaves a half entry; temp folders of dead builds and entries of old
# KEYs untouched for 10 minutes are removed by the next build.

# Where the mk-*.sh scripts are (a test of the cache points it elsewhere).
FIXTURES_DIR=${FIXTURES_DIR:-$REPO_ROOT/tests/fixtures}

_fixture_script() {
	echo "$FIXTURES_DIR/mk-$1.sh"
}

_fixture_deps() {
	sed -n 's/^# fixture-deps: *//p' "$(_fixture_script "$1")" | head -n1
}

_fixture_key() {
	local name=$1 d
	{
		sha256sum <"$(_fixture_script "$name")"
		sha256sum <"$FIXTURES_DIR/lib.sh"
		for d in $(_fixture_deps "$name"); do _fixture_key "$d" || return 1; done
	} | sha256sum | cut -c1-16
}

# fixture_layout NAME: print the path of the cached layout, building it first
# if needed. Building needs root (umoci unpack/repack keep owners).
fixture_layout() {
	local name=$1 key
	[ -f "$(_fixture_script "$name")" ] || {
		echo "fixture_layout: no fixture '$name' ($(_fixture_script "$name"))" >&2
		return 1
	}
	key=$(_fixture_key "$name") || return 1
	if [ ! -d "$CACHE_DIR/fixtures/$name/$key" ]; then
		_fixture_build "$name" "$key" || return 1
	fi
	echo "$CACHE_DIR/fixtures/$name/$key/layout"
}

_fixture_build() {
	local name=$1 key=$2 base=$CACHE_DIR/fixtures/$1 deps=() d fd rc=0
	if [ "$(id -u)" != 0 ]; then
		echo "fixture_layout: building '$name' needs root (umoci keeps owners)" >&2
		return 1
	fi
	for d in $(_fixture_deps "$name"); do
		deps+=("$(fixture_layout "$d")") || return 1
	done
	mkdir -p "$base" || return 1
	exec {fd}>>"$base/.lock"
	if flock -w 600 "$fd"; then
		[ -d "$base/$key" ] || _fixture_build_locked "$name" "$key" "${deps[@]}" || rc=1
	else
		echo "fixture_layout: timed out waiting for $base/.lock" >&2
		rc=1
	fi
	exec {fd}>&-
	return $rc
}

# Called with the lock held: any temp folder left is from a dead build.
_fixture_build_locked() {
	local name=$1 key=$2 base=$CACHE_DIR/fixtures/$1 tmp
	shift 2
	rm -rf "$base"/.tmp.*
	tmp=$(mktemp -d "$base/.tmp.XXXXXX") || return 1
	chmod 0755 "$tmp"
	mkdir "$tmp/work"
	if ! FX_WORK=$tmp/work FX_PUSH_ARGS=$tmp/push-args \
		"$(_fixture_script "$name")" "$tmp/layout" "$@" >"$tmp/build.log" 2>&1 \
		</dev/null 3>&- 4>&-; then
		echo "fixture_layout: mk-$name.sh failed:" >&2
		cat "$tmp/build.log" >&2
		rm -rf "$tmp"
		return 1
	fi
	rm -rf "$tmp/work"
	touch "$tmp/push-args"
	mv -T "$tmp" "$base/$key" || return 1
	# entries of older keys go once nobody can still be pushing from them
	find "$base" -mindepth 1 -maxdepth 1 -type d ! -name '.*' ! -name "$key" \
		-mmin +10 -exec rm -rf {} +
}

# fixture_digest NAME: the digest "latest" points at in the layout (the
# manifest, or the index for multiarch). Pushes keep it unless the push
# converts (--format v2s2, --dest-compress-format).
fixture_digest() {
	local l
	l=$(fixture_layout "$1") || return 1
	jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "latest")
		| .digest' "$l/index.json"
}

# layout_image_json LAYOUT NAME: the image JSON ctr-pull would print for the
# "latest" manifest of an OCI layout, named NAME (storing its blobs is the
# caller's: ctr-unpack reads them from the store it is given).
layout_image_json() {
	local m
	m=$(jq -c '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "latest")' \
		"$1/index.json")
	jq -c --arg n "$2" --argjson m "$m" \
		'{name: $n, digest: $m.digest, manifest: $m, config: .config, layers: .layers}' \
		"$1/blobs/sha256/$(jq -r .digest <<<"$m" | cut -d: -f2)"
}

# fixture_push NAME REF [SKOPEO-ARGS...]: copy fixture NAME to the current
# registry as $REGISTRY/REF, with the TLS and credential options the
# registry variant needs, the fixture's own push options, then ARGS.
fixture_push() {
	local name=$1 ref=$2 layout a=() p=()
	shift 2
	layout=$(fixture_layout "$name") || return 1
	[ -n "${REGISTRY:-}" ] || { echo "fixture_push: no registry started" >&2; return 1; }
	mapfile -t a < <(registry_skopeo_args dest)
	mapfile -t p <"${layout%/layout}/push-args"
	skopeo --insecure-policy copy -q "${a[@]}" "${p[@]}" "$@" \
		"oci:$layout:latest" "docker://$REGISTRY/$ref"
}

# ---- the hostile registry ----------------------------------------------------
# hostile_start [ARGS...]: start tests/lib/hostile-registry.py for this test;
# sets HOSTILE=127.0.0.1:PORT, HOSTILE_TARGET (the redirect target's port)
# and HOSTILE_LOG (one JSON line per request).
hostile_start() {
	local i
	HOSTILE_LOG=$BATS_TEST_TMPDIR/hostile.log
	"$(helpers_python)" -I "$REPO_ROOT/tests/lib/hostile-registry.py" \
		--port-file "$BATS_TEST_TMPDIR/hostile.port" --log "$HOSTILE_LOG" "$@" \
		</dev/null >"$BATS_TEST_TMPDIR/hostile.out" 2>&1 3>&- 4>&- &
	track_pid $!
	for ((i = 0; i < 250; i++)); do
		[ -f "$BATS_TEST_TMPDIR/hostile.port" ] && break
		sleep 0.02
	done
	read -r HOSTILE HOSTILE_TARGET <"$BATS_TEST_TMPDIR/hostile.port"
	HOSTILE=127.0.0.1:$HOSTILE
}

# setup_file of the suites that read images from one plain registry: it is
# started and pushed FIXTURE=REPO:TAG each (fixture_push), and SRC (its
# host:port) and SRC_DIR (for registry_use in setup) are exported.
source_registry_start() {
	local f
	registry_start plain
	export SRC_DIR=$REGISTRY_DIR SRC=$REGISTRY
	for f in "$@"; do
		fixture_push "${f%%=*}" "${f#*=}"
	done
}

# setup_file and teardown_file of the suites that run containers from the
# busybox fixture: one plain registry per file, with the image pushed as
# test/busybox:1; PLAIN_DIR names it for registry_use in setup. As root only:
# without root those suites skip every test.
busybox_registry_start() {
	[ "$(id -u)" = 0 ] || return 0
	registry_start plain
	export PLAIN_DIR=$REGISTRY_DIR
	fixture_push busybox test/busybox:1
}

busybox_registry_stop() {
	[ "$(id -u)" = 0 ] || return 0
	registry_stop
}

# ---- the upload proxy ----------------------------------------------------------
# upload_proxy_start [ARGS...]: start tests/lib/upload-proxy.py in front of
# the current registry for this test; sets PROXY=127.0.0.1:PORT, PROXY_LOG
# (one JSON line per request: method, path, bytes, status) and PROXY_HELD
# (the file that appears once --hold-patch/--cut-patch holds a PATCH).
upload_proxy_start() {
	local i pf=$BATS_TEST_TMPDIR/proxy.port
	PROXY_LOG=$BATS_TEST_TMPDIR/proxy.log
	PROXY_HELD=$pf.held
	rm -f "$pf" "$PROXY_HELD"
	"$(helpers_python)" -I "$REPO_ROOT/tests/lib/upload-proxy.py" --target "$REGISTRY" \
		--port-file "$pf" --log "$PROXY_LOG" "$@" \
		</dev/null >"$BATS_TEST_TMPDIR/proxy.out" 2>&1 3>&- 4>&- &
	track_pid $!
	for ((i = 0; i < 250; i++)); do
		[ -f "$pf" ] && break
		sleep 0.02
	done
	PROXY=127.0.0.1:$(cat "$pf")
}
