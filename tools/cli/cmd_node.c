/* tools/cmd_node.c: federation, node, ping — the commands of the network (PROTOCOL.md §2). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "node/log.h"
#include "node/node.h"
#include "proto/error.h"

/* ---- federation ------------------------------------------------------------------------------ */

static const char federation_help[] =
	"usage: maille federation new --name NAME [--dir DIR] [--json]\n"
	"       maille federation show [--dir DIR] [--json]\n"
	"       maille federation export FILE [--dir DIR]\n"
	"       maille federation import FILE [--dir DIR]\n"
	"\n"
	"A federation is the set of nodes that share its network key (32 random bytes). Only\n"
	"nodes holding the key can complete a handshake with each other; to anyone else a node\n"
	"sends nothing. The key is kept in DIR/federation (mode 0600) and is never printed.\n"
	"\n"
	"  new      create a federation with a fresh random key, for this node\n"
	"  show     the federation's name and fingerprint (the first 8 hex digits of\n"
	"           BLAKE2b-256 of the key: the same on every member), never the key\n"
	"  export   write the federation file to FILE (mode 0600; FILE must not exist) for a\n"
	"           node that joins; it holds the key: hand it over a trusted channel only\n"
	"  import   make this node a member of the federation in FILE\n"
	"\n"
	"A node belongs to one federation: new and import refuse if it already has one.\n";

static void no_federation_error(const char *dir)
{
	cli_error("%s has no federation: create one with 'maille federation new --name NAME' or "
	          "join one with 'maille federation import FILE'",
	          dir);
}

/* Loads this node's federation; prints the error and returns EXIT_FAIL on failure. */
int load_own_federation(const node_dir *nd, federation *ret)
{
	char path[4200], why[160];
	if (federation_path(nd->path, path, sizeof path)) {
		cli_error("node directory path too long");
		return EXIT_FAIL;
	}
	int r = federation_read(path, ret, why, sizeof why);
	if (r == MAILLE_ENOTFOUND) {
		no_federation_error(nd->path);
		return EXIT_FAIL;
	}
	if (r) {
		cli_error("%s: %s%s%s", path, maille_strerror(r), *why ? ": " : "", why);
		return EXIT_FAIL;
	}
	return 0;
}

/* Refuses (EXIT_FAIL, printed) when the node already belongs to a federation. */
static int refuse_existing(const node_dir *nd, const char *path)
{
	struct stat sb;
	if (stat(path, &sb) != 0 && errno == ENOENT)
		return 0;
	federation f = {0};
	char why[160];
	if (federation_read(path, &f, why, sizeof why) == 0) {
		char fp[9];
		node_netkey_fingerprint(f.key, fp);
		cli_error("%s already belongs to the federation \"%s\" (%s); refusing to replace its "
		          "key",
		          nd->path, f.name, fp);
		federation_done(&f);
	} else {
		cli_error("%s already exists; refusing to replace it", path);
	}
	return EXIT_FAIL;
}

static int federation_print(const federation *f, const char *path, bool json, const char *what)
{
	char fp[9];
	node_netkey_fingerprint(f->key, fp);
	if (json) {
		json_t *o = json_object();
		json_object_set_new(o, "name", json_string(f->name));
		json_object_set_new(o, "fingerprint", json_string(fp));
		json_object_set_new(o, "file", json_string(path));
		return render_json_out(o);
	}
	if (what)
		printf("%s\n", what);
	/* the name comes from a file, perhaps one received with federation import */
	node_term_put(stdout, f->name, strlen(f->name));
	putchar('\n');
	printf("  fingerprint: %s (BLAKE2b-256 of the network key, first 8 hex digits)\n", fp);
	printf("  file:        %s\n", path);
	return EXIT_OK;
}

