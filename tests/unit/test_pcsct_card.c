/* Unit tests for pcsc-tools card access: the scriptor-format parser, the replayed card, and pcsct_transmit's
 * status-word handling (GET RESPONSE on 61xx / 9Fxx, re-send on 6Cxx, mute cards) as ISO 7816-4 / TS 102 221
 * describe it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <talloc.h>

#include "pcsct/card_access.h"
#include "pcsct/download.h"
#include "pcsct/session.h"
#include "pcsct/trace.h"
#include "pcsct/replay.h"
#include "pcsct/script.h"

static struct pcsct_card *replay_card(void *ctx, const char *text)
{
	char path[] = "/tmp/test_pcsct_card.XXXXXX";
	int fd = mkstemp(path);
	struct pcsct_card *c = NULL;
	struct sg_error err;
	char spec[64];

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	snprintf(spec, sizeof(spec), "%s", path);
	if (pcsct_replay_open(ctx, spec, &c, &err) < 0)
		fail_msg("%s", err.msg);
	unlink(path);
	return c;
}

static void script_formats(void **state)
{
	const char *text = "# select MF\n"
			   "00 A4 00 04 02 3F 00\n"
			   "\n"
			   "reset\n"
			   "00a4000402\\\n"
			   "  2F 00\r\n"
			   "# exit code in a comment does not end it\n"
			   "80F2000000\n"
			   "exit\n"
			   "00 B0 00 00 00\n";
	struct pcsct_script s;
	struct sg_error err;
	void *ctx = talloc_new(NULL);

	assert_int_equal(pcsct_script_parse(ctx, text, strlen(text), &s, &err), 0);
	assert_int_equal(s.n, 4);
	assert_int_equal(s.steps[0].kind, PCSCT_STEP_APDU);
	assert_int_equal(s.steps[0].len, 7);
	assert_memory_equal(s.steps[0].apdu, "\x00\xA4\x00\x04\x02\x3F\x00", 7);
	assert_int_equal(s.steps[1].kind, PCSCT_STEP_RESET);
	assert_int_equal(s.steps[1].line, 4);
	assert_int_equal(s.steps[2].len, 7);
	assert_memory_equal(s.steps[2].apdu, "\x00\xA4\x00\x04\x02\x2F\x00", 7);
	assert_int_equal(s.steps[2].line, 5);
	assert_int_equal(s.steps[3].len, 5);
	talloc_free(ctx);
}

static void script_errors(void **state)
{
	struct pcsct_script s;
	struct sg_error err;
	void *ctx = talloc_new(NULL);

	assert_int_equal(pcsct_script_parse(ctx, "00A4\nhello\n", 11, &s, &err), -1);
	assert_string_equal(err.msg, "line 1: command of 2 bytes, an APDU needs at least CLA INS P1 P2");
	assert_int_equal(pcsct_script_parse(ctx, "00A40\n", 6, &s, &err), -1);
	assert_string_equal(err.msg, "line 1: odd number of hex digits");
	assert_int_equal(pcsct_script_parse(ctx, "00A4 0000 zz\n", 13, &s, &err), -1);
	assert_string_equal(err.msg, "line 1: 'z' is not a hex digit (expected an APDU, reset or exit)");
	assert_int_equal(pcsct_script_parse(ctx, "00A40000 \\\n", 11, &s, &err), -1);
	assert_string_equal(err.msg, "line 1: command continued with '\\' but the file ends");
	assert_int_equal(s.n, 0);
	talloc_free(ctx);
}

static void replay_errors(void **state)
{
	struct pcsct_replay r;
	struct sg_error err;
	void *ctx = talloc_new(NULL);
	const char *t1 = "< 90 00\n", *t2 = "> 00 A4\n> 00 B0\n", *t3 = "> 00 * 12\n< 9000\n", *t4 = "> 00A4\n< 90\n";

	assert_int_equal(pcsct_replay_parse(ctx, t1, strlen(t1), &r, &err), -1);
	assert_string_equal(err.msg, "line 1: an answer without a command before it");
	assert_int_equal(pcsct_replay_parse(ctx, t2, strlen(t2), &r, &err), -1);
	assert_string_equal(err.msg, "line 2: two commands without an answer between them");
	assert_int_equal(pcsct_replay_parse(ctx, t3, strlen(t3), &r, &err), -1);
	assert_string_equal(err.msg, "line 1: '*' must be the last item of a command");
	assert_int_equal(pcsct_replay_parse(ctx, t4, strlen(t4), &r, &err), -1);
	assert_string_equal(err.msg, "line 2: an answer needs at least SW1 SW2 (or 'mute')");
	talloc_free(ctx);
}

/* 61xx: the data comes with GET RESPONSE (CLA 00 for a UICC), chained while the card offers more; the final
 * status word is the last one (here 91 10: a proactive command is pending). */
