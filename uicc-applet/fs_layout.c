/* The card's file tree: which DFs and EFs exist (TS 102 221 clause 13, TS 31.102 clause 4, TS 51.011 DF.TELECOM),
 * their FIDs, SFIs, structures, sizes and access conditions, and the build of the tree for one card. */
#include <stdio.h>
#include <string.h>

#include <osmocom/core/talloc.h>

#include "uicc/profile.h"
#include "uicc/store.h"
#include "fs_internal.h"

#define A UICC_ACC_ALWAYS
#define P UICC_ACC_PIN1
#define D UICC_ACC_ADM
#define N UICC_ACC_NEVER

struct fs_spec {
	const char *name;
	const char *parent;
	uint16_t fid;
	uint8_t sfi;
	enum uicc_file_kind kind;
	size_t size; /* transparent: bytes; record: record length */
	size_t recs;
	enum uicc_acc read, update, admin;
};

/* USIM application identifier: RID A000000087 (3GPP), application code 1002 (USIM), then provider bytes */
static const uint8_t usim_aid[] = {0xA0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x02, 0xFF,
				   0xFF, 0xFF, 0xFF, 0x89, 0x07, 0x09, 0x00, 0x00};

static const struct fs_spec layout[] = {
	{"MF", NULL, 0x3F00, 0, UICC_FILE_MF, 0, 0, A, D, D},
	{"EF.DIR", "MF", 0x2F00, 0x1E, UICC_FILE_LINEAR_FIXED, 38, 2, A, D, D},
	{"EF.ICCID", "MF", 0x2FE2, 0x02, UICC_FILE_TRANSPARENT, 10, 0, A, N, D},
	{"EF.PL", "MF", 0x2F05, 0x05, UICC_FILE_TRANSPARENT, 4, 0, A, P, D},
	{"EF.ARR", "MF", 0x2F06, 0x06, UICC_FILE_LINEAR_FIXED, 0, 0, A, D, D},
	{"ADF.USIM", "MF", 0x7FF0, 0, UICC_FILE_ADF, 0, 0, A, D, D},
	{"EF.LI", "ADF.USIM", 0x6F05, 0x02, UICC_FILE_TRANSPARENT, 4, 0, A, P, D},
	{"EF.ARR.USIM", "ADF.USIM", 0x6F06, 0x17, UICC_FILE_LINEAR_FIXED, 0, 0, A, D, D},
	{"EF.IMSI", "ADF.USIM", 0x6F07, 0x07, UICC_FILE_TRANSPARENT, 9, 0, P, D, D},
	{"EF.KEYS", "ADF.USIM", 0x6F08, 0x08, UICC_FILE_TRANSPARENT, 33, 0, P, P, D},
	{"EF.UST", "ADF.USIM", 0x6F38, 0x04, UICC_FILE_TRANSPARENT, 10, 0, P, D, D},
	{"EF.SMS", "ADF.USIM", 0x6F3C, 0, UICC_FILE_LINEAR_FIXED, 176, 10, P, P, D},
	{"EF.SMSP", "ADF.USIM", 0x6F42, 0, UICC_FILE_LINEAR_FIXED, 40, 2, P, P, D},
	{"EF.SMSS", "ADF.USIM", 0x6F43, 0, UICC_FILE_TRANSPARENT, 2, 0, P, P, D},
	{"EF.SPN", "ADF.USIM", 0x6F46, 0, UICC_FILE_TRANSPARENT, 17, 0, A, D, D},
	{"EF.EST", "ADF.USIM", 0x6F56, 0x05, UICC_FILE_TRANSPARENT, 1, 0, P, P, D},
	{"EF.ACC", "ADF.USIM", 0x6F78, 0x06, UICC_FILE_TRANSPARENT, 2, 0, P, D, D},
	{"EF.LOCI", "ADF.USIM", 0x6F7E, 0x0B, UICC_FILE_TRANSPARENT, 11, 0, P, P, D},
	{"EF.AD", "ADF.USIM", 0x6FAD, 0x03, UICC_FILE_TRANSPARENT, 4, 0, A, D, D},
	{"DF.TELECOM", "MF", 0x7F10, 0, UICC_FILE_DF, 0, 0, A, D, D},
	{"EF.ADN", "DF.TELECOM", 0x6F3A, 0, UICC_FILE_LINEAR_FIXED, 30, 50, P, P, D},
	{"EF.MSISDN", "DF.TELECOM", 0x6F40, 0, UICC_FILE_LINEAR_FIXED, 30, 2, P, P, D},
};

#undef A
#undef P
#undef D
#undef N