static int federation_new(int argc, char **argv)
{
	cli_opt opts[] = {{"name", true, NULL}, {NULL, false, NULL}};
	cli_args a;
	int r = cli_parse("federation new", argc, argv, opts, &a);
	if (r)
		return r;
	if (a.help) {
		fputs(federation_help, stdout);
		return EXIT_OK;
	}
	if (a.n_pos)
		return cli_usage_error("federation new", "unexpected argument '%s'", a.pos[0]);
	const char *name = cli_opt_get(opts, "name");
	if (!name || !*name)
		return cli_usage_error("federation new", "--name NAME is required");
	r = cli_name_check("federation new", "--name", name, FEDERATION_NAME_MAX);
	if (r)
		return r;
	if (!federation_name_valid(name))
		return cli_usage_error("federation new", "--name « %s » : espace au début ou à la fin "
		                                         "refusé (--name: no space at either end)",
		                       name);
	node_dir nd;
	if (node_dir_open(&nd, a.dir))
		return EXIT_FAIL;
	int ret = EXIT_FAIL;
	federation f = {0};
	char path[4200];
	if (federation_path(nd.path, path, sizeof path)) {
		cli_error("node directory path too long");
		goto out;
	}
	if (refuse_existing(&nd, path))
		goto out;
	if ((r = federation_generate(name, &f)) || (r = federation_write(path, &f))) {
		cli_error("%s: cannot create the federation: %s", path, maille_strerror(r));
		goto out;
	}
	ret = federation_print(&f, path, a.json, a.json ? NULL : "created the federation");
out:
	federation_done(&f);
	node_dir_close(&nd);
	return ret;
}

static int federation_show(int argc, char **argv)
{
	cli_args a;
	int r = cli_parse("federation show", argc, argv, NULL, &a);
	if (r)
		return r;
	if (a.help) {
		fputs(federation_help, stdout);
		return EXIT_OK;
	}
	if (a.n_pos)
		return cli_usage_error("federation show", "unexpected argument '%s'", a.pos[0]);
	node_dir nd;
	if (node_dir_open(&nd, a.dir))
		return EXIT_FAIL;
	federation f = {0};
	int ret = load_own_federation(&nd, &f);
	if (ret == 0) {
		char path[4200];
		federation_path(nd.path, path, sizeof path);
		ret = federation_print(&f, path, a.json, NULL);
	}
	federation_done(&f);
	node_dir_close(&nd);
	return ret;
}

static int federation_export(int argc, char **argv)
{
	cli_args a;
	int r = cli_parse("federation export", argc, argv, NULL, &a);
	if (r)
		return r;
	if (a.help) {
		fputs(federation_help, stdout);
		return EXIT_OK;
	}
	if (a.n_pos != 1)
		return cli_usage_error("federation export", a.n_pos ? "one FILE only" : "FILE is "
		                                                                        "required");
	const char *file = a.pos[0];
	node_dir nd;
	if (node_dir_open(&nd, a.dir))
		return EXIT_FAIL;
	federation f = {0};
	int ret = load_own_federation(&nd, &f);
	if (ret)
		goto out;
	r = federation_write(file, &f);
	if (r == MAILLE_EEXIST) {
		cli_error("%s already exists; refusing to overwrite it", file);
		ret = EXIT_FAIL;
	} else if (r) {
		cli_error("%s: cannot write: %s", file, maille_strerror(r));
		ret = EXIT_FAIL;
	} else {
		fprintf(stderr, "%s holds the federation's network key: whoever has it is a member. "
		                "Hand it over a trusted channel, then delete it.\n",
		        file);
		ret = federation_print(&f, file, a.json, a.json ? NULL : "exported the federation");
	}
out:
	federation_done(&f);
	node_dir_close(&nd);
	return ret;
}

static int federation_import(int argc, char **argv)
{
	cli_args a;
	int r = cli_parse("federation import", argc, argv, NULL, &a);
	if (r)
		return r;
	if (a.help) {
		fputs(federation_help, stdout);
		return EXIT_OK;
	}
	if (a.n_pos != 1)
		return cli_usage_error("federation import", a.n_pos ? "one FILE only" : "FILE is "
		                                                                        "required");
	const char *file = a.pos[0];
	node_dir nd;
	if (node_dir_open(&nd, a.dir))
		return EXIT_FAIL;
	int ret = EXIT_FAIL;
	federation f = {0};
	char path[4200], why[160];
	if (federation_path(nd.path, path, sizeof path)) {
		cli_error("node directory path too long");
		goto out;
	}
	if (refuse_existing(&nd, path))
		goto out;
	r = federation_read(file, &f, why, sizeof why);
	if (r == MAILLE_EPROTO) {
		cli_error("%s is not a federation file: %s", file, why);
		goto out;
	} else if (r) {
		cli_error("%s: %s", file, *why ? why : maille_strerror(r));
		goto out;
	}
	r = federation_write(path, &f);
	if (r) {
		cli_error("%s: cannot write: %s", path, maille_strerror(r));
		goto out;
	}
	ret = federation_print(&f, path, a.json, a.json ? NULL : "joined the federation");
out:
	federation_done(&f);
	node_dir_close(&nd);
	return ret;
}

