/* node/service/frontmatter.c: a Markdown file with YAML front matter → a record body.
 *
 * The file is checked as a whole first (size, NUL bytes, UTF-8), then split into the front
 * matter and the Markdown body by its '---' lines. The front matter goes through libyaml's
 * event parser, never its document loader: events are turned into proto_value nodes as they
 * arrive, so the limits of proto_value_decode() (depth, node count, key length) are enforced
 * while parsing and anything fm_parse() accepts encodes to a body the decoder accepts.
 *
 * Line numbers in errors are the file's ('\n'-separated lines, counted from the first line of
 * the file), columns are in characters; libyaml's positions are converted, not copied. */
#include "node/service/frontmatter.h"

#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "proto/error.h"
#include "proto/limits.h"
#include "proto/record.h"

#if defined(__GNUC__)
#define FM_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define FM_PRINTF(f, a)
#endif

/* Longest piece of a key or value quoted in a message, in bytes. */
#define FM_QUOTE_MAX 48

/* The keys of the mappings being read, to find a duplicate in constant time: looking it up in
 * the map (proto_map_get) costs n² for a mapping of n keys, seconds for a 300 KB file. Open
 * addressing, keyed by (mapping number, key); the key text is the map's own arena copy. */
typedef struct fm_keyslot {
	const char *key; /* NULL: free slot */
	size_t len;
	uint64_t hash;
} fm_keyslot;

typedef struct fm_keyset {
	fm_keyslot *slots;
	size_t cap, n; /* cap is 0 or a power of two */
} fm_keyset;

typedef struct fm_ctx {
	yaml_parser_t parser;
	fm_keyset keys;
	uint32_t n_maps; /* mappings started so far, numbering them for the key set */
	proto_arena *a;
	fm_error *err;
	const uint8_t *yaml; /* the front-matter text given to libyaml */
	size_t yaml_len;
	unsigned lines_before; /* file lines before the front-matter text (the '---' line) */
	size_t nodes;          /* values and keys so far, counted as proto_value_decode() does */
	const char *field;     /* top-level key whose value is being parsed, or NULL */
	const char *path;      /* value of the top-level `path` key */
	unsigned desc_line;    /* position of the top-level `description` key, 0 if absent */
	unsigned desc_col;
	fm_lines *lines;       /* where each key and item is, when the caller asked */
	uint32_t cur;          /* the entry of lines the current value belongs to (index + 1) */
	size_t pos_index;      /* mark_line's place: a character index of the text, */
	size_t pos_off;        /* its byte offset */
	unsigned pos_line;     /* and its file line */
} fm_ctx;

/* ---- errors ------------------------------------------------------------------------------ */

/* Length of the longest prefix of s[0..len) that is at most max bytes and does not end inside
 * a UTF-8 sequence, so that quoting a key or a value never produces invalid UTF-8. */
static int utf8_clip(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return (int)len;
	size_t n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return (int)n;
}

/* After snprintf truncated buf (NUL-terminated), drops a trailing incomplete UTF-8 sequence. */
static void utf8_fix_tail(char *buf)
{
	size_t n = strlen(buf);
	size_t k = 0; /* continuation bytes at the end */
	while (k < n && k < 3 && ((unsigned char)buf[n - 1 - k] & 0xc0) == 0x80)
		k++;
	if (k == n)
		return;
	unsigned char lead = (unsigned char)buf[n - 1 - k];
	size_t want = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 0;
	if (want != k + 1)
		buf[n - 1 - k] = '\0';
}

static void fm_set_field(fm_error *err, const char *key, size_t len)
{
	int n = utf8_clip(key, len, sizeof err->field - 1);
	memcpy(err->field, key, (size_t)n);
	err->field[n] = '\0';
}

/* One language's text of the error into buf. */
FM_PRINTF(4, 0)
static void fm_vtext(char *buf, size_t cap, int code, const char *fmt, va_list ap)
{
	int n = vsnprintf(buf, cap, fmt, ap);
	if (n < 0)
		snprintf(buf, cap, "%s", maille_strerror(code));
	else if ((size_t)n >= cap)
		utf8_fix_tail(buf);
}

/* The error in French and in English: two formats that read the same arguments (each
 * checked by the compiler); where the languages need different words, both are passed and
 * each format skips the other's with "%.0s". */
FM_PRINTF(5, 0) FM_PRINTF(6, 0)
static int fm_vfail(fm_error *err, int code, unsigned line, unsigned column, const char *fr,
                    const char *en, va_list ap)
{
	va_list aq;
	err->line = line;
	err->column = column;
	va_copy(aq, ap);
	fm_vtext(err->message_fr, sizeof err->message_fr, code, fr, ap);
	fm_vtext(err->message, sizeof err->message, code, en, aq);
	va_end(aq);
	return code;
}

FM_PRINTF(5, 7) FM_PRINTF(6, 7)
static int fm_fail(fm_error *err, int code, unsigned line, unsigned column, const char *fr,
                   const char *en, ...)
{
	va_list ap;
	va_start(ap, en);
	fm_vfail(err, code, line, column, fr, en, ap);
	va_end(ap);
	return code;
}

/* Width of the UTF-8 sequence a lead byte starts, 0 for a byte that cannot start one. */
static size_t utf8_width(uint8_t b)
{
	return b < 0x80 ? 1 : b < 0xc2 ? 0 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : b < 0xf5 ? 4 : 0;
}

/* The file line and column (1-based) of a byte offset in the front-matter text. Lines are
 * counted by '\n' everywhere in this file, columns in characters. */
static void offset_pos(const fm_ctx *c, size_t off, unsigned *ret_line, unsigned *ret_col)
{
	unsigned line = c->lines_before + 1, col = 1;
	if (off > c->yaml_len)
		off = c->yaml_len;
	for (size_t i = 0; i < off; i++) {
		if (c->yaml[i] == '\n') {
			line++;
			col = 1;
		} else if ((c->yaml[i] & 0xc0) != 0x80) {
			col++;
		}
	}
	*ret_line = line;
	*ret_col = col;
}

/* The file line and column of a libyaml mark. Its own line and column cannot be used: libyaml
 * also breaks lines at a lone CR, NEL, LS and PS, which would make the numbers disagree with
 * the file's lines. Its index counts characters from the start of the text. */
