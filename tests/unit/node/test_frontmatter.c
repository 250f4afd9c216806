/* Unit tests of node/service/frontmatter.c: Markdown files with YAML front matter → record bodies.
 *
 * Trees are compared through a canonical text dump made after an encode → decode round trip,
 * so every accepted file is also checked to give a body the protocol decoder accepts. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "proto/error.h"
#include "proto/limits.h"
#include "proto/value.h"
#include "node/service/frontmatter.h"

/* ---- helpers ----------------------------------------------------------------------------- */

typedef struct dump {
	char buf[16384];
	size_t len;
	bool overflow;
} dump;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void
dump_put(dump *d, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(d->buf + d->len, sizeof d->buf - d->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof d->buf - d->len) {
		d->overflow = true;
		d->len = sizeof d->buf - 1;
		return;
	}
	d->len += (size_t)n;
}

static void dump_str(dump *d, const char *s, size_t len)
{
	dump_put(d, "\"");
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '"' || ch == '\\')
			dump_put(d, "\\%c", ch);
		else if (ch == '\n')
			dump_put(d, "\\n");
		else if (ch == '\r')
			dump_put(d, "\\r");
		else if (ch == '\t')
			dump_put(d, "\\t");
		else if (ch < 0x20)
			dump_put(d, "\\u%04x", ch);
		else
			dump_put(d, "%c", ch);
	}
	dump_put(d, "\"");
}

/* JSON-like text of a value; map keys in the order of the tree (sorted after a decode). */
static void dump_value(dump *d, const proto_value *v)
{
	switch (v->type) {
	case PROTO_V_NIL:
		dump_put(d, "null");
		break;
	case PROTO_V_BOOL:
		dump_put(d, v->u.b ? "true" : "false");
		break;
	case PROTO_V_INT:
		dump_put(d, "%" PRId64, v->u.i);
		break;
	case PROTO_V_FLOAT:
		dump_put(d, "%.17gf", v->u.f);
		break;
	case PROTO_V_STR:
		dump_str(d, v->u.str.ptr, v->u.str.len);
		break;
	case PROTO_V_BIN:
		dump_put(d, "bin(%zu)", v->u.bin.len);
		break;
	case PROTO_V_ARRAY:
		dump_put(d, "[");
		for (size_t i = 0; i < v->u.arr.n; i++) {
			dump_put(d, i ? "," : "");
			dump_value(d, &v->u.arr.items[i]);
		}
		dump_put(d, "]");
		break;
	case PROTO_V_MAP:
		dump_put(d, "{");
		for (size_t i = 0; i < v->u.map.n; i++) {
			dump_put(d, i ? "," : "");
			dump_str(d, v->u.map.items[i].key, v->u.map.items[i].key_len);
			dump_put(d, ":");
			dump_value(d, &v->u.map.items[i].val);
		}
		dump_put(d, "}");
		break;
	}
}

static proto_arena arena;
static dump last_dump;
static const char *last_path;
static fm_error last_err;

/* Parses text, re-encodes the body, decodes it back and dumps the decoded tree into
 * last_dump.buf. Returns fm_parse's code (or -100 when the round trip fails). */
static int parse_len(const char *text, size_t len)
{
	proto_arena_done(&arena);
	proto_arena_init(&arena, 0);
	memset(&last_dump, 0, sizeof last_dump);
	last_path = "(untouched)";
	proto_value *body = (proto_value *)&arena; /* sentinel: must stay untouched on failure */
	int r = fm_parse((const uint8_t *)text, len, &arena, &body, &last_path, &last_err);
	if (r) {
		CHECK(body == (proto_value *)&arena);
		CHECK_EQ_STR(last_path, "(untouched)");
		CHECK(last_err.message[0] != '\0');
		CHECK(last_err.message_fr[0] != '\0');
		CHECK(
		    proto_utf8_valid((const uint8_t *)last_err.message, strlen(last_err.message)));
		CHECK(proto_utf8_valid((const uint8_t *)last_err.message_fr,
		                       strlen(last_err.message_fr)));
		CHECK(proto_utf8_valid((const uint8_t *)last_err.field, strlen(last_err.field)));
		return r;
	}
	CHECK(body != NULL && body->type == PROTO_V_MAP);
	uint8_t *enc = NULL;
	size_t enc_len = 0;
	int e = proto_value_encode(body, SIZE_MAX, &enc, &enc_len);
	CHECK_EQ_INT(e, 0);
	if (e)
		return -100;
	proto_value *back = NULL;
	e = proto_value_decode(enc, enc_len, &arena, &back);
	free(enc);
	CHECK_EQ_INT(e, 0);
	if (e)
		return -100;
	if (enc_len > sizeof last_dump.buf / 4) {
		snprintf(last_dump.buf, sizeof last_dump.buf, "(%zu bytes)", enc_len);
		return 0;
	}
	dump_value(&last_dump, back);
	CHECK(!last_dump.overflow);
	return 0;
}