int cmd_federation(int argc, char **argv)
{
	static const cli_sub subs[] = {
		{"new", federation_new},
		{"show", federation_show},
		{"export", federation_export},
		{"import", federation_import},
	};
	return cli_dispatch("federation", federation_help, subs, sizeof subs / sizeof subs[0], NULL,
	                    "new, show, export, import", argc, argv);
}

/* ---- node ------------------------------------------------------------------------------------ */

static const char node_help[] =
	"usage: maille node [--listen ADDR:PORT] [--anti-entropy SECONDS]\n"
	"                   [--web ADDR:PORT | --no-web] [--web-token-file FILE]\n"
	"                   [--log-format text|json] [--log-level LEVEL] [--dir DIR]\n"
	"\n"
	"Runs this node's daemon in the foreground until SIGINT (Ctrl-C) or SIGTERM. It accepts\n"
	"connections from the members of its federation (see 'maille federation') over an\n"
	"encrypted, mutually authenticated channel; to anyone else it sends nothing. The node\n"
	"needs a federation.\n"
	"\n"
	"It keeps the catalogue in sync with its peers: it dials the peers configured with\n"
	"'maille peer add' and those the node entries of the territories it trusts announce (4\n"
	"to 8 outbound connections, retrying with exponential backoff), reconciles with each on\n"
	"connection and with one at random every --anti-entropy seconds, and pushes at once\n"
	"every entry it stores (received, or published with 'maille publish' while it runs) to\n"
	"its peers. It publishes its own addresses as the entry node/<its key>. 'maille peers'\n"
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
	"SIGTERM it says BYE to its peers, closes everything and exits 0.\n";

int cli_timeout_opt(const char *cmd, const cli_opt *opts, uint32_t *ret_ms)
{
	const char *ts = cli_opt_get(opts, "timeout");
	if (!ts)
		return 0;
	char *end;
	errno = 0;
	double s = strtod(ts, &end);
	if (errno || *end || !(s > 0) || s > 3600)
		return cli_usage_error(cmd, "--timeout wants seconds, more than 0 and at most 3600");
	*ret_ms = (uint32_t)(s * 1000.0 + 0.5);
	if (*ret_ms == 0)
		*ret_ms = 1;
	return 0;
}

/* Test-only overrides of the daemon's timeouts (milliseconds), so that tests need not wait
 * 10 s for a handshake timeout. Not documented in --help on purpose. */
uint32_t env_ms(const char *name)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return 0;
	char *end;
	unsigned long ms = strtoul(v, &end, 10);
	if (*end || ms == 0 || ms > 3600000ul) {
		cli_warn("%s=%s ignored (milliseconds, 1 to 3600000)", name, v);
		return 0;
	}
	cli_warn("%s=%lu: a test setting", name, ms);
	return (uint32_t)ms;
}

/* Test-only lowering of the daemon's connection caps (node.h), so that a test reaches them
 * with a few connections. Not documented in --help on purpose. */
static unsigned env_cap(const char *name)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return 0;
	char *end;
	unsigned long n = strtoul(v, &end, 10);
	if (*end || n == 0 || n > 100000ul) {
		cli_warn("%s=%s ignored (a count, 1 to 100000)", name, v);
		return 0;
	}
	cli_warn("%s=%lu: a test setting", name, n);
	return (unsigned)n;
}

/* The territory's name as the node presents itself (HELLO). */
void territory_name(const node_dir *nd, char *ret, size_t cap)
{
	/* no store (node_dir_open_nostore): the configured name */
	if (!nd->st || store_territory_name(nd->st, nd->pk, ret, cap) != 0)
		snprintf(ret, cap, "%s", nd->name);
}

