/* The card image store: records and nested transactions, persistence across reopen, refusal of damaged or
 * foreign images, the lock against a second instance, and atomicity of a multi-record commit under a power cut at
 * every write point. */
#include <fcntl.h>
#include <sys/stat.h>

#include "test_uicc_util.h"
#include "uicc/store.h"

struct tstore {
	char dir[64];
	char path[96];
};

static int setup(void **state)
{
	struct tstore *t = calloc(1, sizeof(*t));

	strcpy(t->dir, "/tmp/sg-store-test.XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->path, sizeof(t->path), "%s/img", t->dir);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tstore *t = *state;
	char p[128];

	snprintf(p, sizeof(p), "rm -rf '%s'", t->dir);
	assert_int_equal(system(p), 0);
	free(t);
	return 0;
}

static struct uicc_store *open_ok(const char *path)
{
	struct sg_error err;
	struct uicc_store *st = uicc_store_open(NULL, path, &err);

	if (!st)
		fail_msg("open: %s", err.msg);
	return st;
}

static void get_str(struct uicc_store *st, const char *name, const char *expect)
{
	const uint8_t *d;
	size_t len;

	if (!expect) {
		assert_int_equal(uicc_store_get(st, name, &d, &len), 0);
		return;
	}
	assert_int_equal(uicc_store_get(st, name, &d, &len), 1);
	assert_int_equal(len, strlen(expect));
	assert_memory_equal(d, expect, len);
}

static void basic_persistence(void **state)
{
	struct tstore *t = *state;
	struct uicc_store *st = open_ok(t->path);
	struct sg_error err;
	uint8_t buf[4];

	assert_true(uicc_store_is_new(st));
	get_str(st, "a", NULL);
	assert_int_equal(uicc_store_put_now(st, "a", "one", 3, &err), 0);
	assert_int_equal(uicc_store_put_now(st, "b/x", "", 0, &err), 0);
	assert_int_equal(uicc_store_generation(st), 2);
	uicc_store_close(st);

	st = open_ok(t->path);
	assert_false(uicc_store_is_new(st));
	assert_int_equal(uicc_store_generation(st), 2);
	get_str(st, "a", "one");
	get_str(st, "b/x", "");
	assert_int_equal(uicc_store_get_exact(st, "a", buf, 3), 1);
	assert_int_equal(uicc_store_get_exact(st, "a", buf, 4), -1);
	assert_int_equal(uicc_store_get_exact(st, "zz", buf, 4), 0);
	/* delete */
	assert_int_equal(uicc_store_begin(st), 0);
	assert_int_equal(uicc_store_delete(st, "a"), 0);
	get_str(st, "a", NULL);
	assert_int_equal(uicc_store_commit(st, &err), 0);
	uicc_store_close(st);
	st = open_ok(t->path);
	get_str(st, "a", NULL);
	uicc_store_close(st);
}

static void transactions(void **state)
{
	struct tstore *t = *state;
	struct uicc_store *st = open_ok(t->path);
	struct sg_error err;

	/* put outside a transaction, bad names, oversize records */
	assert_int_equal(uicc_store_put(st, "a", "x", 1), -1);
	assert_int_equal(uicc_store_begin(st), 0);
	assert_int_equal(uicc_store_put(st, "", "x", 1), -1);
	assert_int_equal(uicc_store_put(st, "a b", "x", 1), -1);
	assert_int_equal(uicc_store_put(st, "0123456789012345678901234567890123456789012345678901234567890123", "x", 1),
			 -1);
	assert_int_equal(uicc_store_put(st, "big", "x", UICC_STORE_RECORD_MAX + 1), -1);
	/* nested: the inner commit writes nothing, reads see the staged value */
	assert_int_equal(uicc_store_put(st, "a", "1", 1), 0);
	assert_int_equal(uicc_store_begin(st), 0);
	assert_int_equal(uicc_store_put(st, "b", "2", 1), 0);
	assert_int_equal(uicc_store_put(st, "a", "3", 1), 0);
	assert_int_equal(uicc_store_commit(st, &err), 0);
	assert_int_equal(uicc_store_generation(st), 0);
	get_str(st, "a", "3");
	assert_int_equal(uicc_store_commit(st, &err), 0);
	assert_int_equal(uicc_store_generation(st), 1);
	/* an inner abort sinks the whole transaction */
	assert_int_equal(uicc_store_begin(st), 0);
	assert_int_equal(uicc_store_put(st, "a", "4", 1), 0);
	assert_int_equal(uicc_store_begin(st), 0);
	uicc_store_abort(st);
	assert_int_equal(uicc_store_commit(st, &err), -1);
	assert_string_equal(err.msg, "card image: transaction aborted");
	get_str(st, "a", "3");
	assert_int_equal(uicc_store_commit(st, &err), -1);
	assert_string_equal(err.msg, "card image: commit without a transaction");
	uicc_store_close(st);
	st = open_ok(t->path);
	get_str(st, "a", "3");
	get_str(st, "b", "2");
	uicc_store_close(st);
}

static void write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static size_t read_file(const char *path, uint8_t *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, buf, size);
	close(fd);
	assert_true(n >= 0);
	return n;
}

