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

#include "node/service/log.h"
#include "node/service/publish.h"
#include "proto/error.h"
#include "proto/schema.h"
#include "web_int.h"

enum fkind { F_LINE, F_AREA, F_SELECT, F_CHECKS, F_BOOL, F_DATE, F_LINES, F_COMMA };

typedef struct fspec {
	const char *key; /* body field; "a.b" for a field of the map a */
	int kind;
	bool required;
	bool langmap; /* a language map: the form edits its French text */
	const char *const *options;
} fspec;

static const char *const statuses[] = { "idea",       "design",     "development", "pilot",
	                                "production", "evaluation", "retired",     NULL };
static const char *const declarations[] = { "user", "referent_expert", "evaluator", "abandoned",
	                                    NULL };
static const char *const recommendations[] = { "", "recommend", "recommend_with_conditions",
	                                       "do_not_recommend", NULL };
static const char *const automation[] = { "fully_automated", "decision_support",
	                                  "no_individual_decision", NULL };
static const char *const algorithms[] = { "rule_based", "machine_learning", "hybrid",
	                                  "generative_ai", NULL };
static const char *const method_kinds[] = { "guide",
	                                    "assessment_grid",
	                                    "charter",
	                                    "usage_framework",
	                                    "inventory_method",
	                                    "procurement_clauses",
	                                    "training",
	                                    "template",
	                                    "other",
	                                    NULL };
static const char *const covers[] = { "transparency",
	                              "impact_assessment",
	                              "dpia",
	                              "environmental_footprint",
	                              "procurement",
	                              "participation",
	                              "sovereignty_reversibility",
	                              "human_oversight",
	                              "data_governance",
	                              "inventory",
	                              NULL };
static const char *const audiences[] = { "elected", "executives", "business_teams", "it", "dpo",
	                                 "legal",   "data_team",  "citizens",       NULL };
static const char *const component_kinds[] = { "software", "dataset",       "model",
	                                       "api",      "configuration", NULL };
static const char *const personal_data[] = { "none", "pseudonymised", "identified", NULL };

static const fspec common[] = {
	{ "title", F_LINE, true, true, NULL },
	{ "summary", F_LINE, true, true, NULL },
	{ "description", F_AREA, true, true, NULL },
	{ "themes", F_CHECKS, true, false, NULL }, /* options: proto_schema_themes */
	{ "status", F_SELECT, true, false, statuses },
	{ "keywords", F_COMMA, false, false, NULL },
	{ "content_licence", F_LINE, true, false, NULL },
	{ "department", F_LINE, false, false, NULL },
	{ NULL, 0, false, false, NULL },
};
static const fspec rex[] = {
	{ "declaration", F_SELECT, true, false, declarations },
	{ "period.start", F_DATE, true, false, NULL },
	{ "period.end", F_DATE, false, false, NULL },
	{ "context", F_AREA, true, false, NULL },
	{ "objectives", F_AREA, true, false, NULL },
	{ "what_was_done", F_AREA, true, false, NULL },
	{ "difficulties", F_AREA, true, false, NULL },
	{ "lessons_learned", F_AREA, true, false, NULL },
	{ "results", F_AREA, false, false, NULL },
	{ "recommendation", F_SELECT, false, false, recommendations },
	{ NULL, 0, false, false, NULL },
};
static const fspec use_case[] = {
	{ "purpose", F_AREA, true, false, NULL },
	{ "decision_process", F_AREA, true, false, NULL },
	{ "automation_level", F_SELECT, true, false, automation },
	{ "algorithm_type", F_SELECT, true, false, algorithms },
	{ "individual_decisions", F_BOOL, false, false, NULL },
	{ "affected_public", F_AREA, true, false, NULL },
	{ "human_oversight", F_AREA, true, false, NULL },
	{ "legal_basis", F_LINES, false, false, NULL },
	{ "recourse", F_AREA, false, false, NULL },
	{ NULL, 0, false, false, NULL },
};
static const fspec methodology[] = {
	{ "method_kind", F_SELECT, true, false, method_kinds },
	{ "covers", F_CHECKS, true, false, covers },
	{ "audience", F_CHECKS, false, false, audiences },
	{ NULL, 0, false, false, NULL },
};
static const fspec component[] = {
	{ "component_kind", F_SELECT, true, false, component_kinds },
	{ "licence", F_LINE, true, false, NULL },
	{ "repository_url", F_LINE, false, false, NULL },
	{ "landing_url", F_LINE, false, false, NULL },
	{ "version", F_LINE, false, false, NULL },
	{ NULL, 0, false, false, NULL },
};

