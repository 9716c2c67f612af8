/* The APDU entry point: parse, check the class byte, route by instruction, and shape the answer the way a T=0
 * UICC does (case-4 data announced with 61xx and collected by GET RESPONSE, 6Cxx for a wrong Le, 91xx when the
 * toolkit has a proactive command pending). Every input, however malformed, gets a status word. */
#include <string.h>

#include <openssl/crypto.h>

#include <osmocom/core/logging.h>
#include <osmocom/core/utils.h>

#include "uicc/store.h"
#include "uicc/toolkit.h"
#include "card_internal.h"

#define CLA_ISO		    0x00
#define CLA_UICC	    0x80
#define CLA_CHANNEL_MASK    0x03
#define CLA_SM_MASK	    0x0C
#define SW_LOGICAL_CHANNEL  0x6881
#define SW_SECURE_MESSAGING 0x6882
#define SW_NO_DATA	    0x6985 /* GET RESPONSE with nothing to give */

void chan_reset(struct uicc_chan *ch, struct uicc_card *card, bool remote)
{
	memset(ch, 0, sizeof(*ch));
	ch->card = card;
	ch->cur_df = uicc_fs_mf(card->fs);
	ch->remote = remote;
}

uint16_t card_check_access(const struct uicc_chan *ch, enum uicc_acc acc)
{
	switch (acc) {
	case UICC_ACC_ALWAYS:
		return APDU_SW_OK;
	case UICC_ACC_PIN1:
		return ch->remote || uicc_card_pin1_ok(ch->card) ? APDU_SW_OK : APDU_SW_SECURITY_NOT_SATISFIED;
	case UICC_ACC_ADM:
		return ch->remote || ch->card->adm1_verified ? APDU_SW_OK : APDU_SW_SECURITY_NOT_SATISFIED;
	default:
		return APDU_SW_SECURITY_NOT_SATISFIED;
	}
}

void rsp_deliver(const struct apdu *a, struct apdu_rsp *r)
{
	if (r->sw != APDU_SW_OK || !a->has_le || a->le == 256 || a->le == r->len)
		return;
	r->sw = 0x6C00 | (r->len & 0xFF);
	r->len = 0;
}

/* Class byte: ISO (0X) or TS 102 221 (8X) on the basic channel without secure messaging. Returns 9000 or the
 * error SW; *uicc_cla tells which class it was. */
static uint16_t check_cla(uint8_t cla, bool *uicc_cla)
{
	uint8_t base = cla & 0xF0;

	if (base != CLA_ISO && base != CLA_UICC) {
		/* 4X / CX are extended logical channels; everything else (A0 of 2G SIMs included) is unknown here */
		if (base == 0x40 || base == 0xC0)
			return SW_LOGICAL_CHANNEL;
		return APDU_SW_CLA_NOT_SUPPORTED;
	}
	if (cla & CLA_SM_MASK)
		return SW_SECURE_MESSAGING;
	if (cla & CLA_CHANNEL_MASK)
		return SW_LOGICAL_CHANNEL;
	*uicc_cla = base == CLA_UICC;
	return APDU_SW_OK;
}

/* Which class each instruction belongs to: 1 ISO (CLA 0X), 2 TS 102 221 (CLA 8X), 3 either, 0 unknown. */
static int ins_class(uint8_t ins)
{
	switch (ins) {
	case APDU_INS_SELECT:
	case APDU_INS_READ_BINARY:
	case APDU_INS_UPDATE_BINARY:
	case APDU_INS_READ_RECORD:
	case APDU_INS_UPDATE_RECORD:
	case APDU_INS_SEARCH_RECORD:
	case APDU_INS_VERIFY:
	case APDU_INS_CHANGE_PIN:
	case APDU_INS_DISABLE_PIN:
	case APDU_INS_ENABLE_PIN:
	case APDU_INS_UNBLOCK_PIN:
	case APDU_INS_DEACTIVATE_FILE:
	case APDU_INS_ACTIVATE_FILE:
	case APDU_INS_AUTHENTICATE:
	case APDU_INS_MANAGE_CHANNEL:
		return 1;
	case APDU_INS_STATUS:
	case APDU_INS_TERMINAL_PROFILE:
	case APDU_INS_ENVELOPE:
	case APDU_INS_FETCH:
	case APDU_INS_TERMINAL_RESPONSE:
		return 2;
	case APDU_INS_GET_RESPONSE:
		/* TS 102 221 says 0X; Java's smartcardio re-uses the command's class (80 C0 after ENVELOPE) */
		return 3;
	default:
		return 0;
	}
}

