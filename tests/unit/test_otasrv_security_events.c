/* Security events of the server's receive path (engine_receive.c) in the audit log: a forged PoR (wrong keys), an
 * altered one (one byte of the checksum changed), a "performed" claim without checksum, a card's refusal for a
 * security reason (also with no command of ours waiting: a replay) and a replayed or tampered handset-change
 * report each leave a "security" entry naming the card and the command, with no key bytes in it, and the chain
 * still verifies; an authentic PoR, a late one, or a card's refusal for no security reason, leaves none. PoRs
 * are built with the library's own builder (the card's side), the wrong-key one with keys the server does not hold.
 * With the per-card limit on (security_flood.h): a flood of forged PoRs leaves the limit's entries and one summary
 * counting the rest once the window is over (at the flush, at the card's next event, at shutdown), another card
 * keeps its own entries, limit 0 audits everything, a rolled-back summary keeps its count, and a full table
 * writes the summary of the slot it takes. Time is the `now` handed to the engine, never a clock. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "simguard/hex.h"
#include "otasrv/cards_csv.h"
#include "otasrv/commands.h"
#include "otasrv/engine.h"
#include "otasrv/keybox.h"
#include "otasrv/store.h"
#include "test_otasrv_tmpstore.h"

#define ICCID	"8949000000000000044"
#define MSISDN	"4917100044"
#define ICCID2	"8949000000000000051"
#define MSISDN2 "4917100051"
#define T0	1710000000
#define KIC_HEX "404142434445464748494A4B4C4D4E4F"
#define KID_HEX "505152535455565758595A5B5C5D5E5F"

/* secured-packets.md Example 1's keys (3DES, SPI 16 19: PoR with CC, ciphered). */
static const char cards_csv[] = "ICCID,IMSI,MSISDN,KIC1,KID1,ALGO1,SPI,KVN\n" ICCID ",262010000000044," MSISDN
				"," KIC_HEX "," KID_HEX ",3des2,1619,1\n" ICCID2 ",262010000000051," MSISDN2 "," KIC_HEX
				"," KID_HEX ",3des2,1619,1\n";

struct fixture {
	struct osv_tmpstore tmp;
	struct osv_store *s;
	struct osv_engine_cfg cfg;
	struct osv_actor agent;
	int64_t t;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct sg_error err;

	f->s = osv_tmpstore_open(&f->tmp, "test_otasrv_security", 9, &err);
	if (!f->s)
		fail_msg("%s", err.msg);
	assert_int_equal(osv_tmpstore_import(f->s, cards_csv, 0x16, 0x19, T0), 2);
	osv_engine_cfg_defaults(&f->cfg);
	f->agent = (struct osv_actor){ .kind = OSV_ACTOR_AGENT, .name = "operator:Agent" };
	f->t = T0;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(osv_tmpstore_close(&f->tmp), 0);
	osv_secflood_free(f->cfg.secflood);
	free(f);
	return 0;
}

/* A STATUS command, sent: the packet as it left is in *out. Returns the command id. */
static int64_t status_sent(struct fixture *f, struct osv_outgoing *out)
{
	json_t *body = json_pack("{s:s}", "command", "status");
	struct osv_outcome o;
	struct sg_error err;
	int64_t ids[4];
	int n;

	assert_int_equal(osv_command_request(f->s, &f->agent, ICCID, body, f->t, 900, 0, &o, &err), 0);
	json_decref(body);
	assert_int_equal(o.status, 202);
	n = osv_cmd_claim(f->s, f->t, f->cfg.lease, 4, ids, &err);
	assert_int_equal(osv_engine_prepare(f->s, &f->cfg, ids, n, f->t, out, &err), 1);
	assert_int_equal(osv_engine_submitted(f->s, &f->cfg, out, true, "0000000001", NULL, f->t, &err), 0);
	return o.command_id;
}

