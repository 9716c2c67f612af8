/* Power cuts at every write point of card operations, in turn (N = 0, 1, ... until the operation completes):
 * after each cut the card reopened from its image shows the old state or the new one, never a mix; a retry
 * counter or SQN never goes back; and nothing the card answered is lost (a 63Cx means the counter was spent, an
 * authentication result means its SQN is burnt). */
#include <fcntl.h>
#include <osmocom/crypt/auth.h>

#include "test_uicc_util.h"
#include "uicc/fs.h"
#include "uicc/store.h"

#define PIN_OK       \
	"0020000108" \
	"31323334FFFFFFFF"
#define PIN_BAD      \
	"0020000108" \
	"39393939FFFFFFFF"
#define SELECT_USIM "00A4040C07A0000000871002"
#define MAX_POINTS  200

struct pc {
	struct tcard t;
	uint8_t base[65536];
	size_t base_len;
};

static void save_image(struct pc *p)
{
	int fd = open(p->t.image, O_RDONLY);

	assert_true(fd >= 0);
	p->base_len = read(fd, p->base, sizeof(p->base));
	close(fd);
	assert_true(p->base_len > 0 && p->base_len < sizeof(p->base));
}

static void restore_image(struct pc *p)
{
	int fd = open(p->t.image, O_WRONLY | O_TRUNC);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, p->base, p->base_len), (ssize_t)p->base_len);
	close(fd);
}

static int setup(void **state)
{
	struct pc *p = calloc(1, sizeof(*p));

	tcard_init(&p->t);
	tcard_close(&p->t);
	save_image(p);
	*state = p;
	return 0;
}

static int teardown(void **state)
{
	struct pc *p = *state;

	tcard_cleanup(&p->t);
	free(p);
	return 0;
}

/* Open the card from the saved image and arm a cut at write point n (counted from now). */
static struct tcard *start(struct pc *p, long n)
{
	restore_image(p);
	tcard_open(&p->t);
	uicc_store_cut_power_at(uicc_card_store(p->t.card), n);
	return &p->t;
}

static bool cut_happened(struct pc *p)
{
	return uicc_store_failed(uicc_card_store(p->t.card));
}

/* Close the powerless card and bring it back from its image with PIN1 verified. */
static struct tcard *restart(struct pc *p)
{
	tcard_close(&p->t);
	tcard_open(&p->t);
	assert_sw(&p->t, PIN_OK, 0x9000);
	return &p->t;
}

static void update_binary(void **state)
{
	struct pc *p = *state;
	bool done = false;
	long n;

	for (n = 0; !done && n < MAX_POINTS; n++) {
		struct tcard *t = start(p, -1);
		uint16_t sw;
		assert_sw(t, PIN_OK, 0x9000);
		assert_sw(t, "00A4080C047FFF6F7E", 0x9000);
		uicc_store_cut_power_at(uicc_card_store(t->card), n);
		sw = tx(t, "00D600000B"
			   "0102030405060708090A0B");
		done = !cut_happened(p);
		assert_int_equal(sw, done ? 0x9000 : 0x6581);
		/* powerless: every command answers 6F00 */
		if (!done)
			assert_sw(t, "00A4000C023F00", 0x6F00);
		t = restart(p);
		assert_sw(t, "00A4080C047FFF6F7E", 0x9000);
		assert_sw(t, "00B000000B", 0x9000);
		if (done || strcmp(rsp_hex(t), "0102030405060708090A0B") == 0)
			assert_string_equal(rsp_hex(t), "0102030405060708090A0B");
		else
			assert_string_equal(rsp_hex(t), "FFFFFFFF00F110FFFEFF01");
		tcard_close(t);
	}
	assert_true(done);
	assert_true(n >= 5);
}

static void update_record(void **state)
{
	struct pc *p = *state;
	const char *rec = "414243FFFFFFFFFFFFFFFFFFFFFFFFFF0381214300FFFFFFFFFFFFFFFFFF";
	char cmd[80];
	bool done = false;
	long n;

	snprintf(cmd, sizeof(cmd), "00DC01041E%s", rec);
	for (n = 0; !done && n < MAX_POINTS; n++) {
		struct tcard *t = start(p, -1);
		assert_sw(t, PIN_OK, 0x9000);
		assert_sw(t, "00A4080C047F106F3A", 0x9000);
		uicc_store_cut_power_at(uicc_card_store(t->card), n);
		tx(t, cmd);
		done = !cut_happened(p);
		t = restart(p);
		assert_sw(t, "00A4080C047F106F3A", 0x9000);
		assert_sw(t, "00B201041E", 0x9000);
		if (done || strcmp(rsp_hex(t), rec) == 0)
			assert_string_equal(rsp_hex(t), rec);
		else
			assert_string_equal(rsp_hex(t), "4F776E6572FFFFFFFFFFFFFFFFFFFFFF07915155100090F9FFFFFFFFFFFF");
		tcard_close(t);
	}
	assert_true(done);
}

/* Retries left as the reopened card reports them. */
static unsigned int pin_tries(struct tcard *t)
{
	uint16_t sw = tx(t, "00200001");

	if (sw == 0x9000)
		return 3; /* verified in this session: not counted down */
	assert_int_equal(sw & 0xFFF0, 0x63C0);
	return sw & 0x0F;
}

