/* node/formats/import_dcat_jsonld.c: DCAT in JSON into the DCAT reader's graph
 * (dcat_graph.h), on jansson (raptor2 and serd read no JSON-LD):
 *
 * - JSON-LD whose @context is DCAT-AP 3's (SEMIC's context, releases 3.0.0 and 3.0.1) or
 *   DCAT-US 1.1's (Project Open Data's catalog.jsonld), named by its address or given inline
 *   with every definition the same as the built-in one's. Nothing is fetched: the terms are
 *   compiled in below, from those two published files (the terms of DCAT-AP 3's type-scoped
 *   contexts that a catalogue of datasets uses; DCAT-US's prefixes, aliases and @vocab). Any
 *   other context is refused by name.
 * - The DCAT-US JSON some French portals emit (data.json: an object whose `dataset` is a list
 *   of objects with title, description, keyword, distribution...), with no @context: read
 *   with DCAT-US's terms, which it is written in.
 *
 * The expansion is the part of JSON-LD 1.1 those contexts need: terms (type-scoped for
 * DCAT-AP 3), compact IRIs of the context's prefixes, absolute IRIs, @id, @type, @value with
 * @language or @type, @list and @set, @graph, values coerced to IRIs. A key the context does
 * not define is kept as written, for extensions.dcat. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "dcat_graph.h"
#include "proto/error.h"
#include "proto/schema.h"

#define VCARD_NS "http://www.w3.org/2006/vcard/ns#"
#define FOAF_NS "http://xmlns.com/foaf/0.1/"
#define ADMS_NS "http://www.w3.org/ns/adms#"
#define SKOS_NS "http://www.w3.org/2004/02/skos/core#"
#define POD_NS "https://project-open-data.cio.gov/v1.1/schema#"

typedef struct jterm {
	const char *scope; /* the type term whose scoped context defines it; NULL: the context's */
	const char *term;
	const char *iri;
	bool id; /* "@type": "@id": a string value is an IRI */
} jterm;

typedef dcat_prefix jprefix;

typedef struct jctx {
	const char *name;
	const char *const *urls;
	const jterm *terms;
	const jprefix *prefixes;
	const char *vocab; /* NULL if none */
} jctx;

/* DCAT-AP 3.0.0 and 3.0.1, context/dcat-ap.jsonld: the classes, then the properties of the
 * type-scoped contexts of Catalogue, Dataset, Distribution, DataService, Agent, Identifier,
 * Concept, LicenceDocument. */
