/* libFuzzer target for the ota-server's card CSV import: header and line splitting, every column's parser, the
 * per-line error report. Invariants: a reported error names a line inside the file, a card that passes has the
 * required fields and keys whose lengths fit their algorithm. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "otasrv/cards_csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int lines;

static int check_card(void *ctx, int line, struct osv_card_import *ci, struct sg_error *err)
{
	if (!ci->card.iccid[0] || !ci->card.imsi[0] || !ci->card.msisdn[0] || ci->n_ks < 1 ||
	    ci->n_ks > OSV_MAX_KVN || line < 2 || line > lines)
		abort();
	for (int i = 0; i < ci->n_ks; i++)
		if (ci->ks[i].kic.len == 0 || ci->ks[i].kic.len > 32 || ci->ks[i].kid.len == 0 ||
		    ci->ks[i].counter > SP_CNTR_MAX)
			abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct osv_csv_defaults d = { .tar = { 0xC1, 0, 1 }, .spi = { 0x16, 0x39 } };
	json_t *errors = json_array(), *e;
	size_t i;
	long n;

	lines = 1;
	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	n = osv_csv_parse((const char *)data, size, &d, check_card, NULL, errors);
	if (n < 0 && json_array_size(errors) == 0)
		abort();
	json_array_foreach (errors, i, e) {
		json_int_t line = json_integer_value(json_object_get(e, "line"));

		if (line < 0 || line > lines || !json_string_length(json_object_get(e, "error")))
			abort();
	}
	json_decref(errors);
	return 0;
}
