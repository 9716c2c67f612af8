/* Secrets at rest (see keybox.h): master key file, HKDF subkeys, AES-256-GCM sealing through OpenSSL EVP. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include "simguard/hex.h"
#include "otasrv/keybox.h"

static int hkdf(const uint8_t *master, const char *label, uint8_t out[32])
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)master, OSV_MASTER_KEY_LEN),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)label, strlen(label)),
		OSSL_PARAM_construct_end(),
	};
	int ok = ctx && EVP_KDF_derive(ctx, out, 32, params) == 1;

	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return ok ? 0 : -1;
}

int osv_keybox_init(struct osv_keybox *kb, const uint8_t master[OSV_MASTER_KEY_LEN], struct sg_error *err)
{
	if (hkdf(master, "simguard ota-server seal v1", kb->seal_key) < 0 ||
	    hkdf(master, "simguard ota-server audit v1", kb->audit_key) < 0) {
		osv_keybox_cleanse(kb);
		return sg_err(err, "master key: key derivation failed");
	}
	return 0;
}

void osv_keybox_cleanse(struct osv_keybox *kb)
{
	OPENSSL_cleanse(kb, sizeof(*kb));
}

/* Raw 32 bytes, or 64 hex digits with optional trailing whitespace. */
static int parse_master(const uint8_t *buf, size_t n, uint8_t master[OSV_MASTER_KEY_LEN], struct sg_error *err)
{
	char hex[65];

	if (n == OSV_MASTER_KEY_LEN) {
		memcpy(master, buf, n);
		return 0;
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
		n--;
	if (n != 64)
		return sg_err(err, "master key file: want 32 raw bytes or 64 hex digits, found %zu bytes", n);
	memcpy(hex, buf, 64);
	hex[64] = '\0';
	if (sg_hex_decode(hex, master, OSV_MASTER_KEY_LEN, "master key file", err) != OSV_MASTER_KEY_LEN) {
		OPENSSL_cleanse(hex, sizeof(hex));
		return -1;
	}
	OPENSSL_cleanse(hex, sizeof(hex));
	return 0;
}

int osv_keybox_load(struct osv_keybox *kb, const char *path, struct sg_error *err)
{
	uint8_t buf[80], master[OSV_MASTER_KEY_LEN];
	struct stat stt;
	ssize_t n;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return sg_err(err, "master key file %s: %s", path, strerror(errno));
	if (fstat(fd, &stt) < 0 || (stt.st_mode & 077)) {
		close(fd);
		return sg_err(err, "master key file %s: readable by group or others (chmod 600 it)", path);
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0)
		return sg_err(err, "master key file %s: %s", path, strerror(errno));
	rc = parse_master(buf, (size_t)n, master, err);
	OPENSSL_cleanse(buf, sizeof(buf));
	if (rc == 0)
		rc = osv_keybox_init(kb, master, err);
	OPENSSL_cleanse(master, sizeof(master));
	return rc;
}

static int gcm(int enc, const uint8_t key[32], const uint8_t nonce[12], const char *aad, const uint8_t *in,
	       size_t len, uint8_t *out, uint8_t tag[16])
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n = 0, fin = 0, ok;

	ok = c && EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, key, nonce, enc) == 1 &&
	     EVP_CipherUpdate(c, NULL, &n, (const uint8_t *)aad, (int)strlen(aad)) == 1 &&
	     (len == 0 || EVP_CipherUpdate(c, out, &n, in, (int)len) == 1);
	if (ok && !enc)
		ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, tag) == 1;
	if (ok)
		ok = EVP_CipherFinal_ex(c, out + n, &fin) == 1;
	if (ok && enc)
		ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag) == 1;
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

long osv_seal(const struct osv_keybox *kb, const char *aad, const uint8_t *in, size_t len, uint8_t *out,
	      size_t out_size, struct sg_error *err)
{
	if (out_size < len + OSV_SEAL_OVERHEAD)
		return sg_err(err, "seal: output too small");
	if (RAND_bytes(out, 12) != 1)
		return sg_err(err, "seal: no random nonce");
	if (gcm(1, kb->seal_key, out, aad, in, len, out + 12, out + 12 + len) < 0)
		return sg_err(err, "seal: AES-256-GCM failed");
	return (long)(len + OSV_SEAL_OVERHEAD);
}

long osv_unseal(const struct osv_keybox *kb, const char *aad, const uint8_t *in, size_t len, uint8_t *out,
		size_t out_size, struct sg_error *err)
{
	uint8_t tag[16];
	size_t plen;

	if (len < OSV_SEAL_OVERHEAD)
		return sg_err(err, "unseal: sealed value too short");
	plen = len - OSV_SEAL_OVERHEAD;
	if (out_size < plen)
		return sg_err(err, "unseal: output too small");
	memcpy(tag, in + 12 + plen, 16);
	if (gcm(0, kb->seal_key, in, aad, in + 12, plen, out, tag) < 0) {
		OPENSSL_cleanse(out, plen);
		return sg_err(err, "unseal: authentication failed (altered, moved or another master key)");
	}
	return (long)plen;
}
