/* node/web/web_page_territory.c: the territory page: its key, whether and why this node trusts
 * it (the trust view), its profile record, its members (capabilities), the territories that
 * vouch for it, and pages of its records. */
#include <stdio.h>
#include <string.h>

#include "proto/error.h"
#include "proto/member.h"
#include "web_int.h"

/* ---- territory ------------------------------------------------------------------------------- */

static int member_item(const proto_member_cap *cap, void *ctx)
{
	web_count_ctx *c = ctx;
	web_buf *b = &c->r->out;
	char hex[2 * PROTO_KEY_LEN + 1];
	proto_hex(cap->member, PROTO_KEY_LEN, hex);
	wb_puts(b, "<li>");
	wb_htmls(b, cap->name);
	wb_printf(b, " — %s, <code>%.8s</code>", cap->role == PROTO_ROLE_ADMIN ? L(c->r, "administration", "administration")
	                                            : L(c->r, "rédaction", "editing"),
	          hex);
	if (cap->until_us != UINT64_MAX) {
		char date[DATEFMT_CAP];
		web_date(c->r, cap->until_us, date, sizeof date);
		wb_printf(b, " (%s %s)", L(c->r, "jusqu'au", "until"), date);
	}
	wb_puts(b, "</li>");
	return ++c->n >= 200;
}

static int voucher_row(const store_row *row, void *ctx)
{
	web_count_ctx *c = ctx;
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
	unsigned page;
	if (!web_page_param(r, &page))
		return;
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
		wb_printf(b, " (%s %u %s).", L(r, "par l'intermédiaire de", "through"), tn->hops,
		          tn->hops > 1 ? L(r, "territoires", "territories")
		                       : L(r, "territoire", "territory"));
	}
	wb_puts(b, "</p>");
	if (body) {
		wb_printf(b, "<h2>%s</h2>", L(r, "Profil", "Profile"));
		web_fields(r, body, "territory", key);
	}
	if (e == 0)
		store_row_done(&trow);
	proto_arena_done(&a);

	wb_printf(b, "<h2>%s</h2><ul>", L(r, "Membres", "Members"));
	web_count_ctx mc = { r, 0 };
	trust_members_list(r->wk->st, key, member_item, &mc);
	wb_puts(b, "</ul>");
	if (!mc.n)
		wb_printf(b, "<p>%s</p>", L(r, "Aucun membre déclaré.", "No member declared."));

	char vpath[sizeof PROTO_VOUCHES_PREFIX + 2 * PROTO_KEY_LEN];
	snprintf(vpath, sizeof vpath, "%s%s", PROTO_VOUCHES_PREFIX, hex);
	wb_printf(b, "<h2>%s</h2><ul>", L(r, "Garanti par", "Vouched for by"));
	web_count_ctx vc = { r, 0 };
	store_entry_find_path(r->wk->st, vpath, NULL, voucher_row, &vc);
	wb_puts(b, "</ul>");
	if (!vc.n)
		wb_printf(b, "<p>%s</p>",
		          L(r, "Aucun territoire ne le garantit.", "No territory vouches for it."));

	web_coop_territory(r, key);

	store_filter f;
	memset(&f, 0, sizeof f);
	f.territory = key;
	wb_printf(b, "<h2>%s</h2><ul class=\"cards\">", L(r, "Fiches", "Records"));
	web_list_ctx c = { r, { 0 } };
	web_pager_run(r, NULL, &f, page, NULL, &c.pg, web_list_card, &c);
	wb_puts(b, "</ul>");
	if (!c.pg.shown)
		wb_printf(b, "<p>%s</p>", L(r, "Aucune fiche.", "No record."));
	if (page > 1 || c.pg.more) {
		wb_printf(b, "<nav class=\"pager\" aria-label=\"%s\">", L(r, "Pages", "Pages"));
		if (page > 1)
			wb_printf(b, "<a rel=\"prev\" href=\"/territory/%s?page=%u\">← %s</a>", hex,
			          page - 1, L(r, "Précédente", "Previous"));
		if (c.pg.more && page < WEB_PAGE_MAX)
			wb_printf(b, "<a rel=\"next\" href=\"/territory/%s?page=%u\">%s →</a>", hex,
			          page + 1, L(r, "Suivante", "Next"));
		wb_puts(b, "</nav>");
	}
	web_page_end(r);
}
