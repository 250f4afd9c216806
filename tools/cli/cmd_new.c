/* tools/cli/cmd_new.c: maille new — a record to fill in, written from the record table
 * (proto/record.h): every required and recommended field with its French label, help and
 * allowed values as YAML comments; or, with --example, a complete fictional record of the type
 * (tools/cli/examples.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "examples.h"
#include "i18n.h"
#include "node/service/term.h"
#include "proto/coop.h"
#include "proto/record.h"

static const char *const new_help = N_(
	"usage: maille new TYPE [--out FILE] [--force] [--example]\n"
	"\n"
	"Writes a record to fill in: a Markdown file whose front matter holds every required and\n"
	"recommended field of TYPE (methodology, use_case, component, rex, call or label; or an\n"
	"act: interest, award or comment), each after a comment with its label, its help and its\n"
	"allowed values, then the place of the description (an act's: a comment's text, an\n"
	"interest's message). Once filled in, 'maille publish FILE' publishes it. An act's\n"
	"example names the record it is about by placeholders to replace; 'maille interest',\n"
	"'maille label award' and 'maille comment' write acts without a file.\n"
	"\n"
	"  --example     write instead a complete, fictional record of TYPE\n"
	"  --out FILE    write to FILE (refused if it exists) instead of standard output\n"
	"  --force       with --out, replace an existing FILE\n");

/* Past this column a comment's list of values goes on to the next line. */
#define NEW_COMMENT_WIDTH 96u

/* A field is in the template when a person is asked for it: required or recommended, now or
 * when another field has some value. */
static bool new_field_asked(const proto_record_field *f)
{
	return f->pres != PROTO_OPTIONAL || (f->cond && f->cond->pres != PROTO_OPTIONAL);
}

static void new_indent(FILE *o, unsigned ind)
{
	fprintf(o, "%*s", (int)ind, "");
}

/* A pair of the record table in the CLI's language. */
static const char *new_text(proto_fr_en t, bool en)
{
	return en ? t.en : t.fr;
}

/* "# Label (required; kind): help", then the vocabulary, "value (Label)", wrapped: in the
 * CLI's language, from the record table's pairs and the catalogue. */
static void new_comment(FILE *o, unsigned ind, const proto_record_field *f)
{
	bool en = !cli_french();
	new_indent(o, ind);
	fprintf(o, "# %s (%s", new_text(f->label, en),
	        new_text(proto_record_presence_text(f->pres), en));
	if (f->cond) {
		const char *pres = new_text(proto_record_presence_text(f->cond->pres), en);
		if (f->cond->value)
			/* TRANSLATORS: "required if kind is other": presence, field, value */
			fprintf(o, _(", %s if %s is %s"), pres, f->cond->field, f->cond->value);
		else
			fprintf(o, _(", %s if %s is true"), pres, f->cond->field);
	}
	/* TRANSLATORS: closes "# Label (required" with the field's kind, then its help */
	fprintf(o, _("; %s): %s\n"), new_text(proto_record_kind_text(f->kind), en),
	        new_text(f->help, en));
	if (!f->vocab)
		return;
	const char *values = _("#   values:");
	size_t col = ind + strlen(values);
	new_indent(o, ind);
	fputs(values, o);
	for (const proto_vocab_term *t = f->vocab->terms; t->value; t++) {
		const char *label = new_text(t->label, en);
		size_t w = strlen(t->value) + strlen(label) + 5;
		if (col + w > NEW_COMMENT_WIDTH && t != f->vocab->terms) {
			fputc('\n', o);
			new_indent(o, ind);
			fputs("#    ", o);
			col = ind + 5;
		}
		fprintf(o, " %s (%s)%s", t->value, label, t[1].value ? "," : "");
		col += w;
	}
	fputc('\n', o);
}

static void new_members(FILE *o, const proto_record_obj *obj, unsigned ind, bool item,
                        unsigned depth);

/* One field: its comment, its line (after "- " when it opens a list item), its members.
 * Nesting is bounded by the record tables themselves (depth). */
