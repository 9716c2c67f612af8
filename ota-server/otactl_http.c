/* otactl's HTTPS client: one request per connection (Connection: close) over OpenSSL, TLS 1.2 or later, the
 * server's certificate checked against --ca and its name, an operator's client certificate or an owner's
 * bearer token. Small and blocking: a CLI waits for its answer anyway. */
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "otasrv/otactl_api.h"

#define MAX_ANSWER (64 << 20)

struct target {
	char host[256];
	char port[8];
};

static const char *setting(const struct otactl_args *a, const char *opt, const char *env, const char *def)
{
	const char *v = otactl_opt(a, opt);

	if (!v)
		v = getenv(env);
	return v && *v ? v : def;
}

static int parse_server(const char *url, struct target *t)
{
	const char *p, *colon;
	size_t n;

	if (strncmp(url, "https://", 8))
		return otactl_fail("--server: '%s' is not an https:// URL", url);
	p = url + 8;
	n = strcspn(p, "/");
	colon = memchr(p, ':', n);
	if (!colon) {
		snprintf(t->port, sizeof(t->port), "443");
	} else {
		if (n - (size_t)(colon + 1 - p) >= sizeof(t->port) || colon + 1 == p + n)
			return otactl_fail("--server: bad port in '%s'", url);
		snprintf(t->port, sizeof(t->port), "%.*s", (int)(n - (size_t)(colon + 1 - p)), colon + 1);
		n = (size_t)(colon - p);
	}
	if (n == 0 || n >= sizeof(t->host))
		return otactl_fail("--server: no host in '%s'", url);
	snprintf(t->host, sizeof(t->host), "%.*s", (int)n, p);
	return 0;
}

static int tls_fail(const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[160];

	ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	return otactl_fail("%s: %s", what, e ? buf : "failed");
}

static SSL_CTX *client_ctx(const struct otactl_args *a)
{
	const char *ca = setting(a, "ca", "OTACTL_CA", NULL);
	const char *cert = setting(a, "cert", "OTACTL_CERT", NULL);
	const char *key = setting(a, "key", "OTACTL_KEY", cert);
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (!ctx)
		return NULL;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	if ((ca ? SSL_CTX_load_verify_locations(ctx, ca, NULL) : SSL_CTX_set_default_verify_paths(ctx)) != 1) {
		tls_fail(ca ? ca : "system CA store");
		goto fail;
	}
	if (cert && (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
		     SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ctx) != 1)) {
		tls_fail(cert);
		goto fail;
	}
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

static int dial(const struct target *t)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	int fd = -1, rc = getaddrinfo(t->host, t->port, &hints, &res);

	if (rc)
		return otactl_fail("%s: %s", t->host, gai_strerror(rc));
	for (ai = res; ai && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (fd < 0)
		return otactl_fail("cannot connect to %s port %s (is ota-server running?)", t->host, t->port);
	return fd;
}

