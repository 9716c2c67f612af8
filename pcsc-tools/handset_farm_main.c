/* handset-farm: N simulated handsets, each with its own simulated UICC made lazily from one profile, behind one
 * SMPP bind to sms-gateway's lab route (see pcsct/handset_farm.h and specs/handset-sim.md "handset-farm"). For load
 * tests of the whole OTA chain where one handset-sim per card does not scale. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <talloc.h>

#include "pcsct/handset_farm.h"

#define BIND_TIMEOUT_MS 3000
#define BACKOFF_MAX_S	30

static volatile int g_stop;
static volatile int g_stats;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		g_stats = 1;
	else
		g_stop = 1;
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: handset-farm --profile FILE --msisdn FIRST [options]\n"
		"Simulated handsets with simulated UICCs (made from one profile on the first message for each), all\n"
		"behind one SMPP bind to sms-gateway's lab route. Handset i (0..COUNT-1) has MSISDN FIRST+i, ICCID\n"
		"(ICCID+i, Luhn digit recomputed), IMSI IMSI+i; keys and everything else from the profile.\n"
		"\n"
		"  -p, --profile FILE      card profile (JSON, specs/card-profile.md)\n"
		"  -m, --msisdn FIRST      the first handset's number (digits)\n"
		"  -n, --count N           handsets in the range (default 1)\n"
		"      --iccid FIRST       the first card's ICCID with its Luhn digit (default: the profile's)\n"
		"      --imsi FIRST        the first card's IMSI (default: the profile's)\n"
		"      --pin PIN           PIN1 verified at power-up when the card asks for it (default: none)\n"
		"      --imei IMEI         the terminal's IMEI (15 digits; default 123456789012345)\n"
		"  -s, --smpp HOST:PORT    sms-gateway (default 127.0.0.1:2776)\n"
		"  -w, --password PW       the gateway's lab-password (needed to bind)\n"
		"      --range PREFIX      system_id of the bind (default: the common prefix of the first and last\n"
		"                          MSISDN); the gateway routes every number under it here\n"
		"      --precreate         make every card before binding (else on the first message for it)\n"
		"      --cards-csv         print ota-server's card import CSV for the range and exit\n"
		"      --spi HEX           SPI column of the CSV (default 1619: PoR in the SMS-DELIVER-REPORT)\n"
		"      --kvn N             KVN column of the CSV (default: the profile's last keyset)\n"
		"  -v, --verbose           log every download and proactive command on stderr\n"
		"  -h, --help              this text\n"
		"\n"
		"Counters are printed as one JSON line on stdout on SIGUSR1 and at exit (SIGTERM / SIGINT: unbind,\n"
		"exit 0). Exit status: 0 ok, 1 the farm could not run, 2 usage error.\n");
}

struct opts {
	struct farm_cfg cfg;
	bool csv;
	bool precreate;
	char spi[5];
	int kvn;
	bool verbose;
};

static int parse_hostport(const char *arg, struct farm_cfg *cfg)
{
	const char *colon = strrchr(arg, ':');
	char *end;
	long port;

	if (!colon || colon == arg || (size_t)(colon - arg) >= sizeof(cfg->smpp_host))
		return -1;
	port = strtol(colon + 1, &end, 10);
	if (*end || port <= 0 || port > 65535)
		return -1;
	snprintf(cfg->smpp_host, sizeof(cfg->smpp_host), "%.*s", (int)(colon - arg), arg);
	cfg->smpp_port = (uint16_t)port;
	return 0;
}

/* copy arg into a fixed field; -1 when it does not fit */
static int set_str(char *dst, size_t size, const char *arg)
{
	return snprintf(dst, size, "%s", arg) >= (int)size ? -1 : 0;
}

/* The long option behind getopt's value c (every option has one), for error messages. */
static const char *long_name(const struct option *lo, int c)
{
	for (; lo->name; lo++)
		if (lo->val == c)
			return lo->name;
	return "?";
}

