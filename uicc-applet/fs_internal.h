/* Internals of the UICC file system shared by fs*.c and the card core (not part of the public API in uicc/fs.h). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uicc/fs.h"
#include "simguard/sg_error.h"

struct uicc_store;
struct uicc_profile;

#define FS_MAX_FILES 48
#define FS_AID_MAX   16

struct uicc_file {
	struct uicc_fs *fs;
	const char *name;
	uint16_t fid;
	enum uicc_file_kind kind;
	uint8_t sfi;
	struct uicc_file *parent;
	struct uicc_file *children[16];
	size_t n_children;
	uint8_t aid[FS_AID_MAX];
	size_t aid_len;
	size_t size;	  /* transparent: body size */
	size_t rec_len;	  /* record EFs */
	size_t rec_count; /* record EFs */
	enum uicc_acc acc[3];
	uint8_t arr_rec; /* record of EF.ARR holding this file's access rule */
	bool active;	 /* life cycle of a new card's file (afterwards the store has it) */
	uint8_t *body;	 /* size bytes (record EFs: rec_len * rec_count, record 1 first) */
	char store_name[32];
};

struct uicc_fs {
	struct uicc_store *store;
	struct uicc_file *mf, *usim;
	struct uicc_file *files[FS_MAX_FILES];
	size_t n_files;
	bool pin1_enabled; /* for the PIN status template in DF FCPs */
	bool has_adm1;
};

/* Build the file tree of the card (fs_layout.c): structure from the built-in layout, contents from the store when
 * the image exists, else from the profile, staged into the store (the caller has a transaction open and commits
 * it). Returns NULL with err naming the profile entry or image record at fault. */
struct uicc_fs *fs_build(void *ctx, const struct uicc_profile *p, struct uicc_store *st, struct sg_error *err);

/* Default contents derived from the profile's identities (fs_content_defaults.c). */
int fs_fill_defaults(struct uicc_fs *fs, const struct uicc_profile *p, struct sg_error *err);
/* Apply the profile's "files" entries. */
int fs_apply_profile(struct uicc_fs *fs, const struct uicc_profile *p, struct sg_error *err);
/* Access rules (fs_arr.c): fs_build_arr gives every file its EF.ARR record and sizes the EF.ARR files (before
 * bodies are allocated); fs_arr_fill writes the rules into them. */
int fs_build_arr(struct uicc_fs *fs, struct sg_error *err);
void fs_arr_fill(struct uicc_fs *fs);

/* Persistence of file bodies and activation state (fs_persist.c). */
int fs_persist_all(struct uicc_fs *fs);
int fs_load_all(struct uicc_fs *fs, struct sg_error *err);
/* Write f's body (and state) to the store, joining an open transaction. 0 or -1. */
int fs_persist_file(struct uicc_fs *fs, const struct uicc_file *f);

/* Encoders used for default contents (fs_codec.c). Return the bytes written. */
size_t fs_encode_iccid(const char *digits, uint8_t out[10]);
size_t fs_encode_imsi(const char *digits, uint8_t out[9]);
/* Dialling number (ADN/MSISDN style): BCD number with TON/NPI, into the 14 trailing bytes of a record. */
int fs_encode_dialling(const char *number, uint8_t out[14]);
