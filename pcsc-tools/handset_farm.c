/* handset-farm's handsets: identities from the range, a card made from the profile on the first message for it,
 * the power-up a handset does (TERMINAL PROFILE and the proactive session it starts, USIM, PIN1), and the SMS-PP
 * data download with the PoR sent back as MO — the same library calls handset-sim makes (download.h, session.h,
 * me.h), one handset after another in the farm's single thread. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <smpp34.h>
#include <talloc.h>

#include "pcsct/download.h"
#include "pcsct/handset_farm.h"
#include "pcsct/session.h"
#include "pcsct/sms_smpp.h"
#include "pcsct/usim.h"
#include "smsgw/smpp_codec.h"
#include "uicc/card.h"
#include "uicc/profile.h"

#define PROACTIVE_MAX 32 /* proactive commands served in one go */
#define REFRESH_DEPTH 3	 /* a card that keeps asking for a reset is given up */

/* base + i in as many digits as base has. */
static int digits_add(const char *what, const char *base, unsigned long i, char *out, size_t size, struct sg_error *err)
{
	size_t n = strlen(base);
	unsigned long long v;
	int w;

	if (n == 0 || n > 19 || strspn(base, "0123456789") != n)
		return sg_err(err, "%s '%s': 1 to 19 digits", what, base);
	v = strtoull(base, NULL, 10) + i;
	w = snprintf(out, size, "%0*llu", (int)n, v);
	if (w < 0 || (size_t)w != n)
		return sg_err(err, "%s '%s' + %lu needs more digits", what, base, i);
	return 0;
}

int farm_identity(const struct farm_cfg *cfg, unsigned long i, struct farm_identity *id, struct sg_error *err)
{
	char body[21];
	size_t n = strlen(cfg->iccid_first);

	if (n < 18 || n > 20)
		return sg_err(err, "ICCID '%s': 18 to 20 digits with the Luhn digit", cfg->iccid_first);
	snprintf(body, sizeof(body), "%.*s", (int)(n - 1), cfg->iccid_first);
	if (digits_add("ICCID", body, i, id->iccid, sizeof(id->iccid) - 1, err) < 0 ||
	    digits_add("IMSI", cfg->imsi_first, i, id->imsi, sizeof(id->imsi), err) < 0 ||
	    digits_add("MSISDN", cfg->msisdn_first, i, id->msisdn, sizeof(id->msisdn), err) < 0)
		return -1;
	n = strlen(id->iccid);
	id->iccid[n] = (char)('0' + uicc_luhn_digit(id->iccid, n));
	id->iccid[n + 1] = '\0';
	return 0;
}

long farm_index(const struct farm *f, const char *msisdn)
{
	size_t n = strlen(f->cfg.msisdn_first);
	unsigned long long first, v;

	if (strlen(msisdn) != n || strspn(msisdn, "0123456789") != n)
		return -1;
	first = strtoull(f->cfg.msisdn_first, NULL, 10);
	v = strtoull(msisdn, NULL, 10);
	if (v < first || v - first >= f->cfg.count)
		return -1;
	return (long)(v - first);
}

static void common_prefix(const char *a, const char *b, char *out, size_t size)
{
	size_t n = 0;

	while (a[n] && a[n] == b[n] && n + 1 < size)
		n++;
	snprintf(out, size, "%.*s", (int)n, a);
}

