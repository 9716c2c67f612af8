/* SMPP 3.4 PDU codec: our own length walk over each body (so libsmpp34 never sees a PDU that lies), then
 * libsmpp34 for unpacking requests and packing everything. */
#include <stdio.h>
#include <string.h>

#include <osmocom/core/utils.h>

#include <smpp34.h>
#include <smpp34_structs.h>
#include <smpp34_params.h>

#include "smsgw/smpp_codec.h"

/* libsmpp34 keeps strings in uint8_t arrays */
#define COPY_TO_U8(dst, src) osmo_strlcpy((char *)(dst), (src), sizeof(dst))

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void smpp_hdr_get(const uint8_t *buf, struct smpp_hdr *h)
{
	h->len = get32(buf);
	h->id = get32(buf + 4);
	h->status = get32(buf + 8);
	h->seq = get32(buf + 12);
}

static const struct value_string cmd_names[] = {
	{ GENERIC_NACK, "generic_nack" },
	{ BIND_RECEIVER, "bind_receiver" },
	{ BIND_RECEIVER_RESP, "bind_receiver_resp" },
	{ BIND_TRANSMITTER, "bind_transmitter" },
	{ BIND_TRANSMITTER_RESP, "bind_transmitter_resp" },
	{ QUERY_SM, "query_sm" },
	{ QUERY_SM_RESP, "query_sm_resp" },
	{ SUBMIT_SM, "submit_sm" },
	{ SUBMIT_SM_RESP, "submit_sm_resp" },
	{ DELIVER_SM, "deliver_sm" },
	{ DELIVER_SM_RESP, "deliver_sm_resp" },
	{ UNBIND, "unbind" },
	{ UNBIND_RESP, "unbind_resp" },
	{ REPLACE_SM, "replace_sm" },
	{ REPLACE_SM_RESP, "replace_sm_resp" },
	{ CANCEL_SM, "cancel_sm" },
	{ CANCEL_SM_RESP, "cancel_sm_resp" },
	{ BIND_TRANSCEIVER, "bind_transceiver" },
	{ BIND_TRANSCEIVER_RESP, "bind_transceiver_resp" },
	{ OUTBIND, "outbind" },
	{ ENQUIRE_LINK, "enquire_link" },
	{ ENQUIRE_LINK_RESP, "enquire_link_resp" },
	{ SUBMIT_MULTI, "submit_multi" },
	{ SUBMIT_MULTI_RESP, "submit_multi_resp" },
	{ ALERT_NOTIFICATION, "alert_notification" },
	{ DATA_SM, "data_sm" },
	{ DATA_SM_RESP, "data_sm_resp" },
	{ 0, NULL }
};

static const struct value_string status_names[] = {
	{ ESME_ROK, "ESME_ROK" },
	{ ESME_RINVMSGLEN, "ESME_RINVMSGLEN" },
	{ ESME_RINVCMDLEN, "ESME_RINVCMDLEN" },
	{ ESME_RINVCMDID, "ESME_RINVCMDID" },
	{ ESME_RINVBNDSTS, "ESME_RINVBNDSTS" },
	{ ESME_RALYBND, "ESME_RALYBND" },
	{ ESME_RSYSERR, "ESME_RSYSERR" },
	{ ESME_RINVSRCADR, "ESME_RINVSRCADR" },
	{ ESME_RINVDSTADR, "ESME_RINVDSTADR" },
	{ ESME_RBINDFAIL, "ESME_RBINDFAIL" },
	{ ESME_RINVPASWD, "ESME_RINVPASWD" },
	{ ESME_RINVSYSID, "ESME_RINVSYSID" },
	{ ESME_RMSGQFUL, "ESME_RMSGQFUL" },
	{ ESME_RINVESMCLASS, "ESME_RINVESMCLASS" },
	{ ESME_RSUBMITFAIL, "ESME_RSUBMITFAIL" },
	{ ESME_RINVSRCTON, "ESME_RINVSRCTON" },
	{ ESME_RINVSRCNPI, "ESME_RINVSRCNPI" },
	{ ESME_RINVDSTTON, "ESME_RINVDSTTON" },
	{ ESME_RINVDSTNPI, "ESME_RINVDSTNPI" },
	{ ESME_RTHROTTLED, "ESME_RTHROTTLED" },
	{ ESME_RX_T_APPN, "ESME_RX_T_APPN" },
	{ ESME_RX_P_APPN, "ESME_RX_P_APPN" },
	{ ESME_RX_R_APPN, "ESME_RX_R_APPN" },
	{ ESME_RINVOPTPARSTREAM, "ESME_RINVOPTPARSTREAM" },
	{ ESME_ROPTPARNOTALLWD, "ESME_ROPTPARNOTALLWD" },
	{ ESME_RINVPARLEN, "ESME_RINVPARLEN" },
	{ ESME_RMISSINGOPTPARAM, "ESME_RMISSINGOPTPARAM" },
	{ ESME_RINVOPTPARAMVAL, "ESME_RINVOPTPARAMVAL" },
	{ ESME_RDELIVERYFAILURE, "ESME_RDELIVERYFAILURE" },
	{ ESME_RUNKNOWNERR, "ESME_RUNKNOWNERR" },
	{ 0, NULL }
};

