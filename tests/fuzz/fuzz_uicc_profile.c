/* libFuzzer target for the card-profile parser: any text is accepted as a profile or refused with a message naming
 * what is wrong; an accepted profile has its identities in range. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <osmocom/core/talloc.h>

#include "uicc/profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sg_error err;
	struct uicc_profile *p;

	err.msg[0] = '\0';
	p = uicc_profile_parse(NULL, (const char *)data, size, &err);
	if (!p) {
		if (strlen(err.msg) == 0)
			abort();
		return 0;
	}
	if (strlen(p->iccid) < 18 || strlen(p->imsi) < 6 || p->n_keysets > UICC_PROFILE_MAX_KEYSETS ||
	    p->sqn_ind_bits > 10 || p->atr_len > UICC_ATR_MAX)
		abort();
	for (size_t i = 0; i < p->n_keysets; i++)
		if (p->keysets[i].kvn < 1 || p->keysets[i].kvn > 15 || p->keysets[i].kic.len > 32)
			abort();
	talloc_free(p);
	return 0;
}
