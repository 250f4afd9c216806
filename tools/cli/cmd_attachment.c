/* tools/cli/cmd_attachment.c: maille attachment add — a file stored as a blob (PROTOCOL.md
 * §6), described as a record's attachments[] item; maille gc — the blobs no live record names
 * removed. */
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "node/service/blob.h"
#include "node/service/term.h"
#include "nodecli.h"
#include "proto/entry.h"
#include "proto/error.h"
#include "render.h"

static const char attachment_help[] =
	N_("usage: maille attachment add FILE [--dir DIR]\n"
	"\n"
	"Stores FILE in the node's blobs (DIR/blobs) and prints, as JSON, the item to put in a\n"
	"record's attachments: name, media_type (found from the content, not the name), size,\n"
	"digest and tree. Up to 64 MiB a file; the blobs together stay within attachments.budget\n"
	"(maille.conf, 2GiB by default).\n");

static int attachment_add(int argc, char **argv)
{
	cli_args a;
	int r = cli_start("attachment add", attachment_help, argc, argv, NULL, CLI_POS_MAX, &a);
	if (r != CLI_GO)
		return r;
	if (a.n_pos != 1)
		return cli_usage_error("attachment add",
		                       a.n_pos ? _("one FILE only") : _("FILE is required"));
	const char *file = a.pos[0];
	node_dir nd;
	if (cli_node_open(&nd, a.dir))
		return EXIT_FAIL;
	blob_info info;
	r = blob_put_file(nd.path, file, BLOB_MAX_SIZE_DEFAULT, nd.blob_budget, &info);
	if (r == MAILLE_ETOOBIG)
		cli_error(_("%s: over %llu MiB, the largest attachment"), file,
		          (unsigned long long)(BLOB_MAX_SIZE_DEFAULT >> 20));
	else if (r == MAILLE_EQUOTA)
		cli_error(_("%s: the attachments would take more than attachments.budget (%llu bytes); "
		            "run 'maille gc' or raise it in maille.conf"),
		          file, (unsigned long long)nd.blob_budget);
	else if (r == MAILLE_EINVAL)
		cli_error(_("%s: not a regular file"), file);
	else if (r)
		cli_error(_("%s: cannot store it: %s"), file, cli_strerror(r));
	if (r) {
		node_dir_close(&nd);
		return EXIT_FAIL;
	}
	/* the type from the stored bytes, the ones the digest names */
	uint8_t head[BLOB_SNIFF_LEN];
	ssize_t n = 0;
	int fd = -1;
	if (blob_open(nd.path, info.digest, info.tree, &fd, NULL) == 0) {
		n = read(fd, head, sizeof head);
		close(fd);
	}
	const char *base = strrchr(file, '/');
	base = base ? base + 1 : file;
	char dhex[65], thex[65];
	proto_hex(info.digest, 32, dhex);
	proto_hex(info.tree, 32, thex);
	json_t *o = json_object();
	json_object_set_new(o, "name", json_peer_str(base));
	json_object_set_new(o, "media_type", json_string(blob_sniff(head, n > 0 ? (size_t)n : 0)));
	json_object_set_new(o, "size", json_integer((json_int_t)info.size));
	json_object_set_new(o, "digest", json_string(dhex));
	json_object_set_new(o, "tree", json_string(thex));
	node_dir_close(&nd);
	return render_json_out(o);
}

int cmd_attachment(int argc, char **argv)
{
	static const cli_sub subs[] = {
		{"add", attachment_add},
	};
	return cli_dispatch("attachment", attachment_help, subs, sizeof subs / sizeof subs[0], NULL,
	                    "add", argc, argv);
}

static const char gc_help[] =
	N_("usage: maille gc [--dir DIR] [--json]\n"
	"\n"
	"Removes the blobs (DIR/blobs) that no live record's attachments name, and the\n"
	"temporary files of writes that never finished; prints each one removed and the\n"
	"bytes freed. Refused while DIR/store.corrupt is there (run 'maille check').\n");

typedef struct gc_ctx {
	bool json;
	json_t *removed;
} gc_ctx;

static int gc_removed(void *ctx, const proto_blob_hash digest, const char *path, uint64_t size)
{
	gc_ctx *g = ctx;
	char hex[65];
	proto_hex(digest, 32, hex);
	if (g->json) {
		json_t *o = json_object();
		json_object_set_new(o, "digest", json_string(hex));
		json_object_set_new(o, "path", json_peer_str(path));
		json_object_set_new(o, "size", json_integer((json_int_t)size));
		json_array_append_new(g->removed, o);
	} else {
		char shown[NODE_TERM_CAP(BLOB_PATH_MAX)];
		printf(_("removed %s (%llu bytes): %s\n"), hex, (unsigned long long)size,
		       node_term_str(path, strlen(path), shown, sizeof shown));
	}
	return 0;
}

int cmd_gc(int argc, char **argv)
{
	cli_args a;
	node_dir nd;
	/* Opened as a writer: a store marked corrupt (DIR/store.corrupt) may have lost the
	 * records that name blobs, and their blobs must not go with them. */
	int r = cli_start_node("gc", gc_help, argc, argv, NULL, 0, NODE_OPEN_WRITE, &a, &nd);
	if (r != CLI_GO)
		return r;
	blob_refs refs;
	r = blob_referenced(nd.st, &refs);
	if (r) {
		cli_error(_("cannot read the records' attachments: %s"), cli_strerror(r));
		node_dir_close(&nd);
		return EXIT_FAIL;
	}
	gc_ctx g = { a.json, json_array() };
	uint64_t bytes = 0;
	size_t count = 0;
	r = blob_gc(nd.path, blob_referenced_has, &refs, gc_removed, &g, &bytes, &count);
	blob_refs_free(&refs);
	node_dir_close(&nd);
	if (r) {
		json_decref(g.removed);
		cli_error(_("collection stopped: %s"), cli_strerror(r));
		return EXIT_FAIL;
	}
	if (a.json) {
		json_t *o = json_object();
		json_object_set_new(o, "removed", g.removed);
		json_object_set_new(o, "files", json_integer((json_int_t)count));
		json_object_set_new(o, "bytes", json_integer((json_int_t)bytes));
		return render_json_out(o);
	}
	json_decref(g.removed);
	printf(ngettext("%zu file removed, %llu bytes freed\n", "%zu files removed, %llu bytes freed\n",
	                count),
	       count, (unsigned long long)bytes);
	return EXIT_OK;
}
