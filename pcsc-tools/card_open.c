/* Opening a card by name: the scheme picks the backend (kept apart from card_access.c so that code which only
 * transmits does not pull in every backend and its libraries). */
#include <string.h>

#include "pcsct/card_access.h"

int pcsct_card_open(void *ctx, const char *spec, struct pcsct_card **out, struct sg_error *err)
{
	static const struct {
		const char *prefix;
		int (*open)(void *ctx, const char *arg, struct pcsct_card **out, struct sg_error *err);
	} schemes[] = {
		{"pcsc:", pcsct_pcsc_open},
		{"sim:", pcsct_sim_open},
		{"replay:", pcsct_replay_open},
	};
	size_t i;

	*out = NULL;
	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		size_t n = strlen(schemes[i].prefix);

		if (strncmp(spec, schemes[i].prefix, n) == 0)
			return schemes[i].open(ctx, spec + n, out, err);
	}
	return sg_err(err, "card '%s': expected pcsc:READER-SUBSTRING, sim:PROFILE[,IMAGE] or replay:FILE", spec);
}
