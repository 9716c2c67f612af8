/* otactl: the operator's command line. A table of command groups (`otactl GROUP ...`); each group parses its own
 * subcommands and options. Adding a group is one line in the table below. */
#include <stdio.h>
#include <string.h>

#include "otasrv/otactl.h"
#include "otasrv/otactl_api.h"

static const struct otactl_group groups[] = {
	{ "packet", otactl_packet, "build and check secured packets and PoRs offline (TS 102 225 / TS 31.115)" },
	{ "cards", otactl_cards, "import card data (CSV), list and show cards, resynchronise a counter, EIR block list" },
	{ "owners", otactl_owners, "enrol device owners (password + TOTP), owner login and logout" },
	{ "devices", otactl_devices, "register a card to an owner, list and show devices, owner notifications" },
	{ "commands", otactl_commands, "send, approve, list and watch anti-theft commands and campaigns" },
	{ "audit", otactl_audit, "verify the audit log's hash chain, list entries" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: otactl [--json] GROUP [SUBCOMMAND] [OPTIONS]\n"
		   "       otactl GROUP --help\n\n"
		   "groups:\n");
	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		fprintf(f, "  %-10s %s\n", groups[i].name, groups[i].help);
	fprintf(f, "\noptions: --json (JSON output), --help\n"
		   "exit: 0 ok, 1 a check failed, 2 usage or input error\n");
}

static const struct otactl_group *find_group(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (!strcmp(groups[i].name, name))
			return &groups[i];
	return NULL;
}

int main(int argc, char **argv)
{
	struct otactl_global global = { 0 };
	const struct otactl_group *g;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return OTACTL_OK;
		}
		if (strcmp(argv[i], "--json"))
			return otactl_fail("%s: unknown option (see otactl --help)", argv[i]);
		global.json = true;
	}
	if (i == argc) {
		usage(stderr);
		return OTACTL_USAGE;
	}
	g = find_group(argv[i]);
	if (!g)
		return otactl_fail("'%s': unknown command group (see otactl --help)", argv[i]);
	return g->run(argc - i, argv + i, &global);
}
