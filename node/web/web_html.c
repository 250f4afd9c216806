/* node/web/web_html.c: the web catalogue's output: a bounded buffer, HTML escaping of every byte
 * of user content, the page layout (header, navigation, language switch, footer), labels in
 * French and English, the generic rendering of field values, cards, a record's fields in the
 * order of its record table (entry and territory pages), Markdown through cmark in safe
 * mode, and the stylesheet. */
#include <cmark.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/service/json.h"
#include "node/service/recordtext.h"
#include "proto/error.h"
#include "proto/coop.h"
#include "proto/member.h"
#include "proto/record.h"
#include "web_int.h"

/* ---- buffer --------------------------------------------------------------------------------- */

void wb_put(web_buf *b, const char *s, size_t len)
{
	if (b->failed || len == 0)
		return;
	if (b->len + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 8192;
		while (cap < b->len + len + 1)
			cap *= 2;
		if (cap > WEB_OUT_MAX + 1) {
			b->failed = true;
			return;
		}
		char *p = realloc(b->p, cap);
		if (!p) {
			b->failed = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, len);
	b->len += len;
	b->p[b->len] = '\0';
}

void wb_puts(web_buf *b, const char *s)
{
	wb_put(b, s, strlen(s));
}

void wb_printf(web_buf *b, const char *fmt, ...)
{
	char tmp[2048];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = true;
		return;
	}
	if ((size_t)n < sizeof tmp) {
		wb_put(b, tmp, (size_t)n);
		return;
	}
	char *big = malloc((size_t)n + 1);
	if (!big) {
		b->failed = true;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	wb_put(b, big, (size_t)n);
	free(big);
}

void wb_html(web_buf *b, const char *s, size_t len)
{
	size_t start = 0;
	for (size_t i = 0; i < len; i++) {
		const char *rep;
		switch (s[i]) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		default:
			continue;
		}
		wb_put(b, s + start, i - start);
		wb_puts(b, rep);
		start = i + 1;
	}
	wb_put(b, s + start, len - start);
}

void wb_htmls(web_buf *b, const char *s)
{
	if (s)
		wb_html(b, s, strlen(s));
}

void wb_url(web_buf *b, const char *s, size_t len, bool keep_slash)
{
	char tmp[1024];
	size_t need = web_pct_encode(s, len, keep_slash, tmp, sizeof tmp);
	if (need < sizeof tmp) {
		wb_put(b, tmp, need);
		return;
	}
	char *big = malloc(need + 1);
	if (!big) {
		b->failed = true;
		return;
	}
	web_pct_encode(s, len, keep_slash, big, need + 1);
	wb_put(b, big, need);
	free(big);
}

void wb_urls(web_buf *b, const char *s)
{
	wb_url(b, s, strlen(s), false);
}

void wb_done(web_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}

/* ---- labels --------------------------------------------------------------------------------- */

/* The record types, fields, vocabulary values and licences are labelled by
 * node/service/recordtext.h; these are the web's own words shown the same way (a peer's
 * state). */
static const struct {
	const char *name, *fr, *en;
} labels[] = {
	{ "connected", "connecté", "connected" },
	{ "connecting", "connexion en cours", "connecting" },
	{ "idle", "en attente", "idle" },
	{ "backoff", "nouvel essai différé", "backing off" },
	{ "self", "ce nœud", "this node" },
};

const char *web_label(const web_req *r, const char *name)
{
	for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
		if (strcmp(labels[i].name, name) == 0)
			return r->en ? labels[i].en : labels[i].fr;
	return recordtext_label(name, r->en);
}

/* ---- layout --------------------------------------------------------------------------------- */

