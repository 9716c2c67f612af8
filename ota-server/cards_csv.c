/* Card data CSV (see cards_csv.h): splitting lines, the header's columns, one card per line. Every problem is
 * reported with the column it is in; keys are cleansed from the line buffers once parsed. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "simguard/hex.h"
#include "otasrv/cards_csv.h"
#include "otasrv/json_check.h"

enum col {
	C_IGNORED = 0,
	C_ICCID,
	C_IMSI,
	C_MSISDN,
	C_KIC,
	C_KID,
	C_KIK,
	C_ALGO,
	C_CNTR,
	C_TAR,
	C_SPI,
	C_KVN,
	C_DIALECT,
};

/* pySim card-data columns holding things an OTA server must not keep. */
static const char *const dropped[] = { "KI", "OPC", "OP", "ADM1", "ADM2", "PIN1", "PIN2", "PUK1", "PUK2",
				       "ACC", "SMSP", "MCC", "MNC", "NAME", "SPN", "EKI", "EOPC" };

static const struct {
	const char *name;
	enum col col;
	bool numbered; /* takes a key version suffix 1..15 */
} columns[] = {
	{ "ICCID", C_ICCID, false }, { "IMSI", C_IMSI, false }, { "MSISDN", C_MSISDN, false },
	{ "KIC", C_KIC, true },	     { "KID", C_KID, true },	{ "KIK", C_KIK, true },
	{ "ALGO", C_ALGO, true },    { "CNTR", C_CNTR, true },	{ "TAR", C_TAR, false },
	{ "SPI", C_SPI, false },     { "KVN", C_KVN, false },	{ "DIALECT", C_DIALECT, false },
};

int osv_csv_split(char *buf, char **fields, int max, struct sg_error *err)
{
	char *r = buf, *w = buf;
	int n = 0;

	for (;;) {
		if (n == max)
			return sg_err(err, "more than %d fields", max);
		fields[n++] = w;
		if (*r == '"') {
			r++;
			for (;;) {
				if (!*r)
					return sg_err(err, "field %d: quote not closed", n);
				if (*r == '"' && r[1] == '"') {
					*w++ = '"';
					r += 2;
				} else if (*r == '"') {
					r++;
					break;
				} else {
					*w++ = *r++;
				}
			}
			if (*r && *r != ',')
				return sg_err(err, "field %d: text after the closing quote", n);
		} else {
			while (*r && *r != ',') {
				if (*r == '"')
					return sg_err(err, "field %d: quote inside an unquoted field", n);
				*w++ = *r++;
			}
		}
		if (!*r) {
			*w = '\0';
			return n;
		}
		*w++ = '\0';
		r++;
	}
}

static void trim(char *s)
{
	size_t n = strlen(s), i = 0;

	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	while (isspace((unsigned char)s[i]))
		i++;
	memmove(s, s + i, n - i + 1);
}

static int header_column(const char *name, int16_t *col, int8_t *kvn, struct sg_error *err)
{
	for (size_t i = 0; i < sizeof(dropped) / sizeof(dropped[0]); i++)
		if (!strcasecmp(name, dropped[i])) {
			*col = C_IGNORED;
			return 0;
		}
	for (size_t i = 0; i < sizeof(columns) / sizeof(columns[0]); i++) {
		size_t n = strlen(columns[i].name);
		char *end;
		long v;

		if (strncasecmp(name, columns[i].name, n))
			continue;
		if (!columns[i].numbered) {
			if (name[n])
				continue;
			*col = (int16_t)columns[i].col;
			*kvn = 0;
			return 0;
		}
		if (!isdigit((unsigned char)name[n]))
			continue;
		v = strtol(name + n, &end, 10);
		if (*end || v < 1 || v > OSV_MAX_KVN)
			return sg_err(err, "column %s: key version must be 1..15", name);
		*col = (int16_t)columns[i].col;
		*kvn = (int8_t)v;
		return 0;
	}
	return sg_err(err, "column '%s': unknown (known: ICCID, IMSI, MSISDN, KIC<n>, KID<n>, KIK<n>, ALGO<n>, "
			   "CNTR<n>, TAR, SPI, KVN, DIALECT)",
		      name);
}