static void parse_keys(const char *kic, const char *kid, struct sp_keys *k)
{
	struct sg_error err;

	memset(k, 0, sizeof(*k));
	k->kic.len = (size_t)sg_hex_decode(kic, k->kic.key, sizeof(k->kic.key), "kic", &err);
	k->kid.len = (size_t)sg_hex_decode(kid, k->kid.key, sizeof(k->kid.key), "kid", &err);
	assert_int_equal(k->kic.len, 16);
	assert_int_equal(k->kid.len, 16);
}

/* The card's PoR (02 71 00 || PoR) to the packet in o, secured with keys k unless unsecured. */
static size_t card_por(const struct osv_outgoing *o, const struct sp_keys *k, uint8_t status, bool unsecured,
		       uint8_t *ud, size_t size)
{
	struct sp_keys real;
	struct sp_command cmd;
	uint8_t plain[SP_MAX_PACKET];
	struct sg_error err;
	size_t n;

	parse_keys(KIC_HEX, KID_HEX, &real);
	assert_int_equal(
		sp_command_verify(o->ud + 3, o->ud_len - 3, SP_DIALECT_SMS, &real, &cmd, plain, sizeof(plain), &err),
		SP_VERDICT_OK);
	memcpy(ud, "\x02\x71\x00", 3);
	assert_int_equal(sp_response_build(&cmd.hdr, status, (const uint8_t *)"OK", 2, k, SP_DIALECT_SMS, unsecured,
					   ud + 3, size - 3, &n, &err),
			 0);
	return n + 3;
}

static int mo(struct fixture *f, const uint8_t *ud, size_t len, char *what, size_t what_size)
{
	struct sg_error err;
	int rc = osv_engine_mo(f->s, &f->cfg, MSISDN, ud, len, false, ++f->t, what, what_size, &err);

	if (rc < 0)
		fail_msg("store: %s", err.msg);
	return rc;
}

static enum osv_cmd_state cmd_state(struct fixture *f, int64_t id)
{
	struct osv_command c;
	struct sg_error err;

	assert_int_equal(osv_cmd_get(f->s, id, &c, &err), 1);
	return c.state;
}

/* The audit log: intact, n entries, each a security entry (no key in any field); returns the entries. */
static json_t *audit_checked(struct fixture *f, size_t n)
{
	struct osv_audit_problem p;
	struct sg_error err;
	int64_t count;
	json_t *list = osv_audit_list(f->s, 0, 100, &err), *e;
	size_t i;

	assert_int_equal(osv_audit_verify(f->s, &p, &count, &err), 0);
	assert_int_equal(count, (int64_t)n);
	assert_non_null(list);
	assert_int_equal(json_array_size(list), n);
	json_array_foreach(list, i, e)
	{
		char *text = json_dumps(e, 0);

		assert_string_equal(json_string_value(json_object_get(e, "decision")), "security");
		assert_string_equal(json_string_value(json_object_get(e, "actor")), "msisdn:" MSISDN);
		assert_non_null(strstr(json_string_value(json_object_get(e, "target")), ICCID));
		if (strstr(text, KIC_HEX) || strstr(text, KID_HEX) || strstr(text, "4041424344"))
			fail_msg("key bytes in the audit log: %s", text);
		free(text);
	}
	return list;
}

static const char *field(json_t *list, size_t i, const char *name)
{
	return json_string_value(json_object_get(json_array_get(list, i), name));
}

