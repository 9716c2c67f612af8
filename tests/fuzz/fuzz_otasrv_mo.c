/* libFuzzer target for what reaches the ota-server from phones over SMPP: the user data of a deliver_sm from a
 * card's number - PoRs (02 71 00 || response packet, or the bare packet by USSD) and handset-change reports
 * (02 70 00 || command packet) - through osv_engine_mo: header checks, matching to the open attempt, verification,
 * PoR status and applet result handling, device results, security events in the audit log. The store (SQLite in
 * memory) holds one card with the seeds' keys and a command waiting for its PoR (counter 1); every input runs in
 * a transaction that is rolled back, so inputs do not see each other. First byte: bit 0 set = arrived by USSD.
 * Invariants: no crash or read past the end, no store error from outside bytes, the rollback leaves the command
 * as it was. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "otasrv/cards_csv.h"
#include "otasrv/engine.h"
#include "otasrv/store.h"

#define NOW 1700000000
#define MSISDN "4917100001"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char card_csv[] = "ICCID,IMSI,MSISDN,KIC1,KID1,ALGO1,CNTR1,SPI,TAR\n"
			       "8949000000000000001,262010000000001," MSISDN ",000102030405060708090A0B0C0D0E0F,"
			       "101112131415161718191A1B1C1D1E1F,aes,0,1639,C10001\n";

static struct osv_keybox kb;
static struct osv_store *store;
static struct osv_engine_cfg cfg;
static int64_t command_id;

static int add_card(void *ctx, int line, struct osv_card_import *ci, struct sg_error *err)
{
	return osv_card_insert(ctx, ci, NOW, err);
}

/* One card, one STATUS command sent with counter 1 and accepted by the SMSC: waiting for its PoR. */
static void setup(void)
{
	static const uint8_t master[32] = { 1, 2, 3 };
	struct osv_csv_defaults d = { .tar = { 0xC1, 0x00, 0x01 }, .spi = { 0x16, 0x39 } };
	struct osv_command c = { .kind = "status", .params = "{}", .state = OSV_CMD_QUEUED,
				 .actor = "operator:fuzz", .actor_kind = OSV_ACTOR_SUPERVISOR, .created = NOW,
				 .deadline = NOW + 900, .next_at = NOW };
	struct osv_outgoing out[2];
	json_t *errors = json_array();
	struct osv_card card;
	struct sg_error err;

	osv_engine_cfg_defaults(&cfg);
	if (osv_keybox_init(&kb, master, &err) < 0 || !(store = osv_store_open("sqlite::memory:", &kb, "fuzz", &err)) ||
	    osv_csv_parse(card_csv, strlen(card_csv), &d, add_card, store, errors) != 1 ||
	    osv_card_get(store, "8949000000000000001", &card, &err) != 1)
		abort();
	json_decref(errors);
	c.card_id = card.id;
	if (osv_cmd_insert(store, &c, &err) < 0 || osv_engine_next(store, &cfg, 2, NOW, out, &err) != 1 ||
	    osv_engine_submitted(store, &cfg, &out[0], true, "1", NULL, NOW, &err) < 0)
		abort();
	command_id = c.id;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct osv_command c;
	struct sg_error err;
	char what[256];
	int rc;

	if (!store)
		setup();
	if (size < 1)
		return 0;
	if (osv_store_begin(store, &err) < 0)
		abort();
	rc = osv_engine_mo(store, &cfg, MSISDN, data + 1, size - 1, data[0] & 1, NOW + 1, what, sizeof(what), &err);
	if (rc < 0)
		abort();
	osv_store_rollback(store);
	if (osv_cmd_get(store, command_id, &c, &err) != 1 || c.state != OSV_CMD_SUBMITTED)
		abort();
	return 0;
}
