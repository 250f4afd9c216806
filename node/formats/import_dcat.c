/* node/formats/import_dcat.c: a DCAT catalogue into drafts (import.h): DCAT-AP 3 and
 * GeoDCAT-AP in RDF/XML or Turtle (import_dcat_rdf.c, raptor2), JSON-LD whose context is
 * DCAT-AP 3's or DCAT-US 1.1's and the DCAT-US JSON of some French portals
 * (import_dcat_jsonld.c, jansson). Each reader fills one small graph (dcat_graph.h); this file
 * maps that graph:
 *
 * - every dcat:Dataset (a node typed so, or named by a catalogue's dcat:dataset) is a
 *   `component` of kind dataset, its dcat:distribution (files and APIs alike) under
 *   `distributions` ({access_url, format, licence}, the rest of each under
 *   extensions.dcat.distributions at the same index);
 * - every dcat:DataService is a `component` of kind api: its endpoint and endpoint
 *   description as links, the datasets it serves as relations;
 * - the fields: dct:title and dct:description (language maps), dcat:keyword and the labels of
 *   dcat:theme as keywords (DCAT's themes are not Maille's), dcat:landingPage, dct:license as
 *   an SPDX identifier ("License Not Specified" left out with an issue), the publisher's name
 *   as department, the contact point's vcard:fn and vcard:hasEmail, dct:identifier and
 *   adms:identifier (data.gouv.fr's addresses as the datagouv scheme), dct:modified (else
 *   dct:issued) as release date, dct:language as lang;
 * - everything else under extensions.dcat, with the key the source wrote, blank nodes as maps
 *   (the walk bounded in depth and size, a cycle cut with an issue).
 *
 * The path is component/<slug of dct:identifier, else of the node's IRI>. */
#include "import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dcat_graph.h"
#include "proto/entry.h"
#include "proto/error.h"
#include "proto/limits.h"
#include "proto/schema.h"

#define P_TITLE DCT_NS "title"
#define P_DESCRIPTION DCT_NS "description"
#define P_ABSTRACT DCT_NS "abstract" /* a summary (Maille's export writes its summary there) */
#define P_IDENTIFIER DCT_NS "identifier"
#define P_LICENSE DCT_NS "license"
#define P_RIGHTS DCT_NS "rights"
#define P_PUBLISHER DCT_NS "publisher"
#define P_CREATOR DCT_NS "creator" /* Maille's export writes the department there */
#define P_MODIFIED DCT_NS "modified"
#define P_ISSUED DCT_NS "issued"
#define P_FORMAT DCT_NS "format"
#define P_LANGUAGE DCT_NS "language"
#define P_KEYWORD DCAT_NS "keyword"
#define P_THEME DCAT_NS "theme"
#define P_LANDING DCAT_NS "landingPage"
#define P_CONTACT DCAT_NS "contactPoint"
#define P_DISTRIBUTION DCAT_NS "distribution"
#define P_DATASET DCAT_NS "dataset"
#define P_SERVICE DCAT_NS "service"
#define P_ACCESS_URL DCAT_NS "accessURL"
#define P_DOWNLOAD_URL DCAT_NS "downloadURL"
#define P_MEDIA_TYPE DCAT_NS "mediaType"
#define P_ENDPOINT_URL DCAT_NS "endpointURL"
#define P_ENDPOINT_DESC DCAT_NS "endpointDescription"
#define P_SERVES DCAT_NS "servesDataset"
#define P_ADMS_ID "http://www.w3.org/ns/adms#identifier"
#define P_NOTATION "http://www.w3.org/2004/02/skos/core#notation"
#define P_PREF_LABEL "http://www.w3.org/2004/02/skos/core#prefLabel"
#define P_RDFS_LABEL "http://www.w3.org/2000/01/rdf-schema#label"
#define P_FOAF_NAME "http://xmlns.com/foaf/0.1/name"
#define VCARD "http://www.w3.org/2006/vcard/ns#"
#define T_DATASET DCAT_NS "Dataset"
#define T_SERVICE DCAT_NS "DataService"
#define XSD "http://www.w3.org/2001/XMLSchema#"

typedef struct dcat_map {
	import_set *set;
	const import_src *src;
	dcat_graph *g;
	uint8_t *role;      /* per node: ROLE_* */
	const char **paths; /* per node: a dataset's draft path, or NULL */
	/* the draft being made */
	import_draft *d;
	uint32_t *stack; /* blank nodes on the extension walk's path */
	size_t depth;
	size_t walked;
	bool cut_cycle, cut_size, said_unspecified, said_inherited;
	/* the resource is a record Maille exported (dct:identifier urn:maille:KEY/PATH): its
	 * publisher is the territory that signs it and its dct:modified the version's time, both
	 * of the envelope, not of the body */
	bool own;
} dcat_map;

enum { ROLE_DATASET = 1, ROLE_SERVICE = 2 };

/* ---- reading the graph ------------------------------------------------------------------ */

static const dcat_triple *t_begin(const dcat_graph *g, uint32_t n)
{
	return g->t + g->first[n];
}

static const dcat_triple *t_end(const dcat_graph *g, uint32_t n)
{
	return g->t + g->first[n + 1];
}

static bool is(const dcat_triple *t, const char *p)
{
	return strcmp(t->p, p) == 0;
}

static bool is_node(const dcat_obj *o)
{
	return o->kind == DCAT_IRI || o->kind == DCAT_BLANK;
}

/* A node's IRI as the source meant it: the base of relative IRIs taken off. */
static const char *iri(const dcat_graph *g, uint32_t n, size_t *ret_len)
{
	const dcat_node *nd = &g->nodes[n];
	size_t b = strlen(DCAT_BASE);
	if (nd->kind == DCAT_IRI && nd->len >= b && memcmp(nd->s, DCAT_BASE, b) == 0) {
		*ret_len = nd->len - b;
		return nd->s + b;
	}
	*ret_len = nd->len;
	return nd->s;
}

/* The text an object stands for: a literal's, an IRI's, or the name or label of a node
 * (foaf:name, vcard:fn, skos:prefLabel, rdfs:label, dct:title; French preferred). NULL if
 * none. */
static const char *text_of(const dcat_graph *g, const dcat_obj *o, size_t *ret_len,
                           bool iri_ok)
{
	if (o->kind == DCAT_LITERAL) {
		*ret_len = o->len;
		return o->s;
	}
	static const char *const names[] = { P_FOAF_NAME, VCARD "fn", VCARD "organization-name",
		                             P_PREF_LABEL, P_RDFS_LABEL, P_TITLE };
	for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
		const dcat_triple *best = NULL;
		for (const dcat_triple *t = t_begin(g, o->node); t < t_end(g, o->node); t++)
			if (is(t, names[k]) && t->o.kind == DCAT_LITERAL &&
			    (!best || (t->o.lang && strncmp(t->o.lang, "fr", 2) == 0)))
				best = t;
		if (best) {
			*ret_len = best->o.len;
			return best->o.s;
		}
	}
	if (iri_ok && o->kind == DCAT_IRI)
		return iri(g, o->node, ret_len);
	return NULL;
}