static void mark_pos(const fm_ctx *c, yaml_mark_t m, unsigned *ret_line, unsigned *ret_col)
{
	size_t off = 0;
	for (size_t n = 0; n < m.index && off < c->yaml_len; n++) {
		size_t w = utf8_width(c->yaml[off]);
		off += w ? w : 1;
	}
	offset_pos(c, off, ret_line, ret_col);
}

/* The file line of a libyaml mark, as mark_pos gives it, but going on from the previous mark:
 * the keys and items of a document come in order, so recording the line of each costs one
 * pass over the text, not one per key. */
static unsigned mark_line(fm_ctx *c, yaml_mark_t m)
{
	if (m.index < c->pos_index) {
		c->pos_index = c->pos_off = 0;
		c->pos_line = c->lines_before + 1;
	}
	while (c->pos_index < m.index && c->pos_off < c->yaml_len) {
		size_t w = utf8_width(c->yaml[c->pos_off]);
		c->pos_line += c->yaml[c->pos_off] == '\n';
		c->pos_off += w ? w : 1;
		c->pos_index++;
	}
	return c->pos_line;
}

/* Records where a key (k, len) or a list item (k NULL, its index) starts; the entry becomes
 * the parent of what its value holds while the caller parses it (c->cur). */
static int lines_add(fm_ctx *c, const char *k, size_t len, size_t index, unsigned line)
{
	fm_lines *l = c->lines;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		fm_line *v = realloc(l->v, cap * sizeof *v);
		if (!v)
			return MAILLE_ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = (fm_line){ .parent = c->cur, .index = (uint32_t)index, .key = k,
		                  .key_len = len, .line = line };
	return 0;
}

/* Records the top-level key being parsed (if any) as the error's field. */
static void fm_ctx_field(fm_ctx *c)
{
	if (c->field && !c->err->field[0])
		fm_set_field(c->err, c->field, strlen(c->field));
}

FM_PRINTF(4, 6) FM_PRINTF(5, 6)
static int fm_fail_at(fm_ctx *c, int code, yaml_mark_t m, const char *fr, const char *en, ...)
{
	unsigned line, col;
	fm_ctx_field(c);
	mark_pos(c, m, &line, &col);
	va_list ap;
	va_start(ap, en);
	fm_vfail(c->err, code, line, col, fr, en, ap);
	va_end(ap);
	return code;
}

/* The French of the problems and contexts libyaml reports most (its texts are English), or
 * NULL. */
static const char *yaml_fr(const char *en)
{
	static const char *const table[][2] = {
		{ "mapping values are not allowed in this context", "« : » inattendu à cet endroit" },
		{ "found character that cannot start any token",
		  "caractère qui ne peut pas commencer une valeur" },
		{ "did not find expected key", "clé attendue introuvable" },
		{ "did not find expected ',' or ']'", "« , » ou « ] » attendu" },
		{ "did not find expected ',' or '}'", "« , » ou « } » attendu" },
		{ "did not find expected node content", "valeur attendue introuvable" },
		{ "did not find expected '-' indicator", "« - » attendu" },
		{ "found unexpected end of stream", "fin du texte inattendue" },
		{ "found unexpected ':'", "« : » inattendu" },
		{ "found unknown escape character", "séquence d'échappement inconnue" },
		{ "found a tab character that violates indentation",
		  "une tabulation sert d'indentation" },
		{ "block sequence entries are not allowed in this context",
		  "élément de liste « - » non admis à cet endroit" },
		{ "could not find expected ':'", "« : » attendu introuvable" },
		{ "control characters are not allowed", "caractère de contrôle non admis" },
		{ "while parsing a block mapping", "dans la table commencée" },
		{ "while parsing a block collection", "dans la liste commencée" },
		{ "while parsing a flow sequence", "dans la liste entre crochets commencée" },
		{ "while parsing a flow mapping", "dans la table entre accolades commencée" },
		{ "while scanning a quoted scalar", "dans le texte entre guillemets commencé" },
		{ "while scanning a simple key", "dans la clé commencée" },
		{ "while scanning a block scalar", "dans le bloc de texte commencé" },
		{ "while parsing a node", "dans la valeur commencée" },
	};
	for (size_t i = 0; en && i < sizeof table / sizeof table[0]; i++)
		if (strcmp(en, table[i][0]) == 0)
			return table[i][1];
	return NULL;
}

/* Translates the parser's error into ours. */
static int fm_yaml_error(fm_ctx *c)
{
	yaml_parser_t *p = &c->parser;
	const char *problem = p->problem ? p->problem : "unknown error";
	fm_ctx_field(c);
	const char *problem_fr = yaml_fr(problem) ? yaml_fr(problem) : problem;
	switch (p->error) {
	case YAML_MEMORY_ERROR:
		return fm_fail(c->err, MAILLE_ENOMEM, 0, 0, "mémoire insuffisante pour lire le YAML",
		               "out of memory while reading the YAML");
	case YAML_READER_ERROR: {
		/* A reader error has a byte offset, not a mark. */
		unsigned line, col;
		offset_pos(c, p->problem_offset, &line, &col);
		if (p->problem_value >= 0)
			return fm_fail(c->err, MAILLE_EPROTO, line, col, "YAML : %s%.0s (U+%04X)",
			               "YAML: %.0s%s (U+%04X)", problem_fr, problem,
			               (unsigned)p->problem_value);
		return fm_fail(c->err, MAILLE_EPROTO, line, col, "YAML : %s%.0s", "YAML: %.0s%s",
		               problem_fr, problem);
	}
	case YAML_SCANNER_ERROR:
	case YAML_PARSER_ERROR: {
		/* The two mistakes people make most, with the fix: French typography puts a space
		 * before ':' ("Chatbot RH : un an après"), which YAML reads as a key. */
		const char *hint = "", *hint_fr = "";
		if (strcmp(problem, "mapping values are not allowed in this context") == 0) {
			hint = ": a value containing ': ' must be quoted, as in "
			       "title: \"Chatbot RH : un an après\"";
			hint_fr = " : une valeur qui contient « : » se met entre guillemets, comme "
			          "title: \"Chatbot RH : un an après\"";
		} else if (strcmp(problem, "found character that cannot start any token") == 0) {
			hint = ": put the value in quotes";
			hint_fr = " : mettez la valeur entre guillemets";
		}
		unsigned line, col, ctx_line, ctx_col;
		mark_pos(c, p->problem_mark, &line, &col);
		if (p->context) {
			const char *ctx_fr = yaml_fr(p->context) ? yaml_fr(p->context) : p->context;
			mark_pos(c, p->context_mark, &ctx_line, &ctx_col);
			return fm_fail(c->err, MAILLE_EPROTO, line, col,
			               "YAML : %s%.0s (%s%.0s à la ligne %u)%s%.0s",
			               "YAML: %.0s%s (%.0s%s at line %u)%.0s%s", problem_fr, problem,
			               ctx_fr, p->context, ctx_line, hint_fr, hint);
		}
		return fm_fail(c->err, MAILLE_EPROTO, line, col, "YAML : %s%.0s%s%.0s",
		               "YAML: %.0s%s%.0s%s", problem_fr, problem, hint_fr, hint);
	}
	default:
		return fm_fail(c->err, MAILLE_EPROTO, 0, 0, "YAML : %s%.0s", "YAML: %.0s%s",
		               problem_fr, problem);
	}
}

