/* tools/cli/cmd_node.c: maille node — the daemon in the foreground (node/daemon/), and the
 * web catalogue beside it (node/web/), started and stopped by the daemon's beside_start and
 * beside_stop. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "commands.h"
#include "netcmd.h"
#include "node/daemon/node.h"
#include "node/service/log.h"
#include "node/web/web.h"
#include "nodecli.h"
#include "proto/error.h"

static const char node_help[] =
	N_("usage: maille node [--listen ADDR:PORT] [--anti-entropy SECONDS]\n"
	"                   [--web ADDR:PORT | --no-web] [--web-token-file FILE]\n"
	"                   [--log-format text|json] [--log-level LEVEL] [--dir DIR]\n"
	"\n"
	"Runs this node in the foreground until SIGINT (Ctrl-C) or SIGTERM. It accepts\n"
	"connections from the members of its federation (see 'maille federation') over an\n"
	"encrypted, mutually authenticated channel; to anyone else it sends nothing. The node\n"
	"needs a federation.\n"
	"\n"
	"It keeps the catalogue in sync with its peers: it dials the peers configured with\n"
	"'maille peer add' and those the node records of the territories it trusts announce (4\n"
	"to 8 outbound connections, retrying with exponential backoff), reconciles with each on\n"
	"connection and with one at random every --anti-entropy seconds, and pushes at once\n"
	"every version it stores (received, or published with 'maille publish' while it runs) to\n"
	"its peers. It publishes its own addresses as the record node/<its key>. 'maille peers'\n"
	"and 'maille status' show what it is doing (from DIR/node.state).\n"
	"\n"
	"  --listen ADDR:PORT   where to listen (default 0.0.0.0:7470; port 0 picks a free\n"
	"                       port). ADDR is an IPv4 address, [IPv6 address] or localhost.\n"
	"  --anti-entropy S     seconds between two reconciliations with a random peer\n"
	"                       (default 60)\n"
	"  --web ADDR:PORT      serve the web catalogue there (default 127.0.0.1:7480; port 0\n"
	"                       picks a free port, written to DIR/web.addr)\n"
	"  --no-web             no web catalogue\n"
	"  --web-token-file F   access token (first line of F, 16 characters or more) that\n"
	"                       every web request must carry; required when --web is not a\n"
	"                       loopback address\n"
	"  --log-format F       text (default) or json (one JSON object per line)\n"
	"  --log-level L        debug, info (default), warn or error\n"
	"\n"
	"The web catalogue answers only requests whose Host names it: 127.0.0.1, localhost,\n"
	"[::1], the address it listens on, and the names of web.hosts in DIR/maille.conf (for\n"
	"example 'web.hosts = catalogue.exemple.fr'), with its port; a name given with a port\n"
	"('catalogue.exemple.fr:443', behind a reverse proxy) with that port; others get 421.\n"
	"\n"
	"Logs go to standard error; each line has a level and a stable message ID (NODE-START,\n"
	"NODE-LISTEN, CONN-HS-OK, CONN-HS-FAIL, CONN-REPLAY, CONN-TIMEOUT, CONN-LIMIT, CONN-BYE,\n"
	"NODE-STOP, ...). While it runs, the bound address is in DIR/node.addr. On SIGINT or\n"
	"SIGTERM it says BYE to its peers, closes everything and exits 0.\n");

/* Test-only lowering of the daemon's connection caps (node.h), so that a test reaches them
 * with a few connections. Not documented in --help on purpose. */
static unsigned env_cap(const char *name)
{
	return (unsigned)env_num(name, 100000ul, "a count");
}

/* The web catalogue beside the daemon: its settings, and the server while it runs. */
typedef struct beside_web {
	web_config cfg;
	bool given;      /* --web: an address given explicitly */
	web_server *web; /* NULL: not started, or no web catalogue */
} beside_web;

/* node_config.beside_start: the web catalogue, on its own threads with its own store handles.
 * The default address only warns when it cannot be served, so that a second node on the
 * same machine (or a test's daemons) still syncs; an address given explicitly must work. */
static int beside_web_start(void *ctx)
{
	beside_web *nw = ctx;
	int r = web_start(&nw->cfg, &nw->web);
	if (r == MAILLE_EBUSY && !nw->given) {
		LOG_WARN("WEB-LISTEN", "%s is in use: no web catalogue for this node (choose another "
		                       "address with --web ADDR:PORT)",
		         WEB_LISTEN_DEFAULT);
		return 0;
	}
	return r;
}

/* node_config.beside_stop: its threads write the store, so the daemon stops it before it
 * closes its own handles. */
static void beside_web_stop(void *ctx)
{
	beside_web *nw = ctx;
	web_stop(nw->web);
	nw->web = NULL;
}

