/* File system navigation: lookups by name, FID, path and AID, file properties, and SELECT's search rules
 * (TS 102 221 8.4.1 and 11.1.1). */
#include <ctype.h>
#include <string.h>

#include "uicc/card.h"
#include "fs_internal.h"

struct uicc_file *uicc_fs_mf(struct uicc_fs *fs)
{
	return fs->mf;
}

struct uicc_file *uicc_fs_usim(struct uicc_fs *fs)
{
	return fs->usim;
}

struct uicc_file *uicc_fs_child(const struct uicc_file *df, uint16_t fid)
{
	if (!df)
		return NULL;
	for (size_t i = 0; i < df->n_children; i++)
		if (df->children[i]->fid == fid)
			return df->children[i];
	return NULL;
}

struct uicc_file *uicc_fs_child_by_sfi(const struct uicc_file *df, uint8_t sfi)
{
	if (!df || sfi == 0)
		return NULL;
	for (size_t i = 0; i < df->n_children; i++)
		if (df->children[i]->sfi == sfi && !uicc_file_is_df(df->children[i]))
			return df->children[i];
	return NULL;
}

struct uicc_file *uicc_file_child_at(const struct uicc_file *df, size_t index)
{
	return df && index < df->n_children ? df->children[index] : NULL;
}

struct uicc_file *uicc_fs_by_name(struct uicc_fs *fs, const char *name)
{
	for (size_t i = 0; i < fs->n_files; i++)
		if (strcmp(fs->files[i]->name, name) == 0)
			return fs->files[i];
	return NULL;
}

/* Walk FIDs from a DF. 7FFF stands for the USIM ADF (our only application) at any level where an ADF may be. */
static struct uicc_file *walk(struct uicc_fs *fs, struct uicc_file *f, const uint8_t *path, size_t len)
{
	for (size_t i = 0; f && i + 1 < len; i += 2) {
		uint16_t fid = (path[i] << 8) | path[i + 1];
		if (!uicc_file_is_df(f))
			return NULL;
		f = fid == UICC_FID_CUR_ADF && f == fs->mf ? fs->usim : uicc_fs_child(f, fid);
	}
	return f;
}

struct uicc_file *uicc_fs_by_path(struct uicc_fs *fs, const uint8_t *path, size_t len)
{
	if (len % 2 || len > 2 * UICC_MAX_PATH)
		return NULL;
	if (len >= 2 && path[0] == 0x3F && path[1] == 0x00) {
		path += 2;
		len -= 2;
	}
	return walk(fs, fs->mf, path, len);
}

struct uicc_file *uicc_fs_by_path_str(struct uicc_fs *fs, const char *s)
{
	uint8_t path[2 * UICC_MAX_PATH];
	size_t n = 0, digits = 0;

	for (; *s; s++) {
		int v;
		if (*s == '/')
			continue;
		if (!isxdigit((unsigned char)*s) || n == sizeof(path))
			return NULL;
		v = isdigit((unsigned char)*s) ? *s - '0' : (toupper((unsigned char)*s) - 'A' + 10);
		if (digits++ % 2 == 0)
			path[n] = v << 4;
		else
			path[n++] |= v;
	}
	if (digits % 4 || digits == 0)
		return NULL;
	return uicc_fs_by_path(fs, path, n);
}

struct uicc_file *uicc_fs_by_aid(struct uicc_fs *fs, const uint8_t *aid, size_t len)
{
	/* partial selection: at least RID (5) + the application code; our ADF is the only application */
	if (len < 5 || len > fs->usim->aid_len)
		return NULL;
	return memcmp(fs->usim->aid, aid, len) == 0 ? fs->usim : NULL;
}