/* ---- events ------------------------------------------------------------------------------ */

/* The next event; on success the caller owns *ev and must yaml_event_delete() it. */
static int fm_next(fm_ctx *c, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&c->parser, ev))
		return fm_yaml_error(c);
	return 0;
}

/* Anchors, aliases and explicit tags are refused: aliases would let a small file expand into a
 * huge tree, and tags would make the value's type depend on more than what a reader sees. */
static int fm_check_plain_node(fm_ctx *c, const yaml_event_t *ev)
{
	const yaml_char_t *anchor = NULL, *tag = NULL;
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		anchor = ev->data.scalar.anchor;
		tag = ev->data.scalar.tag;
		break;
	case YAML_SEQUENCE_START_EVENT:
		anchor = ev->data.sequence_start.anchor;
		tag = ev->data.sequence_start.tag;
		break;
	case YAML_MAPPING_START_EVENT:
		anchor = ev->data.mapping_start.anchor;
		tag = ev->data.mapping_start.tag;
		break;
	case YAML_ALIAS_EVENT: {
		const char *name = (const char *)ev->data.alias.anchor;
		size_t len = name ? strlen(name) : 0;
		return fm_fail_at(c, MAILLE_EPROTO, ev->start_mark,
		                  "les alias YAML (*%.*s) ne sont pas admis : écrivez la valeur",
		                  "YAML aliases (*%.*s) are not supported: write the value out",
		                  utf8_clip(name ? name : "", len, FM_QUOTE_MAX), name ? name : "");
	}
	default:
		return 0;
	}
	if (anchor)
		return fm_fail_at(
		    c, MAILLE_EPROTO, ev->start_mark, "les ancres YAML (&%.*s) ne sont pas admises",
		    "YAML anchors (&%.*s) are not supported",
		    utf8_clip((const char *)anchor, strlen((const char *)anchor), FM_QUOTE_MAX),
		    (const char *)anchor);
	if (tag)
		return fm_fail_at(
		    c, MAILLE_EPROTO, ev->start_mark,
		    "les étiquettes YAML explicites (%.*s) ne sont pas admises%s%.0s",
		    "explicit YAML tags (%.*s) are not supported%.0s%s",
		    utf8_clip((const char *)tag, strlen((const char *)tag), FM_QUOTE_MAX),
		    (const char *)tag,
		    ev->type == YAML_SCALAR_EVENT ? " : mettez la valeur entre guillemets pour en "
		                                    "faire un texte"
		                                  : "",
		    ev->type == YAML_SCALAR_EVENT ? ": quote the value to make it text" : "");
	return 0;
}

/* ---- scalars ----------------------------------------------------------------------------- */

typedef enum fm_kind {
	FM_STR,
	FM_NIL,
	FM_BOOL,
	FM_INT,
	FM_FLOAT,
} fm_kind;

static bool is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static bool str_is(const char *s, size_t len, const char *lit)
{
	return strlen(lit) == len && memcmp(s, lit, len) == 0;
}

/* What a plain scalar looks like, before any conversion (YAML core schema, restricted to the
 * forms every YAML reader agrees on: no 0x/0o, no .inf/.nan, no 1_000). */
static fm_kind plain_kind(const char *s, size_t len)
{
	if (len == 0 || str_is(s, len, "~") || str_is(s, len, "null") || str_is(s, len, "Null") ||
	    str_is(s, len, "NULL"))
		return FM_NIL;
	if (str_is(s, len, "true") || str_is(s, len, "True") || str_is(s, len, "TRUE") ||
	    str_is(s, len, "false") || str_is(s, len, "False") || str_is(s, len, "FALSE"))
		return FM_BOOL;

	size_t i = 0;
	if (s[i] == '-' || s[i] == '+')
		i++;
	size_t int_start = i;
	while (i < len && is_digit(s[i]))
		i++;
	size_t n_int = i - int_start;
	if (i == len) {
		if (n_int == 0)
			return FM_STR;
		/* Digits with a leading zero (COG codes such as 01053, postcodes such as 06000)
		 * stay text: YAML 1.1 readers take them as octal and YAML 1.2 readers drop the
		 * zero, and in this catalogue such digits are identifiers whose zero matters. */
		if (n_int > 1 && s[int_start] == '0')
			return FM_STR;
		return FM_INT;
	}
	/* [-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)? */
	if (s[i] != '.')
		return FM_STR;
	i++;
	size_t frac_start = i;
	while (i < len && is_digit(s[i]))
		i++;
	if (n_int == 0 && i == frac_start)
		return FM_STR;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '-' || s[i] == '+'))
			i++;
		size_t exp_start = i;
		while (i < len && is_digit(s[i]))
			i++;
		if (i == exp_start)
			return FM_STR;
	}
	return i == len ? FM_FLOAT : FM_STR;
}

/* s matches [-+]?[0-9]+; false if outside int64. */
static bool parse_int(const char *s, size_t len, int64_t *ret)
{
	size_t i = 0;
	bool neg = false;
	if (s[i] == '-' || s[i] == '+')
		neg = s[i++] == '-';
	uint64_t limit = neg ? (uint64_t)INT64_MAX + 1u : (uint64_t)INT64_MAX;
	uint64_t v = 0;
	for (; i < len; i++) {
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (limit - d) / 10u)
			return false;
		v = v * 10u + d;
	}
	if (neg)
		*ret = v == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)v;
	else
		*ret = (int64_t)v;
	return true;
}

