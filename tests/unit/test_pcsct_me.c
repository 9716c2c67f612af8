/* Unit tests for the mobile equipment's proactive command execution: the oFono / TS 102 384 byte vectors of
 * ../shared/reference/cat-proactive.md section 11 go in, the TERMINAL RESPONSEs given there must come out byte for
 * byte; then the terminal's own rules (screen busy, unsupported commands, malformed commands, timers). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <talloc.h>

#include "pcsct/me.h"
#include "simguard/hex.h"

struct fixture {
	struct pcsct_me me;
	struct pcsct_answer answer; /* what the "user" answers */
	unsigned int asked;
	uint8_t sms[256];
	size_t sms_len;
	char sc[41];
	unsigned int changes;
};

static uint64_t fake_now;

static uint64_t now_ms(void)
{
	return fake_now;
}

static uint8_t send_sms(void *arg, const uint8_t *tpdu, size_t len, const struct cat_address *sc, uint8_t *addl)
{
	struct fixture *f = arg;

	memcpy(f->sms, tpdu, len);
	f->sms_len = len;
	snprintf(f->sc, sizeof(f->sc), "%s", sc ? sc->digits : "");
	return CAT_RES_OK;
}

static void ask(void *arg, const struct pcsct_ask *q, struct pcsct_answer *a)
{
	struct fixture *f = arg;

	f->asked++;
	*a = f->answer;
}

static void changed(void *arg)
{
	((struct fixture *)arg)->changes++;
}

static const struct pcsct_me_ops ops = {.send_sms = send_sms, .ask = ask, .changed = changed};

static int setup(void **state)
{
	struct fixture *f = test_calloc(1, sizeof(*f));
	struct pcsct_me_cfg cfg;

	pcsct_me_cfg_default(&cfg);
	pcsct_me_init(&f->me, &cfg, &ops, f);
	f->me.now_ms = now_ms;
	f->me.service = PCSCT_SVC_NORMAL;
	f->answer.kind = PCSCT_ANS_NO_RESPONSE;
	fake_now = 1000;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	test_free(*state);
	return 0;
}

/* Execute the command given in hex and compare the TERMINAL RESPONSE with the expected hex. */
static void run(struct fixture *f, const char *cmd_hex, const char *tr_hex)
{
	uint8_t cmd[300], want[300];
	long n = sg_hex_decode(cmd_hex, cmd, sizeof(cmd), "cmd", NULL), m;
	struct cat_decoded *d = NULL;
	struct cat_buf tr;
	struct sg_error err;
	char got[600];

	assert_true(n > 0);
	cat_decode(NULL, cmd, (size_t)n, &d, &err);
	assert_non_null(d);
	if (pcsct_me_execute(&f->me, d, &tr, &err) < 0)
		fail_msg("%s", err.msg);
	talloc_free(d);
	sg_hex_encode(tr.data, tr.len, got, sizeof(got));
	m = sg_hex_decode(tr_hex, want, sizeof(want), "tr", NULL);
	if (m != (long)tr.len || memcmp(want, tr.data, tr.len) != 0)
		fail_msg("TERMINAL RESPONSE %s, expected %s", got, tr_hex);
}