int cmd_node(int argc, char **argv)
{
	cli_opt opts[] = {{"listen", true, NULL},
	                  {"anti-entropy", true, NULL},
	                  {"web", true, NULL},
	                  {"no-web", false, NULL},
	                  {"web-token-file", true, NULL},
	                  {"log-format", true, NULL},
	                  {"log-level", true, NULL},
	                  {NULL, false, NULL}};
	cli_args a;
	int r = cli_start("node", node_help, argc, argv, opts, 0, &a);
	if (r != CLI_GO)
		return r;
	const char *listen = cli_opt_get(opts, "listen");
	struct sockaddr_storage ss;
	if (listen && node_addr_parse(listen, &ss))
		return cli_usage_error("node", _("--listen wants ADDR:PORT (an IPv4 address, [IPv6 "
		                                 "address] or localhost, and a port)"));
	const char *web = cli_opt_get(opts, "web");
	const char *web_token = cli_opt_get(opts, "web-token-file");
	bool no_web = cli_opt_get(opts, "no-web") != NULL;
	if (web && node_addr_parse(web, &ss))
		return cli_usage_error("node", _("--web wants ADDR:PORT (an IPv4 address, [IPv6 address] "
		                                 "or localhost, and a port)"));
	if (no_web && (web || web_token))
		return cli_usage_error("node", _("--no-web excludes --web and --web-token-file"));
	if (web_token && !*web_token)
		return cli_usage_error("node", _("--web-token-file needs a FILE"));
	uint32_t ae_ms = 0;
	const char *ae = cli_opt_get(opts, "anti-entropy");
	if (ae) {
		char *end;
		errno = 0;
		unsigned long s = strtoul(ae, &end, 10);
		if (errno || *end || !*ae || s == 0 || s > 86400)
			return cli_usage_error("node", _("--anti-entropy wants whole seconds, 1 to 86400"));
		ae_ms = (uint32_t)s * 1000u;
	}
	if (!ae_ms)
		ae_ms = env_ms("MAILLE_TEST_ANTI_ENTROPY_MS");
	if ((r = parse_log_opts("node", opts, NODE_LOG_INFO)))
		return r;
	node_dir nd;
	if (cli_node_open_write(&nd, a.dir))
		return EXIT_FAIL;
	federation f = {0};
	int ret = cli_federation_load(&nd, &f);
	if (ret)
		goto out;
	char name[256];
	territory_name(&nd, name, sizeof name);
	/* the daemon opens its own handles: this one would only hold page cache */
	store_close(nd.st);
	nd.st = NULL;
	char mark[4200];
	if (node_path_join(mark, sizeof mark, nd.path, NODE_CORRUPT_FILE)) {
		cli_error(_("node directory path too long"));
		goto out;
	}
	char nfp[9];
	node_netkey_fingerprint(f.key, nfp);
	int64_t skew_us = cli_clock_skew_us();
	beside_web nw = {
		.cfg = {
			.listen = web,
			.token_file = web_token,
			.hosts = nd.web_hosts,
			.dir = nd.path,
			.store_path = nd.store_path,
			.sk = nd.sk,
			.netkey_fp = nfp, /* copied by web_start */
			.federation = f.name,
			.clock_skew_us = skew_us,
			.member = nd.member,
			.corrupt_mark = mark,
			.timezone = nd.timezone,
		},
		.given = web != NULL,
	};
	node_config cfg = {
		.dir = nd.path,
		.sk = nd.sk,
		.netkey = f.key,
		.name = name,
		.listen = listen ? listen : NODE_LISTEN_DEFAULT,
		.hs_timeout_ms = env_ms("MAILLE_TEST_HS_TIMEOUT_MS"),
		.idle_timeout_ms = env_ms("MAILLE_TEST_IDLE_TIMEOUT_MS"),
		.ping_interval_ms = env_ms("MAILLE_TEST_PING_INTERVAL_MS"),
		.peer_backoff_ms = env_ms("MAILLE_TEST_BACKOFF_MS"),
		.sessions_max = env_cap("MAILLE_TEST_SESSIONS_MAX"),
		.inbound_max = env_cap("MAILLE_TEST_INBOUND_MAX"),
		.store_path = nd.store_path,
		.anti_entropy_ms = ae_ms,
		.clock_skew_us = skew_us,
		.trust_hops = nd.trust_hops,
		.quota_entries = nd.quota_entries,
		.quota_bytes = nd.quota_bytes,
		.quota_total_entries = nd.quota_total_entries,
		.quota_total_bytes = nd.quota_total_bytes,
		.corrupt_mark = mark,
		.beside_start = no_web ? NULL : beside_web_start,
		.beside_stop = no_web ? NULL : beside_web_stop,
		.beside_ctx = &nw,
	};
	/* node_run logs its own errors, once */
	ret = node_run(&cfg) ? EXIT_FAIL : EXIT_OK;
out:
	federation_done(&f);
	node_dir_close(&nd);
	return ret;
}
