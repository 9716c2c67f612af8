/* USIM application selection, ICCID / IMSI reading and PIN1 handling (see usim.h). */
#include <stdio.h>
#include <string.h>

#include "pcsct/usim.h"
#include "simguard/tlv.h"

#define EF_DIR		0x2F00
#define EF_ICCID	0x2FE2
#define EF_IMSI		0x6F07
#define MAX_DIR_RECORDS 16

static const uint8_t usim_aid_prefix[] = {0xA0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x02};

static int run(struct pcsct_card *card, const struct apdu_buf *a, struct pcsct_rsp *rsp, const char *what,
	       struct sg_error *err)
{
	char desc[96];

	if (pcsct_transmit_buf(card, a, rsp, err) < 0)
		return -1;
	if (rsp->sw != APDU_SW_OK && (rsp->sw >> 8) != 0x91)
		return sg_err(err, "%s: %s", what, apdu_sw_describe(rsp->sw, desc, sizeof(desc)));
	return 0;
}

void pcsct_bcd_digits(const uint8_t *bcd, size_t len, bool skip_first_nibble, char *out, size_t size)
{
	size_t i, n = 0;

	for (i = skip_first_nibble ? 1 : 0; i < 2 * len && n + 1 < size; i++) {
		uint8_t d = i % 2 ? bcd[i / 2] >> 4 : bcd[i / 2] & 0x0F;

		if (d > 9)
			break;
		out[n++] = (char)('0' + d);
	}
	out[n] = '\0';
}

/* Record length and count of a linear fixed EF from the FCP (tag 82: descriptor, coding, record length (2),
 * number of records). */
static int record_geometry(const struct pcsct_rsp *fcp, size_t *rec_len, size_t *n_rec, struct sg_error *err)
{
	struct sg_tlv_reader r;
	struct sg_tlv t;

	sg_tlv_reader_init(&r, fcp->data, fcp->len);
	if (sg_ber_tlv_next(&r, &t, err) <= 0 || t.tag != 0x62)
		return sg_err(err, "EF.DIR: SELECT returned no FCP template");
	sg_tlv_reader_init(&r, t.val, t.len);
	while (sg_ber_tlv_next(&r, &t, err) > 0) {
		if (t.tag == 0x82 && t.len >= 5) {
			*rec_len = (size_t)(t.val[2] << 8 | t.val[3]);
			*n_rec = t.val[4];
			return 0;
		}
	}
	return sg_err(err, "EF.DIR: FCP has no record geometry (tag 82)");
}

/* The AID of one EF.DIR record (61 L 4F L AID ...), or 0 when the record is empty. */
static size_t record_aid(const uint8_t *rec, size_t len, uint8_t *aid, size_t size)
{
	struct sg_tlv_reader r;
	struct sg_tlv t, in;
	struct sg_error err;

	sg_tlv_reader_init(&r, rec, len);
	if (sg_ber_tlv_next(&r, &t, &err) <= 0 || t.tag != 0x61)
		return 0;
	sg_tlv_reader_init(&r, t.val, t.len);
	while (sg_ber_tlv_next(&r, &in, &err) > 0) {
		if (in.tag == 0x4F && in.len <= size) {
			memcpy(aid, in.val, in.len);
			return in.len;
		}
	}
	return 0;
}

int pcsct_usim_select(struct pcsct_card *card, struct pcsct_usim *u, struct sg_error *err)
{
	struct apdu_buf a;
	struct pcsct_rsp rsp;
	size_t rec_len = 0, n_rec = 0, i;

	if (apdu_select_fid(&a, APDU_UICC, 0x3F00, APDU_SELECT_RSP_FCP, err) < 0 ||
	    run(card, &a, &rsp, "SELECT MF", err) < 0)
		return -1;
	if (apdu_select_fid(&a, APDU_UICC, EF_DIR, APDU_SELECT_RSP_FCP, err) < 0 ||
	    run(card, &a, &rsp, "SELECT EF.DIR", err) < 0 || record_geometry(&rsp, &rec_len, &n_rec, err) < 0)
		return -1;
	if (rec_len == 0 || rec_len > 255)
		return sg_err(err, "EF.DIR: record length %zu", rec_len);
	for (i = 1; i <= n_rec && i <= MAX_DIR_RECORDS; i++) {
		if (apdu_read_record(&a, APDU_UICC, (uint8_t)i, rec_len, err) < 0 ||
		    run(card, &a, &rsp, "READ RECORD EF.DIR", err) < 0)
			return -1;
		u->aid_len = record_aid(rsp.data, rsp.len, u->aid, sizeof(u->aid));
		if (u->aid_len >= sizeof(usim_aid_prefix) &&
		    memcmp(u->aid, usim_aid_prefix, sizeof(usim_aid_prefix)) == 0)
			break;
		u->aid_len = 0;
	}
	if (!u->aid_len)
		return sg_err(err, "EF.DIR lists no USIM application (AID A0000000871002...)");
	if (apdu_select_aid(&a, u->aid, u->aid_len, APDU_SELECT_RSP_FCP, err) < 0 ||
	    run(card, &a, &rsp, "SELECT ADF.USIM", err) < 0)
		return -1;
	return 0;
}