static void display_text_vectors(void **state)
{
	struct fixture *f = *state;

	/* 1.1.1: wait for the user; the user clears it */
	f->answer.kind = PCSCT_ANS_OK;
	run(f, "D0 1A 81 03 01 21 80 82 02 81 02 8D 0F 04 54 6F 6F 6C 6B 69 74 20 54 65 73 74 20 31",
	    "81 03 01 21 80 82 02 82 81 83 01 00");
	assert_int_equal(f->asked, 1);
	assert_false(f->me.screen.has_text);
	/* nobody there: no response from user (12) */
	f->answer.kind = PCSCT_ANS_NO_RESPONSE;
	run(f, "D0 1A 81 03 01 21 80 82 02 81 02 8D 0F 04 54 6F 6F 6C 6B 69 74 20 54 65 73 74 20 31",
	    "81 03 01 21 80 82 02 82 81 83 01 12");
	/* high priority, wait for user, immediate response: stays on screen and answers at once */
	run(f, "D0 18 81 03 01 21 81 82 02 81 02 8D 0B 04 50 68 6F 6E 65 20 6C 6F 63 6B AB 00",
	    "81 03 01 21 81 82 02 82 81 83 01 00");
	assert_true(f->me.screen.has_text);
	assert_string_equal(f->me.screen.text, "Phone lock");
	/* 1.2.1 busy: a normal-priority text cannot replace it */
	run(f, "D0 1A 81 03 01 21 80 82 02 81 02 8D 0F 04 54 6F 6F 6C 6B 69 74 20 54 65 73 74 20 31",
	    "81 03 01 21 80 82 02 82 81 83 02 20 01");
	assert_string_equal(f->me.screen.text, "Phone lock");
}

static void display_text_clears(void **state)
{
	struct fixture *f = *state;

	/* normal priority, clear after a delay: shown, then gone after display_clear_ms */
	run(f, "D0 11 81 03 01 21 00 82 02 81 02 8D 06 04 48 65 6C 6C 6F", "81 03 01 21 00 82 02 82 81 83 01 00");
	assert_true(f->me.screen.has_text);
	assert_int_equal(pcsct_me_next_due_ms(&f->me), 5000);
	fake_now += 4999;
	assert_false(pcsct_me_tick(&f->me));
	fake_now += 1;
	assert_true(pcsct_me_tick(&f->me));
	assert_false(f->me.screen.has_text);
	assert_int_equal(pcsct_me_next_due_ms(&f->me), -1);
}

static void play_tone_vector(void **state)
{
	struct fixture *f = *state;

	run(f, "D0 1B 81 03 01 20 00 82 02 81 03 85 09 44 69 61 6C 20 54 6F 6E 65 8E 01 01 84 02 01 05",
	    "81 03 01 20 00 82 02 82 81 83 01 00");
	assert_true(f->me.screen.tone_playing);
	assert_int_equal(f->me.screen.tone, 0x01);
	assert_int_equal(f->me.screen.tone_ms, 5000);
	assert_string_equal(f->me.screen.tone_alpha, "Dial Tone");
	fake_now += 5000;
	assert_true(pcsct_me_tick(&f->me));
	assert_false(f->me.screen.tone_playing);
	/* tone 0x50 is not defined: the decoder calls that data not understood */
	run(f, "D0 0C 81 03 01 20 00 82 02 81 03 8E 01 50", "81 03 01 20 00 82 02 82 81 83 01 32");
}

static void local_info_vectors(void **state)
{
	struct fixture *f = *state;

	run(f, "D0 09 81 03 01 26 01 82 02 81 82", "81 03 01 26 01 82 02 82 81 83 01 00 94 08 1A 32 54 76 98 10 32 54");
	run(f, "D0 09 81 03 01 26 00 82 02 81 82", "81 03 01 26 00 82 02 82 81 83 01 00 93 07 00 F1 10 00 01 00 01");
	/* camped but not registered: limited service, location still given */
	f->me.service = PCSCT_SVC_LIMITED;
	run(f, "D0 09 81 03 01 26 00 82 02 81 82", "81 03 01 26 00 82 02 82 81 83 01 06 93 07 00 F1 10 00 01 00 01");
	f->me.service = PCSCT_SVC_NO_SERVICE;
	run(f, "D0 09 81 03 01 26 00 82 02 81 82", "81 03 01 26 00 82 02 82 81 83 02 20 04");
	/* language, access technology; NMR is beyond this terminal */
	run(f, "D0 09 81 03 01 26 04 82 02 81 82", "81 03 01 26 04 82 02 82 81 83 01 00 AD 02 65 6E");
	run(f, "D0 09 81 03 01 26 06 82 02 81 82", "81 03 01 26 06 82 02 82 81 83 01 00 BF 01 03");
	run(f, "D0 09 81 03 01 26 02 82 02 81 82", "81 03 01 26 02 82 02 82 81 83 01 30");
	/* IMEISV 1234567890123401: type 3, even -> 13 32 54 76 98 10 32 04 F1 */
	run(f, "D0 09 81 03 01 26 08 82 02 81 82",
	    "81 03 01 26 08 82 02 82 81 83 01 00 E2 09 13 32 54 76 98 10 32 04 F1");
}

