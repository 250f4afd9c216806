/* tools/cli/cmd_territory.c: maille territory show|set — this node's territory record (the
 * record a territory publishes about itself at the path `territory`, PROTOCOL.md §1.3), shown
 * or edited after `maille init` made it: a new version, signed and stored like any edit. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "i18n.h"
#include "node/service/json.h"
#include "node/service/publish.h"
#include "node/service/term.h"
#include "nodecli.h"
#include "proto/error.h"
#include "proto/record.h"
#include "proto/schema.h"
#include "proto/value.h"
#include "render.h"

static const char *const territory_help = N_(
	"usage: maille territory show [--dir DIR] [--json]\n"
	"       maille territory set [--name NAME] [--siren N] [--kind KIND] [--cog CODE]\n"
	"                            [--website URL] [--contact TEXT] [--lang TAG] [--dir DIR]\n"
	"                            [--json]\n"
	"\n"
	"The territory record is what this territory says about itself to the federation: its\n"
	"name, SIREN, kind, COG code, website, contact ('maille schema territory' describes\n"
	"them). 'maille init' writes it; 'set' changes the fields given and publishes a new\n"
	"version, which reaches every node like any edit. An empty value (--cog \"\") removes a\n"
	"field; the name cannot be removed. A SIREN is checked with its check digit.\n"
	"\n"
	"  show   the territory record's fields\n"
	"  set    change the fields given\n");

#define TERRITORY_PATH "territory"

/* The territory record's table (proto/record_territory.c). */
static const proto_record_field *territory_fields(void)
{
	return proto_record_type_find(TERRITORY_PATH, strlen(TERRITORY_PATH))->fields;
}

/* This territory's record, decoded into ar (*ret_body, *ret_row kept for its id): 0, or
 * EXIT_FAIL (printed). */
static int territory_load(node_dir *nd, proto_arena *ar, proto_value **ret_body,
                          store_row *ret_row)
{
	if (nd->member) {
		cli_error(_("this is a member's node: the territory record is edited on the "
		            "territory's own node"));
		return EXIT_FAIL;
	}
	int r = store_entry_get(nd->st, nd->territory, TERRITORY_PATH, ret_row);
	if (r) {
		cli_store_error(nd, r, _("no territory record in this node's store: %s"),
		                maille_strerror(r));
		return EXIT_FAIL;
	}
	if (ret_row->entry.kind != PROTO_KIND_DOCUMENT ||
	    proto_value_decode(ret_row->entry.body, ret_row->entry.body_len, ar, ret_body) != 0 ||
	    (*ret_body)->type != PROTO_V_MAP) {
		store_row_done(ret_row);
		cli_error(_("the territory record in the store cannot be read; run 'maille check'"));
		return EXIT_FAIL;
	}
	return 0;
}

/* One line per field of the record, in the table's order, labelled in the CLI's language. */
static void territory_print(const proto_value *body, uint64_t versions)
{
	bool en = !cli_french();
	for (const proto_record_field *f = territory_fields(); f && f->name; f++) {
		const proto_value *v = proto_map_get(body, f->name);
		if (!v || v->type == PROTO_V_NIL)
			continue;
		const char *text = v->type == PROTO_V_STR ? v->u.str.ptr
		                   : v->type == PROTO_V_MAP ? proto_langmap_pick(v, en ? "en" : "fr")
		                                            : NULL;
		const char *vl = text && f->vocab ? proto_vocab_label(f->vocab, text, en) : NULL;
		char buf[NODE_TERM_CAP(1024)];
		printf("%-14s %s\n", en ? f->label.en : f->label.fr,
		       text ? node_term_str(vl ? vl : text, strlen(vl ? vl : text), buf, sizeof buf)
		            : "…");
	}
	if (versions)
		printf(_("%-14s %llu\n"), _("Version"), (unsigned long long)versions);
}

/* What show and set hold: the node, this territory's record and its decoded body. */
typedef struct territory_ctx {
	cli_args a;
	node_dir nd;
	proto_arena ar;
	proto_value *body;
	store_row row;
} territory_ctx;

/* cli_start_node, then this territory's record loaded: CLI_GO with c to close by
 * territory_done, else the exit code (nothing left open). */
static int territory_start(const char *cmd, int argc, char **argv, cli_opt *opts, int mode,
                           territory_ctx *c)
{
	int r = cli_start_node(cmd, _(territory_help), argc, argv, opts, 0, mode, &c->a, &c->nd);
	if (r != CLI_GO)
		return r;
	proto_arena_init(&c->ar, 0);
	c->body = NULL;
	if ((r = territory_load(&c->nd, &c->ar, &c->body, &c->row))) {
		proto_arena_done(&c->ar);
		node_dir_close(&c->nd);
		return r;
	}
	return CLI_GO;
}

static void territory_done(territory_ctx *c)
{
	store_row_done(&c->row);
	proto_arena_done(&c->ar);
	node_dir_close(&c->nd);
}

/* How many versions of the record this node has stored, as JSON (null if unknown). */
static json_t *territory_version_json(territory_ctx *c, uint64_t *ret)
{
	if (store_versions(c->nd.st, c->nd.territory, TERRITORY_PATH, ret))
		*ret = 0;
	return *ret ? json_integer((json_int_t)*ret) : json_null();
}