static struct uicc_file *add_file(struct uicc_fs *fs, const struct fs_spec *s, struct sg_error *err)
{
	struct uicc_file *f = talloc_zero(fs, struct uicc_file);
	struct uicc_file *parent = s->parent ? uicc_fs_by_name(fs, s->parent) : NULL;

	if (fs->n_files == FS_MAX_FILES || (s->parent && !parent) ||
	    (parent && parent->n_children == sizeof(parent->children) / sizeof(parent->children[0]))) {
		sg_err(err, "file system: layout error at %s", s->name);
		return NULL;
	}
	f->fs = fs;
	f->name = s->name;
	f->fid = s->fid;
	f->sfi = s->sfi;
	f->kind = s->kind;
	f->parent = parent;
	f->acc[UICC_OP_READ] = s->read;
	f->acc[UICC_OP_UPDATE] = s->update;
	f->acc[UICC_OP_ADMIN] = s->admin;
	f->active = true;
	if (s->kind == UICC_FILE_TRANSPARENT) {
		f->size = s->size;
	} else if (s->kind == UICC_FILE_LINEAR_FIXED || s->kind == UICC_FILE_CYCLIC) {
		f->rec_len = s->size;
		f->rec_count = s->recs;
	}
	snprintf(f->store_name, sizeof(f->store_name), "fs/%s", s->name);
	if (parent)
		parent->children[parent->n_children++] = f;
	fs->files[fs->n_files++] = f;
	return f;
}

/* A profile entry may resize a file; the image must then agree (checked when loading). */
static int apply_size_overrides(struct uicc_fs *fs, const struct uicc_profile *p, struct sg_error *err)
{
	for (size_t i = 0; i < p->n_files; i++) {
		const struct uicc_profile_file *pf = &p->files[i];
		struct uicc_file *f = uicc_fs_by_name(fs, pf->name);
		if (!f)
			f = uicc_fs_by_path_str(fs, pf->name);
		if (!f || uicc_file_is_df(f))
			return sg_err(err, "files[%zu].file: no EF '%s' on this card", i, pf->name);
		if (pf->size >= 0) {
			if (f->kind != UICC_FILE_TRANSPARENT)
				return sg_err(err, "files[%zu].size: %s is a record file (use record_count)", i,
					      f->name);
			f->size = pf->size;
		}
		if (pf->record_count >= 0) {
			if (f->kind == UICC_FILE_TRANSPARENT)
				return sg_err(err, "files[%zu].record_count: %s is transparent (use size)", i, f->name);
			f->rec_count = pf->record_count;
		}
	}
	return 0;
}

static int alloc_bodies(struct uicc_fs *fs)
{
	for (size_t i = 0; i < fs->n_files; i++) {
		struct uicc_file *f = fs->files[i];
		size_t n;
		if (uicc_file_is_df(f))
			continue;
		n = uicc_file_size(f);
		f->body = talloc_size(f, n ? n : 1);
		if (!f->body)
			return -1;
		memset(f->body, 0xFF, n);
	}
	return 0;
}

struct uicc_fs *fs_build(void *ctx, const struct uicc_profile *p, struct uicc_store *st, struct sg_error *err)
{
	struct uicc_fs *fs = talloc_zero(ctx, struct uicc_fs);

	fs->store = st;
	fs->pin1_enabled = p->pin1_enabled;
	fs->has_adm1 = p->has_adm1;
	for (size_t i = 0; i < sizeof(layout) / sizeof(layout[0]); i++)
		if (!add_file(fs, &layout[i], err))
			goto fail;
	fs->mf = fs->files[0];
	fs->usim = uicc_fs_by_name(fs, "ADF.USIM");
	memcpy(fs->usim->aid, usim_aid, sizeof(usim_aid));
	fs->usim->aid_len = sizeof(usim_aid);
	if (apply_size_overrides(fs, p, err) < 0 || fs_build_arr(fs, err) < 0)
		goto fail;
	if (alloc_bodies(fs) < 0) {
		sg_err(err, "file system: out of memory");
		goto fail;
	}
	if (uicc_store_is_new(st)) {
		if (fs_fill_defaults(fs, p, err) < 0 || fs_apply_profile(fs, p, err) < 0)
			goto fail;
		if (fs_persist_all(fs) < 0) {
			sg_err(err, "file system: cannot stage the initial contents (no open store transaction?)");
			goto fail;
		}
	} else if (fs_load_all(fs, err) < 0) {
		goto fail;
	}
	return fs;
fail:
	talloc_free(fs);
	return NULL;
}
