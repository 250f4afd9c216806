/* node/web/web_page_entry.c: the entry page (heading, summary, description, the type's fields
 * in the record table's order, other versions, the provenance last and folded, the edit and
 * delete forms of this territory's own records), the lookup of the
 * entry a /entry/ or /api/entries/ URL names, and the check of its signature at each read
 * with the answer when it fails (shared with the API). Every byte of user content goes
 * through wb_html, the description through cmark in safe mode. */
#include <stdio.h>
#include <string.h>

#include "node/service/log.h"
#include "proto/coop.h"
#include "proto/error.h"
#include "proto/record.h"
#include "web_int.h"

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
	char name[256], date[DATEFMT_CAP];
	web_territory_name(c->r->wk->st, row->entry.territory, name, sizeof name);
	web_date(c->r, row->entry.timestamp, date, sizeof date);
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

/* Where the record comes from and what vouches for its bytes: last on the page, folded. */
static void provenance(web_req *r, const store_row *row, const char *terr, bool trusted,
                       const char *date)
{
	web_buf *b = &r->out;
	char signer[512], hex[2 * PROTO_KEY_LEN + 1];
	web_signer_label(r->wk->st, &row->entry, signer, sizeof signer);
	wb_printf(b, "<details class=\"prov\"><summary>%s</summary><dl class=\"sub\">",
	          L(r, "Provenance et signature", "Provenance and signature"));
	proto_hex(row->entry.territory, PROTO_KEY_LEN, hex);
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
	proto_hex(row->entry.signer, PROTO_KEY_LEN, hex);
	wb_printf(b, "</dd><dt>%s</dt><dd><code>%.8s</code></dd>",
	          L(r, "Empreinte de la clé de signature", "Signing key fingerprint"), hex);
	wb_printf(b, "<dt>%s</dt><dd>%s</dd>", L(r, "Version du", "Version of"), date);
	/* web_row_verified held before the page was begun, for these very bytes */
	wb_printf(b, "<dt>%s</dt><dd class=\"ok\">%s</dd>", L(r, "Signature", "Signature"),
	          L(r, "signature vérifiée", "signature verified"));
	char idhex[2 * PROTO_ID_LEN + 1];
	proto_hex(row->id, PROTO_ID_LEN, idhex);
	wb_printf(b, "<dt>%s</dt><dd><code>%.16s</code></dd><dt>%s</dt><dd><code>",
	          L(r, "Identifiant", "Id"), idhex, L(r, "Chemin", "Path"));
	wb_html(b, row->entry.path, row->entry.path_len);
	wb_puts(b, "</code></dd></dl></details>");
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
	const char *type = web_body_str(body, PROTO_F_TYPE);
	const char *lang = r->en ? "en" : "fr";
	const char *title = web_body_title(r, body);
	char act_title[320];
	if (type && proto_coop_is_act(type, strlen(type))) { /* an act has no title of its own */
		web_coop_act_title(r, &row, type, act_title, sizeof act_title);
		title = act_title;
	}
	web_page_begin(r, title, NULL);
	web_buf *b = &r->out;
	const char *tl = type ? web_label(r, type) : NULL;
	char terr[256], hex[2 * PROTO_KEY_LEN + 1], date[DATEFMT_CAP];
	web_territory_name(r->wk->st, row.entry.territory, terr, sizeof terr);
	proto_hex(row.entry.territory, PROTO_KEY_LEN, hex);
	bool trusted = tv && trust_find(tv, row.entry.territory);
	web_date(r, row.entry.timestamp, date, sizeof date);
	/* content first: what the record says, then what it is, then where it comes from */
	wb_printf(b, "<article><p class=\"meta\">");
	wb_htmls(b, tl ? tl : type ? type : "?");
	wb_printf(b, " · <a href=\"/territory/%s\">", hex);
	wb_htmls(b, terr);
	wb_puts(b, "</a>");
	if (!trusted)
		wb_printf(b, " <strong class=\"untrusted\">%s</strong>",
		          L(r, "non reconnu", "untrusted"));
	wb_printf(b, " · %s %s</p><h1>", L(r, "mise à jour le", "updated"), date);
	wb_htmls(b, title);
	wb_puts(b, "</h1>");
	web_entry_text(r, b, body, lang);
	wb_printf(b, "<section aria-labelledby=\"h-details\"><h2 id=\"h-details\">%s</h2>",
	          L(r, "Détails", "Details"));
	if (!web_coop_withheld(r, &row, type, true)) /* a comment hidden or folded here */
		web_fields(r, body, type, row.entry.territory);
	wb_puts(b, "</section>");
	web_coop_entry(r, &row, body, type);
	char path[PROTO_PATH_MAX + 1];
	snprintf(path, sizeof path, "%.*s", (int)row.entry.path_len, row.entry.path);
	other_ctx oc = { r, row.entry.territory, 0 };
	store_entry_find_path(r->wk->st, path, NULL, other_version, &oc);
	if (oc.n)
		wb_puts(b, "</ul>");
	provenance(r, &row, terr, trusted, date);
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
