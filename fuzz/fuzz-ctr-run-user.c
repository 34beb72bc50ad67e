/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the image's /etc/passwd and /etc/group as ctr-run reads them
 * (user_resolve_buf). An input is "SPEC\0PASSWD\0GROUP"; a part that is
 * missing is a file the image does not have.
 */
#include "fuzz.h"
#include "spec.h"
#include "user.h"

FUZZ_QUIET_INIT

/* The next NUL-terminated part of buf (size bytes, NUL at buf[size]), or NULL. */
static const char *
part(char *buf, size_t size, size_t *off)
{
	const char *p = buf + *off;

	if (*off > size)
		return NULL;
	*off += strlen(p) + 1;
	return p;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_str(data, size);
	size_t off = 0;
	const char *spec = part(buf, size, &off), *passwd = part(buf, size, &off),
		   *group = part(buf, size, &off);
	struct spec_user u;
	struct err e;

	if (user_resolve_buf(passwd, group, spec, &u, &e) == 0) {
		/* (uid_t)-1 and (gid_t)-1 mean "no change" to the kernel: never a result */
		if (u.uid == (uint32_t)-1 || u.gid == (uint32_t)-1)
			abort();
		for (size_t i = 0; i < u.ngroups; i++)
			if (u.groups[i] == (uint32_t)-1)
				abort();
		spec_user_release(&u);
	}
	free(buf);
	return 0;
}
