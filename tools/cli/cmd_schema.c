/* tools/cli/cmd_schema.c: maille schema — the record types and their fields, as the record
 * tables describe them (proto/record.h): a list of the types, one type's fields, the same in
 * JSON, or the whole reference in Markdown (proto/RECORDS.md is this output; a test checks
 * that the committed file is what the tables give). Reads no node directory. */
#include <inttypes.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "i18n.h"
#include "proto/record.h"
#include "render.h"

static const char schema_help[] = N_(
	"usage: maille schema [TYPE] [--json]\n"
	"       maille schema --markdown\n"
	"\n"
	"Without TYPE, lists the record types. With TYPE, lists its fields: name, kind, whether\n"
	"it is required, recommended or optional and when that changes with another field, the\n"
	"allowed values with their labels, the label and the help; nested fields are named like\n"
	"risks[].name. --json gives the same with the French and English texts. --markdown\n"
	"prints the record reference (proto/RECORDS.md) for every type, in both languages.\n"
	"Needs no node directory.\n");

/* ---- text ------------------------------------------------------------------------------- */

/* The text output is in the CLI's language: the record tables' pairs (proto/record.h) for
 * labels and help, the catalogue for the words around them. */
static const char *tx(proto_fr_en t)
{
	return cli_french() ? t.fr : t.en;
}

static void text_values(const proto_vocab *v, unsigned indent)
{
	printf("%*s%s", (int)indent, "", _("values:"));
	for (const proto_vocab_term *t = v->terms; t->value; t++)
		printf("%s %s (%s)", t == v->terms ? "" : ",", t->value, tx(t->label));
	printf("\n");
}

static void text_presence(const proto_record_field *f)
{
	printf("%s", tx(proto_record_presence_text(f->pres)));
	if (f->cond)
		/* TRANSLATORS: "; required if kind = other": presence, field, value */
		printf(_("; %s if %s = %s"), tx(proto_record_presence_text(f->cond->pres)),
		       f->cond->field, f->cond->value ? f->cond->value : "true");
}

/* What else a field's value must be: its bounds, its length, its default, an example. */
static void text_limits(const proto_record_field *f, unsigned indent)
{
	char line[256] = "";
	size_t n = 0;
	const char *sep = _("; ");
#define TEXT_ADD(...)                                                                              \
	do {                                                                                       \
		int w_ = snprintf(line + n, sizeof line - n, __VA_ARGS__);                         \
		if (w_ > 0 && (size_t)w_ < sizeof line - n)                                        \
			n += (size_t)w_;                                                           \
	} while (0)
	if (f->kind == PROTO_FK_INT && f->hi != INT64_MAX) {
		TEXT_ADD("%s", n ? sep : "");
		TEXT_ADD(_("from %" PRId64 " to %" PRId64), f->lo, f->hi);
	} else if ((f->kind == PROTO_FK_INT || f->kind == PROTO_FK_NUMBER ||
	            f->kind == PROTO_FK_NUM_OR_TEXT) && f->lo > INT64_MIN) {
		TEXT_ADD("%s", n ? sep : "");
		TEXT_ADD(_("at least %" PRId64), f->lo);
	}
	if (f->max_chars) {
		TEXT_ADD("%s", n ? sep : "");
		TEXT_ADD(_("at most %u characters"), f->max_chars);
	}
	if (f->warn_chars) {
		TEXT_ADD("%s", n ? sep : "");
		TEXT_ADD(_("%u characters advised"), f->warn_chars);
	}
	if (f->multiline) {
		TEXT_ADD("%s", n ? sep : "");
		TEXT_ADD("%s", _("Markdown, on several lines"));
	}
	if (f->dflt) {
		TEXT_ADD("%s", n ? sep : "");
		TEXT_ADD(_("default: %s"), f->dflt);
	}
	if (f->example && !f->vocab) {
		TEXT_ADD("%s", n ? sep : "");
		TEXT_ADD(_("example: %s"), f->example);
	}
#undef TEXT_ADD
	if (n)
		printf("%*s%s\n", (int)indent, "", line);
}