int parse_log_opts(const char *cmd, const cli_opt *opts, int dflt)
{
	const char *fmt = cli_opt_get(opts, "log-format");
	const char *lvl = cli_opt_get(opts, "log-level");
	bool json = false;
	if (fmt) {
		if (strcmp(fmt, "json") == 0)
			json = true;
		else if (strcmp(fmt, "text") != 0)
			return cli_usage_error(cmd, "--log-format is text or json");
	}
	int level = dflt;
	if (lvl && (level = node_log_level_parse(lvl)) < 0)
		return cli_usage_error(cmd, "--log-level is debug, info, warn or error");
	node_log_setup((node_log_level)level, json);
	return 0;
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
	int r = cli_parse("node", argc, argv, opts, &a);
	if (r)
		return r;
	if (a.help) {
		fputs(node_help, stdout);
		return EXIT_OK;
	}
	if (a.n_pos)
		return cli_usage_error("node", "unexpected argument '%s'", a.pos[0]);
	const char *listen = cli_opt_get(opts, "listen");
	struct sockaddr_storage ss;
	if (listen && node_addr_parse(listen, &ss))
		return cli_usage_error("node", "--listen wants ADDR:PORT (an IPv4 address, [IPv6 "
		                               "address] or localhost, and a port)");
	const char *web = cli_opt_get(opts, "web");
	const char *web_token = cli_opt_get(opts, "web-token-file");
	bool no_web = cli_opt_get(opts, "no-web") != NULL;
	if (web && node_addr_parse(web, &ss))
		return cli_usage_error("node", "--web wants ADDR:PORT (an IPv4 address, [IPv6 address] "
		                               "or localhost, and a port)");
	if (no_web && (web || web_token))
		return cli_usage_error("node", "--no-web excludes --web and --web-token-file");
	if (web_token && !*web_token)
		return cli_usage_error("node", "--web-token-file needs a FILE");
	uint32_t ae_ms = 0;
	const char *ae = cli_opt_get(opts, "anti-entropy");
	if (ae) {
		char *end;
		errno = 0;
		unsigned long s = strtoul(ae, &end, 10);
		if (errno || *end || !*ae || s == 0 || s > 86400)
			return cli_usage_error("node", "--anti-entropy wants whole seconds, 1 to 86400");
		ae_ms = (uint32_t)s * 1000u;
	}
	if (!ae_ms)
		ae_ms = env_ms("MAILLE_TEST_ANTI_ENTROPY_MS");
	if ((r = parse_log_opts("node", opts, NODE_LOG_INFO)))
		return r;
	node_dir nd;
	if (node_dir_open_write(&nd, a.dir))
		return EXIT_FAIL;
	federation f = {0};
	int ret = load_own_federation(&nd, &f);
	if (ret)
		goto out;
	char name[256];
	territory_name(&nd, name, sizeof name);
	/* the daemon opens its own handles: this one would only hold page cache */
	store_close(nd.st);
	nd.st = NULL;
	char mark[4200];
	if (cli_path_join(mark, sizeof mark, nd.path, NODE_CORRUPT_FILE)) {
		cli_error("node directory path too long");
		goto out;
	}
	node_config cfg = {
		.dir = nd.path,
		.sk = nd.sk,
		.netkey = f.key,
		.federation = f.name,
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
		.clock_skew_us = cli_clock_skew_us(),
		.web_listen = web,
		.web_token_file = web_token,
		.web_hosts = nd.web_hosts,
		.no_web = no_web,
		.trust_hops = nd.trust_hops,
		.quota_entries = nd.quota_entries,
		.quota_bytes = nd.quota_bytes,
		.quota_total_entries = nd.quota_total_entries,
		.quota_total_bytes = nd.quota_total_bytes,
		.member = nd.member,
		.corrupt_mark = mark,
	};
	/* node_run logs its own errors, once */
	ret = node_run(&cfg) ? EXIT_FAIL : EXIT_OK;
out:
	federation_done(&f);
	node_dir_close(&nd);
	return ret;
}

/* ---- ping ------------------------------------------------------------------------------------ */

static const char ping_help[] =
	"usage: maille ping HOST:PORT [--timeout SECONDS] [--log-level LEVEL] [--dir DIR] [--json]\n"
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
	"or a failed connection, each with its message. Exit 2 on a usage error.\n";

/* cli.h */
json_t *json_peer_str(const char *s)
{
	json_t *j = json_string(s);
	if (j)
		return j;
	char buf[256];
	size_t i = 0;
	for (; s[i] && i + 1 < sizeof buf; i++)
		buf[i] = (unsigned char)s[i] < 0x80 ? s[i] : '?';
	buf[i] = '\0';
	return json_string(buf);
}

