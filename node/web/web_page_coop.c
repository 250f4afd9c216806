/* node/web/web_page_coop.c: what the catalogue shows of cooperation (PROTOCOL.md §5), read
 * through node/service/coop.h which applies its rules: the "Coopérations" page (/cooperation:
 * open calls by deadline with the territories interested and their roles, calls in progress,
 * closed calls with their outcome), the home page's open calls, on an entry page the labels
 * the record holds, a call's interests and the "Nous en sommes" form, the comment thread with
 * its reply forms, "Utilisé par" on a component, what an act is about on its own page, and on
 * a territory's page its calls, interests, labels given and received.
 *
 * Trust: a call, an interest, a label and a comment are shown when their territory is
 * trusted (?all=1 shows untrusted calls on /cooperation, marked); the comments of untrusted
 * authors are folded and counted, never shown; an expired label is shown, marked "expiré"
 * (what a territory once met stays readable, and the mark says it no longer holds). Every
 * byte of user content goes through wb_html or web_coop_text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/service/coop.h"
#include "proto/error.h"
#include "proto/record.h"
#include "web_int.h"

#define COOP_PAGE_CALLS_MAX 500u /* calls the /cooperation page sorts */
#define COOP_HOME_CALLS 5u       /* open calls on the home page */
#define COOP_LIST_MAX 200u       /* items of one list of a page */

/* ---- small helpers ------------------------------------------------------------------------ */

static void path_copy(const store_row *row, char ret[PROTO_PATH_MAX + 1])
{
	snprintf(ret, PROTO_PATH_MAX + 1, "%.*s", (int)row->entry.path_len, row->entry.path);
}

/* A YYYY-MM-DD of a body as people read it, or the text itself when it is no date. */
static void ymd_put(web_req *r, const char *s)
{
	char d[DATEFMT_CAP];
	if (s && datefmt_ymd(s, strlen(s), r->en, d, sizeof d))
		wb_htmls(&r->out, d);
	else
		wb_htmls(&r->out, s ? s : "");
}

static const char *pick(web_req *r, const proto_value *body, const char *field)
{
	return proto_langmap_pick(proto_map_get(body, field), r->en ? "en" : "fr");
}

static void territory_link(web_req *r, const uint8_t key[PROTO_KEY_LEN])
{
	char name[256], hex[2 * PROTO_KEY_LEN + 1];
	web_territory_name(r->wk->st, key, name, sizeof name);
	proto_hex(key, PROTO_KEY_LEN, hex);
	wb_printf(&r->out, "<a href=\"/territory/%s\">", hex);
	wb_htmls(&r->out, name);
	wb_puts(&r->out, "</a>");
}

/* A link to the record at (territory, path) by its title (its path when it is not here). */
static void record_link(web_req *r, const uint8_t territory[PROTO_KEY_LEN], const char *path)
{
	web_buf *b = &r->out;
	store_row row;
	proto_arena a;
	proto_arena_init(&a, 0);
	bool found = store_entry_get(r->wk->st, territory, path, &row) == 0;
	proto_value *body = found ? web_row_body(&row, &a) : NULL;
	wb_puts(b, "<a href=\"");
	web_entry_href(b, territory, path, strlen(path));
	wb_puts(b, "\">");
	const char *type = body ? web_body_str(body, PROTO_F_TYPE) : NULL;
	if (type && proto_coop_is_act(type, strlen(type))) {
		char title[320];
		web_coop_act_title(r, &row, type, title, sizeof title);
		wb_htmls(b, title);
	} else {
		wb_htmls(b, body ? web_body_title(r, body) : path);
	}
	wb_puts(b, "</a>");
	if (found)
		store_row_done(&row);
	proto_arena_done(&a);
}

/* A vocabulary value by its label ("co_developer": "Co-développeur"). */
static void value_label(web_req *r, const char *v)
{
	const char *lab = v ? web_label(r, v) : NULL;
	wb_htmls(&r->out, lab ? lab : v ? v : "?");
}

