/* node/formats/export_algorithm_register.c: use cases as an algorithm register of the
 * Eurocities / Dutch standard 0.3.1 (Algorithmic Transparency Standard, the attributes of
 * _data/schema-v0_3_1.yaml in the Algoritmeregister/standard repository), in CSV or JSON
 * (export.h), so that `maille import algorithm-register` reads the file back field for field.
 *
 * The mapping is the inverse of import_algorithm_register.c's for 0.3.1: each attribute from
 * the field it is read into, in the standard's order; an attribute Maille has no field for comes
 * from extensions.algorithm-register, where the import keeps it, else is left out. Two are
 * filled from what Maille knows of the record when the import kept nothing: `organization`
 * (the record's territory) and `last_change_date` (the version's day, UTC). Fields without an
 * attribute (themes, automation level, hosting...) are not written: nothing is invented.
 * Lists the standard holds as one text come back as one: several legal bases, risks or data
 * sources are joined, one a line (a risk's description only: the register has no name nor
 * mitigation), keywords by ", " (a keyword holding ',' or ';' comes back split); the impact
 * assessments fill DPIA_description, DPIA_url, AIA_description, AIA_url in turn (an address
 * into the next _url, a text into the next _description, the rest joined to the last).
 *
 * Language: a register is written in one (`lang`, ISO 639-1): French when the record's title
 * has it, else the record's `lang`; each text in it, else in the text's other language.
 *
 * CSV: the attribute ids as headers, the conventions of inventaire-csv (UTF-8 with its mark,
 * ';', CRLF rows, export_csv_cell's quoting), which the importer's CSV reader takes. JSON: a
 * list of records, each written by jansson on its own as the records pass (never the whole
 * document in memory), attributes without a value left out. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "node/service/json.h"
#include "proto/error.h"

#define AR_EXT_KEY "algorithm-register" /* the import's key under extensions */

typedef enum arx_kind {
	ARX_TEXT,     /* the text of field in the register's language */
	ARX_CONTACT,  /* the first public contact: its address, or (field "name") its name */
	ARX_ORG,      /* kept, else the territory's name */
	ARX_DOMAIN,   /* the first keyword when it is one of the standard's domains */
	ARX_KEYWORDS, /* the other keywords */
	ARX_LINK,     /* the first link of rel field */
	ARX_ENUM,     /* field's value in the standard's words */
	ARX_RISKS,    /* the risks' descriptions */
	ARX_LIST,     /* the items of field, one a line */
	ARX_SOURCES,  /* the data sources' names */
	ARX_IMPACT,   /* an impact assessment's slot (field: "description" or "url", n: which) */
	ARX_LANG,     /* the register's language */
	ARX_VERSION,  /* "0.3.1" */
	ARX_CHANGED,  /* kept, else the version's day */
	ARX_EXT,      /* kept under extensions only */
} arx_kind;

typedef struct arx_attr {
	const char *attr;
	arx_kind kind;
	const char *field;
	unsigned n;
	const char *const *values; /* an enumeration's: a value kept that is not one is left out */
} arx_attr;

/* The use's type of 0.3.1 (1.0's `type`, a yes or no, is another attribute's). */
static const char *const arx_use_types[] = { "descriptive", "diagnostic", "predictive",
	                                     "prescriptive", NULL };

