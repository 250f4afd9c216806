/* node/web/web_publish.c: the forms that write: publish a REX (about entries picked from the
 * catalogue) or a use case, component or methodology; edit and delete this territory's own
 * entries. The body is validated exactly as `maille publish` validates a file
 * (proto_schema_normalize then proto_schema_validate); an edit starts from the stored body,
 * so the fields the form does not show are kept. What is stored here (through this thread's
 * store handle) reaches the peers like any other entry: the daemon's tick notices the write
 * through data_version and pushes it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "node/service/extensions.h"
#include "node/service/log.h"
#include "node/service/own_territory.h"
#include "node/service/publish.h"
#include "proto/coop.h"
#include "proto/error.h"
#include "proto/record.h"
#include "proto/schema.h"
#include "web_int.h"

/* What the forms show, and how, is the record tables' (proto/record.h: widget, form rank). */

#define ABOUT_MAX 64u

/* The record type's table, when the web publishes that type. */
static const proto_record_type *publish_type(const char *type)
{
	const proto_record_type *t = type ? proto_record_type_find(type, strlen(type)) : NULL;
	return t && t->publish ? t : NULL;
}

bool web_publishable(const char *type)
{
	return publish_type(type) != NULL;
}

void web_unknown_type(web_req *r, bool publishable_only)
{
	char list[256], fr[300], en[300];
	proto_record_type_list(list, sizeof list, publishable_only);
	snprintf(fr, sizeof fr, "Type inconnu (%s).", list);
	snprintf(en, sizeof en, "Unknown type (%s).", list);
	web_error(r, 400, fr, en);
}

static unsigned form_max(const proto_record_field *table)
{
	unsigned m = 0;
	for (const proto_record_field *f = table; f && f->name; f++)
		if (f->form > m)
			m = f->form;
	return m;
}

