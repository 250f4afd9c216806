/* tests/unit/proto/test_schema.c: record validation, normalisation and slugs. */
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "proto/error.h"
#include "proto/schema.h"
#include "proto/value.h"

/* ---- Tree builders: each returns a standalone value that the caller copies into place, so
 * no pointer into a growing array or map is ever kept. ---------------------------------------- */

static proto_arena A;

static proto_value *S(const char *s)
{
	return proto_value_new_str(&A, s, strlen(s));
}

static proto_value *I(int64_t i)
{
	proto_value *v = proto_value_new(&A, PROTO_V_INT);
	v->u.i = i;
	return v;
}

static proto_value *FL(double f)
{
	proto_value *v = proto_value_new(&A, PROTO_V_FLOAT);
	v->u.f = f;
	return v;
}

static proto_value *B(bool b)
{
	proto_value *v = proto_value_new(&A, PROTO_V_BOOL);
	v->u.b = b;
	return v;
}

static proto_value *NIL(void)
{
	return proto_value_new(&A, PROTO_V_NIL);
}

static void set(proto_value *m, const char *key, const proto_value *v)
{
	*proto_value_map_put(&A, m, key, strlen(key)) = *v;
}

static void push(proto_value *arr, const proto_value *v)
{
	*proto_value_array_push(&A, arr) = *v;
}

/* M("k1", v1, "k2", v2, ..., NULL) */
static proto_value *M(const char *key, ...)
{
	proto_value *m = proto_value_new(&A, PROTO_V_MAP);
	va_list ap;

	va_start(ap, key);
	for (; key; key = va_arg(ap, const char *))
		set(m, key, va_arg(ap, proto_value *));
	va_end(ap);
	return m;
}

/* L(v1, v2, ..., NULL) */
static proto_value *L(proto_value *first, ...)
{
	proto_value *arr = proto_value_new(&A, PROTO_V_ARRAY);
	va_list ap;

	va_start(ap, first);
	for (proto_value *v = first; v; v = va_arg(ap, proto_value *))
		push(arr, v);
	va_end(ap);
	return arr;
}

/* SL("a", "b", ..., NULL): a list of strings. */
static proto_value *SL(const char *first, ...)
{
	proto_value *arr = proto_value_new(&A, PROTO_V_ARRAY);
	va_list ap;

	va_start(ap, first);
	for (const char *s = first; s; s = va_arg(ap, const char *))
		push(arr, S(s));
	va_end(ap);
	return arr;
}

/* A French language map. */
static proto_value *FR(const char *s)
{
	return M("fr", S(s), NULL);
}

static proto_value *EMPTY_LIST(void)
{
	return proto_value_new(&A, PROTO_V_ARRAY);
}

/* n copies of a UTF-8 character. */
static const char *repeat(const char *unit, size_t n)
{
	size_t u = strlen(unit);
	char *s = proto_arena_alloc(&A, u * n + 1);

	for (size_t i = 0; i < n; i++)
		memcpy(s + i * u, unit, u);
	s[u * n] = '\0';
	return s;
}

/* ---- Records ----------------------------------------------------------------------------- */

/* The common fields of a catalogue record; full adds the recommended and optional ones. */
static void put_common(proto_value *m, const char *type, const char *title, bool full)
{
	set(m, "type", S(type));
	set(m, "title", FR(title));
	set(m, "summary",
	    M("fr", S("Résumé court destiné aux autres collectivités."), "en",
	      S("A short summary for other territories."), NULL));
	set(m, "description", FR("## Contexte\n\nDescription en **Markdown**, sans HTML brut."));
	set(m, "themes", SL("ia-democratie", "transparence-algorithmes", NULL));
	set(m, "lang", S("fr"));
	set(m, "content_licence", S("etalab-2.0"));
	set(m, "status", S("production"));
	if (!full)
		return;
	set(m, "keywords", SL("algorithme public", "CRPA", NULL));
	set(m, "department", S("Direction du numérique"));
	set(m, "contacts",
	    L(M("name", S("Cellule données"), "role", S("référente algorithmes"), "email",
	        S("donnees@ville-exemple.fr"), "public", B(true), NULL),
	      M("email", S("dpo@ville-exemple.fr"), "public", B(false), NULL), NULL));
	set(m, "territories",
	    L(M("level", S("commune"), "code", S("69123"), "cog_year", I(2024), "label", S("Lyon"),
	        NULL),
	      M("level", S("epci"), "code", S("200046977"), "cog_year", I(2024), "label",
	        S("Métropole de Lyon"), NULL),
	      NULL));
	set(m, "links",
	    L(M("rel", S("documentation"), "href", S("https://www.ville-exemple.fr/algorithmes"),
	        "title", FR("Inventaire des algorithmes"), NULL),
	      NULL));
	set(m, "relations",
	    L(M("rel", S("uses"), "target", S("component/decidim"), NULL),
	      M("rel", S("similar_to"), "target", S("https://maille.example/use_case/tri"), NULL),
	      NULL));
	set(m, "identifiers",
	    L(M("scheme", S("wikidata"), "value", S("Q123456"), "url",
	        S("https://www.wikidata.org/wiki/Q123456"), NULL),
	      NULL));
	set(m, "attachments",
	    L(M("name", S("grille.pdf"), "media_type", S("application/pdf"), "size", I(182034),
	        "digest", S(repeat("ab", 32)), NULL),
	      NULL));
	set(m, "extensions", M("lyon", M("code_interne", I(42), NULL), NULL));
}

static proto_value *methodology(bool full)
{
	proto_value *m = proto_value_new(&A, PROTO_V_MAP);

	put_common(m, "methodology", "Grille d'évaluation des algorithmes publics", full);
	set(m, "method_kind", S("assessment_grid"));
	set(m, "covers", SL("transparency", "impact_assessment", "human_oversight", NULL));
	if (full) {
		set(m, "audience", SL("executives", "business_teams", "dpo", NULL));
		set(m, "steps",
		    L(M("title", FR("Recenser"), "text", FR("Lister les traitements."), NULL),
		      M("title", FR("Évaluer"), "text", FR("Remplir la grille avec le métier."),
		        NULL),
		      NULL));
		set(m, "legal_basis", SL("CRPA L311-3-1", "CRPA L312-1-3", NULL));
		set(m, "effort", S("deux demi-journées par algorithme"));
		set(m, "prerequisites", SL("un inventaire à jour", NULL));
	}
	return m;
}

static proto_value *use_case(bool full, bool individual)
{
	proto_value *m = proto_value_new(&A, PROTO_V_MAP);

	put_common(m, "use_case", "Tri des demandes de crèche", full);
	set(m, "purpose",
	    FR("Classer les demandes de place en crèche selon des critères publics."));
	set(m, "decision_process",
	    FR("La commission d'attribution décide à partir du classement."));
	set(m, "automation_level", S("decision_support"));
	set(m, "algorithm_type", S("rule_based"));
	set(m, "individual_decisions", B(individual));
	set(m, "affected_public", S("familles demandant une place en crèche"));
	set(m, "human_oversight", FR("Chaque classement est relu par deux agents."));
	set(m, "risks",
	    L(M("name", S("Biais de critère"), "description",
	        FR("Un critère pénalise un quartier."), "mitigation",
	        FR("Revue annuelle des critères."), NULL),
	      M("name", S("Erreur de saisie"), "description", S("Une pièce mal saisie."),
	        "mitigation", S("Double saisie."), NULL),
	      NULL));
	set(m, "data_sources",
	    L(M("name", S("Dossiers de demande"), "personal_data", S("identified"), NULL),
	      M("name", S("Quotient familial"), "provider", S("CAF"), "personal_data",
	        S("pseudonymised"), "url", S("https://api.caf.example/qf"), NULL),
	      NULL));
	if (individual) {
		set(m, "legal_basis", SL("CRPA L311-3-1", "délibération 2023-114", NULL));
		set(m, "recourse",
		    FR("Recours gracieux auprès du maire, puis tribunal administratif."));
	}
	if (full) {
		set(m, "context", FR("Forte demande, peu de places."));
		set(m, "model_description", FR("Barème à points publié."));
		set(m, "decisions_per_year", I(2400));
		set(m, "risk_category", S("high"));
		set(m, "impact_assessments", SL("AIPD 2023", NULL));
		set(m, "alternatives_considered", FR("Tirage au sort, ordre d'arrivée."));
		set(m, "monitoring", FR("Tableau de bord trimestriel."));
		set(m, "rollback", FR("Retour au classement manuel en une semaine."));
		set(m, "suppliers", SL("régie", NULL));
		set(m, "hosting",
		    M("provider", S("centre serveur municipal"), "country", S("FR"), "sovereign",
		      B(true), NULL));
		set(m, "environment",
		    M("compute", S("une VM partagée"), "energy_kwh_per_year", FL(12.5), "method",
		      S("mesure au wattmètre"), NULL));
		set(m, "public_register_url", S("https://www.ville-exemple.fr/algorithmes/creche"));
		set(m, "components", SL("component/bareme-creche", NULL));
	}
	return m;
}

