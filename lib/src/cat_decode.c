/* Generic CAT decoder: proactive command (D0), TERMINAL RESPONSE (no template, starts with command details) or
 * ENVELOPE (D1..DD) into a cat_decoded with every object named and typed. Rules checked: TLV structure, CR objects
 * we do not understand, each object's coding (cat_values.c), the objects each command / envelope requires, object
 * order and device identities (TS 102 223 clauses 6.5-6.8, 7, 8; TS 31.111). The first rule broken is reported
 * with the general result a terminal answers with (TS 102 223 6.10). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <osmocom/core/talloc.h>

#include "cat_internal.h"

/* What a command needs: its destination device (0: not checked) and up to three mandatory objects. */
struct cmd_spec {
	uint8_t type;
	uint8_t dst;
	uint8_t required[3];
};

static const struct cmd_spec cmd_specs[] = {
	{ CAT_CMD_REFRESH, CAT_DEV_TERMINAL, { 0 } },
	{ CAT_CMD_MORE_TIME, CAT_DEV_TERMINAL, { 0 } },
	{ CAT_CMD_POLL_INTERVAL, CAT_DEV_TERMINAL, { CAT_TAG_DURATION } },
	{ CAT_CMD_POLLING_OFF, CAT_DEV_TERMINAL, { 0 } },
	{ CAT_CMD_SET_UP_EVENT_LIST, CAT_DEV_TERMINAL, { CAT_TAG_EVENT_LIST } },
	{ CAT_CMD_SET_UP_CALL, CAT_DEV_NETWORK, { CAT_TAG_ADDRESS } },
	{ CAT_CMD_SEND_SS, CAT_DEV_NETWORK, { CAT_TAG_SS_STRING } },
	{ CAT_CMD_SEND_USSD, CAT_DEV_NETWORK, { CAT_TAG_USSD_STRING } },
	{ CAT_CMD_SEND_SHORT_MESSAGE, CAT_DEV_NETWORK, { CAT_TAG_SMS_TPDU } },
	{ CAT_CMD_SEND_DTMF, CAT_DEV_NETWORK, { CAT_TAG_DTMF_STRING } },
	{ CAT_CMD_LAUNCH_BROWSER, CAT_DEV_TERMINAL, { CAT_TAG_URL } },
	{ CAT_CMD_PLAY_TONE, CAT_DEV_EARPIECE, { 0 } },
	{ CAT_CMD_DISPLAY_TEXT, CAT_DEV_DISPLAY, { CAT_TAG_TEXT_STRING } },
	{ CAT_CMD_GET_INKEY, CAT_DEV_TERMINAL, { CAT_TAG_TEXT_STRING } },
	{ CAT_CMD_GET_INPUT, CAT_DEV_TERMINAL, { CAT_TAG_TEXT_STRING, CAT_TAG_RESPONSE_LENGTH } },
	{ CAT_CMD_SELECT_ITEM, CAT_DEV_TERMINAL, { CAT_TAG_ITEM } },
	{ CAT_CMD_SET_UP_MENU, CAT_DEV_TERMINAL, { CAT_TAG_ALPHA_ID, CAT_TAG_ITEM } },
	{ CAT_CMD_PROVIDE_LOCAL_INFO, CAT_DEV_TERMINAL, { 0 } },
	{ CAT_CMD_TIMER_MANAGEMENT, CAT_DEV_TERMINAL, { CAT_TAG_TIMER_ID } },
	{ CAT_CMD_SET_UP_IDLE_MODE_TEXT, CAT_DEV_TERMINAL, { CAT_TAG_TEXT_STRING } },
	{ CAT_CMD_RUN_AT_COMMAND, CAT_DEV_TERMINAL, { 0x28 } },
	{ CAT_CMD_LANGUAGE_NOTIFICATION, CAT_DEV_TERMINAL, { 0 } },
};

