/* OTA counters of the receiving entity, kept in the card image: one per keyset, or per keyset and TAR where the
 * card profile keeps a counter for that TAR (uicc_profile_counter). The first value comes from the profile. */
#include <string.h>

#include "uicc/card.h"
#include "uicc/ota_re.h"
#include "uicc/profile.h"
#include "uicc/store.h"

static bool per_tar(const struct uicc_profile *p, uint8_t kvn, const uint8_t tar[3])
{
	for (size_t i = 0; i < p->n_counters; i++) {
		const struct uicc_profile_counter *c = &p->counters[i];
		if (c->kvn == kvn && c->has_tar && c->tar[0] == tar[0] && c->tar[1] == tar[1] && c->tar[2] == tar[2])
			return true;
	}
	return false;
}

/* "ota.cntr.<kvn>[.<TAR>]" without printf: this runs for every packet. */
static void record_name(const struct uicc_profile *p, uint8_t kvn, const uint8_t tar[3], char *out, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	char *o = out;

	if (size < 20)
		return;
	memcpy(o, "ota.cntr.", 9);
	o += 9;
	if (kvn >= 100)
		*o++ = (char)('0' + kvn / 100);
	if (kvn >= 10)
		*o++ = (char)('0' + kvn / 10 % 10);
	*o++ = (char)('0' + kvn % 10);
	if (per_tar(p, kvn, tar)) {
		*o++ = '.';
		for (int i = 0; i < 3; i++) {
			*o++ = hex[tar[i] >> 4];
			*o++ = hex[tar[i] & 0x0F];
		}
	}
	*o = '\0';
}

static uint64_t be64(const uint8_t *b)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

uint64_t ota_re_counter(struct uicc_card *card, uint8_t kvn, const uint8_t tar[3])
{
	const struct uicc_profile *p = uicc_card_profile(card);
	uint8_t buf[8];
	char name[32];

	record_name(p, kvn, tar, name, sizeof(name));
	if (uicc_store_get_exact(uicc_card_store(card), name, buf, sizeof(buf)) == 1)
		return be64(buf);
	return uicc_profile_counter(p, kvn, tar);
}

/* Commit a new counter value; 0 or -1 (card image failed). */
int ota_re_counter_commit(struct uicc_card *card, uint8_t kvn, const uint8_t tar[3], uint64_t value,
			  struct sg_error *err)
{
	uint8_t buf[8];
	char name[32];

	record_name(uicc_card_profile(card), kvn, tar, name, sizeof(name));
	for (int i = 7; i >= 0; i--, value >>= 8)
		buf[i] = value & 0xFF;
	return uicc_store_put_now(uicc_card_store(card), name, buf, sizeof(buf), err);
}
