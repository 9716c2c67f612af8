/* The "ota" section of a card profile: keysets by KVN with their algorithms and keys, initial counters, the
 * TAR -> application table with each TAR's minimum security level, and the error-PoR policy. */
#include <stdio.h>
#include <string.h>

#include <osmocom/core/talloc.h>

#include "uicc/profile.h"
#include "profile_parse.h"

struct alg_name {
	const char *name;
	uint8_t kic, kid; /* 0: not valid for that role */
	size_t keylen[3];
};

static const struct alg_name algs[] = {
	{"des", UICC_KIC_DES_CBC, UICC_KID_DES_CBC_MAC, {8}},
	{"3des2", UICC_KIC_3DES2_CBC, UICC_KID_3DES2_CBC_MAC, {16}},
	{"3des3", UICC_KIC_3DES3_CBC, UICC_KID_3DES3_CBC_MAC, {24}},
	{"des-ecb", UICC_KIC_DES_ECB, 0, {8}},
	{"aes", UICC_KIC_AES_CBC, UICC_KID_AES_CMAC, {16, 24, 32}},
};

static int parse_key(const json_t *ks, const char *role, const char *path, bool kic, uint8_t *alg, struct uicc_key *key,
		     struct sg_error *err)
{
	static const char *const keys[] = {"alg", "key", NULL};
	char sub[96];
	const struct alg_name *a = NULL;
	const char *name;
	json_t *o;

	if (pp_object(ks, role, path, false, &o, err) < 0)
		return -1;
	if (!o)
		return 0;
	snprintf(sub, sizeof(sub), "%s.%s", path, role);
	if (pp_only_keys(o, sub, keys, err) < 0 || pp_string(o, "alg", sub, true, &name, err) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (strcmp(algs[i].name, name) == 0)
			a = &algs[i];
	if (!a || !(kic ? a->kic : a->kid))
		return sg_err(err, "%s.alg: '%s' is not a %s algorithm (des, 3des2, 3des3, aes%s)", sub, name,
			      kic ? "ciphering" : "checksum", kic ? ", des-ecb" : "");
	*alg = kic ? a->kic : a->kid;
	if (pp_hex(o, "key", sub, true, key->bytes, sizeof(key->bytes), &key->len, err) < 0)
		return -1;
	for (int i = 0; i < 3; i++)
		if (a->keylen[i] && a->keylen[i] == key->len)
			return 0;
	return sg_err(err, "%s.key: %s needs a key of %s bytes, got %zu", sub, a->name,
		      a->kic == UICC_KIC_AES_CBC     ? "16, 24 or 32"
		      : a->kic == UICC_KIC_3DES3_CBC ? "24"
		      : a->kic == UICC_KIC_3DES2_CBC ? "16"
						     : "8",
		      key->len);
}

static int parse_keyset(struct uicc_profile *p, const json_t *ks, size_t idx, struct sg_error *err)
{
	static const char *const keys[] = {"kvn", "kic", "kid", "kik", NULL};
	struct uicc_keyset *k = &p->keysets[p->n_keysets];
	uint8_t kik_alg;
	char path[48];
	long long kvn;

	snprintf(path, sizeof(path), "ota.keysets[%zu]", idx);
	if (!json_is_object(ks))
		return sg_err(err, "%s: must be an object", path);
	if (pp_only_keys(ks, path, keys, err) < 0 || pp_int(ks, "kvn", path, true, 1, 15, 0, &kvn, err) < 0)
		return -1;
	if (uicc_profile_keyset(p, kvn))
		return sg_err(err, "%s.kvn: keyset %lld defined twice", path, kvn);
	k->kvn = kvn;
	if (parse_key(ks, "kic", path, true, &k->kic_alg, &k->kic, err) < 0 ||
	    parse_key(ks, "kid", path, false, &k->kid_alg, &k->kid, err) < 0 ||
	    parse_key(ks, "kik", path, true, &kik_alg, &k->kik, err) < 0)
		return -1;
	if (!k->kic.len && !k->kid.len)
		return sg_err(err, "%s: needs a kic or a kid key", path);
	p->n_keysets++;
	return 0;
}

static int parse_tar3(const json_t *o, const char *path, bool required, uint8_t tar[3], bool *present,
		      struct sg_error *err)
{
	size_t n;

