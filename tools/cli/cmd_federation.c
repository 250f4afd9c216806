/* tools/cli/cmd_federation.c: maille federation new|show|export|import — the federation's
 * network key (PROTOCOL.md §2). */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "commands.h"
#include "node/daemon/node.h"
#include "node/service/log.h"
#include "node/service/term.h"
#include "nodecli.h"
#include "proto/error.h"
#include "render.h"

static const char federation_help[] =
	N_("usage: maille federation new --name NAME [--dir DIR] [--json]\n"
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
	"A node belongs to one federation: new and import refuse if it already has one.\n");

/* DIR/federation into path (4200 bytes), for new and import: EXIT_FAIL (printed) when the
 * node already belongs to a federation. */
static int refuse_existing(const node_dir *nd, char *path)
{
	if (federation_path(nd->path, path, 4200)) {
		cli_error(_("node directory path too long"));
		return EXIT_FAIL;
	}
	struct stat sb;
	if (stat(path, &sb) != 0 && errno == ENOENT)
		return 0;
	federation f = {0};
	char why[160];
	if (federation_read(path, &f, why, sizeof why, cli_env()) == 0) {
		char fp[9];
		node_netkey_fingerprint(f.key, fp);
		cli_error(_("%s already belongs to the federation \"%s\" (%s); refusing to replace its "
		            "key"),
		          nd->path, f.name, fp);
		federation_done(&f);
	} else {
		cli_error(_("%s already exists; refusing to replace it"), path);
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
	printf(_("  fingerprint: %s (BLAKE2b-256 of the network key, first 8 hex digits)\n"), fp);
	printf(_("  file:        %s\n"), path);
	return EXIT_OK;
}

/* f written to file, which must not exist: 0, or EXIT_FAIL (printed; fail says what could not
 * be done). */
static int federation_save(const federation *f, const char *file, const char *fail)
{
	int r = federation_write(file, f);
	if (r == MAILLE_EEXIST)
		cli_error(_("%s already exists; refusing to overwrite it"), file);
	else if (r)
		cli_error("%s: %s: %s", file, fail, cli_strerror(r));
	return r ? EXIT_FAIL : 0;
}

/* What show, export and import do once the node is open: f is zeroed, and released by the
 * caller. The exit code. */
typedef int (*federation_body)(const node_dir *nd, const cli_args *a, federation *f);

/* show (n_files 0), export and import (n_files 1): the arguments, the node opened, body run,
 * then everything released. The exit code. */
static int sub_run(const char *cmd, int argc, char **argv, size_t n_files, federation_body body)
{
	cli_args a;
	int r = cli_start(cmd, federation_help, argc, argv, NULL, n_files ? CLI_POS_MAX : 0, &a);
	if (r != CLI_GO)
		return r;
	if (n_files == 1 && a.n_pos != 1)
		return cli_usage_error(cmd, a.n_pos ? _("one FILE only") : _("FILE is required"));
	node_dir nd;
	if (cli_node_open(&nd, a.dir))
		return EXIT_FAIL;
	federation f = { 0 };
	int ret = body(&nd, &a, &f);
	federation_done(&f);
	node_dir_close(&nd);
	return ret;
}

static int federation_new(int argc, char **argv)
{
	cli_opt opts[] = {{"name", true, NULL}, {NULL, false, NULL}};
	cli_args a;
	int r = cli_start("federation new", federation_help, argc, argv, opts, 0, &a);
	if (r != CLI_GO)
		return r;
	const char *name = cli_opt_get(opts, "name");
	if (!name || !*name)
		return cli_usage_error("federation new", _("--name NAME is required"));
	r = cli_name_check("federation new", "--name", name, FEDERATION_NAME_MAX);
	if (r)
		return r;
	if (!federation_name_valid(name))
		return cli_usage_error("federation new", "--name « %s » : espace au début ou à la fin "
		                                         "refusé (--name: no space at either end)",
		                       name);
	node_dir nd;
	if (cli_node_open(&nd, a.dir))
		return EXIT_FAIL;
	federation f = {0};
	int ret = EXIT_FAIL;
	char path[4200];
	if (refuse_existing(&nd, path) == 0) {
		if ((r = federation_generate(name, &f)))
			cli_error(_("%s: cannot create the federation: %s"), path, cli_strerror(r));
		else if (federation_save(&f, path, _("cannot create the federation")) == 0)
			ret = federation_print(&f, path, a.json,
			                       a.json ? NULL : _("created the federation"));
	}
	federation_done(&f);
	node_dir_close(&nd);
	return ret;
}

static int show_body(const node_dir *nd, const cli_args *a, federation *f)
{
	int ret = cli_federation_load(nd, f);
	if (ret)
		return ret;
	char path[4200];
	federation_path(nd->path, path, sizeof path);
	return federation_print(f, path, a->json, NULL);
}

static int federation_show(int argc, char **argv)
{
	return sub_run("federation show", argc, argv, 0, show_body);
}

static int export_body(const node_dir *nd, const cli_args *a, federation *f)
{
	const char *file = a->pos[0];
	if (cli_federation_load(nd, f) || federation_save(f, file, _("cannot write")))
		return EXIT_FAIL;
	fprintf(stderr,
	        _("%s holds the federation's network key: whoever has it is a member. "
	          "Hand it over a trusted channel, then delete it.\n"),
	        file);
	return federation_print(f, file, a->json, a->json ? NULL : _("exported the federation"));
}

static int federation_export(int argc, char **argv)
{
	return sub_run("federation export", argc, argv, 1, export_body);
}

static int import_body(const node_dir *nd, const cli_args *a, federation *f)
{
	const char *file = a->pos[0];
	char path[4200], why[160];
	if (refuse_existing(nd, path))
		return EXIT_FAIL;
	int r = federation_read(file, f, why, sizeof why, cli_env());
	if (r == MAILLE_EPROTO) {
		cli_error(_("%s is not a federation file: %s"), file, why);
		return EXIT_FAIL;
	} else if (r) {
		cli_error("%s: %s", file, *why ? why : cli_strerror(r));
		return EXIT_FAIL;
	}
	if (federation_save(f, path, _("cannot write")))
		return EXIT_FAIL;
	return federation_print(f, path, a->json, a->json ? NULL : _("joined the federation"));
}

static int federation_import(int argc, char **argv)
{
	return sub_run("federation import", argc, argv, 1, import_body);
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
