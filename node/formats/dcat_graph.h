/* node/formats/dcat_graph.h: the small in-memory RDF graph the DCAT reader maps to drafts
 * (import_dcat.c), filled by the RDF/XML and Turtle reader on raptor2 (import_dcat_rdf.c) or
 * by the JSON-LD and DCAT-US JSON reader on jansson (import_dcat_jsonld.c). Private to
 * node/formats.
 *
 * Nodes (IRIs and blank nodes) are interned: one id each, in the order the source first names
 * them, so that drafts come out in the file's order. A triple keeps, beside its predicate's
 * IRI, the key the source wrote for it ("dct:title" in RDF, "accessLevel" in DCAT-US JSON):
 * that is the key under extensions.dcat when the predicate maps to no field. */
#ifndef MAILLE_NODE_FORMATS_DCAT_GRAPH_H
#define MAILLE_NODE_FORMATS_DCAT_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "import.h"

/* Triples one file may give (a catalogue of some ten thousand datasets has a few hundred
 * thousand): past it the file is refused rather than held in memory. */
#define DCAT_TRIPLES_MAX 2000000u
/* Nodes one draft's extensions may copy from blank nodes (a chain of blank nodes shared by
 * many would otherwise be copied once per path through it). */
#define DCAT_WALK_MAX 4096u
/* Keywords and identifiers one draft takes (each new one is compared with those before). */
#define DCAT_LIST_MAX 1000u
/* The base relative IRIs of a file are resolved against, taken off again when read (a
 * relative address is then refused as not being a web address). */
#define DCAT_BASE "https://import.invalid/"

typedef enum dcat_kind {
	DCAT_IRI,
	DCAT_BLANK,
	DCAT_LITERAL,
} dcat_kind;

typedef struct dcat_node {
	dcat_kind kind; /* DCAT_IRI or DCAT_BLANK */
	const char *s;  /* the IRI, or the blank node's label */
	size_t len;
} dcat_node;

typedef struct dcat_obj {
	dcat_kind kind;
	uint32_t node;    /* IRI or blank */
	const char *s;    /* literal: its text (NUL-terminated) */
	size_t len;
	const char *lang; /* literal: language tag, NULL if none */
	const char *dt;   /* literal: datatype IRI, NULL if none */
} dcat_obj;

typedef struct dcat_triple {
	uint32_t s;
	uint32_t seq;     /* the source's order */
	const char *p;    /* the predicate's IRI, or the source's key when it has none */
	const char *key;  /* the key the source wrote */
	dcat_obj o;
} dcat_triple;

typedef struct dcat_graph {
	proto_arena arena;
	dcat_node *nodes;
	size_t n_nodes, cap_nodes;
	uint32_t *hash; /* open addressing: node id + 1, 0 = empty */
	size_t cap_hash;
	dcat_triple *t;
	size_t n, cap;
	size_t *first; /* after dcat_graph_index: the triples of node i are t[first[i]..first[i+1]) */
	unsigned blank_seq;
} dcat_graph;

void dcat_graph_init(dcat_graph *g);
void dcat_graph_done(dcat_graph *g);
/* The id of a node, interned. MAILLE_ENOMEM, else 0. */
int dcat_graph_node(dcat_graph *g, dcat_kind kind, const char *s, size_t len, uint32_t *ret);
/* A new blank node of the reader's own. */
int dcat_graph_blank(dcat_graph *g, uint32_t *ret);
/* Adds a triple (strings copied). MAILLE_ETOOBIG past DCAT_TRIPLES_MAX, MAILLE_ENOMEM. */
int dcat_graph_add(dcat_graph *g, uint32_t s, const char *p, const char *key, const dcat_obj *o);
/* Sorts the triples by subject, the source's order kept within one. */
int dcat_graph_index(dcat_graph *g);

/* The readers: src into g, or a file error recorded (import_file_fail) and its code. */
int dcat_read_rdf(import_set *set, const import_src *src, const uint8_t *buf, size_t len,
                  bool xml, dcat_graph *g);
int dcat_read_json(import_set *set, const import_src *src, const uint8_t *buf, size_t len,
                   dcat_graph *g);

/* A namespace by its prefix. */
typedef struct dcat_prefix {
	const char *prefix, *ns;
} dcat_prefix;
/* The prefixes of Maille's own DCAT export (export_dcat.c: its Turtle's @prefix lines and its
 * JSON-LD's inline @context), NULL-prefix-terminated: the JSON-LD reader knows that context. */
extern const dcat_prefix dcat_export_prefixes[];

/* A distribution's format as the EU file-type vocabulary names it: Maille's name of the
 * format (what its records and the importers write) and the vocabulary's code, the last
 * segment of its IRI (DCAT_FILE_TYPE_NS "GEOJSON"). The export writes the IRI, the import
 * reads the name back, so that a format of the table survives the round trip. */
typedef struct dcat_file_type {
	const char *name, *code;
} dcat_file_type;
#define DCAT_FILE_TYPE_NS "http://publications.europa.eu/resource/authority/file-type/"
/* The entry of name (the table's name or code, any case; len bytes), or NULL. */
const dcat_file_type *dcat_file_type_find(const char *name, size_t len);

/* The IRIs the mapping reads. */
#define DCAT_NS "http://www.w3.org/ns/dcat#"
#define DCT_NS "http://purl.org/dc/terms/"
#define RDF_TYPE "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

#endif
