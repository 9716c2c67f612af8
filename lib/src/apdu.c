/* ISO 7816-4 command APDU parser and builder, terminal-side UICC / SIM commands (see apdu.h). */
#include <string.h>

#include "simguard/apdu.h"

/* Extended form: B1 = 00 and then two-byte fields (ISO 7816-4 5.1). */
static int parse_extended(const uint8_t *buf, size_t len, struct apdu *a, struct sg_error *err)
{
	size_t body = len - 5, lc;

	a->extended = true;
	if (body == 2) {
		a->apdu_case = APDU_CASE_2;
		a->has_le = true;
		a->le = (size_t)buf[5] << 8 | buf[6];
		if (a->le == 0)
			a->le = 65536;
		return 0;
	}
	if (body < 2)
		return sg_err(err, "APDU: extended length field truncated (%zu bytes)", len);
	lc = (size_t)buf[5] << 8 | buf[6];
	if (lc == 0)
		return sg_err(err, "APDU: extended Lc 0000 invalid");
	a->lc = lc;
	a->data = buf + 7;
	if (body == 2 + lc) {
		a->apdu_case = APDU_CASE_3;
		return 0;
	}
	if (body == 2 + lc + 2) {
		a->apdu_case = APDU_CASE_4;
		a->has_le = true;
		a->le = (size_t)buf[len - 2] << 8 | buf[len - 1];
		if (a->le == 0)
			a->le = 65536;
		return 0;
	}
	return sg_err(err, "APDU: extended Lc %zu but %zu bytes follow it", lc, body - 2);
}

int apdu_parse(const uint8_t *buf, size_t len, struct apdu *a, struct sg_error *err)
{
	size_t lc;

	memset(a, 0, sizeof(*a));
	if (len < 4)
		return sg_err(err, "APDU: %zu bytes, a command needs at least 4 (CLA INS P1 P2)", len);
	a->cla = buf[0];
	a->ins = buf[1];
	a->p1 = buf[2];
	a->p2 = buf[3];
	a->apdu_case = APDU_CASE_1;
	if (len == 4)
		return 0;
	if (len == 5) {
		a->apdu_case = APDU_CASE_2;
		a->has_le = true;
		a->le = buf[4] ? buf[4] : 256;
		return 0;
	}
	if (buf[4] == 0)
		return parse_extended(buf, len, a, err);
	lc = buf[4];
	a->lc = lc;
	a->data = buf + 5;
	if (len == 5 + lc) {
		a->apdu_case = APDU_CASE_3;
		return 0;
	}
	if (len == 5 + lc + 1) {
		a->apdu_case = APDU_CASE_4;
		a->has_le = true;
		a->le = buf[len - 1] ? buf[len - 1] : 256;
		return 0;
	}
	return sg_err(err, "APDU: Lc %zu but %zu bytes follow it", lc, len - 5);
}

int apdu_build(struct apdu_buf *out, const struct apdu *a, struct sg_error *err)
{
	uint8_t *p = out->bytes;

	out->len = 0;
	if (a->extended)
		return sg_err(err, "APDU: extended length not supported by the builder");
	if (a->lc > 255)
		return sg_err(err, "APDU: %zu data bytes, a short APDU carries at most 255", a->lc);
	if (a->has_le && (a->le < 1 || a->le > 256))
		return sg_err(err, "APDU: Le %zu outside 1..256", a->le);
	p[0] = a->cla;
	p[1] = a->ins;
	p[2] = a->p1;
	p[3] = a->p2;
	out->len = 4;
	if (a->lc) {
		p[out->len++] = (uint8_t)a->lc;
		memcpy(p + out->len, a->data, a->lc);
		out->len += a->lc;
	}
	if (a->has_le)
		p[out->len++] = (uint8_t)(a->le & 0xFF); /* 256 -> 00 */
	return 0;
}

/* CLA for an inter-industry (ISO) command and for a TS 102 221 proprietary one. */
static uint8_t cla_iso(enum apdu_family f)
{
	return f == APDU_SIM2G ? 0xA0 : 0x00;
}

static uint8_t cla_prop(enum apdu_family f)
{
	return f == APDU_SIM2G ? 0xA0 : 0x80;
}