/* Whether the item of a list is shown (its author is trusted); before the first one shown,
 * the list's opening: its section headed title (id NULL: none) and <ul class="cls">. */
static bool list_item(web_count_ctx *c, const coop_item *it, const char *id, const char *title,
                      const char *cls)
{
	if (!it->trusted)
		return false;
	if (c->n++ == 0) {
		if (id)
			wb_printf(&c->r->out,
			          "<section aria-labelledby=\"%s\"><h2 id=\"%s\">%s</h2>", id, id,
			          title);
		wb_printf(&c->r->out, "<ul class=\"%s\">", cls);
	}
	return true;
}

/* An item's start: <li>, its territory linked, then sep; p gets its path. */
static void item_begin(web_req *r, const coop_item *it, char p[PROTO_PATH_MAX + 1], const char *sep)
{
	path_copy(it->row, p);
	wb_puts(&r->out, "<li>");
	territory_link(r, it->row->entry.territory);
	wb_puts(&r->out, sep);
}

/* ---- the calls -------------------------------------------------------------------------- */

typedef struct call_ref {
	uint8_t territory[PROTO_KEY_LEN];
	char path[PROTO_PATH_MAX + 1];
	char deadline[11]; /* "" when none */
	char status[16];
	bool trusted;
} call_ref;

typedef struct calls_ctx {
	call_ref *v; /* COOP_PAGE_CALLS_MAX of them, allocated with the first */
	size_t n;
	bool all;         /* untrusted ones too */
	const char *only; /* one status, or NULL */
} calls_ctx;

static int call_collect(const coop_item *it, void *ctx)
{
	calls_ctx *c = ctx;
	if (!it->trusted && !c->all)
		return 0;
	const char *st = web_body_str(it->body, PROTO_F_STATUS);
	if (c->only && (!st || strcmp(st, c->only) != 0))
		return 0;
	if (!c->v && !(c->v = malloc(COOP_PAGE_CALLS_MAX * sizeof *c->v)))
		return MAILLE_ENOMEM;
	call_ref *cr = &c->v[c->n++];
	memcpy(cr->territory, it->row->entry.territory, PROTO_KEY_LEN);
	path_copy(it->row, cr->path);
	const char *dl = web_body_str(it->body, PROTO_F_DEADLINE);
	snprintf(cr->deadline, sizeof cr->deadline, "%s", dl && strlen(dl) == 10 ? dl : "");
	snprintf(cr->status, sizeof cr->status, "%s", st ? st : "");
	cr->trusted = it->trusted;
	return c->n >= COOP_PAGE_CALLS_MAX;
}

/* Soonest deadline first, none last; calls of the same deadline by path, then territory (an
 * order of their own: qsort keeps none). */
static int deadline_cmp(const void *x, const void *y)
{
	const call_ref *a = x, *b = y;
	int c;
	if (!a->deadline[0] || !b->deadline[0])
		c = !a->deadline[0] - !b->deadline[0];
	else
		c = strcmp(a->deadline, b->deadline);
	if (!c)
		c = strcmp(a->path, b->path);
	return c ? c : memcmp(a->territory, b->territory, PROTO_KEY_LEN);
}

static int interest_short(const coop_item *it, void *ctx)
{
	web_count_ctx *c = ctx;
	if (!it->trusted)
		return 0;
	web_buf *b = &c->r->out;
	wb_puts(b, c->n++ ? ", " : "");
	territory_link(c->r, it->row->entry.territory);
	wb_puts(b, " (");
	value_label(c->r, web_body_str(it->body, PROTO_F_ROLE));
	wb_puts(b, ")");
	return c->n >= COOP_LIST_MAX;
}

/* One call of a list: its title, territory, kind, deadline, and (with_interests) the
 * territories interested, or (closed) its outcome. */