static proto_value *component(bool full, const char *kind)
{
	proto_value *m = proto_value_new(&A, PROTO_V_MAP);

	put_common(m, "component", "Decidim, plateforme de participation", full);
	set(m, "component_kind", S(kind));
	set(m, "licence", S("AGPL-3.0-or-later"));
	if (strcmp(kind, "software") == 0)
		set(m, "repository_url", S("https://github.com/decidim/decidim"));
	if (full) {
		set(m, "landing_url", S("https://decidim.org"));
		set(m, "version", S("0.27.5"));
		set(m, "release_date", S("2024-02-29"));
		set(m, "development_status", S("stable"));
		set(m, "software_type", S("standalone/web"));
		set(m, "platforms", SL("web", NULL));
		set(m, "features", SL("budgets participatifs", "consultations", NULL));
		set(m, "maintenance",
		    M("type", S("community"), "contacts",
		      L(S("contact@decidim.org"), M("name", S("Association Decidim"), NULL), NULL),
		      NULL));
		set(m, "dependencies", M("open", SL("PostgreSQL", "Ruby on Rails", NULL), NULL));
		set(m, "funded_by", S("Ville de Barcelone"));
		if (strcmp(kind, "dataset") == 0)
			set(m, "distributions",
			    L(M("access_url", S("https://www.data.gouv.fr/fr/datasets/x/"),
			        "format", S("CSV"), "licence", S("etalab-2.0"), NULL),
			      NULL));
		if (strcmp(kind, "model") == 0)
			set(m, "model_card",
			    M("base_model", S("CamemBERT"), "energy", FL(3.2), NULL));
	}
	return m;
}

static proto_value *rex(bool full)
{
	proto_value *m = proto_value_new(&A, PROTO_V_MAP);

	put_common(m, "rex", "Un an de budget participatif avec Decidim", full);
	set(m, "about", SL("component/decidim", "https://decidim.org", NULL));
	set(m, "declaration", S("user"));
	set(m, "period", M("start", S("2023-01-15"), "end", S("2024-01-14"), NULL));
	set(m, "context", FR("Premier budget participatif de la commune."));
	set(m, "objectives", FR("Ouvrir 5 % du budget d'investissement aux habitants."));
	set(m, "what_was_done", FR("Installation, paramétrage, animation de quartier."));
	set(m, "difficulties", FR("Accessibilité des formulaires, fracture numérique."));
	set(m, "lessons_learned", FR("Prévoir des permanences physiques."));
	if (full) {
		set(m, "results", FR("3 200 votants, 14 projets lauréats."));
		set(m, "indicators",
		    L(M("name", S("votants"), "value", I(3200), "unit", S("personnes"), "baseline",
		        I(0), "date", S("2023-11-30"), NULL),
		      NULL));
		set(m, "recommendation", S("recommend_with_conditions"));
		set(m, "rating", I(3));
		set(m, "cost",
		    M("amount", I(18000), "currency", S("EUR"), "kind",
		      S("prestation d'hébergement"), "funding", S("budget propre"), NULL));
		set(m, "partners", SL("Open Source Politics", NULL));
		set(m, "version_used", S("0.27"));
		set(m, "deployment",
		    M("url", S("https://participer.ville-exemple.fr"), "audience", S("habitants"),
		      "public", B(true), NULL));
		set(m, "environment_observed", FR("Sobre : un serveur mutualisé."));
		set(m, "dependency_observed", FR("Dépendance au prestataire d'hébergement."));
		set(m, "citizen_involvement", FR("Comité de suivi citoyen."));
		set(m, "available_for_contact", B(true));
	}
	return m;
}

static proto_value *territory(bool full)
{
	proto_value *m = proto_value_new(&A, PROTO_V_MAP);

	set(m, "type", S("territory"));
	set(m, "name", FR("Métropole de Lyon"));
	if (full) {
		set(m, "siren", S("200046977"));
		set(m, "kind", S("metropole"));
		set(m, "cog", S("69M"));
		set(m, "website", S("https://www.grandlyon.com"));
		set(m, "contact", S("numerique@grandlyon.com"));
	}
	return m;
}

/* ---- Helpers ----------------------------------------------------------------------------- */

static proto_schema_report rep;

static int validate(const proto_value *body)
{
	return proto_schema_validate(body, &rep);
}

/* Expects the body to fail on field with a message containing msg (NULL: any). */
static void expect_error(const proto_value *body, const char *field, const char *msg)
{
	CHECK_EQ_INT(validate(body), MAILLE_ESCHEMA);
	CHECK_EQ_STR(rep.errors[0].field, field);
	CHECK(rep.errors[0].en[0] != '\0');
	CHECK(rep.errors[0].fr[0] != '\0');
	/* msg is looked for in either language */
	if (msg && !strstr(rep.errors[0].en, msg) && !strstr(rep.errors[0].fr, msg)) {
		CHECK(!"message");
		fprintf(stderr, "  field %s: \"%s\" / \"%s\" lacks \"%s\"\n", field,
		        rep.errors[0].fr, rep.errors[0].en, msg);
	}
}

static bool has_warning(const char *field, const char *msg)
{
	for (size_t i = 0; i < rep.n_warnings; i++)
		if (strcmp(rep.warnings[i].field, field) == 0 &&
		    strstr(rep.warnings[i].en, msg))
			return true;
	return false;
}

static void dump_warnings(void)
{
	for (size_t i = 0; i < rep.n_warnings; i++)
		fprintf(stderr, "  warning %s: %s\n", rep.warnings[i].field,
		        rep.warnings[i].en);
}

static void expect_valid(const proto_value *body, size_t n_warnings)
{
	int r = validate(body);

	CHECK_EQ_INT(r, 0);
	if (r)
		fprintf(stderr, "  error %s: %s\n", rep.errors[0].field, rep.errors[0].en);
	CHECK_EQ_INT(rep.n_warnings_total, n_warnings);
	if (rep.n_warnings_total != n_warnings)
		dump_warnings();
}

typedef proto_value *(*builder_fn)(void);

/* Each required field, removed in turn, is the error reported. */
static void expect_each_required(builder_fn build, const char *const *fields)
{
	for (; *fields; fields++) {
		proto_value *body = build();
		proto_value_map_del(body, *fields);
		expect_error(body, *fields, "missing required field");
	}
}

static proto_value *methodology_full(void)
{
	return methodology(true);
}

static proto_value *use_case_full(void)
{
	return use_case(true, true);
}

static proto_value *component_full(void)
{
	return component(true, "software");
}

static proto_value *rex_full(void)
{
	return rex(true);
}

static proto_value *territory_full(void)
{
	return territory(true);
}

static const char *const common_required[] = {
	"type", "title",           "summary", "description", "themes",
	"lang", "content_licence", "status",  NULL,
};

/* ---- Tests ------------------------------------------------------------------------------- */

static void test_vocabularies(void)
{
	size_t n = 0;

	for (; proto_schema_types[n]; n++)
		;
	CHECK_EQ_INT(n, 13);
	CHECK_EQ_STR(proto_schema_types[0], "methodology");
	CHECK_EQ_STR(proto_schema_types[3], "rex");
	CHECK_EQ_STR(proto_schema_types[12], "node");
	for (n = 0; proto_schema_themes[n]; n++)
		;
	CHECK_EQ_INT(n, 10);
	CHECK_EQ_STR(proto_schema_themes[0], "ia-democratie");
	for (n = 0; proto_schema_statuses[n]; n++)
		;
	CHECK_EQ_INT(n, 7);
	CHECK_EQ_STR(proto_schema_statuses[6], "retired");
}

static void test_valid_records(void)
{
	proto_arena_init(&A, 0);
	expect_valid(methodology(true), 0);
	expect_valid(use_case(true, true), 0);
	expect_valid(use_case(true, false), 0);
	expect_valid(component(true, "software"), 0);
	expect_valid(component(true, "dataset"), 0);
	expect_valid(component(true, "model"), 0);
	expect_valid(rex(true), 0);
	expect_valid(territory(true), 0);
	proto_arena_done(&A);
}

/* Minimal records warn once per recommended field, in the schema's order. */
static void test_recommended_warnings(void)
{
	proto_arena_init(&A, 0);

	expect_valid(methodology(false), 5);
	CHECK_EQ_STR(rep.warnings[0].field, "department");
	CHECK_EQ_STR(rep.warnings[0].en, "missing recommended field");
	CHECK_EQ_STR(rep.warnings[1].field, "contacts");
	CHECK_EQ_STR(rep.warnings[2].field, "territories");
	CHECK_EQ_STR(rep.warnings[3].field, "audience");
	CHECK_EQ_STR(rep.warnings[4].field, "steps");

	/* 3 common + context, model_description, decisions_per_year, risk_category,
	 * impact_assessments, alternatives_considered, monitoring, rollback, suppliers, hosting,
	 * environment, public_register_url, components. */
	expect_valid(use_case(false, false), 16);
	CHECK(has_warning("risk_category", "missing recommended field"));
	CHECK(has_warning("components", "missing recommended field"));

	/* Software: maintenance + what the publiccode.yml core export needs. */
	expect_valid(component(false, "software"), 7);
	CHECK(has_warning("development_status", "missing recommended field"));
	CHECK(has_warning("software_type", "missing recommended field"));
	CHECK(has_warning("platforms", "missing recommended field"));
	CHECK(has_warning("maintenance", "missing recommended field"));
	expect_valid(component(false, "dataset"), 5);
	CHECK(has_warning("distributions", "missing recommended field"));
	expect_valid(component(false, "model"), 5);
	CHECK(has_warning("model_card", "missing recommended field"));
	expect_valid(component(false, "api"), 4);

	expect_valid(rex(false), 5);
	CHECK(has_warning("results", "missing recommended field"));
	CHECK(has_warning("recommendation", "missing recommended field"));

	expect_valid(territory(false), 2);
	CHECK(has_warning("siren", "missing recommended field"));
	CHECK(has_warning("kind", "missing recommended field"));

	proto_arena_done(&A);
}

