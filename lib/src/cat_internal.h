/* Helpers shared by the CAT codec files (not part of the public API). */
#pragma once

#include "simguard/cat.h"

/* A BER template being written into a cat_buf: D0 for proactive commands, D1.. for envelopes. */
struct cat_tpl {
	struct sg_tlv_writer w;
	size_t mark;
};

/* Open the template and write the device identities (and, for a proactive command, the command details). */
void cat_tpl_begin(struct cat_tpl *t, struct cat_buf *out, uint8_t ber_tag, uint8_t src, uint8_t dst);
void cat_cmd_begin(struct cat_tpl *t, struct cat_buf *out, uint8_t number, uint8_t type, uint8_t qualifier,
		   uint8_t dst);
/* Close the template; -1 with err naming 'what' when it overflowed 255 bytes of value. */
int cat_tpl_end(struct cat_tpl *t, struct cat_buf *out, const char *what, struct sg_error *err);

/* Address writer with the CR bit chosen (oFono's SMS-PP download sends address 06 without CR). */
int cat_put_address_cr(struct sg_tlv_writer *w, uint16_t tag, bool cr, const struct cat_address *a,
			struct sg_error *err);
/* Writer status as a return code: 0, or -1 with err "... does not fit". */
int cat_writer_check(const struct sg_tlv_writer *w, const char *what, struct sg_error *err);

/* Decoder value table (cat_values.c): is the tag one we decode, and decode o->val into o->v (o->name set).
 * -1 with err "<object name>: <rule broken>". */
bool cat_value_known(uint16_t tag);
int cat_value_decode(void *ctx, struct cat_obj *o, struct sg_error *err);

/* JSON of the SMS-DELIVER (from_network) or SMS-SUBMIT in an SMS TPDU object, {"error": ...} when it does not
 * decode, NULL for other TPDU types (cat_json_tpdu.c). */
json_t *cat_tpdu_json(const uint8_t *tpdu, size_t len, bool from_network);
