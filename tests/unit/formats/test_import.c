/* Unit tests of node/formats/import.c: the cleaning helpers and the Markdown draft. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "node/formats/import.h"
#include "node/service/frontmatter.h"
#include "proto/error.h"

static const import_src src = { "essai.csv", (const uint8_t *)"", 0 };

/* A set of the inventaire-csv format with one use_case draft. */
static import_draft *fresh(import_set *set)
{
	import_set_init(set, import_format_find("inventaire-csv"));
	return import_draft_new(set, &src, "use_case", "ligne %u", 2u);
}

static const char *str(const import_draft *d, const char *key)
{
	const proto_value *v = proto_map_get(d->body, key);
	return v && v->type == PROTO_V_STR ? v->u.str.ptr : NULL;
}

static void test_text_html_and_entities(void)
{
	import_set set;
	import_draft *d = fresh(&set);
	CHECK(d != NULL);
	CHECK_EQ_STR(d->where, "ligne 2");
	static const char html[] = "<p>Tri des <b>demandes</b>&nbsp;de cr&egrave;che</p><ul><li>un"
	                           "</li><li>deux &amp; trois</li></ul>";
	CHECK_EQ_INT(import_text(&set, d, d->body, "context", "context", html, strlen(html),
	                         IMPORT_TEXT_MULTILINE),
	             1);
	CHECK_EQ_STR(str(d, "context"), "Tri des demandes\xc2\xa0" "de crèche\n\n- un\n- deux & trois");
	CHECK_EQ_INT(d->n_issues, 1);
	CHECK_EQ_INT(d->issues[0].sev, IMPORT_CLEANED);
	CHECK_EQ_STR(d->issues[0].field, "context");
	CHECK(strstr(d->issues[0].fr, "HTML") != NULL);
	/* one line: breaks become spaces; a '<' that opens no tag is text */
	static const char line[] = "  Délai < 2 jours\r\net 3 > 1  ";
	CHECK_EQ_INT(import_text(&set, d, d->body, "title", "title", line, strlen(line), 0), 1);
	CHECK_EQ_STR(str(d, "title"), "Délai < 2 jours et 3 > 1");
	CHECK_EQ_INT(d->n_issues, 1);
	/* blank: left out, no issue */
	CHECK_EQ_INT(import_text(&set, d, d->body, "purpose", "purpose", " <br> ", 6, 0), 0);
	CHECK(proto_map_get(d->body, "purpose") == NULL);
	import_set_done(&set);
}

static void test_text_damage(void)
{
	import_set set;
	import_draft *d = fresh(&set);
	/* a replacement character: kept, reported as damaged */
	static const char fffd[] = "R\xef\xbf\xbdsum\xc3\xa9";
	CHECK_EQ_INT(import_text(&set, d, d->body, "purpose", "purpose", fffd, strlen(fffd), 0), 1);
	CHECK_EQ_INT(d->n_issues, 1);
	CHECK_EQ_INT(d->issues[0].sev, IMPORT_NOTE);
	/* Latin-1 bytes: not UTF-8, left out */
	static const char latin1[] = "Cr\xe8" "che";
	CHECK_EQ_INT(import_text(&set, d, d->body, "context", "context", latin1, 6, 0), 0);
	CHECK(proto_map_get(d->body, "context") == NULL);
	CHECK_EQ_INT(d->issues[1].sev, IMPORT_DROPPED);
	/* control characters: removed, reported */
	static const char ctl[] = "Bonjour\x01 \x1b[31mrouge";
	CHECK_EQ_INT(import_text(&set, d, d->body, "monitoring", "monitoring", ctl, strlen(ctl), 0),
	             1);
	CHECK_EQ_STR(str(d, "monitoring"), "Bonjour [31mrouge");
	CHECK_EQ_INT(d->issues[2].sev, IMPORT_CLEANED);
	/* a language map gains languages */
	CHECK_EQ_INT(import_text_lang(&set, d, d->body, "title", "title", "fr", "Tri", 3, 0), 1);
	CHECK_EQ_INT(import_text_lang(&set, d, d->body, "title", "title", "en", "Sorting", 7, 0), 1);
	const proto_value *t = proto_map_get(d->body, "title");
	CHECK(t && t->type == PROTO_V_MAP && t->u.map.n == 2);
	import_set_done(&set);
}

