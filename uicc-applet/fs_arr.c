/* Access rules as a UICC publishes them: each file's FCP points (tag 8B) at a record of EF.ARR, and that record
 * holds the rule in the expanded format of TS 102 221 9.2.4 / ISO 7816-4 (AM_DO 80 + SC_DO 90 / 97 / A4).
 * The rules are derived from the access conditions of the layout, one record per distinct combination. */
#include <string.h>

#include "fs_internal.h"

#define ARR_MAX_RULES 16
#define ARR_RULE_MAX  40

/* AM byte bits for EFs (ISO 7816-4 table 17): b1 read/search, b2 update/erase, b4 deactivate, b5 activate.
 * For DFs: b2 create EF, b3 create DF (with the update condition), b4 deactivate, b5 activate. */
#define AM_EF_READ   0x01
#define AM_EF_UPDATE 0x02
#define AM_DF_CREATE 0x06
#define AM_ADMIN     0x18

#define KEYREF_PIN1 0x01
#define KEYREF_ADM1 0x0A

static size_t put_sc(enum uicc_acc c, uint8_t *out)
{
	static const uint8_t always[] = {0x90, 0x00}, never[] = {0x97, 0x00};
	uint8_t user[] = {0xA4, 0x06, 0x83, 0x01, 0x00, 0x95, 0x01, 0x08};

	switch (c) {
	case UICC_ACC_ALWAYS:
		memcpy(out, always, sizeof(always));
		return sizeof(always);
	case UICC_ACC_NEVER:
		memcpy(out, never, sizeof(never));
		return sizeof(never);
	default:
		user[4] = c == UICC_ACC_PIN1 ? KEYREF_PIN1 : KEYREF_ADM1;
		memcpy(out, user, sizeof(user));
		return sizeof(user);
	}
}

/* Encode f's rule; returns its length. */
static size_t encode_rule(const struct uicc_file *f, uint8_t *out)
{
	static const enum uicc_acc order[] = {UICC_ACC_ALWAYS, UICC_ACC_PIN1, UICC_ACC_ADM, UICC_ACC_NEVER};
	bool df = uicc_file_is_df(f);
	size_t len = 0;

	for (size_t i = 0; i < 4; i++) {
		uint8_t am = 0;
		if (!df && f->acc[UICC_OP_READ] == order[i])
			am |= AM_EF_READ;
		if (f->acc[UICC_OP_UPDATE] == order[i])
			am |= df ? AM_DF_CREATE : AM_EF_UPDATE;
		if (f->acc[UICC_OP_ADMIN] == order[i])
			am |= AM_ADMIN;
		if (!am)
			continue;
		out[len++] = 0x80;
		out[len++] = 0x01;
		out[len++] = am;
		len += put_sc(order[i], out + len);
	}
	return len;
}

struct arr_rule {
	uint8_t bytes[ARR_RULE_MAX];
	size_t len;
};

/* Fill rules[] with the distinct rules and give each file its record number. Returns the number of rules. */
static size_t collect_rules(struct uicc_fs *fs, struct arr_rule *rules)
{
	size_t n = 0;

	for (size_t i = 0; i < fs->n_files; i++) {
		uint8_t r[ARR_RULE_MAX];
		size_t len = encode_rule(fs->files[i], r), j;
		for (j = 0; j < n; j++)
			if (rules[j].len == len && memcmp(rules[j].bytes, r, len) == 0)
				break;
		if (j == n && n < ARR_MAX_RULES) {
			memcpy(rules[n].bytes, r, len);
			rules[n++].len = len;
		}
		/* j == ARR_MAX_RULES marks a file without a rule; fs_build_arr refuses that layout */
		fs->files[i]->arr_rec = j + 1;
	}
	return n;
}

int fs_build_arr(struct uicc_fs *fs, struct sg_error *err)
{
	struct arr_rule rules[ARR_MAX_RULES];
	size_t n = collect_rules(fs, rules), max = 0;

	for (size_t i = 0; i < n; i++)
		if (rules[i].len > max)
			max = rules[i].len;
	for (size_t i = 0; i < fs->n_files; i++) {
		struct uicc_file *f = fs->files[i];
		if (f->arr_rec > n)
			return sg_err(err, "file system: more than %d distinct access rules", ARR_MAX_RULES);
		if (strncmp(f->name, "EF.ARR", 6) == 0) {
			f->rec_len = max;
			f->rec_count = n;
		}
	}
	return 0;
}

void fs_arr_fill(struct uicc_fs *fs)
{
	struct arr_rule rules[ARR_MAX_RULES];
	size_t n = collect_rules(fs, rules);

	for (size_t i = 0; i < fs->n_files; i++) {
		struct uicc_file *f = fs->files[i];
		if (strncmp(f->name, "EF.ARR", 6) != 0)
			continue;
		memset(f->body, 0xFF, f->rec_len * f->rec_count);
		for (size_t r = 0; r < n && r < f->rec_count; r++)
			memcpy(f->body + r * f->rec_len, rules[r].bytes, rules[r].len);
	}
}