static void get_response_chain(void **state)
{
	void *ctx = talloc_new(NULL);
	struct pcsct_card *c = replay_card(ctx, "atr 3B 02 14 50\n"
						"> 80 C2 00 00 03 D1 01 00\n< 61 02\n"
						"> 00 C0 00 00 02\n< AA BB 61 01\n"
						"> 00 C0 00 00 01\n< CC 91 10\n");
	struct pcsct_rsp rsp;
	struct sg_error err;

	assert_int_equal(c->atr_len, 4);
	assert_int_equal(pcsct_transmit(c, (const uint8_t *)"\x80\xC2\x00\x00\x03\xD1\x01\x00", 8, &rsp, &err), 0);
	assert_int_equal(rsp.sw, 0x9110);
	assert_int_equal(rsp.len, 3);
	assert_memory_equal(rsp.data, "\xAA\xBB\xCC", 3);
	pcsct_card_close(c);
	talloc_free(ctx);
}

/* 6Cxx: the same command again with Le = xx; 9Fxx (2G SIM): GET RESPONSE with CLA A0. */
static void wrong_le_and_sim2g(void **state)
{
	void *ctx = talloc_new(NULL);
	struct pcsct_card *c = replay_card(ctx, "> 00 B0 00 00 00\n< 6C 04\n"
						"> 00 B0 00 00 04\n< 01 02 03 04 90 00\n"
						"> A0 A4 00 00 02 3F 00\n< 9F 16\n"
						"> A0 C0 00 00 16\n"
						"< 00000000000000000000000000000000000000000000 90 00\n");
	struct pcsct_rsp rsp;
	struct sg_error err;

	assert_int_equal(pcsct_transmit(c, (const uint8_t *)"\x00\xB0\x00\x00\x00", 5, &rsp, &err), 0);
	assert_int_equal(rsp.sw, 0x9000);
	assert_int_equal(rsp.len, 4);
	assert_int_equal(pcsct_transmit(c, (const uint8_t *)"\xA0\xA4\x00\x00\x02\x3F\x00", 7, &rsp, &err), 0);
	assert_int_equal(rsp.sw, 0x9000);
	assert_int_equal(rsp.len, 22);
	pcsct_card_close(c);
	talloc_free(ctx);
}

/* A card that stops answering, answers one byte, or keeps offering data forever gives an error, not a hang. */
static void bad_cards(void **state)
{
	void *ctx = talloc_new(NULL);
	char text[4096] = "> 00 F2 00 00 00\n< mute\n> 00 F2 00 00 00\n< 90\n";
	struct pcsct_card *c;
	struct pcsct_rsp rsp;
	struct sg_error err;
	int i;

	assert_int_equal(pcsct_replay_parse(ctx, text, strlen(text), &(struct pcsct_replay){0}, &err), -1);
	snprintf(text, sizeof(text), "> 00 F2 00 00 00\n< mute\n> 00 F2 00 00 00\n< 61 01\n");
	for (i = 0; i < 45; i++)
		strcat(text, "> 00 C0 00 00 01\n< 00 61 01\n");
	c = replay_card(ctx, text);
	assert_int_equal(pcsct_transmit(c, (const uint8_t *)"\x00\xF2\x00\x00\x00", 5, &rsp, &err), -1);
	assert_non_null(strstr(err.msg, "does not answer"));
	assert_int_equal(pcsct_transmit(c, (const uint8_t *)"\x00\xF2\x00\x00\x00", 5, &rsp, &err), -1);
	assert_string_equal(err.msg, "card kept answering 61xx/9Fxx/6Cxx after 40 exchanges");
	/* a command the replay does not expect: no answer */
	assert_int_equal(pcsct_transmit(c, (const uint8_t *)"\x00\xA4\x00\x00", 4, &rsp, &err), -1);
	assert_int_equal(pcsct_transmit(c, (const uint8_t *)"\x00\xA4", 2, &rsp, &err), -1);
	assert_string_equal(err.msg, "command APDU of 2 bytes: needs at least CLA INS P1 P2");
	pcsct_card_close(c);
	talloc_free(ctx);
}