static void test_forged_and_altered_por(void **state)
{
	struct fixture *f = *state;
	struct osv_outgoing out;
	struct sp_keys wrong;
	uint8_t ud[SP_MAX_PACKET + 3];
	char what[256], target[64];
	int64_t id = status_sent(f, &out);
	size_t n;
	json_t *list;

	parse_keys("00112233445566778899AABBCCDDEEFF", "FFEEDDCCBBAA99887766554433221100", &wrong);
	n = card_por(&out, &wrong, 0x00, false, ud, sizeof(ud));
	assert_int_equal(mo(f, ud, n, what, sizeof(what)), 0);
	assert_int_equal(cmd_state(f, id), OSV_CMD_SUBMITTED);
	parse_keys(KIC_HEX, KID_HEX, &wrong);
	n = card_por(&out, &wrong, 0x00, false, ud, sizeof(ud));
	ud[n - 1] ^= 0x01;
	assert_int_equal(mo(f, ud, n, what, sizeof(what)), 0);
	assert_int_equal(cmd_state(f, id), OSV_CMD_SUBMITTED);
	/* "performed", claimed without the checksum the card's SPI asks for */
	n = card_por(&out, &wrong, 0x00, true, ud, sizeof(ud));
	assert_int_equal(mo(f, ud, n, what, sizeof(what)), 0);
	assert_int_equal(cmd_state(f, id), OSV_CMD_SUBMITTED);
	list = audit_checked(f, 3);
	snprintf(target, sizeof(target), "%s command %lld", ICCID, (long long)id);
	for (size_t i = 0; i < 3; i++) {
		assert_string_equal(field(list, i, "action"), "MO PoR");
		assert_string_equal(field(list, i, "target"), target);
		assert_string_equal(field(list, i, "client"), "smpp");
	}
	assert_non_null(strstr(field(list, 2, "detail"), "without checksum"));
	json_decref(list);
	/* The genuine PoR still confirms, and adds nothing to the audit log. */
	n = card_por(&out, &wrong, 0x00, false, ud, sizeof(ud));
	assert_int_equal(mo(f, ud, n, what, sizeof(what)), 1);
	assert_int_equal(cmd_state(f, id), OSV_CMD_CONFIRMED);
	json_decref(audit_checked(f, 3));
}

static void test_card_refusals(void **state)
{
	struct fixture *f = *state;
	struct osv_outgoing out;
	struct sp_keys k;
	uint8_t ud[SP_MAX_PACKET + 3];
	char what[256];
	int64_t id;
	size_t n;
	json_t *list;

	parse_keys(KIC_HEX, KID_HEX, &k);
	/* RC/CC/DS failed: the card saw a packet it could not authenticate - a security event. */
	id = status_sent(f, &out);
	n = card_por(&out, &k, SP_STATUS_CHK_FAILED, true, ud, sizeof(ud));
	assert_int_equal(mo(f, ud, n, what, sizeof(what)), 1);
	assert_int_equal(cmd_state(f, id), OSV_CMD_REJECTED);
	list = audit_checked(f, 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 0), "status")), 1);
	assert_non_null(strstr(field(list, 0, "detail"), "PoR status 01"));
	json_decref(list);
	/* Insufficient security level (SPI below the card's MSL): also one. */
	f->t += 10;
	id = status_sent(f, &out);
	n = card_por(&out, &k, SP_STATUS_INSUFFICIENT_SECURITY, true, ud, sizeof(ud));
	assert_int_equal(mo(f, ud, n, what, sizeof(what)), 1);
	assert_int_equal(cmd_state(f, id), OSV_CMD_REJECTED);
	json_decref(audit_checked(f, 2));
	/* Out of memory is no security event. */
	f->t += 10;
	id = status_sent(f, &out);
	n = card_por(&out, &k, SP_STATUS_NO_MEMORY, false, ud, sizeof(ud));
	assert_int_equal(mo(f, ud, n, what, sizeof(what)), 1);
	assert_int_equal(cmd_state(f, id), OSV_CMD_REJECTED);
	json_decref(audit_checked(f, 2));
}

/* A resend crossed an older copy: the card took the newer packet and refused the older one as "counter low" in
 * an unsecured PoR. That refusal leaves the command open (audited), and the newer copy's PoR confirms it. */
