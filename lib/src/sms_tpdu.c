/* SMS-DELIVER, SMS-SUBMIT and SMS-DELIVER-REPORT encoders and decoders (TS 23.040 9.2.2). Decoders check every
 * length field against the bytes present, and a user data header against TP-UDL, so a TPDU that lies about a
 * length is rejected with a message naming the field. */
#include <string.h>

#include "simguard/sms_tpdu.h"

#define MTI_DELIVER 0x00
#define MTI_SUBMIT 0x01

#define FO_MMS 0x04 /* DELIVER: set = no more messages */
#define FO_LP 0x08
#define FO_RD 0x04 /* SUBMIT */
#define FO_VPF_SHIFT 3
#define FO_SRI 0x20 /* DELIVER; SRR in SUBMIT */
#define FO_UDHI 0x40
#define FO_RP 0x80

#define PI_PID 0x01
#define PI_DCS 0x02
#define PI_UDL 0x04
#define PI_EXT 0x80

/* A bounded writer so every encoder checks room the same way. */
struct wbuf {
	uint8_t *p;
	size_t size, pos;
	bool overflow;
};

static void put(struct wbuf *w, const uint8_t *d, size_t n)
{
	if (w->overflow || w->size - w->pos < n) {
		w->overflow = true;
		return;
	}
	memcpy(w->p + w->pos, d, n);
	w->pos += n;
}

static void put1(struct wbuf *w, uint8_t b)
{
	put(w, &b, 1);
}

static int put_addr(struct wbuf *w, const struct sms_addr *a, const char *what, struct sg_error *err)
{
	uint8_t tmp[12];
	int n = sms_addr_encode(a, tmp, sizeof(tmp), what, err);

	if (n < 0)
		return -1;
	put(w, tmp, (size_t)n);
	return 0;
}

static int put_ud(struct wbuf *w, uint8_t dcs, const struct sms_ud *ud, struct sg_error *err)
{
	int octets = sms_ud_octets(dcs, ud->udl);

	if (octets < 0)
		return sg_err(err, "tp-dcs: 0x%02X has a reserved alphabet", dcs);
	if ((size_t)octets != ud->ud_len)
		return sg_err(err, "tp-udl: %u needs %d octets of user data, %zu given", ud->udl, octets, ud->ud_len);
	if (ud->ud_len > SMS_UD_MAX)
		return sg_err(err, "tp-ud: %zu octets exceed %d", ud->ud_len, SMS_UD_MAX);
	put1(w, ud->udl);
	put(w, ud->ud, ud->ud_len);
	return 0;
}

static int finish(struct wbuf *w, size_t *out_len, const char *what, struct sg_error *err)
{
	if (w->overflow)
		return sg_err(err, "%s: output buffer of %zu bytes too small", what, w->size);
	*out_len = w->pos;
	return 0;
}

/* Reads TP-UDL and TP-UD at buf[*pos]; the user data must end exactly at len. */
static int get_ud(const uint8_t *buf, size_t len, size_t pos, uint8_t dcs, bool udhi, struct sms_ud *ud,
		  struct sg_error *err)
{
	int octets;

	if (pos >= len)
		return sg_err(err, "tp-udl: missing (TPDU ends at byte %zu)", pos);
	ud->udl = buf[pos++];
	octets = sms_ud_octets(dcs, ud->udl);
	if (octets < 0)
		return sg_err(err, "tp-dcs: 0x%02X has a reserved alphabet", dcs);
	if (octets > SMS_UD_MAX)
		return sg_err(err, "tp-udl: %u means %d octets, more than %d", ud->udl, octets, SMS_UD_MAX);
	if (len - pos < (size_t)octets)
		return sg_err(err, "tp-udl: %u claims %d octets, only %zu present", ud->udl, octets, len - pos);
	if (len - pos > (size_t)octets)
		return sg_err(err, "tp-ud: %zu bytes after the %d octets TP-UDL announces", len - pos - octets, octets);
	memcpy(ud->ud, buf + pos, (size_t)octets);
	ud->ud_len = (size_t)octets;
	if (udhi) {
		struct sms_udh h;

		if (octets == 0)
			return sg_err(err, "tp-udhi set but the user data is empty");
		if (sms_udh_parse(ud->ud, ud->ud_len, &h, err) < 0)
			return -1;
	}
	return 0;
}

int sms_deliver_encode(const struct sms_deliver *d, uint8_t *out, size_t out_size, size_t *out_len,
		       struct sg_error *err)
{
	struct wbuf w = { .p = out, .size = out_size };
	uint8_t fo = MTI_DELIVER;