static void open_errors(void **state)
{
	struct pcsct_card *c;
	struct sg_error err;

	assert_int_equal(pcsct_replay_open(NULL, "/nonexistent/x", &c, &err), -1);
	assert_string_equal(err.msg, "replay card '/nonexistent/x': No such file or directory");
}

/* ENVELOPE(SMS-PP DOWNLOAD) outcomes as TS 31.111 sorts them (sms-pp-and-ussd.md section 9). */
static void download_outcomes(void **state)
{
	void *ctx = talloc_new(NULL);
	struct pcsct_card *c = replay_card(ctx, "> 80 C2 00 00 * \n< 61 03\n> 00 C0 00 00 03\n< 02 71 00 91 2A\n"
						"> 80 C2 00 00 *\n< 93 00\n"
						"> 80 C2 00 00 *\n< 62 F3\n> 00 C0 00 00 00\n< 02 71 00 AA 90 00\n"
						"> 80 C2 00 00 *\n< 6F 00\n> 00 C0 00 00 00\n< 6F 00\n");
	const uint8_t tpdu[] = {0x04, 0x04, 0x91, 0x21, 0x43, 0x7F, 0xF6, 0x52,
				0x10, 0x10, 0x21, 0x00, 0x00, 0x00, 0x01, 0x00};
	struct pcsct_dl_result res;
	struct sg_error err;

	assert_int_equal(pcsct_download_sms_pp(c, NULL, tpdu, sizeof(tpdu), &res, &err), 0);
	assert_int_equal(res.outcome, PCSCT_DL_ACK);
	assert_true(res.proactive);
	assert_int_equal(res.proactive_sw, 0x912A);
	assert_int_equal(res.len, 3);
	assert_int_equal(pcsct_download_sms_pp(c, NULL, tpdu, sizeof(tpdu), &res, &err), 0);
	assert_int_equal(res.outcome, PCSCT_DL_BUSY);
	/* a warning with response data behind it */
	assert_int_equal(pcsct_download_sms_pp(c, NULL, tpdu, sizeof(tpdu), &res, &err), 0);
	assert_int_equal(res.outcome, PCSCT_DL_ERROR);
	assert_int_equal(res.len, 4);
	assert_int_equal(pcsct_download_sms_pp(c, NULL, tpdu, sizeof(tpdu), &res, &err), 0);
	assert_int_equal(res.outcome, PCSCT_DL_ERROR);
	assert_int_equal(res.sw, 0x6F00);
	/* and then the card is gone */
	assert_int_equal(pcsct_download_sms_pp(c, NULL, tpdu, sizeof(tpdu), &res, &err), -1);
	pcsct_card_close(c);
	talloc_free(ctx);
}

static uint8_t no_sms(void *arg, const uint8_t *tpdu, size_t len, const struct cat_address *sc, uint8_t *addl)
{
	return CAT_RES_OK;
}

/* A session of three commands; the last TERMINAL RESPONSE ends it with 9000. */
static void session_serves_until_idle(void **state)
{
	void *ctx = talloc_new(NULL);
	struct pcsct_card *c = replay_card(ctx, "> 80 12 00 00 0B\n< D0 09 81 03 01 26 01 82 02 81 82 90 00\n"
						"> 80 14 00 00 16 81 03 01 26 01 82 02 82 81 83 01 00 "
						"94 08 1A 32 54 76 98 10 32 54\n"
						"< 91 0E\n"
						"> 80 12 00 00 0E\n< D0 0C 81 03 02 05 00 82 02 81 82 99 01 03 90 00\n"
						"> 80 14 00 00 0C 81 03 02 05 00 82 02 82 81 83 01 00\n< 91 0B\n"
						"> 80 12 00 00 0B\n< D0 09 81 03 03 02 00 82 02 81 82 90 00\n"
						"> 80 14 00 00 0C 81 03 03 02 00 82 02 82 81 83 01 00\n< 90 00\n");
	static const struct pcsct_me_ops ops = {.send_sms = no_sms};
	struct pcsct_me me;
	struct pcsct_me_cfg cfg;
	struct pcsct_session s = {.card = c, .me = &me};
	struct sg_error err;
	uint16_t last;

	pcsct_me_cfg_default(&cfg);
	pcsct_me_init(&me, &cfg, &ops, NULL);
	if (pcsct_session_serve(&s, 0x910B, 10, &last, &err) != 3)
		fail_msg("%s", err.msg);
	assert_int_equal(last, 0x9000);
	assert_true(pcsct_me_event_wanted(&me, CAT_EVT_LOCATION_STATUS));
	assert_int_equal(me.more_time, 1);
	pcsct_card_close(c);
	talloc_free(ctx);
}

