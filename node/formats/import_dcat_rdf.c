/* node/formats/import_dcat_rdf.c: DCAT-AP / GeoDCAT-AP in RDF/XML or Turtle into the DCAT
 * reader's graph (dcat_graph.h), on raptor2: a kept library that reads both syntaxes (serd
 * reads Turtle but not RDF/XML).
 *
 * The parser touches nothing but the bytes it is given: no network (RAPTOR_OPTION_NO_NET),
 * no file (RAPTOR_OPTION_NO_FILE), no external XML entity (RAPTOR_OPTION_LOAD_EXTERNAL_ENTITIES
 * off: an entity naming a file reads as empty text). Its first error ends the file, with its
 * line; its warnings are not errors. */
#include <raptor2.h>
#include <stdio.h>
#include <string.h>

#include "dcat_graph.h"
#include "proto/error.h"
#include "proto/schema.h"

/* Prefixes a predicate's key is written with under extensions.dcat (the usual ones of
 * DCAT-AP 3 and GeoDCAT-AP); another namespace keeps the whole IRI. */
static const struct {
	const char *prefix, *ns;
} prefixes[] = {
	{ "dcat", DCAT_NS },
	{ "dct", DCT_NS },
	{ "foaf", "http://xmlns.com/foaf/0.1/" },
	{ "vcard", "http://www.w3.org/2006/vcard/ns#" },
	{ "adms", "http://www.w3.org/ns/adms#" },
	{ "skos", "http://www.w3.org/2004/02/skos/core#" },
	{ "rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#" },
	{ "rdfs", "http://www.w3.org/2000/01/rdf-schema#" },
	{ "owl", "http://www.w3.org/2002/07/owl#" },
	{ "xsd", "http://www.w3.org/2001/XMLSchema#" },
	{ "schema", "http://schema.org/" },
	{ "locn", "http://www.w3.org/ns/locn#" },
	{ "prov", "http://www.w3.org/ns/prov#" },
	{ "spdx", "http://spdx.org/rdf/terms#" },
	{ "dcatap", "http://data.europa.eu/r5r/" },
	{ "geodcatap", "http://data.europa.eu/930/" },
	{ "hydra", "http://www.w3.org/ns/hydra/core#" },
	{ "odrl", "http://www.w3.org/ns/odrl/2/" },
	{ "time", "http://www.w3.org/2006/time#" },
	{ "gsp", "http://www.opengis.net/ont/geosparql#" },
	{ "dqv", "http://www.w3.org/ns/dqv#" },
	{ "org", "http://www.w3.org/ns/org#" },
};

typedef struct rdf_ctx {
	dcat_graph *g;
	int err;           /* the first failure of ours (memory, limits) */
	bool failed;       /* the parser reported an error */
	int line, column;
	char msg[200];
	char prefixed[120]; /* the name whose prefix is not declared, if that is the error */
	raptor_parser *parser;
} rdf_ctx;

static void on_log(void *data, raptor_log_message *m)
{
	rdf_ctx *c = data;
	if (m->level < RAPTOR_LOG_LEVEL_ERROR || c->failed)
		return;
	c->failed = true;
	/* some errors come without a place: the parser's own is where it stopped */
	raptor_locator *at = m->locator ? m->locator
	                     : c->parser ? raptor_parser_get_locator(c->parser) : NULL;
	c->line = at ? at->line : -1;
	c->column = at ? at->column : -1;
	const char *t = m->text ? m->text : "";
	proto_schema_quote(c->msg, sizeof c->msg, t, strlen(t));
	static const char undeclared[] = "The namespace prefix in \"";
	const char *q = strncmp(t, undeclared, strlen(undeclared)) == 0 ? t + strlen(undeclared) : NULL;
	const char *end = q ? strchr(q, '"') : NULL;
	if (end)
		proto_schema_quote(c->prefixed, sizeof c->prefixed, q, (size_t)(end - q));
}

static int term_node(rdf_ctx *c, const raptor_term *t, uint32_t *ret)
{
	if (t->type == RAPTOR_TERM_TYPE_URI) {
		size_t len;
		const unsigned char *s = raptor_uri_as_counted_string(t->value.uri, &len);
		return dcat_graph_node(c->g, DCAT_IRI, (const char *)s, len, ret);
	}
	return dcat_graph_node(c->g, DCAT_BLANK, (const char *)t->value.blank.string,
	                       t->value.blank.string_len, ret);
}

static void on_statement(void *data, raptor_statement *st)
{
	rdf_ctx *c = data;
	if (c->err || c->failed)
		return;
	uint32_t s;
	dcat_obj o = { 0 };
	char key[256];
	size_t plen;
	const char *p = (const char *)raptor_uri_as_counted_string(st->predicate->value.uri, &plen);
	snprintf(key, sizeof key, "%s", p);
	for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
		size_t n = strlen(prefixes[i].ns);
		if (plen > n && strncmp(p, prefixes[i].ns, n) == 0) {
			snprintf(key, sizeof key, "%s:%s", prefixes[i].prefix, p + n);
			break;
		}
	}
	int r = term_node(c, st->subject, &s);
	if (!r && st->object->type == RAPTOR_TERM_TYPE_LITERAL) {
		const raptor_term_literal_value *l = &st->object->value.literal;
		o.kind = DCAT_LITERAL;
		o.s = (const char *)l->string;
		o.len = l->string_len;
		o.lang = l->language_len ? (const char *)l->language : NULL;
		o.dt = l->datatype ? (const char *)raptor_uri_as_string(l->datatype) : NULL;
	} else if (!r) {
		o.kind = st->object->type == RAPTOR_TERM_TYPE_URI ? DCAT_IRI : DCAT_BLANK;
		r = term_node(c, st->object, &o.node);
	}
	if (!r)
		r = dcat_graph_add(c->g, s, p, key, &o);
	if (r) {
		c->err = r;
		raptor_parser_parse_abort(c->parser);
	}
}