#define SETS 3 /* risks and data sources the form shows */
#define ABOUT_MAX 64u

static const fspec *type_spec(const char *type)
{
	if (!type)
		return NULL;
	if (strcmp(type, "rex") == 0)
		return rex;
	if (strcmp(type, "use_case") == 0)
		return use_case;
	if (strcmp(type, "methodology") == 0)
		return methodology;
	if (strcmp(type, "component") == 0)
		return component;
	return NULL;
}

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
	          "Ce poste de membre n'a pas encore de capacité en vigueur : le nœud de votre "
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

/* A single value of the form: the POSTed one, else the stored one as text, else "". */
static const char *fv(fctx *c, const char *key)
{
	if (c->form) {
		const char *v = web_form_get(c->form, key);
		return v ? v : "";
	}
	const proto_value *v = c->body ? body_get(c->body, key) : NULL;
	if (!v)
		return "";
	if (v->type == PROTO_V_ARRAY) {
		/* a list of strings, one per line (keywords: comma-separated) */
		size_t o = 0;
		bool comma = strcmp(key, "keywords") == 0;
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

/* ---- rendering the form -----------------------------------------------------------------------
 */

static void label(fctx *c, const char *key, bool required)
{
	web_buf *b = &c->r->out;
	const char *last = strrchr(key, '.');
	const char *lab = web_label(c->r, last ? last + 1 : key);
	if (strcmp(key, "period.start") == 0)
		lab = L(c->r, "Début de la période", "Start of the period");
	else if (strcmp(key, "period.end") == 0)
		lab = L(c->r, "Fin de la période", "End of the period");
	wb_htmls(b, lab ? lab : key);
	if (required)
		wb_printf(b, " <span aria-hidden=\"true\">*</span><span class=\"skip\">%s</span>",
		          L(c->r, "(obligatoire)", "(required)"));
}

static void field_html(fctx *c, const fspec *f)
{
	web_buf *b = &c->r->out;
	web_req *r = c->r;
	const char *req = f->required ? " required" : "";
	if (f->kind == F_CHECKS) {
		const char *const *opts = f->options ? f->options : proto_schema_themes;
		wb_printf(b, "<fieldset id=\"f-%s\"><legend>", f->key);
		label(c, f->key, f->required);
		wb_puts(b, "</legend>");
		for (size_t i = 0; opts[i]; i++) {
			const char *lab = web_label(r, opts[i]);
			wb_printf(
			    b,
			    "<input type=\"checkbox\" id=\"f-%s-%zu\" name=\"%s\" value=\"%s\"%s> "
			    "<label for=\"f-%s-%zu\">",
			    f->key, i, f->key, opts[i],
			    checked(c, f->key, opts[i]) ? " checked" : "", f->key, i);
			wb_htmls(b, lab ? lab : opts[i]);
			wb_puts(b, "</label><br>");
		}
		wb_puts(b, "</fieldset>");
		return;
	}
	wb_printf(b, "<p><label for=\"f-%s\">", f->key);
	label(c, f->key, f->required);
	wb_puts(b, "</label><br>");
	const char *v = fv(c, f->key);
	switch (f->kind) {
	case F_AREA:
	case F_LINES:
		wb_printf(b, "<textarea id=\"f-%s\" name=\"%s\" rows=\"%d\"%s>", f->key, f->key,
		          strcmp(f->key, "description") == 0 ? 10 : 4, req);
		wb_htmls(b, v);
		wb_puts(b, "</textarea>");
		if (f->kind == F_LINES)
			wb_printf(b, "<br><span class=\"hint\">%s</span>",
			          L(r, "Une valeur par ligne.", "One value per line."));
		else if (strcmp(f->key, "description") == 0)
			wb_printf(b, "<br><span class=\"hint\">%s</span>",
			          L(r, "Markdown ; le HTML n'est pas interprété.",
			            "Markdown; HTML is not interpreted."));
		break;
	case F_SELECT:
		wb_printf(b, "<select id=\"f-%s\" name=\"%s\"%s>", f->key, f->key, req);
		for (size_t i = 0; f->options[i]; i++) {
			const char *o = f->options[i];
			const char *lab =
			    *o ? web_label(r, o) : L(r, "(non précisé)", "(not given)");
			wb_printf(b, "<option value=\"%s\"%s>", o,
			          strcmp(v, o) == 0 ? " selected" : "");
			wb_htmls(b, lab ? lab : o);
			wb_puts(b, "</option>");
		}
		wb_puts(b, "</select>");
		break;
	case F_BOOL:
		wb_printf(b, "<input type=\"checkbox\" id=\"f-%s\" name=\"%s\" value=\"1\"%s>",
		          f->key, f->key, *v ? " checked" : "");
		break;
	case F_DATE:
		wb_printf(b, "<input type=\"date\" id=\"f-%s\" name=\"%s\" value=\"", f->key,
		          f->key);
		wb_htmls(b, v);
		wb_printf(b, "\"%s>", req);
		break;
	default:
		wb_printf(b, "<input type=\"text\" id=\"f-%s\" name=\"%s\" value=\"", f->key,
		          f->key);
		wb_htmls(b, v);
		wb_printf(b, "\"%s%s>", req,
		          strcmp(f->key, "title") == 0 ? " maxlength=\"200\"" : "");
		if (f->kind == F_COMMA)
			wb_printf(b, "<br><span class=\"hint\">%s</span>",
			          L(r, "Séparés par des virgules.", "Comma-separated."));
	}
	wb_puts(b, "</p>");
}

static void input_line(fctx *c, const char *name, const char *lab, const char *value)
{
	web_buf *b = &c->r->out;
	wb_printf(b, "<p><label for=\"f-%s\">", name);
	wb_htmls(b, lab);
	wb_printf(b, "</label><br><input type=\"text\" id=\"f-%s\" name=\"%s\" value=\"", name,
	          name);
	wb_htmls(b, value);
	wb_puts(b, "\"></p>");
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

static const char *set_value(fctx *c, const char *prefix, size_t i, const char *field,
                             const char *list)
{
	char name[64];
	snprintf(name, sizeof name, "%s%zu_%s", prefix, i + 1, field);
	if (c->form) {
		const char *v = web_form_get(c->form, name);
		return v ? v : "";
	}
	return set_prefill(c, list, i, field);
}

static void sets_html(fctx *c)
{
	web_req *r = c->r;
	web_buf *b = &r->out;
	for (size_t i = 0; i < SETS; i++) {
		char n1[32], n2[32], n3[32];
		wb_printf(b, "<fieldset id=\"f-risks-%zu\"><legend>%s %zu%s</legend>", i,
		          L(r, "Risque", "Risk"), i + 1, i == 0 ? " *" : "");
		snprintf(n1, sizeof n1, "risk%zu_name", i + 1);
		snprintf(n2, sizeof n2, "risk%zu_description", i + 1);
		snprintf(n3, sizeof n3, "risk%zu_mitigation", i + 1);
		input_line(c, n1, L(r, "Nom", "Name"), set_value(c, "risk", i, "name", "risks"));
		input_line(c, n2, L(r, "Description", "Description"),
		           set_value(c, "risk", i, "description", "risks"));
		input_line(c, n3, L(r, "Atténuation", "Mitigation"),
		           set_value(c, "risk", i, "mitigation", "risks"));
		wb_puts(b, "</fieldset>");
	}
	for (size_t i = 0; i < SETS; i++) {
		char n1[32], n2[32], n3[32];
		wb_printf(b, "<fieldset id=\"f-data_sources-%zu\"><legend>%s %zu%s</legend>", i,
		          L(r, "Source de données", "Data source"), i + 1, i == 0 ? " *" : "");
		snprintf(n1, sizeof n1, "ds%zu_name", i + 1);
		snprintf(n2, sizeof n2, "ds%zu_provider", i + 1);
		snprintf(n3, sizeof n3, "ds%zu_personal_data", i + 1);
		input_line(c, n1, L(r, "Nom", "Name"),
		           set_value(c, "ds", i, "name", "data_sources"));
		input_line(c, n2, L(r, "Fournisseur", "Provider"),
		           set_value(c, "ds", i, "provider", "data_sources"));
		const char *pd = set_value(c, "ds", i, "personal_data", "data_sources");
		wb_printf(b,
		          "<p><label for=\"f-%s\">%s</label><br><select id=\"f-%s\" name=\"%s\">",
		          n3, L(r, "Données personnelles", "Personal data"), n3, n3);
		for (size_t k = 0; personal_data[k]; k++)
			wb_printf(b, "<option value=\"%s\"%s>%s</option>", personal_data[k],
			          strcmp(pd, personal_data[k]) == 0 ? " selected" : "",
			          k == 0   ? L(r, "aucune", "none")
			          : k == 1 ? L(r, "pseudonymisées", "pseudonymised")
			                   : L(r, "identifiantes", "identified"));
		wb_puts(b, "</select></p></fieldset>");
	}
}

/* ---- REX: the entries it is about, picked from the catalogue -----------------------------------
 */

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
	wb_printf(b, "<input type=\"checkbox\" id=\"f-about-%zu\" name=\"about\" value=\"", ac->n);
	wb_htmls(b, path);
	wb_printf(b, "\"%s> <label for=\"f-about-%zu\">", on ? " checked" : "", ac->n);
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
	const proto_value *t = proto_map_get(body, "type");
	const char *type = t && t->type == PROTO_V_STR ? t->u.str.ptr : "";
	if (body && (strcmp(type, "use_case") == 0 || strcmp(type, "component") == 0 ||
	             strcmp(type, "methodology") == 0)) {
		char path[PROTO_PATH_MAX + 1];
		snprintf(path, sizeof path, "%.*s", (int)row->entry.path_len, row->entry.path);
		about_box(ac, path, web_body_title(ac->c->r, body), type,
		          checked(ac->c, "about", path));
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
	wb_printf(b,
	          "<fieldset id=\"f-about\"><legend>%s <span aria-hidden=\"true\">*</span></legend>"
	          "<p class=\"hint\">%s</p>",
	          L(r, "Cas d'usage, composants ou méthodologies concernés",
	            "Use cases, components or methodologies it is about"),
	          L(r, "Cochez dans le catalogue, ou cherchez-en d'autres.",
	            "Tick them in the catalogue, or search for others."));
	/* what is already checked stays first, whatever the search shows */
	if (c->form) {
		size_t i = 0;
		const char *v;
		while ((v = web_form_next(c->form, "about", &i)) && ac->n < ABOUT_MAX) {
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
		const proto_value *arr = proto_map_get(c->body, "about");
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
		/* the newest few of each type */
		static const char *const types[] = { "use_case", "component", "methodology" };
		for (size_t t = 0; t < 3; t++) {
			f.type = types[t];
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
		const proto_value *arr = proto_map_get(c->body, "about");
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

static void form_html(fctx *c, const char *type, const char *edit, const char *error_field,
                      const char *error_msg)
{
	web_req *r = c->r;
	web_buf *b = &r->out;
	const char *tl = web_label(r, type);
	wb_printf(b, "<h1>%s : ", edit ? L(r, "Modifier", "Edit") : L(r, "Publier", "Publish"));
	wb_htmls(b, tl ? tl : type);
	wb_puts(b, "</h1>");
	if (error_msg) {
		wb_printf(b, "<div class=\"error\" role=\"alert\" id=\"errors\"><p>%s</p><p>",
		          L(r, "La fiche n'a pas été publiée :", "The record was not published:"));
		if (error_field && *error_field) {
			char anchor[96];
			snprintf(anchor, sizeof anchor, "%s", error_field);
			anchor[strcspn(anchor, "[")] = '\0';
			wb_puts(b, "<a href=\"#f-");
			wb_htmls(b, anchor);
			wb_puts(b, "\">");
			const char *lab = web_label(r, anchor);
			wb_htmls(b, lab ? lab : error_field);
			wb_puts(b, "</a> (<code>");
			wb_htmls(b, error_field);
			wb_puts(b, "</code>) : ");
		}
		wb_htmls(b, error_msg);
		wb_puts(b, "</p></div>");
	}
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
	for (const fspec *f = common; f->key; f++) {
		if (strcmp(f->key, "content_licence") == 0 && !c->form && !c->body) {
			wb_printf(
			    b,
			    "<p><label for=\"f-content_licence\">%s <span aria-hidden=\"true\">*"
			    "</span></label><br><input type=\"text\" id=\"f-content_licence\" "
			    "name=\"content_licence\" value=\"etalab-2.0\" required></p>",
			    web_label(r, "content_licence"));
			continue;
		}
		field_html(c, f);
	}
	/* one contact (functional addresses welcome) */
	const char *email = c->form ? web_form_get(c->form, "contact_email")
	                            : set_prefill(c, "contacts", 0, "email");
	wb_printf(b,
	          "<p><label for=\"f-contacts\">%s</label><br><input type=\"email\" "
	          "id=\"f-contacts\" name=\"contact_email\" value=\"",
	          L(r, "Courriel de contact", "Contact e-mail"));
	wb_htmls(b, email ? email : "");
	bool pub = c->form ? web_form_get(c->form, "contact_public") != NULL : true;
	wb_printf(b,
	          "\"> <input type=\"checkbox\" id=\"f-contact_public\" name=\"contact_public\" "
	          "value=\"1\"%s> <label for=\"f-contact_public\">%s</label></p>",
	          pub ? " checked" : "", L(r, "public", "public"));
	if (strcmp(type, "rex") == 0)
		about_html(c);
	for (const fspec *f = type_spec(type); f && f->key; f++)
		field_html(c, f);
	if (strcmp(type, "use_case") == 0)
		sets_html(c);
	wb_printf(b,
	          "<p><button type=\"submit\" name=\"action\" value=\"publish\">%s</button></p>"
	          "</form>",
	          edit ? L(r, "Enregistrer la nouvelle version", "Save the new version")
	               : L(r, "Publier et signer", "Publish and sign"));
}

static bool publishable(const char *type)
{
	return type_spec(type) != NULL;
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
		if (!own_row(r, edit, &row))
			return;
		proto_arena a;
		proto_arena_init(&a, 0);
		proto_value *body = web_row_body(&row, &a);
		const proto_value *tv = proto_map_get(body, "type");
		const char *t = tv && tv->type == PROTO_V_STR ? tv->u.str.ptr : NULL;
		if (!body || !publishable(t)) {
			proto_arena_done(&a);
			store_row_done(&row);
			web_error(r, 400, "Cette fiche ne se modifie pas ici.",
			          "This record is not edited here.");
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
	if (type && !publishable(type)) {
		web_error(r, 400, "Type inconnu (methodology, use_case, component, rex).",
		          "Unknown type (methodology, use_case, component, rex).");
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

static int set_field(proto_arena *a, proto_value *body, const fspec *f, const web_form *form)
{
	const char *k;
	proto_value *m = field_map(a, body, f->key, &k);
	if (!m)
		return MAILLE_ENOMEM;
	const char *v = web_form_get(form, f->key);
	if (f->kind == F_CHECKS) {
		proto_value *arr = proto_value_new(a, PROTO_V_ARRAY);
		size_t i = 0;
		const char *x;
		while ((x = web_form_next(form, f->key, &i))) {
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
	if (f->kind == F_BOOL) {
		proto_value *slot = proto_value_map_put(a, m, k, strlen(k));
		if (!slot)
			return MAILLE_ENOMEM;
		slot->type = PROTO_V_BOOL;
		slot->u.b = v && *v;
		return 0;
	}
	if (!v || !*v) {
		/* an emptied field is removed (a required one is then reported by validation) */
		proto_value_map_del(m, k);
		if (m != body && m->u.map.n == 0)
			proto_value_map_del(body, "period");
		return 0;
	}
	if (f->kind == F_LINES || f->kind == F_COMMA) {
		proto_value *arr = proto_value_new(a, PROTO_V_ARRAY);
		int e = split_into(a, arr, v, f->kind == F_COMMA ? ',' : '\n');
		if (e)
			return e;
		*proto_value_map_put(a, m, k, strlen(k)) = *arr;
		return 0;
	}
	proto_value *cur = (proto_value *)proto_map_get(m, k);
	if (f->langmap && cur && cur->type == PROTO_V_MAP) {
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

/* risks and data_sources from their SETS groups of fields; items beyond SETS of the stored
 * body are kept. */
static int set_groups(proto_arena *a, proto_value *body, const web_form *form, const char *prefix,
                      const char *list, const char *const fields[3])
{
	proto_value *arr = proto_value_new(a, PROTO_V_ARRAY);
	for (size_t i = 0; i < SETS; i++) {
		proto_value *item = NULL;
		for (size_t k = 0; k < 3; k++) {
			char name[64];
			snprintf(name, sizeof name, "%s%zu_%s", prefix, i + 1, fields[k]);
			const char *v = web_form_get(form, name);
			if (!v || !*v)
				continue;
			/* "none" alone (the default of the select) does not make a data source */
			if (k == 2 && !item && strcmp(prefix, "ds") == 0)
				continue;
			if (!item) {
				item = proto_value_array_push(a, arr);
				if (!item)
					return MAILLE_ENOMEM;
				item->type = PROTO_V_MAP;
			}
			*proto_value_map_put(a, item, fields[k], strlen(fields[k])) =
			    *str_val(a, v);
		}
		if (item && strcmp(prefix, "ds") == 0 && !proto_map_get(item, "personal_data")) {
			char name[64];
			snprintf(name, sizeof name, "%s%zu_%s", prefix, i + 1, fields[2]);
			const char *v = web_form_get(form, name);
			*proto_value_map_put(a, item, fields[2], strlen(fields[2])) =
			    *str_val(a, v ? v : "none");
		}
	}
	const proto_value *old = proto_map_get(body, list);
	for (size_t i = SETS; old && old->type == PROTO_V_ARRAY && i < old->u.arr.n; i++) {
		proto_value *slot = proto_value_array_push(a, arr);
		if (!slot)
			return MAILLE_ENOMEM;
		*slot = old->u.arr.items[i];
	}
	if (arr->u.arr.n == 0)
		proto_value_map_del(body, list);
	else
		*proto_value_map_put(a, body, list, strlen(list)) = *arr;
	return 0;
}

static int build_body(proto_arena *a, proto_value *body, const char *type, const web_form *form)
{
	*proto_value_map_put(a, body, "type", 4) = *str_val(a, type);
	int e = 0;
	for (const fspec *f = common; f->key && !e; f++)
		e = set_field(a, body, f, form);
	for (const fspec *f = type_spec(type); f && f->key && !e; f++)
		e = set_field(a, body, f, form);
	if (e)
		return e;
	/* recommendation "" = not given */
	const proto_value *rec = proto_map_get(body, "recommendation");
	if (rec && rec->type == PROTO_V_STR && rec->u.str.len == 0)
		proto_value_map_del(body, "recommendation");
	/* the first contact */
	const char *email = web_form_get(form, "contact_email");
	proto_value *contacts = (proto_value *)proto_map_get(body, "contacts");
	bool has = contacts && contacts->type == PROTO_V_ARRAY && contacts->u.arr.n > 0 &&
	           contacts->u.arr.items[0].type == PROTO_V_MAP;
	if (email && *email) {
		proto_value *first;
		if (has) {
			first = &contacts->u.arr.items[0];
		} else {
			contacts = proto_value_map_put(a, body, "contacts", 8);
			contacts->type = PROTO_V_ARRAY;
			first = proto_value_array_push(a, contacts);
			if (!first)
				return MAILLE_ENOMEM;
			first->type = PROTO_V_MAP;
		}
		*proto_value_map_put(a, first, "email", 5) = *str_val(a, email);
		proto_value *pub = proto_value_map_put(a, first, "public", 6);
		pub->type = PROTO_V_BOOL;
		pub->u.b = web_form_get(form, "contact_public") != NULL;
	} else if (has) {
		if (contacts->u.arr.n == 1) {
			proto_value_map_del(body, "contacts");
		} else {
			memmove(contacts->u.arr.items, contacts->u.arr.items + 1,
			        (contacts->u.arr.n - 1) * sizeof contacts->u.arr.items[0]);
			contacts->u.arr.n--;
		}
	}
	if (strcmp(type, "rex") == 0) {
		proto_value *arr = proto_value_new(a, PROTO_V_ARRAY);
		size_t i = 0, n = 0;
		const char *v;
		while ((v = web_form_next(form, "about", &i)) && n++ < ABOUT_MAX) {
			proto_value *slot = proto_value_array_push(a, arr);
			if (!slot)
				return MAILLE_ENOMEM;
			*slot = *str_val(a, v);
		}
		const char *other = web_form_get(form, "about_other");
		if (other && (e = split_into(a, arr, other, '\n')))
			return e;
		if (arr->u.arr.n)
			*proto_value_map_put(a, body, "about", 5) = *arr;
		else
			proto_value_map_del(body, "about");
	}
	if (strcmp(type, "use_case") == 0) {
		static const char *const risk_f[3] = { "name", "description", "mitigation" };
		static const char *const ds_f[3] = { "name", "provider", "personal_data" };
		if ((e = set_groups(a, body, form, "risk", "risks", risk_f)) ||
		    (e = set_groups(a, body, form, "ds", "data_sources", ds_f)))
			return e;
	}
	return 0;
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
static void store_refused(web_req *r, int e, const char *fr, const char *en)
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
static int sign_store(web_req *r, const char *path, int kind, const uint8_t *body, size_t len)
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
		const proto_value *tv = proto_map_get(body, "type");
		type = tv && tv->type == PROTO_V_STR ? tv->u.str.ptr : NULL;
		if (!body || !publishable(type)) {
			web_error(r, 400, "Cette fiche ne se modifie pas ici.",
			          "This record is not edited here.");
			goto out;
		}
	} else {
		edit = NULL;
		if (!type || !publishable(type)) {
			web_error(r, 400, "Type inconnu (methodology, use_case, component, rex).",
			          "Unknown type (methodology, use_case, component, rex).");
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
	int e = body ? build_body(&a, body, type, form) : MAILLE_ENOMEM;
	if (e) {
		web_error(r, 500, "Mémoire insuffisante.", "Out of memory.");
		goto out;
	}
	proto_schema_report rep;
	proto_schema_normalize(body, &a);
	const char *err_field = NULL, *err_msg = NULL;
	char msg[256];
	if (proto_schema_validate(body, &rep)) {
		err_field = rep.error.field;
		err_msg = rep.error.message;
		/* the schema speaks English; the usual messages are said in French too */
		if (!r->en && strcmp(err_msg, "missing required field") == 0)
			err_msg = "champ obligatoire manquant";
	}
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
		form_html(&c, type, edit, err_field, err_msg);
		web_page_end(r);
		free(enc);
		goto out;
	}
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
	                         proto_langmap_pick(proto_map_get(body, "title"), "fr"), path))) {
		free(enc);
		web_error(r, 500, "Aucun chemin libre pour cette fiche.",
		          "No free path for this record.");
		goto out;
	}
	e = sign_store(r, path, PROTO_KIND_DOCUMENT, enc, enc_len);
	free(enc);
	if (e) {
		LOG_WARN("WEB-PUBLISH", "%s: cannot store %s: %s", r->ip, path, maille_strerror(e));
		store_refused(r, e, "La fiche n'a pas pu être enregistrée.",
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
	if (!own_row(r, path, &row))
		return;
	proto_arena a;
	proto_arena_init(&a, 0);
	proto_value *body = web_row_body(&row, &a);
	const proto_value *tv = proto_map_get(body, "type");
	bool ok = tv && tv->type == PROTO_V_STR && publishable(tv->u.str.ptr);
	proto_arena_done(&a);
	store_row_done(&row);
	if (!ok) {
		web_error(r, 400, "Cette fiche ne se supprime pas ici.",
		          "This record is not deleted here.");
		return;
	}
	static const uint8_t empty_map = 0x80;
	int e = sign_store(r, path, PROTO_KIND_TOMBSTONE, &empty_map, 1);
	if (e) {
		LOG_WARN("WEB-PUBLISH", "%s: cannot delete %s: %s", r->ip, path,
		         maille_strerror(e));
		store_refused(r, e, "La suppression n'a pas pu être enregistrée.",
		              "The deletion could not be stored.");
		return;
	}
	LOG_INFO("WEB-PUBLISH", "%s: deleted %s", r->ip, path);
	web_redirect(r, "/catalogue");
}
