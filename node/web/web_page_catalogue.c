/* node/web/web_page_catalogue.c: the pages that list the catalogue: home (figures, latest
 * records), catalogue and search (facets, filters, pages of cards), and what the JSON API
 * shares with them: the filters of the query string and the pager. Every byte of user content
 * goes through wb_html. */
#include <stdlib.h>
#include <string.h>

#include "proto/coop.h"
#include "proto/error.h"
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

bool web_page_param(web_req *r, unsigned *ret_page)
{
	const char *page = web_form_get(&r->q, "page");
	unsigned long v = 1;
	if (page && *page) {
		char *end;
		v = strtoul(page, &end, 10);
		if (*end || page[0] == '-' || page[0] == '+' || v < 1 || v > WEB_PAGE_MAX) {
			web_error(r, 400, "Numéro de page invalide (1 à 500).",
			          "Invalid page number (1 to 500).");
			return false;
		}
	}
	*ret_page = (unsigned)v;
	return true;
}

bool web_filters(web_req *r, web_query *ret)
{
	memset(ret, 0, sizeof *ret);
	store_filter *f = &ret->f;
	const char *q = web_form_get(&r->q, "q");
	if (q && strlen(q) > WEB_QUERY_MAX) {
		web_error(r, 400, "Recherche trop longue.", "Search too long.");
		return false;
	}
	ret->q = q;
	const char *type = web_form_get(&r->q, "type"), *theme = web_form_get(&r->q, "theme");
	const char *status = web_form_get(&r->q, "status"),
	           *terr = web_form_get(&r->q, "territory");
	const char *lic = web_form_get(&r->q, "licence");
	if (type && *type) {
		if (!in_list(proto_schema_types, type)) {
			web_unknown_type(r, false);
			return false;
		}
		f->type = type;
		/* the federation's own records are listed on the territory and network pages */
		/* territory records and acts are listed when asked for by type */
		f->include_federation =
		    strcmp(type, "territory") == 0 || proto_coop_is_act(type, strlen(type));
	}
	if (theme && *theme) {
		if (!token_ok(theme, 64)) {
			web_error(r, 400, "Thème mal formé.", "Malformed theme.");
			return false;
		}
		ret->theme = theme;
	}
	if (status && *status) {
		/* the common statuses, and a call's own (open, in progress, closed) */
		const proto_record_field *cs = proto_record_type_field(
		    proto_record_type_find(PROTO_T_CALL, strlen(PROTO_T_CALL)), PROTO_F_STATUS);
		if (!in_list(proto_schema_statuses, status) &&
		    !(cs && proto_vocab_label(cs->vocab, status, false))) {
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
		    proto_unhex(terr, ret->territory, PROTO_KEY_LEN)) {
			web_error(r, 400, "Territoire mal formé (64 chiffres hexadécimaux).",
			          "Malformed territory (64 hex digits).");
			return false;
		}
		f->territory = ret->territory;
	}
	if (!web_page_param(r, &ret->page))
		return false;
	f->trusted_only = !r->all;
	web_trust(r);
	return true;
}

