/* tools/cli/netcmd.h: what the network commands share (netcmd.c). */
#ifndef MAILLE_TOOLS_NETCMD_H
#define MAILLE_TOOLS_NETCMD_H

#include <stdbool.h>
#include <stdint.h>

#include "cli.h"
#include "node/daemon/node.h"
#include "nodecli.h"

/* --log-format and --log-level into node_log_setup (dflt: the level without the option). */
int parse_log_opts(const char *cmd, const cli_opt *opts, int dflt);
/* What ping and sync start with: --timeout (default timeout_ms) and --log-level parsed, one
 * HOST:PORT, the node, its federation and its name opened. *done false: go on, then
 * net_cmd_close; *done true: return the code (help printed: EXIT_OK; errors printed). */
typedef struct net_cmd {
	cli_args a;
	const char *target;
	uint32_t timeout_ms;
	node_dir nd;
	federation f;
	char name[256];
} net_cmd;
int net_cmd_open(const char *cmd, const char *help, uint32_t timeout_ms, int argc, char **argv,
                 net_cmd *ret, bool *done);
/* The same for a command that writes to the store (sync): node_dir_open_write. */
int net_cmd_open_write(const char *cmd, const char *help, uint32_t timeout_ms, int argc,
                       char **argv, net_cmd *ret, bool *done);
void net_cmd_close(net_cmd *nc);
/* What a one-shot sync (sync, join) tells the daemon's dialer of the node nd: its directory,
 * key, store and settings, the network key and the name it presents, the CLI's clock and the
 * test's PING interval. */
node_config net_sync_config(const node_dir *nd, const uint8_t *netkey, const char *name);

#endif