int osv_csv_header_parse(char *line, struct osv_csv_header *h, struct sg_error *err)
{
	char *fields[OSV_CSV_MAX_FIELDS];
	bool seen[C_DIALECT + 1] = { false };
	int n = osv_csv_split(line, fields, OSV_CSV_MAX_FIELDS, err);

	if (n < 0)
		return -1;
	memset(h, 0, sizeof(*h));
	h->n = n;
	for (int i = 0; i < n; i++) {
		trim(fields[i]);
		if (!*fields[i])
			return sg_err(err, "column %d: empty name", i + 1);
		for (int j = 0; j < i; j++)
			if (!strcasecmp(h->names[j], fields[i]))
				return sg_err(err, "column '%s': given twice", fields[i]);
		snprintf(h->names[i], sizeof(h->names[i]), "%s", fields[i]);
		if (header_column(fields[i], &h->col[i], &h->kvn[i], err) < 0)
			return -1;
		seen[h->col[i]] = true;
	}
	if (!seen[C_ICCID] || !seen[C_IMSI] || !seen[C_MSISDN])
		return sg_err(err, "header: ICCID, IMSI and MSISDN columns are required");
	if (!seen[C_KIC] || !seen[C_KID])
		return sg_err(err, "header: at least one keyset (KIC<n>, KID<n>, ALGO<n>) is required");
	return 0;
}

static int digits(const char *v, size_t min, size_t max, const char *what, struct sg_error *err)
{
	size_t n = strlen(v);

	if (n < min || n > max)
		return sg_err(err, "%s: %zu digits, want %zu..%zu", what, n, min, max);
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)v[i]))
			return sg_err(err, "%s: '%c' at position %zu is not a digit", what, v[i], i + 1);
	return 0;
}

static int hex_exact(const char *v, uint8_t *out, size_t len, const char *what, struct sg_error *err)
{
	uint8_t buf[32];
	long n = sg_hex_decode(v, buf, sizeof(buf), what, err);

	if (n < 0)
		return -1;
	if ((size_t)n != len)
		return sg_err(err, "%s: %ld bytes, want %zu", what, n, len);
	memcpy(out, buf, len);
	return 0;
}

static int parse_algo(const char *v, uint8_t *alg, const char *what, struct sg_error *err)
{
	static const struct {
		const char *name;
		uint8_t alg;
	} algos[] = { { "aes", 0x2 }, { "3des2", 0x5 }, { "3des", 0x5 }, { "3des3", 0x9 }, { "des", 0x1 } };

	for (size_t i = 0; i < sizeof(algos) / sizeof(algos[0]); i++)
		if (!strcasecmp(v, algos[i].name)) {
			*alg = algos[i].alg;
			return 0;
		}
	return sg_err(err, "%s: '%s' is not an algorithm (aes, 3des2, 3des3, des)", what, v);
}

static bool key_len_ok(uint8_t alg, size_t len)
{
	switch (alg) {
	case 0x1:
		return len == 8;
	case 0x5:
		return len == 16;
	case 0x9:
		return len == 24;
	default:
		return len == 16 || len == 24 || len == 32;
	}
}

static int parse_u64(const char *v, uint64_t max, uint64_t *out, const char *what, struct sg_error *err)
{
	char *end;
	unsigned long long x;

	if (!isdigit((unsigned char)*v))
		return sg_err(err, "%s: '%s' is not a decimal number", what, v);
	errno = 0;
	x = strtoull(v, &end, 10);
	if (*end || errno)
		return sg_err(err, "%s: '%s' is not a decimal number", what, v);
	if (x > max)
		return sg_err(err, "%s: %llu is above %llu", what, x, (unsigned long long)max);
	*out = x;
	return 0;
}

struct line_state {
	struct osv_card_import *ci;
	bool have_kic[OSV_MAX_KVN + 1], have_kid[OSV_MAX_KVN + 1], have_algo[OSV_MAX_KVN + 1];
	struct osv_keyset_in ks[OSV_MAX_KVN + 1];
	uint64_t kvn_wanted;
};

static int field_keyset(struct line_state *ls, enum col col, int kvn, const char *v, const char *what,
			struct sg_error *err)
{
	struct osv_keyset_in *k = &ls->ks[kvn];
	struct sp_key *key = col == C_KIC ? &k->kic : col == C_KID ? &k->kid : &k->kik;
	long n;