static bool remote_allowed(uint8_t ins)
{
	switch (ins) {
	case APDU_INS_AUTHENTICATE:
	case APDU_INS_MANAGE_CHANNEL:
	case APDU_INS_TERMINAL_PROFILE:
	case APDU_INS_ENVELOPE:
	case APDU_INS_FETCH:
	case APDU_INS_TERMINAL_RESPONSE:
		return false;
	default:
		return true;
	}
}

static void get_response(struct uicc_card *card, const struct apdu *a, struct apdu_rsp *r)
{
	size_t n;

	if (a->p1 || a->p2) {
		r->sw = APDU_SW_WRONG_P1P2;
		return;
	}
	if (a->lc) {
		r->sw = APDU_SW_WRONG_LENGTH;
		return;
	}
	if (!card->has_pending) {
		r->sw = SW_NO_DATA;
		return;
	}
	n = card->pending_len;
	if (a->has_le && a->le != 256 && a->le > n) {
		/* the announced length is the only right one: tell it (6Cxx) and keep the data */
		r->sw = 0x6C00 | (n & 0xFF);
		return;
	}
	if (a->has_le && a->le < n)
		n = a->le;
	memcpy(r->data, card->pending, n);
	r->len = n;
	r->secret = card->pending_secret;
	if (n < card->pending_len) {
		memmove(card->pending, card->pending + n, card->pending_len - n);
		card->pending_len -= n;
		r->sw = APDU_SW_BYTES_AVAILABLE(card->pending_len & 0xFF);
		return;
	}
	r->sw = card->pending_sw;
	r->secret = card->pending_secret;
	card->has_pending = false;
	card->pending_len = 0;
}

static void route(struct uicc_chan *ch, const struct apdu *a, struct apdu_rsp *r)
{
	if (a->ins == APDU_INS_GET_RESPONSE) {
		get_response(ch->card, a, r);
		return;
	}
	if (a->ins == APDU_INS_AUTHENTICATE) {
		auth_handle(ch, a, r);
		return;
	}
	if (a->ins == APDU_INS_MANAGE_CHANNEL) {
		r->sw = APDU_SW_FUNC_NOT_SUPPORTED; /* basic channel only */
		return;
	}
	if (dispatch_file_cmd(ch, a, r) || dispatch_pin_cmd(ch, a, r) || dispatch_cat_cmd(ch, a, r))
		return;
	r->sw = APDU_SW_INS_NOT_SUPPORTED;
}

/* Route a parsed command. Returns with r filled. */
static void process(struct uicc_chan *ch, const struct apdu *a, struct apdu_rsp *r)
{
	bool uicc_cla = false;
	int cls;

	r->sw = check_cla(a->cla, &uicc_cla);
	if (r->sw != APDU_SW_OK)
		return;
	cls = ins_class(a->ins);
	if (cls == 0 || (a->ins & 0x01) || (ch->remote && !remote_allowed(a->ins))) {
		r->sw = APDU_SW_INS_NOT_SUPPORTED;
		return;
	}
	if ((cls == 1 && uicc_cla) || (cls == 2 && !uicc_cla)) {
		r->sw = APDU_SW_CLA_NOT_SUPPORTED;
		return;
	}
	if (a->extended) {
		r->sw = APDU_SW_WRONG_LENGTH; /* TS 102 221 cards use short APDUs only */
		return;
	}
	route(ch, a, r);
}