/* What an envelope needs: its source device (0: terminal or network) and mandatory objects. */
struct env_spec {
	uint8_t tag;
	uint8_t src;
	uint8_t required[3];
};

static const struct env_spec env_specs[] = {
	{ CAT_ENV_SMS_PP_DOWNLOAD, CAT_DEV_NETWORK, { CAT_TAG_SMS_TPDU } },
	{ CAT_ENV_CB_DOWNLOAD, CAT_DEV_NETWORK, { CAT_TAG_CB_PAGE } },
	{ CAT_ENV_MENU_SELECTION, CAT_DEV_KEYPAD, { CAT_TAG_ITEM_ID } },
	{ CAT_ENV_CALL_CONTROL, CAT_DEV_TERMINAL, { 0 } },
	{ CAT_ENV_MO_SMS_CONTROL, CAT_DEV_TERMINAL, { CAT_TAG_ADDRESS } },
	{ CAT_ENV_EVENT_DOWNLOAD, 0, { CAT_TAG_EVENT_LIST } },
	{ CAT_ENV_TIMER_EXPIRATION, CAT_DEV_TERMINAL, { CAT_TAG_TIMER_ID, CAT_TAG_TIMER_VALUE } },
	{ CAT_ENV_USSD_DOWNLOAD, CAT_DEV_NETWORK, { CAT_TAG_USSD_STRING } },
	{ CAT_ENV_MMS_TRANSFER_STATUS, CAT_DEV_TERMINAL, { 0 } },
	{ CAT_ENV_MMS_NOTIFICATION, CAT_DEV_NETWORK, { 0 } },
	{ CAT_ENV_TERMINAL_APPLICATIONS, CAT_DEV_TERMINAL, { 0 } },
	{ CAT_ENV_GEO_LOCATION_REPORTING, CAT_DEV_TERMINAL, { 0 } },
};

/* Record the first rule broken. */
static void __attribute__((format(printf, 4, 5)))
rule(struct cat_decoded *d, size_t offset, uint8_t result, const char *fmt, ...)
{
	va_list ap;

	if (!d->valid)
		return;
	d->valid = false;
	d->error_offset = offset;
	d->tr_result = result;
	va_start(ap, fmt);
	vsnprintf(d->error, sizeof(d->error), fmt, ap);
	va_end(ap);
}

const struct cat_obj *cat_decoded_find(const struct cat_decoded *d, uint16_t tag, unsigned int nth)
{
	unsigned int i;

	for (i = 0; i < d->n_objs; i++) {
		if (d->objs[i].tag == tag && nth-- == 0)
			return &d->objs[i];
	}
	return NULL;
}

const char *cat_kind_name(enum cat_kind kind)
{
	switch (kind) {
	case CAT_KIND_PROACTIVE:
		return "proactive command";
	case CAT_KIND_TERMINAL_RESPONSE:
		return "terminal response";
	case CAT_KIND_ENVELOPE:
		return "envelope";
	default:
		return "unknown";
	}
}

static void decode_one(struct cat_decoded *d, struct cat_obj *o)
{
	struct sg_error err;

	o->name = cat_tag_name(o->tag);
	if (!cat_value_known(o->tag)) {
		o->type = CAT_VAL_RAW;
		if (!o->cr)
			return; /* TS 102 223 6.10.4: a non-CR object we do not know is skipped */
		snprintf(err.msg, sizeof(err.msg), "CR object tag 0x%02X not understood", o->tag);
	} else if (cat_value_decode(d, o, &err) == 0) {
		return;
	}
	o->error = talloc_strdup(d, err.msg);
	rule(d, o->offset, CAT_RES_DATA_NOT_UNDERSTOOD, "%s", err.msg);
}

