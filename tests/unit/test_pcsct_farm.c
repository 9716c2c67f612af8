/* Unit tests for handset-farm's handsets (pcsct/handset_farm.h): the card profile is parsed once, at farm_init,
 * and every card is made from that parse with its own identities - the file is not read again (it is overwritten
 * with garbage after farm_init below, and cards are still made, power up and answer with their own ICCID and
 * IMSI); the first ICCID / IMSI default to the profile's; the cards CSV comes from the same parse. */
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

#include "pcsct/handset_farm.h"

#define DEMO_PROFILE "uicc-applet/profiles/demo.json"

struct fixture {
	void *ctx;
	char dir[64];
	char profile[128];
	struct farm f;
	struct farm_cfg cfg;
};

static void copy_file(const char *from, const char *to)
{
	char buf[4096];
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	size_t n;

	assert_non_null(in);
	assert_non_null(out);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	assert_int_equal(fclose(out), 0);
}

static void spoil(const char *path)
{
	FILE *out = fopen(path, "wb");

	assert_non_null(out);
	fputs("{ not a profile", out);
	assert_int_equal(fclose(out), 0);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	fx->ctx = talloc_named_const(NULL, 0, "test_pcsct_farm");
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/test_pcsct_farm.XXXXXX");
	if (!mkdtemp(fx->dir))
		return -1;
	snprintf(fx->profile, sizeof(fx->profile), "%s/card.json", fx->dir);
	copy_file(DEMO_PROFILE, fx->profile);
	snprintf(fx->cfg.profile, sizeof(fx->cfg.profile), "%s", fx->profile);
	snprintf(fx->cfg.msisdn_first, sizeof(fx->cfg.msisdn_first), "1900000000");
	snprintf(fx->cfg.pin, sizeof(fx->cfg.pin), "1234");
	fx->cfg.count = 3;
	pcsct_me_cfg_default(&fx->cfg.me);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	farm_free(&fx->f);
	talloc_free(fx->ctx);
	unlink(fx->profile);
	rmdir(fx->dir);
	free(fx);
	return 0;
}

/* Cards made after the file is gone bad: from the parse farm_init made, each with its own identities. */
static void test_profile_parsed_once(void **state)
{
	static const char *const iccids[] = {"8988211000000000003", "8988211000000000011", "8988211000000000029"};
	struct fixture *fx = *state;
	struct farm_handset *h;
	struct sg_error err;
	unsigned long i;

	assert_int_equal(farm_init(&fx->f, fx->ctx, &fx->cfg, &err), 0);
	/* the first ICCID and IMSI were not given: the profile's */
	assert_string_equal(fx->f.cfg.iccid_first, "8988211000000000003");
	assert_string_equal(fx->f.cfg.imsi_first, "001010000000001");
	spoil(fx->profile);
	for (i = 0; i < fx->cfg.count; i++) {
		h = farm_handset(&fx->f, i, &err);
		assert_non_null(h);
		/* power-up read the card's ICCID and IMSI and found them to be this handset's */
		assert_false(h->failed);
		assert_string_equal(h->id.iccid, iccids[i]);
	}
	assert_string_equal(h->id.imsi, "001010000000003");
	assert_int_equal(fx->f.st.cards, 3);
}

/* The card import CSV from the same parse: the profile's keysets for every card. */
static void test_csv_from_the_parse(void **state)
{
	struct fixture *fx = *state;
	struct sg_error err;
	char *text = NULL;
	size_t len = 0;
	FILE *out;

	assert_int_equal(farm_init(&fx->f, fx->ctx, &fx->cfg, &err), 0);
	spoil(fx->profile);
	out = open_memstream(&text, &len);
	assert_non_null(out);
	assert_int_equal(farm_cards_csv(&fx->f, out, "1619", 0, &err), 0);
	fclose(out);
	assert_non_null(strstr(text, "ICCID,IMSI,MSISDN,KIC"));
	assert_non_null(strstr(text, "\n8988211000000000029,001010000000003,1900000002,"));
	free(text);
}

/* A profile that does not parse is refused by farm_init, naming the file; so is an ICCID range that overflows. */
static void test_bad_profile(void **state)
{
	struct fixture *fx = *state;
	struct sg_error err;

	spoil(fx->profile);
	assert_int_equal(farm_init(&fx->f, fx->ctx, &fx->cfg, &err), -1);
	assert_non_null(strstr(err.msg, fx->profile));
	copy_file(DEMO_PROFILE, fx->profile);
	snprintf(fx->cfg.iccid_first, sizeof(fx->cfg.iccid_first), "9999999999999999999");
	assert_int_equal(farm_init(&fx->f, fx->ctx, &fx->cfg, &err), -1);
	assert_non_null(strstr(err.msg, "ICCID"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_profile_parsed_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_csv_from_the_parse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_profile, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
