/* BER-TLV (ISO 7816-4 / TS 102 223 outer templates) and COMPREHENSION-TLV (TS 102 223 clause 7, TS 101 220)
 * readers and writers. Lengths use 1 to 3 bytes (00-7F, 81 xx, 82 xx xx). Readers never read past the buffer and
 * report what is wrong; writers never write past it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "simguard/sg_error.h"

/* One decoded TLV object. For COMPREHENSION-TLV, tag has the CR bit removed and cr says whether it was set;
 * for three-byte comprehension tags (7F xx xx) tag is the 15-bit value. For BER-TLV, tag is the tag as sent
 * (1 or 2 bytes, e.g. 0xD0 or 0x9F70) and cr is false. */
struct sg_tlv {
	uint16_t tag;
	bool cr;
	size_t len;
	const uint8_t *val;
};

/* Sequential reader over a buffer. */
struct sg_tlv_reader {
	const uint8_t *buf;
	size_t len;
	size_t pos;
};

void sg_tlv_reader_init(struct sg_tlv_reader *r, const uint8_t *buf, size_t len);

/* Read the next object. Returns 1 and fills *t, 0 at the clean end of the buffer, -1 with err for a truncated
 * tag or length, a value that runs past the buffer, a non-minimal/invalid length byte, or an invalid tag
 * (00, 80, FF for COMPREHENSION-TLV; 00, FF and tags longer than two bytes for BER-TLV). Errors start with
 * "TLV at offset N:" (N counts from the start of the reader's buffer); a failed read leaves the reader where it
 * was. */
int sg_ber_tlv_next(struct sg_tlv_reader *r, struct sg_tlv *t, struct sg_error *err);
int sg_ctlv_next(struct sg_tlv_reader *r, struct sg_tlv *t, struct sg_error *err);

/* Decode a length field at buf (len bytes available). Returns the number of length bytes (1-3) and sets *out,
 * or -1 with err. */
int sg_tlv_len_decode(const uint8_t *buf, size_t len, size_t *out, struct sg_error *err);
/* Bytes a length field needs (1-3), or -1 when above 0xFFFF. */
int sg_tlv_len_size(size_t len);

/* Find the first COMPREHENSION-TLV with this tag (CR ignored) in buf. Returns 1 found, 0 not found, -1 malformed. */
int sg_ctlv_find(const uint8_t *buf, size_t len, uint16_t tag, struct sg_tlv *t, struct sg_error *err);

/* Writer into a fixed buffer. An overflow is sticky: later writes do nothing and sg_tlv_writer_ok() is false. */
struct sg_tlv_writer {
	uint8_t *buf;
	size_t size;
	size_t len;
	bool overflow;
};

void sg_tlv_writer_init(struct sg_tlv_writer *w, uint8_t *buf, size_t size);
bool sg_tlv_writer_ok(const struct sg_tlv_writer *w);
/* Append raw bytes. */
void sg_tlv_put_raw(struct sg_tlv_writer *w, const void *data, size_t len);
/* Append a complete BER-TLV (1- or 2-byte tag) or COMPREHENSION-TLV (tag < 0x7F single byte with CR bit as
 * given, larger tags in the 7F form). */
void sg_ber_tlv_put(struct sg_tlv_writer *w, uint16_t tag, const void *val, size_t len);
void sg_ctlv_put(struct sg_tlv_writer *w, uint16_t tag, bool cr, const void *val, size_t len);
/* Nested templates: open returns a mark; close fixes the length (moving the value if the length needs more
 * than one byte). */
size_t sg_ber_tlv_open(struct sg_tlv_writer *w, uint16_t tag);
void sg_ber_tlv_close(struct sg_tlv_writer *w, size_t mark);