/* Calls fn on the fields of table that are on the form, in their form order. */
#define FOR_FORM_FIELDS(table, f)                                                                  \
	for (unsigned rank_##f = 1, max_##f = form_max(table); rank_##f <= max_##f; rank_##f++)   \
		for (const proto_record_field *f = (table); f && f->name; f++)                     \
			if (f->form == rank_##f)

/* The one place where the forms' territory is chosen: the node's own for a territory's node,
 * the capability's for a member's node (looked up on each request: a capability arrives, or
 * ends, while the daemon runs). */
bool web_publish_territory(const web_req *r, uint8_t ret_territory[PROTO_KEY_LEN],
                           const uint8_t **ret_sk, char ret_capref[WEB_CAPREF_CAP])
{
	const web_server *w = r->w;
	*ret_sk = w->cfg.sk;
	ret_capref[0] = '\0';
	memcpy(ret_territory, w->own, PROTO_KEY_LEN);
	if (!w->cfg.member)
		return true;
	proto_member_cap cap;
	if (trust_member_cap(r->wk->st, w->own, web_now_us(w), &cap) != 0)
		return false;
	memcpy(ret_territory, cap.territory, PROTO_KEY_LEN);
	memcpy(ret_capref, PROTO_MEMBERS_PREFIX, sizeof PROTO_MEMBERS_PREFIX - 1);
	proto_hex(w->own, PROTO_KEY_LEN, ret_capref + sizeof PROTO_MEMBERS_PREFIX - 1);
	return true;
}

static void no_capability(web_req *r)
{
	web_error(r, 403,
	          "Ce poste de membre n'a pas encore d'autorisation en vigueur : le nœud de votre "
	          "territoire doit lancer « maille member add » avec sa clé.",
	          "This member's node has no capability in force yet: your territory's node must "
	          "run 'maille member add' with its key.");
}

/* ---- where a form's values come from: the request's form, or the stored body (edit) ------ */

typedef struct fctx {
	web_req *r;
	const web_form *form;    /* a POST */
	const proto_value *body; /* the stored body being edited (GET), else NULL */
	proto_arena *a;
	const proto_record_type *type; /* the record type of the form */
	web_form_errors errs; /* the refused body's errors (errs.rep NULL: none) */
	char tmp[8192];
} fctx;

/* The value at key ("a.b" too) of a body. */
static const proto_value *body_get(const proto_value *body, const char *key)
{
	const char *dot = strchr(key, '.');
	if (!dot)
		return proto_map_get(body, key);
	char first[64];
	snprintf(first, sizeof first, "%.*s", (int)(dot - key), key);
	return proto_map_get(proto_map_get(body, first), dot + 1);
}

/* A single value of the form: the POSTed one, else the stored one as text (a list one item a
 * line, or comma-separated), else "". */
static const char *fv(fctx *c, const char *key, bool comma)
{
	if (c->form) {
		const char *v = web_form_get(c->form, key);
		return v ? v : "";
	}
	const proto_value *v = c->body ? body_get(c->body, key) : NULL;
	if (!v)
		return "";
	if (v->type == PROTO_V_ARRAY) {
		size_t o = 0;
		c->tmp[0] = '\0';
		for (size_t i = 0; i < v->u.arr.n; i++) {
			const proto_value *it = &v->u.arr.items[i];
			if (it->type != PROTO_V_STR)
				continue;
			int n = snprintf(c->tmp + o, sizeof c->tmp - o, "%s%s",
			                 o ? (comma ? ", " : "\n") : "", it->u.str.ptr);
			if (n < 0 || (size_t)n >= sizeof c->tmp - o)
				break;
			o += (size_t)n;
		}
		return c->tmp;
	}
	if (v->type == PROTO_V_BOOL)
		return v->u.b ? "1" : "";
	const char *t = proto_langmap_pick(v, "fr");
	return t ? t : "";
}

/* Whether value is among the checked ones of key. */
static bool checked(fctx *c, const char *key, const char *value)
{
	if (c->form) {
		size_t i = 0;
		const char *v;
		while ((v = web_form_next(c->form, key, &i)))
			if (strcmp(v, value) == 0)
				return true;
		return false;
	}
	const proto_value *arr = c->body ? body_get(c->body, key) : NULL;
	for (size_t i = 0; arr && arr->type == PROTO_V_ARRAY && i < arr->u.arr.n; i++)
		if (arr->u.arr.items[i].type == PROTO_V_STR &&
		    strcmp(arr->u.arr.items[i].u.str.ptr, value) == 0)
			return true;
	return false;
}

/* The refused body's errors beside their fields: web_publish_errors.c. */
static bool key_has_error(const fctx *c, const char *key)
{
	return web_form_error_at(&c->errs, key);
}

static void invalid_attrs(fctx *c, const char *key)
{
	web_form_error_attrs(c->r, &c->errs, key);
}

static void error_text(fctx *c, const char *key)
{
	web_form_error_text(c->r, &c->errs, key);
}

/* ---- rendering the form -----------------------------------------------------------------------
 */

static const char *flabel(const web_req *r, const proto_record_field *f)
{
	return r->en ? f->label.en : f->label.fr;
}

static void label(fctx *c, const proto_record_field *f, bool required)
{
	web_buf *b = &c->r->out;
	wb_htmls(b, flabel(c->r, f));
	if (required)
		wb_printf(b, " <span aria-hidden=\"true\">*</span><span class=\"skip\">%s</span>",
		          L(c->r, "(obligatoire)", "(required)"));
}

static void options_html(fctx *c, const proto_record_field *f, const char *v, bool blank)
{
	web_buf *b = &c->r->out;
	web_req *r = c->r;
	if (blank)
		wb_printf(b, "<option value=\"\"%s>%s</option>", *v ? "" : " selected",
		          L(r, "(non précisé)", "(not given)"));
	for (const proto_vocab_term *t = f->vocab->terms; t->value; t++) {
		wb_printf(b, "<option value=\"%s\"%s>", t->value,
		          strcmp(v, t->value) == 0 ? " selected" : "");
		wb_htmls(b, r->en ? t->label.en : t->label.fr);
		wb_puts(b, "</option>");
	}
}

static void checks_html(fctx *c, const proto_record_field *f, const char *key, bool required)
{
	web_buf *b = &c->r->out;
	wb_printf(b, "<fieldset id=\"f-%s\"", key);
	if (key_has_error(c, key))
		wb_printf(b, " aria-describedby=\"e-%s\"", key);
	wb_puts(b, "><legend>");
	label(c, f, required);
	wb_puts(b, "</legend>");
	error_text(c, key);
	size_t i = 0;
	for (const proto_vocab_term *t = f->vocab->terms; t->value; t++, i++) {
		wb_printf(b,
		          "<input type=\"checkbox\" id=\"f-%s-%zu\" name=\"%s\" value=\"%s\"%s> "
		          "<label for=\"f-%s-%zu\">",
		          key, i, key, t->value, checked(c, key, t->value) ? " checked" : "", key, i);
		wb_htmls(b, c->r->en ? t->label.en : t->label.fr);
		wb_puts(b, "</label><br>");
	}
	wb_puts(b, "</fieldset>");
}

static void about_html(fctx *c);
static void groups_html(fctx *c, const proto_record_field *f);
static void contact_html(fctx *c, const proto_record_field *f);

/* A field of the form named key ("period.start" for a member of an inline map). */
static void field_html(fctx *c, const proto_record_field *f, const char *key, bool required)
{
	web_buf *b = &c->r->out;
	web_req *r = c->r;
	const char *req = required ? " required" : "";
	switch (f->widget) {
	case PROTO_W_NONE:
		return;
	case PROTO_W_CHECKS:
		checks_html(c, f, key, required);
		return;
	case PROTO_W_INLINE:
		FOR_FORM_FIELDS(f->obj->fields, m)
		{
			char sub[128];
			snprintf(sub, sizeof sub, "%s.%s", key, m->name);
			field_html(c, m, sub, required && m->pres == PROTO_REQUIRED);
		}
		return;
	case PROTO_W_GROUPS:
		groups_html(c, f);
		return;
	case PROTO_W_CONTACT:
		contact_html(c, f);
		return;
	case PROTO_W_REFS:
		about_html(c);
		return;
	default:
		break;
	}
	wb_printf(b, "<p><label for=\"f-%s\">", key);
	label(c, f, required);
	wb_puts(b, "</label>");
	error_text(c, key);
	wb_puts(b, "<br>");
	const char *v = fv(c, key, f->widget == PROTO_W_COMMA);
	if (!c->form && !c->body && f->dflt)
		v = f->dflt; /* a new record starts from the default the schema would fill */
	bool langmap = f->kind == PROTO_FK_LANGMAP;
	switch (f->widget) {
	case PROTO_W_AREA:
	case PROTO_W_LINES:
		wb_printf(b, "<textarea id=\"f-%s\" name=\"%s\" rows=\"%d\"%s", key, key,
		          langmap ? 10 : 4, req);
		invalid_attrs(c, key);
		wb_puts(b, ">");
		wb_htmls(b, v);
		wb_puts(b, "</textarea>");
		if (f->widget == PROTO_W_LINES)
			wb_printf(b, "<br><span class=\"hint\">%s</span>",
			          L(r, "Une valeur par ligne.", "One value per line."));
		else if (langmap)
			wb_printf(b, "<br><span class=\"hint\">%s</span>",
			          L(r, "Markdown ; le HTML n'est pas interprété.",
			            "Markdown; HTML is not interpreted."));
		break;
	case PROTO_W_SELECT:
		wb_printf(b, "<select id=\"f-%s\" name=\"%s\"%s", key, key, req);
		invalid_attrs(c, key);
		wb_puts(b, ">");
		options_html(c, f, v, f->pres != PROTO_REQUIRED);
		wb_puts(b, "</select>");
		break;
	case PROTO_W_BOOL:
		wb_printf(b, "<input type=\"checkbox\" id=\"f-%s\" name=\"%s\" value=\"1\"%s", key,
		          key, *v ? " checked" : "");
		invalid_attrs(c, key);
		wb_puts(b, ">");
		break;
	case PROTO_W_DATE:
		wb_printf(b, "<input type=\"date\" id=\"f-%s\" name=\"%s\" value=\"", key, key);
		wb_htmls(b, v);
		wb_printf(b, "\"%s", req);
		invalid_attrs(c, key);
		wb_puts(b, ">");
		break;
	default:
		wb_printf(b, "<input type=\"text\" id=\"f-%s\" name=\"%s\" value=\"", key, key);
		wb_htmls(b, v);
		wb_puts(b, "\"");
		wb_puts(b, req);
		invalid_attrs(c, key);
		if (f->max_chars)
			wb_printf(b, " maxlength=\"%u\"", f->max_chars);
		wb_puts(b, ">");
		if (f->widget == PROTO_W_COMMA)
			wb_printf(b, "<br><span class=\"hint\">%s</span>",
			          L(r, "Séparés par des virgules.", "Comma-separated."));
		if (f->kind == PROTO_FK_LICENCE) /* a licence is written by its identifier */
			wb_printf(b, "<br><span class=\"hint\">%s</span>",
			          L(r,
			            "Identifiant SPDX de la licence : etalab-2.0 est la Licence Ouverte / "
			            "Open Licence 2.0, CC-BY-4.0 la Creative Commons Attribution 4.0.",
			            "The licence's SPDX identifier: etalab-2.0 is the Licence Ouverte / "
			            "Open Licence 2.0, CC-BY-4.0 the Creative Commons Attribution 4.0."));
	}
	wb_puts(b, "</p>");
}

/* The fields of a table on the form, in their order; a field is marked required when the
 * schema always requires it (a check box never is: unticked is an answer). */
static void fields_html(fctx *c, const proto_record_field *table)
{
	FOR_FORM_FIELDS(table, f)
	field_html(c, f, f->name, f->pres == PROTO_REQUIRED && f->widget != PROTO_W_BOOL);
}

/* The first contact (functional addresses welcome): its e-mail and public flag, the members
 * of the contact's table of those kinds. */
static const proto_record_field *member_of_kind(const proto_record_field *f, proto_field_kind k)
{
	for (const proto_record_field *m = f->obj->fields; m->name; m++)
		if (m->kind == k)
			return m;
	return NULL;
}

static void input_line(fctx *c, const char *name, const char *lab, const char *value)
{
	web_buf *b = &c->r->out;
	wb_printf(b, "<p><label for=\"f-%s\">", name);
	wb_htmls(b, lab);
	wb_puts(b, "</label>");
	error_text(c, name);
	wb_printf(b, "<br><input type=\"text\" id=\"f-%s\" name=\"%s\" value=\"", name, name);
	wb_htmls(b, value);
	wb_puts(b, "\"");
	invalid_attrs(c, name);
	wb_puts(b, "></p>");
}

/* The i-th item's field of a list of maps in the stored body, as text. */
static const char *set_prefill(fctx *c, const char *list, size_t i, const char *field)
{
	const proto_value *arr = c->body ? proto_map_get(c->body, list) : NULL;
	if (!arr || arr->type != PROTO_V_ARRAY || i >= arr->u.arr.n)
		return "";
	const char *t = proto_langmap_pick(proto_map_get(&arr->u.arr.items[i], field), "fr");
	return t ? t : "";
}

static void contact_html(fctx *c, const proto_record_field *f)
{
	web_buf *b = &c->r->out;
	web_req *r = c->r;
	const proto_record_field *em = member_of_kind(f, PROTO_FK_EMAIL);
	const char *email = c->form ? web_form_get(c->form, "contact_email")
	                            : set_prefill(c, f->name, 0, em->name);
	wb_printf(b, "<p><label for=\"f-%s\">%s</label>", f->name,
	          L(r, "Courriel de contact", "Contact e-mail"));
	error_text(c, f->name);
	wb_printf(b, "<br><input type=\"email\" id=\"f-%s\"", f->name);
	invalid_attrs(c, f->name);
	wb_puts(b, " name=\"contact_email\" value=\"");
	wb_htmls(b, email ? email : "");
	bool pub = c->form ? web_form_get(c->form, "contact_public") != NULL : true;
	wb_printf(b,
	          "\"> <input type=\"checkbox\" id=\"f-contact_public\" name=\"contact_public\" "
	          "value=\"1\"%s> <label for=\"f-contact_public\">%s</label></p>",
	          pub ? " checked" : "",
	          L(r, "adresse affichée à tous", "address shown to anyone"));
}

static const char *set_value(fctx *c, const proto_record_field *f, size_t i, const char *field)
{
	char name[64];
	snprintf(name, sizeof name, "%s%zu_%s", f->form_name, i + 1, field);
	if (c->form) {
		const char *v = web_form_get(c->form, name);
		return v ? v : "";
	}
	return set_prefill(c, f->name, i, field);
}

/* PROTO_FORM_GROUPS numbered groups of the members of a list of maps (risks, data sources). */
static void groups_html(fctx *c, const proto_record_field *f)
{
	web_req *r = c->r;
	web_buf *b = &r->out;
	for (size_t i = 0; i < PROTO_FORM_GROUPS; i++) {
		char gk[80];
		snprintf(gk, sizeof gk, "%s-%zu", f->name, i);
		wb_printf(b, "<fieldset id=\"f-%s\"", gk);
		if (key_has_error(c, gk))
			wb_printf(b, " aria-describedby=\"e-%s\"", gk);
		wb_printf(b, "><legend>%s %zu%s</legend>", r->en ? f->item.en : f->item.fr, i + 1,
		          i == 0 && f->pres == PROTO_REQUIRED ? " *" : "");
		error_text(c, gk);
		FOR_FORM_FIELDS(f->obj->fields, m)
		{
			char n[64];
			snprintf(n, sizeof n, "%s%zu_%s", f->form_name, i + 1, m->name);
			const char *v = set_value(c, f, i, m->name);
			if (m->widget != PROTO_W_SELECT) {
				input_line(c, n, flabel(r, m), v);
				continue;
			}
			wb_printf(b, "<p><label for=\"f-%s\">", n);
			wb_htmls(b, flabel(r, m));
			wb_puts(b, "</label>");
			error_text(c, n);
			wb_printf(b, "<br><select id=\"f-%s\" name=\"%s\"", n, n);
			invalid_attrs(c, n);
			wb_puts(b, ">");
			options_html(c, m, v, false);
			wb_puts(b, "</select></p>");
		}
		wb_puts(b, "</fieldset>");
	}
}

/* ---- REX: the entries it is about, picked from the catalogue -----------------------------------
 */

/* A REX is about the records of the other types the web publishes. */
/* The field of t whose widget is w (the REX's `about` for PROTO_W_REFS), or NULL. */
static const proto_record_field *widget_field(const proto_record_type *t, proto_widget w)
{
	for (const proto_record_field *f = t ? t->fields : NULL; f && f->name; f++)
		if (f->widget == w)
			return f;
	return NULL;
}

static const char *refs_name(const fctx *c)
{
	const proto_record_field *f = widget_field(c->type, PROTO_W_REFS);
	return f ? f->name : "";
}

static bool about_target(const proto_record_type *self, const char *type)
{
	const proto_record_type *t = publish_type(type);
	return t && t != self;
}

typedef struct about_ctx {
	fctx *c;
	char seen[ABOUT_MAX][PROTO_PATH_MAX + 1];
	size_t n;
	size_t stop; /* about_row stops the walk at this many boxes */
} about_ctx;

static bool about_seen(about_ctx *ac, const char *path)
{
	for (size_t i = 0; i < ac->n; i++)
		if (strcmp(ac->seen[i], path) == 0)
			return true;
	return false;
}

static void about_box(about_ctx *ac, const char *path, const char *title, const char *type, bool on)
{
	if (ac->n == ABOUT_MAX || about_seen(ac, path))
		return;
	web_req *r = ac->c->r;
	web_buf *b = &r->out;
	snprintf(ac->seen[ac->n], sizeof ac->seen[0], "%s", path);
	wb_printf(b, "<input type=\"checkbox\" id=\"f-%s-%zu\" name=\"%s\" value=\"", refs_name(ac->c),
	          ac->n, refs_name(ac->c));
	wb_htmls(b, path);
	wb_printf(b, "\"%s> <label for=\"f-%s-%zu\">", on ? " checked" : "", refs_name(ac->c), ac->n);
	wb_htmls(b, title ? title : path);
	if (type) {
		const char *tl = web_label(r, type);
		wb_puts(b, " <span class=\"hint\">(");
		wb_htmls(b, tl ? tl : type);
		wb_puts(b, ")</span>");
	}
	wb_puts(b, "</label><br>");
	ac->n++;
}

static int about_row(const store_row *row, void *ctx)
{
	about_ctx *ac = ctx;
	proto_arena a;
	proto_arena_init(&a, 0);
	proto_value *body = web_row_body(row, &a);
	const proto_value *t = proto_map_get(body, PROTO_F_TYPE);
	const char *type = t && t->type == PROTO_V_STR ? t->u.str.ptr : "";
	if (body && about_target(ac->c->type, type)) {
		char path[PROTO_PATH_MAX + 1];
		snprintf(path, sizeof path, "%.*s", (int)row->entry.path_len, row->entry.path);
		about_box(ac, path, web_body_title(ac->c->r, body), type,
		          checked(ac->c, refs_name(ac->c), path));
	}
	proto_arena_done(&a);
	return ac->n >= ac->stop;
}

static void about_html(fctx *c)
{
	web_req *r = c->r;
	web_buf *b = &r->out;
	about_ctx *ac = calloc(1, sizeof *ac);
	if (!ac) {
		b->failed = true;
		return;
	}
	ac->c = c;
	wb_printf(b, "<fieldset id=\"f-%s\"", refs_name(c));
	if (key_has_error(c, refs_name(c)))
		wb_printf(b, " aria-describedby=\"e-%s\"", refs_name(c));
	wb_printf(b, "><legend>%s <span aria-hidden=\"true\">*</span></legend>",
	          L(r, "Cas d'usage, composants ou méthodologies concernés",
	            "Use cases, components or methodologies it is about"));
	error_text(c, refs_name(c));
	wb_printf(b, "<p class=\"hint\">%s</p>",
	          L(r, "Cochez dans le catalogue, ou cherchez-en d'autres.",
	            "Tick them in the catalogue, or search for others."));
	/* what is already checked stays first, whatever the search shows */
	if (c->form) {
		size_t i = 0;
		const char *v;
		while ((v = web_form_next(c->form, refs_name(c), &i)) && ac->n < ABOUT_MAX) {
			store_row row;
			const char *title = NULL;
			proto_arena a;
			proto_arena_init(&a, 0);
			web_form saved = r->q;
			memset(&r->q, 0, sizeof r->q); /* no territory= for web_find_entry */
			bool found =
			    proto_path_valid(v, strlen(v)) && web_find_entry(r, v, &row) == 0;
			r->q = saved;
			if (found) {
				proto_value *body = web_row_body(&row, &a);
				if (body)
					title = web_body_title(r, body);
			}
			about_box(ac, v, title, NULL, true);
			if (found)
				store_row_done(&row);
			proto_arena_done(&a);
		}
	} else if (c->body) {
		const proto_value *arr = proto_map_get(c->body, refs_name(c));
		for (size_t i = 0; arr && arr->type == PROTO_V_ARRAY && i < arr->u.arr.n; i++)
			if (arr->u.arr.items[i].type == PROTO_V_STR &&
			    proto_path_valid(arr->u.arr.items[i].u.str.ptr,
			                     arr->u.arr.items[i].u.str.len))
				about_box(ac, arr->u.arr.items[i].u.str.ptr, NULL, NULL, true);
	}
	const char *q = c->form ? web_form_get(c->form, "about_q") : NULL;
	store_filter f;
	memset(&f, 0, sizeof f);
	f.trusted_only = true;
	web_trust(r);
	if (q && *q) {
		ac->stop = ABOUT_MAX;
		store_search(r->wk->st, q, &f, 40, about_row, ac);
	} else {
		/* the newest few of each type, in the publish page's order */
		for (unsigned rank = 1; rank <= proto_record_n_types; rank++)
			for (size_t t = 0; t < proto_record_n_types; t++) {
				const proto_record_type *rt = &proto_record_types[t];
				if (rt->publish != rank || !about_target(c->type, rt->name))
					continue;
				f.type = rt->name;
				ac->stop = ac->n + 8 < ABOUT_MAX ? ac->n + 8 : ABOUT_MAX;
				store_list(r->wk->st, &f, about_row, ac);
			}
	}
	wb_printf(
	    b,
	    "<p><label for=\"f-about_q\">%s</label><br><input type=\"search\" id=\"f-about_q\" "
	    "name=\"about_q\" value=\"",
	    L(r, "Chercher dans le catalogue", "Search the catalogue"));
	wb_htmls(b, q ? q : "");
	wb_printf(b,
	          "\"> <button type=\"submit\" name=\"action\" value=\"find\" formnovalidate>%s"
	          "</button></p>",
	          L(r, "Chercher", "Search"));
	wb_printf(b,
	          "<p><label for=\"f-about_other\">%s</label><br><textarea id=\"f-about_other\" "
	          "name=\"about_other\" rows=\"2\">",
	          L(r, "Autres (hors catalogue : un nom ou une adresse par ligne)",
	            "Others (not in the catalogue: one name or address per line)"));
	if (c->form) {
		wb_htmls(b, web_form_get(c->form, "about_other"));
	} else if (c->body) {
		const proto_value *arr = proto_map_get(c->body, refs_name(c));
		for (size_t i = 0; arr && arr->type == PROTO_V_ARRAY && i < arr->u.arr.n; i++)
			if (arr->u.arr.items[i].type == PROTO_V_STR &&
			    !proto_path_valid(arr->u.arr.items[i].u.str.ptr,
			                      arr->u.arr.items[i].u.str.len)) {
				wb_htmls(b, arr->u.arr.items[i].u.str.ptr);
				wb_puts(b, "\n");
			}
	}
	wb_puts(b, "</textarea></p></fieldset>");
	free(ac);
}

/* ---- the page
 * ------------------------------------------------------------------------------------ */

/* rep: the refused body's errors (NULL: none); extra: a refusal that is not the schema's. */
static void form_html(fctx *c, const char *type, const char *edit, const proto_schema_report *rep,
                      const char *extra)
{
	web_req *r = c->r;
	web_buf *b = &r->out;
	c->type = publish_type(type);
	c->errs.type = c->type;
	c->errs.rep = rep && rep->n_errors ? rep : NULL;
	const char *tl = web_label(r, type);
	wb_printf(b, "<h1>%s : ", edit ? L(r, "Modifier", "Edit") : L(r, "Publier", "Publish"));
	wb_htmls(b, tl ? tl : type);
	wb_puts(b, "</h1>");
	if (c->errs.rep || extra)
		web_form_error_summary(r, &c->errs, extra);
	char tok[65];
	web_csrf_token(r, tok);
	wb_printf(b,
	          "<p class=\"hint\">%s</p><form method=\"post\" action=\"/publish\">"
	          "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
	          "<input type=\"hidden\" name=\"type\" value=\"%s\">",
	          L(r, "Les champs marqués * sont obligatoires.", "Fields marked * are required."),
	          tok, type);
	if (edit) {
		wb_puts(b, "<input type=\"hidden\" name=\"edit\" value=\"");
		wb_htmls(b, edit);
		wb_puts(b, "\">");
	}
	fields_html(c, proto_record_type_common(c->type));
	fields_html(c, c->type->fields);
	wb_printf(b,
	          "<p><button type=\"submit\" name=\"action\" value=\"publish\">%s</button></p>"
	          "</form>",
	          edit ? L(r, "Enregistrer la nouvelle version", "Save the new version")
	               : L(r, "Publier et signer", "Publish and sign"));
}

/* The own live document at path (an edit); false with the error written. */
static bool own_row(web_req *r, const char *path, store_row *ret)
{
	uint8_t terr[PROTO_KEY_LEN];
	const uint8_t *sk;
	char capref[WEB_CAPREF_CAP];
	if (!web_publish_territory(r, terr, &sk, capref)) {
		no_capability(r);
		return false;
	}
	if (!proto_path_valid(path, strlen(path))) {
		web_error(r, 400, "Chemin de fiche mal formé.", "Malformed record path.");
		return false;
	}
	int e = store_entry_get(r->wk->st, terr, path, ret);
	if (e == 0 && !web_row_verified(ret)) {
		/* an edit keeps the fields the form does not show: altered ones would be signed */
		web_signature_error(r, ret);
		store_row_done(ret);
		return false;
	}
	if (e == 0 && ret->entry.kind == PROTO_KIND_DOCUMENT)
		return true;
	if (e == 0)
		store_row_done(ret);
	web_error(r, 404, "Aucune fiche de votre territoire à ce chemin.",
	          "No record of your territory at this path.");
	return false;
}

/* The own record at path that a form of this page edits or deletes: its row, its body (in a,
 * which the caller has initialised and releases) and its type (ret_body and ret_type may be
 * NULL). false with the page written (own_row's error, or fr/en for a type this page does not
 * publish); on true the caller releases the row. */
static bool own_publishable(web_req *r, const char *path, store_row *row, proto_arena *a,
                            proto_value **ret_body, const char **ret_type, const char *fr,
                            const char *en)
{
	if (!own_row(r, path, row))
		return false;
	proto_value *body = web_row_body(row, a);
	const char *t = web_body_str(body, PROTO_F_TYPE);
	if (!body || !web_publishable(t)) {
		store_row_done(row);
		web_error(r, 400, fr, en);
		return false;
	}
	if (ret_body)
		*ret_body = body;
	if (ret_type)
		*ret_type = t;
	return true;
}

void web_page_publish(web_req *r)
{
	const char *type = web_form_get(&r->q, "type");
	const char *edit = web_form_get(&r->q, "edit");
	web_trust(r);
	fctx c;
	memset(&c, 0, sizeof c);
	c.r = r;
	if (edit) {
		store_row row;
		proto_arena a;
		proto_arena_init(&a, 0);
		proto_value *body;
		const char *t;
		if (!own_publishable(r, edit, &row, &a, &body, &t,
		                     "Cette fiche ne se modifie pas ici.",
		                     "This record is not edited here.")) {
			proto_arena_done(&a);
			return;
		}
		c.body = body;
		r->no_store = true;
		web_page_begin(r, L(r, "Modifier", "Edit"), "publish");
		form_html(&c, t, edit, NULL, NULL);
		web_page_end(r);
		proto_arena_done(&a);
		store_row_done(&row);
		return;
	}
	if (type && !web_publishable(type)) {
		web_unknown_type(r, true);
		return;
	}
	r->no_store = true;
	web_page_begin(r, L(r, "Publier", "Publish"), "publish");
	if (!type) {
		web_buf *b = &r->out;
		wb_printf(
		    b, "<h1>%s</h1><p>%s</p><ul>", L(r, "Publier une fiche", "Publish a record"),
		    L(r,
		      "La fiche est signée par la clé de ce nœud et atteint tous les nœuds de la "
		      "fédération.",
		      "The record is signed by this node's key and reaches every node of the "
		      "federation."));
		static const char *const types[] = { "rex", "use_case", "component",
			                             "methodology" };
		for (size_t i = 0; i < 4; i++)
			wb_printf(b, "<li><a href=\"/publish?type=%s\">%s</a></li>", types[i],
			          web_label(r, types[i]));
		wb_puts(b, "</ul>");
	} else {
		form_html(&c, type, NULL, NULL, NULL);
	}
	web_page_end(r);
}

/* ---- building the body from the form
 * ---------------------------------------------------------------- */

static proto_value *str_val(proto_arena *a, const char *s)
{
	return proto_value_new_str(a, s, strlen(s));
}

/* The map a field lives in ("period.start": the map period, created if needed) and the key
 * within it. */
static proto_value *field_map(proto_arena *a, proto_value *body, const char *key,
                              const char **ret_key)
{
	const char *dot = strchr(key, '.');
	if (!dot) {
		*ret_key = key;
		return body;
	}
	char first[64];
	snprintf(first, sizeof first, "%.*s", (int)(dot - key), key);
	proto_value *m = (proto_value *)proto_map_get(body, first);
	if (!m || m->type != PROTO_V_MAP) {
		m = proto_value_map_put(a, body, first, strlen(first));
		if (!m)
			return NULL;
		m->type = PROTO_V_MAP;
	}
	*ret_key = dot + 1;
	return m;
}

/* Splits s on sep (and trims), appending the non-empty parts to the array arr. */
static int split_into(proto_arena *a, proto_value *arr, const char *s, char sep)
{
	while (*s) {
		const char *e = strchr(s, sep);
		size_t n = e ? (size_t)(e - s) : strlen(s);
		size_t b = 0, t = n;
		while (b < t && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r'))
			b++;
		while (t > b && (s[t - 1] == ' ' || s[t - 1] == '\t' || s[t - 1] == '\r'))
			t--;
		if (t > b) {
			proto_value *slot = proto_value_array_push(a, arr);
			proto_value *v = proto_value_new_str(a, s + b, t - b);
			if (!slot || !v)
				return MAILLE_ENOMEM;
			*slot = *v;
		}
		s += n + (e ? 1 : 0);
	}
	return 0;
}

/* The form's value of key into the body: a field of the record or, "a.b", of its map a. */
static int set_field(proto_arena *a, proto_value *body, const proto_record_field *f,
                     const char *key, const web_form *form)
{
	const char *k;
	proto_value *m = field_map(a, body, key, &k);
	if (!m)
		return MAILLE_ENOMEM;
	const char *v = web_form_get(form, key);
	if (f->widget == PROTO_W_CHECKS) {
		proto_value *arr = proto_value_new(a, PROTO_V_ARRAY);
		size_t i = 0;
		const char *x;
		while ((x = web_form_next(form, key, &i))) {
			proto_value *slot = proto_value_array_push(a, arr);
			if (!slot)
				return MAILLE_ENOMEM;
			*slot = *str_val(a, x);
		}
		if (arr->u.arr.n == 0) {
			proto_value_map_del(m, k);
			return 0;
		}
		*proto_value_map_put(a, m, k, strlen(k)) = *arr;
		return 0;
	}
	if (f->widget == PROTO_W_BOOL) {
		proto_value *slot = proto_value_map_put(a, m, k, strlen(k));
		if (!slot)
			return MAILLE_ENOMEM;
		slot->type = PROTO_V_BOOL;
		slot->u.b = v && *v;
		return 0;
	}
	if (!v || !*v) {
		/* an emptied field is removed (a required one is then reported by validation), and
		 * so is a map left empty ("not given" of an optional select is empty too) */
		proto_value_map_del(m, k);
		if (m != body && m->u.map.n == 0) {
			char first[64];
			snprintf(first, sizeof first, "%.*s", (int)(strchr(key, '.') - key), key);
			proto_value_map_del(body, first);
		}
		return 0;
	}
	if (f->widget == PROTO_W_LINES || f->widget == PROTO_W_COMMA) {
		proto_value *arr = proto_value_new(a, PROTO_V_ARRAY);
		int e = split_into(a, arr, v, f->widget == PROTO_W_COMMA ? ',' : '\n');
		if (e)
			return e;
		*proto_value_map_put(a, m, k, strlen(k)) = *arr;
		return 0;
	}
	proto_value *cur = (proto_value *)proto_map_get(m, k);
	if (f->kind == PROTO_FK_LANGMAP && cur && cur->type == PROTO_V_MAP) {
		/* an edit changes the French text and keeps the other languages */
		proto_value *slot = proto_value_map_put(a, cur, "fr", 2);
		if (!slot)
			return MAILLE_ENOMEM;
		*slot = *str_val(a, v);
		return 0;
	}
	proto_value *slot = proto_value_map_put(a, m, k, strlen(k));
	if (!slot)
		return MAILLE_ENOMEM;
	*slot = *str_val(a, v);
	return 0;
}

/* A list of maps from its PROTO_FORM_GROUPS groups of fields; items beyond those of the stored
 * body are kept. A select alone (it always has a value) does not make an item, and an item
 * without one gets the vocabulary's first value. */
static int set_groups(proto_arena *a, proto_value *body, const proto_record_field *f,
                      const web_form *form)
{
	proto_value *arr = proto_value_new(a, PROTO_V_ARRAY);
	for (size_t i = 0; i < PROTO_FORM_GROUPS; i++) {
		proto_value *item = NULL;
		FOR_FORM_FIELDS(f->obj->fields, m)
		{
			char name[64];
			snprintf(name, sizeof name, "%s%zu_%s", f->form_name, i + 1, m->name);
			const char *v = web_form_get(form, name);
			if (!v || !*v || (m->widget == PROTO_W_SELECT && !item))
				continue;
			if (!item) {
				item = proto_value_array_push(a, arr);
				if (!item)
					return MAILLE_ENOMEM;
				item->type = PROTO_V_MAP;
			}
			*proto_value_map_put(a, item, m->name, strlen(m->name)) = *str_val(a, v);
		}
		FOR_FORM_FIELDS(f->obj->fields, m)
		{
			if (!item || m->widget != PROTO_W_SELECT || proto_map_get(item, m->name))
				continue;
			char name[64];
			snprintf(name, sizeof name, "%s%zu_%s", f->form_name, i + 1, m->name);
			const char *v = web_form_get(form, name);
			*proto_value_map_put(a, item, m->name, strlen(m->name)) =
			    *str_val(a, v ? v : m->vocab->terms[0].value);
		}
	}
	const proto_value *old = proto_map_get(body, f->name);
	for (size_t i = PROTO_FORM_GROUPS; old && old->type == PROTO_V_ARRAY && i < old->u.arr.n;
	     i++) {
		proto_value *slot = proto_value_array_push(a, arr);
		if (!slot)
			return MAILLE_ENOMEM;
		*slot = old->u.arr.items[i];
	}
	if (arr->u.arr.n == 0)
		proto_value_map_del(body, f->name);
	else
		*proto_value_map_put(a, body, f->name, strlen(f->name)) = *arr;
	return 0;
}

/* The first contact from the form's e-mail and public flag (contact_html); the others kept. */
static int set_contact(proto_arena *a, proto_value *body, const proto_record_field *f,
                       const web_form *form)
{
	const proto_record_field *em = member_of_kind(f, PROTO_FK_EMAIL),
	                         *pf = member_of_kind(f, PROTO_FK_BOOL);
	const char *email = web_form_get(form, "contact_email");
	proto_value *contacts = (proto_value *)proto_map_get(body, f->name);
	bool has = contacts && contacts->type == PROTO_V_ARRAY && contacts->u.arr.n > 0 &&
	           contacts->u.arr.items[0].type == PROTO_V_MAP;
	if (email && *email) {
		proto_value *first;
		if (has) {
			first = &contacts->u.arr.items[0];
		} else {
			contacts = proto_value_map_put(a, body, f->name, strlen(f->name));
			contacts->type = PROTO_V_ARRAY;
			first = proto_value_array_push(a, contacts);
			if (!first)
				return MAILLE_ENOMEM;
			first->type = PROTO_V_MAP;
		}
		*proto_value_map_put(a, first, em->name, strlen(em->name)) = *str_val(a, email);
		proto_value *pub = proto_value_map_put(a, first, pf->name, strlen(pf->name));
		pub->type = PROTO_V_BOOL;
		pub->u.b = web_form_get(form, "contact_public") != NULL;
	} else if (has) {
		if (contacts->u.arr.n == 1) {
			proto_value_map_del(body, f->name);
		} else {
			memmove(contacts->u.arr.items, contacts->u.arr.items + 1,
			        (contacts->u.arr.n - 1) * sizeof contacts->u.arr.items[0]);
			contacts->u.arr.n--;
		}
	}
	return 0;
}

/* The entries a REX is about: those ticked, then the others, one a line. */
static int set_refs(proto_arena *a, proto_value *body, const proto_record_field *f,
                    const web_form *form)
{
	proto_value *arr = proto_value_new(a, PROTO_V_ARRAY);
	size_t i = 0, n = 0;
	const char *v;
	int e;
	while ((v = web_form_next(form, f->name, &i)) && n++ < ABOUT_MAX) {
		proto_value *slot = proto_value_array_push(a, arr);
		if (!slot)
			return MAILLE_ENOMEM;
		*slot = *str_val(a, v);
	}
	const char *other = web_form_get(form, "about_other");
	if (other && (e = split_into(a, arr, other, '\n')))
		return e;
	if (arr->u.arr.n)
		*proto_value_map_put(a, body, f->name, strlen(f->name)) = *arr;
	else
		proto_value_map_del(body, f->name);
	return 0;
}

/* One widget's fields of a table into the body. */
static int set_fields(proto_arena *a, proto_value *body, const proto_record_field *table,
                      proto_widget w, const web_form *form)
{
	int e = 0;
	FOR_FORM_FIELDS(table, f)
	{
		if (e)
			return e;
		bool simple = f->widget != PROTO_W_GROUPS && f->widget != PROTO_W_CONTACT &&
		              f->widget != PROTO_W_REFS;
		if (w == PROTO_W_NONE && f->widget == PROTO_W_INLINE) {
			FOR_FORM_FIELDS(f->obj->fields, m)
			{
				char key[128];
				snprintf(key, sizeof key, "%s.%s", f->name, m->name);
				if (!e)
					e = set_field(a, body, m, key, form);
			}
		} else if (w == PROTO_W_NONE && simple) {
			e = set_field(a, body, f, f->name, form);
		} else if (f->widget == w && w == PROTO_W_CONTACT) {
			e = set_contact(a, body, f, form);
		} else if (f->widget == w && w == PROTO_W_REFS) {
			e = set_refs(a, body, f, form);
		} else if (f->widget == w && w == PROTO_W_GROUPS) {
			e = set_groups(a, body, f, form);
		}
	}
	return e;
}

/* The fields of the form into the body: the plain ones, then the contact, the references
 * and the groups (so a new record's fields come in the same order as before the tables). */
static int build_body(proto_arena *a, proto_value *body, const proto_record_type *t,
                      const web_form *form)
{
	static const proto_widget passes[] = { PROTO_W_NONE, PROTO_W_CONTACT, PROTO_W_REFS,
		                               PROTO_W_GROUPS };
	*proto_value_map_put(a, body, PROTO_F_TYPE, strlen(PROTO_F_TYPE)) = *str_val(a, t->name);
	int e = 0;
	for (size_t p = 0; p < sizeof passes / sizeof passes[0] && !e; p++) {
		e = set_fields(a, body, proto_record_type_common(t), passes[p], form);
		if (!e)
			e = set_fields(a, body, t->fields, passes[p], form);
	}
	return e;
}

/* A free path <type>/<slug>[-N] in our territory (a new record never overwrites another). */
static int new_path(web_req *r, const uint8_t terr[PROTO_KEY_LEN], const char *type,
                    const char *title, char ret[PROTO_PATH_MAX + 1])
{
	char slug[100];
	size_t sl = title ? proto_slugify(title, strlen(title), slug, sizeof slug) : 0;
	if (sl == 0)
		snprintf(slug, sizeof slug, "fiche");
	for (unsigned n = 1; n < 1000; n++) {
		if (n == 1)
			snprintf(ret, PROTO_PATH_MAX + 1, "%s/%s", type, slug);
		else
			snprintf(ret, PROTO_PATH_MAX + 1, "%s/%s-%u", type, slug, n);
		store_row row;
		int e = store_entry_get(r->wk->st, terr, ret, &row);
		if (e == MAILLE_ENOTFOUND)
			return 0;
		if (e)
			return e;
		store_row_done(&row);
	}
	return MAILLE_EEXIST;
}

/* The error page of a write that failed: a damaged store says what to do (503: the
 * catalogue still reads, only writing waits for the repair), anything else is a 500. */
void web_store_refused(web_req *r, int e, const char *fr, const char *en)
{
	if (e == MAILLE_ECORRUPT)
		web_error(r, 503,
		          "Rien n'a été enregistré : le stockage de ce nœud est endommagé (voir "
		          "« maille check »). Restaurez-le depuis une sauvegarde, ou repartez de la clé "
		          "du nœud et resynchronisez depuis vos pairs.",
		          "Nothing was stored: this node's store is damaged (see 'maille check'). "
		          "Restore it from a backup, or start again from the node's key and sync "
		          "from your peers.");
	else
		web_error(r, 500, fr, en);
}

/* Signs and stores body (or a tombstone) at path in our territory, with the rule that lets an
 * edit win (node/service/publish.c, PROTOCOL.md §1.5). */
int web_sign_store(web_req *r, const char *path, int kind, const uint8_t *body, size_t len)
{
	uint8_t terr[PROTO_KEY_LEN];
	const uint8_t *sk;
	char capref[WEB_CAPREF_CAP];
	if (!web_publish_territory(r, terr, &sk, capref))
		return MAILLE_EDENIED;
	/* a `maille check` found the store damaged: nothing more goes into it (like the CLI's
	 * writes and the daemon's commits), one stat per form, no scan */
	struct stat sb;
	if (r->w->cfg.corrupt_mark && stat(r->w->cfg.corrupt_mark, &sb) == 0)
		return MAILLE_ECORRUPT;
	publish_signer s = { .territory = terr, .sk = sk, .capref = capref[0] ? capref : NULL };
	return publish_put(r->wk->st, &s, path, kind, body, len, web_now_us(r->w), NULL);
}

/* The cooperation records' checks beyond the tables (a label's criterion ids, PROTOCOL.md
 * §5), appended to rep so that they show on their fields like the schema's: whether any
 * failed. */
static bool coop_refused(web_req *r, const char *edit, const proto_value *body,
                         proto_schema_report *rep)
{
	uint8_t terr[PROTO_KEY_LEN];
	const uint8_t *sk;
	char capref[WEB_CAPREF_CAP];
	return web_publish_territory(r, terr, &sk, capref) &&
	       proto_coop_check(terr, edit, body, rep) != 0;
}

void web_post_publish(web_req *r)
{
	if (!web_csrf_check(r))
		return;
	const web_form *form = &r->form;
	const char *edit = web_form_get(form, "edit");
	const char *type = web_form_get(form, "type");
	const char *action = web_form_get(form, "action");
	proto_arena a;
	proto_arena_init(&a, 4u * WEB_BODY_MAX + (1u << 20));
	proto_value *body = NULL;
	store_row row;
	bool have_row = false;
	if (edit && *edit) {
		if (!own_row(r, edit, &row))
			goto out;
		have_row = true;
		body = web_row_body(&row, &a);
		const proto_value *tv = proto_map_get(body, PROTO_F_TYPE);
		type = tv && tv->type == PROTO_V_STR ? tv->u.str.ptr : NULL;
		if (!body || !web_publishable(type)) {
			web_error(r, 400, "Cette fiche ne se modifie pas ici.",
			          "This record is not edited here.");
			goto out;
		}
	} else {
		edit = NULL;
		if (!type || !web_publishable(type)) {
			web_unknown_type(r, true);
			goto out;
		}
		body = proto_value_new(&a, PROTO_V_MAP);
	}
	fctx c;
	memset(&c, 0, sizeof c);
	c.r = r;
	c.form = form;
	r->no_store = true;
	if (action && strcmp(action, "find") == 0) {
		web_page_begin(r, L(r, "Publier", "Publish"), "publish");
		form_html(&c, type, edit, NULL, NULL);
		web_page_end(r);
		goto out;
	}
	int e = body ? build_body(&a, body, publish_type(type), form) : MAILLE_ENOMEM;
	/* an older version's record may hold fields the tables do not name: kept under
	 * extensions, so that it stays editable (node/service/extensions.h) */
	if (!e && edit)
		e = extensions_adopt_unknown(body, &a);
	if (e) {
		web_error(r, 500, "Mémoire insuffisante.", "Out of memory.");
		goto out;
	}
	/* ~70 KB: off the stack of the server's thread */
	proto_schema_report *rep = malloc(sizeof *rep);
	if (!rep) {
		web_error(r, 500, "Mémoire insuffisante.", "Out of memory.");
		goto out;
	}
	/* the node's own territory fills `territories` when the record has none
	 * (node/service/own_territory.h), as maille publish does */
	{
		uint8_t own[PROTO_KEY_LEN];
		const uint8_t *own_sk;
		char own_cap[WEB_CAPREF_CAP];
		if (web_publish_territory(r, own, &own_sk, own_cap) &&
		    own_territory_fill_from_store(body, &a, r->wk->st, own, web_now_us(r->w))) {
			free(rep);
			web_error(r, 500, "Mémoire insuffisante.", "Out of memory.");
			goto out;
		}
	}
	proto_schema_normalize(body, &a);
	const char *err_msg = NULL;
	char msg[256];
	if (proto_schema_validate(body, rep) || coop_refused(r, edit, body, rep))
		err_msg = "";
	uint8_t *enc = NULL;
	size_t enc_len = 0;
	if (!err_msg) {
		/* the entry adds at most ~400 bytes of envelope to the body */
		e = proto_value_encode(body, PROTO_ENTRY_MAX - 512, &enc, &enc_len);
		if (e == MAILLE_ETOOBIG) {
			snprintf(msg, sizeof msg, "%s",
			         L(r, "la fiche dépasse 256 Kio", "the record is over 256 KiB"));
			err_msg = msg;
		} else if (e) {
			snprintf(msg, sizeof msg, "%s", maille_strerror(e));
			err_msg = msg;
		}
	}
	if (err_msg) {
		r->status = 422;
		web_page_begin(r, L(r, "Publier", "Publish"), "publish");
		form_html(&c, type, edit, rep, err_msg[0] ? err_msg : NULL);
		web_page_end(r);
		free(enc);
		free(rep);
		goto out;
	}
	free(rep);
	uint8_t terr[PROTO_KEY_LEN];
	const uint8_t *sk;
	char capref[WEB_CAPREF_CAP];
	if (!web_publish_territory(r, terr, &sk, capref)) {
		free(enc);
		no_capability(r);
		goto out;
	}
	char path[PROTO_PATH_MAX + 1];
	if (edit) {
		snprintf(path, sizeof path, "%s", edit);
	} else if ((e = new_path(r, terr, type,
	                         proto_langmap_pick(proto_map_get(body, PROTO_F_TITLE), "fr"), path))) {
		free(enc);
		web_error(r, 500, "Aucun chemin libre pour cette fiche.",
		          "No free path for this record.");
		goto out;
	}
	e = web_sign_store(r, path, PROTO_KIND_DOCUMENT, enc, enc_len);
	free(enc);
	if (e) {
		LOG_WARN("WEB-PUBLISH", "%s: cannot store %s: %s", r->ip, path, maille_strerror(e));
		web_store_refused(r, e, "La fiche n'a pas pu être enregistrée.",
		              "The record could not be stored.");
		goto out;
	}
	LOG_INFO("WEB-PUBLISH", "%s: %s %s", r->ip, edit ? "edited" : "published", path);
	{
		web_buf loc = { 0 };
		web_entry_href(&loc, terr, path, strlen(path));
		wb_puts(&loc, "&published=1");
		web_redirect(r, loc.failed ? "/" : loc.p);
		wb_done(&loc);
	}
out:
	if (have_row)
		store_row_done(&row);
	proto_arena_done(&a);
}

void web_post_delete(web_req *r)
{
	if (!web_csrf_check(r))
		return;
	const char *path = web_form_get(&r->form, "path");
	const char *confirm = web_form_get(&r->form, "confirm");
	if (!path) {
		web_error(r, 400, "Chemin manquant.", "Missing path.");
		return;
	}
	if (!confirm || strcmp(confirm, "1") != 0) {
		web_error(r, 400, "Cochez la confirmation pour supprimer.",
		          "Tick the confirmation to delete.");
		return;
	}
	store_row row;
	proto_arena a;
	proto_arena_init(&a, 0);
	bool ok =
	    own_publishable(r, path, &row, &a, NULL, NULL, "Cette fiche ne se supprime pas ici.",
	                    "This record is not deleted here.");
	proto_arena_done(&a);
	if (!ok)
		return;
	store_row_done(&row);
	static const uint8_t empty_map = 0x80;
	int e = web_sign_store(r, path, PROTO_KIND_TOMBSTONE, &empty_map, 1);
	if (e) {
		LOG_WARN("WEB-PUBLISH", "%s: cannot delete %s: %s", r->ip, path,
		         maille_strerror(e));
		web_store_refused(r, e, "La suppression n'a pas pu être enregistrée.",
		              "The deletion could not be stored.");
		return;
	}
	LOG_INFO("WEB-PUBLISH", "%s: deleted %s", r->ip, path);
	web_redirect(r, "/catalogue");
}
