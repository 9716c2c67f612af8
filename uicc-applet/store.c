/* Transactional record store behind the card's persistent memory (API in uicc/store.h). Records live in memory;
 * every outermost commit writes the complete new image to PATH.tmp, fsyncs it, renames it over PATH and fsyncs the
 * directory, so the image on disk is always one whole committed state. A lock file keeps two processes from
 * running the same card. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <osmocom/core/logging.h>
#include <osmocom/core/talloc.h>

#include "uicc/card.h"
#include "uicc/store.h"
#include "store_image.h"

struct staged {
	struct store_rec rec;
	bool deleted;
};

struct uicc_store {
	char *path; /* NULL: memory only */
	char *tmp_path;
	int lock_fd;
	bool is_new;
	bool failed;
	uint64_t generation;

	struct store_rec *recs; /* committed, sorted by name; data owned by the store */
	size_t n_recs;

	unsigned int depth; /* open transaction levels */
	bool aborted;
	struct staged *staged; /* talloc array, in order of the calls */
	size_t n_staged;
	void *txn_ctx;

	long cut_countdown; /* < 0: no power cut planned */
	unsigned long write_points;
};

/* ---- lookups ---- */

static long find_committed(const struct uicc_store *st, const char *name, size_t *ins)
{
	size_t lo = 0, hi = st->n_recs;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(st->recs[mid].name, name);
		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (ins)
		*ins = lo;
	return -1;
}

static const struct staged *find_staged(const struct uicc_store *st, const char *name)
{
	for (size_t i = st->n_staged; i > 0; i--)
		if (strcmp(st->staged[i - 1].rec.name, name) == 0)
			return &st->staged[i - 1];
	return NULL;
}

int uicc_store_get(const struct uicc_store *st, const char *name, const uint8_t **data, size_t *len)
{
	const struct staged *s = find_staged(st, name);
	long i;

	if (s) {
		if (s->deleted)
			return 0;
		*data = s->rec.data;
		*len = s->rec.len;
		return 1;
	}
	i = find_committed(st, name, NULL);
	if (i < 0)
		return 0;
	*data = st->recs[i].data;
	*len = st->recs[i].len;
	return 1;
}

int uicc_store_get_exact(const struct uicc_store *st, const char *name, void *buf, size_t len)
{
	const uint8_t *d;
	size_t l;

	if (!uicc_store_get(st, name, &d, &l))
		return 0;
	if (l != len)
		return -1;
	if (len)
		memcpy(buf, d, len);
	return 1;
}

bool uicc_store_is_new(const struct uicc_store *st)
{
	return st->is_new;
}

uint64_t uicc_store_generation(const struct uicc_store *st)
{
	return st->generation;
}

bool uicc_store_failed(const struct uicc_store *st)
{
	return st->failed;
}

void uicc_store_cut_power_at(struct uicc_store *st, long n)
{
	st->cut_countdown = n;
}

unsigned long uicc_store_write_points(const struct uicc_store *st)
{
	return st->write_points;
}

/* ---- disk ---- */

/* Every disk-changing step passes here first. Returns true when the power goes away at this step. */
static bool power_cut_now(struct uicc_store *st)
{
	st->write_points++;
	if (st->cut_countdown < 0)
		return false;
	if (st->cut_countdown-- == 0)
		return true;
	return false;
}

static int write_all(struct uicc_store *st, int fd, const uint8_t *buf, size_t len, struct sg_error *err)
{
	const size_t chunk = 4096;

	while (len) {
		size_t n = len < chunk ? len : chunk;
		ssize_t w;
		if (power_cut_now(st)) {
			/* a torn write: only part of this chunk reaches the disk */
			if (write(fd, buf, n / 2) < 0)
				return sg_err(err, "card image: power cut during write");
			return sg_err(err, "card image: power cut during write");
		}
		w = write(fd, buf, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return sg_err(err, "card image: write %s: %s", st->tmp_path, strerror(errno));
		}
		buf += w;
		len -= w;
	}
	return 0;
}

static int fsync_dir(struct uicc_store *st, struct sg_error *err)
{
	char *dir = talloc_strdup(NULL, st->path);
	char *slash = strrchr(dir, '/');
	int fd, rc = 0;

	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0)
		rc = sg_err(err, "card image: fsync directory of %s: %s", st->path, strerror(errno));
	if (fd >= 0)
		close(fd);
	talloc_free(dir);
	return rc;
}