static int parse_opt(struct opts *o, int c, const char *arg)
{
	struct farm_cfg *cfg = &o->cfg;
	char *end;

	switch (c) {
	case 'p':
		return set_str(cfg->profile, sizeof(cfg->profile), arg);
	case 'm':
		return set_str(cfg->msisdn_first, sizeof(cfg->msisdn_first), arg);
	case 'n':
		cfg->count = strtoul(arg, &end, 10);
		return *end || !arg[0] ? -1 : 0;
	case 'I':
		return set_str(cfg->iccid_first, sizeof(cfg->iccid_first), arg);
	case 'M':
		return set_str(cfg->imsi_first, sizeof(cfg->imsi_first), arg);
	case 'P':
		return set_str(cfg->pin, sizeof(cfg->pin), arg);
	case 'E':
		return strlen(arg) != 15 || strspn(arg, "0123456789") != 15
			       ? -1
			       : set_str(cfg->me.imei, sizeof(cfg->me.imei), arg);
	case 's':
		return parse_hostport(arg, cfg);
	case 'w':
		return set_str(cfg->smpp_password, sizeof(cfg->smpp_password), arg);
	case 'r':
		return strspn(arg, "0123456789") != strlen(arg) ? -1 : set_str(cfg->range, sizeof(cfg->range), arg);
	case 'C':
		o->csv = true;
		return 0;
	case 'A':
		o->precreate = true;
		return 0;
	case 'S':
		return strlen(arg) != 4 || strspn(arg, "0123456789abcdefABCDEF") != 4
			       ? -1
			       : set_str(o->spi, sizeof(o->spi), arg);
	case 'K':
		o->kvn = (int)strtol(arg, &end, 10);
		return *end || o->kvn < 1 || o->kvn > 15 ? -1 : 0;
	case 'v':
		o->verbose = true;
		return 0;
	default:
		return -1;
	}
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{"profile", 1, NULL, 'p'},   {"msisdn", 1, NULL, 'm'},	  {"count", 1, NULL, 'n'},
		{"iccid", 1, NULL, 'I'},     {"imsi", 1, NULL, 'M'},	  {"pin", 1, NULL, 'P'},
		{"imei", 1, NULL, 'E'},	     {"smpp", 1, NULL, 's'},	  {"password", 1, NULL, 'w'},
		{"range", 1, NULL, 'r'},     {"cards-csv", 0, NULL, 'C'}, {"spi", 1, NULL, 'S'},
		{"precreate", 0, NULL, 'A'}, {"kvn", 1, NULL, 'K'},	  {"verbose", 0, NULL, 'v'},
		{"help", 0, NULL, 'h'},	     {NULL, 0, NULL, 0},
	};
	int c;

	while ((c = getopt_long(argc, argv, "p:m:n:s:w:vh", lo, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			exit(0);
		}
		if (parse_opt(o, c, optarg) < 0) {
			if (c != '?')
				fprintf(stderr, "handset-farm: bad value for --%s: '%s'\n", long_name(lo, c),
					optarg ? optarg : "");
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "handset-farm: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (!o->cfg.profile[0] || !o->cfg.msisdn_first[0]) {
		fprintf(stderr, "handset-farm: --profile and --msisdn are needed (--help)\n");
		return -1;
	}
	if (!o->csv && !o->cfg.smpp_password[0]) {
		fprintf(stderr, "handset-farm: --password (the gateway's lab-password) is needed to bind\n");
		return -1;
	}
	return 0;
}

static int precreate(struct farm *f)
{
	struct timespec t0, t1;
	struct sg_error err;
	unsigned long i;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < f->cfg.count && !g_stop; i++) {
		if (!farm_handset(f, i, &err)) {
			fprintf(stderr, "handset-farm: card %lu: %s\n", i, err.msg);
			return -1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stderr, "%lu cards made in %.1f s\n", i,
		(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}

/* Bind, serve, and bind again with backoff when the link drops, until a signal. */
static void run(struct farm *f)
{
	struct sg_error err;
	unsigned int backoff = 0, slept;

	while (!g_stop) {
		if (farm_link_up(f, BIND_TIMEOUT_MS, &err) == 0) {
			fprintf(stderr, "bound to %s:%u as range %s (%lu handsets from %s)\n", f->cfg.smpp_host,
				f->cfg.smpp_port, f->cfg.range, f->cfg.count, f->cfg.msisdn_first);
			backoff = 0;
			if (farm_link_serve(f, &g_stop, &err) == 0)
				break;
		}
		farm_link_down(f);
		backoff = backoff ? (backoff * 2 > BACKOFF_MAX_S ? BACKOFF_MAX_S : backoff * 2) : 1;
		fprintf(stderr, "SMPP link: %s; again in %u s\n", err.msg, backoff);
		for (slept = 0; slept < backoff * 10 && !g_stop; slept++)
			usleep(100000);
		if (g_stats) {
			g_stats = 0;
			farm_stats_print(f, stdout);
		}
	}
	farm_link_down(f);
}

/* Print the CSV, or run the farm until a signal. Returns the exit status. */
static int farm_main(void *ctx, struct opts *o)
{
	struct sg_error err;
	struct farm f;
	int rc = 0;

	if (farm_init(&f, ctx, &o->cfg, &err) < 0) {
		fprintf(stderr, "handset-farm: %s\n", err.msg);
		return 2;
	}
	f.verbose = o->verbose;
	f.stats_req = &g_stats;
	if (o->csv) {
		if (farm_cards_csv(&f, stdout, o->spi, o->kvn, &err) < 0) {
			fprintf(stderr, "handset-farm: %s\n", err.msg);
			rc = 2;
		}
	} else if (o->precreate && precreate(&f) < 0) {
		rc = 1;
	} else {
		run(&f);
		farm_stats_print(&f, stdout);
	}
	farm_free(&f);
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o = {.kvn = 0};
	void *ctx;
	int rc;

	o.cfg.count = 1;
	snprintf(o.spi, sizeof(o.spi), "1619");
	pcsct_me_cfg_default(&o.cfg.me);
	parse_hostport("127.0.0.1:2776", &o.cfg);
	if (parse_args(argc, argv, &o) < 0)
		return 2;
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGUSR1, on_signal);
	signal(SIGPIPE, SIG_IGN);
	ctx = talloc_named_const(NULL, 0, "handset-farm");
	rc = farm_main(ctx, &o);
	talloc_free(ctx);
	return rc;
}