static const jterm dcatap3_terms[] = {
	{ NULL, "Catalogue", DCAT_NS "Catalog", false },
	{ NULL, "Dataset", DCAT_NS "Dataset", false },
	{ NULL, "Distribution", DCAT_NS "Distribution", false },
	{ NULL, "DataService", DCAT_NS "DataService", false },
	{ NULL, "DatasetSeries", DCAT_NS "DatasetSeries", false },
	{ NULL, "Agent", FOAF_NS "Agent", false },
	{ NULL, "Kind", VCARD_NS "Kind", false },
	{ NULL, "Identifier", ADMS_NS "Identifier", false },
	{ NULL, "Concept", SKOS_NS "Concept", false },
	{ NULL, "LicenceDocument", DCT_NS "LicenseDocument", false },
	{ NULL, "Location", DCT_NS "Location", false },
	{ NULL, "PeriodOfTime", DCT_NS "PeriodOfTime", false },
	{ NULL, "MediaType", DCT_NS "MediaType", false },
	{ NULL, "xsd", "http://www.w3.org/2001/XMLSchema#", false },
	{ "Catalogue", "dataset", DCAT_NS "dataset", true },
	{ "Catalogue", "service", DCAT_NS "service", true },
	{ "Catalogue", "title", DCT_NS "title", false },
	{ "Catalogue", "description", DCT_NS "description", false },
	{ "Catalogue", "publisher", DCT_NS "publisher", true },
	{ "Catalogue", "homepage", FOAF_NS "homepage", true },
	{ "Catalogue", "licence", DCT_NS "license", true },
	{ "Catalogue", "language", DCT_NS "language", true },
	{ "Catalogue", "modificationDate", DCT_NS "modified", false },
	{ "Catalogue", "releaseDate", DCT_NS "issued", false },
	{ "Catalogue", "themes", DCAT_NS "themeTaxonomy", true },
	{ "Dataset", "title", DCT_NS "title", false },
	{ "Dataset", "description", DCT_NS "description", false },
	{ "Dataset", "keyword", DCAT_NS "keyword", false },
	{ "Dataset", "theme", DCAT_NS "theme", true },
	{ "Dataset", "landingPage", DCAT_NS "landingPage", true },
	{ "Dataset", "contactPoint", DCAT_NS "contactPoint", true },
	{ "Dataset", "publisher", DCT_NS "publisher", true },
	{ "Dataset", "creator", DCT_NS "creator", true },
	{ "Dataset", "identifier", DCT_NS "identifier", false },
	{ "Dataset", "otherIdentifier", ADMS_NS "identifier", true },
	{ "Dataset", "datasetDistribution", DCAT_NS "distribution", true },
	{ "Dataset", "modificationDate", DCT_NS "modified", false },
	{ "Dataset", "releaseDate", DCT_NS "issued", false },
	{ "Dataset", "language", DCT_NS "language", true },
	{ "Dataset", "accessRights", DCT_NS "accessRights", true },
	{ "Dataset", "conformsTo", DCT_NS "conformsTo", true },
	{ "Dataset", "documentation", FOAF_NS "page", true },
	{ "Dataset", "frequency", DCT_NS "accrualPeriodicity", true },
	{ "Dataset", "geographicalCoverage", DCT_NS "spatial", true },
	{ "Dataset", "temporalCoverage", DCT_NS "temporal", true },
	{ "Dataset", "version", DCAT_NS "version", false },
	{ "Dataset", "type", DCT_NS "type", true },
	{ "Dataset", "provenance", DCT_NS "provenance", true },
	{ "Dataset", "relatedResource", DCT_NS "relation", true },
	{ "Dataset", "source", DCT_NS "source", true },
	{ "Distribution", "accessUrl", DCAT_NS "accessURL", true },
	{ "Distribution", "downloadUrl", DCAT_NS "downloadURL", true },
	{ "Distribution", "accessService", DCAT_NS "accessService", true },
	{ "Distribution", "format", DCT_NS "format", true },
	{ "Distribution", "mediaType", DCAT_NS "mediaType", true },
	{ "Distribution", "licence", DCT_NS "license", true },
	{ "Distribution", "rights", DCT_NS "rights", true },
	{ "Distribution", "title", DCT_NS "title", false },
	{ "Distribution", "description", DCT_NS "description", false },
	{ "Distribution", "modificationDate", DCT_NS "modified", false },
	{ "Distribution", "releaseDate", DCT_NS "issued", false },
	{ "Distribution", "byteSize", DCAT_NS "byteSize", false },
	{ "Distribution", "language", DCT_NS "language", true },
	{ "Distribution", "documentation", FOAF_NS "page", true },
	{ "Distribution", "status", ADMS_NS "status", true },
	{ "DataService", "title", DCT_NS "title", false },
	{ "DataService", "description", DCT_NS "description", false },
	{ "DataService", "endpointUrl", DCAT_NS "endpointURL", true },
	{ "DataService", "endpointDescription", DCAT_NS "endpointDescription", true },
	{ "DataService", "servesDataset", DCAT_NS "servesDataset", true },
	{ "DataService", "licence", DCT_NS "license", true },
	{ "DataService", "accessRights", DCT_NS "accessRights", true },
	{ "DataService", "landingPage", DCAT_NS "landingPage", true },
	{ "DataService", "keyword", DCAT_NS "keyword", false },
	{ "DataService", "theme", DCAT_NS "theme", true },
	{ "DataService", "contactPoint", DCAT_NS "contactPoint", true },
	{ "DataService", "publisher", DCT_NS "publisher", true },
	{ "DataService", "documentation", FOAF_NS "page", true },
	{ "DataService", "conformsTo", DCT_NS "conformsTo", true },
	{ "DataService", "format", DCT_NS "format", true },
	{ "Agent", "name", FOAF_NS "name", false },
	{ "Agent", "type", DCT_NS "type", true },
	{ "Identifier", "notation", SKOS_NS "notation", false },
	{ "Concept", "preferredLabel", SKOS_NS "prefLabel", false },
	{ "LicenceDocument", "type", DCT_NS "type", true },
	{ NULL, NULL, NULL, false },
};

