/* libFuzzer target for the command APDU parser: any input parses or fails with a message; a parsed short APDU
 * rebuilds to exactly the input bytes, and a status word built from the input always gets a description. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "simguard/apdu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct apdu a;
	struct apdu_buf b;
	struct sg_error err;
	char sw[128];

	err.msg[0] = '\0';
	if (apdu_parse(data, size, &a, &err) < 0) {
		if (strlen(err.msg) == 0)
			abort();
	} else {
		if (a.lc && (a.data < data || a.data + a.lc > data + size))
			abort();
		if (!a.extended) {
			/* the short form is canonical: rebuilding gives the same bytes */
			if (apdu_build(&b, &a, &err) < 0 || b.len != size || memcmp(b.bytes, data, size) != 0)
				abort();
		}
	}
	if (size >= 2 && strlen(apdu_sw_describe((uint16_t)(data[0] << 8 | data[1]), sw, sizeof(sw))) < 5)
		abort();
	return 0;
}