static int parse(const char *text)
{
	return parse_len(text, strlen(text));
}

#define CHECK_PARSES_TO(text, expected)                                                            \
	do {                                                                                       \
		int r_ = parse(text);                                                              \
		CHECK_EQ_INT(r_, 0);                                                               \
		if (r_)                                                                            \
			fprintf(stderr, "  error: line %u col %u [%s] %s\n", last_err.line,        \
			        last_err.column, last_err.field, last_err.message);                \
		CHECK_EQ_STR(last_dump.buf, expected);                                             \
	} while (0)

/* A refusal with its code and line (0: not checked). */
#define CHECK_REFUSED(text, code, at_line)                                                         \
	do {                                                                                       \
		int r_ = parse(text);                                                              \
		CHECK_EQ_INT(r_, code);                                                            \
		if ((at_line) != 0)                                                                \
			CHECK_EQ_INT(last_err.line, at_line);                                      \
	} while (0)

static bool message_fr_has(const char *needle)
{
	if (strstr(fm_error_text(&last_err, false), needle))
		return true;
	fprintf(stderr, "  message \"%s\" lacks \"%s\"\n", last_err.message_fr, needle);
	return false;
}

static bool message_has(const char *needle)
{
	if (strstr(last_err.message, needle))
		return true;
	fprintf(stderr, "  message \"%s\" lacks \"%s\"\n", last_err.message, needle);
	return false;
}

/* ---- a realistic record ------------------------------------------------------------------ */

static const char rex_file[] =
    "---\n"
    "type: rex\n"
    "path: rex/2026-chatbot-rh\n"
    "title: \"Chatbot RH : un an après\"\n"
    "summary: >-\n"
    "  Bilan d'une année d'usage d'un assistant conversationnel\n"
    "  pour les questions RH des agents.\n"
    "lang: fr\n"
    "themes: [ia-democratie, ia-ressource-limitee]\n"
    "keywords:\n"
    "  - ressources humaines\n"
    "  - agents publics\n"
    "status: production\n"
    "declaration: user\n"
    "department: Direction des ressources humaines\n"
    "period:\n"
    "  start: 2025-01-06\n"
    "  end: 2025-12-19\n"
    "territories:\n"
    "  - level: commune\n"
    "    code: '69123'\n"
    "    cog_year: 2025\n"
    "    label: Lyon\n"
    "contacts:\n"
    "  - name: Élodie Marchand\n"
    "    role: cheffe de projet\n"
    "    email: numerique@mairie-lyon.example\n"
    "    public: true\n"
    "about: [use_case/chatbot-rh, \"Albert (DINUM)\"]\n"
    "cost: {amount: 18500.50, currency: EUR, kind: licence}\n"
    "rating: 3\n"
    "recommendation: recommend_with_conditions\n"
    "available_for_contact: yes\n"
    "---\n"
    "\n"
    "## Contexte\n"
    "\n"
    "Les agents posaient les mêmes questions (congés, télétravail, mutuelle)\n"
    "au service RH, qui répondait à plus de 400 courriels par mois.\n"
    "\n"
    "- réponses sourcées\n"
    "- aucune donnée personnelle envoyée hors de l'UE\n"
    "\n"
    "    extrait de configuration  \n"
    "\n"
    "\n";

static void test_rex_realistic(void)
{
	CHECK_PARSES_TO(
	    rex_file,
	    "{\"cost\":{\"kind\":\"licence\",\"amount\":18500.5f,\"currency\":\"EUR\"},"
	    "\"lang\":\"fr\",\"type\":\"rex\",\"about\":[\"use_case/chatbot-rh\",\"Albert "
	    "(DINUM)\"],"
	    "\"title\":\"Chatbot RH : un an après\",\"period\":{\"end\":\"2025-12-19\","
	    "\"start\":\"2025-01-06\"},\"rating\":3,\"status\":\"production\",\"themes\":"
	    "[\"ia-democratie\",\"ia-ressource-limitee\"],\"summary\":\"Bilan d'une année "
	    "d'usage d'un assistant conversationnel pour les questions RH des agents.\","
	    "\"contacts\":[{\"name\":\"Élodie Marchand\",\"role\":\"cheffe de projet\","
	    "\"email\":\"numerique@mairie-lyon.example\",\"public\":true}],\"keywords\":"
	    "[\"ressources humaines\",\"agents publics\"],\"department\":\"Direction des "
	    "ressources humaines\",\"declaration\":\"user\",\"description\":{\"fr\":\"## Contexte"
	    "\\n\\nLes agents posaient les mêmes questions (congés, télétravail, mutuelle)\\nau "
	    "service RH, qui répondait à plus de 400 courriels par mois.\\n\\n- réponses "
	    "sourcées\\n- aucune donnée personnelle envoyée hors de l'UE\\n\\n    extrait de "
	    "configuration  \"},\"territories\":[{\"code\":\"69123\",\"label\":\"Lyon\","
	    "\"level\":\"commune\",\"cog_year\":2025}],\"recommendation\":"
	    "\"recommend_with_conditions\",\"available_for_contact\":\"yes\"}");
	CHECK_EQ_STR(last_path, "rex/2026-chatbot-rh");
}

