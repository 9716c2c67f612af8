/* Test harness for the toolkit side of the card (OTA receiving entity, anti-theft applet, RFM, CAT engine): a card
 * from the demo profile with changes, a terminal that sends TERMINAL PROFILE, SMS-PP / USSD downloads and serves
 * proactive sessions the way a handset does, and secured packets built as the OTA server builds them. */
#pragma once

#include "test_uicc_util.h"

#include <jansson.h>

#include "simguard/cat.h"
#include "simguard/secured_packet.h"
#include "simguard/sms_tpdu.h"
#include "uicc/store.h"
#include "uicc/toolkit.h"

/* The handset's TERMINAL PROFILE (specs/handset-sim.md): DISPLAY TEXT..REFRESH, SEND SM/USSD, PROVIDE LOCAL
 * INFORMATION, SET UP EVENT LIST + location status, SET UP IDLE MODE TEXT, timers. */
#define H_PROFILE "3B03FF6B71000017"

/* Keys of the demo card (secured-packets.md §11) and the extra keysets of the matrix profile. */
#define K1_KIC "404142434445464748494A4B4C4D4E4F"
#define K1_KID "505152535455565758595A5B5C5D5E5F"
#define K2_KIC "000102030405060708090A0B0C0D0E0F"
#define K2_KID "101112131415161718191A1B1C1D1E1F"
#define K3_KIC "202122232425262728292A2B2C2D2E2F3031323334353637"
#define K3_KID "303132333435363738393A3B3C3D3E3F4041424344454647"
#define K4_KIC "6061626364656667"
#define K4_KID "7071727374757677"

/* The sender of the OTA SMS and its service centre (the reference's Example 1). */
#define H_OA "49170123456"
#define H_SC "4917100000"

struct h_session {
	uint8_t cmd[16][UICC_RSP_MAX];
	size_t len[16];
	unsigned int n;
};

/* What the terminal answers PROVIDE LOCAL INFORMATION with. */
static char h_imei[16] = "123456789012345";
static uint8_t h_location_result = 0x00; /* 00 normal service, 06 limited, 20 unable */
/* What the terminal answers SEND SHORT MESSAGE with: 00 sent, 20 (with 04) no service. */
static uint8_t h_sms_result = 0x00;

static inline json_t *h_demo_json(void)
{
	json_error_t jerr;
	json_t *root = json_load_file(DEMO_PROFILE, 0, &jerr);

	if (!root)
		fail_msg("demo profile: %s", jerr.text);
	return root;
}

/* A card from the demo profile with top-level fields replaced by those of patch (JSON text, may be NULL), in a
 * private directory (t->image). Powered on. */
static inline void h_card(struct tcard *t, const char *patch)
{
	json_t *root = h_demo_json(), *p, *v;
	struct uicc_profile *prof;
	struct sg_error err;
	json_error_t jerr;
	const char *key;
	char *text;

	if (patch) {
		p = json_loads(patch, 0, &jerr);
		if (!p)
			fail_msg("patch: %s", jerr.text);
		json_object_foreach(p, key, v) json_object_set(root, key, v);
		json_decref(p);
	}
	text = json_dumps(root, 0);
	json_decref(root);
	prof = uicc_profile_parse(NULL, text, strlen(text), &err);
	free(text);
	if (!prof)
		fail_msg("profile: %s", err.msg);
	if (!t->dir[0]) {
		strcpy(t->dir, "/tmp/sg-toolkit-test.XXXXXX");
		assert_non_null(mkdtemp(t->dir));
		snprintf(t->image, sizeof(t->image), "%s/card.img", t->dir);
	}
	t->card = uicc_card_create(NULL, prof, t->image, &err);
	if (!t->card)
		fail_msg("card: %s", err.msg);
	uicc_card_power_on(t->card);
}

/* The same card again from its image (a power cut or a new session of uicc-sim). */
static inline void h_reopen(struct tcard *t, const char *patch)
{
	tcard_close(t);
	h_card(t, patch);
}

static inline size_t h_hex(const char *hex, uint8_t *out, size_t size)
{
	struct sg_error err;
	long n = sg_hex_decode(hex, out, size, "hex", &err);

	if (n < 0)
		fail_msg("%s", err.msg);
	return (size_t)n;
}

