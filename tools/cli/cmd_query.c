/* tools/cli/cmd_query.c: list, search, show, export — the commands that read the catalogue. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "commands.h"
#include "i18n.h"
#include "node/formats/export.h"
#include "node/service/file.h"
#include "node/service/fmwrite.h"
#include "node/service/term.h"
#include "node/service/trust.h"
#include "nodecli.h"
#include "proto/error.h"
#include "proto/record.h"
#include "proto/schema.h"
#include "render.h"

/* list, search, show: computes this node's trust view into *tv and gives it to the store (for
 * store_filter.trusted_only) and to the rendering (marks). Prints the error; EXIT_FAIL. */
static int trust_setup(node_dir *nd, trust_view *tv)
{
	*tv = (trust_view){ 0 };
	int r = trust_compute(nd->st, nd->pk, nd->trust_hops, tv);
	if (r) {
		cli_error(_("cannot compute the trusted territories: %s"), maille_strerror(r));
		return EXIT_FAIL;
	}
	uint8_t *keys = tv->n ? malloc(tv->n * PROTO_KEY_LEN) : NULL;
	if (tv->n && !keys) {
		trust_view_done(tv);
		cli_error(_("out of memory"));
		return EXIT_FAIL;
	}
	for (size_t i = 0; i < tv->n; i++)
		memcpy(keys + i * PROTO_KEY_LEN, tv->v[i].key, PROTO_KEY_LEN);
	r = store_set_trusted(nd->st, keys, tv->n);
	free(keys);
	if (r) {
		trust_view_done(tv);
		cli_error(_("out of memory"));
		return EXIT_FAIL;
	}
	render_set_trust(tv);
	return 0;
}

/* list, search, show: the node opened with its trust view set up; 0 or EXIT_FAIL (printed,
 * nothing left open). */
static int query_open(const char *dir, node_dir *nd, trust_view *tv)
{
	if (cli_node_open(nd, dir))
		return EXIT_FAIL;
	if (trust_setup(nd, tv)) {
		node_dir_close(nd);
		return EXIT_FAIL;
	}
	return 0;
}

static void query_close(node_dir *nd, trust_view *tv)
{
	render_set_trust(NULL);
	trust_view_done(tv);
	node_dir_close(nd);
}

typedef struct emit_ctx {
	store *st;
	json_t *items; /* --json: collect; else print lines */
	bool with_body;
	uint64_t n;
} emit_ctx;

static int emit_row(const store_row *row, void *ctx)
{
	emit_ctx *c = ctx;
	c->n++;
	if (c->items)
		json_array_append_new(c->items, render_row_json(c->st, row, c->with_body));
	else
		render_row_line(c->st, row);
	return 0;
}

/* One entry of export's JSON document, printed as it comes. */
static int export_json_row(const store_row *row, void *ctx)
{
	emit_ctx *c = ctx;
	fputs(c->n++ ? ",\n    " : "\n    ", stdout);
	int r = render_json_piece(render_row_json(c->st, row, c->with_body), 4);
	/* a full disk or a closed pipe stops the listing rather than running it to the end */
	return r ? r : ferror(stdout) ? MAILLE_EIO : 0;
}

/* Parses the filter options shared by list and search. Returns 0 or EXIT_USAGE. */
static int filter_from_opts(const char *cmd, const cli_opt *opts, store_filter *f,
                            uint8_t territory[PROTO_KEY_LEN])
{
	memset(f, 0, sizeof *f);
	f->type = cli_opt_get(opts, "type");
	f->theme = cli_opt_get(opts, "theme");
	f->status = cli_opt_get(opts, "status");
	f->licence = cli_opt_get(opts, "licence");
	/* the trusted territories only, unless --all (PROTOCOL.md §4: the trust view) */
	f->trusted_only = !cli_opt_get(opts, "all");
	const char *t = cli_opt_get(opts, "territory");
	if (t) {
		if (proto_unhex(t, territory, PROTO_KEY_LEN))
			return cli_usage_error(cmd, _("--territory wants a territory key (64 hex digits)"));
		f->territory = territory;
	}
	if (f->type) {
		bool known = false;
		for (size_t i = 0; proto_schema_types[i]; i++)
			known |= strcmp(proto_schema_types[i], f->type) == 0;
		if (!known) {
			char types[256];
			proto_record_type_list(types, sizeof types, false);
			return cli_usage_error(cmd, _("unknown type \"%s\"; types: %s"), f->type, types);
		}
		/* asking for a federation record type by name shows it */
		f->include_federation = true;
	}
	return 0;
}