static int write_image(struct uicc_store *st, const uint8_t *img, size_t len, struct sg_error *err)
{
	int fd = open(st->tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0)
		return sg_err(err, "card image: create %s: %s", st->tmp_path, strerror(errno));
	if (write_all(st, fd, img, len, err) < 0)
		goto fail;
	if (power_cut_now(st)) {
		sg_err(err, "card image: power cut before fsync");
		goto fail;
	}
	if (fsync(fd) < 0) {
		sg_err(err, "card image: fsync %s: %s", st->tmp_path, strerror(errno));
		goto fail;
	}
	close(fd);
	if (power_cut_now(st))
		return sg_err(err, "card image: power cut before rename");
	if (rename(st->tmp_path, st->path) < 0)
		return sg_err(err, "card image: rename %s: %s", st->tmp_path, strerror(errno));
	if (power_cut_now(st))
		return sg_err(err, "card image: power cut before directory fsync");
	return fsync_dir(st, err);
fail:
	close(fd);
	return -1;
}

/* ---- transactions ---- */

static void txn_clear(struct uicc_store *st)
{
	talloc_free(st->txn_ctx);
	st->txn_ctx = NULL;
	st->staged = NULL;
	st->n_staged = 0;
	st->depth = 0;
	st->aborted = false;
}

int uicc_store_begin(struct uicc_store *st)
{
	if (st->failed)
		return -1;
	if (st->depth == 0) {
		st->txn_ctx = talloc_named_const(st, 0, "store txn");
		st->staged = talloc_zero_array(st->txn_ctx, struct staged, 8);
		st->n_staged = 0;
		st->aborted = false;
	}
	st->depth++;
	return 0;
}

static int stage(struct uicc_store *st, const char *name, const void *data, size_t len, bool deleted)
{
	struct staged *s;

	if (st->failed || st->depth == 0 || !store_name_ok(name) || len > UICC_STORE_RECORD_MAX)
		return -1;
	if (st->n_staged == talloc_array_length(st->staged)) {
		struct staged *n = talloc_realloc(st->txn_ctx, st->staged, struct staged, 2 * st->n_staged);
		if (!n)
			return -1;
		st->staged = n;
	}
	s = &st->staged[st->n_staged];
	memset(s, 0, sizeof(*s));
	strcpy(s->rec.name, name);
	s->deleted = deleted;
	if (!deleted && len) {
		s->rec.data = talloc_memdup(st->txn_ctx, data, len);
		if (!s->rec.data)
			return -1;
	}
	s->rec.len = deleted ? 0 : len;
	st->n_staged++;
	return 0;
}

int uicc_store_put(struct uicc_store *st, const char *name, const void *data, size_t len)
{
	return stage(st, name, data, len, false);
}

int uicc_store_delete(struct uicc_store *st, const char *name)
{
	return stage(st, name, NULL, 0, true);
}

void uicc_store_abort(struct uicc_store *st)
{
	if (st->depth == 0)
		return;
	st->aborted = true;
	if (--st->depth == 0)
		txn_clear(st);
}

/* The committed records with the staged changes applied, as a new sorted array of shallow copies. */
static struct store_rec *merged_view(struct uicc_store *st, size_t *n_out)
{
	size_t cap = st->n_recs + st->n_staged, n = st->n_recs;
	struct store_rec *m = talloc_array(st->txn_ctx, struct store_rec, cap ? cap : 1);

	if (!m)
		return NULL;
	if (st->n_recs)
		memcpy(m, st->recs, st->n_recs * sizeof(*m));
	for (size_t i = 0; i < st->n_staged; i++) {
		const struct staged *s = &st->staged[i];
		size_t pos = 0;
		while (pos < n && strcmp(m[pos].name, s->rec.name) < 0)
			pos++;
		bool found = pos < n && strcmp(m[pos].name, s->rec.name) == 0;
		if (s->deleted) {
			if (found) {
				memmove(&m[pos], &m[pos + 1], (n - pos - 1) * sizeof(*m));
				n--;
			}
			continue;
		}
		if (!found) {
			memmove(&m[pos + 1], &m[pos], (n - pos) * sizeof(*m));
			n++;
		}
		m[pos] = s->rec;
	}
	*n_out = n;
	return m;
}

/* Make the merged view the committed state: the store takes the staged buffers it now refers to. */
static void adopt(struct uicc_store *st, struct store_rec *m, size_t n)
{
	void *old = talloc_named_const(NULL, 0, "old records");
	struct store_rec *recs = talloc_array(st, struct store_rec, n ? n : 1);

	for (size_t i = 0; i < st->n_recs; i++)
		if (st->recs[i].data)
			talloc_steal(old, st->recs[i].data);
	for (size_t i = 0; i < n; i++) {
		recs[i] = m[i];
		if (recs[i].data)
			talloc_steal(st, recs[i].data);
	}
	talloc_free(st->recs);
	st->recs = recs;
	st->n_recs = n;
	talloc_free(old);
}