const char *smpp_cmd_name(uint32_t id)
{
	return get_value_string_or_null(cmd_names, id) ?: "unknown";
}

const char *smpp_status_name(uint32_t status)
{
	return get_value_string_or_null(status_names, status) ?: "status";
}

bool smpp_cmd_known(uint32_t id)
{
	return get_value_string_or_null(cmd_names, id) != NULL;
}

/* ---- body layouts ---- */
/* One letter per field: 'b' one octet, a digit class for C-octet strings (max size incl. NUL), 's' sm_length +
 * short_message, 't' TLVs until the end, 'o' an optional C-octet message_id (may be absent entirely). */
enum fkind { F_END, F_BYTE, F_COCT, F_SM, F_TLVS, F_OPT_COCT };
struct field {
	enum fkind k;
	uint8_t max;
	const char *name;
};

#define B(n) { F_BYTE, 1, n }
#define C(m, n) { F_COCT, m, n }
#define SM { F_SM, 254, "short_message" }
#define TLVS { F_TLVS, 0, "tlv" }
#define END { F_END, 0, NULL }

static const struct field l_bind[] = { C(16, "system_id"), C(9, "password"), C(13, "system_type"),
				       B("interface_version"), B("addr_ton"), B("addr_npi"), C(41, "address_range"),
				       END };
static const struct field l_bind_resp[] = { { F_OPT_COCT, 16, "system_id" }, TLVS, END };
static const struct field l_submit[] = { C(6, "service_type"), B("source_addr_ton"), B("source_addr_npi"),
					 C(21, "source_addr"), B("dest_addr_ton"), B("dest_addr_npi"),
					 C(21, "destination_addr"), B("esm_class"), B("protocol_id"),
					 B("priority_flag"), C(17, "schedule_delivery_time"), C(17, "validity_period"),
					 B("registered_delivery"), B("replace_if_present_flag"), B("data_coding"),
					 B("sm_default_msg_id"), SM, TLVS, END };
/* deliver_sm carries empty schedule and validity times (libsmpp34 allows nothing else) */
static const struct field l_deliver[] = { C(6, "service_type"), B("source_addr_ton"), B("source_addr_npi"),
					  C(21, "source_addr"), B("dest_addr_ton"), B("dest_addr_npi"),
					  C(21, "destination_addr"), B("esm_class"), B("protocol_id"),
					  B("priority_flag"), C(1, "schedule_delivery_time"), C(1, "validity_period"),
					  B("registered_delivery"), B("replace_if_present_flag"), B("data_coding"),
					  B("sm_default_msg_id"), SM, TLVS, END };
static const struct field l_data[] = { C(6, "service_type"), B("source_addr_ton"), B("source_addr_npi"),
				       C(21, "source_addr"), B("dest_addr_ton"), B("dest_addr_npi"),
				       C(65, "destination_addr"), B("esm_class"), B("registered_delivery"),
				       B("data_coding"), TLVS, END };
