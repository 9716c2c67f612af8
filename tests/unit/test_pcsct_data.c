/* Unit tests for handset-side data handling: the sealed user data file against a file made by Python's
 * cryptography AESGCM (independent implementation), SMS-DELIVER-REPORTs for data download outcomes against the
 * oFono-built bytes of sms-pp-and-ussd.md section 10, and the answers file parser. */
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

#include "pcsct/answers.h"
#include "pcsct/download.h"
#include "pcsct/user_data.h"
#include "simguard/hex.h"
#include "simguard/sms_tpdu.h"

/* Made with: AESGCM(bytes(range(32))).encrypt(nonce 000102..0B, plaintext, aad b"SGUD\x01"), header || nonce || ct */
static const char python_sealed[] =
	"5347554401000102030405060708090a0b3c20b574ab91a378f932b5b1ea925a03e2bbe216ca591e10510480a7314b6ec76c72cb8e8"
	"dfb30b3409d4edab8b61a0bda6c56ba78abfef61df9456d7d90d7d4ab1eae1fbfbd49434129902ec843ee1c8ddb2c191ae43b8b0c3e";

static void write_hex_file(const char *path, const char *hex)
{
	uint8_t buf[512];
	long n = sg_hex_decode(hex, buf, sizeof(buf), "file", NULL);
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
}

static void key_of(uint8_t key[32], uint8_t first)
{
	int i;

	for (i = 0; i < 32; i++)
		key[i] = (uint8_t)(first + i);
}

static void user_data_python_vector(void **state)
{
	char path[] = "/tmp/test_pcsct_ud.XXXXXX";
	uint8_t key[32];
	json_t *d;
	struct sg_error err;
	int fd = mkstemp(path);

	close(fd);
	write_hex_file(path, python_sealed);
	key_of(key, 0);
	assert_int_equal(pcsct_user_data_load(path, key, &d, &err), PCSCT_UD_OK);
	assert_string_equal(
		json_string_value(json_object_get(json_array_get(json_object_get(d, "contacts"), 0), "name")), "Alice");
	assert_string_equal(json_string_value(json_array_get(json_object_get(d, "notes"), 0)), "hello");
	json_decref(d);
	/* another key (what the card hands out after a WIPE) cannot open it */
	key_of(key, 1);
	assert_int_equal(pcsct_user_data_load(path, key, &d, &err), PCSCT_UD_WRONG_KEY);
	assert_null(d);
	/* one flipped ciphertext bit: the tag fails too */
	key_of(key, 0);
	write_hex_file(path, "5347554401000102030405060708090a0b3d20b574ab91a378f932b5b1ea925a03e2bbe216ca591e105104"
			     "80a7314b6ec76c72cb8e8dfb30b3409d4edab8b61a0bda6c56ba78abfef61df9456d7d90d7d4ab1eae1fbfbd"
			     "49434129902ec843ee1c8ddb2c191ae43b8b0c3e");
	assert_int_equal(pcsct_user_data_load(path, key, &d, &err), PCSCT_UD_WRONG_KEY);
	/* not a sealed file at all */
	write_hex_file(path, "7B7D");
	assert_int_equal(pcsct_user_data_load(path, key, &d, &err), PCSCT_UD_ERROR);
	assert_non_null(strstr(err.msg, "not a sealed user data file"));
	unlink(path);
	assert_int_equal(pcsct_user_data_load(path, key, &d, &err), PCSCT_UD_ABSENT);
}

static void user_data_save_reload(void **state)
{
	char path[] = "/tmp/test_pcsct_ud2.XXXXXX";
	uint8_t key[32];
	json_t *d = pcsct_user_data_new(), *back;
	struct sg_error err;
	FILE *f;
	char raw[256];
	size_t n;
	int fd = mkstemp(path);

	close(fd);
	key_of(key, 7);
	json_array_append_new(json_object_get(d, "notes"), json_string("secret note"));
	assert_int_equal(pcsct_user_data_save(path, key, d, &err), 0);
	/* nothing of the plaintext on disk */
	f = fopen(path, "rb");
	n = fread(raw, 1, sizeof(raw), f);
	fclose(f);
	assert_null(memmem(raw, n, "secret", 6));
	assert_int_equal(pcsct_user_data_load(path, key, &back, &err), PCSCT_UD_OK);
	assert_true(json_equal(d, back));
	json_decref(back);
	json_decref(d);
	unlink(path);
}

