/* SPDX-License-Identifier: Apache-2.0 */
/* OCI layer rules as pure functions: entry names, whiteouts, and what an entry does to what exists.
 */
#ifndef CTR_UNPACK_WHITEOUT_H
#define CTR_UNPACK_WHITEOUT_H

#include <stdbool.h>
#include <stddef.h>

#define WHITEOUT_PREFIX ".wh."
#define WHITEOUT_OPAQUE ".wh..wh..opq"

enum wh_kind {
	WH_NONE,    /* an ordinary name */
	WH_FILE,    /* ".wh.NAME": delete NAME from the lower layers */
	WH_OPAQUE,  /* ".wh..wh..opq": hide everything the lower layers have in this directory */
	WH_INVALID, /* ".wh." alone, ".wh..", ".wh..." and any other ".wh..wh.*" */
};

/* Classify one path component; for WH_FILE *target (may be NULL) points at NAME inside base. */
enum wh_kind whiteout_classify(const char *base, const char **target);

/*
 * Split a tar entry name into at most max components in comps (pointers into
 * buf, a copy the caller owns and frees). Leading '/', empty and "." parts are
 * dropped ("/a//./b" -> a, b); ".." anywhere, a component longer than
 * NAME_MAX, a name longer than PATH_MAX or more than max components is refused
 * with a static reason in *why. Returns the count (0 is the root itself) or -1.
 */
int whiteout_split(const char *name, char *buf, size_t bufsz, const char **comps, int max,
		   const char **why);

/* Is a whiteout name legal where it stands: only as the last component, never on a directory? */
bool whiteout_placement_ok(const char *const *comps, int n, bool is_dir);

/* What exists where an entry lands. */
enum wh_existing {
	EX_NONE,	/* nothing */
	EX_LAYER_DIR,	/* a directory this layer created or listed */
	EX_LAYER_LINK,	/* a symlink this layer created */
	EX_LAYER_OTHER, /* another non-directory this layer created */
	EX_LOWER_DIR,	/* (native) a directory a lower layer left */
	EX_LOWER_OTHER, /* (native) a non-directory a lower layer left */
	EX_WHITEOUT,	/* (overlay) a char 0:0 whiteout this layer created */
};

enum wh_action {
	ACT_NOTHING,	 /* leave it */
	ACT_MKNOD,	 /* overlay: create the char 0:0 whiteout */
	ACT_OPAQUE,	 /* overlay: set trusted.overlay.opaque=y on the directory */
	ACT_REMOVE,	 /* native: remove the lower entry (recursively) */
	ACT_PURGE_LOWER, /* native: remove what lower layers left inside the directory */
};

/*
 * What ".wh.NAME" does to NAME. Whiteouts only hide lower layers (image-spec
 * layer.md): what this same layer made stays, and a directory of this layer
 * keeps only this layer's children, in either driver.
 */
enum wh_action whiteout_action(bool overlay, enum wh_existing ex);

enum entry_action {
	ENT_CREATE,	    /* nothing there: create */
	ENT_MERGE,	    /* directory over directory: keep it, apply the new attributes */
	ENT_REPLACE,	    /* remove what is there (recursively), then create */
	ENT_REPLACE_OPAQUE, /* overlay: a directory over a whiteout: replace, then mark opaque */
};

/* What an explicit entry (is_dir or not) does to what exists where it lands (image-spec). */
enum entry_action whiteout_entry_action(bool is_dir, enum wh_existing ex);

enum parent_action {
	PAR_ENTER,	    /* a directory: walk into it */
	PAR_ENTER_CLAIM,    /* native: a lower directory becomes this layer's (implied) directory */
	PAR_FOLLOW,	    /* this layer's symlink: follow it, inside the root */
	PAR_MKDIR,	    /* nothing there: create the implied directory */
	PAR_REPLACE,	    /* a lower non-directory: replace it with the implied directory */
	PAR_REPLACE_OPAQUE, /* a whiteout: replace it with an opaque implied directory */
	PAR_FAIL,	    /* this layer's own file: not a directory */
};

/*
 * What a directory component of an entry's name does to what exists there.
 * Only symlinks of the layer being applied are followed: an implied directory
 * hides a lower layer's symlink, as it does in an overlay upperdir.
 */
enum parent_action whiteout_parent_action(enum wh_existing ex);

#endif