static const jprefix dcatap3_prefixes[] = {
	{ "xsd", "http://www.w3.org/2001/XMLSchema#" },
	{ NULL, NULL },
};

/* DCAT-US 1.1, v1.1/schema/catalog.jsonld: its prefixes, its aliases (the others fall to
 * @vocab, DCAT's namespace). */
static const jprefix dcatus_prefixes[] = {
	{ "dcat", DCAT_NS },
	{ "org", "http://www.w3.org/ns/org#" },
	{ "vcard", VCARD_NS },
	{ "foaf", FOAF_NS },
	{ "dc", DCT_NS },
	{ "pod", POD_NS },
	{ "skos", SKOS_NS },
	{ NULL, NULL },
};

static const jterm dcatus_terms[] = {
	{ NULL, "describedBy", "http://www.w3.org/2007/05/powder#describedby", true },
	{ NULL, "downloadURL", DCAT_NS "downloadURL", true },
	{ NULL, "accessURL", DCAT_NS "accessURL", true },
	{ NULL, "title", DCT_NS "title", false },
	{ NULL, "description", DCT_NS "description", false },
	{ NULL, "issued", DCT_NS "issued", false },
	{ NULL, "modified", DCT_NS "modified", false },
	{ NULL, "language", DCT_NS "language", false },
	{ NULL, "license", DCT_NS "license", false },
	{ NULL, "rights", DCT_NS "rights", false },
	{ NULL, "spatial", DCT_NS "spatial", false },
	{ NULL, "conformsTo", DCT_NS "conformsTo", true },
	{ NULL, "publisher", DCT_NS "publisher", false },
	{ NULL, "identifier", DCT_NS "identifier", false },
	{ NULL, "temporal", DCT_NS "temporal", false },
	{ NULL, "format", DCT_NS "format", false },
	{ NULL, "accrualPeriodicity", DCT_NS "accrualPeriodicity", false },
	{ NULL, "homepage", FOAF_NS "homepage", false },
	{ NULL, "accessLevel", POD_NS "accessLevel", false },
	{ NULL, "bureauCode", POD_NS "bureauCode", false },
	{ NULL, "dataQuality", POD_NS "dataQuality", false },
	{ NULL, "describedByType", POD_NS "describedByType", false },
	{ NULL, "primaryITInvestmentUII", POD_NS "primaryITInvestmentUII", false },
	{ NULL, "programCode", POD_NS "programCode", false },
	{ NULL, "fn", VCARD_NS "fn", false },
	{ NULL, "hasEmail", VCARD_NS "email", false },
	{ NULL, "name", SKOS_NS "prefLabel", false },
	{ NULL, "subOrganizationOf", "http://www.w3.org/ns/org#subOrganizationOf", false },
	{ NULL, NULL, NULL, false },
};

static const char *const dcatap3_urls[] = {
	"https://semiceu.github.io/DCAT-AP/releases/3.0.0/context/dcat-ap.jsonld",
	"https://semiceu.github.io/DCAT-AP/releases/3.0.1/context/dcat-ap.jsonld",
	"http://semiceu.github.io/DCAT-AP/releases/3.0.0/context/dcat-ap.jsonld",
	"http://semiceu.github.io/DCAT-AP/releases/3.0.1/context/dcat-ap.jsonld",
	NULL,
};

