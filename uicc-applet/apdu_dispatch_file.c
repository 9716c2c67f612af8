/* File commands (TS 102 221 11.1.1-11.1.6, 11.1.14-15): SELECT, STATUS, READ/UPDATE BINARY, READ/UPDATE RECORD,
 * DEACTIVATE/ACTIVATE FILE, with the selection state of the session and the files' access conditions. */
#include <string.h>

#include "uicc/fs.h"
#include "card_internal.h"

#define SW_NO_CURRENT_EF  0x6986
#define SW_INVALIDATED	  0x6283
#define REC_MODE_NEXT	  0x02
#define REC_MODE_PREVIOUS 0x03
#define REC_MODE_ABSOLUTE 0x04

static void set_current(struct uicc_chan *ch, struct uicc_file *f)
{
	if (uicc_file_is_df(f)) {
		ch->cur_df = f;
		ch->cur_ef = NULL;
		if (uicc_file_kind(f) == UICC_FILE_ADF)
			ch->cur_adf = f;
	} else {
		ch->cur_df = uicc_file_parent(f);
		ch->cur_ef = f;
	}
	ch->cur_rec = 0;
}

static void put_fcp(struct uicc_chan *ch, const struct uicc_file *f, struct apdu_rsp *r)
{
	r->len = uicc_fs_fcp(ch->card->fs, f, r->data, sizeof(r->data));
	r->sw = r->len ? APDU_SW_OK : APDU_SW_TECHNICAL_PROBLEM;
}

static void cmd_select(struct uicc_chan *ch, const struct apdu *a, struct apdu_rsp *r)
{
	uint8_t occurrence = a->p2 & 0x03, rsp = a->p2 & ~0x03;
	struct uicc_file *f;

	if ((rsp != 0x00 && rsp != 0x04 && rsp != 0x0C) || (occurrence && a->p1 != 0x04)) {
		r->sw = APDU_SW_WRONG_P1P2_DATA;
		return;
	}
	if (occurrence) {
		r->sw = APDU_SW_FILE_NOT_FOUND; /* one application: there is no next/last/previous occurrence */
		return;
	}
	r->sw = uicc_fs_select(ch->card->fs, ch->cur_df, ch->cur_adf, a->p1, a->data, a->lc, &f);
	if (r->sw != APDU_SW_OK)
		return;
	set_current(ch, f);
	if (rsp != 0x0C) {
		put_fcp(ch, f, r);
		r->via_get_response = true;
	}
	if (r->sw == APDU_SW_OK && !uicc_file_active(f))
		r->sw = SW_INVALIDATED;
}

static void cmd_status(struct uicc_chan *ch, const struct apdu *a, struct apdu_rsp *r)
{
	size_t aid_len;
	const uint8_t *aid;

	if (a->p1 > 0x02 || a->lc) {
		r->sw = a->lc ? APDU_SW_WRONG_LENGTH : APDU_SW_WRONG_P1P2_DATA;
		return;
	}
	switch (a->p2) {
	case 0x00:
		put_fcp(ch, ch->cur_df, r);
		break;
	case 0x01:
		if (!ch->cur_adf) {
			r->sw = APDU_SW_REF_DATA_NOT_FOUND;
			return;
		}
		aid = uicc_file_aid(ch->cur_adf, &aid_len);
		r->data[0] = 0x84;
		r->data[1] = aid_len;
		memcpy(r->data + 2, aid, aid_len);
		r->len = 2 + aid_len;
		r->sw = APDU_SW_OK;
		break;
	case 0x0C:
		r->sw = APDU_SW_OK;
		return;
	default:
		r->sw = APDU_SW_WRONG_P1P2_DATA;
		return;
	}
	rsp_deliver(a, r);
}

/* The EF a command works on: by short file identifier in the current DF (making it current), or the current EF. */
static struct uicc_file *target_ef(struct uicc_chan *ch, uint8_t sfi, uint16_t *sw)
{
	struct uicc_file *f;