static void call_item(web_req *r, const call_ref *cr, bool with_interests)
{
	web_buf *b = &r->out;
	store_row row;
	if (store_entry_get(r->wk->st, cr->territory, cr->path, &row) != 0)
		return;
	proto_arena a;
	proto_arena_init(&a, 0);
	proto_value *body = web_row_body(&row, &a);
	if (body) {
		wb_puts(b, "<li><a href=\"");
		web_entry_href(b, cr->territory, cr->path, strlen(cr->path));
		wb_puts(b, "\">");
		wb_htmls(b, web_body_title(r, body));
		wb_puts(b, "</a> — ");
		territory_link(r, cr->territory);
		if (!cr->trusted)
			wb_printf(b, " <strong class=\"untrusted\">%s</strong>",
			          L(r, "non reconnu", "untrusted"));
		wb_puts(b, " · ");
		value_label(r, web_body_str(body, PROTO_F_COOPERATION));
		if (cr->deadline[0] && strcmp(cr->status, "open") == 0) {
			wb_printf(b, " · %s ", L(r, "date limite :", "deadline:"));
			ymd_put(r, cr->deadline);
		}
		if (with_interests) {
			web_count_ctx il = { r, 0 };
			wb_printf(b, "<br>%s ", L(r, "Intéressés :", "Interested:"));
			coop_interests(r->wk->st, cr->territory, cr->path, web_trust(r),
			               interest_short, &il);
			if (!il.n)
				wb_puts(
				    b, L(r, "aucun territoire pour l'instant", "no territory yet"));
		}
		const char *outcome = pick(r, body, PROTO_F_OUTCOME);
		if (strcmp(cr->status, "closed") == 0 && outcome) {
			wb_printf(b, "<br>%s", L(r, "Résultat :", "Outcome:"));
			web_markdown(b, outcome, strlen(outcome));
		}
		wb_puts(b, "</li>");
	}
	proto_arena_done(&a);
	store_row_done(&row);
}

/* The calls of the catalogue (territory NULL) or of a territory, of status only (NULL:
 * any) into c; false when the store failed (the error is written). */
static bool calls_get(web_req *r, const uint8_t *territory, calls_ctx *c)
{
	int e = coop_calls(r->wk->st, territory, web_trust(r), call_collect, c);
	if (e < 0) {
		free(c->v);
		web_error(r, 500, "Lecture du catalogue impossible.", "Cannot read the catalogue.");
		return false;
	}
	return true;
}

static void calls_section(web_req *r, const calls_ctx *c, const char *status, const char *id,
                          const char *fr, const char *en, const char *none_fr, const char *none_en)
{
	web_buf *b = &r->out;
	wb_printf(b, "<section aria-labelledby=\"%s\"><h2 id=\"%s\">%s</h2>", id, id, L(r, fr, en));
	unsigned n = 0;
	for (size_t i = 0; i < c->n; i++) {
		if (strcmp(c->v[i].status, status) != 0)
			continue;
		if (n++ == 0)
			wb_puts(b, "<ul class=\"calls\">");
		call_item(r, &c->v[i], strcmp(status, "closed") != 0);
	}
	if (n)
		wb_puts(b, "</ul>");
	else
		wb_printf(b, "<p>%s</p>", L(r, none_fr, none_en));
	wb_puts(b, "</section>");
}

void web_page_coop(web_req *r, const char *rest)
{
	(void)rest;
	calls_ctx c = { .all = r->all };
	if (!calls_get(r, NULL, &c))
		return;
	if (c.n) /* no array when there is no call */
		qsort(c.v, c.n, sizeof *c.v, deadline_cmp);
	web_page_begin(r, L(r, "Coopérations", "Cooperation"), "cooperation");
	web_buf *b = &r->out;
	wb_printf(b, "<h1>%s</h1><p>%s</p>", L(r, "Coopérations", "Cooperation"),
	          L(r,
	            "Les appels à coopération des territoires reconnus : ce qu'ils proposent de "
	            "faire ensemble, et les territoires qui s'en sont portés partenaires.",
	            "The calls to cooperate of trusted territories: what they propose to do "
	            "together, and the territories that offered to join."));
	calls_section(r, &c, "open", "h-open", "Appels ouverts", "Open calls",
	              "Aucun appel ouvert.", "No open call.");
	calls_section(r, &c, "in_progress", "h-progress", "Coopérations en cours",
	              "Cooperation in progress", "Aucune coopération en cours.",
	              "No cooperation in progress.");
	calls_section(r, &c, "closed", "h-closed", "Appels clos", "Closed calls",
	              "Aucun appel clos.", "No closed call.");
	wb_printf(b, "<p><a href=\"/publish?type=call\">%s</a></p>",
	          L(r, "Publier un appel à coopération", "Publish a call to cooperate"));
	free(c.v);
	web_page_end(r);
}