static const char *const dcatus_urls[] = {
	"https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld",
	"http://project-open-data.cio.gov/v1.1/schema/catalog.jsonld",
	"https://resources.data.gov/schemas/dcat-us/v1.1/schema/catalog.jsonld",
	NULL,
};

/* Maille's own export (export --format dcat, /catalog.jsonld): an inline context of its
 * prefixes only, every property a compact IRI of them; nothing to fetch. */
static const char *const maille_urls[] = { NULL };
static const jterm maille_terms[] = { { NULL, NULL, NULL, false } };

static const jctx contexts[] = {
	{ "DCAT-AP 3", dcatap3_urls, dcatap3_terms, dcatap3_prefixes, NULL },
	{ "DCAT-US 1.1", dcatus_urls, dcatus_terms, dcatus_prefixes, DCAT_NS },
	{ "Maille", maille_urls, maille_terms, dcat_export_prefixes, NULL },
};

typedef struct jread {
	import_set *set;
	const import_src *src;
	dcat_graph *g;
	const jctx *ctx;
	int err; /* a file error already recorded, or memory */
} jread;

static int fail_depth(jread *j)
{
	return j->err = import_file_fail(j->set, j->src, MAILLE_EPROTO, 0, 0, "",
	                                 "JSON imbriqué sur plus de %u niveaux",
	                                 "JSON nested deeper than %u levels", IMPORT_DEPTH_MAX);
}

/* ---- contexts --------------------------------------------------------------------------- */

/* A compact IRI of c's prefixes expanded into buf; an absolute IRI as is; NULL otherwise. */
static const char *expand_iri(const jctx *c, const char *s, char *buf, size_t cap)
{
	const char *colon = strchr(s, ':');
	if (!colon)
		return NULL;
	if (strncmp(colon, "://", 3) == 0 || strncmp(s, "urn:", 4) == 0 ||
	    strncmp(s, "mailto:", 7) == 0)
		return s;
	for (const jprefix *p = c->prefixes; p->prefix; p++)
		if ((size_t)(colon - s) == strlen(p->prefix) && strncmp(s, p->prefix, strlen(p->prefix)) == 0) {
			int w = snprintf(buf, cap, "%s%s", p->ns, colon + 1);
			return w > 0 && (size_t)w < cap ? buf : NULL;
		}
	return NULL;
}

static const jterm *term_find(const jctx *c, const char *scope, const char *term)
{
	const jterm *global = NULL;
	for (const jterm *t = c->terms; t->term; t++)
		if (strcmp(t->term, term) == 0) {
			if (scope && t->scope && strcmp(scope, t->scope) == 0)
				return t;
			if (!t->scope)
				global = t;
		}
	return global;
}

/* Whether an inline context's definition of key is c's own. */
static bool same_definition(const jctx *c, const char *key, const json_t *v)
{
	char buf[512];
	if (strcmp(key, "@version") == 0 || strcmp(key, "@protected") == 0)
		return true;
	if (strcmp(key, "@vocab") == 0)
		return json_is_string(v) && c->vocab && strcmp(json_string_value(v), c->vocab) == 0;
	for (const jprefix *p = c->prefixes; p->prefix; p++)
		if (strcmp(p->prefix, key) == 0)
			return json_is_string(v) && strcmp(json_string_value(v), p->ns) == 0;
	const char *iri = json_is_string(v) ? json_string_value(v)
	                  : json_is_object(v) && json_is_string(json_object_get(v, "@id"))
	                      ? json_string_value(json_object_get(v, "@id"))
	                      : NULL;
	if (!iri)
		return false;
	const char *full = expand_iri(c, iri, buf, sizeof buf);
	bool coerce = json_is_object(v) && json_is_string(json_object_get(v, "@type")) &&
	              strcmp(json_string_value(json_object_get(v, "@type")), "@id") == 0;
	for (const jterm *t = c->terms; t->term; t++)
		if (strcmp(t->term, key) == 0)
			return full && strcmp(full, t->iri) == 0 &&
			       (!json_is_object(v) || !json_object_get(v, "@type") || coerce == t->id);
	/* a term the context leaves to its @vocab, defined as @vocab would expand it */
	size_t n = c->vocab ? strlen(c->vocab) : 0;
	return n && full && !coerce && strncmp(full, c->vocab, n) == 0 && strcmp(full + n, key) == 0;
}