/* ---- scalars ----------------------------------------------------------------------------- */

static void test_scalars(void)
{
	CHECK_PARSES_TO(
	    "---\n"
	    "a: 42\nb: -17\nc: +5\nd: 0\ne: -0\n"
	    "f: 1.5\ng: -0.25\nh: .5\ni: 2.\nj: 1.5e3\nk: 6.02E+23\n"
	    "l: true\nm: False\nn: TRUE\n"
	    "o: null\np: ~\nq:\nr: Null\n"
	    "s: \"69123\"\nt: '42'\nu: 2024-01-15\nv: \"true\"\nw: 'null'\n"
	    "x: 01053\ny: 1e5\nz: yes\n"
	    "za: 0x1F\nzb: .inf\nzc: 1_000\nzd: 12:30\nze: |\n  42\n"
	    "---\n",
	    "{\"a\":42,\"b\":-17,\"c\":5,\"d\":0,\"e\":0,\"f\":1.5f,\"g\":-0.25f,\"h\":0.5f,"
	    "\"i\":2f,\"j\":1500f,\"k\":6.02e+23f,\"l\":true,\"m\":false,"
	    "\"n\":true,\"o\":null,\"p\":null,\"q\":null,\"r\":null,\"s\":\"69123\","
	    "\"t\":\"42\",\"u\":\"2024-01-15\",\"v\":\"true\",\"w\":\"null\","
	    "\"x\":\"01053\",\"y\":\"1e5\",\"z\":\"yes\",\"za\":\"0x1F\",\"zb\":\".inf\","
	    "\"zc\":\"1_000\",\"zd\":\"12:30\",\"ze\":\"42\\n\"}");

	CHECK_PARSES_TO("---\nmax: 9223372036854775807\nmin: -9223372036854775808\n---\n",
	                "{\"max\":9223372036854775807,\"min\":-9223372036854775808}");
	CHECK_REFUSED("---\ntype: rex\nbig: 9223372036854775808\n---\n", MAILLE_EPROTO, 3);
	CHECK_EQ_STR(last_err.field, "big");
	CHECK_EQ_INT(last_err.column, 6);
	CHECK(message_has("out of range"));
	CHECK_REFUSED("---\nsmall: -9223372036854775809\n---\n", MAILLE_EPROTO, 2);
	CHECK_REFUSED("---\nf: 1.0e999\n---\n", MAILLE_EPROTO, 2);
	CHECK(message_has("out of range"));
	/* a value that only a quote keeps as text */
	CHECK_PARSES_TO("---\nbig: \"9223372036854775808\"\n---\n",
	                "{\"big\":\"9223372036854775808\"}");
	/* very small numbers underflow to a finite value */
	CHECK_PARSES_TO("---\nf: 1.0e-999\n---\n", "{\"f\":0f}");
}

/* ---- path, description, lang ------------------------------------------------------------- */

static void test_path(void)
{
	CHECK_PARSES_TO("---\ntype: component\npath: component/publik\ntitle: Publik\n---\n",
	                "{\"type\":\"component\",\"title\":\"Publik\"}");
	CHECK_EQ_STR(last_path, "component/publik");

	CHECK_PARSES_TO("---\ntype: component\n---\n", "{\"type\":\"component\"}");
	CHECK(last_path == NULL);

	/* only the top-level key is the entry path */
	CHECK_PARSES_TO("---\nlinks: [{rel: x, path: a/b}]\n---\n",
	                "{\"links\":[{\"rel\":\"x\",\"path\":\"a/b\"}]}");
	CHECK(last_path == NULL);

	CHECK_REFUSED("---\ntype: rex\npath: 2026\n---\n", MAILLE_EPROTO, 3);
	CHECK_EQ_STR(last_err.field, "path");
	CHECK_REFUSED("---\npath: [rex, a]\n---\n", MAILLE_EPROTO, 2);
	CHECK_REFUSED("---\npath:\n---\n", MAILLE_EPROTO, 2);
}

