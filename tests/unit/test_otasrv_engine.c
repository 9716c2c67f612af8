/* Unit tests of the OTA server's command path without sockets: the authorisation matrix (owner A vs owner B's
 * device, agent vs supervisor, operator lock vs owner unlock, opt-out without secret, second-operator approval),
 * packets built with a committed fresh counter and checked against the reference's worked examples, PoRs - the
 * reference's own PoR bytes (secured-packets.md §11) and every status code 00..0C, secured and unsecured - turned
 * into command states, resend with a fresh counter and expiry, and handset-change reports with replay refusal. */
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
#include "otasrv/antitheft.h"
#include "otasrv/cards_csv.h"
#include "otasrv/commands.h"
#include "otasrv/engine.h"
#include "otasrv/keybox.h"
#include "otasrv/owners.h"
#include "otasrv/store.h"
#include "test_otasrv_tmpstore.h"

#define ICCID_A "8949000000000000011"
#define ICCID_B "8949000000000000022"
#define ICCID_C "8949000000000000033"
#define NOW 1700000000

/* Card A: Example 1 of secured-packets.md (3DES, SPI 16 19); card B: Example 2 (AES on keyset 2, SPI 16 39);
 * card C: Example 1's keys, no owner. */
static const char cards_csv[] =
	"ICCID,IMSI,MSISDN,KIC1,KID1,ALGO1,CNTR1,KIC2,KID2,ALGO2,CNTR2,SPI,KVN\n" ICCID_A
	",262010000000011,4917100011,404142434445464748494A4B4C4D4E4F,505152535455565758595A5B5C5D5E5F,3des2,0,,,,,"
	"1619,1\n" ICCID_B ",262010000000022,4917100022,,,,,000102030405060708090A0B0C0D0E0F,"
	"101112131415161718191A1B1C1D1E1F,aes,1,1639,2\n" ICCID_C
	",262010000000033,4917100033,404142434445464748494A4B4C4D4E4F,505152535455565758595A5B5C5D5E5F,3des2,0,,,,,"
	"1619,1\n";

struct fixture {
	struct osv_tmpstore tmp;
	struct osv_store *s;
	struct osv_engine_cfg cfg;
	struct osv_actor alice, bob, agent, super1, super2;
	int64_t card_a, card_b;
};

static int64_t make_owner_notify(struct fixture *f, const char *name, const char *iccid, const char *notify,
				 struct osv_actor *a)
{
	struct osv_owner_cfg oc;
	struct osv_device d = { 0 };
	struct osv_owner o;
	struct osv_card c;
	char uri[OSV_OTPAUTH_MAX], why[128];
	struct sg_error err;

	osv_owner_cfg_defaults(&oc);
	oc.argon2_m_kib = 64;
	oc.argon2_t = 1;
	assert_int_equal(osv_owner_create(f->s, &oc, name, "correct horse battery", notify, NOW, uri, why,
					  sizeof(why), &err),
			 0);
	assert_int_equal(osv_owner_get(f->s, name, &o, &err), 1);
	assert_int_equal(osv_card_get(f->s, iccid, &c, &err), 1);
	d.card_id = c.id;
	d.owner_id = o.id;
	assert_int_equal(osv_device_register(f->s, &d, NOW, &err), 0);
	a->kind = OSV_ACTOR_OWNER;
	a->owner_id = o.id;
	snprintf(a->name, sizeof(a->name), "owner:%s", name);
	osv_owner_cleanse(&o);
	return c.id;
}

static int64_t make_owner(struct fixture *f, const char *name, const char *iccid, struct osv_actor *a)
{
	return make_owner_notify(f, name, iccid, "", a);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct sg_error err;

	f->s = osv_tmpstore_open(&f->tmp, "test_otasrv_engine", 7, &err);
	if (!f->s)
		fail_msg("%s", err.msg);
	assert_int_equal(osv_tmpstore_import(f->s, cards_csv, 0x16, 0x39, NOW), 3);
	osv_engine_cfg_defaults(&f->cfg);
	f->card_a = make_owner(f, "alice", ICCID_A, &f->alice);
	f->card_b = make_owner(f, "bob", ICCID_B, &f->bob);
	f->agent = (struct osv_actor){ .kind = OSV_ACTOR_AGENT, .name = "operator:Agent Smith" };
	f->super1 = (struct osv_actor){ .kind = OSV_ACTOR_SUPERVISOR, .name = "operator:Sue" };
	f->super2 = (struct osv_actor){ .kind = OSV_ACTOR_SUPERVISOR, .name = "operator:Sam" };
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(osv_tmpstore_close(&f->tmp), 0);
	free(f);
	return 0;
}

static int request(struct fixture *f, const struct osv_actor *a, const char *iccid, const char *body_json,
		   struct osv_outcome *o)
{
	json_t *body = json_loads(body_json, 0, NULL);
	char why[160];
	struct sg_error err;

	assert_non_null(body);
	if (osv_json_check(body, osv_command_fields, why, sizeof(why)) < 0) {
		o->status = 400;
		snprintf(o->why, sizeof(o->why), "%s", why);
	} else {
		assert_int_equal(osv_command_request(f->s, a, iccid, body, NOW, 900, 0, o, &err), 0);
	}
	json_decref(body);
	return o->status;
}

struct matrix_row {
	const char *who;
	const char *iccid;
	const char *body;
	int status;
	const char *needle;
};

static const struct osv_actor *who(struct fixture *f, const char *w)
{
	return !strcmp(w, "alice") ? &f->alice : !strcmp(w, "bob") ? &f->bob : !strcmp(w, "agent") ? &f->agent
	       : !strcmp(w, "super2")					     ? &f->super2
									     : &f->super1;
}

