/* tools/cli/nodecli.c: the node directory, its federation and its writes as the commands use
 * them: what node/service says, printed on stderr. */
#include "nodecli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "node/service/publish.h"
#include "node/web/web.h"
#include "proto/error.h"

/* node_env.say: ctx is the node directory being opened (NULL: none). */
static void say(void *ctx, int level, const char *text)
{
	const node_dir *nd = ctx;
	if (level == NODE_SAY_WARN) {
		cli_warn("%s", text);
		return;
	}
	cli_error("%s", text);
	if (level == NODE_SAY_STORE && nd)
		cli_store_advice(nd->path);
}

node_env cli_node_env(const node_dir *nd)
{
	node_env env = {
		.say = say,
		.ctx = (void *)(uintptr_t)nd, /* say only reads it */
		/* node/service's English messages in the CLI's language (tools/po/POTFILES lists
		 * the files whose messages reach the user) */
		.tr = cli_tr,
		.now_us = cli_now_us(),
		.web_hosts_valid = web_hosts_valid,
		.web_hosts_max = WEB_HOSTS_MAX,
	};
	return env;
}

const node_env *cli_env(void)
{
	static node_env env;
	env = cli_node_env(NULL);
	return &env;
}

static int open_mode(node_dir *nd, const char *dir_opt, int mode)
{
	node_env env = cli_node_env(nd);
	return node_dir_open(nd, dir_opt, mode, &env) ? EXIT_FAIL : 0;
}

int cli_node_open(node_dir *nd, const char *dir_opt)
{
	return open_mode(nd, dir_opt, NODE_OPEN_READ);
}

int cli_node_open_write(node_dir *nd, const char *dir_opt)
{
	return open_mode(nd, dir_opt, NODE_OPEN_WRITE);
}

int cli_node_open_nostore(node_dir *nd, const char *dir_opt)
{
	return open_mode(nd, dir_opt, NODE_OPEN_NOSTORE);
}

int cli_start_node(const char *cmd, const char *help, int argc, char **argv, cli_opt *opts,
                   size_t max_pos, int mode, cli_args *ret_args, node_dir *ret_nd)
{
	int r = cli_start(cmd, help, argc, argv, opts, max_pos, ret_args);
	if (r != CLI_GO)
		return r;
	return open_mode(ret_nd, ret_args->dir, mode) ? EXIT_FAIL : CLI_GO;
}

int cli_node_create(node_dir *nd, const char *dir_opt, const char *name, const uint8_t *seed)
{
	node_env env = cli_node_env(NULL);
	return node_dir_create(nd, dir_opt, name, seed, &env) ? EXIT_FAIL : 0;
}

int cli_federation_load(const node_dir *nd, federation *ret)
{
	node_env env = cli_node_env(nd);
	return federation_load(nd, ret, &env) ? EXIT_FAIL : 0;
}

void cli_store_advice(const char *dir)
{
	fprintf(stderr,
	        _("  Restore %s/%s from a backup of the node directory; or recreate the node from "
	          "its key backup in a new directory ('maille key export FILE' works on this one, "
	          "then 'maille init --restore FILE --dir NEWDIR') and sync it from a member "
	          "('maille sync HOST:PORT'): the federation holds a copy of the catalogue. Then "
	          "run 'maille check' again.\n"),
	        dir, NODE_STORE_FILE);
}

void cli_store_error(const node_dir *nd, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs(_("maille: error: "), stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	if (rc == MAILLE_ECORRUPT) {
		fprintf(stderr,
		        _("  %s/%s is damaged: nothing was written. Run 'maille check' to see what "
		          "is wrong.\n"),
		        nd->path, NODE_STORE_FILE);
		cli_store_advice(nd->path);
	}
}

int cli_member_can_write(const node_dir *nd, const char *cmd)
{
	if (!nd->member || nd->has_territory)
		return 0;
	char hex[2 * PROTO_KEY_LEN + 1];
	proto_hex(nd->pk, PROTO_KEY_LEN, hex);
	cli_error(_("%s: this member node has no capability in force yet, so it cannot write for a "
	            "territory. Ask your territory's administrator to run, on the territory's node:"),
	          cmd);
	cli_error_line(_("  maille member add %s --name \"YOUR NAME\""), hex);
	cli_error_line(_("then sync (maille sync HOST:PORT, or let the node do it) and try again."));
	return EXIT_FAIL;
}

int cli_publish(node_dir *nd, const char *path, int kind, const uint8_t *body, size_t body_len,
                uint8_t ret_id[PROTO_ID_LEN])
{
	return publish_node_dir(nd, path, kind, body, body_len, cli_now_us(), ret_id);
}

bool cli_record_live(node_dir *nd, const char *path)
{
	store_row row;
	if (store_entry_get(nd->st, nd->territory, path, &row))
		return false;
	bool live = row.entry.kind == PROTO_KIND_DOCUMENT;
	store_row_done(&row);
	return live;
}