static const struct field l_msgid_resp[] = { { F_OPT_COCT, 65, "message_id" }, TLVS, END };
static const struct field l_empty[] = { END };
static const struct field l_alert[] = { B("source_addr_ton"), B("source_addr_npi"), C(65, "source_addr"),
					B("esme_addr_ton"), B("esme_addr_npi"), C(65, "esme_addr"), TLVS, END };

static const struct field *layout(uint32_t id)
{
	switch (id) {
	case BIND_RECEIVER:
	case BIND_TRANSMITTER:
	case BIND_TRANSCEIVER:
		return l_bind;
	case BIND_RECEIVER_RESP:
	case BIND_TRANSMITTER_RESP:
	case BIND_TRANSCEIVER_RESP:
		return l_bind_resp;
	case SUBMIT_SM:
		return l_submit;
	case DELIVER_SM:
		return l_deliver;
	case DATA_SM:
		return l_data;
	case SUBMIT_SM_RESP:
	case DELIVER_SM_RESP:
	case DATA_SM_RESP:
		return l_msgid_resp;
	case ENQUIRE_LINK:
	case ENQUIRE_LINK_RESP:
	case UNBIND:
	case UNBIND_RESP:
	case GENERIC_NACK:
		return l_empty;
	case ALERT_NOTIFICATION:
		return l_alert;
	default:
		return NULL;
	}
}

/* Exact or maximum TLV value lengths from SMPP 3.4 5.3.2; libsmpp34 reads the fixed ones as integers without
 * looking at the length field, so a wrong length would shift everything after it. */
struct tlv_rule {
	uint16_t tag;
	uint16_t exact; /* 0xffff: only max applies */
	uint16_t max;
};
static const struct tlv_rule tlv_rules[] = {
	{ 0x0005, 1, 1 },    { 0x0006, 1, 1 },	   { 0x0007, 1, 1 },	 { 0x0008, 2, 2 },    { 0x000D, 1, 1 },
	{ 0x000E, 1, 1 },    { 0x000F, 1, 1 },	   { 0x0010, 1, 1 },	 { 0x0017, 4, 4 },    { 0x0019, 1, 1 },
	{ 0x001D, 0xffff, 256 }, { 0x001E, 0xffff, 65 }, { 0x0030, 1, 1 },	 { 0x0201, 1, 1 },
	{ 0x0202, 0xffff, 23 }, { 0x0203, 0xffff, 23 }, { 0x0204, 2, 2 },	 { 0x0205, 1, 1 },    { 0x020A, 2, 2 },
	{ 0x020B, 2, 2 },    { 0x020C, 2, 2 },	   { 0x020D, 1, 1 },	 { 0x020E, 1, 1 },    { 0x020F, 1, 1 },
	{ 0x0210, 1, 1 },    { 0x0302, 1, 1 },	   { 0x0303, 0xffff, 65 }, { 0x0304, 1, 1 },  { 0x0381, 0xffff, 19 },
	{ 0x0420, 1, 1 },    { 0x0421, 1, 1 },	   { 0x0422, 1, 1 },	 { 0x0423, 3, 3 },    { 0x0425, 1, 1 },
	{ 0x0426, 1, 1 },    { 0x0427, 1, 1 },	   { 0x0501, 1, 1 },	 { 0x1201, 1, 1 },    { 0x1203, 2, 2 },
	{ 0x1204, 1, 1 },    { 0x130C, 0, 0 },	   { 0x1380, 1, 1 },	 { 0x1383, 2, 2 },
};