	if (sfi) {
		f = uicc_fs_child_by_sfi(ch->cur_df, sfi);
		if (!f) {
			*sw = APDU_SW_FILE_NOT_FOUND;
			return NULL;
		}
		set_current(ch, f);
		return f;
	}
	if (!ch->cur_ef)
		*sw = SW_NO_CURRENT_EF;
	return ch->cur_ef;
}

/* Resolve the target EF and check the access condition for op. NULL with r->sw set on failure. */
static struct uicc_file *access_ef(struct uicc_chan *ch, uint8_t sfi, enum uicc_file_op op, struct apdu_rsp *r)
{
	struct uicc_file *f = target_ef(ch, sfi, &r->sw);

	if (!f)
		return NULL;
	r->sw = card_check_access(ch, uicc_file_acc(f, op));
	return r->sw == APDU_SW_OK ? f : NULL;
}

/* P1 b8 = 1: short file identifier in P1 b5-b1, offset in P2; otherwise a 15-bit offset. */
static bool binary_target(const struct apdu *a, uint8_t *sfi, size_t *offset)
{
	if (a->p1 & 0x80) {
		if (a->p1 & 0x60)
			return false;
		*sfi = a->p1 & 0x1F;
		*offset = a->p2;
		return *sfi != 0;
	}
	*sfi = 0;
	*offset = (size_t)a->p1 << 8 | a->p2;
	return true;
}

static void cmd_read_binary(struct uicc_chan *ch, const struct apdu *a, struct apdu_rsp *r)
{
	struct uicc_file *f;
	size_t offset;
	uint8_t sfi;

	if (a->lc || !a->has_le) {
		r->sw = APDU_SW_WRONG_LENGTH;
		return;
	}
	if (!binary_target(a, &sfi, &offset)) {
		r->sw = APDU_SW_WRONG_P1P2;
		return;
	}
	f = access_ef(ch, sfi, UICC_OP_READ, r);
	if (f)
		r->sw = uicc_fs_read_binary(ch->card->fs, f, offset, a->le, a->le == 256, r->data, &r->len);
}

static void cmd_update_binary(struct uicc_chan *ch, const struct apdu *a, struct apdu_rsp *r)
{
	struct uicc_file *f;
	size_t offset;
	uint8_t sfi;

	if (!a->lc) {
		r->sw = APDU_SW_WRONG_LENGTH;
		return;
	}
	if (!binary_target(a, &sfi, &offset)) {
		r->sw = APDU_SW_WRONG_P1P2;
		return;
	}
	f = access_ef(ch, sfi, UICC_OP_UPDATE, r);
	if (f)
		r->sw = uicc_fs_update_binary(ch->card->fs, f, offset, a->data, a->lc);
}

/* Record number for READ/UPDATE RECORD modes (TS 102 221 11.1.5). 0 when there is none (6A83). */
static unsigned int record_number(const struct uicc_chan *ch, const struct uicc_file *f, const struct apdu *a,
				  uint8_t mode)
{
	size_t n = uicc_file_rec_count(f);
	bool cyclic = uicc_file_kind(f) == UICC_FILE_CYCLIC;

	switch (mode) {
	case REC_MODE_ABSOLUTE:
		return a->p1 ? a->p1 : ch->cur_rec;
	case REC_MODE_NEXT:
		if (ch->cur_rec < n)
			return ch->cur_rec + 1;
		return cyclic ? 1 : 0;
	default:
		if (ch->cur_rec == 0)
			return n;
		if (ch->cur_rec > 1)
			return ch->cur_rec - 1;
		return cyclic ? n : 0;
	}
}

/* Common part of READ/UPDATE RECORD: mode and target. NULL with r->sw set on failure. */
static struct uicc_file *record_target(struct uicc_chan *ch, const struct apdu *a, enum uicc_file_op op,
				       struct apdu_rsp *r)
{
	uint8_t mode = a->p2 & 0x07;

	if (mode != REC_MODE_ABSOLUTE && mode != REC_MODE_NEXT && mode != REC_MODE_PREVIOUS) {
		r->sw = APDU_SW_WRONG_P1P2_DATA;
		return NULL;
	}
	if (mode != REC_MODE_ABSOLUTE && a->p1) {
		r->sw = APDU_SW_WRONG_P1P2_DATA;
		return NULL;
	}
	return access_ef(ch, a->p2 >> 3, op, r);
}

