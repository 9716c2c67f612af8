/* Card access through libpcsclite: a reader chosen by a substring of its name (first reader with a card when the
 * substring is empty), T=0 or T=1 as the card offers, power off / on / warm reset through SCardReconnect. */
#include <stdio.h>
#include <string.h>

#include <PCSC/winscard.h>
#include <talloc.h>

#include "pcsct/card_access.h"

#define READERS_BUF 4096

struct pcsc_priv {
	SCARDCONTEXT ctx;
	SCARDHANDLE h;
	bool connected;
	DWORD proto;
};

static int pcsc_fail(struct sg_error *err, const char *what, LONG rv)
{
	return sg_err(err, "%s: %s", what, pcsc_stringify_error(rv));
}

/* Reader names as a multi-string, one after the other. Returns the byte count, 0 when there are no readers. */
static long list_names(SCARDCONTEXT ctx, char *buf, DWORD size, struct sg_error *err)
{
	DWORD len = size;
	LONG rv = SCardListReaders(ctx, NULL, buf, &len);

	if (rv == SCARD_E_NO_READERS_AVAILABLE)
		return 0;
	if (rv != SCARD_S_SUCCESS)
		return pcsc_fail(err, "listing PC/SC readers", rv);
	return (long)len;
}

static int establish(SCARDCONTEXT *ctx, struct sg_error *err)
{
	LONG rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, ctx);

	if (rv != SCARD_S_SUCCESS)
		return sg_err(err, "cannot reach pcscd (%s); is it running? (PCSCLITE_CSOCK_NAME selects its socket)",
			      pcsc_stringify_error(rv));
	return 0;
}

static void reader_state(SCARDCONTEXT ctx, const char *name, struct pcsct_reader *r)
{
	SCARD_READERSTATE st;

	memset(&st, 0, sizeof(st));
	st.szReader = name;
	st.dwCurrentState = SCARD_STATE_UNAWARE;
	r->name[0] = '\0';
	strncat(r->name, name, sizeof(r->name) - 1);
	r->card_present = false;
	r->atr_len = 0;
	if (SCardGetStatusChange(ctx, 0, &st, 1) != SCARD_S_SUCCESS)
		return;
	r->card_present = (st.dwEventState & SCARD_STATE_PRESENT) != 0;
	if (r->card_present && st.cbAtr <= PCSCT_ATR_MAX) {
		memcpy(r->atr, st.rgbAtr, st.cbAtr);
		r->atr_len = st.cbAtr;
	}
}

int pcsct_pcsc_list(struct pcsct_reader *readers, size_t max, struct sg_error *err)
{
	SCARDCONTEXT ctx;
	char buf[READERS_BUF];
	long len;
	size_t n = 0;
	const char *p;

	if (establish(&ctx, err) < 0)
		return -1;
	len = list_names(ctx, buf, sizeof(buf), err);
	if (len < 0) {
		SCardReleaseContext(ctx);
		return -1;
	}
	for (p = buf; len > 0 && p < buf + len && *p && n < max; p += strlen(p) + 1)
		reader_state(ctx, p, &readers[n++]);
	SCardReleaseContext(ctx);
	return (int)n;
}

/* Pick the reader: the first whose name contains sub and which holds a card; with several matches and no card
 * in any, the first match (so the error says "no card" rather than "no reader"). */
static int pick_reader(SCARDCONTEXT ctx, const char *sub, char *name, size_t size, struct sg_error *err)
{
	char buf[READERS_BUF];
	long len = list_names(ctx, buf, sizeof(buf), err);
	const char *p, *first = NULL;
	struct pcsct_reader r;

	if (len < 0)
		return -1;
	for (p = buf; len > 0 && p < buf + len && *p; p += strlen(p) + 1) {
		if (!strstr(p, sub))
			continue;
		if (!first)
			first = p;
		reader_state(ctx, p, &r);
		if (r.card_present) {
			if (strlen(p) >= size)
				return sg_err(err, "reader name longer than %zu characters", size - 1);
			memcpy(name, p, strlen(p) + 1);
			return 0;
		}
	}
	if (!first)
		return sg_err(err, "no PC/SC reader name contains '%s'", sub);
	return sg_err(err, "no card in reader '%s'", first);
}

