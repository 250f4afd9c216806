/* node/formats/export_dcat.c: the catalogue as DCAT-AP 3, in Turtle or JSON-LD (export.h).
 *
 * What data.gouv.fr and other DCAT harvesters read: a dcat:Catalog published by the node's
 * territory, one dcat:Dataset per catalogue record (a component whose kind is `dataset` with
 * its `distributions` as dcat:Distribution; the other records with their page and their JSON
 * on the web catalogue as distributions when its address is known), one dcat:DataService per
 * `api` component (its first distribution's address, else its landing page, as endpoint), and
 * each record's own territory as its dct:publisher (foaf:Agent, SIREN as dct:identifier), so
 * that a harvester of several nodes sees who published what, and the same record exported by
 * two nodes has the same dct:identifier (urn:maille:<territory key>/<path>): no loops, no
 * duplicates. Only public contacts are written. The DCAT-AP 3 mandatory properties are always
 * there: a record that cannot have them (an API without an address) is skipped with a reason.
 * The graph conforms to the DCAT-AP 3.0.0 SHACL shapes (shapes.ttl, range.ttl and the template
 * dcat-ap-SHACL.ttl): every object of a ranged property is a node typed with its class in the
 * graph (a validator knows nothing else), the language and the known formats are concepts of
 * the EU vocabularies, a format they lack a labelled dct:MediaTypeOrExtent.
 *
 * The graph is built once as triples, then written by one of two serialisers: Turtle by hand
 * (escapes of RDF 1.1 Turtle), JSON-LD with jansson, its @context the prefixes only (so that
 * nothing needs fetching). */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dcat_graph.h"
#include "export.h"
#include "proto/error.h"

typedef enum { T_IRI, T_BLANK, T_LIT } term_kind;

typedef struct term {
	term_kind k;
	const char *v;    /* IRI, blank node label, or the literal's text */
	const char *lang; /* literal: language tag or NULL */
	const char *dt;   /* literal: datatype as a prefixed name ("xsd:dateTime") or NULL */
} term;

typedef struct triple {
	term s;
	const char *p; /* a prefixed name, "a" for rdf:type */
	term o;
} triple;

typedef struct graph graph;
struct graph {
	proto_arena *a;
	triple *v;
	size_t n, cap;
	unsigned blanks;
	int err;
	/* where the triples of blank nodes go, so that each named subject's triples stay
	 * together (the serialisers write one block a subject); NULL: here */
	graph *blank_sink;
};

const dcat_prefix dcat_export_prefixes[] = {
	{ "dcat", DCAT_NS },
	{ "dct", DCT_NS },
	{ "foaf", "http://xmlns.com/foaf/0.1/" },
	{ "vcard", "http://www.w3.org/2006/vcard/ns#" },
	{ "xsd", "http://www.w3.org/2001/XMLSchema#" },
	{ "adms", "http://www.w3.org/ns/adms#" },
	{ "skos", "http://www.w3.org/2004/02/skos/core#" },
	{ "hydra", "http://www.w3.org/ns/hydra/core#" },
	{ "rdfs", "http://www.w3.org/2000/01/rdf-schema#" },
	{ NULL, NULL },
};
#define N_PREFIXES (sizeof dcat_export_prefixes / sizeof dcat_export_prefixes[0] - 1)

static void add(graph *g, term s, const char *p, term o)
{
	if (s.k == T_BLANK && g->blank_sink) {
		add(g->blank_sink, s, p, o);
		g->err = g->err ? g->err : g->blank_sink->err;
		return;
	}
	if (g->err || !o.v || !o.v[0] || !s.v)
		return;
	if (g->n == g->cap) {
		size_t cap = g->cap ? 2 * g->cap : 256;
		triple *v = realloc(g->v, cap * sizeof *v);
		if (!v) {
			g->err = MAILLE_ENOMEM;
			return;
		}
		g->v = v;
		g->cap = cap;
	}
	g->v[g->n++] = (triple){ s, p, o };
}

static term iri(const char *v)
{
	return (term){ T_IRI, v, NULL, NULL };
}