static void cmd_read_record(struct uicc_chan *ch, const struct apdu *a, struct apdu_rsp *r)
{
	uint8_t mode = a->p2 & 0x07;
	struct uicc_file *f;
	unsigned int rec;

	if (a->lc || !a->has_le) {
		r->sw = APDU_SW_WRONG_LENGTH;
		return;
	}
	f = record_target(ch, a, UICC_OP_READ, r);
	if (!f)
		return;
	rec = record_number(ch, f, a, mode);
	r->sw = uicc_fs_read_record(ch->card->fs, f, rec, r->data, &r->len);
	if (r->sw != APDU_SW_OK)
		return;
	if (mode != REC_MODE_ABSOLUTE)
		ch->cur_rec = rec;
	rsp_deliver(a, r);
}

static void cmd_update_record(struct uicc_chan *ch, const struct apdu *a, struct apdu_rsp *r)
{
	uint8_t mode = a->p2 & 0x07;
	struct uicc_file *f;
	unsigned int rec;

	if (!a->lc) {
		r->sw = APDU_SW_WRONG_LENGTH;
		return;
	}
	f = record_target(ch, a, UICC_OP_UPDATE, r);
	if (!f)
		return;
	if (uicc_file_kind(f) == UICC_FILE_CYCLIC && mode == REC_MODE_PREVIOUS) {
		/* a cyclic file is written by replacing its oldest record, which becomes record 1 */
		r->sw = uicc_fs_append_cyclic(ch->card->fs, f, a->data, a->lc);
		if (r->sw == APDU_SW_OK)
			ch->cur_rec = 1;
		return;
	}
	rec = record_number(ch, f, a, mode);
	r->sw = uicc_fs_update_record(ch->card->fs, f, rec, a->data, a->lc);
	if (r->sw == APDU_SW_OK && mode != REC_MODE_ABSOLUTE)
		ch->cur_rec = rec;
}

static void cmd_activation(struct uicc_chan *ch, const struct apdu *a, struct apdu_rsp *r, bool active)
{
	struct uicc_file *f = ch->cur_ef;

	if (a->p2 != 0x00) {
		r->sw = APDU_SW_WRONG_P1P2_DATA;
		return;
	}
	if (a->lc || a->p1) {
		r->sw = uicc_fs_select(ch->card->fs, ch->cur_df, ch->cur_adf, a->p1, a->data, a->lc, &f);
		if (r->sw != APDU_SW_OK)
			return;
		set_current(ch, f);
	}
	if (!f || uicc_file_is_df(f)) {
		r->sw = f ? APDU_SW_COMMAND_NOT_ALLOWED : SW_NO_CURRENT_EF;
		return;
	}
	r->sw = card_check_access(ch, uicc_file_acc(f, UICC_OP_ADMIN));
	if (r->sw == APDU_SW_OK)
		r->sw = uicc_fs_set_active(ch->card->fs, f, active);
}

bool dispatch_file_cmd(struct uicc_chan *ch, const struct apdu *a, struct apdu_rsp *r)
{
	switch (a->ins) {
	case APDU_INS_SELECT:
		cmd_select(ch, a, r);
		return true;
	case APDU_INS_STATUS:
		cmd_status(ch, a, r);
		return true;
	case APDU_INS_READ_BINARY:
		cmd_read_binary(ch, a, r);
		return true;
	case APDU_INS_UPDATE_BINARY:
		cmd_update_binary(ch, a, r);
		return true;
	case APDU_INS_READ_RECORD:
		cmd_read_record(ch, a, r);
		return true;
	case APDU_INS_UPDATE_RECORD:
		cmd_update_record(ch, a, r);
		return true;
	case APDU_INS_DEACTIVATE_FILE:
		cmd_activation(ch, a, r, false);
		return true;
	case APDU_INS_ACTIVATE_FILE:
		cmd_activation(ch, a, r, true);
		return true;
	default:
		return false;
	}
}
