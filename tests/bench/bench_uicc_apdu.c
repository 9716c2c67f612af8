/* Benchmark: APDUs per second through the card engine in-process (uicc_card_apdu), against a baseline measured in
 * the same run: the same command bytes only parsed (apdu_parse) and copied into a response, i.e. the cost of
 * touching an APDU at all. Mixes: reads (SELECT by path, READ BINARY, STATUS), UPDATE BINARY on an in-memory image
 * and on a durable on-disk image (fsync'd commit per update), AUTHENTICATE (Milenage), and a bare store commit of
 * one counter record (what an OTA envelope pays for persistence).
 * Goal: reads at least 200,000 APDU/s, i.e. 40x what pcscd + vpcd can carry (~5,000 APDU/s, recipe §5). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <osmocom/core/talloc.h>
#include <osmocom/crypt/auth.h>

#include "simguard/apdu.h"
#include "simguard/hex.h"
#include "uicc/card.h"
#include "uicc/store.h"

#define PROFILE	   "uicc-applet/profiles/demo.json"
#define GOAL_READS 200000.0

struct cmd {
	uint8_t b[64];
	size_t len;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct cmd mk(const char *hex)
{
	struct cmd c;
	long n = sg_hex_decode(hex, c.b, sizeof(c.b), "apdu", NULL);

	if (n < 0)
		abort();
	c.len = n;
	return c;
}

static struct uicc_card *open_card(const char *image)
{
	struct sg_error err;
	struct uicc_card *card = uicc_card_open(NULL, PROFILE, image, &err);
	uint8_t rsp[UICC_RSP_MAX];
	size_t len = sizeof(rsp);
	struct cmd pin = mk("002000010831323334FFFFFFFF"), usim = mk("00A4040C07A0000000871002");

	if (!card) {
		fprintf(stderr, "bench: %s\n", err.msg);
		exit(1);
	}
	uicc_card_power_on(card);
	uicc_card_apdu(card, pin.b, pin.len, rsp, &len);
	len = sizeof(rsp);
	uicc_card_apdu(card, usim.b, usim.len, rsp, &len);
	return card;
}

/* Run the command list round-robin n times; returns APDUs per second. Every answer must be the expected SW. */
static double run(struct uicc_card *card, const struct cmd *cmds, const int *sws, size_t ncmds, long n)
{
	uint8_t rsp[UICC_RSP_MAX];
	double t0 = now_s();

	for (long i = 0; i < n; i++) {
		const struct cmd *c = &cmds[i % ncmds];
		size_t len = sizeof(rsp);
		int sw = uicc_card_apdu(card, c->b, c->len, rsp, &len);
		if (sw != sws[i % ncmds]) {
			fprintf(stderr, "bench: APDU %zu answered %04X, expected %04X\n", (size_t)(i % ncmds), sw,
				sws[i % ncmds]);
			exit(1);
		}
	}
	return n / (now_s() - t0);
}

static double baseline(const struct cmd *cmds, size_t ncmds, long n)
{
	uint8_t rsp[UICC_RSP_MAX];
	volatile size_t sink = 0;
	double t0 = now_s();

	for (long i = 0; i < n; i++) {
		const struct cmd *c = &cmds[i % ncmds];
		struct apdu a;
		if (apdu_parse(c->b, c->len, &a, NULL) < 0)
			abort();
		memcpy(rsp, c->b, c->len);
		rsp[c->len] = 0x90;
		sink += rsp[a.lc % c->len];
	}
	(void)sink;
	return n / (now_s() - t0);
}

static double store_commits(long n)
{
	struct uicc_store *st = uicc_store_open(NULL, NULL, NULL);
	uint8_t counter[16] = {0};
	double t0 = now_s();

	for (long i = 0; i < n; i++) {
		counter[0] = i;
		if (uicc_store_put_now(st, "ota.counters", counter, sizeof(counter), NULL) < 0)
			abort();
	}
	t0 = n / (now_s() - t0);
	uicc_store_close(st);
	return t0;
}

