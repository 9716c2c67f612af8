/* Strict reading of JSON request bodies: size limit, one object at top level, no duplicate keys, every field
 * known and of the right type and range. Errors are one line naming the field, for a 400 answer. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

enum osv_jtype {
	OSV_J_STRING,
	OSV_J_INT,
	OSV_J_BOOL,
	OSV_J_STRINGS, /* array of strings */
};

struct osv_jfield {
	const char *name;
	enum osv_jtype type;
	bool required;
	int64_t min, max; /* string: length in bytes; int: value; strings: number of items (each <= 64 bytes) */
};

/* Parse a request body into an object. NULL with why (e.g. "body: line 1, column 7: unexpected token"). */
json_t *osv_json_body(const char *buf, size_t len, size_t max, char *why, size_t why_size);

/* Check obj against fields (terminated by a NULL name). 0, or -1 with why naming the field. */
int osv_json_check(json_t *obj, const struct osv_jfield *fields, char *why, size_t why_size);

/* Make text that may echo outside bytes safe for a JSON string and a log line: every byte outside printable
 * ASCII becomes '?'. */
void osv_text_clean(char *s);
