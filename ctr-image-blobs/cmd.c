/* SPDX-License-Identifier: Apache-2.0 */
/* What the verbs of ctr-image-blobs share: the --json row. */
#include "cmd.h"

const struct opt cmd_json_opt[] = {
    {"json", O_JSON, NULL, "print JSON (and errors as JSON)", NULL},
    OPT_END,
};