#define FILTER_OPTS                                                                               \
	{"type", true, NULL}, {"theme", true, NULL}, {"status", true, NULL},                          \
		{"licence", true, NULL}, {"territory", true, NULL}, {"all", false, NULL}

/* What list and search hold while they run: the filter (territory points into terr), the
 * node, its trust view and the rows they print. */
typedef struct filtered {
	store_filter f;
	uint8_t terr[PROTO_KEY_LEN];
	node_dir nd;
	trust_view tv;
	emit_ctx c;
} filtered;

/* list and search: the filter options parsed (EXIT_USAGE), then query_open (EXIT_FAIL); 0 with
 * q ready for the store's rows (collected for --json). */
static int filtered_open(const char *cmd, const cli_opt *opts, const cli_args *a, filtered *q)
{
	int r = filter_from_opts(cmd, opts, &q->f, q->terr);
	if (r == 0)
		r = query_open(a->dir, &q->nd, &q->tv);
	if (r == 0)
		q->c = (emit_ctx){ .st = q->nd.st, .items = a->json ? json_array() : NULL };
	return r;
}

/* list and search once the store has sent its rows to q (r: what it returned): the JSON array
 * printed (with --json), the node closed. The exit code; an error is printed, MAILLE_EINVAL
 * as the usage error einval when not NULL (search: a query with no word). */
static int filtered_end(const char *cmd, int r, const char *einval, filtered *q)
{
	int ret = EXIT_OK;
	if (r == MAILLE_EINVAL && einval) {
		ret = cli_usage_error(cmd, "%s", einval);
	} else if (r) {
		cli_error(_("%s: %s"), cmd, maille_strerror(r));
		ret = EXIT_FAIL;
	} else if (q->c.items) {
		ret = render_json_out(q->c.items);
		q->c.items = NULL;
	}
	json_decref(q->c.items);
	query_close(&q->nd, &q->tv);
	return ret;
}

static const char list_help[] =
	N_("usage: maille list [--type T] [--theme X] [--status S] [--licence L] [--territory KEY]\n"
	"                   [--all] [--dir DIR] [--json]\n"
	"\n"
	"Lists every live record of the catalogue that matches the filters, newest first.\n");
static const char list_help_tail[] =
	N_("Only the records of the territories this node trusts (see\n"
	"'maille territories'); --all lists the others too, marked [untrusted] (\"trusted\":\n"
	"false in JSON). The fields of each type: 'maille schema TYPE'.\n");

int cmd_list(int argc, char **argv)
{
	cli_opt opts[] = {FILTER_OPTS, {NULL, false, NULL}};
	cli_args a;
	int r = cli_parse("list", argc, argv, opts, &a);
	if (r)
		return r;
	if (a.help) {
		char types[256];
		proto_record_type_list(types, sizeof types, true);
		fputs(_(list_help), stdout);
		printf(_("Types: %s, and territory for the\nfederation's territory records.\n"), types);
		fputs(_(list_help_tail), stdout);
		return EXIT_OK;
	}
	if (a.n_pos)
		return cli_usage_error("list", _("unexpected argument '%s'"), a.pos[0]);
	filtered q;
	if ((r = filtered_open("list", opts, &a, &q)))
		return r;
	r = store_list(q.nd.st, &q.f, emit_row, &q.c);
	if (r == 0 && !a.json && q.c.n == 0)
		fputs(q.f.trusted_only
		          ? _("no record matches among the trusted territories (--all shows the others)\n")
		          : _("no record matches\n"),
		      stderr);
	return filtered_end("list", r, NULL, &q);
}