static double authenticate(struct uicc_card *card, long n)
{
	struct osmo_sub_auth_data aud = {
		.type = OSMO_AUTH_TYPE_UMTS,
		.algo = OSMO_AUTH_ALG_MILENAGE,
		.u.umts = {.sqn = 0, .ind_bitlen = 5},
	};
	struct cmd *cmds = calloc(n, sizeof(*cmds));
	uint8_t rand[16] = {1}, rsp[UICC_RSP_MAX];
	char r[33], a[33], hex[128];
	double t0;

	sg_hex_decode("465B5CE8B199B49FAA5F0A2EE238A6BC", aud.u.umts.k, 16, "k", NULL);
	sg_hex_decode("CD63CB71954A9F4E48A5994E37A02BAF", aud.u.umts.opc, 16, "opc", NULL);
	for (long i = 0; i < n; i++) {
		struct osmo_auth_vector vec;
		rand[1] = i;
		if (osmo_auth_gen_vec(&vec, &aud, rand) < 0)
			abort();
		snprintf(hex, sizeof(hex), "008800812210%s10%s", sg_hex_encode(rand, 16, r, sizeof(r)),
			 sg_hex_encode(vec.autn, 16, a, sizeof(a)));
		cmds[i] = mk(hex);
	}
	t0 = now_s();
	for (long i = 0; i < n; i++) {
		size_t len = sizeof(rsp);
		if (uicc_card_apdu(card, cmds[i].b, cmds[i].len, rsp, &len) != 0x6135)
			abort();
	}
	t0 = n / (now_s() - t0);
	free(cmds);
	return t0;
}

int main(void)
{
	const struct cmd reads[] = {mk("00A4080C047FFF6F07"), mk("00B0000009"), mk("80F2000C"), mk("00A4080C022FE2"),
				    mk("00B000000A")};
	const int read_sws[] = {0x9000, 0x9000, 0x9000, 0x9000, 0x9000};
	const struct cmd updates[] = {mk("00A4080C047FFF6F7E"), mk("00D600000B0102030405060708090A0B")};
	const int update_sws[] = {0x9000, 0x9000};
	char dir[] = "/tmp/sg-bench-uicc.XXXXXX", image[64], cmd[96];
	struct uicc_card *mem, *disk;
	double base, rd, upd_mem, upd_disk, auth, commits;

	if (!mkdtemp(dir))
		return 1;
	snprintf(image, sizeof(image), "%s/card.img", dir);
	mem = open_card(NULL);
	disk = open_card(image);
	base = baseline(reads, 5, 5000000);
	rd = run(mem, reads, read_sws, 5, 2000000);
	upd_mem = run(mem, updates, update_sws, 2, 200000);
	upd_disk = run(disk, updates, update_sws, 2, 400);
	auth = authenticate(mem, 20000);
	commits = store_commits(1000000);
	uicc_card_free(mem);
	uicc_card_free(disk);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench: could not remove %s\n", dir);

	printf("bench_uicc_apdu: card engine in-process, demo profile\n");
	printf("  baseline (apdu_parse + copy, same bytes):    %12.0f APDU/s\n", base);
	printf("  reads (SELECT path, READ BINARY, STATUS):    %12.0f APDU/s  (%.3f x baseline, goal %.0f/s: %s)\n", rd,
	       rd / base, GOAL_READS, rd >= GOAL_READS ? "met" : "NOT met");
	printf("  SELECT + UPDATE BINARY, in-memory image:     %12.0f APDU/s  (%.3f x baseline)\n", upd_mem,
	       upd_mem / base);
	printf("  SELECT + UPDATE BINARY, fsync'd disk image:  %12.0f APDU/s  (%.2g x baseline)\n", upd_disk,
	       upd_disk / base);
	printf("  AUTHENTICATE 3G (Milenage, SQN commit):      %12.0f APDU/s  (%.3f x baseline)\n", auth, auth / base);
	printf("  store commit of one counter (in memory):     %12.0f commits/s (%.3f x baseline)\n", commits,
	       commits / base);
	return 0;
}