static void verify_pin(void **state, const char *apdu)
{
	struct pc *p = *state;
	bool done = false;
	long n;

	for (n = 0; !done && n < MAX_POINTS; n++) {
		struct tcard *t = start(p, n);
		uint16_t sw = tx(t, apdu);
		unsigned int left;
		done = !cut_happened(p);
		tcard_close(t);
		tcard_open(t);
		left = pin_tries(t);
		/* never more than before; a wrong PIN the card reported (63C2) is counted for good */
		assert_true(left <= 3);
		if (sw == 0x63C2)
			assert_int_equal(left, 2);
		if (sw == 0x9000)
			assert_int_equal(left, 3);
		if (!done)
			assert_true(sw == 0x6581 || sw == 0x63C2);
		tcard_close(t);
	}
	assert_true(done);
}

static void verify_wrong_pin(void **state)
{
	verify_pin(state, PIN_BAD);
}

static void verify_right_pin(void **state)
{
	verify_pin(state, PIN_OK);
}

static void authenticate(void **state)
{
	struct pc *p = *state;
	struct osmo_sub_auth_data aud = {
		.type = OSMO_AUTH_TYPE_UMTS,
		.algo = OSMO_AUTH_ALG_MILENAGE,
		.u.umts = {.sqn = 64, .ind_bitlen = 5},
	};
	struct osmo_auth_vector vec;
	uint8_t rand[16];
	char cmd[100], r[33], a[33];
	bool done = false;
	long n;

	sg_hex_decode("465B5CE8B199B49FAA5F0A2EE238A6BC", aud.u.umts.k, 16, "k", NULL);
	sg_hex_decode("CD63CB71954A9F4E48A5994E37A02BAF", aud.u.umts.opc, 16, "opc", NULL);
	memset(rand, 0x42, sizeof(rand));
	assert_int_equal(osmo_auth_gen_vec(&vec, &aud, rand), 0);
	snprintf(cmd, sizeof(cmd), "008800812210%s10%s", sg_hex_encode(rand, 16, r, sizeof(r)),
		 sg_hex_encode(vec.autn, 16, a, sizeof(a)));
	for (n = 0; !done && n < MAX_POINTS; n++) {
		struct tcard *t = start(p, -1);
		uint16_t sw;
		assert_sw(t, SELECT_USIM, 0x9000);
		assert_sw(t, PIN_OK, 0x9000);
		uicc_store_cut_power_at(uicc_card_store(t->card), n);
		sw = tx(t, cmd);
		done = !cut_happened(p);
		/* a result left the card only when its SQN was stored */
		assert_int_equal(sw, done ? 0x6135 : 0x6581);
		t = restart(p);
		assert_sw(t, SELECT_USIM, 0x9000);
		sw = tx(t, cmd);
		assert_int_equal(sw >> 8, 0x61);
		if (done)
			assert_int_equal(sw, 0x6110); /* DC 0E AUTS: the replay is refused */
		tcard_close(t);
	}
	assert_true(done);
}

/* A WIPE-like bulk change grouped by the caller into one transaction: both files or neither. */
static void wipe_two_files(void **state)
{
	struct pc *p = *state;
	bool done = false;
	long n;

	for (n = 0; !done && n < MAX_POINTS; n++) {
		struct tcard *t = start(p, n);
		struct uicc_fs *fs = uicc_card_fs(t->card);
		struct uicc_store *st = uicc_card_store(t->card);
		uint8_t adn[30], msisdn[30];
		size_t l1, l2;
		assert_int_equal(uicc_store_begin(st), 0);
		uicc_fs_fill(fs, uicc_fs_by_name(fs, "EF.ADN"), 0xFF);
		uicc_fs_fill(fs, uicc_fs_by_name(fs, "EF.MSISDN"), 0xFF);
		done = uicc_store_commit(st, NULL) == 0;
		assert_int_equal(done, !cut_happened(p));
		tcard_close(t);
		tcard_open(t);
		fs = uicc_card_fs(t->card);
		assert_int_equal(uicc_fs_read_record(fs, uicc_fs_by_name(fs, "EF.ADN"), 1, adn, &l1), 0x9000);
		assert_int_equal(uicc_fs_read_record(fs, uicc_fs_by_name(fs, "EF.MSISDN"), 1, msisdn, &l2), 0x9000);
		/* wiped ADN record 1 is all FF; MSISDN record 1 carries the profile's number until wiped */
		bool adn_wiped = adn[0] == 0xFF && adn[16] == 0xFF;
		bool msisdn_wiped = msisdn[16] == 0xFF;
		assert_int_equal(adn_wiped, msisdn_wiped);
		if (done)
			assert_true(adn_wiped);
		tcard_close(t);
	}
	assert_true(done);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(update_binary, setup, teardown),
		cmocka_unit_test_setup_teardown(update_record, setup, teardown),
		cmocka_unit_test_setup_teardown(verify_wrong_pin, setup, teardown),
		cmocka_unit_test_setup_teardown(verify_right_pin, setup, teardown),
		cmocka_unit_test_setup_teardown(authenticate, setup, teardown),
		cmocka_unit_test_setup_teardown(wipe_two_files, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
