/* tools/cli/nodecli.h: the node directory, its federation and its writes as the commands use
 * them (nodecli.c): node/service/ does the work and says what happened, this prints it. */
#ifndef MAILLE_TOOLS_NODECLI_H
#define MAILLE_TOOLS_NODECLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "node/service/federation.h"
#include "node/service/nodedir.h"

/* What node/service needs of the CLI: warnings and errors printed on stderr (errors about the
 * store followed by cli_store_advice for the node nd, which may be NULL), the CLI's clock
 * (cli_now_us) and the web catalogue's rule for web.hosts. */
node_env cli_node_env(const node_dir *nd);
/* The same without a node directory, for the calls that take a node_env (federation_read). */
const node_env *cli_env(void);
/* cli_node_open(NODE_OPEN_READ, _WRITE, _NOSTORE): 0, or EXIT_FAIL with what went wrong
 * printed. */
int cli_node_open(node_dir *nd, const char *dir_opt);
int cli_node_open_write(node_dir *nd, const char *dir_opt);
int cli_node_open_nostore(node_dir *nd, const char *dir_opt);
/* What the commands that work on this node start with: cli_start (cli.h), then the node
 * opened in mode (NODE_OPEN_*). CLI_GO with ret_nd open, else the exit code to return. */
int cli_start_node(const char *cmd, const char *help, int argc, char **argv, cli_opt *opts,
                   size_t max_pos, int mode, cli_args *ret_args, node_dir *ret_nd);
/* node_dir_create: 0, or EXIT_FAIL (printed). */
int cli_node_create(node_dir *nd, const char *dir_opt, const char *name, const uint8_t *seed);
/* federation_load: this node's federation, 0 or EXIT_FAIL (printed). */
int cli_federation_load(const node_dir *nd, federation *ret);

/* What to do about a damaged store (on stderr): the README's ways back, a backup of the node
 * directory, or the key backup and the federation's copy of the catalogue. */
void cli_store_advice(const char *dir);
/* "maille: error: " and the message, then, when rc is MAILLE_ECORRUPT (SQLite found the file
 * damaged), that nothing was written and what to do. For the store errors of commands. */
void cli_store_error(const node_dir *nd, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* publish, delete: a member node without a capability in force cannot write (printed;
 * EXIT_FAIL). */
int cli_member_can_write(const node_dir *nd, const char *cmd);
/* Whether this territory has a live record at path: a publish there is an edit. */
bool cli_record_live(node_dir *nd, const char *path);
/* publish_node_dir at the CLI's clock: signs body at path for this node's territory and
 * stores it. The error code, not printed. */
int cli_publish(node_dir *nd, const char *path, int kind, const uint8_t *body, size_t body_len,
                uint8_t ret_id[PROTO_ID_LEN]);

#endif