static uint32_t check_tlv(uint16_t tag, uint16_t len, char *why, size_t why_size)
{
	for (size_t i = 0; i < ARRAY_SIZE(tlv_rules); i++) {
		const struct tlv_rule *r = &tlv_rules[i];

		if (r->tag != tag)
			continue;
		if ((r->exact != 0xffff && len != r->exact) || len > r->max) {
			snprintf(why, why_size, "TLV 0x%04X has length %u, must be %s%u", tag, len,
				 r->exact == 0xffff ? "at most " : "", r->exact == 0xffff ? r->max : r->exact);
			return ESME_RINVPARLEN;
		}
		return ESME_ROK;
	}
	if (len > SMPP_UD_MAX) {
		snprintf(why, why_size, "TLV 0x%04X has length %u, more than %d", tag, len, SMPP_UD_MAX);
		return ESME_RINVPARLEN;
	}
	return ESME_ROK;
}

/* libsmpp34 writes a trace of every field into its 2048-byte smpp34_strerror and overruns it when a PDU has
 * many TLVs; no legitimate message needs more than a handful. */
#define SMPP_MAX_TLVS 16

static uint32_t walk_tlvs(const uint8_t *p, size_t len, char *why, size_t why_size)
{
	size_t pos = 0;
	unsigned int count = 0;

	while (pos < len) {
		uint16_t tag, tl;
		uint32_t st;

		if (++count > SMPP_MAX_TLVS) {
			snprintf(why, why_size, "more than %d TLVs", SMPP_MAX_TLVS);
			return ESME_RINVOPTPARSTREAM;
		}

		if (len - pos < 4) {
			snprintf(why, why_size, "%zu stray bytes where a TLV header should be", len - pos);
			return ESME_RINVOPTPARSTREAM;
		}
		tag = (uint16_t)(p[pos] << 8 | p[pos + 1]);
		tl = (uint16_t)(p[pos + 2] << 8 | p[pos + 3]);
		if (tl > len - pos - 4) {
			snprintf(why, why_size, "TLV 0x%04X length %u runs past the PDU", tag, tl);
			return ESME_RINVOPTPARSTREAM;
		}
		st = check_tlv(tag, tl, why, why_size);
		if (st != ESME_ROK)
			return st;
		pos += 4 + tl;
	}
	return ESME_ROK;
}

static uint32_t walk_coct(const uint8_t *p, size_t len, size_t *pos, const struct field *f, char *why,
			  size_t why_size)
{
	const uint8_t *nul = memchr(p + *pos, 0, len - *pos);

	if (!nul) {
		snprintf(why, why_size, "%s: no NUL before the end of the PDU", f->name);
		return ESME_RINVCMDLEN;
	}
	if ((size_t)(nul - (p + *pos)) + 1 > f->max) {
		snprintf(why, why_size, "%s: %zu characters, at most %u allowed", f->name, (size_t)(nul - (p + *pos)),
			 f->max - 1);
		return ESME_RINVCMDLEN;
	}
	*pos = (size_t)(nul - p) + 1;
	return ESME_ROK;
}

static uint32_t walk_body(const struct field *f, const uint8_t *p, size_t len, char *why, size_t why_size)
{
	size_t pos = 0;
	uint32_t st;

	for (; f->k != F_END; f++) {
		switch (f->k) {
		case F_BYTE:
			if (pos >= len) {
				snprintf(why, why_size, "%s: PDU ends before it", f->name);
				return ESME_RINVCMDLEN;
			}
			pos++;
			break;
		case F_OPT_COCT:
			if (pos >= len)
				return ESME_ROK;
			/* fall through */
		case F_COCT:
			st = walk_coct(p, len, &pos, f, why, why_size);
			if (st != ESME_ROK)
				return st;
			break;
		case F_SM:
			if (pos >= len) {
				snprintf(why, why_size, "sm_length: PDU ends before it");
				return ESME_RINVCMDLEN;
			}
			if (p[pos] > len - pos - 1 || p[pos] > SMPP_SM_MAX) {
				snprintf(why, why_size, "sm_length %u runs past the PDU (%zu bytes left)", p[pos],
					 len - pos - 1);
				return ESME_RINVMSGLEN;
			}
			pos += 1 + p[pos];
			break;
		case F_TLVS:
			return walk_tlvs(p + pos, len - pos, why, why_size);
		default:
			break;
		}
	}
	if (pos != len) {
		snprintf(why, why_size, "%zu bytes after the last field", len - pos);
		return ESME_RINVCMDLEN;
	}
	return ESME_ROK;
}