	if (pp_hex(o, "tar", path, required, tar, 3, &n, err) < 0)
		return -1;
	if (present)
		*present = n > 0;
	if (n != 3 && (required || n))
		return sg_err(err, "%s.tar: must be 3 bytes (6 hex digits)", path);
	return 0;
}

static int parse_counters(struct uicc_profile *p, const json_t *arr, struct sg_error *err)
{
	static const char *const keys[] = {"kvn", "tar", "value", NULL};
	size_t i;
	json_t *c;

	p->n_counters = json_array_size(arr);
	p->counters = talloc_zero_array(p, struct uicc_profile_counter, p->n_counters ? p->n_counters : 1);
	json_array_foreach(arr, i, c)
	{
		struct uicc_profile_counter *pc = &p->counters[i];
		char path[48];
		long long v;
		snprintf(path, sizeof(path), "ota.counters[%zu]", i);
		if (!json_is_object(c))
			return sg_err(err, "%s: must be an object", path);
		if (pp_only_keys(c, path, keys, err) < 0 || pp_int(c, "kvn", path, true, 1, 15, 0, &v, err) < 0)
			return -1;
		pc->kvn = v;
		if (parse_tar3(c, path, false, pc->tar, &pc->has_tar, err) < 0 ||
		    pp_int(c, "value", path, true, 0, 0xFFFFFFFFFFLL, 0, &v, err) < 0)
			return -1;
		pc->value = v;
	}
	return 0;
}

static int parse_kvn_mask(const json_t *t, const char *path, uint16_t *mask, struct sg_error *err)
{
	json_t *arr, *v;
	size_t i;

	*mask = 0;
	if (pp_array(t, "kvns", path, false, &arr, err) < 0)
		return -1;
	json_array_foreach(arr, i, v)
	{
		if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 15)
			return sg_err(err, "%s.kvns[%zu]: must be a key version 1..15", path, i);
		*mask |= 1u << json_integer_value(v);
	}
	return 0;
}

static int parse_tars(struct uicc_profile *p, const json_t *arr, struct sg_error *err)
{
	static const char *const keys[] = {"tar", "app", "msl", "kvns", NULL};
	size_t i;
	json_t *t;

	p->n_tars = json_array_size(arr);
	p->tars = talloc_zero_array(p, struct uicc_profile_tar, p->n_tars ? p->n_tars : 1);
	json_array_foreach(arr, i, t)
	{
		struct uicc_profile_tar *pt = &p->tars[i];
		const char *app;
		char path[48];
		snprintf(path, sizeof(path), "ota.tars[%zu]", i);
		if (!json_is_object(t))
			return sg_err(err, "%s: must be an object", path);
		if (pp_only_keys(t, path, keys, err) < 0 || parse_tar3(t, path, true, pt->tar, NULL, err) < 0 ||
		    pp_string(t, "app", path, true, &app, err) < 0 ||
		    pp_byte(t, "msl", path, true, 0, &pt->msl, err) < 0 ||
		    parse_kvn_mask(t, path, &pt->kvn_mask, err) < 0)
			return -1;
		if (!*app)
			return sg_err(err, "%s.app: must not be empty", path);
		pt->app = talloc_strdup(p, app);
		for (size_t j = 0; j < i; j++)
			if (memcmp(p->tars[j].tar, pt->tar, 3) == 0)
				return sg_err(err, "%s.tar: %02X%02X%02X listed twice", path, pt->tar[0], pt->tar[1],
					      pt->tar[2]);
	}
	return 0;
}

static int parse_error_por(struct uicc_profile *p, const json_t *ota, struct sg_error *err)
{
	const char *s;

	p->error_por = UICC_ERROR_POR_NONE;
	if (pp_string(ota, "error_por", "ota", false, &s, err) < 0)
		return -1;
	if (!s || strcmp(s, "none") == 0)
		return 0;
	if (strcmp(s, "unsecured") == 0) {
		p->error_por = UICC_ERROR_POR_UNSECURED;
		return 0;
	}
	return sg_err(err, "ota.error_por: '%s' is neither \"none\" nor \"unsecured\"", s);
}

int profile_parse_ota(struct uicc_profile *p, const json_t *ota, struct sg_error *err)
{
	static const char *const keys[] = {"keysets", "counters", "tars", "error_por", NULL};
	json_t *arr, *ks;
	size_t i;

	if (!ota)
		return 0;
	if (pp_only_keys(ota, "ota", keys, err) < 0 || pp_array(ota, "keysets", "ota", false, &arr, err) < 0)
		return -1;
	if (arr && json_array_size(arr) > UICC_PROFILE_MAX_KEYSETS)
		return sg_err(err, "ota.keysets: at most %d keysets", UICC_PROFILE_MAX_KEYSETS);
	json_array_foreach(arr, i, ks) if (parse_keyset(p, ks, i, err) < 0) return -1;
	if (pp_array(ota, "counters", "ota", false, &arr, err) < 0 || (arr && parse_counters(p, arr, err) < 0))
		return -1;
	for (i = 0; i < p->n_counters; i++)
		if (!uicc_profile_keyset(p, p->counters[i].kvn))
			return sg_err(err, "ota.counters[%zu].kvn: no keyset %u", i, p->counters[i].kvn);
	if (pp_array(ota, "tars", "ota", false, &arr, err) < 0 || (arr && parse_tars(p, arr, err) < 0))
		return -1;
	return parse_error_por(p, ota, err);
}