static void test_older_copy_refused_after_resend(void **state)
{
	struct fixture *f = *state;
	struct osv_outgoing first, second;
	struct sp_keys k;
	uint8_t ud[SP_MAX_PACKET + 3];
	char what[256];
	struct sg_error err;
	int64_t id, ids[4];
	size_t n;
	int claimed;

	parse_keys(KIC_HEX, KID_HEX, &k);
	id = status_sent(f, &first);
	f->t += f->cfg.retry_interval + 1;
	claimed = osv_cmd_claim(f->s, f->t, f->cfg.lease, 4, ids, &err);
	assert_int_equal(claimed, 1);
	assert_int_equal(osv_engine_prepare(f->s, &f->cfg, ids, claimed, f->t, &second, &err), 1);
	assert_int_equal(osv_engine_submitted(f->s, &f->cfg, &second, true, "0000000002", NULL, f->t, &err), 0);
	assert_memory_not_equal(first.ud, second.ud, first.ud_len < second.ud_len ? first.ud_len : second.ud_len);

	n = card_por(&first, &k, SP_STATUS_CNTR_LOW, true, ud, sizeof(ud));
	assert_int_equal(mo(f, ud, n, what, sizeof(what)), 1);
	assert_non_null(strstr(what, "older copy"));
	assert_int_not_equal(cmd_state(f, id), OSV_CMD_REJECTED);
	assert_false(osv_cmd_state_final(cmd_state(f, id)));
	json_decref(audit_checked(f, 1));

	n = card_por(&second, &k, SP_STATUS_OK, false, ud, sizeof(ud));
	assert_int_equal(mo(f, ud, n, what, sizeof(what)), 1);
	assert_int_equal(cmd_state(f, id), OSV_CMD_CONFIRMED);
}

/* With no command waiting: the card's error PoR for a packet that was not ours (a replay) is a security event; a
 * late PoR of a command already confirmed is not. */
static void test_error_por_for_a_packet_not_ours(void **state)
{
	struct fixture *f = *state;
	struct osv_outgoing out;
	struct sp_keys k;
	uint8_t ud[SP_MAX_PACKET + 3], late[SP_MAX_PACKET + 3];
	char what[256];
	int64_t id = status_sent(f, &out);
	size_t n, late_len;
	json_t *list;

	parse_keys(KIC_HEX, KID_HEX, &k);
	late_len = card_por(&out, &k, 0x00, false, late, sizeof(late));
	assert_int_equal(mo(f, late, late_len, what, sizeof(what)), 1);
	assert_int_equal(cmd_state(f, id), OSV_CMD_CONFIRMED);
	assert_int_equal(mo(f, late, late_len, what, sizeof(what)), 0);
	json_decref(audit_checked(f, 0));
	/* The card's answer to the same packet replayed: counter too low, unsecured, CNTR zero. */
	n = card_por(&out, &k, SP_STATUS_CNTR_LOW, true, ud, sizeof(ud));
	memset(ud + 3 + 6, 0, 5);
	assert_int_equal(mo(f, ud, n, what, sizeof(what)), 0);
	assert_int_equal(cmd_state(f, id), OSV_CMD_CONFIRMED);
	list = audit_checked(f, 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 0), "status")), 2);
	assert_string_equal(field(list, 0, "target"), ICCID);
	assert_non_null(strstr(field(list, 0, "detail"), "no command of ours waiting"));
	json_decref(list);
}

/* A handset-change report from the card (SPI 16 00, CC), counter cntr. */
static size_t report(uint64_t cntr, uint8_t *ud, size_t size)
{
	struct sp_cmd_hdr h = { .spi = { 0x16, 0x00 }, .kic = 0x15, .kid = 0x15, .tar = { 0xC1, 0x00, 0x01 },
				.cntr = cntr };
	uint8_t data[64] = "HSCH\0\0\0\0";
	struct sp_keys k;
	struct sg_error err;
	size_t n = 8, len;

	data[7] = (uint8_t)cntr;
	memcpy(data + n,
	       "\x92\x0F"
	       "490154203237518"
	       "\x98\x0F"
	       "351234567890123"
	       "\x90\x01\x00",
	       37);
	n += 37;
	parse_keys(KIC_HEX, KID_HEX, &k);
	memcpy(ud, "\x02\x70\x00", 3);
	assert_int_equal(sp_command_build(&h, data, n, &k, SP_DIALECT_SMS, ud + 3, size - 3, &len, &err), 0);
	return len + 3;
}

