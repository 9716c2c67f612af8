/* File contents live in the card's store, one record per EF ("fs/EF.ADN"): a life-cycle byte (05 activated,
 * 04 deactivated) followed by the body. Reads go to the store so that a transaction that is aborted or cut leaves
 * nothing behind in memory either. */
#include <string.h>

#include <osmocom/core/talloc.h>

#include "uicc/store.h"
#include "fs_internal.h"

#define LCS_ACTIVE	0x05
#define LCS_DEACTIVATED 0x04

int fs_persist_file(struct uicc_fs *fs, const struct uicc_file *f)
{
	size_t n = uicc_file_size(f);
	uint8_t *buf = talloc_size(NULL, n + 1);
	int rc;

	buf[0] = f->active ? LCS_ACTIVE : LCS_DEACTIVATED;
	memcpy(buf + 1, f->body, n);
	rc = uicc_store_put(fs->store, f->store_name, buf, n + 1);
	talloc_free(buf);
	return rc;
}

int fs_persist_all(struct uicc_fs *fs)
{
	for (size_t i = 0; i < fs->n_files; i++) {
		struct uicc_file *f = fs->files[i];
		if (uicc_file_is_df(f))
			continue;
		if (fs_persist_file(fs, f) < 0)
			return -1;
		/* from now on the store holds the contents */
		TALLOC_FREE(f->body);
	}
	return 0;
}

int fs_load_all(struct uicc_fs *fs, struct sg_error *err)
{
	for (size_t i = 0; i < fs->n_files; i++) {
		struct uicc_file *f = fs->files[i];
		const uint8_t *d;
		size_t len;
		if (uicc_file_is_df(f))
			continue;
		if (!uicc_store_get(fs->store, f->store_name, &d, &len))
			return sg_err(err, "card image: no contents for %s", f->name);
		if (len != uicc_file_size(f) + 1 || (d[0] != LCS_ACTIVE && d[0] != LCS_DEACTIVATED))
			return sg_err(err,
				      "card image: %s has %zu bytes, this card's layout needs %zu (profile changed?)",
				      f->name, len - 1, uicc_file_size(f));
		TALLOC_FREE(f->body);
	}
	return 0;
}