static const char search_help[] =
	N_("usage: maille search QUERY... [--type T] [--theme X] [--status S] [--licence L]\n"
	"                     [--territory KEY] [--all] [--limit N] [--dir DIR] [--json]\n"
	"\n"
	"Full-text search over every text field of the records (titles, summaries, descriptions,\n"
	"keywords, a REX's context, difficulties, lessons...), in every language. Every word must\n"
	"match (the last one as a prefix); accents, case, elisions and French plurals are\n"
	"ignored, so 'experiences' finds 'l'expérience'. Best matches first, at most --limit\n"
	"(default 20), then how many records were found; a search that finds nothing suggests\n"
	"the nearest words of the records.\n"
	"Only the records of the territories this node trusts; --all searches the others too,\n"
	"marked [untrusted]. Records received by a bulk sync are found once indexed (maille\n"
	"status shows those waiting).\n");

/* A query that found nothing: the nearest words of the records, "Did you mean ...?" on
 * standard error (store_suggest). */
static void search_suggest(store *st, const char *query)
{
	char sug[STORE_SUGGEST_MAX][STORE_SUGGEST_LEN];
	size_t n = 0;
	if (store_suggest(st, query, sug, STORE_SUGGEST_MAX, &n) != 0 || n == 0)
		return;
	for (size_t i = 0; i < n; i++) {
		/* TRANSLATORS: a search's suggestions: "Did you mean chatbot or chatbots?" */
		fputs(i == 0 ? _("Did you mean ") : _(" or "), stderr);
		node_term_put(stderr, sug[i], strlen(sug[i]));
	}
	fputs(_("?\n"), stderr);
}

static int search_total_cb(const store_match *m, void *ctx)
{
	(void)m, (void)ctx;
	return 0;
}

/* How many records the search found, after them on standard error (beyond
 * SEARCH_TOTAL_MAX: "more than"). */
#define SEARCH_TOTAL_MAX 1000u
static void search_total(store *st, const char *query, const store_filter *f)
{
	size_t n = 0;
	bool more = false;
	if (store_search_matches(st, query, f, SEARCH_TOTAL_MAX, search_total_cb, NULL, &n,
	                         &more) != 0)
		return;
	if (more)
		fprintf(stderr, _("more than %u records found\n"), SEARCH_TOTAL_MAX);
	else
		fprintf(stderr, n == 1 ? _("%zu record found\n") : _("%zu records found\n"), n);
}

int cmd_search(int argc, char **argv)
{
	cli_opt opts[] = {FILTER_OPTS, {"limit", true, NULL}, {NULL, false, NULL}};
	cli_args a;
	int r = cli_start("search", _(search_help), argc, argv, opts, CLI_POS_MAX, &a);
	if (r != CLI_GO)
		return r;
	if (a.n_pos == 0)
		return cli_usage_error("search", "QUERY is required");
	char query[1024] = "";
	size_t qlen = 0;
	for (size_t i = 0; i < a.n_pos; i++) {
		int n = snprintf(query + qlen, sizeof query - qlen, "%s%s", i ? " " : "", a.pos[i]);
		if (n < 0 || (size_t)n >= sizeof query - qlen)
			return cli_usage_error("search", "query too long");
		qlen += (size_t)n;
	}
	if (!proto_utf8_valid((const uint8_t *)query, qlen))
		return cli_usage_error("search", "the query is not valid UTF-8");
	size_t limit = 20;
	const char *ls = cli_opt_get(opts, "limit");
	if (ls) {
		char *end;
		unsigned long v = strtoul(ls, &end, 10);
		if (*ls < '0' || *ls > '9' || *end || v == 0 || v > MAILLE_SEARCH_LIMIT_MAX)
			return cli_usage_error("search", "--limit wants a number from 1 to %u",
			                       MAILLE_SEARCH_LIMIT_MAX);
		limit = v;
	}
	filtered q;
	if ((r = filtered_open("search", opts, &a, &q)))
		return r;
	r = store_search(q.nd.st, query, &q.f, limit, emit_row, &q.c);
	if (r == 0 && !a.json && q.c.n == 0) {
		fputs("no record matches \"", stderr);
		node_term_put(stderr, query, qlen);
		fprintf(stderr, "\"%s\n",
		        q.f.trusted_only
		            ? " among the trusted territories (--all searches the others)"
		            : "");
		search_suggest(q.nd.st, query);
	} else if (r == 0 && !a.json) {
		search_total(q.nd.st, query, &q.f);
	}
	return filtered_end("search", r, "the query has no word to search for", &q);
}