static int write_all(SSL *ssl, const char *p, size_t n)
{
	while (n > 0) {
		int w = SSL_write(ssl, p, n > (1 << 30) ? 1 << 30 : (int)n);

		if (w <= 0)
			return tls_fail("send");
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static char *read_all(SSL *ssl, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap + 1);

	while (buf) {
		int r;

		if (n == cap) {
			char *more = cap < MAX_ANSWER ? realloc(buf, cap * 2 + 1) : NULL;

			if (!more) {
				free(buf);
				return NULL;
			}
			buf = more;
			cap *= 2;
		}
		r = SSL_read(ssl, buf + n, (int)(cap - n));
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	if (buf)
		buf[n] = '\0';
	*len = n;
	return buf;
}

/* Status line, headers, body (Content-Length or up to the close). */
static int parse_answer(char *text, size_t len, json_t **reply, char **raw)
{
	char *body = strstr(text, "\r\n\r\n");
	json_error_t e;
	int status;

	if (!body || sscanf(text, "HTTP/1.%*d %d", &status) != 1)
		return otactl_fail("the server's answer is not HTTP");
	body += 4;
	if (raw)
		*raw = strdup(body);
	*reply = json_loadb(body, len - (size_t)(body - text), 0, &e);
	return status;
}

/* printf into a buffer of the size it needs. Returns NULL when out of memory. */
__attribute__((format(printf, 1, 2))) static char *format_alloc(const char *fmt, ...)
{
	va_list ap, again;
	char *out;
	int n;

	va_start(ap, fmt);
	va_copy(again, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	out = n < 0 ? NULL : malloc((size_t)n + 1);
	if (out)
		vsnprintf(out, (size_t)n + 1, fmt, again);
	va_end(again);
	va_end(ap);
	return out;
}

/* The request head, as long as the path and token need (a verify with many anchors has a long query): a
 * fixed buffer would cut it short and send a broken request. Returns NULL when out of memory. */
static char *request_head(const struct otactl_args *a, const struct target *t, const char *method, const char *path,
			  const char *ctype, size_t len)
{
	const char *token = setting(a, "token", "OTACTL_TOKEN", NULL);
	char clen[48] = "";

	if (ctype)
		snprintf(clen, sizeof(clen), "Content-Length: %zu\r\n", len);
	return format_alloc("%s %s HTTP/1.1\r\nHost: %s:%s\r\nConnection: close\r\nAccept: application/json\r\n"
			    "User-Agent: otactl\r\n%s%s%s%s%s%s%s\r\n",
			    method, path, t->host, t->port, token ? "Authorization: Bearer " : "", token ? token : "",
			    token ? "\r\n" : "", ctype ? "Content-Type: " : "", ctype ? ctype : "", ctype ? "\r\n" : "",
			    clen);
}

static int exchange(SSL *ssl, const struct otactl_args *a, const struct target *t, const char *method,
		    const char *path, const char *ctype, const char *body, size_t len, json_t **reply, char **raw)
{
	char *head = request_head(a, t, method, path, ctype, len), *text;
	size_t n;
	int rc;

	if (!head)
		return otactl_fail("out of memory building the request");
	rc = write_all(ssl, head, strlen(head));
	free(head);
	if (rc < 0 || (ctype && write_all(ssl, body, len) < 0))
		return -1;
	text = read_all(ssl, &n);
	if (!text)
		return otactl_fail("out of memory reading the answer");
	rc = parse_answer(text, n, reply, raw);
	free(text);
	return rc;
}

/* Why the handshake failed, naming what the server's certificate was checked against. */
static void server_refused(const struct otactl_args *a, const struct target *t, long v)
{
	const char *ca = setting(a, "ca", "OTACTL_CA", NULL);

	if (v == X509_V_ERR_HOSTNAME_MISMATCH || v == X509_V_ERR_IP_ADDRESS_MISMATCH)
		otactl_fail("server certificate: %s: it is not issued for '%s'", X509_verify_cert_error_string(v),
			    t->host);
	else if (v != X509_V_OK)
		otactl_fail("server certificate: %s (trusted CAs: %s)", X509_verify_cert_error_string(v),
			    ca ? ca : "the system store");
	else
		tls_fail("TLS handshake");
}

int otactl_http(const struct otactl_args *a, const char *method, const char *path, const char *ctype,
		const char *body, size_t len, json_t **reply, char **raw)
{
	struct target t;
	SSL_CTX *ctx;
	SSL *ssl = NULL;
	int fd = -1, rc = -1;

	*reply = NULL;
	if (raw)
		*raw = NULL;
	if (parse_server(setting(a, "server", "OTACTL_SERVER", "https://127.0.0.1:8443"), &t) < 0)
		return -1;
	ctx = client_ctx(a);
	if (!ctx)
		return -1;
	fd = dial(&t);
	if (fd < 0)
		goto out;
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	SSL_set_tlsext_host_name(ssl, t.host);
	SSL_set1_host(ssl, t.host);
	if (SSL_connect(ssl) != 1) {
		server_refused(a, &t, SSL_get_verify_result(ssl));
		goto out;
	}
	rc = exchange(ssl, a, &t, method, path, ctype, body, len, reply, raw);
out:
	if (ssl) {
		SSL_shutdown(ssl);
		SSL_free(ssl);
	}
	if (fd >= 0)
		close(fd);
	SSL_CTX_free(ctx);
	return rc;
}
