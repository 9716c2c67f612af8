/* libFuzzer target for the BER-TLV and COMPREHENSION-TLV readers: walk the input as BER-TLV and, inside every
 * BER object and over the whole input, as COMPREHENSION-TLV; re-encode what was read and check it reads back. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "simguard/tlv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_ctlv(const uint8_t *data, size_t size)
{
	static uint8_t out[0x10010];
	struct sg_tlv_reader r, back;
	struct sg_tlv t, t2;
	struct sg_tlv_writer w;
	struct sg_error err;

	sg_tlv_reader_init(&r, data, size);
	while (sg_ctlv_next(&r, &t, &err) > 0) {
		if (t.val < data || t.val + t.len > data + size)
			abort();
		sg_tlv_writer_init(&w, out, sizeof(out));
		sg_ctlv_put(&w, t.tag, t.cr, t.val, t.len);
		if (!sg_tlv_writer_ok(&w))
			abort();
		sg_tlv_reader_init(&back, out, w.len);
		if (sg_ctlv_next(&back, &t2, &err) != 1 || t2.tag != t.tag || t2.cr != t.cr || t2.len != t.len ||
		    memcmp(t2.val, t.val, t.len) != 0 || back.pos != w.len)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sg_tlv_reader r;
	struct sg_tlv t;
	struct sg_error err;
	int rc;

	sg_tlv_reader_init(&r, data, size);
	while ((rc = sg_ber_tlv_next(&r, &t, &err)) > 0)
		check_ctlv(t.val, t.len);
	if (rc < 0 && strlen(err.msg) == 0)
		abort();
	check_ctlv(data, size);
	return 0;
}
