/* Unit tests for the gateway's queue logic without sockets: acceptance (routes, lying UDHs, OTA split, duplicates,
 * queue bound, GSM 7-bit text lengths), the on-disk store surviving a reopen, and osmo-msc delivery receipts (their
 * text and TLV exactly as osmocom-smsc.md records them) mapped back to our message id. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <osmocom/core/application.h>
#include <osmocom/core/logging.h>
#include <osmocom/core/talloc.h>
#include <osmocom/core/utils.h>

#include <smpp34.h>

#include "smsgw/gw.h"

struct gw *g_gw;
void *gw_ctx;

static const struct log_info_cat cats[] = {
	[DSMPP] = { .name = "DSMPP", .enabled = 1, .loglevel = LOGL_FATAL },
	[DROUTE] = { .name = "DROUTE", .enabled = 1, .loglevel = LOGL_FATAL },
	[DQUEUE] = { .name = "DQUEUE", .enabled = 1, .loglevel = LOGL_FATAL },
	[DUPSTREAM] = { .name = "DUPSTREAM", .enabled = 1, .loglevel = LOGL_FATAL },
};
static const struct log_info linfo = { .cat = cats, .num_cat = ARRAY_SIZE(cats) };
static const struct rate_ctr_desc ctr_desc[GW_CTR_REASM + 1] = {
	[GW_CTR_SUBMIT_RX] = { "a", "a" }, [GW_CTR_SUBMIT_REJ] = { "b", "b" }, [GW_CTR_DUPLICATE] = { "c", "c" },
	[GW_CTR_DELIVER_TX] = { "d", "d" }, [GW_CTR_UPSTREAM_TX] = { "e", "e" }, [GW_CTR_DELIVERED] = { "f", "f" },
	[GW_CTR_FAILED] = { "g", "g" }, [GW_CTR_RECEIPT_TX] = { "h", "h" }, [GW_CTR_NACK] = { "i", "i" },
	[GW_CTR_BIND_FAIL] = { "j", "j" }, [GW_CTR_THROTTLED] = { "k", "k" }, [GW_CTR_SPLIT] = { "l", "l" },
	[GW_CTR_REASM] = { "m", "m" },
};
static const struct rate_ctr_group_desc ctrg = {
	.group_name_prefix = "test", .group_description = "test", .num_ctr = ARRAY_SIZE(ctr_desc), .ctr_desc = ctr_desc,
};

static char db_path[64];

static struct gw *make_gw(void)
{
	struct gw *gw = talloc_zero(gw_ctx, struct gw);
	struct gw_esme_cfg *e = talloc_zero(gw, struct gw_esme_cfg);
	struct gw_route *up = talloc_zero(gw, struct gw_route), *lab = talloc_zero(gw, struct gw_route);

	gw_cfg_defaults(&gw->cfg);
	gw->cfg.max_pending = 10;
	INIT_LLIST_HEAD(&gw->conns);
	strcpy(e->system_id, "otasrv");
	strcpy(e->addrs[0], "12345");
	e->n_addrs = 1;
	llist_add_tail(&e->list, &gw->cfg.esmes);
	strcpy(lab->name, "lab");
	strcpy(lab->prefix, "1");
	lab->type = GW_ROUTE_LAB;
	llist_add_tail(&lab->list, &gw->cfg.routes);
	strcpy(up->name, "osmo");
	strcpy(up->prefix, "49");
	up->type = GW_ROUTE_UPSTREAM;
	llist_add_tail(&up->list, &gw->cfg.routes);
	gw->ctrs = rate_ctr_group_alloc(gw, &ctrg, 0);
	gw->store = gw_store_open(gw, db_path);
	assert_non_null(gw->store);
	assert_int_equal(gw_queue_load(gw), 0);
	g_gw = gw;
	return gw;
}

static void free_gw(struct gw *gw)
{
	osmo_timer_del(&gw->dispatch_timer);
	osmo_timer_del(&gw->housekeeping);
	gw_store_flush(gw->store);
	rate_ctr_group_free(gw->ctrs);
	talloc_free(gw);
	g_gw = NULL;
}

static void ota_sm(struct smpp_sm *sm, const char *dst, size_t pkt_len)
{
	smpp_sm_init(sm);
	sm->src_ton = sm->src_npi = sm->dst_ton = sm->dst_npi = 1;
	strcpy(sm->src, "12345");
	strcpy(sm->dst, dst);
	sm->esm_class = 0x40;
	sm->pid = 0x7f;
	sm->dcs = 0xf6;
	sm->regdel = 1;
	sm->ud[0] = 2;
	sm->ud[1] = 0x70;
	sm->ud[2] = 0;
	for (size_t i = 0; i < pkt_len; i++)
		sm->ud[3 + i] = (uint8_t)(i * 3);
	sm->ud_len = 3 + pkt_len;
}

static void accept_rules(void **state)
{
	struct gw *gw = make_gw();
	struct smpp_sm sm;
	char id[24], id2[24];

	ota_sm(&sm, "1001", 34);
	assert_int_equal(gw_accept(gw, "otasrv", &sm, id, sizeof(id)), ESME_ROK);
	assert_string_equal(id, "0000000001");
	assert_int_equal(gw->n_pending, 1);
	/* the same again: duplicate, same id, nothing queued */
	assert_int_equal(gw_accept(gw, "otasrv", &sm, id2, sizeof(id2)), ESME_ROK);
	assert_string_equal(id2, id);
	assert_int_equal(gw->n_pending, 1);
	/* no route */
	ota_sm(&sm, "777", 10);
	assert_int_equal(gw_accept(gw, "otasrv", &sm, id, sizeof(id)), ESME_RINVDSTADR);
	/* a UDH that lies about its length */
	ota_sm(&sm, "1001", 10);
	sm.ud[0] = 40;
	assert_int_equal(gw_accept(gw, "otasrv", &sm, id, sizeof(id)), ESME_RINVMSGLEN);
	/* too long and not an OTA packet */
	ota_sm(&sm, "1001", 200);
	sm.esm_class = 0;
	assert_int_equal(gw_accept(gw, "otasrv", &sm, id, sizeof(id)), ESME_RINVMSGLEN);
	/* an OTA packet of 300 bytes: split into 3, one id */
	ota_sm(&sm, "1001", 300);
	assert_int_equal(gw_accept(gw, "otasrv", &sm, id, sizeof(id)), ESME_ROK);
	assert_string_equal(id, "0000000002");
	assert_int_equal(gw->n_pending, 4);
	/* parts arriving already concatenated are never re-split: a 141-byte part is refused */
	ota_sm(&sm, "1001", 10);
	memcpy(sm.ud, "\x05\x00\x03\x01\x02\x01", 6);
	sm.ud_len = 141;
	assert_int_equal(gw_accept(gw, "otasrv", &sm, id, sizeof(id)), ESME_RINVMSGLEN);
	/* an SMSC's MO is never routed back to an SMSC */
	ota_sm(&sm, "4917", 10);
	assert_int_equal(gw_accept(gw, "osmo", &sm, id, sizeof(id)), ESME_RINVDSTADR);
	/* queue bound */
	for (int i = 0; i < 6; i++) {
		ota_sm(&sm, "1001", 20 + (size_t)i);
		assert_int_equal(gw_accept(gw, "otasrv", &sm, id, sizeof(id)), ESME_ROK);
	}
	ota_sm(&sm, "1001", 99);
	assert_int_equal(gw_accept(gw, "otasrv", &sm, id, sizeof(id)), ESME_RMSGQFUL);
	free_gw(gw);

	/* reopened: everything not delivered is back */
	gw = make_gw();
	assert_int_equal(gw->n_pending, 10);
	free_gw(gw);
}