/* The 48 attributes of 0.3.1 in the standard's order. */
/* clang-format off */
static const arx_attr arx_attrs[] = {
	{ "name", ARX_TEXT, PROTO_F_TITLE, 0, NULL },
	{ "description_short", ARX_TEXT, PROTO_F_SUMMARY, 0, NULL },
	{ "organization", ARX_ORG, NULL, 0, NULL },
	{ "department", ARX_TEXT, "department", 0, NULL },
	{ "contact_email", ARX_CONTACT, PROTO_F_EMAIL, 0, NULL },
	{ "contact_phone", ARX_EXT, NULL, 0, NULL },
	{ "contact_name", ARX_CONTACT, "name", 0, NULL },
	{ "area", ARX_EXT, NULL, 0, NULL },
	{ "domain", ARX_DOMAIN, NULL, 0, NULL },
	{ "website", ARX_LINK, "website", 0, NULL },
	{ "status", ARX_ENUM, PROTO_F_STATUS, 0, NULL },
	{ "remark", ARX_EXT, NULL, 0, NULL },
	{ "decision_making_process", ARX_TEXT, "decision_process", 0, NULL },
	{ "goal", ARX_TEXT, "purpose", 0, NULL },
	{ "impact", ARX_EXT, NULL, 0, NULL },
	{ "risks", ARX_RISKS, NULL, 0, NULL },
	{ "risk_category", ARX_ENUM, "risk_category", 0, NULL },
	{ "proportionality", ARX_EXT, NULL, 0, NULL },
	{ "lawful_basis", ARX_LIST, "legal_basis", 0, NULL },
	{ "documentation", ARX_LINK, "documentation", 0, NULL },
	{ "training_data", ARX_EXT, NULL, 0, NULL },
	{ "source_data", ARX_SOURCES, NULL, 0, NULL },
	{ "data_bias", ARX_EXT, NULL, 0, NULL },
	{ "connected_data_sources", ARX_EXT, NULL, 0, NULL },
	{ "DPIA_description", ARX_IMPACT, "description", 0, NULL },
	{ "DPIA_url", ARX_IMPACT, "url", 0, NULL },
	{ "algorithm_type", ARX_ENUM, "algorithm_type", 0, NULL },
	{ "description", ARX_TEXT, PROTO_F_DESCRIPTION, 0, NULL },
	{ "methods_and_models", ARX_TEXT, "model_description", 0, NULL },
	{ "performance", ARX_EXT, NULL, 0, NULL },
	{ "alternatives_considered", ARX_TEXT, "alternatives_considered", 0, NULL },
	{ "product_information", ARX_LINK, "central-register", 0, NULL },
	{ "codebase_url", ARX_LINK, "source-code", 0, NULL },
	{ "product_page", ARX_LINK, "product-page", 0, NULL },
	{ "AIA_description", ARX_IMPACT, "description", 1, NULL },
	{ "AIA_url", ARX_IMPACT, "url", 1, NULL },
	{ "monitoring", ARX_TEXT, "monitoring", 0, NULL },
	{ "type", ARX_EXT, NULL, 0, arx_use_types },
	{ "human_intervention", ARX_TEXT, "human_oversight", 0, NULL },
	{ "objection_procedure", ARX_TEXT, "recourse", 0, NULL },
	{ "rollback", ARX_TEXT, "rollback", 0, NULL },
	{ "standard_version", ARX_VERSION, NULL, 0, NULL },
	{ "uuid", ARX_EXT, NULL, 0, NULL },
	{ "lang", ARX_LANG, NULL, 0, NULL },
	{ "publication_date", ARX_EXT, NULL, 0, NULL },
	{ "last_change_date", ARX_CHANGED, NULL, 0, NULL },
	{ "revision_date", ARX_EXT, NULL, 0, NULL },
	{ "revision_note", ARX_EXT, NULL, 0, NULL },
	{ "keywords", ARX_KEYWORDS, "keywords", 0, NULL },
};
#define ARX_N (sizeof arx_attrs / sizeof arx_attrs[0])

/* Maille's values in the standard's English words (the importer's synonyms read them back);
 * a value without one (generative_ai) is left out. */
