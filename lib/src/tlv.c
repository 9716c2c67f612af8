/* BER-TLV and COMPREHENSION-TLV readers and writers (see tlv.h). Offsets in error messages count from the start
 * of the buffer given to the reader, so a caller can point at the faulty byte. */
#include <string.h>

#include "simguard/tlv.h"

#define TLV_LEN_MAX 0xFFFF

void sg_tlv_reader_init(struct sg_tlv_reader *r, const uint8_t *buf, size_t len)
{
	r->buf = buf;
	r->len = buf ? len : 0;
	r->pos = 0;
}

int sg_tlv_len_decode(const uint8_t *buf, size_t len, size_t *out, struct sg_error *err)
{
	if (len < 1)
		return sg_err(err, "length field missing");
	if (buf[0] < 0x80) {
		*out = buf[0];
		return 1;
	}
	if (buf[0] == 0x81) {
		if (len < 2)
			return sg_err(err, "length 81 xx truncated");
		/* ISO 7816-4 / TS 101 220: 81 is only for 128..255; anything shorter must use one byte */
		if (buf[1] < 0x80)
			return sg_err(err, "length 81 %02X not minimal (must be one byte)", buf[1]);
		*out = buf[1];
		return 2;
	}
	if (buf[0] == 0x82) {
		if (len < 3)
			return sg_err(err, "length 82 xx xx truncated");
		*out = (size_t)buf[1] << 8 | buf[2];
		if (*out < 0x100)
			return sg_err(err, "length 82 %02X %02X not minimal", buf[1], buf[2]);
		return 3;
	}
	return sg_err(err, "length byte 0x%02X invalid (00-7F, 81 or 82 allowed)", buf[0]);
}

int sg_tlv_len_size(size_t len)
{
	if (len < 0x80)
		return 1;
	if (len < 0x100)
		return 2;
	if (len <= TLV_LEN_MAX)
		return 3;
	return -1;
}

/* Length and value after a tag of tag_len bytes at r->pos; advances the reader on success. */
static int read_len_val(struct sg_tlv_reader *r, size_t start, size_t tag_len, struct sg_tlv *t, struct sg_error *err)
{
	size_t p = start + tag_len, vlen;
	struct sg_error lerr;
	int n;

	n = sg_tlv_len_decode(r->buf + p, r->len - p, &vlen, &lerr);
	if (n < 0)
		return sg_err(err, "TLV at offset %zu: %s", start, lerr.msg);
	p += (size_t)n;
	if (vlen > r->len - p)
		return sg_err(err, "TLV at offset %zu: length %zu runs past the end (%zu bytes left)", start, vlen,
			      r->len - p);
	t->len = vlen;
	t->val = r->buf + p;
	r->pos = p + vlen;
	return 1;
}

int sg_ber_tlv_next(struct sg_tlv_reader *r, struct sg_tlv *t, struct sg_error *err)
{
	size_t start = r->pos;
	const uint8_t *b = r->buf + start;
	size_t left = r->len - start;

	if (left == 0)
		return 0;
	if (b[0] == 0x00 || b[0] == 0xFF)
		return sg_err(err, "TLV at offset %zu: tag 0x%02X invalid", start, b[0]);
	t->cr = false;
	if ((b[0] & 0x1F) != 0x1F) {
		t->tag = b[0];
		return read_len_val(r, start, 1, t, err);
	}
	/* multi-byte tag: we support the two-byte form (second byte 1F-7F, b8 clear) */
	if (left < 2)
		return sg_err(err, "TLV at offset %zu: two-byte tag truncated", start);
	if (b[1] & 0x80)
		return sg_err(err, "TLV at offset %zu: tags longer than two bytes not supported", start);
	if (b[1] < 0x1F)
		return sg_err(err, "TLV at offset %zu: two-byte tag %02X %02X must use the one-byte form", start, b[0],
			      b[1]);
	t->tag = (uint16_t)(b[0] << 8 | b[1]);
	return read_len_val(r, start, 2, t, err);
}

int sg_ctlv_next(struct sg_tlv_reader *r, struct sg_tlv *t, struct sg_error *err)
{
	size_t start = r->pos;
	const uint8_t *b = r->buf + start;
	size_t left = r->len - start;

	if (left == 0)
		return 0;
	if (b[0] == 0x00 || b[0] == 0x80 || b[0] == 0xFF)
		return sg_err(err, "TLV at offset %zu: tag 0x%02X invalid", start, b[0]);
	if (b[0] != 0x7F) {
		t->tag = b[0] & 0x7F;
		t->cr = b[0] & 0x80;
		return read_len_val(r, start, 1, t, err);
	}
	if (left < 3)
		return sg_err(err, "TLV at offset %zu: three-byte tag truncated", start);
	t->tag = (uint16_t)((b[1] & 0x7F) << 8 | b[2]);
	t->cr = b[1] & 0x80;
	if (t->tag == 0)
		return sg_err(err, "TLV at offset %zu: three-byte tag value 0 invalid", start);
	return read_len_val(r, start, 3, t, err);
}

