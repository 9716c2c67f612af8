/* Reading and updating EF contents with TS 102 221 status words. Every change is staged in the store and
 * committed (or joins the caller's open transaction) before success is reported. */
#include <string.h>

#include <osmocom/core/talloc.h>

#include "uicc/store.h"
#include "fs_internal.h"

#define SW_OK		    0x9000
#define SW_EOF		    0x6282
#define SW_INVALIDATED	    0x6283
#define SW_MEMORY	    0x6581
#define SW_WRONG_LENGTH	    0x6700
#define SW_INCOMPATIBLE	    0x6981
#define SW_RECORD_NOT_FOUND 0x6A83
#define SW_WRONG_OFFSET	    0x6B00

#define LCS_ACTIVE	0x05
#define LCS_DEACTIVATED 0x04

/* The stored record of an EF: life-cycle byte, then the body. */
static const uint8_t *record_of(struct uicc_fs *fs, const struct uicc_file *f)
{
	const uint8_t *d;
	size_t len;

	if (!uicc_store_get(fs->store, f->store_name, &d, &len) || len != uicc_file_size(f) + 1)
		return NULL;
	return d;
}

static const uint8_t *body_of(struct uicc_fs *fs, const struct uicc_file *f)
{
	const uint8_t *d = record_of(fs, f);

	return d ? d + 1 : NULL;
}

bool uicc_file_active(const struct uicc_file *f)
{
	const uint8_t *d;

	if (uicc_file_is_df(f))
		return true;
	d = record_of(f->fs, f);
	return d && d[0] == LCS_ACTIVE;
}

/* Replace bytes [off, off+len) of the body with data (or the byte fill when fill >= 0), set the life-cycle byte
 * when lcs >= 0, and persist. */
static uint16_t write_span(struct uicc_fs *fs, const struct uicc_file *f, int lcs, size_t off, const uint8_t *data,
			   size_t len, int fill)
{
	size_t size = uicc_file_size(f);
	const uint8_t *old = record_of(fs, f);
	uint8_t *buf;
	int rc;

	if (!old)
		return SW_MEMORY;
	buf = talloc_size(NULL, size + 1);
	memcpy(buf, old, size + 1);
	if (lcs >= 0)
		buf[0] = lcs;
	if (fill >= 0)
		memset(buf + 1 + off, fill, len);
	else if (len)
		memcpy(buf + 1 + off, data, len);
	rc = uicc_store_begin(fs->store);
	if (rc == 0 && uicc_store_put(fs->store, f->store_name, buf, size + 1) < 0) {
		uicc_store_abort(fs->store);
		rc = -1;
	} else if (rc == 0) {
		rc = uicc_store_commit(fs->store, NULL);
	}
	talloc_free(buf);
	return rc < 0 ? SW_MEMORY : SW_OK;
}

static bool is_record_ef(const struct uicc_file *f)
{
	return f->kind == UICC_FILE_LINEAR_FIXED || f->kind == UICC_FILE_CYCLIC;
}

/* Checks shared by the transparent-EF commands. */
static uint16_t binary_check(const struct uicc_file *f, size_t offset)
{
	if (f->kind != UICC_FILE_TRANSPARENT)
		return SW_INCOMPATIBLE;
	if (!uicc_file_active(f))
		return SW_INVALIDATED;
	if (offset >= f->size)
		return SW_WRONG_OFFSET;
	return SW_OK;
}

/* Checks shared by the record-EF commands. */
static uint16_t record_check(const struct uicc_file *f, unsigned int rec)
{
	if (!is_record_ef(f))
		return SW_INCOMPATIBLE;
	if (!uicc_file_active(f))
		return SW_INVALIDATED;
	if (rec < 1 || rec > f->rec_count)
		return SW_RECORD_NOT_FOUND;
	return SW_OK;
}

uint16_t uicc_fs_read_binary(struct uicc_fs *fs, const struct uicc_file *f, size_t offset, size_t len, bool want_max,
			     uint8_t *out, size_t *out_len)
{
	const uint8_t *body;
	uint16_t sw;
	size_t n;

	*out_len = 0;
	sw = binary_check(f, offset);
	if (sw != SW_OK)
		return sw;
	body = body_of(fs, f);
	if (!body)
		return SW_MEMORY;
	n = f->size - offset < len ? f->size - offset : len;
	memcpy(out, body + offset, n);
	*out_len = n;
	return n < len && !want_max ? SW_EOF : SW_OK;
}

uint16_t uicc_fs_update_binary(struct uicc_fs *fs, const struct uicc_file *f, size_t offset, const uint8_t *data,
			       size_t len)
{
	uint16_t sw = binary_check(f, offset);

	if (sw != SW_OK)
		return sw;
	if (len > f->size - offset)
		return SW_WRONG_LENGTH;
	return write_span(fs, f, -1, offset, data, len, -1);
}

uint16_t uicc_fs_read_record(struct uicc_fs *fs, const struct uicc_file *f, unsigned int rec, uint8_t *out,
			     size_t *out_len)
{
	const uint8_t *body;
	uint16_t sw = record_check(f, rec);

	*out_len = 0;
	if (sw != SW_OK)
		return sw;
	body = body_of(fs, f);
	if (!body)
		return SW_MEMORY;
	memcpy(out, body + (rec - 1) * f->rec_len, f->rec_len);
	*out_len = f->rec_len;
	return SW_OK;
}

uint16_t uicc_fs_update_record(struct uicc_fs *fs, const struct uicc_file *f, unsigned int rec, const uint8_t *data,
			       size_t len)
{
	uint16_t sw = record_check(f, rec);

	if (sw != SW_OK)
		return sw;
	if (len != f->rec_len)
		return SW_WRONG_LENGTH;
	return write_span(fs, f, -1, (rec - 1) * f->rec_len, data, len, -1);
}

uint16_t uicc_fs_append_cyclic(struct uicc_fs *fs, const struct uicc_file *f, const uint8_t *data, size_t len)
{
	size_t size = uicc_file_size(f);
	const uint8_t *old;
	uint8_t *shifted;
	uint16_t sw;

	if (f->kind != UICC_FILE_CYCLIC)
		return SW_INCOMPATIBLE;
	if (!uicc_file_active(f))
		return SW_INVALIDATED;
	if (len != f->rec_len)
		return SW_WRONG_LENGTH;
	old = body_of(fs, f);
	if (!old)
		return SW_MEMORY;
	/* record 1 is the newest: move everything one record down, dropping the oldest */
	shifted = talloc_size(NULL, size);
	memcpy(shifted, data, len);
	memcpy(shifted + len, old, size - len);
	sw = write_span(fs, f, -1, 0, shifted, size, -1);
	talloc_free(shifted);
	return sw;
}

uint16_t uicc_fs_fill(struct uicc_fs *fs, const struct uicc_file *f, uint8_t value)
{
	if (uicc_file_is_df(f))
		return SW_INCOMPATIBLE;
	return write_span(fs, f, -1, 0, NULL, uicc_file_size(f), value);
}

uint16_t uicc_fs_set_active(struct uicc_fs *fs, const struct uicc_file *f, bool active)
{
	if (uicc_file_is_df(f))
		return SW_INCOMPATIBLE;
	return write_span(fs, f, active ? LCS_ACTIVE : LCS_DEACTIVATED, 0, NULL, 0, -1);
}