static const char *const arx_values[][3] = {
	{ PROTO_F_STATUS, "idea", "planned" },
	{ PROTO_F_STATUS, "design", "design" },
	{ PROTO_F_STATUS, "development", "development" },
	{ PROTO_F_STATUS, "pilot", "pilot" },
	{ PROTO_F_STATUS, "evaluation", "evaluation" },
	{ PROTO_F_STATUS, "production", "operational" },
	{ PROTO_F_STATUS, "retired", "retired" },
	{ "risk_category", "minimal", "minimal risk" },
	{ "risk_category", "limited", "limited risk" },
	{ "risk_category", "high", "high risk" },
	{ "risk_category", "unacceptable", "unacceptable" },
	{ "algorithm_type", "rule_based", "rule-based" },
	{ "algorithm_type", "machine_learning", "self-learning" },
	{ "algorithm_type", "hybrid", "hybrid" },
};

/* The domains of 0.3.1 (English). */
static const char *const arx_domains[] = {
	"taxes", "housing, living and living environment", "culture, sports and leisure",
	"defence", "economy and entrepreneurship", "family, youth and households", "finance",
	"generic", "health and health care", "immigration and integration",
	"international collaboration and development aid", "agriculture, nature and food",
	"environment, spacial planning and water", "education and science", "public safety",
	"government", "justice", "travel, living and working abroad",
	"subsidies, benefits and allowances", "traffic and transportation", "work and career",
};
/* clang-format on */

/* One attribute's value: a text, or a value kept under extensions as it was read. */
typedef struct arx_val {
	const char *s;
	const proto_value *v;
} arx_val;

typedef struct arx_run {
	const export_set *s;
	export_sink *o;
	bool json, first; /* first: no JSON record written yet */
	bool count;       /* records counted in this file (the first of a folder's two) */
} arx_run;

/* One record being written. */
typedef struct arx_rec {
	arx_run *run;
	const export_record *r;
	const proto_value *body;
	proto_arena *a;
	const char *lang;
	const char *impact[2][2]; /* [n][0: description, 1: url] */
	arx_val vals[ARX_N];
	int err;
} arx_rec;

/* The register's language: French when the title has it, else the record's `lang` (its
 * primary tag), else the title's first. */
static const char *arx_lang(proto_arena *a, const proto_value *body)
{
	const proto_value *t = proto_map_get(body, PROTO_F_TITLE);
	if (t && t->type == PROTO_V_MAP && proto_map_get(t, "fr"))
		return "fr";
	const proto_value *l = proto_map_get(body, PROTO_F_LANG);
	const char *tag = l && l->type == PROTO_V_STR                 ? l->u.str.ptr
	                  : t && t->type == PROTO_V_MAP && t->u.map.n ? t->u.map.items[0].key
	                                                              : "fr";
	size_t n = strcspn(tag, "-_");
	return n ? proto_arena_strndup(a, tag, n) : "fr";
}

static const char *arx_join(arx_rec *c, const proto_value *list, const char *member,
                            const char *sep);

/* A text value in lang: a string, a language map's lang (else another), a list's texts one a
 * line; NULL when none. */
static const char *arx_text(arx_rec *c, const proto_value *v)
{
	if (v && v->type == PROTO_V_STR)
		return v->u.str.len ? v->u.str.ptr : NULL;
	if (v && v->type == PROTO_V_MAP)
		return proto_langmap_pick(v, c->lang);
	return v && v->type == PROTO_V_ARRAY ? arx_join(c, v, NULL, "\n") : NULL;
}

/* The texts of member of list's items (member NULL: the items themselves) joined by sep into
 * c's arena, or NULL. */
static const char *arx_join(arx_rec *c, const proto_value *list, const char *member,
                            const char *sep)
{
	if (!list || list->type != PROTO_V_ARRAY)
		return member ? NULL : arx_text(c, list);
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	if (!f) {
		c->err = MAILLE_ENOMEM;
		return NULL;
	}
	bool any = false;
	for (size_t i = 0; i < list->u.arr.n; i++) {
		const proto_value *it = &list->u.arr.items[i];
		const char *t = arx_text(c, member ? proto_map_get(it, member) : it);
		if (!t)
			continue;
		fprintf(f, "%s%s", any ? sep : "", t);
		any = true;
	}
	const char *s = NULL;
	if (fclose(f) != 0)
		c->err = MAILLE_ENOMEM;
	else if (any && !(s = proto_arena_strndup(c->a, out, len)))
		c->err = MAILLE_ENOMEM;
	free(out);
	return s;
}

