/* The handset's own user data (contacts, notes) kept on its "flash" as one AES-256-GCM sealed file. The key is not
 * stored with it: the handset obtains it from the anti-theft applet at each power-up, so when the card destroys
 * the key (remote WIPE) the file can no longer be opened by anyone. */
#pragma once

#include <stdint.h>

#include <jansson.h>

#include "simguard/sg_error.h"

#define PCSCT_UD_KEY_LEN 32

enum pcsct_ud_result {
	PCSCT_UD_ERROR = -1,	/* I/O error or malformed file (err says which) */
	PCSCT_UD_OK = 0,	/* opened with this key */
	PCSCT_UD_ABSENT = 1,	/* no file yet */
	PCSCT_UD_WRONG_KEY = 2, /* the file exists but this key does not open it (or it was tampered with) */
};

/* Open the sealed file at path. On PCSCT_UD_OK *data is the decoded JSON object (caller json_decref). */
enum pcsct_ud_result pcsct_user_data_load(const char *path, const uint8_t key[PCSCT_UD_KEY_LEN], json_t **data,
					  struct sg_error *err);

/* Seal data (a JSON object) with key under a fresh random nonce and replace the file atomically (write to a
 * temporary file, fsync, rename). Returns 0 or -1 with err. */
int pcsct_user_data_save(const char *path, const uint8_t key[PCSCT_UD_KEY_LEN], const json_t *data,
			 struct sg_error *err);

/* The object a new handset starts with: {"contacts": [], "notes": []}. */
json_t *pcsct_user_data_new(void);