static void report(const struct pcsct_dl_result *res, const char *want)
{
	uint8_t out[SMS_TPDU_MAX], exp[SMS_TPDU_MAX];
	size_t len;
	bool rp_error;
	struct sg_error err;
	long n = sg_hex_decode(want, exp, sizeof(exp), "want", NULL);

	if (pcsct_download_report(res, 0x7F, 0xF6, out, sizeof(out), &len, &rp_error, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(len, (size_t)n);
	assert_memory_equal(out, exp, len);
	assert_int_equal(rp_error, res->outcome != PCSCT_DL_ACK);
}

static void deliver_reports(void **state)
{
	struct pcsct_dl_result res = {.outcome = PCSCT_DL_ACK, .sw = 0x9000};
	const char *por = "02 71 00 00 1C 12 C1 00 01 C9 B7 FD 1C FB A7 B9 A2 25 7B 09 2B 45 34 34 76 0C B4 D0 35 7E "
			  "28 C2 4D";

	/* Example 1's PoR in an RP-ACK, as oFono encodes it */
	res.len = (size_t)sg_hex_decode(por, res.data, sizeof(res.data), "por", NULL);
	report(&res,
	       "40 07 7F F6 21 02 71 00 00 1C 12 C1 00 01 C9 B7 FD 1C FB A7 B9 A2 25 7B 09 2B 45 34 34 76 0C B4 D0 "
	       "35 7E 28 C2 4D");
	/* the same as RP-ERROR, data download error (62xx with data) */
	res.outcome = PCSCT_DL_ERROR;
	report(&res,
	       "40 D5 07 7F F6 21 02 71 00 00 1C 12 C1 00 01 C9 B7 FD 1C FB A7 B9 A2 25 7B 09 2B 45 34 34 76 0C B4 "
	       "D0 35 7E 28 C2 4D");
	/* 9000 without data: bare RP-ACK; 9300: RP-ERROR toolkit busy */
	res.outcome = PCSCT_DL_ACK;
	res.len = 0;
	report(&res, "00 00");
	res.outcome = PCSCT_DL_BUSY;
	report(&res, "00 D4 00");
}

static void answers_file(void **state)
{
	const char *text = "# answers\ntext 1234\nitem 3\n\nok\nback\nnone\ntext\n";
	struct pcsct_answers as;
	struct pcsct_answer a;
	struct sg_error err;
	void *ctx = talloc_new(NULL);

	assert_int_equal(pcsct_answers_parse(ctx, text, strlen(text), &as, &err), 0);
	assert_int_equal(as.n, 6);
	pcsct_answers_next(&as, &a);
	assert_int_equal(a.kind, PCSCT_ANS_TEXT);
	assert_string_equal(a.text, "1234");
	pcsct_answers_next(&as, &a);
	assert_int_equal(a.kind, PCSCT_ANS_ITEM);
	assert_int_equal(a.item, 3);
	pcsct_answers_next(&as, &a);
	assert_int_equal(a.kind, PCSCT_ANS_OK);
	pcsct_answers_next(&as, &a);
	assert_int_equal(a.kind, PCSCT_ANS_BACK);
	pcsct_answers_next(&as, &a);
	assert_int_equal(a.kind, PCSCT_ANS_NO_RESPONSE);
	pcsct_answers_next(&as, &a);
	assert_int_equal(a.kind, PCSCT_ANS_TEXT);
	assert_string_equal(a.text, "");
	/* ran out: nobody answers */
	pcsct_answers_next(&as, &a);
	assert_int_equal(a.kind, PCSCT_ANS_NO_RESPONSE);
	assert_int_equal(pcsct_answers_parse(ctx, "ok\nitem 0\n", 10, &as, &err), -1);
	assert_string_equal(err.msg, "line 2: item needs an identifier 1..255, not '0'");
	assert_int_equal(pcsct_answers_parse(ctx, "yes\n", 4, &as, &err), -1);
	assert_string_equal(err.msg, "line 1: 'yes' is no answer (text STRING, item N, ok, back, end, help, none)");
	talloc_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(user_data_python_vector),
		cmocka_unit_test(user_data_save_reload),
		cmocka_unit_test(deliver_reports),
		cmocka_unit_test(answers_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
