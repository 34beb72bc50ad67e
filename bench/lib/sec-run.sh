# SPDX-License-Identifier: Apache-2.0
# Section 2: `run --rm tiny /bin/true`, ours vs ctr run vs podman run vs bare runc run.
# shellcheck shell=bash

r_ours() { ctr-run run --rm --name "rr$1" "$S_TINY" -- /bin/true; }
r_peer() { pctr run --rm "$S_TINY" "rr$1" /bin/true; }
r_pod() { ppod_run --rm --name "rr$1" "$S_TINY" /bin/true; }
r_floor() { runc --root "$S_DIR/runc" run --bundle "$S_DIR/bundle" "rr$1" </dev/null; }
# the same with ctr-run's own spec (seccomp and all): what the runtime costs for our work
r_floor_spec() { runc --root "$S_DIR/runc" run --bundle "$S_DIR/bundle-spec" "rs$1" </dev/null; }

bench_run_rows() {
	bench_ab run "run --rm tiny -- /bin/true" "$1" \
		ours::r_ours: peer::r_peer: podman::r_pod: floor::r_floor:
	bench_ab run "run --rm tiny -- /bin/true (floor: runc run of ctr-run's own config.json)" "$1" \
		ours::r_ours: floor::r_floor_spec:
}