static void test_description(void)
{
	/* the body, trimmed of blank lines, in the front matter's language */
	CHECK_PARSES_TO(
	    "---\nlang: en\n---\n\n  \nFirst line\n\nSecond line\n\n",
	    "{\"lang\":\"en\",\"description\":{\"en\":\"First line\\n\\nSecond line\"}}");
	CHECK_PARSES_TO("---\nlang: en-GB\n---\nText\n",
	                "{\"lang\":\"en-GB\",\"description\":{\"en-GB\":\"Text\"}}");
	/* a lang that is not a language tag: the text is filed as French, schema checks complain */
	CHECK_PARSES_TO("---\nlang: Français\n---\nTexte\n",
	                "{\"lang\":\"Français\",\"description\":{\"fr\":\"Texte\"}}");
	CHECK_PARSES_TO("---\nlang: 12\n---\nTexte\n",
	                "{\"lang\":12,\"description\":{\"fr\":\"Texte\"}}");
	/* no body, no description */
	CHECK_PARSES_TO("---\ntitle: T\n---\n", "{\"title\":\"T\"}");
	CHECK_PARSES_TO("---\ntitle: T\n---\n \n\t\n", "{\"title\":\"T\"}");
	CHECK_PARSES_TO("---\ntitle: T\n---", "{\"title\":\"T\"}");
	/* a description in the front matter and no body */
	CHECK_PARSES_TO("---\ndescription: {fr: Texte, en: Text}\n---\n\n",
	                "{\"description\":{\"en\":\"Text\",\"fr\":\"Texte\"}}");
	/* both: refused at the description key */
	CHECK_REFUSED("---\ntype: rex\ndescription: Texte\n---\n\nCorps\n", MAILLE_EPROTO, 3);
	CHECK_EQ_STR(last_err.field, "description");
	CHECK(message_has("line 6"));
	/* an empty placeholder gives way to the body */
	CHECK_PARSES_TO("---\ndescription:\n---\nCorps\n", "{\"description\":{\"fr\":\"Corps\"}}");
	/* Markdown that looks like front matter stays in the body */
	CHECK_PARSES_TO("---\na: 1\n---\nx\n---\ny\n",
	                "{\"a\":1,\"description\":{\"fr\":\"x\\n---\\ny\"}}");
	/* "..." also ends the front matter; trailing blanks after the markers are tolerated */
	CHECK_PARSES_TO("---  \na: 1\n... \nz\n", "{\"a\":1,\"description\":{\"fr\":\"z\"}}");
}

static void test_empty_front_matter(void)
{
	CHECK_PARSES_TO("---\n---\n", "{}");
	CHECK_PARSES_TO("---\n# only a comment\n---\nTexte",
	                "{\"description\":{\"fr\":\"Texte\"}}");
}

/* ---- line endings and byte order mark ---------------------------------------------------- */

static void test_crlf(void)
{
	const char *lf =
	    "---\ntype: rex\ntitle: Bilan\nthemes:\n  - donnees\nsummary: |\n  a\n  b\n"
	    "---\n\nLigne 1\nLigne 2\n";
	const char *crlf = "---\r\ntype: rex\r\ntitle: Bilan\r\nthemes:\r\n  - donnees\r\n"
	                   "summary: |\r\n  a\r\n  b\r\n---\r\n\r\nLigne 1\r\nLigne 2\r\n";
	CHECK_EQ_INT(parse(lf), 0);
	char expected[sizeof last_dump.buf];
	snprintf(expected, sizeof expected, "%s", last_dump.buf);
	CHECK_PARSES_TO(crlf, expected);
	CHECK(strstr(expected, "\"Ligne 1\\nLigne 2\"") != NULL);
	CHECK(strstr(expected, "\"a\\nb\\n\"") != NULL);
	/* lone CRs in the body become LF too */
	CHECK_PARSES_TO("---\r\na: 1\r\n---\r\nx\ry\r\n",
	                "{\"a\":1,\"description\":{\"fr\":\"x\\ny\"}}");
	/* line numbers are the same as in the LF file */
	CHECK_REFUSED("---\r\na: 1\r\nb: 2\r\nc: [\r\n---\r\n", MAILLE_EPROTO, 0);
	CHECK_REFUSED("---\r\na: 1\r\nb: 2\r\nb: 3\r\n---\r\n", MAILLE_EPROTO, 4);
	CHECK_EQ_INT(last_err.column, 1);
	/* YAML also breaks lines at a lone CR and at U+2028; lines are still the file's '\n' lines
	 * (a fuzzer found a line number past the end of the file) */
	CHECK_REFUSED("---\na: 1\rb: \"x\xe2\x80\xa8y\"\nc: 1\nc: 2\n---\n", MAILLE_EPROTO, 4);
	CHECK_EQ_INT(last_err.column, 1);
	CHECK_REFUSED("---\na: 1\rb: \"x\xe2\x80\xa8y\"\nc: 1\r\rc: 2\n---\n", MAILLE_EPROTO, 3);
	CHECK_EQ_INT(last_err.column, 7);
}

static void test_bom(void)
{
	CHECK_PARSES_TO("\xef\xbb\xbf---\ntitle: Été\n---\nCorps\n",
	                "{\"title\":\"Été\",\"description\":{\"fr\":\"Corps\"}}");
	CHECK_PARSES_TO("\xef\xbb\xbf---\r\ntitle: x\r\n---\r\n", "{\"title\":\"x\"}");
	/* errors keep the file's line numbers */
	CHECK_REFUSED("\xef\xbb\xbf---\na: 1\na: 2\n---\n", MAILLE_EPROTO, 3);
	/* only at the very start */
	CHECK_REFUSED("\n\xef\xbb\xbf---\na: 1\n---\n", MAILLE_EPROTO, 1);
}

