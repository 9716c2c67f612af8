/* Card profile loading (JSON, format in specs/card-profile.md): identities, ATR, Milenage keys, PINs, then the OTA
 * and files sections (profile_ota.c, profile_files.c) and the applications' settings. Keys are cleansed when the
 * profile is freed. */
#include <string.h>

#include <openssl/crypto.h>
#include <osmocom/core/talloc.h>

#include "uicc/antitheft.h"
#include "uicc/profile.h"
#include "auth_milenage.h"
#include "profile_parse.h"

uint8_t uicc_luhn_digit(const char *digits, size_t n)
{
	unsigned int sum = 0;

	/* from the right, every second digit (starting with the last one here) is doubled */
	for (size_t i = 0; i < n; i++) {
		unsigned int d = (unsigned int)(digits[n - 1 - i] - '0');

		if (i % 2 == 0)
			d = d * 2 > 9 ? d * 2 - 9 : d * 2;
		sum += d;
	}
	return (uint8_t)((10 - sum % 10) % 10);
}

static int luhn_ok(const char *digits)
{
	size_t n = strlen(digits);

	return n > 0 && uicc_luhn_digit(digits, n - 1) == digits[n - 1] - '0';
}

static int parse_identity(struct uicc_profile *p, const json_t *root, struct sg_error *err)
{
	const char *s;
	size_t n;

	if (pp_digits(root, "iccid", "", true, 18, 20, p->iccid, err) < 0 ||
	    pp_digits(root, "imsi", "", true, 6, 15, p->imsi, err) < 0)
		return -1;
	if (!luhn_ok(p->iccid))
		return sg_err(err, "iccid: Luhn check digit %c is wrong", p->iccid[strlen(p->iccid) - 1]);
	if (pp_string(root, "msisdn", "", false, &s, err) < 0)
		return -1;
	if (s) {
		const char *d = s[0] == '+' ? s + 1 : s;
		if (strlen(d) < 1 || strlen(d) > 20 || strspn(d, "0123456789") != strlen(d))
			return sg_err(err, "msisdn: must be 1 to 20 digits, optionally after '+'");
		strcpy(p->msisdn, s[0] == '+' ? s : d);
	}
	if (pp_string(root, "spn", "", false, &s, err) < 0)
		return -1;
	if (s) {
		if (strlen(s) > 16)
			return sg_err(err, "spn: at most 16 characters");
		strcpy(p->spn, s);
	}
	if (pp_hex(root, "atr", "", false, p->atr, sizeof(p->atr), &n, err) < 0)
		return -1;
	if (n && (n < 2 || (p->atr[0] != 0x3B && p->atr[0] != 0x3F)))
		return sg_err(err, "atr: must start with TS 3B or 3F and have at least T0");
	p->atr_len = n;
	return 0;
}

static int parse_milenage(struct uicc_profile *p, const json_t *root, struct sg_error *err)
{
	static const char *const keys[] = {"k", "opc", "op", "sqn_ind_bits", NULL};
	uint8_t op[16];
	size_t n, nopc, nop;
	long long ind;
	json_t *m;

	if (pp_object(root, "milenage", "", true, &m, err) < 0 || pp_only_keys(m, "milenage", keys, err) < 0)
		return -1;
	if (pp_hex(m, "k", "milenage", true, p->k, sizeof(p->k), &n, err) < 0)
		return -1;
	if (n != 16)
		return sg_err(err, "milenage.k: must be 16 bytes");
	if (pp_hex(m, "opc", "milenage", false, p->opc, sizeof(p->opc), &nopc, err) < 0 ||
	    pp_hex(m, "op", "milenage", false, op, sizeof(op), &nop, err) < 0)
		return -1;
	if ((nopc == 0) == (nop == 0))
		return sg_err(err, "milenage: give exactly one of opc and op");
	if ((nopc && nopc != 16) || (nop && nop != 16))
		return sg_err(err, "milenage.%s: must be 16 bytes", nopc ? "opc" : "op");
	if (nop && milenage_opc_gen(p->opc, p->k, op) != 0)
		return sg_err(err, "milenage.op: cannot derive OPc");
	OPENSSL_cleanse(op, sizeof(op));
	if (pp_int(m, "sqn_ind_bits", "milenage", false, 0, 10, 5, &ind, err) < 0)
		return -1;
	p->sqn_ind_bits = ind;
	return 0;
}

static int parse_adm1(struct uicc_profile *p, const json_t *pin, struct sg_error *err)
{
	const char *s;
	size_t n;

	if (pp_string(pin, "adm1", "pin", false, &s, err) < 0)
		return -1;
	if (!s)
		return 0;
	p->has_adm1 = true;
	if (strlen(s) == 8) {
		memcpy(p->adm1, s, 8);
		return 0;
	}
	if (pp_hex(pin, "adm1", "pin", true, p->adm1, sizeof(p->adm1), &n, err) < 0)
		return -1;
	if (n != 8)
		return sg_err(err, "pin.adm1: 8 characters or 16 hex digits");
	return 0;
}