static void send_sms_vector(void **state)
{
	struct fixture *f = *state;
	uint8_t want[64];
	long n = sg_hex_decode("01 00 09 91 10 32 54 76 F8 40 F4 0C 54 65 73 74 20 4D 65 73 73 61 67 65", want,
			       sizeof(want), "tpdu", NULL);

	run(f,
	    "D0 37 81 03 01 13 00 82 02 81 83 85 07 53 65 6E 64 20 53 4D 86 09 91 11 22 33 44 55 66 77 F8 "
	    "8B 18 01 00 09 91 10 32 54 76 F8 40 F4 0C 54 65 73 74 20 4D 65 73 73 61 67 65",
	    "81 03 01 13 00 82 02 82 81 83 01 00");
	assert_int_equal(f->sms_len, n);
	assert_memory_equal(f->sms, want, (size_t)n);
	assert_string_equal(f->sc, "112233445566778");
	/* without service the terminal does not try */
	f->sms_len = 0;
	f->me.service = PCSCT_SVC_LIMITED;
	run(f,
	    "D0 37 81 03 01 13 00 82 02 81 83 85 07 53 65 6E 64 20 53 4D 86 09 91 11 22 33 44 55 66 77 F8 "
	    "8B 18 01 00 09 91 10 32 54 76 F8 40 F4 0C 54 65 73 74 20 4D 65 73 73 61 67 65",
	    "81 03 01 13 00 82 02 82 81 83 02 20 04");
	assert_int_equal(f->sms_len, 0);
}

static void event_list_and_timers(void **state)
{
	struct fixture *f = *state;
	uint32_t secs;

	run(f, "D0 0C 81 03 01 05 00 82 02 81 82 99 01 04", "81 03 01 05 00 82 02 82 81 83 01 00");
	assert_true(pcsct_me_event_wanted(&f->me, CAT_EVT_USER_ACTIVITY));
	/* MT call events need calls, which this terminal does not have */
	run(f, "D0 0C 81 03 01 05 00 82 02 81 82 99 01 00", "81 03 01 05 00 82 02 82 81 83 01 30");
	assert_true(pcsct_me_event_wanted(&f->me, CAT_EVT_USER_ACTIVITY));
	/* TIMER MANAGEMENT 1.1.1: start timer 1 for 5 minutes */
	run(f, "D0 11 81 03 01 27 00 82 02 81 82 A4 01 01 A5 03 00 50 00",
	    "81 03 01 27 00 82 02 82 81 83 01 00 A4 01 01");
	fake_now += 60000;
	/* get value: 4 minutes left (00 40 00) */
	run(f, "D0 0C 81 03 01 27 02 82 02 81 82 A4 01 01",
	    "81 03 01 27 02 82 02 82 81 83 01 00 A4 01 01 A5 03 00 40 00");
	/* timer 2 is not running */
	run(f, "D0 0C 81 03 01 27 01 82 02 81 82 A4 01 02", "81 03 01 27 01 82 02 82 81 83 01 24 A4 01 02");
	assert_int_equal(pcsct_me_timer_expired(&f->me, &secs), 0);
	fake_now += 240000;
	assert_int_equal(pcsct_me_timer_expired(&f->me, &secs), 1);
	assert_int_equal(secs, 300);
	assert_false(f->me.timers[0].running);
}

