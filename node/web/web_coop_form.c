/* node/web/web_coop_form.c: the forms that write cooperation acts (PROTOCOL.md §5): "Nous en
 * sommes" on a call's page (an `interest` signed by this node for its territory, at the path
 * proto_coop_path gives, so that a second one edits the first, and withdrawn by a tombstone)
 * and the comment forms of a thread (a `comment` on the record or a reply to a comment). The
 * rules are the publish form's: a node whose web can publish (web_publish_territory), the
 * CSRF token, the body validated as `maille publish` validates a file (normalize, validate,
 * proto_coop_check), signed and stored through the same path, pushed to the peers by the
 * daemon. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/service/log.h"
#include "node/service/publish.h"
#include "proto/coop.h"
#include "proto/error.h"
#include "proto/record.h"
#include "proto/schema.h"
#include "web_int.h"

/* ---- the forms --------------------------------------------------------------------------- */

static const proto_record_field *interest_field(const char *name)
{
	return proto_record_type_field(
	    proto_record_type_find(PROTO_T_INTEREST, strlen(PROTO_T_INTEREST)), name);
}

/* The contact list's member of kind k (its e-mail, its public flag). */
static const char *contact_member(proto_field_kind k)
{
	const proto_record_field *f = interest_field(PROTO_F_CONTACTS);
	for (const proto_record_field *m = f && f->obj ? f->obj->fields : NULL; m && m->name; m++)
		if (m->kind == k)
			return m->name;
	return k == PROTO_FK_EMAIL ? "email" : PROTO_F_PUBLIC;
}

static void hidden_target(web_req *r, const char *prefix, const uint8_t key[PROTO_KEY_LEN],
                          const char *path)
{
	char hex[2 * PROTO_KEY_LEN + 1];
	proto_hex(key, PROTO_KEY_LEN, hex);
	wb_printf(&r->out,
	          "<input type=\"hidden\" name=\"%sterritory\" value=\"%s\">"
	          "<input type=\"hidden\" name=\"%spath\" value=\"",
	          prefix, hex, prefix);
	wb_htmls(&r->out, path);
	wb_puts(&r->out, "\">");
}

/* The path of the interest territory mine has (or would have) in the call (territory, path). */
static int interest_path(const uint8_t territory[PROTO_KEY_LEN], const char *path,
                         char ret[PROTO_PATH_MAX + 1])
{
	char hex[2 * PROTO_KEY_LEN + 1];
	proto_hex(territory, PROTO_KEY_LEN, hex);
	char d[PROTO_COOP_HEX + 1];
	proto_coop_digest(territory, path, strlen(path), d);
	int n = snprintf(ret, PROTO_PATH_MAX + 1, "%s/%s", PROTO_T_INTEREST, d);
	return n > 0 && (size_t)n <= PROTO_PATH_MAX ? 0 : MAILLE_EINVAL;
}