static const char show_help[] =
	N_("usage: maille show PATH|TERRITORY_KEY/PATH|ID [--dir DIR] [--json]\n"
	"\n"
	"Shows one record: its title, summary and description, then every field of its type in\n"
	"the order of the record table, by its label, with values by their labels and dates in\n"
	"long form in the node's time zone ('timezone' in maille.conf), and last its provenance\n"
	"and its signature check. PATH is looked up in this territory first, then in the\n"
	"others; TERRITORY_KEY/PATH is that territory's; ID is the record's version id in hex (or\n"
	"a prefix of at least 8 digits). A deleted or unknown record exits 1. A record of a\n"
	"territory this node does not trust is shown, and marked so. Then, from the territories\n"
	"this node trusts: a call's interests, the labels the record holds, its comment thread\n"
	"(the others' comments counted, not shown) and, for a component, who uses it.\n"
	"--json prints the record as it is stored (codes, UTC dates), and that under\n"
	"\"cooperation\".\n");

static int first_row(const store_row *row, void *ctx)
{
	store_row *out = ctx;
	/* copy what we need: rows are valid only during the callback */
	uint8_t *raw = malloc(row->raw_len);
	if (!raw)
		return MAILLE_ENOMEM;
	memcpy(raw, row->raw, row->raw_len);
	memset(out, 0, sizeof *out);
	memcpy(out->id, row->id, PROTO_ID_LEN);
	out->raw = raw;
	out->raw_len = row->raw_len;
	return 1;
}

/* show, export --format markdown: the record named by what, an id (or a prefix of at least 8
 * hex digits) or a path (this node's territory's first, then any territory's); *owned_raw:
 * row->raw is the caller's to free, else store_row_done. False when none. */
static bool record_find(node_dir *nd, const char *what, store_row *row, bool *owned_raw)
{
	memset(row, 0, sizeof *row);
	*owned_raw = false;
	size_t wl = strlen(what);
	bool hexlike = wl >= 8 && wl <= 64 && strspn(what, "0123456789abcdefABCDEF") == wl;
	if (hexlike && store_entry_get_id(nd->st, what, row) == 0)
		return true;
	/* TERRITORY_KEY/PATH: a record of that territory (how acts and links name records) */
	uint8_t key[PROTO_KEY_LEN];
	char hex[2 * PROTO_KEY_LEN + 1];
	if (wl > 2 * PROTO_KEY_LEN + 1 && what[2 * PROTO_KEY_LEN] == '/') {
		memcpy(hex, what, 2 * PROTO_KEY_LEN);
		hex[2 * PROTO_KEY_LEN] = '\0';
		if (proto_unhex(hex, key, PROTO_KEY_LEN) == 0)
			return store_entry_get(nd->st, key, what + 2 * PROTO_KEY_LEN + 1, row) == 0;
	}
	if (!proto_path_valid(what, wl))
		return false;
	if (store_entry_get(nd->st, nd->pk, what, row) == 0)
		return true;
	if (store_entry_find_path(nd->st, what, nd->pk, first_row, row) == 1) {
		*owned_raw = true;
		proto_entry_decode(row->raw, row->raw_len, &row->entry);
		return true;
	}
	return false;
}