static void test_required_fields(void)
{
	static const char *const methodology_req[] = { "method_kind", "covers", NULL };
	static const char *const use_case_req[] = {
		"purpose",
		"decision_process",
		"automation_level",
		"algorithm_type",
		"individual_decisions",
		"affected_public",
		"human_oversight",
		"risks",
		"data_sources",
		"legal_basis",
		"recourse",
		NULL,
	};
	static const char *const component_req[] = {
		"component_kind",
		"licence",
		"repository_url",
		NULL,
	};
	static const char *const rex_req[] = {
		"about",         "declaration",  "period",          "context", "objectives",
		"what_was_done", "difficulties", "lessons_learned", NULL,
	};
	static const char *const territory_req[] = { "type", "name", NULL };

	proto_arena_init(&A, 0);
	expect_each_required(methodology_full, common_required);
	expect_each_required(methodology_full, methodology_req);
	expect_each_required(use_case_full, common_required);
	expect_each_required(use_case_full, use_case_req);
	expect_each_required(component_full, common_required);
	expect_each_required(component_full, component_req);
	expect_each_required(rex_full, common_required);
	expect_each_required(rex_full, rex_req);
	expect_each_required(territory_full, territory_req);

	/* A nil value is an absent field. */
	{
		proto_value *b = rex(true);
		set(b, "context", NIL());
		expect_error(b, "context", "missing required field");
	}
	/* An empty required list is as good as missing. */
	{
		proto_value *b = rex(true);
		set(b, "about", EMPTY_LIST());
		expect_error(b, "about", "at least one");
		b = methodology(true);
		set(b, "themes", EMPTY_LIST());
		expect_error(b, "themes", "at least one");
		b = use_case(true, false);
		set(b, "risks", EMPTY_LIST());
		expect_error(b, "risks", "at least one");
	}
	/* Required members of nested objects. */
	{
		proto_value *b = use_case(true, true);
		set(b, "risks",
		    L(M("name", S("a"), "description", S("b"), "mitigation", S("c"), NULL),
		      M("name", S("a"), "description", S("b"), NULL), NULL));
		expect_error(b, "risks[1].mitigation", "missing required field");
		b = use_case(true, true);
		set(b, "data_sources", L(M("name", S("fichier"), NULL), NULL));
		expect_error(b, "data_sources[0].personal_data", "missing required field");
		b = rex(true);
		set(b, "period", M("end", S("2024-01-01"), NULL));
		expect_error(b, "period.start", "missing required field");
		b = methodology(true);
		set(b, "contacts", L(M("email", S("a@b.fr"), NULL), NULL));
		expect_error(b, "contacts[0].public", "missing required field");
		b = methodology(true);
		set(b, "territories",
		    L(M("level", S("region"), "code", S("84"), "cog_year", I(2024), NULL), NULL));
		expect_error(b, "territories[0].label", "missing required field");
	}
	proto_arena_done(&A);
}

/* The first error is the first field in the schema's order, whatever the keys' order. */
static void test_error_order(void)
{
	proto_value *b;

	proto_arena_init(&A, 0);
	b = use_case(true, true);
	proto_value_map_del(b, "recourse");
	proto_value_map_del(b, "purpose");
	proto_value_map_del(b, "status");
	expect_error(b, "status", "missing required field");
	set(b, "status", S("pilot"));
	expect_error(b, "purpose", "missing required field");
	set(b, "purpose", S("x"));
	expect_error(b, "recourse", "missing required field");
	proto_arena_done(&A);
}

/* Every error at once, in the tables' order: common fields, the type's own, nested members
 * in their table's order, then the unknown keys; each with its field's path. */
static void test_every_error(void)
{
	static const char *const want[][2] = {
		{ "title", "missing required field" },
		{ "themes[0]", "unknown value \"sante\"" },
		{ "status", "unknown value \"fini\"" },
		{ "territories[0].level", "unknown value \"comune\"; did you mean commune?" },
		{ "territories[0].cog_year", "out of range" },
		{ "territories[0].labl", "unknown field; did you mean label?" },
		{ "links[1].href", "URL scheme \"javascript\" not allowed" },
		{ "period.end", "invalid date" },
		{ "rating", "out of range" },
		{ "lesons_learned", "unknown field; did you mean lessons_learned?" },
	};
	proto_value *b;

	proto_arena_init(&A, 0);
	b = rex(true);
	proto_value_map_del(b, "title");
	set(b, "themes", SL("sante", "donnees", NULL));
	set(b, "status", S("fini"));
	set(b, "territories", L(M("level", S("comune"), "code", S("200046977"), "cog_year", I(25),
	                          "label", S("Lyon"), "labl", S("x"), NULL),
	                        NULL));
	set(b, "links", L(M("rel", S("site"), "href", S("https://exemple.fr"), NULL),
	                  M("rel", S("site"), "href", S("javascript:alert(1)"), NULL), NULL));
	set(b, "rating", I(9));
	set(b, "period", M("start", S("2024-03-01"), "end", S("2025-02-30"), NULL));
	set(b, "lesons_learned", S("x"));
	CHECK_EQ_INT(validate(b), MAILLE_ESCHEMA);
	CHECK_EQ_INT(rep.n_errors_total, sizeof want / sizeof want[0]);
	CHECK_EQ_INT(rep.n_errors, sizeof want / sizeof want[0]);
	for (size_t i = 0; i < rep.n_errors && i < sizeof want / sizeof want[0]; i++) {
		CHECK_EQ_STR(rep.errors[i].field, want[i][0]);
		if (!strstr(rep.errors[i].en, want[i][1])) {
			CHECK(!"message");
			fprintf(stderr, "  %s: \"%s\" lacks \"%s\"\n", want[i][0], rep.errors[i].en,
			        want[i][1]);
		}
		CHECK(rep.errors[i].fr[0] != '\0');
		CHECK(strcmp(proto_schema_text(&rep.errors[i], true), rep.errors[i].en) == 0);
		CHECK(strcmp(proto_schema_text(&rep.errors[i], false), rep.errors[i].fr) == 0);
	}
	CHECK(strstr(rep.errors[3].fr, "vouliez-vous dire commune ?") != NULL);
	/* the same body, the same report */
	proto_schema_report first = rep;
	CHECK_EQ_INT(validate(b), MAILLE_ESCHEMA);
	CHECK(memcmp(&first, &rep, sizeof rep) == 0);
	/* NULL: only the verdict */
	CHECK_EQ_INT(proto_schema_validate(b, NULL), MAILLE_ESCHEMA);
	proto_arena_done(&A);
}

/* The nearest name: one slip in a short name, two or three in a longer one, case and
 * separators alike, never a different word. */