	k->kvn = (uint8_t)kvn;
	switch (col) {
	case C_ALGO:
		ls->have_algo[kvn] = true;
		if (parse_algo(v, &k->kic_alg, what, err) < 0)
			return -1;
		k->kid_alg = k->kic_alg;
		return 0;
	case C_CNTR:
		return parse_u64(v, SP_CNTR_MAX, &k->counter, what, err);
	default:
		n = sg_hex_decode(v, key->key, sizeof(key->key), what, err);
		if (n < 0)
			return -1;
		key->len = (size_t)n;
		if (col == C_KIC)
			ls->have_kic[kvn] = true;
		if (col == C_KID)
			ls->have_kid[kvn] = true;
		return 0;
	}
}

static int field(struct line_state *ls, enum col col, int kvn, const char *v, const char *what,
		 struct sg_error *err)
{
	struct osv_card *c = &ls->ci->card;

	switch (col) {
	case C_ICCID:
		if (digits(v, 18, 20, what, err) < 0)
			return -1;
		snprintf(c->iccid, sizeof(c->iccid), "%s", v);
		return 0;
	case C_IMSI:
		if (digits(v, 6, 15, what, err) < 0)
			return -1;
		snprintf(c->imsi, sizeof(c->imsi), "%s", v);
		return 0;
	case C_MSISDN:
		if (*v == '+')
			v++;
		if (digits(v, 3, 15, what, err) < 0)
			return -1;
		snprintf(c->msisdn, sizeof(c->msisdn), "%s", v);
		return 0;
	case C_TAR:
		return hex_exact(v, c->tar, 3, what, err);
	case C_SPI:
		if (hex_exact(v, c->spi, 2, what, err) < 0)
			return -1;
		if ((c->spi[0] & SP_SPI1_RESERVED_MASK) || (c->spi[1] & SP_SPI2_RESERVED_MASK))
			return sg_err(err, "%s: reserved bits set", what);
		if ((c->spi[0] & SP_SPI1_CHK_MASK) == SP_SPI1_CHK_DS)
			return sg_err(err, "%s: digital signatures are not supported", what);
		return 0;
	case C_KVN:
		return parse_u64(v, OSV_MAX_KVN, &ls->kvn_wanted, what, err) < 0 ? -1
		       : ls->kvn_wanted == 0 ? sg_err(err, "%s: key version must be 1..15", what)
					     : 0;
	case C_DIALECT:
		if (!strcasecmp(v, "sms"))
			c->dialect = SP_DIALECT_SMS;
		else if (!strcasecmp(v, "ussd"))
			c->dialect = SP_DIALECT_USSD;
		else
			return sg_err(err, "%s: '%s' is neither sms nor ussd", what, v);
		return 0;
	case C_IGNORED:
		return 0;
	default:
		return field_keyset(ls, col, kvn, v, what, err);
	}
}

static int check_keysets(struct line_state *ls, struct sg_error *err)
{
	struct osv_card_import *ci = ls->ci;

	for (int v = 1; v <= OSV_MAX_KVN; v++) {
		struct osv_keyset_in *k = &ls->ks[v];

		if (!ls->have_kic[v] && !ls->have_kid[v])
			continue;
		if (!ls->have_kic[v] || !ls->have_kid[v])
			return sg_err(err, "keyset %d: KIC%d and KID%d go together", v, v, v);
		if (!ls->have_algo[v])
			return sg_err(err, "ALGO%d: missing (aes, 3des2, 3des3 or des)", v);
		if (!key_len_ok(k->kic_alg, k->kic.len))
			return sg_err(err, "KIC%d: %zu bytes do not fit ALGO%d", v, k->kic.len, v);
		if (!key_len_ok(k->kid_alg, k->kid.len))
			return sg_err(err, "KID%d: %zu bytes do not fit ALGO%d", v, k->kid.len, v);
		if (ci->n_ks == 0 && !ls->kvn_wanted)
			ci->card.kvn = (uint8_t)v;
		ci->ks[ci->n_ks++] = *k;
	}
	if (ci->n_ks == 0)
		return sg_err(err, "no keyset: KIC<n>, KID<n> and ALGO<n> are empty");
	if (ls->kvn_wanted) {
		if (!ls->have_kic[ls->kvn_wanted])
			return sg_err(err, "KVN: keyset %d is not on this line", (int)ls->kvn_wanted);
		ci->card.kvn = (uint8_t)ls->kvn_wanted;
	}
	return 0;
}

