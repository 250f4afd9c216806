/* node/formats/import_algorithm_register.c: the algorithm registers of the Eurocities / Dutch
 * standard (Algorithmic Transparency Standard 0.2 and 0.3.1, the Dutch government register's
 * publication standard 1.0) as use_case drafts, one a record.
 *
 * JSON (jansson: a list of records, one record, or a list under "data", "results", "records"
 * or "items") or the CSV template of 0.3.1 (csvread.h: one row a record, headers the
 * attributes' names, in the standard's attribute ids, English or Dutch; a header row repeated
 * further down is skipped and reported). The version comes from `standard_version` (or 0.2's
 * `schema`), else from the keys only one version has.
 *
 * Mapping (attribute → field; texts cleaned of their HTML, reported, into language maps of the
 * record's `lang`):
 *   name, description_short, description          → title, summary, description
 *   goal                                          → purpose
 *   decision_making_process, human_intervention   → decision_process, human_oversight
 *   objection_procedure, methods_and_models       → recourse, model_description
 *   monitoring, alternatives_considered, rollback → the fields of the same names
 *   department, provider                          → department, suppliers
 *   contact_email (+ contact_name)                → contacts (an address checked; a web
 *                                                   address, which 1.0 allows, → links)
 *   status, risk_category, algorithm_type (0.2: type), 1.0's "Hoog-risico AI-systeem"
 *                                                 → status, risk_category, algorithm_type
 *   risks                                         → risks[0].description
 *   source_data, source_data_grouping             → data_sources
 *   lawful_basis, lawful_basis_grouping           → legal_basis
 *   DPIA_*, AIA_*, iama_description, impacttoetsen(_grouping) → impact_assessments
 *   url                                           → public_register_url
 *   website, documentation, codebase_url, publiccode... → links
 *   category, domain, keywords, tags              → keywords
 *   lang (nld, eng...)                            → lang
 * The rest (organization, area, dates, ids, impact, proportionality...) goes under
 * extensions.algorithm-register as written. The path is use_case/<slug of id, lars or
 * source_id, else of the name>. */
#include "import.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "csvread.h"
#include "proto/error.h"
#include "proto/limits.h"
#include "proto/schema.h"

typedef enum ar_kind {
	AR_EXT,           /* kept under extensions */
	AR_LANG,          /* a text into field.<lang> (arg: IMPORT_TEXT_MULTILINE or 0) */
	AR_LINE,          /* a one-line text into field */
	AR_ENUM,          /* a value of field's vocabulary (synonyms) */
	AR_URL,           /* an address into field */
	AR_LINK,          /* a link, rel */
	AR_KEYWORDS,      /* keywords: a list, or a text of words separated by , ; or lines */
	AR_LIST,          /* one more item of the list field (legal_basis, impact_assessments) */
	AR_GROUP,         /* 1.0's [{title, link}] into items of the list field */
	AR_SOURCES,       /* source_data's text: one data source */
	AR_SOURCES_GROUP, /* source_data_grouping: data sources with their address */
	AR_RISKS,         /* risks' text: one risk's description */
	AR_CONTACT,       /* contact_email, contact_name: read together */
	AR_LANGCODE,      /* lang */
	AR_PUBCAT,        /* 1.0's publication_category: the AI Act's high risk, else kept */
	AR_TYPE,          /* type: 0.2's algorithm type, else kept */
} ar_kind;

typedef struct ar_attr {
	const char *attr; /* the standard's attribute id */
	ar_kind kind;
	const char *field; /* Maille's field, or a link's rel */
	unsigned flags;
	const char *names[6]; /* the CSV headers of the templates (English, Dutch), NULL-ended */
} ar_attr;

#define ML IMPORT_TEXT_MULTILINE