int cmd_show(int argc, char **argv)
{
	cli_args a;
	int r = cli_start("show", show_help, argc, argv, NULL, CLI_POS_MAX, &a);
	if (r != CLI_GO)
		return r;
	if (a.n_pos != 1)
		return cli_usage_error("show", _("PATH or ID is required"));
	const char *what = a.pos[0];
	/* show finds any stored record, and says when its territory is not trusted */
	node_dir nd;
	trust_view tv;
	if (query_open(a.dir, &nd, &tv))
		return EXIT_FAIL;

	store_row row;
	bool owned_raw = false;
	bool found = record_find(&nd, what, &row, &owned_raw);
	int ret = EXIT_FAIL;
	if (!found) {
		cli_error(_("%s: no such record"), what);
	} else if (row.entry.kind == PROTO_KIND_TOMBSTONE) {
		cli_error(_("%s: this record was deleted"), what);
	} else if (proto_entry_verify(&row.entry, row.raw, row.raw_len) != 0) {
		cli_error(_("%s: the stored signature does not verify; run 'maille check'"), what);
	} else {
		/* its interests, labels, comments and users (PROTOCOL.md §5) */
		const datefmt_zone *zone = datefmt_zone_find(nd.timezone);
		json_t *coop = render_coop_json(nd.st, &row, &tv, zone);
		if (a.json) {
			json_t *o = render_row_json(nd.st, &row, true);
			json_object_set_new(o, "cooperation", coop);
			ret = render_json_out(o);
		} else {
			render_row_page(nd.st, &row, zone);
			render_coop_page(coop);
			json_decref(coop);
			ret = EXIT_OK;
		}
	}
	if (owned_raw)
		free((void *)row.raw);
	else if (found)
		store_row_done(&row);
	query_close(&nd, &tv);
	return ret;
}

static const char export_help[] =
	N_("usage: maille export [--format F] [--type T] [--territory KEY|--mine] [--all]\n"
	"                     [--out PATH] [--base-url URL] [--dir DIR]\n"
	"       maille export --format markdown PATH [--dir DIR]\n"
	"\n"
	"Writes the catalogue's records in a format others read. The filters choose them as\n"
	"'maille list' does: --type, --theme, --status, --licence, one territory (--territory KEY,\n"
	"or --mine for this node's), of the trusted territories unless --all. A file of --out is\n"
	"replaced whole or not at all; on a terminal a progress line shows.\n"
	"\n"
	"Formats (--format F):\n"
	"  json            the default: every live entry of the store (every territory's records,\n"
	"                  the federation's, tombstones; with a filter, the records it keeps) with\n"
	"                  its decoded body, as one JSON document on standard output\n"
	"  markdown        PATH: the record at PATH (or an id) as a Markdown file that 'maille\n"
	"                  publish' publishes back; --out DIR: each record of this territory as\n"
	"                  DIR/PATH.md (an existing file is not replaced), a folder that 'maille\n"
	"                  import markdown' takes back\n"
	"  dcat            DCAT-AP 3, what data.gouv.fr harvests: a dataset per record, a data\n"
	"                  service per API component, each record's territory as its publisher,\n"
	"                  public contacts only; Turtle on standard output, or --out FILE.ttl,\n"
	"                  FILE.jsonld (JSON-LD) or a folder DIR (both)\n"
	"  site            a static site in French into --out DIR: index.html (with --mine --type\n"
	"                  use_case, your public algorithm inventory), a page per record, no script\n"
	"  inventaire-csv  the use cases as the inventory of public algorithms (CRPA L312-1-3):\n"
	"                  Etalab's columns then Maille's, ';', UTF-8; standard output or FILE.csv\n"
	"  algorithm-register  the use cases as a register of the Eurocities standard 0.3.1: CSV\n"
	"                  on standard output or into FILE.csv, JSON into FILE.json, both into DIR\n"
	"  publiccode      each software component as a publiccode.yml (standard 0.7) into --out\n"
	"                  DIR (or standard output), usedBy from the REX of the territories that\n"
	"                  use it; a component the standard cannot describe whole is listed with\n"
	"                  what it lacks, not written\n"
	"'maille import F' reads markdown, dcat, inventaire-csv, algorithm-register and publiccode\n"
	"back.\n"
	"\n"
	"  --base-url URL  dcat, site: the web catalogue's address, for links (default: https://\n"
	"                  and the first name of web.hosts in maille.conf; without one, records\n"
	"                  are named urn:maille:KEY/PATH)\n");