int osv_csv_card(char *line, const struct osv_csv_header *h, const struct osv_csv_defaults *d,
		 struct osv_card_import *ci, struct sg_error *err)
{
	char *fields[OSV_CSV_MAX_FIELDS];
	struct line_state ls;
	int n = osv_csv_split(line, fields, OSV_CSV_MAX_FIELDS, err), rc = 0;

	if (n < 0)
		return -1;
	if (n != h->n)
		return sg_err(err, "%d fields, the header has %d", n, h->n);
	memset(ci, 0, sizeof(*ci));
	memset(&ls, 0, sizeof(ls));
	ls.ci = ci;
	memcpy(ci->card.tar, d->tar, 3);
	memcpy(ci->card.spi, d->spi, 2);
	ci->card.dialect = d->dialect;
	for (int i = 0; i < n && rc == 0; i++) {
		trim(fields[i]);
		if (!*fields[i]) {
			if (h->col[i] == C_ICCID || h->col[i] == C_IMSI || h->col[i] == C_MSISDN)
				rc = sg_err(err, "%s: empty", h->names[i]);
			continue;
		}
		rc = field(&ls, (enum col)h->col[i], h->kvn[i], fields[i], h->names[i], err);
	}
	if (rc == 0)
		rc = check_keysets(&ls, err);
	OPENSSL_cleanse(&ls, sizeof(ls));
	OPENSSL_cleanse(line, strlen(line));
	if (rc < 0)
		OPENSSL_cleanse(ci, sizeof(*ci));
	return rc;
}

static void report(json_t *errors, int line, const char *msg)
{
	char clean[sizeof(((struct sg_error *)0)->msg)];

	snprintf(clean, sizeof(clean), "%s", msg);
	osv_text_clean(clean);
	if (json_array_size(errors) < 100)
		json_array_append_new(errors, json_pack("{s:i, s:s}", "line", line, "error", clean));
}

/* Next line of text into buf (without \r\n). 1 a line, 0 end, -1 too long. */
static int next_line(const char **p, const char *end, char *buf, size_t size)
{
	const char *nl;
	size_t n;

	if (*p >= end)
		return 0;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	n = (size_t)((nl ? nl : end) - *p);
	if (n > 0 && (*p)[n - 1] == '\r')
		n--;
	if (n >= size) {
		*p = nl ? nl + 1 : end;
		return -1;
	}
	memcpy(buf, *p, n);
	buf[n] = '\0';
	*p = nl ? nl + 1 : end;
	return 1;
}

static bool blank(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return !*s;
}

long osv_csv_parse(const char *text, size_t len, const struct osv_csv_defaults *d, osv_csv_add_fn add, void *ctx,
		   json_t *errors)
{
	char buf[OSV_CSV_MAX_LINE + 1];
	const char *p = text, *end = text + len;
	struct osv_csv_header h;
	struct osv_card_import ci;
	struct sg_error err;
	long good = 0;
	int line = 1, rc;

	if (memchr(text, '\0', len)) {
		report(errors, 0, "file: contains a NUL byte (not a text CSV file)");
		return -1;
	}
	rc = next_line(&p, end, buf, sizeof(buf));
	if (rc <= 0 || osv_csv_header_parse(buf, &h, &err) < 0) {
		report(errors, 1, rc == 0 ? "file: empty (no header line)" : rc < 0 ? "header: line too long" : err.msg);
		return -1;
	}
	while ((rc = next_line(&p, end, buf, sizeof(buf))) != 0) {
		line++;
		if (rc < 0) {
			report(errors, line, "line longer than 4096 characters");
			continue;
		}
		if (blank(buf))
			continue;
		if (osv_csv_card(buf, &h, d, &ci, &err) < 0 || add(ctx, line, &ci, &err) < 0) {
			report(errors, line, err.msg);
			continue;
		}
		good++;
	}
	OPENSSL_cleanse(&ci, sizeof(ci));
	OPENSSL_cleanse(buf, sizeof(buf));
	return good;
}