static int read_transparent(struct pcsct_card *card, uint16_t fid, const char *name, struct pcsct_rsp *rsp,
			    struct sg_error *err)
{
	struct apdu_buf a;
	char what[48];

	snprintf(what, sizeof(what), "SELECT %s", name);
	if (apdu_select_fid(&a, APDU_UICC, fid, APDU_SELECT_RSP_FCP, err) < 0 || run(card, &a, rsp, what, err) < 0)
		return -1;
	snprintf(what, sizeof(what), "READ BINARY %s", name);
	/* Le 00 asks for the whole file; a card that wants the exact size says so with 6Cxx. */
	if (apdu_read_binary(&a, APDU_UICC, 0, 256, err) < 0 || run(card, &a, rsp, what, err) < 0)
		return -1;
	return 0;
}

int pcsct_usim_read_iccid(struct pcsct_card *card, struct pcsct_usim *u, struct sg_error *err)
{
	struct apdu_buf a;
	struct pcsct_rsp rsp;

	if (apdu_select_fid(&a, APDU_UICC, 0x3F00, APDU_SELECT_RSP_FCP, err) < 0 ||
	    run(card, &a, &rsp, "SELECT MF", err) < 0 || read_transparent(card, EF_ICCID, "EF.ICCID", &rsp, err) < 0)
		return -1;
	pcsct_bcd_digits(rsp.data, rsp.len < 10 ? rsp.len : 10, false, u->iccid, sizeof(u->iccid));
	return 0;
}

int pcsct_usim_read_imsi(struct pcsct_card *card, struct pcsct_usim *u, struct sg_error *err)
{
	struct apdu_buf a;
	struct pcsct_rsp rsp;

	if (!u->aid_len)
		return sg_err(err, "EF.IMSI: no USIM application selected");
	if (apdu_select_aid(&a, u->aid, u->aid_len, APDU_SELECT_RSP_FCP, err) < 0 ||
	    run(card, &a, &rsp, "SELECT ADF.USIM", err) < 0 ||
	    read_transparent(card, EF_IMSI, "EF.IMSI", &rsp, err) < 0)
		return -1;
	/* length byte, then the IMSI as a mobile identity: first nibble is the type/parity */
	if (rsp.len < 2 || rsp.data[0] == 0 || rsp.data[0] > rsp.len - 1)
		return sg_err(err, "EF.IMSI: malformed content");
	pcsct_bcd_digits(rsp.data + 1, rsp.data[0], true, u->imsi, sizeof(u->imsi));
	return 0;
}

int pcsct_pin_state(struct pcsct_card *card, enum pcsct_pin_state *st, int *retries, struct sg_error *err)
{
	struct apdu_buf a;
	struct pcsct_rsp rsp;
	char desc[96];

	if (apdu_verify_pin(&a, APDU_UICC, APDU_KEYREF_PIN1, NULL, err) < 0 ||
	    pcsct_transmit_buf(card, &a, &rsp, err) < 0)
		return -1;
	*retries = -1;
	if (rsp.sw == APDU_SW_OK) {
		*st = PCSCT_PIN_VERIFIED;
	} else if ((rsp.sw & 0xFFF0) == 0x63C0) {
		*st = (rsp.sw & 0x0F) ? PCSCT_PIN_NEEDED : PCSCT_PIN_BLOCKED;
		*retries = rsp.sw & 0x0F;
	} else if (rsp.sw == APDU_SW_AUTH_METHOD_BLOCKED) {
		*st = PCSCT_PIN_BLOCKED;
	} else {
		return sg_err(err, "PIN state: %s", apdu_sw_describe(rsp.sw, desc, sizeof(desc)));
	}
	return 0;
}

int pcsct_pin_verify(struct pcsct_card *card, const char *pin, int *retries, struct sg_error *err)
{
	struct apdu_buf a;
	struct pcsct_rsp rsp;
	char desc[96];

	*retries = -1;
	if (apdu_verify_pin(&a, APDU_UICC, APDU_KEYREF_PIN1, pin, err) < 0 ||
	    pcsct_transmit_buf(card, &a, &rsp, err) < 0)
		return -1;
	if (rsp.sw == APDU_SW_OK)
		return 0;
	if ((rsp.sw & 0xFFF0) == 0x63C0) {
		*retries = rsp.sw & 0x0F;
		return *retries ? 1 : 2;
	}
	if (rsp.sw == APDU_SW_AUTH_METHOD_BLOCKED)
		return 2;
	return sg_err(err, "VERIFY PIN: %s", apdu_sw_describe(rsp.sw, desc, sizeof(desc)));
}
