/* The PC/SC route (like pySim-smpp2sim): an SMS for the route's card goes straight into the card in a PC/SC reader
 * as ENVELOPE(SMS-PP DATA DOWNLOAD) (TS 31.111 / 102 223, tag D1); response data (the PoR of an SMS-DELIVER-REPORT)
 * comes back to the ESME as an MO deliver_sm, and so does a proactive SEND SHORT MESSAGE the card issues (PoR by
 * SMS-SUBMIT), answered with a TERMINAL RESPONSE. libpcsclite directly; card I/O is synchronous (a lab route). */
#include <string.h>

#include <PCSC/winscard.h>
#include <osmocom/core/logging.h>
#include <osmocom/core/talloc.h>
#include <osmocom/core/utils.h>

#include <smpp34.h>

#include "simguard/tlv.h"
#include "smsgw/gw.h"

#define SW(r, n) ((uint16_t)((r)[(n)-2] << 8 | (r)[(n)-1]))
#define MAX_PROACTIVE 8 /* proactive commands served per envelope before giving up */

struct gw_pcsc {
	SCARDCONTEXT ctx;
	SCARDHANDLE card;
	DWORD proto;
	bool have_ctx, connected;
};

static void card_drop(struct gw_route *r)
{
	if (r->pcsc && r->pcsc->connected)
		SCardDisconnect(r->pcsc->card, SCARD_RESET_CARD);
	if (r->pcsc)
		r->pcsc->connected = false;
}

/* One APDU; returns the response length (data + SW) or -1. */
static long transmit(struct gw_route *r, const uint8_t *apdu, size_t len, uint8_t *rsp, size_t rsp_size)
{
	struct gw_pcsc *p = r->pcsc;
	DWORD rlen = (DWORD)rsp_size;
	const SCARD_IO_REQUEST *pci = p->proto == SCARD_PROTOCOL_T1 ? SCARD_PCI_T1 : SCARD_PCI_T0;
	LONG rc = SCardTransmit(p->card, pci, apdu, (DWORD)len, NULL, rsp, &rlen);

	if (rc != SCARD_S_SUCCESS || rlen < 2) {
		LOGP(DROUTE, LOGL_ERROR, "%s: SCardTransmit: %s\n", r->name, pcsc_stringify_error(rc));
		card_drop(r);
		return -1;
	}
	return (long)rlen;
}

static int card_connect(struct gw_route *r)
{
	struct gw_pcsc *p = r->pcsc;
	uint8_t apdu[5 + 32], rsp[258];
	long n;
	LONG rc;

	if (!p)
		p = r->pcsc = talloc_zero(r, struct gw_pcsc);
	if (p->connected)
		return 0;
	if (!p->have_ctx) {
		rc = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &p->ctx);
		if (rc != SCARD_S_SUCCESS) {
			LOGP(DROUTE, LOGL_ERROR, "%s: no PC/SC: %s\n", r->name, pcsc_stringify_error(rc));
			return -1;
		}
		p->have_ctx = true;
	}
	rc = SCardConnect(p->ctx, r->reader, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &p->card,
			  &p->proto);
	if (rc != SCARD_S_SUCCESS) {
		LOGP(DROUTE, LOGL_NOTICE, "%s: reader '%s': %s\n", r->name, r->reader, pcsc_stringify_error(rc));
		return -1;
	}
	p->connected = true;
	/* a card only issues proactive commands the terminal announced */
	memcpy(apdu, "\x80\x10\x00\x00", 4);
	apdu[4] = (uint8_t)r->profile_len;
	memcpy(apdu + 5, r->profile, r->profile_len);
	n = transmit(r, apdu, 5 + r->profile_len, rsp, sizeof(rsp));
	if (n < 0)
		return -1;
	LOGP(DROUTE, LOGL_NOTICE, "%s: card in '%s' connected, TERMINAL PROFILE -> %04X\n", r->name, r->reader,
	     SW(rsp, n));
	return 0;
}