/* The context a @context value names (a string, an inline object, a list of them), or NULL
 * with what is not known in ret: the address, or the first term of an inline context that
 * neither built-in context defines so (*ret_inline set). */
static const jctx *context_of(const json_t *v, const jctx *want, char *ret, size_t cap,
                              bool *ret_inline)
{
	char scratch[8];
	bool in;
	if (!ret) {
		ret = scratch;
		cap = sizeof scratch;
	}
	if (!ret_inline)
		ret_inline = &in;
	*ret_inline = false;
	if (json_is_array(v)) {
		const jctx *c = want;
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e) {
			c = context_of(e, c, ret, cap, ret_inline);
			if (!c)
				return NULL;
		}
		if (!c)
			snprintf(ret, cap, "[]");
		return c;
	}
	for (size_t k = 0; k < sizeof contexts / sizeof contexts[0]; k++) {
		const jctx *c = &contexts[k];
		if (want && want != c)
			continue;
		if (json_is_string(v)) {
			for (const char *const *u = c->urls; *u; u++)
				if (strcmp(json_string_value(v), *u) == 0)
					return c;
			continue;
		}
		if (!json_is_object(v))
			continue;
		const char *key;
		json_t *d;
		bool all = true;
		json_object_foreach((json_t *)v, key, d) {
			if (!same_definition(c, key, d)) {
				all = false;
				break;
			}
		}
		if (all)
			return c;
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		proto_schema_quote(ret, cap, s, strlen(s));
	} else if (json_is_object(v)) {
		/* the first definition neither context has */
		const char *key, *bad = "";
		json_t *d;
		json_object_foreach((json_t *)v, key, d) {
			bool known = false;
			for (size_t k = 0; k < sizeof contexts / sizeof contexts[0] && !known; k++)
				known = same_definition(&contexts[k], key, d);
			if (!known) {
				bad = key;
				break;
			}
		}
		proto_schema_quote(ret, cap, bad, strlen(bad));
		*ret_inline = true;
	} else {
		snprintf(ret, cap, "%s", json_is_null(v) ? "null" : "?");
	}
	return NULL;
}

static int unknown_context(import_set *set, const import_src *src, const json_t *ctx)
{
	char what[200];
	bool in = false;
	context_of(ctx, NULL, what, sizeof what, &in);
	if (in)
		return import_file_fail(set, src, MAILLE_EPROTO, 0, 0, "@context",
		                        "contexte JSON-LD inconnu : contexte en ligne, terme « %s »",
		                        "unknown JSON-LD context: inline context, term \"%s\"", what);
	return import_file_fail(set, src, MAILLE_EPROTO, 0, 0, "@context",
	                        "contexte JSON-LD inconnu : %s", "unknown JSON-LD context: %s", what);
}

/* ---- expansion -------------------------------------------------------------------------- */

static int node_of(jread *j, const json_t *o, unsigned depth, uint32_t *ret);

static int add(jread *j, uint32_t s, const char *p, const char *key, const dcat_obj *o)
{
	int r = dcat_graph_add(j->g, s, p, key, o);
	if (r == MAILLE_ETOOBIG)
		return j->err = import_file_fail(j->set, j->src, r, 0, 0, "", "plus de %u triplets RDF",
		                                 "over %u RDF triples", DCAT_TRIPLES_MAX);
	return j->err = r;
}