void web_coop_interest_form(web_req *r, const uint8_t territory[PROTO_KEY_LEN], const char *path,
                            const uint8_t mine[PROTO_KEY_LEN])
{
	web_buf *b = &r->out;
	char ipath[PROTO_PATH_MAX + 1], tok[65];
	const char *role = "", *msg = "", *email = "";
	store_row row;
	bool have = false;
	proto_arena a;
	proto_arena_init(&a, 0);
	if (interest_path(territory, path, ipath) == 0 &&
	    store_entry_get(r->wk->st, mine, ipath, &row) == 0) {
		have = true;
		proto_value *body = web_row_body(&row, &a);
		if (body) {
			const proto_value *cs = proto_map_get(body, PROTO_F_CONTACTS);
			role = web_body_str(body, PROTO_F_ROLE);
			msg = web_body_str(body, PROTO_F_MESSAGE);
			email =
			    cs && cs->type == PROTO_V_ARRAY && cs->u.arr.n
			        ? web_body_str(&cs->u.arr.items[0], contact_member(PROTO_FK_EMAIL))
			        : NULL;
		} else {
			have = false; /* withdrawn: a tombstone */
		}
	}
	role = role ? role : "";
	msg = msg ? msg : "";
	email = email ? email : "";
	web_csrf_token(r, tok);
	wb_printf(b,
	          "<h3 id=\"h-join\">%s</h3><form method=\"post\" action=\"/interest\" "
	          "aria-labelledby=\"h-join\"><input type=\"hidden\" name=\"csrf\" value=\"%s\">",
	          have ? L(r, "Notre intérêt", "Our interest")
	               : L(r, "Nous en sommes", "Count us in"),
	          tok);
	hidden_target(r, "", territory, path);
	wb_printf(b,
	          "<p><label for=\"i-role\">%s <span aria-hidden=\"true\">*</span><span "
	          "class=\"skip\">%s</span></label><br><select id=\"i-role\" name=\"role\" "
	          "required>",
	          L(r, "Rôle proposé", "Role offered"), L(r, "(obligatoire)", "(required)"));
	const proto_record_field *rf = interest_field(PROTO_F_ROLE);
	for (const proto_vocab_term *t = rf && rf->vocab ? rf->vocab->terms : NULL; t && t->value;
	     t++) {
		wb_printf(b, "<option value=\"%s\"%s>", t->value,
		          strcmp(role, t->value) == 0 ? " selected" : "");
		wb_htmls(b, r->en ? t->label.en : t->label.fr);
		wb_puts(b, "</option>");
	}
	wb_printf(b,
	          "</select></p><p><label for=\"i-message\">%s</label><br><textarea "
	          "id=\"i-message\" name=\"message\" rows=\"4\" maxlength=\"%u\">",
	          L(r, "Message au territoire de l'appel", "Message to the call's territory"),
	          PROTO_COOP_MESSAGE_MAX);
	wb_htmls(b, msg);
	wb_printf(b,
	          "</textarea><br><span class=\"hint\">%s</span></p><p><label "
	          "for=\"i-contact\">%s</label><br><input type=\"email\" id=\"i-contact\" "
	          "name=\"contact_email\" value=\"",
	          L(r, "Emphase, liens et listes ; 4 Kio au plus.",
	            "Emphasis, links and lists; 4 KiB at most."),
	          L(r, "Courriel de contact (affiché à tous)", "Contact e-mail (shown to anyone)"));
	wb_htmls(b, email);
	wb_puts(b, "\"></p>");
	if (have)
		wb_printf(b,
		          "<p><input type=\"checkbox\" id=\"i-withdraw\" name=\"withdraw\" "
		          "value=\"1\"> <label for=\"i-withdraw\">%s</label></p>",
		          L(r, "Retirer notre intérêt", "Withdraw our interest"));
	wb_printf(b, "<p><button type=\"submit\">%s</button></p></form>",
	          have ? L(r, "Enregistrer", "Save") : L(r, "Nous en sommes", "Count us in"));
	if (have)
		store_row_done(&row);
	proto_arena_done(&a);
}

void web_coop_comment_form(web_req *r, const uint8_t territory[PROTO_KEY_LEN], const char *path,
                           const uint8_t page_territory[PROTO_KEY_LEN], const char *page_path,
                           const char *id)
{
	web_buf *b = &r->out;
	char tok[65];
	web_csrf_token(r, tok);
	const char *fid = id ? id : "record";
	if (id)
		wb_printf(b, "<details class=\"reply\"><summary>%s</summary>",
		          L(r, "Répondre", "Reply"));
	wb_printf(b,
	          "<form method=\"post\" action=\"/comment\"><input type=\"hidden\" name=\"csrf\" "
	          "value=\"%s\">",
	          tok);
	hidden_target(r, "", territory, path);
	hidden_target(r, "back_", page_territory, page_path);
	wb_printf(b,
	          "<p><label for=\"t-%s\">%s</label><br><textarea id=\"t-%s\" name=\"text\" "
	          "rows=\"4\" maxlength=\"%u\" required></textarea><br><span class=\"hint\">%s"
	          "</span></p><p><button type=\"submit\">%s</button></p></form>",
	          fid,
	          id ? L(r, "Votre réponse", "Your reply")
	             : L(r, "Votre commentaire", "Your comment"),
	          fid, PROTO_COOP_COMMENT_MAX,
	          L(r,
	            "Emphase (*texte*), liens http(s) et listes ; le reste s'affiche tel quel. "
	            "8 Kio au plus. Signé par votre territoire.",
	            "Emphasis (*text*), http(s) links and lists; anything else shows as written. "
	            "8 KiB at most. Signed by your territory."),
	          id ? L(r, "Publier la réponse", "Publish the reply")
	             : L(r, "Publier le commentaire", "Publish the comment"));
	if (id)
		wb_puts(b, "</details>");
}