/* D1 ‖ 82 02 83 81 ‖ [06 SC address] ‖ 8B SMS-DELIVER */
static size_t build_envelope(const struct gw_route *r, const uint8_t *tpdu, size_t tlen, uint8_t *apdu)
{
	uint8_t body[300];
	size_t n = 0, a = 0;

	memcpy(body + n, "\x82\x02\x83\x81", 4);
	n += 4;
	if (r->sc_addr_len) {
		body[n++] = 0x06;
		body[n++] = (uint8_t)r->sc_addr_len;
		memcpy(body + n, r->sc_addr, r->sc_addr_len);
		n += r->sc_addr_len;
	}
	body[n++] = 0x8b;
	if (tlen > 127)
		body[n++] = 0x81;
	body[n++] = (uint8_t)tlen;
	memcpy(body + n, tpdu, tlen);
	n += tlen;
	memcpy(apdu, "\x80\xc2\x00\x00", 4);
	a = 5;
	apdu[a++] = 0xd1;
	if (n > 127)
		apdu[a++] = 0x81;
	apdu[a++] = (uint8_t)n;
	memcpy(apdu + a, body, n);
	a += n;
	apdu[4] = (uint8_t)(a - 5);
	return a;
}

/* An MO for the ESME: from the card's number to the sender of the MT. */
static void queue_mo(struct gw *gw, struct gw_route *r, const struct gw_msg *mt, const char *dst, uint8_t dst_ton,
		     uint8_t dst_npi, const uint8_t *ud, size_t len)
{
	struct smpp_sm *mo = talloc(gw, struct smpp_sm);
	char msgid[24];
	uint32_t st;

	smpp_sm_init(mo);
	snprintf(mo->src, sizeof(mo->src), "%s", mt->sm->dst);
	mo->src_ton = mt->sm->dst_ton;
	mo->src_npi = mt->sm->dst_npi;
	snprintf(mo->dst, sizeof(mo->dst), "%s", dst);
	mo->dst_ton = dst_ton;
	mo->dst_npi = dst_npi;
	mo->esm_class = SMPP34_UDHI_IND;
	mo->pid = SMS_PID_SIM_DATA_DOWNLOAD;
	mo->dcs = SMS_DCS_8BIT_CLASS2;
	memcpy(mo->ud, ud, OSMO_MIN(len, sizeof(mo->ud)));
	mo->ud_len = OSMO_MIN(len, sizeof(mo->ud));
	st = gw_accept(gw, r->name, mo, msgid, sizeof(msgid));
	LOGP(DROUTE, LOGL_INFO, "%s: MO %s -> %s (%zu bytes): %s\n", r->name, mo->src, mo->dst, len,
	     smpp_status_name(st));
	talloc_free(mo);
}

/* FETCH one proactive command; serve SEND SHORT MESSAGE, refuse the rest. Returns the SW after the TERMINAL
 * RESPONSE, or -1. */
static long serve_proactive(struct gw *gw, struct gw_route *r, const struct gw_msg *mt, uint8_t len)
{
	uint8_t apdu[32], rsp[260], tr[32];
	struct sg_tlv t, det;
	struct sms_submit s;
	struct sg_error err;
	uint8_t result = 0x00;
	long n;

	memcpy(apdu, "\x80\x12\x00\x00", 4);
	apdu[4] = len;
	n = transmit(r, apdu, 5, rsp, sizeof(rsp));
	if (n < 2 || rsp[0] != 0xd0)
		return -1;
	if (sg_ctlv_find(rsp + 2 + (rsp[1] == 0x81), (size_t)n - 4 - (rsp[1] == 0x81), 0x01, &det, &err) != 1 ||
	    det.len < 3)
		return -1;
	if (det.val[1] == 0x13 &&
	    sg_ctlv_find(rsp + 2 + (rsp[1] == 0x81), (size_t)n - 4 - (rsp[1] == 0x81), 0x0b, &t, &err) == 1 &&
	    sms_submit_decode(t.val, t.len, &s, &err) == 0) {
		queue_mo(gw, r, mt, s.da.digits, s.da.ton, s.da.npi, s.ud.ud, s.ud.ud_len);
	} else {
		LOGP(DROUTE, LOGL_NOTICE, "%s: proactive command type 0x%02X not served\n", r->name, det.val[1]);
		result = 0x30; /* command beyond terminal's capabilities */
	}
	/* TERMINAL RESPONSE: command details as received, device ids ME -> UICC, result */
	memcpy(tr, "\x80\x14\x00\x00\x0c\x81\x03", 7);
	memcpy(tr + 7, det.val, 3);
	memcpy(tr + 10, "\x82\x02\x82\x81\x83\x01", 6);
	tr[16] = result;
	n = transmit(r, tr, 17, rsp, sizeof(rsp));
	return n < 2 ? -1 : SW(rsp, n);
}