static term lit(const char *v, const char *lang)
{
	return (term){ T_LIT, v, lang, NULL };
}

static term typed(const char *v, const char *dt)
{
	return (term){ T_LIT, v, NULL, dt };
}

static term blank(graph *g)
{
	char b[24];
	snprintf(b, sizeof b, "b%u", ++g->blanks);
	const char *v = proto_arena_strndup(g->a, b, strlen(b));
	if (!v)
		g->err = MAILLE_ENOMEM;
	return (term){ T_BLANK, v, NULL, NULL };
}

/* A triple of a resource that describes another (a typed object) into the graph of blank
 * nodes when g has one, so that the subject's own block stays whole. */
static void add_about(graph *g, term s, const char *p, term o)
{
	add(g->blank_sink ? g->blank_sink : g, s, p, o);
}

/* s p o, and o typed cls: the DCAT-AP 3 SHACL shapes (range.ttl) check the class of the
 * object of most properties, which a validator knows only from the graph itself. */
static void add_typed(graph *g, term s, const char *p, term o, const char *cls)
{
	add(g, s, p, o);
	if (o.v && o.v[0] && s.v)
		add_about(g, o, "a", iri(cls));
}

/* The strings given, up to a NULL, joined into one of g's arena (NULL when too long). */
static const char *join(graph *g, ...)
{
	char buf[2048];
	size_t n = 0;
	va_list ap;
	va_start(ap, g);
	for (const char *p = va_arg(ap, const char *); p; p = va_arg(ap, const char *)) {
		size_t l = strlen(p);
		if (n + l >= sizeof buf) {
			va_end(ap);
			return NULL;
		}
		memcpy(buf + n, p, l);
		n += l;
	}
	va_end(ap);
	const char *s = proto_arena_strndup(g->a, buf, n);
	if (!s)
		g->err = MAILLE_ENOMEM;
	return s;
}

/* Every language of a language map (or a plain string, in lang) as literals. */
static void add_texts(graph *g, term s, const char *p, const proto_value *v, const char *lang)
{
	if (!v)
		return;
	if (v->type == PROTO_V_STR) {
		add(g, s, p, lit(v->u.str.ptr, lang));
	} else if (v->type == PROTO_V_MAP) {
		for (size_t i = 0; i < v->u.map.n; i++)
			if (v->u.map.items[i].val.type == PROTO_V_STR)
				add(g, s, p, lit(v->u.map.items[i].val.u.str.ptr, v->u.map.items[i].key));
	} else if (v->type == PROTO_V_ARRAY) {
		for (size_t i = 0; i < v->u.arr.n; i++)
			add_texts(g, s, p, &v->u.arr.items[i], lang);
	}
}

/* A licence's IRI: Etalab's Licence Ouverte by its page, an SPDX id by SPDX's. */
static const char *licence_iri(graph *g, const char *id)
{
	if (!id || !id[0])
		return NULL;
	if (strcmp(id, "etalab-2.0") == 0)
		return "https://www.etalab.gouv.fr/licence-ouverte-open-licence/";
	if (strcmp(id, "etalab-1.0") == 0)
		return "https://www.etalab.gouv.fr/licence-ouverte-open-licence/";
	for (const char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '-' || *p == '.' || *p == '+'))
			return NULL; /* an expression ("MIT OR Apache-2.0") has no one IRI */
	return join(g, "http://spdx.org/licenses/", id, NULL);
}

static const char *str_of(const proto_value *m, const char *key)
{
	const proto_value *v = proto_map_get(m, key);
	return v && v->type == PROTO_V_STR ? v->u.str.ptr : NULL;
}

static term agent(graph *g, const export_set *s, const export_territory *t)
{
	char hex[2 * PROTO_KEY_LEN + 1];
	proto_hex(t->key, PROTO_KEY_LEN, hex);
	term a = iri(join(g, "urn:maille:territory:", hex, NULL));
	(void)s;
	return a;
}

