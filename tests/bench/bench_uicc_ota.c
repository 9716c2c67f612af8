/* Benchmark: OTA envelopes processed per second by the card in-process: ENVELOPE(SMS-PP DATA DOWNLOAD) with an
 * AES-128 secured packet (CMAC + AES-CBC, counter "higher", PoR with CMAC and ciphering) carrying 40 bytes for the
 * anti-theft applet (STATUS), then GET RESPONSE for the PoR — the whole receiving entity: envelope and TPDU
 * parsing, MSL and keyset checks, deciphering and checksum, the counter committed to the (in-memory) card image,
 * the applet, the PoR secured and returned.
 * Baseline, measured in the same run: sp_command_verify() alone on the same packets (the bare secured-packet
 * cost). Printed: both rates and their ratio; goal at least 200,000 envelopes per second (issue 4). A durable
 * on-disk image (one fsync'd commit per counter) is measured too, for information. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <osmocom/core/talloc.h>

#include "simguard/cat.h"
#include "simguard/hex.h"
#include "simguard/secured_packet.h"
#include "simguard/sms_tpdu.h"
#include "uicc/card.h"

#define PROFILE "uicc-applet/profiles/demo.json"
#define GOAL	200000.0
#define KIC_KEY "000102030405060708090A0B0C0D0E0F"
#define KID_KEY "101112131415161718191A1B1C1D1E1F"

struct env {
	uint8_t apdu[5 + CAT_PDU_MAX];
	size_t len;
	uint8_t pkt[160];
	size_t pkt_len;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *msg)
{
	fprintf(stderr, "bench: %s: %s\n", what, msg);
	exit(1);
}

static struct sp_keys keys(void)
{
	struct sp_keys k = { 0 };

	k.kic.len = (size_t)sg_hex_decode(KIC_KEY, k.kic.key, sizeof(k.kic.key), "kic", NULL);
	k.kid.len = (size_t)sg_hex_decode(KID_KEY, k.kid.key, sizeof(k.kid.key), "kid", NULL);
	return k;
}

/* 40 bytes of secured data: STAT, request id, origin, an (ignored) proof and a contact. */
static size_t status_command(uint32_t id, uint8_t *out)
{
	static const char tail[] = "800102" "8310000102030405060708090A0B0C0D0E0F" "82092B3132333435363738";
	size_t n = 8;

	memcpy(out, "STAT", 4);
	for (int i = 0; i < 4; i++)
		out[4 + i] = (uint8_t)(id >> (24 - 8 * i));
	n += (size_t)sg_hex_decode(tail, out + n, 64, "tail", NULL);
	return n;
}

static void build(struct env *e, uint64_t cntr, const struct sp_keys *k)
{
	struct sp_cmd_hdr h = { .spi = { 0x16, 0x19 }, .kic = 0x22, .kid = 0x22, .tar = { 0xC1, 0x00, 0x01 }, .cntr = cntr };
	struct sms_addr oa = { .ton = 1, .npi = 1, .digits = "49170123456" };
	static const uint8_t scts[7] = { 0x52, 0x10, 0x10, 0x21, 0x00, 0x00, 0x00 };
	uint8_t data[64], ud[SMS_UD_MAX] = { 0x02, 0x70, 0x00 }, tpdu[SMS_TPDU_MAX];
	size_t dl = status_command((uint32_t)cntr, data), tl;
	struct sg_error err;
	struct cat_buf b;

	if (dl != 40)
		die("command", "not 40 bytes");
	if (sp_command_build(&h, data, dl, k, SP_DIALECT_SMS, e->pkt, sizeof(e->pkt), &e->pkt_len, &err) < 0)
		die("packet", err.msg);
	memcpy(ud + 3, e->pkt, e->pkt_len);
	if (sms_ota_deliver_build(&oa, scts, ud, e->pkt_len + 3, tpdu, sizeof(tpdu), &tl, &err) < 0 ||
	    cat_build_sms_pp_download(&b, NULL, tpdu, tl, &err) < 0)
		die("envelope", err.msg);
	memcpy(e->apdu, "\x80\xC2\x00\x00", 4);
	e->apdu[4] = (uint8_t)b.len;
	memcpy(e->apdu + 5, b.data, b.len);
	e->len = 5 + b.len;
}

