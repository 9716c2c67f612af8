/* Remote (RFM) sessions, the file-system API the toolkit side uses, and vpcd frame handling of uicc-sim. */
#include "test_uicc_util.h"
#include "uicc/fs.h"
#include "uicc/store.h"
#include "../../uicc-applet/gsmtap_sim.h"
#include "../../uicc-applet/vpcd.h"

static int setup(void **state)
{
	struct tcard *t = calloc(1, sizeof(*t));

	tcard_init(t);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	tcard_cleanup(*state);
	free(*state);
	return 0;
}

static uint16_t stx(struct uicc_session *s, const char *hex, uint8_t *rsp, size_t *rsp_len)
{
	uint8_t cmd[300];
	long n = sg_hex_decode(hex, cmd, sizeof(cmd), "apdu", NULL);

	assert_true(n >= 4);
	*rsp_len = UICC_RSP_MAX;
	return uicc_session_apdu(s, cmd, n, rsp, rsp_len);
}

static void remote_session(void **state)
{
	struct tcard *t = *state;
	struct uicc_session *s = uicc_card_remote_session(t->card);
	uint8_t rsp[UICC_RSP_MAX];
	size_t len;

	/* ADM rights without VERIFY: update EF.IMSI */
	assert_int_equal(stx(s, "00A4080C047FFF6F07", rsp, &len), 0x9000);
	assert_int_equal(stx(s, "00D6000009082926050000000010", rsp, &len), 0x9000);
	assert_int_equal(stx(s, "00B0000009", rsp, &len), 0x9000);
	assert_int_equal(len, 11);
	assert_int_equal(rsp[1], 0x29);
	/* SELECT data comes back directly, no 61xx */
	assert_int_equal(stx(s, "00A40004023F00", rsp, &len), 0x9000);
	assert_int_equal(rsp[0], 0x62);
	/* no CAT, no AUTHENTICATE, no channels */
	assert_int_equal(stx(s, "80C2000003D10100", rsp, &len), 0x6D00);
	assert_int_equal(stx(s, "8012000010", rsp, &len), 0x6D00);
	assert_int_equal(stx(s,
			     "0088008122"
			     "10"
			     "00000000000000000000000000000000"
			     "10"
			     "00000000000000000000000000000000",
			     rsp, &len),
			 0x6D00);
	/* never update: still refused */
	assert_int_equal(stx(s, "00A4080C022FE2", rsp, &len), 0x9000);
	assert_int_equal(stx(s, "00D6000001AA", rsp, &len), 0x6982);
	/* a remote VERIFY leaves the terminal unverified */
	assert_int_equal(stx(s, "002000010831323334FFFFFFFF", rsp, &len), 0x9000);
	assert_sw(t, "00A4080C047FFF6F07", 0x9000);
	assert_sw(t, "00B0000009", 0x6982);
	/* the terminal's selection was not disturbed by the session */
	assert_sw(t, "002000010831323334FFFFFFFF", 0x9000);
	assert_sw(t, "00B0000009", 0x9000);
	assert_int_equal(t->rsp[1], 0x29);
	uicc_session_free(s);
}