/* s[0..len) (matching the float form above) → a finite double. strtod() follows the locale's
 * decimal point; the programs run in the C locale, but a library should not depend on it, so
 * the '.' is replaced by the locale's point in the copy strtod() reads. The copy also gives
 * strtod() the NUL it needs. */
static int parse_float(const char *s, size_t len, double *ret)
{
	const char *point = localeconv()->decimal_point;
	size_t plen = point && point[0] ? strlen(point) : 0;
	if (plen == 0) {
		point = ".";
		plen = 1;
	}
	char *copy = malloc(len + plen + 1);
	if (!copy)
		return MAILLE_ENOMEM;
	size_t k = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '.') {
			memcpy(copy + k, point, plen);
			k += plen;
		} else {
			copy[k++] = s[i];
		}
	}
	copy[k] = '\0';
	char *end;
	double d = strtod(copy, &end);
	bool whole = end == copy + k;
	free(copy);
	if (!whole || !isfinite(d))
		return MAILLE_EPROTO;
	*ret = d;
	return 0;
}

/* Fills slot from a scalar event (already checked for anchors and tags). */
static int fm_scalar(fm_ctx *c, const yaml_event_t *ev, proto_value *slot)
{
	const char *s = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	/* "\0" escapes in double-quoted scalars can produce a NUL the file check cannot see. */
	if (memchr(s, 0, len))
		return fm_fail_at(c, MAILLE_EPROTO, ev->start_mark,
		                  "un texte ne peut pas contenir de caractère NUL",
		                  "text may not contain a NUL character");
	if (!proto_utf8_valid((const uint8_t *)s, len))
		return fm_fail_at(c, MAILLE_EUTF8, ev->start_mark, "UTF-8 invalide dans une valeur",
		                  "invalid UTF-8 in a value");

	fm_kind kind = FM_STR;
	if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
		kind = plain_kind(s, len);
	switch (kind) {
	case FM_NIL:
		slot->type = PROTO_V_NIL;
		return 0;
	case FM_BOOL:
		slot->type = PROTO_V_BOOL;
		slot->u.b = s[0] == 't' || s[0] == 'T';
		return 0;
	case FM_INT: {
		int64_t i;
		if (!parse_int(s, len, &i))
			return fm_fail_at(
			    c, MAILLE_EPROTO, ev->start_mark,
			    "l'entier %.*s est hors limites (mettez-le entre guillemets pour le garder "
			    "comme texte)",
			    "integer %.*s is out of range (quote it to keep it as text)",
			    utf8_clip(s, len, FM_QUOTE_MAX), s);
		slot->type = PROTO_V_INT;
		slot->u.i = i;
		return 0;
	}
	case FM_FLOAT: {
		double d;
		int r = parse_float(s, len, &d);
		if (r == MAILLE_ENOMEM)
			return fm_fail_at(c, r, ev->start_mark, "mémoire insuffisante", "out of memory");
		if (r)
			return fm_fail_at(
			    c, MAILLE_EPROTO, ev->start_mark,
			    "le nombre %.*s est hors limites (mettez-le entre guillemets pour le garder "
			    "comme texte)",
			    "number %.*s is out of range (quote it to keep it as text)",
			    utf8_clip(s, len, FM_QUOTE_MAX), s);
		slot->type = PROTO_V_FLOAT;
		slot->u.f = d;
		return 0;
	}
	case FM_STR:
		break;
	}
	char *copy = proto_arena_strndup(c->a, s, len);
	if (!copy)
		return fm_fail_at(c, MAILLE_ENOMEM, ev->start_mark, "mémoire insuffisante", "out of memory");
	slot->type = PROTO_V_STR;
	slot->u.str.ptr = copy;
	slot->u.str.len = len;
	return 0;
}

/* ---- collections ------------------------------------------------------------------------- */

