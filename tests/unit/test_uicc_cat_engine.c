/* The card's CAT engine: what the TERMINAL PROFILE allows, one pending proactive command with a queue behind it
 * (priorities, the announced command keeping its place), FETCH, TERMINAL RESPONSEs matched to the command they
 * answer, command numbers per proactive session, 91xx through the card core, and a reset dropping everything. */
#include "test_uicc_ota_harness.h"

#include "uicc/cat_engine.h"

struct answers {
	unsigned int n, dropped;
	uint8_t general[8], type[8], addl_len[8];
};

static void on_answer(struct uicc_card *card, void *arg, const struct cat_answer *ans)
{
	struct answers *a = arg;

	if (ans->dropped) {
		a->dropped++;
		return;
	}
	a->general[a->n] = ans->general;
	a->type[a->n] = ans->type;
	a->addl_len[a->n] = (uint8_t)ans->addl_len;
	a->n++;
}

static void display(struct cat_buf *b, const char *text)
{
	struct cat_display_text dt = { .text = text, .coding = CAT_TEXT_GSM8 };

	assert_int_equal(cat_build_display_text(b, 1, &dt, NULL), 0);
}

static uint16_t fetch(struct cat_engine *e, uint8_t *out, size_t *len)
{
	return cat_engine_fetch(e, out, len);
}

/* TR answering a fetched command (details copied) with a result. */
static uint16_t answer(struct cat_engine *e, const uint8_t *cmd, const char *result_hex)
{
	uint8_t tr[64] = { 0x81, 0x03 };
	size_t n = 5;

	memcpy(tr + 2, cmd + h_details(cmd), 3);
	memcpy(tr + n, "\x82\x02\x82\x81", 4);
	n += 4;
	n += h_hex(result_hex, tr + n, sizeof(tr) - n);
	return cat_engine_terminal_response(e, tr, n);
}

static void test_profile_decides(void **state)
{
	struct cat_engine *e = cat_engine_alloc(NULL, NULL);
	uint8_t p[16];
	struct cat_buf b;

	display(&b, "x");
	assert_int_equal(cat_engine_queue(e, &b, CAT_PRIO_NORMAL, NULL, NULL), -1); /* no TERMINAL PROFILE yet */
	cat_engine_set_profile(e, p, h_hex("0100000000000000", p, sizeof(p)));
	assert_false(cat_engine_supports(e, CAT_CMD_DISPLAY_TEXT, 0));
	cat_engine_set_profile(e, p, h_hex(H_PROFILE, p, sizeof(p)));
	assert_true(cat_engine_supports(e, CAT_CMD_DISPLAY_TEXT, 0x81));
	assert_true(cat_engine_supports(e, CAT_CMD_SEND_SHORT_MESSAGE, 0));
	assert_true(cat_engine_supports(e, CAT_CMD_PROVIDE_LOCAL_INFO, CAT_PLI_IMEI));
	assert_false(cat_engine_supports(e, CAT_CMD_PROVIDE_LOCAL_INFO, CAT_PLI_NMR));
	assert_true(cat_engine_supports(e, CAT_CMD_PROVIDE_LOCAL_INFO, CAT_PLI_DATETIME));
	assert_true(cat_engine_supports(e, CAT_CMD_SET_UP_IDLE_MODE_TEXT, 0));
	assert_false(cat_engine_supports(e, CAT_CMD_SEND_SS, 0));
	assert_false(cat_engine_supports(e, CAT_CMD_RUN_AT_COMMAND, 0));
	assert_true(cat_engine_supports_event(e, CAT_EVT_LOCATION_STATUS));
	assert_true(cat_engine_supports_event(e, CAT_EVT_USER_ACTIVITY));
	assert_false(cat_engine_supports_event(e, CAT_EVT_MT_CALL));
	assert_false(cat_engine_supports_event(e, CAT_EVT_LANGUAGE_SELECTION));
	assert_int_equal(cat_engine_queue(e, &b, CAT_PRIO_NORMAL, NULL, NULL), 0);
	/* not a proactive command */
	b.data[0] = 0xD1;
	assert_int_equal(cat_engine_queue(e, &b, CAT_PRIO_NORMAL, NULL, NULL), -1);
	cat_engine_reset(e);
	assert_false(cat_engine_has_profile(e));
	assert_int_equal(cat_engine_queued(e), 0);
	talloc_free(e);
}

