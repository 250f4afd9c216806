/* tools/cli/cmd_check.c: maille check — every signature, id and store invariant verified
 * again, and the mark DIR/store.corrupt written or removed accordingly. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "node/service/blob.h"
#include "node/service/term.h"
#include "nodecli.h"
#include "proto/error.h"
#include "proto/schema.h"
#include "render.h"

static const char check_help[] =
	N_("usage: maille check [--dir DIR] [--json]\n"
	"\n"
	"Re-verifies every stored version (canonical encoding, signature, id), the live-set,\n"
	"full-text index and quarantine invariants, and runs SQLite's own integrity check.\n"
	"Names each problem and exits 1 if there is any; it then leaves DIR/store.corrupt, and\n"
	"no command writes to the store (nor does the node start) until a check finds it\n"
	"sound again. Every blob (DIR/blobs, the records' attachments) is read again and\n"
	"checked against its digest; a corrupt one is named with its file, exits 1 too, and\n"
	"leaves no mark (the store is not at fault).\n");

/* The mark's text keeps this many problems (a damaged file can give thousands). */
#define CHECK_MARK_PROBLEMS 100

typedef struct check_ctx {
	json_t *problems;
	bool json;
	uint64_t n;
	char *mark; /* DIR/store.corrupt's text so far */
	size_t mark_len;
} check_ctx;

static void mark_add(check_ctx *c, const char *line)
{
	size_t k = strlen(line);
	char *p = realloc(c->mark, c->mark_len + k + 2);
	if (!p)
		return; /* the mark is written without this line */
	memcpy(p + c->mark_len, line, k);
	p[c->mark_len + k] = '\n';
	p[c->mark_len + k + 1] = '\0';
	c->mark = p;
	c->mark_len += k + 1;
}

static void on_problem(const uint8_t *id, const char *path, const char *problem, void *ctx)
{
	check_ctx *c = ctx;
	c->n++;
	char hex[65] = "", line[1024];
	if (id)
		proto_hex(id, PROTO_ID_LEN, hex);
	if (id || path)
		snprintf(line, sizeof line, _("bad version %s%s%s: %s"), id ? hex : _("(no id)"),
		         path ? " " : "", path ? path : "", problem);
	else
		snprintf(line, sizeof line, _("store: %s"), problem);
	/* a path and a problem quote what a record holds: one line, nothing a terminal acts on,
	 * on stderr and in the mark that later commands print */
	char shown[NODE_TERM_CAP(sizeof line)];
	node_term_str(line, strlen(line), shown, sizeof shown);
	if (c->n <= CHECK_MARK_PROBLEMS)
		mark_add(c, shown);
	else if (c->n == CHECK_MARK_PROBLEMS + 1)
		mark_add(c, _("(more problems: run 'maille check')"));
	if (c->json) {
		json_t *o = json_object();
		json_object_set_new(o, "id", id ? json_string(hex) : json_null());
		json_object_set_new(o, "path", path ? json_string(path) : json_null());
		json_object_set_new(o, "problem", json_string(problem));
		json_array_append_new(c->problems, o);
	} else {
		fprintf(stderr, "%s\n", shown);
	}
}

typedef struct blob_check {
	bool json;
	json_t *bad;
	uint64_t checked, n;
	const char *dir;
} blob_check;

/* A blob whose bytes no longer hash to its name (PROTOCOL.md §6): named with its file, for
 * whoever removes it ('maille gc' does not: a record may still name it). */
static int blob_check_one(void *ctx, const proto_blob_hash digest, const char *path,
                          uint64_t size)
{
	(void)size;
	blob_check *b = ctx;
	b->checked++;
	int r = blob_verify(b->dir, digest, NULL, NULL);
	if (r == 0 || r == MAILLE_ENOTFOUND)
		return 0;
	b->n++;
	char hex[65];
	proto_hex(digest, 32, hex);
	const char *why = r == MAILLE_ECORRUPT ? _("its content does not match its digest")
	                                       : cli_strerror(r);
	if (b->json) {
		json_t *o = json_object();
		json_object_set_new(o, "digest", json_string(hex));
		json_object_set_new(o, "path", json_peer_str(path));
		json_object_set_new(o, "problem", json_string(why));
		json_array_append_new(b->bad, o);
	} else {
		char shown[NODE_TERM_CAP(BLOB_PATH_MAX)];
		fprintf(stderr, _("bad blob %s %s: %s\n"), hex,
		        node_term_str(path, strlen(path), shown, sizeof shown), why);
	}
	return 0;
}