void web_page_begin(web_req *r, const char *title, const char *active)
{
	web_buf *b = &r->out;
	r->ctype = "text/html; charset=utf-8";
	char site[256];
	web_site_name(r, site, sizeof site);
	wb_printf(b,
	          "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
	          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	          "<title>",
	          r->en ? "en" : "fr");
	wb_htmls(b, title);
	wb_puts(b, " — Maille");
	if (*site) {
		wb_puts(b, " — ");
		wb_htmls(b, site);
	}
	wb_printf(b,
	          "</title><link rel=\"stylesheet\" href=\"/static/maille.css\"><link "
	          "rel=\"alternate\" type=\"application/atom+xml\" title=\"%s\" href=\"/feed.atom",
	          L(r, "Dernières fiches (Atom)", "Latest records (Atom)"));
	if (strcmp(r->path, "/catalogue") == 0) /* the feed of what the page lists */
		web_feed_query(r, b);
	wb_puts(b, "\"></head><body>");
	wb_printf(b, "<a class=\"skip\" href=\"#main\">%s</a>",
	          L(r, "Aller au contenu", "Skip to content"));
	wb_puts(b, "<header><p class=\"site\"><a class=\"brand\" href=\"/\">Maille</a>");
	if (*site) {
		wb_puts(b, " <span class=\"territory\">");
		wb_htmls(b, site);
		wb_puts(b, "</span>");
	}
	/* the switch goes back to the same page in the other language */
	wb_printf(b, " <a class=\"lang\" href=\"/lang/%s?next=", r->en ? "fr" : "en");
	wb_url(b, r->path, r->path_len, true);
	if (r->raw_query && r->method != WEB_POST) {
		wb_url(b, "?", 1, false);
		wb_url(b, r->raw_query, strlen(r->raw_query), false);
	}
	wb_printf(b, "\" lang=\"%s\">%s</a></p>", r->en ? "fr" : "en",
	          r->en ? "Français" : "English");
	wb_printf(b, "<nav aria-label=\"%s\"><ul>", L(r, "Navigation principale", "Main navigation"));
	static const struct {
		const char *href, *key, *fr, *en;
	} nav[] = {
		{ "/", "home", "Accueil", "Home" },
		{ "/catalogue", "catalogue", "Catalogue", "Catalogue" },
		{ "/cooperation", "cooperation", "Coopérations", "Cooperation" },
		{ "/network", "network", "Réseau", "Network" },
		{ "/publish", "publish", "Publier", "Publish" },
	};
	for (size_t i = 0; i < sizeof nav / sizeof nav[0]; i++) {
		bool cur = active && strcmp(active, nav[i].key) == 0;
		wb_printf(b, "<li><a href=\"%s\"%s>%s</a></li>", nav[i].href,
		          cur ? " aria-current=\"page\"" : "", L(r, nav[i].fr, nav[i].en));
	}
	wb_puts(b, "</ul></nav>");
	/* one search box per page: the home and search pages have their own */
	if (strcmp(r->path, "/") != 0 && strcmp(r->path, "/search") != 0)
		wb_printf(b,
		          "<form class=\"search\" role=\"search\" method=\"get\" action=\"/search\">"
		          "<label for=\"q-top\">%s</label> <input id=\"q-top\" name=\"q\" "
		          "type=\"search\" maxlength=\"%u\"> <button type=\"submit\">%s</button></form>",
		          L(r, "Rechercher dans le catalogue", "Search the catalogue"), WEB_QUERY_MAX,
		          L(r, "Rechercher", "Search"));
	wb_puts(b, "</header><main id=\"main\">");
}

void web_page_end(web_req *r)
{
	if (r->session) { /* signed in with the token (web.c): signing out ends the session */
		char tok[65];
		web_csrf_token(r, tok);
		wb_printf(&r->out,
		          "<form class=\"logout\" method=\"post\" action=\"/logout\"><input "
		          "type=\"hidden\" name=\"csrf\" value=\"%s\"><button type=\"submit\">%s"
		          "</button></form>",
		          tok, L(r, "Se déconnecter", "Sign out"));
	}
	wb_printf(&r->out,
	          "</main><footer><ul class=\"links\"><li><a href=\"/accessibilite\">%s</a></li>"
	          "<li><a href=\"/mentions-legales\">%s</a></li><li><a href=\"/feed.atom\" "
	          "type=\"application/atom+xml\">%s</a></li></ul><p>%s</p></footer></body></html>\n",
	          L(r, "Accessibilité : non conforme", "Accessibility: not compliant"),
	          L(r, "Mentions légales", "Legal notice"),
	          L(r, "Flux Atom des dernières fiches", "Atom feed of the latest records"),
	          L(r,
	            "Maille : catalogue fédéré des territoires, servi par ce nœud. Chaque fiche "
	            "est signée par le territoire qui la publie.",
	            "Maille: the territories' federated catalogue, served by this node. Every "
	            "record is signed by the territory that publishes it."));
}