/* An address: an IRI, or a literal's text; NULL for a blank node. */
static const char *url_of(const dcat_graph *g, const dcat_obj *o, size_t *ret_len)
{
	if (o->kind == DCAT_LITERAL) {
		*ret_len = o->len;
		return o->s;
	}
	return o->kind == DCAT_IRI ? iri(g, o->node, ret_len) : NULL;
}

/* A literal's language as a language map's key: its primary subtag, lower-case; NULL (the
 * helpers' "fr") when it has none. */
static const char *lang_key(const dcat_obj *o, char *buf, size_t cap)
{
	if (o->kind != DCAT_LITERAL || !o->lang)
		return NULL;
	size_t n = 0;
	while (n + 1 < cap && ((o->lang[n] >= 'a' && o->lang[n] <= 'z') ||
	                       (o->lang[n] >= 'A' && o->lang[n] <= 'Z'))) {
		buf[n] = (char)(o->lang[n] | 0x20);
		n++;
	}
	buf[n] = '\0';
	return n >= 2 && n <= 3 && (o->lang[n] == '\0' || o->lang[n] == '-') ? buf : NULL;
}

/* ---- extensions ------------------------------------------------------------------------- */

static proto_value *ext_node(dcat_map *m, uint32_t n);

/* An object as the source has it: a literal's text (a number or a boolean when typed so), an
 * IRI, a blank node's map. NULL when left out (an issue says why) or out of memory
 * (m->set->arena then fails the next allocation too). */
static proto_value *ext_obj(dcat_map *m, const dcat_obj *o)
{
	proto_arena *a = &m->set->arena;
	if (o->kind == DCAT_BLANK)
		return ext_node(m, o->node);
	size_t len = o->len;
	const char *s = o->kind == DCAT_IRI ? iri(m->g, o->node, &len) : o->s;
	if (o->kind == DCAT_LITERAL && o->dt) {
		char tmp[40], *end;
		if (len < sizeof tmp && len > 0) {
			memcpy(tmp, s, len);
			tmp[len] = '\0';
			proto_value *v = NULL;
			if (strcmp(o->dt, XSD "integer") == 0 || strcmp(o->dt, XSD "nonNegativeInteger") == 0) {
				long long i = strtoll(tmp, &end, 10);
				if (*end == '\0' && (v = proto_value_new(a, PROTO_V_INT)))
					v->u.i = i;
			} else if (strcmp(o->dt, XSD "boolean") == 0 &&
			           (strcmp(tmp, "true") == 0 || strcmp(tmp, "false") == 0)) {
				if ((v = proto_value_new(a, PROTO_V_BOOL)))
					v->u.b = tmp[0] == 't';
			}
			if (v)
				return v;
		}
	}
	/* text the front matter cannot hold as it is (a NUL, a control character) is left out */
	bool ok = proto_utf8_valid((const uint8_t *)s, len);
	for (size_t i = 0; ok && i < len; i++)
		ok = (unsigned char)s[i] >= 0x20 || s[i] == '\n' || s[i] == '\t';
	if (!ok) {
		import_issue_add(m->set, m->d, IMPORT_DROPPED, "extensions.dcat",
		                 "texte avec des caractères de contrôle : laissé de côté",
		                 "text with control characters: left out");
		return NULL;
	}
	return proto_value_new_str(a, s, len);
}

/* Adds v under key of map: one value as itself, several as a list. */
static int ext_put(dcat_map *m, proto_value *map, const char *key, proto_value *v)
{
	proto_arena *a = &m->set->arena;
	proto_value *old = (proto_value *)proto_map_get(map, key);
	if (!old) {
		proto_value *slot = proto_value_map_put(a, map, key, strlen(key));
		if (!slot)
			return MAILLE_ENOMEM;
		*slot = *v;
		return 0;
	}
	if (old->type != PROTO_V_ARRAY) {
		proto_value first = *old;
		old->type = PROTO_V_ARRAY;
		memset(&old->u, 0, sizeof old->u);
		proto_value *s0 = proto_value_array_push(a, old);
		if (!s0)
			return MAILLE_ENOMEM;
		*s0 = first;
	}
	proto_value *s1 = proto_value_array_push(a, old);
	if (!s1)
		return MAILLE_ENOMEM;
	*s1 = *v;
	return 0;
}

/* The key a source's key is kept under: itself, or, past PROTO_MAP_KEY_MAX bytes (a long
 * IRI), its last segment (noted); NULL when it cannot be a key (empty, control characters). */
static const char *ext_key(dcat_map *m, const char *key, char *buf, size_t cap)
{
	size_t len = strlen(key);
	bool ok = len > 0;
	for (size_t i = 0; ok && i < len; i++)
		ok = (unsigned char)key[i] >= 0x20 && key[i] != 0x7f;
	char q[80];
	proto_schema_quote(q, sizeof q, key, len);
	if (!ok) {
		import_issue_add(m->set, m->d, IMPORT_DROPPED, "extensions.dcat",
		                 "clé « %s » vide ou avec des caractères de contrôle : laissée de côté",
		                 "key \"%s\" empty or with control characters: left out", q);
		return NULL;
	}
	if (len <= PROTO_MAP_KEY_MAX)
		return key;
	const char *last = key + len;
	while (last > key && last[-1] != '#' && last[-1] != '/')
		last--;
	size_t n = (size_t)(key + len - last);
	if (n == 0 || n > PROTO_MAP_KEY_MAX) {
		last = key;
		n = PROTO_MAP_KEY_MAX;
		while (n > 0 && ((unsigned char)last[n] & 0xc0) == 0x80)
			n--;
	}
	snprintf(buf, cap, "%.*s", (int)n, last);
	import_issue_add(m->set, m->d, IMPORT_NOTE, "extensions.dcat",
	                 "clé « %s » de plus de %u octets : gardée sous « %s »",
	                 "key \"%s\" over %u bytes: kept as \"%s\"", q, PROTO_MAP_KEY_MAX, buf);
	return buf;
}

static int ext_triple(dcat_map *m, proto_value *map, const dcat_triple *t)
{
	char buf[PROTO_MAP_KEY_MAX + 1];
	const char *key = ext_key(m, t->key, buf, sizeof buf);
	proto_value *v = key ? ext_obj(m, &t->o) : NULL;
	if (!v)
		return 0;
	return ext_put(m, map, key, v);
}

