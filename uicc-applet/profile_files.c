/* The "files" section of a card profile: initial contents of EFs (whole body or record by record) and optional
 * size overrides. Whether the named file exists and the contents fit is checked when the card is built (fs_build.c),
 * which knows the file system. */
#include <stdio.h>
#include <string.h>

#include <osmocom/core/talloc.h>

#include "uicc/profile.h"
#include "profile_parse.h"

#define FILE_BODY_MAX 4096
#define RECORD_MAX    255
#define RECORDS_MAX   254

static int parse_records(void *ctx, struct uicc_profile_file *f, const json_t *arr, const char *path,
			 struct sg_error *err)
{
	uint8_t buf[RECORD_MAX];
	size_t i;
	json_t *r;

	f->n_records = json_array_size(arr);
	if (f->n_records > RECORDS_MAX)
		return sg_err(err, "%s.records: at most %d records", path, RECORDS_MAX);
	f->records = talloc_zero_array(ctx, uint8_t *, f->n_records ? f->n_records : 1);
	f->record_lens = talloc_zero_array(ctx, size_t, f->n_records ? f->n_records : 1);
	json_array_foreach(arr, i, r)
	{
		char what[64];
		snprintf(what, sizeof(what), "%s.records[%zu]", path, i);
		if (pp_hex_value(r, what, buf, sizeof(buf), &f->record_lens[i], err) < 0)
			return -1;
		f->records[i] = talloc_memdup(f->records, buf, f->record_lens[i] ? f->record_lens[i] : 1);
	}
	return 0;
}

static int parse_file(void *ctx, struct uicc_profile_file *f, const json_t *o, const char *path, struct sg_error *err)
{
	static const char *const keys[] = {"file", "data", "records", "size", "record_count", NULL};
	uint8_t *body = talloc_size(ctx, FILE_BODY_MAX);
	const char *name;
	json_t *recs;
	long long v;

	if (!json_is_object(o))
		return sg_err(err, "%s: must be an object", path);
	if (pp_only_keys(o, path, keys, err) < 0 || pp_string(o, "file", path, true, &name, err) < 0 ||
	    pp_hex(o, "data", path, false, body, FILE_BODY_MAX, &f->len, err) < 0 ||
	    pp_array(o, "records", path, false, &recs, err) < 0)
		return -1;
	f->name = talloc_strdup(ctx, name);
	f->data = f->len ? talloc_memdup(ctx, body, f->len) : NULL;
	talloc_free(body);
	if (json_object_get(o, "data") && recs)
		return sg_err(err, "%s: give either data (transparent EF) or records (record EF), not both", path);
	if (recs && parse_records(ctx, f, recs, path, err) < 0)
		return -1;
	if (pp_int(o, "size", path, false, 1, FILE_BODY_MAX, -1, &v, err) < 0)
		return -1;
	f->size = v;
	if (pp_int(o, "record_count", path, false, 1, RECORDS_MAX, -1, &v, err) < 0)
		return -1;
	f->record_count = v;
	return 0;
}

int profile_parse_files(struct uicc_profile *p, const json_t *files, struct sg_error *err)
{
	size_t i;
	json_t *o;

	if (!files)
		return 0;
	p->n_files = json_array_size(files);
	p->files = talloc_zero_array(p, struct uicc_profile_file, p->n_files ? p->n_files : 1);
	json_array_foreach(files, i, o)
	{
		char path[32];
		snprintf(path, sizeof(path), "files[%zu]", i);
		if (parse_file(p->files, &p->files[i], o, path, err) < 0)
			return -1;
		for (size_t j = 0; j < i; j++)
			if (strcmp(p->files[j].name, p->files[i].name) == 0)
				return sg_err(err, "%s.file: '%s' listed twice", path, p->files[i].name);
	}
	return 0;
}