static void test_authorisation_matrix(void **state)
{
	static const struct matrix_row rows[] = {
		{ "alice", ICCID_A, "{\"command\":\"lock\",\"message\":\"Please call me\"}", 202, "queued" },
		{ "alice", ICCID_B, "{\"command\":\"lock\"}", 403, "not a device of yours" },
		{ "bob", ICCID_A, "{\"command\":\"locate\"}", 403, "not a device of yours" },
		{ "alice", ICCID_C, "{\"command\":\"ring\"}", 403, "not a device of yours" },
		{ "alice", "8949000000000000999", "{\"command\":\"ring\"}", 403, "no such card" },
		{ "agent", "8949000000000000999", "{\"command\":\"ring\"}", 404, "no such card" },
		{ "agent", ICCID_A, "{\"command\":\"locate\"}", 202, "queued" },
		{ "agent", ICCID_A, "{\"command\":\"ring\",\"duration\":60}", 202, "queued" },
		{ "agent", ICCID_A, "{\"command\":\"message\",\"message\":\"found?\"}", 202, "queued" },
		{ "agent", ICCID_A, "{\"command\":\"status\"}", 202, "queued" },
		{ "agent", ICCID_A, "{\"command\":\"disable\"}", 403, "not allowed for this role" },
		{ "agent", ICCID_A, "{\"command\":\"wipe\"}", 403, "not allowed for this role" },
		{ "agent", ICCID_A, "{\"command\":\"unlock\"}", 403, "not allowed for this role" },
		{ "agent", ICCID_A, "{\"command\":\"rfm\",\"tar\":\"B00010\",\"apdus\":\"00A40004023F00\"}", 403,
		  "not allowed" },
		{ "super1", ICCID_A, "{\"command\":\"disable\"}", 202, "awaiting_approval" },
		{ "super1", ICCID_A, "{\"command\":\"wipe\"}", 202, "awaiting_approval" },
		{ "alice", ICCID_A, "{\"command\":\"wipe\"}", 202, "queued" },
		{ "super1", ICCID_A, "{\"command\":\"opt-out\"}", 403, "not allowed for this role" },
		{ "super1", ICCID_C, "{\"command\":\"rfm\",\"tar\":\"B00010\",\"apdus\":\"00A40004023F00\"}", 202,
		  "queued" },
		{ "alice", ICCID_A, "{\"command\":\"opt-out\"}", 400, "needs the owner's secret" },
		{ "alice", ICCID_A, "{\"command\":\"lock\",\"duration\":60}", 400, "duration: does not apply to lock" },
		{ "alice", ICCID_A, "{\"command\":\"ring\",\"duration\":10}", 400, "duration: 10 is outside 30..180" },
		{ "alice", ICCID_A, "{\"command\":\"ring\",\"duration\":\"60\"}", 400, "duration: an integer" },
		{ "alice", ICCID_A, "{\"command\":\"ring\",\"colour\":1}", 400, "colour: unknown field" },
		{ "alice", ICCID_A, "{\"command\":\"explode\"}", 400, "'explode' is not a command" },
		{ "alice", ICCID_A, "{\"command\":\"message\"}", 400, "message: missing" },
		{ "alice", ICCID_A, "{\"command\":\"lock\",\"contact\":\"12-34\"}", 400, "contact: '-'" },
		{ "alice", ICCID_A, "{\"command\":\"message\",\"message\":\"a\\u0007b\"}", 400, "control character" },
		{ "super1", ICCID_C, "{\"command\":\"rfm\",\"tar\":\"B0001\",\"apdus\":\"00A40004023F00\"}", 400,
		  "tar" },
	};
	struct fixture *f = *state;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct osv_outcome o;

		request(f, who(f, rows[i].who), rows[i].iccid, rows[i].body, &o);
		if (o.status != rows[i].status || !strstr(o.why, rows[i].needle))
			fail_msg("row %zu (%s %s): got %d '%s', want %d '%s'", i, rows[i].who, rows[i].body, o.status,
				 o.why, rows[i].status, rows[i].needle);
	}
}

static void test_operator_lock_owner_unlock(void **state)
{
	struct fixture *f = *state;
	struct osv_outcome o;

	assert_int_equal(request(f, &f->alice, ICCID_A, "{\"command\":\"unlock\",\"secret\":\"my secret\"}", &o), 202);
	assert_int_equal(request(f, &f->agent, ICCID_A, "{\"command\":\"lock\"}", &o), 202);
	assert_int_equal(request(f, &f->alice, ICCID_A, "{\"command\":\"unlock\",\"secret\":\"my secret\"}", &o), 403);
	assert_non_null(strstr(o.why, "operator lock"));
	assert_int_equal(request(f, &f->super1, ICCID_A, "{\"command\":\"unlock\"}", &o), 202);
	/* The owner cannot opt out while a lock is on. */
	assert_int_equal(request(f, &f->alice, ICCID_A, "{\"command\":\"opt-out\",\"secret\":\"my secret\"}", &o), 409);
}

static void test_approval(void **state)
{
	struct fixture *f = *state;
	struct osv_outcome o, a;
	struct sg_error err;

	assert_int_equal(request(f, &f->super1, ICCID_A, "{\"command\":\"disable\"}", &o), 202);
	assert_int_equal(o.state, OSV_CMD_AWAITING_APPROVAL);
	assert_int_equal(osv_command_approve(f->s, &f->super1, o.command_id, NOW, &a, &err), 0);
	assert_int_equal(a.status, 403);
	assert_int_equal(osv_command_approve(f->s, &f->agent, o.command_id, NOW, &a, &err), 0);
	assert_int_equal(a.status, 403);
	assert_int_equal(osv_command_approve(f->s, &f->alice, o.command_id, NOW, &a, &err), 0);
	assert_int_equal(a.status, 403);
	assert_int_equal(osv_command_approve(f->s, &f->super2, o.command_id, NOW, &a, &err), 0);
	assert_int_equal(a.status, 200);
	assert_int_equal(osv_command_approve(f->s, &f->super2, o.command_id, NOW, &a, &err), 0);
	assert_int_equal(a.status, 409);
}

/* Claim what is due at t and build its packets. */
static int send_due(struct fixture *f, int64_t t, struct osv_outgoing *out, int max)
{
	int64_t ids[16];
	struct sg_error err;
	int n = osv_cmd_claim(f->s, t, f->cfg.lease, max, ids, &err);

	assert_true(n >= 0);
	n = osv_engine_prepare(f->s, &f->cfg, ids, n, t, out, &err);
	if (n < 0)
		fail_msg("%s", err.msg);
	for (int i = 0; i < n; i++)
		assert_int_equal(osv_engine_submitted(f->s, &f->cfg, &out[i], true, "0000000001", NULL, t, &err), 0);
	return n;
}

static struct osv_command cmd_state(struct fixture *f, int64_t id)
{
	struct osv_command c;
	struct sg_error err;

	assert_int_equal(osv_cmd_get(f->s, id, &c, &err), 1);
	return c;
}

static int mo_hex(struct fixture *f, const char *from, const char *hex, int64_t t, char *what, size_t size)
{
	uint8_t ud[512];
	struct sg_error err;
	long n = sg_hex_decode(hex, ud, sizeof(ud), "ud", &err);

	assert_true(n > 0);
	return osv_engine_mo(f->s, &f->cfg, from, ud, (size_t)n, false, t, what, size, &err);
}

static void load_keys(struct fixture *f, const char *iccid, struct osv_card *c, struct osv_keyset *ks)
{
	struct sg_error err;

	assert_int_equal(osv_card_get(f->s, iccid, c, &err), 1);
	assert_int_equal(osv_keyset_load(f->s, c, c->kvn, ks, &err), 1);
}

