/* Benchmark: secured command packets built and verified per second, AES-128 (CBC + CMAC) and 3DES two-key
 * (CBC + CBC-MAC) at 40 and 140 bytes of data, against a baseline measured in the same run: the bare OpenSSL
 * primitives on the same bytes (EVP CBC over the ciphered part plus the MAC over the checksum input, contexts and
 * algorithms reused, keys set per packet as a server with many cards must). The library runs twice: as it comes
 * (key schedules wiped after every call) and as a bulk sender runs it (wiped once per batch of BATCH packets).
 * Goals: library overhead at most 1.5x the bare primitives; at least 1,000,000 AES builds/s per core at 40 bytes.
 * Prints a table; asserts nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "simguard/ota_crypto.h"
#include "simguard/secured_packet.h"

#define SLICE_SECONDS 0.04
#define ROUNDS 12
#define BATCH 200
#define GOAL_RATIO 1.5
#define GOAL_AES_BUILDS 1000000.0

struct config {
	const char *name;
	uint8_t kic, kid;
	size_t keylen;
	const char *cipher, *mac_cipher; /* bare primitives: EVP cipher, and the CMAC cipher (NULL: CBC-MAC) */
	size_t data_len;
};

static const struct config configs[] = {
	{ "AES-128 CBC+CMAC", 0x22, 0x22, 16, "AES-128-CBC", "AES-128-CBC", 40 },
	{ "AES-128 CBC+CMAC", 0x22, 0x22, 16, "AES-128-CBC", "AES-128-CBC", 140 },
	{ "3DES-2K CBC+CBC-MAC", 0x15, 0x15, 16, "DES-EDE-CBC", NULL, 40 },
	{ "3DES-2K CBC+CBC-MAC", 0x15, 0x15, 16, "DES-EDE-CBC", NULL, 140 },
};

struct bench {
	const struct config *cfg;
	struct sp_keys keys;
	struct sp_cmd_hdr hdr;
	uint8_t data[256], pkt[SP_MAX_PACKET], plain[SP_MAX_PACKET];
	size_t pkt_len;
	/* bare primitives */
	EVP_CIPHER *evp;
	EVP_CIPHER_CTX *ctx;
	EVP_MAC_CTX *cmac;
	uint8_t mac_in[SP_MAX_PACKET], scratch[SP_MAX_PACKET];
	size_t mac_len, ct_len;
	unsigned long sink;
};

/* CPU time of this thread: other processes on a busy machine do not count against either side. */
static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *msg)
{
	fprintf(stderr, "bench_secured_packet: %s: %s\n", what, msg);
	exit(1);
}

static void op_build(struct bench *b)
{
	struct sg_error err;
	size_t n;

	b->hdr.cntr++;
	if (sp_command_build(&b->hdr, b->data, b->cfg->data_len, &b->keys, SP_DIALECT_SMS, b->pkt, sizeof(b->pkt), &n,
			     &err) < 0)
		die("build", err.msg);
	b->sink += b->pkt[n - 1];
}

static void op_verify(struct bench *b)
{
	struct sp_command cmd;
	struct sg_error err;

	if (sp_command_verify(b->pkt, b->pkt_len, SP_DIALECT_SMS, &b->keys, &cmd, b->plain, sizeof(b->plain), &err) !=
	    SP_VERDICT_OK)
		die("verify", err.msg);
	b->sink += cmd.data_len;
}

/* The same cryptographic work as one packet: the MAC over the checksum input, CBC over the ciphered part. */
static void bare(struct bench *b, int enc)
{
	static const uint8_t zero_iv[16];
	uint8_t tag[16];
	size_t tl;
	int n;

	if (b->cmac) {
		if (!EVP_MAC_init(b->cmac, b->keys.kid.key, b->keys.kid.len, NULL) ||
		    !EVP_MAC_update(b->cmac, b->mac_in, b->mac_len) || !EVP_MAC_final(b->cmac, tag, &tl, sizeof(tag)))
			die("bare", "CMAC");
	} else {
		if (!EVP_EncryptInit_ex2(b->ctx, NULL, b->keys.kid.key, zero_iv, NULL) ||
		    !EVP_EncryptUpdate(b->ctx, b->scratch, &n, b->mac_in, (int)b->mac_len))
			die("bare", "CBC-MAC");
		tag[0] = b->scratch[n - 1];
	}
	if (!EVP_CipherInit_ex2(b->ctx, NULL, b->keys.kic.key, zero_iv, enc, NULL) ||
	    !EVP_CipherUpdate(b->ctx, b->scratch, &n, b->pkt + 10, (int)b->ct_len))
		die("bare", "CBC");
	b->sink += tag[0] + b->scratch[0];
}

static void op_bare_build(struct bench *b)
{
	bare(b, 1);
}

static void op_bare_verify(struct bench *b)
{
	bare(b, 0);
}

/* Operations per second over one slice of SLICE_SECONDS; batch: the library wipes key schedules once per BATCH
 * operations instead of after each. */
static double slice(struct bench *b, void (*op)(struct bench *), bool batch)
{
	double t0 = now_s(), t;
	unsigned long n = 0;

	ota_crypto_scrub_each_call(!batch);
	do {
		int i;

		for (i = 0; i < BATCH; i++)
			op(b);
		if (batch)
			ota_crypto_scrub();
		n += BATCH;
		t = now_s() - t0;
	} while (t < SLICE_SECONDS);
	ota_crypto_scrub_each_call(true);
	return n / t;
}

struct rates {
	double each, batch, bare;
};

/* The library (both ways) and the baseline take turns slice by slice; the best slice of each counts, so a
 * disturbance hits all sides alike rather than one run. */
