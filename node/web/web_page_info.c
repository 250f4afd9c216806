/* node/web/web_page_info.c: the pages a public service's site owes its readers, filled from
 * the territory profile of this node (its `territory` record): the accessibility statement
 * (/accessibilite, in the form French public sites use: the RGAA conformity stated honestly,
 * what was tested, the contact, the remedies) and the legal notice (/mentions-legales:
 * publisher, publication director, hosting); and the Atom feed of the newest records
 * (/feed.atom, RFC 4287, with the catalogue's filters). Every byte of user content goes through
 * wb_html (HTML) or feed_text (XML). */
#include <stdio.h>
#include <string.h>

#include "node/service/json.h"
#include "proto/record.h"
#include "web_int.h"

/* ---- the territory's profile ---------------------------------------------------------------- */

/* The territory this node serves: the one its forms write for (a member node's territory),
 * else its own key. */
static void site_key(const web_req *r, uint8_t ret[PROTO_KEY_LEN])
{
	const uint8_t *sk;
	char capref[WEB_CAPREF_CAP];
	if (!web_publish_territory(r, ret, &sk, capref))
		memcpy(ret, r->w->own, PROTO_KEY_LEN);
}

void web_site_name(web_req *r, char *ret, size_t cap)
{
	uint8_t key[PROTO_KEY_LEN];
	if (!r->wk || !r->wk->st) {
		snprintf(ret, cap, "%s", "");
		return;
	}
	site_key(r, key);
	web_territory_name(r->wk->st, key, ret, cap);
}

typedef struct profile {
	store_row row;
	bool have_row;
	proto_arena a;
	proto_value *body; /* NULL: no profile */
	char name[256];
	uint8_t key[PROTO_KEY_LEN];
} profile;

static void profile_open(web_req *r, profile *p)
{
	memset(p, 0, sizeof *p);
	proto_arena_init(&p->a, 0);
	site_key(r, p->key);
	web_territory_name(r->wk->st, p->key, p->name, sizeof p->name);
	if (store_entry_get(r->wk->st, p->key, "territory", &p->row) == 0) {
		p->have_row = true;
		p->body = web_row_body(&p->row, &p->a);
	}
}

static void profile_close(profile *p)
{
	proto_arena_done(&p->a);
	if (p->have_row)
		store_row_done(&p->row);
}

/* The profile's field as text (a string or a language map), or NULL. */
static const char *profile_str(web_req *r, const profile *p, const char *field)
{
	return p->body ? proto_langmap_pick(proto_map_get(p->body, field), r->en ? "en" : "fr")
	               : NULL;
}

/* How to reach the territory: its contact and website, or what to do without them. */
static void profile_contact(web_req *r, const profile *p)
{
	web_buf *b = &r->out;
	const char *contact = profile_str(r, p, PROTO_F_CONTACT),
	           *site = profile_str(r, p, PROTO_F_WEBSITE);
	if (!contact && !site) {
		wb_printf(b, "<p>%s</p>",
		          L(r,
		            "Le profil du territoire n'indique encore ni contact ni site web : "
		            "l'administrateur du nœud peut les ajouter.",
		            "The territory's profile gives no contact or website yet: the node's "
		            "administrator can add them."));
		return;
	}
	wb_puts(b, "<ul>");
	if (contact) {
		wb_printf(b, "<li>%s : ", L(r, "Contact", "Contact"));
		web_value(r, proto_map_get(p->body, PROTO_F_CONTACT), 0);
		wb_puts(b, "</li>");
	}
	if (site) {
		wb_printf(b, "<li>%s : ", L(r, "Site web", "Website"));
		web_value(r, proto_map_get(p->body, PROTO_F_WEBSITE), 0);
		wb_puts(b, "</li>");
	}
	wb_puts(b, "</ul>");
}

/* ---- Accessibilité ---------------------------------------------------------------------------- */