/* ---- refusals ---------------------------------------------------------------------------- */

static void test_refuse_file(void)
{
	CHECK_REFUSED("", MAILLE_EPROTO, 1);
	CHECK(message_has("must start with a '---' line"));
	CHECK_REFUSED("title: x\n", MAILLE_EPROTO, 1);
	CHECK(message_has("must start with a '---' line (YAML front matter)"));
	CHECK_REFUSED("\n---\na: 1\n---\n", MAILLE_EPROTO, 1);
	CHECK_REFUSED("--- a: 1\n---\n", MAILLE_EPROTO, 1);
	CHECK_REFUSED("----\na: 1\n---\n", MAILLE_EPROTO, 1);
	CHECK_REFUSED("---", MAILLE_EPROTO, 1);
	CHECK_REFUSED("---\ntitle: x\n", MAILLE_EPROTO, 1);
	CHECK(message_has("not closed"));

	/* NUL anywhere, even in the body */
	static const char nul[] = "---\na: 1\n---\nab\0c\n";
	CHECK_EQ_INT(parse_len(nul, sizeof nul - 1), MAILLE_EPROTO);
	CHECK_EQ_INT(last_err.line, 4);
	CHECK(message_has("binary file (NUL byte at line 4)"));

	/* invalid UTF-8: a stray continuation byte, an overlong form, a surrogate */
	CHECK_REFUSED("---\na: 1\nb: 2\ntitle: caf\xe9\n---\n", MAILLE_EUTF8, 4);
	CHECK(message_has("line 4"));
	CHECK_EQ_INT(last_err.column, 11);
	CHECK_REFUSED("---\na: \xc0\xaf\n---\n", MAILLE_EUTF8, 2);
	CHECK_REFUSED("---\na: 1\n---\n\n\n\xed\xa0\x80\n", MAILLE_EUTF8, 6);

	/* size */
	size_t big = MAILLE_INPUT_FILE_MAX + 1;
	char *buf = malloc(big);
	CHECK(buf != NULL);
	if (buf) {
		memset(buf, 'a', big);
		memcpy(buf, "---\na: 1\n---\n", 13);
		CHECK_EQ_INT(parse_len(buf, big), MAILLE_ETOOBIG);
		/* exactly at the limit is fine */
		CHECK_EQ_INT(parse_len(buf, big - 1), 0);
		free(buf);
	}
}

static void test_refuse_yaml_syntax(void)
{
	/* line 5 of the file is the 4th line of the front matter */
	CHECK_REFUSED("---\ntype: rex\ntitle: Bilan\nstatus: pilot\nsummary: Bilan : un an\n---\n",
	              MAILLE_EPROTO, 5);
	CHECK_EQ_INT(last_err.column, 16);
	CHECK(message_has("mapping values are not allowed"));
	CHECK(message_has("quoted"));
	/* the same in French, libyaml's words too */
	CHECK(message_fr_has("YAML : « : » inattendu à cet endroit"));
	CHECK(message_fr_has("une valeur qui contient « : » se met entre guillemets"));
	CHECK(strcmp(fm_error_text(&last_err, true), last_err.message) == 0);
	CHECK_REFUSED("---\na: 1\nb: 2\nc: 3\nd: \"unterminated\n---\n", MAILLE_EPROTO, 0);
	CHECK(last_err.line >= 5);
	CHECK_REFUSED("---\na: 1\nb: 2\nc: 3\n- x\n---\n", MAILLE_EPROTO, 5);
	CHECK(message_has("did not find expected key"));
	CHECK_REFUSED("---\na: 1\nb: 2\nc: 3\nd: [1, 2\ne: 3\n---\n", MAILLE_EPROTO, 0);
	CHECK(last_err.line >= 5 && last_err.line <= 7);
	CHECK_REFUSED("---\na: 1\nb: 2\nc: 3\n\tx: 1\n---\n", MAILLE_EPROTO, 5);
	CHECK_REFUSED("---\na: 1\nb: 2\nc: 3\nd: @mairie\n---\n", MAILLE_EPROTO, 5);
	CHECK(message_has("quotes"));
	/* a control character that libyaml refuses: reported by offset */
	CHECK_REFUSED("---\na: 1\nb: 2\nc: 3\nd: x\x01y\n---\n", MAILLE_EPROTO, 5);
	CHECK_EQ_INT(last_err.column, 5);
	/* the CRLF variant of the first case */
	CHECK_REFUSED(
	    "---\r\ntype: rex\r\ntitle: Bilan\r\nstatus: pilot\r\nsummary: Bilan : un an\r\n"
	    "---\r\n",
	    MAILLE_EPROTO, 5);
}

