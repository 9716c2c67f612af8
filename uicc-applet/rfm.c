/* Remote file management, compact format (ETSI TS 102 226 clause 5.1): command APDUs one after another in the
 * secured data, run in a remote session of the card core (uicc/card.h). In the compact format P3 is Le for the
 * commands that return data only (READ BINARY, READ RECORD, GET RESPONSE, STATUS) and Lc for all others, and the
 * data of a command that returns some (SELECT) is picked up with GET RESPONSE, as over T=0. */
#include <string.h>

#include <osmocom/core/logging.h>

#include "simguard/apdu.h"
#include "uicc/card.h"
#include "uicc/fs.h"
#include "uicc/rfm.h"

/* GET RESPONSE as T=0 knows it, kept by the RFM layer so one session's data never mixes with another's. */
struct rfm_session {
	struct uicc_session *s;
	uint8_t held[256];
	size_t held_len;
};

static bool p3_is_le(uint8_t ins)
{
	return ins == APDU_INS_READ_BINARY || ins == APDU_INS_READ_RECORD || ins == APDU_INS_GET_RESPONSE ||
	       ins == APDU_INS_STATUS;
}

static uint16_t sw_of(const uint8_t *rsp, size_t len)
{
	return (uint16_t)(rsp[len - 2] << 8 | rsp[len - 1]);
}

static uint16_t get_response(struct rfm_session *rs, uint8_t le, uint8_t *out, size_t *out_len)
{
	size_t want = le ? le : 256;

	*out_len = 0;
	if (!rs->held_len)
		return APDU_SW_CONDITIONS_NOT_SATISFIED;
	if (want > rs->held_len && le)
		return (uint16_t)(0x6C00 | rs->held_len);
	*out_len = want < rs->held_len ? want : rs->held_len;
	memcpy(out, rs->held, *out_len);
	memmove(rs->held, rs->held + *out_len, rs->held_len - *out_len);
	rs->held_len -= *out_len;
	return rs->held_len ? (uint16_t)APDU_SW_BYTES_AVAILABLE(rs->held_len & 0xFF) : APDU_SW_OK;
}

/* Run one command; data the command returns goes to out (case 2) or is held for GET RESPONSE (case 3/4). */
static uint16_t run_one(struct rfm_session *rs, const uint8_t *cmd, size_t len, uint8_t *out, size_t *out_len)
{
	uint8_t rsp[UICC_RSP_MAX];
	size_t rsp_len = sizeof(rsp);
	uint16_t sw;

	*out_len = 0;
	if (cmd[1] == APDU_INS_GET_RESPONSE)
		return get_response(rs, cmd[4], out, out_len);
	rs->held_len = 0;
	if (uicc_session_apdu(rs->s, cmd, len, rsp, &rsp_len) < 0 || rsp_len < 2)
		return APDU_SW_TECHNICAL_PROBLEM;
	sw = sw_of(rsp, rsp_len);
	rsp_len -= 2;
	if (p3_is_le(cmd[1])) {
		memcpy(out, rsp, rsp_len);
		*out_len = rsp_len;
	} else if (rsp_len) {
		memcpy(rs->held, rsp, rsp_len);
		rs->held_len = rsp_len;
		if (sw == APDU_SW_OK)
			sw = (uint16_t)APDU_SW_BYTES_AVAILABLE(rsp_len & 0xFF);
	}
	return sw;
}

/* The USIM application by its AID, as a terminal selects it (7FFF means "the current application" and there is
 * none yet in a new session). */
static void select_usim(struct uicc_card *card, struct rfm_session *rs)
{
	const struct uicc_file *adf = uicc_fs_usim(uicc_card_fs(card));
	uint8_t cmd[5 + 16] = { 0x00, 0xA4, 0x04, 0x0C }, out[256];
	const uint8_t *aid;
	size_t aid_len = 0, out_len;

	aid = adf ? uicc_file_aid(adf, &aid_len) : NULL;
	if (!aid || aid_len > 16)
		return;
	cmd[4] = (uint8_t)aid_len;
	memcpy(cmd + 5, aid, aid_len);
	run_one(rs, cmd, 5 + aid_len, out, &out_len);
}

static bool keeps_going(uint16_t sw)
{
	return sw == APDU_SW_OK || (sw >> 8) == 0x61;
}

void rfm_run(struct uicc_card *card, const uint8_t *script, size_t len, bool start_usim, struct ota_reply *reply)
{
	struct rfm_session rs = { .s = uicc_card_remote_session(card) };
	uint8_t out[256];
	size_t pos = 0, out_len = 0, cmd_len;
	unsigned int executed = 0;
	uint16_t sw = APDU_SW_OK;

	reply->status = SP_STATUS_OK;
	if (!rs.s) {
		reply->status = SP_STATUS_NO_MEMORY;
		reply->len = 0;
		return;
	}
	if (start_usim)
		select_usim(card, &rs);
	while (pos < len && keeps_going(sw)) {
		const uint8_t *cmd = script + pos;
		executed++;
		if (len - pos < 5) {
			sw = APDU_SW_WRONG_LENGTH;
			break;
		}
		cmd_len = p3_is_le(cmd[1]) ? 5 : 5 + (size_t)cmd[4];
		if (cmd_len > len - pos) {
			sw = APDU_SW_WRONG_LENGTH;
			break;
		}
		sw = run_one(&rs, cmd, cmd[4] || p3_is_le(cmd[1]) ? cmd_len : 4, out, &out_len);
		pos += cmd_len;
	}
	uicc_session_free(rs.s);
	LOGP(DRFM, LOGL_INFO, "%u command(s) run, last SW %04X\n", executed, sw);
	reply->data[0] = (uint8_t)executed;
	reply->data[1] = (uint8_t)(sw >> 8);
	reply->data[2] = (uint8_t)sw;
	if (out_len > sizeof(reply->data) - 3)
		out_len = sizeof(reply->data) - 3;
	memcpy(reply->data + 3, out, out_len);
	reply->len = 3 + out_len;
}

void rfm_ota_uicc(struct uicc_card *card, const struct ota_msg *msg, struct ota_reply *reply)
{
	rfm_run(card, msg->data, msg->len, false, reply);
}

void rfm_ota_usim(struct uicc_card *card, const struct ota_msg *msg, struct ota_reply *reply)
{
	rfm_run(card, msg->data, msg->len, true, reply);
}
