/* Card data import from CSV, with pySim's card-data column names as the model: ICCID, IMSI, MSISDN,
 * KIC1/KID1/KIK1 ... KIC15/KID15/KIK15 (hex keys), plus ours: ALGO<n> (aes, 3des2, 3des3, des), CNTR<n> (last
 * counter used, decimal), TAR (hex, 3 bytes), SPI (hex, 2 bytes), KVN (keyset for commands), DIALECT (sms, ussd).
 * pySim columns we deliberately do not keep (KI, OPC, ADM1, PINs ...) are accepted and dropped; any other
 * column is an error. The first line is the header; fields may be double-quoted (RFC 4180). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "otasrv/store.h"

#define OSV_CSV_MAX_LINE 4096
#define OSV_CSV_MAX_FIELDS 64

/* Values for columns a file leaves out. */
struct osv_csv_defaults {
	uint8_t tar[3];
	uint8_t spi[2];
	enum sp_dialect dialect;
};

/* Header: column index -> meaning. */
struct osv_csv_header {
	int n;
	int16_t col[OSV_CSV_MAX_FIELDS]; /* enum in cards_csv.c */
	int8_t kvn[OSV_CSV_MAX_FIELDS];
	char names[OSV_CSV_MAX_FIELDS][16];
};

/* Split one line (no line end) into at most max fields, NUL-terminating them inside buf (a copy the caller owns).
 * Returns the number of fields, or -1 with err (unterminated quote, too many fields, stray quote). */
int osv_csv_split(char *buf, char **fields, int max, struct sg_error *err);

/* Read the header line. 0, or -1 with err naming the bad column. */
int osv_csv_header_parse(char *line, struct osv_csv_header *h, struct sg_error *err);

/* Turn one data line into a card. 0, or -1 with err naming the column and the problem. Keys in ci are secret:
 * cleanse it after use. */
int osv_csv_card(char *line, const struct osv_csv_header *h, const struct osv_csv_defaults *d,
		 struct osv_card_import *ci, struct sg_error *err);

/* Parse a whole file: calls add() for each good line (in order); bad lines are reported in errors as
 * {"line": N, "error": "..."}. Returns the number of good lines, or -1 when the header or the file is unusable
 * (errors holds why). Stops collecting after 100 errors. */
typedef int (*osv_csv_add_fn)(void *ctx, int line, struct osv_card_import *ci, struct sg_error *err);
long osv_csv_parse(const char *text, size_t len, const struct osv_csv_defaults *d, osv_csv_add_fn add, void *ctx,
		   json_t *errors);
