/* FCP templates (tag 62) that SELECT and STATUS return, TS 102 221 11.1.1.3: file descriptor, FID, AID, life
 * cycle, security attributes by reference to EF.ARR, sizes, SFI, and for DFs the PIN status template. */
#include "simguard/tlv.h"
#include "fs_internal.h"

#define PS_KEYREF_PIN1 0x01
#define PS_KEYREF_ADM1 0x0A

static size_t subtree_size(const struct uicc_file *df)
{
	size_t n = 0;

	for (size_t i = 0; i < df->n_children; i++) {
		const struct uicc_file *c = df->children[i];
		n += uicc_file_is_df(c) ? subtree_size(c) : uicc_file_size(c);
	}
	return n;
}

static void put_u16(struct sg_tlv_writer *w, uint16_t tag, size_t v)
{
	uint8_t b[2] = {v >> 8, v & 0xFF};

	sg_ber_tlv_put(w, tag, b, 2);
}

static void put_descriptor(struct sg_tlv_writer *w, const struct uicc_file *f)
{
	uint8_t d[5] = {0, 0x21, 0, f->rec_len, f->rec_count};

	switch (f->kind) {
	case UICC_FILE_TRANSPARENT:
		d[0] = 0x41;
		sg_ber_tlv_put(w, 0x82, d, 2);
		return;
	case UICC_FILE_LINEAR_FIXED:
		d[0] = 0x42;
		break;
	case UICC_FILE_CYCLIC:
		d[0] = 0x46;
		break;
	default:
		d[0] = 0x78; /* DF or ADF, shareable */
		sg_ber_tlv_put(w, 0x82, d, 2);
		return;
	}
	sg_ber_tlv_put(w, 0x82, d, 5);
}

static void put_security(struct sg_tlv_writer *w, const struct uicc_file *f)
{
	/* EFs of the ADF use the ADF's EF.ARR (6F06); everything else the MF's (2F06) */
	bool in_adf = !uicc_file_is_df(f) && f->parent && f->parent->kind == UICC_FILE_ADF;
	uint8_t ref[3] = {in_adf ? 0x6F : 0x2F, 0x06, f->arr_rec};

	sg_ber_tlv_put(w, 0x8B, ref, 3);
}

static void put_pin_status(struct sg_tlv_writer *w, const struct uicc_fs *fs)
{
	uint8_t ps = (fs->pin1_enabled ? 0x80 : 0) | (fs->has_adm1 ? 0x40 : 0);
	uint8_t tpl[] = {0x90, 0x01, ps, 0x95, 0x01, 0x08, 0x83, 0x01, PS_KEYREF_PIN1, 0x83, 0x01, PS_KEYREF_ADM1};

	sg_ber_tlv_put(w, 0xC6, tpl, sizeof(tpl));
}

size_t uicc_fs_fcp(struct uicc_fs *fs, const struct uicc_file *f, uint8_t *out, size_t size)
{
	struct sg_tlv_writer w;
	uint8_t lcs = uicc_file_active(f) ? 0x05 : 0x04;
	size_t mark;

	sg_tlv_writer_init(&w, out, size);
	mark = sg_ber_tlv_open(&w, 0x62);
	put_descriptor(&w, f);
	put_u16(&w, 0x83, f->fid);
	if (f->aid_len)
		sg_ber_tlv_put(&w, 0x84, f->aid, f->aid_len);
	if (f->kind == UICC_FILE_MF) {
		static const uint8_t chars[] = {0x80, 0x01, 0x71}; /* UICC characteristics: clock stop, classes */
		sg_ber_tlv_put(&w, 0xA5, chars, sizeof(chars));
	}
	sg_ber_tlv_put(&w, 0x8A, &lcs, 1);
	put_security(&w, f);
	if (uicc_file_is_df(f)) {
		put_pin_status(&w, fs);
		put_u16(&w, 0x81, subtree_size(f));
	} else {
		uint8_t sfi = f->sfi << 3;
		put_u16(&w, 0x80, uicc_file_size(f));
		sg_ber_tlv_put(&w, 0x88, &sfi, f->sfi ? 1 : 0);
	}
	sg_ber_tlv_close(&w, mark);
	return sg_tlv_writer_ok(&w) ? w.len : 0;
}