static int iri_node(jread *j, const char *s, uint32_t *ret)
{
	char buf[1024];
	const char *full = expand_iri(j->ctx, s, buf, sizeof buf);
	if (!full) {
		/* a relative IRI, resolved against the base as the RDF readers do */
		int w = snprintf(buf, sizeof buf, "%s%s", DCAT_BASE, s);
		full = w > 0 && (size_t)w < sizeof buf ? buf : s;
	}
	return j->err = dcat_graph_node(j->g, DCAT_IRI, full, strlen(full), ret);
}

/* One value of s's key (p, id-coerced or not) as triples. */
static int value(jread *j, uint32_t s, const char *p, const char *key, bool id, const json_t *v,
                 unsigned depth)
{
	if (depth > IMPORT_DEPTH_MAX)
		return fail_depth(j);
	dcat_obj o = { .kind = DCAT_LITERAL };
	char num[48];
	switch (json_typeof(v)) {
	case JSON_NULL:
		return 0;
	case JSON_ARRAY: {
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e) {
			if (value(j, s, p, key, id, e, depth + 1))
				return j->err;
		}
		return 0;
	}
	case JSON_STRING:
		if (id) {
			o.kind = DCAT_IRI;
			if (iri_node(j, json_string_value(v), &o.node))
				return j->err;
		} else {
			o.s = json_string_value(v);
			o.len = json_string_length(v);
		}
		break;
	case JSON_INTEGER:
		o.len = (size_t)snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		o.s = num;
		o.dt = "http://www.w3.org/2001/XMLSchema#integer";
		break;
	case JSON_REAL:
		o.len = (size_t)snprintf(num, sizeof num, "%.17g", json_real_value(v));
		o.s = num;
		o.dt = "http://www.w3.org/2001/XMLSchema#double";
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		o.s = json_is_true(v) ? "true" : "false";
		o.len = strlen(o.s);
		o.dt = "http://www.w3.org/2001/XMLSchema#boolean";
		break;
	case JSON_OBJECT: {
		const json_t *val = json_object_get(v, "@value");
		const json_t *list = json_object_get(v, "@list");
		if (!list)
			list = json_object_get(v, "@set");
		if (list)
			return value(j, s, p, key, id, list, depth + 1);
		if (val) {
			const json_t *lang = json_object_get(v, "@language");
			const json_t *type = json_object_get(v, "@type");
			if (!json_is_string(val))
				return value(j, s, p, key, false, val, depth + 1);
			o.s = json_string_value(val);
			o.len = json_string_length(val);
			o.lang = json_is_string(lang) ? json_string_value(lang) : NULL;
			o.dt = json_is_string(type) ? json_string_value(type) : NULL;
			break;
		}
		if (node_of(j, v, depth + 1, &o.node))
			return j->err;
		o.kind = j->g->nodes[o.node].kind;
		break;
	}
	}
	return add(j, s, p, key, &o);
}

