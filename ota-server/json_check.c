/* Strict JSON request bodies (json_check.h). */
#include <stdio.h>
#include <string.h>

#include "otasrv/json_check.h"

json_t *osv_json_body(const char *buf, size_t len, size_t max, char *why, size_t why_size)
{
	json_error_t e;
	json_t *v;

	if (len == 0) {
		snprintf(why, why_size, "body: empty (a JSON object is expected)");
		return NULL;
	}
	if (len > max) {
		snprintf(why, why_size, "body: %zu bytes, the limit is %zu", len, max);
		return NULL;
	}
	if (memchr(buf, '\0', len)) {
		snprintf(why, why_size, "body: contains a NUL byte");
		return NULL;
	}
	v = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &e);
	if (!v) {
		snprintf(why, why_size, "body: line %d, column %d: %s", e.line, e.column, e.text);
		return NULL;
	}
	if (!json_is_object(v)) {
		snprintf(why, why_size, "body: a JSON object is expected at the top level");
		json_decref(v);
		return NULL;
	}
	return v;
}

static const struct osv_jfield *find(const struct osv_jfield *fields, const char *name)
{
	for (; fields->name; fields++)
		if (!strcmp(fields->name, name))
			return fields;
	return NULL;
}

static int check_strings(json_t *v, const struct osv_jfield *f, char *why, size_t why_size)
{
	size_t i, n = json_array_size(v);
	json_t *item;

	if ((int64_t)n < f->min || (int64_t)n > f->max) {
		snprintf(why, why_size, "%s: %zu items, want %lld..%lld", f->name, n, (long long)f->min,
			 (long long)f->max);
		return -1;
	}
	json_array_foreach (v, i, item) {
		if (!json_is_string(item) || json_string_length(item) > 64) {
			snprintf(why, why_size, "%s[%zu]: a string of at most 64 bytes is expected", f->name, i);
			return -1;
		}
	}
	return 0;
}

static int check_one(json_t *v, const struct osv_jfield *f, char *why, size_t why_size)
{
	static const char *const type_names[] = { "a string", "an integer", "true or false", "an array of strings" };
	bool ok = (f->type == OSV_J_STRING && json_is_string(v)) || (f->type == OSV_J_INT && json_is_integer(v)) ||
		  (f->type == OSV_J_BOOL && json_is_boolean(v)) || (f->type == OSV_J_STRINGS && json_is_array(v));
	int64_t x;

	if (!ok) {
		snprintf(why, why_size, "%s: %s is expected", f->name, type_names[f->type]);
		return -1;
	}
	switch (f->type) {
	case OSV_J_STRING:
		x = (int64_t)json_string_length(v);
		if (x < f->min || x > f->max || strlen(json_string_value(v)) != (size_t)x) {
			snprintf(why, why_size, "%s: %lld bytes, want %lld..%lld (and no NUL)", f->name, (long long)x,
				 (long long)f->min, (long long)f->max);
			return -1;
		}
		return 0;
	case OSV_J_INT:
		x = json_integer_value(v);
		if (x < f->min || x > f->max) {
			snprintf(why, why_size, "%s: %lld is outside %lld..%lld", f->name, (long long)x,
				 (long long)f->min, (long long)f->max);
			return -1;
		}
		return 0;
	case OSV_J_STRINGS:
		return check_strings(v, f, why, why_size);
	default:
		return 0;
	}
}

int osv_json_check(json_t *obj, const struct osv_jfield *fields, char *why, size_t why_size)
{
	const struct osv_jfield *f;
	const char *key;
	json_t *v;

	json_object_foreach (obj, key, v) {
		f = find(fields, key);
		if (!f) {
			snprintf(why, why_size, "%.64s: unknown field", key);
			return -1;
		}
		if (check_one(v, f, why, why_size) < 0)
			return -1;
	}
	for (f = fields; f->name; f++)
		if (f->required && !json_object_get(obj, f->name)) {
			snprintf(why, why_size, "%s: missing", f->name);
			return -1;
		}
	return 0;
}

void osv_text_clean(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7F)
			*s = '?';
}
