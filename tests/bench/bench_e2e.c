/* bench_e2e: commands per second and latency of the whole chain, from the HTTPS API request to the PoR the server
 * verified: client --HTTPS (client certificate)--> ota-server (SQLite, durable counters) --SMPP--> sms-gateway
 * (lab route) --> handset-farm (N simulated UICCs) --PoR--> back to ota-server, confirmed.
 *
 * Run without arguments (make bench) it runs tests/bench/bench_e2e.sh, which starts the chain with temporary
 * configurations and calls this program again as the load generator:
 *   bench_e2e drive --mode api|max|rate --port P --ca F --cert F --key F --iccids F --db F [options]
 * api: GET /v1/me (an authenticated, audited request: the API's floor, the baseline); max: COUNT commands from
 * CONNS connections as fast as the server answers; rate: RATE commands per second for SECONDS, each timed from
 * its scheduled start (a slow answer does not hide the queue behind it). A command is done when the server has
 * committed its final state: a reader polls the server's SQLite database (read-only, WAL) every POLL ms, so a
 * latency includes up to POLL ms of polling. Prints one line "RESULT key=value ...". */
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sqlite3.h>

#define MAX_CONNS	256
#define MAX_ICCIDS	100000
#define RESP_MAX	16384
#define STATE_CONFIRMED 4 /* enum osv_cmd_state */
#define STATE_FINAL_MIN 4 /* confirmed, rejected, expired, cancelled */

enum mode { MODE_API, MODE_MAX, MODE_RATE, MODE_CAMPAIGN };

struct opts {
	enum mode mode;
	char host[64];
	int port;
	const char *ca, *cert, *key, *iccids, *db;
	long count;
	double rate, seconds;
	int conns;
	int poll_ms;
	double timeout_s;
	const char *command;
	long batch; /* campaign: commands per request */
	long jobs;  /* requests to send */
};

/* One command, indexed by its id minus the first id of the run. Times in seconds (CLOCK_REALTIME). */
struct rec {
	double sched, sent, resp;
	_Atomic double done;
	atomic_int state; /* final state, -1 until then */
};

struct bench {
	struct opts o;
	SSL_CTX *ctx;
	char **iccid;
	long n_iccid;
	atomic_long next;	 /* next command to send */
	atomic_long accepted;	 /* 202 answers */
	atomic_long http_errors; /* other answers or broken connections */
	atomic_long max_id;	 /* highest id answered */
	atomic_int senders_left;
	long id_base;
	long cap;
	struct rec *rec;
	double t0;
	pthread_barrier_t ready; /* senders connected; then t0 is set */
	double *api_lat;	 /* api mode: per-request latency */
	char last_error[256];
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_until(double t)
{
	double d = t - now_s();
	struct timespec ts;

	if (d <= 0)
		return;
	ts.tv_sec = (time_t)d;
	ts.tv_nsec = (long)((d - (double)ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
}

/* ---- HTTPS client: one keep-alive TLS connection per sender thread ---------------------------------------- */

struct conn {
	int fd;
	SSL *ssl;
	char buf[RESP_MAX];
	size_t have;
};

static void conn_close(struct conn *c)
{
	if (c->ssl) {
		SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
	}
	if (c->fd >= 0)
		close(c->fd);
	c->ssl = NULL;
	c->fd = -1;
	c->have = 0;
}

static int conn_open(struct bench *b, struct conn *c)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)b->o.port)};
	int one = 1;

	c->have = 0;
	inet_pton(AF_INET, b->o.host, &sa.sin_addr);
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		conn_close(c);
		return -1;
	}
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->ssl = SSL_new(b->ctx);
	SSL_set_fd(c->ssl, c->fd);
	SSL_set_tlsext_host_name(c->ssl, "localhost");
	if (SSL_connect(c->ssl) != 1) {
		conn_close(c);
		return -1;
	}
	return 0;
}