static proto_value *ext_node(dcat_map *m, uint32_t n)
{
	for (size_t i = 0; i < m->depth; i++)
		if (m->stack[i] == n) {
			if (!m->cut_cycle)
				import_issue_add(m->set, m->d, IMPORT_DROPPED, "extensions.dcat",
				                 "nœuds anonymes qui se citent l'un l'autre (un cycle) : "
				                 "le cycle est coupé",
				                 "blank nodes that refer to each other (a cycle): the cycle "
				                 "is cut");
			m->cut_cycle = true;
			return NULL;
		}
	if (m->depth >= IMPORT_DEPTH_MAX || m->walked >= DCAT_WALK_MAX) {
		if (!m->cut_size)
			import_issue_add(m->set, m->d, IMPORT_DROPPED, "extensions.dcat",
			                 "nœuds anonymes imbriqués sur plus de %u niveaux ou plus de %u "
			                 "nœuds : la suite est laissée de côté",
			                 "blank nodes nested deeper than %u levels or over %u nodes: the "
			                 "rest is left out",
			                 IMPORT_DEPTH_MAX, DCAT_WALK_MAX);
		m->cut_size = true;
		return NULL;
	}
	m->walked++;
	proto_value *map = proto_value_new(&m->set->arena, PROTO_V_MAP);
	if (!map)
		return NULL;
	m->stack[m->depth++] = n;
	for (const dcat_triple *t = t_begin(m->g, n); t < t_end(m->g, n); t++)
		if (ext_triple(m, map, t)) {
			map = NULL;
			break;
		}
	m->depth--;
	return map;
}

static int ext(dcat_map *m, const dcat_triple *t)
{
	proto_value *e = import_ext(m->set, m->d);
	return e ? ext_triple(m, e, t) : MAILLE_ENOMEM;
}

/* ---- values ----------------------------------------------------------------------------- */

static void lower_copy(char *dst, size_t cap, const char *s, size_t len)
{
	size_t n = 0;
	for (; n + 1 < cap && n < len; n++)
		dst[n] = s[n] >= 'A' && s[n] <= 'Z' ? (char)(s[n] | 0x20) : s[n];
	dst[n] = '\0';
}

/* A licence's address or name without scheme, "www.", case and trailing '/'. */
static void licence_key(const char *s, size_t len, char *ret, size_t cap)
{
	while (len && (*s == ' ' || *s == '<'))
		s++, len--;
	while (len && (s[len - 1] == ' ' || s[len - 1] == '/' || s[len - 1] == '>'))
		len--;
	if (len >= 8 && strncmp(s, "https://", 8) == 0)
		s += 8, len -= 8;
	else if (len >= 7 && strncmp(s, "http://", 7) == 0)
		s += 7, len -= 7;
	if (len >= 4 && strncmp(s, "www.", 4) == 0)
		s += 4, len -= 4;
	lower_copy(ret, cap, s, len);
}

/* The SPDX identifier of a licence's address or name, "" when the source says it has none
 * ("License Not Specified"), NULL when unknown. Addresses: the licences' own pages, SPDX's,
 * and the EU's licence vocabulary; names: data.gouv.fr's licence ids and labels. */
static const char *licence_spdx(const char *s, size_t len)
{
	static const struct {
		const char *key, *spdx;
		bool prefix; /* the key and anything after it (a version page, a summary) */
	} table[] = {
		{ "etalab.gouv.fr/licence-ouverte-open-licence", "etalab-2.0", false },
		{ "etalab.gouv.fr/wp-content/uploads/2017/04/etalab-licence-ouverte-v2.0.pdf",
		  "etalab-2.0", false },
		{ "spdx.org/licenses/etalab-2.0", "etalab-2.0", true },
		{ "lov2", "etalab-2.0", false },
		{ "licence ouverte / open licence version 2.0", "etalab-2.0", false },
		{ "licence ouverte v2.0", "etalab-2.0", false },
		{ "licence ouverte v2.0 (etalab)", "etalab-2.0", false },
		{ "etalab-2.0", "etalab-2.0", false },
		{ "opendatacommons.org/licenses/odbl", "ODbL-1.0", true },
		{ "odc-odbl", "ODbL-1.0", false },
		{ "odbl", "ODbL-1.0", false },
		{ "odbl-1.0", "ODbL-1.0", false },
		{ "open data commons open database license (odbl)", "ODbL-1.0", false },
		{ "opendatacommons.org/licenses/by", "ODC-By-1.0", true },
		{ "odc-by", "ODC-By-1.0", false },
		{ "opendatacommons.org/licenses/pddl", "PDDL-1.0", true },
		{ "odc-pddl", "PDDL-1.0", false },
		{ "creativecommons.org/licenses/by/4.0", "CC-BY-4.0", true },
		{ "creativecommons.org/licenses/by-sa/4.0", "CC-BY-SA-4.0", true },
		{ "creativecommons.org/publicdomain/zero/1.0", "CC0-1.0", true },
		{ "cc-by-4.0", "CC-BY-4.0", false },
		{ "cc-by-sa-4.0", "CC-BY-SA-4.0", false },
		{ "cc0-1.0", "CC0-1.0", false },
		{ "cc-zero", "CC0-1.0", false },
		{ "publications.europa.eu/resource/authority/licence/cc_by_4_0", "CC-BY-4.0", false },
		{ "publications.europa.eu/resource/authority/licence/cc_bysa_4_0", "CC-BY-SA-4.0",
		  false },
		{ "publications.europa.eu/resource/authority/licence/cc0", "CC0-1.0", false },
		{ "publications.europa.eu/resource/authority/licence/odc_odbl", "ODbL-1.0", false },
		{ "eupl-1.2", "EUPL-1.2", false },
		{ "notspecified", "", false },
		{ "license not specified", "", false },
		{ "licence non spécifiée", "", false },
		{ "licence non précisée", "", false },
	};
	char key[256];
	licence_key(s, len, key, sizeof key);
	size_t kl = strlen(key);
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		size_t n = strlen(table[i].key);
		if (kl == n ? memcmp(key, table[i].key, n) == 0
		            : table[i].prefix && kl > n && memcmp(key, table[i].key, n) == 0 &&
		                  key[n] == '/')
			return table[i].spdx;
	}
	return NULL;
}

/* The identifier of SPDX's page of a licence (http(s)://spdx.org/licenses/ID, maybe with
 * .html or .json: what Maille's own export writes) into id, or NULL. */
static const char *spdx_address(const char *s, size_t len, char *id, size_t cap)
{
	static const char *const bases[] = { "http://spdx.org/licenses/", "https://spdx.org/licenses/" };
	for (size_t b = 0; b < 2; b++) {
		size_t bl = strlen(bases[b]);
		if (len <= bl || strncmp(s, bases[b], bl) != 0)
			continue;
		size_t n = len - bl;
		if (n > 5 && (strncmp(s + len - 5, ".html", 5) == 0 || strncmp(s + len - 5, ".json", 5) == 0))
			n -= 5;
		if (n == 0 || n >= cap)
			return NULL;
		for (size_t i = 0; i < n; i++) {
			char c = s[bl + i];
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			      c == '-' || c == '.' || c == '+'))
				return NULL;
		}
		memcpy(id, s + bl, n);
		id[n] = '\0';
		return id;
	}
	return NULL;
}

/* dct:license (or a distribution's) into map.licence; "License Not Specified" and unknown
 * licences are left out with an issue. 1 when set. */
