/* Unit tests for the gateway's source address restrictions (gw_srcaddr.c): the `allowed-source-address` patterns
 * (exact addresses, prefixes ending in '*'), what the config accepts, and who may send as whom - ESME accounts with
 * and without a list, a lab handset (its own number only), a handset farm's range (its numbers, never an address
 * an ESME account owns) and an upstream SMSC's MO. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <osmocom/core/talloc.h>
#include <osmocom/core/utils.h>

#include <smpp34.h>

#include "smsgw/gw.h"

struct gw *g_gw;
void *gw_ctx;

static void patterns(void **state)
{
	char why[128];

	(void)state;
	assert_int_equal(gw_src_pattern_check("12345", why, sizeof(why)), 0);
	assert_int_equal(gw_src_pattern_check("4917*", why, sizeof(why)), 0);
	assert_int_equal(gw_src_pattern_check("*", why, sizeof(why)), 0);
	assert_int_equal(gw_src_pattern_check("SIMGUARD", why, sizeof(why)), 0);
	assert_int_equal(gw_src_pattern_check("12345678901234567890", why, sizeof(why)), 0);
	assert_int_equal(gw_src_pattern_check("12345678901234567890*", why, sizeof(why)), 0);

	assert_int_equal(gw_src_pattern_check("", why, sizeof(why)), -1);
	assert_string_equal(why, "empty source address pattern");
	assert_int_equal(gw_src_pattern_check("123456789012345678901", why, sizeof(why)), -1);
	assert_string_equal(why, "source address pattern '123456789012345678901': longer than 20 characters");
	assert_int_equal(gw_src_pattern_check("12-3", why, sizeof(why)), -1);
	assert_non_null(strstr(why, "character 3 is not a letter or digit"));
	/* '*' anywhere but at the end is no wildcard, and no address character either */
	assert_int_equal(gw_src_pattern_check("1*2", why, sizeof(why)), -1);
	assert_int_equal(gw_src_pattern_check("**", why, sizeof(why)), -1);
	assert_int_equal(gw_src_pattern_check("12 3", why, sizeof(why)), -1);
}

static void matching(void **state)
{
	(void)state;
	/* exact: neither longer nor shorter numbers */
	assert_true(gw_src_pattern_match("12345", "12345"));
	assert_false(gw_src_pattern_match("12345", "123456"));
	assert_false(gw_src_pattern_match("12345", "1234"));
	assert_false(gw_src_pattern_match("12345", ""));
	/* prefix */
	assert_true(gw_src_pattern_match("4917*", "4917"));
	assert_true(gw_src_pattern_match("4917*", "4917123456"));
	assert_false(gw_src_pattern_match("4917*", "4918123456"));
	assert_false(gw_src_pattern_match("4917*", "491"));
	assert_false(gw_src_pattern_match("4917*", ""));
	assert_true(gw_src_pattern_match("*", ""));
	assert_true(gw_src_pattern_match("*", "SIMGUARD"));
}

static void allow_list(void **state)
{
	struct gw_src_allow a = {0};
	char why[128], pat[16];

	(void)state;
	/* none configured: anything goes (compatible with configs from before the restriction) */
	assert_true(gw_src_allow_match(&a, "4711"));
	assert_true(gw_src_allow_match(&a, ""));

	assert_int_equal(gw_src_allow_add(&a, "12345", why, sizeof(why)), 0);
	assert_int_equal(gw_src_allow_add(&a, "4917*", why, sizeof(why)), 0);
	assert_int_equal(gw_src_allow_add(&a, "12345", why, sizeof(why)), 0);
	assert_int_equal(a.n, 2);
	assert_true(gw_src_allow_match(&a, "12345"));
	assert_true(gw_src_allow_match(&a, "49170001"));
	assert_false(gw_src_allow_match(&a, "1001"));
	assert_false(gw_src_allow_match(&a, ""));
	assert_int_equal(gw_src_allow_add(&a, "1-2", why, sizeof(why)), -1);
	assert_int_equal(a.n, 2);

	/* removal keeps the others in their order */
	assert_int_equal(gw_src_allow_del(&a, "7777", why, sizeof(why)), -1);
	assert_string_equal(why, "'7777' is not an allowed source address here");
	assert_int_equal(gw_src_allow_del(&a, "12345", why, sizeof(why)), 0);
	assert_int_equal(a.n, 1);
	assert_string_equal(a.pat[0], "4917*");
	assert_false(gw_src_allow_match(&a, "12345"));

	/* the list is bounded */
	for (int i = 0; a.n < GW_MAX_SRC_PATTERNS; i++) {
		snprintf(pat, sizeof(pat), "%d", 100 + i);
		assert_int_equal(gw_src_allow_add(&a, pat, why, sizeof(why)), 0);
	}
	assert_int_equal(gw_src_allow_add(&a, "999", why, sizeof(why)), -1);
	assert_string_equal(why, "at most 8 allowed source address patterns");
	assert_int_equal(a.n, GW_MAX_SRC_PATTERNS);
}

