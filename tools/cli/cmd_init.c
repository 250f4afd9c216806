/* tools/cli/cmd_init.c: maille init — a new node directory, its key and its territory
 * record (or, with --restore, a node from a key backup: cmd_key.c). */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "i18n.h"
#include "node/service/frontmatter.h"
#include "node/service/publish.h"
#include "node/service/term.h"
#include "nodecli.h"
#include "proto/error.h"
#include "proto/record.h"
#include "proto/schema.h"
#include "proto/value.h"
#include "render.h"

static const char init_help[] =
	N_("usage: maille init --name NAME [--siren N] [--cog CODE] [--kind KIND] [--dir DIR] [--json]\n"
	"       maille init --member [--name NAME] [--dir DIR] [--json]\n"
	"       maille init --restore FILE [--passphrase-file F] [--dir DIR] [--json]\n"
	"\n"
	"Creates a node in the node directory: a new territory key (node.key, mode 0600, never\n"
	"printed), the configuration, the store, and the signed `territory` record naming it.\n"
	"Refuses to overwrite an existing node.\n"
	"\n"
	"  --name NAME   the territory's name, e.g. \"Métropole de Lyon\" (required without\n"
	"                --restore)\n"
	"  --siren N     its SIREN (9 digits, checked)\n"
	"  --cog CODE    its COG code (commune, département...)\n"
	"  --kind KIND   commune, epci, metropole, departement, region, etablissement_public,\n"
	"                association, etat or other\n"
	"\n"
	"With --restore, recreates a node from a key backup made by 'maille key export': the same\n"
	"territory key, name and federation, and an empty store. No territory record is signed:\n"
	"the node's records come back from its peers when it syncs. The passphrase is asked on\n"
	"the terminal, or read from the first line of F. --restore excludes --name, --siren,\n"
	"--cog and --kind (the backup holds the name).\n"
	"\n"
	"  --restore FILE        the key backup\n"
	"  --passphrase-file F   read its passphrase from F instead of the terminal\n"
	"\n"
	"With --member, creates a member's node: its own key (a member key, not a territory's),\n"
	"no territory record. It joins the federation like any node (maille join TOKEN, with an\n"
	"invitation from its territory's node) and writes in its territory's name once that\n"
	"territory has run 'maille member add KEY --name NAME' and the capability has synced\n"
	"here (maille whoami shows it). --name is a label for this machine (default \"membre\").\n");

/* init --member: a key, a configuration saying so, an empty store; nothing signed. */
static int init_member(const char *dir, const char *name, bool json)
{
	int r = cli_name_check("init", "--name", name, NODE_NAME_MAX);
	if (r)
		return r;
	node_dir nd;
	if (cli_node_create(&nd, dir, name, NULL))
		return EXIT_FAIL;
	char cp[4200];
	FILE *f = NULL;
	if (node_path_join(cp, sizeof cp, nd.path, NODE_CONF_FILE) == 0)
		f = fopen(cp, "a");
	bool ok = f && fputs("member = yes\n", f) >= 0;
	if (f && fclose(f) != 0)
		ok = false;
	if (!ok) {
		cli_error(_("%s: cannot write the configuration"), cp);
		node_dir_close(&nd);
		return EXIT_FAIL;
	}
	char hex[65];
	proto_hex(nd.pk, PROTO_KEY_LEN, hex);
	int ret = EXIT_OK;
	if (json) {
		json_t *o = json_object();
		json_object_set_new(o, "key", json_string(hex));
		json_object_set_new(o, "name", json_string(name));
		json_object_set_new(o, "dir", json_string(nd.path));
		json_object_set_new(o, "member", json_true());
		ret = render_json_out(o);
	} else {
		char sname[NODE_TERM_CAP(NODE_NAME_MAX)];
		printf(_("Initialised member node \"%s\" in %s\n"),
		       node_term_str(name, strlen(name), sname, sizeof sname), nd.path);
		printf(_("Member key: %s\n"), hex);
		printf(_("Next: join the federation with an invitation from your territory's node\n"
		         "(maille join TOKEN), and have your territory run there:\n"
		         "  maille member add %s --name \"YOUR NAME\"\n"),
		       hex);
	}
	node_dir_close(&nd);
	return ret;
}