void web_coop_home(web_req *r)
{
	calls_ctx c = { .only = "open" };
	if (coop_calls(r->wk->st, NULL, web_trust(r), call_collect, &c) < 0) {
		free(c.v);
		return;
	}
	if (c.n) /* no array when there is no call */
		qsort(c.v, c.n, sizeof *c.v, deadline_cmp);
	web_buf *b = &r->out;
	if (c.n) {
		wb_printf(b, "<h2>%s</h2><ul class=\"calls\">",
		          L(r, "Appels à coopération ouverts", "Open calls to cooperate"));
		for (size_t i = 0; i < c.n && i < COOP_HOME_CALLS; i++)
			call_item(r, &c.v[i], false);
		wb_printf(b, "</ul><p><a href=\"/cooperation\">%s</a></p>",
		          L(r, "Toutes les coopérations", "All cooperation"));
	}
	free(c.v);
}

/* ---- labels a record holds --------------------------------------------------------------- */

/* The criteria an award claims, by their text in the label. */
static void criteria_put(web_req *r, const proto_value *award, const proto_value *label)
{
	const proto_value *claimed = proto_map_get(award, PROTO_F_CRITERIA);
	const proto_value *defined = proto_map_get(label, PROTO_F_CRITERIA);
	web_buf *b = &r->out;
	if (!claimed || claimed->type != PROTO_V_ARRAY || !claimed->u.arr.n)
		return;
	wb_puts(b, "<ul>");
	for (size_t i = 0; i < claimed->u.arr.n; i++) {
		const proto_value *c = &claimed->u.arr.items[i];
		if (c->type != PROTO_V_STR)
			continue;
		const char *text = NULL;
		for (size_t j = 0;
		     defined && defined->type == PROTO_V_ARRAY && j < defined->u.arr.n; j++) {
			const char *id = web_body_str(&defined->u.arr.items[j], PROTO_F_ID);
			if (id && strcmp(id, c->u.str.ptr) == 0)
				text = pick(r, &defined->u.arr.items[j], PROTO_F_TEXT);
		}
		wb_puts(b, "<li>");
		wb_htmls(b, text ? text : c->u.str.ptr);
		wb_puts(b, "</li>");
	}
	wb_puts(b, "</ul>");
}

/* "Label X, attribué par Y le …, valable jusqu'au …" with its marks. */
static void award_sentence(web_req *r, const coop_item *it, bool with_target)
{
	web_buf *b = &r->out;
	char lpath[PROTO_PATH_MAX + 1];
	path_copy(it->label, lpath);
	wb_printf(b, "%s <a href=\"", L(r, "Label", "Label"));
	web_entry_href(b, it->label->entry.territory, lpath, strlen(lpath));
	wb_puts(b, "\">");
	wb_htmls(b, web_body_title(r, it->label_body));
	wb_puts(b, "</a>");
	if (with_target) {
		proto_coop_target t;
		if (proto_coop_target_read(it->body, PROTO_F_TARGET, &t) == 0) {
			wb_printf(b, " %s ", L(r, "pour", "for"));
			record_link(r, t.territory, t.path);
		}
	}
	wb_printf(b, ", %s ", L(r, "attribué par", "awarded by"));
	territory_link(r, it->row->entry.territory);
	const char *issuer = web_body_str(it->label_body, PROTO_F_ISSUER);
	if (issuer) {
		wb_puts(b, " (");
		wb_htmls(b, issuer);
		wb_puts(b, ")");
	}
	wb_printf(b, " %s ", L(r, "le", "on"));
	ymd_put(r, web_body_str(it->body, PROTO_F_AWARDED));
	const char *until = web_body_str(it->body, PROTO_F_UNTIL);
	if (until) {
		wb_printf(b, ", %s ", L(r, "valable jusqu'au", "valid until"));
		ymd_put(r, until);
	}
	if (it->expired)
		wb_printf(b, " <strong class=\"untrusted\">%s</strong>", L(r, "expiré", "expired"));
	if (it->older_version)
		wb_printf(
		    b, " <em>(%s)</em>",
		    L(r, "attribué à une version antérieure", "awarded to an earlier version"));
}

