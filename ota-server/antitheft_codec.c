/* Anti-theft applet encoding (specs/antitheft-protocol.md): command messages, owner key and proof, results,
 * handset-change reports. See antitheft.h. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "simguard/hex.h"
#include "otasrv/antitheft.h"

static const struct {
	const char *command;
	const char *verb;
} verbs[] = {
	{ "lock", "LOCK" },    { "disable", "DSBL" }, { "unlock", "UNLK" }, { "wipe", "WIPE" },
	{ "locate", "LOCA" },  { "ring", "RING" },    { "message", "MESG" }, { "status", "STAT" },
	{ "opt-out", "OPTO" }, { "opt-in", "OPTI" },  { "enrol", "ENRL" },
};

const char *osv_at_verb(const char *command)
{
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(command, verbs[i].command))
			return verbs[i].verb;
	return NULL;
}

/* UTF-8 well-formedness, no control characters but line feed. */
static int message_ok(const char *m, struct sg_error *err)
{
	const unsigned char *p = (const unsigned char *)m;
	size_t n = strlen(m);

	if (n == 0 || n > OSV_AT_MESSAGE_MAX)
		return sg_err(err, "message: %zu bytes, want 1..%d", n, OSV_AT_MESSAGE_MAX);
	while (*p) {
		int extra = *p < 0x80 ? 0 : (*p & 0xE0) == 0xC0 ? 1 : (*p & 0xF0) == 0xE0 ? 2 : (*p & 0xF8) == 0xF0 ? 3 : -1;

		if (extra < 0)
			return sg_err(err, "message: not UTF-8 at byte %zu", (size_t)(p - (const unsigned char *)m) + 1);
		if (extra == 0 && (*p < 0x20 || *p == 0x7F) && *p != '\n')
			return sg_err(err, "message: control character at byte %zu",
				      (size_t)(p - (const unsigned char *)m) + 1);
		for (int i = 1; i <= extra; i++)
			if ((p[i] & 0xC0) != 0x80)
				return sg_err(err, "message: not UTF-8 at byte %zu",
					      (size_t)(p - (const unsigned char *)m) + 1);
		p += extra + 1;
	}
	return 0;
}

int osv_at_params_check(const struct osv_at_params *p, struct sg_error *err)
{
	const char *c = p->contact;
	size_t n;

	if (p->message[0] && message_ok(p->message, err) < 0)
		return -1;
	if (*c) {
		if (*c == '+')
			c++;
		n = strlen(c);
		if (n < 3 || n > 20)
			return sg_err(err, "contact: %zu digits, want 3..20 (optional +)", n);
		for (size_t i = 0; i < n; i++)
			if (!isdigit((unsigned char)c[i]))
				return sg_err(err, "contact: '%c' is not a digit", c[i]);
	}
	if (p->duration && (p->duration < 30 || p->duration > 180))
		return sg_err(err, "duration: %d s, want 30..180", p->duration);
	if (p->tone > 255)
		return sg_err(err, "tone: %d is not a tone code (0..255)", p->tone);
	return 0;
}

struct writer {
	uint8_t *out;
	size_t size, len;
	bool overflow;
};

static void put(struct writer *w, const void *p, size_t n)
{
	if (w->len + n > w->size) {
		w->overflow = true;
		return;
	}
	memcpy(w->out + w->len, p, n);
	w->len += n;
}

static void put_tlv(struct writer *w, uint8_t tag, const void *v, size_t n)
{
	uint8_t hdr[3] = { tag };
	size_t h = 2;

	if (n < 0x80) {
		hdr[1] = (uint8_t)n;
	} else {
		hdr[1] = 0x81;
		hdr[2] = (uint8_t)n;
		h = 3;
	}
	put(w, hdr, h);
	put(w, v, n);
}