int cmd_init(int argc, char **argv)
{
	cli_opt opts[] = {{"name", true, NULL},    {"siren", true, NULL},
	                  {"cog", true, NULL},     {"kind", true, NULL},
	                  {"restore", true, NULL}, {"passphrase-file", true, NULL},
	                  {"member", false, NULL}, {NULL, false, NULL}};
	cli_args a = {0};
	int r = cli_start("init", init_help, argc, argv, opts, CLI_POS_MAX, &a);
	if (r != CLI_GO)
		return r;
	const char *name = cli_opt_get(opts, "name");
	const char *siren = cli_opt_get(opts, "siren");
	const char *cog = cli_opt_get(opts, "cog");
	const char *kind = cli_opt_get(opts, "kind");
	const char *restore = cli_opt_get(opts, "restore");
	const char *passfile = cli_opt_get(opts, "passphrase-file");
	if (a.n_pos)
		return cli_usage_error("init", _("unexpected argument '%s'"), a.pos[0]);
	if (restore) {
		/* the backup says who the node is: an option that says otherwise is a mistake */
		if (name || siren || cog || kind)
			return cli_usage_error("init", _("--restore excludes --name, --siren, --cog "
			                                 "and --kind (the backup holds the name)"));
		if (!*restore)
			return cli_usage_error("init", _("--restore needs a FILE"));
		return key_restore(a.dir, restore, passfile, a.json);
	}
	if (passfile)
		return cli_usage_error("init", _("--passphrase-file goes with --restore FILE"));
	if (cli_opt_get(opts, "member")) {
		if (siren || cog || kind)
			return cli_usage_error("init", _("--member excludes --siren, --cog and --kind (a "
			                                 "member's node has no territory record)"));
		return init_member(a.dir, name ? name : "membre", a.json);
	}
	if (!name || !*name)
		return cli_usage_error("init", _("--name NAME is required"));
	if ((r = cli_name_check("init", "--name", name, NODE_NAME_MAX)))
		return r;
	if (siren && (r = cli_siren_check("init", siren)))
		return r;

	/* build and validate the territory record before touching the disk */
	proto_arena ar;
	proto_arena_init(&ar, 0);
	proto_value *body = proto_value_new(&ar, PROTO_V_MAP);
	static const char *const keys[] = {PROTO_F_TYPE, PROTO_F_NAME, PROTO_F_SIREN, PROTO_F_COG,
	                                   PROTO_F_KIND};
	const char *vals[] = {"territory", name, siren, cog, kind};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (vals[i])
			*proto_value_map_put(&ar, body, keys[i], strlen(keys[i])) =
				*proto_value_new_str(&ar, vals[i], strlen(vals[i]));
	proto_schema_report rep;
	proto_schema_normalize(body, &ar);
	if (proto_schema_validate(body, &rep)) {
		/* every faulty option at once, as publish reports every faulty field */
		for (size_t i = 0; i + 1 < rep.n_errors; i++)
			cli_usage_line("init", "--%s: %s", rep.errors[i].field,
			               proto_schema_text(&rep.errors[i], !cli_french()));
		int ret = cli_usage_error("init", "--%s: %s", rep.errors[rep.n_errors - 1].field,
		                          proto_schema_text(&rep.errors[rep.n_errors - 1],
		                                            !cli_french()));
		proto_arena_done(&ar);
		return ret;
	}
	for (size_t i = 0; i < rep.n_warnings; i++)
		cli_warn("%s: %s", rep.warnings[i].field,
		         proto_schema_text(&rep.warnings[i], !cli_french()));
	uint8_t *enc;
	size_t enc_len;
	r = publish_encode_body(body, &enc, &enc_len);
	proto_arena_done(&ar);
	if (r) {
		cli_error(_("cannot encode the territory record: %s"), cli_strerror(r));
		return EXIT_FAIL;
	}

	node_dir nd;
	if (cli_node_create(&nd, a.dir, name, NULL)) {
		free(enc);
		return EXIT_FAIL;
	}
	uint8_t id[PROTO_ID_LEN];
	r = cli_publish(&nd, "territory", PROTO_KIND_DOCUMENT, enc, enc_len, id);
	free(enc);
	if (r) {
		cli_error(_("cannot store the territory record: %s"), cli_strerror(r));
		node_dir_close(&nd);
		return EXIT_FAIL;
	}
	char hex[65];
	proto_hex(nd.pk, PROTO_KEY_LEN, hex);
	if (a.json) {
		json_t *o = json_object();
		json_object_set_new(o, "key", json_string(hex));
		json_object_set_new(o, "name", json_string(name));
		json_object_set_new(o, "dir", json_string(nd.path));
		node_dir_close(&nd);
		return render_json_out(o);
	}
	char sname[NODE_TERM_CAP(NODE_NAME_MAX)];
	printf(_("Initialised node \"%s\" in %s\n"),
	       node_term_str(name, strlen(name), sname, sizeof sname), nd.path);
	printf(_("Territory key: %s\n"), hex);
	node_dir_close(&nd);
	return EXIT_OK;
}