static void text_fields(const proto_record_field *fields, const char *prefix, unsigned indent)
{
	for (const proto_record_field *f = fields; f && f->name; f++) {
		char path[160];
		/* the tables nest two levels of short names: a path never fills the buffer, and
		 * one that would is left out rather than shown cut */
		int n = snprintf(path, sizeof path, "%s%s", prefix, f->name);
		if (n < 0 || (size_t)n >= sizeof path)
			continue;
		printf("%*s%s  (%s)  ", (int)indent, "", path, tx(proto_record_kind_text(f->kind)));
		text_presence(f);
		printf("\n%*s", (int)indent + 4, "");
		/* TRANSLATORS: a field's label, then its help */
		printf(_("%s: %s\n"), tx(f->label), tx(f->help));
		text_limits(f, indent + 4);
		if (f->vocab)
			text_values(f->vocab, indent + 4);
		if (f->kind == PROTO_FK_MAP)
			printf("%*s%s\n", (int)indent + 4, "", _("free content, never interpreted"));
		if (f->obj) {
			char sub[170];
			n = snprintf(sub, sizeof sub, "%s%s", path,
			             f->kind == PROTO_FK_OBJLIST ? "[]." : ".");
			if (n > 0 && (size_t)n < sizeof sub)
				text_fields(f->obj->fields, sub, indent + 2);
			if (f->obj->check != PROTO_CHECK_NONE) {
				printf("%*s", (int)indent + 4, "");
				printf(_("%s: %s\n"), path, tx(f->obj->check_text));
			}
		}
	}
}

static void text_types(void)
{
	printf("%s", _("Record types:\n"));
	for (size_t i = 0; i < proto_record_n_types; i++) {
		const proto_record_type *t = &proto_record_types[i];
		printf("  %-12s %s — %s\n", t->name, tx(t->label), tx(t->help));
	}
	printf("%s", _("The fields of a type: maille schema TYPE.\n"));
}

static void text_type(const proto_record_type *t)
{
	printf("%s — %s\n  %s\n", t->name, tx(t->label), tx(t->help));
	if (t->cls == PROTO_RC_CATALOGUE) {
		printf("\n%s", _("Fields common to the catalogue's records:\n"));
		text_fields(proto_record_type_common(t), "", 2);
	}
	if (!t->fields) {
		printf("\n%s", _("No fields described yet: only type is checked.\n"));
		return;
	}
	printf("\n");
	printf(_("Fields of %s:\n"), t->name);
	text_fields(t->fields, "", 2);
	printf("\n%s", _("A field not listed here is refused, at the top level as in a nested "
	                 "object, except under extensions; and so is a value outside its list.\n"));
}

/* ---- JSON ------------------------------------------------------------------------------- */

static json_t *json_fr_en(proto_fr_en t)
{
	return json_pack("{s:s, s:s}", "fr", t.fr, "en", t.en);
}

static const char *const presence_ids[] = { "optional", "recommended", "required" };

