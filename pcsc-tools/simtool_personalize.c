/* simtool personalize: make a card a particular card.
 *  - The simulated UICC (--profile FILE): identities, Milenage keys, PINs, OTA keysets, counters, TAR table and
 *    initial file contents are edited in its JSON card profile; the result is checked with the card engine's own
 *    profile parser before it replaces the file, so a bad value never reaches a card. A new card image is made
 *    from the profile the first time the card runs (--reset-image drops an existing one).
 *  - Any card, real or simulated (-c CARD --file ...): files are written with UPDATE BINARY / UPDATE RECORD
 *    after VERIFY ADM1, as a personalisation tool does with a programmable SIM. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <talloc.h>

#include "pcsct/simtool.h"
#include "pcsct/usim.h"
#include "simguard/hex.h"
#include "uicc/profile.h"

#define MAX_EDITS   64
#define ADM1_KEYREF 0x0A

static const char perso_help[] =
	"usage: simtool personalize --profile FILE [--out FILE] [--reset-image IMAGE] [profile edits]\n"
	"       simtool -c CARD personalize --adm ADM1 --file NAME[#REC]=HEX ...\n"
	"profile edits (the simulated card):\n"
	"  --iccid DIGITS --imsi DIGITS --msisdn NUMBER --spn NAME\n"
	"  --k HEX --opc HEX                Milenage subscriber key and OPc\n"
	"  --pin1 DIGITS --puk1 DIGITS --adm1 DIGITS  --pin1-enabled yes|no\n"
	"  --keyset KVN:ALG:KIC:KID          OTA keyset (ALG des, 3des2, 3des3 or aes; keys in hex)\n"
	"  --counter KVN[:TAR]=N             initial OTA counter of a keyset (or of one TAR of it)\n"
	"  --tar TAR:APP:MSL                 TAR table entry (e.g. C10001:antitheft:16)\n"
	"  --file NAME[#REC]=HEX             initial contents of a file (EF.ADN#1=...) or, with -c, written now\n"
	"  --reset-image IMAGE               delete the card image so the card starts from the new profile\n"
	"card writes (-c CARD, any card):\n"
	"  --adm ADM1                        ADM1 key: 8 digits, or 16 hex digits\n"
	"files: EF.ICCID EF.DIR EF.ADN EF.SMS EF.SMSP EF.MSISDN EF.IMSI EF.AD EF.UST EF.LOCI EF.SPN, or a path\n"
	"from the MF in hex (3F007F106F3A; 7FFF = ADF.USIM)\n";

struct perso {
	const char *profile, *out, *reset_image, *adm;
	json_t *root;
	const char *files[MAX_EDITS];
	unsigned int n_files;
	bool profile_edit;
};

static const struct {
	const char *name;
	const char *path;
} ef_paths[] = {
	{"EF.ICCID", "3F002FE2"},    {"EF.DIR", "3F002F00"},	  {"EF.ADN", "3F007F106F3A"},
	{"EF.SMS", "3F007FFF6F3C"},  {"EF.SMSP", "3F007FFF6F42"}, {"EF.MSISDN", "3F007FFF6F40"},
	{"EF.IMSI", "3F007FFF6F07"}, {"EF.AD", "3F007FFF6FAD"},	  {"EF.UST", "3F007FFF6F38"},
	{"EF.LOCI", "3F007FFF6F7E"}, {"EF.SPN", "3F007FFF6F46"},
};

/* obj[key] = value, creating the object on the way */
static json_t *sub(json_t *o, const char *key)
{
	json_t *s = json_object_get(o, key);

	if (!json_is_object(s)) {
		s = json_object();
		json_object_set_new(o, key, s);
	}
	return s;
}

static json_t *sub_array(json_t *o, const char *key)
{
	json_t *a = json_object_get(o, key);

	if (!json_is_array(a)) {
		a = json_array();
		json_object_set_new(o, key, a);
	}
	return a;
}

/* Replace the array element whose fields match (kvn, tar, file), or append. */
static void upsert(json_t *arr, json_t *item, const char *k1, const char *k2)
{
	size_t i;
	json_t *e;

	json_array_foreach(arr, i, e)
	{
		if (json_equal(json_object_get(e, k1), json_object_get(item, k1)) &&
		    (!k2 || json_equal(json_object_get(e, k2), json_object_get(item, k2)))) {
			json_array_set_new(arr, i, item);
			return;
		}
	}
	json_array_append_new(arr, item);
}