void web_page_accessibility(web_req *r, const char *rest)
{
	(void)rest;
	profile p;
	profile_open(r, &p);
	web_page_begin(r, L(r, "Déclaration d'accessibilité", "Accessibility statement"),
	               "accessibility");
	web_buf *b = &r->out;
	wb_printf(b, "<h1>%s</h1><p>", L(r, "Déclaration d'accessibilité", "Accessibility statement"));
	wb_htmls(b, p.name);
	wb_printf(b, " %s</p>",
	          L(r,
	            "s'engage à rendre ce catalogue accessible conformément à l'article 47 de la loi "
	            "n° 2005-102 du 11 février 2005. Cette déclaration s'applique au catalogue servi "
	            "par ce nœud.",
	            "is committed to making this catalogue accessible, as article 47 of French law "
	            "no. 2005-102 of 11 February 2005 requires. This statement applies to the "
	            "catalogue this node serves."));
	wb_printf(b, "<h2>%s</h2><p>%s</p>", L(r, "État de conformité", "Conformity status"),
	          L(r,
	            "Ce catalogue est <strong>non conforme</strong> avec le référentiel général "
	            "d'amélioration de l'accessibilité (RGAA) : aucun audit de conformité n'a encore "
	            "été réalisé.",
	            "This catalogue is <strong>not compliant</strong> with the French accessibility "
	            "standard (RGAA): no conformity audit has been carried out yet."));
	wb_printf(b, "<h2>%s</h2><p>%s</p><ul><li>%s</li><li>%s</li><li>%s</li></ul>",
	          L(r, "Ce qui a été vérifié", "What was tested"),
	          L(r, "À chaque version du logiciel, des tests automatiques vérifient :",
	            "At each version of the software, automatic tests check:"),
	          L(r,
	            "chaque type de page (accueil, catalogue, recherche, fiche de chaque type, "
	            "territoire, réseau, formulaires de publication, cette page, les mentions "
	            "légales, une page d'erreur) avec l'outil axe-core dans le navigateur Chromium : "
	            "aucune erreur grave ou critique ;",
	            "every kind of page (home, catalogue, search, a record of each type, territory, "
	            "network, publish forms, this page, the legal notice, an error page) with the "
	            "axe-core tool in the Chromium browser: no serious or critical error;"),
	          L(r, "la publication d'une fiche au clavier seul ;",
	            "publishing a record with the keyboard only;"),
	          L(r,
	            "des pages sans JavaScript, une langue déclarée, un lien d'évitement vers le "
	            "contenu, un focus toujours visible et des contrastes d'au moins 4,5:1.",
	            "pages without JavaScript, a declared language, a skip link to the content, an "
	            "always visible focus and contrasts of at least 4.5:1."));
	wb_printf(b, "<p>%s</p>",
	          L(r,
	            "Ces tests automatiques ne remplacent pas un audit RGAA. Technologies utilisées : "
	            "HTML et CSS.",
	            "These automatic tests do not replace an RGAA audit. Technologies used: HTML and "
	            "CSS."));
	wb_printf(b, "<h2>%s</h2><p>%s</p>", L(r, "Contenus non accessibles", "Inaccessible content"),
	          L(r,
	            "Les fiches sont rédigées par les territoires qui les publient : l'accessibilité "
	            "de leurs textes et des documents qu'elles citent dépend de ces territoires.",
	            "Records are written by the territories that publish them: the accessibility of "
	            "their texts and of the documents they cite depends on those territories."));
	wb_printf(b, "<h2>%s</h2><p>%s</p>",
	          L(r, "Retour d'information et contact", "Feedback and contact"),
	          L(r,
	            "Si vous n'arrivez pas à accéder à un contenu ou à un service, contactez le "
	            "territoire responsable de ce catalogue pour être orienté vers une alternative "
	            "accessible ou obtenir le contenu sous une autre forme :",
	            "If you cannot reach a content or a service, contact the territory in charge of "
	            "this catalogue to be directed to an accessible alternative or to get the content "
	            "in another form:"));
	profile_contact(r, &p);
	wb_printf(b, "<h2>%s</h2><p>%s</p><ul><li>%s</li><li>%s</li><li>%s</li></ul>",
	          L(r, "Voies de recours", "Remedies"),
	          L(r,
	            "Si vous avez signalé au responsable du site un défaut d'accessibilité qui vous "
	            "empêche d'accéder à un contenu ou à un service et que vous n'avez pas obtenu de "
	            "réponse satisfaisante, vous pouvez :",
	            "If you reported to the site's owner an accessibility defect that prevents you "
	            "from reaching a content or a service and got no satisfactory answer, you can:"),
	          L(r,
	            "écrire un message au Défenseur des droits (<a "
	            "href=\"https://formulaire.defenseurdesdroits.fr/\">formulaire en ligne</a>) ;",
	            "write to the Défenseur des droits (<a "
	            "href=\"https://formulaire.defenseurdesdroits.fr/\">online form</a>);"),
	          L(r,
	            "contacter le délégué du Défenseur des droits dans votre région (<a "
	            "href=\"https://www.defenseurdesdroits.fr/saisir/delegues\">liste des "
	            "délégués</a>) ;",
	            "contact the Défenseur des droits' delegate in your region (<a "
	            "href=\"https://www.defenseurdesdroits.fr/saisir/delegues\">list of "
	            "delegates</a>);"),
	          L(r,
	            "envoyer un courrier par la poste (gratuit, ne pas mettre de timbre) : Défenseur "
	            "des droits, Libre réponse 71120, 75342 Paris CEDEX 07.",
	            "send a letter by post (free, no stamp needed): Défenseur des droits, Libre "
	            "réponse 71120, 75342 Paris CEDEX 07, France."));
	profile_close(&p);
	web_page_end(r);
}