/* The packet as the card sees it: verifies with the card's keys, counter 1, anti-theft data. */
static void test_packet_and_reference_por(void **state)
{
	struct fixture *f = *state;
	struct osv_outgoing out[4];
	struct osv_outcome o;
	struct osv_card c;
	struct osv_keyset ks;
	struct sp_command cmd;
	uint8_t plain[SP_MAX_PACKET];
	struct sg_error err;
	char what[200];
	struct osv_command st;

	assert_int_equal(request(f, &f->alice, ICCID_A, "{\"command\":\"lock\"}", &o), 202);
	assert_int_equal(send_due(f, NOW, out, 4), 1);
	assert_string_equal(out[0].msisdn, "4917100011");
	assert_memory_equal(out[0].ud, "\x02\x70\x00", 3);
	load_keys(f, ICCID_A, &c, &ks);
	assert_int_equal(sp_command_verify(out[0].ud + 3, out[0].ud_len - 3, SP_DIALECT_SMS, &ks.keys, &cmd, plain,
					   sizeof(plain), &err),
			 SP_VERDICT_OK);
	osv_keyset_cleanse(&ks);
	assert_int_equal(cmd.hdr.cntr, 1);
	assert_memory_equal(cmd.hdr.spi, "\x16\x19", 2);
	assert_memory_equal(cmd.hdr.tar, "\xC1\x00\x01", 3);
	assert_memory_equal(cmd.data, "LOCK", 4);
	assert_memory_equal(cmd.data + 8, "\x80\x01\x01", 3); /* origin owner */
	assert_int_equal(cmd_state(f, o.command_id).state, OSV_CMD_SUBMITTED);
	/* secured-packets.md §11 Example 1: the PoR for TAR C10001, CNTR 1, status 00, data "OK" */
	assert_int_equal(mo_hex(f, "4917100011",
				"027100001C12C10001C9B7FD1CFBA7B9A2257B092B453434760CB4D0357E28C24D", NOW + 5, what,
				sizeof(what)),
			 1);
	st = cmd_state(f, o.command_id);
	assert_int_equal(st.state, OSV_CMD_CONFIRMED);
	assert_int_equal(st.por_status, 0);
	/* The same PoR again: the command is final, nothing changes. */
	assert_int_equal(mo_hex(f, "4917100011",
				"027100001C12C10001C9B7FD1CFBA7B9A2257B092B453434760CB4D0357E28C24D", NOW + 6, what,
				sizeof(what)),
			 0);
}

/* Example 2 (AES, PoR by SMS-SUBMIT): the short PoR 0B first, the full PoR later. */
static void test_reference_por_by_submit(void **state)
{
	struct fixture *f = *state;
	struct osv_outgoing out[4];
	struct osv_outcome o;
	char what[200];

	assert_int_equal(request(f, &f->bob, ICCID_B, "{\"command\":\"lock\"}", &o), 202);
	assert_int_equal(send_due(f, NOW, out, 4), 1);
	assert_int_equal(mo_hex(f, "4917100022", "0271000014" "12C1000147C3AF2EA8A86459D8F4838840932BF5", NOW + 2,
				what, sizeof(what)),
			 1);
	assert_int_equal(cmd_state(f, o.command_id).state, OSV_CMD_DELIVERED);
	assert_int_equal(cmd_state(f, o.command_id).por_status, 0x0B);
	assert_int_equal(mo_hex(f, "4917100022",
				"0271000024" "12C10001B211D72DDC33E57C0611B3CEB3C18F7286E268E7B9A05FE9FA55C4A7ADB03DB3",
				NOW + 4, what, sizeof(what)),
			 1);
	assert_int_equal(cmd_state(f, o.command_id).state, OSV_CMD_CONFIRMED);
}

/* Build a PoR as the card would for the latest packet to card A. */
static void card_por(struct fixture *f, const struct osv_outgoing *o, uint8_t status, const uint8_t *data,
		     size_t len, bool unsecured, char *hex, size_t hex_size)
{
	struct osv_card c;
	struct osv_keyset ks;
	struct sp_command cmd;
	uint8_t plain[SP_MAX_PACKET], por[SP_MAX_PACKET + 3] = { 0x02, 0x71, 0x00 };
	size_t n;
	struct sg_error err;

	load_keys(f, ICCID_A, &c, &ks);
	assert_int_equal(sp_command_verify(o->ud + 3, o->ud_len - 3, SP_DIALECT_SMS, &ks.keys, &cmd, plain,
					   sizeof(plain), &err),
			 SP_VERDICT_OK);
	assert_int_equal(sp_response_build(&cmd.hdr, status, data, len, &ks.keys, SP_DIALECT_SMS, unsecured, por + 3,
					   sizeof(por) - 3, &n, &err),
			 0);
	osv_keyset_cleanse(&ks);
	sg_hex_encode(por, n + 3, hex, hex_size);
}

struct status_case {
	uint8_t status;
	bool unsecured;
	enum osv_cmd_state want;
	int used;
};

static void test_every_por_status(void **state)
{
	static const struct status_case cases[] = {
		{ 0x00, false, OSV_CMD_CONFIRMED, 1 },	 { 0x00, true, OSV_CMD_SUBMITTED, 0 },
		{ 0x01, true, OSV_CMD_REJECTED, 1 },	 { 0x02, true, OSV_CMD_REJECTED, 1 },
		{ 0x03, true, OSV_CMD_REJECTED, 1 },	 { 0x04, true, OSV_CMD_REJECTED, 1 },
		{ 0x05, true, OSV_CMD_REJECTED, 1 },	 { 0x06, true, OSV_CMD_REJECTED, 1 },
		{ 0x07, false, OSV_CMD_REJECTED, 1 },	 { 0x08, false, OSV_CMD_DELIVERED, 1 },
		{ 0x08, true, OSV_CMD_SUBMITTED, 0 },	 { 0x09, true, OSV_CMD_REJECTED, 1 },
		{ 0x0A, true, OSV_CMD_REJECTED, 1 },	 { 0x0B, false, OSV_CMD_DELIVERED, 1 },
		{ 0x0C, false, OSV_CMD_DELIVERED, 1 },	 { 0x0D, false, OSV_CMD_REJECTED, 1 },
	};
	struct fixture *f = *state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct osv_outgoing out[4];
		struct osv_outcome o;
		struct osv_card c;
		char hex[2 * SP_MAX_PACKET], what[200];
		struct sg_error err;
		struct osv_command st;
		int used;

		assert_int_equal(request(f, &f->agent, ICCID_A, "{\"command\":\"status\"}", &o), 202);
		assert_int_equal(send_due(f, NOW + (int64_t)i, out, 4), 1);
		card_por(f, &out[0], cases[i].status, (const uint8_t *)"OK", 2, cases[i].unsecured, hex, sizeof(hex));
		used = mo_hex(f, "4917100011", hex, NOW + (int64_t)i, what, sizeof(what));
		st = cmd_state(f, o.command_id);
		if (used != cases[i].used || st.state != cases[i].want)
			fail_msg("status %02X%s: used %d state %s (%s), want %d %s", cases[i].status,
				 cases[i].unsecured ? " unsecured" : "", used, osv_cmd_state_name(st.state), what,
				 cases[i].used, osv_cmd_state_name(cases[i].want));
		assert_int_equal(osv_card_get(f->s, ICCID_A, &c, &err), 1);
		if (cases[i].status == 0x02 || cases[i].status == 0x03)
			assert_int_equal(c.counter_state, OSV_CNTR_DRIFT);
		if (cases[i].status == 0x04)
			assert_int_equal(c.counter_state, OSV_CNTR_BLOCKED);
		/* Reset the card for the next case, as a supervisor's resync would. */
		assert_int_equal(osv_card_set_counter_state(f->s, c.id, OSV_CNTR_OK, &err), 0);
		if (!osv_cmd_state_final(st.state))
			assert_int_equal(osv_cmd_update(f->s, st.id, OSV_CMD_CANCELLED, -1, "test", 0, &err), 0);
	}
}