static int edit_keyset(struct simtool *st, json_t *root, char *arg)
{
	char *kvn = strtok(arg, ":"), *alg = strtok(NULL, ":"), *kic = strtok(NULL, ":"), *kid = strtok(NULL, ":");

	if (!kvn || !alg || !kic || !kid || atoi(kvn) < 1 || atoi(kvn) > 15)
		return simtool_error(st, SIMTOOL_USAGE, "--keyset: KVN(1..15):ALG:KIC:KID expected");
	upsert(sub_array(sub(root, "ota"), "keysets"),
	       json_pack("{s:i,s:{s:s,s:s},s:{s:s,s:s}}", "kvn", atoi(kvn), "kic", "alg", alg, "key", kic, "kid", "alg",
			 alg, "key", kid),
	       "kvn", NULL);
	return 0;
}

static int edit_counter(struct simtool *st, json_t *root, char *arg)
{
	char *eq = strchr(arg, '='), *colon;
	json_t *c;

	if (!eq)
		return simtool_error(st, SIMTOOL_USAGE, "--counter: KVN[:TAR]=N expected");
	*eq = '\0';
	colon = strchr(arg, ':');
	if (colon)
		*colon = '\0';
	c = json_pack("{s:i,s:I}", "kvn", atoi(arg), "value", (json_int_t)strtoll(eq + 1, NULL, 0));
	if (colon)
		json_object_set_new(c, "tar", json_string(colon + 1));
	upsert(sub_array(sub(root, "ota"), "counters"), c, "kvn", "tar");
	return 0;
}

static int edit_tar(struct simtool *st, json_t *root, char *arg)
{
	char *tar = strtok(arg, ":"), *app = strtok(NULL, ":"), *msl = strtok(NULL, ":");

	if (!tar || !app || !msl)
		return simtool_error(st, SIMTOOL_USAGE, "--tar: TAR:APP:MSL expected");
	upsert(sub_array(sub(root, "ota"), "tars"), json_pack("{s:s,s:s,s:s}", "tar", tar, "app", app, "msl", msl),
	       "tar", NULL);
	return 0;
}

/* NAME[#REC]=HEX into the profile's files list. */
static int edit_file(struct simtool *st, json_t *root, char *arg)
{
	char *eq = strchr(arg, '='), *hash;
	json_t *files = sub_array(root, "files"), *f = NULL, *e, *recs;
	size_t i;
	int rec;

	if (!eq)
		return simtool_error(st, SIMTOOL_USAGE, "--file: NAME[#REC]=HEX expected");
	*eq = '\0';
	hash = strchr(arg, '#');
	if (hash)
		*hash = '\0';
	json_array_foreach(files, i, e) if (!strcmp(json_string_value(json_object_get(e, "file")) ?: "", arg)) f = e;
	if (!f) {
		f = json_pack("{s:s}", "file", arg);
		json_array_append_new(files, f);
	}
	if (!hash) {
		json_object_set_new(f, "data", json_string(eq + 1));
		return 0;
	}
	rec = atoi(hash + 1);
	if (rec < 1 || rec > 254)
		return simtool_error(st, SIMTOOL_USAGE, "--file: record 1..254 expected");
	recs = sub_array(f, "records");
	while ((int)json_array_size(recs) < rec)
		json_array_append_new(recs, json_string(""));
	json_array_set_new(recs, (size_t)rec - 1, json_string(eq + 1));
	return 0;
}

static int edit_simple(struct perso *p, int c, const char *arg)
{
	static const struct {
		int opt;
		const char *obj, *key;
	} fields[] = {
		{'I', NULL, "iccid"}, {'S', NULL, "imsi"},    {'M', NULL, "msisdn"},
		{'N', NULL, "spn"},   {'k', "milenage", "k"}, {'o', "milenage", "opc"},
		{'1', "pin", "pin1"}, {'2', "pin", "puk1"},   {'3', "pin", "adm1"},
	};
	size_t i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (fields[i].opt != c)
			continue;
		json_object_set_new(fields[i].obj ? sub(p->root, fields[i].obj) : p->root, fields[i].key,
				    json_string(arg));
		return 1;
	}
	if (c == 'E') {
		json_object_set_new(sub(p->root, "pin"), "pin1_enabled", json_boolean(!strcmp(arg, "yes")));
		return 1;
	}
	return 0;
}

static int load_profile(struct simtool *st, struct perso *p)
{
	json_error_t jerr;

	if (p->root)
		return 0;
	if (!p->profile)
		return simtool_error(st, SIMTOOL_USAGE, "profile edits need --profile FILE");
	if (access(p->profile, F_OK) == 0)
		p->root = json_load_file(p->profile, JSON_PRESERVE_ORDER, &jerr);
	else
		p->root = json_object();
	if (!json_is_object(p->root))
		return simtool_error(st, SIMTOOL_USAGE, "%s: %s (line %d)", p->profile, jerr.text, jerr.line);
	p->profile_edit = true;
	return 0;
}