/* A stored record's body as a Markdown file (fmwrite.h) into *ret; EXIT_FAIL (printed). */
static int export_md_text(const store_row *row, const char *what, char **ret, size_t *ret_len)
{
	if (row->entry.kind == PROTO_KIND_TOMBSTONE) {
		cli_error(_("%s: this record was deleted"), what);
		return EXIT_FAIL;
	}
	proto_arena ar;
	proto_arena_init(&ar, 0);
	proto_value *body = NULL;
	char path[PROTO_PATH_MAX + 1];
	snprintf(path, sizeof path, "%.*s", (int)row->entry.path_len, row->entry.path);
	int r = proto_value_decode(row->entry.body, row->entry.body_len, &ar, &body);
	const proto_value *tv = r ? NULL : proto_map_get(body, PROTO_F_TYPE);
	const proto_record_type *t =
	    tv && tv->type == PROTO_V_STR ? proto_record_type_find(tv->u.str.ptr, tv->u.str.len) : NULL;
	if (!r && (!t || t->cls != PROTO_RC_CATALOGUE)) {
		cli_error(_("%s: only the catalogue's records (methodology, use_case, component, "
		            "rex) export as Markdown"),
		          what);
		proto_arena_done(&ar);
		return EXIT_FAIL;
	}
	if (!r)
		r = fm_write(body, path, ret, ret_len);
	proto_arena_done(&ar);
	if (r) {
		cli_error(_("%s: cannot write the record as Markdown: %s"), what, maille_strerror(r));
		return EXIT_FAIL;
	}
	return 0;
}

static int export_md_one(node_dir *nd, const char *what)
{
	store_row row;
	bool owned_raw;
	if (!record_find(nd, what, &row, &owned_raw)) {
		cli_error(_("%s: no such record"), what);
		return EXIT_FAIL;
	}
	char *text = NULL;
	size_t len = 0;
	int ret = export_md_text(&row, what, &text, &len);
	if (owned_raw)
		free((void *)row.raw);
	else
		store_row_done(&row);
	if (ret)
		return ret;
	ret = fwrite(text, 1, len, stdout) == len && fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
	free(text);
	return ret;
}

/* export --format markdown --out DIR: what each record of this territory becomes. */
typedef struct export_dir_ctx {
	const char *dir;
	unsigned n, failed;
} export_dir_ctx;

/* Creates the directories of dir/path's parents (path: a valid entry path, no ".." segment
 * since a segment of dots only is not valid). */