static void add_agent(graph *g, const export_set *s, const export_territory *t)
{
	term a = agent(g, s, t);
	add(g, a, "a", iri("foaf:Agent"));
	add(g, a, "foaf:name", lit(t->name, "fr"));
	if (t->body) {
		add(g, a, "dct:identifier", lit(str_of(t->body, PROTO_F_SIREN), NULL));
		const char *web = str_of(t->body, PROTO_F_WEBSITE);
		if (web)
			add_typed(g, a, "foaf:homepage", iri(web), "foaf:Document");
	}
}

static void add_contacts(graph *g, term ds, const proto_value *body)
{
	const proto_value *cs = proto_map_get(body, PROTO_F_CONTACTS);
	if (!cs || cs->type != PROTO_V_ARRAY)
		return;
	for (size_t i = 0; i < cs->u.arr.n; i++) {
		const proto_value *c = &cs->u.arr.items[i];
		const proto_value *pub = proto_map_get(c, PROTO_F_PUBLIC);
		const char *mail = str_of(c, PROTO_F_EMAIL);
		if (!mail || !pub || pub->type != PROTO_V_BOOL || !pub->u.b)
			continue; /* a contact not public is never exported */
		term k = blank(g);
		add(g, ds, "dcat:contactPoint", k);
		add(g, k, "a", iri("vcard:Kind"));
		add(g, k, "vcard:fn", lit(str_of(c, PROTO_F_NAME) ? str_of(c, PROTO_F_NAME) : mail, NULL));
		add(g, k, "vcard:hasEmail", iri(join(g, "mailto:", mail, NULL)));
	}
}

static void add_distribution(graph *g, term ds, const char *access, const char *format,
                             const char *licence, const char *title)
{
	if (!access)
		return;
	term d = blank(g);
	add(g, ds, "dcat:distribution", d);
	add(g, d, "a", iri("dcat:Distribution"));
	add_typed(g, d, "dcat:accessURL", iri(access), "rdfs:Resource");
	const dcat_file_type *ft = format ? dcat_file_type_find(format, strlen(format)) : NULL;
	if (ft) {
		/* dct:format is an IRI of the EU file-type vocabulary (DCAT-AP 3's controlled
		 * vocabulary); the import reads the table's name back */
		term f = iri(join(g, DCAT_FILE_TYPE_NS, ft->code, NULL));
		add_typed(g, d, "dct:format", f, "dct:MediaTypeOrExtent");
		add_about(g, f, "skos:inScheme",
		          iri("http://publications.europa.eu/resource/authority/file-type"));
	} else if (format) {
		/* a format the vocabulary does not name: a node of its class, labelled */
		term f = blank(g);
		add_typed(g, d, "dct:format", f, "dct:MediaTypeOrExtent");
		add(g, f, "rdfs:label", lit(format, NULL));
	}
	if (title)
		add(g, d, "dct:title", lit(title, "fr"));
	const char *l = licence_iri(g, licence);
	if (l)
		add_typed(g, d, "dct:license", iri(l), "dct:LicenseDocument");
}

