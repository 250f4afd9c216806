/* tools/cli/cmd_publish.c: publish and delete — a record of this territory, signed and
 * stored, or its tombstone. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "i18n.h"
#include "node/service/file.h"
#include "node/service/fmpath.h"
#include "node/service/frontmatter.h"
#include "node/service/own_territory.h"
#include "node/service/publish.h"
#include "node/service/term.h"
#include "nodecli.h"
#include "proto/coop.h"
#include "proto/error.h"
#include "proto/record.h"
#include "proto/schema.h"
#include "proto/value.h"
#include "render.h"

static const char publish_help[] = N_(
	"usage: maille publish FILE.md [--path PATH] [--dry-run] [--dir DIR] [--json]\n"
	"\n"
	"Signs and stores the record described by FILE.md: YAML front matter between '---' lines\n"
	"(keys are the record's field names: type, title, summary, themes, status...), then the\n"
	"Markdown description. A plain string where a language map is expected is French.\n"
	"The path is the front matter's `path`, or --path, or <type>/<slug of the title>.\n"
	"Publishing to an existing path publishes a new version (an edit). When the front matter\n"
	"has no `path`, the one chosen is written into FILE.md (the rest of the file unchanged),\n"
	"so that publishing the file again edits the same record even if its title changed; for\n"
	"standard input or a read-only file, the line to add is printed instead.\n"
	"'maille new TYPE' writes a record to fill in; 'maille export --format markdown PATH'\n"
	"gives a published record back as such a file.\n"
	"Every error of the file is reported at once, as FILE:LINE: field: message, and nothing\n"
	"is stored: a field the record type does not have (the nearest name is offered; your own\n"
	"fields go under extensions:), a value outside its list (the allowed ones are listed).\n"
	"Without `territories`, the node's own territory is filled in. maille schema TYPE lists\n"
	"the fields.\n"
	"\n"
	"  --path PATH   store the record at PATH\n"
	"  --dry-run     validate only; store nothing\n"
	"\n"
	"Prints the path, whether the record was created or updated (with its version number),\n"
	"and the id (--json: {\"path\", \"id\", \"created\", \"version\", \"path_written\",\n"
	"\"warnings\"}).\n");

/* Reads a whole regular file of at most MAILLE_INPUT_FILE_MAX bytes. */
static int read_input(const char *path, uint8_t **ret, size_t *ret_len)
{
	size_t len = 0;
	uint8_t *buf = malloc(MAILLE_INPUT_FILE_MAX + 1);
	if (!buf) {
		cli_error(_("out of memory"));
		return EXIT_FAIL;
	}
	int r = cli_read_file(path, true, buf, MAILLE_INPUT_FILE_MAX, &len);
	if (r == MAILLE_ETOOBIG)
		cli_error(_("%s: file over %u bytes; a record's text must be smaller"), path,
		          MAILLE_INPUT_FILE_MAX);
	if (r) {
		free(buf);
		return EXIT_FAIL;
	}
	*ret = buf;
	*ret_len = len;
	return 0;
}

/* Every error of the report, each as FILE:LINE: field: message (the line of the field, or
 * of the object that lacks it), then their count: a person fixes them all in one pass. */
static void print_schema_errors(const char *file, const proto_schema_report *rep,
                                const fm_lines *lines)
{
	bool en = !cli_french();
	for (size_t i = 0; i < rep->n_errors; i++) {
		const proto_schema_issue *is = &rep->errors[i];
		cli_error(_("%s:%u: %s: %s"), file, fm_lines_find(lines, is->field),
		          is->field[0] ? is->field : _("(record)"), proto_schema_text(is, en));
	}
	if (rep->n_errors_total > rep->n_errors)
		cli_error(ngettext("%s: %zu more error not shown", "%s: %zu more errors not shown",
		                   rep->n_errors_total - rep->n_errors),
		          file, rep->n_errors_total - rep->n_errors);
	cli_error(ngettext("%s: %zu error; nothing was stored", "%s: %zu errors; nothing was stored",
	                   rep->n_errors_total),
	          file, rep->n_errors_total);
}

/* {"path": path, "id": id (null when NULL)}: what publish and delete print with --json. */
static json_t *path_id_json(const char *path, const char *id)
{
	json_t *o = json_object();
	json_object_set_new(o, "path", json_string(path));
	json_object_set_new(o, "id", id ? json_string(id) : json_null());
	return o;
}