static void test_queue_order_and_numbers(void **state)
{
	struct cat_engine *e = cat_engine_alloc(NULL, NULL);
	struct answers a = { 0 };
	struct cat_buf n1, n2, hi, first;
	uint8_t p[16], out[300];
	size_t len;

	cat_engine_set_profile(e, p, h_hex(H_PROFILE, p, sizeof(p)));
	display(&n1, "normal 1");
	display(&n2, "normal 2");
	display(&hi, "high");
	display(&first, "first");
	assert_int_equal(cat_engine_queue(e, &n1, CAT_PRIO_NORMAL, on_answer, &a), 0);
	assert_int_equal(cat_engine_pending_len(e), n1.len); /* the terminal is told: n1 keeps its place */
	assert_int_equal(cat_engine_queue(e, &n2, CAT_PRIO_NORMAL, on_answer, &a), 0);
	assert_int_equal(cat_engine_queue(e, &hi, CAT_PRIO_HIGH, on_answer, &a), 0);
	assert_int_equal(cat_engine_queue(e, &first, CAT_PRIO_FIRST, on_answer, &a), 0);
	assert_int_equal(cat_engine_room(e), CAT_ENGINE_QUEUE_MAX - 4);

	const char *order[] = { "normal 1", "first", "high", "normal 2" };
	for (int i = 0; i < 4; i++) {
		assert_int_equal(fetch(e, out, &len), 0x9000);
		assert_int_equal(out[4], i + 1); /* numbers 1, 2, 3, 4 */
		assert_non_null(memmem(out, len, order[i], strlen(order[i])));
		assert_int_equal(cat_engine_pending_len(e), 0); /* outstanding until answered */
		assert_int_equal(fetch(e, out + 100, &len), 0x6F00);
		assert_int_equal(answer(e, out, i == 1 ? "83022001" : "830100"), 0x9000);
	}
	assert_int_equal(a.n, 4);
	assert_int_equal(a.general[1], 0x20);
	assert_int_equal(a.addl_len[1], 1);
	/* the session ended: numbering starts again */
	assert_int_equal(cat_engine_queue(e, &n1, CAT_PRIO_NORMAL, on_answer, &a), 0);
	assert_int_equal(fetch(e, out, &len), 0x9000);
	assert_int_equal(out[4], 1);
	talloc_free(e);
}

static void test_terminal_response_matching(void **state)
{
	struct cat_engine *e = cat_engine_alloc(NULL, NULL);
	struct answers a = { 0 };
	uint8_t p[16], out[300], tr[32];
	struct cat_buf b;
	size_t len, n;

	cat_engine_set_profile(e, p, h_hex(H_PROFILE, p, sizeof(p)));
	assert_int_equal(cat_engine_terminal_response(e, (const uint8_t *)"\x81\x03\x01\x21\x80\x83\x01\x00", 8),
			 0x6985); /* nothing outstanding */
	display(&b, "x");
	cat_engine_queue(e, &b, CAT_PRIO_NORMAL, on_answer, &a);
	assert_int_equal(cat_engine_terminal_response(e, (const uint8_t *)"\x81\x03\x01\x21\x00\x83\x01\x00", 8),
			 0x6985); /* not fetched yet */
	fetch(e, out, &len);
	/* other number, other type, other qualifier, no result, wrong devices, malformed */
	const char *bad[] = { "810302210082028281830100", "810301200082028281830100", "810301218082028281830100",
			      "8103012100820282 81",	"810301210082028182830100", "81030121008202" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = h_hex(bad[i], tr, sizeof(tr));
		assert_int_equal(cat_engine_terminal_response(e, tr, n), 0x6A80);
	}
	assert_int_equal(a.n, 0);
	n = h_hex("8103012100820282818301 00", tr, sizeof(tr));
	assert_int_equal(cat_engine_terminal_response(e, tr, n), 0x9000);
	assert_int_equal(a.n, 1);
	assert_int_equal(a.type[0], CAT_CMD_DISPLAY_TEXT);
	talloc_free(e);
}

static void test_full_and_reset(void **state)
{
	struct cat_engine *e = cat_engine_alloc(NULL, NULL);
	struct answers a = { 0 };
	uint8_t p[16], out[300];
	struct cat_buf b;
	size_t len;

	cat_engine_set_profile(e, p, h_hex(H_PROFILE, p, sizeof(p)));
	display(&b, "x");
	for (int i = 0; i < CAT_ENGINE_QUEUE_MAX; i++)
		assert_int_equal(cat_engine_queue(e, &b, CAT_PRIO_NORMAL, on_answer, &a), 0);
	assert_int_equal(cat_engine_queue(e, &b, CAT_PRIO_FIRST, on_answer, &a), -1);
	assert_int_equal(cat_engine_room(e), 0);
	fetch(e, out, &len);
	cat_engine_reset(e);
	assert_int_equal(a.dropped, CAT_ENGINE_QUEUE_MAX);
	assert_int_equal(cat_engine_pending_len(e), 0);
	talloc_free(e);
}

/* Through the card's APDUs: 91xx after TERMINAL PROFILE, FETCH with a wrong Le keeps the command, TERMINAL
 * RESPONSE without a command. */
static void test_through_card(void **state)
{
	struct tcard t = { 0 };
	uint16_t sw;

	h_card(&t, NULL);
	assert_int_equal(tx(&t, "8012000000"), 0x6F00);
	assert_int_equal(tx(&t, "801400000C810301210082028281830100"), 0x6985);
	sw = tx(&t, "80100000083B03FF6B71000017");
	assert_int_equal(sw, 0x910B); /* PROVIDE LOCAL INFORMATION (IMEI) */
	assert_int_equal(tx(&t, "8012000005"), 0x6C0B);
	assert_int_equal(tx(&t, "801200000B"), 0x9000);
	h_assert_hex(t.rsp, 11, "D009810301260182028182");
	assert_int_equal(tx(&t, "801400000C810301260182028281830100"), 0x9000);
	/* unknown envelope template; toolkit envelopes without an application here */
	assert_int_equal(tx(&t, "80C2000003EE0100"), 0x6A80);
	assert_int_equal(tx(&t, "80C2000009D30782020181900102"), 0x9000);
	assert_int_equal(tx(&t, "80C2000003D70582"), 0x6A80); /* template runs past the data */
	tcard_cleanup(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_profile_decides),	 cmocka_unit_test(test_queue_order_and_numbers),
		cmocka_unit_test(test_terminal_response_matching), cmocka_unit_test(test_full_and_reset),
		cmocka_unit_test(test_through_card),
	};
	uicc_log_init(NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
