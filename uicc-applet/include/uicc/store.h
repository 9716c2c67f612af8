/* The card's persistent memory: a transactional store of named records (e.g. "ota.counters", "antitheft.state",
 * "fs/EF.ADN") kept in one card image file. A commit is atomic and tear-safe: the whole new image is written to a
 * temporary file, fsync'd, renamed over the old image and the directory fsync'd, so a power cut at any point leaves
 * either the old image or the new one, never a mix. The image carries a SHA-256 digest; a damaged image is refused
 * with an error, never silently reset.
 *
 * Transactions nest: begin/commit pairs may be nested and only the outermost commit writes, so a caller can group
 * several updates (e.g. all records overwritten by WIPE, or a counter and the applet state) into one atomic step,
 * while helpers such as uicc_fs_update_binary() that commit on their own simply join it.
 * Reads see the open transaction's own changes. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "simguard/sg_error.h"

struct uicc_store;

#define UICC_STORE_NAME_MAX   63    /* record names: 1..63 of [A-Za-z0-9._/-] */
#define UICC_STORE_RECORD_MAX 65536 /* bytes per record */

/* Open (or prepare to create) the image at path; path NULL keeps the store in memory only (in-process tests and
 * benchmarks: same semantics, write points still counted, nothing survives the process). A leftover temporary file
 * from a cut commit is removed. Returns NULL with err for an unreadable or damaged image. talloc child of ctx. */
struct uicc_store *uicc_store_open(void *ctx, const char *path, struct sg_error *err);
void uicc_store_close(struct uicc_store *st);

/* True when no image existed at open: the owner initialises the records (nothing is on disk until a commit). */
bool uicc_store_is_new(const struct uicc_store *st);
/* Number of commits that reached the image since it was created (monotonic, persisted). */
uint64_t uicc_store_generation(const struct uicc_store *st);
/* True once a commit failed (I/O error or simulated power cut): like a card that lost power, the store refuses
 * everything until it is reopened from the image. */
bool uicc_store_failed(const struct uicc_store *st);

/* Look a record up. Returns 1 and sets *data / *len (valid until the next put/delete/commit/abort), 0 if absent. */
int uicc_store_get(const struct uicc_store *st, const char *name, const uint8_t **data, size_t *len);
/* Copy a record into buf of exactly len bytes. Returns 1, 0 if absent, -1 if its length differs. */
int uicc_store_get_exact(const struct uicc_store *st, const char *name, void *buf, size_t len);

/* Transactions. begin returns 0, or -1 when the store has failed. */
int uicc_store_begin(struct uicc_store *st);
/* Stage a record write / removal. -1 with no transaction open, an invalid name, an oversize record, or a failed
 * store. */
int uicc_store_put(struct uicc_store *st, const char *name, const void *data, size_t len);
int uicc_store_delete(struct uicc_store *st, const char *name);
/* End one level. The outermost commit makes the staged changes durable atomically; returns 0, or -1 with err
 * (I/O error, power cut, or a nested level aborted): then nothing of the transaction was kept. */
int uicc_store_commit(struct uicc_store *st, struct sg_error *err);
/* Drop the whole transaction (all levels); the outermost commit/abort closes it. */
void uicc_store_abort(struct uicc_store *st);
/* begin + put + commit */
int uicc_store_put_now(struct uicc_store *st, const char *name, const void *data, size_t len, struct sg_error *err);

/* ---- power-cut injection (tests) ----
 * A write point is every step of a commit that changes the disk: each write() of the temporary image, its fsync,
 * the rename and the directory fsync. uicc_store_cut_power_at(st, n) makes the n-th write point from now (0 = the
 * next one) fail as if power went away at that instant: a write there lands only partly, the commit returns -1 and
 * the store is failed. n < 0 disables it. */
void uicc_store_cut_power_at(struct uicc_store *st, long n);
/* Write points passed since open (for tests that want to know how many an operation has). */
unsigned long uicc_store_write_points(const struct uicc_store *st);
