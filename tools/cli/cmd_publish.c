/* tools/cli/cmd_publish.c: publish and delete — a record of this territory, signed and
 * stored, or its tombstone. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "i18n.h"
#include "node/service/file.h"
#include "node/service/frontmatter.h"
#include "node/service/own_territory.h"
#include "node/service/publish.h"
#include "nodecli.h"
#include "proto/error.h"
#include "proto/schema.h"
#include "proto/value.h"
#include "render.h"

static const char publish_help[] =
	"usage: maille publish FILE.md [--path PATH] [--dry-run] [--dir DIR] [--json]\n"
	"\n"
	"Signs and stores the record described by FILE.md: YAML front matter between '---' lines\n"
	"(keys are the record's field names: type, title, summary, themes, status...), then the\n"
	"Markdown description. A plain string where a language map is expected is French.\n"
	"The path is the front matter's `path`, or --path, or <type>/<slug of the title>.\n"
	"Publishing to an existing path publishes a new version (an edit).\n"
	"Every error of the file is reported at once, as FILE:LINE: field: message, and nothing\n"
	"is stored: a field the record type does not have (the nearest name is offered; your own\n"
	"fields go under extensions:), a value outside its list (the allowed ones are listed).\n"
	"Without `territories`, the node's own territory is filled in. maille schema TYPE lists\n"
	"the fields.\n"
	"\n"
	"  --path PATH   store the record at PATH\n"
	"  --dry-run     validate only; store nothing\n"
	"\n"
	"Prints the path and the entry id (--json: {\"path\", \"id\", \"warnings\"}).\n";

/* Reads a whole regular file of at most MAILLE_INPUT_FILE_MAX bytes. */
static int read_input(const char *path, uint8_t **ret, size_t *ret_len)
{
	size_t len = 0;
	uint8_t *buf = malloc(MAILLE_INPUT_FILE_MAX + 1);
	if (!buf) {
		cli_error("out of memory");
		return EXIT_FAIL;
	}
	int r = cli_read_file(path, true, buf, MAILLE_INPUT_FILE_MAX, &len);
	if (r == MAILLE_ETOOBIG)
		cli_error("%s: file over %u bytes; a record's text must be smaller", path,
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
			cli_error("%s: path \"%s\" is not valid: use lower-case letters, digits, "
			          "'.', '_', "
			          "'~', '-' in '/'-separated segments (at most %u bytes)",
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
		cli_error("%s: the title gives an empty path; set `path:` in the front matter",
		          file);
		return EXIT_FAIL;
	}
	snprintf(path, PROTO_PATH_MAX + 1, "%s/%s", type, slug);
	return 0;
}

int cmd_publish(int argc, char **argv)
{
	cli_opt opts[] = {{"path", true, NULL}, {"dry-run", false, NULL}, {NULL, false, NULL}};
	cli_args a = {0};
	int r = cli_start("publish", publish_help, argc, argv, opts, CLI_POS_MAX, &a);
	if (r != CLI_GO)
		return r;
	if (a.n_pos != 1)
		return cli_usage_error("publish", a.n_pos ? "one file at a time" : "FILE.md is required");
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
			msg = maille_strerror(r);
		if (fe.line)
			cli_error("%s:%u:%u: %s%s%s", file, fe.line, fe.column ? fe.column : 1,
			          fe.field[0] ? fe.field : "", fe.field[0] ? ": " : "", msg);
		else
			cli_error("%s: %s%s%s", file, fe.field[0] ? fe.field : "",
			          fe.field[0] ? ": " : "", msg);
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
		cli_error("%s: field type: \"%s\" records are written by maille itself, not published",
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
	if (record_path(file, given ? given : fm_path, body, type, path))
		goto out;

	size_t enc_len;
	r = publish_encode_body(body, &enc, &enc_len);
	if (r) {
		if (r == MAILLE_ETOOBIG)
			cli_error("%s: the record is over the %u KiB limit of an entry", file,
			          PROTO_ENTRY_MAX / 1024);
		else
			cli_error("%s: cannot encode the record: %s", file, maille_strerror(r));
		goto out;
	}
	uint8_t id[PROTO_ID_LEN] = {0};
	if (!dry) {
		r = cli_publish(&nd, path, PROTO_KIND_DOCUMENT, enc, enc_len, id);
		if (r == MAILLE_EDENIED) {
			cli_error("%s: your capability does not cover %s (its prefix, or its window "
			          "that has ended): see maille whoami",
			          file, path);
			goto out;
		}
		if (r) {
			cli_store_error(&nd, r, "%s: cannot store the record: %s", file,
			                maille_strerror(r));
			goto out;
		}
	}
	char hex[65];
	proto_hex(id, PROTO_ID_LEN, hex);
	if (a.json) {
		json_t *o = path_id_json(path, dry ? NULL : hex);
		json_object_set_new(o, "dry_run", json_boolean(dry));
		json_object_set_new(o, "warnings", warnings);
		warnings = NULL;
		ret = render_json_out(o);
	} else {
		if (dry)
			printf("%s (valid, not stored: --dry-run)\n", path);
		else
			printf("%s %s\n", path, hex);
		ret = EXIT_OK;
	}
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

static const char delete_help[] =
	"usage: maille delete PATH [--dir DIR] [--json]\n"
	"\n"
	"Deletes this territory's record at PATH by publishing a tombstone: every node that\n"
	"receives it drops the record, and its text is erased from the store file.\n";

int cmd_delete(int argc, char **argv)
{
	cli_args a = {0};
	int r = cli_start("delete", delete_help, argc, argv, NULL, CLI_POS_MAX, &a);
	if (r != CLI_GO)
		return r;
	if (a.n_pos != 1)
		return cli_usage_error("delete", "PATH is required");
	const char *path = a.pos[0];
	if (!proto_path_valid(path, strlen(path)))
		return cli_usage_error("delete", "\"%s\" is not a valid path", path);
	if (strcmp(path, "territory") == 0) {
		cli_error("the territory record cannot be deleted");
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
		cli_error("%s: no such record of this territory%s", path,
		          r ? "" : " (already deleted)");
		node_dir_close(&nd);
		return EXIT_FAIL;
	}
	store_row_done(&row);
	static const uint8_t empty_map = 0x80;
	uint8_t id[PROTO_ID_LEN];
	r = cli_publish(&nd, path, PROTO_KIND_TOMBSTONE, &empty_map, 1, id);
	node_dir_close(&nd);
	if (r) {
		cli_store_error(&nd, r, "%s: cannot store the tombstone: %s", path,
		                maille_strerror(r));
		return EXIT_FAIL;
	}
	char hex[65];
	proto_hex(id, PROTO_ID_LEN, hex);
	if (a.json) {
		json_t *o = path_id_json(path, hex);
		json_object_set_new(o, "deleted", json_true());
		return render_json_out(o);
	}
	printf("deleted %s (tombstone %s)\n", path, hex);
	return EXIT_OK;
}