static int build(struct apdu_buf *out, uint8_t cla, uint8_t ins, uint8_t p1, uint8_t p2, const uint8_t *data,
		 size_t lc, size_t le, struct sg_error *err)
{
	struct apdu a = {
		.cla = cla, .ins = ins, .p1 = p1, .p2 = p2, .lc = lc, .data = data, .le = le, .has_le = le > 0,
	};

	return apdu_build(out, &a, err);
}

int apdu_select_fid(struct apdu_buf *out, enum apdu_family f, uint16_t fid, enum apdu_select_rsp rsp,
		    struct sg_error *err)
{
	uint8_t d[2] = { (uint8_t)(fid >> 8), (uint8_t)fid };

	if (f == APDU_SIM2G)
		return build(out, 0xA0, APDU_INS_SELECT, 0x00, 0x00, d, 2, 0, err);
	return build(out, 0x00, APDU_INS_SELECT, APDU_SELECT_FID, rsp, d, 2, rsp == APDU_SELECT_RSP_FCP ? 256 : 0,
		     err);
}

int apdu_select_path(struct apdu_buf *out, enum apdu_select_by by, const uint8_t *path, size_t len,
		     enum apdu_select_rsp rsp, struct sg_error *err)
{
	if (by != APDU_SELECT_PATH_MF && by != APDU_SELECT_PATH_CUR)
		return sg_err(err, "SELECT: path selection needs P1 08 or 09, not %02X", by);
	if (len == 0 || len % 2)
		return sg_err(err, "SELECT: path of %zu bytes, must be a non-empty list of 2-byte FIDs", len);
	return build(out, 0x00, APDU_INS_SELECT, by, rsp, path, len, rsp == APDU_SELECT_RSP_FCP ? 256 : 0, err);
}

int apdu_select_aid(struct apdu_buf *out, const uint8_t *aid, size_t len, enum apdu_select_rsp rsp,
		    struct sg_error *err)
{
	if (len < 1 || len > 16)
		return sg_err(err, "SELECT: AID of %zu bytes, must be 1..16", len);
	return build(out, 0x00, APDU_INS_SELECT, APDU_SELECT_AID, rsp, aid, len,
		     rsp == APDU_SELECT_RSP_FCP ? 256 : 0, err);
}

static int check_le(size_t le, const char *what, struct sg_error *err)
{
	if (le < 1 || le > 256)
		return sg_err(err, "%s: Le %zu outside 1..256", what, le);
	return 0;
}

int apdu_read_binary(struct apdu_buf *out, enum apdu_family f, uint16_t offset, size_t le, struct sg_error *err)
{
	if (offset > 0x7FFF)
		return sg_err(err, "READ BINARY: offset %u above 32767", offset);
	if (check_le(le, "READ BINARY", err))
		return -1;
	return build(out, cla_iso(f), APDU_INS_READ_BINARY, (uint8_t)(offset >> 8), (uint8_t)offset, NULL, 0, le,
		     err);
}

int apdu_update_binary(struct apdu_buf *out, enum apdu_family f, uint16_t offset, const uint8_t *data, size_t len,
		       struct sg_error *err)
{
	if (offset > 0x7FFF)
		return sg_err(err, "UPDATE BINARY: offset %u above 32767", offset);
	if (len < 1 || len > 255)
		return sg_err(err, "UPDATE BINARY: %zu data bytes, must be 1..255", len);
	return build(out, cla_iso(f), APDU_INS_UPDATE_BINARY, (uint8_t)(offset >> 8), (uint8_t)offset, data, len, 0,
		     err);
}

/* P2 04: absolute record number in P1 (current EF) */
#define RECORD_MODE_ABSOLUTE 0x04

int apdu_read_record(struct apdu_buf *out, enum apdu_family f, uint8_t record, size_t le, struct sg_error *err)
{
	if (record < 1 || record > 254)
		return sg_err(err, "READ RECORD: record %u outside 1..254", record);
	if (check_le(le, "READ RECORD", err))
		return -1;
	return build(out, cla_iso(f), APDU_INS_READ_RECORD, record, RECORD_MODE_ABSOLUTE, NULL, 0, le, err);
}

int apdu_update_record(struct apdu_buf *out, enum apdu_family f, uint8_t record, const uint8_t *data, size_t len,
		       struct sg_error *err)
{
	if (record < 1 || record > 254)
		return sg_err(err, "UPDATE RECORD: record %u outside 1..254", record);
	if (len < 1 || len > 255)
		return sg_err(err, "UPDATE RECORD: %zu data bytes, must be 1..255", len);
	return build(out, cla_iso(f), APDU_INS_UPDATE_RECORD, record, RECORD_MODE_ABSOLUTE, data, len, 0, err);
}

