/* node/web/web_site.c: `maille export --format site` — chosen records as a static site that
 * needs no server and runs no script: index.html (a territory's public inventory: every record
 * with its type, status, summary and last change, use cases first), one page a record with
 * the same field list as the web catalogue's entry page (web_fields), and maille.css, the web
 * catalogue's own stylesheet, so that it looks the same. A link to a record of the site is a
 * relative link to its page; a link to another record of the catalogue goes to base_url's web
 * catalogue when given, else it stays text. Pages are rendered with the web catalogue's
 * renderers in a request of their own that no connection carries (web_site_req). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/formats/export.h"
#include "node/service/datefmt.h"
#include "node/service/recordtext.h"
#include "proto/error.h"
#include "web_int.h"

/* A request for the renderers: a store, a zone and a language; no connection, no worker pool. */
typedef struct web_site_req {
	web_server w;
	web_worker wk;
	web_req r;
} web_site_req;

static void site_req_init(web_site_req *q, store *st, const export_set *s, const char *zone,
                          bool en)
{
	memset(q, 0, sizeof *q);
	q->wk.st = st;
	q->w.zone = zone ? datefmt_zone_find(zone) : NULL;
	if (!q->w.zone)
		q->w.zone = datefmt_zone_default();
	memcpy(q->w.own, s->node_key, PROTO_KEY_LEN);
	q->r.w = &q->w;
	q->r.wk = &q->wk;
	q->r.en = en;
	q->r.all = true;
}

/* The relative way from a page at path (its '/' count) to the site's top. */
static void up(web_buf *b, const char *path)
{
	for (const char *p = path; (p = strchr(p, '/')); p++)
		wb_puts(b, "../");
}

/* The records of the site by "<territory hex>/<path>", sorted, for the links between pages. */
typedef struct site_keys {
	char **v;
	size_t n;
} site_keys;