/* An applet refusal (PoR 00 with result OL) rejects the command with the card's reason. */
static void test_applet_refusal_and_results(void **state)
{
	struct fixture *f = *state;
	static const uint8_t locate[] = { 'O', 'K', 0x91, 0x07, 0x62, 0xF2, 0x10, 0x12, 0x34, 0x56, 0x78,
					  0x92, 0x0F, '3',  '5',  '1',	'2',  '3',  '4',  '5',	'6',  '7',
					  '8',	'9',  '0',  '1',  '2',	'3',  0x94, 0x01, 0x00 };
	struct osv_outgoing out[4];
	struct osv_outcome o;
	char hex[2 * SP_MAX_PACKET], what[200];
	struct osv_device d;
	struct sg_error err;
	json_t *list;

	assert_int_equal(request(f, &f->alice, ICCID_A, "{\"command\":\"unlock\",\"secret\":\"secret!\"}", &o), 202);
	assert_int_equal(send_due(f, NOW, out, 4), 1);
	card_por(f, &out[0], 0x00, (const uint8_t *)"OL", 2, false, hex, sizeof(hex));
	assert_int_equal(mo_hex(f, "4917100011", hex, NOW + 1, what, sizeof(what)), 1);
	assert_int_equal(cmd_state(f, o.command_id).state, OSV_CMD_REJECTED);
	assert_non_null(strstr(cmd_state(f, o.command_id).detail, "operator lock"));

	assert_int_equal(request(f, &f->alice, ICCID_A, "{\"command\":\"locate\"}", &o), 202);
	assert_int_equal(send_due(f, NOW + 10, out, 4), 1);
	card_por(f, &out[0], 0x00, locate, sizeof(locate), false, hex, sizeof(hex));
	assert_int_equal(mo_hex(f, "4917100011", hex, NOW + 11, what, sizeof(what)), 1);
	assert_int_equal(cmd_state(f, o.command_id).state, OSV_CMD_CONFIRMED);
	assert_int_equal(osv_device_get(f->s, f->card_a, &d, &err), 1);
	assert_string_equal(d.imei, "351234567890123");
	list = osv_device_list(f->s, f->alice.owner_id, &err);
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(
						  json_object_get(json_array_get(list, 0), "last"), "locate"),
									 "location"),
							      "mcc")),
			    "262");
	json_decref(list);
	/* Every command was notified to the owner. */
	list = osv_notifications(f->s, f->alice.owner_id, 0, &err);
	assert_true(json_array_size(list) >= 4);
	json_decref(list);
}

/* The owner proof rides in UNLK: HMAC over verb, request id and the packet's own counter. */
static void test_owner_proof_in_packet(void **state)
{
	struct fixture *f = *state;
	struct osv_outgoing out[4];
	struct osv_outcome o;
	struct osv_card c;
	struct osv_keyset ks;
	struct sp_command cmd;
	uint8_t plain[SP_MAX_PACKET], key[32], proof[16];
	struct sg_error err;

	assert_int_equal(request(f, &f->alice, ICCID_A, "{\"command\":\"unlock\",\"secret\":\"secret!\"}", &o), 202);
	assert_int_equal(send_due(f, NOW, out, 4), 1);
	load_keys(f, ICCID_A, &c, &ks);
	assert_int_equal(sp_command_verify(out[0].ud + 3, out[0].ud_len - 3, SP_DIALECT_SMS, &ks.keys, &cmd, plain,
					   sizeof(plain), &err),
			 SP_VERDICT_OK);
	osv_keyset_cleanse(&ks);
	assert_int_equal(osv_at_owner_key("secret!", ICCID_A, key, &err), 0);
	assert_int_equal(osv_at_proof(key, "UNLK", (uint32_t)o.command_id, cmd.hdr.cntr, proof), 0);
	assert_int_equal(cmd.data_len, 8 + 3 + 18);
	assert_memory_equal(cmd.data, "UNLK", 4);
	assert_memory_equal(cmd.data + 11, "\x83\x10", 2);
	assert_memory_equal(cmd.data + 13, proof, 16);
}

/* No PoR: the packet goes again after the retry interval with a fresh counter, until the deadline. */
static void test_resend_and_expiry(void **state)
{
	struct fixture *f = *state;
	struct osv_outgoing out[4];
	struct osv_outcome o;
	struct osv_card c;
	struct sg_error err;
	json_t *cntrs;

	assert_int_equal(request(f, &f->agent, ICCID_A, "{\"command\":\"ring\"}", &o), 202);
	assert_int_equal(send_due(f, NOW, out, 4), 1);
	assert_int_equal(send_due(f, NOW + f->cfg.retry_interval - 1, out, 4), 0);
	assert_int_equal(send_due(f, NOW + f->cfg.retry_interval, out, 4), 1);
	assert_int_equal(send_due(f, NOW + 2 * f->cfg.retry_interval, out, 4), 1);
	assert_int_equal(cmd_state(f, o.command_id).attempts, 3);
	assert_int_equal(osv_card_get(f->s, ICCID_A, &c, &err), 1);
	cntrs = osv_attempt_counters(f->s, c.id, 1, &err);
	assert_int_equal(json_array_size(cntrs), 3);
	assert_int_equal(json_integer_value(json_array_get(cntrs, 0)), 1);
	assert_int_equal(json_integer_value(json_array_get(cntrs, 2)), 3);
	json_decref(cntrs);
	assert_int_equal(send_due(f, NOW + 900, out, 4), 0);
	assert_int_equal(cmd_state(f, o.command_id).state, OSV_CMD_EXPIRED);
}

