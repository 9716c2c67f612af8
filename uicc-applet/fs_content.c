/* Initial contents of a new card: defaults derived from the profile's identities (ICCID, IMSI, MSISDN, SPN), the
 * USIM service table, empty SMS/ADN records, then the profile's own "files" entries on top. */
#include <string.h>

#include "uicc/profile.h"
#include "fs_internal.h"

/* USIM services we offer (TS 31.102 4.2.8): SMS 10, SMSP 12, SPN 19, MSISDN 21, GSM access 27 (so AUTHENTICATE
 * returns Kc), data download via SMS-PP 28, call control by USIM 30, "shall be set to 1" 33, data download via
 * USSD and USSD application mode 70. */
static const unsigned int ust_services[] = {10, 12, 19, 21, 27, 28, 30, 33, 70};

static void set_body(struct uicc_fs *fs, const char *name, const void *data, size_t len)
{
	struct uicc_file *f = uicc_fs_by_name(fs, name);

	memcpy(f->body, data, len < f->size ? len : f->size);
}

static void fill_dir(struct uicc_fs *fs)
{
	struct uicc_file *dir = uicc_fs_by_name(fs, "EF.DIR");
	uint8_t *r = dir->body;
	size_t aid_len = fs->usim->aid_len;

	/* application template: 61 L 4F (AID) 50 (label) */
	r[0] = 0x61;
	r[1] = 2 + aid_len + 2 + 4;
	r[2] = 0x4F;
	r[3] = aid_len;
	memcpy(r + 4, fs->usim->aid, aid_len);
	memcpy(r + 4 + aid_len, "\x50\x04USIM", 6);
}

static void fill_ust(struct uicc_fs *fs)
{
	struct uicc_file *ust = uicc_fs_by_name(fs, "EF.UST");

	memset(ust->body, 0, ust->size);
	for (size_t i = 0; i < sizeof(ust_services) / sizeof(ust_services[0]); i++) {
		unsigned int s = ust_services[i] - 1;
		if (s / 8 < ust->size)
			ust->body[s / 8] |= 1 << (s % 8);
	}
}

/* LAI from the IMSI's MCC and MNC (2 digits assumed, as EF.AD says), LAC FFFE = deleted, status "not updated" */
static void fill_loci(struct uicc_fs *fs, const char *imsi)
{
	uint8_t loci[11] = {0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0xFF, 0xFE, 0xFF, 0x01};
	const uint8_t *d = (const uint8_t *)imsi;

	loci[4] = ((d[1] - '0') << 4) | (d[0] - '0');
	loci[5] = 0xF0 | (d[2] - '0');
	loci[6] = ((d[4] - '0') << 4) | (d[3] - '0');
	set_body(fs, "EF.LOCI", loci, sizeof(loci));
}

static void fill_acc(struct uicc_fs *fs, const char *imsi)
{
	uint8_t acc[2] = {0, 0};
	unsigned int cls = imsi[strlen(imsi) - 1] - '0';

	/* access class 0..9 from the last IMSI digit (TS 22.011 4.2) */
	acc[cls >= 8 ? 0 : 1] = 1 << (cls % 8);
	set_body(fs, "EF.ACC", acc, 2);
}

static void fill_records(struct uicc_fs *fs, const char *name, uint8_t first)
{
	struct uicc_file *f = uicc_fs_by_name(fs, name);

	memset(f->body, 0xFF, uicc_file_size(f));
	for (size_t r = 0; r < f->rec_count; r++)
		f->body[r * f->rec_len] = first;
}

static int fill_identities(struct uicc_fs *fs, const struct uicc_profile *p, struct sg_error *err)
{
	uint8_t buf[17];

	fs_encode_iccid(p->iccid, buf);
	set_body(fs, "EF.ICCID", buf, 10);
	fs_encode_imsi(p->imsi, buf);
	set_body(fs, "EF.IMSI", buf, 9);
	if (p->msisdn[0]) {
		struct uicc_file *m = uicc_fs_by_name(fs, "EF.MSISDN");
		if (fs_encode_dialling(p->msisdn, m->body + m->rec_len - 14) < 0)
			return sg_err(err, "msisdn: cannot be encoded");
	}
	if (p->spn[0]) {
		memset(buf, 0xFF, sizeof(buf));
		buf[0] = 0x01; /* display condition: show the registered PLMN too */
		memcpy(buf + 1, p->spn, strlen(p->spn));
		set_body(fs, "EF.SPN", buf, sizeof(buf));
	}
	fill_loci(fs, p->imsi);
	fill_acc(fs, p->imsi);
	return 0;
}

int fs_fill_defaults(struct uicc_fs *fs, const struct uicc_profile *p, struct sg_error *err)
{
	static const uint8_t ad[4] = {0x00, 0x00, 0x00, 0x02};
	static const uint8_t lang[4] = {'e', 'n', 0xFF, 0xFF};
	static const uint8_t zero = 0x00, no_ksi = 0x07;

	fill_dir(fs);
	fill_ust(fs);
	fs_arr_fill(fs);
	set_body(fs, "EF.AD", ad, sizeof(ad));
	set_body(fs, "EF.PL", lang, sizeof(lang));
	set_body(fs, "EF.LI", lang, sizeof(lang));
	set_body(fs, "EF.EST", &zero, 1);
	set_body(fs, "EF.KEYS", &no_ksi, 1);
	fill_records(fs, "EF.SMS", 0x00); /* status 00: free record */
	return fill_identities(fs, p, err);
}

static int apply_records(struct uicc_file *f, const struct uicc_profile_file *pf, size_t idx, struct sg_error *err)
{
	if (f->kind == UICC_FILE_TRANSPARENT)
		return sg_err(err, "files[%zu]: %s is transparent (use data)", idx, f->name);
	if (pf->n_records > f->rec_count)
		return sg_err(err, "files[%zu].records: %zu records, %s has %zu", idx, pf->n_records, f->name,
			      f->rec_count);
	for (size_t r = 0; r < pf->n_records; r++) {
		uint8_t *rec = f->body + r * f->rec_len;
		if (pf->record_lens[r] > f->rec_len)
			return sg_err(err, "files[%zu].records[%zu]: %zu bytes, records of %s have %zu", idx, r,
				      pf->record_lens[r], f->name, f->rec_len);
		memset(rec, 0xFF, f->rec_len);
		memcpy(rec, pf->records[r], pf->record_lens[r]);
	}
	return 0;
}

int fs_apply_profile(struct uicc_fs *fs, const struct uicc_profile *p, struct sg_error *err)
{
	for (size_t i = 0; i < p->n_files; i++) {
		const struct uicc_profile_file *pf = &p->files[i];
		struct uicc_file *f = uicc_fs_by_name(fs, pf->name);
		if (!f)
			f = uicc_fs_by_path_str(fs, pf->name);
		if (pf->n_records) {
			if (apply_records(f, pf, i, err) < 0)
				return -1;
			continue;
		}
		if (!pf->data)
			continue;
		if (f->kind != UICC_FILE_TRANSPARENT)
			return sg_err(err, "files[%zu]: %s is a record file (use records)", i, f->name);
		if (pf->len > f->size)
			return sg_err(err, "files[%zu].data: %zu bytes, %s has %zu", i, pf->len, f->name, f->size);
		memcpy(f->body, pf->data, pf->len);
	}
	return 0;
}