/* GSM 7-bit text (data_coding 0) comes one septet per octet: 160 fit one SMS, or 153 beside a 6-octet
 * concatenation header (48 bits + 1 fill bit = 7 septets); one more is refused. 8-bit data stays at 140 octets. */
static void text_lengths(void **state)
{
	static const uint8_t udh[] = {0x05, 0x00, 0x03, 0x2A, 0x02, 0x01};
	struct gw *gw = make_gw();
	struct smpp_sm sm;
	char id[24];

	smpp_sm_init(&sm);
	sm.src_ton = sm.src_npi = sm.dst_ton = sm.dst_npi = 1;
	strcpy(sm.src, "12345");
	strcpy(sm.dst, "1001");
	sm.regdel = 1;
	memset(sm.ud, 'x', sizeof(sm.ud));
	sm.ud_len = 160;
	assert_int_equal(gw_accept(gw, "otasrv", &sm, id, sizeof(id)), ESME_ROK);
	sm.ud_len = 161;
	assert_int_equal(gw_accept(gw, "otasrv", &sm, id, sizeof(id)), ESME_RINVMSGLEN);
	sm.esm_class = 0x40;
	memcpy(sm.ud, udh, sizeof(udh));
	sm.ud_len = 6 + 153;
	assert_int_equal(gw_accept(gw, "otasrv", &sm, id, sizeof(id)), ESME_ROK);
	sm.ud_len = 6 + 154;
	assert_int_equal(gw_accept(gw, "otasrv", &sm, id, sizeof(id)), ESME_RINVMSGLEN);
	sm.dcs = 0x04;
	sm.ud_len = 141;
	assert_int_equal(gw_accept(gw, "otasrv", &sm, id, sizeof(id)), ESME_RINVMSGLEN);
	sm.dcs = 0x08; /* UCS-2: octets */
	assert_int_equal(gw_accept(gw, "otasrv", &sm, id, sizeof(id)), ESME_RINVMSGLEN);
	assert_int_equal(gw->n_pending, 2);
	free_gw(gw);
}