/* clang-format off */
static const ar_attr ar_attrs[] = {
	{ "name", AR_LANG, "title", 0, { "Name", "Naam", NULL } },
	{ "description_short", AR_LANG, "summary", 0, { "Short description", "Korte omschrijving", NULL } },
	{ "description", AR_LANG, "description", ML, { "Explanation", "Uitleg", "Long description", "Lange omschrijving", NULL } },
	{ "goal", AR_LANG, "purpose", ML, { "Goals", "Doelen", "Goal", "Doel", "Doel en impact", NULL } },
	{ "decision_making_process", AR_LANG, "decision_process", ML, { "Decision-making process", "Besluitvormingsproces", NULL } },
	{ "human_intervention", AR_LANG, "human_oversight", ML, { "Human intervention", "Menselijke tussenkomst", NULL } },
	{ "objection_procedure", AR_LANG, "recourse", ML, { "Objection procedure", "Bezwaarprocedure", NULL } },
	{ "methods_and_models", AR_LANG, "model_description", ML, { "Methods and models", "Methoden en modellen", "Technische werking", NULL } },
	{ "monitoring", AR_LANG, "monitoring", ML, { "Performance monitoring", "Prestatiemonitoring", "Monitoring", NULL } },
	{ "alternatives_considered", AR_LANG, "alternatives_considered", ML, { "Considered alternatives", "Overwogen alternatieven", NULL } },
	{ "rollback", AR_LANG, "rollback", ML, { "Rollback", "Terugdraaien", NULL } },
	{ "department", AR_LINE, "department", 0, { "Department", "Afdeling", NULL } },
	{ "provider", AR_LINE, "suppliers", 0, { "Provider", "Leverancier", NULL } },
	{ "contact_email", AR_CONTACT, "contacts", 0, { "Contact e-mail", "Contact e-mailadres", "Contact person e-mail", "E-mailadres van de contactpersoon", "Contactgegevens", NULL } },
	{ "contact_name", AR_CONTACT, "contacts", 0, { "Contact name", "Contact naam", NULL } },
	{ "status", AR_ENUM, "status", 0, { "Status", NULL } },
	{ "risk_category", AR_ENUM, "risk_category", 0, { "Risk category", "Risicocategorie", NULL } },
	{ "algorithm_type", AR_ENUM, "algorithm_type", 0, { "Type of algorithm", "Type algoritme", NULL } },
	{ "type", AR_TYPE, "algorithm_type", 0, { "Type of use of the algorithm", "Type gebruik van het algoritme", NULL } },
	{ "publication_category", AR_PUBCAT, "risk_category", 0, { "Publicatiecategorie", NULL } },
	{ "url", AR_URL, "public_register_url", 0, { "URL", "Link naar bronregistratie", NULL } },
	{ "website", AR_LINK, "website", 0, { "Website", "URL of the website", "URL van de website", "Link naar publiekspagina", NULL } },
	{ "documentation", AR_LINK, "documentation", 0, { "More information", "Meer informatie", "Documentation", "Documentatie", NULL } },
	{ "application_url", AR_LINK, "application", 0, { "Application URL", "URL van de applicatie", NULL } },
	{ "publiccode", AR_LINK, "publiccode", 0, { "URL of PublicCode.yml", "URL van publiccode.yml", "Link naar broncode", NULL } },
	{ "product_information", AR_LINK, "central-register", 0, { "Central registration URL", "URL van de centrale registratie", NULL } },
	{ "codebase_url", AR_LINK, "source-code", 0, { "Source code URL", "URL van de broncode", NULL } },
	{ "product_page", AR_LINK, "product-page", 0, { "Product page URL", "URL van de productpagina", NULL } },
	{ "process_index_url", AR_LINK, "processing-register", 0, { "Link naar verwerkingsregister", NULL } },
	{ "category", AR_KEYWORDS, "keywords", 0, { "Category", "Categorie", "Thema", NULL } },
	{ "domain", AR_KEYWORDS, "keywords", 0, { "Domain", "Domein", NULL } },
	{ "keywords", AR_KEYWORDS, "keywords", 0, { "Keywords", "Kernwoorden", NULL } },
	{ "tags", AR_KEYWORDS, "keywords", 0, { "Zoektermen", NULL } },
	{ "lawful_basis", AR_LIST, "legal_basis", 0, { "Lawful basis", "Wettelijke grondslag", "Wettelijke basis", NULL } },
	{ "lawful_basis_grouping", AR_GROUP, "legal_basis", 0, { NULL } },
	{ "DPIA_description", AR_LIST, "impact_assessments", 0, { "Description of the DPIA", "Omschrijving van de DPIA", NULL } },
	{ "DPIA_url", AR_LIST, "impact_assessments", 0, { "DPIA URL", "URL van de DPIA", NULL } },
	{ "AIA_description", AR_LIST, "impact_assessments", 0, { "Algorithm impact assessment", "Algoritme impact assessment", NULL } },
	{ "AIA_url", AR_LIST, "impact_assessments", 0, { "Algorithm impact assessment URL", "URL van de algoritme impact assessment", NULL } },
	{ "iama_description", AR_LIST, "impact_assessments", 0, { NULL } },
	{ "impacttoetsen", AR_LIST, "impact_assessments", 0, { "Toelichting op impacttoetsen", NULL } },
	{ "impacttoetsen_grouping", AR_GROUP, "impact_assessments", 0, { NULL } },
	{ "source_data", AR_SOURCES, "data_sources", 0, { "Source data", "Brondata", "Gegevens", NULL } },
	{ "source_data_grouping", AR_SOURCES_GROUP, "data_sources", 0, { NULL } },
	{ "risks", AR_RISKS, "risks", 0, { "Risks", "Risico's", "Risicobeheer", NULL } },
	{ "lang", AR_LANGCODE, "lang", 0, { "Language", "Taal", NULL } },
	/* kept under extensions, named here for the CSV headers */
	{ "organization", AR_EXT, NULL, 0, { "Responsible organization", "Responsible organisatie", "Organization", "Organisatie", "Organisatienaam", NULL } },
	{ "contact_phone", AR_EXT, NULL, 0, { "Contact phone number", "Contact telefoonnummer", NULL } },
	{ "area", AR_EXT, NULL, 0, { "Geographical area", "Geografisch gebied", NULL } },
	{ "remark", AR_EXT, NULL, 0, { "Remark", "Opmerking", NULL } },
	{ "impact", AR_EXT, NULL, 0, { "Impact", NULL } },
	{ "proportionality", AR_EXT, NULL, 0, { "Proportionality", "Proportionaliteit", "Afwegingen", NULL } },
	{ "training_data", AR_EXT, NULL, 0, { "Training data", NULL } },
	{ "data_bias", AR_EXT, NULL, 0, { "Data bias", NULL } },
	{ "connected_data_sources", AR_EXT, NULL, 0, { "Connections to data sources", "Aangesloten databronnen", NULL } },
	{ "performance", AR_EXT, NULL, 0, { "Algorithm performance", "Prestaties van het algoritme", NULL } },
	{ "performance_standard", AR_EXT, NULL, 0, { "Performance standard", "Prestatienormen", NULL } },
	{ "competent_authority", AR_EXT, NULL, 0, { "Competent authority", "Bevoegde autoriteit", NULL } },
	{ "MPRD", AR_EXT, NULL, 0, { "Connection to Municipal Personal Records Database", "Koppelingen met basisregistraties", NULL } },
	{ "DPIA", AR_EXT, NULL, 0, { "Data protection impact assessment", NULL } },
	{ "schema", AR_EXT, NULL, 0, { "Schema", NULL } },
	{ "id", AR_EXT, NULL, 0, { "Identifier", "ID", NULL } },
	{ "standard_version", AR_EXT, NULL, 0, { "Version of the standard used", "Gebruikte versie van de standaard", "Versie publicatiestandaard", NULL } },
	{ "uuid", AR_EXT, NULL, 0, { "Unique identifier", "Unieke identificatie", NULL } },
	{ "publication_date", AR_EXT, NULL, 0, { "Publication date", "Publicatiedatum", NULL } },
	{ "last_change_date", AR_EXT, NULL, 0, { "Last change date", "Datum laatste wijziging", NULL } },
	{ "revision_date", AR_EXT, NULL, 0, { "Revision date", "Herzieningsdatum", NULL } },
	{ "begin_date", AR_EXT, NULL, 0, { "Begindatum", NULL } },
	{ "end_date", AR_EXT, NULL, 0, { "Einddatum", NULL } },
	{ "source_id", AR_EXT, NULL, 0, { "Bron-ID", NULL } },
	{ "lars", AR_EXT, NULL, 0, { "Algoritme-ID", NULL } },
	{ "revision_note", AR_EXT, NULL, 0, { "Revision date note", "Aantekening bij herzieningsdatum", NULL } },
	{ NULL, AR_EXT, NULL, 0, { NULL } },
};

