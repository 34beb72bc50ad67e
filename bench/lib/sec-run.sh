# SPDX-License-Identifier: Apache-2.0
# Section 2: `run --rm tiny /bin/true`, ours vs ctr run vs bare runc run.
# shellcheck shell=bash

r_ours() { ctr-run run --rm --name "rr$1" "$S_TINY" -- /bin/true; }
r_peer() { pctr run --rm "$S_TINY" "rr$1" /bin/true; }
r_floor() { runc --root "$S_DIR/runc" run --bundle "$S_DIR/bundle" "rr$1" </dev/null; }

bench_run_rows() {
	bench_ab run "run --rm tiny -- /bin/true" "$1" \
		ours::r_ours: peer::r_peer: floor::r_floor:
}