static json_t *json_fields(const proto_record_field *fields)
{
	json_t *arr = json_array();
	for (const proto_record_field *f = fields; f && f->name; f++) {
		json_t *o = json_object();
		json_object_set_new(o, "name", json_string(f->name));
		json_object_set_new(o, "kind", json_fr_en(proto_record_kind_text(f->kind)));
		json_object_set_new(o, "presence", json_string(presence_ids[f->pres]));
		json_object_set_new(
		    o, "condition",
		    f->cond ? json_pack("{s:s, s:o, s:s}", "field", f->cond->field, "value",
		                        f->cond->value ? json_string(f->cond->value) : json_true(),
		                        "presence", presence_ids[f->cond->pres])
		            : json_null());
		json_object_set_new(o, "label", json_fr_en(f->label));
		json_object_set_new(o, "help", json_fr_en(f->help));
		json_object_set_new(o, "multiline", json_boolean(f->multiline));
		if (f->vocab) {
			json_t *vals = json_array();
			for (const proto_vocab_term *t = f->vocab->terms; t->value; t++)
				json_array_append_new(vals, json_pack("{s:s, s:o}", "value", t->value,
				                                      "label", json_fr_en(t->label)));
			json_object_set_new(o, "vocabulary", json_string(f->vocab->name));
			json_object_set_new(o, "values", vals);
		}
		if (f->search != PROTO_SEARCH_NONE)
			json_object_set_new(o, "search",
			                    json_pack("{s:s, s:f}", "column",
			                              proto_search_columns[f->search].name, "weight",
			                              proto_search_columns[f->search].weight));
		if (f->dflt)
			json_object_set_new(o, "default", json_string(f->dflt));
		if (f->kind == PROTO_FK_INT || f->kind == PROTO_FK_NUMBER ||
		    f->kind == PROTO_FK_NUM_OR_TEXT)
			json_object_set_new(o, "min", json_integer(f->lo));
		if (f->kind == PROTO_FK_INT && f->hi != INT64_MAX)
			json_object_set_new(o, "max", json_integer(f->hi));
		if (f->max_chars)
			json_object_set_new(o, "max_chars", json_integer(f->max_chars));
		if (f->warn_chars)
			json_object_set_new(o, "advised_chars", json_integer(f->warn_chars));
		if (f->example)
			json_object_set_new(o, "example", json_string(f->example));
		if (f->obj)
			json_object_set_new(o, "fields", json_fields(f->obj->fields));
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *json_record_type(const proto_record_type *t, bool with_fields)
{
	/* in the order of proto_record_class */
	static const char *const classes[] = { "catalogue", "territory", "federation", "act" };
	json_t *o = json_object();
	json_object_set_new(o, "name", json_string(t->name));
	json_object_set_new(o, "class", json_string(classes[t->cls]));
	json_object_set_new(o, "label", json_fr_en(t->label));
	json_object_set_new(o, "help", json_fr_en(t->help));
	if (with_fields) {
		json_object_set_new(o, "common_fields", t->cls == PROTO_RC_CATALOGUE
		                                            ? json_fields(proto_record_type_common(t))
		                                            : json_array());
		json_object_set_new(o, "fields", json_fields(t->fields));
	}
	return o;
}

/* ---- Markdown --------------------------------------------------------------------------- */

/* A table cell: '|' would end it. */
static void md_cell(const char *s)
{
	for (; *s; s++)
		fputs(*s == '|' ? "\\|" : (char[2]){ *s, 0 }, stdout);
}

/* The vocabularies, in the order the tables first use them. */
#define MD_VOCABS 64
typedef struct md_vocabs {
	const proto_vocab *v[MD_VOCABS];
	size_t n;
} md_vocabs;

static void md_collect(md_vocabs *vs, const proto_record_field *fields)
{
	for (const proto_record_field *f = fields; f && f->name; f++) {
		bool seen = false;
		for (size_t i = 0; i < vs->n; i++)
			seen |= vs->v[i] == f->vocab;
		if (f->vocab && !seen && vs->n < MD_VOCABS)
			vs->v[vs->n++] = f->vocab;
		if (f->obj)
			md_collect(vs, f->obj->fields);
	}
}

static void md_rows(const proto_record_field *fields, const char *prefix)
{
	for (const proto_record_field *f = fields; f && f->name; f++) {
		char path[160];
		/* the tables nest two levels of short names: a path never fills the buffer, and
		 * one that would is left out rather than shown cut */
		int n = snprintf(path, sizeof path, "%s%s", prefix, f->name);
		if (n < 0 || (size_t)n >= sizeof path)
			continue;
		printf("| `%s` | %s", path, proto_record_kind_text(f->kind).fr);
		if (f->vocab)
			printf(" ([%s](#%s))", f->vocab->name, f->vocab->name);
		printf(" | %s", proto_record_presence_text(f->pres).fr);
		if (f->cond)
			printf(" ; %s si `%s` = `%s`", proto_record_presence_text(f->cond->pres).fr,
			       f->cond->field, f->cond->value ? f->cond->value : "true");
		printf(" | %s / %s | ", f->label.fr, f->label.en);
		md_cell(f->help.fr);
		printf(" / *");
		md_cell(f->help.en);
		printf("* | %s | ", proto_record_widget_text(f->widget).fr);
		if (f->search != PROTO_SEARCH_NONE)
			printf("%s (%.0f)", proto_search_columns[f->search].name,
			       proto_search_columns[f->search].weight);
		printf(" |\n");
		if (f->obj) {
			char sub[170];
			snprintf(sub, sizeof sub, "%s%s", path, f->kind == PROTO_FK_OBJLIST ? "[]." : ".");
			md_rows(f->obj->fields, sub);
		}
	}
}

static void md_table(const proto_record_field *fields)
{
	printf("| Champ (field) | Nature (kind) | Présence | Libellé (label) | Aide (help) | "
	       "Formulaire (form) | Recherche (search) |\n|---|---|---|---|---|---|---|\n");
	md_rows(fields, "");
	printf("\n");
}

static void md_reference(void)
{
	md_vocabs vs = { { NULL }, 0 };
	printf("# Types de fiches (record types)\n\n"
	       "<!-- Generated by `maille schema --markdown` from the record tables "
	       "(proto/record_*.c). Do not edit: change the tables, then run `maille schema "
	       "--markdown > proto/RECORDS.md`. -->\n\n"
	       "Chaque fiche est une table dont `type` dit le type. Présence : obligatoire (une "
	       "fiche sans ce champ est refusée), recommandé (un avertissement), facultatif ; "
	       "certains champs changent de présence selon un autre champ. Les champs imbriqués "
	       "sont notés `risks[].name` (dans chaque élément d'une liste) ou `period.start`. "
	       "Un champ que ces tables ne nomment pas est refusé (au premier niveau comme dans "
	       "un objet imbriqué), sauf sous `extensions`, et une valeur hors de son "
	       "vocabulaire aussi. "
	       "*Every record is a map whose `type` names its type. Nested fields are written "
	       "`risks[].name` or `period.start`. A field these tables do not name is refused "
	       "(at the top level as in a nested object), except under `extensions`, and so is "
	       "a value outside its vocabulary.*\n\n");
	printf("## Recherche (search)\n\n| Colonne (column) | Poids (weight) |\n|---|---|\n");
	for (int c = PROTO_SEARCH_TITLE; c < PROTO_SEARCH_N_; c++)
		printf("| %s | %.0f |\n", proto_search_columns[c].name, proto_search_columns[c].weight);
	printf("\n## Types\n\n| Type | Libellé (label) | Description |\n|---|---|---|\n");
	for (size_t i = 0; i < proto_record_n_types; i++) {
		const proto_record_type *t = &proto_record_types[i];
		printf("| [`%s`](#%s) | %s / %s | %s / *%s* |\n", t->name, t->name, t->label.fr,
		       t->label.en, t->help.fr, t->help.en);
	}
	printf("\n## Champs communs (common fields)\n\nLes fiches `methodology`, `use_case`, "
	       "`component` et `rex` ont ces champs, puis les leurs. *The catalogue's records have "
	       "these fields, then their own.*\n\n");
	md_table(proto_record_common);
	md_collect(&vs, proto_record_common);
	for (size_t i = 0; i < proto_record_n_types; i++) {
		const proto_record_type *t = &proto_record_types[i];
		printf("## %s\n\n%s / *%s*\n\n", t->name, t->help.fr, t->help.en);
		if (t->fields)
			md_table(t->fields);
		else
			printf("Aucun champ décrit : seul `type` est vérifié. *No fields described yet: "
			       "only `type` is checked.*\n\n");
		md_collect(&vs, t->fields);
	}
	printf("## Vocabulaires (vocabularies)\n");
	for (size_t i = 0; i < vs.n; i++) {
		printf("\n### %s\n\n", vs.v[i]->name);
		printf("| Valeur (value) | Libellé | Label |\n|---|---|---|\n");
		for (const proto_vocab_term *t = vs.v[i]->terms; t->value; t++)
			printf("| `%s` | %s | %s |\n", t->value, t->label.fr, t->label.en);
	}
}

int cmd_schema(int argc, char **argv)
{
	cli_opt opts[] = { { "markdown", false, NULL }, { NULL, false, NULL } };
	cli_args a;
	int r = cli_start("schema", schema_help, argc, argv, opts, CLI_POS_MAX, &a);
	if (r != CLI_GO)
		return r;
	if (a.n_pos > 1)
		return cli_usage_error("schema", _("unexpected argument '%s'"), a.pos[1]);
	const proto_record_type *t = NULL;
	if (a.n_pos == 1 && !(t = proto_record_type_find(a.pos[0], strlen(a.pos[0])))) {
		char types[256];
		proto_record_type_list(types, sizeof types, false);
		return cli_usage_error("schema", _("unknown type \"%s\"; types: %s"), a.pos[0],
		                       types);
	}
	if (cli_opt_get(opts, "markdown")) {
		if (t || a.json)
			return cli_usage_error("schema", _("--markdown prints the whole reference: it "
			                                   "takes no TYPE and no --json"));
		md_reference();
		return EXIT_OK;
	}
	if (a.json) {
		if (t)
			return render_json_out(json_record_type(t, true));
		json_t *arr = json_array();
		for (size_t i = 0; i < proto_record_n_types; i++)
			json_array_append_new(arr, json_record_type(&proto_record_types[i], false));
		return render_json_out(json_pack("{s:o}", "types", arr));
	}
	if (t)
		text_type(t);
	else
		text_types();
	return EXIT_OK;
}