/* The spellings of the three versions (0.3.1 English and Dutch, 1.0, Rotterdam's, 0.2's
 * free texts) of the values Maille has. */
static const import_synonym ar_status[] = {
	{ "planned", "idea" }, { "gepland", "idea" }, { "ontwerp", "design" },
	{ "ontwikkeling", "development" }, { "in ontwikkeling", "development" },
	{ "evaluatie", "evaluation" }, { "pilote", "pilot" }, { "operational", "production" },
	{ "operationeel", "production" }, { "in gebruik", "production" }, { "in use", "production" },
	{ "beeindigd", "retired" }, { "buiten gebruik", "retired" }, { "out of use", "retired" },
	{ NULL, NULL },
};
static const import_synonym ar_risk[] = {
	{ "minimal risk", "minimal" }, { "minimaal risico", "minimal" }, { "minimaal", "minimal" },
	{ "limited risk", "limited" }, { "beperkt risico", "limited" }, { "beperkt", "limited" },
	{ "high risk", "high" }, { "hoog risico", "high" }, { "hoog", "high" },
	{ "onaanvaardbaar", "unacceptable" }, { "onaanvaardbaar risico", "unacceptable" },
	{ "hoog-risico AI-systeem", "high" }, { NULL, NULL },
};
static const import_synonym ar_algo[] = {
	{ "self-learning", "machine_learning" }, { "zelflerend", "machine_learning" },
	{ "rule based", "rule_based" }, { "regelgebaseerd", "rule_based" },
	{ "hybride", "hybrid" }, { NULL, NULL },
};
/* clang-format on */

typedef struct ar {
	import_set *set;
	const import_src *src;
	import_draft *d;
	const char *lang; /* the record's language, "nl" unless it says */
	const char *version;
} ar;

/* ---- values ------------------------------------------------------------------------------- */

/* The text of a scalar (numbers as written by %lld / %g, booleans as true / false). */
static bool ar_text_of(ar *c, const proto_value *v, const char **s, size_t *len)
{
	return import_scalar_text(c->set, v, s, len);
}

/* m[key] as a list (created). */
static proto_value *ar_list(ar *c, proto_value *m, const char *key)
{
	proto_value *v = (proto_value *)proto_map_get(m, key);
	if (v && v->type == PROTO_V_ARRAY)
		return v;
	v = proto_value_map_put(&c->set->arena, m, key, strlen(key));
	if (v)
		v->type = PROTO_V_ARRAY;
	return v;
}

/* A new map appended to the list body[key]. */
static proto_value *ar_push_map(ar *c, const char *key)
{
	proto_value *arr = ar_list(c, c->d->body, key);
	proto_value *m = arr ? proto_value_array_push(&c->set->arena, arr) : NULL;
	if (m)
		m->type = PROTO_V_MAP;
	return m;
}

/* Removes the last item of body[key] (one that came out empty), and the list if empty. */
static void ar_pop(ar *c, const char *key)
{
	proto_value *arr = (proto_value *)proto_map_get(c->d->body, key);
	if (!arr || arr->type != PROTO_V_ARRAY || arr->u.arr.n == 0)
		return;
	if (--arr->u.arr.n == 0)
		proto_value_map_del(c->d->body, key);
}

/* Keeps v under extensions.algorithm-register.<key> (a blank text is no value: left out). */
static int ar_ext(ar *c, const char *key, const proto_value *v)
{
	size_t i = 0;
	while (v->type == PROTO_V_STR && i < v->u.str.len &&
	       (v->u.str.ptr[i] == ' ' || v->u.str.ptr[i] == '\n' || v->u.str.ptr[i] == '\r' ||
	        v->u.str.ptr[i] == '\t'))
		i++;
	if (v->type == PROTO_V_STR && i == v->u.str.len)
		return 0;
	size_t kl = strlen(key);
	if (kl == 0 || kl > PROTO_MAP_KEY_MAX || !import_value_fits(v, 3)) {
		char q[80];
		proto_schema_quote(q, sizeof q, key, kl);
		return import_issue_add(
		    c->set, c->d, IMPORT_DROPPED, "extensions",
		    "« %s » : une clé vide ou de plus de %u octets, ou une valeur "
		    "imbriquée trop profond, qu'une fiche ne peut garder : laissée "
		    "de côté",
		    "\"%s\": an empty key or one over %u bytes, or a value nested too "
		    "deep, which a record cannot keep: left out",
		    q, PROTO_MAP_KEY_MAX);
	}
	proto_value *ext = import_ext(c->set, c->d);
	proto_value *slot = ext ? proto_value_map_put(&c->set->arena, ext, key, strlen(key)) : NULL;
	if (!slot)
		return MAILLE_ENOMEM;
	*slot = *v;
	return 0;
}

/* The cleaned text of s appended to the list body[key], unless already there. */
static int ar_push_text(ar *c, const char *key, const char *field, const char *s, size_t len,
                        unsigned flags)
{
	int r = import_text_push(c->set, c->d, c->d->body, key, field, s, len, flags);
	return r < 0 ? r : 0;
}