/* ---- Mentions légales ----------------------------------------------------------------------- */

void web_page_legal(web_req *r, const char *rest)
{
	(void)rest;
	profile p;
	profile_open(r, &p);
	web_page_begin(r, L(r, "Mentions légales", "Legal notice"), "legal");
	web_buf *b = &r->out;
	wb_printf(b, "<h1>%s</h1><h2>%s</h2><p>%s ", L(r, "Mentions légales", "Legal notice"),
	          L(r, "Éditeur", "Publisher"),
	          L(r, "Ce catalogue est édité par", "This catalogue is published by"));
	wb_htmls(b, p.name);
	wb_puts(b, ".</p><dl class=\"fields\">");
	const char *siren = profile_str(r, &p, PROTO_F_SIREN);
	if (siren) {
		wb_puts(b, "<dt>SIREN</dt><dd>");
		wb_htmls(b, siren);
		wb_puts(b, "</dd>");
	}
	const proto_value *kind = p.body ? proto_map_get(p.body, PROTO_F_KIND) : NULL;
	if (kind && kind->type == PROTO_V_STR) {
		const char *kl = web_label(r, kind->u.str.ptr);
		wb_printf(b, "<dt>%s</dt><dd>", L(r, "Nature", "Kind"));
		wb_htmls(b, kl ? kl : kind->u.str.ptr);
		wb_puts(b, "</dd>");
	}
	char hex[2 * PROTO_KEY_LEN + 1];
	proto_hex(p.key, PROTO_KEY_LEN, hex);
	wb_printf(b, "<dt>%s</dt><dd><a href=\"/territory/%s\">%s</a></dd></dl>",
	          L(r, "Profil", "Profile"), hex,
	          L(r, "Profil du territoire dans le catalogue", "The territory's profile in the catalogue"));
	wb_printf(b, "<h2>%s</h2>", L(r, "Contact", "Contact"));
	profile_contact(r, &p);
	wb_printf(b, "<h2>%s</h2><p>%s ", L(r, "Direction de la publication", "Publication director"),
	          L(r, "Le directeur ou la directrice de la publication est le représentant légal de",
	            "The publication director is the legal representative of"));
	wb_htmls(b, p.name);
	wb_printf(b, ".</p><h2>%s</h2><p>", L(r, "Hébergement", "Hosting"));
	wb_puts(b, L(r, "Ce catalogue est servi par le nœud Maille de ",
	             "This catalogue is served by the Maille node of "));
	wb_htmls(b, p.name);
	wb_puts(b, L(r, ", qui l'héberge lui-même sur ses propres serveurs.",
	             ", which hosts it on its own servers."));
	wb_printf(b, "</p><h2>%s</h2><p>%s</p>", L(r, "Contenus", "Content"),
	          L(r,
	            "Chaque fiche est publiée et signée par son territoire, qui en est responsable ; "
	            "elle est diffusée sous la licence que sa page indique (Licence Ouverte / Open "
	            "Licence 2.0 par défaut). Les fiches des autres territoires viennent de la "
	            "fédération.",
	            "Each record is published and signed by its territory, which is responsible for "
	            "it; it is distributed under the licence its page gives (Licence Ouverte / Open "
	            "Licence 2.0 by default). Other territories' records come from the federation."));
	wb_printf(b, "<h2>%s</h2><p>%s</p>", L(r, "Données personnelles et cookies", "Personal data and cookies"),
	          L(r,
	            "Ce site ne mesure pas l'audience et ne dépose aucun cookie de suivi. Il dépose "
	            "seulement les cookies nécessaires à son fonctionnement : la langue choisie, la "
	            "protection des formulaires et, pour qui se connecte, la session.",
	            "This site measures no audience and sets no tracking cookie. It sets only the "
	            "cookies it needs to work: the language chosen, the forms' protection and, for "
	            "who signs in, the session."));
	wb_printf(b, "<h2>%s</h2><p>%s</p>", L(r, "Logiciel", "Software"),
	          L(r, "Maille, logiciel libre sous licence EUPL 1.2.",
	            "Maille, free software under the EUPL 1.2 licence."));
	profile_close(&p);
	web_page_end(r);
}