static int parse_pins(struct uicc_profile *p, const json_t *root, struct sg_error *err)
{
	static const char *const keys[] = {"pin1", "puk1", "pin1_enabled", "pin1_tries", "puk1_tries", "adm1", NULL};
	long long v;
	json_t *pin;

	if (pp_object(root, "pin", "", true, &pin, err) < 0 || pp_only_keys(pin, "pin", keys, err) < 0 ||
	    pp_digits(pin, "pin1", "pin", true, 4, 8, p->pin1, err) < 0 ||
	    pp_digits(pin, "puk1", "pin", true, 8, 8, p->puk1, err) < 0 ||
	    pp_bool(pin, "pin1_enabled", "pin", true, &p->pin1_enabled, err) < 0)
		return -1;
	if (pp_int(pin, "pin1_tries", "pin", false, 1, 15, 3, &v, err) < 0)
		return -1;
	p->pin1_tries = v;
	if (pp_int(pin, "puk1_tries", "pin", false, 1, 15, 10, &v, err) < 0)
		return -1;
	p->puk1_tries = v;
	return parse_adm1(p, pin, err);
}

static int profile_destructor(struct uicc_profile *p)
{
	for (size_t i = 0; i < p->n_keysets; i++)
		OPENSSL_cleanse(&p->keysets[i], sizeof(p->keysets[i]));
	OPENSSL_cleanse(p->k, sizeof(p->k));
	OPENSSL_cleanse(p->opc, sizeof(p->opc));
	OPENSSL_cleanse(p->pin1, sizeof(p->pin1));
	OPENSSL_cleanse(p->puk1, sizeof(p->puk1));
	OPENSSL_cleanse(p->adm1, sizeof(p->adm1));
	json_decref(p->apps);
	return 0;
}

/* The settings the applet will read when the card starts are checked now, so a typo is a load error naming the
 * field rather than a log line and the defaults (for anti-theft, e.g. no owner key) on a card in use. */
static int check_apps(const json_t *apps, struct sg_error *err)
{
	struct antitheft_config cfg;
	int rc;

	if (!apps)
		return 0;
	rc = antitheft_config_parse(json_object_get(apps, "antitheft"), &cfg, err);
	OPENSSL_cleanse(&cfg, sizeof(cfg));
	return rc;
}

static int parse_root(struct uicc_profile *p, const json_t *root, struct sg_error *err)
{
	static const char *const keys[] = {"iccid", "imsi", "msisdn", "spn",  "atr", "milenage",
					   "pin",   "ota",  "files",  "apps", NULL};
	json_t *ota, *files, *apps;

	if (!json_is_object(root))
		return sg_err(err, "profile: the top level must be an object");
	if (pp_only_keys(root, "", keys, err) < 0 || parse_identity(p, root, err) < 0 ||
	    parse_milenage(p, root, err) < 0 || parse_pins(p, root, err) < 0)
		return -1;
	if (pp_object(root, "ota", "", false, &ota, err) < 0 || profile_parse_ota(p, ota, err) < 0)
		return -1;
	if (pp_array(root, "files", "", false, &files, err) < 0 || profile_parse_files(p, files, err) < 0)
		return -1;
	if (pp_object(root, "apps", "", false, &apps, err) < 0 || check_apps(apps, err) < 0)
		return -1;
	p->apps = apps ? json_incref(apps) : NULL;
	return 0;
}

static struct uicc_profile *from_json(void *ctx, json_t *root, struct sg_error *err)
{
	struct uicc_profile *p = talloc_zero(ctx, struct uicc_profile);

	talloc_set_destructor(p, profile_destructor);
	if (parse_root(p, root, err) < 0) {
		talloc_free(p);
		p = NULL;
	}
	json_decref(root);
	return p;
}

struct uicc_profile *uicc_profile_parse(void *ctx, const char *json_text, size_t len, struct sg_error *err)
{
	json_error_t jerr;
	json_t *root = json_loadb(json_text, len, JSON_REJECT_DUPLICATES, &jerr);

	if (!root) {
		sg_err(err, "profile: line %d column %d: %s", jerr.line, jerr.column, jerr.text);
		return NULL;
	}
	return from_json(ctx, root, err);
}

struct uicc_profile *uicc_profile_load(void *ctx, const char *path, struct sg_error *err)
{
	json_error_t jerr;
	json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);

	if (!root) {
		if (jerr.line < 0)
			sg_err(err, "profile %s: %s", path, jerr.text);
		else
			sg_err(err, "profile %s: line %d column %d: %s", path, jerr.line, jerr.column, jerr.text);
		return NULL;
	}
	return from_json(ctx, root, err);
}

const struct uicc_keyset *uicc_profile_keyset(const struct uicc_profile *p, uint8_t kvn)
{
	for (size_t i = 0; i < p->n_keysets; i++)
		if (p->keysets[i].kvn == kvn)
			return &p->keysets[i];
	return NULL;
}

const struct uicc_profile_tar *uicc_profile_tar(const struct uicc_profile *p, const uint8_t tar[3])
{
	for (size_t i = 0; i < p->n_tars; i++)
		if (memcmp(p->tars[i].tar, tar, 3) == 0)
			return &p->tars[i];
	return NULL;
}

json_t *uicc_profile_app(const struct uicc_profile *p, const char *app)
{
	return p->apps ? json_object_get(p->apps, app) : NULL;
}

uint64_t uicc_profile_counter(const struct uicc_profile *p, uint8_t kvn, const uint8_t tar[3])
{
	uint64_t v = 0;

	for (size_t i = 0; i < p->n_counters; i++) {
		const struct uicc_profile_counter *c = &p->counters[i];
		if (c->kvn != kvn)
			continue;
		if (c->has_tar && tar && memcmp(c->tar, tar, 3) == 0)
			return c->value;
		if (!c->has_tar)
			v = c->value;
	}
	return v;
}