static void test_smsc_refusal_backoff(void **state)
{
	struct fixture *f = *state;
	struct osv_outgoing out[4];
	struct osv_outcome o;
	int64_t ids[4];
	struct sg_error err;
	int n;

	assert_int_equal(request(f, &f->agent, ICCID_A, "{\"command\":\"ring\"}", &o), 202);
	n = osv_cmd_claim(f->s, NOW, 30, 4, ids, &err);
	assert_int_equal(osv_engine_prepare(f->s, &f->cfg, ids, n, NOW, out, &err), 1);
	assert_int_equal(osv_engine_submitted(f->s, &f->cfg, &out[0], false, "", "ESME_RTHROTTLED", NOW, &err), 0);
	assert_int_equal(cmd_state(f, o.command_id).state, OSV_CMD_QUEUED);
	assert_int_equal(osv_cmd_claim(f->s, NOW + f->cfg.submit_backoff - 1, 30, 4, ids, &err), 0);
	assert_int_equal(osv_cmd_claim(f->s, NOW + f->cfg.submit_backoff, 30, 4, ids, &err), 1);
}

/* Delivery receipts: the SMSC's "delivered" for the message id of the latest send moves a submitted command to
 * delivered; an undelivered receipt, an unknown id and a receipt for a command already further on change nothing. */
static void test_delivery_receipt(void **state)
{
	struct fixture *f = *state;
	struct osv_outgoing out[4];
	struct osv_outcome o;
	int64_t ids[4];
	struct sg_error err;
	int n;

	assert_int_equal(request(f, &f->agent, ICCID_A, "{\"command\":\"ring\"}", &o), 202);
	n = osv_cmd_claim(f->s, NOW, 30, 4, ids, &err);
	assert_int_equal(osv_engine_prepare(f->s, &f->cfg, ids, n, NOW, out, &err), 1);
	assert_int_equal(osv_engine_submitted(f->s, &f->cfg, &out[0], true, "MSG-1", NULL, NOW, &err), 0);
	assert_int_equal(cmd_state(f, o.command_id).state, OSV_CMD_SUBMITTED);
	assert_int_equal(osv_engine_receipt(f->s, "MSG-2", 2, NOW + 1, &err), 0);
	assert_int_equal(osv_engine_receipt(f->s, "MSG-1", 5, NOW + 1, &err), 0);
	assert_int_equal(cmd_state(f, o.command_id).state, OSV_CMD_SUBMITTED);
	assert_int_equal(osv_engine_receipt(f->s, "MSG-1", 2, NOW + 1, &err), 1);
	assert_int_equal(cmd_state(f, o.command_id).state, OSV_CMD_DELIVERED);
	assert_int_equal(osv_engine_receipt(f->s, "MSG-1", 2, NOW + 2, &err), 0);
	assert_int_equal(cmd_state(f, o.command_id).state, OSV_CMD_DELIVERED);
}

static void report_hex(struct fixture *f, uint64_t cntr, const char *imei, char *hex, size_t size)
{
	struct sp_cmd_hdr h = { .spi = { 0x16, 0x00 }, .kic = 0x15, .kid = 0x15, .tar = { 0xC1, 0x00, 0x01 },
				.cntr = cntr };
	uint8_t data[64] = "HSCH\0\0\0\0", pkt[SP_MAX_PACKET + 3] = { 0x02, 0x70, 0x00 };
	struct osv_card c;
	struct osv_keyset ks;
	size_t n = 8, len;
	struct sg_error err;

	data[7] = (uint8_t)cntr;
	data[n++] = 0x92;
	data[n++] = 15;
	memcpy(data + n, imei, 15);
	n += 15;
	data[n++] = 0x98;
	data[n++] = 15;
	memcpy(data + n, "351234567890123", 15);
	n += 15;
	memcpy(data + n, "\x90\x01\x00", 3);
	n += 3;
	load_keys(f, ICCID_A, &c, &ks);
	assert_int_equal(sp_command_build(&h, data, n, &ks.keys, SP_DIALECT_SMS, pkt + 3, sizeof(pkt) - 3, &len, &err),
			 0);
	osv_keyset_cleanse(&ks);
	sg_hex_encode(pkt, len + 3, hex, size);
}

static void test_handset_change_report(void **state)
{
	struct fixture *f = *state;
	char hex[2 * SP_MAX_PACKET], what[200];
	struct osv_device d;
	struct sg_error err;

	report_hex(f, 5, "490154203237518", hex, sizeof(hex));
	if (mo_hex(f, "4917100011", hex, NOW, what, sizeof(what)) != 1)
		fail_msg("%s", what);
	assert_int_equal(osv_device_get(f->s, f->card_a, &d, &err), 1);
	assert_string_equal(d.imei, "490154203237518");
	/* Replayed, or an older counter: ignored. */
	assert_int_equal(mo_hex(f, "4917100011", hex, NOW, what, sizeof(what)), 0);
	report_hex(f, 4, "111111111111111", hex, sizeof(hex));
	assert_int_equal(mo_hex(f, "4917100011", hex, NOW, what, sizeof(what)), 0);
	assert_int_equal(osv_device_get(f->s, f->card_a, &d, &err), 1);
	assert_string_equal(d.imei, "490154203237518");
	/* From a number that is no card of ours. */
	assert_int_equal(mo_hex(f, "4917199999", hex, NOW, what, sizeof(what)), 0);
	/* A tampered report. */
	report_hex(f, 6, "222222222222222", hex, sizeof(hex));
	hex[strlen(hex) - 1] = hex[strlen(hex) - 1] == '0' ? '1' : '0';
	assert_int_equal(mo_hex(f, "4917100011", hex, NOW, what, sizeof(what)), 0);
}

static void test_blocklist_after_disable(void **state)
{
	struct fixture *f = *state;
	struct osv_outgoing out[4];
	struct osv_outcome o;
	char hex[2 * SP_MAX_PACKET], what[200];
	struct sg_error err;
	json_t *list;

	report_hex(f, 1, "490154203237518", hex, sizeof(hex));
	assert_int_equal(mo_hex(f, "4917100011", hex, NOW, what, sizeof(what)), 1);
	assert_int_equal(request(f, &f->alice, ICCID_A, "{\"command\":\"disable\"}", &o), 202);
	assert_int_equal(send_due(f, NOW, out, 4), 1);
	card_por(f, &out[0], 0x00, (const uint8_t *)"OK\x90\x01\x02", 5, false, hex, sizeof(hex));
	assert_int_equal(mo_hex(f, "4917100011", hex, NOW + 1, what, sizeof(what)), 1);
	list = osv_device_blocklist(f->s, &err);
	assert_int_equal(json_array_size(list), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "imei")), "490154203237518");
	json_decref(list);
}