static int put_licence(dcat_map *m, proto_value *map, const char *field, const dcat_obj *o)
{
	size_t len = 0;
	const char *s = url_of(m->g, o, &len);
	if (!s)
		s = text_of(m->g, o, &len, false);
	if (!s)
		return 0;
	const char *spdx = licence_spdx(s, len);
	char id[64];
	if (!spdx)
		spdx = spdx_address(s, len, id, sizeof id);
	if (!spdx && o->kind != DCAT_LITERAL) {
		/* a licence document named by its title */
		size_t l2;
		const char *t = text_of(m->g, o, &l2, false);
		if (t)
			spdx = licence_spdx(t, l2);
	}
	char q[120];
	proto_schema_quote(q, sizeof q, s, len);
	if (spdx && !spdx[0]) {
		if (m->said_unspecified)
			return 0;
		m->said_unspecified = true;
		import_issue_add(m->set, m->d, IMPORT_DROPPED, field,
		                 "la source dit la licence non précisée (« %s ») : à écrire",
		                 "the source says the licence is not specified (\"%s\"): to write", q);
		return 0;
	}
	if (!spdx) {
		import_issue_add(m->set, m->d, IMPORT_DROPPED, field,
		                 "licence « %s » sans identifiant SPDX connu : laissée de côté",
		                 "licence \"%s\" with no known SPDX identifier: left out", q);
		return 0;
	}
	proto_value *slot = proto_value_map_put(&m->set->arena, map, "licence", 7);
	proto_value *v = slot ? proto_value_new_str(&m->set->arena, spdx, strlen(spdx)) : NULL;
	if (!v)
		return MAILLE_ENOMEM;
	*slot = *v;
	return 1;
}

static bool not_specified(const dcat_obj *o)
{
	if (o->kind != DCAT_LITERAL)
		return false;
	const char *spdx = licence_spdx(o->s, o->len);
	return spdx && !spdx[0];
}

/* The list map[key], created empty on first use (NULL: out of memory). */
static proto_value *list_of(dcat_map *m, proto_value *map, const char *key)
{
	proto_value *list = (proto_value *)proto_map_get(map, key);
	if (!list && (list = proto_value_map_put(&m->set->arena, map, key, strlen(key))))
		list->type = PROTO_V_ARRAY;
	return list;
}

/* A list past DCAT_LIST_MAX: the rest left out, said once per field. */
static int full_list(dcat_map *m, const char *field)
{
	for (size_t i = 0; i < m->d->n_issues; i++)
		if (strcmp(m->d->issues[i].field, field) == 0 && m->d->issues[i].sev == IMPORT_DROPPED &&
		    strstr(m->d->issues[i].en, "more than"))
			return 0;
	import_issue_add(m->set, m->d, IMPORT_DROPPED, field,
	                 "plus de %u valeurs : les suivantes sont laissées de côté",
	                 "more than %u values: the next ones are left out", DCAT_LIST_MAX);
	return 0;
}

/* Appends a cleaned one-line text to the list map[key], once. */
static int push_text(dcat_map *m, proto_value *map, const char *key, const char *field,
                     const char *s, size_t len)
{
	proto_arena *a = &m->set->arena;
	proto_value *scratch = proto_value_new(a, PROTO_V_MAP);
	if (!scratch)
		return MAILLE_ENOMEM;
	int r = import_text(m->set, m->d, scratch, "v", field, s, len, 0);
	if (r != 1)
		return r;
	const proto_value *v = proto_map_get(scratch, "v");
	proto_value *list = list_of(m, map, key);
	if (!list)
		return MAILLE_ENOMEM;
	if (list->u.arr.n >= DCAT_LIST_MAX)
		return full_list(m, field);
	for (size_t i = 0; i < list->u.arr.n; i++)
		if (list->u.arr.items[i].u.str.len == v->u.str.len &&
		    memcmp(list->u.arr.items[i].u.str.ptr, v->u.str.ptr, v->u.str.len) == 0)
			return 0;
	proto_value *slot = proto_value_array_push(a, list);
	if (!slot)
		return MAILLE_ENOMEM;
	*slot = *v;
	return 1;
}

/* A new map appended to the list map[key]. */
static proto_value *push_map(dcat_map *m, proto_value *map, const char *key)
{
	proto_value *list = list_of(m, map, key);
	proto_value *slot = list ? proto_value_array_push(&m->set->arena, list) : NULL;
	if (slot)
		slot->type = PROTO_V_MAP;
	return slot;
}

static int put_str(dcat_map *m, proto_value *map, const char *key, const char *s, size_t len)
{
	proto_value *slot = proto_value_map_put(&m->set->arena, map, key, strlen(key));
	proto_value *v = slot ? proto_value_new_str(&m->set->arena, s, len) : NULL;
	if (!v)
		return MAILLE_ENOMEM;
	*slot = *v;
	return 0;
}

/* data.gouv.fr's address of a dataset: its id into ret. */
static bool datagouv_id(const char *s, size_t len, char *ret, size_t cap)
{
	static const char *const bases[] = { "https://www.data.gouv.fr/datasets/",
		                             "https://www.data.gouv.fr/fr/datasets/",
		                             "http://www.data.gouv.fr/datasets/",
		                             "https://data.gouv.fr/datasets/" };
	for (size_t k = 0; k < sizeof bases / sizeof bases[0]; k++) {
		size_t b = strlen(bases[k]), n = 0;
		if (len <= b || strncmp(s, bases[k], b) != 0)
			continue;
		while (b + n < len && s[b + n] != '/' && s[b + n] != '#' && s[b + n] != '?')
			n++;
		if (n == 0 || n >= cap || (b + n < len && !(s[b + n] == '/' && b + n + 1 == len)))
			return false;
		memcpy(ret, s + b, n);
		ret[n] = '\0';
		return true;
	}
	return false;
}

/* An identifier of the resource into identifiers[], once per value. */
static int put_identifier(dcat_map *m, const char *s, size_t len)
{
	while (len && (*s == ' ' || *s == '\n' || *s == '\t'))
		s++, len--;
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\n' || s[len - 1] == '\t'))
		len--;
	if (!len || !proto_utf8_valid((const uint8_t *)s, len) || memchr(s, '\0', len))
		return 0;
	/* Maille's own name of a record (export_dcat.c) gives the path (path_of), it is no
	 * identifier of the source's */
	if (len > 11 && strncmp(s, "urn:maille:", 11) == 0)
		return 0;
	char id[128];
	const char *scheme = "other", *value = s;
	size_t vlen = len;
	bool web = (len > 8 && strncmp(s, "https://", 8) == 0) ||
	           (len > 7 && strncmp(s, "http://", 7) == 0);
	if (datagouv_id(s, len, id, sizeof id)) {
		scheme = "datagouv";
		value = id;
		vlen = strlen(id);
	}
	const proto_value *list = proto_map_get(m->d->body, "identifiers");
	if (list && list->u.arr.n >= DCAT_LIST_MAX)
		return full_list(m, "identifiers");
	for (size_t i = 0; list && i < list->u.arr.n; i++) {
		const proto_value *v = proto_map_get(&list->u.arr.items[i], "value");
		if (v && v->u.str.len == vlen && memcmp(v->u.str.ptr, value, vlen) == 0)
			return 0;
	}
	proto_value *o = push_map(m, m->d->body, "identifiers");
	if (!o || put_str(m, o, "scheme", scheme, strlen(scheme)) || put_str(m, o, "value", value, vlen))
		return MAILLE_ENOMEM;
	if (web) {
		int r = import_uri(m->set, m->d, o, "url", "identifiers[].url", s, len);
		if (r < 0)
			return r;
	}
	return 0;
}