static inline void h_assert_hex(const uint8_t *got, size_t len, const char *want_hex)
{
	uint8_t want[1024];
	size_t n = h_hex(want_hex, want, sizeof(want));
	char g[2100];

	if (n != len || memcmp(got, want, n) != 0)
		fail_msg("bytes differ:\n got  %s\n want %s", sg_hex_encode(got, len, g, sizeof(g)), want_hex);
}

/* One APDU from bytes; returns the SW, data in t->rsp. */
static inline uint16_t h_apdu(struct tcard *t, uint8_t ins, const uint8_t *data, size_t len)
{
	uint8_t cmd[300] = { 0x80, ins, 0x00, 0x00, (uint8_t)len };
	int sw;

	memcpy(cmd + 5, data, len);
	t->rsp_len = sizeof(t->rsp);
	sw = uicc_card_apdu(t->card, cmd, 5 + len, t->rsp, &t->rsp_len);
	assert_true(sw >= 0);
	return (uint16_t)sw;
}

/* ENVELOPE; response data (after GET RESPONSE) into out. Returns the final SW. */
static inline uint16_t h_envelope(struct tcard *t, const uint8_t *env, size_t len, uint8_t *out, size_t *out_len)
{
	uint16_t sw = h_apdu(t, 0xC2, env, len);

	*out_len = 0;
	if ((sw >> 8) == 0x61) {
		sw = tx(t, "00C0000000");
		*out_len = t->rsp_len - 2;
		memcpy(out, t->rsp, *out_len);
	}
	return sw;
}

/* TP-UD (UDH included) -> the complete ENVELOPE(SMS-PP DATA DOWNLOAD) a handset sends for it. */
static inline size_t h_sms_envelope(const uint8_t *ud, size_t ud_len, uint8_t *env)
{
	struct sms_addr oa = { .ton = 1, .npi = 1, .digits = H_OA };
	struct cat_address sc = { .ton = 1, .npi = 1, .digits = H_SC };
	static const uint8_t scts[7] = { 0x52, 0x10, 0x10, 0x21, 0x00, 0x00, 0x00 };
	uint8_t tpdu[SMS_TPDU_MAX];
	struct cat_buf b;
	struct sg_error err;
	size_t n;

	if (sms_ota_deliver_build(&oa, scts, ud, ud_len, tpdu, sizeof(tpdu), &n, &err) < 0 ||
	    cat_build_sms_pp_download(&b, &sc, tpdu, n, &err) < 0)
		fail_msg("envelope: %s", err.msg);
	memcpy(env, b.data, b.len);
	return b.len;
}

/* A command packet as the OTA server secures it (from CPL on). */
static inline size_t h_packet(const char *spi, uint8_t kic, uint8_t kid, const char *tar, uint64_t cntr, const uint8_t *data,
		       size_t len, const char *kic_key, const char *kid_key, enum sp_dialect d, uint8_t *out)
{
	struct sp_cmd_hdr h = { .kic = kic, .kid = kid, .cntr = cntr };
	struct sp_keys keys = { 0 };
	struct sg_error err;
	size_t n;

	h_hex(spi, h.spi, 2);
	h_hex(tar, h.tar, 3);
	if (kic_key)
		keys.kic.len = h_hex(kic_key, keys.kic.key, sizeof(keys.kic.key));
	if (kid_key)
		keys.kid.len = h_hex(kid_key, keys.kid.key, sizeof(keys.kid.key));
	if (sp_command_build(&h, data, len, &keys, d, out, SP_MAX_PACKET, &n, &err) < 0)
		fail_msg("packet: %s", err.msg);
	return n;
}

/* 02 70 00 || packet -> ENVELOPE. */
static inline size_t h_packet_envelope(const uint8_t *pkt, size_t len, uint8_t *env)
{
	uint8_t ud[SMS_UD_MAX] = { 0x02, 0x70, 0x00 };

	assert_true(len <= SP_SMS_SINGLE_MAX);
	memcpy(ud + 3, pkt, len);
	return h_sms_envelope(ud, len + 3, env);
}

/* "LOCK" + request id (the reference's anti-theft command) and other commands: verb + id + TLVs (hex). */
static inline size_t h_cmd(const char *verb, uint32_t id, const char *tlv_hex, uint8_t *out)
{
	size_t n = 8;

	memcpy(out, verb, 4);
	out[4] = id >> 24;
	out[5] = id >> 16;
	out[6] = id >> 8;
	out[7] = id;
	if (tlv_hex)
		n += h_hex(tlv_hex, out + 8, 500);
	return n;
}