static void test_owner_login(void **state)
{
	struct fixture *f = *state;
	struct osv_owner_cfg oc;
	struct osv_owner o;
	char token[OSV_TOKEN_HEX_LEN + 1], code[7], bad[16];
	int64_t id, retry, who_id;
	struct sg_error err;

	osv_owner_cfg_defaults(&oc);
	oc.argon2_m_kib = 64;
	oc.argon2_t = 1;
	oc.max_failures = 3;
	assert_int_equal(osv_owner_get(f->s, "alice", &o, &err), 1);
	assert_int_equal(osv_totp_code(o.totp, o.totp_len, NOW, code), 0);
	snprintf(bad, sizeof(bad), "%06d", (atoi(code) + 1) % 1000000);
	assert_int_equal(osv_owner_login(f->s, &oc, "alice", "correct horse battery", code, NOW, token, &id, &retry,
					 &err),
			 OSV_LOGIN_OK);
	assert_int_equal(id, f->alice.owner_id);
	assert_int_equal(osv_owner_session(f->s, token, NOW + 10, &who_id, &err), 1);
	assert_int_equal(who_id, id);
	assert_int_equal(osv_owner_session(f->s, token, NOW + oc.session_ttl, &who_id, &err), 0);
	assert_int_equal(osv_owner_login(f->s, &oc, "mallory", "correct horse battery", code, NOW, token, &id, &retry,
					 &err),
			 OSV_LOGIN_BAD);
	assert_int_equal(osv_owner_login(f->s, &oc, "alice", "wrong horse battery", code, NOW, token, &id, &retry,
					 &err),
			 OSV_LOGIN_BAD);
	assert_int_equal(osv_owner_login(f->s, &oc, "alice", "correct horse battery", bad, NOW, token, &id, &retry,
					 &err),
			 OSV_LOGIN_BAD);
	assert_int_equal(osv_owner_login(f->s, &oc, "alice", "correct horse battery", bad, NOW, token, &id, &retry,
					 &err),
			 OSV_LOGIN_LOCKED);
	/* Locked: even the right password and code are refused until the lockout ends. */
	assert_int_equal(osv_owner_login(f->s, &oc, "alice", "correct horse battery", code, NOW + 1, token, &id,
					 &retry, &err),
			 OSV_LOGIN_LOCKED);
	assert_true(retry > 0);
	assert_int_equal(osv_totp_code(o.totp, o.totp_len, NOW + oc.lockout, code), 0);
	assert_int_equal(osv_owner_login(f->s, &oc, "alice", "correct horse battery", code, NOW + oc.lockout, token,
					 &id, &retry, &err),
			 OSV_LOGIN_OK);
	osv_owner_cleanse(&o);
}

/* A name that is no owner answers like an owner's name with a wrong password, failure by failure: bad twice, then
 * locked for the lockout time, still locked a second later with the same time left, free again after it; once
 * enrolled, what was counted under it is not the new owner's. */
static void test_unknown_name_lockout(void **state)
{
	struct fixture *f = *state;
	struct osv_owner_cfg oc;
	struct osv_owner o;
	char token[OSV_TOKEN_HEX_LEN + 1], code[7], uri[OSV_OTPAUTH_MAX], why[128];
	int64_t id, retry_known, retry_unknown;
	struct sg_error err;
	static const struct {
		int64_t at;
		enum osv_login_result want;
		int64_t retry;
	} steps[] = {
		{ NOW, OSV_LOGIN_BAD, 0 },
		{ NOW, OSV_LOGIN_BAD, 0 },
		{ NOW, OSV_LOGIN_LOCKED, 600 },
		{ NOW + 1, OSV_LOGIN_LOCKED, 599 },
		{ NOW + 600, OSV_LOGIN_BAD, 0 },
	};

	osv_owner_cfg_defaults(&oc);
	oc.argon2_m_kib = 64;
	oc.argon2_t = 1;
	oc.max_failures = 3;
	oc.lockout = 600;
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		assert_int_equal(osv_owner_login(f->s, &oc, "alice", "wrong horse battery", "123456", steps[i].at,
						 token, &id, &retry_known, &err),
				 steps[i].want);
		assert_int_equal(osv_owner_login(f->s, &oc, "mallory", "wrong horse battery", "123456", steps[i].at,
						 token, &id, &retry_unknown, &err),
				 steps[i].want);
		assert_int_equal(retry_known, steps[i].retry);
		assert_int_equal(retry_unknown, steps[i].retry);
	}
	/* mallory locked again, then enrolled: the new owner logs in at once */
	for (int i = 0; i < 3; i++)
		osv_owner_login(f->s, &oc, "mallory", "x", "123456", NOW + 700, token, &id, &retry_unknown, &err);
	assert_int_equal(retry_unknown, 600);
	assert_int_equal(osv_owner_create(f->s, &oc, "mallory", "correct horse battery", "", NOW + 701, uri, why,
					  sizeof(why), &err),
			 0);
	assert_int_equal(osv_owner_get(f->s, "mallory", &o, &err), 1);
	assert_int_equal(osv_totp_code(o.totp, o.totp_len, NOW + 702, code), 0);
	assert_int_equal(osv_owner_login(f->s, &oc, "mallory", "correct horse battery", code, NOW + 702, token, &id,
					 &retry_unknown, &err),
			 OSV_LOGIN_OK);
	assert_int_equal(id, o.id);
	osv_owner_cleanse(&o);
}

/* RFC 6238 Appendix B, SHA-1, 8 digits truncated to our 6: secret "12345678901234567890". */
static void test_totp_rfc6238(void **state)
{
	static const struct {
		int64_t t;
		const char *code;
	} v[] = { { 59, "287082" }, { 1111111109, "081804" }, { 1234567890, "005924" }, { 2000000000, "279037" } };
	char code[7];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_int_equal(osv_totp_code((const uint8_t *)"12345678901234567890", 20, v[i].t, code), 0);
		assert_string_equal(code, v[i].code);
	}
}

/* The notification states an owner sees, oldest first, as one string ("sent,delivered"). */
static void sms_states(struct fixture *f, int64_t owner_id, char *out, size_t size)
{
	struct sg_error err;
	json_t *list = osv_notifications(f->s, owner_id, 0, &err);
	size_t i, o = 0;
	json_t *n;

	assert_non_null(list);
	out[0] = '\0';
	json_array_foreach(list, i, n) {
		const char *st = json_string_value(json_object_get(n, "sms"));

		o += (size_t)snprintf(out + o, size - o, "%s%s", i ? "," : "", st ? st : "-");
	}
	json_decref(list);
}

