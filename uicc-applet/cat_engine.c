/* The card's CAT engine: terminal profile, the queue of proactive commands, FETCH and TERMINAL RESPONSE matching
 * (uicc/cat_engine.h). Support checks use the TERMINAL PROFILE bits of TS 102 223 clause 5.2 as tabled in
 * ../shared/reference/cat-proactive.md §9. */
#include <string.h>

#include <osmocom/core/logging.h>
#include <osmocom/core/talloc.h>

#include "simguard/apdu.h"
#include "simguard/tlv.h"
#include "uicc/card.h"
#include "uicc/cat_engine.h"

struct cat_entry {
	struct cat_buf cmd;
	size_t details; /* offset of the command number */
	enum cat_prio prio;
	cat_answer_cb cb;
	void *arg;
};

struct cat_engine {
	struct uicc_card *card;
	uint8_t profile[CAT_TERMINAL_PROFILE_MAX];
	size_t profile_len;
	bool has_profile;
	/* queue[0] is pending (fetched = false) or outstanding (fetched = true) */
	struct cat_entry queue[CAT_ENGINE_QUEUE_MAX];
	size_t n;
	bool announced; /* the terminal was told about queue[0] (91xx) */
	bool fetched;
	uint8_t next_number;
};

struct cat_engine *cat_engine_alloc(void *ctx, struct uicc_card *card)
{
	struct cat_engine *e = talloc_zero(ctx, struct cat_engine);

	if (e) {
		e->card = card;
		e->next_number = 1;
	}
	return e;
}

/* Take the head off the queue and tell its owner. The owner may queue again from the callback. */
static void pop_head(struct cat_engine *e, const struct cat_answer *ans)
{
	struct cat_entry head = e->queue[0];

	memmove(&e->queue[0], &e->queue[1], (e->n - 1) * sizeof(e->queue[0]));
	e->n--;
	e->fetched = false;
	e->announced = false;
	if (head.cb)
		head.cb(e->card, head.arg, ans);
	if (!e->n)
		e->next_number = 1; /* nothing follows: the proactive session is over */
}

void cat_engine_reset(struct cat_engine *e)
{
	const struct cat_answer dropped = { .dropped = true };

	e->has_profile = false;
	e->profile_len = 0;
	memset(e->profile, 0, sizeof(e->profile));
	while (e->n)
		pop_head(e, &dropped);
	e->next_number = 1;
}

void cat_engine_set_profile(struct cat_engine *e, const uint8_t *profile, size_t len)
{
	if (len > sizeof(e->profile))
		len = sizeof(e->profile);
	memset(e->profile, 0, sizeof(e->profile));
	memcpy(e->profile, profile, len);
	e->profile_len = len;
	e->has_profile = true;
}

bool cat_engine_has_profile(const struct cat_engine *e)
{
	return e->has_profile;
}

bool cat_engine_profile_bit(const struct cat_engine *e, unsigned int byte, uint8_t mask)
{
	if (!e->has_profile || byte < 1 || byte > e->profile_len)
		return false;
	return (e->profile[byte - 1] & mask) == mask;
}