/* Milliseconds to the microsecond, so that JSON shows 1.254 and not 1.2547690000000001. */
double round_us(double ms)
{
	return (double)(long long)(ms * 1000.0 + 0.5) / 1000.0;
}

/* The one HOST:PORT argument into *ret; EXIT_USAGE (printed) otherwise. */
static int cli_target_arg(const char *cmd, const cli_args *a, const char **ret)
{
	if (a->n_pos != 1)
		return cli_usage_error(cmd, a->n_pos ? "one HOST:PORT only" : "HOST:PORT is required");
	struct sockaddr_storage ss;
	if (node_addr_parse(a->pos[0], &ss))
		return cli_usage_error(cmd, "'%s' is not HOST:PORT (an IPv4 address, [IPv6 address] "
		                            "or localhost, and a port)",
		                       a->pos[0]);
	*ret = a->pos[0];
	return 0;
}

static int net_cmd_open_mode(const char *cmd, const char *help, uint32_t timeout_ms, int argc,
                             char **argv, net_cmd *ret, bool *done, bool write)
{
	memset(ret, 0, sizeof *ret);
	*done = true;
	cli_opt opts[] = {{"timeout", true, NULL}, {"log-level", true, NULL}, {NULL, false, NULL}};
	int r = cli_parse(cmd, argc, argv, opts, &ret->a);
	if (r)
		return r;
	if (ret->a.help) {
		fputs(help, stdout);
		return EXIT_OK;
	}
	ret->timeout_ms = timeout_ms;
	if ((r = cli_target_arg(cmd, &ret->a, &ret->target)) ||
	    (r = cli_timeout_opt(cmd, opts, &ret->timeout_ms)) ||
	    (r = parse_log_opts(cmd, opts, NODE_LOG_ERROR)))
		return r;
	if ((write ? node_dir_open_write : node_dir_open)(&ret->nd, ret->a.dir))
		return EXIT_FAIL;
	if ((r = load_own_federation(&ret->nd, &ret->f))) {
		node_dir_close(&ret->nd);
		return r;
	}
	territory_name(&ret->nd, ret->name, sizeof ret->name);
	*done = false;
	return 0;
}

int net_cmd_open(const char *cmd, const char *help, uint32_t timeout_ms, int argc, char **argv,
                 net_cmd *ret, bool *done)
{
	return net_cmd_open_mode(cmd, help, timeout_ms, argc, argv, ret, done, false);
}

int net_cmd_open_write(const char *cmd, const char *help, uint32_t timeout_ms, int argc,
                       char **argv, net_cmd *ret, bool *done)
{
	return net_cmd_open_mode(cmd, help, timeout_ms, argc, argv, ret, done, true);
}

void net_cmd_close(net_cmd *nc)
{
	federation_done(&nc->f);
	node_dir_close(&nc->nd);
}

int cmd_ping(int argc, char **argv)
{
	net_cmd nc;
	bool done;
	int r = net_cmd_open("ping", ping_help, 10000, argc, argv, &nc, &done);
	if (done)
		return r;
	int ret;
	const char *target = nc.target;
	node_config cfg = {.dir = nc.nd.path, .sk = nc.nd.sk, .netkey = nc.f.key, .name = nc.name};
	node_ping_result res;
	r = node_ping(&cfg, target, nc.timeout_ms, &res);
	if (r) {
		cli_error("ping %s: %s", target, res.error);
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
		printf("  key:        %s\n", key);
		printf("  protocol:   %u\n", (unsigned)h->version);
		printf("  software:   %s\n",
		       node_term_str(h->software, strlen(h->software), buf, sizeof buf));
		for (size_t i = 0; i < h->n_addrs; i++)
			printf("  %-11s %s\n", i ? "" : "addresses:",
			       node_term_str(h->addrs[i], strlen(h->addrs[i]), buf, sizeof buf));
		printf("  handshake:  %.2f ms\n", res.handshake_ms);
		printf("  ping:       %.2f ms\n", res.rtt_ms);
		ret = EXIT_OK;
	}
out:
	net_cmd_close(&nc);
	return ret;
}
