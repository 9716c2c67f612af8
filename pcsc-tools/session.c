/* Proactive session loop (see session.h). */
#include <stdio.h>
#include <string.h>

#include <talloc.h>

#include "pcsct/session.h"

bool pcsct_sw_proactive(uint16_t sw)
{
	return (sw >> 8) == 0x91;
}

static int card_failed(struct pcsct_session *s, struct sg_error *err, const char *what, const char *why)
{
	s->card_mute = true;
	return sg_err(err, "%s: %s", what, why);
}

static int fetch(struct pcsct_session *s, uint16_t sw, struct pcsct_rsp *rsp, struct sg_error *err)
{
	struct apdu_buf a;
	struct sg_error terr;
	char desc[96];
	size_t le = (sw & 0xFF) ? (sw & 0xFF) : 256;

	if (apdu_fetch(&a, APDU_UICC, le, err) < 0)
		return -1;
	if (pcsct_transmit_buf(s->card, &a, rsp, &terr) < 0)
		return card_failed(s, err, "FETCH", terr.msg);
	if (rsp->sw != APDU_SW_OK)
		return sg_err(err, "card announced a proactive command (%04X) but answered FETCH with %s", sw,
			      apdu_sw_describe(rsp->sw, desc, sizeof(desc)));
	if (rsp->len == 0)
		return sg_err(err, "card announced a proactive command (%04X) but FETCH returned no data", sw);
	return 0;
}

static int respond(struct pcsct_session *s, const struct cat_buf *tr, uint16_t *next_sw, struct sg_error *err)
{
	struct apdu_buf a;
	struct pcsct_rsp rsp;
	struct sg_error terr;
	char desc[96];

	if (apdu_terminal_response(&a, APDU_UICC, tr->data, tr->len, err) < 0)
		return -1;
	if (pcsct_transmit_buf(s->card, &a, &rsp, &terr) < 0)
		return card_failed(s, err, "TERMINAL RESPONSE", terr.msg);
	*next_sw = rsp.sw;
	if (rsp.sw != APDU_SW_OK && !pcsct_sw_proactive(rsp.sw))
		return sg_err(err, "card refused the TERMINAL RESPONSE: %s",
			      apdu_sw_describe(rsp.sw, desc, sizeof(desc)));
	return 0;
}

int pcsct_session_step(struct pcsct_session *s, uint16_t sw, uint16_t *next_sw, struct sg_error *err)
{
	struct pcsct_rsp cmd;
	struct cat_decoded *d = NULL;
	struct cat_buf tr;
	struct sg_error derr;
	int rc;

	s->card_mute = false;
	*next_sw = APDU_SW_OK;
	if (fetch(s, sw, &cmd, err) < 0)
		return -1;
	cat_decode(NULL, cmd.data, cmd.len, &d, &derr);
	if (!d)
		return sg_err(err, "out of memory decoding a proactive command");
	if (d->kind != CAT_KIND_PROACTIVE && d->valid) {
		/* A valid terminal response or envelope is still not a proactive command. */
		d->valid = false;
		d->tr_result = CAT_RES_DATA_NOT_UNDERSTOOD;
		snprintf(d->error, sizeof(d->error), "FETCH returned a %s, not a proactive command (tag D0)",
			 cat_kind_name(d->kind));
	}
	rc = pcsct_me_execute(s->me, d, &tr, err);
	if (rc < 0)
		tr.len = 0;
	else if (tr.len && respond(s, &tr, next_sw, err) < 0)
		rc = -1;
	if (s->on_command)
		s->on_command(s->cb_arg, cmd.data, cmd.len, d, tr.data, tr.len, rc == 0 ? *next_sw : 0);
	talloc_free(d);
	return rc;
}

int pcsct_session_serve(struct pcsct_session *s, uint16_t sw, unsigned int max, uint16_t *last_sw, struct sg_error *err)
{
	unsigned int n = 0;

	*last_sw = sw;
	while (pcsct_sw_proactive(*last_sw) && n < max) {
		if (pcsct_session_step(s, *last_sw, last_sw, err) < 0)
			return -1;
		n++;
		if (s->me->refresh != PCSCT_REFRESH_NONE)
			break;
	}
	return (int)n;
}