/* Terminal profile byte and bit of a proactive command; false when we do not know one. */
static bool cmd_bit(uint8_t type, uint8_t qualifier, unsigned int *byte, uint8_t *mask)
{
	static const struct {
		uint8_t type;
		uint8_t byte, mask;
	} bits[] = {
		{ CAT_CMD_REFRESH, 3, 0x80 },		 { CAT_CMD_MORE_TIME, 3, 0x08 },
		{ CAT_CMD_POLL_INTERVAL, 3, 0x20 },	 { CAT_CMD_POLLING_OFF, 3, 0x40 },
		{ CAT_CMD_SET_UP_EVENT_LIST, 5, 0x01 },	 { CAT_CMD_SET_UP_CALL, 4, 0x10 },
		{ CAT_CMD_SEND_SS, 4, 0x04 },		 { CAT_CMD_SEND_USSD, 4, 0x08 },
		{ CAT_CMD_SEND_SHORT_MESSAGE, 4, 0x02 }, { CAT_CMD_PLAY_TONE, 3, 0x10 },
		{ CAT_CMD_DISPLAY_TEXT, 3, 0x01 },	 { CAT_CMD_GET_INKEY, 3, 0x02 },
		{ CAT_CMD_GET_INPUT, 3, 0x04 },		 { CAT_CMD_SELECT_ITEM, 4, 0x01 },
		{ CAT_CMD_SET_UP_MENU, 4, 0x20 },	 { CAT_CMD_SET_UP_IDLE_MODE_TEXT, 8, 0x10 },
		{ CAT_CMD_RUN_AT_COMMAND, 8, 0x20 },
	};

	if (type == CAT_CMD_PROVIDE_LOCAL_INFO) {
		if (qualifier == CAT_PLI_LOCATION || qualifier == CAT_PLI_IMEI)
			*byte = 4, *mask = 0x40;
		else if (qualifier == CAT_PLI_NMR)
			*byte = 4, *mask = 0x80;
		else if (qualifier == CAT_PLI_DATETIME)
			*byte = 8, *mask = 0x04;
		else
			return false;
		return true;
	}
	if (type == CAT_CMD_TIMER_MANAGEMENT) {
		*byte = 8;
		*mask = (qualifier & 0x03) == CAT_TIMER_GET_VALUE ? 0x02 : 0x01;
		return true;
	}
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		if (bits[i].type == type) {
			*byte = bits[i].byte;
			*mask = bits[i].mask;
			return true;
		}
	}
	return false;
}

bool cat_engine_supports(const struct cat_engine *e, uint8_t type, uint8_t qualifier)
{
	unsigned int byte;
	uint8_t mask;

	return cmd_bit(type, qualifier, &byte, &mask) && cat_engine_profile_bit(e, byte, mask);
}

bool cat_engine_supports_event(const struct cat_engine *e, uint8_t event)
{
	/* events 00..06 are byte 5 bits 2..8, 07..0A byte 6 bits 1..4 */
	if (!cat_engine_supports(e, CAT_CMD_SET_UP_EVENT_LIST, 0))
		return false;
	if (event <= CAT_EVT_CARD_READER_STATUS)
		return cat_engine_profile_bit(e, 5, (uint8_t)(0x02 << event));
	if (event <= CAT_EVT_CHANNEL_STATUS)
		return cat_engine_profile_bit(e, 6, (uint8_t)(0x01 << (event - CAT_EVT_LANGUAGE_SELECTION)));
	return false;
}

/* Where the command details' number byte is, after checking that cmd is one D0 template starting with them. */
static int details_offset(const struct cat_buf *cmd, uint8_t *type, uint8_t *qualifier)
{
	struct sg_tlv_reader r;
	struct sg_tlv t;
	size_t off;

	sg_tlv_reader_init(&r, cmd->data, cmd->len);
	if (sg_ber_tlv_next(&r, &t, NULL) != 1 || t.tag != CAT_BER_PROACTIVE || r.pos != cmd->len || t.len < 5)
		return -1;
	off = (size_t)(t.val - cmd->data);
	if ((cmd->data[off] & 0x7F) != CAT_TAG_COMMAND_DETAILS || cmd->data[off + 1] != 3)
		return -1;
	*type = cmd->data[off + 3];
	*qualifier = cmd->data[off + 4];
	return (int)off + 2;
}

int cat_engine_queue(struct cat_engine *e, const struct cat_buf *cmd, enum cat_prio prio, cat_answer_cb cb,
		     void *arg)
{
	uint8_t type, qualifier;
	int off = details_offset(cmd, &type, &qualifier);
	size_t pos, first;

	if (off < 0 || !cat_engine_supports(e, type, qualifier) || e->n >= CAT_ENGINE_QUEUE_MAX)
		return -1;
	/* the head keeps its place once the terminal saw its 91xx or fetched it */
	first = e->n && (e->announced || e->fetched) ? 1 : 0;
	pos = e->n;
	while (pos > first && e->queue[pos - 1].prio < prio)
		pos--;
	memmove(&e->queue[pos + 1], &e->queue[pos], (e->n - pos) * sizeof(e->queue[0]));
	e->queue[pos] = (struct cat_entry){ .cmd = *cmd, .details = (size_t)off, .prio = prio, .cb = cb, .arg = arg };
	e->n++;
	LOGP(DCAT, LOGL_DEBUG, "queued %s (%zu waiting)\n", cat_cmd_type_name(type), e->n);
	return 0;
}

