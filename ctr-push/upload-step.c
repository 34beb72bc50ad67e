/* SPDX-License-Identifier: Apache-2.0 */
/* The steps of one blob: HEAD, mounts, resume (GET), POST, PATCH chunks, the final PUT. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "log.h"
#include "upload-int.h"
#include "xmem.h"

bool
upload_chunked(const struct uploader *f, const struct upload *u)
{
	return f->o->chunk > 0 && u->size > f->o->chunk && !u->monolithic;
}

/* The body of a PATCH or PUT: from the acknowledged offset, a chunk or the rest. */
static void
body_req(struct uploader *f, struct upload *u, int64_t end)
{
	u->req.hdrs[0] = "Content-Type: application/octet-stream";
	u->req.file = true;
	u->req.fd = u->fd;
	u->req.start = u->offset;
	u->req.len = end;
	(void)f;
}

static void
patch_req(struct uploader *f, struct upload *u)
{
	int64_t end = u->offset + f->o->chunk < u->size ? u->offset + f->o->chunk : u->size;

	u->req.method = "PATCH";
	u->url = xstrdup(u->session);
	free(u->range);
	/* distribution reads "START-END", inclusive, without the "bytes " of RFC 9110 */
	u->range = xasprintf("Content-Range: %" PRId64 "-%" PRId64, u->offset, end - 1);
	body_req(f, u, end);
	u->req.hdrs[1] = u->range;
}

void
upload_build_req(struct uploader *f, struct upload *u)
{
	const char *repo = f->r->repo;

	free(u->url);
	memset(&u->req, 0, sizeof(u->req));
	switch (u->step) {
	case U_HEAD:
		u->req.method = "HEAD";
		u->url = xasprintf("%s/%s/blobs/%s", registry_base(f->r), repo, u->digest);
		break;
	case U_MOUNT:
		u->req.method = "POST";
		u->url = xasprintf("%s/%s/blobs/uploads/?mount=%s&from=%s", registry_base(f->r),
				   repo, u->digest, u->from[u->mount_i]);
		break;
	case U_STATUS:
		u->url = xstrdup(u->session);
		break;
	case U_POST:
		u->req.method = "POST";
		u->url = xasprintf("%s/%s/blobs/uploads/", registry_base(f->r), repo);
		break;
	case U_PATCH:
		patch_req(f, u);
		break;
	default:
		/* the session URL may carry a query of its own (state, _upload ids) */
		u->req.method = "PUT";
		u->url = xasprintf("%s%cdigest=%s", u->session, strchr(u->session, '?') ? '&' : '?',
				   u->digest);
		if (u->offset < u->size)
			body_req(f, u, u->size);
	}
	u->req.url = u->url;
}

int
upload_after_failure(const struct uploader *f, const struct upload *u)
{
	if ((u->step == U_PATCH || u->step == U_PUT) && upload_chunked(f, u))
		return U_STATUS;
	return u->step == U_PUT ? U_POST : u->step;
}

static void
done(struct uploader *f, struct upload *u, const char *result)
{
	u->step = U_DONE;
	u->result = result;
	f->left--;
	f->sent += u->sent;
	uploadrec_drop(&u->rec);
	progress_layer_done(f->pr, u->digest, u->size, u->sent, result);
}

/* The registry's answer names the session's next URL (the state moves with each chunk). */
static int
take_location(struct uploader *f, struct upload *u, bool required, struct err *e)
{
	char *next;

	if (!u->resp.location)
		return required ? err_code(e, "invalid",
					   "blob %s: upload answered without a Location", u->digest)
				: 0;
	if (!(next = registry_resolve_url(f->r, u->resp.location, e)))
		return err_prefix(e, "blob %s", u->digest);
	free(u->session);
	u->session = next;
	return 0;
}

static int
save(struct uploader *f, struct upload *u, struct err *e)
{
	(void)f;
	if (uploadrec_save(&u->rec, u->session, u->offset, u->size, e) < 0)
		return err_prefix(e, "upload record of blob %s", u->digest);
	return 0;
}

/* A 202 to POST (or to a mount the registry refused) opens a session. */
static int
to_session(struct uploader *f, struct upload *u, struct err *e)
{
	if (take_location(f, u, true, e) < 0)
		return -1;
	if (u->resp.upload_uuid)
		log_debug("blob %s: upload %s", u->digest, u->resp.upload_uuid);
	u->offset = 0;
	u->step = upload_chunked(f, u) ? U_PATCH : U_PUT;
	return u->step == U_PATCH ? save(f, u, e) : 0;
}