/* CHECK_REFUSED with MAILLE_EPROTO at line at_line, then, where given (not 0, not NULL), the
 * column, the field and a part of the message. */
#define CHECK_REFUSED_AT(text, at_line, at_column, at_field, part)                                \
	do {                                                                                       \
		const char *field_ = (at_field), *part_ = (part);                                  \
		CHECK_REFUSED(text, MAILLE_EPROTO, at_line);                                       \
		if ((at_column) != 0)                                                              \
			CHECK_EQ_INT(last_err.column, at_column);                                  \
		if (field_)                                                                        \
			CHECK_EQ_STR(last_err.field, field_);                                      \
		if (part_)                                                                         \
			CHECK(message_has(part_));                                                 \
	} while (0)

static void test_refuse_structure(void)
{
	CHECK_REFUSED("---\n- a\n- b\n---\n", MAILLE_EPROTO, 2);
	CHECK(message_has("mapping"));
	CHECK_REFUSED("---\njust text\n---\n", MAILLE_EPROTO, 2);
	CHECK_REFUSED("---\na: 1\n--- b: 2\n---\n", MAILLE_EPROTO, 3);
	CHECK(message_has("one YAML document"));

	/* anchors, aliases, tags */
	CHECK_REFUSED_AT("---\ntype: rex\nbase: &b {x: 1}\nother: *b\n---\n", 3, 7, "base",
	                 "anchors");
	CHECK_REFUSED("---\na: 1\nb: [x, *y]\n---\n", MAILLE_EPROTO, 0);
	CHECK(message_has("alias") || message_has("undefined"));
	CHECK_REFUSED_AT("---\na: 1\nb: !!int \"3\"\n---\n", 3, 4, NULL, "tags");
	CHECK_REFUSED("---\na: !local x\n---\n", MAILLE_EPROTO, 2);
	CHECK_REFUSED("---\n!!map\na: 1\n---\n", MAILLE_EPROTO, 2);
	CHECK_REFUSED("---\n&top\na: 1\n---\n", MAILLE_EPROTO, 2);

	/* keys */
	CHECK_REFUSED_AT("---\ntype: rex\ntitle: A\ntype: use_case\n---\n", 4, 0, "type",
	                 "duplicate key 'type'");
	CHECK_REFUSED_AT("---\nperiod:\n  start: 2024-01-01\n  start: 2024-02-01\n---\n", 4, 3,
	                 "period", "duplicate key 'start'");
	CHECK_REFUSED("---\n\"a\": 1\na: 2\n---\n", MAILLE_EPROTO, 3); /* same text, any style */
	CHECK_REFUSED("---\n[a, b]: 1\n---\n", MAILLE_EPROTO, 2);
	CHECK(message_has("key"));
	CHECK_REFUSED("---\n? {a: 1}\n: 2\n---\n", MAILLE_EPROTO, 2);
	CHECK_REFUSED("---\n2024: bilan\n---\n", MAILLE_EPROTO, 2);
	CHECK(message_has("quote"));
	CHECK_REFUSED("---\ntrue: x\n---\n", MAILLE_EPROTO, 2);
	CHECK_REFUSED("---\n~: x\n---\n", MAILLE_EPROTO, 2);
	CHECK_REFUSED("---\n: x\n---\n", MAILLE_EPROTO, 2);
	CHECK_PARSES_TO("---\n\"2024\": bilan\n'true': x\n---\n",
	                "{\"2024\":\"bilan\",\"true\":\"x\"}");

	/* NUL smuggled through an escape */
	CHECK_REFUSED("---\na: 1\nb: \"x\\0y\"\n---\n", MAILLE_EPROTO, 3);
	CHECK_EQ_STR(last_err.field, "b");
	CHECK_REFUSED("---\na: 1\n\"b\\0\": 1\n---\n", MAILLE_EPROTO, 3);
	/* escapes that give valid text are fine */
	CHECK_PARSES_TO("---\na: \"\\u00e9t\\u00E9 \\x41\"\n---\n", "{\"a\":\"été A\"}");
}

/* A document whose last line is head then x inside depth flow sequences. */
static void nested_flow(char *text, size_t cap, const char *head, unsigned depth)
{
	size_t n = (size_t)snprintf(text, cap, "---\n%s", head);
	for (unsigned i = 0; i < depth; i++)
		text[n++] = '[';
	text[n++] = 'x';
	for (unsigned i = 0; i < depth; i++)
		text[n++] = ']';
	snprintf(text + n, cap - n, "\n---\n");
}

