/* A card profile: everything that makes one simulated UICC a particular card (identities, network and OTA keys,
 * PINs, the TAR table, initial file contents, policies). Read from a JSON file (specs/card-profile.md); the
 * mutable state that grows out of it (counters, PIN retries, file contents, applet state) lives in the card image
 * (store.h), not here. Key bytes are cleansed when the profile is freed and never logged. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "simguard/sg_error.h"

#define UICC_PROFILE_MAX_KEYSETS 15
#define UICC_ATR_MAX		 33

/* KIc / KID algorithm codes as in the low nibble of the KIc / KID byte (TS 102 225 5.1.2; secured-packets.md §3).
 * A packet's KIc/KID low nibble must equal the keyset's code. */
#define UICC_KIC_DES_CBC       0x01
#define UICC_KIC_3DES2_CBC     0x05
#define UICC_KIC_3DES3_CBC     0x09
#define UICC_KIC_DES_ECB       0x0D
#define UICC_KIC_AES_CBC       0x02
#define UICC_KID_DES_CBC_MAC   0x01
#define UICC_KID_3DES2_CBC_MAC 0x05
#define UICC_KID_3DES3_CBC_MAC 0x09
#define UICC_KID_AES_CMAC      0x02

struct uicc_key {
	uint8_t bytes[32];
	size_t len; /* 0: key absent */
};

/* One OTA keyset (SCP80), selected by the key version number in the high nibble of KIc / KID. */
struct uicc_keyset {
	uint8_t kvn;	 /* 1..15 */
	uint8_t kic_alg; /* UICC_KIC_* */
	struct uicc_key kic;
	uint8_t kid_alg; /* UICC_KID_* */
	struct uicc_key kid;
	struct uicc_key kik; /* key-loading key (optional) */
};

/* Initial value of one OTA counter. Counters belong to a keyset; has_tar narrows one to (keyset, TAR) for
 * receiving entities that keep counters per TAR. */
struct uicc_profile_counter {
	uint8_t kvn;
	bool has_tar;
	uint8_t tar[3];
	uint64_t value; /* 40 bits */
};

/* One entry of the TAR -> application table. */
struct uicc_profile_tar {
	uint8_t tar[3];
	const char *app;   /* "antitheft", "rfm-usim", "rfm-uicc", ... (the toolkit side knows the names) */
	uint8_t msl;	   /* minimum security level, coded like SPI1 (TS 102 226) */
	uint16_t kvn_mask; /* bit n set: keyset n may be used with this TAR; 0 = any keyset */
};

/* What the card sends back for an OTA security failure (wrong checksum, counter refused, unknown TAR, below MSL).
 * Never a PoR secured with the card's keys. */
enum uicc_error_por {
	UICC_ERROR_POR_NONE = 0,  /* nothing: the ENVELOPE ends 9000 with no data (default, safest) */
	UICC_ERROR_POR_UNSECURED, /* an unsecured PoR (no checksum, not ciphered) carrying a status code */
};

/* Initial contents of one file, by name ("EF.ADN") or path ("3F00/7F10/6F3A"). */
struct uicc_profile_file {
	const char *name; /* as written in the profile */
	uint8_t *data;	  /* transparent EF: body (may be shorter than the file; the rest stays FF) */
	size_t len;
	uint8_t **records; /* record EF: records[i] is record i+1 (may be shorter than the record length) */
	size_t *record_lens;
	size_t n_records;
	long size;	   /* optional override of the file size (transparent) or -1 */
	long record_count; /* optional override of the number of records or -1 */
};

struct uicc_profile {
	char iccid[21];	 /* 18..20 digits (Luhn check digit included) */
	char imsi[16];	 /* 6..15 digits */
	char msisdn[21]; /* optional; "" when absent */
	char spn[17];	 /* optional service provider name */
	uint8_t atr[UICC_ATR_MAX];
	size_t atr_len;

	/* 3G authentication (Milenage) */
	uint8_t k[16];
	uint8_t opc[16];	   /* given as OPc, or derived from OP at load */
	unsigned int sqn_ind_bits; /* IND length of the SQN array (TS 33.102 C.3.2), default 5 */

	/* PIN1 / PUK1 (ASCII digits, 4..8), ADM1 (8 bytes; optional) */
	char pin1[9];
	char puk1[9];
	bool pin1_enabled;
	uint8_t pin1_tries; /* retry counter maximum, default 3 */
	uint8_t puk1_tries; /* default 10 */
	uint8_t adm1[8];
	bool has_adm1;

	/* OTA */
	struct uicc_keyset keysets[UICC_PROFILE_MAX_KEYSETS];
	size_t n_keysets;
	struct uicc_profile_counter *counters;
	size_t n_counters;
	struct uicc_profile_tar *tars;
	size_t n_tars;
	enum uicc_error_por error_por;

	struct uicc_profile_file *files;
	size_t n_files;

	/* Per-application settings ("apps": {"antitheft": {...}}), kept as parsed for the toolkit side. Owned by
	 * the profile. */
	json_t *apps;
};

/* Parse a profile. All problems are reported with the JSON path of the offending field, e.g.
 * "keysets[0].kic.key: AES needs 16, 24 or 32 bytes". talloc child of ctx. */
struct uicc_profile *uicc_profile_load(void *ctx, const char *path, struct sg_error *err);
struct uicc_profile *uicc_profile_parse(void *ctx, const char *json_text, size_t len, struct sg_error *err);

/* The Luhn check digit (0..9) that completes the n digits at digits (an ICCID without its last digit). */
uint8_t uicc_luhn_digit(const char *digits, size_t n);

/* Lookups (NULL when absent). */
const struct uicc_keyset *uicc_profile_keyset(const struct uicc_profile *p, uint8_t kvn);
const struct uicc_profile_tar *uicc_profile_tar(const struct uicc_profile *p, const uint8_t tar[3]);
/* The "apps" section of one application (borrowed reference), NULL when the profile has none. */
json_t *uicc_profile_app(const struct uicc_profile *p, const char *app);
/* Initial counter for (kvn, tar): a per-TAR entry wins over the keyset's entry; 0 when the profile has neither. */
uint64_t uicc_profile_counter(const struct uicc_profile *p, uint8_t kvn, const uint8_t tar[3]);
