/* tools/cli/cmd_status.c: maille status — the live set and the daemon's state, read from
 * the store and DIR/node.state (node/service/nodestate.h), not over a socket. */
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "node/daemon/node.h"
#include "node/service/log.h"
#include "node/service/nodestate.h"
#include "node/service/term.h"
#include "nodecli.h"
#include "proto/error.h"
#include "render.h"

static const char status_help[] =
	N_("usage: maille status [--dir DIR] [--json]\n"
	"\n"
	"This node's key and name, its federation, the live set of its catalogue (count of\n"
	"versions, deletions included, and its fingerprint: two nodes with the same fingerprint\n"
	"hold the same versions), the records received but not yet indexed for search (a bulk\n"
	"sync stores first and indexes right after), and whether it runs: its pid,\n"
	"address, connected peers and last sync.\n");

int cmd_status(int argc, char **argv)
{
	cli_args a;
	cli_opt opts[] = {{NULL, false, NULL}};
	node_dir nd;
	int r = cli_start_node("status", status_help, argc, argv, opts, 0, NODE_OPEN_READ, &a, &nd);
	if (r != CLI_GO)
		return r;
	int ret = EXIT_OK;
	uint8_t fp[RBSR_FP_LEN];
	uint64_t count = 0, entries = 0, docs = 0;
	char fphex[2 * RBSR_FP_LEN + 1], key[2 * PROTO_KEY_LEN + 1];
	uint64_t unindexed = 0;
	r = store_fingerprint(nd.st, fp, &count);
	if (!r)
		r = store_count(nd.st, &entries, &docs);
	if (!r)
		r = store_unindexed(nd.st, &unindexed);
	if (r) {
		cli_error(_("cannot read the store: %s"), cli_strerror(r));
		node_dir_close(&nd);
		return EXIT_FAIL;
	}
	proto_hex(fp, RBSR_FP_LEN, fphex);
	proto_hex(nd.pk, PROTO_KEY_LEN, key);
	char name[256];
	territory_name(&nd, name, sizeof name);
	/* the federation is optional here: status works on a node not yet in one */
	federation f = {0};
	char fpath[4200], why[160], nfp[9] = "";
	bool has_fed = federation_path(nd.path, fpath, sizeof fpath) == 0 &&
	               federation_read(fpath, &f, why, sizeof why, cli_env()) == 0;
	if (has_fed)
		node_netkey_fingerprint(f.key, nfp);
	json_t *st = node_state_read(nd.path);
	json_int_t connected = st ? json_integer_value(json_object_get(st, "connected")) : 0;
	uint64_t last_sync = st ? (uint64_t)json_integer_value(json_object_get(st, "last_sync_us")) : 0;
	if (a.json) {
		json_t *o = json_object();
		json_object_set_new(o, "key", json_string(key));
		json_object_set_new(o, "name", json_string(name));
		json_object_set_new(o, "federation",
		                    has_fed ? json_pack("{s:s, s:s}", "name", f.name, "fingerprint", nfp)
		                            : json_null());
		json_object_set_new(o, "count", json_integer((json_int_t)count));
		json_object_set_new(o, "documents", json_integer((json_int_t)docs));
		json_object_set_new(o, "fingerprint", json_string(fphex));
		json_object_set_new(o, "unindexed", json_integer((json_int_t)unindexed));
		json_t *d = json_object();
		json_object_set_new(d, "running", json_boolean(st != NULL));
		if (st) {
			json_object_set(d, "pid", json_object_get(st, "pid"));
			json_object_set(d, "listen", json_object_get(st, "listen"));
		}
		json_object_set_new(o, "daemon", d);
		json_object_set_new(o, "connected", json_integer(connected));
		json_object_set_new(o, "last_sync_us",
		                    last_sync ? json_integer((json_int_t)last_sync) : json_null());
		ret = render_json_out(o);
	} else {
		char buf[NODE_TERM_CAP(sizeof name)];
		printf("%s\n", node_term_str(name, strlen(name), buf, sizeof buf));
		printf(_("  key:          %s\n"), key);
		if (has_fed)
			printf(_("  federation:   %s (%s)\n"),
			       node_term_str(f.name, strlen(f.name), buf, sizeof buf), nfp);
		else
			printf(_("  federation:   none ('maille federation new' or 'import')\n"));
		printf(ngettext("  versions:     %llu (%llu record)\n",
		                "  versions:     %llu (%llu records)\n", (unsigned long)docs),
		       (unsigned long long)count, (unsigned long long)docs);
		printf(_("  fingerprint:  %s\n"), fphex);
		if (unindexed)
			printf(_("  search index: %llu records not indexed yet (the node is on it)\n"),
			       (unsigned long long)unindexed);
		if (st) {
			char age[32];
			render_age(last_sync, age, sizeof age);
			printf(_("  node:         running, pid %lld, listening on %s\n"),
			       (long long)json_integer_value(json_object_get(st, "pid")),
			       render_state_str(st, "listen", "?", buf, sizeof buf));
			printf(_("  peers:        %lld connected, last sync %s\n"), (long long)connected, age);
		} else {
			printf(_("  node:         not running ('maille node' starts it)\n"));
		}
	}
	json_decref(st);
	federation_done(&f);
	node_dir_close(&nd);
	return ret;
}