static int cmp_key(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether the site has the record at (hex, path[0..path_len)). */
static bool site_has(const site_keys *k, const char *hex, const char *path, size_t path_len)
{
	char key[2 * PROTO_KEY_LEN + 2 + PROTO_PATH_MAX + 1];
	if (path_len > PROTO_PATH_MAX)
		return false;
	snprintf(key, sizeof key, "%s/%.*s", hex, (int)path_len, path);
	const char *kp = key;
	return k->n && bsearch(&kp, k->v, k->n, sizeof *k->v, cmp_key) != NULL;
}

/* html with its links to the web catalogue's entries (href="/entry/P?territory=K") made
 * relative (a record of the site), absolute (base_url) or dropped (the link's text stays). */
static void relink(web_buf *out, const export_set *s, const site_keys *keys, const char *from,
                   const char *html, size_t len)
{
	static const char pat[] = "<a href=\"/entry/";
	const char *p = html, *end = html + len;
	while (p < end) {
		const char *a = strstr(p, pat);
		if (!a || a >= end) {
			wb_put(out, p, (size_t)(end - p));
			return;
		}
		wb_put(out, p, (size_t)(a - p));
		const char *path = a + sizeof pat - 1;
		const char *q = strstr(path, "?territory=");
		const char *close = strchr(path, '"');
		const char *gt = close ? strchr(close, '>') : NULL;
		if (!q || !close || !gt || q > close || close - q - 11 != 2 * PROTO_KEY_LEN) {
			wb_put(out, a, sizeof pat - 1);
			p = path;
			continue;
		}
		char hex[2 * PROTO_KEY_LEN + 1];
		memcpy(hex, q + 11, 2 * PROTO_KEY_LEN);
		hex[2 * PROTO_KEY_LEN] = '\0';
		/* the path as written in the href is percent-encoded with '/' kept: the paths of
		 * records hold no character that encoding changes (PROTOCOL.md §1.3) */
		if (site_has(keys, hex, path, (size_t)(q - path))) {
			wb_puts(out, "<a href=\"");
			up(out, from);
			wb_put(out, path, (size_t)(q - path));
			wb_puts(out, ".html\">");
			p = gt + 1;
		} else if (s->base_url) {
			wb_puts(out, "<a href=\"");
			wb_htmls(out, s->base_url);
			wb_put(out, path - 7, (size_t)(gt + 1 - (path - 7)));
			p = gt + 1;
		} else {
			/* no page to go to: the link's text only, its closing tag dropped */
			const char *end_a = strstr(gt, "</a>");
			if (!end_a || end_a >= end) {
				wb_put(out, gt + 1, (size_t)(end - gt - 1));
				return;
			}
			wb_put(out, gt + 1, (size_t)(end_a - gt - 1));
			p = end_a + 4;
		}
	}
}

static void page_begin(web_buf *b, const export_set *s, bool en, const char *title,
                       const char *from)
{
	wb_printf(b,
	          "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
	          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>",
	          en ? "en" : "fr");
	wb_htmls(b, title);
	wb_puts(b, " — ");
	wb_htmls(b, s->title ? s->title : "Maille");
	wb_puts(b, "</title><link rel=\"stylesheet\" href=\"");
	up(b, from);
	wb_puts(b, "maille.css\"></head><body>");
	wb_printf(b, "<a class=\"skip\" href=\"#main\">%s</a>",
	          en ? "Skip to content" : "Aller au contenu");
	wb_puts(b, "<header><p class=\"site\"><a class=\"brand\" href=\"");
	up(b, from);
	wb_puts(b, "index.html\">Maille</a>");
	if (s->title) {
		wb_puts(b, " <span class=\"territory\">");
		wb_htmls(b, s->title);
		wb_puts(b, "</span>");
	}
	wb_puts(b, "</p></header><main id=\"main\">");
}

static void page_end(web_buf *b, const export_set *s, bool en)
{
	char when[64];
	datefmt_time(s->now_us, datefmt_zone_default(), en, when, sizeof when);
	wb_puts(b, "</main><footer><p>");
	wb_htmls(b, en ? "Published with Maille, the territories' federated catalogue, on "
	               : "Publié avec Maille, le catalogue fédéré des territoires, le ");
	wb_htmls(b, when);
	wb_puts(b, en ? ". Every record is signed by the territory that publishes it."
	              : ". Chaque fiche est signée par le territoire qui la publie.");
	wb_puts(b, "</p></footer></body></html>\n");
}

/* What the index shows of a record, kept while the pages are written. */
typedef struct site_row {
	const export_record *rec;
	const char *title, *status, *summary; /* arena copies; status, summary may be NULL */
} site_row;

typedef struct site_run {
	web_site_req *q;
	const export_set *s;
	export_sink *o;
	proto_arena a;
	site_row *rows; /* one a record written, in the set's order */
	size_t n;
	site_keys keys;
	web_buf b;
} site_run;

/* The order of the index: use cases first (the algorithm inventory), then the other types in
 * the tables' order. */
static int type_rank(const char *type)
{
	if (strcmp(type, "use_case") == 0)
		return -1;
	for (size_t i = 0; i < proto_record_n_types; i++)
		if (strcmp(proto_record_types[i].name, type) == 0)
			return (int)i;
	return 1000;
}

/* Hands what b holds to the file begun in o, b emptied; 0 or the error. */
static int flush(export_sink *o, web_buf *b)
{
	int r = b->failed ? MAILLE_ENOMEM : b->len ? o->write(o->ctx, b->p, b->len) : 0;
	wb_done(b);
	return r;
}

/* index.html, written in pieces as it grows (a catalogue of many thousand rows is more than a
 * page's buffer holds). */
static int index_page(site_run *run, web_buf *b)
{
	int e = run->o->begin(run->o->ctx, "index.html");
	if (e)
		return e;
	web_req *r = &run->q->r;
	const export_set *s = run->s;
	bool en = r->en;
	bool inventory = true;
	for (size_t i = 0; i < run->n; i++)
		inventory = inventory && strcmp(run->rows[i].rec->type, "use_case") == 0;
	const char *h1 = inventory ? (en ? "Public algorithm inventory" : "Inventaire des algorithmes publics")
	                           : (en ? "Catalogue" : "Catalogue");
	page_begin(b, s, en, h1, "");
	wb_puts(b, "<h1>");
	wb_htmls(b, h1);
	wb_puts(b, "</h1><p>");
	if (inventory)
		wb_htmls(b, en ? "The algorithms and AI systems this territory uses, each with its "
		                 "purpose, its place in decisions, its human oversight and its risks."
		               : "Les algorithmes et systèmes d'IA que ce territoire utilise, chacun "
		                 "avec sa finalité, sa place dans la décision, son contrôle humain et "
		                 "ses risques.");
	else
		wb_htmls(b, en ? "Methodologies, use cases, components and experience reports on AI "
		                 "and public algorithms."
		               : "Méthodologies, cas d'usage, composants et retours d'expérience sur "
		                 "l'IA et les algorithmes publics.");
	wb_printf(b, "</p><p>%zu %s</p>", run->n,
	          en ? (run->n == 1 ? "record" : "records") : (run->n == 1 ? "fiche" : "fiches"));
	for (int rank = -1; rank <= (int)proto_record_n_types && !e; rank++) {
		bool opened = false;
		for (size_t i = 0; i < run->n; i++) {
			const site_row *row = &run->rows[i];
			const export_record *rec = row->rec;
			int tr = type_rank(rec->type);
			if (tr != rank && !(rank == (int)proto_record_n_types && tr == 1000))
				continue;
			if (!opened) {
				const char *tl = recordtext_label(rec->type, en);
				wb_puts(b, "<h2>");
				wb_htmls(b, tl ? tl : rec->type);
				wb_printf(b, "</h2><table><thead><tr><th scope=\"col\">%s</th><th "
				             "scope=\"col\">%s</th><th scope=\"col\">%s</th><th "
				             "scope=\"col\">%s</th></tr></thead><tbody>",
				          en ? "Record" : "Fiche", en ? "Status" : "Statut",
				          en ? "Summary" : "Résumé", en ? "Last change" : "Dernière modification");
				opened = true;
			}
			wb_puts(b, "<tr><td><a href=\"");
			wb_url(b, rec->path, strlen(rec->path), true);
			wb_puts(b, ".html\">");
			wb_htmls(b, row->title);
			wb_puts(b, "</a></td><td>");
			if (row->status) {
				const char *sl = web_label(r, row->status);
				wb_htmls(b, sl ? sl : row->status);
			}
			wb_puts(b, "</td><td>");
			if (row->summary)
				wb_htmls(b, row->summary);
			char when[64];
			web_date(r, rec->timestamp_us, when, sizeof when);
			wb_puts(b, "</td><td>");
			wb_htmls(b, when);
			wb_puts(b, "</td></tr>");
			if (b->len > 64 * 1024 && (e = flush(run->o, b)) != 0)
				break;
		}
		if (opened)
			wb_puts(b, "</tbody></table>");
	}
	page_end(b, s, en);
	if (!e)
		e = flush(run->o, b);
	wb_done(b);
	return export_end(run->o, e);
}

/* A record's page: the web catalogue's entry page without its forms and its network parts
 * (type, territory and date, title, summary, description, then the field list). */
static void record_page(web_site_req *q, const export_set *s, const site_keys *keys,
                        const export_record *rec, const proto_value *body, web_buf *b)
{
	web_req *r = &q->r;
	bool en = r->en;
	const char *lang = en ? "en" : "fr";
	const char *title = web_body_title(r, body);
	page_begin(b, s, en, title, rec->path);
	wb_puts(b, "<p><a href=\"");
	up(b, rec->path);
	wb_printf(b, "index.html\">%s</a></p><article><p class=\"meta\">",
	          en ? "Back to the list" : "Retour à la liste");
	const char *tl = web_label(r, rec->type);
	wb_htmls(b, tl ? tl : rec->type);
	wb_puts(b, " · ");
	const export_territory *t = export_territory_of(s, rec->territory);
	wb_htmls(b, t ? t->name : "?");
	char when[64];
	web_date(r, rec->timestamp_us, when, sizeof when);
	wb_printf(b, " · %s ", en ? "updated" : "mise à jour le");
	wb_htmls(b, when);
	wb_puts(b, "</p><h1>");
	wb_htmls(b, title);
	wb_puts(b, "</h1>");
	web_entry_text(r, b, body, lang);
	wb_printf(b, "<section aria-labelledby=\"h-details\"><h2 id=\"h-details\">%s</h2>",
	          en ? "Details" : "Détails");
	/* the entry page's field list, its links to other records made the site's */
	web_buf saved = r->out;
	r->out = (web_buf){ 0 };
	web_fields(r, body, rec->type, rec->territory);
	web_buf fields = r->out;
	r->out = saved;
	if (fields.failed)
		b->failed = true;
	else if (fields.p)
		relink(b, s, keys, rec->path, fields.p, fields.len);
	wb_done(&fields);
	wb_puts(b, "</section></article>");
	page_end(b, s, en);
}

static char *keep(site_run *run, const char *t)
{
	return t ? proto_arena_strndup(&run->a, t, strlen(t)) : NULL;
}

/* A record's page, and its row of the index kept. */
static int site_record(void *ctx, const export_record *rec, const proto_value *body)
{
	site_run *run = ctx;
	web_req *r = &run->q->r;
	site_row *row = &run->rows[run->n];
	const proto_value *st = proto_map_get(body, PROTO_F_STATUS);
	row->rec = rec;
	row->title = keep(run, web_body_title(r, body));
	row->status = keep(run, st && st->type == PROTO_V_STR ? st->u.str.ptr : NULL);
	row->summary =
	    keep(run, proto_langmap_pick(proto_map_get(body, PROTO_F_SUMMARY), r->en ? "en" : "fr"));
	if (!row->title)
		return MAILLE_ENOMEM;
	char name[PROTO_PATH_MAX + 8];
	snprintf(name, sizeof name, "%s.html", rec->path);
	record_page(run->q, run->s, &run->keys, rec, body, &run->b);
	int e = run->b.failed ? MAILLE_ENOMEM : export_put(run->o, name, run->b.p, run->b.len);
	wb_done(&run->b);
	if (!e) {
		run->n++;
		run->o->n_records++;
	}
	return e;
}

int web_site_export(store *st, const export_set *s, const char *zone, bool en, export_sink *o)
{
	site_run run = { .s = s, .o = o };
	run.q = calloc(1, sizeof *run.q);
	run.rows = calloc(s->n ? s->n : 1, sizeof *run.rows);
	proto_arena_init(&run.a, 0);
	int r = run.q && run.rows ? 0 : MAILLE_ENOMEM;
	run.keys.v = r ? NULL : proto_arena_alloc(&run.a, (s->n ? s->n : 1) * sizeof *run.keys.v);
	for (size_t i = 0; !r && i < s->n; i++) {
		char hex[2 * PROTO_KEY_LEN + 1], key[2 * PROTO_KEY_LEN + 2 + PROTO_PATH_MAX + 1];
		proto_hex(s->v[i].territory, PROTO_KEY_LEN, hex);
		snprintf(key, sizeof key, "%s/%s", hex, s->v[i].path);
		if (!run.keys.v || !(run.keys.v[run.keys.n++] = keep(&run, key)))
			r = MAILLE_ENOMEM;
	}
	if (!r)
		qsort(run.keys.v, run.keys.n, sizeof *run.keys.v, cmp_key);
	if (!r) {
		site_req_init(run.q, st, s, zone, en);
		r = export_put(o, "maille.css", web_css, strlen(web_css));
	}
	if (!r)
		r = export_each(s, site_record, &run);
	if (!r)
		r = index_page(&run, &run.b);
	proto_arena_done(&run.a);
	free(run.rows);
	free(run.q);
	return r;
}