/* The properties every resource of a record has. */
static void add_common(graph *g, const export_set *s, const export_record *r,
                       const proto_value *body, term res)
{
	char hex[2 * PROTO_KEY_LEN + 1], ts[21];
	proto_hex(r->territory, PROTO_KEY_LEN, hex);
	const char *lang = str_of(body, PROTO_F_LANG);
	add_texts(g, res, "dct:title", proto_map_get(body, PROTO_F_TITLE), lang);
	/* DCAT-AP requires a description: the summary stands in for a record without one */
	const proto_value *desc = proto_map_get(body, PROTO_F_DESCRIPTION);
	add_texts(g, res, "dct:description", desc ? desc : proto_map_get(body, PROTO_F_SUMMARY),
	          lang);
	add_texts(g, res, "dct:abstract", proto_map_get(body, PROTO_F_SUMMARY), lang);
	add_texts(g, res, "dcat:keyword", proto_map_get(body, PROTO_F_KEYWORDS), lang);
	add(g, res, "dct:identifier", lit(join(g, "urn:maille:", hex, "/", r->path, NULL), NULL));
	add(g, res, "dct:publisher", agent(g, s, export_territory_of(s, r->territory)));
	/* the version's time as its last change; a component's release date as its issue */
	export_rfc3339(r->timestamp_us, ts);
	add(g, res, "dct:modified", typed(join(g, ts, NULL), "xsd:dateTime"));
	const char *released = str_of(body, PROTO_F_RELEASE_DATE);
	if (released)
		add(g, res, "dct:issued", typed(released, "xsd:date"));
	/* a component's own licence (its data's, its code's), another record's text's */
	bool component = strcmp(r->type, PROTO_T_COMPONENT) == 0;
	const char *l = licence_iri(g, str_of(body, component ? PROTO_F_LICENCE : PROTO_F_CONTENT_LICENCE));
	if (l)
		add_typed(g, res, "dct:license", iri(l), "dct:LicenseDocument");
	if (lang) {
		/* a concept of the EU language authority, said so for the vocabulary shapes */
		term lt = iri(join(g, "http://publications.europa.eu/resource/authority/language/",
		                   strcmp(lang, "fr") == 0 ? "FRA" : strcmp(lang, "en") == 0 ? "ENG" : "MUL",
		                   NULL));
		add_typed(g, res, "dct:language", lt, "dct:LinguisticSystem");
		add_about(g, lt, "skos:inScheme",
		          iri("http://publications.europa.eu/resource/authority/language"));
	}
	add_contacts(g, res, body);
	/* the department that runs it: the resource's creator (its publisher is the territory) */
	const char *dept = str_of(body, PROTO_F_DEPARTMENT);
	if (dept) {
		term c = blank(g);
		add(g, res, "dct:creator", c);
		add(g, c, "a", iri("foaf:Agent"));
		add(g, c, "foaf:name", lit(dept, NULL));
	}
	const proto_value *ids = proto_map_get(body, PROTO_F_IDENTIFIERS);
	for (size_t i = 0; ids && ids->type == PROTO_V_ARRAY && i < ids->u.arr.n; i++) {
		/* its address when it has one (data.gouv.fr's: a reader tells the scheme by it) */
		const char *value = str_of(&ids->u.arr.items[i], PROTO_F_URL);
		if (!value)
			value = str_of(&ids->u.arr.items[i], PROTO_F_VALUE);
		if (!value)
			continue;
		term id = blank(g);
		add(g, res, "adms:identifier", id);
		add(g, id, "a", iri("adms:Identifier"));
		add(g, id, "skos:notation", lit(value, NULL));
	}
}

/* The href of the first of body's links whose rel is rel, or NULL. */
static const char *link_of(const proto_value *body, const char *rel)
{
	const proto_value *links = proto_map_get(body, PROTO_F_LINKS);
	for (size_t i = 0; links && links->type == PROTO_V_ARRAY && i < links->u.arr.n; i++) {
		const char *r = str_of(&links->u.arr.items[i], PROTO_F_REL);
		if (r && strcmp(r, rel) == 0)
			return str_of(&links->u.arr.items[i], PROTO_F_HREF);
	}
	return NULL;
}

/* The resource of the record at path of territory hex: its page here, else its urn. */
static term resource_of(graph *g, const export_set *s, const char *hex, const char *path)
{
	if (s->base_url && s->base_url[0]) {
		size_t bl = strlen(s->base_url);
		while (bl > 0 && s->base_url[bl - 1] == '/')
			bl--;
		char b[600];
		snprintf(b, sizeof b, "%.*s", (int)bl, s->base_url);
		return iri(join(g, b, "/entry/", path, "?territory=", hex, NULL));
	}
	return iri(join(g, "urn:maille:", hex, "/", path, NULL));
}

/* One record's resource into g (its blank nodes into g's blank_sink) and its link from the
 * catalogue into cg; an API without an address skipped. */
