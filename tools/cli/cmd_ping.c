/* tools/cli/cmd_ping.c: maille ping — a handshake, PING and PONG with a running node
 * (PROTOCOL.md §2). */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "commands.h"
#include "netcmd.h"
#include "node/daemon/node.h"
#include "node/service/log.h"
#include "node/service/term.h"
#include "proto/error.h"
#include "render.h"

static const char ping_help[] =
	N_("usage: maille ping HOST:PORT [--timeout SECONDS] [--log-level LEVEL] [--dir DIR] [--json]\n"
	"\n"
	"Connects to a running node, performs the handshake with this node's key and federation,\n"
	"sends PING, waits for PONG and says BYE. Prints the peer's territory key (peer_key in\n"
	"JSON), its name, protocol version and software, the handshake time (TCP connected to\n"
	"handshake complete) and the PING round-trip time, in milliseconds. HOST is an IPv4\n"
	"address, [IPv6 address] or localhost.\n"
	"\n"
	"  --timeout SECONDS   give up after this long (default 10)\n"
	"  --log-level L       log the connection's steps on standard error (debug, info,\n"
	"                      warn; default: errors only)\n"
	"\n"
	"Exit 0 when the peer answered. Exit 1 when it did not: a node of another federation, or\n"
	"something that is not a Maille node, closes without a reply (\"not a member of this\n"
	"federation (or not a Maille node)\"); a node at its session limits says so (\"nœud\n"
	"occupé\", busy: try again later); also when the node closed the connection, on timeout\n"
	"or a failed connection, each with its message. Exit 2 on a usage error.\n");

int cmd_ping(int argc, char **argv)
{
	net_cmd nc;
	bool done;
	int r = net_cmd_open("ping", ping_help, 10000, argc, argv, &nc, &done);
	if (done)
		return r;
	int ret;
	const char *target = nc.target;
	node_config cfg = {
		.dir = nc.nd.path, .sk = nc.nd.sk, .netkey = nc.f.key, .name = nc.name, .tr = cli_tr};
	node_ping_result res;
	r = node_ping(&cfg, target, nc.timeout_ms, &res);
	if (r) {
		cli_error(_("ping %s: %s"), target, res.error);
		ret = EXIT_FAIL;
		goto out;
	}
	char key[2 * PROTO_KEY_LEN + 1];
	proto_hex(res.peer_key, PROTO_KEY_LEN, key);
	const proto_hello *h = &res.peer_hello;
	if (nc.a.json) {
		json_t *o = json_object();
		json_t *addrs = json_array();
		for (size_t i = 0; i < h->n_addrs; i++)
			json_array_append_new(addrs, json_peer_str(h->addrs[i]));
		json_object_set_new(o, "address", json_string(target));
		json_object_set_new(o, "peer_key", json_string(key));
		json_object_set_new(o, "name", json_peer_str(h->name));
		json_object_set_new(o, "protocol_version", json_integer((json_int_t)h->version));
		json_object_set_new(o, "software", json_peer_str(h->software));
		json_object_set_new(o, "addrs", addrs);
		json_object_set_new(o, "connect_ms", json_real(round_us(res.connect_ms)));
		json_object_set_new(o, "handshake_ms", json_real(round_us(res.handshake_ms)));
		json_object_set_new(o, "rtt_ms", json_real(round_us(res.rtt_ms)));
		ret = render_json_out(o);
	} else {
		char buf[NODE_TERM_CAP(PROTO_HELLO_NAME_MAX)];
		printf("%s\n", node_term_str(h->name, strlen(h->name), buf, sizeof buf));
		printf(_("  key:        %s\n"), key);
		printf(_("  protocol:   %u\n"), (unsigned)h->version);
		printf(_("  software:   %s\n"),
		       node_term_str(h->software, strlen(h->software), buf, sizeof buf));
		for (size_t i = 0; i < h->n_addrs; i++)
			printf("  %-11s %s\n", i ? "" : _("addresses:"),
			       node_term_str(h->addrs[i], strlen(h->addrs[i]), buf, sizeof buf));
		printf(_("  handshake:  %.2f ms\n"), res.handshake_ms);
		printf(_("  ping:       %.2f ms\n"), res.rtt_ms);
		ret = EXIT_OK;
	}
out:
	net_cmd_close(&nc);
	return ret;
}
