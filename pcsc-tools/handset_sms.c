/* handset-sim's short messages. MT: a class-2 PID 7F (or 7C) SMS is (U)SIM data download — concatenated parts are
 * held until all are there and then handed to the card in order, one ENVELOPE each, as the card reassembles
 * them itself; the PoR the card returns goes back to the sender as MO. Anything else is an ordinary message for
 * the inbox (concatenated texts reassembled). MO: SEND SHORT MESSAGE's SMS-SUBMIT goes out over the SMPP link. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <talloc.h>

#include "pcsct/download.h"
#include "pcsct/handset.h"
#include "pcsct/sms_smpp.h"
#include "simguard/hex.h"

#define DL_TIMEOUT_S 60

static void inbox_path(const struct handset *hs, char *path, size_t size)
{
	snprintf(path, size, "%s/inbox.json", hs->cfg.data_dir);
}

int handset_inbox_load(struct handset *hs)
{
	char path[300];
	json_error_t jerr;
	json_t *j;

	json_decref(hs->inbox);
	hs->inbox = json_array();
	if (!hs->cfg.data_dir[0])
		return 0;
	inbox_path(hs, path, sizeof(path));
	j = json_load_file(path, 0, &jerr);
	if (json_is_array(j)) {
		json_decref(hs->inbox);
		hs->inbox = j;
		return 0;
	}
	json_decref(j);
	return 0;
}

static void inbox_save(struct handset *hs)
{
	char path[300], tmp[310];

	if (!hs->cfg.data_dir[0])
		return;
	inbox_path(hs, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (json_dump_file(hs->inbox, tmp, JSON_INDENT(1)) == 0)
		rename(tmp, path);
}

static void inbox_add(struct handset *hs, const char *from, const char *text, uint8_t pid, uint8_t dcs)
{
	while (json_array_size(hs->inbox) >= HS_INBOX_MAX)
		json_array_remove(hs->inbox, 0);
	json_array_append_new(hs->inbox, json_pack("{s:s,s:s,s:I,s:i,s:i}", "from", from, "text", text, "time",
						   (json_int_t)time(NULL), "pid", pid, "dcs", dcs));
	inbox_save(hs);
	handset_event(hs, "SMS from %s: %s", from, text);
	handset_changed(hs);
}

/* The text of an ordinary SMS as UTF-8 (8-bit data shown as hex). */
static void sms_text(const struct sms_deliver *d, size_t skip_octets, char *out, size_t size)
{
	uint8_t septets[SMS_UD_MAX * 8 / 7 + 1];
	struct sg_error err;
	size_t n, skip;

	if ((d->dcs & 0xC0) == 0x00 && ((d->dcs >> 2) & 0x03) == 0) {
		n = cat_gsm7_unpack(d->ud.ud, d->ud.ud_len, septets, sizeof(septets));
		if (n > d->ud.udl)
			n = d->ud.udl;
		skip = (skip_octets * 8 + 6) / 7; /* the header and its fill bits */
		if (skip > n || cat_gsm_to_utf8(septets + skip, n - skip, out, size, &err) < 0)
			snprintf(out, size, "(undecodable 7-bit text)");
		return;
	}
	if (cat_text_decode_dcs(d->dcs, d->ud.ud + skip_octets, d->ud.ud_len - skip_octets, out, size, &err) == 0)
		return;
	sg_hex_encode(d->ud.ud + skip_octets, d->ud.ud_len - skip_octets, out, size);
}

static void store_ordinary(struct handset *hs, const struct sms_deliver *d)
{
	struct sms_udh h;
	struct sg_error err;
	char text[SMS_UD_MAX * 4 + 1];
	uint8_t *out = NULL;
	size_t out_len;
	enum sms_reasm_result r;

	memset(&h, 0, sizeof(h));
	if (d->udhi && sms_udh_parse(d->ud.ud, d->ud.ud_len, &h, &err) < 0) {
		handset_event(hs, "SMS from %s dropped: %s", d->oa.digits, err.msg);
		return;
	}
	sms_text(d, d->udhi ? h.udh_len : 0, text, sizeof(text));
	if (!h.has_concat) {
		inbox_add(hs, d->oa.digits, text, d->pid, d->dcs);
		return;
	}
	r = sms_reasm_add(hs->reasm, d->oa.digits, h.concat16, h.concat_ref, h.concat_total, h.concat_seq,
			  (const uint8_t *)text, strlen(text), time(NULL), hs->ctx, &out, &out_len, &err);
	if (r == SMS_REASM_COMPLETE) {
		char *whole = talloc_strndup(hs->ctx, (const char *)out, out_len);

		inbox_add(hs, d->oa.digits, whole, d->pid, d->dcs);
		talloc_free(whole);
		talloc_free(out);
	} else if (r == SMS_REASM_ERROR || r == SMS_REASM_FULL) {
		handset_event(hs, "SMS part from %s dropped: %s", d->oa.digits, err.msg);
	}
}