static int award_item(const coop_item *it, void *ctx)
{
	web_count_ctx *c = ctx;
	/* only the labels of issuers this node trusts */
	if (!list_item(c, it, "h-labels", L(c->r, "Labels", "Labels"), "labels"))
		return 0;
	web_buf *b = &c->r->out;
	wb_printf(b, "<li%s>", it->expired ? " class=\"expired\"" : "");
	award_sentence(c->r, it, false);
	criteria_put(c->r, it->body, it->label_body);
	wb_puts(b, "</li>");
	return c->n >= COOP_LIST_MAX;
}

/* ---- a call's interests ------------------------------------------------------------------- */

static int interest_item(const coop_item *it, void *ctx)
{
	web_count_ctx *c = ctx;
	if (!list_item(c, it, NULL, NULL, "interests"))
		return 0;
	web_req *r = c->r;
	web_buf *b = &r->out;
	char p[PROTO_PATH_MAX + 1];
	item_begin(r, it, p, " — ");
	value_label(r, web_body_str(it->body, PROTO_F_ROLE));
	wb_puts(b, " (<a href=\"");
	web_entry_href(b, it->row->entry.territory, p, strlen(p));
	wb_printf(b, "\">%s</a>)", L(r, "détail", "details"));
	const char *msg = web_body_str(it->body, PROTO_F_MESSAGE);
	if (msg)
		web_coop_text(b, msg, strlen(msg));
	wb_puts(b, "</li>");
	return c->n >= COOP_LIST_MAX;
}

/* ---- the thread -------------------------------------------------------------------------- */

typedef struct thread_ctx {
	web_req *r;
	const uint8_t *page_territory; /* the page the reply forms come back to */
	const char *page_path;
	bool can_write;
	unsigned n;
} thread_ctx;

static int comment_item(const coop_item *it, void *ctx)
{
	thread_ctx *c = ctx;
	if (!it->trusted)
		return 0; /* folded: counted above the thread */
	web_req *r = c->r;
	web_buf *b = &r->out;
	char p[PROTO_PATH_MAX + 1], date[DATEFMT_CAP], signer[512];
	path_copy(it->row, p);
	const char *id = strrchr(p, '/');
	id = id ? id + 1 : p;
	if (c->n++ == 0)
		wb_puts(b, "<ol class=\"thread\">");
	wb_printf(b, "<li class=\"d%u\" id=\"c-%s\">", it->depth, id);
	if (it->hidden) {
		wb_printf(b, "<p class=\"hint\">%s ",
		          L(r, "Masqué par ce nœud :", "Hidden by this node:"));
		wb_htmls(b, it->hidden);
		wb_puts(b, "</p></li>");
		return c->n >= COOP_THREAD_MAX;
	}
	web_signer_label(r->wk->st, &it->row->entry, signer, sizeof signer);
	web_date(r, it->row->entry.timestamp, date, sizeof date);
	wb_puts(b, "<p class=\"meta\">");
	wb_htmls(b, signer);
	wb_puts(b, ", <a href=\"");
	web_entry_href(b, it->row->entry.territory, p, strlen(p));
	wb_printf(b, "\">%s</a></p>", date);
	const char *text = web_body_str(it->body, PROTO_F_TEXT);
	if (text)
		web_coop_text(b, text, strlen(text));
	if (c->can_write)
		web_coop_comment_form(r, it->row->entry.territory, p, c->page_territory,
		                      c->page_path, id);
	wb_puts(b, "</li>");
	return c->n >= COOP_THREAD_MAX;
}