static int build_record(graph *g, graph *cg, const export_set *s, export_sink *o,
                        const export_record *r, const proto_value *body, term cat)
{
	const char *kind = str_of(body, PROTO_F_COMPONENT_KIND);
	bool component = strcmp(r->type, PROTO_T_COMPONENT) == 0;
	const proto_value *dists = proto_map_get(body, PROTO_F_DISTRIBUTIONS);
	const proto_value *first =
	    dists && dists->type == PROTO_V_ARRAY && dists->u.arr.n ? &dists->u.arr.items[0] : NULL;
	char page[1024];
	export_record_url(s, r, page, sizeof page);
	const char *page_iri = page[0] ? join(g, page, NULL) : NULL;
	char hex[2 * PROTO_KEY_LEN + 1];
	proto_hex(r->territory, PROTO_KEY_LEN, hex);
	term res = resource_of(g, s, hex, r->path);
	if (component && kind && strcmp(kind, "api") == 0) {
		/* its endpoint: the link so named (what the DCAT reader makes of dcat:endpointURL),
		 * else its first distribution's address, else its landing page */
		const char *endpoint = link_of(body, "endpoint");
		if (!endpoint && first)
			endpoint = str_of(first, PROTO_F_ACCESS_URL);
		if (!endpoint)
			endpoint = str_of(body, PROTO_F_LANDING_URL);
		if (!endpoint)
			return export_skip_add(o, r,
			                       "API sans adresse (distributions[0].access_url ou "
			                       "landing_url) : DCAT-AP exige dcat:endpointURL",
			                       "API without an address (distributions[0].access_url or "
			                       "landing_url): DCAT-AP requires dcat:endpointURL");
		add(cg, cat, "dcat:service", iri(join(cg, res.v, NULL)));
		add(g, res, "a", iri("dcat:DataService"));
		add_typed(g, res, "dcat:endpointURL", iri(endpoint), "rdfs:Resource");
		const char *described = link_of(body, "describedby");
		if (described)
			add(g, res, "dcat:endpointDescription", iri(described));
		/* the datasets it serves: the records it uses, of its own territory */
		const proto_value *rels = proto_map_get(body, PROTO_F_RELATIONS);
		for (size_t i = 0; rels && rels->type == PROTO_V_ARRAY && i < rels->u.arr.n; i++) {
			const char *rl = str_of(&rels->u.arr.items[i], PROTO_F_REL);
			const char *target = str_of(&rels->u.arr.items[i], PROTO_F_TARGET);
			if (rl && target && strcmp(rl, "uses") == 0 &&
			    proto_path_valid(target, strlen(target)))
				add(g, res, "dcat:servesDataset", resource_of(g, s, hex, target));
		}
		add_common(g, s, r, body, res);
		if (page_iri)
			add_typed(g, res, "dcat:landingPage", iri(page_iri), "foaf:Document");
		return g->err ? g->err : cg->err;
	}
	add(cg, cat, "dcat:dataset", iri(join(cg, res.v, NULL)));
	add(g, res, "a", iri("dcat:Dataset"));
	add_common(g, s, r, body, res);
	/* a component's landing page is its own; another record's is its page here */
	const char *landing = component ? str_of(body, PROTO_F_LANDING_URL) : page_iri;
	if (landing)
		add_typed(g, res, "dcat:landingPage", iri(landing), "foaf:Document");
	if (component) {
		const char *l = str_of(body, PROTO_F_LICENCE);
		for (size_t k = 0; dists && dists->type == PROTO_V_ARRAY && k < dists->u.arr.n; k++) {
			const proto_value *d = &dists->u.arr.items[k];
			const char *dl = str_of(d, PROTO_F_LICENCE);
			add_distribution(g, res, str_of(d, PROTO_F_ACCESS_URL), str_of(d, PROTO_F_FORMAT), dl ? dl : l,
			                 NULL);
		}
	}
	return g->err ? g->err : cg->err;
}

/* ---- Turtle --------------------------------------------------------------------------- */

static void ttl_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\u%04X", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

/* An IRI between <>: the characters RDF 1.1 Turtle forbids there escaped as \uXXXX. */
static void ttl_iri(FILE *f, const char *s)
{
	fputc('<', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p <= 0x20 || strchr("<>\"{}|^`\\", *p))
			fprintf(f, "\\u%04X", *p);
		else
			fputc(*p, f);
	}
	fputc('>', f);
}

