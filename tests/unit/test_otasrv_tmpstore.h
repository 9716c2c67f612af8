/* A throw-away ota-server store for unit tests: a fresh SQLite database in its own mkdtemp directory under a
 * fixed master key, and its removal. Header-only (non-test .c files here would be linked into every test). */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <string.h>

#include <jansson.h>

#include "otasrv/cards_csv.h"
#include "otasrv/keybox.h"
#include "otasrv/store.h"

struct osv_tmpstore {
	char dir[64], path[96];
	struct osv_keybox kb;
	struct osv_store *s;
};

/* Open a store in a new directory named after prefix; NULL (err filled) when it cannot be made. */
static inline struct osv_store *osv_tmpstore_open(struct osv_tmpstore *t, const char *prefix, uint8_t key_byte,
						  struct sg_error *err)
{
	uint8_t master[32] = { key_byte };

	snprintf(t->dir, sizeof(t->dir), "/tmp/%s.XXXXXX", prefix);
	if (!mkdtemp(t->dir)) {
		snprintf(err->msg, sizeof(err->msg), "mkdtemp %s failed", t->dir);
		return NULL;
	}
	snprintf(t->path, sizeof(t->path), "%s/ota.db", t->dir);
	if (osv_keybox_init(&t->kb, master, err) < 0)
		return NULL;
	t->s = osv_store_open(t->path, &t->kb, "unit", err);
	return t->s;
}

/* Close the store and remove its directory; 0 when everything went. */
static inline int osv_tmpstore_close(struct osv_tmpstore *t)
{
	char cmd[128];

	osv_store_close(t->s);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	return system(cmd);
}

struct osv_tmpstore_import_ctx {
	struct osv_store *s;
	int64_t now;
};

static inline int osv_tmpstore_add_card(void *ctx, int line, struct osv_card_import *ci, struct sg_error *err)
{
	struct osv_tmpstore_import_ctx *x = ctx;

	return osv_card_insert(x->s, ci, x->now, err);
}

/* Import the cards of a CSV text (anti-theft TAR C10001, the given SPI by default) at time now; returns the
 * number imported (osv_csv_parse). */
static inline long osv_tmpstore_import(struct osv_store *s, const char *csv, uint8_t spi1, uint8_t spi2, int64_t now)
{
	struct osv_csv_defaults d = { .tar = { 0xC1, 0x00, 0x01 }, .spi = { spi1, spi2 } };
	struct osv_tmpstore_import_ctx x = { .s = s, .now = now };
	json_t *errors = json_array();
	long n = osv_csv_parse(csv, strlen(csv), &d, osv_tmpstore_add_card, &x, errors);

	json_decref(errors);
	return n;
}
