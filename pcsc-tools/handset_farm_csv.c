/* handset-farm --cards-csv: the ota-server card import (specs/ota-server.md, "Card import") for the farm's range,
 * so that the server and the cards agree: identities as the farm makes them, keys and algorithms from the profile
 * every card is made from. */
#include <stdio.h>
#include <string.h>

#include <talloc.h>

#include "pcsct/handset_farm.h"
#include "simguard/hex.h"
#include "uicc/profile.h"

static const char *algo_name(uint8_t alg)
{
	switch (alg) {
	case UICC_KIC_AES_CBC:
		return "aes";
	case UICC_KIC_3DES2_CBC:
		return "3des2";
	case UICC_KIC_3DES3_CBC:
		return "3des3";
	case UICC_KIC_DES_CBC:
		return "des";
	default:
		return NULL;
	}
}

static int header(FILE *out, const struct uicc_profile *p, struct sg_error *err)
{
	size_t k;

	fprintf(out, "ICCID,IMSI,MSISDN");
	for (k = 0; k < p->n_keysets; k++) {
		if (!algo_name(p->keysets[k].kic_alg) || p->keysets[k].kic_alg != p->keysets[k].kid_alg)
			return sg_err(err, "keyset %u: ota-server's import needs KIc and KID of one algorithm (CBC)",
				      p->keysets[k].kvn);
		fprintf(out, ",KIC%u,KID%u,ALGO%u", p->keysets[k].kvn, p->keysets[k].kvn, p->keysets[k].kvn);
	}
	fprintf(out, ",SPI,KVN\n");
	return 0;
}

int farm_cards_csv(const struct farm *f, FILE *out, const char *spi, int kvn, struct sg_error *err)
{
	const struct uicc_profile *p = f->profile;
	char kic[65], kid[65];
	struct farm_identity id;
	unsigned long i;
	size_t k;
	int rc = -1;

	if (kvn <= 0)
		kvn = p->n_keysets ? p->keysets[p->n_keysets - 1].kvn : 1;
	if (header(out, p, err) < 0)
		goto out;
	for (i = 0; i < f->cfg.count; i++) {
		if (farm_identity(&f->cfg, i, &id, err) < 0)
			goto out;
		fprintf(out, "%s,%s,%s", id.iccid, id.imsi, id.msisdn);
		for (k = 0; k < p->n_keysets; k++) {
			const struct uicc_keyset *ks = &p->keysets[k];

			fprintf(out, ",%s,%s,%s", sg_hex_encode(ks->kic.bytes, ks->kic.len, kic, sizeof(kic)),
				sg_hex_encode(ks->kid.bytes, ks->kid.len, kid, sizeof(kid)), algo_name(ks->kic_alg));
		}
		fprintf(out, ",%s,%d\n", spi, kvn);
	}
	rc = 0;
out:
	explicit_bzero(kic, sizeof(kic));
	explicit_bzero(kid, sizeof(kid));
	return rc;
}