/* ---- writing ------------------------------------------------------------------------------ */

/* The form's (prefix)territory and (prefix)path; false with the 400 written. */
static bool form_target(web_req *r, const char *prefix, uint8_t ret_key[PROTO_KEY_LEN],
                        char ret_path[PROTO_PATH_MAX + 1])
{
	char kt[32], kp[32];
	snprintf(kt, sizeof kt, "%sterritory", prefix);
	snprintf(kp, sizeof kp, "%spath", prefix);
	const char *t = web_form_get(&r->form, kt), *p = web_form_get(&r->form, kp);
	if (!t || !p || strlen(t) != 2 * PROTO_KEY_LEN || proto_unhex(t, ret_key, PROTO_KEY_LEN) ||
	    strlen(p) > PROTO_PATH_MAX || !proto_path_valid(p, strlen(p))) {
		web_error(r, 400, "Fiche visée mal formée (territoire ou chemin).",
		          "Malformed target record (territory or path).");
		return false;
	}
	snprintf(ret_path, PROTO_PATH_MAX + 1, "%s", p);
	return true;
}

/* The live document at (key, path), of type (NULL: any); false with the 404 written. */
static bool target_live(web_req *r, const uint8_t key[PROTO_KEY_LEN], const char *path,
                        const char *type)
{
	store_row row;
	proto_arena a;
	proto_arena_init(&a, 0);
	bool ok = false;
	if (store_entry_get(r->wk->st, key, path, &row) == 0) {
		proto_value *body = web_row_body(&row, &a);
		const char *t = web_body_str(body, PROTO_F_TYPE);
		ok = body && (!type || (t && strcmp(t, type) == 0));
		store_row_done(&row);
	}
	proto_arena_done(&a);
	if (!ok)
		web_error(r, 404,
		          type ? "Aucun appel à coopération à cette adresse."
		               : "Aucune fiche à cette adresse.",
		          type ? "No call to cooperate at this address."
		               : "No record at this address.");
	return ok;
}

static proto_value *target_value(proto_arena *a, const uint8_t key[PROTO_KEY_LEN], const char *path)
{
	char hex[2 * PROTO_KEY_LEN + 1];
	proto_hex(key, PROTO_KEY_LEN, hex);
	proto_value *t = proto_value_new(a, PROTO_V_MAP);
	proto_value *s;
	if (!t || !(s = proto_value_map_put(a, t, PROTO_F_TERRITORY, strlen(PROTO_F_TERRITORY))))
		return NULL;
	*s = *proto_value_new_str(a, hex, strlen(hex));
	if (!(s = proto_value_map_put(a, t, PROTO_F_PATH, strlen(PROTO_F_PATH))))
		return NULL;
	*s = *proto_value_new_str(a, path, strlen(path));
	return t;
}

static int put_str(proto_arena *a, proto_value *m, const char *k, const char *v)
{
	proto_value *s = proto_value_map_put(a, m, k, strlen(k));
	proto_value *x = proto_value_new_str(a, v, strlen(v));
	if (!s || !x)
		return MAILLE_ENOMEM;
	*s = *x;
	return 0;
}

/* A new act's body: {type, field: {territory, path}, text_field: the form's value of
 * form_key (when not empty), lang: the page's}; NULL: out of memory. */
static proto_value *act_body(web_req *r, proto_arena *a, const char *type, const char *field,
                             const uint8_t key[PROTO_KEY_LEN], const char *path,
                             const char *text_field, const char *form_key)
{
	const char *text = web_form_get(&r->form, form_key);
	proto_value *body = proto_value_new(a, PROTO_V_MAP);
	proto_value *t = target_value(a, key, path), *slot;
	if (!body || !t || put_str(a, body, PROTO_F_TYPE, type) ||
	    !(slot = proto_value_map_put(a, body, field, strlen(field))))
		return NULL;
	*slot = *t;
	if (text && *text && put_str(a, body, text_field, text))
		return NULL;
	return put_str(a, body, PROTO_F_LANG, r->en ? "en" : "fr") ? NULL : body;
}

