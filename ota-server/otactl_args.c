/* Shared by otactl's API groups: subcommand lookup, option parsing with one-line errors, secrets read from files,
 * and turning the server's answer into output and an exit code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "otasrv/otactl_api.h"

static const char conn_opts[] = "server= ca= cert= key= token=";

/* Is name in the space-separated list? *value tells whether it was listed as "name=". */
static bool listed(const char *list, const char *name, bool *value)
{
	size_t n = strlen(name);

	for (const char *p = list; (p = strstr(p, name)); p += n) {
		bool start = p == list || p[-1] == ' ';

		if (start && (p[n] == ' ' || p[n] == '\0')) {
			*value = false;
			return true;
		}
		if (start && p[n] == '=') {
			*value = true;
			return true;
		}
	}
	return false;
}

int otactl_args_parse(int argc, char **argv, const char *allowed, const struct otactl_global *g,
		      struct otactl_args *a)
{
	memset(a, 0, sizeof(*a));
	a->json = g->json;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		bool value;

		if (strncmp(arg, "--", 2) || !arg[2]) {
			if (a->npos == OTACTL_MAX_POS)
				return otactl_fail("%s: too many arguments", arg);
			a->pos[a->npos++] = arg;
			continue;
		}
		arg += 2;
		if (!strcmp(arg, "json") || !strcmp(arg, "help")) {
			*(!strcmp(arg, "json") ? &a->json : &a->help) = true;
			continue;
		}
		if (!listed(allowed, arg, &value) && !listed(conn_opts, arg, &value))
			return otactl_fail("--%s: unknown option (see --help)", arg);
		if (a->nopt == OTACTL_MAX_OPTS)
			return otactl_fail("--%s: too many options", arg);
		if (value && i + 1 == argc)
			return otactl_fail("--%s: needs a value", arg);
		a->names[a->nopt] = arg;
		a->vals[a->nopt++] = value ? argv[++i] : "";
	}
	return 0;
}

const char *otactl_opt(const struct otactl_args *a, const char *name)
{
	for (int i = a->nopt - 1; i >= 0; i--)
		if (!strcmp(a->names[i], name))
			return a->vals[i];
	return NULL;
}

int otactl_read_secret(const char *file, const char *what, char *buf, size_t size)
{
	FILE *f = strcmp(file, "-") ? fopen(file, "r") : stdin;
	size_t n;

	if (!f)
		return otactl_fail("%s: cannot open %s", what, file);
	if (!fgets(buf, (int)size, f)) {
		if (f != stdin)
			fclose(f);
		return otactl_fail("%s: %s is empty", what, file);
	}
	if (f != stdin)
		fclose(f);
	n = strcspn(buf, "\r\n");
	if (buf[n] == '\0' && n == size - 1) {
		OPENSSL_cleanse(buf, size);
		return otactl_fail("%s: longer than %zu characters", what, size - 2);
	}
	buf[n] = '\0';
	if (n == 0)
		return otactl_fail("%s: empty", what);
	return 0;
}

int otactl_answer(const struct otactl_args *a, int status, json_t *reply, void (*show)(json_t *reply))
{
	const char *err = json_string_value(json_object_get(reply, "error"));
	json_t *errors = json_object_get(reply, "errors"), *e;
	size_t i;

	if (status < 0) {
		json_decref(reply);
		return OTACTL_CHECK_FAILED;
	}
	if (status >= 200 && status < 300) {
		int rc = OTACTL_OK;

		if (a->json || !show)
			rc = otactl_print_json(json_incref(reply));
		else
			show(reply);
		json_decref(reply);
		return rc;
	}
	if (a->json)
		otactl_print_json(json_incref(reply));
	fprintf(stderr, "otactl: server answered %d: %s\n", status, err ? err : "(no reason given)");
	json_array_foreach (errors, i, e)
		fprintf(stderr, "otactl:   line %lld: %s\n", (long long)json_integer_value(json_object_get(e, "line")),
			json_string_value(json_object_get(e, "error")));
	json_decref(reply);
	return status >= 400 && status < 500 ? OTACTL_USAGE : OTACTL_CHECK_FAILED;
}

static void group_help(FILE *f, const char *group, const struct otactl_sub *subs)
{
	fprintf(f, "usage: otactl %s SUBCOMMAND [OPTIONS]\n\nsubcommands:\n", group);
	for (const struct otactl_sub *s = subs; s->name; s++)
		fprintf(f, "  %s %s\n", s->name, s->usage);
	fprintf(f, "\nconnection: --server URL --ca FILE, operators --cert FILE --key FILE, owners --token TOKEN\n"
		   "            (or OTACTL_SERVER, OTACTL_CA, OTACTL_CERT, OTACTL_KEY, OTACTL_TOKEN)\n"
		   "output:     --json for the server's JSON answer\n"
		   "exit:       0 ok, 1 a check failed or the server could not be reached, 2 usage or input error\n");
}

int otactl_run_sub(const char *group, const struct otactl_sub *subs, int argc, char **argv,
		   const struct otactl_global *g)
{
	struct otactl_args a;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		group_help(argc < 2 ? stderr : stdout, group, subs);
		return argc < 2 ? OTACTL_USAGE : OTACTL_OK;
	}
	for (const struct otactl_sub *s = subs; s->name; s++) {
		if (strcmp(s->name, argv[1]))
			continue;
		if (otactl_args_parse(argc - 1, argv + 1, s->allowed, g, &a) < 0)
			return OTACTL_USAGE;
		if (a.help) {
			printf("usage: otactl %s %s %s\n", group, s->name, s->usage);
			return OTACTL_OK;
		}
		if (a.npos < s->npos_min || a.npos > s->npos_max)
			return otactl_fail("%s %s: usage: %s", group, s->name, s->usage);
		return s->run(&a);
	}
	return otactl_fail("%s: '%s' is not a subcommand (see otactl %s --help)", group, argv[1], group);
}