/* A node object's subject (its @id, else a blank node) and its triples. */
static int node_of(jread *j, const json_t *o, unsigned depth, uint32_t *ret)
{
	if (depth > IMPORT_DEPTH_MAX)
		return fail_depth(j);
	const json_t *ctx = json_object_get(o, "@context");
	if (ctx && !context_of(ctx, j->ctx, NULL, 0, NULL))
		return j->err = unknown_context(j->set, j->src, ctx);
	const json_t *id = json_object_get(o, "@id");
	uint32_t s;
	if (json_is_string(id) ? iri_node(j, json_string_value(id), &s) : (j->err = dcat_graph_blank(j->g, &s)))
		return j->err;
	/* the type term that scopes the keys (DCAT-AP 3), and rdf:type */
	const json_t *types = json_object_get(o, "@type");
	const char *scope = NULL;
	json_t *one = json_is_array(types) ? json_array_get(types, 0) : (json_t *)types;
	for (size_t i = 0; one && json_is_string(one);
	     one = json_is_array(types) ? json_array_get(types, ++i) : NULL) {
		const char *tn = json_string_value(one);
		const jterm *t = term_find(j->ctx, NULL, tn);
		if (t && !scope)
			scope = t->term;
		dcat_obj ty = { .kind = DCAT_IRI };
		char buf[1024];
		const char *full = t ? t->iri : expand_iri(j->ctx, tn, buf, sizeof buf);
		if (!full && j->ctx->vocab) {
			snprintf(buf, sizeof buf, "%s%s", j->ctx->vocab, tn);
			full = buf;
		}
		if ((j->err = dcat_graph_node(j->g, DCAT_IRI, full ? full : tn, strlen(full ? full : tn),
		                              &ty.node)) ||
		    add(j, s, RDF_TYPE, "@type", &ty))
			return j->err;
	}
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)o, key, v) {
		/* the keywords read above; another (@reverse, @included...) is kept as written */
		if (strcmp(key, "@id") == 0 || strcmp(key, "@type") == 0 ||
		    strcmp(key, "@context") == 0 || (depth == 1 && strcmp(key, "@graph") == 0))
			continue;
		const jterm *t = term_find(j->ctx, scope, key);
		char buf[1024];
		const char *p = t ? t->iri : expand_iri(j->ctx, key, buf, sizeof buf);
		if (!p && j->ctx->vocab) {
			snprintf(buf, sizeof buf, "%s%s", j->ctx->vocab, key);
			p = buf;
		}
		char pk[1024];
		snprintf(pk, sizeof pk, "%s", p ? p : key);
		if (value(j, s, pk, key, t && t->id, v, depth + 1))
			return j->err;
	}
	*ret = s;
	return 0;
}

int dcat_read_json(import_set *set, const import_src *src, const uint8_t *buf, size_t len,
                   dcat_graph *g)
{
	json_error_t e;
	json_t *root = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &e);
	if (!root) {
		char q[200];
		proto_schema_quote(q, sizeof q, e.text, strlen(e.text));
		return import_file_fail(set, src, MAILLE_EPROTO, e.line > 0 ? (unsigned)e.line : 0,
		                        e.column > 0 ? (unsigned)e.column : 0, "",
		                        "JSON illisible : %s", "unreadable JSON: %s", q);
	}
	jread j = { set, src, g, NULL, 0 };
	const json_t *top = json_is_array(root) ? json_array_get(root, 0) : root;
	const json_t *ctx = json_is_object(top) ? json_object_get(top, "@context") : NULL;
	int r = 0;
	if (ctx) {
		j.ctx = context_of(ctx, NULL, NULL, 0, NULL);
		if (!j.ctx)
			r = unknown_context(set, src, ctx);
	} else if (json_is_object(root) && json_is_array(json_object_get(root, "dataset"))) {
		j.ctx = &contexts[1]; /* DCAT-US JSON, written in DCAT-US's terms */
	} else {
		r = import_file_fail(set, src, MAILLE_EPROTO, 0, 0, "",
		                     "JSON qui n'est ni du JSON-LD DCAT (@context de DCAT-AP 3 ou "
		                     "DCAT-US 1.1) ni un catalogue DCAT-US (une liste « dataset »)",
		                     "JSON that is neither DCAT JSON-LD (a DCAT-AP 3 or DCAT-US 1.1 "
		                     "@context) nor a DCAT-US catalogue (a \"dataset\" list)");
	}
	size_t i;
	json_t *n;
	uint32_t id;
	if (!r && json_is_array(root)) {
		json_array_foreach(root, i, n) {
			if (json_is_object(n) && node_of(&j, n, 2, &id))
				break;
		}
		r = j.err;
	} else if (!r) {
		const json_t *graph = json_object_get(root, "@graph");
		if (json_is_array(graph)) {
			json_array_foreach(graph, i, n) {
				if (json_is_object(n) && node_of(&j, n, 2, &id))
					break;
			}
		}
		if (!j.err && (!graph || json_object_size(root) > 1 + (json_object_get(root, "@context") != NULL)))
			node_of(&j, root, 1, &id);
		r = j.err;
	}
	json_decref(root);
	return r;
}