int farm_init(struct farm *f, void *ctx, const struct farm_cfg *cfg, struct sg_error *err)
{
	struct farm_identity first, last;
	struct uicc_profile *p;

	memset(f, 0, sizeof(*f));
	f->ctx = ctx;
	f->cfg = *cfg;
	if (cfg->count == 0 || cfg->count > FARM_MAX_HANDSETS)
		return sg_err(err, "count %lu: 1 to %d handsets", cfg->count, FARM_MAX_HANDSETS);
	p = uicc_profile_load(ctx, cfg->profile, err);
	if (!p)
		return -1;
	f->profile = p;
	if (!f->cfg.iccid_first[0])
		snprintf(f->cfg.iccid_first, sizeof(f->cfg.iccid_first), "%s", p->iccid);
	if (!f->cfg.imsi_first[0])
		snprintf(f->cfg.imsi_first, sizeof(f->cfg.imsi_first), "%s", p->imsi);
	if (farm_identity(&f->cfg, 0, &first, err) < 0 || farm_identity(&f->cfg, f->cfg.count - 1, &last, err) < 0)
		goto fail;
	if (!f->cfg.range[0])
		common_prefix(first.msisdn, last.msisdn, f->cfg.range, sizeof(f->cfg.range));
	if (!f->cfg.range[0] || strncmp(first.msisdn, f->cfg.range, strlen(f->cfg.range)) ||
	    strncmp(last.msisdn, f->cfg.range, strlen(f->cfg.range))) {
		sg_err(err, "MSISDNs %s..%s have no common prefix '%s' to bind with", first.msisdn, last.msisdn,
		       f->cfg.range);
		goto fail;
	}
	f->hs = talloc_zero_array(ctx, struct farm_handset *, cfg->count);
	if (!f->hs) {
		sg_err(err, "out of memory for %lu handsets", cfg->count);
		goto fail;
	}
	uicc_log_init(NULL);
	return 0;
fail:
	farm_free(f);
	return -1;
}

void farm_free(struct farm *f)
{
	/* the cards first: their profiles point into the farm's */
	talloc_free(f->hs);
	f->hs = NULL;
	talloc_free((struct uicc_profile *)f->profile); /* cleanses the keys */
	f->profile = NULL;
}

