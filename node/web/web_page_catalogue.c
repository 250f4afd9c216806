/* node/web/web_pages.c: the pages that read the catalogue: home, catalogue (facets, pages),
 * search, entry, territory, network. Every byte of user content goes through wb_html (or
 * cmark in safe mode for descriptions). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/service/log.h"
#include "node/service/state.h"
#include "proto/error.h"
#include "proto/member.h"
#include "proto/record.h"
#include "proto/schema.h"
#include "web_int.h"

/* ---- filters ------------------------------------------------------------------------------- */

static bool in_list(const char *const *list, const char *s)
{
	for (size_t i = 0; list[i]; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

/* A theme slug or a licence: short, printable, no spaces. */
static bool token_ok(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

bool web_row_has_theme(const store_row *row, const char *theme)
{
	if (!theme)
		return true;
	proto_arena a;
	proto_arena_init(&a, 0);
	/* a single string counts as a list of one, as for the store's theme filter */
	const proto_value *th = proto_map_get(web_row_body(row, &a), PROTO_F_THEMES);
	bool found = false;
	const char *t;
	for (size_t i = 0; !found && (t = proto_record_theme(th, i)) != NULL; i++)
		found = strcmp(t, theme) == 0;
	proto_arena_done(&a);
	return found;
}

bool web_filters(web_req *r, store_filter *f, uint8_t territory_buf[PROTO_KEY_LEN],
                 unsigned *ret_page, const char **ret_theme)
{
	*ret_theme = NULL;
	memset(f, 0, sizeof *f);
	const char *type = web_form_get(&r->q, "type"), *theme = web_form_get(&r->q, "theme");
	const char *status = web_form_get(&r->q, "status"),
	           *terr = web_form_get(&r->q, "territory");
	const char *lic = web_form_get(&r->q, "licence"), *page = web_form_get(&r->q, "page");
	if (type && *type) {
		if (!in_list(proto_schema_types, type)) {
			web_unknown_type(r, false);
			return false;
		}
		f->type = type;
		/* the federation's own records are listed on the territory and network pages */
		f->include_federation = strcmp(type, "territory") == 0;
	}
	if (theme && *theme) {
		if (!token_ok(theme, 64)) {
			web_error(r, 400, "Thème mal formé.", "Malformed theme.");
			return false;
		}
		*ret_theme = theme;
	}
	if (status && *status) {
		if (!in_list(proto_schema_statuses, status)) {
			web_error(r, 400, "Statut inconnu.", "Unknown status.");
			return false;
		}
		f->status = status;
	}
	if (lic && *lic) {
		if (!token_ok(lic, 128)) {
			web_error(r, 400, "Licence mal formée.", "Malformed licence.");
			return false;
		}
		f->licence = lic;
	}
	if (terr && *terr) {
		if (strlen(terr) != 2 * PROTO_KEY_LEN ||
		    proto_unhex(terr, territory_buf, PROTO_KEY_LEN)) {
			web_error(r, 400, "Territoire mal formé (64 chiffres hexadécimaux).",
			          "Malformed territory (64 hex digits).");
			return false;
		}
		f->territory = territory_buf;
	}
	unsigned p = 1;
	if (page && *page) {
		char *end;
		unsigned long v = strtoul(page, &end, 10);
		if (*end || page[0] == '-' || page[0] == '+' || v < 1 || v > WEB_PAGE_MAX) {
			web_error(r, 400, "Numéro de page invalide (1 à 500).",
			          "Invalid page number (1 to 500).");
			return false;
		}
		p = (unsigned)v;
	}
	f->trusted_only = !r->all;
	web_trust(r);
	*ret_page = p;
	return true;
}

/* The query string of the current filters with key set to value (NULL: removed) and the
 * page dropped (or set to page when non-zero). */
static void filter_href(web_req *r, const char *base, const char *key, const char *value,
                        unsigned page)
{
	static const char *const keys[] = { "q",         "type",    "theme", "status",
		                            "territory", "licence", "all",   NULL };
	web_buf *b = &r->out;
	wb_puts(b, base);
	char sep = '?';
	for (size_t i = 0; keys[i]; i++) {
		const char *v =
		    strcmp(keys[i], key ? key : "") == 0 ? value : web_form_get(&r->q, keys[i]);
		if (!v || !*v)
			continue;
		wb_printf(b, "%c%s=", sep, keys[i]);
		wb_urls(b, v);
		sep = '&';
	}
	if (page > 1)
		wb_printf(b, "%cpage=%u", sep, page);
}

/* ---- home ---------------------------------------------------------------------------------- */

typedef struct list_ctx {
	web_req *r;
	unsigned skip, take, shown;
	bool more;
	const char *theme; /* NULL: any */
} list_ctx;

static int list_card(const store_row *row, void *ctx)
{
	list_ctx *c = ctx;
	if (!web_row_has_theme(row, c->theme))
		return 0;
	if (c->skip) {
		c->skip--;
		return 0;
	}
	if (c->shown == c->take) {
		c->more = true;
		return 1;
	}
	web_row_card(c->r, row);
	c->shown++;
	return 0;
}

static void facet_list(web_req *r, const char *title, const char *key, const web_facet *v, size_t n,
                       const char *base)
{
	if (!n)
		return;
	web_buf *b = &r->out;
	wb_printf(b, "<h2>%s</h2><ul>", title);
	const char *cur = web_form_get(&r->q, key);
	for (size_t i = 0; i < n; i++) {
		bool on = cur && strcmp(cur, v[i].value) == 0;
		wb_puts(b, "<li><a href=\"");
		filter_href(r, base, key, on ? NULL : v[i].value, 0);
		wb_printf(b, "\"%s>", on ? " aria-current=\"true\"" : "");
		const char *lab = web_label(r, v[i].value);
		if (on)
			wb_puts(b, "✓ ");
		wb_htmls(b, lab ? lab : v[i].value);
		wb_printf(b, "</a> (%llu)</li>", (unsigned long long)v[i].n);
	}
	wb_puts(b, "</ul>");
}

void web_page_home(web_req *r)
{
	web_trust(r);
	web_facets fc;
	web_facets_get(r->w, &fc);
	web_page_begin(r, L(r, "Accueil", "Home"), "home");
	web_buf *b = &r->out;
	char name[256];
	web_territory_name(r->wk->st, r->w->own, name, sizeof name);
	wb_printf(b, "<h1>%s</h1><p>",
	          L(r, "Catalogue des territoires", "The territories' catalogue"));
	wb_puts(b, L(r,
	             "Méthodologies, cas d'usage, composants réutilisables et retours "
	             "d'expérience sur l'IA responsable, partagés entre territoires. Nœud de ",
	             "Methodologies, use cases, reusable components and experience reports about "
	             "responsible AI, shared between territories. Node of "));
	wb_htmls(b, name);
	wb_puts(b, ".</p>");
	wb_printf(b,
	          "<form method=\"get\" action=\"/search\"><p><label for=\"q-home\">%s</label> "
	          "<input id=\"q-home\" name=\"q\" type=\"search\" maxlength=\"%u\"> "
	          "<button type=\"submit\">%s</button></p></form>",
	          L(r, "Rechercher (accents facultatifs)", "Search (accents optional)"),
	          WEB_QUERY_MAX, L(r, "Rechercher", "Search"));
	if (fc.ready) {
		wb_printf(
		    b, "<h2>%s</h2><p>%llu %s</p><div class=\"layout\"><div class=\"facets\">",
		    L(r, "En chiffres", "In figures"), (unsigned long long)fc.total,
		    L(r, "fiches des territoires reconnus", "records of trusted territories"));
		facet_list(r, L(r, "Par type", "By type"), "type", fc.type, fc.n_type,
		           "/catalogue");
		wb_puts(b, "</div><div class=\"facets\">");
		facet_list(r, L(r, "Par thème", "By theme"), "theme", fc.theme, fc.n_theme,
		           "/catalogue");
		wb_puts(b, "</div></div>");
	} else {
		wb_printf(b, "<p class=\"hint\">%s</p>", L(r, "Décompte en cours…", "Counting…"));
	}
	wb_printf(b, "<h2>%s</h2><ul class=\"cards\">", L(r, "Dernières fiches", "Latest records"));
	store_filter f;
	memset(&f, 0, sizeof f);
	f.trusted_only = true;
	list_ctx c = { r, 0, 10, 0, false, NULL };
	int e = store_list(r->wk->st, &f, list_card, &c);
	wb_puts(b, "</ul>");
	if (e < 0) {
		web_error(r, 500, "Lecture du catalogue impossible.", "Cannot read the catalogue.");
		return;
	}
	if (!c.shown)
		wb_printf(b, "<p>%s <a href=\"/publish\">%s</a></p>",
		          L(r, "Le catalogue est vide.", "The catalogue is empty."),
		          L(r, "Publier une fiche", "Publish a record"));
	wb_printf(b, "<p><a href=\"/catalogue\">%s</a></p>",
	          L(r, "Tout le catalogue", "The whole catalogue"));
	web_page_end(r);
}

/* ---- catalogue and search -------------------------------------------------------------------- */

void web_page_catalogue(web_req *r, bool search)
{
	store_filter f;
	uint8_t tkey[PROTO_KEY_LEN];
	unsigned page;
	const char *theme;
	if (!web_filters(r, &f, tkey, &page, &theme))
		return;
	const char *q = web_form_get(&r->q, "q");
	if (q && strlen(q) > WEB_QUERY_MAX) {
		web_error(r, 400, "Recherche trop longue.", "Search too long.");
		return;
	}
	web_facets fc;
	web_facets_get(r->w, &fc);
	const char *base = search ? "/search" : "/catalogue";
	web_page_begin(r, search ? L(r, "Recherche", "Search") : L(r, "Catalogue", "Catalogue"),
	               search ? NULL : "catalogue");
	web_buf *b = &r->out;
	if (search) {
		wb_printf(b, "<h1>%s</h1>", L(r, "Recherche", "Search"));
		wb_printf(b,
		          "<form method=\"get\" action=\"/search\"><p><label for=\"q\">%s</label> "
		          "<input id=\"q\" name=\"q\" type=\"search\" maxlength=\"%u\" value=\"",
		          L(r, "Mots recherchés (accents facultatifs)", "Words (accents optional)"),
		          WEB_QUERY_MAX);
		wb_htmls(b, q ? q : "");
		wb_printf(b, "\"> <button type=\"submit\">%s</button></p></form>",
		          L(r, "Rechercher", "Search"));
	} else {
		wb_printf(b, "<h1>%s</h1>", L(r, "Catalogue", "Catalogue"));
	}
	wb_puts(b, "<div class=\"layout\"><aside class=\"facets\" aria-label=\"");
	wb_puts(b, L(r, "Filtres", "Filters"));
	wb_puts(b, "\">");
	if (fc.ready) {
		facet_list(r, L(r, "Type", "Type"), "type", fc.type, fc.n_type, base);
		facet_list(r, L(r, "Thème", "Theme"), "theme", fc.theme, fc.n_theme, base);
		facet_list(r, L(r, "Statut", "Status"), "status", fc.status, fc.n_status, base);
		facet_list(r, L(r, "Licence", "Licence"), "licence", fc.licence, fc.n_licence,
		           base);
		if (fc.n_territory) {
			wb_printf(b, "<h2>%s</h2><ul>", L(r, "Territoire", "Territory"));
			const char *cur = web_form_get(&r->q, "territory");
			for (size_t i = 0; i < fc.n_territory; i++) {
				char hex[2 * PROTO_KEY_LEN + 1], name[256];
				proto_hex(fc.territory[i].key, PROTO_KEY_LEN, hex);
				web_territory_name(r->wk->st, fc.territory[i].key, name,
				                   sizeof name);
				bool on = cur && strcmp(cur, hex) == 0;
				wb_puts(b, "<li><a href=\"");
				filter_href(r, base, "territory", on ? NULL : hex, 0);
				wb_printf(b, "\"%s>%s", on ? " aria-current=\"true\"" : "",
				          on ? "✓ " : "");
				wb_htmls(b, name);
				wb_printf(b, "</a> (%llu)</li>",
				          (unsigned long long)fc.territory[i].n);
			}
			wb_puts(b, "</ul>");
		}
		wb_printf(b, "<p class=\"hint\">%s</p>",
		          L(r, "Nombres : tout le catalogue des territoires reconnus.",
		            "Counts: the whole catalogue of trusted territories."));
	}
	wb_puts(b, "<p><a href=\"");
	filter_href(r, base, "all", r->all ? NULL : "1", 0);
	wb_printf(
	    b, "\">%s</a></p></aside><section aria-label=\"%s\">",
	    r->all ? L(r, "Territoires reconnus seulement", "Trusted territories only")
	           : L(r, "Inclure les territoires non reconnus", "Include untrusted territories"),
	    L(r, "Résultats", "Results"));
	list_ctx c = { r, (page - 1) * WEB_PAGE_SIZE, WEB_PAGE_SIZE, 0, false, theme };
	int e = 0;
	wb_puts(b, "<ul class=\"cards\">");
	if (search && q && *q) {
		/* with a theme, rows are tested here: the search may give more than a page */
		size_t limit = theme ? MAILLE_SEARCH_LIMIT_MAX : (size_t)page * WEB_PAGE_SIZE + 1;
		e = store_search(r->wk->st, q, &f, limit, list_card, &c);
	} else if (!search) {
		e = store_list(r->wk->st, &f, list_card, &c);
	}
	wb_puts(b, "</ul>");
	if (e == MAILLE_EINVAL) {
		wb_printf(b, "<p class=\"error\">%s</p>",
		          L(r, "Saisissez au moins un mot.", "Type at least one word."));
	} else if (e < 0) {
		web_error(r, 500, "Lecture du catalogue impossible.", "Cannot read the catalogue.");
		return;
	} else if (!c.shown && (!search || (q && *q))) {
		wb_printf(b, "<p>%s</p>",
		          L(r, "Aucune fiche ne correspond.", "No record matches."));
	}
	if (page > 1 || c.more) {
		wb_printf(b, "<nav class=\"pager\" aria-label=\"%s\">", L(r, "Pages", "Pages"));
		if (page > 1) {
			wb_puts(b, "<a rel=\"prev\" href=\"");
			filter_href(r, base, NULL, NULL, page - 1);
			wb_printf(b, "\">← %s</a>", L(r, "Précédente", "Previous"));
		}
		wb_printf(b, "<span>%s %u</span>", L(r, "Page", "Page"), page);
		if (c.more && page < WEB_PAGE_MAX) {
			wb_puts(b, "<a rel=\"next\" href=\"");
			filter_href(r, base, NULL, NULL, page + 1);
			wb_printf(b, "\">%s →</a>", L(r, "Suivante", "Next"));
		}
		wb_puts(b, "</nav>");
	}
	wb_puts(b, "</section></div>");
	web_page_end(r);
}

/* ---- entry ----------------------------------------------------------------------------------- */

static int first_row(const store_row *row, void *ctx)
{
	/* the callback's row is borrowed: keep its id, the caller fetches its own copy */
	memcpy(((store_row *)ctx)->id, row->id, PROTO_ID_LEN);
	return 1;
}

int web_find_entry(web_req *r, const char *path, store_row *ret)
{
	size_t len = strlen(path);
	if (!proto_path_valid(path, len))
		return MAILLE_EINVAL;
	const char *t = web_form_get(&r->q, "territory");
	if (t && *t) {
		uint8_t key[PROTO_KEY_LEN];
		if (strlen(t) != 2 * PROTO_KEY_LEN || proto_unhex(t, key, PROTO_KEY_LEN))
			return MAILLE_EINVAL;
		return store_entry_get(r->wk->st, key, path, ret);
	}
	/* no territory: the path in our own territory first, else in any */
	store_row found;
	memset(&found, 0, sizeof found);
	int e = store_entry_find_path(r->wk->st, path, r->w->own, first_row, &found);
	if (e < 0)
		return e;
	if (e == 0) /* no live document: perhaps our own tombstone (a deleted record) */
		return store_entry_get(r->wk->st, r->w->own, path, ret);
	char hex[2 * PROTO_ID_LEN + 1];
	proto_hex(found.id, PROTO_ID_LEN, hex);
	return store_entry_get_id(r->wk->st, hex, ret);
}

/* The fields of table with page rank `rank`, in table order. */
static void fields_ranked(web_req *r, const proto_value *body, const proto_record_field *table,
                          unsigned rank);

/* An entry page lists the type's own fields, then the common ones, in the order the record
 * tables give (proto/record.h: page); then the body's other fields, in the body's order. The
 * heading shows the title, summary and description. */
static unsigned max_rank(const proto_record_field *table)
{
	unsigned m = 0;
	for (const proto_record_field *f = table; f && f->name; f++)
		if (f->page != PROTO_PAGE_HEAD && f->page > m)
			m = f->page;
	return m;
}

/* A reference (about, components, relations' target): a link when it is an entry path. */
static void ref_link(web_req *r, const char *s, size_t len)
{
	web_buf *b = &r->out;
	if (proto_path_valid(s, len) && memchr(s, '/', len)) {
		wb_puts(b, "<a href=\"/entry/");
		wb_url(b, s, len, true);
		wb_puts(b, "\">");
		store_row row;
		bool named = false;
		char *path = strndup(s, len);
		if (path && web_find_entry(r, path, &row) == 0) {
			proto_arena a;
			proto_arena_init(&a, 0);
			proto_value *body = web_row_body(&row, &a);
			if (body) {
				wb_htmls(b, web_body_title(r, body));
				named = true;
			}
			proto_arena_done(&a);
			store_row_done(&row);
		}
		free(path);
		if (!named)
			wb_html(b, s, len);
		wb_puts(b, "</a>");
		return;
	}
	web_value(r, &(proto_value){ .type = PROTO_V_STR, .u.str = { s, len } }, 0);
}

static void field_value(web_req *r, const proto_record_field *f, const proto_value *v)
{
	web_buf *b = &r->out;
	proto_display d = f ? f->display : PROTO_D_VALUE;
	if (d == PROTO_D_REFS && v->type == PROTO_V_ARRAY) {
		wb_puts(b, "<ul>");
		for (size_t i = 0; i < v->u.arr.n; i++) {
			const proto_value *it = &v->u.arr.items[i];
			wb_puts(b, "<li>");
			if (it->type == PROTO_V_STR)
				ref_link(r, it->u.str.ptr, it->u.str.len);
			else
				web_value(r, it, 1);
			wb_puts(b, "</li>");
		}
		wb_puts(b, "</ul>");
		return;
	}
	if (d == PROTO_D_RELATIONS && v->type == PROTO_V_ARRAY && f->obj) {
		/* the relation's table: its kind, then its target */
		const proto_record_field *m = f->obj->fields;
		wb_puts(b, "<ul>");
		for (size_t i = 0; i < v->u.arr.n; i++) {
			const proto_value *it = &v->u.arr.items[i];
			const proto_value *rel = proto_map_get(it, m[0].name),
			                  *tg = proto_map_get(it, m[1].name);
			wb_puts(b, "<li>");
			if (rel && rel->type == PROTO_V_STR && tg && tg->type == PROTO_V_STR) {
				wb_htmls(b, rel->u.str.ptr);
				wb_puts(b, " : ");
				ref_link(r, tg->u.str.ptr, tg->u.str.len);
			} else {
				web_value(r, it, 1);
			}
			wb_puts(b, "</li>");
		}
		wb_puts(b, "</ul>");
		return;
	}
	/* long free texts (a string or a language map) are Markdown like the description */
	const char *t = proto_langmap_pick(v, r->en ? "en" : "fr");
	if (t && (v->type == PROTO_V_STR ? strlen(t) > 80 : true) && strchr(t, '\n')) {
		web_markdown(b, t, strlen(t));
		return;
	}
	web_value(r, v, 0);
}

static void field_dt(web_req *r, const proto_record_field *f, const char *key,
                     const proto_value *v)
{
	web_buf *b = &r->out;
	const char *lab = f ? (r->en ? f->label.en : f->label.fr) : web_label(r, key);
	wb_puts(b, "<dt>");
	wb_htmls(b, lab ? lab : key);
	wb_puts(b, "</dt><dd>");
	field_value(r, f, v);
	wb_puts(b, "</dd>");
}

static void fields_ranked(web_req *r, const proto_value *body, const proto_record_field *table,
                          unsigned rank)
{
	for (const proto_record_field *f = table; f && f->name; f++) {
		if (f->page != rank)
			continue;
		const proto_value *v = proto_map_get(body, f->name);
		if (v && v->type != PROTO_V_NIL)
			field_dt(r, f, f->name, v);
	}
}

static void fields_dl(web_req *r, const proto_value *body, const char *type)
{
	web_buf *b = &r->out;
	const proto_record_type *t = type ? proto_record_type_find(type, strlen(type)) : NULL;
	const proto_record_field *tables[2] = { t ? t->fields : NULL, proto_record_common };
	wb_puts(b, "<dl class=\"fields\">");
	for (size_t l = 0; l < 2; l++)
		for (unsigned rank = 1, m = max_rank(tables[l]); rank <= m; rank++)
			fields_ranked(r, body, tables[l], rank);
	for (size_t i = 0; i < body->u.map.n; i++) {
		const proto_kv *kv = &body->u.map.items[i];
		const proto_record_field *f = proto_record_field_find(tables[0], kv->key);
		if (!f)
			f = proto_record_field_find(tables[1], kv->key);
		if (strcmp(kv->key, PROTO_F_TYPE) == 0 || strcmp(kv->key, PROTO_F_NAME) == 0 ||
		    (f && f->page != 0))
			continue;
		field_dt(r, f, kv->key, &kv->val);
	}
	wb_puts(b, "</dl>");
}

typedef struct other_ctx {
	web_req *r;
	const uint8_t *except;
	unsigned n;
} other_ctx;

static int other_version(const store_row *row, void *ctx)
{
	other_ctx *c = ctx;
	if (memcmp(row->entry.territory, c->except, PROTO_KEY_LEN) == 0)
		return 0;
	web_buf *b = &c->r->out;
	if (c->n++ == 0)
		wb_printf(b, "<h2>%s</h2><ul>",
		          L(c->r, "Autres versions connues ici", "Other versions known here"));
	char name[256], date[40];
	web_territory_name(c->r->wk->st, row->entry.territory, name, sizeof name);
	web_date(row->entry.timestamp, date, sizeof date);
	wb_puts(b, "<li><a href=\"");
	web_entry_href(b, row->entry.territory, row->entry.path, row->entry.path_len);
	wb_puts(b, "\">");
	wb_htmls(b, name);
	wb_printf(b, "</a>, %s</li>", date);
	return c->n >= 50;
}

bool web_row_verified(const store_row *row)
{
	uint8_t id[PROTO_ID_LEN];
	proto_entry_id(row->raw, row->raw_len, id);
	return memcmp(id, row->id, PROTO_ID_LEN) == 0 &&
	       proto_entry_verify(&row->entry, row->raw, row->raw_len) == 0;
}

void web_signature_error(web_req *r, const store_row *row)
{
	char idhex[2 * PROTO_ID_LEN + 1];
	proto_hex(row->id, PROTO_ID_LEN, idhex);
	LOG_WARN("WEB-SIGNATURE",
	         "%s: entry %.16s: the stored bytes do not match their id or signature (altered "
	         "in the store?); not shown, run 'maille check'",
	         r->path, idhex);
	web_error(r, 500,
	          "Signature invalide : le contenu enregistré de cette fiche ne correspond plus à "
	          "sa signature (il a été modifié sur ce nœud). Il n'est pas affiché ; "
	          "l'administrateur du nœud peut lancer « maille check ».",
	          "Invalid signature: the stored content of this record no longer matches its "
	          "signature (it was altered on this node). It is not shown; the node's "
	          "administrator can run 'maille check'.");
	if (strncmp(r->path, "/api/", 5) == 0) {
		/* the API's error object, and what a client tests: no body, not verified */
		wb_done(&r->out);
		wb_printf(&r->out,
		          "{\"error\": \"the stored signature of this record does not verify: its "
		          "content was altered on this node and is not shown\", \"status\": 500, "
		          "\"id\": \"%s\", \"signature_verified\": false}\n",
		          idhex);
	}
}

bool web_find_entry_or_error(web_req *r, const char *path, store_row *ret)
{
	int e = web_find_entry(r, path, ret);
	if (e == MAILLE_EINVAL)
		web_error(r, 400, "Chemin de fiche ou territoire mal formé.",
		          "Malformed record path or territory.");
	else if (e == MAILLE_ENOTFOUND)
		web_error(r, 404, "Aucune fiche à cette adresse.", "No record at this address.");
	else if (e)
		web_error(r, 500, "Lecture du catalogue impossible.", "Cannot read the catalogue.");
	return e == 0;
}

void web_page_entry(web_req *r, const char *rest)
{
	store_row row;
	if (!web_find_entry_or_error(r, rest, &row))
		return;
	if (!web_row_verified(&row)) { /* a tombstone too: a forged one would hide a record */
		web_signature_error(r, &row);
		store_row_done(&row);
		return;
	}
	if (row.entry.kind == PROTO_KIND_TOMBSTONE) {
		store_row_done(&row);
		web_error(r, 410, "Cette fiche a été supprimée par son territoire.",
		          "This record was deleted by its territory.");
		return;
	}
	const trust_view *tv = web_trust(r);
	proto_arena a;
	proto_arena_init(&a, 0);
	proto_value *body = web_row_body(&row, &a);
	if (!body) {
		proto_arena_done(&a);
		store_row_done(&row);
		web_error(r, 500, "Fiche illisible.", "Unreadable record.");
		return;
	}
	const proto_value *tv_ = proto_map_get(body, PROTO_F_TYPE);
	const char *type = tv_ && tv_->type == PROTO_V_STR ? tv_->u.str.ptr : NULL;
	const char *lang = r->en ? "en" : "fr";
	const char *title = web_body_title(r, body);
	web_page_begin(r, title, NULL);
	web_buf *b = &r->out;
	const char *tl = type ? web_label(r, type) : NULL;
	wb_printf(b, "<article><p class=\"meta\">");
	wb_htmls(b, tl ? tl : type ? type : "?");
	wb_puts(b, "</p><h1>");
	wb_htmls(b, title);
	wb_puts(b, "</h1>");
	const char *sum = proto_langmap_pick(proto_map_get(body, PROTO_F_SUMMARY), lang);
	if (sum) {
		wb_puts(b, "<p class=\"summary\"><strong>");
		wb_htmls(b, sum);
		wb_puts(b, "</strong></p>");
	}
	/* provenance */
	char terr[256], signer[512], hex[2 * PROTO_KEY_LEN + 1], date[40];
	web_territory_name(r->wk->st, row.entry.territory, terr, sizeof terr);
	web_signer_label(r->wk->st, &row.entry, signer, sizeof signer);
	bool trusted = tv && trust_find(tv, row.entry.territory);
	wb_printf(b, "<section class=\"prov\" aria-label=\"%s\"><h2>%s</h2><dl class=\"sub\">",
	          L(r, "Provenance", "Provenance"), L(r, "Provenance", "Provenance"));
	proto_hex(row.entry.territory, PROTO_KEY_LEN, hex);
	wb_printf(b, "<dt>%s</dt><dd><a href=\"/territory/%s\">", L(r, "Territoire", "Territory"),
	          hex);
	wb_htmls(b, terr);
	wb_puts(b, "</a>");
	if (!trusted)
		wb_printf(b, " <strong class=\"untrusted\">%s</strong>",
		          L(r, "non reconnu (aucune chaîne de garanties depuis ce nœud)",
		            "untrusted (no chain of vouches from this node)"));
	wb_printf(b, "</dd><dt>%s</dt><dd>", L(r, "Publié par", "Published by"));
	wb_htmls(b, signer);
	proto_hex(row.entry.signer, PROTO_KEY_LEN, hex);
	wb_printf(b, "</dd><dt>%s</dt><dd><code>%.8s</code></dd>",
	          L(r, "Empreinte de la clé de signature", "Signing key fingerprint"), hex);
	web_date(row.entry.timestamp, date, sizeof date);
	wb_printf(b, "<dt>%s</dt><dd>%s</dd>", L(r, "Version du", "Version of"), date);
	/* web_row_verified held above, for these very bytes */
	wb_printf(b, "<dt>%s</dt><dd class=\"ok\">%s</dd>", L(r, "Signature", "Signature"),
	          L(r, "signature vérifiée", "signature verified"));
	char idhex[2 * PROTO_ID_LEN + 1];
	proto_hex(row.id, PROTO_ID_LEN, idhex);
	wb_printf(b, "<dt>%s</dt><dd><code>%.16s</code></dd><dt>%s</dt><dd><code>",
	          L(r, "Identifiant", "Id"), idhex, L(r, "Chemin", "Path"));
	wb_html(b, row.entry.path, row.entry.path_len);
	wb_puts(b, "</code></dd></dl></section>");
	const char *desc = proto_langmap_pick(proto_map_get(body, PROTO_F_DESCRIPTION), lang);
	if (desc) {
		wb_printf(b, "<section aria-label=\"%s\"><h2>%s</h2>",
		          L(r, "Description", "Description"), L(r, "Description", "Description"));
		web_markdown(b, desc, strlen(desc));
		wb_puts(b, "</section>");
	}
	wb_printf(b, "<section><h2>%s</h2>", L(r, "Détails", "Details"));
	fields_dl(r, body, type);
	wb_puts(b, "</section>");
	char path[PROTO_PATH_MAX + 1];
	snprintf(path, sizeof path, "%.*s", (int)row.entry.path_len, row.entry.path);
	other_ctx oc = { r, row.entry.territory, 0 };
	store_entry_find_path(r->wk->st, path, NULL, other_version, &oc);
	if (oc.n)
		wb_puts(b, "</ul>");
	uint8_t mine[PROTO_KEY_LEN];
	const uint8_t *sk;
	char capref[WEB_CAPREF_CAP];
	bool editable = web_publish_territory(r, mine, &sk, capref) &&
	                memcmp(row.entry.territory, mine, PROTO_KEY_LEN) == 0 && type &&
	                web_publishable(type);
	if (editable) {
		char tok[65];
		web_csrf_token(r, tok);
		wb_printf(b, "<section><h2>%s</h2><p><a href=\"/publish?edit=",
		          L(r, "Gérer cette fiche", "Manage this record"));
		wb_url(b, path, strlen(path), true);
		wb_printf(b,
		          "\">%s</a></p><form method=\"post\" action=\"/delete\">"
		          "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
		          "<input type=\"hidden\" name=\"path\" value=\"",
		          L(r, "Modifier", "Edit"), tok);
		wb_htmls(b, path);
		wb_printf(
		    b,
		    "\"><p><input type=\"checkbox\" id=\"confirm\" name=\"confirm\" value=\"1\" "
		    "required> <label for=\"confirm\">%s</label></p><p><button "
		    "type=\"submit\">%s</button></p></form></section>",
		    L(r, "Je confirme la suppression (elle atteint tous les nœuds)",
		      "I confirm the deletion (it reaches every node)"),
		    L(r, "Supprimer", "Delete"));
	}
	wb_puts(b, "</article>");
	proto_arena_done(&a);
	store_row_done(&row);
	web_page_end(r);
}

/* ---- territory ------------------------------------------------------------------------------- */

typedef struct member_ctx {
	web_req *r;
	unsigned n;
} member_ctx;

static int member_row(const store_row *row, void *ctx)
{
	member_ctx *c = ctx;
	proto_member_cap cap;
	if (proto_member_cap_decode(&row->entry, &cap) != 0)
		return 0;
	web_buf *b = &c->r->out;
	char hex[2 * PROTO_KEY_LEN + 1];
	proto_hex(cap.member, PROTO_KEY_LEN, hex);
	wb_puts(b, "<li>");
	wb_htmls(b, cap.name);
	wb_printf(b, " — %s, <code>%.8s</code>", cap.role == PROTO_ROLE_ADMIN ? "admin" : "editor",
	          hex);
	if (cap.until_us != UINT64_MAX) {
		char date[40];
		web_date(cap.until_us, date, sizeof date);
		wb_printf(b, " (%s %s)", L(c->r, "jusqu'au", "until"), date);
	}
	wb_puts(b, "</li>");
	return ++c->n >= 200;
}

typedef struct vouch_ctx {
	web_req *r;
	unsigned n;
} vouch_ctx;

static int voucher_row(const store_row *row, void *ctx)
{
	vouch_ctx *c = ctx;
	uint8_t key[PROTO_KEY_LEN];
	bool active;
	if (proto_vouch_decode(&row->entry, key, &active) != 0 || !active)
		return 0;
	web_buf *b = &c->r->out;
	char hex[2 * PROTO_KEY_LEN + 1], name[256];
	proto_hex(row->entry.territory, PROTO_KEY_LEN, hex);
	web_territory_name(c->r->wk->st, row->entry.territory, name, sizeof name);
	wb_printf(b, "<li><a href=\"/territory/%s\">", hex);
	wb_htmls(b, name);
	wb_puts(b, "</a></li>");
	return ++c->n >= 200;
}

void web_page_territory(web_req *r, const char *rest)
{
	uint8_t key[PROTO_KEY_LEN];
	if (strlen(rest) != 2 * PROTO_KEY_LEN || proto_unhex(rest, key, PROTO_KEY_LEN)) {
		web_error(r, 400, "Clé de territoire mal formée (64 chiffres hexadécimaux).",
		          "Malformed territory key (64 hex digits).");
		return;
	}
	unsigned page = 1;
	const char *ps = web_form_get(&r->q, "page");
	if (ps && *ps) {
		char *end;
		unsigned long v = strtoul(ps, &end, 10);
		if (*end || ps[0] == '-' || v < 1 || v > WEB_PAGE_MAX) {
			web_error(r, 400, "Numéro de page invalide (1 à 500).",
			          "Invalid page number (1 to 500).");
			return;
		}
		page = (unsigned)v;
	}
	const trust_view *tv = web_trust(r);
	store_row trow;
	int e = store_entry_get(r->wk->st, key, "territory", &trow);
	if (e && e != MAILLE_ENOTFOUND) {
		web_error(r, 500, "Lecture du catalogue impossible.", "Cannot read the catalogue.");
		return;
	}
	proto_arena a;
	proto_arena_init(&a, 0);
	proto_value *body = e == 0 ? web_row_body(&trow, &a) : NULL;
	char name[256], hex[2 * PROTO_KEY_LEN + 1];
	web_territory_name(r->wk->st, key, name, sizeof name);
	proto_hex(key, PROTO_KEY_LEN, hex);
	web_page_begin(r, name, NULL);
	web_buf *b = &r->out;
	wb_puts(b, "<h1>");
	wb_htmls(b, name);
	wb_printf(b, "</h1><p class=\"meta\">%s <code>%s</code></p>",
	          L(r, "Clé du territoire", "Territory key"), hex);
	const trust_node *tn = tv ? trust_find(tv, key) : NULL;
	wb_printf(b, "<p>");
	if (!tn) {
		wb_printf(b, "<strong class=\"untrusted\">%s</strong>",
		          L(r, "Non reconnu : aucune chaîne de garanties depuis ce nœud.",
		            "Untrusted: no chain of vouches from this node."));
	} else if (tn->reason == TRUST_OWN) {
		wb_puts(b, L(r, "Le territoire de ce nœud.", "This node's territory."));
	} else if (tn->reason == TRUST_EXPLICIT) {
		wb_puts(b, L(r, "Reconnu explicitement par ce nœud.",
		             "Trusted explicitly by this node."));
	} else {
		char via[256];
		web_territory_name(r->wk->st, tn->via, via, sizeof via);
		wb_printf(b, "%s ", L(r, "Reconnu : garanti par", "Trusted: vouched for by"));
		wb_htmls(b, via);
		wb_printf(b, " (%u %s).", tn->hops, L(r, "maillon(s)", "hop(s)"));
	}
	wb_puts(b, "</p>");
	if (body) {
		wb_printf(b, "<h2>%s</h2>", L(r, "Profil", "Profile"));
		fields_dl(r, body, "territory");
	}
	if (e == 0)
		store_row_done(&trow);
	proto_arena_done(&a);

	store_filter f;
	memset(&f, 0, sizeof f);
	f.territory = key;
	f.type = "member";
	f.include_federation = true;
	wb_printf(b, "<h2>%s</h2><ul>", L(r, "Membres", "Members"));
	member_ctx mc = { r, 0 };
	store_list(r->wk->st, &f, member_row, &mc);
	wb_puts(b, "</ul>");
	if (!mc.n)
		wb_printf(b, "<p>%s</p>", L(r, "Aucun membre déclaré.", "No member declared."));

	char vpath[sizeof PROTO_VOUCHES_PREFIX + 2 * PROTO_KEY_LEN];
	snprintf(vpath, sizeof vpath, "%s%s", PROTO_VOUCHES_PREFIX, hex);
	wb_printf(b, "<h2>%s</h2><ul>", L(r, "Garanti par", "Vouched for by"));
	vouch_ctx vc = { r, 0 };
	store_entry_find_path(r->wk->st, vpath, NULL, voucher_row, &vc);
	wb_puts(b, "</ul>");
	if (!vc.n)
		wb_printf(b, "<p>%s</p>",
		          L(r, "Aucun territoire ne le garantit.", "No territory vouches for it."));

	memset(&f, 0, sizeof f);
	f.territory = key;
	wb_printf(b, "<h2>%s</h2><ul class=\"cards\">", L(r, "Fiches", "Records"));
	list_ctx c = { r, (page - 1) * WEB_PAGE_SIZE, WEB_PAGE_SIZE, 0, false, NULL };
	store_list(r->wk->st, &f, list_card, &c);
	wb_puts(b, "</ul>");
	if (!c.shown)
		wb_printf(b, "<p>%s</p>", L(r, "Aucune fiche.", "No record."));
	if (page > 1 || c.more) {
		wb_printf(b, "<nav class=\"pager\" aria-label=\"%s\">", L(r, "Pages", "Pages"));
		if (page > 1)
			wb_printf(b, "<a rel=\"prev\" href=\"/territory/%s?page=%u\">← %s</a>", hex,
			          page - 1, L(r, "Précédente", "Previous"));
		if (c.more && page < WEB_PAGE_MAX)
			wb_printf(b, "<a rel=\"next\" href=\"/territory/%s?page=%u\">%s →</a>", hex,
			          page + 1, L(r, "Suivante", "Next"));
		wb_puts(b, "</nav>");
	}
	web_page_end(r);
}

/* ---- network -----------------------------------------------------------------------------------
 */

static void when(web_req *r, json_t *us)
{
	if (!json_is_integer(us)) {
		wb_puts(&r->out, L(r, "jamais", "never"));
		return;
	}
	char date[40];
	web_date((uint64_t)json_integer_value(us), date, sizeof date);
	wb_puts(&r->out, date);
}

void web_page_network(web_req *r)
{
	const trust_view *tv = web_trust(r);
	web_page_begin(r, L(r, "Réseau", "Network"), "network");
	web_buf *b = &r->out;
	char name[256], hex[2 * PROTO_KEY_LEN + 1];
	web_territory_name(r->wk->st, r->w->own, name, sizeof name);
	proto_hex(r->w->own, PROTO_KEY_LEN, hex);
	wb_printf(b, "<h1>%s</h1><dl class=\"fields\"><dt>%s</dt><dd><a href=\"/territory/%s\">",
	          L(r, "Réseau", "Network"), L(r, "Ce nœud", "This node"), hex);
	wb_htmls(b, name);
	wb_printf(b, "</a> <code>%.8s</code></dd><dt>%s</dt><dd>", hex,
	          L(r, "Fédération", "Federation"));
	if (r->w->cfg.federation && *r->w->cfg.federation) {
		wb_htmls(b, r->w->cfg.federation);
		wb_puts(b, " ");
	}
	wb_puts(b, "<code>");
	wb_htmls(b, r->w->cfg.netkey_fp ? r->w->cfg.netkey_fp : "?");
	wb_puts(b, "</code></dd>");
	uint8_t fp[RBSR_FP_LEN];
	uint64_t count = 0, entries = 0, docs = 0;
	if (store_fingerprint(r->wk->st, fp, &count) == 0 &&
	    store_count(r->wk->st, &entries, &docs) == 0) {
		char fph[2 * RBSR_FP_LEN + 1];
		proto_hex(fp, RBSR_FP_LEN, fph);
		wb_printf(b,
		          "<dt>%s</dt><dd>%llu %s, %llu %s</dd><dt>%s</dt><dd><code>%s</code></dd>",
		          L(r, "Catalogue local", "Local catalogue"), (unsigned long long)entries,
		          L(r, "entrées", "entries"), (unsigned long long)docs,
		          L(r, "documents", "documents"),
		          L(r, "Empreinte du catalogue", "Catalogue fingerprint"), fph);
	}
	wb_printf(b, "<dt>%s</dt><dd>%zu</dd></dl>",
	          L(r, "Territoires reconnus", "Trusted territories"), tv ? tv->n : (size_t)0);

	char path[4200];
	snprintf(path, sizeof path, "%s/%s", r->w->cfg.dir, NODE_STATE_FILE);
	json_error_t jerr;
	json_t *st = json_load_file(path, 0, &jerr);
	wb_printf(b, "<h2>%s</h2>", L(r, "Pairs", "Peers"));
	if (!json_is_object(st)) {
		wb_printf(b, "<p>%s</p>",
		          L(r, "État du démon indisponible.", "Daemon state unavailable."));
		json_decref(st);
		web_page_end(r);
		return;
	}
	json_t *conn = json_object_get(st, "connected");
	wb_printf(b, "<p>%s : %lld. %s : ", L(r, "Connectés", "Connected"),
	          json_is_integer(conn) ? (long long)json_integer_value(conn) : 0LL,
	          L(r, "Dernière synchronisation", "Last sync"));
	when(r, json_object_get(st, "last_sync_us"));
	wb_puts(b, ".</p>");
	json_t *peers = json_object_get(st, "peers");
	if (!json_is_array(peers) || json_array_size(peers) == 0) {
		wb_printf(b, "<p>%s</p>",
		          L(r, "Aucun pair. Ajoutez-en un avec « maille peer add HÔTE:PORT ».",
		            "No peer. Add one with 'maille peer add HOST:PORT'."));
	} else {
		wb_printf(
		    b,
		    "<table><caption>%s</caption><thead><tr><th scope=\"col\">%s</th>"
		    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
		    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead><tbody>",
		    L(r, "Pairs du démon", "The daemon's peers"), L(r, "Adresse", "Address"),
		    L(r, "Territoire", "Territory"), L(r, "État", "State"),
		    L(r, "Fiches envoyées", "Entries sent"),
		    L(r, "Fiches reçues", "Entries received"),
		    L(r, "Dernière synchronisation", "Last sync"));
		size_t i;
		json_t *p;
		json_array_foreach(peers, i, p)
		{
			if (i >= 256)
				break;
			const char *addr = json_string_value(json_object_get(p, "address"));
			const char *key = json_string_value(json_object_get(p, "key"));
			const char *state = json_string_value(json_object_get(p, "state"));
			json_t *sent = json_object_get(p, "sent"),
			       *recv = json_object_get(p, "received");
			wb_puts(b, "<tr><td>");
			wb_htmls(b, addr ? addr : "?");
			wb_puts(b, "</td><td>");
			uint8_t pk[PROTO_KEY_LEN];
			if (key && strlen(key) == 2 * PROTO_KEY_LEN &&
			    proto_unhex(key, pk, PROTO_KEY_LEN) == 0) {
				char pn[256];
				web_territory_name(r->wk->st, pk, pn, sizeof pn);
				wb_printf(b, "<a href=\"/territory/%s\">", key);
				wb_htmls(b, pn);
				wb_puts(b, "</a>");
			} else {
				wb_puts(b, "—");
			}
			wb_puts(b, "</td><td>");
			const char *sl = state ? web_label(r, state) : NULL;
			wb_htmls(b, sl ? sl : state ? state : "?");
			wb_printf(b, "</td><td>%lld</td><td>%lld</td><td>",
			          json_is_integer(sent) ? (long long)json_integer_value(sent) : 0LL,
			          json_is_integer(recv) ? (long long)json_integer_value(recv)
			                                : 0LL);
			when(r, json_object_get(p, "last_sync_us"));
			wb_puts(b, "</td></tr>");
		}
		wb_puts(b, "</tbody></table>");
	}
	json_decref(st);
	web_page_end(r);
}