int apdu_verify_pin(struct apdu_buf *out, enum apdu_family f, uint8_t keyref, const char *pin, struct sg_error *err)
{
	uint8_t block[8];
	size_t n, i;

	if (!pin)
		return build(out, cla_iso(f), APDU_INS_VERIFY, 0x00, keyref, NULL, 0, 0, err);
	n = strlen(pin);
	if (n < 4 || n > 8)
		return sg_err(err, "VERIFY PIN: PIN of %zu digits, must be 4..8", n);
	for (i = 0; i < n; i++) {
		if (pin[i] < '0' || pin[i] > '9')
			return sg_err(err, "VERIFY PIN: character %zu is not a digit", i + 1);
	}
	memset(block, 0xFF, sizeof(block));
	memcpy(block, pin, n);
	return build(out, cla_iso(f), APDU_INS_VERIFY, 0x00, keyref, block, sizeof(block), 0, err);
}

int apdu_authenticate(struct apdu_buf *out, enum apdu_family f, const uint8_t rand[16], const uint8_t autn[16],
		      struct sg_error *err)
{
	uint8_t d[34];

	if (f == APDU_SIM2G)
		return build(out, 0xA0, APDU_INS_AUTHENTICATE, 0x00, 0x00, rand, 16, 0, err);
	/* TS 31.102 7.1.2: 3G security context (P2 81), length-prefixed RAND and AUTN */
	d[0] = 16;
	memcpy(d + 1, rand, 16);
	d[17] = 16;
	memcpy(d + 18, autn, 16);
	return build(out, 0x00, APDU_INS_AUTHENTICATE, 0x00, 0x81, d, sizeof(d), 256, err);
}

int apdu_status(struct apdu_buf *out, enum apdu_family f, uint8_t p1, uint8_t p2, size_t le, struct sg_error *err)
{
	if (le == 0 && f == APDU_UICC && p2 != APDU_STATUS_P2_NONE)
		return sg_err(err, "STATUS: no Le needs P2 0C (no data returned)");
	if (le > 256)
		return sg_err(err, "STATUS: Le %zu above 256", le);
	if (f == APDU_SIM2G)
		p1 = p2 = 0;
	return build(out, cla_prop(f), APDU_INS_STATUS, p1, p2, NULL, 0, le, err);
}

static int build_case3(struct apdu_buf *out, enum apdu_family f, uint8_t ins, const char *what, const uint8_t *data,
		       size_t len, struct sg_error *err)
{
	if (len < 1 || len > 255)
		return sg_err(err, "%s: %zu data bytes, must be 1..255", what, len);
	return build(out, cla_prop(f), ins, 0x00, 0x00, data, len, 0, err);
}

int apdu_terminal_profile(struct apdu_buf *out, enum apdu_family f, const uint8_t *profile, size_t len,
			  struct sg_error *err)
{
	return build_case3(out, f, APDU_INS_TERMINAL_PROFILE, "TERMINAL PROFILE", profile, len, err);
}

int apdu_envelope(struct apdu_buf *out, enum apdu_family f, const uint8_t *data, size_t len, struct sg_error *err)
{
	return build_case3(out, f, APDU_INS_ENVELOPE, "ENVELOPE", data, len, err);
}

int apdu_terminal_response(struct apdu_buf *out, enum apdu_family f, const uint8_t *data, size_t len,
			   struct sg_error *err)
{
	return build_case3(out, f, APDU_INS_TERMINAL_RESPONSE, "TERMINAL RESPONSE", data, len, err);
}

int apdu_fetch(struct apdu_buf *out, enum apdu_family f, size_t le, struct sg_error *err)
{
	if (check_le(le, "FETCH", err))
		return -1;
	return build(out, cla_prop(f), APDU_INS_FETCH, 0x00, 0x00, NULL, 0, le, err);
}

int apdu_get_response(struct apdu_buf *out, enum apdu_family f, size_t le, struct sg_error *err)
{
	if (check_le(le, "GET RESPONSE", err))
		return -1;
	return build(out, cla_iso(f), APDU_INS_GET_RESPONSE, 0x00, 0x00, NULL, 0, le, err);
}