static int write_all(struct conn *c, const char *p, size_t len)
{
	while (len) {
		int n = SSL_write(c->ssl, p, (int)len);

		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read one response (Content-Length framing); the body is copied into body. Returns the status or -1. */
static int read_response(struct conn *c, char *body, size_t body_size, bool *close_after)
{
	char *end, *cl;
	size_t head, len;
	int status, n;

	for (;;) {
		c->buf[c->have] = '\0';
		end = strstr(c->buf, "\r\n\r\n");
		if (end) {
			head = (size_t)(end - c->buf) + 4;
			cl = strcasestr(c->buf, "\r\nContent-Length:");
			len = cl && cl < end ? strtoul(cl + 17, NULL, 10) : 0;
			if (c->have >= head + len)
				break;
		}
		if (c->have + 1 >= sizeof(c->buf))
			return -1;
		n = SSL_read(c->ssl, c->buf + c->have, (int)(sizeof(c->buf) - 1 - c->have));
		if (n <= 0)
			return -1;
		c->have += (size_t)n;
	}
	if (sscanf(c->buf, "HTTP/1.%*d %d", &status) != 1)
		return -1;
	*close_after = strcasestr(c->buf, "\r\nConnection: close") && strcasestr(c->buf, "\r\nConnection: close") < end;
	snprintf(body, body_size, "%.*s", (int)len, c->buf + head);
	memmove(c->buf, c->buf + head + len, c->have - head - len);
	c->have -= head + len;
	return status;
}

/* One request on c, reconnecting once when the kept-alive connection was closed. Returns the status or -1. */
static int request(struct bench *b, struct conn *c, const char *method, const char *path, const char *json, char *body,
		   size_t body_size)
{
	size_t size = 512 + (json ? strlen(json) : 0);
	char *req = malloc(size);
	bool close_after = false;
	int attempt, n, status = -1;

	n = snprintf(
		req, size,
		"%s %s HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
		method, path, json ? strlen(json) : 0, json ? json : "");
	for (attempt = 0; attempt < 2 && status < 0; attempt++) {
		if (c->fd < 0 && conn_open(b, c) < 0)
			continue;
		if (write_all(c, req, (size_t)n) < 0 ||
		    (status = read_response(c, body, body_size, &close_after)) < 0) {
			conn_close(c);
			status = -1;
		}
	}
	if (close_after)
		conn_close(c);
	free(req);
	return status;
}

static sqlite3 *db_open(const char *path);

/* ---- senders ------------------------------------------------------------------------------------------- */

static void note_error(struct bench *b, const char *fmt, const char *a, int status)
{
	atomic_fetch_add(&b->http_errors, 1);
	snprintf(b->last_error, sizeof(b->last_error), fmt, a, status);
}

static void send_command(struct bench *b, struct conn *c, long i, double sched)
{
	char path[128], body[RESP_MAX], json[64];
	double sent = now_s(), resp;
	long id, slot;
	char *p;
	int status;

	snprintf(path, sizeof(path), "/v1/devices/%s/commands", b->iccid[i % b->n_iccid]);
	snprintf(json, sizeof(json), "{\"command\":\"%s\"}", b->o.command);
	status = request(b, c, "POST", path, json, body, sizeof(body));
	resp = now_s();
	p = strstr(body, "\"id\"");
	if (status != 202 || !p || sscanf(p, "\"id\": %ld", &id) != 1) {
		note_error(b, "POST %s: HTTP %d", path, status);
		return;
	}
	slot = id - b->id_base;
	if (slot < 0 || slot >= b->cap) {
		note_error(b, "command id %s out of the bench's range (%d)", "", (int)id);
		return;
	}
	b->rec[slot].sched = sched;
	b->rec[slot].sent = sent;
	b->rec[slot].resp = resp;
	atomic_fetch_add(&b->accepted, 1);
	for (long m = atomic_load(&b->max_id); id > m && !atomic_compare_exchange_weak(&b->max_id, &m, id);)
		;
}

/* The ids of a campaign's commands, from the server's database (one transaction made them all). */
static long campaign_ids(struct bench *b, sqlite3 *db, long campaign, double sched, double sent, double resp)
{
	sqlite3_stmt *st;
	long n = 0;

	if (sqlite3_prepare_v2(db, "SELECT id FROM commands WHERE campaign_id = ?1", -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_int64(st, 1, campaign);
	while (sqlite3_step(st) == SQLITE_ROW) {
		long id = (long)sqlite3_column_int64(st, 0), slot = id - b->id_base;

		if (slot < 0 || slot >= b->cap)
			continue;
		b->rec[slot].sched = sched;
		b->rec[slot].sent = sent;
		b->rec[slot].resp = resp;
		n++;
		for (long m = atomic_load(&b->max_id); id > m && !atomic_compare_exchange_weak(&b->max_id, &m, id);)
			;
	}
	sqlite3_finalize(st);
	return n;
}

/* One campaign of o.batch commands to consecutive cards of the list. */
static void send_campaign(struct bench *b, struct conn *c, sqlite3 *db, long k, double sched)
{
	size_t size = 64 + (size_t)b->o.batch * 32, len;
	char *json = malloc(size), body[RESP_MAX], *p;
	double sent = now_s(), resp;
	long campaign, i;
	int status;

	len = (size_t)snprintf(json, size, "{\"command\":\"%s\",\"iccids\":[", b->o.command);
	for (i = 0; i < b->o.batch; i++)
		len += (size_t)snprintf(json + len, size - len, "%s\"%s\"", i ? "," : "",
					b->iccid[(k * b->o.batch + i) % b->n_iccid]);
	snprintf(json + len, size - len, "]}");
	status = request(b, c, "POST", "/v1/campaigns", json, body, sizeof(body));
	resp = now_s();
	free(json);
	p = strstr(body, "\"id\"");
	if (status != 202 || !p || sscanf(p, "\"id\": %ld", &campaign) != 1) {
		note_error(b, "POST %s: HTTP %d", "/v1/campaigns", status);
		return;
	}
	atomic_fetch_add(&b->accepted, campaign_ids(b, db, campaign, sched, sent, resp));
}

static void *sender(void *arg)
{
	struct bench *b = arg;
	struct conn c = {.fd = -1};
	char body[RESP_MAX];
	sqlite3 *db = b->o.mode == MODE_CAMPAIGN ? db_open(b->o.db) : NULL;
	long i;

	/* Connect and finish the TLS handshake (the server checks the client certificate on the first request)
	 * before the clock starts: the phases measure a steady state, not a burst of handshakes at their start. */
	if (request(b, &c, "GET", "/v1/me", NULL, body, sizeof(body)) != 200)
		note_error(b, "GET %s: HTTP %d (warm-up)", "/v1/me", -1);
	pthread_barrier_wait(&b->ready);
	pthread_barrier_wait(&b->ready);
	while ((i = atomic_fetch_add(&b->next, 1)) < b->o.jobs) {
		double sched = b->o.mode == MODE_RATE ? b->t0 + (double)i / b->o.rate : now_s();

		sleep_until(sched);
		if (b->o.mode == MODE_API) {
			if (request(b, &c, "GET", "/v1/me", NULL, body, sizeof(body)) != 200)
				note_error(b, "GET %s: HTTP %d", "/v1/me", -1);
			b->api_lat[i] = now_s() - sched;
			continue;
		}
		if (b->o.mode == MODE_CAMPAIGN)
			send_campaign(b, &c, db, i, sched);
		else
			send_command(b, &c, i, sched);
	}
	sqlite3_close(db);
	conn_close(&c);
	atomic_fetch_sub(&b->senders_left, 1);
	return NULL;
}

/* ---- the reader of the server's database ---------------------------------------------------------------- */

static sqlite3 *db_open(const char *path)
{
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		fprintf(stderr, "bench_e2e: %s: %s\n", path, db ? sqlite3_errmsg(db) : "cannot open");
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 1000);
	return db;
}

static long next_command_id(sqlite3 *db)
{
	sqlite3_stmt *st;
	long id = -1;

	if (sqlite3_prepare_v2(db, "SELECT coalesce(max(id), 0) + 1 FROM commands", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		id = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return id;
}

/* Mark the commands from slot lo on that reached a final state; returns the new lowest unfinished slot. */
static long poll_once(struct bench *b, sqlite3_stmt *st, long lo)
{
	double t = now_s();

	sqlite3_bind_int64(st, 1, b->id_base + lo);
	while (sqlite3_step(st) == SQLITE_ROW) {
		long slot = (long)sqlite3_column_int64(st, 0) - b->id_base;
		int state = sqlite3_column_int(st, 1);

		if (slot >= 0 && slot < b->cap && state >= STATE_FINAL_MIN && atomic_load(&b->rec[slot].state) < 0) {
			atomic_store(&b->rec[slot].done, t);
			atomic_store(&b->rec[slot].state, state);
		}
	}
	sqlite3_reset(st);
	while (lo < b->cap && atomic_load(&b->rec[lo].state) >= 0)
		lo++;
	return lo;
}

/* Until every accepted command is final (or the timeout). */
static void watch(struct bench *b, sqlite3 *db)
{
	sqlite3_stmt *st;
	long lo = 0, finals;
	double deadline = 0;

	if (sqlite3_prepare_v2(db, "SELECT id, state FROM commands WHERE id >= ?1", -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "bench_e2e: %s\n", sqlite3_errmsg(db));
		return;
	}
	for (;;) {
		lo = poll_once(b, st, lo);
		if (atomic_load(&b->senders_left) == 0) {
			if (!deadline)
				deadline = now_s() + b->o.timeout_s;
			finals = 0;
			for (long s = 0; s <= atomic_load(&b->max_id) - b->id_base; s++)
				finals += atomic_load(&b->rec[s].state) >= 0;
			if (finals >= atomic_load(&b->accepted) || now_s() > deadline)
				break;
		}
		usleep((useconds_t)b->o.poll_ms * 1000);
	}
	sqlite3_finalize(st);
}

/* ---- results --------------------------------------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct(const double *v, long n, double p)
{
	long i = (long)(p * (double)(n - 1) + 0.5);

	return n ? v[i] * 1000.0 : 0;
}

/* CPU ms this driver used per request or command (its share of the two cores is not the servers'). */
static double own_cpu_ms(long n)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ((double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000.0 +
		(double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000.0) /
	       (double)(n > 0 ? n : 1);
}

static void report_api(struct bench *b, double elapsed)
{
	long n = b->o.count;

	qsort(b->api_lat, (size_t)n, sizeof(double), cmp_double);
	printf("RESULT mode=api requests=%ld errors=%ld secs=%.3f per_s=%.1f p50_ms=%.2f p99_ms=%.2f "
	       "cpu_driver_ms=%.2f\n",
	       n, atomic_load(&b->http_errors), elapsed, (double)n / elapsed, pct(b->api_lat, n, 0.5),
	       pct(b->api_lat, n, 0.99), own_cpu_ms(n));
}

static void report_commands(struct bench *b)
{
	double *lat = calloc((size_t)b->cap, sizeof(double)), *http = calloc((size_t)b->cap, sizeof(double));
	double first = 1e300, last = 0, last_resp = 0;
	long n = 0, nh = 0, other = 0;

	for (long s = 0; s < b->cap; s++) {
		struct rec *r = &b->rec[s];

		if (r->sent == 0)
			continue;
		http[nh++] = r->resp - r->sched;
		first = r->sched < first ? r->sched : first;
		last_resp = r->resp > last_resp ? r->resp : last_resp;
		if (atomic_load(&r->state) != STATE_CONFIRMED) {
			other++;
			continue;
		}
		lat[n++] = atomic_load(&r->done) - r->sched;
		last = atomic_load(&r->done) > last ? atomic_load(&r->done) : last;
	}
	qsort(lat, (size_t)n, sizeof(double), cmp_double);
	qsort(http, (size_t)nh, sizeof(double), cmp_double);
	printf("RESULT mode=%s sent=%ld accepted=%ld http_errors=%ld confirmed=%ld not_confirmed=%ld secs=%.3f"
	       " per_s=%.1f accept_per_s=%.1f p50_ms=%.1f p99_ms=%.1f max_ms=%.1f http_p50_ms=%.1f http_p99_ms=%.1f"
	       " cpu_driver_ms=%.2f\n",
	       b->o.mode == MODE_MAX	    ? "max"
	       : b->o.mode == MODE_CAMPAIGN ? "campaign"
					    : "rate",
	       b->o.count, atomic_load(&b->accepted), atomic_load(&b->http_errors), n, other, n ? last - first : 0,
	       n ? (double)n / (last - first) : 0, nh ? (double)nh / (last_resp - first) : 0, pct(lat, n, 0.5),
	       pct(lat, n, 0.99), n ? lat[n - 1] * 1000 : 0, pct(http, nh, 0.5), pct(http, nh, 0.99), own_cpu_ms(n));
	if (b->last_error[0])
		printf("# last error: %s\n", b->last_error);
	free(lat);
	free(http);
}

/* ---- setup ----------------------------------------------------------------------------------------------- */

static int load_iccids(struct bench *b)
{
	FILE *f = fopen(b->o.iccids, "r");
	char line[64];

	if (!f)
		return -1;
	b->iccid = calloc(MAX_ICCIDS, sizeof(char *));
	while (b->n_iccid < MAX_ICCIDS && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n,")] = '\0';
		if (line[0] >= '0' && line[0] <= '9')
			b->iccid[b->n_iccid++] = strdup(line);
	}
	fclose(f);
	return b->n_iccid ? 0 : -1;
}

static SSL_CTX *tls_ctx(const struct opts *o)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	if (SSL_CTX_load_verify_locations(ctx, o->ca, NULL) != 1 ||
	    SSL_CTX_use_certificate_chain_file(ctx, o->cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, o->key, SSL_FILETYPE_PEM) != 1) {
		ERR_print_errors_fp(stderr);
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/* The mode named s, -1 for a name that is none (a typo is a usage error, not a rate run). */
static int mode_of(const char *s)
{
	static const char *const names[] = {
		[MODE_API] = "api", [MODE_MAX] = "max", [MODE_RATE] = "rate", [MODE_CAMPAIGN] = "campaign"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i]))
			return (int)i;
	return -1;
}

static int parse_drive(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{"mode", 1, NULL, 'm'},	   {"port", 1, NULL, 'p'},    {"ca", 1, NULL, 'a'},
		{"cert", 1, NULL, 'c'},	   {"key", 1, NULL, 'k'},     {"iccids", 1, NULL, 'i'},
		{"db", 1, NULL, 'd'},	   {"count", 1, NULL, 'n'},   {"rate", 1, NULL, 'r'},
		{"seconds", 1, NULL, 's'}, {"conns", 1, NULL, 'C'},   {"poll-ms", 1, NULL, 'P'},
		{"timeout", 1, NULL, 't'}, {"command", 1, NULL, 'x'}, {"batch", 1, NULL, 'b'},
		{NULL, 0, NULL, 0},
	};
	int c, m;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'm':
			m = mode_of(optarg);
			if (m < 0)
				return -1;
			o->mode = (enum mode)m;
			break;
		case 'p':
			o->port = atoi(optarg);
			break;
		case 'a':
			o->ca = optarg;
			break;
		case 'c':
			o->cert = optarg;
			break;
		case 'k':
			o->key = optarg;
			break;
		case 'i':
			o->iccids = optarg;
			break;
		case 'd':
			o->db = optarg;
			break;
		case 'n':
			o->count = atol(optarg);
			break;
		case 'r':
			o->rate = atof(optarg);
			break;
		case 's':
			o->seconds = atof(optarg);
			break;
		case 'C':
			o->conns = atoi(optarg);
			break;
		case 'P':
			o->poll_ms = atoi(optarg);
			break;
		case 't':
			o->timeout_s = atof(optarg);
			break;
		case 'x':
			o->command = optarg;
			break;
		case 'b':
			o->batch = atol(optarg);
			break;
		default:
			return -1;
		}
	}
	if (o->mode == MODE_RATE)
		o->count = (long)(o->rate * o->seconds);
	if (o->mode == MODE_CAMPAIGN && o->batch > 0)
		o->count -= o->count % o->batch;
	o->jobs = o->mode == MODE_CAMPAIGN && o->batch > 0 ? o->count / o->batch : o->count;
	if (!o->port || !o->ca || !o->cert || !o->key || o->count <= 0 || o->conns < 1 || o->conns > MAX_CONNS ||
	    (o->mode != MODE_API && (!o->iccids || !o->db)) || (o->mode == MODE_CAMPAIGN && o->batch < 1))
		return -1;
	return 0;
}

static void run_senders(struct bench *b)
{
	pthread_t th[MAX_CONNS];
	int i;

	atomic_store(&b->senders_left, b->o.conns);
	pthread_barrier_init(&b->ready, NULL, (unsigned)b->o.conns + 1);
	for (i = 0; i < b->o.conns; i++)
		pthread_create(&th[i], NULL, sender, b);
	pthread_barrier_wait(&b->ready);
	b->t0 = now_s() + 0.01;
	pthread_barrier_wait(&b->ready);
	if (b->o.mode != MODE_API) {
		sqlite3 *db = db_open(b->o.db);

		if (db)
			watch(b, db);
		sqlite3_close(db);
	}
	for (i = 0; i < b->o.conns; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&b->ready);
}

static int drive(int argc, char **argv)
{
	struct bench *b = calloc(1, sizeof(*b));
	struct opts *o = &b->o;

	*o = (struct opts){.mode = MODE_MAX, .conns = 16, .poll_ms = 2, .timeout_s = 60, .command = "status"};
	snprintf(o->host, sizeof(o->host), "127.0.0.1");
	if (parse_drive(argc, argv, o) < 0) {
		fprintf(stderr, "usage: bench_e2e drive --mode api|max|rate|campaign --port P --ca F --cert F --key F "
				"[--iccids F --db F] [--count N | --rate R --seconds S] [--batch B] [--conns K] "
				"[--poll-ms MS]\n");
		return 2;
	}
	b->ctx = tls_ctx(o);
	if (!b->ctx || (o->mode != MODE_API && load_iccids(b) < 0))
		return 1;
	if (o->mode == MODE_API) {
		b->api_lat = calloc((size_t)o->count, sizeof(double));
		run_senders(b);
		report_api(b, now_s() - b->t0);
		return atomic_load(&b->http_errors) ? 1 : 0;
	}
	sqlite3 *db = db_open(o->db);

	b->id_base = db ? next_command_id(db) : -1;
	sqlite3_close(db);
	if (b->id_base < 0)
		return 1;
	b->cap = o->count + 64;
	b->rec = calloc((size_t)b->cap, sizeof(struct rec));
	for (long s = 0; s < b->cap; s++)
		atomic_init(&b->rec[s].state, -1);
	run_senders(b);
	report_commands(b);
	return 0;
}

int main(int argc, char **argv)
{
	const char *script = "tests/bench/bench_e2e.sh";

	if (argc > 1 && !strcmp(argv[1], "drive"))
		return drive(argc - 1, argv + 1);
	if (argc > 1) {
		fprintf(stderr, "usage: bench_e2e            (the whole benchmark, from the source tree's top)\n"
				"       bench_e2e drive ...  (the load generator the script calls)\n");
		return 2;
	}
	/* the script calls this binary back as the load generator */
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0) {
		self[n] = '\0';
		setenv("BENCH_E2E_DRIVER", self, 0);
	}
	execlp("bash", "bash", script, (char *)NULL);
	fprintf(stderr, "bench_e2e: cannot run %s: %s\n", script, strerror(errno));
	return 1;
}