static void expect_open_error(const char *path, const char *msg)
{
	struct sg_error err;

	assert_null(uicc_store_open(NULL, path, &err));
	assert_string_equal(err.msg, msg);
}

static void damaged_images(void **state)
{
	struct tstore *t = *state;
	struct uicc_store *st = open_ok(t->path);
	uint8_t img[256], bad[256];
	size_t n;

	assert_int_equal(uicc_store_put_now(st, "rec", "value", 5, NULL), 0);
	uicc_store_close(st);
	n = read_file(t->path, img, sizeof(img));
	/* one flipped bit anywhere is caught by the digest */
	memcpy(bad, img, n);
	bad[30] ^= 0x01;
	write_file(t->path, bad, n);
	expect_open_error(t->path, "card image: digest mismatch (damaged image)");
	/* torn write: a prefix of the image */
	write_file(t->path, img, n - 10);
	expect_open_error(t->path, "card image: digest mismatch (damaged image)");
	write_file(t->path, img, 10);
	expect_open_error(t->path, "card image: too short (10 bytes)");
	write_file(t->path, img, 0);
	expect_open_error(t->path, "card image: not a simguard card image (bad magic)");
	write_file(t->path, "not an image at all, just some text here ......", 47);
	expect_open_error(t->path, "card image: not a simguard card image (bad magic)");
	/* the good image again opens */
	write_file(t->path, img, n);
	uicc_store_close(open_ok(t->path));
}

static void lock_and_stale_tmp(void **state)
{
	struct tstore *t = *state;
	struct uicc_store *st = open_ok(t->path);
	char tmp[128], msg[200];
	struct stat sb;

	assert_int_equal(uicc_store_put_now(st, "a", "1", 1, NULL), 0);
	snprintf(msg, sizeof(msg), "card image: %s is in use by another card instance", t->path);
	expect_open_error(t->path, msg);
	uicc_store_close(st);
	/* a temporary image left by a cut commit is removed and ignored */
	snprintf(tmp, sizeof(tmp), "%s.tmp", t->path);
	write_file(tmp, "garbage", 7);
	st = open_ok(t->path);
	assert_int_equal(stat(tmp, &sb), -1);
	get_str(st, "a", "1");
	uicc_store_close(st);
}

/* A commit of two records, cut at every write point in turn: after each cut the image holds both old values or
 * both new ones, and the generation never goes back. */