/* FNV-1a over the mapping number and the key. */
static uint64_t key_hash(uint32_t map_id, const char *k, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (unsigned i = 0; i < 4; i++) {
		h ^= (uint8_t)(map_id >> (8 * i));
		h *= 0x100000001b3ull;
	}
	for (size_t i = 0; i < len; i++) {
		h ^= (uint8_t)k[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

/* The slot of (hash, key): the one holding it, or the free one where it goes. */
static fm_keyslot *keyset_find(const fm_keyset *ks, uint64_t hash, const char *k, size_t len)
{
	size_t mask = ks->cap - 1;
	for (size_t i = (size_t)hash & mask;; i = (i + 1) & mask) {
		fm_keyslot *sl = &ks->slots[i];
		if (!sl->key ||
		    (sl->hash == hash && sl->len == len && memcmp(sl->key, k, len) == 0))
			return sl;
	}
}

/* Makes room for one more key (load kept under 1/2). */
static int keyset_reserve(fm_keyset *ks)
{
	if (ks->cap && 2 * (ks->n + 1) <= ks->cap)
		return 0;
	size_t cap = ks->cap ? 2 * ks->cap : 64;
	fm_keyslot *slots = calloc(cap, sizeof *slots);
	if (!slots)
		return MAILLE_ENOMEM;
	fm_keyset bigger = { .slots = slots, .cap = cap, .n = ks->n };
	for (size_t i = 0; i < ks->cap; i++)
		if (ks->slots[i].key)
			*keyset_find(&bigger, ks->slots[i].hash, ks->slots[i].key,
			             ks->slots[i].len) = ks->slots[i];
	free(ks->slots);
	*ks = bigger;
	return 0;
}

/* Appends key k (not yet in map) and returns its value slot, NULL when out of memory. The map
 * grows by doubling, as proto_value_array_push() does for arrays. */
static int fm_node(fm_ctx *c, const yaml_event_t *ev, proto_value *slot, unsigned depth);

/* Counts one more value or key, as proto_value_decode() does. */
static int fm_count(fm_ctx *c, const yaml_event_t *ev)
{
	if (++c->nodes > PROTO_VALUE_NODES_MAX)
		return fm_fail_at(c, MAILLE_ETOOBIG, ev->start_mark,
		                  "l'en-tête a plus de %u valeurs",
		                  "the front matter has more than %u values", PROTO_VALUE_NODES_MAX);
	return 0;
}

static int fm_sequence(fm_ctx *c, proto_value *arr, unsigned depth)
{
	for (;;) {
		yaml_event_t ev;
		int r = fm_next(c, &ev);
		if (r)
			return r;
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			return 0;
		}
		proto_value *item = proto_value_array_push(c->a, arr);
		uint32_t parent = c->cur;
		if (item && c->lines) {
			if (lines_add(c, NULL, 0, arr->u.arr.n - 1, mark_line(c, ev.start_mark))) {
				yaml_event_delete(&ev);
				return fm_fail(c->err, MAILLE_ENOMEM, 0, 0, "mémoire insuffisante", "out of memory");
			}
			c->cur = (uint32_t)c->lines->n;
		}
		r = item ? fm_node(c, &ev, item, depth + 1)
		         : fm_fail_at(c, MAILLE_ENOMEM, ev.start_mark, "mémoire insuffisante", "out of memory");
		c->cur = parent;
		yaml_event_delete(&ev);
		if (r)
			return r;
	}
}

/* Checks a key event and adds the key to map; *ret_slot is its value slot. */
static int fm_key(fm_ctx *c, const yaml_event_t *ev, proto_value *map, uint32_t map_id, bool top,
                  proto_value **ret_slot)
{
	if (ev->type != YAML_SCALAR_EVENT && ev->type != YAML_ALIAS_EVENT)
		return fm_fail_at(c, MAILLE_EPROTO, ev->start_mark,
		                  "une clé est un nom, pas une liste ni une table",
		                  "a key must be a name, not a list or a mapping");
	int r = fm_check_plain_node(c, ev);
	if (r)
		return r;
	if ((r = fm_count(c, ev)))
		return r;
	const char *k = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	if (memchr(k, 0, len))
		return fm_fail_at(c, MAILLE_EPROTO, ev->start_mark,
		                  "une clé ne peut pas contenir de caractère NUL",
		                  "a key may not contain a NUL character");
	if (!proto_utf8_valid((const uint8_t *)k, len))
		return fm_fail_at(c, MAILLE_EUTF8, ev->start_mark, "UTF-8 invalide dans une clé",
		                  "invalid UTF-8 in a key");
	if (top)
		fm_set_field(c->err, k, len);
	if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
		if (len == 0)
			return fm_fail_at(c, MAILLE_EPROTO, ev->start_mark, "il manque une clé",
			                  "a key is missing");
		if (plain_kind(k, len) != FM_STR)
			return fm_fail_at(
			    c, MAILLE_EPROTO, ev->start_mark,
			    "la clé « %.*s » n'est pas un texte : mettez-la entre guillemets "
			    "(\"%.*s\") pour en faire un nom",
			    "key '%.*s' is not text: quote it (\"%.*s\") to use it as a name",
			    utf8_clip(k, len, FM_QUOTE_MAX), k, utf8_clip(k, len, FM_QUOTE_MAX), k);
	}
	if (len > PROTO_MAP_KEY_MAX)
		return fm_fail_at(c, MAILLE_ETOOBIG, ev->start_mark,
		                  "la clé « %.*s… » dépasse %u octets",
		                  "key '%.*s…' is longer than %u bytes",
		                  utf8_clip(k, len, FM_QUOTE_MAX), k, PROTO_MAP_KEY_MAX);
	if (keyset_reserve(&c->keys))
		return fm_fail_at(c, MAILLE_ENOMEM, ev->start_mark, "mémoire insuffisante", "out of memory");
	uint64_t hash = key_hash(map_id, k, len);
	fm_keyslot *ks = keyset_find(&c->keys, hash, k, len);
	if (ks->key)
		return fm_fail_at(c, MAILLE_EPROTO, ev->start_mark, "clé « %.*s » en double",
		                  "duplicate key '%.*s'",
		                  utf8_clip(k, len, FM_QUOTE_MAX), k);
	proto_value *slot = proto_value_map_append(c->a, map, k, len);
	if (!slot)
		return fm_fail_at(c, MAILLE_ENOMEM, ev->start_mark, "mémoire insuffisante", "out of memory");
	const char *key = map->u.map.items[map->u.map.n - 1].key;
	*ks = (fm_keyslot){ .key = key, .len = len, .hash = hash };
	c->keys.n++;
	if (c->lines) {
		if (lines_add(c, key, len, 0, mark_line(c, ev->start_mark)))
			return fm_fail(c->err, MAILLE_ENOMEM, 0, 0, "mémoire insuffisante", "out of memory");
		c->cur = (uint32_t)c->lines->n;
	}
	if (top) {
		c->err->field[0] = '\0';
		c->field = key;
		if (str_is(k, len, PROTO_F_DESCRIPTION))
			mark_pos(c, ev->start_mark, &c->desc_line, &c->desc_col);
	}
	*ret_slot = slot;
	return 0;
}

static int fm_mapping(fm_ctx *c, proto_value *map, unsigned depth)
{
	bool top = depth == 0;
	uint32_t map_id = ++c->n_maps;
	for (;;) {
		yaml_event_t kev, vev;
		int r = fm_next(c, &kev);
		if (r)
			return r;
		if (kev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&kev);
			return 0;
		}
		proto_value *slot = NULL;
		uint32_t parent = c->cur;
		r = fm_key(c, &kev, map, map_id, top, &slot);
		yaml_event_delete(&kev);
		if (!r)
			r = fm_next(c, &vev);
		if (r) {
			c->cur = parent;
			return r;
		}
		r = fm_node(c, &vev, slot, depth + 1);
		c->cur = parent;
		if (!r && top && strcmp(c->field, "path") == 0) {
			if (slot->type != PROTO_V_STR)
				r = fm_fail_at(c, MAILLE_EPROTO, vev.start_mark,
				               "« path » doit être un texte, comme rex/2026-chatbot-rh",
				               "'path' must be text, such as rex/2026-chatbot-rh");
			else
				c->path = slot->u.str.ptr;
		}
		yaml_event_delete(&vev);
		if (r)
			return r;
		if (top)
			c->field = NULL;
	}
}

