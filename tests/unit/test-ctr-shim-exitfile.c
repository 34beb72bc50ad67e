/* SPDX-License-Identifier: Apache-2.0 */
/* ctr-shim's records: exit records. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exitfile.h"
#include "tap.h"

static void
test_exitfile_record_status_and_signal(void)
{
	json_t *j = exitfile_record(42, 3 << 8, false); /* a wait status of exit(3) */
	const char *at = json_string_value(json_object_get(j, "exited_at"));

	is_int(json_integer_value(json_object_get(j, "status")), 3, "exit 3 gives status 3");
	is_int(json_integer_value(json_object_get(j, "signal")), 0, "and signal 0");
	is_int(json_integer_value(json_object_get(j, "pid")), 42, "pid kept");
	ok(json_is_false(json_object_get(j, "oom")), "oom false");
	ok(at && strlen(at) == 30 && at[10] == 'T' && at[19] == '.' && at[29] == 'Z',
	   "exited_at is RFC 3339 UTC with nanoseconds: %s", at ? at : "(null)");
	json_decref(j);
	j = exitfile_record(42, SIGKILL, true); /* a wait status of death by signal 9 */
	is_int(json_integer_value(json_object_get(j, "status")), 137, "SIGKILL gives 128+9");
	is_int(json_integer_value(json_object_get(j, "signal")), 9, "and signal 9");
	ok(json_is_true(json_object_get(j, "oom")), "oom flag kept");
	json_decref(j);
}

int
main(void)
{
	RUN(test_exitfile_record_status_and_signal);
	return tap_done();
}