static void ttl_term(FILE *f, const term *t)
{
	if (t->k == T_BLANK) {
		fprintf(f, "_:%s", t->v);
	} else if (t->k == T_IRI) {
		/* a prefixed name of ours ("dcat:Dataset") stays one */
		const char *colon = strchr(t->v, ':');
		bool prefixed = false;
		for (size_t i = 0; colon && i < N_PREFIXES; i++)
			prefixed = prefixed || ((size_t)(colon - t->v) == strlen(dcat_export_prefixes[i].prefix) &&
			                        strncmp(t->v, dcat_export_prefixes[i].prefix, (size_t)(colon - t->v)) == 0);
		if (prefixed)
			fputs(t->v, f);
		else
			ttl_iri(f, t->v);
	} else {
		ttl_string(f, t->v);
		if (t->lang)
			fprintf(f, "@%s", t->lang);
		else if (t->dt)
			fprintf(f, "^^%s", t->dt);
	}
}

static bool same_term(const term *a, const term *b)
{
	return a->k == b->k && strcmp(a->v, b->v) == 0;
}

/* The triples of gs as Turtle statements into f, a block a subject (consecutive triples of
 * one subject share it). */
static void turtle_triples(FILE *f, graph *const *gs, size_t n_gs)
{
	const triple *prev = NULL;
	for (size_t k = 0; k < n_gs; k++) {
		for (size_t i = 0; i < gs[k]->n; i++) {
			const triple *t = &gs[k]->v[i];
			bool same = prev && same_term(&prev->s, &t->s), first = !prev;
			prev = t;
			if (same) {
				fputs(" ;\n    ", f);
			} else {
				if (!first)
					fputs(" .\n", f);
				fputc('\n', f);
				ttl_term(f, &t->s);
				fputs("\n    ", f);
			}
			fprintf(f, "%s ", t->p);
			ttl_term(f, &t->o);
		}
	}
	if (prev)
		fputs(" .\n", f);
}

/* ---- JSON-LD -------------------------------------------------------------------------- */

static json_t *jsonld_term(const term *t)
{
	json_t *o = json_object();
	if (t->k == T_LIT) {
		json_object_set_new(o, "@value", json_string(t->v));
		if (t->lang)
			json_object_set_new(o, "@language", json_string(t->lang));
		else if (t->dt)
			json_object_set_new(o, "@type", json_string(t->dt));
	} else {
		char b[64];
		snprintf(b, sizeof b, "_:%s", t->v);
		json_object_set_new(o, "@id", json_string(t->k == T_BLANK ? b : t->v));
	}
	return o;
}