/* Deliver one message to the card. Returns the SMPP status to settle it with. */
uint32_t gw_pcsc_deliver(struct gw *gw, struct gw_route *r, struct gw_msg *m)
{
	struct sms_deliver d = { .oa.ton = m->sm->src_ton, .oa.npi = m->sm->src_npi, .pid = m->sm->pid,
				 .dcs = m->sm->dcs, .udhi = m->sm->esm_class & SMPP34_UDHI_IND };
	uint8_t tpdu[SMS_TPDU_MAX], apdu[300], rsp[260];
	struct sg_error err;
	size_t tlen;
	long n;
	uint16_t sw;

	snprintf(d.oa.digits, sizeof(d.oa.digits), "%s", m->sm->src);
	sms_scts_from_time(time(NULL), d.scts);
	if (sms_ud_set_octets(&d.ud, m->sm->ud, m->sm->ud_len, &err) < 0 ||
	    sms_deliver_encode(&d, tpdu, sizeof(tpdu), &tlen, &err) < 0) {
		LOGP(DROUTE, LOGL_ERROR, "%s: message %lld: %s\n", r->name, (long long)m->id, err.msg);
		return ESME_RSUBMITFAIL;
	}
	if (card_connect(r) < 0)
		return ESME_RX_T_APPN;
	n = transmit(r, apdu, build_envelope(r, tpdu, tlen, apdu), rsp, sizeof(rsp));
	if (n < 0)
		return ESME_RX_T_APPN;
	sw = SW(rsp, n);
	LOGP(DROUTE, LOGL_INFO, "%s: message %lld: ENVELOPE(SMS-PP DOWNLOAD) -> %04X\n", r->name, (long long)m->id, sw);
	/* response data ready (61xx UICC, 9Fxx SIM) or a data-download error with data (62xx/63xx, 9Exx) */
	if ((sw >> 8) == 0x61 || (sw >> 8) == 0x9f || (sw >> 8) == 0x9e || sw == 0x62f3 || sw == 0x63f1) {
		uint8_t gr[5] = { 0x80, 0xc0, 0x00, 0x00, (uint8_t)sw };

		if ((sw >> 8) == 0x62 || (sw >> 8) == 0x63)
			gr[4] = 0;
		n = transmit(r, gr, 5, rsp, sizeof(rsp));
		if (n < 0)
			return ESME_RX_T_APPN;
		if (n > 2)
			queue_mo(gw, r, m, m->sm->src, m->sm->src_ton, m->sm->src_npi, rsp, (size_t)n - 2);
		sw = SW(rsp, n);
	}
	for (int i = 0; i < MAX_PROACTIVE && (sw >> 8) == 0x91; i++) {
		long s = serve_proactive(gw, r, m, (uint8_t)sw);

		if (s < 0)
			return ESME_RX_T_APPN;
		sw = (uint16_t)s;
	}
	if (sw == 0x9300)
		return ESME_RX_T_APPN; /* toolkit busy: retry later */
	if (sw == 0x9000 || (sw >> 8) == 0x91)
		return ESME_ROK;
	LOGP(DROUTE, LOGL_NOTICE, "%s: message %lld: card answered %04X\n", r->name, (long long)m->id, sw);
	return ESME_RSUBMITFAIL;
}

void gw_pcsc_close(struct gw_route *r)
{
	card_drop(r);
	if (r->pcsc && r->pcsc->have_ctx)
		SCardReleaseContext(r->pcsc->ctx);
}