static void upstream_receipt(void **state)
{
	struct gw *gw = make_gw();
	struct smpp_sm sm, rc;
	struct gw_msg *m, *r;
	char id[24];
	const char *text = "id:00000017 sub:000 dlvrd:000 submit date:YYMMDDhhmm done date:YYMMDDhhmm stat:DELIVRD "
			   "err:000 text:";

	ota_sm(&sm, "491701", 34);
	assert_int_equal(gw_accept(gw, "otasrv", &sm, id, sizeof(id)), ESME_ROK);
	/* pretend osmo-msc accepted it: waiting for the receipt */
	m = llist_first_entry(&gw->pending, struct gw_msg, list);
	llist_del(&m->list);
	gw->n_pending--;
	m->state = GW_MSG_WAIT_RECEIPT;
	llist_add_tail(&m->list, &gw->waiting);
	gw->n_waiting++;
	/* osmo-msc's receipt: source = handset (TON 3), dest = original source, esm 04, TLV 0204 = msg_ref */
	smpp_sm_init(&rc);
	strcpy(rc.service_type, "CMT");
	rc.src_ton = 3;
	rc.src_npi = 1;
	strcpy(rc.src, "491701");
	strcpy(rc.dst, "12345");
	rc.esm_class = 0x04;
	rc.pid = 0x7f;
	rc.dcs = 0x02;
	rc.has_umr = true;
	rc.umr = (uint16_t)(m->id & 0xff);
	memcpy(rc.ud, text, strlen(text));
	rc.ud_len = strlen(text);
	/* a receipt for another reference is not ours */
	rc.umr ^= 0x55;
	gw_receipt_from_upstream(gw, llist_last_entry(&gw->cfg.routes, struct gw_route, list), &rc);
	assert_int_equal(gw->n_waiting, 1);
	rc.umr ^= 0x55;
	gw_receipt_from_upstream(gw, llist_last_entry(&gw->cfg.routes, struct gw_route, list), &rc);
	assert_int_equal(gw->n_waiting, 0);
	assert_int_equal(gw->n_pending, 1);
	r = llist_first_entry(&gw->pending, struct gw_msg, list);
	assert_string_equal(r->to_esme, "otasrv");
	assert_string_equal(r->sm->receipted_id, id);
	assert_int_equal(r->sm->message_state, 2);
	assert_int_equal(r->sm->esm_class, SMPP34_DELIVERY_RECEIPT);
	assert_string_equal(r->sm->dst, "12345");
	assert_non_null(strstr((const char *)r->sm->ud, "stat:DELIVRD"));
	free_gw(gw);
}

static void row_blob(void **state)
{
	struct smpp_sm sm, back;
	uint8_t blob[2048];
	int n;

	ota_sm(&sm, "1001", 300);
	sm.use_payload = true;
	sm.ussd_op = 2;
	sm.has_umr = true;
	sm.umr = 0x1234;
	strcpy(sm.receipted_id, "0000000042");
	n = gw_sm_to_blob(&sm, blob, sizeof(blob));
	assert_true(n > 303);
	assert_int_equal(gw_sm_from_blob(blob, (size_t)n, &back), 0);
	assert_string_equal(back.dst, "1001");
	assert_string_equal(back.receipted_id, "0000000042");
	assert_int_equal(back.ud_len, sm.ud_len);
	assert_memory_equal(back.ud, sm.ud, sm.ud_len);
	assert_true(back.use_payload && back.has_umr);
	assert_int_equal(back.umr, 0x1234);
	assert_int_equal(back.ussd_op, 2);
	assert_int_equal(back.message_state, -1);
	assert_int_equal(back.regdel, 1);
	/* damaged rows are refused: truncated, trailing byte, wrong version, a string longer than its field */
	assert_int_equal(gw_sm_from_blob(blob, (size_t)n - 1, &back), -1);
	assert_int_equal(gw_sm_from_blob(blob, (size_t)n + 1, &back), -1);
	blob[0] = 9;
	assert_int_equal(gw_sm_from_blob(blob, (size_t)n, &back), -1);
	blob[0] = 1;
	blob[1] = 200;
	assert_int_equal(gw_sm_from_blob(blob, (size_t)n, &back), -1);
	/* no room */
	assert_int_equal(gw_sm_to_blob(&sm, blob, 100), -1);
}

static int setup(void **state)
{
	snprintf(db_path, sizeof(db_path), "/tmp/test_smsgw_queue.%d.db", (int)getpid());
	return 0;
}

static int teardown(void **state)
{
	char p[80];

	unlink(db_path);
	snprintf(p, sizeof(p), "%s-wal", db_path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", db_path);
	unlink(p);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(accept_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(text_lengths, setup, teardown),
		cmocka_unit_test_setup_teardown(upstream_receipt, setup, teardown),
		cmocka_unit_test(row_blob),
	};

	gw_ctx = talloc_named_const(NULL, 0, "test");
	osmo_init_logging2(gw_ctx, &linfo);
	log_set_all_filter(osmo_stderr_target, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