/* Hand one SMS-DELIVER to the card and send what it answers back to the sender. */
static void download(struct handset *hs, const struct sms_deliver *d, const uint8_t *tpdu, size_t len)
{
	struct pcsct_dl_result res;
	struct sg_error err;
	uint8_t report[SMS_TPDU_MAX];
	char hex[2 * SMS_TPDU_MAX + 1];
	size_t rlen;
	bool rp_error;

	if (hs->card_state != HS_CARD_READY && hs->card_state != HS_CARD_PIN_NEEDED) {
		handset_event(hs, "data download from %s not delivered: %s", d->oa.digits,
			      handset_card_state_name(hs->card_state));
		return;
	}
	hs->downloads++;
	if (pcsct_download_sms_pp(hs->card, NULL, tpdu, len, &res, &err) < 0) {
		handset_card_failed(hs, "SMS-PP data download", err.msg);
		return;
	}
	handset_event(hs, "SMS-PP data download from %s: %s (SW %04X, %zu bytes back)", d->oa.digits,
		      pcsct_dl_outcome_name(res.outcome), res.sw, res.len);
	if (pcsct_download_report(&res, d->pid, d->dcs, report, sizeof(report), &rlen, &rp_error, &err) == 0) {
		handset_event(hs, "%s SMS-DELIVER-REPORT %s", rp_error ? "RP-ERROR" : "RP-ACK",
			      sg_hex_encode(report, rlen, hex, sizeof(hex)));
		handset_sgs_report(hs, report, rlen, rp_error);
	}
	/* On the lab route the deliver report's user data reaches the sender as an MO message from this handset;
	 * over SGs it travels in the RP-ACK / RP-ERROR, as on a real network. */
	if (res.len && res.outcome != PCSCT_DL_BUSY && !hs->sgs &&
	    handset_smpp_submit(hs, &d->oa, d->pid, d->dcs, true, res.data, res.len, -1, &err) < 0)
		handset_event(hs, "PoR not sent: %s", err.msg);
	if (res.proactive)
		handset_toolkit_serve(hs, res.proactive_sw);
}

static struct hs_dl_group *dl_group(struct handset *hs, const struct sms_deliver *d, const struct sms_udh *h)
{
	struct hs_dl_group *g, *free_g = NULL;
	int i;

	for (i = 0; i < HS_DL_GROUPS; i++) {
		g = &hs->dl[i];
		if (g->used && g->ref == h->concat_ref && g->is16 == h->concat16 && strcmp(g->from, d->oa.digits) == 0)
			return g->total == h->concat_total ? g : NULL;
		if (!g->used && !free_g)
			free_g = g;
	}
	if (!free_g)
		return NULL;
	memset(free_g, 0, sizeof(*free_g));
	free_g->used = true;
	snprintf(free_g->from, sizeof(free_g->from), "%s", d->oa.digits);
	free_g->ref = h->concat_ref;
	free_g->is16 = h->concat16;
	free_g->total = h->concat_total;
	free_g->first = time(NULL);
	return free_g;
}

static void download_part(struct handset *hs, const struct sms_deliver *d, const struct sms_udh *h, const uint8_t *tpdu,
			  size_t len)
{
	struct hs_dl_group *g = dl_group(hs, d, h);
	struct sms_deliver part;
	struct sg_error err;
	int i;

	if (!g) {
		handset_event(hs, "data download part from %s dropped: no room or inconsistent total", d->oa.digits);
		return;
	}
	if (g->len[h->concat_seq - 1]) {
		handset_event(hs, "data download part %u/%u from %s: duplicate", h->concat_seq, h->concat_total,
			      d->oa.digits);
		return;
	}
	memcpy(g->tpdu[h->concat_seq - 1], tpdu, len);
	g->len[h->concat_seq - 1] = len;
	if (++g->have < g->total) {
		handset_event(hs, "data download part %u/%u from %s held", h->concat_seq, h->concat_total,
			      d->oa.digits);
		return;
	}
	for (i = 0; i < g->total; i++)
		if (sms_deliver_decode(g->tpdu[i], g->len[i], &part, &err) == 0)
			download(hs, &part, g->tpdu[i], g->len[i]);
	g->used = false;
}

/* The network authenticates again at the next radio contact after a data download transaction (SMS or USSD). */
static void reauth_after_download(struct handset *hs)
{
	if (hs->cfg.reauth_after_download && hs->card_state == HS_CARD_READY && !hs->in_session)
		handset_attach(hs);
}