/* Owner notifications by SMS: only for owners with a notify number, after the command packets, text in the GSM
 * default alphabet with a receipt asked for, claimed once per lease, settled by the SMSC's answer, given up
 * after notify_tries; the SMSC's delivery receipts move it to delivered or undelivered. */
static void test_notify_sms(void **state)
{
	struct fixture *f = *state;
	struct osv_outgoing out[8];
	struct osv_actor carol;
	struct osv_outcome o;
	struct sg_error err;
	char want[128], states[128];
	int n;

	make_owner_notify(f, "carol", ICCID_C, "+4917600001", &carol); /* stored without the '+' */
	assert_int_equal(request(f, &f->agent, ICCID_C, "{\"command\":\"ring\"}", &o), 202);
	assert_int_equal(request(f, &f->agent, ICCID_A, "{\"command\":\"ring\"}", &o), 202); /* alice: no number */
	n = osv_engine_next(f->s, &f->cfg, 8, NOW, out, &err);
	assert_int_equal(n, 3); /* two packets first, then carol's SMS */
	assert_int_equal(out[0].notification_id, 0);
	assert_int_equal(out[1].notification_id, 0);
	assert_true(out[2].notification_id > 0);
	assert_string_equal(out[2].msisdn, "4917600001");
	assert_int_equal(out[2].dcs, 0x00);
	assert_false(out[2].udhi);
	assert_int_equal(out[2].parts, 1);
	snprintf(want, sizeof(want), "command %lld (ring by operator:Agent Smith): requested",
		 (long long)o.command_id - 1);
	assert_int_equal(out[2].ud_len, strlen(want));
	assert_memory_equal(out[2].ud, want, strlen(want)); /* these characters have their ASCII codes in GSM */
	/* claimed: not again within the lease; refused: again after the backoff */
	assert_int_equal(osv_engine_notify_claim(f->s, &f->cfg, 8, NOW + 1, out + 3, &err), 0);
	assert_int_equal(osv_engine_submitted(f->s, &f->cfg, &out[2], false, "", "ESME_RTHROTTLED", NOW, &err), 0);
	assert_int_equal(osv_engine_notify_claim(f->s, &f->cfg, 8, NOW + f->cfg.submit_backoff - 1, out + 3, &err), 0);
	assert_int_equal(osv_engine_notify_claim(f->s, &f->cfg, 8, NOW + f->cfg.submit_backoff, out + 3, &err), 1);
	assert_int_equal(out[3].notification_id, out[2].notification_id);
	assert_int_equal(out[3].tries, 2);
	assert_int_equal(osv_engine_submitted(f->s, &f->cfg, &out[3], true, "77", NULL, NOW, &err), 0);
	assert_int_equal(osv_engine_notify_claim(f->s, &f->cfg, 8, NOW + 3600, out + 3, &err), 0);
	sms_states(f, carol.owner_id, states, sizeof(states));
	assert_string_equal(states, "sent");
	sms_states(f, f->alice.owner_id, states, sizeof(states));
	assert_string_equal(states, "-");
	/* receipts: en route changes nothing, delivered is final, a second receipt for it changes nothing */
	assert_int_equal(osv_engine_receipt(f->s, "77", 1, NOW + 5, &err), 0);
	sms_states(f, carol.owner_id, states, sizeof(states));
	assert_string_equal(states, "sent");
	assert_int_equal(osv_engine_receipt(f->s, "77", 2, NOW + 5, &err), 1);
	assert_int_equal(osv_engine_receipt(f->s, "77", 5, NOW + 6, &err), 0);
	sms_states(f, carol.owner_id, states, sizeof(states));
	assert_string_equal(states, "delivered");

	/* an SMSC that keeps refusing: given up after notify_tries sends */
	assert_int_equal(request(f, &f->agent, ICCID_C, "{\"command\":\"status\"}", &o), 202);
	for (int i = 1; i <= f->cfg.notify_tries; i++) {
		assert_int_equal(osv_engine_notify_claim(f->s, &f->cfg, 8, NOW + 100000 * i, out, &err), 1);
		assert_int_equal(out[0].tries, i);
		assert_int_equal(osv_engine_submitted(f->s, &f->cfg, &out[0], false, "", "ESME_RSYSERR",
						      NOW + 100000 * i, &err), 0);
	}
	assert_int_equal(osv_engine_notify_claim(f->s, &f->cfg, 8, NOW + 10000000, out, &err), 0);
	sms_states(f, carol.owner_id, states, sizeof(states));
	assert_string_equal(states, "delivered,failed");
}

/* A notification longer than one SMS goes as concatenated parts, each claimed on its own (a window of one
 * takes them one by one), sent with the header 05 00 03 ref total seq and receipted alone: the notification is
 * sent when every part is, delivered when every part is, undelivered as soon as one part is. */