void web_error(web_req *r, unsigned status, const char *fr, const char *en)
{
	wb_done(&r->out);
	r->status = status;
	r->location[0] = '\0';
	if (strncmp(r->path, "/api/", 5) == 0 || strcmp(r->path, "/api") == 0) {
		r->ctype = "application/json";
		wb_printf(&r->out, "{\"error\": \"");
		/* the messages are ours: ASCII and UTF-8 without quotes or backslashes */
		wb_puts(&r->out, en);
		wb_printf(&r->out, "\", \"status\": %u}\n", status);
		return;
	}
	const char *title = status == 404   ? L(r, "Page introuvable", "Not found")
	                    : status == 403 ? L(r, "Requête refusée", "Refused")
	                    : status == 429 ? L(r, "Trop de requêtes", "Too many requests")
	                    : status == 421 ? L(r, "Nom d'hôte refusé", "Host name refused")
	                    : status >= 500 ? L(r, "Erreur du serveur", "Server error")
	                                    : L(r, "Requête invalide", "Bad request");
	web_page_begin(r, title, NULL);
	wb_printf(&r->out, "<h1>%s</h1><p class=\"error\" role=\"alert\">", title);
	wb_htmls(&r->out, L(r, fr, en));
	wb_printf(&r->out, "</p><p><a href=\"/\">%s</a></p>",
	          L(r, "Retour à l'accueil", "Back to the home page"));
	web_page_end(r);
}

void web_redirect(web_req *r, const char *location)
{
	wb_done(&r->out);
	r->status = 303;
	snprintf(r->location, sizeof r->location, "%s", location);
	r->ctype = "text/plain; charset=utf-8";
	wb_puts(&r->out, "See Other\n");
}

/* ---- values ---------------------------------------------------------------------------------- */

/* The next heading tag of cmark's HTML, "<hN>" or "</hN>", from p; NULL if none. */
static const char *next_heading(const char *p)
{
	for (const char *t = strchr(p, '<'); t; t = strchr(t + 1, '<')) {
		const char *h = t + 1 + (t[1] == '/');
		if (h[0] == 'h' && h[1] >= '1' && h[1] <= '6' && h[2] == '>')
			return t;
	}
	return NULL;
}

void web_markdown(web_buf *b, const char *md, size_t len)
{
	/* cmark's default is safe since 0.29: raw HTML is replaced by a comment and links to
	 * javascript:, vbscript:, file: and most data: URLs are dropped; CMARK_OPT_SAFE says so
	 * for older versions */
	char *html = cmark_markdown_to_html(md, len, CMARK_OPT_SAFE);
	if (!html) {
		b->failed = true;
		return;
	}
	/* the record's headings sit under the page's own (h1 title, h2 sections): "# x" becomes
	 * <h3>. A tag "<hN>" here is cmark's: the text's own '<' came out as &lt; */
	const char *p = html, *t;
	while ((t = next_heading(p)) != NULL) {
		bool close = t[1] == '/';
		const char *h = t + 1 + close;
		int level = h[1] - '0' + 2;
		wb_put(b, p, (size_t)(t - p));
		wb_printf(b, "<%sh%d>", close ? "/" : "", level > 6 ? 6 : level);
		p = h + 3;
	}
	wb_puts(b, p);
	free(html);
}

void web_snippet(web_buf *b, const char *s)
{
	bool open = false;
	size_t start = 0, i = 0;
	for (; s[i]; i++) {
		if (s[i] != '\x02' && s[i] != '\x03')
			continue;
		wb_html(b, s + start, i - start);
		if (s[i] == '\x02' && !open) {
			wb_puts(b, "<mark>");
			open = true;
		} else if (s[i] == '\x03' && open) {
			wb_puts(b, "</mark>");
			open = false;
		}
		start = i + 1;
	}
	wb_html(b, s + start, i - start);
	if (open)
		wb_puts(b, "</mark>");
}


/* A link only for the schemes a reader can follow safely. */
static bool safe_url(const char *s)
{
	return strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0 ||
	       strncmp(s, "mailto:", 7) == 0;
}