int sg_ctlv_find(const uint8_t *buf, size_t len, uint16_t tag, struct sg_tlv *t, struct sg_error *err)
{
	struct sg_tlv_reader r;
	int rc;

	sg_tlv_reader_init(&r, buf, len);
	while ((rc = sg_ctlv_next(&r, t, err)) > 0) {
		if (t->tag == tag)
			return 1;
	}
	return rc;
}

void sg_tlv_writer_init(struct sg_tlv_writer *w, uint8_t *buf, size_t size)
{
	w->buf = buf;
	w->size = buf ? size : 0;
	w->len = 0;
	w->overflow = false;
}

bool sg_tlv_writer_ok(const struct sg_tlv_writer *w)
{
	return !w->overflow;
}

/* Reserve n bytes; NULL (and sticky overflow) when they do not fit. */
static uint8_t *reserve(struct sg_tlv_writer *w, size_t n)
{
	uint8_t *p;

	if (w->overflow || n > w->size - w->len) {
		w->overflow = true;
		return NULL;
	}
	p = w->buf + w->len;
	w->len += n;
	return p;
}

void sg_tlv_put_raw(struct sg_tlv_writer *w, const void *data, size_t len)
{
	uint8_t *p = reserve(w, len);

	if (p && len)
		memcpy(p, data, len);
}

/* Write the n-byte length field for len at p (n from sg_tlv_len_size). */
static void len_encode(uint8_t *p, size_t len, int n)
{
	if (n == 1) {
		p[0] = (uint8_t)len;
	} else if (n == 2) {
		p[0] = 0x81;
		p[1] = (uint8_t)len;
	} else {
		p[0] = 0x82;
		p[1] = (uint8_t)(len >> 8);
		p[2] = (uint8_t)len;
	}
}

static void put_len(struct sg_tlv_writer *w, size_t len)
{
	int n = sg_tlv_len_size(len);
	uint8_t *p;

	if (n < 0) {
		w->overflow = true;
		return;
	}
	p = reserve(w, (size_t)n);
	if (p)
		len_encode(p, len, n);
}

static void put_ber_tag(struct sg_tlv_writer *w, uint16_t tag)
{
	uint8_t t[2] = { (uint8_t)(tag >> 8), (uint8_t)tag };

	if (tag > 0xFF)
		sg_tlv_put_raw(w, t, 2);
	else
		sg_tlv_put_raw(w, t + 1, 1);
}

void sg_ber_tlv_put(struct sg_tlv_writer *w, uint16_t tag, const void *val, size_t len)
{
	put_ber_tag(w, tag);
	put_len(w, len);
	sg_tlv_put_raw(w, val, len);
}

void sg_ctlv_put(struct sg_tlv_writer *w, uint16_t tag, bool cr, const void *val, size_t len)
{
	uint8_t t[3];

	if (tag == 0 || tag > 0x7FFF) {
		w->overflow = true;
		return;
	}
	if (tag < 0x7F) {
		t[0] = (uint8_t)(tag | (cr ? 0x80 : 0));
		sg_tlv_put_raw(w, t, 1);
	} else {
		t[0] = 0x7F;
		t[1] = (uint8_t)((tag >> 8) | (cr ? 0x80 : 0));
		t[2] = (uint8_t)tag;
		sg_tlv_put_raw(w, t, 3);
	}
	put_len(w, len);
	sg_tlv_put_raw(w, val, len);
}

size_t sg_ber_tlv_open(struct sg_tlv_writer *w, uint16_t tag)
{
	put_ber_tag(w, tag);
	put_len(w, 0);
	/* the mark is the position of the one-byte length placeholder */
	return w->overflow ? 0 : w->len - 1;
}

void sg_ber_tlv_close(struct sg_tlv_writer *w, size_t mark)
{
	size_t vlen;
	int n;

	if (w->overflow)
		return;
	vlen = w->len - mark - 1;
	n = sg_tlv_len_size(vlen);
	if (n < 0) {
		w->overflow = true;
		return;
	}
	if (n > 1 && !reserve(w, (size_t)n - 1))
		return;
	memmove(w->buf + mark + n, w->buf + mark + 1, vlen);
	len_encode(w->buf + mark, vlen, n);
}