static void test_email_uri_date(void)
{
	import_set set;
	import_draft *d = fresh(&set);
	proto_value *c = proto_value_new(&set.arena, PROTO_V_MAP);
	CHECK_EQ_INT(import_email(&set, d, c, "email", "contacts[0].email",
	                          " mailto:dpo@mairie-exemple.fr ", 30),
	             1);
	CHECK_EQ_STR(proto_map_get(c, "email")->u.str.ptr, "dpo@mairie-exemple.fr");
	static const char *const bad_mails[] = { "service informatique", "a@b", "x@@y.fr",
		                                 "jean dupont@mairie.fr", "@mairie.fr" };
	for (size_t i = 0; i < 5; i++)
		CHECK_EQ_INT(import_email(&set, d, c, "other", "x", bad_mails[i], strlen(bad_mails[i])),
		             0);
	CHECK(proto_map_get(c, "other") == NULL);
	CHECK_EQ_INT(d->n_issues, 5);
	CHECK(strstr(d->issues[0].fr, "service informatique") != NULL);

	CHECK_EQ_INT(import_uri(&set, d, c, "u", "u", "https://www.data.gouv.fr/fr/", 28), 1);
	CHECK_EQ_INT(import_uri(&set, d, c, "v", "v", "javascript:alert(1)", 19), 0);
	CHECK_EQ_INT(import_uri(&set, d, c, "v", "v", "https:///x", 10), 0);
	CHECK_EQ_INT(import_uri(&set, d, c, "v", "v", "http://a b.fr", 13), 0);

	size_t before = d->n_issues;
	CHECK_EQ_INT(import_date(&set, d, c, "d", "d", "2026-03-01", 10), 1);
	CHECK_EQ_INT(d->n_issues, before);
	CHECK_EQ_INT(import_date(&set, d, c, "d", "d", "01/03/2026", 10), 1);
	CHECK_EQ_STR(proto_map_get(c, "d")->u.str.ptr, "2026-03-01");
	CHECK_EQ_INT(d->n_issues, before + 1);
	CHECK_EQ_INT(import_date(&set, d, c, "d", "d", "2026-03-01T10:00:00Z", 20), 1);
	CHECK_EQ_INT(import_date(&set, d, c, "e", "e", "2026-02-30", 10), 0);
	CHECK_EQ_INT(import_date(&set, d, c, "e", "e", "mars 2026", 9), 0);
	CHECK(proto_map_get(c, "e") == NULL);
	import_set_done(&set);
}

static void test_enum_spellings(void)
{
	import_set set;
	import_draft *d = fresh(&set);
	const proto_vocab *v = import_vocab("use_case", "automation_level");
	CHECK(v != NULL);
	static const import_synonym syn[] = { { "aide a la decision", "decision_support" },
		                              { NULL, NULL } };
	/* the value itself: no issue */
	CHECK_EQ_INT(import_enum(&set, d, d->body, "automation_level", "automation_level", v, syn,
	                         "decision_support", 16),
	             1);
	CHECK_EQ_INT(d->n_issues, 0);
	/* other spellings of the same value: kept, reported */
	static const char *const spellings[] = { "Decision Support", "decision-support",
		                                 "AIDE À LA DÉCISION", "aide a la décision" };
	for (size_t i = 0; i < 4; i++) {
		CHECK_EQ_INT(import_enum(&set, d, d->body, "automation_level", "automation_level", v,
		                         syn, spellings[i], strlen(spellings[i])),
		             1);
		CHECK_EQ_STR(str(d, "automation_level"), "decision_support");
	}
	CHECK_EQ_INT(d->n_issues, 4);
	CHECK_EQ_INT(d->issues[3].sev, IMPORT_CLEANED);
	/* unknown: left out, the values listed */
	proto_value_map_del(d->body, "automation_level");
	CHECK_EQ_INT(import_enum(&set, d, d->body, "automation_level", "automation_level", v, syn,
	                         "parfois", 7),
	             0);
	CHECK(proto_map_get(d->body, "automation_level") == NULL);
	CHECK(strstr(d->issues[4].fr, "fully_automated") != NULL);
	CHECK(import_same_words("Niveau d'automatisation", 23, "niveau-d-automatisation", 23));
	CHECK(!import_same_words("", 0, "", 0));
	import_set_done(&set);
}