size_t cat_engine_room(const struct cat_engine *e)
{
	return CAT_ENGINE_QUEUE_MAX - e->n;
}

size_t cat_engine_queued(const struct cat_engine *e)
{
	return e->n;
}

size_t cat_engine_pending_len(struct cat_engine *e)
{
	if (!e->n || e->fetched)
		return 0;
	e->announced = true;
	return e->queue[0].cmd.len;
}

uint16_t cat_engine_fetch(struct cat_engine *e, uint8_t *rsp, size_t *rsp_len)
{
	struct cat_entry *head = &e->queue[0];

	if (!cat_engine_pending_len(e)) {
		*rsp_len = 0;
		return APDU_SW_TECHNICAL_PROBLEM;
	}
	/* numbered now, so numbers follow the order the terminal sees the commands in */
	head->cmd.data[head->details] = e->next_number;
	e->next_number = e->next_number >= 0xFE ? 1 : e->next_number + 1;
	memcpy(rsp, head->cmd.data, head->cmd.len);
	*rsp_len = head->cmd.len;
	e->fetched = true;
	LOGP(DCAT, LOGL_DEBUG, "fetched %s number %u\n", cat_cmd_type_name(head->cmd.data[head->details + 1]),
	     head->cmd.data[head->details]);
	return APDU_SW_OK;
}

/* The command details, device identities and result of a TERMINAL RESPONSE. */
static int read_tr(const uint8_t *data, size_t len, struct sg_tlv *details, struct sg_tlv *devs,
		   struct sg_tlv *result)
{
	struct sg_tlv_reader r;
	struct sg_tlv t;
	int rc;

	memset(details, 0, sizeof(*details));
	memset(devs, 0, sizeof(*devs));
	memset(result, 0, sizeof(*result));
	sg_tlv_reader_init(&r, data, len);
	while ((rc = sg_ctlv_next(&r, &t, NULL)) == 1) {
		if (t.tag == CAT_TAG_COMMAND_DETAILS && !details->val)
			*details = t;
		else if (t.tag == CAT_TAG_DEVICE_IDS && !devs->val)
			*devs = t;
		else if (t.tag == CAT_TAG_RESULT && !result->val)
			*result = t;
	}
	if (rc < 0 || !details->val || details->len != 3 || !result->val || result->len < 1)
		return -1;
	if (devs->val && (devs->len != 2 || devs->val[0] != CAT_DEV_TERMINAL || devs->val[1] != CAT_DEV_UICC))
		return -1;
	return 0;
}

uint16_t cat_engine_terminal_response(struct cat_engine *e, const uint8_t *data, size_t len)
{
	struct sg_tlv details, devs, result;
	const uint8_t *sent;
	struct cat_answer ans;

	if (!e->n || !e->fetched)
		return APDU_SW_CONDITIONS_NOT_SATISFIED;
	sent = &e->queue[0].cmd.data[e->queue[0].details];
	if (read_tr(data, len, &details, &devs, &result) < 0 || memcmp(details.val, sent, 3) != 0) {
		LOGP(DCAT, LOGL_NOTICE, "TERMINAL RESPONSE does not answer %s number %u\n",
		     cat_cmd_type_name(sent[1]), sent[0]);
		return APDU_SW_WRONG_DATA;
	}
	ans = (struct cat_answer){ .type = sent[1], .qualifier = sent[2], .general = result.val[0],
				   .addl = result.val + 1, .addl_len = result.len - 1, .tr = data, .tr_len = len };
	LOGP(DCAT, LOGL_DEBUG, "%s answered %02X (%s)\n", cat_cmd_type_name(ans.type), ans.general,
	     cat_result_name(ans.general));
	pop_head(e, &ans);
	return APDU_SW_OK;
}