static void new_field(FILE *o, const proto_record_field *f, unsigned ind, bool dash,
                      unsigned depth)
{
	new_comment(o, ind, f);
	new_indent(o, ind);
	fprintf(o, "%s%s:%s%s\n", dash ? "- " : "", f->name, f->dflt ? " " : "",
	        f->dflt ? f->dflt : "");
	if (f->obj && depth < 4)
		new_members(o, f->obj, ind + (dash ? 2 : 0) + 2, f->kind == PROTO_FK_OBJLIST,
		            depth + 1);
}

/* The members of a nested object (item: of a list's first item); when none is asked for (a
 * model card), all of them, for a person to see what the object holds. */
static void new_members(FILE *o, const proto_record_obj *obj, unsigned ind, bool item,
                        unsigned depth)
{
	bool any = false;
	for (const proto_record_field *f = obj->fields; f->name; f++)
		any |= new_field_asked(f);
	bool first = true;
	for (const proto_record_field *f = obj->fields; f->name; f++) {
		if (any && !new_field_asked(f))
			continue;
		new_field(o, f, item && !first ? ind + 2 : ind, item && first, depth);
		first = false;
	}
}

/* The field the file's body fills: the description, or an act's text or message (NULL: an
 * award, which has none). */
static const char *new_body_field(const proto_record_type *t)
{
	if (strcmp(t->name, PROTO_T_COMMENT) == 0)
		return PROTO_F_TEXT;
	if (strcmp(t->name, PROTO_T_INTEREST) == 0)
		return PROTO_F_MESSAGE;
	return proto_coop_is_act(t->name, strlen(t->name)) ? NULL : PROTO_F_DESCRIPTION;
}

/* The asked fields of a record table; body (the field of the file's body) is left out. */
static void new_fields(FILE *o, const proto_record_field *fields, const char *body)
{
	for (const proto_record_field *f = fields; f && f->name; f++)
		if (new_field_asked(f) && (!body || strcmp(f->name, body) != 0))
			new_field(o, f, 0, false, 0);
}

/* The optional fields of a table, by name, on comment lines. */
static void new_optional(FILE *o, const proto_record_field *fields, size_t *col)
{
	for (const proto_record_field *f = fields; f && f->name; f++) {
		if (new_field_asked(f))
			continue;
		size_t w = strlen(f->name) + 2;
		if (*col + w > NEW_COMMENT_WIDTH) {
			fputs("\n#  ", o);
			*col = 3;
		}
		fprintf(o, " %s", f->name);
		*col += w;
	}
}

static void new_template(FILE *o, const proto_record_type *t)
{
	bool en = !cli_french();
	/* TRANSLATORS: the template's first comment: the record type's label and help */
	fprintf(o, _("---\n# %s: %s\n"), new_text(t->label, en), new_text(t->help, en));
	fprintf(o, _("# Fill in the values after the colons, then publish the record with\n"
	             "# \"maille publish FILE\"; \"maille schema %s\" describes every field.\n"
	             "# An empty value of a required field is refused; remove the fields that do not\n"
	             "# concern the record.\n"),
	        t->name);
	fprintf(o, "type: %s\n", t->name);
	const char *body = new_body_field(t);
	new_fields(o, proto_record_type_common(t), body);
	new_fields(o, t->fields, body);
	const char *optional = _("# Optional fields:");
	size_t col = strlen(optional) + 2;
	fputs(optional, o);
	new_optional(o, proto_record_type_common(t), &col);
	new_optional(o, t->fields, &col);
	fputc('\n', o);
	if (!body || strcmp(body, PROTO_F_DESCRIPTION) != 0) {
		fputs(_("# path: (optional) without it, maille names the act from the record it is\n"
		        "# about (PROTOCOL.md §5.1).\n"),
		      o);
		if (body)
			/* TRANSLATORS: %s is the field's name, text or message */
			fprintf(o, _("# %s: the Markdown after the \"---\" line that closes this header.\n"),
			        body);
		fputs("---\n", o);
		return;
	}
	fputs(_("# path: (optional) the record's path; without it, maille takes it from the title\n"
	        "# at the first publish and writes it here, so that the next ones edit the same\n"
	        "# record.\n"
	        "# Description (required): the full presentation, in Markdown, after the \"---\"\n"
	        "# line that closes this header.\n"),
	      o);
	fputs("---\n", o);
}