	fo |= d->more_msgs ? 0 : FO_MMS;
	fo |= d->loop_prevention ? FO_LP : 0;
	fo |= d->status_report ? FO_SRI : 0;
	fo |= d->udhi ? FO_UDHI : 0;
	fo |= d->reply_path ? FO_RP : 0;
	put1(&w, fo);
	if (put_addr(&w, &d->oa, "tp-oa", err) < 0)
		return -1;
	put1(&w, d->pid);
	put1(&w, d->dcs);
	put(&w, d->scts, 7);
	if (put_ud(&w, d->dcs, &d->ud, err) < 0)
		return -1;
	return finish(&w, out_len, "sms-deliver", err);
}

int sms_deliver_decode(const uint8_t *buf, size_t len, struct sms_deliver *d, struct sg_error *err)
{
	size_t pos = 1;
	int n;

	memset(d, 0, sizeof(*d));
	if (len < 1)
		return sg_err(err, "sms-deliver: empty");
	if ((buf[0] & 0x03) != MTI_DELIVER)
		return sg_err(err, "sms-deliver: TP-MTI %u is not SMS-DELIVER", buf[0] & 0x03);
	d->more_msgs = !(buf[0] & FO_MMS);
	d->loop_prevention = buf[0] & FO_LP;
	d->status_report = buf[0] & FO_SRI;
	d->udhi = buf[0] & FO_UDHI;
	d->reply_path = buf[0] & FO_RP;
	n = sms_addr_decode(buf + pos, len - pos, &d->oa, "tp-oa", err);
	if (n < 0)
		return -1;
	pos += (size_t)n;
	if (len - pos < 9)
		return sg_err(err, "sms-deliver: truncated after TP-OA (need PID, DCS, SCTS)");
	d->pid = buf[pos++];
	d->dcs = buf[pos++];
	memcpy(d->scts, buf + pos, 7);
	pos += 7;
	return get_ud(buf, len, pos, d->dcs, d->udhi, &d->ud, err);
}

static size_t vp_len(enum sms_vpf vpf)
{
	switch (vpf) {
	case SMS_VPF_RELATIVE:
		return 1;
	case SMS_VPF_ENHANCED:
	case SMS_VPF_ABSOLUTE:
		return 7;
	default:
		return 0;
	}
}

int sms_submit_encode(const struct sms_submit *s, uint8_t *out, size_t out_size, size_t *out_len,
		      struct sg_error *err)
{
	struct wbuf w = { .p = out, .size = out_size };
	uint8_t fo = MTI_SUBMIT;

	if ((unsigned int)s->vpf > SMS_VPF_ABSOLUTE)
		return sg_err(err, "tp-vpf: %u out of range", (unsigned int)s->vpf);
	fo |= s->reject_duplicates ? FO_RD : 0;
	fo |= (uint8_t)(s->vpf << FO_VPF_SHIFT);
	fo |= s->status_report_req ? FO_SRI : 0;
	fo |= s->udhi ? FO_UDHI : 0;
	fo |= s->reply_path ? FO_RP : 0;
	put1(&w, fo);
	put1(&w, s->mr);
	if (put_addr(&w, &s->da, "tp-da", err) < 0)
		return -1;
	put1(&w, s->pid);
	put1(&w, s->dcs);
	put(&w, s->vp, vp_len(s->vpf));
	if (put_ud(&w, s->dcs, &s->ud, err) < 0)
		return -1;
	return finish(&w, out_len, "sms-submit", err);
}

int sms_submit_decode(const uint8_t *buf, size_t len, struct sms_submit *s, struct sg_error *err)
{
	size_t pos = 2, vpl;
	int n;

	memset(s, 0, sizeof(*s));
	if (len < 2)
		return sg_err(err, "sms-submit: truncated (need first octet and TP-MR)");
	if ((buf[0] & 0x03) != MTI_SUBMIT)
		return sg_err(err, "sms-submit: TP-MTI %u is not SMS-SUBMIT", buf[0] & 0x03);
	s->reject_duplicates = buf[0] & FO_RD;
	s->vpf = (enum sms_vpf)((buf[0] >> FO_VPF_SHIFT) & 0x03);
	s->status_report_req = buf[0] & FO_SRI;
	s->udhi = buf[0] & FO_UDHI;
	s->reply_path = buf[0] & FO_RP;
	s->mr = buf[1];
	n = sms_addr_decode(buf + pos, len - pos, &s->da, "tp-da", err);
	if (n < 0)
		return -1;
	pos += (size_t)n;
	vpl = vp_len(s->vpf);
	if (len - pos < 2 + vpl)
		return sg_err(err, "sms-submit: truncated after TP-DA (need PID, DCS and %zu bytes of TP-VP)", vpl);
	s->pid = buf[pos++];
	s->dcs = buf[pos++];
	memcpy(s->vp, buf + pos, vpl);
	pos += vpl;
	return get_ud(buf, len, pos, s->dcs, s->udhi, &s->ud, err);
}