/* dct:language as lang: an EU language authority's address or a language tag. */
static bool lang_of(const dcat_graph *g, const dcat_obj *o, char ret[4])
{
	static const struct {
		const char *eu, *tag;
	} eu[] = { { "FRA", "fr" }, { "ENG", "en" }, { "DEU", "de" }, { "SPA", "es" },
		   { "ITA", "it" }, { "NLD", "nl" }, { "POR", "pt" }, { "BRE", "br" },
		   { "OCI", "oc" }, { "COS", "co" } };
	size_t len;
	const char *s = url_of(g, o, &len);
	if (!s)
		return false;
	static const char auth[] = "http://publications.europa.eu/resource/authority/language/";
	if (len == strlen(auth) + 3 && strncmp(s, auth, strlen(auth)) == 0) {
		for (size_t i = 0; i < sizeof eu / sizeof eu[0]; i++)
			if (strncmp(s + strlen(auth), eu[i].eu, 3) == 0) {
				snprintf(ret, 4, "%s", eu[i].tag);
				return true;
			}
		return false;
	}
	if ((len == 2 || (len == 5 && s[2] == '-')) && s[0] >= 'a' && s[0] <= 'z' && s[1] >= 'a' &&
	    s[1] <= 'z') {
		ret[0] = s[0];
		ret[1] = s[1];
		ret[2] = '\0';
		return true;
	}
	return false;
}

/* ---- the path --------------------------------------------------------------------------- */

/* component/<slug> of an identifier: an address gives its last path segments (enough of them
 * to make eight characters, "bureau-de-vote-vanves", "explore-v2-1"), else its host; another
 * identifier gives its own slug. NULL when nothing is left. */
static const char *path_of(dcat_map *m, const char *s, size_t len)
{
	/* Maille's own export names each record urn:maille:<territory key>/<path>
	 * (export_dcat.c): its path comes back as it was, a component's or another type's */
	static const char own[] = "urn:maille:";
	size_t ol = sizeof own - 1, kl = 2 * PROTO_KEY_LEN;
	if (len > ol + kl + 1 && memcmp(s, own, ol) == 0 && s[ol + kl] == '/' &&
	    proto_path_valid(s + ol + kl + 1, len - ol - kl - 1) &&
	    strncmp(s + ol + kl + 1, "component/", 10) == 0)
		return proto_arena_strndup(&m->set->arena, s + ol + kl + 1, len - ol - kl - 1);
	const char *p = s;
	size_t n = len;
	const char *sep = len > 3 ? strstr(s, "://") : NULL;
	if (sep && (size_t)(sep - s) < len && sep - s < 10) {
		const char *host = sep + 3, *end = s + len;
		for (const char *c = host; c < end; c++)
			if (*c == '?' || *c == '#') {
				end = c;
				break;
			}
		const char *path = host;
		while (path < end && *path != '/')
			path++;
		const char *stop = end;
		while (stop > path && stop[-1] == '/')
			stop--;
		if (stop <= path) {
			p = host;
			n = (size_t)(path - host);
		} else {
			const char *start = stop;
			char slug[100];
			do {
				start--;
				while (start > path && start[-1] != '/')
					start--;
			} while (start > path + 1 && proto_slugify(start, (size_t)(stop - start), slug,
			                                           sizeof slug) < 8);
			p = start;
			n = (size_t)(stop - start);
		}
	}
	char slug[100], path[PROTO_PATH_MAX + 1];
	size_t sl = proto_slugify(p, n, slug, sizeof slug);
	if (!sl)
		return NULL;
	int w = snprintf(path, sizeof path, "component/%s", slug);
	if (w < 0 || (size_t)w >= sizeof path || !proto_path_valid(path, (size_t)w))
		return NULL;
	return proto_arena_strndup(&m->set->arena, path, (size_t)w);
}

static const char *path_for(dcat_map *m, uint32_t n)
{
	const dcat_graph *g = m->g;
	for (const dcat_triple *t = t_begin(g, n); t < t_end(g, n); t++)
		if (is(t, P_IDENTIFIER) && t->o.kind == DCAT_LITERAL) {
			const char *p = path_of(m, t->o.s, t->o.len);
			if (p)
				return p;
		}
	if (g->nodes[n].kind != DCAT_IRI)
		return NULL;
	size_t len;
	const char *s = iri(g, n, &len);
	return path_of(m, s, len);
}

/* ---- one resource ----------------------------------------------------------------------- */

/* The contact point's name and address as contacts[]; a point with no address stays under
 * extensions. */
static int map_contact(dcat_map *m, const dcat_triple *t)
{
	if (!is_node(&t->o))
		return ext(m, t);
	const dcat_graph *g = m->g;
	uint32_t n = t->o.node;
	const dcat_triple *mail = NULL;
	for (const dcat_triple *u = t_begin(g, n); u < t_end(g, n) && !mail; u++)
		if (is(u, VCARD "hasEmail") || is(u, VCARD "email"))
			mail = u;
	if (!mail || mail->o.kind == DCAT_BLANK)
		return ext(m, t);
	size_t len = mail->o.len;
	const char *addr = mail->o.kind == DCAT_LITERAL ? mail->o.s : iri(g, mail->o.node, &len);
	proto_value *scratch = proto_value_new(&m->set->arena, PROTO_V_MAP);
	if (!scratch)
		return MAILLE_ENOMEM;
	int r = import_email(m->set, m->d, scratch, PROTO_F_EMAIL, "contacts[].email", addr, len);
	if (r != 1)
		return r < 0 ? r : ext(m, t);
	proto_value *c = push_map(m, m->d->body, PROTO_F_CONTACTS);
	if (!c)
		return MAILLE_ENOMEM;
	size_t nl;
	const dcat_obj self = { .kind = t->o.kind, .node = n };
	const char *name = text_of(g, &self, &nl, false);
	if (name && (r = import_text(m->set, m->d, c, PROTO_F_NAME, "contacts[].name", name, nl, 0)) < 0)
		return r;
	proto_value *email = proto_value_map_put(&m->set->arena, c, PROTO_F_EMAIL, 5);
	proto_value *pub = email ? proto_value_map_put(&m->set->arena, c, PROTO_F_PUBLIC, 6) : NULL;
	if (!pub)
		return MAILLE_ENOMEM;
	*email = *proto_map_get(scratch, PROTO_F_EMAIL);
	pub->type = PROTO_V_BOOL;
	pub->u.b = true;
	import_issue_add(m->set, m->d, IMPORT_NOTE, "contacts[].public",
	                 "adresse publiée par le catalogue : montrée (public: true), à vérifier",
	                 "address published by the catalogue: shown (public: true), to check");
	return 0;
}

/* What the fields of a dataset and of a data service share. 1 when t was mapped, 0 when it
 * is not one of them, else an error. */