static void test_report_replayed_or_tampered(void **state)
{
	struct fixture *f = *state;
	uint8_t ud[SP_MAX_PACKET + 3];
	char what[256];
	size_t n = report(3, ud, sizeof(ud));
	json_t *list;

	if (mo(f, ud, n, what, sizeof(what)) != 1)
		fail_msg("%s", what);
	json_decref(audit_checked(f, 0));
	assert_int_equal(mo(f, ud, n, what, sizeof(what)), 0);
	n = report(4, ud, sizeof(ud));
	ud[n - 2] ^= 0x40;
	assert_int_equal(mo(f, ud, n, what, sizeof(what)), 0);
	list = audit_checked(f, 2);
	assert_string_equal(field(list, 0, "action"), "MO report");
	assert_non_null(strstr(field(list, 0, "detail"), "replayed or old counter 3"));
	assert_string_equal(field(list, 1, "target"), ICCID);
	json_decref(list);
}

/* Not from a number of ours: no entry (anyone can send those; they say nothing about a card). */
static void test_unknown_sender_not_audited(void **state)
{
	struct fixture *f = *state;
	uint8_t ud[SP_MAX_PACKET + 3];
	char what[256];
	struct sg_error err;
	size_t n = report(3, ud, sizeof(ud));

	assert_int_equal(osv_engine_mo(f->s, &f->cfg, "4917199999", ud, n, false, f->t, what, sizeof(what), &err), 0);
	json_decref(audit_checked(f, 0));
}

/* ---- the per-card limit on security entries ---- */

/* The limit on: 10 entries per card per 60 s (the defaults). */
static void flood_limit_on(struct fixture *f)
{
	f->cfg.secflood = osv_secflood_new();
	assert_non_null(f->cfg.secflood);
	assert_int_equal(f->cfg.security_audit_count, 10);
	assert_int_equal(f->cfg.security_audit_period, 60);
}

/* n PoRs to the packet in out under keys the server does not hold, one second apart, each ignored. */
static void forged_pors(struct fixture *f, const struct osv_outgoing *out, int n)
{
	struct sp_keys wrong;
	uint8_t ud[SP_MAX_PACKET + 3];
	char what[512];
	size_t len;

	parse_keys("00112233445566778899AABBCCDDEEFF", "FFEEDDCCBBAA99887766554433221100", &wrong);
	len = card_por(out, &wrong, 0x00, false, ud, sizeof(ud));
	for (int i = 0; i < n; i++)
		assert_int_equal(mo(f, ud, len, what, sizeof(what)), 0);
}

/* Audit entries: intact chain, their number; the list (at most 100). */
static json_t *audit_all(struct fixture *f, int64_t n)
{
	struct osv_audit_problem p;
	struct sg_error err;
	int64_t count;
	json_t *list;

	assert_int_equal(osv_audit_verify(f->s, &p, &count, &err), 0);
	assert_int_equal(count, n);
	list = osv_audit_list(f->s, 0, 100, &err);
	assert_non_null(list);
	return list;
}

static int64_t flush(struct fixture *f, int64_t now, bool all)
{
	struct sg_error err;
	int n = osv_secflood_flush(f->cfg.secflood, f->s, now, all, &err);

	if (n < 0)
		fail_msg("flush: %s", err.msg);
	return n;
}