static int export_mkdirs(const char *file)
{
	char buf[4200];
	snprintf(buf, sizeof buf, "%s", file);
	for (char *p = strchr(buf + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return 0;
}

static int export_dir_row(const store_row *row, void *vctx)
{
	export_dir_ctx *c = vctx;
	char path[PROTO_PATH_MAX + 1], file[4200];
	snprintf(path, sizeof path, "%.*s", (int)row->entry.path_len, row->entry.path);
	char *text = NULL;
	size_t len = 0;
	store_row copy = *row;
	if (proto_entry_decode(row->raw, row->raw_len, &copy.entry) != 0 ||
	    export_md_text(&copy, path, &text, &len) != 0) {
		c->failed++;
		return 0;
	}
	snprintf(file, sizeof file, "%s/%s.md", c->dir, path);
	int r = export_mkdirs(file) == 0 ? node_file_create_many(file, 0644, text, len) : MAILLE_EIO;
	free(text);
	if (r) {
		cli_error(_("%s: %s"), file, r == MAILLE_EEXIST ? _("exists, not replaced") : strerror(errno));
		c->failed++;
		return 0;
	}
	c->n++;
	return 0;
}

/* The records of f (this territory's) as files of the folder dir. */
static int export_md_dir(node_dir *nd, const store_filter *f, const char *dir)
{
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		cli_error(_("%s: %s"), dir, strerror(errno));
		return EXIT_FAIL;
	}
	export_dir_ctx c = {.dir = dir};
	int r = store_list(nd->st, f, export_dir_row, &c);
	if (r) {
		cli_error(_("export: %s"), maille_strerror(r));
		return EXIT_FAIL;
	}
	/* the files were not synced one by one: all of them at once */
	if (node_file_sync_fs(dir) != 0) {
		cli_error(_("%s: %s"), dir, strerror(errno));
		return EXIT_FAIL;
	}
	fprintf(stderr, ngettext("%u record written into %s\n", "%u records written into %s\n", c.n),
	        c.n, dir);
	return c.failed ? EXIT_FAIL : EXIT_OK;
}

/* The formats of node/formats/export.h, after json and markdown: "json, markdown, dcat". */
static void export_format_names(char *ret, size_t cap)
{
	size_t n = (size_t)snprintf(ret, cap, "json, markdown");
	for (const export_format *f = export_formats; f->name && n < cap; f++)
		n += (size_t)snprintf(ret + n, cap - n, ", %s", f->name);
	if (n < cap)
		snprintf(ret + n, cap - n, ", site");
}

/* export --format F of node/formats: the filter options, then export_run. */
static int export_formats_cmd(const cli_opt *opts, const cli_args *a, const char *format,
                              const char *out)
{
	if (a->n_pos)
		return cli_usage_error("export", _("--format %s takes no PATH: --type and --territory "
		                                   "choose the records"),
		                       format);
	filtered q;
	memset(&q, 0, sizeof q);
	int r = filtered_open("export", opts, a, &q);
	if (r)
		return r;
	if (cli_opt_get(opts, "mine")) {
		if (q.f.territory) {
			query_close(&q.nd, &q.tv);
			return cli_usage_error("export", "%s", _("--mine and --territory exclude each other"));
		}
		memcpy(q.terr, q.nd.has_territory ? q.nd.territory : q.nd.pk, PROTO_KEY_LEN);
		q.f.territory = q.terr;
	}
	r = export_run(&q.nd, &q.f, format, out, cli_opt_get(opts, "base-url"), a->json);
	query_close(&q.nd, &q.tv);
	return r;
}

/* export --format json: the rows of f with their bodies as one JSON document, printed as the
 * store lists them, one at a time, so that memory does not grow with the catalogue (the whole
 * document held at once took 1.7 GB at 100 000 records); the count, known at the end, comes
 * after the entries. The exit code. */
static int export_json(node_dir *nd, const store_filter *f)
{
	char hex[65];
	proto_hex(nd->pk, PROTO_KEY_LEN, hex);
	printf("{\n  \"format\": \"maille-export/1\",\n  \"exported_by\": \"%s\",\n"
	       "  \"entries\": [",
	       hex);
	emit_ctx c = {.st = nd->st, .with_body = true};
	int r = store_list(nd->st, f, export_json_row, &c);
	if (r) {
		/* the document stays unterminated, so that no reader takes it for a whole one */
		fflush(stdout);
		if (ferror(stdout))
			cli_error(_("cannot write to standard output"));
		else
			cli_error(_("export: %s"), maille_strerror(r));
		return EXIT_FAIL;
	}
	printf("%s],\n  \"count\": %llu\n}\n", c.n ? "\n  " : "", (unsigned long long)c.n);
	if (ferror(stdout) || fflush(stdout) != 0) {
		cli_error(_("cannot write to standard output"));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

int cmd_export(int argc, char **argv)
{
	cli_opt opts[] = {{"format", true, NULL}, {"out", true, NULL}, FILTER_OPTS,
	                  {"mine", false, NULL}, {"base-url", true, NULL}, {NULL, false, NULL}};
	cli_args a = {0};
	int r = cli_start("export", export_help, argc, argv, opts, 1, &a);
	if (r != CLI_GO)
		return r;
	const char *format = cli_opt_get(opts, "format");
	const char *out = cli_opt_get(opts, "out");
	if (format && (export_format_find(format) || strcmp(format, "site") == 0))
		return export_formats_cmd(opts, &a, format, out);
	if (format && strcmp(format, "json") != 0 && strcmp(format, "markdown") != 0) {
		char names[200];
		export_format_names(names, sizeof names);
		return cli_usage_error("export", _("unknown format \"%s\" (formats: %s)"), format, names);
	}
	if (cli_opt_get(opts, "base-url"))
		return cli_usage_error("export", _("--%s does not apply to --format %s"), "base-url",
		                       format ? format : "json");
	bool markdown = format && strcmp(format, "markdown") == 0;
	if (markdown) {
		/* its files are published back as this territory's: it writes this territory's */
		static const char *const others[] = {"territory", "all", NULL};
		for (const char *const *o = others; *o; o++)
			if (cli_opt_get(opts, *o))
				return cli_usage_error("export", _("--%s does not apply to --format %s"), *o,
				                       format);
		if (a.n_pos == (out ? 1u : 0u))
			return cli_usage_error("export", out ? _("--out DIR and PATH exclude each other")
			                                     : _("--format markdown needs a PATH or --out DIR"));
	} else if (a.n_pos || out) {
		return cli_usage_error("export", _("PATH and --out go with --format markdown"));
	}
	static const char *const filters[] = {"type", "theme", "status", "licence", "territory",
	                                      "all", "mine", NULL};
	bool chosen = false;
	for (const char *const *o = filters; *o; o++)
		chosen = chosen || cli_opt_get(opts, *o);
	if (markdown && !out && chosen)
		return cli_usage_error("export", "%s", _("--format markdown PATH exports one record: the "
		                                         "filters go with --out DIR"));
	filtered q;
	memset(&q, 0, sizeof q);
	if (chosen) {
		/* the records the filters keep, as list and the other formats choose them */
		r = filtered_open("export", opts, &a, &q);
		if (r)
			return r;
		/* export prints its rows as they come: no array collected for --json */
		json_decref(q.c.items);
		q.c.items = NULL;
		if (cli_opt_get(opts, "mine")) {
			if (q.f.territory) {
				query_close(&q.nd, &q.tv);
				return cli_usage_error("export", "%s",
				                       _("--mine and --territory exclude each other"));
			}
			memcpy(q.terr, q.nd.has_territory ? q.nd.territory : q.nd.pk, PROTO_KEY_LEN);
			q.f.territory = q.terr;
		}
	} else {
		if (cli_node_open(&q.nd, a.dir))
			return EXIT_FAIL;
		/* the whole store: every territory's records, the federation's, tombstones */
		q.f = (store_filter){ .include_tombstones = true, .include_federation = true };
	}
	if (markdown) {
		if (!chosen) /* the catalogue's records: no tombstone, no federation record */
			q.f = (store_filter){ 0 };
		q.f.territory = q.nd.territory;
		q.f.trusted_only = false;
		r = out ? export_md_dir(&q.nd, &q.f, out) : export_md_one(&q.nd, a.pos[0]);
	} else {
		r = export_json(&q.nd, &q.f);
	}
	query_close(&q.nd, &q.tv);
	return r;
}