/* IMEI digits -> the CAT IMEI object value (TS 24.008 BCD, type nibble A). */
static inline void h_imei_bcd(const char *imei, uint8_t out[8])
{
	out[0] = (uint8_t)((imei[0] - '0') << 4 | 0x0A);
	for (int i = 1; i < 8; i++)
		out[i] = (uint8_t)((imei[2 * i - 1] - '0') | (imei[2 * i] - '0') << 4);
}

/* Offset of the command details value in a fetched proactive command. */
static inline size_t h_details(const uint8_t *cmd)
{
	return cmd[1] == 0x81 ? 5 : 4;
}

/* Serve the proactive session the last SW announced, as a handset does: FETCH, record, answer "performed" (with
 * IMEI / location for PROVIDE LOCAL INFORMATION). Returns the final SW. */
static inline uint16_t h_serve(struct tcard *t, uint16_t sw, struct h_session *s)
{
	while ((sw >> 8) == 0x91) {
		uint8_t fetch[5] = { 0x80, 0x12, 0x00, 0x00, (uint8_t)(sw & 0xFF) }, tr[64], *cmd;
		size_t d, n = 0, len = sizeof(t->rsp);
		int fsw = uicc_card_apdu(t->card, fetch, 5, t->rsp, &len);

		assert_int_equal(fsw, 0x9000);
		assert_true(s->n < 16);
		cmd = s->cmd[s->n];
		memcpy(cmd, t->rsp, len - 2);
		s->len[s->n++] = len - 2;
		d = h_details(cmd);
		tr[n++] = 0x81, tr[n++] = 0x03;
		memcpy(tr + n, cmd + d, 3);
		n += 3;
		memcpy(tr + n, "\x82\x02\x82\x81\x83\x01", 6);
		n += 6;
		if (cmd[d + 1] == CAT_CMD_PROVIDE_LOCAL_INFO && cmd[d + 2] == CAT_PLI_LOCATION) {
			tr[n++] = h_location_result;
			if (h_location_result != 0x20) {
				memcpy(tr + n, "\x93\x07\x00\xF1\x10\x00\x01\x00\x01", 9);
				n += 9;
			} else {
				tr[n - 2] = 0x02, tr[n++] = 0x04; /* 20 04: no service */
			}
		} else if (cmd[d + 1] == CAT_CMD_SEND_SHORT_MESSAGE && h_sms_result == 0x20) {
			tr[n - 1] = 0x02, tr[n++] = 0x20, tr[n++] = 0x04;
		} else {
			tr[n++] = 0x00;
		}
		if (cmd[d + 1] == CAT_CMD_PROVIDE_LOCAL_INFO && cmd[d + 2] == CAT_PLI_IMEI) {
			tr[n++] = 0x94, tr[n++] = 0x08;
			h_imei_bcd(h_imei, tr + n);
			n += 8;
		}
		sw = h_apdu(t, 0x14, tr, n);
		assert_true(sw == 0x9000 || (sw >> 8) == 0x91);
	}
	return sw;
}

/* TERMINAL PROFILE and its proactive session. */
static inline uint16_t h_power_up(struct tcard *t, struct h_session *s)
{
	uint8_t p[32];
	size_t n = h_hex(H_PROFILE, p, sizeof(p));

	memset(s, 0, sizeof(*s));
	return h_serve(t, h_apdu(t, 0x10, p, n), s);
}

/* The first fetched command of a type, or NULL. */
static inline const uint8_t *h_find(const struct h_session *s, uint8_t type, size_t *len)
{
	*len = 0;
	for (unsigned int i = 0; i < s->n; i++) {
		if (s->cmd[i][h_details(s->cmd[i]) + 1] == type) {
			*len = s->len[i];
			return s->cmd[i];
		}
	}
	return NULL;
}

static inline unsigned int h_count(const struct h_session *s, uint8_t type)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < s->n; i++)
		n += s->cmd[i][h_details(s->cmd[i]) + 1] == type;
	return n;
}

/* Send one secured packet by SMS-PP; PoR (response data) into por. Serves the proactive session into s. */
static inline uint16_t h_send(struct tcard *t, const uint8_t *pkt, size_t len, uint8_t *por, size_t *por_len,
		       struct h_session *s)
{
	uint8_t env[300];
	size_t n = h_packet_envelope(pkt, len, env);
	uint16_t sw = h_envelope(t, env, n, por, por_len);

	memset(s, 0, sizeof(*s));
	return h_serve(t, sw, s);
}