void web_filter_href_to(web_req *r, web_buf *b, const char *base, const char *key,
                        const char *value, unsigned page)
{
	static const char *const keys[] = { "q",         "type",    "theme", "status",
		                            "territory", "licence", "all",   NULL };
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

/* web_filter_href_to into the page. */
static void filter_href(web_req *r, const char *base, const char *key, const char *value,
                        unsigned page)
{
	web_filter_href_to(r, &r->out, base, key, value, page);
}

/* ---- home ---------------------------------------------------------------------------------- */

int web_pager_row(web_pager *p, const store_row *row)
{
	if (!web_row_has_theme(row, p->theme))
		return 0;
	if (p->skip) {
		p->skip--;
		return 0;
	}
	if (p->shown == p->take) {
		p->more = true;
		return -1;
	}
	p->shown++;
	return 1;
}

int web_pager_run(web_req *r, const char *q, const store_filter *f, unsigned page,
                  const char *theme, web_pager *p, store_row_cb cb, void *ctx)
{
	*p = (web_pager){ (page - 1) * WEB_PAGE_SIZE, WEB_PAGE_SIZE, 0, false, theme };
	if (!q || !*q)
		return store_list(r->wk->st, f, cb, ctx);
	/* with a theme, rows are tested one by one: the search may give more than a page */
	size_t limit = theme ? MAILLE_SEARCH_LIMIT_MAX : (size_t)page * WEB_PAGE_SIZE + 1;
	return store_search(r->wk->st, q, f, limit, cb, ctx);
}

int web_list_card(const store_row *row, void *ctx)
{
	web_list_ctx *c = ctx;
	int on = web_pager_row(&c->pg, row);
	if (on > 0)
		web_row_card(c->r, row);
	return on < 0;
}

/* A count as a page shows it: beyond WEB_COUNT_EXACT, "plus de 1 000". */
#define WEB_COUNT_EXACT 1000u
static void count_put(web_req *r, uint64_t n)
{
	if (n > WEB_COUNT_EXACT)
		wb_puts(&r->out, L(r, "plus de 1&nbsp;000", "more than 1,000"));
	else
		wb_printf(&r->out, "%llu", (unsigned long long)n);
}

/* A status by its vocabulary's label: the common statuses, then a call's own ("open" is
 * also a component's field, "Libres", which web_label would find first). */
static const char *status_label(const web_req *r, const char *s)
{
	const proto_record_field *cs = proto_record_type_field(
	    proto_record_type_find(PROTO_T_CALL, strlen(PROTO_T_CALL)), PROTO_F_STATUS);
	const char *lab = proto_vocab_label(&proto_vocab_statuses, s, r->en);
	return lab ? lab : cs ? proto_vocab_label(cs->vocab, s, r->en) : NULL;
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
		const char *lab = strcmp(key, "status") == 0 ? status_label(r, v[i].value)
		                                            : web_label(r, v[i].value);
		if (on)
			wb_puts(b, "✓ ");
		wb_htmls(b, lab ? lab : v[i].value);
		wb_puts(b, "</a> (");
		count_put(r, v[i].n);
		wb_puts(b, ")</li>");
	}
	wb_puts(b, "</ul>");
}

void web_page_home(web_req *r, const char *rest)
{
	(void)rest;
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
	web_coop_home(r);
	wb_printf(b, "<h2>%s</h2><ul class=\"cards\">", L(r, "Dernières fiches", "Latest records"));
	store_filter f;
	memset(&f, 0, sizeof f);
	f.trusted_only = true;
	web_list_ctx c = { r, { 0, 10, 0, false, NULL } };
	int e = store_list(r->wk->st, &f, web_list_card, &c);
	wb_puts(b, "</ul>");
	if (e < 0) {
		web_error(r, 500, "Lecture du catalogue impossible.", "Cannot read the catalogue.");
		return;
	}
	if (!c.pg.shown)
		wb_printf(b, "<p>%s <a href=\"/publish\">%s</a></p>",
		          L(r, "Le catalogue est vide.", "The catalogue is empty."),
		          L(r, "Publier une fiche", "Publish a record"));
	wb_printf(b, "<p><a href=\"/catalogue\">%s</a></p>",
	          L(r, "Tout le catalogue", "The whole catalogue"));
	web_page_end(r);
}

/* ---- catalogue and search -------------------------------------------------------------------- */

/* A search's own counts: its matches (at most WEB_SEARCH_WALK of them) by facet, so that the
 * numbers beside the filters follow the words and the filters (store_search_matches). Walking
 * a match costs ~10 µs (its row and themes): 10 000 of a frequent word took 40 ms at 100k
 * records, 1 000 take a tenth; past them the page says "plus de 1 000". */
#define WEB_SEARCH_WALK WEB_COUNT_EXACT

static void search_count(web_facet *v, size_t *n, size_t cap, const char *s)
{
	if (s && *s)
		web_facet_add(v, n, cap, s, strlen(s));
}