uint32_t smpp_pdu_check(const uint8_t *pdu, size_t len, char *why, size_t why_size)
{
	struct smpp_hdr h;
	const struct field *l;

	snprintf(why, why_size, "ok");
	if (len < SMPP_HDR_LEN) {
		snprintf(why, why_size, "PDU of %zu bytes is shorter than the header", len);
		return ESME_RINVCMDLEN;
	}
	smpp_hdr_get(pdu, &h);
	if (h.len != len || len > SMPP_MAX_PDU) {
		snprintf(why, why_size, "command_length %u for a PDU of %zu bytes (max %d)", h.len, len,
			 SMPP_MAX_PDU);
		return ESME_RINVCMDLEN;
	}
	l = layout(h.id);
	if (!l) {
		snprintf(why, why_size, "command_id 0x%08X (%s) not supported", h.id, smpp_cmd_name(h.id));
		return ESME_RINVCMDID;
	}
	return walk_body(l, pdu + SMPP_HDR_LEN, len - SMPP_HDR_LEN, why, why_size);
}

void smpp_sm_init(struct smpp_sm *sm)
{
	memset(sm, 0, sizeof(*sm));
	sm->ussd_op = -1;
	sm->message_state = -1;
}

/* libsmpp34 uses distinct struct types with identical leading layouts for these fields; a macro keeps the three
 * conversions in one place. */
#define SM_FROM_PDU(sm, t)                                                                                       \
	do {                                                                                                     \
		OSMO_STRLCPY_ARRAY((sm)->service_type, (const char *)(t)->service_type);                         \
		(sm)->src_ton = (t)->source_addr_ton;                                                            \
		(sm)->src_npi = (t)->source_addr_npi;                                                            \
		OSMO_STRLCPY_ARRAY((sm)->src, (const char *)(t)->source_addr);                                   \
		(sm)->dst_ton = (t)->dest_addr_ton;                                                              \
		(sm)->dst_npi = (t)->dest_addr_npi;                                                              \
		OSMO_STRLCPY_ARRAY((sm)->dst, (const char *)(t)->destination_addr);                              \
		(sm)->esm_class = (t)->esm_class;                                                                \
		(sm)->regdel = (t)->registered_delivery;                                                         \
		(sm)->dcs = (t)->data_coding;                                                                    \
	} while (0)

static uint32_t sm_tlvs(struct smpp_sm *sm, const tlv_t *t, char *why, size_t why_size)
{
	for (; t; t = t->next) {
		switch (t->tag) {
		case TLVID_message_payload:
			if (sm->ud_len) {
				snprintf(why, why_size, "both short_message and message_payload present");
				return ESME_RINVOPTPARAMVAL;
			}
			memcpy(sm->ud, t->value.octet, t->length);
			sm->ud_len = t->length;
			sm->use_payload = true;
			break;
		case TLVID_user_message_reference:
			sm->has_umr = true;
			sm->umr = t->value.val16;
			break;
		case TLVID_ussd_service_op:
			sm->ussd_op = t->value.octet[0];
			break;
		case TLVID_receipted_message_id:
			memcpy(sm->receipted_id, t->value.octet, OSMO_MIN(t->length, sizeof(sm->receipted_id) - 1));
			sm->receipted_id[OSMO_MIN(t->length, sizeof(sm->receipted_id) - 1)] = '\0';
			break;
		case TLVID_message_state:
			/* submit_sm's table reads it as an octet string, deliver_sm's as a byte */
			sm->message_state = t->length == 1 ? t->value.octet[0] : -1;
			break;
		default:
			break;
		}
	}
	return ESME_ROK;
}

static uint32_t unpack_failed(char *why, size_t why_size)
{
	snprintf(why, why_size, "libsmpp34: %.*s", (int)(why_size > 16 ? why_size - 16 : 0), smpp34_strerror);
	return ESME_RSYSERR;
}

