/* SPDX-License-Identifier: Apache-2.0 */
/* ctr-unpack: applies an image's layers onto snapshots named by chain ID. */
#include <locale.h>
#include <sys/resource.h>

#include "cmd.h"
#include "prog.h"

int
main(int argc, char **argv)
{
	struct rlimit rl;
	struct state st;
	int rc;

	prog_init("ctr-unpack", PROG_NO_NEW_PRIVS | PROG_USERNS, &argc, &argv, &st);
	/* UTF-8 names in pax headers come through as they are, whatever the caller's locale */
	setlocale(LC_CTYPE, "C.UTF-8");
	/* removing a deep tree holds a descriptor per level */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	rc = cmd_unpack(argc, argv, &st);
	state_release(&st);
	return rc;
}