/* Read the COMPREHENSION-TLVs in buf[start..end) (offsets stay relative to buf). */
static int parse_objects(struct cat_decoded *d, const uint8_t *buf, size_t start, size_t end)
{
	struct sg_tlv_reader r;
	struct sg_tlv t;
	struct sg_error err;
	int rc;

	sg_tlv_reader_init(&r, buf, end);
	r.pos = start;
	for (;;) {
		size_t at = r.pos;
		struct cat_obj *o;

		rc = sg_ctlv_next(&r, &t, &err);
		if (rc == 0)
			return 0;
		if (rc < 0) {
			rule(d, at, CAT_RES_DATA_NOT_UNDERSTOOD, "%s", err.msg);
			return 0;
		}
		o = talloc_realloc(d, d->objs, struct cat_obj, d->n_objs + 1);
		if (!o)
			return -1;
		d->objs = o;
		o = &d->objs[d->n_objs++];
		memset(o, 0, sizeof(*o));
		o->tag = t.tag;
		o->cr = t.cr;
		o->offset = at;
		o->val = t.val;
		o->len = t.len;
		decode_one(d, o);
	}
}

/* The usable (well-coded) object with this tag, or NULL */
static const struct cat_obj *good(const struct cat_decoded *d, uint16_t tag)
{
	const struct cat_obj *o = cat_decoded_find(d, tag, 0);

	return o && !o->error ? o : NULL;
}

static void take_details_and_devices(struct cat_decoded *d)
{
	const struct cat_obj *o = good(d, CAT_TAG_COMMAND_DETAILS);

	if (o) {
		d->has_details = true;
		d->number = o->v.details.number;
		d->type = o->v.details.type;
		d->qualifier = o->v.details.qualifier;
	}
	o = good(d, CAT_TAG_DEVICE_IDS);
	if (o) {
		d->has_devices = true;
		d->src = o->v.dev.src;
		d->dst = o->v.dev.dst;
	}
	o = good(d, CAT_TAG_RESULT);
	if (o && d->kind == CAT_KIND_TERMINAL_RESPONSE) {
		d->has_result = true;
		d->result = o->v.result.general;
	}
}

static void check_required(struct cat_decoded *d, const char *what, const uint8_t *required, size_t n)
{
	size_t i;

	for (i = 0; i < n && required[i]; i++) {
		if (!cat_decoded_find(d, required[i], 0))
			rule(d, 0, CAT_RES_VALUES_MISSING, "%s: %s (%02X) missing", what, cat_tag_name(required[i]),
			     required[i]);
	}
}

/* Command details first, device identities second (TS 102 223 6.6 / 6.8) */
static void check_head(struct cat_decoded *d, const char *what)
{
	if (!cat_decoded_find(d, CAT_TAG_COMMAND_DETAILS, 0))
		rule(d, 0, CAT_RES_VALUES_MISSING, "%s: command details (01) missing", what);
	else if (d->objs[0].tag != CAT_TAG_COMMAND_DETAILS)
		rule(d, d->objs[0].offset, CAT_RES_DATA_NOT_UNDERSTOOD, "%s: command details must be the first object",
		     what);
	if (!cat_decoded_find(d, CAT_TAG_DEVICE_IDS, 0))
		rule(d, 0, CAT_RES_VALUES_MISSING, "%s: device identities (02) missing", what);
	else if (d->n_objs < 2 || d->objs[1].tag != CAT_TAG_DEVICE_IDS)
		rule(d, d->objs[1 < d->n_objs ? 1 : 0].offset, CAT_RES_DATA_NOT_UNDERSTOOD,
		     "%s: device identities must follow the command details", what);
}