int handset_sms_deliver(struct handset *hs, const uint8_t *tpdu, size_t len, struct sg_error *err)
{
	struct sms_deliver d;
	struct sms_udh h;
	unsigned int before = hs->downloads;

	if (sms_deliver_decode(tpdu, len, &d, err) < 0)
		return -1;
	if (!pcsct_sms_is_data_download(&d)) {
		store_ordinary(hs, &d);
		return 0;
	}
	memset(&h, 0, sizeof(h));
	if (d.udhi && sms_udh_parse(d.ud.ud, d.ud.ud_len, &h, err) < 0)
		return -1;
	if (h.has_concat)
		download_part(hs, &d, &h, tpdu, len);
	else
		download(hs, &d, tpdu, len);
	if (hs->downloads != before)
		reauth_after_download(hs);
	return 0;
}

void handset_sms_expire(struct handset *hs)
{
	time_t now = time(NULL);
	int i;

	for (i = 0; i < HS_DL_GROUPS; i++) {
		if (hs->dl[i].used && now - hs->dl[i].first > DL_TIMEOUT_S) {
			handset_event(hs, "data download from %s: %u of %u parts after %d s, dropped", hs->dl[i].from,
				      hs->dl[i].have, hs->dl[i].total, DL_TIMEOUT_S);
			hs->dl[i].used = false;
		}
	}
	sms_reasm_expire(hs->reasm, now);
}

uint8_t handset_sms_submit(struct handset *hs, const uint8_t *tpdu, size_t len, uint8_t *addl)
{
	struct sms_submit s;
	struct sg_error err;

	if (sms_submit_decode(tpdu, len, &s, &err) < 0) {
		handset_event(hs, "SEND SHORT MESSAGE: not an SMS-SUBMIT: %s", err.msg);
		*addl = 0;
		return CAT_RES_DATA_NOT_UNDERSTOOD;
	}
	if (hs->sgs)
		return handset_sgs_submit(hs, tpdu, len, addl);
	if (handset_smpp_submit(hs, &s.da, s.pid, s.dcs, s.udhi, s.ud.ud, s.ud.ud_len, -1, &err) < 0) {
		handset_event(hs, "SEND SHORT MESSAGE to %s failed: %s", s.da.digits, err.msg);
		*addl = 0x00; /* no specific cause */
		return CAT_RES_NETWORK_UNABLE;
	}
	return CAT_RES_OK;
}

uint8_t handset_ussd_submit(struct handset *hs, uint8_t dcs, const uint8_t *data, size_t len, uint8_t *addl,
			    char *reply, size_t reply_size)
{
	struct sms_addr to = {.ton = 0, .npi = 1};
	struct sg_error err;

	reply[0] = '\0';
	if (!hs->ussd_peer[0]) {
		handset_event(hs, "SEND USSD: no USSD service known to send it to");
		*addl = 0x00;
		return CAT_RES_NETWORK_UNABLE;
	}
	snprintf(to.digits, sizeof(to.digits), "%s", hs->ussd_peer);
	/* a mobile-initiated request: PSSR indication (SMPP 3.4 ussd_service_op 1) */
	if (handset_smpp_submit(hs, &to, 0, dcs, false, data, len, 1, &err) < 0) {
		handset_event(hs, "SEND USSD failed: %s", err.msg);
		*addl = 0x00;
		return CAT_RES_NETWORK_UNABLE;
	}
	return CAT_RES_OK;
}

int handset_ussd_deliver(struct handset *hs, const char *from, int ussd_op, uint8_t dcs, const uint8_t *data,
			 size_t len, struct sg_error *err)
{
	struct pcsct_dl_result res;
	struct sms_addr to = {.ton = 0, .npi = 1};

	snprintf(hs->ussd_peer, sizeof(hs->ussd_peer), "%s", from);
	if (!sms_dcs_is_class2_8bit(dcs)) {
		handset_event(hs, "USSD from %s (DCS %02X, %zu bytes) is not for the card", from, dcs, len);
		return 0;
	}
	if (hs->card_state != HS_CARD_READY)
		return sg_err(err, "USSD data download: %s", handset_card_state_name(hs->card_state));
	if (pcsct_download_ussd(hs->card, dcs, data, len, &res, err) < 0) {
		handset_card_failed(hs, "USSD data download", err->msg);
		return -1;
	}
	hs->downloads++;
	handset_event(hs, "USSD data download from %s: %s (SW %04X, %zu bytes back)", from,
		      pcsct_dl_outcome_name(res.outcome), res.sw, res.len);
	snprintf(to.digits, sizeof(to.digits), "%s", from);
	/* The answer to a network-initiated request is its confirm (request op + 16, as SMPP 3.4 numbers them). */
	if (handset_smpp_submit(hs, &to, 0, dcs, false, res.data, res.len,
				ussd_op >= 0 && ussd_op < 16 ? ussd_op + 16 : 18, err) < 0)
		handset_event(hs, "USSD answer not sent: %s", err->msg);
	if (res.proactive)
		handset_toolkit_serve(hs, res.proactive_sw);
	reauth_after_download(hs);
	return 0;
}