/* ---- the attributes ------------------------------------------------------------------------ */

/* keywords: a list, or one value (domain's values hold commas), or for `keywords` words
 * separated by ',', ';' or lines (HTML removed first). */
static int ar_keywords(ar *c, const ar_attr *a, const proto_value *v)
{
	if (v->type == PROTO_V_ARRAY) {
		for (size_t i = 0; i < v->u.arr.n; i++) {
			const char *s;
			size_t len;
			int r = ar_text_of(c, &v->u.arr.items[i], &s, &len)
			            ? ar_push_text(c, "keywords", "keywords", s, len, 0)
			            : 0;
			if (r < 0)
				return r;
		}
		return 0;
	}
	const char *s;
	size_t len;
	if (!ar_text_of(c, v, &s, &len))
		return 0;
	proto_value *tmp = proto_value_new(&c->set->arena, PROTO_V_MAP);
	if (!tmp)
		return MAILLE_ENOMEM;
	int r = import_text(c->set, c->d, tmp, "v", "keywords", s, len, ML);
	if (r != 1)
		return r;
	const proto_value *t = proto_map_get(tmp, "v");
	const char *p = t->u.str.ptr, *end = p + t->u.str.len;
	bool split = strcmp(a->attr, "keywords") == 0;
	while (p < end) {
		const char *q = p;
		while (q < end && ((*q != ',' && *q != ';') || !split) && *q != '\n')
			q++;
		if ((r = ar_push_text(c, "keywords", "keywords", p, (size_t)(q - p), 0)) < 0)
			return r;
		p = q + 1;
	}
	return 0;
}

/* 1.0's [{title, link}]: "title (link)" items of the list field. */
static int ar_group(ar *c, const ar_attr *a, const proto_value *v)
{
	if (v->type != PROTO_V_ARRAY)
		return ar_ext(c, a->attr, v);
	for (size_t i = 0; i < v->u.arr.n; i++) {
		const proto_value *t = proto_map_get(&v->u.arr.items[i], "title");
		const proto_value *l = proto_map_get(&v->u.arr.items[i], "link");
		const char *ts = "", *ls = "";
		size_t tl = 0, ll = 0;
		if (t && !ar_text_of(c, t, &ts, &tl))
			tl = 0;
		if (l && !ar_text_of(c, l, &ls, &ll))
			ll = 0;
		if (tl + ll == 0)
			continue;
		char *s = proto_arena_alloc(&c->set->arena, tl + ll + 4);
		if (!s)
			return MAILLE_ENOMEM;
		int n = tl && ll ? sprintf(s, "%.*s (%.*s)", (int)tl, ts, (int)ll, ls)
		                 : sprintf(s, "%.*s%.*s", (int)tl, ts, (int)ll, ls);
		int r = ar_push_text(c, a->field, a->field, s, (size_t)n, 0);
		if (r < 0)
			return r;
	}
	return 0;
}

/* source_data_grouping: data sources {name, url}. */
static int ar_sources_group(ar *c, const ar_attr *a, const proto_value *v)
{
	if (v->type != PROTO_V_ARRAY)
		return ar_ext(c, a->attr, v);
	for (size_t i = 0; i < v->u.arr.n; i++) {
		const proto_value *t = proto_map_get(&v->u.arr.items[i], "title");
		const proto_value *l = proto_map_get(&v->u.arr.items[i], "link");
		const char *s;
		size_t len;
		proto_value *src = ar_push_map(c, "data_sources");
		if (!src)
			return MAILLE_ENOMEM;
		char field[IMPORT_FIELD_MAX];
		size_t n = proto_map_get(c->d->body, "data_sources")->u.arr.n - 1;
		import_field(field, sizeof field, "data_sources[%zu].name", n);
		int r = t && ar_text_of(c, t, &s, &len)
		            ? import_text_lang(c->set, c->d, src, "name", field, c->lang, s, len, 0)
		            : 0;
		if (r < 0)
			return r;
		import_field(field, sizeof field, "data_sources[%zu].url", n);
		int u = l && ar_text_of(c, l, &s, &len)
		            ? import_uri(c->set, c->d, src, "url", field, s, len)
		            : 0;
		if (u < 0)
			return u;
		if (r == 0 && u == 0)
			ar_pop(c, "data_sources");
		else if (r == 0 && (r = ar_ext(c, a->attr, v)))
			return r; /* an address without a name: the whole list kept too */
	}
	return 0;
}

/* A text into a new item of the list key ({<member>: {lang: text}}): a risk's description, a
 * data source's name; what the register does not say of it is noted. */
static int ar_item_text(ar *c, const char *key, const char *member, const char *s, size_t len,
                        const char *missing)
{
	proto_value *item = ar_push_map(c, key);
	if (!item)
		return MAILLE_ENOMEM;
	size_t n = proto_map_get(c->d->body, key)->u.arr.n - 1;
	char field[IMPORT_FIELD_MAX];
	import_field(field, sizeof field, "%s[%zu].%s", key, n, member);
	/* a source's name is one line (its text joined), a risk's description Markdown */
	unsigned flags = strcmp(key, "risks") == 0 ? ML : 0;
	int r = import_text_lang(c->set, c->d, item, member, field, c->lang, s, len, flags);
	if (r != 1) {
		ar_pop(c, key);
		return r;
	}
	import_field(field, sizeof field, "%s[%zu]", key, n);
	return import_issue_add(
	    c->set, c->d, IMPORT_NOTE, field, "le registre ne dit pas %s%.0s : à compléter",
	    "the register does not give %.0s%s: to write", missing,
	    strcmp(key, "risks") == 0 ? "name and mitigation" : "personal_data");
}

