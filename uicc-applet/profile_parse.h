/* Helpers shared by the card-profile parser's files (private to profile*.c). Every helper reports errors with the
 * JSON path of the field ("ota.keysets[1].kid.key: ..."). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "simguard/sg_error.h"

struct uicc_profile;

/* Only the listed keys may appear in obj (NULL-terminated list); catches typos in hand-written profiles. */
int pp_only_keys(const json_t *obj, const char *path, const char *const *allowed, struct sg_error *err);
/* obj[key] must be an object (or absent when !required: *out = NULL). */
int pp_object(const json_t *obj, const char *key, const char *path, bool required, json_t **out, struct sg_error *err);
int pp_array(const json_t *obj, const char *key, const char *path, bool required, json_t **out, struct sg_error *err);
/* A string field; absent -> *out = NULL when !required. */
int pp_string(const json_t *obj, const char *key, const char *path, bool required, const char **out,
	      struct sg_error *err);
/* Digits only, length within [min, max]; copied NUL-terminated into out. */
int pp_digits(const json_t *obj, const char *key, const char *path, bool required, size_t min, size_t max, char *out,
	      struct sg_error *err);
/* Hex string of up to max bytes; absent -> *out_len = 0 when !required. */
int pp_hex(const json_t *obj, const char *key, const char *path, bool required, uint8_t *out, size_t max,
	   size_t *out_len, struct sg_error *err);
/* A bare JSON value that must be a hex string; 'what' names it in errors. */
int pp_hex_value(const json_t *v, const char *what, uint8_t *out, size_t max, size_t *out_len, struct sg_error *err);
/* Integer within [min, max]; absent -> def when !required. */
int pp_int(const json_t *obj, const char *key, const char *path, bool required, long long min, long long max,
	   long long def, long long *out, struct sg_error *err);
/* A byte given as a JSON integer (0..255) or as two hex digits ("16"). */
int pp_byte(const json_t *obj, const char *key, const char *path, bool required, uint8_t def, uint8_t *out,
	    struct sg_error *err);
int pp_bool(const json_t *obj, const char *key, const char *path, bool def, bool *out, struct sg_error *err);

/* Sections of the profile, one file each */
int profile_parse_ota(struct uicc_profile *p, const json_t *ota, struct sg_error *err);
int profile_parse_files(struct uicc_profile *p, const json_t *files, struct sg_error *err);