static void test_draft_markdown(void)
{
	import_set set;
	import_draft *d = fresh(&set);
	import_text_lang(&set, d, d->body, "title", "title", "fr", "Tri des demandes", 16, 0);
	import_email(&set, d, d->body, "x", "contacts[0].email", "pas une adresse", 15);
	proto_value *ext = import_ext(&set, d);
	CHECK(ext != NULL && import_ext(&set, d) == ext);
	proto_value *slot = proto_value_map_put(&set.arena, ext, "Administration", 14);
	*slot = *proto_value_new_str(&set.arena, "Commune d'Exemple", 17);
	d->path = "use_case/tri-des-demandes";
	char *text = NULL;
	size_t len = 0;
	CHECK_EQ_INT(import_draft_markdown(d, "inventaire-csv", &text, &len), 0);
	CHECK(text && strlen(text) == len);
	/* where it came from and its issue, as comments */
	CHECK(strstr(text, "# Brouillon importé (inventaire-csv) de essai.csv, ligne 2.") != NULL);
	CHECK(strstr(text, "# contacts[0].email : « pas une adresse » n'est pas une adresse e-mail") !=
	      NULL);
	/* each missing required field empty, after its comment */
	CHECK(strstr(text, "\npurpose:\n") != NULL);
	CHECK(strstr(text, "\nthemes:\n") != NULL);
	CHECK(strstr(text, "À compléter (obligatoire)") != NULL);
	/* a field with a default (lang, content_licence) is not asked for */
	CHECK(strstr(text, "\nlang:\n") == NULL);
	/* the missing legal_basis is asked only once individual_decisions is true */
	CHECK(strstr(text, "\nlegal_basis:\n") == NULL);
	CHECK(strstr(text, "extensions:\n  \"inventaire-csv\":\n    \"Administration\": Commune "
	                   "d'Exemple\n") != NULL);
	/* a list of objects says what each item holds */
	CHECK(strstr(text, "Chaque élément : name (obligatoire), description (obligatoire), "
	                   "mitigation (obligatoire)") != NULL);
	/* and it reads back as the same record, the empty fields absent */
	proto_arena a;
	proto_arena_init(&a, 0);
	proto_value *back = NULL;
	const char *path = NULL;
	fm_error fe;
	CHECK_EQ_INT(fm_parse((const uint8_t *)text, len, &a, &back, &path, &fe), 0);
	CHECK(path && strcmp(path, "use_case/tri-des-demandes") == 0);
	const proto_value *p = back ? proto_map_get(back, "purpose") : NULL;
	CHECK(p == NULL || p->type == PROTO_V_NIL);
	free(text);
	proto_arena_done(&a);

	proto_value *ind = proto_value_map_put(&set.arena, d->body, "individual_decisions", 20);
	ind->type = PROTO_V_BOOL;
	ind->u.b = true;
	CHECK_EQ_INT(import_draft_markdown(d, "inventaire-csv", &text, &len), 0);
	CHECK(strstr(text, "\nlegal_basis:\n") != NULL);
	CHECK(strstr(text, "\nrecourse:\n") != NULL);
	free(text);
	import_set_done(&set);
}

static void test_file_error_drops_the_file(void)
{
	import_set set;
	import_set_init(&set, import_format_find("markdown"));
	import_src good = { "a.md", (const uint8_t *)"---\ntype: rex\ntitle: x\n---\n", 26 };
	import_src bad = { "b.md", (const uint8_t *)"---\ntype: [\n---\n", 16 };
	CHECK_EQ_INT(import_set_read(&set, &good), 0);
	CHECK_EQ_INT(set.n, 1);
	CHECK(import_set_read(&set, &bad) != 0);
	CHECK_EQ_INT(set.n, 1);
	CHECK_EQ_INT(set.n_errors, 1);
	CHECK_EQ_STR(set.errors[0].file, "b.md");
	CHECK(set.errors[0].line > 0);
	CHECK(set.errors[0].fr[0] && set.errors[0].en[0]);
	import_set_done(&set);
	char list[200];
	import_format_list(list, sizeof list);
	CHECK_EQ_STR(list, "markdown, publiccode, algorithm-register, inventaire-csv, dcat");
	CHECK(import_format_find("excel") == NULL);
}

/* What the publiccode export writes as legal.license: SPDX expressions as the list spells
 * them, nothing the standard's parser would refuse. */
static void test_spdx_expression(void)
{
	static const char *const ok[] = {
		"Apache-2.0", "AGPL-3.0-or-later OR MIT", "(MIT AND Zlib) OR EUPL-1.2",
		"GPL-2.0-only WITH Classpath-exception-2.0", "LicenseRef-ville-de-vanves",
		"( MIT OR CECILL-2.1 )", NULL,
	};
	static const char *const bad[] = {
		"", "apache-2.0", "GPL-2.0+", "MIT OR", "OR MIT", "(MIT", "MIT)", "MIT Zlib",
		"MIT WITH (Zlib)", "Licence ouverte", "LicenseRef-", NULL,
	};
	for (const char *const *s = ok; *s; s++)
		CHECK(import_spdx_expression_ok(*s));
	for (const char *const *s = bad; *s; s++)
		CHECK(!import_spdx_expression_ok(*s));
}

CHECK_MAIN(test_text_html_and_entities, test_text_damage, test_email_uri_date,
           test_enum_spellings, test_draft_markdown, test_file_error_drops_the_file,
           test_spdx_expression)
