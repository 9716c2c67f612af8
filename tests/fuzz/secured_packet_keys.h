/* Fixed keys for the secured packet fuzz targets: the ones tests/vectors/gen_secured_packets.sh uses, so seeds
 * taken from the vectors verify and the fuzzer starts deep inside the codec. The first input byte picks the
 * dialect (bit 0) and the AES key sizes of KIc (bits 2-1) and KID (bits 4-3): 0 = 16, 1 = 24, else 32 bytes. */
#pragma once

#include <string.h>

#include "simguard/secured_packet.h"

static const uint8_t fz_kic_des[8] = { 0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF };
static const uint8_t fz_kid_des[8] = { 0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10 };
static const uint8_t fz_kic_3des3[24] = { 0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF, 0xFE, 0xDC, 0xBA, 0x98,
					  0x76, 0x54, 0x32, 0x10, 0x89, 0xAB, 0xCD, 0xEF, 0x01, 0x23, 0x45, 0x67 };
static const uint8_t fz_kid_3des3[24] = { 0xF0, 0xE1, 0xD2, 0xC3, 0xB4, 0xA5, 0x96, 0x87, 0x78, 0x69, 0x5A, 0x4B,
					  0x3C, 0x2D, 0x1E, 0x0F, 0x0F, 0x1E, 0x2D, 0x3C, 0x4B, 0x5A, 0x69, 0x78 };

/* 3DES two-key keys are 40..4F (KIc) / 50..5F (KID); AES keys count up from 00 (KIc) or 10/20/30 (KID). */
static void fz_counting_key(struct sp_key *k, uint8_t first, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		k->key[i] = (uint8_t)(first + i);
	k->len = len;
}

static size_t fz_aes_len(unsigned sel)
{
	return sel == 0 ? 16 : sel == 1 ? 24 : 32;
}

/* The key a KIc/KID algorithm nibble needs (for a KID also under an RC, where no key is used). */
static void fz_key(struct sp_key *k, uint8_t id, bool kid, unsigned aes_sel)
{
	switch (id & 0x0F) {
	case 0x1:
	case 0xD:
		memcpy(k->key, kid ? fz_kid_des : fz_kic_des, 8);
		k->len = 8;
		break;
	case 0x5:
		fz_counting_key(k, kid ? 0x50 : 0x40, 16);
		break;
	case 0x9:
		memcpy(k->key, kid ? fz_kid_3des3 : fz_kic_3des3, 24);
		k->len = 24;
		break;
	case 0x2:
		fz_counting_key(k, kid ? (uint8_t)(0x10 * (aes_sel + 1)) : 0, fz_aes_len(aes_sel));
		break;
	default:
		k->len = 0;
	}
}

static void fz_keys(struct sp_keys *keys, uint8_t sel, uint8_t kic, uint8_t kid)
{
	memset(keys, 0, sizeof(*keys));
	fz_key(&keys->kic, kic, false, (sel >> 1) & 3);
	fz_key(&keys->kid, kid, true, (sel >> 3) & 3);
}
