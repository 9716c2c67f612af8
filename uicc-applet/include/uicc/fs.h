/* The UICC file system (ETSI TS 102 221 clause 8, TS 31.102 for ADF.USIM): MF, DFs, the USIM ADF and EFs with
 * their contents, FCP templates and access conditions. File contents are persistent: every update is committed to
 * the card's store (joining an open store transaction, so WIPE-like bulk changes can be made atomic).
 *
 * The functions here do no access-condition check: the APDU dispatcher checks them for the terminal (PIN state),
 * and remote file management decides for OTA sessions. They return ISO 7816 / TS 102 221 status words. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct uicc_fs;
struct uicc_file;

enum uicc_file_kind {
	UICC_FILE_MF,
	UICC_FILE_DF,
	UICC_FILE_ADF,
	UICC_FILE_TRANSPARENT,
	UICC_FILE_LINEAR_FIXED,
	UICC_FILE_CYCLIC,
};

/* Access conditions (a simplified view of TS 102 221 security attributes, enough for the files we carry). */
enum uicc_acc {
	UICC_ACC_ALWAYS,
	UICC_ACC_PIN1, /* PIN1 verified, or PIN1 disabled */
	UICC_ACC_ADM,  /* ADM1 verified, or a remote (OTA) session */
	UICC_ACC_NEVER,
};

enum uicc_file_op {
	UICC_OP_READ,
	UICC_OP_UPDATE,
	UICC_OP_ADMIN, /* DEACTIVATE / ACTIVATE */
};

#define UICC_FID_MF	 0x3F00
#define UICC_FID_CUR_ADF 0x7FFF /* "the current application" in paths and SELECT */
#define UICC_MAX_PATH	 8

/* ---- lookups ---- */
struct uicc_file *uicc_fs_mf(struct uicc_fs *fs);
/* ADF.USIM */
struct uicc_file *uicc_fs_usim(struct uicc_fs *fs);
/* Child of a DF/ADF by FID, or NULL. */
struct uicc_file *uicc_fs_child(const struct uicc_file *df, uint16_t fid);
/* Child of a DF/ADF by short file identifier (1..30), or NULL. */
struct uicc_file *uicc_fs_child_by_sfi(const struct uicc_file *df, uint8_t sfi);
/* Iterate a DF's children: index 0..n-1, NULL past the end. */
struct uicc_file *uicc_file_child_at(const struct uicc_file *df, size_t index);
/* By unique name: "MF", "EF.ICCID", "EF.DIR", "ADF.USIM", "EF.IMSI", "EF.AD", "EF.UST", "EF.LOCI", "EF.SMS",
 * "EF.SMSP", "EF.SMSS", "EF.MSISDN", "EF.SPN", "EF.ACC", "EF.KEYS", "EF.EST", "DF.TELECOM", "EF.ADN", ... */
struct uicc_file *uicc_fs_by_name(struct uicc_fs *fs, const char *name);
/* By absolute path: FIDs as bytes (2 per level), starting at 3F00 (or without it), 7FFF = ADF.USIM. */
struct uicc_file *uicc_fs_by_path(struct uicc_fs *fs, const uint8_t *path, size_t len);
/* By path text "3F00/7FFF/6F07" (also "3F007FFF6F07"). */
struct uicc_file *uicc_fs_by_path_str(struct uicc_fs *fs, const char *path);
/* ADF by full or partial (at least 5 bytes: RID + PIX start) AID. */
struct uicc_file *uicc_fs_by_aid(struct uicc_fs *fs, const uint8_t *aid, size_t len);

/* SELECT as TS 102 221 11.1.1 defines it, from the current DF cur_df with current ADF cur_adf (may be NULL):
 * p1 = 00 (FID: MF, children of the current DF, its parent, siblings, the current ADF by 7FFF), 04 (AID), 08 (path
 * from MF), 09 (path from current DF). Returns 9000 with *out set, or 6A82 (not found), 6A86 (bad P1), 6700
 * (length of the data does not fit the method). */
uint16_t uicc_fs_select(struct uicc_fs *fs, const struct uicc_file *cur_df, const struct uicc_file *cur_adf, uint8_t p1,
			const uint8_t *data, size_t len, struct uicc_file **out);

/* ---- properties ---- */
uint16_t uicc_file_fid(const struct uicc_file *f);
enum uicc_file_kind uicc_file_kind(const struct uicc_file *f);
bool uicc_file_is_df(const struct uicc_file *f); /* MF, DF, ADF */
const char *uicc_file_name(const struct uicc_file *f);
struct uicc_file *uicc_file_parent(const struct uicc_file *f);
uint8_t uicc_file_sfi(const struct uicc_file *f);      /* 0 when none */
size_t uicc_file_size(const struct uicc_file *f);      /* bytes (record files: rec_len * count) */
size_t uicc_file_rec_len(const struct uicc_file *f);   /* 0 for transparent */
size_t uicc_file_rec_count(const struct uicc_file *f); /* 0 for transparent */
enum uicc_acc uicc_file_acc(const struct uicc_file *f, enum uicc_file_op op);
bool uicc_file_active(const struct uicc_file *f);
/* AID of an ADF (NULL otherwise). */
const uint8_t *uicc_file_aid(const struct uicc_file *f, size_t *len);
/* Path from the MF as FID bytes (3F00 first); returns the byte count. */
size_t uicc_file_path(const struct uicc_file *f, uint8_t *out, size_t size);

/* The FCP template (62 ...) a SELECT returns for f. Returns its length, or 0 if size is too small. */
size_t uicc_fs_fcp(struct uicc_fs *fs, const struct uicc_file *f, uint8_t *out, size_t size);

/* ---- contents ----
 * Transparent EFs. read: offset beyond the end -> 6B00; fewer bytes left than asked -> the available bytes and
 * 6282 (end of file reached), except when want_max (Le = 00: "up to 256") where that is 9000. Wrong kind -> 6981. */
uint16_t uicc_fs_read_binary(struct uicc_fs *fs, const struct uicc_file *f, size_t offset, size_t len, bool want_max,
			     uint8_t *out, size_t *out_len);
/* update: offset beyond the end -> 6B00, data running past the end -> 6700. Persisted before 9000 is returned;
 * a store failure gives 6581 (memory problem). */
uint16_t uicc_fs_update_binary(struct uicc_fs *fs, const struct uicc_file *f, size_t offset, const uint8_t *data,
			       size_t len);
/* Record EFs, absolute record numbers 1..n (cyclic: 1 = most recently written). Not found -> 6A83;
 * wrong length on update -> 6700; wrong kind -> 6981. out receives rec_len bytes. */
uint16_t uicc_fs_read_record(struct uicc_fs *fs, const struct uicc_file *f, unsigned int rec, uint8_t *out,
			     size_t *out_len);
uint16_t uicc_fs_update_record(struct uicc_fs *fs, const struct uicc_file *f, unsigned int rec, const uint8_t *data,
			       size_t len);
/* Cyclic EF: write a new record 1 (the oldest is overwritten). */
uint16_t uicc_fs_append_cyclic(struct uicc_fs *fs, const struct uicc_file *f, const uint8_t *data, size_t len);
/* Overwrite a whole EF (all records) with one byte value, persisted as one step. */
uint16_t uicc_fs_fill(struct uicc_fs *fs, const struct uicc_file *f, uint8_t value);
/* DEACTIVATE / ACTIVATE FILE state (persisted). */
uint16_t uicc_fs_set_active(struct uicc_fs *fs, const struct uicc_file *f, bool active);
