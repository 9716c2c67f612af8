/* Typed field readers for the card-profile parser: each checks one JSON field and names it in the error. */
#include <stdio.h>
#include <string.h>

#include "simguard/hex.h"
#include "profile_parse.h"

int pp_only_keys(const json_t *obj, const char *path, const char *const *allowed, struct sg_error *err)
{
	const char *key;
	json_t *val;

	json_object_foreach((json_t *)obj, key, val)
	{
		const char *const *a = allowed;
		while (*a && strcmp(*a, key) != 0)
			a++;
		if (!*a)
			return sg_err(err, "%s%s%s: unknown field", path, *path ? "." : "", key);
	}
	return 0;
}

static json_t *field(const json_t *obj, const char *key, const char *path, bool required, struct sg_error *err, int *rc)
{
	json_t *v = json_object_get(obj, key);

	*rc = 0;
	if (!v && required)
		*rc = sg_err(err, "%s%s%s: missing", path, *path ? "." : "", key);
	return v;
}

#define FIELD_ERR(fmt, ...) sg_err(err, "%s%s%s: " fmt, path, *path ? "." : "", key, ##__VA_ARGS__)

int pp_object(const json_t *obj, const char *key, const char *path, bool required, json_t **out, struct sg_error *err)
{
	int rc;
	json_t *v = field(obj, key, path, required, err, &rc);

	*out = NULL;
	if (!v)
		return rc;
	if (!json_is_object(v))
		return FIELD_ERR("must be an object");
	*out = v;
	return 0;
}

int pp_array(const json_t *obj, const char *key, const char *path, bool required, json_t **out, struct sg_error *err)
{
	int rc;
	json_t *v = field(obj, key, path, required, err, &rc);

	*out = NULL;
	if (!v)
		return rc;
	if (!json_is_array(v))
		return FIELD_ERR("must be an array");
	*out = v;
	return 0;
}

int pp_string(const json_t *obj, const char *key, const char *path, bool required, const char **out,
	      struct sg_error *err)
{
	int rc;
	json_t *v = field(obj, key, path, required, err, &rc);

	*out = NULL;
	if (!v)
		return rc;
	if (!json_is_string(v))
		return FIELD_ERR("must be a string");
	*out = json_string_value(v);
	return 0;
}

int pp_digits(const json_t *obj, const char *key, const char *path, bool required, size_t min, size_t max, char *out,
	      struct sg_error *err)
{
	const char *s;
	size_t n;

	if (pp_string(obj, key, path, required, &s, err) < 0)
		return -1;
	if (!s)
		return 0;
	n = strlen(s);
	if (n < min || n > max)
		return FIELD_ERR("needs %zu to %zu digits, has %zu", min, max, n);
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return FIELD_ERR("non-digit '%c' at position %zu", s[i], i + 1);
	memcpy(out, s, n + 1);
	return 0;
}

int pp_hex_value(const json_t *v, const char *what, uint8_t *out, size_t max, size_t *out_len, struct sg_error *err)
{
	struct sg_error herr;
	long n;

	*out_len = 0;
	if (!json_is_string(v))
		return sg_err(err, "%s: must be a hex string", what);
	n = sg_hex_decode(json_string_value(v), out, max, what, &herr);
	if (n < 0)
		return sg_err(err, "%s", herr.msg);
	*out_len = n;
	return 0;
}

int pp_hex(const json_t *obj, const char *key, const char *path, bool required, uint8_t *out, size_t max,
	   size_t *out_len, struct sg_error *err)
{
	int rc;
	json_t *v = field(obj, key, path, required, err, &rc);
	char what[96];

	*out_len = 0;
	if (!v)
		return rc;
	snprintf(what, sizeof(what), "%s%s%s", path, *path ? "." : "", key);
	return pp_hex_value(v, what, out, max, out_len, err);
}

int pp_int(const json_t *obj, const char *key, const char *path, bool required, long long min, long long max,
	   long long def, long long *out, struct sg_error *err)
{
	int rc;
	json_t *v = field(obj, key, path, required, err, &rc);

	*out = def;
	if (!v)
		return rc;
	if (!json_is_integer(v))
		return FIELD_ERR("must be an integer");
	*out = json_integer_value(v);
	if (*out < min || *out > max)
		return FIELD_ERR("%lld is outside %lld..%lld", *out, min, max);
	return 0;
}

int pp_byte(const json_t *obj, const char *key, const char *path, bool required, uint8_t def, uint8_t *out,
	    struct sg_error *err)
{
	int rc;
	json_t *v = field(obj, key, path, required, err, &rc);
	long long i;
	size_t n;

	*out = def;
	if (!v)
		return rc;
	if (json_is_integer(v)) {
		if (pp_int(obj, key, path, true, 0, 255, 0, &i, err) < 0)
			return -1;
		*out = i;
		return 0;
	}
	if (pp_hex(obj, key, path, true, out, 1, &n, err) < 0)
		return -1;
	if (n != 1)
		return FIELD_ERR("must be one byte (two hex digits)");
	return 0;
}

int pp_bool(const json_t *obj, const char *key, const char *path, bool def, bool *out, struct sg_error *err)
{
	json_t *v = json_object_get(obj, key);

	*out = def;
	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return FIELD_ERR("must be true or false");
	*out = json_is_true(v);
	return 0;
}