static void fs_api(void **state)
{
	struct tcard *t = *state;
	struct uicc_fs *fs = uicc_card_fs(t->card);
	struct uicc_file *adn = uicc_fs_by_name(fs, "EF.ADN"), *f;
	uint8_t buf[64], path[16];
	size_t n;

	assert_non_null(adn);
	assert_ptr_equal(uicc_fs_by_path_str(fs, "3F00/7F10/6F3A"), adn);
	assert_ptr_equal(uicc_fs_by_path_str(fs, "7F106F3A"), adn);
	assert_null(uicc_fs_by_path_str(fs, "7F106F3"));
	assert_null(uicc_fs_by_path_str(fs, "7F10/6F99"));
	assert_ptr_equal(uicc_fs_by_path_str(fs, "3F00/7FFF/6F07"), uicc_fs_by_name(fs, "EF.IMSI"));
	assert_int_equal(uicc_file_kind(adn), UICC_FILE_LINEAR_FIXED);
	assert_int_equal(uicc_file_rec_len(adn), 30);
	assert_int_equal(uicc_file_rec_count(adn), 50);
	assert_int_equal(uicc_file_acc(adn, UICC_OP_UPDATE), UICC_ACC_PIN1);
	assert_int_equal(uicc_file_acc(uicc_fs_by_name(fs, "EF.ICCID"), UICC_OP_UPDATE), UICC_ACC_NEVER);
	assert_string_equal(uicc_file_name(uicc_file_parent(adn)), "DF.TELECOM");
	n = uicc_file_path(uicc_fs_by_name(fs, "EF.IMSI"), path, sizeof(path));
	assert_int_equal(n, 6);
	assert_memory_equal(path, "\x3F\x00\x7F\xFF\x6F\x07", 6);
	assert_ptr_equal(uicc_fs_child_by_sfi(uicc_fs_usim(fs), 7), uicc_fs_by_name(fs, "EF.IMSI"));
	assert_null(uicc_fs_child_by_sfi(uicc_fs_usim(fs), 0));
	for (n = 0; (f = uicc_file_child_at(uicc_fs_mf(fs), n)); n++)
		;
	assert_int_equal(n, 6); /* EF.DIR, EF.ICCID, EF.PL, EF.ARR, ADF.USIM, DF.TELECOM */
	assert_ptr_equal(uicc_fs_by_aid(fs, (const uint8_t *)"\xA0\x00\x00\x00\x87\x10\x02", 7), uicc_fs_usim(fs));
	/* fill and read back, then deactivate */
	assert_int_equal(uicc_fs_fill(fs, adn, 0xFF), 0x9000);
	assert_int_equal(uicc_fs_read_record(fs, adn, 1, buf, &n), 0x9000);
	for (size_t i = 0; i < 30; i++)
		assert_int_equal(buf[i], 0xFF);
	assert_int_equal(uicc_fs_set_active(fs, adn, false), 0x9000);
	assert_false(uicc_file_active(adn));
	assert_int_equal(uicc_fs_read_record(fs, adn, 1, buf, &n), 0x6283);
	assert_sw(t, "002000010831323334FFFFFFFF", 0x9000);
	assert_sw(t, "00A4080C047F106F3A", 0x6283);
	assert_sw(t, "0044000000", 0x6982); /* ACTIVATE needs ADM */
	assert_sw(t, "0020000A083838383838383838", 0x9000);
	assert_sw(t, "00440000", 0x9000);
	assert_true(uicc_file_active(adn));
	/* a cyclic append on a linear file is refused */
	assert_int_equal(uicc_fs_append_cyclic(fs, adn, buf, 30), 0x6981);
	assert_int_equal(uicc_fs_fill(fs, uicc_fs_mf(fs), 0), 0x6981);
}

static void aborted_transaction_leaves_nothing(void **state)
{
	struct tcard *t = *state;
	struct uicc_fs *fs = uicc_card_fs(t->card);
	struct uicc_store *st = uicc_card_store(t->card);
	struct uicc_file *loci = uicc_fs_by_name(fs, "EF.LOCI");
	uint8_t buf[16];
	size_t n;

	assert_int_equal(uicc_store_begin(st), 0);
	assert_int_equal(uicc_fs_update_binary(fs, loci, 0, (const uint8_t *)"\x01\x02", 2), 0x9000);
	assert_int_equal(uicc_fs_read_binary(fs, loci, 0, 2, false, buf, &n), 0x9000);
	assert_memory_equal(buf, "\x01\x02", 2);
	uicc_store_abort(st);
	assert_int_equal(uicc_fs_read_binary(fs, loci, 0, 2, false, buf, &n), 0x9000);
	assert_memory_equal(buf, "\xFF\xFF", 2);
}

struct trace_log {
	int calls, atrs;
	uint8_t last[300];
	size_t last_len;
};

static void trace_cb(void *priv, struct uicc_card *card, const uint8_t *cmd, size_t cmd_len, const uint8_t *rsp,
		     size_t rsp_len, const uint8_t *atr, size_t atr_len)
{
	struct trace_log *l = priv;

	l->calls++;
	if (atr)
		l->atrs++;
	else {
		memcpy(l->last, cmd, cmd_len);
		memcpy(l->last + cmd_len, rsp, rsp_len);
		l->last_len = cmd_len + rsp_len;
	}
}