static int map_shared(dcat_map *m, const dcat_triple *t, bool *licensed)
{
	proto_value *b = m->d->body;
	const dcat_obj *o = &t->o;
	char lang[8];
	size_t len;
	const char *s;
	int r = 0;
	if (is(t, P_TITLE) && o->kind == DCAT_LITERAL)
		r = import_text_lang(m->set, m->d, b, PROTO_F_TITLE, "title", lang_key(o, lang, sizeof lang),
		                     o->s, o->len, 0);
	else if (is(t, P_ABSTRACT) && o->kind == DCAT_LITERAL)
		r = import_text_lang(m->set, m->d, b, PROTO_F_SUMMARY, "summary",
		                     lang_key(o, lang, sizeof lang), o->s, o->len, 0);
	else if (is(t, P_DESCRIPTION) && o->kind == DCAT_LITERAL)
		r = import_text_lang(m->set, m->d, b, PROTO_F_DESCRIPTION, "description",
		                     lang_key(o, lang, sizeof lang), o->s, o->len, IMPORT_TEXT_MULTILINE);
	else if (is(t, P_KEYWORD) && o->kind == DCAT_LITERAL)
		r = push_text(m, b, "keywords", "keywords", o->s, o->len);
	else if (is(t, P_THEME) && (s = text_of(m->g, o, &len, false)))
		r = push_text(m, b, "keywords", "keywords", s, len);
	else if (is(t, P_LANDING) && !proto_map_get(b, "landing_url") &&
	         (s = url_of(m->g, o, &len)))
		r = import_uri(m->set, m->d, b, "landing_url", "landing_url", s, len);
	else if (is(t, P_LICENSE) && !*licensed)
		r = (*licensed = put_licence(m, b, "licence", o) == 1) ? 1 : 0;
	else if (is(t, P_RIGHTS) && not_specified(o))
		r = put_licence(m, b, "licence", o);
	else if (is(t, P_PUBLISHER) && !proto_map_get(b, "department") &&
	         !(m->own && o->kind == DCAT_IRI &&
	           strncmp(m->g->nodes[o->node].s, "urn:maille:territory:", 21) == 0) &&
	         (s = text_of(m->g, o, &len, false))) {
		r = import_text(m->set, m->d, b, "department", "department", s, len, 0);
		if (r >= 0 && o->kind == DCAT_IRI) /* the name is mapped, its address kept */
			r = ext(m, t);
	}
	else if (is(t, P_CREATOR) && !proto_map_get(b, "department") &&
	         (s = text_of(m->g, o, &len, false)))
		r = import_text(m->set, m->d, b, "department", "department", s, len, 0);
	else if (is(t, P_CONTACT))
		r = map_contact(m, t);
	else if (is(t, P_IDENTIFIER) && o->kind == DCAT_LITERAL)
		r = put_identifier(m, o->s, o->len);
	else if (is(t, P_ADMS_ID) && is_node(o)) {
		const dcat_triple *u = t_begin(m->g, o->node);
		for (; u < t_end(m->g, o->node) && !(is(u, P_NOTATION) && u->o.kind == DCAT_LITERAL); u++)
			;
		if (u == t_end(m->g, o->node))
			return 0;
		r = put_identifier(m, u->o.s, u->o.len);
	} else if (is(t, P_LANGUAGE) && !proto_map_get(b, PROTO_F_LANG) && lang_of(m->g, o, lang))
		r = put_str(m, b, PROTO_F_LANG, lang, strlen(lang));
	else if (is(t, RDF_TYPE) && o->kind == DCAT_IRI &&
	         (strcmp(m->g->nodes[o->node].s, T_DATASET) == 0 ||
	          strcmp(m->g->nodes[o->node].s, T_SERVICE) == 0))
		r = 0;
	else
		return 0;
	return r < 0 ? r : 1;
}

/* dct:modified, else dct:issued, as release_date; the other kept under extensions. */
static int map_dates(dcat_map *m, uint32_t n)
{
	const dcat_graph *g = m->g;
	const dcat_triple *mod = NULL, *iss = NULL;
	for (const dcat_triple *t = t_begin(g, n); t < t_end(g, n); t++) {
		if (is(t, P_MODIFIED) && t->o.kind == DCAT_LITERAL && !mod)
			mod = t;
		else if (is(t, P_ISSUED) && t->o.kind == DCAT_LITERAL && !iss)
			iss = t;
	}
	const dcat_triple *use = m->own ? iss : mod ? mod : iss;
	int r = 0;
	if (use)
		r = import_date(m->set, m->d, m->d->body, "release_date", "release_date", use->o.s,
		                use->o.len);
	for (const dcat_triple *t = t_begin(g, n); r >= 0 && t < t_end(g, n); t++)
		if ((is(t, P_MODIFIED) || is(t, P_ISSUED)) && t != use)
			r = ext(m, t);
	return r < 0 ? r : 0;
}

/* The format of a distribution: dct:format (a name, the EU file-type's code as its usual
 * name or its last segment, a node's label), else dcat:mediaType (an IANA address's type). */
static const char *format_of(const dcat_graph *g, uint32_t n, size_t *ret_len)
{
	static const char iana[] = "www.iana.org/assignments/media-types/";
	const char *media = NULL;
	size_t mlen = 0;
	for (const dcat_triple *t = t_begin(g, n); t < t_end(g, n); t++) {
		size_t len;
		const char *s = text_of(g, &t->o, &len, true);
		if (!s || !len)
			continue;
		if (is(t, P_FORMAT)) {
			const char *slash = t->o.kind == DCAT_IRI ? memchr(s, '/', len) : NULL;
			if (slash) {
				const char *last = s + len;
				while (last > s && last[-1] != '/')
					last--;
				/* the EU file-type's code by its usual name (what Maille's export
				 * wrote: WFS_SRVC is "WFS") */
				const dcat_file_type *ft =
				    (size_t)(last - s) == strlen(DCAT_FILE_TYPE_NS) &&
				            strncmp(s, DCAT_FILE_TYPE_NS, strlen(DCAT_FILE_TYPE_NS)) == 0
				        ? dcat_file_type_find(last, (size_t)(s + len - last))
				        : NULL;
				len = ft ? strlen(ft->name) : (size_t)(s + len - last);
				s = ft ? ft->name : last;
			}
			if (len) {
				*ret_len = len;
				return s;
			}
		} else if (is(t, P_MEDIA_TYPE) && !media) {
			const char *i = len > sizeof iana ? strstr(s, iana) : NULL;
			media = i ? i + strlen(iana) : s;
			mlen = (size_t)(s + len - media);
		}
	}
	*ret_len = mlen;
	return media;
}

/* Whether a dct:format value says nothing but the format the field holds: a name, an EU
 * file type of the table (read back as its name), a node with only its types and labels (what
 * Maille's export writes for a format the vocabulary lacks): then not kept under extensions. */