/* The number in a summary's detail ("N further security events ..."), after checking its wording. */
static int summary_count(json_t *list, size_t i, const char *msisdn)
{
	const char *d = field(list, i, "detail");
	char expect[96];
	int n;

	assert_string_equal(field(list, i, "action"), "security summary");
	assert_string_equal(field(list, i, "decision"), "security");
	snprintf(expect, sizeof(expect), "further security events from msisdn %s suppressed between ", msisdn);
	assert_non_null(strstr(d, expect));
	assert_int_equal(sscanf(d, "%d further", &n), 1);
	return n;
}

/* 25 forged PoRs within a window: 10 entries, then nothing until the window is over, then one summary of 15. */
static void test_flood_summarised_after_window(void **state)
{
	struct fixture *f = *state;
	struct osv_outgoing out;
	json_t *list;
	int64_t id = status_sent(f, &out);
	const int64_t start = f->t + 1; /* the first PoR's time opens the window */

	flood_limit_on(f);
	forged_pors(f, &out, 25);
	assert_int_equal(cmd_state(f, id), OSV_CMD_SUBMITTED);
	json_decref(audit_checked(f, 10));
	assert_int_equal(flush(f, start + 59, false), 0); /* window still open */
	json_decref(audit_checked(f, 10));
	assert_int_equal(flush(f, start + 60, false), 1);
	list = audit_checked(f, 11);
	for (size_t i = 0; i < 10; i++)
		assert_string_equal(field(list, i, "action"), "MO PoR");
	assert_int_equal(summary_count(list, 10, MSISDN), 15);
	assert_string_equal(field(list, 10, "target"), ICCID);
	/* T1 the 11th PoR, T2 the 25th; T0 is 2024-03-09T16:00:00Z */
	assert_non_null(strstr(field(list, 10, "detail"), "between 2024-03-09T16:00:11Z and 2024-03-09T16:00:25Z"));
	assert_non_null(strstr(field(list, 10, "detail"), "last: PoR from " MSISDN " ignored"));
	json_decref(list);
	assert_int_equal(flush(f, start + 1000, true), 0); /* nothing held any more */
	json_decref(audit_checked(f, 11));
}

/* The next event after the window writes the summary before its own entry; the log line tells the limit. */
static void test_flood_summarised_at_next_event(void **state)
{
	struct fixture *f = *state;
	struct osv_outgoing out;
	struct sp_keys wrong;
	uint8_t ud[SP_MAX_PACKET + 3];
	char what[512];
	size_t len;
	json_t *list;

	status_sent(f, &out);
	flood_limit_on(f);
	forged_pors(f, &out, 10);
	parse_keys("00112233445566778899AABBCCDDEEFF", "FFEEDDCCBBAA99887766554433221100", &wrong);
	len = card_por(&out, &wrong, 0x00, false, ud, sizeof(ud));
	assert_int_equal(mo(f, ud, len, what, sizeof(what)), 0);
	assert_non_null(strstr(what, "counted for a summary entry"));
	assert_false(osv_secflood_quiet(f->cfg.secflood)); /* the first one counted: a notice */
	assert_int_equal(mo(f, ud, len, what, sizeof(what)), 0);
	assert_true(osv_secflood_quiet(f->cfg.secflood)); /* the others: debug */
	json_decref(audit_checked(f, 10));
	f->t += 60;
	assert_int_equal(mo(f, ud, len, what, sizeof(what)), 0);
	assert_null(strstr(what, "counted for a summary entry"));
	list = audit_checked(f, 12);
	assert_int_equal(summary_count(list, 10, MSISDN), 2);
	assert_string_equal(field(list, 11, "action"), "MO PoR");
	json_decref(list);
}

/* A handset-change report altered in transit (the card's number, our keys): a security event. */
static void tampered_report_from(struct fixture *f, const char *msisdn)
{
	uint8_t ud[SP_MAX_PACKET + 3];
	char what[512];
	struct sg_error err;
	size_t n = report(7, ud, sizeof(ud));

	ud[n - 2] ^= 0x40;
	assert_int_equal(osv_engine_mo(f->s, &f->cfg, msisdn, ud, n, false, ++f->t, what, sizeof(what), &err), 0);
}

