/* Settings of the anti-theft applet from the card profile ("apps": {"antitheft": {...}}, specs/antitheft-
 * protocol.md §10), checked as strictly as the rest of the profile: unknown fields and bad values are errors
 * naming the field. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "simguard/hex.h"
#include "uicc/antitheft.h"

#define PREFIX "apps.antitheft."

static const char *const default_emergency[] = { "112", "911", "999", "000", "08", "110", "118", "119" };

static void defaults(struct antitheft_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->lock_message, sizeof(cfg->lock_message), "This phone is locked. Please return it to its owner.");
	for (size_t i = 0; i < sizeof(default_emergency) / sizeof(default_emergency[0]); i++)
		snprintf(cfg->emergency[cfg->n_emergency++], sizeof(cfg->emergency[0]), "%s", default_emergency[i]);
	cfg->lock_refuses_network = true;
}

/* Text shown on the lock screen: printable, line feeds allowed, at most ANTITHEFT_MSG_MAX bytes. */
int antitheft_text_ok(const char *s, size_t len)
{
	if (len == 0 || len > ANTITHEFT_MSG_MAX)
		return 0;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 && s[i] != '\n')
			return 0;
	return 1;
}

/* "+4917..." or "0170..." : optional '+', 3..20 digits. */
int antitheft_number_ok(const char *s)
{
	size_t n = 0;

	if (*s == '+')
		s++;
	for (; *s; s++, n++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return n >= 3 && n <= 20;
}

void antitheft_number_to_addr(const char *s, struct sms_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->npi = 1;
	if (*s == '+') {
		a->ton = 1;
		s++;
	}
	snprintf(a->digits, sizeof(a->digits), "%s", s);
}

static int get_string(const json_t *v, const char *name, const char **out, struct sg_error *err)
{
	*out = NULL;
	if (!json_is_string(v))
		return sg_err(err, PREFIX "%s: must be a string", name);
	*out = json_string_value(v);
	return 0;
}

static int parse_emergency(const json_t *v, struct antitheft_config *cfg, struct sg_error *err)
{
	size_t i;
	json_t *e;

	if (!json_is_array(v) || json_array_size(v) > ANTITHEFT_EMERGENCY_MAX)
		return sg_err(err, PREFIX "emergency_numbers: must be an array of at most %d numbers",
			      ANTITHEFT_EMERGENCY_MAX);
	cfg->n_emergency = 0;
	json_array_foreach(v, i, e) {
		const char *s = json_string_value(e);
		size_t n = s ? strlen(s) : 0;
		if (!s || n < 2 || n >= sizeof(cfg->emergency[0]) || strspn(s, "0123456789") != n)
			return sg_err(err, PREFIX "emergency_numbers[%zu]: must be 2 to 7 digits", i);
		memcpy(cfg->emergency[cfg->n_emergency++], s, n + 1);
	}
	return 0;
}

static int parse_number(const json_t *v, const char *name, char *out, size_t size, struct sg_error *err)
{
	const char *s;

	if (get_string(v, name, &s, err) < 0)
		return -1;
	if (!antitheft_number_ok(s) || strlen(s) >= size)
		return sg_err(err, PREFIX "%s: '%s' is not a number (optional + and 3 to 20 digits)", name, s);
	snprintf(out, size, "%s", s);
	return 0;
}

static int parse_field(const char *key, const json_t *v, struct antitheft_config *cfg, struct sg_error *err)
{
	char number[ANTITHEFT_NUMBER_MAX + 1];
	const char *s = NULL;
	long n;

	if (strcmp(key, "lock_message") == 0) {
		if (get_string(v, key, &s, err) < 0)
			return -1;
		if (!antitheft_text_ok(s, strlen(s)))
			return sg_err(err, PREFIX "lock_message: 1 to %d bytes of text", ANTITHEFT_MSG_MAX);
		snprintf(cfg->lock_message, sizeof(cfg->lock_message), "%s", s);
	} else if (strcmp(key, "owner_key") == 0) {
		if (get_string(v, key, &s, err) < 0)
			return -1;
		n = sg_hex_decode(s, cfg->owner_key, sizeof(cfg->owner_key), PREFIX "owner_key", err);
		if (n < 0)
			return -1;
		if (n != ANTITHEFT_KEY_LEN)
			return sg_err(err, PREFIX "owner_key: needs %d bytes, got %ld", ANTITHEFT_KEY_LEN, n);
		cfg->has_owner_key = true;
	} else if (strcmp(key, "owner_number") == 0) {
		return parse_number(v, key, cfg->owner_number, sizeof(cfg->owner_number), err);
	} else if (strcmp(key, "emergency_numbers") == 0) {
		return parse_emergency(v, cfg, err);
	} else if (strcmp(key, "report_address") == 0) {
		if (parse_number(v, key, number, sizeof(number), err) < 0)
			return -1;
		antitheft_number_to_addr(number, &cfg->report_address);
		cfg->has_report_address = true;
	} else if (strcmp(key, "lock_refuses_network") == 0) {
		if (!json_is_boolean(v))
			return sg_err(err, PREFIX "lock_refuses_network: must be true or false");
		cfg->lock_refuses_network = json_is_true(v);
	} else {
		return sg_err(err, PREFIX "%s: unknown field", key);
	}
	return 0;
}

int antitheft_config_parse(const json_t *obj, struct antitheft_config *cfg, struct sg_error *err)
{
	const char *key;
	json_t *v;

	defaults(cfg);
	if (!obj)
		return 0;
	if (!json_is_object(obj))
		return sg_err(err, "apps.antitheft: must be an object");
	json_object_foreach((json_t *)obj, key, v) {
		if (parse_field(key, v, cfg, err) < 0)
			return -1;
	}
	return 0;
}