/* The first public contact with an address (a contact not public is never exported). */
static const proto_value *arx_contact(const proto_value *body)
{
	const proto_value *v = proto_map_get(body, PROTO_F_CONTACTS);
	for (size_t i = 0; v && v->type == PROTO_V_ARRAY && i < v->u.arr.n; i++) {
		const proto_value *ct = &v->u.arr.items[i];
		const proto_value *pub = proto_map_get(ct, PROTO_F_PUBLIC);
		const proto_value *mail = proto_map_get(ct, PROTO_F_EMAIL);
		if (mail && mail->type == PROTO_V_STR && pub && pub->type == PROTO_V_BOOL &&
		    pub->u.b)
			return ct;
	}
	return NULL;
}

static const char *arx_link(const proto_value *body, const char *rel)
{
	const proto_value *v = proto_map_get(body, "links");
	for (size_t i = 0; v && v->type == PROTO_V_ARRAY && i < v->u.arr.n; i++) {
		const proto_value *r = proto_map_get(&v->u.arr.items[i], "rel");
		const proto_value *h = proto_map_get(&v->u.arr.items[i], "href");
		if (r && r->type == PROTO_V_STR && strcmp(r->u.str.ptr, rel) == 0 && h &&
		    h->type == PROTO_V_STR)
			return h->u.str.ptr;
	}
	return NULL;
}

static const char *arx_enum(const proto_value *body, const char *field)
{
	const proto_value *v = proto_map_get(body, field);
	for (size_t i = 0;
	     v && v->type == PROTO_V_STR && i < sizeof arx_values / sizeof arx_values[0]; i++)
		if (strcmp(arx_values[i][0], field) == 0 &&
		    strcmp(arx_values[i][1], v->u.str.ptr) == 0)
			return arx_values[i][2];
	return NULL;
}

/* The first keyword when it is a domain of the standard (written first, it is read back
 * first), else NULL. */
static const char *arx_domain(const proto_value *body)
{
	const proto_value *v = proto_map_get(body, "keywords");
	const proto_value *k = v && v->type == PROTO_V_ARRAY && v->u.arr.n ? &v->u.arr.items[0] : v;
	for (size_t i = 0;
	     k && k->type == PROTO_V_STR && i < sizeof arx_domains / sizeof arx_domains[0]; i++)
		if (strcmp(k->u.str.ptr, arx_domains[i]) == 0)
			return k->u.str.ptr;
	return NULL;
}

static bool arx_is_url(const char *s)
{
	return (strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0) &&
	       !s[strcspn(s, " \t\n")];
}

/* The impact assessments into the slots DPIA_description, DPIA_url, AIA_description, AIA_url
 * in turn; what is left joined to the last text. */
static void arx_impacts(arx_rec *c)
{
	const proto_value *v = proto_map_get(c->body, "impact_assessments");
	if (!v || v->type != PROTO_V_ARRAY) {
		c->impact[0][0] = arx_text(c, v);
		return;
	}
	unsigned used[2] = { 0, 0 };
	const char **last = NULL;
	for (size_t i = 0; i < v->u.arr.n && !c->err; i++) {
		const char *t = arx_text(c, &v->u.arr.items[i]);
		if (!t)
			continue;
		unsigned k = arx_is_url(t) ? 1 : 0;
		if (used[k] < 2) {
			c->impact[used[k]++][k] = t;
			if (!k)
				last = &c->impact[used[k] - 1][0];
			continue;
		}
		if (!last)
			last = &c->impact[1][0];
		size_t n = (*last ? strlen(*last) + 2 : 0) + strlen(t) + 1;
		char *j = proto_arena_alloc(c->a, n);
		if (!j) {
			c->err = MAILLE_ENOMEM;
			return;
		}
		snprintf(j, n, "%s%s%s", *last ? *last : "", *last ? "\n\n" : "", t);
		*last = j;
	}
}