/* The example of t's type without its `path:` line: a person who starts from it publishes a
 * record of their own, at a path taken from their title. */
static void new_example(FILE *o, const cli_example *ex)
{
	unsigned fences = 0;
	for (const char *const *l = ex->lines; *l; l++) {
		if (strcmp(*l, "---\n") == 0)
			fences++;
		if (fences == 1 && strncmp(*l, "path:", 5) == 0)
			continue;
		fputs(*l, o);
	}
}

int cmd_new(int argc, char **argv)
{
	cli_opt opts[] = {{"out", true, NULL},
	                  {"force", false, NULL},
	                  {"example", false, NULL},
	                  {NULL, false, NULL}};
	cli_args a = {0};
	int r = cli_start("new", _(new_help), argc, argv, opts, 1, &a);
	if (r != CLI_GO)
		return r;
	char types[256];
	proto_record_type_list(types, sizeof types, true);
	/* the acts (PROTOCOL.md §5) are not published from the web's form, but from a file too */
	snprintf(types + strlen(types), sizeof types - strlen(types), ", %s, %s, %s",
	         PROTO_T_INTEREST, PROTO_T_AWARD, PROTO_T_COMMENT);
	if (a.n_pos != 1)
		return cli_usage_error("new", _("TYPE is required: %s"), types);
	const proto_record_type *t = proto_record_type_find(a.pos[0], strlen(a.pos[0]));
	if (t && strcmp(t->name, "territory") == 0)
		return cli_usage_error("new", _("the territory record is edited with 'maille "
		                                "territory set', not written from a file"));
	if (!t || (!t->publish && !proto_coop_is_act(t->name, strlen(t->name))))
		return cli_usage_error("new", _("unknown record type \"%s\": %s"), a.pos[0], types);
	const cli_example *ex = NULL;
	if (cli_opt_get(opts, "example")) {
		for (ex = cli_examples; ex->type && strcmp(ex->type, t->name) != 0; ex++)
			;
		if (!ex->type) {
			cli_error(_("no example of type %s"), t->name);
			return EXIT_FAIL;
		}
	}
	const char *out = cli_opt_get(opts, "out");
	bool force = cli_opt_get(opts, "force") != NULL;
	if (force && !out)
		return cli_usage_error("new", _("--force goes with --out FILE"));
	FILE *o = stdout;
	if (out) {
		int fd = open(out, O_WRONLY | O_CREAT | O_CLOEXEC | (force ? O_TRUNC : O_EXCL), 0644);
		if (fd < 0 && errno == EEXIST) {
			cli_error(_("%s: the file exists; --force replaces it"), out);
			return EXIT_FAIL;
		}
		if (fd < 0 || !(o = fdopen(fd, "w"))) {
			cli_error(_("%s: %s"), out, strerror(errno));
			if (fd >= 0)
				close(fd);
			return EXIT_FAIL;
		}
	}
	if (ex)
		new_example(o, ex);
	else
		new_template(o, t);
	bool ok = !ferror(o);
	if (o != stdout)
		ok = fclose(o) == 0 && ok;
	else
		ok = fflush(o) == 0 && ok;
	if (!ok) {
		cli_error(_("%s: cannot write: %s"), out ? out : _("standard output"),
		          strerror(errno));
		return EXIT_FAIL;
	}
	if (out) {
		char sout[NODE_TERM_CAP(256)];
		fprintf(stderr, ex ? _("%s: example written\n") : _("%s: template written\n"),
		        node_term_str(out, strlen(out), sout, sizeof sout));
	}
	return EXIT_OK;
}