static void check_proactive(struct cat_decoded *d)
{
	const struct cmd_spec *spec = NULL;
	const char *name;
	size_t i;

	check_head(d, "proactive command");
	if (!d->has_details)
		return;
	name = cat_cmd_type_name(d->type);
	if (!strcmp(name, "unknown") || d->type == 0x81) {
		rule(d, 0, CAT_RES_TYPE_NOT_UNDERSTOOD, "command type 0x%02X not understood", d->type);
		return;
	}
	for (i = 0; i < sizeof(cmd_specs) / sizeof(cmd_specs[0]); i++) {
		if (cmd_specs[i].type == d->type)
			spec = &cmd_specs[i];
	}
	if (d->has_devices && d->src != CAT_DEV_UICC)
		rule(d, 0, CAT_RES_DATA_NOT_UNDERSTOOD, "device identities: source of a proactive command must be UICC "
			"(81), is %s (%02X)", cat_dev_name(d->src), d->src);
	if (!spec)
		return;
	if (d->has_devices && spec->dst && d->dst != spec->dst)
		rule(d, 0, CAT_RES_DATA_NOT_UNDERSTOOD, "device identities: destination of %s must be %s (%02X), is %s "
			"(%02X)", name, cat_dev_name(spec->dst), spec->dst, cat_dev_name(d->dst), d->dst);
	check_required(d, name, spec->required, sizeof(spec->required));
	if (d->type == CAT_CMD_TIMER_MANAGEMENT && (d->qualifier & 0x03) == CAT_TIMER_START &&
	    !cat_decoded_find(d, CAT_TAG_TIMER_VALUE, 0))
		rule(d, 0, CAT_RES_VALUES_MISSING, "TIMER MANAGEMENT: start needs a timer value (25)");
	if (d->type == CAT_CMD_REFRESH && (d->qualifier == CAT_REFRESH_FCN || d->qualifier == CAT_REFRESH_INIT_FCN) &&
	    !cat_decoded_find(d, CAT_TAG_FILE_LIST, 0))
		rule(d, 0, CAT_RES_VALUES_MISSING, "REFRESH: file change notification needs a file list (12)");
}

static void check_terminal_response(struct cat_decoded *d)
{
	check_head(d, "terminal response");
	if (d->has_devices && (d->src != CAT_DEV_TERMINAL || d->dst != CAT_DEV_UICC))
		rule(d, 0, CAT_RES_DATA_NOT_UNDERSTOOD, "device identities: a terminal response goes from terminal (82) "
			"to UICC (81), not %02X to %02X", d->src, d->dst);
	if (!cat_decoded_find(d, CAT_TAG_RESULT, 0))
		rule(d, 0, CAT_RES_VALUES_MISSING, "terminal response: result (03) missing");
}

static void check_envelope(struct cat_decoded *d)
{
	const struct env_spec *spec = NULL;
	const char *name = cat_envelope_name(d->ber_tag);
	const struct cat_obj *ev;
	size_t i;

	for (i = 0; i < sizeof(env_specs) / sizeof(env_specs[0]); i++) {
		if (env_specs[i].tag == d->ber_tag)
			spec = &env_specs[i];
	}
	if (!spec) {
		rule(d, 0, CAT_RES_DATA_NOT_UNDERSTOOD, "envelope tag 0x%02X not understood", d->ber_tag);
		return;
	}
	if (!cat_decoded_find(d, CAT_TAG_DEVICE_IDS, 0))
		rule(d, 0, CAT_RES_VALUES_MISSING, "%s: device identities (02) missing", name);
	if (d->has_devices && d->dst != CAT_DEV_UICC)
		rule(d, 0, CAT_RES_DATA_NOT_UNDERSTOOD, "device identities: destination of an envelope must be UICC (81),"
			" is %02X", d->dst);
	if (d->has_devices && spec->src && d->src != spec->src)
		rule(d, 0, CAT_RES_DATA_NOT_UNDERSTOOD, "device identities: source of %s must be %s (%02X), is %02X",
		     name, cat_dev_name(spec->src), spec->src, d->src);
	if (d->has_devices && !spec->src && d->src != CAT_DEV_TERMINAL && d->src != CAT_DEV_NETWORK)
		rule(d, 0, CAT_RES_DATA_NOT_UNDERSTOOD, "device identities: source of %s must be terminal or network, "
			"is %02X", name, d->src);
	check_required(d, name, spec->required, sizeof(spec->required));
	ev = cat_decoded_find(d, CAT_TAG_EVENT_LIST, 0);
	if (d->ber_tag == CAT_ENV_EVENT_DOWNLOAD && ev && ev->len != 1)
		rule(d, ev->offset, CAT_RES_DATA_NOT_UNDERSTOOD, "event list: an event download carries exactly one "
			"event, has %zu", ev->len);
	if (d->ber_tag == CAT_ENV_CALL_CONTROL && !cat_decoded_find(d, CAT_TAG_ADDRESS, 0) &&
	    !cat_decoded_find(d, CAT_TAG_SS_STRING, 0) && !cat_decoded_find(d, CAT_TAG_USSD_STRING, 0))
		rule(d, 0, CAT_RES_VALUES_MISSING, "CALL CONTROL: address, SS string or USSD string missing");
}

