/* tools/cli/cmd_peer.c: maille peer add|remove, maille peers — the peers of this node's
 * daemon.
 *
 * Neither talks to a running daemon over a socket: `peer add/remove` write the store's peers
 * table, which the daemon rereads within a quarter of a second (SQLite's data_version);
 * `peers` reads it and DIR/node.state (node/service/nodestate.h). */
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

static const char peer_help[] =
	N_("usage: maille peer add HOST:PORT [--dir DIR]\n"
	"       maille peer remove HOST:PORT [--dir DIR]\n"
	"\n"
	"Configures the peers this node always keeps a connection to (besides those it\n"
	"discovers from the node records of the territories it trusts), whether or not it trusts\n"
	"their territories. A running node dials an added peer, or hangs up on a removed one,\n"
	"within a second, without a restart. HOST is an IPv4 address, [IPv6 address] or\n"
	"localhost.\n");

int cmd_peer(int argc, char **argv)
{
	cli_args a;
	cli_opt opts[] = {{NULL, false, NULL}};
	int r = cli_start("peer", peer_help, argc, argv, opts, CLI_POS_MAX, &a);
	if (r != CLI_GO)
		return r;
	if (a.n_pos != 2 || (strcmp(a.pos[0], "add") != 0 && strcmp(a.pos[0], "remove") != 0))
		return cli_usage_error("peer", _("use 'maille peer add HOST:PORT' or 'maille peer remove "
		                                 "HOST:PORT'"));
	bool add = strcmp(a.pos[0], "add") == 0;
	struct sockaddr_storage ss;
	if (node_addr_parse(a.pos[1], &ss))
		return cli_usage_error("peer", _("'%s' is not HOST:PORT (an IPv4 address, [IPv6 address] "
		                                 "or localhost, and a port)"),
		                       a.pos[1]);
	char addr[NODE_ADDR_STR_MAX];
	node_addr_format((struct sockaddr *)&ss, addr);
	node_dir nd;
	if (cli_node_open_write(&nd, a.dir))
		return EXIT_FAIL;
	int ret = EXIT_OK;
	r = add ? store_peer_add(nd.st, addr, cli_now_us()) : store_peer_remove(nd.st, addr);
	if (r == MAILLE_EEXIST) {
		cli_error(_("%s is already a configured peer"), addr);
		ret = EXIT_FAIL;
	} else if (r == MAILLE_ENOTFOUND) {
		cli_error(_("%s is not a configured peer (see 'maille peers')"), addr);
		ret = EXIT_FAIL;
	} else if (r) {
		if (add)
			cli_store_error(&nd, r, _("cannot add peer %s: %s"), addr, cli_strerror(r));
		else
			cli_store_error(&nd, r, _("cannot remove peer %s: %s"), addr, cli_strerror(r));
		ret = EXIT_FAIL;
	} else {
		json_t *st = node_state_read(nd.path);
		printf(add ? _("peer %s added%s\n") : _("peer %s removed%s\n"), addr,
		       st ? (add ? _("; the node dials it now") : _("; the node hangs up on it now"))
		          : _(" (the node is not running: it applies when 'maille node' starts)"));
		json_decref(st);
	}
	node_dir_close(&nd);
	return ret;
}

/* ---- peers ---------------------------------------------------------------------------------- */

static const char peers_help[] =
	N_("usage: maille peers [--dir DIR] [--json]\n"
	"\n"
	"The node's peers: the configured ones ('maille peer add'), those discovered from the\n"
	"node records of trusted territories, and the nodes connected to it, each with its\n"
	"address, key, state (connected, connecting, backoff after failures, given up after 8\n"
	"failures in a row, idle, self), last sync and the versions sent to it and received from\n"
	"it since the node started. Without a running node, only the configured peers are\n"
	"listed, with the state \"node not running\".\n");

typedef struct peers_ctx {
	json_t *arr;
	json_t *state_peers;
} peers_ctx;

static int configured_peer(const char *addr, uint64_t added_us, void *ctx)
{
	peers_ctx *pc = ctx;
	(void)added_us;
	size_t i;
	json_t *p;
	json_array_foreach(pc->state_peers, i, p)
	{
		const char *pa = json_string_value(json_object_get(p, "address"));
		if (pa && strcmp(pa, addr) == 0)
			return 0; /* the daemon's record has more */
	}
	p = json_object();
	json_object_set_new(p, "address", json_string(addr));
	json_object_set_new(p, "key", json_null());
	json_object_set_new(p, "direction", json_string("out"));
	json_object_set_new(p, "state",
	                    json_string(pc->state_peers ? "idle" : "daemon not running"));
	json_object_set_new(p, "configured", json_true());
	json_object_set_new(p, "discovered", json_false());
	json_object_set_new(p, "sent", json_integer(0));
	json_object_set_new(p, "received", json_integer(0));
	json_object_set_new(p, "refused", json_integer(0));
	json_object_set_new(p, "last_sync_us", json_null());
	json_object_set_new(p, "failures", json_integer(0));
	json_array_append_new(pc->arr, p);
	return 0;
}