/* Fills slot from the node that starts with ev (the caller keeps ev). depth is the slot's
 * depth in the tree, the root map being 0, as in proto_value_decode(). */
static int fm_node(fm_ctx *c, const yaml_event_t *ev, proto_value *slot, unsigned depth)
{
	int r = fm_check_plain_node(c, ev);
	if (r)
		return r;
	if (depth > PROTO_VALUE_DEPTH_MAX)
		return fm_fail_at(c, MAILLE_ETOOBIG, ev->start_mark,
		                  "valeurs imbriquées sur plus de %u niveaux",
		                  "values are nested more than %u levels deep",
		                  PROTO_VALUE_DEPTH_MAX);
	if ((r = fm_count(c, ev)))
		return r;
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		return fm_scalar(c, ev, slot);
	case YAML_SEQUENCE_START_EVENT:
		memset(slot, 0, sizeof *slot);
		slot->type = PROTO_V_ARRAY;
		return fm_sequence(c, slot, depth);
	case YAML_MAPPING_START_EVENT:
		memset(slot, 0, sizeof *slot);
		slot->type = PROTO_V_MAP;
		return fm_mapping(c, slot, depth);
	default:
		/* libyaml only gives node events here */
		return fm_fail_at(c, MAILLE_EPROTO, ev->start_mark, "structure YAML inattendue",
		                  "unexpected YAML structure");
	}
}

/* The whole YAML stream: nothing (an empty front matter) or one document holding a mapping. */
static int fm_stream(fm_ctx *c, proto_value *root)
{
	yaml_event_t ev;
	int r = fm_next(c, &ev);
	if (r)
		return r;
	yaml_event_delete(&ev); /* STREAM-START */

	bool seen_document = false;
	for (;;) {
		if ((r = fm_next(c, &ev)))
			return r;
		if (ev.type == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			return 0;
		}
		if (ev.type != YAML_DOCUMENT_START_EVENT || seen_document) {
			r = fm_fail_at(c, MAILLE_EPROTO, ev.start_mark,
			               "l'en-tête doit être un seul document YAML",
			               "the front matter must be one YAML document");
			yaml_event_delete(&ev);
			return r;
		}
		yaml_event_delete(&ev);
		seen_document = true;

		if ((r = fm_next(c, &ev)))
			return r;
		if (ev.type != YAML_MAPPING_START_EVENT) {
			r = fm_check_plain_node(c, &ev);
			if (!r)
				r = fm_fail_at(
				    c, MAILLE_EPROTO, ev.start_mark,
				    "l'en-tête doit être une table YAML (des lignes « clé: valeur »)",
				    "the front matter must be a YAML mapping ('key: value' lines)");
			yaml_event_delete(&ev);
			return r;
		}
		r = fm_check_plain_node(c, &ev);
		yaml_event_delete(&ev);
		if (r || (r = fm_mapping(c, root, 0)))
			return r;

		if ((r = fm_next(c, &ev)))
			return r;
		yaml_event_delete(&ev); /* DOCUMENT-END: libyaml gives nothing else here */
	}
}

/* ---- the file ---------------------------------------------------------------------------- */

static unsigned count_lines(const uint8_t *p, const uint8_t *end)
{
	unsigned n = 0;
	for (; p < end; p++)
		n += *p == '\n';
	return n;
}

static const uint8_t *line_end(const uint8_t *p, const uint8_t *end)
{
	const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
	return nl ? nl : end;
}

/* p[0..len) without its line ending and trailing blanks is exactly marker. */
static bool line_is(const uint8_t *p, size_t len, const char *marker)
{
	while (len > 0 && (p[len - 1] == '\r' || p[len - 1] == ' ' || p[len - 1] == '\t'))
		len--;
	return len == strlen(marker) && memcmp(p, marker, len) == 0;
}

static bool line_blank(const uint8_t *p, const uint8_t *end)
{
	for (; p < end; p++)
		if (*p != ' ' && *p != '\t' && *p != '\r')
			return false;
	return true;
}

static int check_file(const uint8_t *buf, size_t len, fm_error *err)
{
	if (len > MAILLE_INPUT_FILE_MAX)
		return fm_fail(err, MAILLE_ETOOBIG, 0, 0, "le fichier dépasse %u octets",
		               "the file is larger than %u bytes", MAILLE_INPUT_FILE_MAX);
	const uint8_t *nul = len ? memchr(buf, 0, len) : NULL;
	if (nul)
		return fm_fail(err, MAILLE_EPROTO, count_lines(buf, nul) + 1, 0,
		               "fichier binaire (octet NUL à la ligne %u)",
		               "binary file (NUL byte at line %u)", count_lines(buf, nul) + 1);
	if (proto_utf8_valid(buf, len))
		return 0;
	/* Find where: one character at a time, with the same validator. */
	unsigned line = 1, col = 1;
	size_t i = 0;
	while (i < len) {
		size_t w = utf8_width(buf[i]);
		if (w == 0 || w > len - i || !proto_utf8_valid(buf + i, w))
			break;
		if (buf[i] == '\n') {
			line++;
			col = 0;
		}
		i += w;
		col++;
	}
	return fm_fail(err, MAILLE_EUTF8, line, col, "UTF-8 invalide à la ligne %u",
	               "invalid UTF-8 at line %u", line);
}

/* A language-map key taken from the front matter's `lang`: a BCP 47 primary language (2 or 3
 * letters) with optional subtags, as written; anything else falls back to "fr", and the schema
 * validation reports the bad `lang` itself. */
bool fm_lang_tag_ok(const char *s, size_t len)
{
	if (len > PROTO_LANG_TAG_MAX)
		return false;
	size_t i = 0;
	while (i < len && s[i] >= 'a' && s[i] <= 'z')
		i++;
	if (i < 2 || i > 3)
		return false;
	while (i < len) {
		if (s[i++] != '-')
			return false;
		size_t start = i;
		while (i < len && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		                   is_digit(s[i])))
			i++;
		if (i - start < 1 || i - start > 8)
			return false;
	}
	return true;
}

/* The key of root's `description` (the arena's copy, which outlives the parse). */
static const char *desc_key(const proto_value *root)
{
	for (size_t i = 0; i < root->u.map.n; i++)
		if (strcmp(root->u.map.items[i].key, PROTO_F_DESCRIPTION) == 0)
			return root->u.map.items[i].key;
	return PROTO_F_DESCRIPTION;
}