/* The keywords but a domain's. */
static const char *arx_keywords(arx_rec *c)
{
	const proto_value *v = proto_map_get(c->body, "keywords");
	if (!arx_domain(c->body) || !v || v->type != PROTO_V_ARRAY)
		return arx_domain(c->body) ? NULL : arx_join(c, v, NULL, ", ");
	proto_value rest = *v;
	rest.u.arr.items++;
	rest.u.arr.n--;
	return arx_join(c, &rest, NULL, ", ");
}

/* The value of attribute a for c's record (none: both NULL). */
static arx_val arx_value(arx_rec *c, const arx_attr *a)
{
	arx_val out = { NULL, NULL };
	const proto_value *body = c->body;
	switch (a->kind) {
	case ARX_TEXT:
		out.s = arx_text(c, proto_map_get(body, a->field));
		break;
	case ARX_CONTACT: {
		const proto_value *ct = arx_contact(body);
		out.s = ct ? arx_text(c, proto_map_get(ct, a->field)) : NULL;
		break;
	}
	case ARX_DOMAIN:
		out.s = arx_domain(body);
		break;
	case ARX_KEYWORDS:
		out.s = arx_keywords(c);
		break;
	case ARX_LINK:
		out.s = arx_link(body, a->field);
		break;
	case ARX_ENUM:
		out.s = arx_enum(body, a->field);
		break;
	case ARX_RISKS:
		out.s = arx_join(c, proto_map_get(body, "risks"), PROTO_F_DESCRIPTION, "\n\n");
		break;
	case ARX_LIST:
		out.s = arx_join(c, proto_map_get(body, a->field), NULL, "\n");
		break;
	case ARX_SOURCES:
		out.s = arx_join(c, proto_map_get(body, "data_sources"), "name", "\n");
		break;
	case ARX_IMPACT:
		out.s = c->impact[a->n][strcmp(a->field, "url") == 0];
		break;
	case ARX_LANG:
		out.s = c->lang;
		break;
	case ARX_VERSION:
		out.s = "0.3.1";
		break;
	case ARX_ORG:
	case ARX_CHANGED:
	case ARX_EXT:
		break;
	}
	if (out.s || a->kind == ARX_VERSION || a->kind == ARX_LANG)
		return out;
	/* what the import kept of an attribute Maille has no field for */
	const proto_value *ext = proto_map_get(proto_map_get(body, PROTO_F_EXTENSIONS), AR_EXT_KEY);
	out.v = proto_map_get(ext, a->attr);
	if (out.v && out.v->type == PROTO_V_STR)
		out = (arx_val){ out.v->u.str.ptr, NULL };
	for (size_t i = 0; a->values && out.s && a->values[i]; i++)
		if (strcmp(out.s, a->values[i]) == 0)
			return out;
	if (a->values)
		out = (arx_val){ NULL, NULL };
	if (out.s || out.v)
		return out;
	if (a->kind == ARX_ORG) {
		const export_territory *t = export_territory_of(c->run->s, c->r->territory);
		out.s = t ? t->name : NULL;
	} else if (a->kind == ARX_CHANGED) {
		char ts[21];
		export_rfc3339(c->r->timestamp_us, ts);
		out.s = proto_arena_strndup(c->a, ts, 10);
	}
	return out;
}

/* ---- the two flavours ---------------------------------------------------------------------- */

/* A value kept under extensions as a CSV cell's text: a scalar as written, a list or a map as
 * its JSON. */
static int arx_csv_kept(FILE *f, const proto_value *v)
{
	if (v->type == PROTO_V_INT) {
		fprintf(f, "%lld", (long long)v->u.i);
		return 0;
	}
	if (v->type == PROTO_V_BOOL) {
		fputs(v->u.b ? "true" : "false", f);
		return 0;
	}
	json_t *j = node_value_json(v);
	char *text = j ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER) : NULL;
	json_decref(j);
	if (!text)
		return MAILLE_ENOMEM;
	export_csv_cell(f, text, strlen(text));
	free(text);
	return 0;
}