/* submit_sm_t and deliver_sm_t have the same fields at different offsets (deliver_sm's time fields are 1 byte) */
#define UNPACK_SM(id, t, pdu, len, sm, why, why_size)                                                            \
	do {                                                                                                     \
		uint32_t st_;                                                                                    \
		memset(&(t), 0, sizeof(t));                                                                      \
		if (smpp34_unpack(id, &(t), pdu, (int)(len)) != 0) {                                             \
			destroy_tlv((t).tlv);                                                                    \
			return unpack_failed(why, why_size);                                                     \
		}                                                                                                \
		SM_FROM_PDU(sm, &(t));                                                                           \
		(sm)->pid = (t).protocol_id;                                                                     \
		(sm)->priority = (t).priority_flag;                                                              \
		memcpy((sm)->ud, (t).short_message, (t).sm_length);                                              \
		(sm)->ud_len = (t).sm_length;                                                                    \
		st_ = sm_tlvs(sm, (t).tlv, why, why_size);                                                       \
		destroy_tlv((t).tlv);                                                                            \
		return st_;                                                                                      \
	} while (0)

uint32_t smpp_decode_sm(const uint8_t *pdu, size_t len, struct smpp_sm *sm, char *why, size_t why_size)
{
	struct smpp_hdr h;

	smpp_sm_init(sm);
	smpp_hdr_get(pdu, &h);
	if (h.id == SUBMIT_SM) {
		submit_sm_t t;

		UNPACK_SM(h.id, t, pdu, len, sm, why, why_size);
	}
	if (h.id == DELIVER_SM) {
		deliver_sm_t t;

		UNPACK_SM(h.id, t, pdu, len, sm, why, why_size);
	}
	if (h.id == DATA_SM) {
		data_sm_t t;

		memset(&t, 0, sizeof(t));
		if (smpp34_unpack(h.id, &t, pdu, (int)len) != 0) {
			destroy_tlv(t.tlv);
			return unpack_failed(why, why_size);
		}
		uint32_t st;

		SM_FROM_PDU(sm, &t);
		sm->use_payload = true;
		st = sm_tlvs(sm, t.tlv, why, why_size);
		destroy_tlv(t.tlv);
		return st;
	}
	snprintf(why, why_size, "%s carries no short message", smpp_cmd_name(h.id));
	return ESME_RINVCMDID;
}

uint32_t smpp_decode_bind(const uint8_t *pdu, size_t len, struct smpp_bind *b, char *why, size_t why_size)
{
	bind_transceiver_t t; /* the three bind PDUs share one layout */
	struct smpp_hdr h;

	memset(b, 0, sizeof(*b));
	memset(&t, 0, sizeof(t));
	smpp_hdr_get(pdu, &h);
	if (h.id != BIND_TRANSCEIVER && h.id != BIND_TRANSMITTER && h.id != BIND_RECEIVER) {
		snprintf(why, why_size, "%s is not a bind", smpp_cmd_name(h.id));
		return ESME_RINVCMDID;
	}
	if (smpp34_unpack(h.id, &t, pdu, (int)len) != 0)
		return unpack_failed(why, why_size);
	b->cmd = h.id;
	OSMO_STRLCPY_ARRAY(b->system_id, (const char *)t.system_id);
	OSMO_STRLCPY_ARRAY(b->password, (const char *)t.password);
	OSMO_STRLCPY_ARRAY(b->system_type, (const char *)t.system_type);
	b->version = t.interface_version;
	return ESME_ROK;
}

void smpp_decode_resp_msgid(const uint8_t *pdu, size_t len, char *msgid, size_t size)
{
	size_t n = 0;

	/* the PDU passed smpp_pdu_check: a message_id, when present, is NUL-terminated within 65 bytes */
	for (size_t i = SMPP_HDR_LEN; i < len && pdu[i] && n + 1 < size; i++)
		msgid[n++] = (char)pdu[i];
	if (size)
		msgid[n] = '\0';
}