static void note(struct farm_handset *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct farm_handset *h, const char *fmt, ...)
{
	va_list ap;

	if (!h->farm->verbose)
		return;
	fprintf(stderr, "%s: ", h->id.msisdn);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void me_note(void *arg, const char *msg)
{
	note(arg, "%s", msg);
}

static int send_mo(struct farm_handset *h, const struct sms_addr *to, uint8_t pid, uint8_t dcs, bool udhi,
		   const uint8_t *ud, size_t len, struct sg_error *err)
{
	struct smpp_sm sm;

	if (pcsct_mo_sm(&sm, h->id.msisdn, to, pid, dcs, udhi, ud, len, -1, err) < 0 ||
	    farm_send_mo(h->farm, &sm, err) < 0) {
		h->farm->st.mo_failed++;
		return -1;
	}
	h->farm->st.mo++;
	return 0;
}

/* SEND SHORT MESSAGE: the card's SMS-SUBMIT goes out as MO from this handset's number. */
static uint8_t me_send_sms(void *arg, const uint8_t *tpdu, size_t len, const struct cat_address *sc, uint8_t *addl)
{
	struct farm_handset *h = arg;
	struct sms_submit s;
	struct sg_error err;

	*addl = 0;
	if (sms_submit_decode(tpdu, len, &s, &err) < 0) {
		note(h, "SEND SHORT MESSAGE: not an SMS-SUBMIT: %s", err.msg);
		return CAT_RES_DATA_NOT_UNDERSTOOD;
	}
	if (send_mo(h, &s.da, s.pid, s.dcs, s.udhi, s.ud.ud, s.ud.ud_len, &err) < 0) {
		note(h, "SEND SHORT MESSAGE to %s failed: %s", s.da.digits, err.msg);
		return CAT_RES_NETWORK_UNABLE;
	}
	return CAT_RES_OK;
}

static const struct pcsct_me_ops me_ops = {
	.send_sms = me_send_sms,
	.note = me_note,
};

static void card_failed(struct farm_handset *h, const char *what, const char *why)
{
	h->failed = true;
	fprintf(stderr, "%s: card failed: %s: %s\n", h->id.msisdn, what, why);
}

static int power_up(struct farm_handset *h, unsigned int depth);

/* What a REFRESH asked for, after its proactive session ended. */
static void refresh(struct farm_handset *h, unsigned int depth)
{
	enum pcsct_refresh_action a = h->me.refresh;
	struct sg_error err;

	h->me.refresh = PCSCT_REFRESH_NONE;
	if (a != PCSCT_REFRESH_RESET && a != PCSCT_REFRESH_NAA_INIT)
		return;
	if (depth >= REFRESH_DEPTH) {
		card_failed(h, "REFRESH", "the card keeps asking to be initialised again");
		return;
	}
	if (a == PCSCT_REFRESH_RESET && pcsct_card_power(h->card, PCSCT_POWER_RESET, &err) < 0) {
		card_failed(h, "reset", err.msg);
		return;
	}
	power_up(h, depth + 1);
}

static void serve(struct farm_handset *h, uint16_t sw, unsigned int depth)
{
	struct pcsct_session s = {.card = h->card, .me = &h->me};
	struct sg_error err;
	uint16_t last;
	int n = pcsct_session_serve(&s, sw, PROACTIVE_MAX, &last, &err);

	if (n < 0) {
		if (s.card_mute)
			card_failed(h, "proactive session", err.msg);
		else
			note(h, "proactive session: %s", err.msg);
		return;
	}
	h->farm->st.proactive += (unsigned long)n;
	if (h->me.refresh != PCSCT_REFRESH_NONE)
		refresh(h, depth);
}

/* The card must say what the farm made it: EF.ICCID, and EF.IMSI when PIN1 lets it be read. */
static int check_identity(struct farm_handset *h, struct pcsct_usim *usim)
{
	struct sg_error err;
	char why[96];

	if (pcsct_usim_read_imsi(h->card, usim, &err) < 0)
		usim->imsi[0] = '\0';
	if (strcmp(usim->iccid, h->id.iccid) == 0 && (!usim->imsi[0] || strcmp(usim->imsi, h->id.imsi) == 0))
		return 0;
	snprintf(why, sizeof(why), "the card says ICCID %s IMSI %s", usim->iccid, usim->imsi[0] ? usim->imsi : "-");
	card_failed(h, "identity", why);
	return -1;
}

/* TERMINAL PROFILE (and the session the card starts), USIM, PIN1. The farm's network needs no authentication:
 * every handset has normal service. */
static int power_up(struct farm_handset *h, unsigned int depth)
{
	struct apdu_buf a;
	struct pcsct_rsp rsp;
	struct pcsct_usim usim;
	struct sg_error err;
	enum pcsct_pin_state pin;
	int retries;

	pcsct_me_init(&h->me, &h->farm->cfg.me, &me_ops, h);
	h->me.service = PCSCT_SVC_NORMAL;
	if (apdu_terminal_profile(&a, APDU_UICC, h->me.cfg.profile, h->me.cfg.profile_len, &err) < 0 ||
	    pcsct_transmit_buf(h->card, &a, &rsp, &err) < 0) {
		card_failed(h, "TERMINAL PROFILE", err.msg);
		return -1;
	}
	if (pcsct_sw_proactive(rsp.sw))
		serve(h, rsp.sw, depth);
	if (h->failed)
		return -1;
	memset(&usim, 0, sizeof(usim));
	if (pcsct_usim_read_iccid(h->card, &usim, &err) < 0 || pcsct_usim_select(h->card, &usim, &err) < 0 ||
	    pcsct_pin_state(h->card, &pin, &retries, &err) < 0) {
		card_failed(h, "USIM", err.msg);
		return -1;
	}
	if (pin == PCSCT_PIN_NEEDED && h->farm->cfg.pin[0] &&
	    pcsct_pin_verify(h->card, h->farm->cfg.pin, &retries, &err) != 0) {
		card_failed(h, "VERIFY PIN", "PIN1 refused or the card did not answer");
		return -1;
	}
	return check_identity(h, &usim);
}

/* A card's copy of its keys and PINs goes with it. */
static int card_profile_destructor(struct uicc_profile *p)
{
	OPENSSL_cleanse(p, sizeof(*p));
	return 0;
}

/* The farm's profile for one card: the parsed profile copied (keys, PINs, settings: a few KB) with the card's own
 * identities. What the card only reads, and the farm keeps until every card is gone - the files' initial contents,
 * counters, TARs, the applets' settings - is shared, not copied: parsing the JSON again per card was most of the
 * cost of making one. */
static struct uicc_profile *card_profile(struct farm_handset *h)
{
	struct uicc_profile *p = talloc(h, struct uicc_profile);

	if (!p)
		return NULL;
	*p = *h->farm->profile;
	talloc_set_destructor(p, card_profile_destructor);
	snprintf(p->iccid, sizeof(p->iccid), "%s", h->id.iccid);
	snprintf(p->imsi, sizeof(p->imsi), "%s", h->id.imsi);
	snprintf(p->msisdn, sizeof(p->msisdn), "+%s", h->id.msisdn);
	return p;
}

static struct farm_handset *make_handset(struct farm *f, unsigned long i, struct sg_error *err)
{
	struct farm_handset *h = talloc_zero(f->hs, struct farm_handset);
	struct uicc_profile *p;
	struct uicc_card *card;

	h->farm = f;
	h->index = i;
	if (farm_identity(&f->cfg, i, &h->id, err) < 0)
		goto fail;
	p = card_profile(h);
	if (!p) {
		sg_err(err, "out of memory for card %lu", i);
		goto fail;
	}
	card = uicc_card_create(h, p, NULL, err);
	if (!card)
		goto fail;
	pcsct_sim_attach(h, card, h->id.msisdn, &h->card);
	f->st.cards++;
	power_up(h, 0);
	return h;
fail:
	talloc_free(h);
	return NULL;
}

struct farm_handset *farm_handset(struct farm *f, unsigned long i, struct sg_error *err)
{
	if (i >= f->cfg.count) {
		sg_err(err, "handset %lu outside the range of %lu", i, f->cfg.count);
		return NULL;
	}
	if (!f->hs[i])
		f->hs[i] = make_handset(f, i, err);
	return f->hs[i];
}

/* Hand one SMS-DELIVER to the card; what it answers in the ENVELOPE's response goes back to the sender. */
static void download(struct farm_handset *h, const struct sms_deliver *d, const uint8_t *tpdu, size_t len)
{
	struct pcsct_dl_result res;
	struct sg_error err;

	h->farm->st.downloads++;
	if (pcsct_download_sms_pp(h->card, NULL, tpdu, len, &res, &err) < 0) {
		card_failed(h, "SMS-PP data download", err.msg);
		return;
	}
	note(h, "SMS-PP data download from %s: %s (SW %04X, %zu bytes back)", d->oa.digits,
	     pcsct_dl_outcome_name(res.outcome), res.sw, res.len);
	if (res.len && res.outcome != PCSCT_DL_BUSY &&
	    send_mo(h, &d->oa, d->pid, d->dcs, true, res.data, res.len, &err) < 0)
		note(h, "PoR not sent: %s", err.msg);
	if (res.proactive)
		serve(h, res.proactive_sw, 0);
}

uint32_t farm_deliver(struct farm *f, const struct smpp_sm *sm)
{
	long i = farm_index(f, sm->dst);
	uint8_t tpdu[SMS_TPDU_MAX];
	struct farm_handset *h;
	struct sms_deliver d;
	struct sg_error err;
	size_t len;

	f->st.mt++;
	if (i < 0 || sm->ussd_op >= 0) {
		f->st.refused++;
		return i < 0 ? ESME_RINVDSTADR : ESME_RINVSERTYP; /* no USSD bearer here */
	}
	h = farm_handset(f, (unsigned long)i, &err);
	if (!h) {
		fprintf(stderr, "%s: no card: %s\n", sm->dst, err.msg);
		f->st.refused++;
		return ESME_RX_T_APPN;
	}
	if (pcsct_sm_to_deliver(sm, tpdu, sizeof(tpdu), &len, &err) < 0 ||
	    sms_deliver_decode(tpdu, len, &d, &err) < 0) {
		note(h, "deliver_sm from %s refused: %s", sm->src, err.msg);
		f->st.refused++;
		return ESME_RINVMSGLEN;
	}
	if (!pcsct_sms_is_data_download(&d)) {
		f->st.ordinary++;
		return ESME_ROK;
	}
	if (!h->failed)
		download(h, &d, tpdu, len);
	if (h->failed)
		f->st.refused++;
	return h->failed ? ESME_RX_T_APPN : ESME_ROK;
}