/* One card's flood leaves another card's events audited one by one. */
static void test_flood_other_card_unaffected(void **state)
{
	struct fixture *f = *state;
	struct osv_outgoing out;
	json_t *list, *e;
	size_t i, mine = 0, other = 0;

	status_sent(f, &out);
	flood_limit_on(f);
	for (int round = 0; round < 5; round++) {
		forged_pors(f, &out, 5);
		tampered_report_from(f, MSISDN2);
	}
	list = audit_all(f, 15);
	json_array_foreach(list, i, e)
	{
		const char *actor = json_string_value(json_object_get(e, "actor"));

		if (!strcmp(actor, "msisdn:" MSISDN))
			mine++;
		else if (!strcmp(actor, "msisdn:" MSISDN2) && !strcmp(field(list, i, "target"), ICCID2))
			other++;
	}
	assert_int_equal(mine, 10);
	assert_int_equal(other, 5);
	json_decref(list);
	assert_int_equal(flush(f, f->t + 60, false), 1);
	list = audit_all(f, 16);
	assert_int_equal(summary_count(list, 15, MSISDN), 15);
	json_decref(list);
}

/* security-audit-limit 0: every event its own entry, as before the limit. */
static void test_flood_limit_zero_audits_all(void **state)
{
	struct fixture *f = *state;
	struct osv_outgoing out;
	json_t *list;

	status_sent(f, &out);
	flood_limit_on(f);
	f->cfg.security_audit_count = 0;
	forged_pors(f, &out, 25);
	list = audit_checked(f, 25);
	for (size_t i = 0; i < 25; i++)
		assert_string_equal(field(list, i, "action"), "MO PoR");
	json_decref(list);
	assert_int_equal(flush(f, f->t + 1000, true), 0);
	json_decref(audit_checked(f, 25));
}

/* Clean shutdown inside the window: the count is written, not lost. */
static void test_flood_shutdown_flush(void **state)
{
	struct fixture *f = *state;
	struct osv_outgoing out;
	json_t *list;

	status_sent(f, &out);
	flood_limit_on(f);
	forged_pors(f, &out, 17);
	assert_int_equal(flush(f, f->t + 1, false), 0);
	assert_int_equal(flush(f, f->t + 1, true), 1);
	list = audit_checked(f, 11);
	assert_int_equal(summary_count(list, 10, MSISDN), 7);
	assert_non_null(strstr(field(list, 10, "detail"), "shutdown"));
	json_decref(list);
	assert_int_equal(flush(f, f->t + 1, true), 0);
}

/* The transaction rolled back: the count it added, or the summary it wrote, is as before it - also when the
 * failure was in a nested transaction (one MO of the SMPP link's read burst) or in the burst's own commit. */
