/* libFuzzer target for the card image decoder: any bytes decode or are refused with a message; a decoded image
 * re-encodes to exactly the same bytes (the format has one canonical form). The first input byte picks the mode:
 * odd, the rest is an image as it is; even, the rest is an image body and the target appends its correct SHA-256,
 * so mutations reach the record parser behind the digest check. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <osmocom/core/talloc.h>

#include "../../uicc-applet/store_image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	void *ctx = talloc_named_const(NULL, 0, "fuzz");
	struct store_rec *recs;
	struct sg_error err;
	uint64_t gen;
	size_t n, len;
	uint8_t *again, *img;
	unsigned int md_len;

	if (size < 1)
		goto out;
	img = talloc_size(ctx, size - 1 + STORE_IMAGE_DIGEST);
	memcpy(img, data + 1, size - 1);
	size--;
	if ((data[0] & 1) == 0) {
		if (!EVP_Digest(img, size, img + size, &md_len, EVP_sha256(), NULL))
			abort();
		size += STORE_IMAGE_DIGEST;
	}
	data = img;
	err.msg[0] = '\0';
	if (store_image_decode(ctx, data, size, &gen, &recs, &n, &err) < 0) {
		if (strlen(err.msg) == 0)
			abort();
	} else {
		again = store_image_encode(ctx, gen, recs, n, &len);
		if (!again || len != size || memcmp(again, data, size) != 0)
			abort();
	}
out:
	talloc_free(ctx);
	return 0;
}
