/* Benchmark: anti-theft commands accepted, secured and committed per second by the OTA server's core on SQLite
 * with durable counters (WAL, synchronous=FULL, on disk): each command is authorised and stored with its audit
 * entry and owner notification (accept), then claimed, given a fresh counter and built into a secured AES packet
 * whose attempt row is committed (secure + commit). Grouped as the server groups them: a campaign stores its
 * commands in one transaction (here 1000), the dispatcher claims and secures one SMSC window (100) per
 * transaction. Baseline, same run: the same work with one transaction (one disk sync) per command and step.
 * Goal: >= 5,000 commands/s. Also printed per second of the process's CPU time, which other processes on a
 * shared machine do not shift. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "otasrv/cards_csv.h"
#include "otasrv/commands.h"
#include "otasrv/engine.h"
#include "otasrv/store.h"

#define N_CARDS 500
#define N_CMDS 20000
#define N_BASE 200
#define CAMPAIGN 1000
#define WINDOW 100
#define GOAL 5000.0

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double now_s(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

static int add_card(void *ctx, int line, struct osv_card_import *ci, struct sg_error *err)
{
	return osv_card_insert(ctx, ci, 1, err);
}

static struct osv_store *setup(const char *dir, struct osv_keybox *kb)
{
	static const char key[] = "000102030405060708090A0B0C0D0E0F";
	struct osv_csv_defaults d = { .tar = { 0xC1, 0x00, 0x01 }, .spi = { 0x16, 0x39 } };
	size_t cap = 200 + N_CARDS * 160, n;
	char *csv = malloc(cap), path[128];
	json_t *errors = json_array();
	struct sg_error err;
	struct osv_store *s;

	snprintf(path, sizeof(path), "%s/bench.db", dir);
	s = osv_store_open(path, kb, "bench", &err);
	if (!s || !csv) {
		fprintf(stderr, "bench: %s\n", s ? "out of memory" : err.msg);
		exit(1);
	}
	n = (size_t)snprintf(csv, cap, "ICCID,IMSI,MSISDN,KIC1,KID1,ALGO1\n");
	for (int i = 0; i < N_CARDS; i++)
		n += (size_t)snprintf(csv + n, cap - n, "894900000%010d,26201%010d,49170%06d,%s,%s,aes\n", i, i, i, key,
				      key);
	osv_store_begin(s, &err);
	if (osv_csv_parse(csv, n, &d, add_card, s, errors) != N_CARDS || osv_store_commit(s, &err) < 0) {
		fprintf(stderr, "bench: card import failed\n");
		exit(1);
	}
	free(csv);
	json_decref(errors);
	return s;
}

/* Accept one command the way the API does: authorise, store, audit. */
static void accept_one(struct osv_store *s, const struct osv_actor *a, int i, int64_t now)
{
	struct osv_audit_entry e = { .at = now, .actor = a->name, .client = "bench", .action = "POST commands",
				     .decision = "allowed", .status = 202 };
	json_t *body = json_pack("{s:s, s:s}", "command", "lock", "message", "Please return this phone");
	struct osv_outcome o;
	struct sg_error err;
	char iccid[24];

	snprintf(iccid, sizeof(iccid), "894900000%010d", i % N_CARDS);
	e.target = iccid;
	if (osv_command_request(s, a, iccid, body, now, 900, 0, &o, &err) < 0 || o.status != 202 ||
	    osv_audit_append(s, &e, &err) < 0) {
		fprintf(stderr, "bench: accept: %s %s\n", o.why, err.msg);
		exit(1);
	}
	json_decref(body);
}

/* Claim up to max due commands, secure them, commit. */
static int secure(struct osv_store *s, const struct osv_engine_cfg *cfg, int max, int64_t now,
		  struct osv_outgoing *out)
{
	struct sg_error err;
	int n = osv_engine_next(s, cfg, max, now, out, &err);

	if (n < 0) {
		fprintf(stderr, "bench: secure: %s\n", err.msg);
		exit(1);
	}
	return n;
}

/* Commands per second of wall time; *cpu_rate gets them per second of this process's CPU time (on a shared
 * machine the wall time also holds other processes' turns and the disk's sync latency). */
static double run(struct osv_store *s, int total, int batch, int window, struct osv_outgoing *out, double *cpu_rate)
{
	struct osv_actor a = { .kind = OSV_ACTOR_SUPERVISOR, .name = "operator:bench" };
	struct osv_engine_cfg cfg;
	struct sg_error err;
	int64_t now = time(NULL);
	int sent = 0;
	double t0 = now_s(), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);

	osv_engine_cfg_defaults(&cfg);
	for (int i = 0; i < total; i += batch) {
		osv_store_begin(s, &err);
		for (int j = 0; j < batch; j++)
			accept_one(s, &a, i + j, now);
		if (osv_store_commit(s, &err) < 0) {
			fprintf(stderr, "bench: commit: %s\n", err.msg);
			exit(1);
		}
		while (sent < i + batch)
			sent += secure(s, &cfg, window, now, out);
	}
	*cpu_rate = total / (clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0);
	return total / (now_s() - t0);
}

int main(void)
{
	char dir[] = "/tmp/bench_otasrv.XXXXXX", cmd[64];
	uint8_t master[32] = { 42 };
	struct osv_outgoing *out = calloc(WINDOW, sizeof(*out));
	struct osv_keybox kb;
	struct osv_store *s;
	struct sg_error err;
	double base, fast, base_cpu, fast_cpu;

	if (!mkdtemp(dir) || !out || osv_keybox_init(&kb, master, &err) < 0)
		return 1;
	s = setup(dir, &kb);
	base = run(s, N_BASE, 1, 1, out, &base_cpu);
	fast = run(s, N_CMDS, CAMPAIGN, WINDOW, out, &fast_cpu);
	printf("ota-server core, SQLite WAL synchronous=FULL, AES-128 keysets, %d cards:\n", N_CARDS);
	printf("  baseline, one transaction per command and step:  %8.0f commands/s  (%8.0f per CPU second)\n", base,
	       base_cpu);
	printf("  campaigns of %d, SMSC window of %d:            %8.0f commands/s  (%8.0f per CPU second)\n",
	       CAMPAIGN, WINDOW, fast, fast_cpu);
	printf("  ratio: %.1fx baseline (%.1fx per CPU second); goal >= %.0f/s: %s\n", fast / base, fast_cpu / base_cpu,
	       GOAL, fast >= GOAL ? "met" : "NOT met");
	osv_store_close(s);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	free(out);
	return 0;
}