static int pcsc_connect(struct pcsct_card *c, struct sg_error *err)
{
	struct pcsc_priv *p = c->priv;
	BYTE atr[MAX_ATR_SIZE];
	DWORD atr_len = sizeof(atr), state, proto, name_len = 0;
	LONG rv;

	rv = SCardConnect(p->ctx, c->name, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &p->h, &p->proto);
	if (rv != SCARD_S_SUCCESS)
		return pcsc_fail(err, c->name, rv);
	p->connected = true;
	rv = SCardStatus(p->h, NULL, &name_len, &state, &proto, atr, &atr_len);
	if (rv == SCARD_S_SUCCESS && atr_len <= PCSCT_ATR_MAX) {
		memcpy(c->atr, atr, atr_len);
		c->atr_len = atr_len;
	}
	snprintf(c->protocol, sizeof(c->protocol), "%s", p->proto == SCARD_PROTOCOL_T1 ? "T=1" : "T=0");
	return 0;
}

static int pcsc_power(struct pcsct_card *c, enum pcsct_power pw, struct sg_error *err)
{
	struct pcsc_priv *p = c->priv;
	LONG rv;

	switch (pw) {
	case PCSCT_POWER_OFF:
		if (p->connected) {
			SCardDisconnect(p->h, SCARD_UNPOWER_CARD);
			p->connected = false;
		}
		return 0;
	case PCSCT_POWER_ON:
		if (p->connected)
			return 0;
		return pcsc_connect(c, err);
	case PCSCT_POWER_RESET:
		if (!p->connected)
			return pcsc_connect(c, err);
		rv = SCardReconnect(p->h, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, SCARD_RESET_CARD,
				    &p->proto);
		if (rv != SCARD_S_SUCCESS)
			return pcsc_fail(err, "resetting the card", rv);
		return 0;
	}
	return sg_err(err, "unknown power request");
}

static int pcsc_xfer(struct pcsct_card *c, const uint8_t *cmd, size_t len, uint8_t *rsp, size_t *rsp_len,
		     struct sg_error *err)
{
	struct pcsc_priv *p = c->priv;
	const SCARD_IO_REQUEST *pci = p->proto == SCARD_PROTOCOL_T1 ? SCARD_PCI_T1 : SCARD_PCI_T0;
	DWORD n = (DWORD)*rsp_len;
	LONG rv;

	if (!p->connected)
		return sg_err(err, "not connected to %s", c->name);
	rv = SCardTransmit(p->h, pci, cmd, (DWORD)len, NULL, rsp, &n);
	if (rv != SCARD_S_SUCCESS)
		return sg_err(err, "card in '%s' does not answer: %s", c->name, pcsc_stringify_error(rv));
	*rsp_len = n;
	return 0;
}

static void pcsc_close(struct pcsct_card *c)
{
	struct pcsc_priv *p = c->priv;

	if (p->connected)
		SCardDisconnect(p->h, SCARD_LEAVE_CARD);
	SCardReleaseContext(p->ctx);
}

static const struct pcsct_card_ops pcsc_ops = {
	.scheme = "pcsc",
	.power = pcsc_power,
	.xfer = pcsc_xfer,
	.close = pcsc_close,
};

int pcsct_pcsc_open(void *ctx, const char *arg, struct pcsct_card **out, struct sg_error *err)
{
	struct pcsct_card *c = talloc_zero(ctx, struct pcsct_card);
	struct pcsc_priv *p = talloc_zero(c, struct pcsc_priv);

	c->ops = &pcsc_ops;
	c->priv = p;
	if (establish(&p->ctx, err) < 0) {
		talloc_free(c);
		return -1;
	}
	if (pick_reader(p->ctx, arg, c->name, sizeof(c->name), err) < 0 || pcsc_connect(c, err) < 0) {
		SCardReleaseContext(p->ctx);
		talloc_free(c);
		return -1;
	}
	c->powered = true;
	*out = c;
	return 0;
}