/* Where the record goes: given (--path, else the front matter's `path`), or <type>/<slug of
 * the French title>, into path (PROTO_PATH_MAX + 1 bytes). 0, or EXIT_FAIL (printed). */
static int record_path(const char *file, const char *given, const proto_value *body,
                       const char *type, char *path)
{
	if (given) {
		if (!proto_path_valid(given, strlen(given))) {
			cli_error(_("%s: path \"%s\" is not valid: use lower-case letters, digits, "
			            "'.', '_', '~', '-' in '/'-separated segments (at most %u bytes)"),
			          file, given, PROTO_PATH_MAX);
			return EXIT_FAIL;
		}
		snprintf(path, PROTO_PATH_MAX + 1, "%s", given);
		return 0;
	}
	const char *title = proto_langmap_pick(proto_map_get(body, "title"), "fr");
	char slug[100];
	size_t sl = title ? proto_slugify(title, strlen(title), slug, sizeof slug) : 0;
	if (sl == 0) {
		cli_error(_("%s: the title gives an empty path; set `path:` in the front matter"),
		          file);
		return EXIT_FAIL;
	}
	snprintf(path, PROTO_PATH_MAX + 1, "%s/%s", type, slug);
	return 0;
}

/* An act's path when the file gives none (PROTOCOL.md §5.1): from the record it is about,
 * and, for a comment, 8 random bytes. 0, or EXIT_FAIL (printed). */
static int act_path(const char *file, const proto_value *body, char *path)
{
	uint8_t rnd[8];
	randombytes_buf(rnd, sizeof rnd);
	if (proto_coop_path(body, rnd, path, PROTO_PATH_MAX + 1)) {
		cli_error(_("%s: the record it is about gives no path; set `path:` in the front "
		            "matter"),
		          file);
		return EXIT_FAIL;
	}
	return 0;
}

/* The record's path (given, else record_path's or, for an act, act_path's), then the
 * cooperation records' rules beyond the tables (PROTOCOL.md §5) at that path, reported like
 * the schema's: an act's path, an award in its label's territory, sizes. 0, or EXIT_FAIL
 * (printed). */
static int publish_path(const char *file, const char *given, const proto_value *body,
                        const char *type, const node_dir *nd, proto_schema_report *rep,
                        const fm_lines *lines, char *path)
{
	if (given || !proto_coop_is_act(type, strlen(type))) {
		if (record_path(file, given, body, type, path))
			return EXIT_FAIL;
	} else if (act_path(file, body, path)) {
		return EXIT_FAIL;
	}
	/* --dry-run without a node: no territory, an award cannot be in its label's */
	static const uint8_t no_territory[PROTO_KEY_LEN];
	if (proto_coop_check(nd->has_territory ? nd->territory : no_territory, path, body, rep)) {
		print_schema_errors(file, rep, lines);
		return EXIT_FAIL;
	}
	return 0;
}

/* After a publish of a file whose front matter had no `path`: the chosen path written into the
 * file, so that the next publish of the file edits the same record (fmpath.h); when the file
 * is standard input, not writable or changed meanwhile, the line to add is printed instead.
 * Whether it was written. */
static bool write_back_path(const char *file, const uint8_t *buf, size_t len, const char *path)
{
	uint8_t *out = NULL;
	size_t out_len = 0;
	char sfile[NODE_TERM_CAP(256)];
	const char *shown = node_term_str(file, strlen(file), sfile, sizeof sfile);
	int r = strcmp(file, "-") == 0 ? MAILLE_EINVAL : fm_path_insert(buf, len, path, &out, &out_len);
	int saved = 0;
	if (!r) {
		r = node_file_replace(file, buf, len, out, out_len);
		saved = errno;
		free(out);
	}
	if (!r) {
		fprintf(stderr, _("%s: \"path: %s\" written into its front matter: the next publish of "
		                  "this file edits the same record\n"),
		        shown, path);
		return true;
	}
	const char *why = strcmp(file, "-") == 0 ? _("standard input")
	                  : r == MAILLE_EIO      ? strerror(saved)
	                  : r == MAILLE_ESTATE   ? _("the file changed meanwhile")
	                                         : cli_strerror(r);
	fprintf(stderr, _("%s: the path was not written into the file (%s); add this line to its "
	                  "front matter so that the next publish edits the same record:\n"
	                  "  path: %s\n"),
	        shown, why, path);
	return false;
}

