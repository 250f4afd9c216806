/* tools/cli/maille.c: the `maille` command line — one binary, git-like subcommands from one table.
 *
 * Works on the node directory's store directly, with or without a running daemon (offline
 * first). Exit codes: 0 ok, 1 failure, 2 usage. */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "i18n.h"
#include "maille_config.h"
#include "proto/error.h"

typedef struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} command;

static const command commands[] = {
	{"init", cmd_init, N_("create a node for a territory (key, store, territory record)")},
	{"invite", cmd_invite, N_("an invitation to the federation for a newcomer (one line)")},
	{"join", cmd_join, N_("join a federation with an invitation, and sync")},
	{"new", cmd_new, N_("write a record to fill in (or a complete example) for a record type")},
	{"publish", cmd_publish, N_("sign and store a record from a Markdown file with front matter")},
	{"import", cmd_import, N_("bring records in from publiccode.yml, registers, CSV, DCAT or a folder")},
	{"list", cmd_list, N_("list the catalogue's records, with filters")},
	{"search", cmd_search, N_("full-text search (accents and case ignored)")},
	{"show", cmd_show, N_("show one record by path or id")},
	{"delete", cmd_delete, N_("delete one of this territory's records (tombstone)")},
	{"export", cmd_export, N_("every live record with its decoded body, as JSON")},
	{"check", cmd_check, N_("re-verify every signature, id and store invariant, and every blob")},
	{"attachment", cmd_attachment, N_("store a file for a record's attachments (prints its item)")},
	{"gc", cmd_gc, N_("remove the blobs no live record names, and unfinished writes")},
	{"schema", cmd_schema, N_("the record types and their fields (labels and help in French)")},
	{"whoami", cmd_whoami, N_("this node's key, the territory it writes for, its directory")},
	{"key", cmd_key, N_("back up the node's key and federation, encrypted with a passphrase")},
	{"federation", cmd_federation, N_("create, show, export or import the federation's network key")},
	{"node", cmd_node, N_("run the node in the foreground: listen, dial peers, sync, push")},
	{"ping", cmd_ping, N_("handshake with a running node and measure the round trip")},
	{"sync", cmd_sync, N_("sync the catalogue with a node once (both ways)")},
	{"peer", cmd_peer, N_("add or remove a peer the node keeps connected")},
	{"peers", cmd_peers, N_("the node's peers: state, last sync, records exchanged")},
	{"status", cmd_status, N_("the live set's count and fingerprint, the node's state")},
	{"territory", cmd_territory, N_("show or edit this territory's record (name, SIREN, website...)")},
	{"territories", cmd_territories, N_("every known territory, trusted or not, and why")},
	{"member", cmd_member, N_("let a member's key publish for this territory, or stop it")},
	{"members", cmd_members, N_("this territory's members and their capabilities")},
	{"trust", cmd_trust, N_("trust a territory explicitly (on this node only)")},
	{"untrust", cmd_untrust, N_("withdraw an explicit trust")},
	{"vouch", cmd_vouch, N_("vouch for a territory: a signed record the federation sees")},
	{"unvouch", cmd_unvouch, N_("withdraw a vouch (publishes its tombstone)")},
	{"interest", cmd_interest, N_("express this territory's interest in a call to cooperate")},
	{"label", cmd_label, N_("award one of this territory's labels to a record, or revoke it")},
	{"comment", cmd_comment, N_("comment on a record or reply to a comment; edit or withdraw it")},
	{"hide", cmd_hide, N_("hide a comment on this node only, with a reason")},
	{NULL, NULL, NULL},
};

static void usage(FILE *out)
{
	fprintf(out, _("usage: maille [--dir DIR] [--json] COMMAND [ARGS...]\n"
	               "       maille COMMAND --help\n"
	               "       maille --version\n\n"
	               "Maille keeps a federated catalogue of methodologies, use cases, reusable\n"
	               "components and retours d'expérience about responsible AI and public algorithms.\n\n"
	               "Commands:\n"));
	for (const command *c = commands; c->name; c++)
		fprintf(out, "  %-11s %s\n", c->name, _(c->summary));
	fprintf(out, _("\nOptions accepted by every command, before or after it:\n"
	               "  --dir DIR   the node directory (else $MAILLE_HOME, else\n"
	               "              $XDG_DATA_HOME/maille, else ~/.local/share/maille)\n"
	               "  --json      print one JSON document on standard output\n"
	               "  --help      help for a command\n\n"
	               "Exit codes: 0 ok, 1 failure, 2 usage error.\n"));
}

int main(int argc, char **argv)
{
	/* messages and data are UTF-8 whatever the locale; never let it change number formats */
	setlocale(LC_ALL, "C");
	cli_i18n_init();
	if (proto_init() != 0) {
		cli_error(_("cannot initialise libsodium"));
		return EXIT_FAIL;
	}
	int i = 1;
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--dir") == 0) {
			if (i + 1 >= argc) {
				fprintf(stderr, _("maille: option '--dir' needs a value\n"));
				return EXIT_USAGE;
			}
			cli_global.dir = argv[++i];
		} else if (strncmp(a, "--dir=", 6) == 0) {
			cli_global.dir = a + 6;
		} else if (strcmp(a, "--json") == 0) {
			cli_global.json = true;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return EXIT_OK;
		} else if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0) {
			printf("maille %s\n", MAILLE_VERSION);
			return EXIT_OK;
		} else if (a[0] == '-') {
			fprintf(stderr, _("maille: unknown option '%s'\n"), a);
			usage(stderr);
			return EXIT_USAGE;
		} else {
			break;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *name = argv[i];
	if (strcmp(name, "help") == 0) {
		if (i + 1 < argc) {
			for (const command *c = commands; c->name; c++)
				if (strcmp(c->name, argv[i + 1]) == 0) {
					char *help_argv[] = {"--help", NULL};
					return c->run(1, help_argv);
				}
		}
		usage(stdout);
		return EXIT_OK;
	}
	for (const command *c = commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c->run(argc - i - 1, argv + i + 1);
	fprintf(stderr, _("maille: '%s' is not a maille command; see 'maille --help'\n"), name);
	return EXIT_USAGE;
}