static void test_nearest(void)
{
	static const char *const names[] = { "title", "summary", "lessons_learned", "results",
		                             "context", "contacts", "lang", NULL };
	static const struct {
		const char *word, *want;
	} cases[] = {
		{ "lesons_learned", "lessons_learned" },
		{ "lessons-learned", "lessons_learned" },
		{ "Lessons Learned", "lessons_learned" },
		{ "lessonslearned", "lessons_learned" },
		{ "lesson_learnt", "lessons_learned" },
		{ "titel", "title" },
		{ "Title", "title" },
		{ "sumary", "summary" },
		{ "contexte", "context" },
		{ "contact", "contacts" },
		{ "lnag", "lang" },
		{ "language", NULL },
		{ "budget", NULL },
		{ "x", NULL },
		{ "", NULL },
		{ "t", NULL },
		{ "rsults", "results" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *got = proto_schema_nearest(cases[i].word, strlen(cases[i].word), names);
		if (cases[i].want ? !got || strcmp(got, cases[i].want) != 0 : got != NULL) {
			CHECK(!"nearest");
			fprintf(stderr, "  %s: got %s, want %s\n", cases[i].word, got ? got : "NULL",
			        cases[i].want ? cases[i].want : "NULL");
		}
	}
	/* an over-long word (no suggestion) and bytes of any kind never crash */
	proto_arena_init(&A, 0);
	CHECK(proto_schema_nearest(repeat("a", 500), 500, names) == NULL);
	proto_arena_done(&A);
	CHECK(proto_schema_nearest("\xff\xfe\x00", 3, names) == NULL);
	CHECK(proto_schema_nearest("title", 5, NULL) == NULL);
}

static void test_conditional_fields(void)
{
	proto_value *b;

	proto_arena_init(&A, 0);
	/* legal_basis and recourse are required only for individual decisions. */
	b = use_case(true, false);
	expect_valid(b, 0);
	b = use_case(true, true);
	proto_value_map_del(b, "recourse");
	expect_error(b, "recourse", "missing required field");
	set(b, "individual_decisions", B(false));
	expect_valid(b, 0);
	/* ... but still checked when present. */
	set(b, "legal_basis", S("CRPA"));
	expect_error(b, "legal_basis", "expected a list of strings, got a string");

	/* repository_url is required for software only. */
	b = component(true, "dataset");
	proto_value_map_del(b, "repository_url");
	expect_valid(b, 0);
	set(b, "component_kind", S("software"));
	expect_error(b, "repository_url", "missing required field");
	set(b, "component_kind", S("logiciel"));
	expect_error(b, "component_kind", "unknown value \"logiciel\"; expected one of: software");
	proto_arena_done(&A);
}

static void test_wrong_types(void)
{
	proto_value *b;

	proto_arena_init(&A, 0);
	b = rex(true);
	set(b, "title", I(3));
	expect_error(b, "title", "expected a language map like {fr: \"...\"}, got an integer");
	set(b, "title", L(S("x"), NULL));
	expect_error(b, "title", "got a list");
	set(b, "title", M("fr", I(1), NULL));
	expect_error(b, "title.fr", "expected a string, got an integer");
	set(b, "title", M("fr", S(""), NULL));
	expect_error(b, "title.fr", "empty text");
	set(b, "title", M(NULL));
	expect_error(b, "title", "empty language map");
	set(b, "title", M("français", S("x"), NULL));
	expect_error(b, "title", "invalid language tag \"français\"");
	set(b, "title", M("fr-", S("x"), NULL));
	expect_error(b, "title", "invalid language tag");
	set(b, "title", M("f", S("x"), NULL));
	expect_error(b, "title", "invalid language tag");
	set(b, "title", M("FR", S("x"), NULL));
	expect_error(b, "title", "invalid language tag");
	set(b, "title", M("fr-FR", S("x"), "zh-Hant-TW", S("y"), "oci", S("z"), NULL));
	expect_valid(b, 0);

	b = rex(true);
	set(b, "declaration", S("foo"));
	expect_error(b, "declaration",
	             "unknown value \"foo\"; expected one of: user, referent_expert, evaluator, "
	             "abandoned");
	CHECK_EQ_STR(rep.errors[0].en, "unknown value \"foo\"; expected one of: user, "
	                                "referent_expert, evaluator, abandoned");
	b = rex(true);
	set(b, "declaration", B(true));
	expect_error(b, "declaration", "expected a string, got a boolean");

	b = rex(true);
	set(b, "rating", I(5));
	expect_error(b, "rating", "out of range");
	set(b, "rating", FL(3.5));
	expect_error(b, "rating", "expected an integer, got a float");
	set(b, "rating", I(1));
	expect_valid(b, 0);

	b = methodology(true);
	set(b, "status", S("done"));
	expect_error(b, "status", "unknown value \"done\"; expected one of: idea, design");
	b = methodology(true);
	set(b, "covers", SL("transparency", "magic", NULL));
	/* The list of accepted values is long: it is kept whole, the quoted value gives way. */
	expect_error(b, "covers[1]", "expected one of: transparency, ");
	CHECK(strstr(rep.errors[0].en, "data_governance, inventory") != NULL);
	b = methodology(true);
	set(b, "lang", S("French"));
	expect_error(b, "lang", "invalid language tag");
	b = methodology(true);
	set(b, "content_licence", S("Licence Ouverte <2.0>"));
	expect_error(b, "content_licence", "invalid licence");
	b = methodology(true);
	set(b, "content_licence", S("MIT OR (Apache-2.0 WITH LLVM-exception)"));
	expect_valid(b, 0);
	b = methodology(true);
	set(b, "themes", SL("IA et démocratie", NULL));
	expect_error(b, "themes[0]", "unknown value \"IA et démocratie\"; expected one of:");
	b = methodology(true);
	set(b, "department", FR("Direction"));
	expect_error(b, "department", "expected a string, got a map");
	b = methodology(true);
	set(b, "extensions", S("x"));
	expect_error(b, "extensions", "expected a map, got a string");
	b = methodology(true);
	set(b, "steps", L(S("Recenser"), NULL));
	expect_error(b, "steps[0]", "expected a map, got a string");
	b = methodology(true);
	set(b, "effort", I(2));
	expect_error(b, "effort", "expected a string, a language map or a list of strings");

	/* Dates. */
	b = rex(true);
	set(b, "period", M("start", S("2025-02-30"), NULL));
	expect_error(b, "period.start", "invalid date \"2025-02-30\"");
	set(b, "period", M("start", S("2023-02-29"), NULL));
	expect_error(b, "period.start", "invalid date");
	set(b, "period", M("start", S("2024-02-29"), NULL));
	expect_valid(b, 0);
	set(b, "period", M("start", S("2000-02-29"), "end", S("2100-02-28"), NULL));
	expect_valid(b, 0);
	set(b, "period", M("start", S("2100-02-29"), NULL));
	expect_error(b, "period.start", "invalid date");
	set(b, "period", M("start", S("2024-13-01"), NULL));
	expect_error(b, "period.start", "invalid date");
	set(b, "period", M("start", S("2024-04-31"), NULL));
	expect_error(b, "period.start", "invalid date");
	set(b, "period", M("start", S("2024-1-01"), NULL));
	expect_error(b, "period.start", "invalid date");
	set(b, "period", M("start", S("2024-01-00"), NULL));
	expect_error(b, "period.start", "invalid date");
	set(b, "period", M("start", I(20240101), NULL));
	expect_error(b, "period.start", "expected a string, got an integer");
	set(b, "period", M("start", S("2024-03-01"), "end", S("2024-02-01"), NULL));
	expect_error(b, "period.end", "ends");
	set(b, "period", S("2024"));
	expect_error(b, "period", "expected a map, got a string");

	/* E-mails, URLs, SIREN, digests, currencies, numbers. */
	b = methodology(true);
	set(b, "contacts",
	    L(M("email", S("donnees.ville-exemple.fr"), "public", B(true), NULL), NULL));
	expect_error(b, "contacts[0].email", "invalid e-mail address");
	set(b, "contacts", L(M("email", S("a@b@c.fr"), "public", B(true), NULL), NULL));
	expect_error(b, "contacts[0].email", "invalid e-mail address");
	set(b, "contacts", L(M("email", S("a @b.fr"), "public", B(true), NULL), NULL));
	expect_error(b, "contacts[0].email", "invalid e-mail address");
	set(b, "contacts", L(M("email", S("a@b.fr"), "public", S("oui"), NULL), NULL));
	expect_error(b, "contacts[0].public", "expected true or false, got a string");

	b = methodology(true);
	set(b, "links", L(M("rel", S("doc"), "href", S("www.ville.fr"), NULL), NULL));
	expect_error(b, "links[0].href", "invalid URL");
	set(b, "links", L(M("rel", S("doc"), "href", S("https://ville.fr/a b"), NULL), NULL));
	expect_error(b, "links[0].href", "invalid URL");

	b = methodology(true);
	set(b, "attachments",
	    L(M("name", S("a.pdf"), "media_type", S("application/pdf"), "size", I(-1), "digest",
	        S(repeat("0", 64)), NULL),
	      NULL));
	expect_error(b, "attachments[0].size", "-1 is out of range; expected at least 0");
	set(b, "attachments",
	    L(M("name", S("a.pdf"), "media_type", S("application/pdf"), "size", I(0), "digest",
	        S(repeat("A", 64)), NULL),
	      NULL));
	expect_error(b, "attachments[0].digest", "invalid digest");
	/* the hash tree's root (PROTOCOL.md §6) is a digest too */
	set(b, "attachments",
	    L(M("name", S("a.pdf"), "media_type", S("application/pdf"), "size", I(0), "digest",
	        S(repeat("0", 64)), "tree", S(repeat("g", 64)), NULL),
	      NULL));
	expect_error(b, "attachments[0].tree", "invalid digest");

	b = methodology(true);
	set(b, "identifiers", L(M("scheme", S("isbn"), "value", S("x"), NULL), NULL));
	expect_error(b, "identifiers[0].scheme", "unknown value \"isbn\"");
	b = methodology(true);
	set(b, "relations", L(M("rel", S("uses"), NULL), NULL));
	expect_error(b, "relations[0].target", "missing required field");
	b = methodology(true);
	set(b, "territories",
	    L(M("level", S("canton"), "code", S("1"), "cog_year", I(2024), "label", S("x"), NULL),
	      NULL));
	expect_error(b, "territories[0].level", "unknown value \"canton\"");

	b = use_case(true, true);
	set(b, "environment",
	    M("compute", S("GPU"), "energy_kwh_per_year", S("beaucoup"), "method", S("estimation"),
	      NULL));
	expect_error(b, "environment.energy_kwh_per_year", "expected a number, got a string");
	set(b, "environment",
	    M("compute", S("GPU"), "energy_kwh_per_year", I(-3), "method", S("estimation"), NULL));
	expect_error(b, "environment.energy_kwh_per_year", "below the minimum");
	set(b, "environment",
	    M("compute", S("GPU"), "energy_kwh_per_year", FL(INFINITY), "method", S("estimation"),
	      NULL));
	expect_error(b, "environment.energy_kwh_per_year", "finite");
	set(b, "environment",
	    M("compute", S("GPU"), "energy_kwh_per_year", I(1200), "method", S("estimation"),
	      NULL));
	expect_valid(b, 0);
	set(b, "hosting", M("provider", S("OVH"), "country", S("FR"), "sovereign", I(1), NULL));
	expect_error(b, "hosting.sovereign", "expected true or false, got an integer");
	b = use_case(true, true);
	set(b, "individual_decisions", S("oui"));
	expect_error(b, "individual_decisions", "expected true or false, got a string");
	b = use_case(true, true);
	set(b, "decisions_per_year", S("environ 2 000"));
	expect_valid(b, 0);
	set(b, "decisions_per_year", B(true));
	expect_error(b, "decisions_per_year", "expected a number or a text, got a boolean");
	b = use_case(true, true);
	set(b, "data_sources", L(M("name", S("x"), "personal_data", S("yes"), NULL), NULL));
	expect_error(b, "data_sources[0].personal_data",
	             "unknown value \"yes\"; expected one of: none, pseudonymised, identified");

	b = rex(true);
	set(b, "cost",
	    M("amount", I(100), "currency", S("euros"), "kind", S("licence"), "funding",
	      S("budget"), NULL));
	expect_error(b, "cost.currency", "invalid currency");
	b = rex(true);
	set(b, "about", L(S("component/x"), I(3), NULL));
	expect_error(b, "about[1]", "expected a string, got an integer");

	b = territory(true);
	set(b, "siren", S("20004697"));
	expect_error(b, "siren", "invalid SIREN \"20004697\"; expected exactly 9 digits");
	set(b, "siren", I(200046977));
	expect_error(b, "siren", "expected a string, got an integer");
	b = territory(true);
	set(b, "kind", S("ville"));
	expect_error(b, "kind", "unknown value \"ville\"");
	b = territory(true);
	set(b, "name", S("Métropole de Lyon"));
	expect_valid(b, 0);
	set(b, "name", I(1));
	expect_error(b, "name", "expected a string or a language map");

	/* Body and type. */
	expect_error(I(1), "", "expected a map of fields, got an integer");
	expect_error(NULL, "", NULL);
	b = methodology(true);
	set(b, "type", S("recette"));
	expect_error(b, "type",
	             "unknown value \"recette\"; expected one of: methodology, use_case, "
	             "component, rex, call, label, interest, award, comment, territory, member, vouch, node");
	set(b, "type", I(1));
	expect_error(b, "type", "expected a string, got an integer");
	proto_arena_done(&A);
}

/* Every field typed as a URL takes http and https only, with a host; a relation's target is
 * an entry path or an http, https or urn URI. The refusals name the field, in French first. */
static proto_value *with_url(int which, const char *url, const char **ret_field)
{
	proto_value *b = NULL;
	switch (which) {
	case 0:
		b = component(true, "software");
		set(b, "repository_url", S(url));
		*ret_field = "repository_url";
		break;
	case 1:
		b = component(true, "software");
		set(b, "landing_url", S(url));
		*ret_field = "landing_url";
		break;
	case 2:
		b = component(true, "dataset");
		set(b, "distributions",
		    L(M("access_url", S(url), "format", S("CSV"), "licence", S("etalab-2.0"), NULL),
		      NULL));
		*ret_field = "distributions[0].access_url";
		break;
	case 3:
		b = methodology(true);
		set(b, "links", L(M("rel", S("documentation"), "href", S(url), NULL), NULL));
		*ret_field = "links[0].href";
		break;
	case 4:
		b = methodology(true);
		set(b, "identifiers",
		    L(M("scheme", S("wikidata"), "value", S("Q1"), "url", S(url), NULL), NULL));
		*ret_field = "identifiers[0].url";
		break;
	case 5:
		b = use_case(true, true);
		set(b, "public_register_url", S(url));
		*ret_field = "public_register_url";
		break;
	case 6:
		b = use_case(true, true);
		set(b, "data_sources",
		    L(M("name", S("Quotient familial"), "personal_data", S("none"), "url", S(url),
		        NULL),
		      NULL));
		*ret_field = "data_sources[0].url";
		break;
	case 7:
		b = rex(true);
		set(b, "deployment",
		    M("url", S(url), "audience", S("habitants"), "public", B(true), NULL));
		*ret_field = "deployment.url";
		break;
	default:
		b = territory(true);
		set(b, "website", S(url));
		*ret_field = "website";
		break;
	}
	return b;
}

static void test_urls_and_references(void)
{
	static const char *const good_urls[] = {
		"https://www.ville-exemple.fr/algorithmes",
		"http://127.0.0.1:7480/entry/rex/x",
		"HTTPS://Forge.Exemple.fr/depot?x=1#y",
		NULL,
	};
	static const char *const bad_schemes[] = {
		"javascript:alert(document.cookie)",  "JavaScript:alert(1)",
		"data:text/html;base64,PHNjcmlwdD4=", "file:///etc/passwd",
		"ftp://ftp.ville-exemple.fr/depot",   "vbscript:msgbox",
		"mailto:dpo@ville-exemple.fr",        NULL,
	};
	static const char *const no_host[] = { "https:///depot", "http://", "https:/depot",
		                               "http:depot", NULL };
	const char *field;

	proto_arena_init(&A, 0);
	for (int which = 0; which <= 8; which++) {
		for (size_t i = 0; good_urls[i]; i++)
			CHECK_EQ_INT(validate(with_url(which, good_urls[i], &field)), 0);
		for (size_t i = 0; bad_schemes[i]; i++) {
			proto_value *b = with_url(which, bad_schemes[i], &field);
			expect_error(b, field, "refusé : seuls http et https sont admis");
		}
		for (size_t i = 0; no_host[i]; i++) {
			proto_value *b = with_url(which, no_host[i], &field);
			expect_error(b, field, "adresse incomplète");
		}
		/* what was refused before still is, with the same message */
		expect_error(with_url(which, "www.ville-exemple.fr", &field), field, "invalid URL");
	}
	expect_error(with_url(0, "javascript:alert(1)", &field), "repository_url",
	             "schéma « javascript » refusé");

	static const char *const good_targets[] = {
		"component/decidim",
		"territory",
		"use_case/tri-des-demandes-de-creche",
		"https://maille.example/use_case/tri",
		"urn:isbn:9782070360024",
		"URN:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66",
		NULL,
	};
	static const char *const bad_targets[] = {
		"javascript:alert(1)",
		"data:,x",
		"file:///etc/passwd",
		"doi:10.1000/182",
		"mailto:dpo@ville-exemple.fr",
		"https:///x",
		"urn:",
		"urn:isbn",
		"urn::x",
		"Component/Decidim",
		"component/",
		"../etc/passwd",
		"un outil de la ville",
		NULL,
	};
	for (size_t i = 0; good_targets[i]; i++) {
		proto_value *b = methodology(true);
		set(b, "relations",
		    L(M("rel", S("uses"), "target", S(good_targets[i]), NULL), NULL));
		CHECK_EQ_INT(validate(b), 0);
	}
	for (size_t i = 0; bad_targets[i]; i++) {
		proto_value *b = methodology(true);
		set(b, "relations",
		    L(M("rel", S("uses"), "target", S("component/decidim"), NULL),
		      M("rel", S("similar_to"), "target", S(bad_targets[i]), NULL), NULL));
		expect_error(b, "relations[1].target", "refusée : ni un chemin de fiche");
	}
	proto_value *b = methodology(true);
	set(b, "relations", L(M("rel", S("uses"), "target", S("javascript:alert(1)"), NULL), NULL));
	expect_error(b, "relations[0].target", "cible « javascript:alert(1) » refusée");
	set(b, "relations", L(M("rel", S("uses"), "target", S(""), NULL), NULL));
	expect_error(b, "relations[0].target", "empty string");
	set(b, "relations", L(M("rel", S("uses"), "target", I(3), NULL), NULL));
	expect_error(b, "relations[0].target", "expected a string, got an integer");
	/* about and components also name things outside the catalogue in words: not references */
	b = rex(true);
	set(b, "about", SL("component/decidim", "Plateforme de participation de la ville", NULL));
	CHECK_EQ_INT(validate(b), 0);
	proto_arena_done(&A);
}

static void test_lengths(void)
{
	proto_value *b;

	proto_arena_init(&A, 0);
	b = methodology(true);
	set(b, "title", FR(repeat("a", 201)));
	expect_error(b, "title.fr", "too long: 201 characters, at most 200");
	/* Characters, not bytes: 200 accented letters are 400 bytes. */
	set(b, "title", FR(repeat("é", 200)));
	expect_valid(b, 0);
	set(b, "title", M("en", S("ok"), "fr", S(repeat("é", 201)), NULL));
	expect_error(b, "title.fr", "too long");

	b = methodology(true);
	set(b, "summary", FR(repeat("a", 151)));
	expect_valid(b, 1);
	CHECK(has_warning("summary.fr", "advised 150 characters (151)"));
	set(b, "summary", FR(repeat("à", 150)));
	expect_valid(b, 0);
	set(b, "summary", FR(repeat("x", 5000)));
	expect_valid(b, 1);

	/* A field path longer than an issue's field is cut, never overrun. */
	b = territory(true);
	set(b, repeat("k", 300), S("x"));
	CHECK_EQ_INT(validate(b), MAILLE_ESCHEMA);
	CHECK(strstr(rep.errors[0].en, "unknown field") != NULL);
	CHECK(strlen(rep.errors[0].field) < sizeof rep.errors[0].field);
	CHECK(strstr(rep.errors[0].field, "...") != NULL);
	proto_arena_done(&A);
}

/* Where with_text(which, s) puts s: the path an error names, and whether the field is a
 * multi-line text. One-line fields first, then multi-line ones. */
typedef struct text_site {
	const char *field; /* the path reported */
	bool multiline;
} text_site;

static const text_site text_sites[] = {
	{ "title.fr", false },
	{ "summary.en", false },
	{ "keywords[1]", false },
	{ "department", false },
	{ "contacts[0].name", false },
	{ "territories[1].label", false },
	{ "links[0].title.fr", false },
	{ "links[0].href", false },
	{ "risks[0].name", false },
	{ "data_sources[1].provider", false },
	{ "indicators[0].unit", false },
	{ "steps[0].title.fr", false },
	{ "name", false },    /* a territory's name, a plain string */
	{ "name.fr", false }, /* and in a language map */
	{ "description.fr", true },
	{ "steps[1].text.fr", true },
	{ "risks[1].mitigation", true },
	{ "purpose.fr", true },
	{ "recourse.fr", true },
	{ "lessons_learned.fr", true },
	{ "what_was_done", true }, /* a REX's field as a plain string */
	{ "features[0]", true },   /* and as a list of strings */
	{ "contact", true },       /* a territory's contact */
};

/* A valid body with s at the field text_sites[which] names. */
static proto_value *with_text(size_t which, const char *s)
{
	proto_value *b = NULL;

	switch (which) {
	case 0:
		b = methodology(true);
		set(b, "title", FR(s));
		break;
	case 1:
		b = methodology(true);
		set(b, "summary", M("en", S(s), "fr", S("Résumé"), NULL));
		break;
	case 2:
		b = methodology(true);
		set(b, "keywords", SL("algorithme public", s, NULL));
		break;
	case 3:
		b = methodology(true);
		set(b, "department", S(s));
		break;
	case 4:
		b = methodology(true);
		set(b, "contacts",
		    L(M("name", S(s), "email", S("a@b.fr"), "public", B(true), NULL), NULL));
		break;
	case 5:
		b = methodology(true);
		set(b, "territories",
		    L(M("level", S("commune"), "code", S("69123"), "cog_year", I(2024), "label",
		        S("Lyon"), NULL),
		      M("level", S("epci"), "code", S("200046977"), "cog_year", I(2024), "label",
		        S(s), NULL),
		      NULL));
		break;
	case 6:
		b = methodology(true);
		set(b, "links",
		    L(M("rel", S("documentation"), "href", S("https://www.ville-exemple.fr/a"),
		        "title", FR(s), NULL),
		      NULL));
		break;
	case 7: {
		/* a URL: the text rule comes before the URL's own syntax */
		char url[96];
		snprintf(url, sizeof url, "https://www.ville-exemple.fr/%s", s);
		b = methodology(true);
		set(b, "links", L(M("rel", S("documentation"), "href", S(url), NULL), NULL));
		break;
	}
	case 8:
		b = use_case(true, true);
		set(b, "risks",
		    L(M("name", S(s), "description", FR("d"), "mitigation", FR("m"), NULL), NULL));
		break;
	case 9:
		b = use_case(true, true);
		set(b, "data_sources",
		    L(M("name", S("Dossiers"), "personal_data", S("identified"), NULL),
		      M("name", S("Quotient familial"), "provider", S(s), "personal_data",
		        S("pseudonymised"), NULL),
		      NULL));
		break;
	case 10:
		b = rex(true);
		set(b, "indicators",
		    L(M("name", S("votants"), "value", I(3), "unit", S(s), "date", S("2023-11-30"),
		        NULL),
		      NULL));
		break;
	case 11:
		b = methodology(true);
		set(b, "steps", L(M("title", FR(s), "text", FR("Lister."), NULL), NULL));
		break;
	case 12:
		b = territory(true);
		set(b, "name", S(s));
		break;
	case 13:
		b = territory(true);
		set(b, "name", FR(s));
		break;
	case 14:
		b = methodology(true);
		set(b, "description", FR(s));
		break;
	case 15:
		b = methodology(true);
		set(b, "steps",
		    L(M("title", FR("Recenser"), "text", FR("Lister."), NULL),
		      M("title", FR("Évaluer"), "text", FR(s), NULL), NULL));
		break;
	case 16:
		b = use_case(true, true);
		set(b, "risks",
		    L(M("name", S("n"), "description", FR("d"), "mitigation", FR("m"), NULL),
		      M("name", S("n2"), "description", S("d2"), "mitigation", S(s), NULL), NULL));
		break;
	case 17:
		b = use_case(true, true);
		set(b, "purpose", FR(s));
		break;
	case 18:
		b = use_case(true, true);
		set(b, "recourse", FR(s));
		break;
	case 19:
		b = rex(true);
		set(b, "lessons_learned", FR(s));
		break;
	case 20:
		b = rex(true);
		set(b, "what_was_done", S(s));
		break;
	case 21:
		b = component(true, "software");
		set(b, "features", SL(s, NULL));
		break;
	case 22:
		b = territory(true);
		set(b, "contact", S(s));
		break;
	}
	return b;
}

/* Single-line texts refuse every control character; multi-line texts take line feeds and tabs
 * and refuse the others (CR included). The message names the code point, French first. */
static void test_control_characters(void)
{
	static const struct {
		const char *text;
		const char *code; /* in the message */
		bool in_lines;    /* accepted in a multi-line text */
	} cases[] = {
		{ "Titre\x1b[2J", "caractère de contrôle U+001B refusé", false },
		{ "Titre\x1b]0;x\x07", "U+001B", false },
		{ "Titre\n[fausse ligne]", "saut de ligne U+000A refusé", true },
		{ "Titre\tcolonne", "tabulation U+0009 refusé", true },
		{ "Titre\r\n", "retour chariot U+000D refusé", false },
		{ "Titre\rx", "retour chariot U+000D", false },
		{ "Titre\x7f", "caractère de contrôle U+007F", false },
		{ "Titre\x01", "U+0001", false },
		{ "Titre\x1f", "U+001F", false },
		{ "Titre \xc2\x85 suite", "caractère de contrôle U+0085", false },
		{ "Titre \xc2\x9b" "2J", "caractère de contrôle U+009B", false },
		{ "Titre \xc2\x80", "U+0080", false },
		{ "Titre \xc2\x9f", "U+009F", false },
	};
	/* what is no control character passes everywhere: no-break space (U+00A0, just past C1),
	 * U+2005 (whose last byte is 0x85), a bidi override (shown escaped, not refused), emoji */
	static const char *const fine[] = {
		"Crèche\xc2\xa0: tri", "a\xe2\x80\x85" "b", "Ville \xe2\x80\xae" "elliV",
		"Budget \xf0\x9f\x98\x80", "~ 100 % « ok »",
	};
	const size_t n_sites = sizeof text_sites / sizeof text_sites[0];

	proto_arena_init(&A, 0);
	for (size_t w = 0; w < n_sites; w++) {
		const text_site *site = &text_sites[w];
		for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
			proto_value *b = with_text(w, cases[i].text);
			if (site->multiline && cases[i].in_lines) {
				CHECK_EQ_INT(validate(b), 0);
				if (rep.errors[0].en[0])
					fprintf(stderr, "  %s: %s\n", site->field,
					        rep.errors[0].en);
				continue;
			}
			expect_error(b, site->field, cases[i].code);
			/* the same refusal in French and in English */
			CHECK(strncmp(rep.errors[0].fr, "caractère de contrôle", 22) == 0 ||
			      strncmp(rep.errors[0].fr, "saut de ligne", 13) == 0 ||
			      strncmp(rep.errors[0].fr, "tabulation", 10) == 0 ||
			      strncmp(rep.errors[0].fr, "retour chariot", 14) == 0);
			CHECK(strstr(rep.errors[0].fr,
			             site->multiline ? "seuls le saut de ligne et la tabulation sont admis"
			                             : "ce champ tient sur une ligne") != NULL);
			CHECK(strstr(rep.errors[0].en,
			             site->multiline ? "only line breaks and tabs"
			                             : "not allowed in a one-line field") != NULL);
			/* not cut */
			CHECK(strlen(rep.errors[0].en) < sizeof rep.errors[0].en - 1);
			CHECK(strlen(rep.errors[0].fr) < sizeof rep.errors[0].fr - 1);
		}
		for (size_t i = 0; i < sizeof fine / sizeof fine[0]; i++) {
			if (strcmp(site->field, "links[0].href") == 0)
				break; /* a URL has no spaces: its own syntax */
			proto_value *b = with_text(w, fine[i]);
			CHECK_EQ_INT(validate(b), 0);
			if (rep.errors[0].en[0])
				fprintf(stderr, "  %s: %s\n", site->field, rep.errors[0].en);
		}
	}

	/* a multi-line text: Markdown with paragraphs, lists, indented code; the line of a
	 * refused character is named */
	proto_value *b = methodology(true);
	set(b, "description", FR("## Contexte\n\nUn paragraphe.\n\n- un\n- deux\n\n\tcode\n"));
	expect_valid(b, 0);
	set(b, "description",
	    FR("## Contexte\n\nUn \xc2\xa0paragraphe \xe2\x80\x85.\nFin \xc2\x85."));
	expect_error(b, "description.fr", "U+0085 refusé à la ligne 4 :");
	CHECK(strstr(rep.errors[0].en, "control character U+0085 not allowed, line 4;") != NULL);
	set(b, "description", FR("\x1b[2J"));
	expect_error(b, "description.fr", "caractère de contrôle U+001B refusé à la ligne 1 :");
	set(b, "description", FR("a\n\nb\r\n"));
	expect_error(b, "description.fr", "retour chariot U+000D refusé à la ligne 3 :");

	/* NUL inside a string (a hand-built tree; the decoder refuses it) and bad UTF-8 */
	b = methodology(true);
	set(b, "title", M("fr", proto_value_new_str(&A, "a\0b", 3), NULL));
	expect_error(b, "title.fr", "U+0000");
	proto_value *bad = proto_value_new(&A, PROTO_V_STR);
	bad->u.str.ptr = "Cr\xe8" "che";
	bad->u.str.len = 6;
	set(b, "title", M("fr", bad, NULL));
	expect_error(b, "title.fr", "texte UTF-8 invalide");
	set(b, "title", FR("Titre"));
	set(b, "department", bad);
	expect_error(b, "department", "UTF-8");

	/* the first error in table order is still the one reported */
	b = methodology(true);
	set(b, "title", FR("T\x1b"));
	set(b, "summary", FR("S\x1b"));
	expect_error(b, "title.fr", "U+001B");
	proto_arena_done(&A);
}