static void test_notify_sms_parts(void **state)
{
	struct fixture *f = *state;
	struct osv_outgoing out[4];
	struct osv_actor carol;
	struct osv_command cmd;
	struct osv_outcome o;
	struct sg_error err;
	char event[200], states[64];
	uint8_t udh[6] = {0x05, 0x00, 0x03, 0, 0x02, 0x01};

	make_owner_notify(f, "carol", ICCID_C, "4917600001", &carol);
	assert_int_equal(request(f, &f->agent, ICCID_C, "{\"command\":\"ring\"}", &o), 202);
	assert_int_equal(osv_engine_notify_claim(f->s, &f->cfg, 4, NOW, out, &err), 1);
	assert_int_equal(osv_engine_submitted(f->s, &f->cfg, &out[0], true, "m0", NULL, NOW, &err), 0);
	assert_int_equal(osv_cmd_get(f->s, o.command_id, &cmd, &err), 1);
	memset(event, 'x', sizeof(event) - 1);
	event[sizeof(event) - 1] = '\0';
	assert_int_equal(osv_store_begin(f->s, &err), 0);
	assert_int_equal(osv_engine_notify(f->s, &cmd, event, NOW, &err), 0);
	assert_int_equal(osv_store_commit(f->s, &err), 0);
	/* a window of one: the first part alone, the second at the next claim */
	assert_int_equal(osv_engine_notify_claim(f->s, &f->cfg, 1, NOW, out, &err), 1);
	assert_int_equal(osv_engine_notify_claim(f->s, &f->cfg, 1, NOW, out + 1, &err), 1);
	assert_int_equal(osv_engine_notify_claim(f->s, &f->cfg, 4, NOW, out + 2, &err), 0);
	udh[3] = (uint8_t)out[0].notification_id;
	for (int i = 0; i < 2; i++) {
		udh[5] = (uint8_t)(i + 1);
		assert_int_equal(out[i].notification_id, out[0].notification_id);
		assert_int_equal(out[i].part, i + 1);
		assert_int_equal(out[i].parts, 2);
		assert_true(out[i].udhi);
		assert_int_equal(out[i].dcs, 0x00);
		assert_memory_equal(out[i].ud, udh, sizeof(udh));
	}
	assert_int_equal(out[0].ud_len, 6 + 153);
	assert_memory_equal(out[0].ud + 6, "command ", 8);
	assert_int_equal(out[0].ud[6 + 152], 'x');
	assert_int_equal(osv_engine_submitted(f->s, &f->cfg, &out[1], true, "m2", NULL, NOW, &err), 0);
	sms_states(f, carol.owner_id, states, sizeof(states));
	assert_string_equal(states, "sent,waiting");
	assert_int_equal(osv_engine_submitted(f->s, &f->cfg, &out[0], true, "m1", NULL, NOW, &err), 0);
	sms_states(f, carol.owner_id, states, sizeof(states));
	assert_string_equal(states, "sent,sent");
	assert_int_equal(osv_engine_receipt(f->s, "m1", 2, NOW + 1, &err), 1);
	sms_states(f, carol.owner_id, states, sizeof(states));
	assert_string_equal(states, "sent,sent");
	assert_int_equal(osv_engine_receipt(f->s, "m2", 2, NOW + 1, &err), 1);
	sms_states(f, carol.owner_id, states, sizeof(states));
	assert_string_equal(states, "sent,delivered");
	assert_int_equal(osv_engine_receipt(f->s, "m0", 3, NOW + 1, &err), 1); /* expired */
	sms_states(f, carol.owner_id, states, sizeof(states));
	assert_string_equal(states, "undelivered,delivered");
}

/* An SMSC giving every message the same id (osmo-msc: "msg_id_not_implemented"): its receipts cannot say which
 * part they are for, and change none. */
static void test_notify_receipt_ambiguous_id(void **state)
{
	struct fixture *f = *state;
	struct osv_outgoing out[4];
	struct osv_actor carol;
	struct osv_outcome o;
	struct sg_error err;
	char states[64];

	make_owner_notify(f, "carol", ICCID_C, "4917600001", &carol);
	assert_int_equal(request(f, &f->agent, ICCID_C, "{\"command\":\"ring\"}", &o), 202);
	assert_int_equal(request(f, &f->agent, ICCID_C, "{\"command\":\"status\"}", &o), 202);
	assert_int_equal(osv_engine_notify_claim(f->s, &f->cfg, 4, NOW, out, &err), 2);
	for (int i = 0; i < 2; i++)
		assert_int_equal(
			osv_engine_submitted(f->s, &f->cfg, &out[i], true, "msg_id_not_implemented", NULL, NOW, &err),
			0);
	assert_int_equal(osv_engine_receipt(f->s, "msg_id_not_implemented", 2, NOW + 1, &err), 0);
	sms_states(f, carol.owner_id, states, sizeof(states));
	assert_string_equal(states, "sent,sent");
}

/* A notification text cut at its 255 bytes never ends inside a character: an event of euro signs (3 bytes each)
 * leaves whole ones only, so the text is valid UTF-8 for the API and all GSM (two septets each) in its SMS. */
static void test_notify_text_cut_utf8(void **state)
{
	struct fixture *f = *state;
	struct osv_outgoing out[4];
	struct osv_actor carol;
	struct osv_command cmd;
	struct osv_outcome o;
	struct sg_error err;
	char event[302] = "x"; /* with it the 255th byte falls inside a euro sign */
	const char *text;
	json_t *list;
	size_t len;

	make_owner_notify(f, "carol", ICCID_C, "4917600001", &carol);
	assert_int_equal(request(f, &f->agent, ICCID_C, "{\"command\":\"ring\"}", &o), 202);
	assert_int_equal(osv_cmd_get(f->s, o.command_id, &cmd, &err), 1);
	for (int i = 0; i < 100; i++)
		strcat(event, "\xe2\x82\xac");
	assert_int_equal(osv_store_begin(f->s, &err), 0);
	assert_int_equal(osv_engine_notify(f->s, &cmd, event, NOW, &err), 0);
	assert_int_equal(osv_store_commit(f->s, &err), 0);
	list = osv_notifications(f->s, carol.owner_id, 0, &err);
	assert_int_equal(json_array_size(list), 2);
	text = json_string_value(json_object_get(json_array_get(list, 1), "text"));
	assert_non_null(text);
	len = strlen(text);
	assert_true(len > 250 && len <= 255);
	assert_memory_equal(text + len - 3, "\xe2\x82\xac", 3);
	json_decref(list);
	assert_int_equal(osv_engine_notify_claim(f->s, &f->cfg, 4, NOW, out, &err), 3); /* requested: 1, this: 2 */
	assert_int_equal(out[1].dcs, 0x00);
	assert_int_equal(out[2].ud[out[2].ud_len - 2], 0x1B);
	assert_int_equal(out[2].ud[out[2].ud_len - 1], 0x65);
}

/* A notify number is digits, or nothing. */
static void test_notify_number_checked(void **state)
{
	struct fixture *f = *state;
	const char *bad[] = { "12", "+", "4917x00001", "123456789012345678901", " 4917600001" };
	struct osv_owner_cfg oc;
	char uri[OSV_OTPAUTH_MAX], why[128];
	struct sg_error err;

	osv_owner_cfg_defaults(&oc);
	oc.argon2_m_kib = 64;
	oc.argon2_t = 1;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = 0;
		assert_int_equal(osv_owner_create(f->s, &oc, "dave", "correct horse battery", bad[i], NOW, uri, why,
						  sizeof(why), &err),
				 1);
		assert_non_null(strstr(why, "notify_msisdn"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_authorisation_matrix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_operator_lock_owner_unlock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_approval, setup, teardown),
		cmocka_unit_test_setup_teardown(test_packet_and_reference_por, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reference_por_by_submit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_por_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_applet_refusal_and_results, setup, teardown),
		cmocka_unit_test_setup_teardown(test_owner_proof_in_packet, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resend_and_expiry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_smsc_refusal_backoff, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delivery_receipt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_handset_change_report, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blocklist_after_disable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_owner_login, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_name_lockout, setup, teardown),
		cmocka_unit_test(test_totp_rfc6238),
		cmocka_unit_test_setup_teardown(test_notify_sms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notify_sms_parts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notify_receipt_ambiguous_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notify_text_cut_utf8, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notify_number_checked, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