/* contact_email and contact_name: one contact; a web address (1.0 allows one) is a link. */
static int ar_contact(ar *c, const proto_value *rec)
{
	const proto_value *e = proto_map_get(rec, "contact_email");
	const proto_value *n = proto_map_get(rec, "contact_name");
	const char *s, *ns;
	size_t len, nl;
	bool has_name = n && ar_text_of(c, n, &ns, &nl);
	if (!e || !ar_text_of(c, e, &s, &len))
		return has_name ? ar_ext(c, "contact_name", n) : 0;
	while (len && (*s == ' ' || *s == '\n' || *s == '\t')) {
		s++;
		len--;
	}
	if (len >= 4 && strncmp(s, "http", 4) == 0) {
		proto_value *link = ar_push_map(c, "links");
		if (!link)
			return MAILLE_ENOMEM;
		int r = import_uri(c->set, c->d, link, "href", "links", s, len);
		if (r != 1) {
			ar_pop(c, "links");
			return r < 0 ? r : has_name ? ar_ext(c, "contact_name", n) : 0;
		}
		proto_value *rel = proto_value_map_put(&c->set->arena, link, "rel", 3);
		proto_value *rv = rel ? proto_value_new_str(&c->set->arena, "contact", 7) : NULL;
		if (!rv)
			return MAILLE_ENOMEM;
		*rel = *rv;
		return has_name ? ar_ext(c, "contact_name", n) : 0;
	}
	proto_value *ct = ar_push_map(c, "contacts");
	if (!ct)
		return MAILLE_ENOMEM;
	int r = import_email(c->set, c->d, ct, "email", "contacts[0].email", s, len);
	if (r != 1) {
		ar_pop(c, "contacts");
		return r < 0 ? r : has_name ? ar_ext(c, "contact_name", n) : 0;
	}
	if (has_name &&
	    (r = import_text(c->set, c->d, ct, "name", "contacts[0].name", ns, nl, 0)) < 0)
		return r;
	proto_value *pub = proto_value_map_put(&c->set->arena, ct, "public", 6);
	if (!pub)
		return MAILLE_ENOMEM;
	pub->type = PROTO_V_BOOL;
	pub->u.b = true;
	return import_issue_add(c->set, c->d, IMPORT_NOTE, "contacts[0].public",
	                        "adresse publiée par le registre : marquée publique, à vérifier",
	                        "address the register publishes: marked public, to check");
}

/* lang: the register's ISO 639 code as the record's language (nld → nl). */
static const char *ar_lang(ar *c, const proto_value *v)
{
	static const char *const codes[][2] = { { "nld", "nl" }, { "dut", "nl" }, { "eng", "en" },
		                                { "fra", "fr" }, { "fre", "fr" }, { "deu", "de" },
		                                { "ger", "de" }, { "fry", "fy" }, { "nl", "nl" },
		                                { "en", "en" },  { "fr", "fr" },  { "de", "de" } };
	const char *s;
	size_t len;
	if (!v || !ar_text_of(c, v, &s, &len))
		return NULL;
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
		if (import_same_words(s, len, codes[i][0], strlen(codes[i][0])))
			return codes[i][1];
	return NULL;
}

static const import_synonym *ar_synonyms(const char *field)
{
	return strcmp(field, "status") == 0          ? ar_status
	       : strcmp(field, "risk_category") == 0 ? ar_risk
	                                             : ar_algo;
}

/* One attribute of the record. */
static int ar_attr_read(ar *c, const ar_attr *a, const proto_value *v)
{
	const char *s;
	size_t len;
	char field[IMPORT_FIELD_MAX];
	if (a->kind == AR_KEYWORDS)
		return ar_keywords(c, a, v);
	if (a->kind == AR_GROUP)
		return ar_group(c, a, v);
	if (a->kind == AR_SOURCES_GROUP)
		return ar_sources_group(c, a, v);
	if (a->kind == AR_CONTACT || a->kind == AR_LANGCODE)
		return 0; /* read with the record */
	if (a->kind == AR_EXT || !ar_text_of(c, v, &s, &len))
		return ar_ext(c, a->attr, v);
	switch (a->kind) {
	case AR_LANG:
		import_field(field, sizeof field, "%s.%s", a->field, c->lang);
		return import_text_lang(c->set, c->d, c->d->body, a->field, field, c->lang, s, len,
		                        a->flags);
	case AR_LINE:
		return import_text(c->set, c->d, c->d->body, a->field, a->field, s, len, 0);
	case AR_TYPE: /* 0.2's type is the algorithm's; later versions' the use's */
		if (strcmp(c->version, "0.2") != 0)
			return ar_ext(c, a->attr, v);
		return import_enum(c->set, c->d, c->d->body, a->field, a->field,
		                   import_vocab("use_case", a->field), ar_algo, s, len);
	case AR_ENUM:
		return import_enum(c->set, c->d, c->d->body, a->field, a->field,
		                   import_vocab("use_case", a->field), ar_synonyms(a->field), s,
		                   len);
	case AR_PUBCAT:
		if (!import_same_words(s, len, "Hoog-risico AI-systeem", 22))
			return ar_ext(c, a->attr, v);
		return import_enum(c->set, c->d, c->d->body, a->field, a->field,
		                   import_vocab("use_case", a->field), ar_risk, s, len);
	case AR_URL:
		return import_uri(c->set, c->d, c->d->body, a->field, a->field, s, len);
	case AR_LINK: {
		proto_value *link = ar_push_map(c, "links");
		if (!link)
			return MAILLE_ENOMEM;
		int r = import_uri(c->set, c->d, link, "href", "links", s, len);
		proto_value *rel =
		    r == 1 ? proto_value_map_put(&c->set->arena, link, "rel", 3) : NULL;
		proto_value *rv =
		    rel ? proto_value_new_str(&c->set->arena, a->field, strlen(a->field)) : NULL;
		if (r != 1)
			ar_pop(c, "links");
		else if (!rv)
			return MAILLE_ENOMEM;
		else
			*rel = *rv;
		return r;
	}
	case AR_LIST:
		return ar_push_text(c, a->field, a->field, s, len, ML);
	case AR_SOURCES:
		return ar_item_text(c, "data_sources", "name", s, len,
		                    "personal_data (données personnelles)");
	case AR_RISKS:
		return ar_item_text(c, "risks", "description", s, len, "name et mitigation");
	default:
		return ar_ext(c, a->attr, v);
	}
}