static void test_limits(void)
{
	/* key length: PROTO_MAP_KEY_MAX bytes is the most */
	char text[4096];
	char key[PROTO_MAP_KEY_MAX + 2];
	memset(key, 'k', sizeof key);
	key[PROTO_MAP_KEY_MAX] = '\0';
	snprintf(text, sizeof text, "---\n%s: 1\n---\n", key);
	CHECK_EQ_INT(parse(text), 0);
	key[PROTO_MAP_KEY_MAX] = 'k';
	key[PROTO_MAP_KEY_MAX + 1] = '\0';
	snprintf(text, sizeof text, "---\na: 1\n%s: 1\n---\n", key);
	CHECK_REFUSED(text, MAILLE_ETOOBIG, 3);

	/* depth: the root map is depth 0, a value may sit at PROTO_VALUE_DEPTH_MAX */
	nested_flow(text, sizeof text, "a: ", PROTO_VALUE_DEPTH_MAX - 1);
	CHECK_EQ_INT(parse(text), 0);
	nested_flow(text, sizeof text, "type: rex\na: ", PROTO_VALUE_DEPTH_MAX);
	CHECK_REFUSED(text, MAILLE_ETOOBIG, 3);
	CHECK_EQ_STR(last_err.field, "a");

	/* block style nesting: each level is a map */
	size_t n = 0;
	n += (size_t)snprintf(text + n, sizeof text - n, "---\n");
	for (unsigned i = 0; i < 40; i++)
		n += (size_t)snprintf(text + n, sizeof text - n, "%*sk%u:\n", (int)(2 * i), "", i);
	n += (size_t)snprintf(text + n, sizeof text - n, "---\n");
	CHECK_REFUSED(text, MAILLE_ETOOBIG, 3 + PROTO_VALUE_DEPTH_MAX);

	/* a very deep flow collection is cut off at the limit, not parsed to the end */
	size_t deep = 200000;
	char *d = malloc(deep + 32);
	CHECK(d != NULL);
	if (d) {
		memcpy(d, "---\na: ", 7);
		memset(d + 7, '[', deep);
		memcpy(d + 7 + deep, "\n---\n", 5);
		CHECK_EQ_INT(parse_len(d, deep + 12), MAILLE_ETOOBIG);
		free(d);
	}

	/* values: PROTO_VALUE_NODES_MAX in all, keys included, as the decoder counts them */
	size_t items = PROTO_VALUE_NODES_MAX;
	char *many = malloc(2 * items + 64);
	CHECK(many != NULL);
	if (many) {
		size_t m = 0;
		/* root map + key + array = 3 values, then the items */
		size_t ok_items = PROTO_VALUE_NODES_MAX - 3;
		m += (size_t)sprintf(many, "---\na: [");
		for (size_t i = 0; i < ok_items; i++) {
			many[m++] = '0';
			many[m++] = ',';
		}
		m--;
		m += (size_t)sprintf(many + m, "]\n---\n");
		CHECK_EQ_INT(parse_len(many, m), 0);

		m = 0;
		m += (size_t)sprintf(many, "---\na: [");
		for (size_t i = 0; i < ok_items + 1; i++) {
			many[m++] = '0';
			many[m++] = ',';
		}
		m--;
		m += (size_t)sprintf(many + m, "]\n---\n");
		CHECK_EQ_INT(parse_len(many, m), MAILLE_ETOOBIG);
		free(many);
	}
}

/* Many keys in one mapping: duplicates are found without comparing every pair (a quadratic
 * lookup took seconds for this file), and the last key can still be the duplicate. */
static void test_many_keys(void)
{
	size_t n_keys = 30000;
	char *text = malloc(16 * n_keys + 64);
	if (!text) {
		CHECK(!"out of memory");
		return;
	}
	size_t n = (size_t)sprintf(text, "---\n");
	for (size_t i = 0; i < n_keys; i++)
		n += (size_t)sprintf(text + n, "k%zu: %zu\n", i, i);
	size_t before_close = n;
	memcpy(text + n, "---\n", 4); /* not sprintf: gcc -fsanitize misreads it as a NULL write */
	n += 4;
	CHECK_EQ_INT(parse_len(text, n), 0);

	n = before_close;
	n += (size_t)sprintf(text + n, "k%zu: again\n---\n", n_keys / 2);
	CHECK_EQ_INT(parse_len(text, n), MAILLE_EPROTO);
	CHECK_EQ_INT(last_err.line, 2 + n_keys);
	CHECK(message_has("duplicate key 'k15000'"));
	/* the same key in different mappings is no duplicate */
	CHECK_PARSES_TO("---\na: {x: 1}\nb: {x: 2}\nc: [{x: 3}, {x: 4}]\n---\n",
	                "{\"a\":{\"x\":1},\"b\":{\"x\":2},\"c\":[{\"x\":3},{\"x\":4}]}");
	free(text);
}

static void test_messages_stay_utf8(void)
{
	/* a long key of accented letters, cut inside the message */
	char text[512];
	snprintf(text, sizeof text, "---\n%s: 1\n---\n",
	         "ééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé");
	CHECK_REFUSED(text, MAILLE_ETOOBIG, 2);
	CHECK(strlen(last_err.field) < sizeof last_err.field);
	snprintf(text, sizeof text, "---\n%s: [*x]\n---\n", "éééééééééééééééééééééééééééééééé");
	CHECK_REFUSED(text, MAILLE_EPROTO, 2);
	CHECK(last_err.field[0] != '\0');
}

