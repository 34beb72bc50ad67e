/* SPDX-License-Identifier: Apache-2.0 */
/* OCI image layouts as tar archives ("oci-archive"): export from and import into the store. */
#ifndef CTR_IMAGE_OCI_ARCHIVE_H
#define CTR_IMAGE_OCI_ARCHIVE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "content-spool.h"
#include "content.h"
#include "err.h"

/* Annotations of an archive's index.json entries. */
#define OCI_ARCHIVE_REF_NAME "org.opencontainers.image.ref.name"
#define OCI_ARCHIVE_CTRD_NAME "io.containerd.image.name"

/*
 * Write the images of records (an array of image records) as one OCI image
 * layout tar to fd: oci-layout, index.json (one entry per record: its target,
 * annotated with the full name and the tag), blobs/sha256/<hex> of the target
 * and, for an index, of every image manifest of it the store holds, with
 * their configs and layers. Blobs are streamed from the store and hashed on
 * the way: a blob that rotted fails the export.
 */
int oci_archive_export(const struct content *c, const json_t *records, int fd, struct err *e);

/* The format oci_archive_read found. */
enum archive_format {
	ARCHIVE_NONE,	/* neither index.json nor manifest.json */
	ARCHIVE_OCI,	/* an OCI image layout (also when manifest.json is there too) */
	ARCHIVE_DOCKER, /* docker save: manifest.json, no OCI layout */
};

/* What oci_archive_read found in an archive. */
struct oci_archive_in {
	const struct content *c;
	enum archive_format format;
	json_t *index;		    /* its index.json, parsed; NULL until seen */
	json_t *manifest;	    /* its manifest.json (docker save), parsed; NULL until seen */
	json_t *seen;		    /* every blob it held: digest -> size */
	json_t *files;		    /* every file: path -> {"digest","size"[,"spool":N]} */
	json_t *links;		    /* every link: path -> the archive path it points at */
	struct content_spool spool; /* files outside blobs/sha256/, numbered by "spool" */
	int64_t bytes;		    /* bytes of the files it held */
};

/*
 * Read the tar (optionally gzip or zstd compressed) on fd, streaming every
 * blobs/sha256/<hex> through the ingest into the store and checking its
 * digest and size, and every other file into the spool with its digest;
 * keep index.json and manifest.json (at most OCIDOC_MANIFEST_MAX bytes) and
 * check oci-layout. Symbolic and hard links are recorded, and each must lead
 * to a regular entry of the archive in at most 8 steps, never through an
 * absolute target or out of the archive. Paths that escape, duplicate
 * entries, blobs whose content is not their name and truncated archives are
 * errors. Blobs verified before an error stay in the store (they are
 * content-addressed); the ingest of the blob being read and the spool are
 * removed. in is filled on success (format ARCHIVE_NONE when the archive has
 * neither index.json nor manifest.json); release it.
 */
int oci_archive_read(const struct content *c, int fd, struct oci_archive_in *in, struct err *e);
void oci_archive_in_release(struct oci_archive_in *in);
/*
 * Where the link entry path points, as an archive path: a symlink's target
 * (sym) is taken from the link's folder, a hard link's from the top.
 * Absolute or empty targets and ones that climb out of the archive are
 * refused. New string, or NULL with e naming path.
 */
char *oci_archive_link_target(const char *path, const char *target, bool sym, struct err *e);
/* The file record ("files") that path is, or leads to through links; NULL with e naming path. */
const json_t *oci_archive_file(const struct oci_archive_in *in, const char *path, struct err *e);

/*
 * The images to record from an archive's index.json once its blobs are in
 * the store: [{"name","target","entry"}], target being the index.json entry
 * as a plain descriptor and entry the content/index.json entry (for an index
 * of which one image manifest is held, that manifest, as ctr-pull does).
 * Every blob each image needs must be in the store at its size and every
 * document must check. name, when not NULL, names the single image of the
 * archive; otherwise names come from the entries' annotations and entries
 * without one are skipped. An image manifest of more than max_layers layers
 * is refused (layerlimit.h). New reference, or NULL with e filled.
 */
json_t *oci_archive_plan(const struct content *c, const json_t *index, const char *name,
			 size_t max_layers, struct err *e);

#endif