/* "0-N" of a Range header: N + 1 bytes received ("0-0" is taken as none); -1 when malformed. */
static int64_t
range_end(const char *range)
{
	char *end;
	long long a, b;

	if (!range || strncmp(range, "0-", 2))
		return -1;
	a = strtoll(range + 2, &end, 10);
	b = a;
	if (*end || a < 0 || end == range + 2)
		return -1;
	return b == 0 ? 0 : b + 1;
}

/* The registry lost (or never had) the recorded session: start a new one. */
static void
restart(struct uploader *f, struct upload *u, const char *why)
{
	log_info("blob %s: %s; uploading it from the start", u->digest, why);
	progress_layer_restart(f->pr, u->digest, why);
	uploadrec_drop(&u->rec);
	u->offset = 0;
	u->step = U_POST;
}

/* GET on a recorded session: 204 and the registry's offset, or a dead session. */
static int
resumed(struct uploader *f, struct upload *u, long status, struct err *e)
{
	int64_t off = range_end(u->resp.range);
	char why[96];

	if (status != 204 || off < 0 || off > u->size) {
		snprintf(why, sizeof(why), "the registry has no upload session to resume (%s %ld)",
			 status == 204 ? "Range" : "HTTP", status == 204 ? (long)off : status);
		restart(f, u, why);
		return 0;
	}
	if (take_location(f, u, false, e) < 0)
		return -1;
	log_info("blob %s: resuming the upload at byte %" PRId64 " of %" PRId64, u->digest, off,
		 u->size);
	u->offset = off;
	u->step = off == u->size ? U_PUT : U_PATCH;
	return 0;
}

/* A PATCH refused as a method: the registry takes whole blobs only. */
static bool
patch_refused(long status)
{
	return status == 405 || status == 501;
}

static int
patched(struct uploader *f, struct upload *u, long status, struct err *e)
{
	int64_t want = u->req.len, got = range_end(u->resp.range);

	if (status != 202)
		return 1;
	if (got < 0)
		got = want;
	if (got != want)
		return err_code(e, "invalid",
				"%s: blob %s: the registry holds %" PRId64
				" bytes of the upload after %" PRId64 " were sent",
				registry_base(f->r), u->digest, got, want);
	u->offset = got;
	if (take_location(f, u, true, e) < 0 || save(f, u, e) < 0)
		return -1;
	u->step = u->offset == u->size ? U_PUT : U_PATCH;
	return 0;
}

static int
put_done(struct uploader *f, struct upload *u, struct err *e)
{
	/* the registry names what it stored: it must be what we sent */
	if (u->resp.digest && strcmp(u->resp.digest, u->digest))
		return err_code(e, "invalid", "blob %s: the registry stored it as '%.80s'",
				u->digest, u->resp.digest);
	done(f, u, "pushed");
	return 0;
}

/* After HEAD 404 or a refused mount: the next candidate, a resume, or a new session. */
static int
next_source(struct uploader *f, struct upload *u, long status, struct err *e)
{
	if (u->step == U_MOUNT)
		u->mount_i++;
	if (u->mount_i < u->nfrom) {
		u->step = U_MOUNT;
		return 0;
	}
	if (u->session) {
		u->step = U_STATUS;
		return 0;
	}
	/* the registry opened an upload when it refused the last mount: use it */
	if (status == 202)
		return to_session(f, u, e);
	u->step = U_POST;
	return 0;
}

int
upload_advance(struct uploader *f, struct upload *u, long status, struct err *e)
{
	_cleanup_free_ char *why = NULL;
	int rc;

	if (u->step == U_HEAD && status == 200)
		return done(f, u, "existing"), 0;
	if (u->step == U_MOUNT && status == 201)
		return done(f, u, "mounted"), 0;
	/* a refused mount is only a missed shortcut */
	if ((u->step == U_HEAD && status == 404) || u->step == U_MOUNT)
		return next_source(f, u, status, e);
	if (u->step == U_STATUS)
		return resumed(f, u, status, e);
	if (u->step == U_POST && status == 202)
		return to_session(f, u, e);
	if (u->step == U_PATCH && patch_refused(status) && u->offset == 0) {
		log_info("%s refuses chunked uploads (HTTP %ld): blob %s goes in one PUT",
			 registry_base(f->r), status, u->digest);
		u->monolithic = true;
		uploadrec_drop(&u->rec);
		u->step = U_PUT;
		return 0;
	}
	if (u->step == U_PATCH && (rc = patched(f, u, status, e)) <= 0)
		return rc;
	if (u->step == U_PUT && (status == 201 || status == 204))
		return put_done(f, u, e);
	why = upload_error_text(&u->resp);
	/* a 5xx is the registry's trouble: "network", a later try may work */
	return err_code(e, registry_status_code(status), "%s: blob %s: %s", registry_base(f->r),
			u->digest, why);
}