static int arx_csv_row(FILE *f, void *ctx)
{
	arx_rec *c = ctx;
	for (size_t i = 0; i < ARX_N; i++) {
		if (i)
			fputc(';', f);
		const arx_val *x = &c->vals[i];
		if (x->s)
			export_csv_cell(f, x->s, strlen(x->s));
		else if (x->v && arx_csv_kept(f, x->v))
			return MAILLE_ENOMEM;
	}
	fputs("\r\n", f);
	return 0;
}

static int arx_json_record(FILE *f, void *ctx)
{
	arx_rec *c = ctx;
	json_t *o = json_object();
	for (size_t i = 0; o && i < ARX_N; i++) {
		const arx_val *x = &c->vals[i];
		json_t *j = x->s ? json_string(x->s) : x->v ? node_value_json(x->v) : NULL;
		if ((x->s || x->v) && (!j || json_object_set_new(o, arx_attrs[i].attr, j) != 0)) {
			json_decref(o);
			o = NULL;
		}
	}
	char *text = o ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	if (!text)
		return MAILLE_ENOMEM;
	fputs(c->run->first ? "" : ",\n", f);
	fputs(text, f);
	free(text);
	c->run->first = false;
	return 0;
}

static int arx_record(void *ctx, const export_record *r, const proto_value *body)
{
	arx_run *run = ctx;
	if (strcmp(r->type, PROTO_T_USE_CASE) != 0)
		return 0;
	proto_arena a;
	proto_arena_init(&a, 0);
	arx_rec c = { .run = run, .r = r, .body = body, .a = &a };
	c.lang = arx_lang(&a, body);
	if (!c.lang)
		c.err = MAILLE_ENOMEM;
	if (!c.err)
		arx_impacts(&c);
	for (size_t i = 0; i < ARX_N && !c.err; i++)
		c.vals[i] = arx_value(&c, &arx_attrs[i]);
	int e = c.err ? c.err : export_print(run->o, run->json ? arx_json_record : arx_csv_row, &c);
	if (!e && run->count)
		run->o->n_records++;
	proto_arena_done(&a);
	return e;
}

/* UTF-8's mark (what Excel needs to read the accents), then the attributes' ids. */
static int arx_csv_head(FILE *f, void *ctx)
{
	(void)ctx;
	fputs("\xef\xbb\xbf", f);
	for (size_t i = 0; i < ARX_N; i++) {
		if (i)
			fputc(';', f);
		export_csv_cell(f, arx_attrs[i].attr, strlen(arx_attrs[i].attr));
	}
	fputs("\r\n", f);
	return 0;
}

static int arx_file(const export_set *s, export_sink *o, bool json, bool count)
{
	arx_run run = { s, o, json, true, count };
	int r = o->begin(o->ctx, json ? "algorithm-register.json" : "algorithm-register.csv");
	if (r)
		return r;
	if (json)
		r = o->write(o->ctx, "[\n", 2);
	else
		r = export_print(o, arx_csv_head, NULL);
	if (!r)
		r = export_each(s, arx_record, &run);
	if (!r && json)
		r = run.first ? o->write(o->ctx, "]\n", 2) : o->write(o->ctx, "\n]\n", 3);
	return export_end(o, r);
}

int export_write_algorithm_register(const export_set *s, export_sink *o, const char *variant)
{
	bool csv = !variant || strcmp(variant, "csv") == 0;
	bool json = !variant || strcmp(variant, "json") == 0;
	/* a folder gets both flavours: the records count once */
	int r = csv ? arx_file(s, o, false, true) : 0;
	if (!r && json)
		r = arx_file(s, o, true, !csv);
	return r;
}