static void power_cut_every_write_point(void **state)
{
	struct tstore *t = *state;
	struct uicc_store *st = open_ok(t->path);
	uint8_t base[512];
	size_t base_len;
	unsigned long points = 0;
	long n;
	bool done = false;

	assert_int_equal(uicc_store_begin(st), 0);
	assert_int_equal(uicc_store_put(st, "ota.counters", "old-counter", 11), 0);
	assert_int_equal(uicc_store_put(st, "antitheft.state", "old-state", 9), 0);
	assert_int_equal(uicc_store_commit(st, NULL), 0);
	uicc_store_close(st);
	base_len = read_file(t->path, base, sizeof(base));

	for (n = 0; !done; n++) {
		unsigned long before;
		int rc;
		write_file(t->path, base, base_len);
		st = open_ok(t->path);
		before = uicc_store_write_points(st);
		uicc_store_cut_power_at(st, n);
		assert_int_equal(uicc_store_begin(st), 0);
		assert_int_equal(uicc_store_put(st, "ota.counters", "new-counter", 11), 0);
		assert_int_equal(uicc_store_put(st, "antitheft.state", "new-state", 9), 0);
		rc = uicc_store_commit(st, NULL);
		done = rc == 0;
		assert_int_equal(uicc_store_failed(st), !done);
		if (done)
			points = uicc_store_write_points(st) - before;
		uicc_store_close(st);

		st = open_ok(t->path);
		const uint8_t *d;
		size_t len;
		assert_int_equal(uicc_store_get(st, "ota.counters", &d, &len), 1);
		bool is_new = memcmp(d, "new", 3) == 0;
		get_str(st, "ota.counters", is_new ? "new-counter" : "old-counter");
		get_str(st, "antitheft.state", is_new ? "new-state" : "old-state");
		assert_int_equal(uicc_store_generation(st), is_new ? 2 : 1);
		if (done)
			assert_true(is_new);
		uicc_store_close(st);
		assert_true(n < 100);
	}
	/* write, fsync, rename, directory fsync: at least four points were cut */
	assert_true(points >= 4);
	assert_int_equal((unsigned long)n, points + 1);
}

/* The very first commit (a new card's image): cut anywhere, there is either no image (the card starts new again)
 * or the complete one. */
static void power_cut_first_commit(void **state)
{
	struct tstore *t = *state;
	bool done = false;

	for (long n = 0; !done; n++) {
		struct uicc_store *st;
		unlink(t->path);
		st = open_ok(t->path);
		uicc_store_cut_power_at(st, n);
		assert_int_equal(uicc_store_begin(st), 0);
		assert_int_equal(uicc_store_put(st, "a", "1", 1), 0);
		assert_int_equal(uicc_store_put(st, "b", "2", 1), 0);
		done = uicc_store_commit(st, NULL) == 0;
		uicc_store_close(st);
		st = open_ok(t->path);
		if (uicc_store_is_new(st)) {
			assert_false(done);
			get_str(st, "a", NULL);
		} else {
			get_str(st, "a", "1");
			get_str(st, "b", "2");
		}
		uicc_store_close(st);
		assert_true(n < 100);
	}
}

static void memory_store(void **state)
{
	struct uicc_store *st = uicc_store_open(NULL, NULL, NULL);
	struct sg_error err;

	assert_non_null(st);
	assert_true(uicc_store_is_new(st));
	assert_int_equal(uicc_store_put_now(st, "x", "1", 1, &err), 0);
	get_str(st, "x", "1");
	uicc_store_cut_power_at(st, 0);
	assert_int_equal(uicc_store_put_now(st, "x", "2", 1, &err), -1);
	assert_true(uicc_store_failed(st));
	get_str(st, "x", "1");
	assert_int_equal(uicc_store_begin(st), -1);
	uicc_store_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(basic_persistence, setup, teardown),
		cmocka_unit_test_setup_teardown(transactions, setup, teardown),
		cmocka_unit_test_setup_teardown(damaged_images, setup, teardown),
		cmocka_unit_test_setup_teardown(lock_and_stale_tmp, setup, teardown),
		cmocka_unit_test_setup_teardown(power_cut_every_write_point, setup, teardown),
		cmocka_unit_test_setup_teardown(power_cut_first_commit, setup, teardown),
		cmocka_unit_test(memory_store),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