static struct rates measure(struct bench *b, void (*lib)(struct bench *), void (*base)(struct bench *))
{
	struct rates r = { 0, 0, 0 };
	int i;

	for (i = 0; i < ROUNDS; i++) {
		double e = slice(b, lib, false), x = slice(b, lib, true), y = slice(b, base, false);

		r.each = e > r.each ? e : r.each;
		r.batch = x > r.batch ? x : r.batch;
		r.bare = y > r.bare ? y : r.bare;
	}
	return r;
}

static double print_row(const char *name, size_t data_len, size_t pkt_len, const char *op, struct rates r)
{
	printf("%-20s %4zu %4zu  %-6s %11.0f %11.0f %11.0f %8.2fx %8.2fx\n", name, data_len, pkt_len, op, r.each,
	       r.batch, r.bare, r.bare / r.each, r.bare / r.batch);
	return r.bare / r.batch;
}

static void setup(struct bench *b, const struct config *cfg)
{
	OSSL_PARAM params[2];
	struct sg_error err;
	size_t i;

	memset(b, 0, sizeof(*b));
	b->cfg = cfg;
	for (i = 0; i < cfg->keylen; i++) {
		b->keys.kic.key[i] = (uint8_t)(0x40 + i);
		b->keys.kid.key[i] = (uint8_t)(0x50 + i);
	}
	b->keys.kic.len = b->keys.kid.len = cfg->keylen;
	b->hdr = (struct sp_cmd_hdr){ { 0x16, 0x39 }, cfg->kic, cfg->kid, { 0xC1, 0x00, 0x01 }, 0 };
	for (i = 0; i < cfg->data_len; i++)
		b->data[i] = (uint8_t)i;
	if (sp_command_build(&b->hdr, b->data, cfg->data_len, &b->keys, SP_DIALECT_SMS, b->pkt, sizeof(b->pkt),
			     &b->pkt_len, &err) < 0)
		die("setup", err.msg);
	/* checksum input: 16 header bytes + data + padding (rounded up to the MAC block for CBC-MAC); the
	 * ciphered part: everything after the 10 clear bytes */
	b->ct_len = b->pkt_len - 10;
	b->mac_len = b->pkt_len - 8;
	if (!cfg->mac_cipher)
		b->mac_len = (b->mac_len + 7) / 8 * 8;
	memcpy(b->mac_in, b->pkt, b->mac_len);
	b->evp = EVP_CIPHER_fetch(NULL, cfg->cipher, NULL);
	b->ctx = EVP_CIPHER_CTX_new();
	if (!b->evp || !b->ctx || !EVP_CipherInit_ex2(b->ctx, b->evp, b->keys.kic.key, NULL, 1, NULL) ||
	    !EVP_CIPHER_CTX_set_padding(b->ctx, 0))
		die("setup", "cipher context");
	if (cfg->mac_cipher) {
		EVP_MAC *mac = EVP_MAC_fetch(NULL, "CMAC", NULL);

		b->cmac = mac ? EVP_MAC_CTX_new(mac) : NULL;
		EVP_MAC_free(mac);
		params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, (char *)cfg->mac_cipher, 0);
		params[1] = OSSL_PARAM_construct_end();
		if (!b->cmac || !EVP_MAC_CTX_set_params(b->cmac, params))
			die("setup", "CMAC context");
	}
}

static void teardown(struct bench *b)
{
	EVP_MAC_CTX_free(b->cmac);
	EVP_CIPHER_CTX_free(b->ctx);
	EVP_CIPHER_free(b->evp);
	sp_keys_cleanse(&b->keys);
}

int main(void)
{
	static struct bench b;
	size_t i;
	double aes40_build = 0, aes40_each = 0, worst = 0, ratio;

	printf("secured packets, one thread, per CPU second (best of %d interleaved slices)\n"
	       "each-call: the library as it comes, key schedules wiped after every call; batch: wiped once per %d\n"
	       "packets (ota_crypto_scrub_each_call(false) + ota_crypto_scrub()); bare: OpenSSL EVP CBC + MAC on the\n"
	       "same bytes, contexts reused, nothing wiped. ratio = library cost / bare cost\n",
	       ROUNDS, BATCH);
	printf("%-20s %4s %4s  %-6s %11s %11s %11s %9s %9s\n", "algorithms", "data", "pkt", "op", "each-call/s",
	       "batch/s", "bare/s", "each", "batch");
	for (i = 0; i < sizeof(configs) / sizeof(configs[0]); i++) {
		const struct config *c = &configs[i];
		struct rates build, verify;

		setup(&b, c);
		build = measure(&b, op_build, op_bare_build);
		b.hdr.cntr = 0;
		op_build(&b);
		verify = measure(&b, op_verify, op_bare_verify);
		ratio = print_row(c->name, c->data_len, b.pkt_len, "build", build);
		worst = ratio > worst ? ratio : worst;
		ratio = print_row("", c->data_len, b.pkt_len, "verify", verify);
		worst = ratio > worst ? ratio : worst;
		if (i == 0) {
			aes40_build = build.batch;
			aes40_each = build.each;
		}
		teardown(&b);
	}
	printf("goal: overhead <= %.1fx the bare primitives (batch): worst %.2fx (%s)\n", GOAL_RATIO, worst,
	       worst <= GOAL_RATIO ? "met" : "NOT met");
	printf("goal: >= %.0f AES builds/s at 40 bytes: %.0f batch (%s), %.0f each-call\n", GOAL_AES_BUILDS,
	       aes40_build, aes40_build >= GOAL_AES_BUILDS ? "met" : "NOT met", aes40_each);
	return 0;
}