static void value_str(web_req *r, const char *s, size_t len)
{
	web_buf *b = &r->out;
	if (safe_url(s)) {
		wb_puts(b, "<a rel=\"noopener noreferrer nofollow\" href=\"");
		wb_html(b, s, len);
		wb_puts(b, "\">");
		wb_html(b, s, len);
		wb_puts(b, "</a>");
		return;
	}
	const char *lab = web_label(r, s);
	if (lab && len < 40) {
		wb_htmls(b, lab);
		return;
	}
	wb_html(b, s, len);
}

void web_value(web_req *r, const proto_value *v, int depth)
{
	web_buf *b = &r->out;
	if (depth > 8) {
		wb_puts(b, "…");
		return;
	}
	switch (v->type) {
	case PROTO_V_NIL:
		wb_puts(b, "—");
		break;
	case PROTO_V_BOOL:
		wb_puts(b, v->u.b ? L(r, "oui", "yes") : L(r, "non", "no"));
		break;
	case PROTO_V_INT:
		wb_printf(b, "%lld", (long long)v->u.i);
		break;
	case PROTO_V_FLOAT:
		wb_printf(b, "%g", v->u.f);
		break;
	case PROTO_V_STR:
		value_str(r, v->u.str.ptr, v->u.str.len);
		break;
	case PROTO_V_BIN:
		wb_printf(b, "(%zu %s)", v->u.bin.len, L(r, "octets", "bytes"));
		break;
	case PROTO_V_ARRAY:
		wb_puts(b, "<ul>");
		for (size_t i = 0; i < v->u.arr.n; i++) {
			wb_puts(b, "<li>");
			web_value(r, &v->u.arr.items[i], depth + 1);
			wb_puts(b, "</li>");
		}
		wb_puts(b, "</ul>");
		break;
	case PROTO_V_MAP:
		if (proto_langmap_is(v)) {
			const char *t = proto_langmap_pick(v, r->en ? "en" : "fr");
			wb_htmls(b, t);
			break;
		}
		wb_puts(b, "<dl class=\"sub\">");
		for (size_t i = 0; i < v->u.map.n; i++) {
			const proto_kv *kv = &v->u.map.items[i];
			const char *lab = web_label(r, kv->key);
			wb_puts(b, "<dt>");
			wb_htmls(b, lab ? lab : kv->key);
			wb_puts(b, "</dt><dd>");
			web_value(r, &kv->val, depth + 1);
			wb_puts(b, "</dd>");
		}
		wb_puts(b, "</dl>");
		break;
	}
}

void web_entry_text(web_req *r, web_buf *b, const proto_value *body, const char *lang)
{
	const char *sum = proto_langmap_pick(proto_map_get(body, PROTO_F_SUMMARY), lang);
	if (sum) {
		wb_puts(b, "<p class=\"summary\"><strong>");
		wb_htmls(b, sum);
		wb_puts(b, "</strong></p>");
	}
	const char *desc = proto_langmap_pick(proto_map_get(body, PROTO_F_DESCRIPTION), lang);
	if (desc) {
		wb_printf(b, "<section aria-labelledby=\"h-desc\"><h2 id=\"h-desc\">%s</h2>",
		          L(r, "Description", "Description"));
		web_markdown(b, desc, strlen(desc));
		wb_puts(b, "</section>");
	}
}

void web_entry_href(web_buf *b, const uint8_t territory[PROTO_KEY_LEN], const char *path,
                    size_t path_len)
{
	char hex[2 * PROTO_KEY_LEN + 1];
	proto_hex(territory, PROTO_KEY_LEN, hex);
	wb_puts(b, "/entry/");
	wb_url(b, path, path_len, true);
	wb_printf(b, "?territory=%s", hex);
}

void web_territory_name(store *st, const uint8_t key[PROTO_KEY_LEN], char *ret, size_t cap)
{
	if (store_territory_name(st, key, ret, cap) != 0) {
		char hex[2 * PROTO_KEY_LEN + 1];
		proto_hex(key, PROTO_KEY_LEN, hex);
		snprintf(ret, cap, "%.8s…", hex);
	}
}