/* What publish says once done: the outcome on stdout (one JSON document with --json, which
 * takes warnings; freed here), and the exit code. */
static int publish_say(bool json, bool dry, const char *path, const uint8_t *id, bool updated,
                       uint64_t versions, bool written, json_t *warnings)
{
	char hex[65];
	proto_hex(id, PROTO_ID_LEN, hex);
	if (json) {
		json_t *o = path_id_json(path, dry ? NULL : hex);
		json_object_set_new(o, "dry_run", json_boolean(dry));
		if (!dry) {
			json_object_set_new(o, "created", json_boolean(!updated));
			json_object_set_new(o, "version", versions ? json_integer((json_int_t)versions)
			                                           : json_null());
			json_object_set_new(o, "path_written", json_boolean(written));
		}
		json_object_set_new(o, "warnings", warnings);
		return render_json_out(o);
	}
	json_decref(warnings);
	if (dry)
		printf(_("%s (valid, not stored: --dry-run)\n"), path);
	else if (updated && versions)
		printf(_("%s updated (version %llu), id %s\n"), path, (unsigned long long)versions, hex);
	else if (updated)
		printf(_("%s updated, id %s\n"), path, hex);
	else
		printf(_("%s created, id %s\n"), path, hex);
	return EXIT_OK;
}