static void test_other_warnings(void)
{
	proto_value *b;
	char key[16];

	proto_arena_init(&A, 0);
	/* A theme outside the list is an error since themes closed for authoring: it would
	 * drop the record out of its theme. The allowed ones are listed, with their French
	 * labels in French. */
	b = rex(true);
	set(b, "themes", SL("ia-democratie", "sante", NULL));
	expect_error(b, "themes[1]", "unknown value \"sante\"; expected one of: ia-democratie,");
	CHECK(strstr(rep.errors[0].fr, "ia-democratie (IA et démocratie)") != NULL);
	set(b, "themes", SL("donees", NULL));
	expect_error(b, "themes[0]", "did you mean donnees?");

	/* An unknown field is an error (it was kept with a warning): a slip in a name would be
	 * published and never shown. */
	b = rex(true);
	set(b, "couleur", S("bleu"));
	expect_error(b, "couleur", "unknown field");
	CHECK(strstr(rep.errors[0].en, "extensions") != NULL);
	b = rex(true);
	set(b, "lesons_learned", S("bleu"));
	expect_error(b, "lesons_learned", "unknown field; did you mean lessons_learned?");
	CHECK_EQ_STR(rep.errors[0].fr, "champ inconnu ; vouliez-vous dire lessons_learned ?");
	/* under extensions, anything goes */
	b = rex(true);
	set(b, "extensions", M("couleur", S("bleu"), "lesons", M("x", I(1), NULL), NULL));
	expect_valid(b, 0);

	/* Fields of another type are unknown here. */
	b = rex(true);
	set(b, "purpose", S("x"));
	expect_error(b, "purpose", "unknown field");

	/* Keys from the body are sanitised before they reach a report. */
	b = rex(true);
	set(b, "a\x1b[31m\xe2\x80\xaez", S("x"));
	expect_error(b, "a?[31m?z", "unknown field");

	/* Errors and warnings past their maximum are counted, not kept. */
	b = territory(false);
	for (int i = 0; i < 40; i++) {
		snprintf(key, sizeof key, "x%02d", i);
		set(b, key, I(i));
	}
	CHECK_EQ_INT(validate(b), MAILLE_ESCHEMA);
	CHECK_EQ_INT(rep.n_errors_total, 40);
	CHECK_EQ_INT(rep.n_errors, PROTO_SCHEMA_ERR_MAX);
	CHECK_EQ_STR(rep.errors[0].field, "x00");
	b = methodology(true);
	{
		proto_value *summary = M(NULL);
		for (int i = 0; i < 40; i++) {
			char tag[4] = { 'q', (char)('a' + i / 26), (char)('a' + i % 26), '\0' };
			set(summary, tag, S(repeat("a", 151)));
		}
		set(b, "summary", summary);
	}
	expect_valid(b, 40);
	CHECK_EQ_INT(rep.n_warnings, PROTO_SCHEMA_WARN_MAX);

	/* The federation's other records: only the type is checked for now. */
	expect_valid(M("type", S("member"), "anything", I(1), NULL), 0);
	expect_valid(M("type", S("vouch"), NULL), 0);
	expect_valid(M("type", S("node"), "x", L(I(1), NULL), NULL), 0);

	/* A NULL report is allowed. */
	CHECK_EQ_INT(proto_schema_validate(rex(true), NULL), 0);
	CHECK_EQ_INT(proto_schema_validate(I(1), NULL), MAILLE_ESCHEMA);
	proto_arena_done(&A);
}