/* The states of node.state's peers (node/daemon/peers.c, and "daemon not running" here), as
 * --json keeps them and as a person reads them. */
static const struct {
	const char *state, *label;
} peer_states[] = {
	{"connected", N_("connected")}, {"connecting", N_("connecting")},
	{"backoff", N_("backoff")},     {"given up", N_("given up")},
	{"idle", N_("idle")},           {"self", N_("self")},
	{"daemon not running", N_("node not running")},
};

static const char *state_label(const json_t *p, char *buf, size_t cap)
{
	const char *s = json_string_value(json_object_get(p, "state"));
	for (size_t i = 0; s && i < sizeof peer_states / sizeof peer_states[0]; i++)
		if (strcmp(s, peer_states[i].state) == 0)
			return _(peer_states[i].label);
	return render_state_str(p, "state", "?", buf, cap);
}

int cmd_peers(int argc, char **argv)
{
	cli_args a;
	cli_opt opts[] = {{NULL, false, NULL}};
	node_dir nd;
	int r = cli_start_node("peers", peers_help, argc, argv, opts, 0, NODE_OPEN_READ, &a, &nd);
	if (r != CLI_GO)
		return r;
	json_t *st = node_state_read(nd.path);
	json_t *arr = json_array();
	json_t *sp = st ? json_object_get(st, "peers") : NULL;
	if (json_is_array(sp)) {
		size_t i;
		json_t *p;
		json_array_foreach(sp, i, p) json_array_append(arr, p);
	}
	peers_ctx pc = {arr, json_is_array(sp) ? sp : NULL};
	r = store_peer_list(nd.st, configured_peer, &pc);
	int ret = EXIT_OK;
	if (r) {
		cli_error(_("cannot read the configured peers: %s"), cli_strerror(r));
		json_decref(arr);
		ret = EXIT_FAIL;
	} else if (a.json) {
		json_t *o = json_object();
		json_object_set_new(o, "daemon", json_boolean(st != NULL));
		json_object_set_new(o, "peers", arr);
		ret = render_json_out(o);
	} else {
		if (!st) {
			fputs(_("(no node runs on "), stdout);
			node_term_put(stdout, nd.path, strlen(nd.path));
			puts(_(": configured peers only)"));
		}
		char c0[64], c1[64], c2[64], c3[NODE_TERM_CAP(80) + 32], c4[64];
		if (json_array_size(arr) == 0)
			printf(_("no peers: add one with 'maille peer add HOST:PORT'\n"));
		else
			printf("%s%s%s%s%s%9s %9s\n", render_pad(_("ADDRESS"), 23, c0, sizeof c0),
			       render_pad(_("KEY"), 10, c1, sizeof c1),
			       render_pad("DIR", 5, c2, sizeof c2),
			       render_pad(_("STATE"), 19, c3, sizeof c3),
			       render_pad(_("LAST SYNC"), 15, c4, sizeof c4), _("SENT"), _("RECEIVED"));
		size_t i;
		json_t *p;
		json_array_foreach(arr, i, p)
		{
			/* node.state is a file, and the daemon learns addresses from the
			 * federation's node entries: every string is shown through the terminal
			 * sanitiser */
			char addr[NODE_TERM_CAP(NODE_ADDR_STR_MAX)], key[NODE_TERM_CAP(8)], dir[24],
			    state[80], age[32];
			render_age((uint64_t)json_integer_value(json_object_get(p, "last_sync_us")),
			                 age, sizeof age);
			printf("%-22s %-9s %-4s %s%-14s %9lld %9lld\n",
			       render_state_str(p, "address", "?", addr, sizeof addr),
			       render_state_str(p, "key", "-", key, sizeof key),
			       render_state_str(p, "direction", "?", dir, sizeof dir),
			       render_pad(state_label(p, state, sizeof state), 19, c3, sizeof c3), age,
			       (long long)json_integer_value(json_object_get(p, "sent")),
			       (long long)json_integer_value(json_object_get(p, "received")));
		}
		json_decref(arr);
	}
	json_decref(st);
	node_dir_close(&nd);
	return ret;
}