static void poll_refresh_more_time(void **state)
{
	struct fixture *f = *state;

	run(f, "D0 0D 81 03 01 03 00 82 02 81 82 84 02 01 14", "81 03 01 03 00 82 02 82 81 83 01 00 84 02 01 14");
	assert_int_equal(f->me.poll_interval_ms, 20000);
	run(f, "D0 09 81 03 01 04 00 82 02 81 82", "81 03 01 04 00 82 02 82 81 83 01 00");
	assert_int_equal(f->me.poll_interval_ms, 0);
	run(f, "D0 09 81 03 01 02 00 82 02 81 82", "81 03 01 02 00 82 02 82 81 83 01 00");
	assert_int_equal(f->me.more_time, 1);
	run(f, "D0 09 81 03 01 01 03 82 02 81 82", "81 03 01 01 03 82 02 82 81 83 01 00");
	assert_int_equal(f->me.refresh, PCSCT_REFRESH_NAA_INIT);
	/* UICC reset: acknowledged by the reset, no TERMINAL RESPONSE */
	run(f, "D0 09 81 03 01 01 04 82 02 81 82", "");
	assert_int_equal(f->me.refresh, PCSCT_REFRESH_RESET);
}

static void input_commands(void **state)
{
	struct fixture *f = *state;

	/* GET INKEY 1.1.1 ("Enter "+""), digits only: the user types 5 */
	f->answer.kind = PCSCT_ANS_TEXT;
	snprintf(f->answer.text, sizeof(f->answer.text), "+");
	run(f, "D0 15 81 03 01 22 00 82 02 81 82 8D 0A 04 45 6E 74 65 72 20 22 2B 22",
	    "81 03 01 22 00 82 02 82 81 83 01 00 8D 02 04 2B");
	/* a letter where digits are asked: refused, reported as no response */
	snprintf(f->answer.text, sizeof(f->answer.text), "x");
	run(f, "D0 15 81 03 01 22 00 82 02 81 82 8D 0A 04 45 6E 74 65 72 20 22 2B 22",
	    "81 03 01 22 00 82 02 82 81 83 01 12");
	/* yes/no */
	snprintf(f->answer.text, sizeof(f->answer.text), "yes");
	run(f, "D0 0E 81 03 01 22 04 82 02 81 82 8D 03 04 4F 4B", "81 03 01 22 04 82 02 82 81 83 01 00 8D 02 04 01");
	/* GET INPUT 1.1.1 ("Enter 12345", 5..5 digits), answered 12345 */
	snprintf(f->answer.text, sizeof(f->answer.text), "12345");
	run(f, "D0 1B 81 03 01 23 00 82 02 81 82 8D 0C 04 45 6E 74 65 72 20 31 32 33 34 35 91 02 05 05",
	    "81 03 01 23 00 82 02 82 81 83 01 00 8D 06 04 31 32 33 34 35");
	/* too short */
	snprintf(f->answer.text, sizeof(f->answer.text), "123");
	run(f, "D0 1B 81 03 01 23 00 82 02 81 82 8D 0C 04 45 6E 74 65 72 20 31 32 33 34 35 91 02 05 05",
	    "81 03 01 23 00 82 02 82 81 83 01 12");
	/* the user goes back */
	f->answer.kind = PCSCT_ANS_BACK;
	run(f, "D0 1B 81 03 01 23 00 82 02 81 82 8D 0C 04 45 6E 74 65 72 20 31 32 33 34 35 91 02 05 05",
	    "81 03 01 23 00 82 02 82 81 83 01 11");
}