/* T=0 shaping for the terminal: case-4 data waits for GET RESPONSE; a pending proactive command turns 9000 into
 * 91xx. Remote sessions get data and SW as they are. */
static void shape(struct uicc_chan *ch, const struct apdu *a, struct apdu_rsp *r)
{
	struct uicc_card *card = ch->card;
	size_t pending;

	if (ch->remote)
		return;
	if (a->ins != APDU_INS_GET_RESPONSE)
		card->has_pending = false;
	if (r->via_get_response && r->len &&
	    (apdu_sw_is_success(r->sw) || (r->sw >> 8) == 0x62 || (r->sw >> 8) == 0x63)) {
		memcpy(card->pending, r->data, r->len);
		card->pending_len = r->len;
		card->pending_sw = r->sw;
		card->pending_secret = r->secret;
		card->has_pending = true;
		r->sw = (r->sw == APDU_SW_OK || (r->sw >> 8) == 0x91) ? APDU_SW_BYTES_AVAILABLE(r->len & 0xFF) : r->sw;
		r->len = 0;
	}
	/* checked after the command, so the GET RESPONSE that ends a case-4 exchange reports it too */
	pending = uicc_toolkit_pending_len(card);
	if (pending && r->sw == APDU_SW_OK)
		r->sw = APDU_SW_PROACTIVE(pending & 0xFF);
}

static void log_apdu(const struct uicc_card *card, const uint8_t *cmd, size_t len, const uint8_t *rsp, size_t rsp_len)
{
	uint8_t trace[2 * UICC_RSP_MAX + 8];
	size_t n = uicc_card_trace_redact(card, cmd, len, rsp, rsp_len, trace, sizeof(trace));

	LOGP(DAPDU, LOGL_DEBUG, "%s\n", osmo_hexdump_nospc(trace, n));
}

int chan_apdu(struct uicc_chan *ch, const uint8_t *cmd, size_t len, uint8_t *rsp, size_t *rsp_len)
{
	struct uicc_card *card = ch->card;
	struct apdu_rsp r;
	struct apdu a;
	size_t room = *rsp_len;
	uint16_t sw;

	if (room < 2)
		return -1;
	memset(&r, 0, sizeof(r));
	if (uicc_store_failed(card->store))
		r.sw = APDU_SW_TECHNICAL_PROBLEM; /* power was lost mid-write: like a card that needs a reset */
	else if (apdu_parse(cmd, len, &a, NULL) < 0)
		r.sw = APDU_SW_WRONG_LENGTH;
	else {
		process(ch, &a, &r);
		shape(ch, &a, &r);
	}
	if (r.len > room - 2)
		r.len = room - 2;
	memcpy(rsp, r.data, r.len);
	rsp[r.len] = r.sw >> 8;
	rsp[r.len + 1] = r.sw & 0xFF;
	*rsp_len = r.len + 2;
	card->last_rsp_secret = r.secret;
	if (log_check_level(DAPDU, LOGL_DEBUG))
		log_apdu(card, cmd, len, rsp, *rsp_len);
	sw = r.sw;
	OPENSSL_cleanse(&r, sizeof(r));
	return sw;
}

int uicc_card_apdu(struct uicc_card *card, const uint8_t *cmd, size_t len, uint8_t *rsp, size_t *rsp_len)
{
	if (!card->powered)
		return -1;
	return chan_apdu(&card->chan, cmd, len, rsp, rsp_len);
}

struct uicc_session *uicc_card_remote_session(struct uicc_card *card)
{
	struct uicc_session *s = talloc_zero(card, struct uicc_session);

	if (s)
		chan_reset(&s->chan, card, true);
	return s;
}

int uicc_session_apdu(struct uicc_session *s, const uint8_t *cmd, size_t len, uint8_t *rsp, size_t *rsp_len)
{
	return chan_apdu(&s->chan, cmd, len, rsp, rsp_len);
}

void uicc_session_free(struct uicc_session *s)
{
	talloc_free(s);
}
