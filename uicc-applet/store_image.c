/* Encoding and strict decoding of the card image file (format in store_image.h). The decoder trusts nothing:
 * every length is checked against the bytes present, and the digest is checked before any record is used. */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <osmocom/core/bit32gen.h>
#include <osmocom/core/bit64gen.h>
#include <osmocom/core/talloc.h>

#include "uicc/store.h"
#include "store_image.h"

int store_name_ok(const char *name)
{
	size_t n = strnlen(name, UICC_STORE_NAME_MAX + 1);

	if (n == 0 || n > UICC_STORE_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
		      c == '_' || c == '/' || c == '-'))
			return 0;
	}
	return 1;
}

static int digest(const uint8_t *buf, size_t len, uint8_t out[STORE_IMAGE_DIGEST])
{
	unsigned int n = 0;

	if (!EVP_Digest(buf, len, out, &n, EVP_sha256(), NULL) || n != STORE_IMAGE_DIGEST)
		return -1;
	return 0;
}

uint8_t *store_image_encode(void *ctx, uint64_t generation, const struct store_rec *recs, size_t n, size_t *out_len)
{
	size_t len = 8 + 4 + 8 + 4 + STORE_IMAGE_DIGEST;
	uint8_t *buf, *p;

	for (size_t i = 0; i < n; i++)
		len += 1 + strlen(recs[i].name) + 4 + recs[i].len;
	buf = talloc_size(ctx, len);
	if (!buf)
		return NULL;
	p = buf;
	memcpy(p, STORE_IMAGE_MAGIC, 8);
	p += 8;
	osmo_store32be(STORE_IMAGE_VERSION, p);
	p += 4;
	osmo_store64be(generation, p);
	p += 8;
	osmo_store32be(n, p);
	p += 4;
	for (size_t i = 0; i < n; i++) {
		size_t nl = strlen(recs[i].name);
		*p++ = nl;
		memcpy(p, recs[i].name, nl);
		p += nl;
		osmo_store32be(recs[i].len, p);
		p += 4;
		if (recs[i].len)
			memcpy(p, recs[i].data, recs[i].len);
		p += recs[i].len;
	}
	if (digest(buf, p - buf, p) < 0) {
		talloc_free(buf);
		return NULL;
	}
	*out_len = len;
	return buf;
}

static int decode_record(void *ctx, const uint8_t **pp, const uint8_t *end, struct store_rec *r, const char *prev,
			 size_t idx, struct sg_error *err)
{
	const uint8_t *p = *pp;
	size_t nl;
	uint32_t dl;

	if (end - p < 1)
		return sg_err(err, "card image: record %zu: truncated name length", idx);
	nl = *p++;
	if (nl == 0 || nl > UICC_STORE_NAME_MAX || (size_t)(end - p) < nl)
		return sg_err(err, "card image: record %zu: bad name length %zu", idx, nl);
	memcpy(r->name, p, nl);
	r->name[nl] = '\0';
	p += nl;
	if (strlen(r->name) != nl || !store_name_ok(r->name))
		return sg_err(err, "card image: record %zu: invalid name", idx);
	if (prev && strcmp(prev, r->name) >= 0)
		return sg_err(err, "card image: record '%s' out of order or duplicated", r->name);
	if (end - p < 4)
		return sg_err(err, "card image: record '%s': truncated length", r->name);
	dl = osmo_load32be(p);
	p += 4;
	if (dl > UICC_STORE_RECORD_MAX || (size_t)(end - p) < dl)
		return sg_err(err, "card image: record '%s': length %u runs past the image", r->name, dl);
	r->len = dl;
	r->data = dl ? talloc_memdup(ctx, p, dl) : NULL;
	if (dl && !r->data)
		return sg_err(err, "card image: out of memory");
	*pp = p + dl;
	return 0;
}

int store_image_decode(void *ctx, const uint8_t *buf, size_t len, uint64_t *generation, struct store_rec **recs,
		       size_t *n, struct sg_error *err)
{
	uint8_t md[STORE_IMAGE_DIGEST];
	const uint8_t *p, *end;
	uint32_t count;
	struct store_rec *r;

	if (len < 8 || memcmp(buf, STORE_IMAGE_MAGIC, 8) != 0)
		return sg_err(err, "card image: not a simguard card image (bad magic)");
	if (len < 8 + 4 + 8 + 4 + STORE_IMAGE_DIGEST)
		return sg_err(err, "card image: too short (%zu bytes)", len);
	if (digest(buf, len - STORE_IMAGE_DIGEST, md) < 0)
		return sg_err(err, "card image: cannot compute digest");
	if (CRYPTO_memcmp(md, buf + len - STORE_IMAGE_DIGEST, STORE_IMAGE_DIGEST) != 0)
		return sg_err(err, "card image: digest mismatch (damaged image)");
	if (osmo_load32be(buf + 8) != STORE_IMAGE_VERSION)
		return sg_err(err, "card image: unsupported format version %u", osmo_load32be(buf + 8));
	*generation = osmo_load64be(buf + 12);
	count = osmo_load32be(buf + 20);
	p = buf + 24;
	end = buf + len - STORE_IMAGE_DIGEST;
	/* each record takes at least 6 bytes: a count beyond that is a lie, refuse before allocating */
	if (count > (size_t)(end - p) / 6)
		return sg_err(err, "card image: record count %u does not fit the image", count);
	r = talloc_zero_array(ctx, struct store_rec, count ? count : 1);
	if (!r)
		return sg_err(err, "card image: out of memory");
	for (uint32_t i = 0; i < count; i++) {
		if (decode_record(r, &p, end, &r[i], i ? r[i - 1].name : NULL, i, err) < 0) {
			talloc_free(r);
			return -1;
		}
	}
	if (p != end) {
		talloc_free(r);
		return sg_err(err, "card image: %zu bytes after the last record", (size_t)(end - p));
	}
	*recs = r;
	*n = count;
	return 0;
}