/* node as one element of the @graph array into f: pretty, after a comma unless *first. */
static int jsonld_dump(FILE *f, json_t *node, bool *first)
{
	char *text = json_dumps(node, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	if (!text)
		return MAILLE_ENOMEM;
	if (!*first)
		fputs(",\n", f);
	*first = false;
	fputs(text, f);
	free(text);
	return 0;
}

/* The triples of gs as JSON-LD node objects into f, each after a comma unless *first. */
static int jsonld_nodes(FILE *f, graph *const *gs, size_t n_gs, bool *first)
{
	json_t *node = NULL;
	const triple *prev = NULL;
	int err = 0;
	for (size_t k = 0; k <= n_gs && !err; k++) {
		for (size_t i = 0; k < n_gs && i < gs[k]->n; i++) {
			const triple *t = &gs[k]->v[i];
			bool same = prev && same_term(&prev->s, &t->s);
			prev = t;
			if (!same) {
				if (node && !err)
					err = jsonld_dump(f, node, first);
				json_decref(node);
				node = json_object();
				char b[64];
				snprintf(b, sizeof b, "_:%s", t->s.v);
				json_object_set_new(node, "@id", json_string(t->s.k == T_BLANK ? b : t->s.v));
			}
			if (strcmp(t->p, "a") == 0) {
				json_t *types = json_object_get(node, "@type");
				if (!types)
					json_object_set_new(node, "@type", types = json_array());
				json_array_append_new(types, json_string(t->o.v));
				continue;
			}
			json_t *vals = json_object_get(node, t->p);
			if (!vals)
				json_object_set_new(node, t->p, vals = json_array());
			json_array_append_new(vals, jsonld_term(&t->o));
		}
	}
	if (node && !err)
		err = jsonld_dump(f, node, first);
	json_decref(node);
	return err;
}

/* ---- the writer ----------------------------------------------------------------------- */

typedef struct dcat_run {
	const export_set *s;
	export_sink *o;
	bool jsonld, first; /* first: no JSON-LD node written yet */
	graph *cg;          /* the catalogue's triples, written last */
	term cat;
	size_t n;           /* records written */
	unsigned blanks;    /* blank nodes named so far: labels are the file's, not a record's */
} dcat_run;

/* The Turtle or JSON-LD of graphs gs handed to the sink. */
static int emit(dcat_run *d, graph *const *gs, size_t n_gs)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return MAILLE_ENOMEM;
	int r = 0;
	if (d->jsonld)
		r = jsonld_nodes(f, gs, n_gs, &d->first);
	else
		turtle_triples(f, gs, n_gs);
	if (fclose(f) != 0 && !r)
		r = MAILLE_ENOMEM;
	if (!r && len)
		r = d->o->write(d->o->ctx, text, len);
	free(text);
	return r;
}

static int dcat_record(void *ctx, const export_record *r, const proto_value *body)
{
	dcat_run *d = ctx;
	proto_arena a;
	proto_arena_init(&a, 0);
	graph bg = { .a = &a }, rg = { .a = &a, .blanks = d->blanks, .blank_sink = &bg };
	size_t skips = d->o->n_skips;
	int e = build_record(&rg, d->cg, d->s, d->o, r, body, d->cat);
	d->blanks = rg.blanks;
	graph *const gs[] = { &rg, &bg };
	if (!e && d->o->n_skips == skips) {
		e = emit(d, gs, 2);
		d->n++;
	}
	free(rg.v);
	free(bg.v);
	proto_arena_done(&a);
	return e;
}

/* The catalogue's own triples (its links to every resource come as the records pass). */
static void catalogue_head(graph *g, const export_set *s, term cat)
{
	const char *base = s->base_url && s->base_url[0] ? s->base_url : NULL;
	const char *title = s->title && s->title[0] ? s->title : "Maille";
	add(g, cat, "a", iri("dcat:Catalog"));
	add(g, cat, "dct:title", lit(join(g, "Catalogue Maille : ", title, NULL), "fr"));
	add(g, cat, "dct:description",
	    lit(join(g, "Méthodologies, cas d'usage, composants et retours d'expérience sur l'IA "
	                "et les algorithmes publics, publiés par ", title,
	             " et les territoires de sa fédération Maille", NULL),
	        "fr"));
	if (base)
		add_typed(g, cat, "foaf:homepage", iri(join(g, base, "/", NULL)), "foaf:Document");
	char ts[21];
	export_rfc3339(s->now_us, ts);
	add(g, cat, "dct:modified", typed(join(g, ts, NULL), "xsd:dateTime"));
	/* the catalogue's publisher: the node's territory when it published records here, else
	 * the first territory */
	const export_territory *pub = export_territory_of(s, s->node_key);
	if (!pub && s->n_terr)
		pub = &s->terr[0];
	if (pub)
		add(g, cat, "dct:publisher", agent(g, s, pub));
	if (s->page.per_page && s->page.self) {
		/* the page, in both of Hydra's vocabularies: the current one (PartialCollectionView,
		 * next...) and the older one (PagedCollection, nextPage...) that harvesters still
		 * read first */
		term pg = iri(s->page.self);
		static const struct {
			const char *view, *paged;
		} links[] = { { "hydra:first", "hydra:firstPage" },
			      { "hydra:previous", "hydra:previousPage" },
			      { "hydra:next", "hydra:nextPage" },
			      { "hydra:last", "hydra:lastPage" } };
		const char *to[] = { s->page.first, s->page.prev, s->page.next, s->page.last };
		add(g, pg, "a", iri("hydra:PartialCollectionView"));
		add(g, pg, "a", iri("hydra:PagedCollection"));
		for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
			if (to[i]) {
				add(g, pg, links[i].view, iri(to[i]));
				add(g, pg, links[i].paged, iri(to[i]));
			}
		char num[24];
		snprintf(num, sizeof num, "%zu", s->page.total);
		add(g, pg, "hydra:totalItems", typed(join(g, num, NULL), "xsd:integer"));
		snprintf(num, sizeof num, "%zu", s->page.per_page);
		add(g, pg, "hydra:itemsPerPage", typed(join(g, num, NULL), "xsd:integer"));
	}
}