static void menus(void **state)
{
	struct fixture *f = *state;

	/* SET UP MENU 1.1.1 (oFono): "Toolkit Menu", items 1..4 */
	run(f,
	    "D0 3B 81 03 01 25 00 82 02 81 82 85 0C 54 6F 6F 6C 6B 69 74 20 4D 65 6E 75 8F 07 01 49 74 65 6D 20 31 "
	    "8F 07 02 49 74 65 6D 20 32 8F 07 03 49 74 65 6D 20 33 8F 07 04 49 74 65 6D 20 34",
	    "81 03 01 25 00 82 02 82 81 83 01 00");
	assert_true(f->me.screen.has_menu);
	assert_int_equal(f->me.screen.n_menu, 4);
	assert_string_equal(f->me.screen.menu[3].text, "Item 4");
	/* SELECT ITEM: the user picks item 2 by its text */
	f->answer.kind = PCSCT_ANS_TEXT;
	snprintf(f->answer.text, sizeof(f->answer.text), "item 2");
	run(f,
	    "D0 3D 81 03 01 24 00 82 02 81 82 85 0E 54 6F 6F 6C 6B 69 74 20 53 65 6C 65 63 74 8F 07 01 49 74 65 6D "
	    "20 31 8F 07 02 49 74 65 6D 20 32 8F 07 03 49 74 65 6D 20 33 8F 07 04 49 74 65 6D 20 34",
	    "81 03 01 24 00 82 02 82 81 83 01 00 90 01 02");
	/* removing the menu: the null item */
	run(f, "D0 0D 81 03 01 25 00 82 02 81 82 85 00 8F 00", "81 03 01 25 00 82 02 82 81 83 01 00");
	assert_false(f->me.screen.has_menu);
}

static void unsupported_and_malformed(void **state)
{
	struct fixture *f = *state;

	/* SET UP CALL: beyond this terminal's capabilities */
	run(f, "D0 0E 81 03 01 10 00 82 02 81 83 86 03 91 21 43", "81 03 01 10 00 82 02 82 81 83 01 30");
	/* DISPLAY TEXT without its text string: required values missing */
	run(f, "D0 09 81 03 01 21 80 82 02 81 02", "81 03 01 21 80 82 02 82 81 83 01 36");
	/* an object running past the end: command data not understood */
	run(f, "D0 0C 81 03 01 21 80 82 02 81 02 8D 0F 04", "81 03 01 21 80 82 02 82 81 83 01 32");
	/* SEND USSD without a USSD bearer: network currently unable, no specific cause */
	run(f, "D0 11 81 03 01 12 00 82 02 81 83 8A 06 0F AA 18 0C 36 02", "81 03 01 12 00 82 02 82 81 83 02 21 00");
	/* a command type nobody defined */
	run(f, "D0 09 81 03 01 7A 00 82 02 81 82", "81 03 01 7A 00 82 02 82 81 83 01 31");
	assert_int_equal(f->changes, 0);
}

static void idle_mode_text_json(void **state)
{
	struct fixture *f = *state;
	json_t *j;
	char *s;

	run(f, "D0 15 81 03 01 28 00 82 02 81 82 8D 0A 04 49 64 6C 65 20 54 65 78 74",
	    "81 03 01 28 00 82 02 82 81 83 01 00");
	assert_true(f->me.screen.has_idle_text);
	j = pcsct_me_to_json(&f->me);
	s = json_dumps(j, JSON_COMPACT);
	assert_non_null(strstr(s, "\"idle_text\":\"Idle Text\""));
	free(s);
	json_decref(j);
	/* null text string removes it */
	run(f, "D0 0B 81 03 01 28 00 82 02 81 82 8D 00", "81 03 01 28 00 82 02 82 81 83 01 00");
	assert_false(f->me.screen.has_idle_text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(display_text_vectors, setup, teardown),
		cmocka_unit_test_setup_teardown(display_text_clears, setup, teardown),
		cmocka_unit_test_setup_teardown(play_tone_vector, setup, teardown),
		cmocka_unit_test_setup_teardown(local_info_vectors, setup, teardown),
		cmocka_unit_test_setup_teardown(send_sms_vector, setup, teardown),
		cmocka_unit_test_setup_teardown(event_list_and_timers, setup, teardown),
		cmocka_unit_test_setup_teardown(poll_refresh_more_time, setup, teardown),
		cmocka_unit_test_setup_teardown(input_commands, setup, teardown),
		cmocka_unit_test_setup_teardown(menus, setup, teardown),
		cmocka_unit_test_setup_teardown(unsupported_and_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(idle_mode_text_json, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