long osv_at_encode(const char *verb, uint32_t request_id, uint64_t cntr, const struct osv_at_params *p,
		   uint8_t *out, size_t size, struct sg_error *err)
{
	struct writer w = { .out = out, .size = size };
	uint8_t rid[4] = { (uint8_t)(request_id >> 24), (uint8_t)(request_id >> 16), (uint8_t)(request_id >> 8),
			   (uint8_t)request_id };
	uint8_t origin = (uint8_t)p->origin, proof[OSV_AT_PROOF_LEN];

	if (!verb || strlen(verb) != 4)
		return sg_err(err, "command: no such anti-theft verb");
	if (osv_at_params_check(p, err) < 0)
		return -1;
	put(&w, verb, 4);
	put(&w, rid, 4);
	put_tlv(&w, 0x80, &origin, 1);
	if (p->message[0])
		put_tlv(&w, 0x81, p->message, strlen(p->message));
	if (p->contact[0])
		put_tlv(&w, 0x82, p->contact, strlen(p->contact));
	if (p->proof) {
		if (osv_at_proof(p->owner_key, verb, request_id, cntr, proof) < 0)
			return sg_err(err, "owner proof: HMAC failed");
		put_tlv(&w, 0x83, proof, sizeof(proof));
		OPENSSL_cleanse(proof, sizeof(proof));
	}
	if (p->duration) {
		uint8_t d[2] = { (uint8_t)(p->duration >> 8), (uint8_t)p->duration };

		put_tlv(&w, 0x84, d, 2);
	}
	if (p->enrol)
		put_tlv(&w, 0x85, p->new_key, OSV_AT_KEY_LEN);
	if (p->tone >= 0) {
		uint8_t t = (uint8_t)p->tone;

		put_tlv(&w, 0x86, &t, 1);
	}
	if (w.overflow) {
		OPENSSL_cleanse(out, size);
		return sg_err(err, "command message longer than %zu bytes", size);
	}
	return (long)w.len;
}

int osv_at_owner_key(const char *secret, const char *iccid, uint8_t key[OSV_AT_KEY_LEN], struct sg_error *err)
{
	char salt[64];
	int n = snprintf(salt, sizeof(salt), "simguard-owner:%s", iccid);

	if (!*secret)
		return sg_err(err, "secret: empty");
	if (PKCS5_PBKDF2_HMAC(secret, (int)strlen(secret), (const unsigned char *)salt, n, 100000, EVP_sha256(),
			      OSV_AT_KEY_LEN, key) != 1)
		return sg_err(err, "secret: key derivation failed");
	return 0;
}

int osv_at_proof(const uint8_t key[OSV_AT_KEY_LEN], const char *verb, uint32_t request_id, uint64_t cntr,
		 uint8_t proof[OSV_AT_PROOF_LEN])
{
	uint8_t in[13], mac[32];
	unsigned int n = sizeof(mac);

	memcpy(in, verb, 4);
	for (int i = 0; i < 4; i++)
		in[4 + i] = (uint8_t)(request_id >> (24 - 8 * i));
	for (int i = 0; i < 5; i++)
		in[8 + i] = (uint8_t)(cntr >> (32 - 8 * i));
	if (!HMAC(EVP_sha256(), key, OSV_AT_KEY_LEN, in, sizeof(in), mac, &n))
		return -1;
	memcpy(proof, mac, OSV_AT_PROOF_LEN);
	OPENSSL_cleanse(mac, sizeof(mac));
	return 0;
}

static const struct {
	const char code[3];
	const char *meaning;
} results[] = {
	{ "OK", "performed" },
	{ "NL", "performed, but the terminal gave no location" },
	{ "UV", "unknown verb" },
	{ "PE", "parameter error" },
	{ "AU", "owner proof missing or wrong" },
	{ "NE", "no owner key enrolled on the card" },
	{ "OL", "an operator lock is present: only the operator can lift it" },
	{ "OO", "the owner opted out: anti-theft actions are refused" },
	{ "LK", "not allowed while the card is locked or disabled" },
	{ "DI", "the card is disabled for good" },
	{ "TU", "the terminal cannot do it" },
	{ "ME", "memory problem on the card" },
};

bool osv_at_result_ok(const char result[2])
{
	return !memcmp(result, "OK", 2) || !memcmp(result, "NL", 2);
}

/* Read the next one-byte-tag TLV (lengths 00..7F, 81 xx). 1 a TLV, 0 end, -1 malformed. */
static int next_tlv(const uint8_t **p, const uint8_t *end, uint8_t *tag, const uint8_t **v, size_t *n)
{
	const uint8_t *q = *p;

	if (q == end)
		return 0;
	if (end - q < 2)
		return -1;
	*tag = q[0];
	if (q[1] < 0x80) {
		*n = q[1];
		q += 2;
	} else if (q[1] == 0x81 && end - q >= 3 && q[2] >= 0x80) {
		*n = q[2];
		q += 3;
	} else {
		return -1;
	}
	if ((size_t)(end - q) < *n)
		return -1;
	*v = q;
	*p = q + *n;
	return 1;
}

static json_t *digits_json(const uint8_t *v, size_t n)
{
	char s[32];

	if (n > 20)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!isdigit(v[i]))
			return NULL;
	memcpy(s, v, n);
	s[n] = '\0';
	return json_string(s);
}

static const char *state_name(uint8_t s)
{
	return s == 0 ? "normal" : s == 1 ? "locked" : s == 2 ? "disabled" : "unknown";
}