static bool format_only(const dcat_graph *g, const dcat_obj *o)
{
	if (o->kind == DCAT_LITERAL)
		return true;
	size_t len;
	const char *s = iri(g, o->node, &len);
	size_t nl = strlen(DCAT_FILE_TYPE_NS);
	/* the JSON-LD reader keeps a blank node's label ("_:b3") as its IRI */
	bool labelled = len > 2 && s[0] == '_' && s[1] == ':';
	if (o->kind == DCAT_IRI && !labelled)
		return len > nl && strncmp(s, DCAT_FILE_TYPE_NS, nl) == 0 &&
		       dcat_file_type_find(s + nl, len - nl);
	bool label = false;
	for (const dcat_triple *t = t_begin(g, o->node); t < t_end(g, o->node); t++) {
		bool l = (is(t, P_RDFS_LABEL) || is(t, P_PREF_LABEL)) && t->o.kind == DCAT_LITERAL;
		if (!l && !is(t, RDF_TYPE))
			return false;
		label |= l;
	}
	return label;
}

/* One distribution: {access_url, format, licence} (licence: the dataset's when the
 * distribution names none) into distributions[], the rest into dext. */
static int map_distribution(dcat_map *m, uint32_t n, const proto_value *licence, proto_value *dext)
{
	const dcat_graph *g = m->g;
	proto_value *dist = push_map(m, m->d->body, "distributions");
	if (!dist)
		return MAILLE_ENOMEM;
	bool has_access = false, licensed = false;
	for (const dcat_triple *t = t_begin(g, n); t < t_end(g, n); t++)
		has_access |= is(t, P_ACCESS_URL);
	int r = 0;
	bool url = false;
	for (const dcat_triple *t = t_begin(g, n); r >= 0 && t < t_end(g, n); t++) {
		size_t len;
		const char *s = url_of(g, &t->o, &len);
		if (!url && s && is(t, has_access ? P_ACCESS_URL : P_DOWNLOAD_URL)) {
			r = import_uri(m->set, m->d, dist, "access_url", "distributions[].access_url", s, len);
			url = true;
			continue;
		}
		if (is(t, P_LICENSE) && !licensed) {
			r = put_licence(m, dist, "distributions[].licence", &t->o);
			licensed = r == 1;
			continue;
		}
		if (is(t, P_RIGHTS) && not_specified(&t->o)) {
			r = put_licence(m, dist, "distributions[].licence", &t->o);
			continue;
		}
		if ((is(t, RDF_TYPE) && t->o.kind == DCAT_IRI &&
		     strcmp(g->nodes[t->o.node].s, DCAT_NS "Distribution") == 0) ||
		    (is(t, P_FORMAT) && format_only(g, &t->o))) /* the format itself */
			continue;
		r = ext_triple(m, dext, t);
	}
	size_t flen;
	const char *format = format_of(g, n, &flen);
	if (r >= 0 && format)
		r = import_text(m->set, m->d, dist, "format", "distributions[].format", format, flen, 0);
	if (r >= 0 && !licensed && licence) {
		proto_value *slot = proto_value_map_put(&m->set->arena, dist, "licence", 7);
		if (!slot)
			return MAILLE_ENOMEM;
		*slot = *licence;
		if (!m->said_inherited)
			import_issue_add(m->set, m->d, IMPORT_NOTE, "distributions[].licence",
			                 "distribution sans licence : celle du jeu de données (%s)",
			                 "distribution with no licence: the dataset's (%s)",
			                 licence->u.str.ptr);
		m->said_inherited = true;
	}
	return r < 0 ? r : 0;
}

/* The distributions of dataset n, then the dataset's licence from its distributions when it
 * names none and they all name the same. */
static int map_distributions(dcat_map *m, uint32_t n)
{
	const dcat_graph *g = m->g;
	proto_arena *a = &m->set->arena;
	const proto_value *licence = proto_map_get(m->d->body, "licence");
	proto_value *dexts = proto_value_new(a, PROTO_V_ARRAY);
	if (!dexts)
		return MAILLE_ENOMEM;
	bool any = false;
	for (const dcat_triple *t = t_begin(g, n); t < t_end(g, n); t++) {
		if (!is(t, P_DISTRIBUTION))
			continue;
		proto_value *dext = proto_value_array_push(a, dexts);
		if (!dext)
			return MAILLE_ENOMEM;
		dext->type = PROTO_V_MAP;
		if (!is_node(&t->o)) { /* a literal where a distribution should be */
			int r = ext(m, t);
			if (r)
				return r;
			dexts->u.arr.n--;
			continue;
		}
		m->stack[m->depth++] = t->o.node; /* its blank nodes may not lead back to it */
		int r = map_distribution(m, t->o.node, licence, dext);
		m->depth--;
		if (r)
			return r;
		any |= dext->u.map.n > 0;
	}
	if (any) {
		proto_value *e = import_ext(m->set, m->d);
		proto_value *slot = e ? proto_value_map_put(a, e, "distributions", 13) : NULL;
		if (!slot)
			return MAILLE_ENOMEM;
		*slot = *dexts;
	}
	const proto_value *dists = proto_map_get(m->d->body, "distributions");
	if (licence || !dists || dists->u.arr.n == 0)
		return 0;
	const proto_value *first = proto_map_get(&dists->u.arr.items[0], "licence");
	for (size_t i = 1; first && i < dists->u.arr.n; i++) {
		const proto_value *l = proto_map_get(&dists->u.arr.items[i], "licence");
		if (!l || strcmp(l->u.str.ptr, first->u.str.ptr) != 0)
			first = NULL;
	}
	if (!first)
		return 0;
	proto_value *slot = proto_value_map_put(a, m->d->body, "licence", 7);
	if (!slot)
		return MAILLE_ENOMEM;
	*slot = *first;
	import_issue_add(m->set, m->d, IMPORT_NOTE, "licence",
	                 "licence du jeu de données prise de ses distributions (%s)",
	                 "the dataset's licence taken from its distributions (%s)", first->u.str.ptr);
	return 0;
}

/* A data service's own fields: its endpoint and description as links, the datasets it serves
 * as relations (their paths when this file gives them). 1 when mapped. */
static int map_service_field(dcat_map *m, const dcat_triple *t)
{
	const dcat_graph *g = m->g;
	size_t len;
	const char *s = url_of(g, &t->o, &len);
	if (!s)
		return 0;
	if (is(t, P_ENDPOINT_URL) || is(t, P_ENDPOINT_DESC)) {
		proto_value *scratch = proto_value_new(&m->set->arena, PROTO_V_MAP);
		if (!scratch)
			return MAILLE_ENOMEM;
		int r = import_uri(m->set, m->d, scratch, "href", "links[].href", s, len);
		if (r != 1)
			return r;
		proto_value *l = push_map(m, m->d->body, "links");
		const char *rel = is(t, P_ENDPOINT_URL) ? "endpoint" : "describedby";
		proto_value *href = l && !put_str(m, l, "rel", rel, strlen(rel))
		                        ? proto_value_map_put(&m->set->arena, l, "href", 4) : NULL;
		if (!href)
			return MAILLE_ENOMEM;
		*href = *proto_map_get(scratch, "href");
		return 1;
	}
	if (is(t, P_SERVES)) {
		const char *path = t->o.kind == DCAT_IRI ? m->paths[t->o.node] : NULL;
		proto_value *rel = push_map(m, m->d->body, "relations");
		if (!rel || put_str(m, rel, "rel", "uses", 4) ||
		    put_str(m, rel, "target", path ? path : s, path ? strlen(path) : len))
			return MAILLE_ENOMEM;
		return 1;
	}
	return 0;
}