static void thread_section(web_req *r, const uint8_t territory[PROTO_KEY_LEN], const char *path,
                           bool can_write)
{
	web_buf *b = &r->out;
	const trust_view *tv = web_trust(r);
	size_t all = 0, untrusted = 0;
	coop_comments_count(r->wk->st, territory, path, tv, &all, &untrusted);
	wb_printf(b, "<section aria-labelledby=\"h-thread\"><h2 id=\"h-thread\">%s (%zu)</h2>",
	          L(r, "Discussion", "Discussion"), all - untrusted);
	if (untrusted)
		wb_printf(b, "<p class=\"hint\">%zu %s</p>", untrusted,
		          untrusted > 1
		              ? L(r, "commentaires de territoires hors de votre confiance",
		                  "comments of territories outside your trust")
		              : L(r, "commentaire d'un territoire hors de votre confiance",
		                  "comment of a territory outside your trust"));
	thread_ctx tc = { r, territory, path, can_write, 0 };
	coop_comments(r->wk->st, territory, path, tv, comment_item, &tc);
	if (tc.n)
		wb_puts(b, "</ol>");
	else if (all == untrusted)
		wb_printf(b, "<p>%s</p>", L(r, "Aucun commentaire.", "No comment."));
	if (can_write)
		web_coop_comment_form(r, territory, path, territory, path, NULL);
	wb_puts(b, "</section>");
}

/* ---- users of a component ------------------------------------------------------------------ */

static int user_item(const coop_item *it, void *ctx)
{
	web_count_ctx *c = ctx;
	if (!list_item(c, it, "h-users", L(c->r, "Utilisé par", "Used by"), "users"))
		return 0;
	web_req *r = c->r;
	web_buf *b = &r->out;
	char p[PROTO_PATH_MAX + 1];
	item_begin(r, it, p, " : <a href=\"");
	web_entry_href(b, it->row->entry.territory, p, strlen(p));
	wb_puts(b, "\">");
	wb_htmls(b, web_body_title(r, it->body));
	wb_puts(b, "</a> (");
	value_label(r, web_body_str(it->body, PROTO_F_TYPE));
	wb_puts(b, ")</li>");
	return c->n >= COOP_LIST_MAX;
}

/* ---- an act's own page ------------------------------------------------------------------------
 */

bool web_coop_withheld(web_req *r, const store_row *row, const char *type, bool say)
{
	if (!type || strcmp(type, PROTO_T_COMMENT) != 0)
		return false;
	char path[PROTO_PATH_MAX + 1], reason[256];
	path_copy(row, path);
	const trust_view *tv = web_trust(r);
	bool hidden =
	    store_hidden(r->wk->st, row->entry.territory, path, reason, sizeof reason, NULL) == 0;
	bool folded = !hidden && !r->all && !(tv && trust_find(tv, row->entry.territory));
	if (say && hidden) {
		wb_printf(&r->out, "<p>%s ", L(r, "Masqué par ce nœud :", "Hidden by this node:"));
		wb_htmls(&r->out, reason);
		wb_puts(&r->out, "</p>");
	} else if (say && folded) {
		wb_printf(&r->out, "<p>%s <a href=\"",
		          L(r, "Commentaire d'un territoire hors de votre confiance, non affiché.",
		            "Comment of a territory outside your trust, not shown."));
		web_entry_href(&r->out, row->entry.territory, path, strlen(path));
		wb_printf(&r->out, "&amp;all=1\">%s</a></p>",
		          L(r, "L'afficher quand même", "Show it anyway"));
	}
	return hidden || folded;
}

void web_coop_act_title(web_req *r, const store_row *row, const char *type, char *ret, size_t cap)
{
	char name[256];
	web_territory_name(r->wk->st, row->entry.territory, name, sizeof name);
	if (strcmp(type, PROTO_T_INTEREST) == 0)
		snprintf(ret, cap, "%s %s", L(r, "Intérêt de", "Interest of"), name);
	else if (strcmp(type, PROTO_T_AWARD) == 0)
		snprintf(ret, cap, "%s %s", L(r, "Label attribué par", "Label awarded by"), name);
	else
		snprintf(ret, cap, "%s %s", L(r, "Commentaire de", "Comment by"), name);
}