/* One file: the prefixes (or the JSON-LD's opening), every record, the territories, the
 * catalogue. */
static int dcat_file(const export_set *s, export_sink *o, bool jsonld, size_t *ret_n)
{
	proto_arena a;
	proto_arena_init(&a, 0);
	graph cg = { .a = &a }, ag = { .a = &a };
	char hex[2 * PROTO_KEY_LEN + 1];
	proto_hex(s->node_key, PROTO_KEY_LEN, hex);
	const char *base = s->base_url && s->base_url[0] ? s->base_url : NULL;
	term cat = iri(base ? join(&cg, base, "/catalog", NULL)
	                    : join(&cg, "urn:maille:catalog:", hex, NULL));
	catalogue_head(&cg, s, cat);
	dcat_run d = { s, o, jsonld, true, &cg, cat, 0, 0 };
	int r = o->begin(o->ctx, jsonld ? "catalog.jsonld" : "catalog.ttl");
	if (r) {
		proto_arena_done(&a);
		return r;
	}
	char *head = NULL;
	size_t hlen = 0;
	FILE *f = open_memstream(&head, &hlen);
	if (!f)
		r = MAILLE_ENOMEM;
	else {
		if (jsonld) {
			fputs("{\n \"@context\": {", f);
			for (size_t i = 0; i < N_PREFIXES; i++)
				fprintf(f, "%s\n  \"%s\": \"%s\"", i ? "," : "", dcat_export_prefixes[i].prefix,
				        dcat_export_prefixes[i].ns);
			fputs("\n },\n \"@graph\": [\n", f);
		} else {
			for (size_t i = 0; i < N_PREFIXES; i++)
				fprintf(f, "@prefix %s: <%s> .\n", dcat_export_prefixes[i].prefix, dcat_export_prefixes[i].ns);
		}
		r = fclose(f) == 0 ? o->write(o->ctx, head, hlen) : MAILLE_ENOMEM;
		free(head);
	}
	if (!r)
		r = export_each(s, dcat_record, &d);
	for (size_t i = 0; !r && i < s->n_terr; i++)
		add_agent(&ag, s, &s->terr[i]);
	graph *const tail[] = { &ag, &cg };
	if (!r)
		r = ag.err ? ag.err : cg.err;
	if (!r)
		r = emit(&d, tail, 2);
	static const char close_graph[] = "\n ]\n}\n";
	if (!r && jsonld)
		r = o->write(o->ctx, close_graph, sizeof close_graph - 1);
	r = export_end(o, r);
	*ret_n = d.n;
	free(cg.v);
	free(ag.v);
	proto_arena_done(&a);
	return r;
}

int export_write_dcat(const export_set *s, export_sink *o, const char *variant)
{
	bool ttl = !variant || strcmp(variant, "ttl") == 0;
	bool jsonld = !variant || strcmp(variant, "jsonld") == 0;
	/* a folder gets both flavours: the records count once, and skips are said once */
	size_t n = 0;
	int r = ttl ? dcat_file(s, o, false, &n) : 0;
	if (!r && jsonld) {
		size_t after = o->n_skips;
		r = dcat_file(s, o, true, &n);
		if (ttl)
			o->n_skips = after;
	}
	o->n_records += n;
	return r;
}
