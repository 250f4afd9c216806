/* tools/cli/netcmd.c: what the network commands (node, ping, sync, invite, join) share:
 * their log options, and the start of ping and sync. */
#include "netcmd.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "node/daemon/node.h"
#include "node/service/log.h"
#include "nodecli.h"

node_config net_sync_config(const node_dir *nd, const uint8_t *netkey, const char *name)
{
	node_config cfg = {
		.dir = nd->path,
		.sk = nd->sk,
		.netkey = netkey,
		.name = name,
		.store_path = nd->store_path,
		.clock_skew_us = cli_clock_skew_us(),
		/* a test's daemons time sessions out after 1.5 s: this side must PING as often */
		.ping_interval_ms = env_ms("MAILLE_TEST_PING_INTERVAL_MS"),
		.trust_hops = nd->trust_hops,
		.quota_entries = nd->quota_entries,
		.quota_bytes = nd->quota_bytes,
		.quota_total_entries = nd->quota_total_entries,
		.quota_total_bytes = nd->quota_total_bytes,
		.tr = cli_tr, /* the sync's error in the CLI's language */
	};
	return cfg;
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
			return cli_usage_error(cmd, _("--log-format is text or json"));
	}
	int level = dflt;
	if (lvl && (level = node_log_level_parse(lvl)) < 0)
		return cli_usage_error(cmd, _("--log-level is debug, info, warn or error"));
	node_log_setup((node_log_level)level, json);
	return 0;
}

/* The one HOST:PORT argument into *ret; EXIT_USAGE (printed) otherwise. */
static int cli_target_arg(const char *cmd, const cli_args *a, const char **ret)
{
	if (a->n_pos != 1)
		return cli_usage_error(cmd, a->n_pos ? _("one HOST:PORT only") : _("HOST:PORT is required"));
	struct sockaddr_storage ss;
	if (node_addr_parse(a->pos[0], &ss))
		return cli_usage_error(cmd, _("'%s' is not HOST:PORT (an IPv4 address, [IPv6 address] "
		                              "or localhost, and a port)"),
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
	int r = cli_start(cmd, help, argc, argv, opts, CLI_POS_MAX, &ret->a);
	if (r != CLI_GO)
		return r;
	ret->timeout_ms = timeout_ms;
	if ((r = cli_target_arg(cmd, &ret->a, &ret->target)) ||
	    (r = cli_timeout_opt(cmd, opts, &ret->timeout_ms)) ||
	    (r = parse_log_opts(cmd, opts, NODE_LOG_ERROR)))
		return r;
	if ((write ? cli_node_open_write : cli_node_open)(&ret->nd, ret->a.dir))
		return EXIT_FAIL;
	if ((r = cli_federation_load(&ret->nd, &ret->f))) {
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