static void act_about(web_req *r, const store_row *row, const proto_value *body, const char *type)
{
	web_buf *b = &r->out;
	proto_coop_target t;
	wb_printf(b, "<section aria-labelledby=\"h-about\"><h2 id=\"h-about\">%s</h2>",
	          L(r, "À propos de", "About"));
	if (!proto_coop_path_ok(row->entry.territory, row->entry.path, row->entry.path_len, body))
		wb_printf(b, "<p class=\"error\">%s</p>",
		          L(r,
		            "Ce nœud n'en tient pas compte : son chemin n'est pas celui que son "
		            "contenu donne (ou ce label n'est pas de ce territoire).",
		            "This node ignores it: its path is not the one its content gives (or "
		            "the label is not this territory's)."));
	if (proto_coop_about(body, &t) == 0) {
		wb_puts(b, "<p>");
		wb_puts(b, strcmp(type, PROTO_T_INTEREST) == 0 ? L(r, "Appel :", "Call:")
		           : strcmp(type, PROTO_T_AWARD) == 0
		               ? L(r, "Fiche :", "Record:")
		               : L(r, "En réponse à :", "In reply to:"));
		wb_puts(b, " ");
		record_link(r, t.territory, t.path);
		wb_puts(b, " — ");
		territory_link(r, t.territory);
		wb_puts(b, "</p>");
	}
	if (strcmp(type, PROTO_T_AWARD) == 0 &&
	    proto_coop_target_read(body, PROTO_F_LABEL, &t) == 0) {
		wb_printf(b, "<p>%s ", L(r, "Label :", "Label:"));
		record_link(r, t.territory, t.path);
		wb_puts(b, "</p>");
	}
	if (strcmp(type, PROTO_T_INTEREST) == 0) {
		wb_printf(b, "<p>%s ", L(r, "Rôle :", "Role:"));
		value_label(r, web_body_str(body, PROTO_F_ROLE));
		wb_puts(b, "</p>");
	}
	const char *text =
	    web_body_str(body, strcmp(type, PROTO_T_COMMENT) == 0 ? PROTO_F_TEXT : PROTO_F_MESSAGE);
	if (text && !web_coop_withheld(r, row, type, false))
		web_coop_text(b, text, strlen(text));
	wb_puts(b, "</section>");
}

/* ---- the entry page's sections -----------------------------------------------------------------
 */

void web_coop_entry(web_req *r, const store_row *row, const proto_value *body, const char *type)
{
	web_buf *b = &r->out;
	const trust_view *tv = web_trust(r);
	char path[PROTO_PATH_MAX + 1], today[11];
	path_copy(row, path);
	const uint8_t *terr = row->entry.territory;
	uint8_t mine[PROTO_KEY_LEN];
	const uint8_t *sk;
	char capref[WEB_CAPREF_CAP];
	bool can_write = web_publish_territory(r, mine, &sk, capref);
	bool act = type && proto_coop_is_act(type, strlen(type));
	if (act)
		act_about(r, row, body, type);
	if (!act) {
		coop_today(web_now_us(r->w), r->w->zone, today);
		web_count_ctx al = { r, 0 };
		coop_awards(r->wk->st, terr, path, tv, today, award_item, &al);
		if (al.n)
			wb_puts(b, "</ul></section>");
	}
	if (type && strcmp(type, PROTO_T_CALL) == 0) {
		wb_printf(b,
		          "<section aria-labelledby=\"h-interests\"><h2 id=\"h-interests\">%s</h2>",
		          L(r, "Territoires intéressés", "Interested territories"));
		web_count_ctx il = { r, 0 };
		coop_interests(r->wk->st, terr, path, tv, interest_item, &il);
		if (il.n)
			wb_puts(b, "</ul>");
		else
			wb_printf(b, "<p>%s</p>",
			          L(r, "Aucun territoire pour l'instant.", "No territory yet."));
		if (can_write && memcmp(mine, terr, PROTO_KEY_LEN) != 0)
			web_coop_interest_form(r, terr, path, mine);
		wb_puts(b, "</section>");
	}
	if (type && strcmp(type, "component") == 0) {
		web_count_ctx ul = { r, 0 };
		coop_users(r->wk->st, terr, path, tv, user_item, &ul);
		if (ul.n)
			wb_puts(b, "</ul></section>");
	}
	if (!act || strcmp(type, PROTO_T_COMMENT) == 0)
		thread_section(r, terr, path, can_write);
}