/* The body without leading and trailing blank lines, with CRLF and lone CR turned into LF so
 * that the same text saved on any system gives the same record. NULL if nothing is left. */
static char *body_text(proto_arena *a, const uint8_t *p, const uint8_t *end, size_t *ret_len,
                       bool *ret_nomem, const uint8_t **ret_first)
{
	*ret_nomem = false;
	while (p < end) {
		const uint8_t *le = line_end(p, end);
		if (!line_blank(p, le))
			break;
		p = le < end ? le + 1 : end;
	}
	const uint8_t *q = end;
	while (q > p) {
		/* the last line is [ls, q) without its terminator */
		const uint8_t *ls = q;
		while (ls > p && ls[-1] != '\n')
			ls--;
		if (!line_blank(ls, q))
			break;
		q = ls > p ? ls - 1 : p;
	}
	if (q == p)
		return NULL;
	*ret_first = p;
	char *out = proto_arena_alloc(a, (size_t)(q - p) + 1);
	if (!out) {
		*ret_nomem = true;
		return NULL;
	}
	size_t n = 0;
	for (; p < q; p++) {
		if (*p == '\r') {
			out[n++] = '\n';
			if (p + 1 < q && p[1] == '\n')
				p++;
		} else {
			out[n++] = (char)*p;
		}
	}
	/* the CR of the last line's CRLF, which the trim above kept */
	while (n > 0 && out[n - 1] == '\n')
		n--;
	out[n] = '\0';
	*ret_len = n;
	return out;
}

/* The field an act's Markdown body fills (a comment's text, an interest's message), or NULL
 * for the types whose body is their description. */
static const char *body_act_field(const proto_value *root)
{
	const proto_value *t = proto_map_get(root, "type");
	if (!t || t->type != PROTO_V_STR)
		return NULL;
	if (strcmp(t->u.str.ptr, "comment") == 0)
		return PROTO_F_TEXT;
	if (strcmp(t->u.str.ptr, "interest") == 0)
		return PROTO_F_MESSAGE;
	return NULL;
}

/* An act's body text as root[field], refused when the front matter has the field too. */
static int body_to_act(fm_ctx *c, proto_value *root, const char *field, char *text,
                       size_t text_len, unsigned body_line)
{
	fm_error *err = c->err;
	const proto_value *v = proto_map_get(root, field);
	if (v && v->type != PROTO_V_NIL) {
		fm_set_field(err, field, strlen(field));
		return fm_fail(err, MAILLE_EPROTO, 0, 0,
		               "« %s » est dans l'en-tête et le fichier a aussi un texte Markdown "
		               "(dès la ligne %u) : n'en gardez qu'un",
		               "'%s' is in the front matter and the file also has a Markdown body "
		               "(from line %u): keep only one",
		               field, body_line);
	}
	if (c->nodes + 2 > PROTO_VALUE_NODES_MAX)
		return fm_fail(err, MAILLE_ETOOBIG, body_line, 0, "l'en-tête a plus de %u valeurs",
		               "the front matter has more than %u values", PROTO_VALUE_NODES_MAX);
	proto_value *s = proto_value_map_put(c->a, root, field, strlen(field));
	if (!s)
		return fm_fail(err, MAILLE_ENOMEM, 0, 0, "mémoire insuffisante", "out of memory");
	s->type = PROTO_V_STR;
	s->u.str.ptr = text;
	s->u.str.len = text_len;
	if (c->lines) {
		c->cur = 0;
		for (size_t i = 0; i < root->u.map.n; i++)
			if (strcmp(root->u.map.items[i].key, field) == 0 &&
			    lines_add(c, root->u.map.items[i].key, strlen(field), 0, body_line))
				return fm_fail(err, MAILLE_ENOMEM, 0, 0, "mémoire insuffisante",
				               "out of memory");
	}
	return 0;
}