static int parse_perso(struct simtool *st, int argc, char **argv, struct perso *p)
{
	static const struct option opts[] = {
		{"profile", 1, 0, 'p'}, {"out", 1, 0, 'O'},	     {"reset-image", 1, 0, 'R'}, {"adm", 1, 0, 'A'},
		{"iccid", 1, 0, 'I'},	{"imsi", 1, 0, 'S'},	     {"msisdn", 1, 0, 'M'},	 {"spn", 1, 0, 'N'},
		{"k", 1, 0, 'k'},	{"opc", 1, 0, 'o'},	     {"pin1", 1, 0, '1'},	 {"puk1", 1, 0, '2'},
		{"adm1", 1, 0, '3'},	{"pin1-enabled", 1, 0, 'E'}, {"keyset", 1, 0, 'K'},	 {"counter", 1, 0, 'C'},
		{"tar", 1, 0, 'T'},	{"file", 1, 0, 'F'},	     {"help", 0, 0, 'h'},	 {0, 0, 0, 0},
	};
	int c, rc = 0;

	while (rc == 0 && (c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			p->profile = optarg;
			break;
		case 'O':
			p->out = optarg;
			break;
		case 'R':
			p->reset_image = optarg;
			break;
		case 'A':
			p->adm = optarg;
			break;
		case 'F':
			if (p->n_files >= MAX_EDITS)
				return simtool_error(st, SIMTOOL_USAGE, "too many --file");
			p->files[p->n_files++] = optarg;
			break;
		case 'h':
			fputs(perso_help, stdout);
			return -1;
		case '?':
			return simtool_error(st, SIMTOOL_USAGE, "simtool personalize: bad option (--help)");
		default:
			rc = load_profile(st, p);
			if (rc)
				return rc;
			if (edit_simple(p, c, optarg))
				break;
			rc = c == 'K'	? edit_keyset(st, p->root, optarg)
			     : c == 'C' ? edit_counter(st, p->root, optarg)
					: edit_tar(st, p->root, optarg);
		}
	}
	if (rc == 0 && optind != argc)
		return simtool_error(st, SIMTOOL_USAGE, "simtool personalize: unexpected '%s'", argv[optind]);
	return rc;
}

/* Check the edited profile with the card engine's parser, then replace the file atomically. */
static int write_profile(struct simtool *st, struct perso *p)
{
	const char *out = p->out ? p->out : p->profile;
	char *text = json_dumps(p->root, JSON_INDENT(1) | JSON_PRESERVE_ORDER), *tmp;
	struct sg_error err;
	struct uicc_profile *prof;
	FILE *f;

	prof = uicc_profile_parse(st->ctx, text, strlen(text), &err);
	if (!prof) {
		free(text);
		return simtool_error(st, SIMTOOL_USAGE, "the edited profile is not valid, nothing written: %s",
				     err.msg);
	}
	talloc_free(prof);
	tmp = talloc_asprintf(st->ctx, "%s.tmp.%d", out, (int)getpid());
	f = fopen(tmp, "w");
	if (!f || fputs(text, f) < 0 || fputc('\n', f) < 0 || fflush(f) || fsync(fileno(f)) || fclose(f) ||
	    rename(tmp, out)) {
		free(text);
		unlink(tmp);
		return simtool_error(st, SIMTOOL_FAILED, "cannot write %s", out);
	}
	free(text);
	json_object_set_new(st->out, "profile", json_string(out));
	simtool_print(st, "profile %s written\n", out);
	if (p->reset_image && unlink(p->reset_image) == 0)
		simtool_print(st, "card image %s removed: the card starts from the new profile\n", p->reset_image);
	return SIMTOOL_OK;
}

static int adm_bytes(const char *adm, uint8_t out[8])
{
	struct sg_error err;

	if (strlen(adm) == 8 && strspn(adm, "0123456789") == 8) {
		memcpy(out, adm, 8);
		return 0;
	}
	return sg_hex_decode(adm, out, 8, "adm", &err) == 8 ? 0 : -1;
}

static int run_apdu(struct simtool *st, const uint8_t *apdu, size_t len, const char *what)
{
	struct pcsct_rsp rsp;
	struct sg_error err;
	char desc[96];

	if (pcsct_transmit(st->card, apdu, len, &rsp, &err) < 0)
		return simtool_error(st, SIMTOOL_FAILED, "%s: %s", what, err.msg);
	if (rsp.sw != APDU_SW_OK && (rsp.sw >> 8) != 0x91)
		return simtool_error(st, SIMTOOL_FAILED, "%s: %s", what, apdu_sw_describe(rsp.sw, desc, sizeof(desc)));
	return 0;
}