/* ---- Atom feed ------------------------------------------------------------------------------ */

/* Text for XML 1.0: escaped like HTML (&#39; is XML too), and the control characters XML
 * forbids (C0 but tab, line feed and carriage return) dropped. */
static void feed_text(web_buf *b, const char *s, size_t len)
{
	size_t start = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r')
			continue;
		wb_html(b, s + start, i - start);
		start = i + 1;
	}
	wb_html(b, s + start, len - start);
}

static void feed_texts(web_buf *b, const char *s)
{
	if (s)
		feed_text(b, s, strlen(s));
}

typedef struct feed_ctx {
	web_req *r;
	web_pager pg;
	web_buf entries;
	uint64_t newest_us;
} feed_ctx;

static int feed_row(const store_row *row, void *ctx)
{
	feed_ctx *c = ctx;
	int on = web_pager_row(&c->pg, row);
	if (on <= 0)
		return on < 0;
	web_req *r = c->r;
	web_buf *b = &c->entries;
	proto_arena a;
	proto_arena_init(&a, 0);
	proto_value *body = web_row_body(row, &a);
	char hex[2 * PROTO_KEY_LEN + 1], when[64], terr[256];
	proto_hex(row->entry.territory, PROTO_KEY_LEN, hex);
	node_time_utc(row->entry.timestamp, NODE_TIME_RFC3339, when, sizeof when);
	web_territory_name(r->wk->st, row->entry.territory, terr, sizeof terr);
	if (row->entry.timestamp > c->newest_us)
		c->newest_us = row->entry.timestamp;
	/* the id names the record (territory and path), the same for all its versions */
	wb_printf(b, "<entry><id>urn:maille:%s:", hex);
	feed_text(b, row->entry.path, row->entry.path_len);
	wb_puts(b, "</id><title>");
	char act_title[320];
	feed_texts(b, web_row_title(r, row, body, act_title, sizeof act_title));
	wb_printf(b, "</title><updated>%s</updated><link rel=\"alternate\" type=\"text/html\" href=\"",
	          when);
	web_buf href = { 0 };
	web_entry_href(&href, row->entry.territory, row->entry.path, row->entry.path_len);
	feed_texts(b, href.p);
	wb_done(&href);
	wb_puts(b, "\"/><author><name>");
	feed_texts(b, terr);
	wb_puts(b, "</name></author>");
	const char *type = web_body_str(body, PROTO_F_TYPE);
	if (type) {
		const char *tl = web_label(r, type);
		wb_puts(b, "<category term=\"");
		feed_texts(b, type);
		wb_puts(b, "\" label=\"");
		feed_texts(b, tl ? tl : type);
		wb_puts(b, "\"/>");
	}
	const char *sum = proto_langmap_pick(proto_map_get(body, PROTO_F_SUMMARY), r->en ? "en" : "fr");
	if (sum) {
		wb_puts(b, "<summary>");
		feed_texts(b, sum);
		wb_puts(b, "</summary>");
	}
	wb_puts(b, "</entry>\n");
	proto_arena_done(&a);
	return 0;
}