int cmd_publish(int argc, char **argv)
{
	cli_opt opts[] = {{"path", true, NULL}, {"dry-run", false, NULL}, {NULL, false, NULL}};
	cli_args a = {0};
	int r = cli_start("publish", publish_help, argc, argv, opts, CLI_POS_MAX, &a);
	if (r != CLI_GO)
		return r;
	if (a.n_pos != 1)
		return cli_usage_error("publish", "%s",
		                       a.n_pos ? _("one file at a time") : _("FILE.md is required"));
	const char *file = a.pos[0];
	bool dry = cli_opt_get(opts, "dry-run") != NULL;

	uint8_t *buf;
	size_t len;
	if (read_input(file, &buf, &len))
		return EXIT_FAIL;

	int ret = EXIT_FAIL;
	proto_arena ar;
	proto_arena_init(&ar, 8u * MAILLE_INPUT_FILE_MAX);
	proto_value *body = NULL;
	const char *fm_path = NULL;
	fm_error fe;
	memset(&fe, 0, sizeof fe);
	fm_lines lines = { NULL, 0, 0 };
	/* ~70 KB of report: kept off the stack of a command that may grow */
	proto_schema_report *rep = malloc(sizeof *rep);
	node_dir nd;
	memset(&nd, 0, sizeof nd);
	uint8_t *enc = NULL;
	json_t *warnings = json_array();

	if (!rep) {
		cli_error(_("out of memory"));
		goto out;
	}
	r = fm_parse_lines(buf, len, &ar, &body, &fm_path, &lines, &fe);
	if (r) {
		const char *msg = fm_error_text(&fe, !cli_french());
		if (!msg[0])
			msg = cli_strerror(r);
		unsigned col = fe.column ? fe.column : 1;
		if (fe.line && fe.field[0])
			cli_error(_("%s:%u:%u: %s: %s"), file, fe.line, col, fe.field, msg);
		else if (fe.line)
			cli_error(_("%s:%u:%u: %s"), file, fe.line, col, msg);
		else if (fe.field[0])
			cli_error(_("%s: %s: %s"), file, fe.field, msg);
		else
			cli_error(_("%s: %s"), file, msg);
		goto out;
	}
	/* The node opens before validation: its own territory fills `territories` when the file
	 * leaves it out (node/service/own_territory.h). --dry-run needs no node: without one,
	 * nothing is filled. */
	if (!dry) {
		if (cli_node_open_write(&nd, a.dir))
			goto out;
		if (cli_member_can_write(&nd, "publish"))
			goto out;
	} else {
		node_env quiet = { .say = NULL, .now_us = cli_now_us() };
		if (node_dir_open(&nd, a.dir, NODE_OPEN_READ, &quiet))
			memset(&nd, 0, sizeof nd);
	}
	if (nd.st && nd.has_territory &&
	    own_territory_fill_from_store(body, &ar, nd.st, nd.territory, cli_now_us())) {
		cli_error(_("out of memory"));
		goto out;
	}
	proto_schema_normalize(body, &ar);
	if (proto_schema_validate(body, rep)) {
		print_schema_errors(file, rep, &lines);
		goto out;
	}
	const char *type = proto_map_get(body, "type")->u.str.ptr;
	if (strcmp(type, "territory") == 0 || strcmp(type, "member") == 0 ||
	    strcmp(type, "vouch") == 0 || strcmp(type, "node") == 0) {
		cli_error(_("%s: field type: \"%s\" records are written by maille itself, not "
		            "published"),
		          file, type);
		goto out;
	}
	for (size_t i = 0; i < rep->n_warnings; i++) {
		const proto_schema_issue *w = &rep->warnings[i];
		if (!a.json)
			cli_warn(_("%s:%u: %s: %s"), file, fm_lines_find(&lines, w->field), w->field,
			         proto_schema_text(w, !cli_french()));
		json_t *o = json_object();
		json_object_set_new(o, "field", json_string(w->field));
		json_object_set_new(o, "line", json_integer(fm_lines_find(&lines, w->field)));
		json_object_set_new(o, "message", json_string(proto_schema_text(w, !cli_french())));
		json_array_append_new(warnings, o);
	}

	char path[PROTO_PATH_MAX + 1];
	const char *given = cli_opt_get(opts, "path");
	if (publish_path(file, given ? given : fm_path, body, type, &nd, rep, &lines, path))
		goto out;

	size_t enc_len;
	r = publish_encode_body(body, &enc, &enc_len);
	if (r) {
		if (r == MAILLE_ETOOBIG)
			cli_error(_("%s: the record is over the %u KiB limit of a version"), file,
			          PROTO_ENTRY_MAX / 1024);
		else
			cli_error(_("%s: cannot encode the record: %s"), file, cli_strerror(r));
		goto out;
	}
	uint8_t id[PROTO_ID_LEN] = {0};
	bool updated = false, written = false;
	uint64_t versions = 0;
	if (!dry) {
		updated = cli_record_live(&nd, path);
		r = cli_publish(&nd, path, PROTO_KIND_DOCUMENT, enc, enc_len, id);
		if (r == MAILLE_EDENIED) {
			cli_error(_("%s: your capability does not cover %s (its prefix, or its window "
			            "that has ended): see maille whoami"),
			          file, path);
			goto out;
		}
		if (r) {
			cli_store_error(&nd, r, _("%s: cannot store the record: %s"), file,
			                cli_strerror(r));
			goto out;
		}
	}
	/* how many versions the record has had, this one included (a count the store cannot
	 * give, on a damaged file, is left out of the message rather than failing a publish
	 * that is done) */
	if (!dry && store_versions(nd.st, nd.territory, path, &versions))
		versions = 0;
	if (!dry && !fm_path)
		written = write_back_path(file, buf, len, path);
	ret = publish_say(a.json, dry, path, id, updated, versions, written, warnings);
	warnings = NULL;
out:
	json_decref(warnings);
	fm_lines_done(&lines);
	free(rep);
	free(enc);
	free(buf);
	node_dir_close(&nd);
	proto_arena_done(&ar);
	return ret;
}

static const char delete_help[] = N_(
	"usage: maille delete PATH [--yes] [--dir DIR] [--json]\n"
	"\n"
	"Deletes this territory's record at PATH by publishing a tombstone: every node that\n"
	"receives it drops the record, and its text is erased from the store file.\n"
	"On a terminal, asks first, naming the record; elsewhere (a script), --yes is required.\n"
	"\n"
	"  --yes   delete without asking\n");

/* The record's title for the question, through the terminal sanitiser, into buf. */
static const char *delete_title(const store_row *row, char *buf, size_t cap)
{
	proto_arena ar;
	proto_arena_init(&ar, 0);
	proto_value *body = NULL;
	const char *t = NULL;
	if (proto_value_decode(row->entry.body, row->entry.body_len, &ar, &body) == 0) {
		const proto_value *name = proto_map_get(body, PROTO_F_NAME);
		t = proto_langmap_pick(proto_map_get(body, PROTO_F_TITLE), cli_french() ? "fr" : "en");
		if (!t && name && name->type == PROTO_V_STR)
			t = name->u.str.ptr;
	}
	const char *out = t ? node_term_str(t, strlen(t), buf, cap) : NULL;
	proto_arena_done(&ar);
	return out;
}