/* ---- a territory's page
 * -------------------------------------------------------------------------- */

static int territory_act(const coop_item *it, void *ctx)
{
	web_count_ctx *c = ctx;
	web_req *r = c->r;
	web_buf *b = &r->out;
	const char *type = web_body_str(it->body, PROTO_F_TYPE);
	coop_item shown = *it;
	shown.trusted = true; /* a territory's own acts, on its page */
	list_item(c, &shown, NULL, NULL, "acts");
	wb_puts(b, "<li>");
	if (type && strcmp(type, PROTO_T_INTEREST) == 0) {
		proto_coop_target t;
		if (proto_coop_target_read(it->body, PROTO_F_CALL, &t) == 0) {
			record_link(r, t.territory, t.path);
			wb_puts(b, " — ");
			territory_link(r, t.territory);
		}
		wb_puts(b, " (");
		value_label(r, web_body_str(it->body, PROTO_F_ROLE));
		wb_puts(b, ")");
	} else {
		award_sentence(r, it, true);
	}
	wb_puts(b, "</li>");
	return c->n >= COOP_LIST_MAX;
}

static int received_item(const coop_item *it, void *ctx)
{
	return it->trusted ? territory_act(it, ctx) : 0;
}

static void acts_section(web_req *r, const char *fr, const char *en, web_count_ctx *c)
{
	web_buf *b = &r->out;
	if (c->n)
		wb_puts(b, "</ul>");
	else
		wb_printf(b, "<p>%s</p>", L(r, fr, en));
}

void web_coop_territory(web_req *r, const uint8_t key[PROTO_KEY_LEN])
{
	web_buf *b = &r->out;
	const trust_view *tv = web_trust(r);
	char today[11];
	coop_today(web_now_us(r->w), r->w->zone, today);
	calls_ctx c = { .all = true };
	if (coop_calls(r->wk->st, key, tv, call_collect, &c) >= 0) {
		wb_printf(b, "<h2>%s</h2>", L(r, "Appels à coopération", "Calls to cooperate"));
		if (c.n) {
			wb_puts(b, "<ul class=\"calls\">");
			for (size_t i = 0; i < c.n; i++)
				call_item(r, &c.v[i], false);
			wb_puts(b, "</ul>");
		} else {
			wb_printf(b, "<p>%s</p>", L(r, "Aucun appel.", "No call."));
		}
	}
	free(c.v);
	web_count_ctx il = { r, 0 };
	wb_printf(b, "<h2>%s</h2>", L(r, "Intérêts exprimés", "Interests expressed"));
	coop_territory_acts(r->wk->st, key, PROTO_T_INTEREST, tv, today, territory_act, &il);
	acts_section(r, "Aucun.", "None.", &il);
	web_count_ctx gl = { r, 0 };
	wb_printf(b, "<h2>%s</h2>", L(r, "Labels attribués", "Labels given"));
	coop_territory_acts(r->wk->st, key, PROTO_T_AWARD, tv, today, territory_act, &gl);
	acts_section(r, "Aucun.", "None.", &gl);
	web_count_ctx rl = { r, 0 };
	wb_printf(b, "<h2>%s</h2>", L(r, "Labels reçus", "Labels received"));
	coop_awards_received(r->wk->st, key, tv, today, received_item, &rl);
	acts_section(r, "Aucun.", "None.", &rl);
}
