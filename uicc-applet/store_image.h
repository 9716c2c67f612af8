/* Card image file format shared by the store's encoder and decoder (private to store*.c).
 *
 * Layout (all integers big-endian):
 *   "SGUICC01"  magic, 8 bytes
 *   u32         format version (1)
 *   u64         generation (commits since the image was created)
 *   u32         number of records
 *   records, sorted by name: u8 name length, name, u32 data length, data
 *   SHA-256 over everything before it, 32 bytes */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "simguard/sg_error.h"

#define STORE_IMAGE_MAGIC   "SGUICC01"
#define STORE_IMAGE_VERSION 1
#define STORE_IMAGE_DIGEST  32

struct store_rec {
	char name[64];
	uint8_t *data; /* talloc, may be NULL when len == 0 */
	size_t len;
};

/* Serialise records (sorted) into a talloc buffer under ctx. NULL on allocation failure. */
uint8_t *store_image_encode(void *ctx, uint64_t generation, const struct store_rec *recs, size_t n, size_t *out_len);

/* Parse an image. Records are allocated under ctx; *recs is a talloc array. -1 with err naming the problem. */
int store_image_decode(void *ctx, const uint8_t *buf, size_t len, uint64_t *generation, struct store_rec **recs,
		       size_t *n, struct sg_error *err);

/* Valid record name: 1..63 of [A-Za-z0-9._/-]. */
int store_name_ok(const char *name);