/* MCC/MNC as TS 24.008 codes them: MCC2 MCC1 | MNC3 MCC3 | MNC2 MNC1. */
static json_t *location_json(const uint8_t *v, size_t n)
{
	char mcc[8], mnc[8];
	uint32_t cell;

	if (n != 7 && n != 9)
		return NULL;
	snprintf(mcc, sizeof(mcc), "%u%u%u", v[0] & 0x0F, v[0] >> 4, v[1] & 0x0F);
	if ((v[1] >> 4) == 0xF)
		snprintf(mnc, sizeof(mnc), "%u%u", v[2] & 0x0F, v[2] >> 4);
	else
		snprintf(mnc, sizeof(mnc), "%u%u%u", v[2] & 0x0F, v[2] >> 4, v[1] >> 4);
	cell = n == 7 ? (uint32_t)(v[5] << 8 | v[6])
		      : (uint32_t)v[5] << 24 | (uint32_t)v[6] << 16 | (uint32_t)v[7] << 8 | v[8];
	return json_pack("{s:s, s:s, s:i, s:I}", "mcc", mcc, "mnc", mnc, "lac", v[3] << 8 | v[4], "cell",
			 (json_int_t)cell);
}

static json_t *flags_json(uint8_t f)
{
	return json_pack("{s:b, s:b, s:b, s:b, s:b, s:b}", "locked_by_owner", f & 0x01, "locked_by_operator",
			 f & 0x02, "opted_out", f & 0x04, "owner_enrolled", f & 0x08, "user_key_destroyed", f & 0x10,
			 "report_waiting", f & 0x20);
}

/* One result TLV into o; -1 when its value is malformed. */
static int result_tlv(json_t *o, uint8_t tag, const uint8_t *v, size_t n)
{
	json_t *x = NULL;
	const char *key = NULL;

	switch (tag) {
	case 0x90:
		key = "state";
		x = n == 1 ? json_string(state_name(v[0])) : NULL;
		break;
	case 0x91:
		key = "location";
		x = location_json(v, n);
		break;
	case 0x92:
		key = "imei";
		x = n == 15 ? digits_json(v, n) : NULL;
		break;
	case 0x93:
		key = "records_cleared";
		x = n == 2 ? json_integer(v[0] << 8 | v[1]) : NULL;
		break;
	case 0x94:
		key = "service";
		x = n == 1 ? json_integer(v[0]) : NULL;
		break;
	case 0x95:
		key = "flags";
		x = n == 1 ? flags_json(v[0]) : NULL;
		break;
	case 0x98:
		key = "previous_imei";
		x = n == 15 ? digits_json(v, n) : NULL;
		break;
	default:
		return 0; /* a newer card's addition: ignored, not an error */
	}
	if (!x)
		return -1;
	json_object_set_new(o, key, x);
	return 0;
}

static int tlvs_json(json_t *o, const uint8_t *p, const uint8_t *end, struct sg_error *err)
{
	const uint8_t *v;
	uint8_t tag;
	size_t n;
	int rc;

	while ((rc = next_tlv(&p, end, &tag, &v, &n)) == 1)
		if (result_tlv(o, tag, v, n) < 0)
			return sg_err(err, "result: tag %02X: malformed value (%zu bytes)", tag, n);
	return rc < 0 ? sg_err(err, "result: TLV running past the end") : 0;
}

json_t *osv_at_result_decode(const uint8_t *data, size_t len, struct sg_error *err)
{
	const char *meaning = NULL;
	char code[3];
	json_t *o;

	if (len < 2) {
		sg_err(err, "result: %zu bytes, want at least the 2-letter result", len);
		return NULL;
	}
	memcpy(code, data, 2);
	code[2] = '\0';
	for (size_t i = 0; i < sizeof(results) / sizeof(results[0]); i++)
		if (!memcmp(code, results[i].code, 2))
			meaning = results[i].meaning;
	if (!meaning) {
		sg_err(err, "result: '%02X%02X' is not a result code", data[0], data[1]);
		return NULL;
	}
	o = json_pack("{s:s, s:s}", "result", code, "meaning", meaning);
	if (tlvs_json(o, data + 2, data + len, err) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *osv_at_report_decode(const uint8_t *data, size_t len, struct sg_error *err)
{
	json_t *o;

	if (len < 8 || memcmp(data, "HSCH", 4)) {
		sg_err(err, "report: not a handset-change report");
		return NULL;
	}
	o = json_pack("{s:I}", "report_id",
		      (json_int_t)((uint32_t)data[4] << 24 | (uint32_t)data[5] << 16 | (uint32_t)data[6] << 8 | data[7]));
	if (tlvs_json(o, data + 8, data + len, err) < 0 || !json_object_get(o, "imei")) {
		if (json_object_get(o, "imei") == NULL)
			sg_err(err, "report: no new IMEI");
		json_decref(o);
		return NULL;
	}
	return o;
}