static struct gw_esme_cfg *add_esme(struct gw *gw, const char *system_id, const char *owns, const char *allow)
{
	struct gw_esme_cfg *e = talloc_zero(gw, struct gw_esme_cfg);
	char why[128];

	strcpy(e->system_id, system_id);
	if (owns) {
		strcpy(e->addrs[0], owns);
		e->n_addrs = 1;
	}
	if (allow)
		assert_int_equal(gw_src_allow_add(&e->src_allow, allow, why, sizeof(why)), 0);
	llist_add_tail(&e->list, &gw->cfg.esmes);
	return e;
}

static struct gw *make_gw(void)
{
	struct gw *gw = talloc_zero(NULL, struct gw);

	gw_cfg_defaults(&gw->cfg);
	add_esme(gw, "otasrv", "12345", "12345");
	add_esme(gw, "partner", NULL, "4917*");
	add_esme(gw, "legacy", "6666", NULL);
	return gw;
}

/* One session sending with one source address, and what the gateway says (why: NULL = not checked). */
struct case_ {
	const char *system_id;
	bool lab, range;
	const char *src;
	uint32_t status;
	const char *why;
};

static const struct case_ cases[] = {
	/* an account with a list: what is on it, exactly */
	{"otasrv", false, false, "12345", ESME_ROK, NULL},
	{"otasrv", false, false, "1001", ESME_RINVSRCADR, "outside ESME 'otasrv''s allowed-source-address"},
	{"otasrv", false, false, "123456", ESME_RINVSRCADR, NULL},
	{"otasrv", false, false, "", ESME_RINVSRCADR, NULL},
	{"partner", false, false, "491701234", ESME_ROK, NULL},
	{"partner", false, false, "12345", ESME_RINVSRCADR, NULL},
	/* an account without a list is not restricted */
	{"legacy", false, false, "12345", ESME_ROK, NULL},
	{"legacy", false, false, "", ESME_ROK, NULL},
	/* a session whose account is gone has nothing it may use */
	{"gone", false, false, "12345", ESME_RINVSRCADR, "no ESME account 'gone'"},
	/* a handset: its own number, nothing else */
	{"1001", true, false, "1001", ESME_ROK, NULL},
	{"1001", true, false, "1002", ESME_RINVSRCADR, "not the handset's number 1001"},
	{"1001", true, false, "10011", ESME_RINVSRCADR, NULL},
	{"1001", true, false, "100", ESME_RINVSRCADR, NULL},
	{"1001", true, false, "", ESME_RINVSRCADR, NULL},
	{"1001", true, false, "12345", ESME_RINVSRCADR, "belongs to ESME 'otasrv', not to a lab handset"},
	/* a handset farm: the numbers of its range */
	{"19000000", true, true, "1900000002", ESME_ROK, NULL},
	{"19000000", true, true, "1800000002", ESME_RINVSRCADR, "not a number of the range 19000000"},
	{"19000000", true, true, "1900000", ESME_RINVSRCADR, NULL},
	/* a range as wide as the lab route still cannot speak for an ESME's address */
	{"1", true, true, "1777", ESME_ROK, NULL},
	{"1", true, true, "12345", ESME_RINVSRCADR, "belongs to ESME 'otasrv', not to a lab handset"},
	/* a handset bound with an ESME's address as its number does not become that ESME */
	{"12345", true, false, "12345", ESME_RINVSRCADR, NULL},
};

static void sessions(void **state)
{
	struct gw *gw = make_gw();

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct case_ *t = &cases[i];
		struct gw_conn c = {.role = GW_CONN_ESME, .bound = true, .is_lab = t->lab, .lab_range = t->range};
		char why[128] = "";

		uint32_t st;

		strcpy(c.system_id, t->system_id);
		st = gw_src_check_session(gw, &c, t->src, why, sizeof(why));
		if (st != t->status || (t->why && strcmp(why, t->why)))
			print_message("case %zu: %s sending as '%s': 0x%x '%s'\n", i, t->system_id, t->src, st, why);
		assert_int_equal(st, t->status);
		if (t->why)
			assert_string_equal(why, t->why);
	}
	talloc_free(gw);
}

static void upstream_mo(void **state)
{
	struct gw_route r = {.type = GW_ROUTE_UPSTREAM};
	char why[128] = "";

	(void)state;
	strcpy(r.name, "osmo");
	assert_int_equal(gw_src_check_upstream(&r, "12345", why, sizeof(why)), ESME_ROK);
	assert_int_equal(gw_src_allow_add(&r.src_allow, "49*", why, sizeof(why)), 0);
	assert_int_equal(gw_src_check_upstream(&r, "4917123", why, sizeof(why)), ESME_ROK);
	assert_int_equal(gw_src_check_upstream(&r, "12345", why, sizeof(why)), ESME_RINVSRCADR);
	assert_string_equal(why, "outside route 'osmo''s allowed-source-address");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(patterns), cmocka_unit_test(matching),	   cmocka_unit_test(allow_list),
		cmocka_unit_test(sessions), cmocka_unit_test(upstream_mo),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