static int verify_adm(struct simtool *st, const char *adm)
{
	uint8_t apdu[13] = {0x00, 0x20, 0x00, ADM1_KEYREF, 0x08};

	if (adm_bytes(adm, apdu + 5) < 0)
		return simtool_error(st, SIMTOOL_USAGE, "--adm: 8 digits or 16 hex digits expected");
	return run_apdu(st, apdu, sizeof(apdu), "VERIFY ADM1");
}

static int select_file(struct simtool *st, const char *name)
{
	uint8_t path[16];
	struct apdu_buf a;
	struct pcsct_usim u;
	struct sg_error err;
	const char *hex = name;
	size_t i;
	long n;

	for (i = 0; i < sizeof(ef_paths) / sizeof(ef_paths[0]); i++)
		if (strcmp(ef_paths[i].name, name) == 0)
			hex = ef_paths[i].path;
	n = sg_hex_decode(hex, path, sizeof(path), "path", &err);
	if (n < 4 || n % 2 || path[0] != 0x3F || path[1] != 0x00)
		return simtool_error(st, SIMTOOL_USAGE, "file '%s': a known EF name or a hex path from 3F00", name);
	/* 7FFF in a path is the current application: select ADF.USIM first */
	if (memmem(path, (size_t)n, "\x7F\xFF", 2) && pcsct_usim_select(st->card, &u, &err) < 0)
		return simtool_error(st, SIMTOOL_FAILED, "%s", err.msg);
	if (apdu_select_path(&a, APDU_SELECT_PATH_MF, path + 2, (size_t)n - 2, APDU_SELECT_RSP_FCP, &err) < 0)
		return simtool_error(st, SIMTOOL_USAGE, "%s", err.msg);
	return run_apdu(st, a.bytes, a.len, name);
}

static int write_file(struct simtool *st, char *arg, json_t *log)
{
	char *eq = strchr(arg, '='), *hash;
	uint8_t data[255];
	struct apdu_buf a;
	struct sg_error err;
	long n;
	int rc;

	if (!eq)
		return simtool_error(st, SIMTOOL_USAGE, "--file: NAME[#REC]=HEX expected");
	*eq = '\0';
	hash = strchr(arg, '#');
	if (hash)
		*hash = '\0';
	n = sg_hex_decode(eq + 1, data, sizeof(data), "data", &err);
	if (n <= 0)
		return simtool_error(st, SIMTOOL_USAGE, "%s: %s", arg, n < 0 ? err.msg : "no data");
	rc = select_file(st, arg);
	if (rc)
		return rc;
	if (hash ? apdu_update_record(&a, APDU_UICC, (uint8_t)atoi(hash + 1), data, (size_t)n, &err)
		 : apdu_update_binary(&a, APDU_UICC, 0, data, (size_t)n, &err))
		return simtool_error(st, SIMTOOL_USAGE, "%s", err.msg);
	rc = run_apdu(st, a.bytes, a.len, hash ? "UPDATE RECORD" : "UPDATE BINARY");
	if (rc)
		return rc;
	json_array_append_new(log, json_pack("{s:s,s:o,s:s}", "file", arg, "record",
					     hash ? json_integer(atoi(hash + 1)) : json_null(), "data", eq + 1));
	simtool_print(st, "%s%s%s written (%ld bytes)\n", arg, hash ? " record " : "", hash ? hash + 1 : "", n);
	return 0;
}

static int write_card(struct simtool *st, struct perso *p)
{
	json_t *log = json_array();
	unsigned int i;
	int rc;

	json_object_set_new(st->out, "written", log);
	if (!p->adm)
		return simtool_error(st, SIMTOOL_USAGE, "writing files to a card needs --adm");
	rc = simtool_open_card(st);
	if (!rc)
		rc = verify_adm(st, p->adm);
	for (i = 0; !rc && i < p->n_files; i++)
		rc = write_file(st, (char *)p->files[i], log);
	return rc;
}

int simtool_cmd_personalize(struct simtool *st, int argc, char **argv)
{
	struct perso p = {0};
	unsigned int i;
	int rc = parse_perso(st, argc, argv, &p);

	if (rc)
		goto out;
	if (p.profile && !p.adm) {
		rc = load_profile(st, &p);
		for (i = 0; !rc && i < p.n_files; i++)
			rc = edit_file(st, p.root, (char *)p.files[i]);
		if (!rc)
			rc = write_profile(st, &p);
	} else if (p.n_files) {
		rc = write_card(st, &p);
	} else {
		rc = simtool_error(st, SIMTOOL_USAGE, "nothing to do (simtool personalize --help)");
	}
out:
	json_decref(p.root);
	return rc < 0 ? SIMTOOL_OK : rc;
}
