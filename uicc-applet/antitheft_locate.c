/* Anti-theft commands that act through the terminal: LOCATE (PROVIDE LOCAL INFORMATION location + IMEI, answered
 * by a deferred PoR, specs/antitheft-protocol.md §5), RING (PLAY TONE 30 s - 3 min) and MESSAGE (DISPLAY TEXT +
 * SET UP IDLE MODE TEXT). */
#include <string.h>

#include <osmocom/core/logging.h>
#include <osmocom/core/talloc.h>

#include "uicc/antitheft.h"
#include "uicc/card.h"
#include "uicc/toolkit.h"

#define RING_DEFAULT_S 60
#define RING_MIN_S     30
#define RING_MAX_S     180

/* The IMEI digits of a TERMINAL RESPONSE to PROVIDE LOCAL INFORMATION, "" when it has none. */
void antitheft_tr_imei(const struct cat_answer *ans, char out[16])
{
	struct cat_decoded *d = NULL;
	const struct cat_obj *o;

	out[0] = '\0';
	cat_decode(NULL, ans->tr, ans->tr_len, &d, NULL);
	o = d ? cat_decoded_find(d, CAT_TAG_IMEI, 0) : NULL;
	if (o && o->type == CAT_VAL_IMEI && strlen(o->v.imei) == 15)
		memcpy(out, o->v.imei, 16);
	talloc_free(d);
}

static void locate_finish(struct antitheft *at, struct antitheft_locate *job)
{
	struct ota_reply r;

	memset(&r, 0, sizeof(r));
	antitheft_result(&r, job->has_location ? "OK" : "NL");
	if (job->has_location)
		antitheft_result_tlv(&r, 0x91, job->location, job->location_len);
	if (job->imei[0])
		antitheft_result_tlv(&r, 0x92, job->imei, strlen(job->imei));
	antitheft_result_tlv(&r, 0x94, &job->service, 1);
	if (ota_re_send_por(at->re, &job->origin, r.status, r.data, r.len) < 0)
		LOGP(DAPPLET, LOGL_NOTICE, "LOCATE result could not be sent\n");
	job->active = false;
}

static void locate_answer(struct uicc_card *card, void *arg, const struct cat_answer *ans)
{
	struct antitheft_locate *job = arg;
	struct sg_tlv loc;

	if (ans->dropped || !job->active) {
		job->active = false; /* power went away: the server asks again */
		return;
	}
	if (ans->qualifier == CAT_PLI_LOCATION) {
		job->service = ans->general;
		if (cat_result_is_success(ans->general) &&
		    sg_ctlv_find(ans->tr, ans->tr_len, CAT_TAG_LOCATION_INFO, &loc, NULL) == 1 && loc.len >= 7 &&
		    loc.len <= sizeof(job->location)) {
			memcpy(job->location, loc.val, loc.len);
			job->location_len = loc.len;
			job->has_location = true;
		}
	} else if (cat_result_is_success(ans->general)) {
		antitheft_tr_imei(ans, job->imei);
	}
	if (++job->answers == 2)
		locate_finish(uicc_toolkit_antitheft(card), job);
}

static bool can_return_later(const struct antitheft *at, const struct ota_origin *o)
{
	if (o->dialect == SP_DIALECT_SMS)
		return o->has_oa && cat_engine_supports(at->cat, CAT_CMD_SEND_SHORT_MESSAGE, 0);
	return cat_engine_supports(at->cat, CAT_CMD_SEND_USSD, 0);
}

static int queue_pli(struct antitheft *at, uint8_t what, struct antitheft_locate *job)
{
	struct cat_buf cmd;

	if (cat_build_provide_local_info(&cmd, 1, what, NULL) < 0)
		return -1;
	return cat_engine_queue(at->cat, &cmd, CAT_PRIO_NORMAL, locate_answer, job);
}

int antitheft_cmd_locate(struct antitheft_cmd *c, struct ota_reply *r)
{
	struct antitheft *at = c->at;
	const struct ota_origin *o = &c->msg->origin;
	struct antitheft_locate *job = NULL;

	if (at->st.opted_out)
		return antitheft_result(r, "OO");
	if ((o->hdr.spi[1] & SP_SPI2_POR_MASK) != SP_SPI2_POR_ALWAYS) {
		LOGP(DAPPLET, LOGL_NOTICE, "LOCATE without a PoR request: nothing to return the result in\n");
		return antitheft_result(r, "TU");
	}
	for (size_t i = 0; i < ANTITHEFT_LOCATE_JOBS && !job; i++)
		if (!at->locate[i].active)
			job = &at->locate[i];
	if (!job || !cat_engine_supports(at->cat, CAT_CMD_PROVIDE_LOCAL_INFO, CAT_PLI_LOCATION) ||
	    !can_return_later(at, o) || cat_engine_room(at->cat) < 3)
		return antitheft_result(r, "TU");
	memset(job, 0, sizeof(*job));
	job->active = true;
	job->origin = *o;
	if (queue_pli(at, CAT_PLI_LOCATION, job) < 0 || queue_pli(at, CAT_PLI_IMEI, job) < 0) {
		job->active = false;
		return antitheft_result(r, "TU");
	}
	r->deferred = true;
	return 0;
}

int antitheft_cmd_ring(struct antitheft_cmd *c, struct ota_reply *r)
{
	struct cat_play_tone tone = { .alpha = "Lost phone", .tone = CAT_TONE_RINGING, .vibrate = true,
				      .duration = { .unit = 1, .interval = RING_DEFAULT_S } };
	struct cat_buf cmd;

	if (c->p.has_duration) {
		if (c->p.duration < RING_MIN_S || c->p.duration > RING_MAX_S)
			return antitheft_result(r, "PE");
		tone.duration.interval = (uint8_t)c->p.duration;
	}
	if (c->p.has_tone)
		tone.tone = c->p.tone;
	if (cat_build_play_tone(&cmd, 1, &tone, NULL) < 0)
		return antitheft_result(r, "PE");
	if (cat_engine_queue(c->at->cat, &cmd, CAT_PRIO_NORMAL, NULL, NULL) < 0)
		return antitheft_result(r, "TU");
	return antitheft_result(r, "OK");
}

int antitheft_cmd_message(struct antitheft_cmd *c, struct ota_reply *r)
{
	if (!c->p.message)
		return antitheft_result(r, "PE");
	return antitheft_result(r, antitheft_show_text(c->at, c->p.message) ? "OK" : "TU");
}
