/* tools/cli/cmd_whoami.c: maille whoami — this node's key, the territory it writes for and
 * its directory. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "node/service/term.h"
#include "nodecli.h"
#include "proto/error.h"
#include "proto/schema.h"
#include "render.h"

static const char whoami_help[] =
	N_("usage: maille whoami [--dir DIR] [--json]\n"
	"\n"
	"Prints this node's territory key (hex), its name and the node directory.\n");

int cmd_whoami(int argc, char **argv)
{
	cli_args a;
	node_dir nd;
	int r = cli_start_node("whoami", whoami_help, argc, argv, NULL, 0, NODE_OPEN_READ, &a, &nd);
	if (r != CLI_GO)
		return r;
	char hex[65], thex[65], name[256], tname[256] = "";
	proto_hex(nd.pk, PROTO_KEY_LEN, hex);
	proto_hex(nd.territory, PROTO_KEY_LEN, thex);
	if (nd.member)
		snprintf(name, sizeof name, "%s", nd.has_territory ? nd.member_name : nd.name);
	else if (store_territory_name(nd.st, nd.pk, name, sizeof name) != 0)
		snprintf(name, sizeof name, "%s", nd.name);
	if (nd.has_territory && store_territory_name(nd.st, nd.territory, tname, sizeof tname) != 0)
		snprintf(tname, sizeof tname, "%.8s", thex);
	uint64_t n_entries = 0, n_docs = 0;
	store_count(nd.st, &n_entries, &n_docs);
	int ret = EXIT_OK;
	if (a.json) {
		json_t *o = json_object();
		json_object_set_new(o, "key", json_string(hex));
		/* the key it writes for: null for a member node with no capability in force */
		json_object_set_new(o, "territory", nd.has_territory ? json_string(thex) : json_null());
		json_object_set_new(o, "territory_name",
		                    nd.has_territory ? json_string(tname) : json_null());
		json_object_set_new(o, "member", json_boolean(nd.member));
		/* maille.conf's name (a member node without a capability) and the directory are
		 * not checked for UTF-8, which JSON requires */
		json_object_set_new(o, "name", json_peer_str(name));
		json_object_set_new(o, "dir", json_peer_str(nd.path));
		json_object_set_new(o, "entries", json_integer((json_int_t)n_entries));
		ret = render_json_out(o);
	} else {
		/* the names come from records (a member node's from its territory's capability and
		 * territory record), the directory from the file system */
		char buf[NODE_TERM_CAP(sizeof nd.path)];
		printf("%s\n", node_term_str(name, strlen(name), buf, sizeof buf));
		printf(_("  key:       %s\n"), hex);
		if (nd.member && nd.has_territory)
			printf(_("  member of: %s (%s)\n"),
			       node_term_str(tname, strlen(tname), buf, sizeof buf), thex);
		else if (nd.member)
			printf(_("  member of: no territory yet (no capability in force for this key)\n"));
		printf(_("  node:      %s\n"),
		       node_term_str(nd.path, strlen(nd.path), buf, sizeof buf));
		printf(_("  versions:  %llu\n"), (unsigned long long)n_entries);
	}
	node_dir_close(&nd);
	return ret;
}