/* ---- a record ------------------------------------------------------------------------------ */

/* Keys only one version of the standard has. */
static const char *ar_version(const proto_value *rec)
{
	static const char *const v10[] = { "publication_category",
		                           "lawful_basis_grouping",
		                           "source_data_grouping",
		                           "impacttoetsen",
		                           "impacttoetsen_grouping",
		                           "process_index_url",
		                           NULL };
	static const char *const v031[] = { "risk_category",
		                            "algorithm_type",
		                            "training_data",
		                            "domain",
		                            "publication_date",
		                            "codebase_url",
		                            NULL };
	static const char *const v02[] = { "MPRD", "DPIA", "application_url", "schema", NULL };
	const proto_value *sv = proto_map_get(rec, "standard_version");
	if (sv && sv->type == PROTO_V_STR) {
		if (strncmp(sv->u.str.ptr, "1.", 2) == 0)
			return "1.0";
		if (strncmp(sv->u.str.ptr, "0.3", 3) == 0)
			return "0.3.1";
		if (strncmp(sv->u.str.ptr, "0.2", 3) == 0)
			return "0.2";
	}
	const char *const *sets[] = { v10, v031, v02 };
	const char *names[] = { "1.0", "0.3.1", "0.2" };
	for (size_t k = 0; k < 3; k++)
		for (const char *const *key = sets[k]; *key; key++)
			if (proto_map_get(rec, *key))
				return names[k];
	return NULL;
}

static const ar_attr *ar_attr_find(const char *key)
{
	for (const ar_attr *a = ar_attrs; a->attr; a++)
		if (strcmp(a->attr, key) == 0)
			return a;
	return NULL;
}

/* The path: use_case/<slug of the register's id>, else of the name; a path an earlier record
 * of this import took gets -2, -3... */
static int ar_path(ar *c, const proto_value *rec)
{
	static const char *const ids[] = { "id", "lars", "source_id", "name", NULL };
	char slug[96];
	size_t n = 0;
	for (const char *const *k = ids; *k && !n; k++) {
		const proto_value *v = proto_map_get(rec, *k);
		if (v && v->type == PROTO_V_STR)
			n = proto_slugify(v->u.str.ptr, v->u.str.len, slug, sizeof slug);
	}
	if (!n)
		return 0;
	char path[120];
	snprintf(path, sizeof path, "use_case/%s", slug);
	for (unsigned k = 2;; k++) {
		bool taken = false;
		for (size_t i = 0; i + 1 < c->set->n && !taken; i++)
			taken = c->set->drafts[i].path && strcmp(c->set->drafts[i].path, path) == 0;
		if (!taken)
			break;
		snprintf(path, sizeof path, "use_case/%.80s-%u", slug, k);
	}
	c->d->path = proto_arena_strndup(&c->set->arena, path, strlen(path));
	if (!c->d->path)
		return MAILLE_ENOMEM;
	if (strncmp(path + 9, slug, n) == 0 && path[9 + n] == '\0')
		return 0;
	return import_issue_add(c->set, c->d, IMPORT_NOTE, "path",
	                        "use_case/%s est déjà le chemin d'une fiche lue plus tôt dans "
	                        "cet import : celle-ci prend %s",
	                        "use_case/%s is already the path of a record read earlier in this "
	                        "import: this one takes %s",
	                        slug, path);
}