/* Asks on the terminal whether to delete path (title may be NULL): true for yes. */
static bool delete_confirm(const char *path, const char *title)
{
	char spath[NODE_TERM_CAP(PROTO_PATH_MAX)];
	node_term_str(path, strlen(path), spath, sizeof spath);
	if (title)
		fprintf(stderr, _("Delete the record \"%s\" (%s)? The deletion reaches every node of "
		                  "the federation and cannot be undone. [y/N] "),
		        title, spath);
	else
		fprintf(stderr, _("Delete the record %s? The deletion reaches every node of the "
		                  "federation and cannot be undone. [y/N] "),
		        spath);
	fflush(stderr);
	char line[64];
	if (!fgets(line, sizeof line, stdin))
		return false;
	line[strcspn(line, "\r\n")] = '\0';
	static const char *const yes[] = {"y", "yes", "o", "oui", NULL};
	for (const char *const *y = yes; *y; y++)
		if (strcasecmp(line, *y) == 0)
			return true;
	return false;
}

int cmd_delete(int argc, char **argv)
{
	cli_opt opts[] = {{"yes", false, NULL}, {NULL, false, NULL}};
	cli_args a = {0};
	int r = cli_start("delete", delete_help, argc, argv, opts, CLI_POS_MAX, &a);
	if (r != CLI_GO)
		return r;
	if (a.n_pos != 1)
		return cli_usage_error("delete", _("PATH is required"));
	const char *path = a.pos[0];
	if (!proto_path_valid(path, strlen(path)))
		return cli_usage_error("delete", _("\"%s\" is not a valid path"), path);
	if (strcmp(path, "territory") == 0) {
		cli_error(_("the territory record cannot be deleted; 'maille territory set' "
		            "edits it"));
		return EXIT_FAIL;
	}
	node_dir nd;
	if (cli_node_open_write(&nd, a.dir))
		return EXIT_FAIL;
	if (cli_member_can_write(&nd, "delete")) {
		node_dir_close(&nd);
		return EXIT_FAIL;
	}
	store_row row;
	r = store_entry_get(nd.st, nd.territory, path, &row);
	if (r || row.entry.kind == PROTO_KIND_TOMBSTONE) {
		if (!r)
			store_row_done(&row);
		cli_error(r ? _("%s: no such record of this territory")
		            : _("%s: no such record of this territory (already deleted)"),
		          path);
		node_dir_close(&nd);
		return EXIT_FAIL;
	}
	/* a deletion reaches every node: asked on a terminal, refused in silence elsewhere */
	if (!cli_opt_get(opts, "yes")) {
		if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO)) {
			store_row_done(&row);
			node_dir_close(&nd);
			return cli_usage_error("delete", _("not on a terminal: add --yes to delete %s "
			                                   "(the deletion reaches every node of the "
			                                   "federation)"),
			                       path);
		}
		char tbuf[NODE_TERM_CAP(PROTO_TITLE_MAX * 4)];
		const char *title = delete_title(&row, tbuf, sizeof tbuf);
		if (!delete_confirm(path, title)) {
			store_row_done(&row);
			node_dir_close(&nd);
			fprintf(stderr, _("Nothing deleted.\n"));
			return EXIT_FAIL;
		}
	}
	store_row_done(&row);
	static const uint8_t empty_map = 0x80;
	uint8_t id[PROTO_ID_LEN];
	r = cli_publish(&nd, path, PROTO_KIND_TOMBSTONE, &empty_map, 1, id);
	node_dir_close(&nd);
	if (r) {
		cli_store_error(&nd, r, _("%s: cannot store the tombstone: %s"), path,
		                cli_strerror(r));
		return EXIT_FAIL;
	}
	char hex[65];
	proto_hex(id, PROTO_ID_LEN, hex);
	if (a.json) {
		json_t *o = path_id_json(path, hex);
		json_object_set_new(o, "deleted", json_true());
		return render_json_out(o);
	}
	printf(_("deleted %s (tombstone %s)\n"), path, hex);
	return EXIT_OK;
}