void web_signer_label(store *st, const proto_entry *e, char *ret, size_t cap)
{
	char terr[256];
	web_territory_name(st, e->territory, terr, sizeof terr);
	if (memcmp(e->signer, e->territory, PROTO_KEY_LEN) == 0) {
		snprintf(ret, cap, "%s", terr);
		return;
	}
	/* a member: its name is in the territory's capability entry for its key */
	char hex[2 * PROTO_KEY_LEN + 1], path[sizeof PROTO_MEMBERS_PREFIX + 2 * PROTO_KEY_LEN];
	proto_hex(e->signer, PROTO_KEY_LEN, hex);
	snprintf(path, sizeof path, "%s%s", PROTO_MEMBERS_PREFIX, hex);
	store_row row;
	proto_member_cap cap_;
	if (store_entry_get(st, e->territory, path, &row) == 0) {
		int r = proto_member_cap_decode(&row.entry, &cap_);
		store_row_done(&row);
		if (r == 0) {
			snprintf(ret, cap, "%s (%s)", cap_.name, terr);
			return;
		}
	}
	snprintf(ret, cap, "%.8s… (%s)", hex, terr);
}

const char *web_body_str(const proto_value *body, const char *key)
{
	const proto_value *v = proto_map_get(body, key);
	return v && v->type == PROTO_V_STR ? v->u.str.ptr : NULL;
}

const char *web_body_title(web_req *r, const proto_value *body)
{
	const char *lang = r->en ? "en" : "fr";
	const char *t = proto_langmap_pick(proto_map_get(body, PROTO_F_TITLE), lang);
	if (!t)
		t = proto_langmap_pick(proto_map_get(body, PROTO_F_NAME), lang);
	return t ? t : L(r, "(sans titre)", "(untitled)");
}

bool web_row_hidden(web_req *r, const store_row *row, const char *type)
{
	char path[PROTO_PATH_MAX + 1];
	if (!type || strcmp(type, PROTO_T_COMMENT) != 0)
		return false;
	snprintf(path, sizeof path, "%.*s", (int)row->entry.path_len, row->entry.path);
	return store_hidden(r->wk->st, row->entry.territory, path, NULL, 0, NULL) == 0;
}

const char *web_row_title(web_req *r, const store_row *row, const proto_value *body, char *buf,
                          size_t cap)
{
	const char *type = web_body_str(body, PROTO_F_TYPE);
	if (type && proto_coop_is_act(type, strlen(type))) { /* an act has no title of its own */
		web_coop_act_title(r, row, type, buf, cap);
		return buf;
	}
	return web_body_title(r, body);
}

void web_date(const web_req *r, uint64_t us, char *ret, size_t cap)
{
	datefmt_time(us, r->w->zone, r->en, ret, cap);
}

proto_value *web_row_body(const store_row *row, proto_arena *a)
{
	proto_value *body = NULL;
	if (row->entry.kind != PROTO_KIND_DOCUMENT)
		return NULL;
	if (proto_value_decode(row->entry.body, row->entry.body_len, a, &body) ||
	    body->type != PROTO_V_MAP)
		return NULL;
	return body;
}

void web_row_card(web_req *r, const store_row *row)
{
	web_buf *b = &r->out;
	proto_arena a;
	proto_arena_init(&a, 0);
	proto_value *body = web_row_body(row, &a);
	const char *type = web_body_str(body, PROTO_F_TYPE);
	if (!type)
		type = "?";
	const char *tl = web_label(r, type);
	wb_puts(b, "<li class=\"card\"><h3><a href=\"");
	web_entry_href(b, row->entry.territory, row->entry.path, row->entry.path_len);
	wb_puts(b, "\">");
	char act_title[320];
	wb_htmls(b, web_row_title(r, row, body, act_title, sizeof act_title));
	wb_puts(b, "</a></h3><p class=\"meta\"><span class=\"type\">");
	wb_htmls(b, tl ? tl : type);
	wb_puts(b, "</span> · ");
	char terr[256];
	web_territory_name(r->wk->st, row->entry.territory, terr, sizeof terr);
	wb_htmls(b, terr);
	if (r->wk->tv_ok && !trust_find(&r->wk->tv, row->entry.territory))
		wb_printf(b, " <strong class=\"untrusted\">%s</strong>",
		          L(r, "non reconnu", "untrusted"));
	const char *st = web_body_str(body, PROTO_F_STATUS);
	if (st) {
		const char *sl = web_label(r, st);
		wb_puts(b, " · ");
		wb_htmls(b, sl ? sl : st);
	}
	char date[DATEFMT_CAP];
	web_date(r, row->entry.timestamp, date, sizeof date);
	wb_printf(b, " · %s</p>", date);
	if (web_row_hidden(r, row, type)) {
		/* a comment this node hides: found by its words, but they are not shown */
		wb_printf(b, "<p>%s</p>", L(r, "Masqué par ce nœud.", "Hidden by this node."));
	} else if (row->snippet) {
		wb_puts(b, "<p class=\"snippet\">");
		web_snippet(b, row->snippet);
		wb_puts(b, "</p>");
	} else {
		const char *sum =
		    proto_langmap_pick(proto_map_get(body, PROTO_F_SUMMARY), r->en ? "en" : "fr");
		if (sum) {
			wb_puts(b, "<p>");
			wb_htmls(b, sum);
			wb_puts(b, "</p>");
		}
	}
	wb_puts(b, "</li>");
	proto_arena_done(&a);
}

