/* libFuzzer target for what cards send the ota-server: the anti-theft applet's result data in a PoR
 * (RESULT || TLVs) and handset-change reports (HSCH || REPORT-ID || TLVs). They arrive from phones, so any
 * bytes must decode or be refused with a reason, never read past the end. */
#include <stdint.h>
#include <stdlib.h>

#include "otasrv/antitheft.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sg_error err = { "" };
	json_t *r = osv_at_result_decode(data, size, &err);

	if (!r && !err.msg[0])
		abort();
	json_decref(r);
	err.msg[0] = '\0';
	r = osv_at_report_decode(data, size, &err);
	if (!r && !err.msg[0])
		abort();
	json_decref(r);
	return 0;
}