static void vpcd_frames(void **state)
{
	struct tcard *t = *state;
	struct trace_log log = {0};
	uint8_t out[UICC_RSP_MAX], ctrl;
	size_t n, atr_len;
	const uint8_t *atr = uicc_card_atr(t->card, &atr_len);

	ctrl = VPCD_CTRL_ATR;
	vpcd_handle_frame(t->card, &ctrl, 1, out, &n, trace_cb, &log);
	assert_int_equal(n, atr_len);
	assert_memory_equal(out, atr, n);
	ctrl = VPCD_CTRL_OFF;
	vpcd_handle_frame(t->card, &ctrl, 1, out, &n, trace_cb, &log);
	assert_int_equal(n, 0);
	assert_false(uicc_card_powered(t->card));
	/* an APDU to the unpowered card powers it and is answered */
	vpcd_handle_frame(t->card, (const uint8_t *)"\x00\xA4\x00\x0C\x02\x3F\x00", 7, out, &n, trace_cb, &log);
	assert_int_equal(n, 2);
	assert_memory_equal(out, "\x90\x00", 2);
	assert_int_equal(log.last_len, 9);
	ctrl = VPCD_CTRL_ON;
	vpcd_handle_frame(t->card, &ctrl, 1, out, &n, trace_cb, &log);
	assert_int_equal(n, 0);
	assert_int_equal(log.atrs, 1);
	ctrl = VPCD_CTRL_RESET;
	vpcd_handle_frame(t->card, &ctrl, 1, out, &n, trace_cb, &log);
	assert_int_equal(log.atrs, 2);
	ctrl = 0x07; /* unknown control byte: ignored, no reply */
	vpcd_handle_frame(t->card, &ctrl, 1, out, &n, NULL, NULL);
	assert_int_equal(n, 0);
	/* runt APDUs still get a status word, never an empty reply */
	vpcd_handle_frame(t->card, (const uint8_t *)"\x00\xA4", 2, out, &n, NULL, NULL);
	assert_int_equal(n, 2);
	assert_memory_equal(out, "\x67\x00", 2);
	vpcd_handle_frame(t->card, (const uint8_t *)"", 0, out, &n, NULL, NULL);
	assert_int_equal(n, 0);
}

static void vpcd_addresses(void **state)
{
	char *host;
	uint16_t port;

	assert_int_equal(vpcd_parse_addr(NULL, "127.0.0.1:36000", &host, &port), 0);
	assert_string_equal(host, "127.0.0.1");
	assert_int_equal(port, 36000);
	talloc_free(host);
	assert_int_equal(vpcd_parse_addr(NULL, "localhost", &host, &port), 0);
	assert_int_equal(port, VPCD_DEFAULT_PORT);
	talloc_free(host);
	assert_int_equal(vpcd_parse_addr(NULL, "h:0", &host, &port), -1);
	assert_int_equal(vpcd_parse_addr(NULL, "h:70000", &host, &port), -1);
	assert_int_equal(vpcd_parse_addr(NULL, ":1", &host, &port), -1);
	assert_int_equal(vpcd_parse_addr(NULL, "h:1x", &host, &port), -1);
}

static void gsmtap_tpdu(void **state)
{
	/* case 4 loses its Le, the others stay */
	assert_int_equal(gsmtap_sim_tpdu_len((const uint8_t *)"\x00\xA4\x00\x04\x02\x3F\x00\x00", 8), 7);
	assert_int_equal(gsmtap_sim_tpdu_len((const uint8_t *)"\x00\xA4\x00\x04\x02\x3F\x00", 7), 7);
	assert_int_equal(gsmtap_sim_tpdu_len((const uint8_t *)"\x00\xB0\x00\x00\x09", 5), 5);
	assert_int_equal(gsmtap_sim_tpdu_len((const uint8_t *)"\x00\xB0", 2), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(remote_session, setup, teardown),
		cmocka_unit_test_setup_teardown(fs_api, setup, teardown),
		cmocka_unit_test_setup_teardown(aborted_transaction_leaves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(vpcd_frames, setup, teardown),
		cmocka_unit_test(vpcd_addresses),
		cmocka_unit_test(gsmtap_tpdu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