static int commit_outermost(struct uicc_store *st, struct sg_error *err)
{
	struct store_rec *m;
	size_t n, img_len;
	uint8_t *img;

	if (st->n_staged == 0)
		return 0;
	m = merged_view(st, &n);
	if (!m)
		return sg_err(err, "card image: out of memory");
	if (st->path) {
		img = store_image_encode(st->txn_ctx, st->generation + 1, m, n, &img_len);
		if (!img)
			return sg_err(err, "card image: out of memory");
		struct sg_error werr;
		if (write_image(st, img, img_len, &werr) < 0) {
			st->failed = true;
			LOGP(DSTORE, LOGL_ERROR, "commit failed, card stops: %s\n", werr.msg);
			return sg_err(err, "%s", werr.msg);
		}
	} else if (power_cut_now(st)) {
		st->failed = true;
		return sg_err(err, "card image: power cut");
	}
	adopt(st, m, n);
	st->generation++;
	st->is_new = false;
	return 0;
}

int uicc_store_commit(struct uicc_store *st, struct sg_error *err)
{
	int rc;

	if (st->depth == 0)
		return sg_err(err, "card image: commit without a transaction");
	if (--st->depth > 0)
		return 0;
	if (st->failed)
		rc = sg_err(err, "card image: store has failed");
	else if (st->aborted)
		rc = sg_err(err, "card image: transaction aborted");
	else
		rc = commit_outermost(st, err);
	txn_clear(st);
	return rc;
}

int uicc_store_put_now(struct uicc_store *st, const char *name, const void *data, size_t len, struct sg_error *err)
{
	if (uicc_store_begin(st) < 0)
		return sg_err(err, "card image: store has failed");
	if (uicc_store_put(st, name, data, len) < 0) {
		uicc_store_abort(st);
		return sg_err(err, "card image: cannot stage record '%s'", name);
	}
	return uicc_store_commit(st, err);
}

/* ---- open / close ---- */

static int read_file(void *ctx, int fd, uint8_t **buf, size_t *len, struct sg_error *err)
{
	struct stat sb;
	size_t got = 0;

	if (fstat(fd, &sb) < 0)
		return sg_err(err, "card image: stat: %s", strerror(errno));
	if (sb.st_size > 64 * 1024 * 1024)
		return sg_err(err, "card image: implausibly large (%lld bytes)", (long long)sb.st_size);
	*buf = talloc_size(ctx, sb.st_size ? sb.st_size : 1);
	while (got < (size_t)sb.st_size) {
		ssize_t r = read(fd, *buf + got, sb.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return sg_err(err, "card image: read: %s", r < 0 ? strerror(errno) : "short file");
		got += r;
	}
	*len = got;
	return 0;
}

static int load_image(struct uicc_store *st, struct sg_error *err)
{
	int fd = open(st->path, O_RDONLY | O_CLOEXEC);
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	if (fd < 0) {
		if (errno != ENOENT)
			return sg_err(err, "card image: open %s: %s", st->path, strerror(errno));
		st->is_new = true;
		return 0;
	}
	rc = read_file(st, fd, &buf, &len, err);
	close(fd);
	if (rc < 0)
		return -1;
	rc = store_image_decode(st, buf, len, &st->generation, &st->recs, &st->n_recs, err);
	talloc_free(buf);
	if (rc < 0)
		return -1;
	for (size_t i = 0; i < st->n_recs; i++)
		if (st->recs[i].data)
			talloc_steal(st, st->recs[i].data);
	return 0;
}

static int take_lock(struct uicc_store *st, struct sg_error *err)
{
	char *lock_path = talloc_asprintf(st, "%s.lock", st->path);

	st->lock_fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (st->lock_fd < 0)
		return sg_err(err, "card image: open %s: %s", lock_path, strerror(errno));
	if (flock(st->lock_fd, LOCK_EX | LOCK_NB) < 0)
		return sg_err(err, "card image: %s is in use by another card instance", st->path);
	return 0;
}

static int store_destructor(struct uicc_store *st)
{
	if (st->lock_fd >= 0)
		close(st->lock_fd);
	return 0;
}

struct uicc_store *uicc_store_open(void *ctx, const char *path, struct sg_error *err)
{
	struct uicc_store *st = talloc_zero(ctx, struct uicc_store);

	if (!st) {
		sg_err(err, "card image: out of memory");
		return NULL;
	}
	uicc_log_init(NULL);
	st->lock_fd = -1;
	st->cut_countdown = -1;
	talloc_set_destructor(st, store_destructor);
	if (!path) {
		st->is_new = true;
		return st;
	}
	st->path = talloc_strdup(st, path);
	st->tmp_path = talloc_asprintf(st, "%s.tmp", path);
	if (take_lock(st, err) < 0 || load_image(st, err) < 0) {
		talloc_free(st);
		return NULL;
	}
	/* a temporary image left by a cut commit was never renamed: it is not part of any state */
	if (unlink(st->tmp_path) < 0 && errno != ENOENT) {
		sg_err(err, "card image: remove stale %s: %s", st->tmp_path, strerror(errno));
		talloc_free(st);
		return NULL;
	}
	return st;
}

void uicc_store_close(struct uicc_store *st)
{
	talloc_free(st);
}
