/* SPDX-License-Identifier: Apache-2.0 */
/* What every libFuzzer target shares: the entry points and the input as a C string. */
#ifndef CTR_FUZZ_H
#define CTR_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xmem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/*
 * The input as a NUL-terminated string in a buffer of exactly size + 1
 * bytes, so that ASan sees a read past its end. Caller frees.
 */
static inline char *
fuzz_str(const uint8_t *data, size_t size)
{
	char *s = xmalloc(size + 1);

	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Warnings about ignored input would flood the fuzzer's output. */
#define FUZZ_QUIET_INIT                                                                            \
	int LLVMFuzzerInitialize(int *argc, char ***argv)                                          \
	{                                                                                          \
		(void)argc;                                                                        \
		(void)argv;                                                                        \
		log_level = LOG_QUIET;                                                             \
		return 0;                                                                          \
	}

#endif
