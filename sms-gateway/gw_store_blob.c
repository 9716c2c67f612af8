/* How a queued message is kept in its queue row: every field of struct smpp_sm, length-prefixed and versioned,
 * so rows stay readable whatever the struct's layout, and reading one back checks every length (a damaged row is
 * reported, never trusted). Cheaper than packing a PDU for each row. */
#include <string.h>

#include "smsgw/gw.h"

#define BLOB_VERSION 1

enum { F_PAYLOAD = 1, F_UMR = 2, F_USSD = 4, F_STATE = 8 };

struct wr {
	uint8_t *p;
	size_t size, pos;
	bool bad;
};

static void w8(struct wr *w, uint8_t v)
{
	if (w->pos >= w->size) {
		w->bad = true;
		return;
	}
	w->p[w->pos++] = v;
}

static void wbytes(struct wr *w, const void *d, size_t n)
{
	if (w->size - w->pos < n) {
		w->bad = true;
		return;
	}
	memcpy(w->p + w->pos, d, n);
	w->pos += n;
}

static void wstr(struct wr *w, const char *s)
{
	size_t n = strlen(s);

	w8(w, (uint8_t)n);
	wbytes(w, s, n);
}

int gw_sm_to_blob(const struct smpp_sm *sm, uint8_t *out, size_t size)
{
	struct wr w = { .p = out, .size = size };
	uint8_t flags = (sm->use_payload ? F_PAYLOAD : 0) | (sm->has_umr ? F_UMR : 0) |
			(sm->ussd_op >= 0 ? F_USSD : 0) | (sm->message_state >= 0 ? F_STATE : 0);

	w8(&w, BLOB_VERSION);
	wstr(&w, sm->service_type);
	w8(&w, sm->src_ton);
	w8(&w, sm->src_npi);
	wstr(&w, sm->src);
	w8(&w, sm->dst_ton);
	w8(&w, sm->dst_npi);
	wstr(&w, sm->dst);
	wbytes(&w, (uint8_t[]){ sm->esm_class, sm->pid, sm->priority, sm->regdel, sm->dcs, flags }, 6);
	wbytes(&w, (uint8_t[]){ sm->umr >> 8, sm->umr & 0xff, (uint8_t)sm->ussd_op, (uint8_t)sm->message_state }, 4);
	wstr(&w, sm->receipted_id);
	wbytes(&w, (uint8_t[]){ sm->ud_len >> 8, sm->ud_len & 0xff }, 2);
	wbytes(&w, sm->ud, sm->ud_len);
	return w.bad ? -1 : (int)w.pos;
}

struct rd {
	const uint8_t *p;
	size_t len, pos;
	bool bad;
};

static uint8_t r8(struct rd *r)
{
	if (r->pos >= r->len) {
		r->bad = true;
		return 0;
	}
	return r->p[r->pos++];
}

static void rbytes(struct rd *r, void *d, size_t n)
{
	if (r->len - r->pos < n) {
		r->bad = true;
		return;
	}
	memcpy(d, r->p + r->pos, n);
	r->pos += n;
}

static void rstr(struct rd *r, char *s, size_t size)
{
	size_t n = r8(r);

	if (n >= size) {
		r->bad = true;
		return;
	}
	rbytes(r, s, n);
	s[r->bad ? 0 : n] = '\0';
}

int gw_sm_from_blob(const uint8_t *b, size_t len, struct smpp_sm *sm)
{
	struct rd r = { .p = b, .len = len };
	uint8_t f[6] = { 0 }, x[4] = { 0 }, l[2] = { 0 };

	smpp_sm_init(sm);
	if (r8(&r) != BLOB_VERSION)
		return -1;
	rstr(&r, sm->service_type, sizeof(sm->service_type));
	sm->src_ton = r8(&r);
	sm->src_npi = r8(&r);
	rstr(&r, sm->src, sizeof(sm->src));
	sm->dst_ton = r8(&r);
	sm->dst_npi = r8(&r);
	rstr(&r, sm->dst, sizeof(sm->dst));
	rbytes(&r, f, sizeof(f));
	rbytes(&r, x, sizeof(x));
	rstr(&r, sm->receipted_id, sizeof(sm->receipted_id));
	rbytes(&r, l, sizeof(l));
	sm->ud_len = (size_t)(l[0] << 8 | l[1]);
	if (r.bad || sm->ud_len > sizeof(sm->ud))
		return -1;
	rbytes(&r, sm->ud, sm->ud_len);
	if (r.bad || r.pos != len)
		return -1;
	sm->esm_class = f[0];
	sm->pid = f[1];
	sm->priority = f[2];
	sm->regdel = f[3];
	sm->dcs = f[4];
	sm->use_payload = f[5] & F_PAYLOAD;
	sm->has_umr = f[5] & F_UMR;
	sm->umr = (uint16_t)(x[0] << 8 | x[1]);
	sm->ussd_op = (f[5] & F_USSD) ? x[2] : -1;
	sm->message_state = (f[5] & F_STATE) ? x[3] : -1;
	return 0;
}