/* FETCH refused, TERMINAL RESPONSE refused, card gone mid-session: errors, and only the last one is "mute". */
static void session_failures(void **state)
{
	void *ctx = talloc_new(NULL);
	struct pcsct_card *c = replay_card(ctx, "> 80 12 00 00 0B\n< 6D 00\n"
						"> 80 12 00 00 0B\n< D0 09 81 03 01 02 00 82 02 81 82 90 00\n"
						"> 80 14 00 00 *\n< 6A 80\n"
						"> 80 12 00 00 0B\n< 90 00\n"
						"> 80 12 00 00 0B\n< mute\n");
	static const struct pcsct_me_ops ops = {.send_sms = no_sms};
	struct pcsct_me me;
	struct pcsct_me_cfg cfg;
	struct pcsct_session s = {.card = c, .me = &me};
	struct sg_error err;
	uint16_t last;

	pcsct_me_cfg_default(&cfg);
	pcsct_me_init(&me, &cfg, &ops, NULL);
	assert_int_equal(pcsct_session_serve(&s, 0x910B, 10, &last, &err), -1);
	assert_string_equal(err.msg,
			    "card announced a proactive command (910B) but answered FETCH with 6D00 instruction "
			    "code not supported or invalid");
	assert_false(s.card_mute);
	assert_int_equal(pcsct_session_serve(&s, 0x910B, 10, &last, &err), -1);
	assert_non_null(strstr(err.msg, "card refused the TERMINAL RESPONSE: 6A80"));
	assert_int_equal(pcsct_session_serve(&s, 0x910B, 10, &last, &err), -1);
	assert_string_equal(err.msg, "card announced a proactive command (910B) but FETCH returned no data");
	assert_int_equal(pcsct_session_serve(&s, 0x910B, 10, &last, &err), -1);
	assert_true(s.card_mute);
	pcsct_card_close(c);
	talloc_free(ctx);
}

/* Traces never show PINs, AUTHENTICATE results or the user data key, also when they come by GET RESPONSE. */
static void trace_redaction(void **state)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	struct pcsct_tracer t = {.out = f};

	pcsct_trace_redacted(&t,
			     (const uint8_t *)"\x00\x20\x00\x01\x08"
					      "1234\xff\xff\xff\xff",
			     13, (const uint8_t *)"\x90\x00", 2);
	pcsct_trace_redacted(&t, (const uint8_t *)"\x00\x88\x00\x81\x22", 5, (const uint8_t *)"\x61\x06", 2);
	pcsct_trace_redacted(&t, (const uint8_t *)"\x00\xC0\x00\x00\x06", 5,
			     (const uint8_t *)"\xDB\x04\xAA\xBB\xCC\xDD\x90\x00", 8);
	pcsct_trace_redacted(&t, (const uint8_t *)"\x80\xC2\x00\x00\x06\xCF\x04\x82\x02\x82\x81", 11,
			     (const uint8_t *)"\x61\x02", 2);
	pcsct_trace_redacted(&t, (const uint8_t *)"\x00\xC0\x00\x00\x02", 5, (const uint8_t *)"\x5A\x5B\x90\x00", 4);
	pcsct_trace_redacted(&t, (const uint8_t *)"\x00\xB0\x00\x00\x02", 5, (const uint8_t *)"\x12\x34\x90\x00", 4);
	fclose(f);
	assert_string_equal(buf, "> 0020000108****************\n< 9000\n"
				 "> 0088008122\n< 6106\n> 00C0000006\n< DB**********9000\n"
				 "> 80C2000006CF0482028281\n< 6102\n> 00C0000002\n< ****9000\n"
				 "> 00B0000002\n< 12349000\n");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(script_formats),
		cmocka_unit_test(script_errors),
		cmocka_unit_test(replay_errors),
		cmocka_unit_test(get_response_chain),
		cmocka_unit_test(wrong_le_and_sim2g),
		cmocka_unit_test(bad_cards),
		cmocka_unit_test(open_errors),
		cmocka_unit_test(download_outcomes),
		cmocka_unit_test(session_serves_until_idle),
		cmocka_unit_test(session_failures),
		cmocka_unit_test(trace_redaction),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