static void test_flood_undo_on_rollback(void **state)
{
	struct fixture *f = *state;
	struct sg_error err;
	json_t *list;

	flood_limit_on(f);
	assert_int_equal(osv_secflood_admit(f->cfg.secflood, f->s, 1, 60, MSISDN, ICCID, "first", T0, &err), 1);
	osv_secflood_begin(f->cfg.secflood);
	assert_int_equal(osv_secflood_admit(f->cfg.secflood, f->s, 1, 60, MSISDN, ICCID, "second", T0, &err), 0);
	osv_secflood_end(f->cfg.secflood, false);
	assert_int_equal(flush(f, T0 + 60, true), 0);
	osv_secflood_begin(f->cfg.secflood);
	assert_int_equal(osv_secflood_admit(f->cfg.secflood, f->s, 1, 60, MSISDN, ICCID, "third", T0 + 1, &err), 0);
	osv_secflood_end(f->cfg.secflood, true);
	/* a burst: the first MO writes the summary (window over), the second fails, the burst rolls back */
	assert_int_equal(osv_store_begin(f->s, &err), 0);
	osv_secflood_begin(f->cfg.secflood);
	osv_secflood_begin(f->cfg.secflood);
	assert_int_equal(osv_secflood_admit(f->cfg.secflood, f->s, 1, 60, MSISDN, ICCID, "fourth", T0 + 61, &err), 1);
	osv_secflood_end(f->cfg.secflood, true);
	osv_secflood_begin(f->cfg.secflood);
	assert_int_equal(osv_secflood_admit(f->cfg.secflood, f->s, 1, 60, MSISDN2, ICCID2, "other", T0 + 61, &err), 1);
	osv_secflood_end(f->cfg.secflood, false);
	osv_store_rollback(f->s);
	osv_secflood_end(f->cfg.secflood, false);
	json_decref(audit_all(f, 0));
	assert_int_equal(flush(f, T0 + 61, false), 1);
	list = audit_all(f, 1);
	assert_int_equal(summary_count(list, 0, MSISDN), 1);
	assert_non_null(strstr(field(list, 0, "detail"), "last: third"));
	json_decref(list);
	/* a burst that commits keeps what it did */
	osv_secflood_begin(f->cfg.secflood);
	assert_int_equal(osv_secflood_admit(f->cfg.secflood, f->s, 1, 60, MSISDN, ICCID, "fifth", T0 + 62, &err), 1);
	assert_int_equal(osv_secflood_admit(f->cfg.secflood, f->s, 1, 60, MSISDN, ICCID, "sixth", T0 + 62, &err), 0);
	osv_secflood_end(f->cfg.secflood, true);
	assert_int_equal(flush(f, T0 + 62, true), 1);
}

/* More numbers than the table holds: each slot taken for another number writes its summary first; none is lost. */
static void test_flood_table_bounded(void **state)
{
	struct fixture *f = *state;
	struct sg_error err;
	char msisdn[21];
	const int numbers = 3000;
	int64_t after = 0, total = 0, entries, at_shutdown;
	json_t *list, *e;
	size_t i;

	flood_limit_on(f);
	assert_int_equal(osv_store_begin(f->s, &err), 0);
	for (int k = 0; k < numbers; k++) {
		snprintf(msisdn, sizeof(msisdn), "49170%05d", k);
		assert_int_equal(osv_secflood_admit(f->cfg.secflood, f->s, 1, 60, msisdn, ICCID, "x", T0 + k, &err), 1);
		assert_int_equal(osv_secflood_admit(f->cfg.secflood, f->s, 1, 60, msisdn, ICCID, "x", T0 + k, &err), 0);
	}
	assert_int_equal(osv_store_commit(f->s, &err), 0);
	/* most summaries were written as their slots went to other numbers, the rest at shutdown */
	at_shutdown = flush(f, T0 + 1, true);
	assert_true(at_shutdown > 0 && at_shutdown < numbers / 2);
	json_decref(audit_all(f, numbers));
	for (entries = 0; entries < numbers; entries += 100) {
		list = osv_audit_list(f->s, after, 100, &err);
		assert_non_null(list);
		json_array_foreach(list, i, e)
		{
			total += summary_count(list, i, json_string_value(json_object_get(e, "actor")) + 7);
			after = json_integer_value(json_object_get(e, "seq"));
		}
		json_decref(list);
	}
	assert_int_equal(total, numbers);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_forged_and_altered_por, setup, teardown),
		cmocka_unit_test_setup_teardown(test_card_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_older_copy_refused_after_resend, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_por_for_a_packet_not_ours, setup, teardown),
		cmocka_unit_test_setup_teardown(test_report_replayed_or_tampered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_sender_not_audited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flood_summarised_after_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flood_summarised_at_next_event, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flood_other_card_unaffected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flood_limit_zero_audits_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flood_shutdown_flush, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flood_undo_on_rollback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flood_table_bounded, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