/* ---- fields ---------------------------------------------------------------------------------- */

static int first_id(const store_row *row, void *ctx)
{
	memcpy(ctx, row->id, PROTO_ID_LEN); /* the row is borrowed: its id only */
	return 1;
}

/* The live record at path a reference names, whatever the page's query string says: in the
 * territory of the record that names it first (a REX about its own use case), else in this
 * node's territory, else in any. 0 or the store's error. */
static int ref_find(web_req *r, const char *path, store_row *ret)
{
	if (r->fields_territory &&
	    store_entry_get(r->wk->st, r->fields_territory, path, ret) == 0) {
		if (ret->entry.kind == PROTO_KIND_DOCUMENT)
			return 0;
		store_row_done(ret);
	}
	uint8_t id[PROTO_ID_LEN];
	int e = store_entry_find_path(r->wk->st, path, r->w->own, first_id, id);
	if (e <= 0)
		return e < 0 ? e : MAILLE_ENOTFOUND;
	char hex[2 * PROTO_ID_LEN + 1];
	proto_hex(id, PROTO_ID_LEN, hex);
	return store_entry_get_id(r->wk->st, hex, ret);
}

/* A reference (about, components, relations' target): a link with the record's title when
 * it names a record known here, its path otherwise. */
static void ref_link(web_req *r, const char *s, size_t len)
{
	web_buf *b = &r->out;
	if (proto_path_valid(s, len) && memchr(s, '/', len)) {
		store_row row;
		char *path = strndup(s, len);
		if (path && ref_find(r, path, &row) == 0) {
			proto_arena a;
			proto_arena_init(&a, 0);
			proto_value *body = web_row_body(&row, &a);
			wb_puts(b, "<a href=\"");
			web_entry_href(b, row.entry.territory, row.entry.path, row.entry.path_len);
			wb_puts(b, "\">");
			if (body)
				wb_htmls(b, web_body_title(r, body));
			else
				wb_html(b, s, len);
			wb_puts(b, "</a>");
			proto_arena_done(&a);
			store_row_done(&row);
		} else {
			wb_puts(b, "<a href=\"/entry/");
			wb_url(b, s, len, true);
			wb_puts(b, "\">");
			wb_html(b, s, len);
			wb_puts(b, "</a>");
		}
		free(path);
		return;
	}
	web_value(r, &(proto_value){ .type = PROTO_V_STR, .u.str = { s, len } }, 0);
}

static void field_dt(web_req *r, const proto_record_field *f, const char *key,
                     const proto_value *v, int depth);

typedef struct member_ctx {
	web_req *r;
	int depth;
} member_ctx;

static void member_dt(const proto_record_field *m, const char *key, const proto_value *v,
                      bool hidden, void *ctx)
{
	member_ctx *c = ctx;
	const char *not_shown = L(c->r, "non affichée", "not shown");
	const proto_value text = { .type = PROTO_V_STR, .u.str = { not_shown, strlen(not_shown) } };
	field_dt(c->r, m, key, hidden ? &text : v, c->depth);
}

/* A nested object: its members in the order of its table, labelled by it, then any other
 * member the table does not know. */