static int pack(uint32_t cmd, void *t, uint8_t *buf, size_t size)
{
	int out = 0;

	if (smpp34_pack(cmd, buf, (int)size, &out, t) != 0)
		return -1;
	return out;
}

static void add_tlv(tlv_t **list, uint16_t tag, uint16_t len, const void *val)
{
	tlv_t t;

	memset(&t, 0, sizeof(t));
	t.tag = tag;
	t.length = len;
	if (len == 1 && tag != TLVID_ussd_service_op && tag != TLVID_message_state)
		t.value.val08 = *(const uint8_t *)val;
	else if (len == 2 && tag == TLVID_user_message_reference)
		t.value.val16 = *(const uint16_t *)val;
	else
		memcpy(t.value.octet, val, len);
	build_tlv(list, &t);
}

static tlv_t *sm_build_tlvs(const struct smpp_sm *sm, bool payload)
{
	tlv_t *list = NULL;

	if (payload)
		add_tlv(&list, TLVID_message_payload, (uint16_t)sm->ud_len, sm->ud);
	if (sm->has_umr)
		add_tlv(&list, TLVID_user_message_reference, 2, &sm->umr);
	if (sm->ussd_op >= 0) {
		uint8_t op = (uint8_t)sm->ussd_op;

		add_tlv(&list, TLVID_ussd_service_op, 1, &op);
	}
	if (sm->receipted_id[0])
		add_tlv(&list, TLVID_receipted_message_id, (uint16_t)(strlen(sm->receipted_id) + 1), sm->receipted_id);
	if (sm->message_state >= 0) {
		uint8_t st = (uint8_t)sm->message_state;

		add_tlv(&list, TLVID_message_state, 1, &st);
	}
	return list;
}

#define SM_TO_PDU(t, sm)                                                                                         \
	do {                                                                                                     \
		COPY_TO_U8((t)->service_type, (sm)->service_type);                                       \
		(t)->source_addr_ton = (sm)->src_ton;                                                            \
		(t)->source_addr_npi = (sm)->src_npi;                                                            \
		COPY_TO_U8((t)->source_addr, (sm)->src);                                                 \
		(t)->dest_addr_ton = (sm)->dst_ton;                                                              \
		(t)->dest_addr_npi = (sm)->dst_npi;                                                              \
		COPY_TO_U8((t)->destination_addr, (sm)->dst);                                            \
		(t)->esm_class = (sm)->esm_class;                                                                \
		(t)->registered_delivery = (sm)->regdel;                                                         \
		(t)->data_coding = (sm)->dcs;                                                                    \
	} while (0)

#define PACK_SM(cmd, seq, t, sm, payload, buf, size, n)                                                          \
	do {                                                                                                     \
		memset(&(t), 0, sizeof(t));                                                                      \
		(t).command_id = cmd;                                                                            \
		(t).sequence_number = seq;                                                                       \
		SM_TO_PDU(&(t), sm);                                                                             \
		(t).protocol_id = (sm)->pid;                                                                     \
		(t).priority_flag = (sm)->priority;                                                              \
		if (!(payload)) {                                                                                \
			(t).sm_length = (uint8_t)(sm)->ud_len;                                                   \
			memcpy((t).short_message, (sm)->ud, (sm)->ud_len);                                       \
		}                                                                                                \
		(t).tlv = sm_build_tlvs(sm, payload);                                                            \
		n = pack(cmd, &(t), buf, size);                                                                  \
		destroy_tlv((t).tlv);                                                                            \
	} while (0)