void web_feed_query(web_req *r, web_buf *b)
{
	static const char *const keys[] = { "type", "theme", "territory", "status", "licence", NULL };
	char sep = '?';
	for (size_t i = 0; keys[i]; i++) {
		const char *v = web_form_get(&r->q, keys[i]);
		if (!v || !*v)
			continue;
		wb_printf(b, "%c%s=", sep, keys[i]);
		wb_urls(b, v);
		sep = '&';
	}
}

void web_feed(web_req *r, const char *rest)
{
	(void)rest;
	web_query wq;
	if (!web_filters(r, &wq))
		return;
	feed_ctx c = { .r = r };
	int e = web_pager_run(r, NULL, &wq.f, 1, wq.theme, &c.pg, feed_row, &c);
	if (e < 0 || c.entries.failed) {
		wb_done(&c.entries);
		web_error(r, 500, "Lecture du catalogue impossible.", "Cannot read the catalogue.");
		return;
	}
	web_buf *b = &r->out;
	r->ctype = "application/atom+xml; charset=utf-8";
	char name[256], hex[2 * PROTO_KEY_LEN + 1], when[64];
	web_site_name(r, name, sizeof name);
	proto_hex(r->w->own, PROTO_KEY_LEN, hex);
	node_time_utc(c.newest_us ? c.newest_us : web_now_us(r->w), NODE_TIME_RFC3339, when,
	              sizeof when);
	web_buf q = { 0 };
	web_feed_query(r, &q);
	wb_printf(b,
	          "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed "
	          "xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"%s\">\n<id>urn:maille:%s:feed",
	          r->en ? "en" : "fr", hex);
	if (q.p)
		feed_texts(b, q.p);
	wb_puts(b, "</id><title>");
	feed_texts(b, L(r, "Maille : dernières fiches — ", "Maille: latest records — "));
	feed_texts(b, name);
	wb_printf(b, "</title><updated>%s</updated><author><name>", when);
	feed_texts(b, name);
	wb_puts(b, "</name></author><link rel=\"self\" type=\"application/atom+xml\" "
	           "href=\"/feed.atom");
	if (q.p)
		feed_texts(b, q.p);
	wb_puts(b, "\"/><link rel=\"alternate\" type=\"text/html\" href=\"/catalogue");
	if (q.p)
		feed_texts(b, q.p);
	wb_puts(b, "\"/>\n");
	wb_done(&q);
	if (c.entries.p)
		wb_put(b, c.entries.p, c.entries.len);
	wb_done(&c.entries);
	wb_puts(b, "</feed>\n");
}