/* One record (a map of attribute → value, nulls already out) into a draft. */
static int ar_record(ar *c, const proto_value *rec, const char *where)
{
	c->d = import_draft_new(c->set, c->src, "use_case", "%s", where);
	if (!c->d)
		return MAILLE_ENOMEM;
	const char *version = ar_version(rec);
	c->version = version ? version : "0.3.1";
	const char *lang = ar_lang(c, proto_map_get(rec, "lang"));
	c->lang = lang ? lang : "nl";
	int r = 0;
	if (!version)
		r = import_issue_add(
		    c->set, c->d, IMPORT_NOTE, "",
		    "version du standard non dite ni reconnue : lue comme la 0.3.1",
		    "version of the standard neither given nor recognised: read as "
		    "0.3.1");
	const proto_value *lv = proto_map_get(rec, "lang");
	if (!r && lv && !lang)
		r = ar_ext(c, "lang", lv);
	if (!r && !lang)
		r = import_issue_add(c->set, c->d, IMPORT_NOTE, "lang",
		                     "langue du registre non dite ou inconnue : textes lus en "
		                     "néerlandais (nl), à vérifier",
		                     "language of the register not given or unknown: texts read as "
		                     "Dutch (nl), to check");
	proto_value *lslot =
	    r ? NULL : proto_value_map_put(&c->set->arena, c->d->body, PROTO_F_LANG, 4);
	proto_value *ls =
	    lslot ? proto_value_new_str(&c->set->arena, c->lang, strlen(c->lang)) : NULL;
	if (r || !ls)
		return r ? r : MAILLE_ENOMEM;
	*lslot = *ls;
	if ((r = ar_path(c, rec)) || (r = ar_contact(c, rec)) < 0)
		return r;
	for (size_t i = 0; i < rec->u.map.n; i++) {
		const char *k = rec->u.map.items[i].key;
		const ar_attr *a = ar_attr_find(k);
		r = a ? ar_attr_read(c, a, &rec->u.map.items[i].val)
		      : ar_ext(c, k, &rec->u.map.items[i].val);
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- JSON ---------------------------------------------------------------------------------- */

/* j as a value (nulls left out: NIL returned), within IMPORT_DEPTH_MAX; false past it. */
static bool ar_json_value(import_set *set, const json_t *j, proto_value *ret, unsigned depth,
                          int *err)
{
	memset(ret, 0, sizeof *ret);
	if (depth > IMPORT_DEPTH_MAX)
		return false;
	switch (json_typeof(j)) {
	case JSON_STRING: {
		proto_value *s =
		    proto_value_new_str(&set->arena, json_string_value(j), json_string_length(j));
		if (!s)
			*err = MAILLE_ENOMEM;
		else
			*ret = *s;
		return true;
	}
	case JSON_INTEGER:
		ret->type = PROTO_V_INT;
		ret->u.i = (int64_t)json_integer_value(j);
		return true;
	case JSON_REAL:
		ret->type = PROTO_V_FLOAT;
		ret->u.f = json_real_value(j);
		return true;
	case JSON_TRUE:
	case JSON_FALSE:
		ret->type = PROTO_V_BOOL;
		ret->u.b = json_is_true(j);
		return true;
	case JSON_ARRAY: {
		ret->type = PROTO_V_ARRAY;
		size_t i;
		const json_t *x;
		json_array_foreach(j, i, x)
		{
			proto_value tmp;
			if (!ar_json_value(set, x, &tmp, depth + 1, err))
				return false;
			proto_value *slot = tmp.type == PROTO_V_NIL || *err
			                        ? NULL
			                        : proto_value_array_push(&set->arena, ret);
			if (slot)
				*slot = tmp;
			else if (tmp.type != PROTO_V_NIL && !*err)
				*err = MAILLE_ENOMEM;
		}
		return true;
	}
	case JSON_OBJECT: {
		ret->type = PROTO_V_MAP;
		const char *k;
		const json_t *x;
		json_object_foreach((json_t *)j, k, x)
		{
			proto_value tmp;
			if (!ar_json_value(set, x, &tmp, depth + 1, err))
				return false;
			proto_value *slot =
			    tmp.type == PROTO_V_NIL || *err
			        ? NULL
			        : proto_value_map_append(&set->arena, ret, k, strlen(k));
			if (slot)
				*slot = tmp;
			else if (tmp.type != PROTO_V_NIL && !*err)
				*err = MAILLE_ENOMEM;
		}
		return true;
	}
	default:
		return true; /* null */
	}
}

/* The records of a JSON document: a list, one record, or a list under a usual key. */
static const proto_value *ar_json_records(const proto_value *root, bool *ret_one)
{
	static const char *const keys[] = { "data",       "results",    "records", "items",
		                            "algoritmes", "algorithms", NULL };
	*ret_one = false;
	if (root->type == PROTO_V_ARRAY)
		return root;
	if (root->type != PROTO_V_MAP)
		return NULL;
	for (const char *const *k = keys; *k; k++) {
		const proto_value *v = proto_map_get(root, *k);
		if (v && v->type == PROTO_V_ARRAY)
			return v;
	}
	*ret_one = true;
	return root;
}

/* Whether a map looks like a record of the standard: a name, or two known attributes. */
static bool ar_is_record(const proto_value *rec)
{
	if (rec->type != PROTO_V_MAP)
		return false;
	if (proto_map_get(rec, "name"))
		return true;
	size_t known = 0;
	for (size_t i = 0; i < rec->u.map.n && known < 2; i++)
		known += ar_attr_find(rec->u.map.items[i].key) != NULL;
	return known >= 2;
}

static int ar_read_json(ar *c, size_t skip)
{
	json_error_t je;
	json_t *j = json_loadb((const char *)c->src->buf + skip, c->src->len - skip,
	                       JSON_REJECT_DUPLICATES, &je);
	/* jansson quotes the token it stopped at: its control characters made visible, and its
	 * text cut where a UTF-8 sequence would be broken */
	for (char *p = je.text; !j && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	if (!j && !proto_utf8_valid((const uint8_t *)je.text, strlen(je.text)))
		snprintf(je.text, sizeof je.text, "%s", "invalid token");
	if (!j)
		return import_file_fail(c->set, c->src, MAILLE_EPROTO,
		                        je.line > 0 ? (unsigned)je.line : 0,
		                        je.column > 0 ? (unsigned)je.column : 0, "",
		                        "JSON illisible : %s", "unreadable JSON: %s", je.text);
	proto_value root;
	int err = 0;
	bool ok = ar_json_value(c->set, j, &root, 0, &err);
	json_decref(j);
	if (!ok)
		return import_file_fail(c->set, c->src, MAILLE_ETOOBIG, 0, 0, "",
		                        "JSON imbriqué sur plus de %u niveaux",
		                        "JSON nested more than %u levels deep", IMPORT_DEPTH_MAX);
	if (err)
		return err;
	bool one;
	const proto_value *recs = ar_json_records(&root, &one);
	size_t n = !recs ? 0 : one ? 1 : recs->u.arr.n;
	size_t found = 0;
	for (size_t i = 0; i < n; i++)
		found += ar_is_record(one ? recs : &recs->u.arr.items[i]);
	if (!found)
		return import_file_fail(
		    c->set, c->src, MAILLE_EPROTO, 0, 0, "",
		    "ce fichier n'est pas un registre d'algorithmes : aucune fiche "
		    "n'a de nom (name) ni d'attributs du standard",
		    "this file is not an algorithm register: no record has a name "
		    "or attributes of the standard");
	for (size_t i = 0; i < n; i++) {
		const proto_value *rec = one ? recs : &recs->u.arr.items[i];
		char where[48];
		snprintf(where, sizeof where, "fiche n°%zu", i + 1);
		if (!ar_is_record(rec)) {
			if (rec->type == PROTO_V_MAP && rec->u.map.n == 0)
				continue;
			return import_file_fail(
			    c->set, c->src, MAILLE_EPROTO, 0, 0, "",
			    "la fiche n°%zu n'est pas une fiche du registre (ni nom "
			    "ni attributs du standard)",
			    "record #%zu is not a register record (neither a name nor "
			    "attributes of the standard)",
			    i + 1);
		}
		int r = ar_record(c, rec, where);
		if (r)
			return r;
	}
	return 0;
}

/* ---- CSV ----------------------------------------------------------------------------------- */

/* The attribute a header names (an id, or an English or Dutch name), or NULL. */
static const ar_attr *ar_header(const char *s, size_t len)
{
	for (const ar_attr *a = ar_attrs; a->attr; a++) {
		if (strlen(a->attr) == len && memcmp(a->attr, s, len) == 0)
			return a;
		for (size_t k = 0; a->names[k]; k++)
			if (import_same_words(s, len, a->names[k], strlen(a->names[k])))
				return a;
	}
	for (const ar_attr *a = ar_attrs; a->attr; a++)
		if (import_same_words(s, len, a->attr, strlen(a->attr)))
			return a;
	return NULL;
}

/* Whether row repeats the header: most of its cells are their column's header. */
static bool ar_header_again(const csvr_table *t, size_t row)
{
	size_t same = 0, filled = 0;
	for (size_t col = 0; col < t->n_cols; col++) {
		const csvr_cell *h = csvr_at(t, 0, col), *x = csvr_at(t, row, col);
		if (!x->len)
			continue;
		filled++;
		same += x->len == h->len && memcmp(x->s, h->s, x->len) == 0;
	}
	return filled > 0 && 2 * same > filled;
}

static int ar_read_csv(ar *c)
{
	csvr_table t;
	csvr_error ce;
	memset(&ce, 0, sizeof ce);
	int r = csvr_read(&c->set->arena, c->src->buf, c->src->len, 0, &t, &ce);
	if (r)
		return import_file_fail(c->set, c->src, r, ce.line, 0, "", "%s%.0s", "%.0s%s",
		                        ce.fr, ce.en);
	const ar_attr **cols = proto_arena_alloc(&c->set->arena, (t.n_cols + 1) * sizeof *cols);
	if (!cols)
		return MAILLE_ENOMEM;
	size_t known = 0;
	for (size_t col = 0; col < t.n_cols; col++) {
		const csvr_cell *h = csvr_at(&t, 0, col);
		cols[col] = ar_header(h->s, h->len);
		known += cols[col] != NULL;
	}
	if (known < 2)
		return import_file_fail(
		    c->set, c->src, MAILLE_EPROTO, 1, 0, "",
		    "ce fichier n'est pas un registre d'algorithmes : ses en-têtes "
		    "ne sont pas les attributs du standard",
		    "this file is not an algorithm register: its headers are not the "
		    "attributes of the standard");
	unsigned repeated = 0;
	for (size_t row = 1; row < t.n_rows; row++) {
		if (ar_header_again(&t, row)) {
			repeated = t.lines[row];
			continue;
		}
		proto_value *rec = proto_value_new(&c->set->arena, PROTO_V_MAP);
		if (!rec)
			return MAILLE_ENOMEM;
		for (size_t col = 0; col < t.n_cols; col++) {
			const csvr_cell *x = csvr_at(&t, row, col), *h = csvr_at(&t, 0, col);
			const char *key = cols[col] ? cols[col]->attr : h->s;
			if (!x->len || !key[0] || proto_map_get(rec, key))
				continue;
			proto_value *slot =
			    proto_value_map_put(&c->set->arena, rec, key, strlen(key));
			proto_value *v =
			    slot ? proto_value_new_str(&c->set->arena, x->s, x->len) : NULL;
			if (!v)
				return MAILLE_ENOMEM;
			*slot = *v;
		}
		if (rec->u.map.n == 0)
			continue;
		char where[32];
		snprintf(where, sizeof where, "ligne %u", t.lines[row]);
		if ((r = ar_record(c, rec, where)))
			return r;
		if (repeated && (r = import_issue_add(
		                     c->set, c->d, IMPORT_NOTE, "",
		                     "la ligne %u répète la ligne d'en-têtes : laissée de côté",
		                     "line %u repeats the header row: left out", repeated)))
			return r;
		repeated = 0;
	}
	if (repeated && c->set->n && c->d &&
	    (r = import_issue_add(c->set, c->d, IMPORT_NOTE, "",
	                          "la ligne %u répète la ligne d'en-têtes : laissée de côté",
	                          "line %u repeats the header row: left out", repeated)))
		return r;
	if (!c->d)
		return import_file_fail(c->set, c->src, MAILLE_EPROTO, 0, 0, "",
		                        "le fichier n'a aucune fiche sous ses en-têtes",
		                        "the file has no record under its headers");
	return 0;
}

int import_read_algorithm_register(import_set *set, const import_src *src)
{
	if (src->len > IMPORT_FILE_MAX)
		return import_file_fail(set, src, MAILLE_ETOOBIG, 0, 0, "",
		                        "le fichier dépasse %u octets",
		                        "the file is larger than %u bytes", IMPORT_FILE_MAX);
	ar c = { set, src, NULL, "nl", "0.3.1" };
	size_t i = src->len >= 3 && memcmp(src->buf, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	while (i < src->len && (src->buf[i] == ' ' || src->buf[i] == '\n' || src->buf[i] == '\r' ||
	                        src->buf[i] == '\t'))
		i++;
	if (i < src->len && (src->buf[i] == '[' || src->buf[i] == '{')) {
		if (!proto_utf8_valid(src->buf, src->len))
			return import_file_fail(set, src, MAILLE_EUTF8, 0, 0, "",
			                        "le fichier n'est pas en UTF-8 valide",
			                        "the file is not valid UTF-8");
		return ar_read_json(&c, src->buf[0] == 0xef ? 3 : 0);
	}
	return ar_read_csv(&c);
}