/* The 422 page of a refused act: the errors of the validation, and the way back. */
static void refused(web_req *r, const proto_schema_report *rep,
                    const uint8_t back_key[PROTO_KEY_LEN], const char *back_path)
{
	web_buf *b = &r->out;
	r->status = 422;
	web_page_begin(r, L(r, "Non enregistré", "Not stored"), NULL);
	wb_printf(b, "<h1>%s</h1><div class=\"error\" role=\"alert\"><ul>",
	          L(r, "Rien n'a été enregistré", "Nothing was stored"));
	for (size_t i = 0; i < rep->n_errors; i++) {
		wb_puts(b, "<li>");
		if (rep->errors[i].field[0]) {
			const char *lab = web_label(r, rep->errors[i].field);
			wb_htmls(b, lab ? lab : rep->errors[i].field);
			wb_puts(b, " : ");
		}
		wb_htmls(b, proto_schema_text(&rep->errors[i], r->en));
		wb_puts(b, "</li>");
	}
	wb_printf(b, "</ul></div><p><a href=\"");
	web_entry_href(b, back_key, back_path, strlen(back_path));
	wb_printf(b, "\">%s</a></p>", L(r, "Retour à la fiche", "Back to the record"));
	web_page_end(r);
}

/* Validates body as `maille publish` would for path in territory, signs and stores it; then
 * redirects to the page (back_key, back_path) at anchor. */
static void act_store(web_req *r, proto_value *body, proto_arena *a, const char *path,
                      const uint8_t back_key[PROTO_KEY_LEN], const char *back_path,
                      const char *anchor)
{
	uint8_t terr[PROTO_KEY_LEN];
	const uint8_t *sk;
	char capref[WEB_CAPREF_CAP];
	if (!web_publish_territory(r, terr, &sk, capref)) {
		web_error(
		    r, 403,
		    "Ce poste de membre n'a pas encore d'autorisation en vigueur : le nœud de "
		    "votre territoire doit lancer « maille member add » avec sa clé.",
		    "This member's node has no capability in force yet: your territory's node "
		    "must run 'maille member add' with its key.");
		return;
	}
	proto_schema_report *rep = malloc(sizeof *rep); /* ~70 KB: off the thread's stack */
	if (!rep) {
		web_error(r, 500, "Mémoire insuffisante.", "Out of memory.");
		return;
	}
	proto_schema_normalize(body, a);
	if (proto_schema_validate(body, rep) == 0)
		proto_coop_check(terr, path, body, rep);
	if (rep->n_errors) {
		refused(r, rep, back_key, back_path);
		free(rep);
		return;
	}
	free(rep);
	uint8_t *enc = NULL;
	size_t enc_len = 0;
	int e = publish_encode_body(body, &enc, &enc_len);
	if (!e)
		e = web_sign_store(r, path, PROTO_KIND_DOCUMENT, enc, enc_len);
	free(enc);
	if (e) {
		LOG_WARN("WEB-PUBLISH", "%s: cannot store %s: %s", r->ip, path, maille_strerror(e));
		web_store_refused(r, e, "Rien n'a pu être enregistré.", "Nothing could be stored.");
		return;
	}
	LOG_INFO("WEB-PUBLISH", "%s: published %s", r->ip, path);
	web_buf loc = { 0 };
	web_entry_href(&loc, back_key, back_path, strlen(back_path));
	wb_printf(&loc, "#%s", anchor);
	web_redirect(r, loc.failed ? "/" : loc.p);
	wb_done(&loc);
}

static void withdraw(web_req *r, const char *path, const uint8_t back_key[PROTO_KEY_LEN],
                     const char *back_path)
{
	static const uint8_t empty_map = 0x80;
	int e = web_sign_store(r, path, PROTO_KIND_TOMBSTONE, &empty_map, 1);
	if (e) {
		web_store_refused(r, e, "Le retrait n'a pas pu être enregistré.",
		                  "The withdrawal could not be stored.");
		return;
	}
	LOG_INFO("WEB-PUBLISH", "%s: withdrew %s", r->ip, path);
	web_buf loc = { 0 };
	web_entry_href(&loc, back_key, back_path, strlen(back_path));
	wb_puts(&loc, "#h-interests");
	web_redirect(r, loc.failed ? "/" : loc.p);
	wb_done(&loc);
}