static void obj_value(web_req *r, const proto_record_obj *obj, const proto_value *v, int depth)
{
	web_buf *b = &r->out;
	if (v->type != PROTO_V_MAP || proto_langmap_is(v) || depth > 6) {
		web_value(r, v, depth);
		return;
	}
	/* a period reads as one phrase: "du 1er mars 2024 au 28 février 2025" */
	char text[RECORDTEXT_CAP];
	if (recordtext_period(obj, v, r->en, text, sizeof text)) {
		wb_htmls(b, text);
		return;
	}
	member_ctx mc = { r, depth + 1 };
	wb_puts(b, "<dl class=\"sub\">");
	recordtext_members(obj, v, member_dt, &mc);
	wb_puts(b, "</dl>");
}

/* A string of a field as people read it (recordtext.h); false when it has nothing of its own
 * to say. */
static bool field_str(web_req *r, const proto_record_field *f, const proto_value *v)
{
	char text[RECORDTEXT_CAP];
	if (!recordtext_str(f, v, r->en, text, sizeof text))
		return false;
	wb_htmls(&r->out, text);
	return true;
}

static void field_value(web_req *r, const proto_record_field *f, const proto_value *v,
                        int depth)
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
				const char *rl = proto_vocab_label(m[0].vocab, rel->u.str.ptr, r->en);
				wb_htmls(b, rl ? rl : rel->u.str.ptr);
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
	if (f && f->obj && f->kind == PROTO_FK_OBJ) {
		obj_value(r, f->obj, v, depth);
		return;
	}
	if (f && f->obj && f->kind == PROTO_FK_OBJLIST && v->type == PROTO_V_ARRAY) {
		wb_puts(b, "<ul>");
		for (size_t i = 0; i < v->u.arr.n; i++) {
			wb_puts(b, "<li>");
			obj_value(r, f->obj, &v->u.arr.items[i], depth + 1);
			wb_puts(b, "</li>");
		}
		wb_puts(b, "</ul>");
		return;
	}
	if (f && (f->kind == PROTO_FK_ENUMLIST || f->kind == PROTO_FK_THEMES ||
	          f->kind == PROTO_FK_STRLIST) &&
	    v->type == PROTO_V_ARRAY) {
		wb_puts(b, "<ul>");
		for (size_t i = 0; i < v->u.arr.n; i++) {
			wb_puts(b, "<li>");
			if (!field_str(r, f, &v->u.arr.items[i]))
				web_value(r, &v->u.arr.items[i], depth + 1);
			wb_puts(b, "</li>");
		}
		wb_puts(b, "</ul>");
		return;
	}
	if (f && field_str(r, f, v))
		return;
	/* a measure or an amount with its thousands grouped, a rating with its scale */
	char num[RECORDTEXT_CAP];
	if (recordtext_number(f, v, r->en, num, sizeof num)) {
		wb_puts(b, num);
		return;
	}
	/* long free texts (a string or a language map) are Markdown like the description */
	const char *t = proto_langmap_pick(v, r->en ? "en" : "fr");
	if (t && (v->type == PROTO_V_STR ? strlen(t) > 80 : true) && strchr(t, '\n')) {
		web_markdown(b, t, strlen(t));
		return;
	}
	web_value(r, v, depth);
}

static void field_dt(web_req *r, const proto_record_field *f, const char *key,
                     const proto_value *v, int depth)
{
	web_buf *b = &r->out;
	const char *lab = f ? (r->en ? f->label.en : f->label.fr) : web_label(r, key);
	wb_puts(b, "<dt>");
	wb_htmls(b, lab ? lab : key);
	wb_puts(b, "</dt><dd>");
	field_value(r, f, v, depth);
	wb_puts(b, "</dd>");
}

static void field_each(const proto_record_field *f, const char *key, const proto_value *v,
                       void *ctx)
{
	field_dt(ctx, f, key, v, 0);
}

/* web_fields lists the fields in the order recordtext_fields gives (the record tables'). */
void web_fields(web_req *r, const proto_value *body, const char *type,
                const uint8_t territory[PROTO_KEY_LEN])
{
	web_buf *b = &r->out;
	r->fields_territory = territory;
	wb_puts(b, "<dl class=\"fields\">");
	recordtext_fields(body, type, field_each, r);
	wb_puts(b, "</dl>");
	r->fields_territory = NULL;
}