static struct uicc_card *open_card(const char *image)
{
	struct sg_error err;
	struct uicc_card *card = uicc_card_open(NULL, PROFILE, image, &err);

	if (!card)
		die("card", err.msg);
	uicc_card_power_on(card);
	return card;
}

/* ENVELOPE + GET RESPONSE for each prepared envelope; every one must give a PoR. Returns envelopes/s. */
static double run_card(struct uicc_card *card, const struct env *envs, long n)
{
	static const uint8_t get_response[5] = { 0x00, 0xC0, 0x00, 0x00, 0x00 };
	uint8_t rsp[UICC_RSP_MAX];
	double t0 = now_s();

	for (long i = 0; i < n; i++) {
		size_t len = sizeof(rsp);
		int sw = uicc_card_apdu(card, envs[i].apdu, envs[i].len, rsp, &len);
		if ((sw >> 8) != 0x61) {
			fprintf(stderr, "bench: envelope %ld answered %04X\n", i, sw);
			exit(1);
		}
		len = sizeof(rsp);
		sw = uicc_card_apdu(card, get_response, sizeof(get_response), rsp, &len);
		if (sw != 0x9000 || len < 30) {
			fprintf(stderr, "bench: PoR %ld: SW %04X, %zu bytes\n", i, sw, len);
			exit(1);
		}
	}
	return n / (now_s() - t0);
}

static double run_verify(const struct env *envs, long n, const struct sp_keys *k)
{
	uint8_t plain[SP_MAX_PACKET];
	struct sp_command cmd;
	double t0 = now_s();

	for (long i = 0; i < n; i++)
		if (sp_command_verify(envs[i].pkt, envs[i].pkt_len, SP_DIALECT_SMS, k, &cmd, plain, sizeof(plain), NULL) !=
		    SP_VERDICT_OK)
			die("verify", "packet refused");
	return n / (now_s() - t0);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 200000, n_disk = 300;
	struct sp_keys k = keys();
	struct env *envs = calloc((size_t)n, sizeof(*envs));
	char dir[] = "/tmp/sg-bench-ota.XXXXXX", image[64], path[96];
	struct uicc_card *card;
	double base, ota, disk;

	if (!envs || n < 1000)
		die("setup", "need at least 1000 envelopes");
	for (long i = 0; i < n; i++)
		build(&envs[i], (uint64_t)i + 1, &k);

	card = open_card(NULL);
	run_card(card, envs, 1000); /* warm-up on a card of its own */
	uicc_card_free(card);
	base = run_verify(envs, n, &k);
	card = open_card(NULL);
	ota = run_card(card, envs, n);
	uicc_card_free(card);

	if (!mkdtemp(dir))
		die("mkdtemp", dir);
	snprintf(image, sizeof(image), "%s/card.img", dir);
	card = open_card(image);
	disk = run_card(card, envs, n_disk);
	uicc_card_free(card);
	snprintf(path, sizeof(path), "%s.lock", image);
	unlink(path);
	unlink(image);
	rmdir(dir);

	printf("bare sp_command_verify (AES, 40 bytes)    %10.0f /s  (baseline)\n", base);
	printf("OTA envelopes, in-memory card image        %10.0f /s  ratio %.2f of baseline, goal %.0f /s: %s\n", ota,
	       ota / base, GOAL, ota >= GOAL ? "met" : "NOT met");
	printf("OTA envelopes, durable on-disk card image  %10.0f /s  (one fsync'd commit per counter)\n", disk);
	sp_keys_cleanse(&k);
	free(envs);
	return 0;
}