void web_post_interest(web_req *r, const char *rest)
{
	(void)rest;
	if (!web_csrf_check(r))
		return;
	uint8_t key[PROTO_KEY_LEN];
	char path[PROTO_PATH_MAX + 1], ipath[PROTO_PATH_MAX + 1];
	if (!form_target(r, "", key, path) || !target_live(r, key, path, PROTO_T_CALL))
		return;
	r->no_store = true;
	if (interest_path(key, path, ipath)) {
		web_error(r, 400, "Chemin d'appel trop long.", "Call path too long.");
		return;
	}
	const char *wd = web_form_get(&r->form, "withdraw");
	if (wd && strcmp(wd, "1") == 0) {
		withdraw(r, ipath, key, path);
		return;
	}
	const char *role = web_form_get(&r->form, "role");
	const char *email = web_form_get(&r->form, "contact_email");
	proto_arena a;
	proto_arena_init(&a, 4u * WEB_BODY_MAX + (1u << 20));
	proto_value *body =
	    act_body(r, &a, PROTO_T_INTEREST, PROTO_F_CALL, key, path, PROTO_F_MESSAGE, "message");
	int e = body ? 0 : MAILLE_ENOMEM;
	if (!e && role && *role)
		e = put_str(&a, body, PROTO_F_ROLE, role);
	if (!e && email && *email) {
		proto_value *cs = proto_value_map_put(&a, body, PROTO_F_CONTACTS, strlen(PROTO_F_CONTACTS));
		proto_value *c =
		    cs ? (cs->type = PROTO_V_ARRAY, proto_value_array_push(&a, cs)) : NULL;
		if (!c) {
			e = MAILLE_ENOMEM;
		} else {
			c->type = PROTO_V_MAP;
			e = put_str(&a, c, contact_member(PROTO_FK_EMAIL), email);
			proto_value *pub =
			    e ? NULL
			      : proto_value_map_put(&a, c, contact_member(PROTO_FK_BOOL),
			                            strlen(contact_member(PROTO_FK_BOOL)));
			if (pub) {
				pub->type = PROTO_V_BOOL;
				pub->u.b = true;
			}
		}
	}
	if (e)
		web_error(r, 500, "Mémoire insuffisante.", "Out of memory.");
	else
		act_store(r, body, &a, ipath, key, path, "h-interests");
	proto_arena_done(&a);
}

void web_post_comment(web_req *r, const char *rest)
{
	(void)rest;
	if (!web_csrf_check(r))
		return;
	uint8_t key[PROTO_KEY_LEN], back_key[PROTO_KEY_LEN], rnd[8];
	char path[PROTO_PATH_MAX + 1], back[PROTO_PATH_MAX + 1], cpath[PROTO_PATH_MAX + 1];
	if (!form_target(r, "", key, path) || !form_target(r, "back_", back_key, back) ||
	    !target_live(r, key, path, NULL))
		return;
	r->no_store = true;
	proto_arena a;
	proto_arena_init(&a, 4u * WEB_BODY_MAX + (1u << 20));
	proto_value *body =
	    act_body(r, &a, PROTO_T_COMMENT, PROTO_F_TARGET, key, path, PROTO_F_TEXT, "text");
	int e = body ? 0 : MAILLE_ENOMEM;
	randombytes_buf(rnd, sizeof rnd);
	if (!e && proto_coop_path(body, rnd, cpath, sizeof cpath) != 0)
		e = MAILLE_EINVAL;
	if (e == MAILLE_EINVAL) {
		web_error(r, 400, "Chemin de la fiche visée trop long.", "Target path too long.");
	} else if (e) {
		web_error(r, 500, "Mémoire insuffisante.", "Out of memory.");
	} else {
		char anchor[4 + PROTO_PATH_MAX + 1];
		const char *id = strrchr(cpath, '/');
		snprintf(anchor, sizeof anchor, "c-%s", id ? id + 1 : cpath);
		act_store(r, body, &a, cpath, back_key, back, anchor);
	}
	proto_arena_done(&a);
}