static int fm_parse_(const uint8_t *buf, size_t len, proto_arena *a, proto_value **ret_body,
                     const char **ret_path, fm_lines *lines, fm_error *err)
{
	fm_error scratch;
	if (!err)
		err = &scratch;
	memset(err, 0, sizeof *err);

	int r = check_file(buf, len, err);
	if (r)
		return r;

	const uint8_t *p = buf, *end = buf + len;
	if (len >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		p += 3; /* UTF-8 byte order mark */
	const uint8_t *le = line_end(p, end);
	if (!line_is(p, (size_t)(le - p), "---"))
		return fm_fail(err, MAILLE_EPROTO, 1, 1,
		               "le fichier doit commencer par une ligne « --- » (en-tête YAML)",
		               "the file must start with a '---' line (YAML front matter)");

	/* The front matter runs to the next "---" or "..." line. */
	const uint8_t *yaml = le < end ? le + 1 : end, *close = NULL, *body = end;
	unsigned close_line = 2;
	for (const uint8_t *q = yaml; q < end; close_line++) {
		const uint8_t *qe = line_end(q, end);
		if (line_is(q, (size_t)(qe - q), "---") || line_is(q, (size_t)(qe - q), "...")) {
			close = q;
			body = qe < end ? qe + 1 : end;
			break;
		}
		q = qe < end ? qe + 1 : end;
	}
	if (!close)
		return fm_fail(err, MAILLE_EPROTO, 1, 1,
		               "l'en-tête ouvert à la ligne 1 n'est pas fermé par une ligne « --- »",
		               "the front matter opened at line 1 is not closed by a '---' line");

	fm_ctx c;
	memset(&c, 0, sizeof c);
	c.a = a;
	c.err = err;
	c.yaml = yaml;
	c.yaml_len = (size_t)(close - yaml);
	c.lines_before = 1;
	c.lines = lines;
	c.pos_line = 2;

	proto_value *root = proto_value_new(a, PROTO_V_MAP);
	if (!root)
		return fm_fail(err, MAILLE_ENOMEM, 0, 0, "mémoire insuffisante", "out of memory");
	c.nodes = 1;
	if (!yaml_parser_initialize(&c.parser))
		return fm_fail(err, MAILLE_ENOMEM, 0, 0, "mémoire insuffisante", "out of memory");
	yaml_parser_set_input_string(&c.parser, c.yaml, c.yaml_len);
	/* The text is already known to be UTF-8; without this a leading BOM-like sequence would
	 * make libyaml guess the encoding. */
	yaml_parser_set_encoding(&c.parser, YAML_UTF8_ENCODING);
	r = fm_stream(&c, root);
	yaml_parser_delete(&c.parser);
	free(c.keys.slots);
	if (r)
		return r;

	/* The Markdown body becomes description[lang]; an act has no description: the body is
	 * a comment's text or an interest's message, a plain string (PROTOCOL.md §5.1). */
	bool nomem;
	size_t text_len = 0;
	const uint8_t *first = NULL;
	char *text = body_text(a, body, end, &text_len, &nomem, &first);
	if (nomem)
		return fm_fail(err, MAILLE_ENOMEM, 0, 0, "mémoire insuffisante", "out of memory");
	const char *act_field = body_act_field(root);
	if (text && act_field) {
		r = body_to_act(&c, root, act_field, text, text_len,
		                close_line + 1 + count_lines(body, first));
		if (r)
			return r;
		text = NULL;
	}
	if (text) {
		unsigned body_line = close_line + 1 + count_lines(body, first);
		/* an empty `description:` left by a template gives way to the body */
		const proto_value *dv = proto_map_get(root, PROTO_F_DESCRIPTION);
		if (dv && dv->type != PROTO_V_NIL) {
			fm_set_field(err, PROTO_F_DESCRIPTION, strlen(PROTO_F_DESCRIPTION));
			return fm_fail(
			    err, MAILLE_EPROTO, c.desc_line, c.desc_col,
			    "« description » est dans l'en-tête et le fichier a aussi un texte "
			    "Markdown (dès la ligne %u) : n'en gardez qu'un",
			    "'description' is in the front matter and the file also has a "
			    "Markdown body (from line %u): keep only one",
			    body_line);
		}
		/* the description key, its map, the language key and the text */
		if (c.nodes + 4 > PROTO_VALUE_NODES_MAX)
			return fm_fail(err, MAILLE_ETOOBIG, body_line, 0,
			               "l'en-tête a plus de %u valeurs",
			               "the front matter has more than %u values", PROTO_VALUE_NODES_MAX);
		const char *lang = "fr";
		const proto_value *lv = proto_map_get(root, PROTO_F_LANG);
		if (lv && lv->type == PROTO_V_STR && fm_lang_tag_ok(lv->u.str.ptr, lv->u.str.len))
			lang = lv->u.str.ptr;
		proto_value *desc =
		    proto_value_map_put(a, root, PROTO_F_DESCRIPTION, strlen(PROTO_F_DESCRIPTION));
		if (!desc)
			return fm_fail(err, MAILLE_ENOMEM, 0, 0, "mémoire insuffisante", "out of memory");
		desc->type = PROTO_V_MAP;
		proto_value *s = proto_value_map_put(a, desc, lang, strlen(lang));
		if (!s)
			return fm_fail(err, MAILLE_ENOMEM, 0, 0, "mémoire insuffisante", "out of memory");
		s->type = PROTO_V_STR;
		s->u.str.ptr = text;
		s->u.str.len = text_len;
		c.cur = 0;
		if (lines && (lines_add(&c, desc_key(root), strlen(PROTO_F_DESCRIPTION), 0,
		                        body_line) ||
		              (c.cur = (uint32_t)lines->n,
		               lines_add(&c, desc->u.map.items[0].key, strlen(lang), 0, body_line))))
			return fm_fail(err, MAILLE_ENOMEM, 0, 0, "mémoire insuffisante", "out of memory");
	}

	if (c.path)
		proto_value_map_del(root, "path");
	*ret_body = root;
	if (ret_path)
		*ret_path = c.path;
	return 0;
}

int fm_parse(const uint8_t *buf, size_t len, proto_arena *a, proto_value **ret_body,
             const char **ret_path, fm_error *err)
{
	return fm_parse_(buf, len, a, ret_body, ret_path, NULL, err);
}

int fm_parse_lines(const uint8_t *buf, size_t len, proto_arena *a, proto_value **ret_body,
                   const char **ret_path, fm_lines *ret_lines, fm_error *err)
{
	fm_lines l = { .v = NULL, .n = 0, .cap = 0 };
	int r = fm_parse_(buf, len, a, ret_body, ret_path, ret_lines ? &l : NULL, err);
	if (r) {
		free(l.v);
		return r;
	}
	if (ret_lines)
		*ret_lines = l;
	return 0;
}

void fm_lines_done(fm_lines *l)
{
	if (l) {
		free(l->v);
		*l = (fm_lines){ .v = NULL, .n = 0, .cap = 0 };
	}
}

/* The entry under parent (index + 1, 0: the top) for the path segment seg: a key, or "[N]". */
static size_t lines_child(const fm_lines *l, uint32_t parent, const char *seg, size_t seg_len)
{
	bool item = seg_len > 2 && seg[0] == '[' && seg[seg_len - 1] == ']';
	size_t index = 0;
	if (item)
		for (size_t i = 1; i + 1 < seg_len; i++) {
			if (!is_digit(seg[i]) || index > 100000000u)
				return 0;
			index = index * 10 + (size_t)(seg[i] - '0');
		}
	for (size_t i = 0; i < l->n; i++) {
		const fm_line *e = &l->v[i];
		if (e->parent != parent || (e->key == NULL) != item)
			continue;
		if (item ? e->index == index
		         : e->key_len == seg_len && memcmp(e->key, seg, seg_len) == 0)
			return i + 1;
	}
	return 0;
}

unsigned fm_lines_find(const fm_lines *l, const char *field)
{
	unsigned line = 1;
	uint32_t cur = 0;
	const char *p = field;
	if (!l || !field)
		return line;
	while (*p) {
		size_t n;
		if (*p == '[')
			n = strcspn(p, "]") + (p[strcspn(p, "]")] == ']');
		else
			n = strcspn(p, ".[");
		size_t e = n ? lines_child(l, cur, p, n) : 0;
		if (!e)
			break;
		line = l->v[e - 1].line;
		cur = (uint32_t)e;
		p += n;
		if (*p == '.')
			p++;
	}
	return line;
}

const char *fm_error_text(const fm_error *err, bool en)
{
	return en || !err->message_fr[0] ? err->message : err->message_fr;
}