static int search_match(const store_match *m, void *ctx)
{
	web_facets *f = ctx;
	size_t i;
	f->total++;
	search_count(f->type, &f->n_type, 8, m->type);
	search_count(f->status, &f->n_status, WEB_FACET_STATUSES, m->status);
	search_count(f->licence, &f->n_licence, WEB_FACET_VALUES, m->licence);
	for (const char *t = m->themes; *t;) {
		const char *e = strchr(t, '\x1f');
		size_t len = e ? (size_t)(e - t) : strlen(t);
		if (len)
			web_facet_add(f->theme, &f->n_theme, WEB_FACET_VALUES, t, len);
		t += len + (e ? 1 : 0);
	}
	for (i = 0; i < f->n_territory; i++)
		if (memcmp(f->territory[i].key, m->territory, PROTO_KEY_LEN) == 0)
			break;
	if (i < f->n_territory) {
		f->territory[i].n++;
	} else if (f->n_territory < WEB_FACET_VALUES) {
		memcpy(f->territory[i].key, m->territory, PROTO_KEY_LEN);
		f->territory[i].n = 1;
		f->n_territory++;
	}
	return 0;
}

/* The facets of the words q under the page's filters (the theme filter included), into *ret
 * (q NULL: of the filters alone); *ret_more when more than WEB_SEARCH_WALK records match. 0 or
 * the store's error. */
static int search_facets(web_req *r, const char *q, const web_query *wq, web_facets *ret,
                         bool *ret_more)
{
	store_filter f = wq->f;
	size_t n = 0;
	f.theme = wq->theme;
	memset(ret, 0, sizeof *ret);
	int e = store_search_matches(r->wk->st, q, &f, WEB_SEARCH_WALK, search_match, ret, &n,
	                             ret_more);
	if (e)
		return e;
	qsort(ret->type, ret->n_type, sizeof ret->type[0], web_facet_cmp);
	qsort(ret->theme, ret->n_theme, sizeof ret->theme[0], web_facet_cmp);
	qsort(ret->status, ret->n_status, sizeof ret->status[0], web_facet_cmp);
	qsort(ret->licence, ret->n_licence, sizeof ret->licence[0], web_facet_cmp);
	ret->ready = true;
	return 0;
}

/* « N résultats » of a search (more than WEB_COUNT_EXACT: "plus de 1 000"). */
static void search_total(web_req *r, uint64_t n)
{
	web_buf *b = &r->out;
	wb_puts(b, "<p class=\"count\" role=\"status\">");
	if (n == 0) {
		wb_puts(b, L(r, "Aucun résultat", "No result"));
	} else {
		count_put(r, n);
		wb_puts(b, n == 1 ? L(r, " résultat", " result") : L(r, " résultats", " results"));
	}
	wb_puts(b, "</p>");
}

/* A search without results: the nearest words of the records, each a link to its search. */
static void search_suggestions(web_req *r, const char *q)
{
	char sug[STORE_SUGGEST_MAX][STORE_SUGGEST_LEN];
	size_t n = 0;
	if (store_suggest(r->wk->st, q, sug, STORE_SUGGEST_MAX, &n) != 0 || n == 0)
		return;
	web_buf *b = &r->out;
	wb_printf(b, "<p class=\"suggest\">%s ", L(r, "Vouliez-vous dire", "Did you mean"));
	for (size_t i = 0; i < n; i++) {
		if (i)
			wb_printf(b, " %s ", L(r, "ou", "or"));
		wb_puts(b, "<a href=\"");
		filter_href(r, "/search", "q", sug[i], 0);
		wb_puts(b, "\">");
		wb_htmls(b, sug[i]);
		wb_puts(b, "</a>");
	}
	wb_puts(b, L(r, "&nbsp;?</p>", "?</p>"));
}