static const char *langmap_text(const proto_value *m, const char *lang)
{
	const proto_value *v = proto_map_get(m, lang);
	return v && v->type == PROTO_V_STR ? v->u.str.ptr : NULL;
}

static void test_normalize(void)
{
	proto_value *b;
	const proto_value *v;

	proto_arena_init(&A, 0);
	b = M("type", S("use_case"), "title", S("Tri des demandes de crèche"), "summary",
	      S("Résumé"), "description", FR("Déjà une carte"), NULL);
	CHECK_EQ_INT(proto_schema_normalize(b, &A), 0);
	v = proto_map_get(b, "title");
	CHECK(v && v->type == PROTO_V_MAP && v->u.map.n == 1);
	CHECK_EQ_STR(langmap_text(v, "fr"), "Tri des demandes de crèche");
	CHECK_EQ_STR(langmap_text(proto_map_get(b, "summary"), "fr"), "Résumé");
	CHECK_EQ_STR(langmap_text(proto_map_get(b, "description"), "fr"), "Déjà une carte");
	v = proto_map_get(b, "lang");
	CHECK(v && v->type == PROTO_V_STR && strcmp(v->u.str.ptr, "fr") == 0);
	v = proto_map_get(b, "content_licence");
	CHECK(v && v->type == PROTO_V_STR && strcmp(v->u.str.ptr, "etalab-2.0") == 0);
	/* Idempotent. */
	CHECK_EQ_INT(proto_schema_normalize(b, &A), 0);
	CHECK_EQ_STR(langmap_text(proto_map_get(b, "title"), "fr"), "Tri des demandes de crèche");

	/* The body's lang names the language of plain strings; existing values are kept. */
	b = M("type", S("rex"), "lang", S("en"), "content_licence", S("CC-BY-4.0"), "title",
	      S("One year of participatory budgeting"), NULL);
	CHECK_EQ_INT(proto_schema_normalize(b, &A), 0);
	CHECK_EQ_STR(langmap_text(proto_map_get(b, "title"), "en"),
	             "One year of participatory budgeting");
	CHECK(proto_map_get(proto_map_get(b, "title"), "fr") == NULL);
	CHECK(strcmp(proto_map_get(b, "content_licence")->u.str.ptr, "CC-BY-4.0") == 0);
	b = M("type", S("rex"), "lang", S("English"), "title", S("x"), NULL);
	CHECK_EQ_INT(proto_schema_normalize(b, &A), 0);
	CHECK_EQ_STR(langmap_text(proto_map_get(b, "title"), "fr"), "x");

	/* A friendly record becomes valid. */
	b = rex(false);
	set(b, "title", S("Un an avec Decidim"));
	set(b, "summary", S("En bref"));
	proto_value_map_del(b, "lang");
	proto_value_map_del(b, "content_licence");
	expect_error(b, "title", "expected a language map");
	CHECK_EQ_INT(proto_schema_normalize(b, &A), 0);
	expect_valid(b, 5);

	/* Territory: name only, no catalogue defaults. */
	b = M("type", S("territory"), "name", S("Commune de Vénissieux"), NULL);
	CHECK_EQ_INT(proto_schema_normalize(b, &A), 0);
	CHECK_EQ_STR(langmap_text(proto_map_get(b, "name"), "fr"), "Commune de Vénissieux");
	CHECK(proto_map_get(b, "lang") == NULL);
	CHECK(proto_map_get(b, "content_licence") == NULL);

	/* Unknown or federation types are left alone. */
	b = M("type", S("vouch"), "title", S("x"), NULL);
	CHECK_EQ_INT(proto_schema_normalize(b, &A), 0);
	CHECK(proto_map_get(b, "title")->type == PROTO_V_STR);
	CHECK(proto_map_get(b, "lang") == NULL);
	b = M("title", S("x"), NULL);
	CHECK_EQ_INT(proto_schema_normalize(b, &A), 0);
	CHECK(proto_map_get(b, "title")->type == PROTO_V_STR);

	CHECK_EQ_INT(proto_schema_normalize(S("x"), &A), MAILLE_EINVAL);
	CHECK_EQ_INT(proto_schema_normalize(NULL, &A), MAILLE_EINVAL);
	proto_arena_done(&A);
}