int smpp_encode_sm(uint32_t cmd, uint32_t seq, const struct smpp_sm *sm, uint8_t *buf, size_t size, char *why,
		   size_t why_size)
{
	bool payload = sm->use_payload || sm->ud_len > SMPP_SM_MAX;
	int n;

	if (sm->ud_len > SMPP_UD_MAX) {
		snprintf(why, why_size, "user data of %zu bytes exceeds %d", sm->ud_len, SMPP_UD_MAX);
		return -1;
	}
	if (cmd == SUBMIT_SM) {
		submit_sm_t t;

		PACK_SM(cmd, seq, t, sm, payload, buf, size, n);
	} else if (cmd == DELIVER_SM) {
		deliver_sm_t t;

		PACK_SM(cmd, seq, t, sm, payload, buf, size, n);
	} else if (cmd == DATA_SM) {
		data_sm_t t;

		memset(&t, 0, sizeof(t));
		t.command_id = cmd;
		t.sequence_number = seq;
		SM_TO_PDU(&t, sm);
		t.tlv = sm_build_tlvs(sm, true);
		n = pack(cmd, &t, buf, size);
		destroy_tlv(t.tlv);
	} else {
		snprintf(why, why_size, "%s carries no short message", smpp_cmd_name(cmd));
		return -1;
	}
	if (n < 0)
		snprintf(why, why_size, "libsmpp34: %.*s", (int)(why_size > 16 ? why_size - 16 : 0), smpp34_strerror);
	return n;
}

int smpp_encode_bind(uint32_t seq, const struct smpp_bind *b, uint8_t *buf, size_t size)
{
	bind_transceiver_t t;

	memset(&t, 0, sizeof(t));
	t.command_id = b->cmd;
	t.sequence_number = seq;
	COPY_TO_U8(t.system_id, b->system_id);
	COPY_TO_U8(t.password, b->password);
	COPY_TO_U8(t.system_type, b->system_type);
	t.interface_version = 0x34;
	return pack(b->cmd, &t, buf, size);
}

int smpp_encode_bind_resp(uint32_t cmd, uint32_t status, uint32_t seq, const char *system_id, uint8_t *buf,
			  size_t size)
{
	bind_transceiver_resp_t t;

	memset(&t, 0, sizeof(t));
	t.command_id = cmd;
	t.command_status = status;
	t.sequence_number = seq;
	COPY_TO_U8(t.system_id, system_id);
	return pack(cmd, &t, buf, size);
}

int smpp_encode_sm_resp(uint32_t cmd, uint32_t status, uint32_t seq, const char *msgid, uint8_t *buf, size_t size)
{
	submit_sm_resp_t t;

	if (cmd == DELIVER_SM_RESP) {
		deliver_sm_resp_t d;

		memset(&d, 0, sizeof(d));
		d.command_id = cmd;
		d.command_status = status;
		d.sequence_number = seq;
		return pack(cmd, &d, buf, size);
	}
	memset(&t, 0, sizeof(t));
	t.command_id = cmd;
	t.command_status = status;
	t.sequence_number = seq;
	if (status == ESME_ROK)
		COPY_TO_U8(t.message_id, msgid ? msgid : "");
	if (cmd == DATA_SM_RESP) {
		data_sm_resp_t dr;

		memset(&dr, 0, sizeof(dr));
		dr.command_id = cmd;
		dr.command_status = status;
		dr.sequence_number = seq;
		COPY_TO_U8(dr.message_id, (const char *)t.message_id);
		return pack(cmd, &dr, buf, size);
	}
	return pack(cmd, &t, buf, size);
}

int smpp_encode_hdr_only(uint32_t cmd, uint32_t status, uint32_t seq, uint8_t *buf, size_t size)
{
	generic_nack_t t;
	uint8_t tmp[64]; /* libsmpp34 wants room beyond the 16 bytes it writes */
	int n;

	/* libsmpp34 packs by command id: any other id would read a body this struct does not have */
	if (size < SMPP_HDR_LEN || (cmd != ENQUIRE_LINK && cmd != ENQUIRE_LINK_RESP && cmd != UNBIND &&
				    cmd != UNBIND_RESP && cmd != GENERIC_NACK))
		return -1;
	memset(&t, 0, sizeof(t));
	t.command_id = cmd;
	t.command_status = status;
	t.sequence_number = seq;
	n = pack(cmd, &t, tmp, sizeof(tmp));
	if (n != SMPP_HDR_LEN)
		return -1;
	memcpy(buf, tmp, SMPP_HDR_LEN);
	return n;
}