/* Outer BER template: returns the end of its value, or 0 after recording the rule broken. */
static size_t open_template(struct cat_decoded *d, const uint8_t *buf, size_t len, size_t *start)
{
	struct sg_tlv_reader r;
	struct sg_tlv t;
	struct sg_error err;

	sg_tlv_reader_init(&r, buf, len);
	if (sg_ber_tlv_next(&r, &t, &err) < 0) {
		rule(d, 0, CAT_RES_DATA_NOT_UNDERSTOOD, "%s", err.msg);
		return 0;
	}
	if (r.pos != len)
		rule(d, r.pos, CAT_RES_DATA_NOT_UNDERSTOOD, "%zu bytes after the end of the %02X template", len - r.pos,
		     buf[0]);
	if (t.len > CAT_VALUE_MAX)
		rule(d, 1, CAT_RES_DATA_NOT_UNDERSTOOD, "template of %zu bytes, at most %d fit in one APDU", t.len,
		     CAT_VALUE_MAX);
	*start = (size_t)(t.val - buf);
	return r.pos;
}

int cat_decode(void *ctx, const uint8_t *buf, size_t len, struct cat_decoded **out, struct sg_error *err)
{
	struct cat_decoded *d = talloc_zero(ctx, struct cat_decoded);
	size_t start = 0, end = len;

	*out = d;
	if (!d)
		return sg_err(err, "out of memory");
	d->valid = true;
	if (len == 0) {
		rule(d, 0, CAT_RES_VALUES_MISSING, "no bytes to decode");
	} else if (buf[0] == CAT_BER_PROACTIVE || (buf[0] >= 0xD1 && buf[0] <= 0xDD)) {
		d->kind = buf[0] == CAT_BER_PROACTIVE ? CAT_KIND_PROACTIVE : CAT_KIND_ENVELOPE;
		d->ber_tag = buf[0];
		end = open_template(d, buf, len, &start);
	} else if ((buf[0] & 0x7F) == CAT_TAG_COMMAND_DETAILS) {
		d->kind = CAT_KIND_TERMINAL_RESPONSE;
	} else {
		rule(d, 0, CAT_RES_DATA_NOT_UNDERSTOOD, "first byte 0x%02X: neither a proactive command (D0), an envelope "
			"(D1-DD) nor a terminal response (81)", buf[0]);
	}
	if (d->kind != CAT_KIND_UNKNOWN && end > start && parse_objects(d, buf, start, end) < 0)
		return sg_err(err, "out of memory");
	take_details_and_devices(d);
	if (d->kind == CAT_KIND_PROACTIVE)
		check_proactive(d);
	else if (d->kind == CAT_KIND_TERMINAL_RESPONSE)
		check_terminal_response(d);
	else if (d->kind == CAT_KIND_ENVELOPE && end)
		check_envelope(d);
	if (d->valid)
		return 0;
	return sg_err(err, "%s", d->error);
}