/* Allocation failures give MAILLE_ENOMEM (and nothing leaks: the sanitizer build checks). */
static void test_out_of_memory(void)
{
	int saw_nomem = 0, saw_ok = 0;
	for (size_t budget = 64; budget < 65536; budget += 64) {
		proto_arena a;
		proto_arena_init(&a, budget);
		proto_value *body = NULL;
		const char *path = NULL;
		fm_error err;
		int r =
		    fm_parse((const uint8_t *)rex_file, strlen(rex_file), &a, &body, &path, &err);
		CHECK(r == 0 || r == MAILLE_ENOMEM);
		if (r == MAILLE_ENOMEM) {
			saw_nomem++;
			CHECK(body == NULL && path == NULL);
		} else if (r == 0) {
			saw_ok++;
			CHECK_EQ_STR(path, "rex/2026-chatbot-rh");
		}
		proto_arena_done(&a);
		if (saw_ok)
			break;
	}
	CHECK(saw_nomem > 0);
	CHECK(saw_ok > 0);
}

static void test_cleanup(void)
{
	proto_arena_done(&arena);
}

/* The line of every key and item, nested ones too, as a schema report's path names them; a
 * missing member gives its object's line, a missing field line 1, the Markdown body the
 * description's. */
static void test_lines(void)
{
	static const char file[] = "---\n"                                  /* 1 */
	                           "type: rex\n"                            /* 2 */
	                           "title:\n"                               /* 3 */
	                           "  fr: \"Chatbot RH : un an après\"\n"     /* 4 */
	                           "themes: [donnees,\n"                    /* 5 */
	                           "  sante]\n"                             /* 6 */
	                           "territories:\n"                         /* 7 */
	                           "  - level: commune\n"                   /* 8 */
	                           "    code: \"69123\"\n"                  /* 9 */
	                           "  - level: epci\n"                      /* 10 */
	                           "\n"                                     /* 11 */
	                           "    cog_year: 2025\n"                   /* 12 */
	                           "lesons_learned: \"é\"\n"                /* 13 */
	                           "path: rex/chatbot-rh\n"                 /* 14 */
	                           "---\n"                                  /* 15 */
	                           "\n"                                     /* 16 */
	                           "Le texte.\n";                           /* 17 */
	static const struct {
		const char *field;
		unsigned line;
	} want[] = {
		{ "type", 2 },
		{ "title", 3 },
		{ "title.fr", 4 },
		{ "title.en", 3 },
		{ "themes", 5 },
		{ "themes[0]", 5 },
		{ "themes[1]", 6 },
		{ "themes[2]", 5 },
		{ "territories[0]", 8 },
		{ "territories[0].code", 9 },
		{ "territories[0].label", 8 },
		{ "territories[1].cog_year", 12 },
		{ "territories[1]", 10 },
		{ "territories[9].code", 7 },
		{ "lesons_learned", 13 },
		{ "summary", 1 },
		{ "", 1 },
		{ "description", 17 },
		{ "description.fr", 17 },
		{ "x[", 1 },
		{ "territories[", 7 },
		{ "territories[99999999999999999999]", 7 },
	};
	proto_arena a;
	proto_arena_init(&a, 0);
	proto_value *body = NULL;
	const char *path = NULL;
	fm_lines lines;
	fm_error err;
	int r = fm_parse_lines((const uint8_t *)file, strlen(file), &a, &body, &path, &lines, &err);
	CHECK_EQ_INT(r, 0);
	if (r == 0) {
		for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
			if (fm_lines_find(&lines, want[i].field) != want[i].line) {
				CHECK(!"line");
				fprintf(stderr, "  %s: line %u, want %u\n", want[i].field,
				        fm_lines_find(&lines, want[i].field), want[i].line);
			}
		CHECK_EQ_STR(path, "rex/chatbot-rh");
		fm_lines_done(&lines);
		CHECK(lines.v == NULL && lines.n == 0);
	}
	/* a refused file leaves the lines untouched */
	fm_lines untouched = { (fm_line *)&a, 7, 7 };
	r = fm_parse_lines((const uint8_t *)"---\na: [\n---\n", 14, &a, &body, &path, &untouched,
	                   &err);
	CHECK_EQ_INT(r, MAILLE_EPROTO);
	CHECK(untouched.v == (fm_line *)&a && untouched.n == 7);
	CHECK_EQ_INT(fm_lines_find(NULL, "title"), 1);
	proto_arena_done(&a);
}

CHECK_MAIN(test_rex_realistic, test_scalars, test_path, test_description, test_empty_front_matter,
           test_crlf, test_bom, test_refuse_file, test_refuse_yaml_syntax, test_refuse_structure,
           test_limits, test_many_keys, test_messages_stay_utf8, test_out_of_memory, test_lines, test_cleanup)
