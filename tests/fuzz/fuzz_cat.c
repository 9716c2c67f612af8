/* libFuzzer target for the CAT decoder (proactive commands, terminal responses, envelopes) and its JSON rendering:
 * any input decodes or names the rule it breaks; every object points inside the input; a valid proactive command
 * gets a TERMINAL RESPONSE that itself decodes as valid. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <osmocom/core/talloc.h>

#include "simguard/cat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void answer(const struct cat_decoded *d)
{
	struct cat_decoded *back;
	struct cat_tr tr;
	struct cat_buf b;
	struct sg_error err;

	cat_tr_init(&tr, d, d->valid ? CAT_RES_OK : d->tr_result);
	if (cat_build_terminal_response(&b, &tr, &err) < 0)
		abort();
	if (cat_decode(NULL, b.data, b.len, &back, &err) < 0)
		abort();
	if (back->type != d->type || back->number != d->number || back->qualifier != d->qualifier)
		abort();
	talloc_free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cat_decoded *d;
	struct sg_error err;
	unsigned int i;
	json_t *j;
	char *s;
	int rc;

	rc = cat_decode(NULL, data, size, &d, &err);
	if (!d)
		return 0;
	if ((rc < 0) != !d->valid || (rc < 0 && strlen(d->error) == 0))
		abort();
	for (i = 0; i < d->n_objs; i++) {
		const struct cat_obj *o = &d->objs[i];

		if (o->val < data || o->val + o->len > data + size || o->offset >= size)
			abort();
	}
	j = cat_decoded_to_json(d);
	s = json_dumps(j, JSON_COMPACT);
	if (!s)
		abort();
	free(s);
	json_decref(j);
	if (d->kind == CAT_KIND_PROACTIVE && d->has_details)
		answer(d);
	talloc_free(d);
	return 0;
}