static void slug_is(const char *title, const char *want)
{
	char out[128];
	size_t n = proto_slugify(title, strlen(title), out, sizeof out);

	CHECK_EQ_STR(out, want);
	CHECK_EQ_INT(n, strlen(want));
}

static void test_slugify(void)
{
	proto_arena_init(&A, 0);
	char out[128], small[8], word[200];
	const char *long_title;
	size_t n;

	slug_is("Tri des demandes de crèche", "tri-des-demandes-de-creche");
	slug_is("L'IA générative à l'Hôtel de Ville", "l-ia-generative-a-l-hotel-de-ville");
	slug_is("Cœur", "coeur");
	slug_is("ŒUVRE ÆTHER Straße", "oeuvre-aether-strasse");
	slug_is("àâäáãå çéèêë íìîï ñóòôöõø úùûü ýÿ", "aaaaaa-ceeee-iiii-noooooo-uuuu-yy");
	slug_is("ÀÂÄÁÃÅ ÇÉÈÊË ÍÌÎÏ ÑÓÒÔÖÕØ ÚÙÛÜ Ý Ÿ", "aaaaaa-ceeee-iiii-noooooo-uuuu-y-y");
	slug_is("Łódź, Škoda, Ğ, Ĳssel", "lodz-skoda-g-ijssel");
	slug_is("l’outil « participatif » — v2", "l-outil-participatif-v2");
	slug_is("  --Déjà vu!!  ", "deja-vu");
	slug_is("3 × 4 ÷ 2", "3-4-2");
	/* Decomposed accents (NFD) and the soft hyphen belong to their letter. */
	slug_is("cre\xcc\x80"
	        "che par\xc2\xad"
	        "tage",
	        "creche-partage");
	slug_is("IA Ελλάδα 2024", "ia-2024");
	slug_is("Ελλάδα", "");
	slug_is("", "");
	slug_is("!!! ... ???", "");
	/* Invalid UTF-8 separates, like punctuation. */
	slug_is("ab\xff\xfe"
	        "cd\xc3",
	        "ab-cd");
	slug_is("ab\xed\xa0\x80"
	        "cd",
	        "ab-cd");

	n = proto_slugify("Cœur", strlen("Cœur"), out, sizeof out);
	CHECK_EQ_INT(n, 5);

	/* 200 characters: cut after a whole word, at most 80, no trailing '-'. */
	long_title = repeat("mot ", 50);
	n = proto_slugify(long_title, strlen(long_title), out, sizeof out);
	CHECK_EQ_INT(n, 79);
	CHECK(strncmp(out, "mot-mot-", 8) == 0);
	CHECK(strcmp(out + 76, "mot") == 0);
	long_title = "Evaluation participative des algorithmes publics utilises pour l'attribution "
	             "des places en creche dans les communes de la metropole et leurs effets sur "
	             "les familles monoparentales en situation de precarite";
	n = proto_slugify(long_title, strlen(long_title), out, sizeof out);
	CHECK(n <= 80);
	CHECK(n > 60);
	CHECK(out[n - 1] != '-');
	CHECK(strncmp(out, "evaluation-participative-des-algorithmes", 40) == 0);
	CHECK_EQ_STR(
	    out,
	    "evaluation-participative-des-algorithmes-publics-utilises-pour-l-attribution-des");
	/* Exactly 80 characters then a word: the cut falls between the two. */
	n = proto_slugify(
	    "aaaaaaaaa bbbbbbbbb ccccccccc ddddddddd eeeeeeeee fffffffff ggggggggg hhhhhhhhhh iii",
	    84, out, sizeof out);
	CHECK_EQ_INT(n, 80);
	CHECK_EQ_STR(
	    out,
	    "aaaaaaaaa-bbbbbbbbb-ccccccccc-ddddddddd-eeeeeeeee-fffffffff-ggggggggg-hhhhhhhhhh");
	/* One word longer than 80 is cut at 80. */
	memset(word, 'x', sizeof word);
	n = proto_slugify(word, sizeof word, out, sizeof out);
	CHECK_EQ_INT(n, 80);
	CHECK_EQ_INT(strlen(out), 80);
	/* A small buffer gets the same rules. */
	n = proto_slugify("Tri des demandes", 16, small, sizeof small);
	CHECK_EQ_STR(small, "tri-des");
	CHECK_EQ_INT(n, 7);
	n = proto_slugify("Tri des demandes", 16, small, 4);
	CHECK_EQ_STR(small, "tri");
	CHECK_EQ_INT(proto_slugify("abc", 3, small, 0), 0);
	CHECK_EQ_INT(proto_slugify("abc", 3, small, 1), 0);
	CHECK_EQ_STR(small, "");
	CHECK_EQ_INT(proto_slugify(NULL, 3, out, sizeof out), 0);
	CHECK_EQ_STR(out, "");
	/* Only len bytes are read. */
	CHECK_EQ_INT(proto_slugify("abc def", 3, out, sizeof out), 3);
	CHECK_EQ_STR(out, "abc");
	proto_arena_done(&A);
}