static int map_resource(dcat_map *m, uint32_t n, bool service)
{
	const dcat_graph *g = m->g;
	size_t ilen;
	const char *id = iri(g, n, &ilen);
	const char *what = service ? "dcat:DataService" : "dcat:Dataset";
	size_t errors = m->set->n_errors_total;
	import_draft *d = g->nodes[n].kind == DCAT_IRI
	                      ? import_draft_new(m->set, m->src, "component", "%s <%.100s>", what, id)
	                      : import_draft_new(m->set, m->src, "component", "%s (nœud anonyme)",
	                                         what);
	if (!d)
		return m->set->n_errors_total != errors ? MAILLE_ETOOBIG : MAILLE_ENOMEM;
	m->d = d;
	m->stack[0] = n; /* its blank nodes may not lead back to it */
	m->depth = 1;
	m->walked = 0;
	m->cut_cycle = m->cut_size = m->said_unspecified = m->said_inherited = false;
	m->own = false;
	for (const dcat_triple *t = t_begin(g, n); t < t_end(g, n); t++)
		m->own = m->own || (is(t, P_IDENTIFIER) && t->o.kind == DCAT_LITERAL &&
		                    t->o.len > 11 && strncmp(t->o.s, "urn:maille:", 11) == 0);
	d->path = m->paths[n] ? m->paths[n] : path_for(m, n);
	const char *kind = service ? "api" : "dataset";
	if (put_str(m, d->body, "component_kind", kind, strlen(kind)))
		return MAILLE_ENOMEM;
	if (g->nodes[n].kind == DCAT_IRI && datagouv_id(id, ilen, (char[128]){ 0 }, 128) &&
	    put_identifier(m, id, ilen))
		return MAILLE_ENOMEM;
	bool licensed = false;
	int r = 0;
	for (const dcat_triple *t = t_begin(g, n); r >= 0 && t < t_end(g, n); t++) {
		if (is(t, P_MODIFIED) || is(t, P_ISSUED) || (!service && is(t, P_DISTRIBUTION)))
			continue;
		r = map_shared(m, t, &licensed);
		if (r == 0 && service)
			r = map_service_field(m, t);
		if (r == 0)
			r = ext(m, t);
	}
	if (r >= 0)
		r = map_dates(m, n);
	if (r >= 0 && !service)
		r = map_distributions(m, n);
	return r < 0 ? r : 0;
}

/* ---- the file --------------------------------------------------------------------------- */

static int map_graph(import_set *set, const import_src *src, dcat_graph *g)
{
	dcat_map m = { .set = set, .src = src, .g = g };
	m.role = calloc(g->n_nodes + 1, 1);
	m.paths = calloc(g->n_nodes + 1, sizeof *m.paths);
	m.stack = calloc(IMPORT_DEPTH_MAX + 1, sizeof *m.stack);
	int r = 0;
	if (!m.role || !m.paths || !m.stack) {
		r = MAILLE_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < g->n; i++) {
		const dcat_triple *t = &g->t[i];
		if (!is_node(&t->o))
			continue;
		if (is(t, P_DATASET))
			m.role[t->o.node] |= ROLE_DATASET;
		else if (is(t, P_SERVICE))
			m.role[t->o.node] |= ROLE_SERVICE;
		else if (is(t, RDF_TYPE) && strcmp(g->nodes[t->o.node].s, T_DATASET) == 0)
			m.role[t->s] |= ROLE_DATASET;
		else if (is(t, RDF_TYPE) && strcmp(g->nodes[t->o.node].s, T_SERVICE) == 0)
			m.role[t->s] |= ROLE_SERVICE;
	}
	size_t found = 0;
	for (uint32_t n = 0; n < g->n_nodes; n++)
		if (m.role[n]) {
			if (m.role[n] == ROLE_DATASET)
				m.paths[n] = path_for(&m, n);
			found++;
		}
	for (uint32_t n = 0; !r && n < g->n_nodes; n++)
		if (m.role[n])
			r = map_resource(&m, n, m.role[n] & ROLE_SERVICE);
	if (!r && found == 0)
		r = import_file_fail(set, src, MAILLE_EPROTO, 0, 0, "",
		                     "aucun dcat:Dataset ni dcat:DataService dans ce fichier",
		                     "no dcat:Dataset nor dcat:DataService in this file");
out:
	free(m.role);
	free(m.paths);
	free(m.stack);
	return r;
}

/* The first line with bytes that are not UTF-8, 0 if none. */
static unsigned bad_utf8_line(const uint8_t *s, size_t len)
{
	unsigned line = 1;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = proto_utf8_next(s + i, len - i, &cp);
		if (!n)
			return line;
		line += s[i] == '\n';
		i += n;
	}
	return 0;
}

/* Whether the text at s looks like RDF/XML: an XML declaration, a comment or doctype, or an
 * rdf:RDF element (whatever its prefix). */
static bool looks_xml(const uint8_t *s, size_t len)
{
	if (len < 2 || s[0] != '<')
		return false;
	if (s[1] == '?' || s[1] == '!')
		return true;
	size_t i = 1;
	while (i < len && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
	                   (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-' || s[i] == '.'))
		i++;
	if (i < len && s[i] == ':')
		i++;
	return i + 3 < len && memcmp(s + i, "RDF", 3) == 0 &&
	       (s[i + 3] == ' ' || s[i + 3] == '>' || s[i + 3] == '\n' || s[i + 3] == '\r' ||
	        s[i + 3] == '\t');
}

/* RDF/XML when the file starts (after a BOM and spaces) with an XML declaration or an
 * rdf:RDF element; JSON with '{' or '['; Turtle otherwise. */
int import_read_dcat(import_set *set, const import_src *src)
{
	const uint8_t *buf = src->buf;
	size_t len = src->len;
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		buf += 3, len -= 3;
	if (len >= 2 && ((buf[0] == 0xff && buf[1] == 0xfe) || (buf[0] == 0xfe && buf[1] == 0xff)))
		return import_file_fail(set, src, MAILLE_EUTF8, 1, 0, "",
		                        "fichier en UTF-16 : enregistrez-le en UTF-8",
		                        "UTF-16 file: save it as UTF-8");
	unsigned bad = bad_utf8_line(buf, len);
	if (bad)
		return import_file_fail(set, src, MAILLE_EUTF8, bad, 0, "",
		                        "octets qui ne sont pas de l'UTF-8 (le fichier est-il en "
		                        "Latin-1 ?)",
		                        "bytes that are not UTF-8 (is the file in Latin-1?)");
	size_t i = 0;
	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n'))
		i++;
	dcat_graph g;
	dcat_graph_init(&g);
	int r;
	if (i < len && (buf[i] == '{' || buf[i] == '['))
		r = dcat_read_json(set, src, buf, len, &g);
	else
		r = dcat_read_rdf(set, src, buf, len, looks_xml(buf + i, len - i), &g);
	if (!r)
		r = dcat_graph_index(&g);
	if (!r)
		r = map_graph(set, src, &g);
	dcat_graph_done(&g);
	return r;
}
