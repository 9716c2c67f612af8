/* libFuzzer target for the terminal's handling of whatever a card returns to FETCH: decode the bytes as a
 * proactive command and let the mobile equipment execute it. Every input must end in a TERMINAL RESPONSE that
 * echoes the command details it could read (or none, for REFRESH with UICC reset), never in a crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <talloc.h>

#include "pcsct/me.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t send_sms(void *arg, const uint8_t *tpdu, size_t len, const struct cat_address *sc, uint8_t *addl)
{
	if (len > 255)
		abort();
	return CAT_RES_OK;
}

static void ask(void *arg, const struct pcsct_ask *q, struct pcsct_answer *a)
{
	/* answer with the first byte of whatever the question shows */
	a->kind = PCSCT_ANS_TEXT;
	a->text[0] = q->text && q->text[0] ? q->text[0] : '1';
	a->text[1] = '\0';
}

static const struct pcsct_me_ops ops = {.send_sms = send_sms, .ask = ask};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pcsct_me me;
	struct pcsct_me_cfg cfg;
	struct cat_decoded *d = NULL;
	struct cat_buf tr;
	struct sg_error err;

	pcsct_me_cfg_default(&cfg);
	pcsct_me_init(&me, &cfg, &ops, NULL);
	me.service = PCSCT_SVC_NORMAL;
	cat_decode(NULL, data, size, &d, &err);
	if (!d)
		return 0;
	if (pcsct_me_execute(&me, d, &tr, &err) == 0 && tr.len) {
		/* TERMINAL RESPONSE: command details first, echoing what was decoded */
		if (tr.len < 12 || tr.data[0] != 0x81 || tr.data[1] != 3)
			abort();
		if (d->has_details && (tr.data[2] != d->number || tr.data[3] != d->type || tr.data[4] != d->qualifier))
			abort();
	}
	pcsct_me_tick(&me);
	json_decref(pcsct_me_to_json(&me));
	talloc_free(d);
	return 0;
}