/* ---- Robustness: any tree gives 0 or MAILLE_ESCHEMA with a message ---------------------- */

static proto_value weird[12];

static void make_weird(void)
{
	proto_value *deep = NIL(), *v;

	/* 5000 nested lists: validation must not follow them. */
	for (int i = 0; i < 5000; i++)
		deep = L(deep, NULL);
	weird[0] = *NIL();
	weird[1] = *B(false);
	weird[2] = *I(INT64_MIN);
	weird[3] = *FL(NAN);
	weird[4] = *FL(-1e308);
	v = proto_value_new(&A, PROTO_V_BIN); /* NULL bytes */
	v->u.bin.len = 0;
	weird[5] = *v;
	weird[6] = *deep;
	weird[7] = *M("fr", L(I(1), M(NULL), NULL), "", FL(1.5), NULL);
	v = proto_value_new(&A, PROTO_V_STR); /* NULL pointer */
	weird[8] = *v;
	weird[9] = *S("\xff\xfe\x1b[2J\xe2\x80\xae bad \xc3");
	v = proto_value_new(&A, PROTO_V_MAP); /* a key without bytes */
	*proto_value_map_put(&A, v, "x", 1) = *I(1);
	v->u.map.items[0].key = NULL;
	weird[10] = *v;
	weird[11] = *EMPTY_LIST();
	weird[11].type = (proto_vtype)99;
}

static int n_mutations;

static void check_report(int r)
{
	n_mutations++;
	CHECK(r == 0 || r == MAILLE_ESCHEMA);
	CHECK((r == MAILLE_ESCHEMA) == (rep.n_errors > 0));
	CHECK(rep.n_errors <= PROTO_SCHEMA_ERR_MAX && rep.n_errors <= rep.n_errors_total);
	/* every error has its text in both languages, valid UTF-8, within its buffer */
	for (size_t i = 0; i < rep.n_errors; i++) {
		const proto_schema_issue *is = &rep.errors[i];
		CHECK(is->en[0] != '\0' && is->fr[0] != '\0');
		CHECK(strlen(is->field) < sizeof is->field);
		CHECK(proto_utf8_valid((const uint8_t *)is->fr, strlen(is->fr)));
		CHECK(proto_utf8_valid((const uint8_t *)is->en, strlen(is->en)));
		CHECK(proto_utf8_valid((const uint8_t *)is->field, strlen(is->field)));
	}
	CHECK(rep.n_warnings <= PROTO_SCHEMA_WARN_MAX);
}

/* Replaces every value of the tree under v, in turn, by each weird value. */
static void mutate_all(const proto_value *root, proto_value *v, int depth)
{
	size_t n = v->type == PROTO_V_MAP ? v->u.map.n : v->type == PROTO_V_ARRAY ? v->u.arr.n : 0;

	if (depth > 8)
		return;
	for (size_t i = 0; i < n; i++) {
		proto_value *slot =
		    v->type == PROTO_V_MAP ? &v->u.map.items[i].val : &v->u.arr.items[i];
		proto_value saved = *slot;
		for (size_t w = 0; w < sizeof weird / sizeof weird[0]; w++) {
			*slot = weird[w];
			check_report(validate(root));
		}
		*slot = saved;
		mutate_all(root, slot, depth + 1);
	}
}

static void test_any_tree(void)
{
	proto_value *bodies[8];

	proto_arena_init(&A, 0);
	make_weird();
	bodies[0] = methodology(true);
	bodies[1] = use_case(true, true);
	bodies[2] = component(true, "software");
	bodies[3] = component(true, "dataset");
	bodies[4] = component(true, "model");
	bodies[5] = rex(true);
	bodies[6] = territory(true);
	bodies[7] = M("type", S("node"), "x", I(1), NULL);
	for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
		mutate_all(bodies[i], bodies[i], 0);
		/* Restored: still valid. */
		CHECK_EQ_INT(validate(bodies[i]), 0);
	}
	for (size_t w = 0; w < sizeof weird / sizeof weird[0]; w++) {
		check_report(validate(&weird[w]));
		CHECK_EQ_INT(validate(&weird[w]), MAILLE_ESCHEMA);
	}
	CHECK(n_mutations > 3000);
	proto_arena_done(&A);
}

CHECK_MAIN(test_vocabularies, test_valid_records, test_recommended_warnings, test_required_fields,
           test_error_order, test_every_error, test_nearest, test_conditional_fields, test_wrong_types, test_urls_and_references,
           test_lengths, test_control_characters, test_other_warnings, test_normalize,
           test_slugify, test_any_tree)
