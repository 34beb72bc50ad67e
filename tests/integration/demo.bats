#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The README's main job, `make demo`, run as a user would: it must show the
# pipeline's output and leave nothing behind.

load ../lib/helpers

setup() {
	common_setup
	require_root
}

teardown() {
	common_teardown
}

@test "demo: the pipeline prints the container's greeting and cleans up" {
	run "$REPO_ROOT/scripts/demo"
	assert_status 0
	assert_output_contains "hello from a container"
	assert_output_contains "demo: ok"
	# the detached container was listed while it ran
	assert_output_contains "demo-sleeper"
	# nothing stays mounted from the demo's temporary root (other mounts on
	# the host may come and go meanwhile, so only the demo's own are counted)
	[ "$(grep -c ' /tmp/ctr-demo\.' /proc/self/mountinfo)" = 0 ]
	[ -z "$(ls -d /tmp/ctr-demo.* 2>/dev/null)" ]
}

@test "demo: a failing step is named and the exit is non-zero" {
	# a reference to a registry that is not there fails in the pipeline step
	REF=127.0.0.1:1/none/such:tag run "$REPO_ROOT/scripts/demo"
	[ "$status" -ne 0 ]
	assert_output_contains "demo: failed at: pipeline"
	[ -z "$(ls -d /tmp/ctr-demo.* 2>/dev/null)" ]
}