int cmd_check(int argc, char **argv)
{
	cli_args a;
	node_dir nd;
	int r =
	    cli_start_node("check", check_help, argc, argv, NULL, 0, NODE_OPEN_NOSTORE, &a, &nd);
	if (r != CLI_GO)
		return r;
	check_ctx c = {.problems = json_array(), .json = a.json};
	char when[40], head[160];
	uint64_t checked = 0;
	render_time(cli_now_us(), when, sizeof when);
	/* The store is opened here rather than by node_dir_open: a store that does not open is
	 * a problem to name, like any other. */
	r = store_open(nd.store_path, STORE_OPEN_EXISTING, &nd.st);
	if (r == MAILLE_ENOTFOUND || r == MAILLE_ECORRUPT) {
		char why[256], msg[320];
		int known = store_diagnose(nd.store_path, why, sizeof why);
		snprintf(msg, sizeof msg, _("%s cannot be opened: %s"), NODE_STORE_FILE,
		         r == MAILLE_ENOTFOUND ? _("the file does not exist")
		         : known                ? why
		                                : _("SQLite finds it damaged"));
		on_problem(NULL, NULL, msg, &c);
		r = MAILLE_ECORRUPT;
	} else if (r) {
		cli_error(_("%s: cannot open the store: %s"), nd.store_path, cli_strerror(r));
	} else {
		r = store_check(nd.st, on_problem, &c, &checked);
	}
	if (r && r != MAILLE_ECORRUPT) {
		json_decref(c.problems);
		free(c.mark);
		if (nd.st)
			cli_error(_("check could not run: %s"), cli_strerror(r));
		node_dir_close(&nd);
		return EXIT_FAIL;
	}
	/* The mark (nodedir.h): left for the commands that write, which refuse while it is
	 * there. */
	int ret = r ? EXIT_FAIL : EXIT_OK;
	int marked;
	if (r) {
		snprintf(head, sizeof head, "maille check, %s: %llu problems in %s\n", when,
		         (unsigned long long)c.n, NODE_STORE_FILE);
		size_t hl = strlen(head);
		char *text = malloc(hl + c.mark_len + 1);
		if (text) {
			memcpy(text, head, hl);
			memcpy(text + hl, c.mark ? c.mark : "", c.mark_len + 1);
		}
		marked = node_dir_mark_corrupt(&nd, text ? text : head);
		free(text);
	} else {
		marked = node_dir_mark_corrupt(&nd, NULL);
	}
	free(c.mark);
	if (marked != 0)
		cli_warn(r ? _("%s/%s: cannot write it: %s") : _("%s/%s: cannot remove it: %s"),
		         nd.path, NODE_CORRUPT_FILE, strerror(errno));
	blob_check bc = { a.json, json_array(), 0, 0, nd.path };
	int br = blob_each(nd.path, blob_check_one, &bc);
	if (br) {
		cli_error(_("cannot read the blobs: %s"), cli_strerror(br));
		ret = EXIT_FAIL;
	}
	if (bc.n)
		ret = EXIT_FAIL;
	if (a.json) {
		json_t *o = json_object();
		json_object_set_new(o, "ok", json_boolean(ret == EXIT_OK));
		json_object_set_new(o, "checked", json_integer((json_int_t)checked));
		json_object_set_new(o, "problems", c.problems);
		json_object_set_new(o, "blobs_checked", json_integer((json_int_t)bc.checked));
		json_object_set_new(o, "bad_blobs", bc.bad);
		int w = render_json_out(o);
		node_dir_close(&nd);
		return ret ? ret : w;
	}
	json_decref(bc.bad);
	if (bc.n)
		fprintf(stderr, _("%llu blobs checked, %llu corrupt\n"),
		        (unsigned long long)bc.checked, (unsigned long long)bc.n);
	else if (bc.checked)
		printf(_("%llu blobs checked, all good\n"), (unsigned long long)bc.checked);
	json_decref(c.problems);
	if (r) {
		fprintf(stderr,
		        _("%llu versions checked, %llu problems: %s/%s is damaged; no command writes "
		          "to it until 'maille check' finds it sound (%s/%s lists the problems)\n"),
		        (unsigned long long)checked, (unsigned long long)c.n, nd.path,
		        NODE_STORE_FILE, nd.path, NODE_CORRUPT_FILE);
		cli_store_advice(nd.path);
	} else {
		printf(_("%llu versions checked, all good\n"), (unsigned long long)checked);
	}
	node_dir_close(&nd);
	return ret;
}