static int territory_show(int argc, char **argv)
{
	territory_ctx c;
	int ret = territory_start("territory show", argc, argv, NULL, NODE_OPEN_READ, &c);
	if (ret != CLI_GO)
		return ret;
	uint64_t versions;
	json_t *v = territory_version_json(&c, &versions);
	if (c.a.json) {
		json_t *o = render_row_json(c.nd.st, &c.row, true);
		json_object_set_new(o, "version", v);
		ret = render_json_out(o);
	} else {
		json_decref(v);
		territory_print(c.body, versions);
		ret = EXIT_OK;
	}
	territory_done(&c);
	return ret;
}

/* The options of `set`: one per field of the territory's table but extensions (a map, which
 * a command line does not write). */
#define TERRITORY_OPTS_MAX 16

/* body with the options given applied: a value replaces, "" removes (not the name). 0, or
 * EXIT_USAGE (printed). */
static int territory_apply(proto_arena *ar, proto_value *body, const cli_opt *opts, bool *ret_any)
{
	for (const cli_opt *o = opts; o->name; o++) {
		if (!o->value)
			continue;
		*ret_any = true;
		if (!*o->value) {
			if (strcmp(o->name, PROTO_F_NAME) == 0)
				return cli_usage_error("territory set", _("--name cannot be empty"));
			proto_value_map_del(body, o->name);
			continue;
		}
		int r = 0;
		if (strcmp(o->name, PROTO_F_NAME) == 0)
			r = cli_name_check("territory set", "--name", o->value, NODE_NAME_MAX);
		else if (strcmp(o->name, PROTO_F_SIREN) == 0)
			r = cli_siren_check("territory set", o->value);
		if (r)
			return r;
		proto_value *slot = proto_value_map_put(ar, body, o->name, strlen(o->name));
		proto_value *s = proto_value_new_str(ar, o->value, strlen(o->value));
		if (!slot || !s) {
			cli_error(_("out of memory"));
			return EXIT_FAIL;
		}
		*slot = *s;
	}
	return 0;
}

static int territory_set(int argc, char **argv)
{
	cli_opt opts[TERRITORY_OPTS_MAX + 1];
	size_t n = 0;
	for (const proto_record_field *f = territory_fields();
	     f && f->name && n < TERRITORY_OPTS_MAX; f++)
		if (f->kind != PROTO_FK_MAP)
			opts[n++] = (cli_opt){f->name, true, NULL};
	opts[n] = (cli_opt){NULL, false, NULL};
	territory_ctx c;
	int ret = territory_start("territory set", argc, argv, opts, NODE_OPEN_WRITE, &c);
	if (ret != CLI_GO)
		return ret;
	uint8_t *enc = NULL;
	bool any = false;
	if ((ret = territory_apply(&c.ar, c.body, opts, &any)))
		goto out;
	if (!any) {
		ret = cli_usage_error("territory set", _("nothing to change: give a field, e.g. "
		                                         "--website URL"));
		goto out;
	}
	proto_schema_report rep;
	proto_schema_normalize(c.body, &c.ar);
	if (proto_schema_validate(c.body, &rep)) {
		/* every refusal at once, like publish; the field names are the options' */
		for (size_t i = 0; i + 1 < rep.n_errors; i++)
			cli_error(_("--%s: %s"), rep.errors[i].field,
			          proto_schema_text(&rep.errors[i], !cli_french()));
		ret = cli_usage_error("territory set", _("--%s: %s"), rep.errors[rep.n_errors - 1].field,
		                      proto_schema_text(&rep.errors[rep.n_errors - 1], !cli_french()));
		goto out;
	}
	for (size_t i = 0; i < rep.n_warnings; i++)
		cli_warn(_("%s: %s"), rep.warnings[i].field,
		         proto_schema_text(&rep.warnings[i], !cli_french()));
	size_t enc_len;
	uint8_t id[PROTO_ID_LEN];
	ret = EXIT_FAIL;
	int r = publish_encode_body(c.body, &enc, &enc_len);
	if (!r)
		r = cli_publish(&c.nd, TERRITORY_PATH, PROTO_KIND_DOCUMENT, enc, enc_len, id);
	if (r) {
		cli_store_error(&c.nd, r, _("cannot store the territory record: %s"), maille_strerror(r));
		goto out;
	}
	uint64_t versions;
	json_t *v = territory_version_json(&c, &versions);
	char hex[65];
	proto_hex(id, PROTO_ID_LEN, hex);
	if (c.a.json) {
		json_t *o = json_object();
		json_object_set_new(o, "path", json_string(TERRITORY_PATH));
		json_object_set_new(o, "id", json_string(hex));
		json_object_set_new(o, "version", v);
		ret = render_json_out(o);
	} else {
		json_decref(v);
		printf(_("territory record updated (version %llu), id %s\n"),
		       (unsigned long long)versions, hex);
		territory_print(c.body, 0);
		ret = EXIT_OK;
	}
out:
	free(enc);
	territory_done(&c);
	return ret;
}

int cmd_territory(int argc, char **argv)
{
	static const cli_sub subs[] = {
		{"show", territory_show},
		{"set", territory_set},
	};
	return cli_dispatch("territory", _(territory_help), subs, sizeof subs / sizeof subs[0],
	                    NULL, "show, set", argc, argv);
}
