/* node/formats/dcat_graph.c: the DCAT reader's in-memory graph (dcat_graph.h). */
#include "dcat_graph.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/error.h"

/* The formats of open data portals, by their usual name; the codes are the EU vocabulary's
 * (publications.europa.eu/resource/authority/file-type). */
static const dcat_file_type file_types[] = {
	{ "CSV", "CSV" },         { "TSV", "TSV" },       { "JSON", "JSON" },
	{ "GeoJSON", "GEOJSON" }, { "JSON-LD", "JSON_LD" }, { "XML", "XML" },
	{ "PDF", "PDF" },         { "ZIP", "ZIP" },       { "XLSX", "XLSX" },
	{ "XLS", "XLS" },         { "ODS", "ODS" },       { "Shapefile", "SHP" },
	{ "GeoPackage", "GPKG" }, { "KML", "KML" },       { "KMZ", "KMZ" },
	{ "GML", "GML" },         { "HTML", "HTML" },     { "TXT", "TXT" },
	{ "RDF/XML", "RDF_XML" }, { "Turtle", "RDF_TURTLE" }, { "Parquet", "PARQUET" },
	{ "WMS", "WMS_SRVC" },    { "WFS", "WFS_SRVC" },  { "DOCX", "DOCX" },
	{ "ODT", "ODT" },         { "PNG", "PNG" },       { "JPEG", "JPEG" },
	{ "GeoTIFF", "GEOTIFF" }, { "NetCDF", "NETCDF" },
};

static bool same_name(const char *a, const char *b, size_t len)
{
	if (strlen(a) != len)
		return false;
	for (size_t i = 0; i < len; i++) {
		char x = a[i], y = b[i];
		if ((x >= 'a' && x <= 'z' ? x - 32 : x) != (y >= 'a' && y <= 'z' ? y - 32 : y))
			return false;
	}
	return true;
}

const dcat_file_type *dcat_file_type_find(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof file_types / sizeof file_types[0]; i++)
		if (same_name(file_types[i].name, name, len) || same_name(file_types[i].code, name, len))
			return &file_types[i];
	return NULL;
}

void dcat_graph_init(dcat_graph *g)
{
	memset(g, 0, sizeof *g);
	/* the file is at most IMPORT_FILE_MAX; its graph a few times that */
	proto_arena_init(&g->arena, 8u * IMPORT_FILE_MAX);
}

void dcat_graph_done(dcat_graph *g)
{
	free(g->nodes);
	free(g->hash);
	free(g->t);
	free(g->first);
	proto_arena_done(&g->arena);
	memset(g, 0, sizeof *g);
}

/* Room for one more item in a growing array of size-byte items (first: its first capacity). */
static int grow(void *vp, size_t *cap, size_t n, size_t size, size_t first)
{
	void **v = vp;
	if (n < *cap)
		return 0;
	size_t c = *cap ? 2 * *cap : first;
	void *w = realloc(*v, c * size);
	if (!w)
		return MAILLE_ENOMEM;
	*v = w;
	*cap = c;
	return 0;
}

static uint32_t hash_of(dcat_kind kind, const char *s, size_t len)
{
	uint32_t h = 2166136261u ^ (uint32_t)kind;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)s[i]) * 16777619u;
	return h;
}

static int rehash(dcat_graph *g)
{
	size_t cap = g->cap_hash ? 2 * g->cap_hash : 1024;
	uint32_t *h = calloc(cap, sizeof *h);
	if (!h)
		return MAILLE_ENOMEM;
	for (size_t i = 0; i < g->n_nodes; i++) {
		const dcat_node *n = &g->nodes[i];
		size_t k = hash_of(n->kind, n->s, n->len) & (cap - 1);
		while (h[k])
			k = (k + 1) & (cap - 1);
		h[k] = (uint32_t)i + 1;
	}
	free(g->hash);
	g->hash = h;
	g->cap_hash = cap;
	return 0;
}

int dcat_graph_node(dcat_graph *g, dcat_kind kind, const char *s, size_t len, uint32_t *ret)
{
	if (2 * (g->n_nodes + 1) > g->cap_hash && rehash(g))
		return MAILLE_ENOMEM;
	size_t k = hash_of(kind, s, len) & (g->cap_hash - 1);
	for (; g->hash[k]; k = (k + 1) & (g->cap_hash - 1)) {
		const dcat_node *n = &g->nodes[g->hash[k] - 1];
		if (n->kind == kind && n->len == len && memcmp(n->s, s, len) == 0) {
			*ret = g->hash[k] - 1;
			return 0;
		}
	}
	if (g->n_nodes >= DCAT_TRIPLES_MAX)
		return MAILLE_ETOOBIG;
	if (grow(&g->nodes, &g->cap_nodes, g->n_nodes, sizeof *g->nodes, 256))
		return MAILLE_ENOMEM;
	char *copy = proto_arena_strndup(&g->arena, s, len);
	if (!copy)
		return MAILLE_ENOMEM;
	g->nodes[g->n_nodes] = (dcat_node){ kind, copy, len };
	g->hash[k] = (uint32_t)g->n_nodes + 1;
	*ret = (uint32_t)g->n_nodes++;
	return 0;
}

int dcat_graph_blank(dcat_graph *g, uint32_t *ret)
{
	char label[32];
	/* a label no source spells: sources' labels never hold a space */
	int n = snprintf(label, sizeof label, "json %u", ++g->blank_seq);
	return dcat_graph_node(g, DCAT_BLANK, label, (size_t)n, ret);
}

/* The interned copy of a short string (predicates and keys repeat). */
static const char *keep(dcat_graph *g, const char *s)
{
	uint32_t id;
	if (!s || dcat_graph_node(g, DCAT_LITERAL, s, strlen(s), &id))
		return NULL;
	return g->nodes[id].s;
}

int dcat_graph_add(dcat_graph *g, uint32_t s, const char *p, const char *key, const dcat_obj *o)
{
	if (g->n >= DCAT_TRIPLES_MAX)
		return MAILLE_ETOOBIG;
	if (grow(&g->t, &g->cap, g->n, sizeof *g->t, 1024))
		return MAILLE_ENOMEM;
	dcat_triple t = { .s = s, .seq = (uint32_t)g->n, .o = *o };
	t.p = keep(g, p);
	t.key = keep(g, key ? key : p);
	if (!t.p || !t.key)
		return MAILLE_ENOMEM;
	if (o->kind == DCAT_LITERAL) {
		t.o.s = proto_arena_strndup(&g->arena, o->s ? o->s : "", o->s ? o->len : 0);
		t.o.lang = o->lang ? keep(g, o->lang) : NULL;
		t.o.dt = o->dt ? keep(g, o->dt) : NULL;
		if (!t.o.s || (o->lang && !t.o.lang) || (o->dt && !t.o.dt))
			return MAILLE_ENOMEM;
	}
	g->t[g->n++] = t;
	return 0;
}

static int cmp_triple(const void *a, const void *b)
{
	const dcat_triple *x = a, *y = b;
	if (x->s != y->s)
		return x->s < y->s ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int dcat_graph_index(dcat_graph *g)
{
	if (g->n)
		qsort(g->t, g->n, sizeof *g->t, cmp_triple);
	free(g->first);
	g->first = calloc(g->n_nodes + 1, sizeof *g->first);
	if (!g->first)
		return MAILLE_ENOMEM;
	size_t k = 0;
	for (size_t i = 0; i <= g->n_nodes; i++) {
		while (k < g->n && g->t[k].s < i)
			k++;
		g->first[i] = k;
	}
	return 0;
}
