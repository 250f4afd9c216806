/* node/web/web_publish_errors.c: a refused publish form's errors (web_int.h): a summary at
 * the top listing every error, each linked to its field, and each faulty field marked
 * aria-invalid and described (aria-describedby) by its messages written beside it. A field's
 * key is its form name: "title", "period.start" (a member of an inline map), "risk2_name" (a
 * member of a group), the list's name for check boxes, a contact or the REX's entries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/limits.h"
#include "proto/record.h"
#include "proto/schema.h"
#include "web_int.h"

/* The form key at which the error of field path is shown, "" when the form does not show that
 * field: title.fr → title; period.start → period.start (a member of an inline map; the map
 * itself → its first member); risks[1].name → risk2_name (a group; a group past those shown
 * or the list itself → its first group's fieldset, risks-0); a list of check boxes, a
 * contact or the REX's entries → the list's name. */
static void error_key(const web_form_errors *fe, const char *path, char *ret, size_t cap)
{
	char top[PROTO_MAP_KEY_MAX + 1];
	size_t n = strcspn(path, ".[");
	ret[0] = '\0';
	if (n == 0 || n >= sizeof top)
		return;
	memcpy(top, path, n);
	top[n] = '\0';
	const proto_record_field *f = proto_record_type_field(fe->type, top);
	if (!f || f->widget == PROTO_W_NONE || !f->form)
		return;
	const char *rest = path + n;
	if (f->widget == PROTO_W_INLINE) {
		const proto_record_field *m = NULL;
		if (*rest == '.') {
			size_t mn = strcspn(rest + 1, ".[");
			for (const proto_record_field *x = f->obj->fields; x->name; x++)
				if (strlen(x->name) == mn && memcmp(x->name, rest + 1, mn) == 0)
					m = x;
		}
		if (m && (m->widget == PROTO_W_NONE || !m->form))
			m = NULL;
		/* else the member first on the form */
		if (!m)
			for (const proto_record_field *x = f->obj->fields; x->name; x++)
				if (x->widget != PROTO_W_NONE && x->form && (!m || x->form < m->form))
					m = x;
		if (m)
			snprintf(ret, cap, "%s.%s", top, m->name);
		return;
	}
	if (f->widget == PROTO_W_GROUPS) {
		unsigned long i = 0;
		char member[PROTO_MAP_KEY_MAX + 1] = "";
		const char *p = rest;
		if (*p == '[') {
			char *end;
			i = strtoul(p + 1, &end, 10);
			p = *end == ']' ? end + 1 : "";
		}
		if (*p == '.')
			snprintf(member, sizeof member, "%.*s", (int)strcspn(p + 1, ".["), p + 1);
		const proto_record_field *m = member[0] ? proto_record_field_find(f->obj->fields, member)
		                                        : NULL;
		if (i < PROTO_FORM_GROUPS && m && m->form)
			snprintf(ret, cap, "%s%lu_%s", f->form_name, i + 1, m->name);
		else
			snprintf(ret, cap, "%s-%lu", f->name, i < PROTO_FORM_GROUPS ? i : 0);
		return;
	}
	snprintf(ret, cap, "%s", top);
}

bool web_form_error_at(const web_form_errors *fe, const char *key)
{
	char k[160];
	for (size_t i = 0; fe->rep && i < fe->rep->n_errors; i++) {
		error_key(fe, fe->rep->errors[i].field, k, sizeof k);
		if (strcmp(k, key) == 0)
			return true;
	}
	return false;
}

void web_form_error_attrs(web_req *r, const web_form_errors *fe, const char *key)
{
	if (web_form_error_at(fe, key))
		wb_printf(&r->out, " aria-invalid=\"true\" aria-describedby=\"e-%s\"", key);
}

void web_form_error_text(web_req *r, const web_form_errors *fe, const char *key)
{
	web_buf *b = &r->out;
	char k[160];
	bool open = false;
	if (!web_form_error_at(fe, key))
		return;
	for (size_t i = 0; i < fe->rep->n_errors; i++) {
		const proto_schema_issue *is = &fe->rep->errors[i];
		error_key(fe, is->field, k, sizeof k);
		if (strcmp(k, key) != 0)
			continue;
		if (!open)
			wb_printf(b, "<br><span class=\"error\" id=\"e-%s\">", key);
		else
			wb_puts(b, " ; ");
		open = true;
		wb_htmls(b, proto_schema_text(is, r->en));
	}
	wb_puts(b, "</span>");
}

void web_form_error_summary(web_req *r, const web_form_errors *fe, const char *extra)
{
	web_buf *b = &r->out;
	size_t n = fe->rep ? fe->rep->n_errors_total : 0;
	wb_printf(b, "<div class=\"error\" role=\"alert\" id=\"errors\" tabindex=\"-1\"><p>%s",
	          L(r, "La fiche n'a pas été publiée", "The record was not published"));
	if (n)
		wb_printf(b, r->en ? " (%zu error%s):" : " (%zu erreur%s) :", n, n > 1 ? "s" : "");
	else
		wb_puts(b, L(r, " :", ":"));
	wb_puts(b, "</p><ul>");
	for (size_t i = 0; fe->rep && i < fe->rep->n_errors; i++) {
		const proto_schema_issue *is = &fe->rep->errors[i];
		char k[160], top[PROTO_MAP_KEY_MAX + 1];
		error_key(fe, is->field, k, sizeof k);
		snprintf(top, sizeof top, "%.*s", (int)strcspn(is->field, ".["), is->field);
		const proto_record_field *ef = proto_record_type_field(fe->type, top);
		const char *lab = ef ? (r->en ? ef->label.en : ef->label.fr) : NULL;
		wb_puts(b, "<li>");
		if (k[0]) {
			wb_printf(b, "<a href=\"#f-%s\">", k);
			wb_htmls(b, lab ? lab : is->field);
			wb_puts(b, "</a> ");
		} else if (lab) {
			wb_htmls(b, lab);
			wb_puts(b, " ");
		}
		if (is->field[0]) {
			wb_puts(b, "(<code>");
			wb_htmls(b, is->field);
			wb_puts(b, "</code>)");
		}
		wb_puts(b, L(r, " : ", ": "));
		wb_htmls(b, proto_schema_text(is, r->en));
		wb_puts(b, "</li>");
	}
	if (fe->rep && fe->rep->n_errors_total > fe->rep->n_errors)
		wb_printf(b, r->en ? "<li>%zu more not shown</li>" : "<li>%zu de plus, non affichées</li>",
		          fe->rep->n_errors_total - fe->rep->n_errors);
	if (extra) {
		wb_puts(b, "<li>");
		wb_htmls(b, extra);
		wb_puts(b, "</li>");
	}
	wb_puts(b, "</ul></div>");
}