/* ---- the stylesheet (served from the binary: the node needs no other file) ------------------ */
/* Contrast: text #1b1b1b on #fff (16:1), links #0b3d91 (10:1), marks #fff3a0 under #1b1b1b;
 * focus always visible; one column below 40em. */
const char web_css[] =
    ":root{color-scheme:light}"
    "body{margin:0;font:1rem/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
    "color:#1b1b1b;background:#fff}"
    "a{color:#0b3d91}a:focus,button:focus,input:focus,select:focus,textarea:focus"
    "{outline:3px solid #d64000;outline-offset:2px}"
    ".skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;"
    "padding:.5rem;z-index:2}"
    "header{background:#f3f5f9;border-bottom:1px solid #c8cdd6;padding:.5rem 1rem}"
    "header .site{display:flex;flex-wrap:wrap;align-items:baseline;gap:.8rem;margin:0 0 .4rem}"
    ".territory{font-weight:600}"
    "header nav ul{display:flex;flex-wrap:wrap;gap:1rem;list-style:none;margin:0;padding:0}"
    ".brand{font-weight:700;font-size:1.25rem;text-decoration:none}"
    "[aria-current=page]{font-weight:700}"
    ".lang{margin-left:auto}"
    "form.search{margin-top:.5rem}"
    "main{max-width:60rem;margin:0 auto;padding:1rem}"
    "footer{border-top:1px solid #c8cdd6;padding:1rem;color:#3d3d3d;font-size:.9rem}"
    "footer .links{display:flex;flex-wrap:wrap;gap:1rem;list-style:none;margin:0;padding:0}"
    "details.prov summary{cursor:pointer;font-weight:600}"
    ".cards{list-style:none;padding:0}.card{border-bottom:1px solid #e0e3e8;padding:.5rem 0}"
    ".card h3{margin:.2rem 0;font-size:1.1rem}.meta{color:#3d3d3d;font-size:.9rem;margin:0}"
    "mark{background:#fff3a0;color:#1b1b1b}"
    ".untrusted{color:#8a1c00}"
    ".error{color:#8a1c00;font-weight:600}.ok{color:#0a5c2b;font-weight:600}"
    ".layout{display:grid;grid-template-columns:15rem 1fr;gap:1.5rem}"
    "@media(max-width:40em){.layout{grid-template-columns:1fr}}"
    ".facets h2{font-size:1rem;margin:.8rem 0 .2rem}.facets ul{list-style:none;padding:0;"
    "margin:0}"
    "dl.fields dt{font-weight:600;margin-top:.6rem}dl.fields dd{margin-left:0}"
    "dl.sub dt{font-weight:600}dl.sub{margin:0}"
    ".prov{background:#f3f5f9;border:1px solid #c8cdd6;padding:.5rem 1rem}"
    "label{font-weight:600}input,select,textarea,button{font:inherit}"
    "input[type=text],input[type=search],input[type=email],input[type=date],"
    "input[type=password],select,textarea{max-width:100%;padding:.3rem;"
    "border:1px solid #6b7280}"
    "textarea{width:100%;min-height:5rem}input[type=text]{width:100%}"
    "fieldset{border:1px solid #c8cdd6;margin:1rem 0}"
    "button{padding:.4rem .9rem;background:#0b3d91;color:#fff;border:0;cursor:pointer}"
    ".pager{display:flex;gap:1rem}"
    "table{border-collapse:collapse}td,th{border:1px solid #c8cdd6;padding:.3rem .6rem;"
    "text-align:left}"
    ".hint{color:#3d3d3d;font-size:.9rem}"
    /* a comment thread: one list, each comment indented by its depth (coop.h's bound) */
    ".thread{list-style:none;padding:0}.thread li{border-left:3px solid #c8cdd6;"
    "padding:.2rem .8rem;margin:.6rem 0}.thread .d1{margin-left:1.5rem}"
    ".thread .d2{margin-left:3rem}.thread .d3{margin-left:4.5rem}.thread .d4{margin-left:6rem}"
    ".thread .d5,.thread .d6,.thread .d7{margin-left:7.5rem}"
    "details.reply summary{cursor:pointer;color:#0b3d91}.expired{color:#3d3d3d}";