static struct uicc_file *select_fid(struct uicc_fs *fs, const struct uicc_file *cur_df, const struct uicc_file *cur_adf,
				    uint16_t fid)
{
	struct uicc_file *f;

	if (fid == UICC_FID_MF)
		return fs->mf;
	if (fid == UICC_FID_CUR_ADF)
		return (struct uicc_file *)cur_adf;
	if (cur_df->fid == fid)
		return (struct uicc_file *)cur_df;
	f = uicc_fs_child(cur_df, fid);
	if (f)
		return f;
	if (cur_df->parent && cur_df->parent->fid == fid)
		return cur_df->parent;
	/* a DF that is a sibling of the current DF */
	f = uicc_fs_child(cur_df->parent, fid);
	if (f && uicc_file_is_df(f))
		return f;
	return NULL;
}

uint16_t uicc_fs_select(struct uicc_fs *fs, const struct uicc_file *cur_df, const struct uicc_file *cur_adf, uint8_t p1,
			const uint8_t *data, size_t len, struct uicc_file **out)
{
	struct uicc_file *f = NULL;

	if (!cur_df)
		cur_df = fs->mf;
	switch (p1) {
	case 0x00:
		if (len == 0) {
			f = fs->mf;
			break;
		}
		if (len != 2)
			return 0x6700;
		f = select_fid(fs, cur_df, cur_adf, (data[0] << 8) | data[1]);
		break;
	case 0x04:
		if (len == 0 || len > FS_AID_MAX)
			return 0x6700;
		f = uicc_fs_by_aid(fs, data, len);
		break;
	case 0x08:
	case 0x09:
		if (len == 0 || len % 2 || len > 2 * UICC_MAX_PATH)
			return 0x6700;
		if (p1 == 0x08)
			f = uicc_fs_by_path(fs, data, len);
		else
			f = walk(fs, (struct uicc_file *)cur_df, data, len);
		break;
	default:
		return 0x6A86;
	}
	if (!f)
		return 0x6A82;
	*out = f;
	return 0x9000;
}

uint16_t uicc_file_fid(const struct uicc_file *f)
{
	return f->fid;
}

enum uicc_file_kind uicc_file_kind(const struct uicc_file *f)
{
	return f->kind;
}

bool uicc_file_is_df(const struct uicc_file *f)
{
	return f->kind == UICC_FILE_MF || f->kind == UICC_FILE_DF || f->kind == UICC_FILE_ADF;
}

const char *uicc_file_name(const struct uicc_file *f)
{
	return f->name;
}

struct uicc_file *uicc_file_parent(const struct uicc_file *f)
{
	return f->parent;
}

uint8_t uicc_file_sfi(const struct uicc_file *f)
{
	return f->sfi;
}

size_t uicc_file_size(const struct uicc_file *f)
{
	return f->kind == UICC_FILE_TRANSPARENT ? f->size : f->rec_len * f->rec_count;
}

size_t uicc_file_rec_len(const struct uicc_file *f)
{
	return f->rec_len;
}

size_t uicc_file_rec_count(const struct uicc_file *f)
{
	return f->rec_count;
}

enum uicc_acc uicc_file_acc(const struct uicc_file *f, enum uicc_file_op op)
{
	return f->acc[op];
}

const uint8_t *uicc_file_aid(const struct uicc_file *f, size_t *len)
{
	*len = f->aid_len;
	return f->aid_len ? f->aid : NULL;
}

size_t uicc_file_path(const struct uicc_file *f, uint8_t *out, size_t size)
{
	const struct uicc_file *chain[UICC_MAX_PATH];
	size_t depth = 0, n = 0;

	for (; f && depth < UICC_MAX_PATH; f = f->parent)
		chain[depth++] = f;
	while (depth-- > 0 && n + 2 <= size) {
		/* an ADF is addressed as 7FFF in paths */
		uint16_t fid = chain[depth]->kind == UICC_FILE_ADF ? UICC_FID_CUR_ADF : chain[depth]->fid;
		out[n++] = fid >> 8;
		out[n++] = fid & 0xFF;
	}
	return n;
}
