/* SPDX-License-Identifier: Apache-2.0 */
/* OCI layer rules as pure functions: entry names, whiteouts, and what an entry does to what exists.
 */
#include "whiteout.h"

#include <limits.h>
#include <string.h>

enum wh_kind
whiteout_classify(const char *base, const char **target)
{
	const char *rest;

	if (strncmp(base, WHITEOUT_PREFIX, 4))
		return WH_NONE;
	if (!strcmp(base, WHITEOUT_OPAQUE))
		return WH_OPAQUE;
	rest = base + 4;
	/* ".wh..wh." is reserved for overlay/aufs metadata (.wh..wh.plnk, ...): never a name */
	if (!*rest || !strcmp(rest, ".") || !strcmp(rest, "..") ||
	    !strncmp(rest, WHITEOUT_PREFIX, 4))
		return WH_INVALID;
	if (target)
		*target = rest;
	return WH_FILE;
}

int
whiteout_split(const char *name, char *buf, size_t bufsz, const char **comps, int max,
	       const char **why)
{
	size_t len = strlen(name);
	int n = 0;

	if (len >= PATH_MAX || len >= bufsz) {
		*why = "name longer than PATH_MAX";
		return -1;
	}
	memcpy(buf, name, len + 1);
	for (char *save = NULL, *c = strtok_r(buf, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (!strcmp(c, "."))
			continue;
		if (!strcmp(c, "..")) {
			*why = "'..' in name";
			return -1;
		}
		if (strlen(c) > NAME_MAX) {
			*why = "component longer than NAME_MAX";
			return -1;
		}
		if (n == max) {
			*why = "too many path components";
			return -1;
		}
		comps[n++] = c;
	}
	return n;
}

bool
whiteout_placement_ok(const char *const *comps, int n, bool is_dir)
{
	for (int i = 0; i < n - 1; i++)
		if (!strncmp(comps[i], WHITEOUT_PREFIX, 4))
			return false;
	if (n > 0 && whiteout_classify(comps[n - 1], NULL) != WH_NONE && is_dir)
		return false;
	return true;
}

enum wh_action
whiteout_action(bool overlay, enum wh_existing ex)
{
	switch (ex) {
	case EX_NONE:
		return overlay ? ACT_MKNOD : ACT_NOTHING;
	case EX_LAYER_DIR:
		/* this layer's directory stays, the lower one's content goes */
		return overlay ? ACT_OPAQUE : ACT_PURGE_LOWER;
	case EX_LOWER_DIR:
	case EX_LOWER_OTHER:
		return overlay ? ACT_MKNOD : ACT_REMOVE;
	case EX_LAYER_LINK:
	case EX_LAYER_OTHER:
	case EX_WHITEOUT:
		break;
	}
	return ACT_NOTHING;
}

enum entry_action
whiteout_entry_action(bool is_dir, enum wh_existing ex)
{
	switch (ex) {
	case EX_NONE:
		return ENT_CREATE;
	case EX_LAYER_DIR:
		return is_dir ? ENT_MERGE : ENT_REPLACE;
	case EX_LOWER_DIR:
		/* native: the directory merges, as the upper one would in the overlay view */
		return is_dir ? ENT_MERGE : ENT_REPLACE;
	case EX_WHITEOUT:
		/* the whiteout hid the lower entry: a directory must keep hiding its content */
		return is_dir ? ENT_REPLACE_OPAQUE : ENT_REPLACE;
	case EX_LAYER_LINK:
	case EX_LAYER_OTHER:
	case EX_LOWER_OTHER:
		break;
	}
	return ENT_REPLACE;
}

enum parent_action
whiteout_parent_action(enum wh_existing ex)
{
	switch (ex) {
	case EX_NONE:
		return PAR_MKDIR;
	case EX_LAYER_DIR:
		return PAR_ENTER;
	case EX_LAYER_LINK:
		return PAR_FOLLOW;
	case EX_LOWER_DIR:
		return PAR_ENTER_CLAIM;
	case EX_LOWER_OTHER:
		return PAR_REPLACE;
	case EX_WHITEOUT:
		return PAR_REPLACE_OPAQUE;
	case EX_LAYER_OTHER:
		break;
	}
	return PAR_FAIL;
}