/* The first brace of buf outside comments, strings and IRIs: Turtle has none (a graph block
 * "<name> { ... }" is TriG's), and raptor2 2.0.15's Turtle reader, which reads such blocks,
 * crashes on an empty IRI before one ("<>{"). Its line and column (1-based) into ret_*;
 * false: none. */
static bool turtle_brace(const uint8_t *buf, size_t len, unsigned *ret_line, unsigned *ret_col)
{
	unsigned line = 1, col = 0;
	for (size_t i = 0; i < len; i++) {
		uint8_t ch = buf[i];
		col++;
		if (ch == '\n') {
			line++;
			col = 0;
		} else if (ch == '#') { /* a comment, to the end of the line */
			while (i + 1 < len && buf[i + 1] != '\n' && buf[i + 1] != '\r')
				i++;
		} else if (ch == '<') { /* an IRI: no space, no quote, no brace inside */
			while (i + 1 < len && buf[i + 1] != '>' && buf[i + 1] > ' ' && buf[i + 1] != '{' &&
			       buf[i + 1] != '}') {
				i++;
				col++;
			}
		} else if (ch == '"' || ch == '\'') { /* a string, short or long ("""...""") */
			bool triple = i + 2 < len && buf[i + 1] == ch && buf[i + 2] == ch;
			size_t j = i + (triple ? 3 : 1);
			for (; j < len; j++) {
				if (buf[j] == '\\') {
					j++;
					continue;
				}
				if (buf[j] == '\n') {
					line++;
					col = 0;
				}
				if (buf[j] == ch && (!triple || (j + 2 < len && buf[j + 1] == ch && buf[j + 2] == ch)))
					break;
			}
			i = triple ? j + 2 : j; /* an unclosed string: raptor says so */
		} else if (ch == '{' || ch == '}') {
			*ret_line = line;
			*ret_col = col;
			return true;
		}
	}
	return false;
}

int dcat_read_rdf(import_set *set, const import_src *src, const uint8_t *buf, size_t len,
                  bool xml, dcat_graph *g)
{
	unsigned bl, bc;
	if (!xml && turtle_brace(buf, len, &bl, &bc))
		return import_file_fail(set, src, MAILLE_EPROTO, bl, bc, "",
		                        "Turtle illisible : une accolade hors d'une chaîne (un bloc de "
		                        "graphe TriG ou N3 n'est pas du Turtle)",
		                        "unreadable Turtle: a brace outside a string (a TriG or N3 graph "
		                        "block is not Turtle)");
	rdf_ctx c = { .g = g };
	raptor_world *w = raptor_new_world();
	if (!w || raptor_world_open(w)) {
		if (w)
			raptor_free_world(w);
		return MAILLE_ENOMEM;
	}
	raptor_world_set_log_handler(w, &c, on_log);
	raptor_parser *p = raptor_new_parser(w, xml ? "rdfxml" : "turtle");
	raptor_uri *base = raptor_new_uri(w, (const unsigned char *)DCAT_BASE);
	int r = 0;
	if (!p || !base) {
		r = MAILLE_ENOMEM;
		goto out;
	}
	c.parser = p;
	raptor_parser_set_option(p, RAPTOR_OPTION_NO_NET, NULL, 1);
	raptor_parser_set_option(p, RAPTOR_OPTION_NO_FILE, NULL, 1);
	raptor_parser_set_option(p, RAPTOR_OPTION_LOAD_EXTERNAL_ENTITIES, NULL, 0);
	raptor_parser_set_statement_handler(p, &c, on_statement);
	if (raptor_parser_parse_start(p, base) == 0 && len)
		raptor_parser_parse_chunk(p, buf, len, 0);
	if (!c.err && !c.failed)
		raptor_parser_parse_chunk(p, NULL, 0, 1);
	if (c.err == MAILLE_ETOOBIG)
		r = import_file_fail(set, src, c.err, 0, 0, "", "plus de %u triplets RDF",
		                     "over %u RDF triples", DCAT_TRIPLES_MAX);
	else if (c.err)
		r = c.err;
	else if (c.failed && c.prefixed[0])
		r = import_file_fail(set, src, MAILLE_EPROTO, c.line > 0 ? (unsigned)c.line : 0,
		                     c.column > 0 ? (unsigned)c.column : 0, "",
		                     "le préfixe de « %s » n'est pas déclaré (@prefix)",
		                     "the prefix of \"%s\" is not declared (@prefix)", c.prefixed);
	else if (c.failed)
		r = import_file_fail(set, src, MAILLE_EPROTO, c.line > 0 ? (unsigned)c.line : 0,
		                     c.column > 0 ? (unsigned)c.column : 0, "",
		                     "%s illisible : %s", "unreadable %s: %s",
		                     xml ? "RDF/XML" : "Turtle", c.msg);
out:
	if (base)
		raptor_free_uri(base);
	if (p)
		raptor_free_parser(p);
	raptor_free_world(w);
	return r;
}