int sms_deliver_report_encode(const struct sms_deliver_report *r, uint8_t *out, size_t out_size, size_t *out_len,
			      struct sg_error *err)
{
	struct wbuf w = { .p = out, .size = out_size };
	uint8_t pi = 0;

	if (r->udhi && !r->has_ud)
		return sg_err(err, "sms-deliver-report: TP-UDHI without user data");
	put1(&w, MTI_DELIVER | (r->udhi ? FO_UDHI : 0));
	if (r->is_error)
		put1(&w, r->fcs);
	pi |= r->has_pid ? PI_PID : 0;
	pi |= r->has_dcs ? PI_DCS : 0;
	pi |= r->has_ud ? PI_UDL : 0;
	put1(&w, pi);
	if (r->has_pid)
		put1(&w, r->pid);
	if (r->has_dcs)
		put1(&w, r->dcs);
	if (r->has_ud && put_ud(&w, r->has_dcs ? r->dcs : 0, &r->ud, err) < 0)
		return -1;
	return finish(&w, out_len, "sms-deliver-report", err);
}

int sms_deliver_report_decode(const uint8_t *buf, size_t len, bool is_error, struct sms_deliver_report *r,
			      struct sg_error *err)
{
	size_t pos = 1;
	uint8_t pi;

	memset(r, 0, sizeof(*r));
	r->is_error = is_error;
	if (len < 1)
		return sg_err(err, "sms-deliver-report: empty");
	if ((buf[0] & 0x03) != MTI_DELIVER)
		return sg_err(err, "sms-deliver-report: TP-MTI %u is not SMS-DELIVER-REPORT", buf[0] & 0x03);
	r->udhi = buf[0] & FO_UDHI;
	if (is_error) {
		if (len < 2)
			return sg_err(err, "sms-deliver-report: TP-FCS missing");
		r->fcs = buf[pos++];
	}
	if (pos >= len)
		return sg_err(err, "sms-deliver-report: TP-PI missing");
	pi = buf[pos++];
	/* extension octets of TP-PI carry nothing we use; skip them */
	for (uint8_t ext = pi; ext & PI_EXT; ext = buf[pos++])
		if (pos >= len)
			return sg_err(err, "sms-deliver-report: TP-PI extension octet missing");
	r->has_pid = pi & PI_PID;
	r->has_dcs = pi & PI_DCS;
	r->has_ud = pi & PI_UDL;
	if (r->has_pid) {
		if (pos >= len)
			return sg_err(err, "sms-deliver-report: TP-PI announces TP-PID, TPDU ends");
		r->pid = buf[pos++];
	}
	if (r->has_dcs) {
		if (pos >= len)
			return sg_err(err, "sms-deliver-report: TP-PI announces TP-DCS, TPDU ends");
		r->dcs = buf[pos++];
	}
	if (!r->has_ud) {
		if (r->udhi)
			return sg_err(err, "sms-deliver-report: TP-UDHI set but TP-PI announces no user data");
		if (pos != len)
			return sg_err(err, "sms-deliver-report: %zu trailing bytes", len - pos);
		return 0;
	}
	return get_ud(buf, len, pos, r->has_dcs ? r->dcs : 0, r->udhi, &r->ud, err);
}

int sms_ota_deliver_build(const struct sms_addr *oa, const uint8_t scts[7], const uint8_t *ud, size_t ud_len,
			  uint8_t *out, size_t out_size, size_t *out_len, struct sg_error *err)
{
	struct sms_deliver d = {
		.oa = *oa,
		.pid = SMS_PID_SIM_DATA_DOWNLOAD,
		.dcs = SMS_DCS_8BIT_CLASS2,
		.udhi = true,
	};
	struct sms_udh h;

	memcpy(d.scts, scts, 7);
	if (sms_udh_parse(ud, ud_len, &h, err) < 0)
		return -1;
	if (sms_ud_set_octets(&d.ud, ud, ud_len, err) < 0)
		return -1;
	return sms_deliver_encode(&d, out, out_size, out_len, err);
}