static void catalogue_page(web_req *r, bool search)
{
	web_query wq;
	if (!web_filters(r, &wq))
		return;
	const char *q = wq.q;
	unsigned page = wq.page;
	web_facets fc;
	bool searching = search && q && *q, more = false;
	/* a catalogue page with filters counts what they keep, like a search its matches; the
	 * whole catalogue's counts (kept up to date by the server) serve the page without any */
	bool filtered = !search && (wq.f.type || wq.theme || wq.f.status || wq.f.licence ||
	                            wq.f.territory || r->all);
	int se = 0;
	if (searching)
		se = search_facets(r, q, &wq, &fc, &more);
	else if (filtered)
		se = search_facets(r, NULL, &wq, &fc, &more);
	else
		web_facets_get(r->w, &fc);
	if (se == MAILLE_EINVAL) { /* no word: the search below says so */
		searching = false;
		memset(&fc, 0, sizeof fc);
	} else if (se) {
		web_error(r, 500, "Lecture du catalogue impossible.", "Cannot read the catalogue.");
		return;
	}
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
		if (searching)
			search_total(r, more ? WEB_SEARCH_WALK + 1 : fc.total);
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
				wb_puts(b, "</a> (");
				count_put(r, fc.territory[i].n);
				wb_puts(b, ")</li>");
			}
			wb_puts(b, "</ul>");
		}
		wb_printf(b, "<p class=\"hint\">%s</p>",
		          !searching && !filtered
		              ? L(r, "Nombres : tout le catalogue des territoires reconnus.",
		                  "Counts: the whole catalogue of trusted territories.")
		          : more ? L(r, "Nombres : les 1&nbsp;000 premières fiches trouvées.",
		                     "Counts: the first 1,000 records found.")
		                 : L(r, "Nombres : les fiches trouvées.", "Counts: the records found."));
	}
	wb_puts(b, "<p><a href=\"");
	filter_href(r, base, "all", r->all ? NULL : "1", 0);
	wb_printf(
	    b, "\">%s</a></p></aside><section aria-label=\"%s\">",
	    r->all ? L(r, "Territoires reconnus seulement", "Trusted territories only")
	           : L(r, "Inclure les territoires non reconnus", "Include untrusted territories"),
	    L(r, "Résultats", "Results"));
	web_list_ctx c = { r, { 0 } };
	int e = 0;
	wb_puts(b, "<ul class=\"cards\">");
	if (!search || (q && *q)) /* a search without words lists nothing */
		e = web_pager_run(r, search ? q : NULL, &wq.f, page, wq.theme, &c.pg, web_list_card,
		                  &c);
	wb_puts(b, "</ul>");
	if (e == MAILLE_EINVAL) {
		wb_printf(b, "<p class=\"error\">%s</p>",
		          L(r, "Saisissez au moins un mot.", "Type at least one word."));
	} else if (e < 0) {
		web_error(r, 500, "Lecture du catalogue impossible.", "Cannot read the catalogue.");
		return;
	} else if (!c.pg.shown && (!search || (q && *q))) {
		wb_printf(b, "<p>%s</p>",
		          L(r, "Aucune fiche ne correspond.", "No record matches."));
		if (searching && page == 1)
			search_suggestions(r, q);
	}
	if (page > 1 || c.pg.more) {
		wb_printf(b, "<nav class=\"pager\" aria-label=\"%s\">", L(r, "Pages", "Pages"));
		if (page > 1) {
			wb_puts(b, "<a rel=\"prev\" href=\"");
			filter_href(r, base, NULL, NULL, page - 1);
			wb_printf(b, "\">← %s</a>", L(r, "Précédente", "Previous"));
		}
		wb_printf(b, "<span>%s %u</span>", L(r, "Page", "Page"), page);
		if (c.pg.more && page < WEB_PAGE_MAX) {
			wb_puts(b, "<a rel=\"next\" href=\"");
			filter_href(r, base, NULL, NULL, page + 1);
			wb_printf(b, "\">%s →</a>", L(r, "Suivante", "Next"));
		}
		wb_puts(b, "</nav>");
	}
	wb_puts(b, "</section></div>");
	web_page_end(r);
}

void web_page_catalogue(web_req *r, const char *rest)
{
	(void)rest;
	catalogue_page(r, false);
}

void web_page_search(web_req *r, const char *rest)
{
	(void)rest;
	catalogue_page(r, true);
}
