/* Sealed user data file (see user_data.h). Layout: "SGUD" || version 01 || nonce (12) || ciphertext || tag (16);
 * the five header bytes are authenticated as AAD so a file cannot be passed off as another version. */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "pcsct/user_data.h"

#define HDR_LEN	  5
#define NONCE_LEN 12
#define TAG_LEN	  16
#define MAX_FILE  (1 << 20)

static const uint8_t hdr[HDR_LEN] = {'S', 'G', 'U', 'D', 0x01};

/* AES-256-GCM in one direction. Returns 0, 1 when the tag does not verify (decrypt), -1 on a library error. */
static int gcm(bool enc, const uint8_t *key, const uint8_t *nonce, const uint8_t *in, size_t len, uint8_t *out,
	       uint8_t *tag)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n, rc = -1;

	if (!ctx)
		return -1;
	if (EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL, enc) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, NONCE_LEN, NULL) != 1 ||
	    EVP_CipherInit_ex(ctx, NULL, NULL, key, nonce, enc) != 1 ||
	    EVP_CipherUpdate(ctx, NULL, &n, hdr, HDR_LEN) != 1 || EVP_CipherUpdate(ctx, out, &n, in, (int)len) != 1)
		goto out;
	if (!enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN, tag) != 1)
		goto out;
	if (EVP_CipherFinal_ex(ctx, out + n, &n) != 1) {
		rc = enc ? -1 : 1;
		goto out;
	}
	if (enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, tag) != 1)
		goto out;
	rc = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

static long read_file(const char *path, uint8_t **buf, struct sg_error *err)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (!f)
		return errno == ENOENT ? -2 : sg_err(err, "user data %s: %s", path, strerror(errno));
	*buf = malloc(MAX_FILE + 1);
	if (!*buf) {
		fclose(f);
		return sg_err(err, "user data %s: out of memory", path);
	}
	n = (long)fread(*buf, 1, MAX_FILE + 1, f);
	fclose(f);
	if (n > MAX_FILE) {
		free(*buf);
		return sg_err(err, "user data %s: larger than %d bytes", path, MAX_FILE);
	}
	return n;
}

enum pcsct_ud_result pcsct_user_data_load(const char *path, const uint8_t key[PCSCT_UD_KEY_LEN], json_t **data,
					  struct sg_error *err)
{
	uint8_t *buf = NULL, *plain;
	long n = read_file(path, &buf, err);
	size_t clen;
	json_error_t jerr;
	int rc;

	*data = NULL;
	if (n == -2)
		return PCSCT_UD_ABSENT;
	if (n < 0)
		return PCSCT_UD_ERROR;
	if (n < HDR_LEN + NONCE_LEN + TAG_LEN || memcmp(buf, hdr, HDR_LEN) != 0) {
		free(buf);
		sg_err(err, "user data %s: not a sealed user data file (bad header or too short)", path);
		return PCSCT_UD_ERROR;
	}
	clen = (size_t)n - HDR_LEN - NONCE_LEN - TAG_LEN;
	plain = malloc(clen + 16);
	rc = plain ? gcm(false, key, buf + HDR_LEN, buf + HDR_LEN + NONCE_LEN, clen, plain, buf + n - TAG_LEN) : -1;
	free(buf);
	if (rc != 0) {
		if (plain)
			OPENSSL_cleanse(plain, clen);
		free(plain);
		if (rc < 0) {
			sg_err(err, "user data %s: cipher error", path);
			return PCSCT_UD_ERROR;
		}
		sg_err(err, "user data %s: cannot be opened with the card's key (wiped, or altered)", path);
		return PCSCT_UD_WRONG_KEY;
	}
	*data = json_loadb((const char *)plain, clen, 0, &jerr);
	OPENSSL_cleanse(plain, clen);
	free(plain);
	if (!*data || !json_is_object(*data)) {
		json_decref(*data);
		*data = NULL;
		sg_err(err, "user data %s: sealed content is not a JSON object", path);
		return PCSCT_UD_ERROR;
	}
	return PCSCT_UD_OK;
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static int replace_file(const char *path, const uint8_t *buf, size_t len, struct sg_error *err)
{
	char tmp[4096];
	int fd;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >= sizeof(tmp))
		return sg_err(err, "user data path too long");
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return sg_err(err, "user data %s: %s", tmp, strerror(errno));
	if (write_all(fd, buf, len) < 0 || fsync(fd) < 0) {
		sg_err(err, "user data %s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	if (rename(tmp, path) < 0) {
		sg_err(err, "user data %s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

int pcsct_user_data_save(const char *path, const uint8_t key[PCSCT_UD_KEY_LEN], const json_t *data,
			 struct sg_error *err)
{
	char *plain = json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS);
	size_t plen, total;
	uint8_t *buf;
	int rc = -1;

	if (!plain)
		return sg_err(err, "user data: cannot serialise");
	plen = strlen(plain);
	total = HDR_LEN + NONCE_LEN + plen + TAG_LEN;
	if (total > MAX_FILE) {
		OPENSSL_cleanse(plain, plen);
		free(plain);
		return sg_err(err, "user data: larger than %d bytes", MAX_FILE);
	}
	buf = malloc(total);
	if (!buf) {
		sg_err(err, "user data: out of memory");
		goto out;
	}
	memcpy(buf, hdr, HDR_LEN);
	if (RAND_bytes(buf + HDR_LEN, NONCE_LEN) != 1 || gcm(true, key, buf + HDR_LEN, (const uint8_t *)plain, plen,
							     buf + HDR_LEN + NONCE_LEN, buf + total - TAG_LEN) != 0) {
		sg_err(err, "user data: sealing failed");
		goto out;
	}
	rc = replace_file(path, buf, total, err);
out:
	OPENSSL_cleanse(plain, plen);
	free(plain);
	free(buf);
	return rc;
}

json_t *pcsct_user_data_new(void)
{
	return json_pack("{s:[],s:[]}", "contacts", "notes");
}
