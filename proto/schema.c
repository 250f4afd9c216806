/* proto/schema.c: validation and normalisation of the catalogue's records (README, "Record
 * types"), slugs.
 *
 * The schema is data: the record tables of proto/record.h (proto/record_*.c) say for each type
 * which fields it has, whether each is required, recommended (a warning when missing) or
 * optional, under which condition that changes, its kind, its vocabulary, and for structured
 * fields the table of the nested object. Fields are checked in table order (common fields,
 * then the type's own), so the same body always reports the same first error.
 *
 * Validation only descends where a table says so, so its depth is bounded by the schema, never
 * by the body; `extensions` and unknown fields are never entered. It allocates nothing: field
 * paths and messages are built in fixed buffers and truncated on a code-point boundary. Every
 * piece of a body that ends up in a message or a path (an unknown key, a bad enum value) is
 * sanitised first, because reports are shown on terminals and web pages.
 *
 * Conventions this file settles:
 * - a nil value counts as an absent field (YAML front ends produce `key:` with no value);
 * - inside a nested object, the members its table marks PROTO_REQUIRED are required (`maintenance`
 *   requires its `type` only, `model_card` nothing: see their tables);
 * - strings the schema reads must not be empty, and a required list must not be empty.
 *
 * Text. Every string the schema reads follows proto_text_check's rule (proto/value.h): valid
 * UTF-8 without control characters. A one-line text (titles, summaries, names, labels,
 * keywords, units, codes: every field whose table entry is not marked multiline) holds no C0 control,
 * line feed and tab included, no DEL and no C1 control. A multi-line text (marked multiline:
 * the description, a step's text, the long prose fields of a methodology, a use case, a
 * component's features and model card, a REX, a territory's contact) is Markdown: line feeds
 * and tabs, no other control. Not CR either: both front ends turn CR LF and a lone CR into a
 * line feed (libyaml and node/service/frontmatter.c for a file, node/web/web_form.c for a form's
 * text area), so only a CR written on purpose (a YAML "\r") reaches here. Theme slugs, enum values,
 * language tags, dates and the like have stricter syntaxes of their own.
 * This is a rule for writing: validation runs where a record is authored (maille publish,
 * maille init, the web form), never on what a node receives, since PROTOCOL.md §1.4 leaves the
 * schema to the publishing node. So records that older versions published with such
 * characters still replicate and converge; they are shown escaped (node/service/term.c, HTML). */
#include "schema.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "entry.h"
#include "error.h"
#include "record.h"

#if defined(__GNUC__) || defined(__clang__)
#define SCHEMA_PRINTF_(f, a) __attribute__((format(printf, f, a)))
#else
#define SCHEMA_PRINTF_(f, a)
#endif

typedef struct schema_ctx schema_ctx;
typedef proto_record_field field_spec;
typedef proto_record_obj obj_spec;

/* ---- Small helpers on values and bytes ----------------------------------------------------- */

/* A string value's bytes; a hand-built tree may carry a NULL pointer, read as "". */
static const char *str_bytes(const proto_value *v, size_t *ret_len)
{
	if (!v->u.str.ptr) {
		*ret_len = 0;
		return "";
	}
	*ret_len = v->u.str.len;
	return v->u.str.ptr;
}

/* Map lookup by key. A nil value is reported as absent (see the file comment). */
static proto_value *map_find_mut(const proto_value *m, const char *key)
{
	size_t n = strlen(key);

	if (!m || m->type != PROTO_V_MAP || !m->u.map.items)
		return NULL;
	for (size_t i = 0; i < m->u.map.n; i++) {
		proto_kv *kv = &m->u.map.items[i];
		if (kv->key && kv->key_len == n && memcmp(kv->key, key, n) == 0)
			return kv->val.type == PROTO_V_NIL ? NULL : &kv->val;
	}
	return NULL;
}

static const proto_value *map_find(const proto_value *m, const char *key)
{
	return map_find_mut(m, key);
}

static bool in_vocab(const proto_vocab *vocab, const char *s, size_t len)
{
	for (const proto_vocab_term *t = vocab->terms; t->value; t++)
		if (strlen(t->value) == len && memcmp(t->value, s, len) == 0)
			return true;
	return false;
}

static const char *vtype_name(const proto_value *v)
{
	switch (v->type) {
	case PROTO_V_NIL:
		return "nil";
	case PROTO_V_BOOL:
		return "a boolean";
	case PROTO_V_INT:
		return "an integer";
	case PROTO_V_FLOAT:
		return "a float";
	case PROTO_V_STR:
		return "a string";
	case PROTO_V_BIN:
		return "binary data";
	case PROTO_V_ARRAY:
		return "a list";
	case PROTO_V_MAP:
		return "a map";
	}
	return "a value of unknown type";
}

static bool is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static bool is_lower(char ch)
{
	return ch >= 'a' && ch <= 'z';
}

static bool is_alnum(char ch)
{
	return is_digit(ch) || is_lower(ch) || (ch >= 'A' && ch <= 'Z');
}

/* [a-z]{2,3}(-[A-Za-z0-9]+)*, 2 to PROTO_LANG_TAG_MAX bytes: the BCP 47 shapes that people
 * use as language-map keys (fr, en, fr-FR, zh-Hant-TW), without the registry. */
static bool lang_tag_valid(const char *s, size_t len)
{
	size_t i = 0;

	if (len < 2 || len > PROTO_LANG_TAG_MAX)
		return false;
	while (i < len && is_lower(s[i]))
		i++;
	if (i < 2 || i > 3)
		return false;
	while (i < len) {
		size_t start;
		if (s[i] != '-')
			return false;
		start = ++i;
		while (i < len && is_alnum(s[i]))
			i++;
		if (i == start)
			return false;
	}
	return true;
}

static bool date_valid(const char *s, size_t len)
{
	static const unsigned char days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	unsigned y, m, d, dim;

	if (len != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (size_t i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !is_digit(s[i]))
			return false;
	y = (unsigned)(s[0] - '0') * 1000 + (unsigned)(s[1] - '0') * 100 +
	    (unsigned)(s[2] - '0') * 10 + (unsigned)(s[3] - '0');
	m = (unsigned)(s[5] - '0') * 10 + (unsigned)(s[6] - '0');
	d = (unsigned)(s[8] - '0') * 10 + (unsigned)(s[9] - '0');
	if (m < 1 || m > 12 || d < 1)
		return false;
	dim = days[m - 1];
	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		dim = 29;
	return d <= dim;
}

/* Deliberately loose (RFC 5322 is not worth it here): one '@' between non-empty parts and no
 * white space or control character. */
static bool email_valid(const char *s, size_t len)
{
	size_t at = len, n_at = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch <= 0x20 || ch == 0x7f)
			return false;
		if (ch == '@')
			n_at++, at = i;
	}
	return n_at == 1 && at > 0 && at + 1 < len;
}

/* scheme ":" something, RFC 3986's scheme syntax, no white space or control characters. */
static bool uri_valid(const char *s, size_t len)
{
	size_t i = 0;

	if (len == 0 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return false;
	while (i < len && (is_alnum(s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.'))
		i++;
	if (i >= len || s[i] != ':' || i + 1 == len)
		return false;
	for (; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

/* The length of a valid URI's scheme (before its ':'). */
static size_t uri_scheme_len(const char *s, size_t len)
{
	size_t n = 0;

	while (n < len && s[n] != ':')
		n++;
	return n;
}

/* Whether the scheme s[0..n) is scheme (lower case), compared without case (RFC 3986 §3.1). */
static bool scheme_is(const char *s, size_t n, const char *scheme)
{
	if (strlen(scheme) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i]) != scheme[i])
			return false;
	return true;
}

/* A valid URI with the scheme http or https has "//" and a host after it. */
static bool web_authority(const char *s, size_t len, size_t scheme_len)
{
	size_t i = scheme_len + 1;

	return len > i + 2 && s[i] == '/' && s[i + 1] == '/' && !strchr("/?#", s[i + 2]);
}

/* SPDX identifiers and expressions use letters, digits, '.', '-', '+', ':' (DocumentRef),
 * parentheses and spaces around AND / OR / WITH. The grammar itself is not checked: licences
 * are displayed and exported, never reasoned about. */
static bool licence_valid(const char *s, size_t len)
{
	if (len == 0 || !(is_alnum(s[0]) || s[0] == '('))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!(is_alnum(s[i]) || strchr(".-+:() ", s[i])) || s[i] == '\0')
			return false;
	return true;
}

static bool siren_valid(const char *s, size_t len)
{
	if (len != 9)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!is_digit(s[i]))
			return false;
	return true;
}

static bool digest_valid(const char *s, size_t len)
{
	if (len != 64)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!(is_digit(s[i]) || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static bool currency_valid(const char *s, size_t len)
{
	if (len != 3)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!(s[i] >= 'A' && s[i] <= 'Z'))
			return false;
	return true;
}

static bool theme_slug_valid(const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!(is_lower(s[i]) || is_digit(s[i]) || s[i] == '-'))
			return false;
	return true;
}

/* ---- Report building --------------------------------------------------------------------- */

/* Copies src into dst (cap bytes, NUL-terminated), cutting on a UTF-8 boundary. */
static void copy_trunc(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);

	if (n >= cap) {
		n = cap - 1;
		while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Writes the printable part of bytes from a body into dst: control characters, bidi
 * overrides, line separators and invalid bytes become '?' so that a report can be printed
 * without letting the body steer a terminal or reorder a line. Returns true if all of s fit
 * in cap - 1 bytes. */
static bool sanitize_into(char *dst, size_t cap, const char *s, size_t len, size_t *ret_n)
{
	size_t o = 0, i = 0;

	while (i < len) {
		uint32_t cp = 0;
		size_t step = proto_utf8_next((const uint8_t *)s + i, len - i, &cp);
		bool bad = step == 0 || cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) ||
		           (cp >= 0x200e && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e) ||
		           (cp >= 0x2066 && cp <= 0x2069);
		size_t out = bad ? 1 : step;

		if (step == 0)
			step = 1;
		if (o + out + 1 > cap) {
			*ret_n = o;
			return false;
		}
		if (bad)
			dst[o] = '?';
		else
			memcpy(dst + o, s + i, step);
		o += out;
		i += step;
	}
	*ret_n = o;
	return true;
}

/* Sanitised, and shortened with "..." past cap - 1 bytes. */
static void sanitize(char *dst, size_t cap, const char *s, size_t len)
{
	size_t n = 0;

	if (cap < 8) {
		dst[0] = '\0';
		return;
	}
	if (!sanitize_into(dst, cap, s, len, &n)) {
		sanitize_into(dst, cap - 3, s, len, &n);
		memcpy(dst + n, "...", 3);
		n += 3;
	}
	dst[n] = '\0';
}

/* A value from a body, quoted in a message: short, since messages are 192 bytes. */
typedef struct quoted {
	char s[40];
} quoted;

static quoted quote(const proto_value *v)
{
	quoted q;
	size_t len;
	const char *p = str_bytes(v, &len);

	sanitize(q.s, sizeof q.s, p, len);
	return q;
}

struct schema_ctx {
	proto_schema_report *rep;
	bool failed;
	bool multiline; /* the field being checked is a multi-line text (see "Text" above) */
	size_t path_len;
	char path[256]; /* longer than an issue's field so that truncation happens once, there */
};

static void path_append(schema_ctx *c, const char *s, size_t n)
{
	size_t room = sizeof c->path - 1 - c->path_len;

	if (n > room)
		n = room;
	memcpy(c->path + c->path_len, s, n);
	c->path_len += n;
	c->path[c->path_len] = '\0';
}

/* Appends ".key" (or "key" at the top). key is a schema name or an already checked tag. */
static size_t path_push_key(schema_ctx *c, const char *key, size_t n)
{
	size_t saved = c->path_len;

	if (c->path_len)
		path_append(c, ".", 1);
	path_append(c, key, n);
	return saved;
}

static size_t path_push_index(schema_ctx *c, size_t i)
{
	char buf[32];
	size_t saved = c->path_len;
	int n = snprintf(buf, sizeof buf, "[%zu]", i);

	if (n > 0)
		path_append(c, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
	return saved;
}

static void path_pop(schema_ctx *c, size_t saved)
{
	c->path_len = saved;
	c->path[saved] = '\0';
}

SCHEMA_PRINTF_(3, 0)
static void issue_set(proto_schema_issue *is, const char *field, const char *fmt, va_list ap);

static void issue_set(proto_schema_issue *is, const char *field, const char *fmt, va_list ap)
{
	char msg[512];

	copy_trunc(is->field, sizeof is->field, field);
	vsnprintf(msg, sizeof msg, fmt, ap);
	copy_trunc(is->message, sizeof is->message, msg);
}

/* Records the error at the current path (the first one only) and returns -1 for the callers
 * to propagate. */
SCHEMA_PRINTF_(2, 3) static int fail(schema_ctx *c, const char *fmt, ...);

static int fail(schema_ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (!c->failed) {
		va_start(ap, fmt);
		issue_set(&c->rep->error, c->path, fmt, ap);
		va_end(ap);
		c->failed = true;
	}
	return -1;
}

SCHEMA_PRINTF_(2, 3) static void warn(schema_ctx *c, const char *fmt, ...);

static void warn(schema_ctx *c, const char *fmt, ...)
{
	va_list ap;
	proto_schema_report *rep = c->rep;

	rep->n_warnings_total++;
	if (rep->n_warnings >= PROTO_SCHEMA_WARN_MAX)
		return;
	va_start(ap, fmt);
	issue_set(&rep->warnings[rep->n_warnings++], c->path, fmt, ap);
	va_end(ap);
}

static int fail_type(schema_ctx *c, const char *expected, const proto_value *v)
{
	return fail(c, "expected %s, got %s", expected, vtype_name(v));
}

/* values: a vocabulary's, or with vocab NULL the record types. */
static int fail_enum(schema_ctx *c, const proto_value *v, const proto_vocab *vocab)
{
	char list[256];
	size_t n = 0, room = sizeof c->rep->error.message;

	list[0] = '\0';
	for (size_t i = 0; vocab ? vocab->terms[i].value != NULL : i < proto_record_n_types; i++) {
		const char *value = vocab ? vocab->terms[i].value : proto_record_types[i].name;
		int w = snprintf(list + n, sizeof list - n, "%s%s", n ? ", " : "", value);
		if (w < 0 || (size_t)w >= sizeof list - n)
			break;
		n += (size_t)w;
	}
	/* The accepted values are what the author needs to fix the record, so when the message
	 * would be cut, the quoted value goes first, then the rest of the sentence. */
	if (strlen("unknown value \"\"; expected one of: ") + strlen(quote(v).s) + n < room)
		return fail(c, "unknown value \"%s\"; expected one of: %s", quote(v).s, list);
	if (strlen("unknown value; expected one of: ") + n < room)
		return fail(c, "unknown value; expected one of: %s", list);
	return fail(c, "expected one of: %s", list);
}

/* ---- Checks ------------------------------------------------------------------------------ */

#define LANGMAP_EXPECTED "a language map like {fr: \"...\"}"

static int check_fields(schema_ctx *c, const field_spec *fields, const proto_value *obj);

/* The text rule (see "Text" above) for s, a string of the field being checked. The refusal
 * names the character by its code point, and for a multi-line text the line it is on. French
 * first, like the other refusals added since the schema spoke English only. */
static int check_chars(schema_ctx *c, const char *s, size_t len)
{
	uint32_t cp = 0;
	int r = proto_text_check(s, len, c->multiline, &cp);
	char fr[48], en[40], line[40] = "", line_en[24] = "";
	const char *fr_name = "caractère de contrôle", *en_name = "control character";

	if (r == 0)
		return 0;
	if (r == MAILLE_EUTF8)
		return fail(c, "texte UTF-8 invalide (invalid UTF-8)");
	if (cp == '\n')
		fr_name = "saut de ligne", en_name = "line break";
	else if (cp == '\t')
		fr_name = "tabulation", en_name = "tab";
	else if (cp == '\r')
		fr_name = "retour chariot", en_name = "carriage return";
	snprintf(fr, sizeof fr, "%s U+%04" PRIX32, fr_name, cp);
	snprintf(en, sizeof en, "%s U+%04" PRIX32, en_name, cp);
	if (!c->multiline)
		return fail(c,
		            "%s refusé : ce champ tient sur une ligne (%s not allowed in a "
		            "one-line field)",
		            fr, en);
	/* the first occurrence of cp is the one refused (an earlier one would have been); a C1
	 * control is the pair C2 xx, since its second byte alone may end another character */
	unsigned n = 1;
	for (size_t i = 0; i < len; i++) {
		unsigned char b = (unsigned char)s[i];
		if (cp < 0x80 ? b == cp : (b == 0xc2 && (unsigned char)s[i + 1] == cp))
			break;
		n += b == '\n';
	}
	snprintf(line, sizeof line, " à la ligne %u", n);
	snprintf(line_en, sizeof line_en, ", line %u", n);
	return fail(c,
	            "%s refusé%s : seuls le saut de ligne et la tabulation sont admis (%s not "
	            "allowed%s; only line breaks and tabs)",
	            fr, line, en, line_en);
}

/* A non-empty string; the error names what was expected. */
static int check_str(schema_ctx *c, const proto_value *v, const char *expected)
{
	size_t len;
	const char *s;

	if (v->type != PROTO_V_STR)
		return fail_type(c, expected, v);
	s = str_bytes(v, &len);
	if (len == 0)
		return fail(c, "empty string; expected %s", expected);
	return check_chars(c, s, len);
}

static int check_langmap(schema_ctx *c, const field_spec *f, const proto_value *v)
{
	if (v->type != PROTO_V_MAP)
		return fail_type(c, LANGMAP_EXPECTED, v);
	if (v->u.map.n == 0 || !v->u.map.items)
		return fail(c, "empty language map; expected at least one text like {fr: \"...\"}");
	for (size_t i = 0; i < v->u.map.n; i++) {
		const proto_kv *kv = &v->u.map.items[i];
		const char *key = kv->key ? kv->key : "";
		size_t key_len = kv->key ? kv->key_len : 0, saved, len, chars;
		const char *s;

		if (!lang_tag_valid(key, key_len)) {
			char q[40];
			sanitize(q, sizeof q, key, key_len);
			return fail(
			    c, "invalid language tag \"%s\"; expected a tag like fr or fr-FR", q);
		}
		saved = path_push_key(c, key, key_len);
		if (kv->val.type != PROTO_V_STR)
			return fail_type(c, "a string", &kv->val);
		s = str_bytes(&kv->val, &len);
		if (len == 0)
			return fail(c, "empty text");
		if (check_chars(c, s, len) < 0)
			return -1;
		chars = proto_utf8_len(s, len);
		if (f->max_chars && chars > f->max_chars)
			return fail(c, "too long: %zu characters, at most %u", chars, f->max_chars);
		if (f->warn_chars && chars > f->warn_chars)
			warn(c, "longer than the advised %u characters (%zu)", f->warn_chars,
			     chars);
		path_pop(c, saved);
	}
	return 0;
}

static int check_strlist(schema_ctx *c, const proto_value *v, const char *expected)
{
	if (v->type != PROTO_V_ARRAY)
		return fail_type(c, expected, v);
	for (size_t i = 0; i < v->u.arr.n && v->u.arr.items; i++) {
		size_t saved = path_push_index(c, i);
		if (check_str(c, &v->u.arr.items[i], "a string") < 0)
			return -1;
		path_pop(c, saved);
	}
	return 0;
}

/* A field the tables give no finer type (PROTO_FK_TEXT) accepts a string, a language map or a list of
 * strings. */
static int check_text(schema_ctx *c, const field_spec *f, const proto_value *v)
{
	switch (v->type) {
	case PROTO_V_STR:
		return check_str(c, v, "a string");
	case PROTO_V_MAP:
		return check_langmap(c, f, v);
	case PROTO_V_ARRAY:
		return check_strlist(c, v, "a list of strings");
	default:
		return fail_type(c, "a string, a language map or a list of strings", v);
	}
}

static int check_number(schema_ctx *c, const field_spec *f, const proto_value *v)
{
	if (v->type == PROTO_V_INT) {
		if (v->u.i < f->lo)
			return fail(c, "%" PRId64 " is below the minimum %" PRId64, v->u.i, f->lo);
		return 0;
	}
	if (v->type == PROTO_V_FLOAT) {
		/* NaN cannot be decoded, but a tree built by hand could hold one. */
		if (!isfinite(v->u.f))
			return fail(c, "expected a finite number");
		if (v->u.f < (double)f->lo)
			return fail(c, "%g is below the minimum %" PRId64, v->u.f, f->lo);
		return 0;
	}
	return fail_type(c, "a number", v);
}

static int check_themes(schema_ctx *c, const field_spec *f, const proto_value *v)
{
	if (v->type != PROTO_V_ARRAY)
		return fail_type(c, "a list of theme slugs like [\"ia-democratie\"]", v);
	for (size_t i = 0; i < v->u.arr.n && v->u.arr.items; i++) {
		const proto_value *it = &v->u.arr.items[i];
		size_t saved = path_push_index(c, i), len;
		const char *s;

		if (it->type != PROTO_V_STR)
			return fail_type(c, "a theme slug like \"ia-democratie\"", it);
		s = str_bytes(it, &len);
		if (!theme_slug_valid(s, len))
			return fail(
			    c, "invalid theme \"%s\"; expected lower-case letters, digits and -",
			    quote(it).s);
		/* Themes beyond the founding document's list are allowed: groups add their own. */
		if (!in_vocab(f->vocab, s, len))
			warn(c, "unknown theme \"%s\"", quote(it).s);
		path_pop(c, saved);
	}
	return 0;
}

/* Checks a string against a syntax predicate; expected goes into the message. */
static int check_syntax(schema_ctx *c, const proto_value *v, bool (*ok)(const char *, size_t),
                        const char *what, const char *expected)
{
	size_t len;
	const char *s;

	if (check_str(c, v, "a string") < 0)
		return -1;
	s = str_bytes(v, &len);
	if (!ok(s, len))
		return fail(c, "invalid %s \"%s\"; expected %s", what, quote(v).s, expected);
	return 0;
}

/* A field typed as a URL (PROTO_FK_URI: links[].href, identifiers[].url, data_sources[].url,
 * public_register_url, repository_url, landing_url, distributions[].access_url,
 * deployment.url, a territory's website) is an address people follow from a web page or copy
 * from a terminal: only http and https, with a host. javascript:, data:, file: and the other
 * schemes are refused at publish, although every page renders them inert, because a record is
 * copied to every node and read by other software too. New messages say it in French first. */
static int url_check(schema_ctx *c, const proto_value *v)
{
	size_t len, n;
	const char *s;
	char q[40];

	if (check_syntax(c, v, uri_valid, "URL", "an absolute URL like https://...") < 0)
		return -1;
	s = str_bytes(v, &len);
	n = uri_scheme_len(s, len);
	if (!scheme_is(s, n, "http") && !scheme_is(s, n, "https")) {
		sanitize(q, sizeof q, s, n);
		return fail(c,
		            "schéma « %s » refusé : seuls http et https sont admis (URL scheme not "
		            "allowed; expected http:// or https://)",
		            q);
	}
	if (!web_authority(s, len, n))
		return fail(c, "adresse incomplète : un nom d'hôte doit suivre http:// ou https:// "
		               "(expected a host after http:// or https://)");
	return 0;
}

/* A relation's target (PROTO_FK_REF) names what the record relates to: an entry of the catalogue by
 * its path (PROTOCOL.md §1.3: a territory's own entry, or any territory's at that path, as
 * the web catalogue's links find it; there is no "KEY/path" form), or something outside it
 * by an absolute URI: an http or https address with a host (as for PROTO_FK_URI), or a URN
 * ("urn:NID:NSS", RFC 8141: urn:isbn:..., urn:uuid:..., a DOI as https://doi.org/...). A path
 * has no ':' and a URI always has one, so the two never overlap. `about` and `components` are
 * not typed as references: they also name things outside the catalogue in words,
 * and the pages show them as text unless they are paths. */
static bool ref_valid(const char *s, size_t len)
{
	size_t n;

	if (proto_path_valid(s, len))
		return true;
	if (!uri_valid(s, len))
		return false;
	n = uri_scheme_len(s, len);
	if (scheme_is(s, n, "http") || scheme_is(s, n, "https"))
		return web_authority(s, len, n);
	/* urn: a namespace, ':', something */
	if (scheme_is(s, n, "urn")) {
		const char *nid = s + n + 1, *colon = memchr(nid, ':', len - n - 1);
		return colon && colon > nid && (size_t)(colon - s) + 1 < len;
	}
	return false;
}

static int ref_check(schema_ctx *c, const proto_value *v)
{
	size_t len;
	const char *s;

	if (check_str(c, v, "a string") < 0)
		return -1;
	s = str_bytes(v, &len);
	if (!ref_valid(s, len))
		return fail(
		    c,
		    "cible « %s » refusée : ni un chemin de fiche (component/mon-outil) ni une "
		    "URI http, https ou urn (neither an entry path nor an http, https or urn "
		    "URI)",
		    quote(v).s);
	return 0;
}

static int check_enum(schema_ctx *c, const proto_value *v, const proto_vocab *vocab)
{
	size_t len;
	const char *s;

	if (v->type != PROTO_V_STR)
		return fail_type(c, "a string", v);
	s = str_bytes(v, &len);
	if (!in_vocab(vocab, s, len))
		return fail_enum(c, v, vocab);
	return 0;
}

static int period_post(schema_ctx *c, const obj_spec *o, const proto_value *obj);

static int check_obj(schema_ctx *c, const obj_spec *o, const proto_value *v)
{
	if (v->type != PROTO_V_MAP)
		return fail_type(c, "a map", v);
	if (check_fields(c, o->fields, v) < 0)
		return -1;
	return o->check == PROTO_CHECK_PERIOD ? period_post(c, o, v) : 0;
}

/* v is present (not nil); the path points at it. */
static int check_value(schema_ctx *c, const field_spec *f, proto_presence pres, const proto_value *v)
{
	bool list_kind = f->kind == PROTO_FK_STRLIST || f->kind == PROTO_FK_THEMES || f->kind == PROTO_FK_ENUMLIST ||
	                 f->kind == PROTO_FK_OBJLIST || f->kind == PROTO_FK_REFLIST || f->kind == PROTO_FK_TEXT ||
	                 f->kind == PROTO_FK_NUM_OR_TEXT;

	/* An empty list says nothing: for a required field it is as good as missing. */
	if (list_kind && pres == PROTO_REQUIRED && v->type == PROTO_V_ARRAY && v->u.arr.n == 0)
		return fail(c, "empty list; at least one item is required");

	switch (f->kind) {
	case PROTO_FK_STR:
		return check_str(c, v, "a string");
	case PROTO_FK_URI:
		return url_check(c, v);
	case PROTO_FK_REF:
		return ref_check(c, v);
	case PROTO_FK_EMAIL:
		return check_syntax(c, v, email_valid, "e-mail address",
		                    "one @ as in name@example.fr");
	case PROTO_FK_DATE:
		return check_syntax(c, v, date_valid, "date", "a calendar date YYYY-MM-DD");
	case PROTO_FK_LANG:
		return check_syntax(c, v, lang_tag_valid, "language tag", "a tag like fr or fr-FR");
	case PROTO_FK_LICENCE:
		return check_syntax(c, v, licence_valid, "licence",
		                    "an SPDX identifier or expression like etalab-2.0 or EUPL-1.2");
	case PROTO_FK_SIREN:
		return check_syntax(c, v, siren_valid, "SIREN", "exactly 9 digits");
	case PROTO_FK_DIGEST:
		return check_syntax(c, v, digest_valid, "digest",
		                    "64 lower-case hexadecimal digits");
	case PROTO_FK_CURRENCY:
		return check_syntax(c, v, currency_valid, "currency", "an ISO 4217 code like EUR");
	case PROTO_FK_LANGMAP:
		return check_langmap(c, f, v);
	case PROTO_FK_STR_OR_LANGMAP:
		if (v->type == PROTO_V_STR) {
			size_t len;
			const char *s;
			if (check_str(c, v, "a string") < 0)
				return -1;
			s = str_bytes(v, &len);
			if (f->max_chars && proto_utf8_len(s, len) > f->max_chars)
				return fail(c, "too long: %zu characters, at most %u",
				            proto_utf8_len(s, len), f->max_chars);
			return 0;
		}
		if (v->type != PROTO_V_MAP)
			return fail_type(c, "a string or " LANGMAP_EXPECTED, v);
		return check_langmap(c, f, v);
	case PROTO_FK_TEXT:
		return check_text(c, f, v);
	case PROTO_FK_NUM_OR_TEXT:
		if (v->type == PROTO_V_INT || v->type == PROTO_V_FLOAT)
			return check_number(c, f, v);
		if (v->type != PROTO_V_STR && v->type != PROTO_V_MAP && v->type != PROTO_V_ARRAY)
			return fail_type(c, "a number or a text", v);
		return check_text(c, f, v);
	case PROTO_FK_STRLIST:
		return check_strlist(c, v, "a list of strings");
	case PROTO_FK_THEMES:
		return check_themes(c, f, v);
	case PROTO_FK_ENUM:
		return check_enum(c, v, f->vocab);
	case PROTO_FK_ENUMLIST:
		if (v->type != PROTO_V_ARRAY)
			return fail_type(c, "a list", v);
		for (size_t i = 0; i < v->u.arr.n && v->u.arr.items; i++) {
			size_t saved = path_push_index(c, i);
			if (check_enum(c, &v->u.arr.items[i], f->vocab) < 0)
				return -1;
			path_pop(c, saved);
		}
		return 0;
	case PROTO_FK_BOOL:
		return v->type == PROTO_V_BOOL ? 0 : fail_type(c, "true or false", v);
	case PROTO_FK_INT:
		if (v->type != PROTO_V_INT)
			return fail_type(c, "an integer", v);
		if (f->hi == INT64_MAX && v->u.i < f->lo)
			return fail(c, "%" PRId64 " is out of range; expected at least %" PRId64,
			            v->u.i, f->lo);
		if (v->u.i < f->lo || v->u.i > f->hi)
			return fail(c,
			            "%" PRId64 " is out of range; expected %" PRId64 " to %" PRId64,
			            v->u.i, f->lo, f->hi);
		return 0;
	case PROTO_FK_NUMBER:
		return check_number(c, f, v);
	case PROTO_FK_MAP:
		return v->type == PROTO_V_MAP ? 0 : fail_type(c, "a map", v);
	case PROTO_FK_OBJ:
		return check_obj(c, f->obj, v);
	case PROTO_FK_OBJLIST:
		if (v->type != PROTO_V_ARRAY)
			return fail_type(c, "a list of maps", v);
		for (size_t i = 0; i < v->u.arr.n && v->u.arr.items; i++) {
			size_t saved = path_push_index(c, i);
			if (check_obj(c, f->obj, &v->u.arr.items[i]) < 0)
				return -1;
			path_pop(c, saved);
		}
		return 0;
	case PROTO_FK_REFLIST:
		if (v->type != PROTO_V_ARRAY)
			return fail_type(c, "a list", v);
		for (size_t i = 0; i < v->u.arr.n && v->u.arr.items; i++) {
			const proto_value *it = &v->u.arr.items[i];
			size_t saved = path_push_index(c, i);
			if (it->type == PROTO_V_STR) {
				if (check_str(c, it, "a string") < 0)
					return -1;
			} else if (it->type != PROTO_V_MAP) {
				return fail_type(c, "a string or a map", it);
			}
			path_pop(c, saved);
		}
		return 0;
	}
	return fail(c, "internal error: unknown field kind");
}

static int check_fields(schema_ctx *c, const field_spec *fields, const proto_value *obj)
{
	for (const field_spec *f = fields; f->name; f++) {
		proto_presence pres = proto_record_presence(f, obj);
		const proto_value *v = map_find(obj, f->name);
		size_t saved = path_push_key(c, f->name, strlen(f->name));

		c->multiline = f->multiline;
		if (!v) {
			if (pres == PROTO_REQUIRED)
				return fail(c, "missing required field");
			if (pres == PROTO_RECOMMENDED)
				warn(c, "missing recommended field");
		} else if (check_value(c, f, pres, v) < 0) {
			return -1;
		}
		path_pop(c, saved);
	}
	return 0;
}

/* A period's two dates (its table's first and second fields) are in order. */
static int period_post(schema_ctx *c, const obj_spec *o, const proto_value *obj)
{
	const char *end_name = o->fields[1].name;
	const proto_value *start = map_find(obj, o->fields[0].name), *end = map_find(obj, end_name);
	size_t sl, el, saved;
	const char *s, *e;

	if (!start || !end)
		return 0;
	/* Both passed date_valid: YYYY-MM-DD compares as bytes. */
	s = str_bytes(start, &sl);
	e = str_bytes(end, &el);
	if (memcmp(e, s, 10) < 0) {
		saved = path_push_key(c, end_name, strlen(end_name));
		fail(c, "the period ends (%s) before it starts (%s)", quote(end).s, quote(start).s);
		path_pop(c, saved);
		return -1;
	}
	return 0;
}

static bool spec_has(const field_spec *fields, const char *key, size_t len)
{
	if (!fields)
		return false;
	for (const field_spec *f = fields; f->name; f++)
		if (strlen(f->name) == len && memcmp(f->name, key, len) == 0)
			return true;
	return false;
}

/* Unknown top-level fields are kept (a newer peer may know them); the warning tells a local
 * author that their field will not be understood elsewhere. */
static void warn_unknown_fields(schema_ctx *c, const proto_value *body, const field_spec *a,
                                const field_spec *b)
{
	for (size_t i = 0; i < body->u.map.n && body->u.map.items; i++) {
		const proto_kv *kv = &body->u.map.items[i];
		const char *key = kv->key ? kv->key : "";
		size_t len = kv->key ? kv->key_len : 0, saved;
		char name[PROTO_MAP_KEY_MAX + 8];

		if ((len == strlen(PROTO_F_TYPE) && memcmp(key, PROTO_F_TYPE, len) == 0) || spec_has(a, key, len) ||
		    spec_has(b, key, len))
			continue;
		sanitize(name, sizeof name, key, len);
		saved = path_push_key(c, name, strlen(name));
		warn(c, "unknown field; kept as is (local fields belong in extensions)");
		path_pop(c, saved);
	}
}

int proto_schema_validate(const proto_value *body, proto_schema_report *rep)
{
	proto_schema_report scratch;
	schema_ctx c;
	const proto_value *t;
	const proto_record_type *rt;
	size_t len;
	const char *s;

	if (!rep)
		rep = &scratch;
	memset(rep, 0, sizeof *rep);
	c.rep = rep;
	c.failed = false;
	c.multiline = false;
	c.path_len = 0;
	c.path[0] = '\0';

	if (!body) {
		fail(&c, "no body");
		return MAILLE_ESCHEMA;
	}
	if (body->type != PROTO_V_MAP) {
		fail_type(&c, "a map of fields", body);
		return MAILLE_ESCHEMA;
	}

	path_push_key(&c, PROTO_F_TYPE, strlen(PROTO_F_TYPE));
	t = map_find(body, PROTO_F_TYPE);
	if (!t) {
		fail(&c, "missing required field");
		return MAILLE_ESCHEMA;
	}
	if (t->type != PROTO_V_STR) {
		fail_type(&c, "a string", t);
		return MAILLE_ESCHEMA;
	}
	s = str_bytes(t, &len);
	rt = proto_record_type_find(s, len);
	if (!rt) {
		fail_enum(&c, t, NULL);
		return MAILLE_ESCHEMA;
	}
	path_pop(&c, 0);

	switch (rt->cls) {
	case PROTO_RC_CATALOGUE:
		if (check_fields(&c, proto_record_common, body) < 0 ||
		    check_fields(&c, rt->fields, body) < 0)
			return MAILLE_ESCHEMA;
		warn_unknown_fields(&c, body, proto_record_common, rt->fields);
		break;
	case PROTO_RC_TERRITORY:
		if (check_fields(&c, rt->fields, body) < 0)
			return MAILLE_ESCHEMA;
		warn_unknown_fields(&c, body, rt->fields, NULL);
		break;
	case PROTO_RC_FEDERATION:
		/* member, vouch, node: their fields are defined with the federation's membership
		 * protocol; add their tables to proto_record_types[] then. */
		break;
	}
	return 0;
}

/* ---- Normalisation ----------------------------------------------------------------------- */

/* Replaces a plain string at key by {lang: s}. Builds the new map completely before touching
 * body, so an allocation failure leaves body as it was. */
static int wrap_langmap(proto_value *body, proto_arena *a, const char *key, const char *lang,
                        size_t lang_len)
{
	proto_value *slot = map_find_mut(body, key), *m, *entry, *s;
	const char *p;
	size_t len;

	if (!slot || slot->type != PROTO_V_STR)
		return 0;
	p = str_bytes(slot, &len);
	m = proto_value_new(a, PROTO_V_MAP);
	s = proto_value_new_str(a, p, len);
	if (!m || !s)
		return MAILLE_ENOMEM;
	entry = proto_value_map_put(a, m, lang, lang_len);
	if (!entry)
		return MAILLE_ENOMEM;
	*entry = *s;
	*slot = *m;
	return 0;
}

static int put_default(proto_value *body, proto_arena *a, const char *key, const char *val)
{
	proto_value *slot, *s;

	if (map_find(body, key))
		return 0;
	s = proto_value_new_str(a, val, strlen(val));
	if (!s)
		return MAILLE_ENOMEM;
	slot = proto_value_map_put(a, body, key, strlen(key));
	if (!slot)
		return MAILLE_ENOMEM;
	*slot = *s;
	return 0;
}

/* The plain strings of the language-map fields of fields (catalogue: title, summary,
 * description; territory: name) become language maps; the defaults are filled. */
static int normalize_fields(proto_value *body, proto_arena *a, const proto_record_field *fields,
                            const char *lang, size_t lang_len)
{
	int r;

	for (const proto_record_field *f = fields; f && f->name; f++)
		if ((f->kind == PROTO_FK_LANGMAP || f->kind == PROTO_FK_STR_OR_LANGMAP) &&
		    (r = wrap_langmap(body, a, f->name, lang, lang_len)) < 0)
			return r;
	for (const proto_record_field *f = fields; f && f->name; f++)
		if (f->dflt && (r = put_default(body, a, f->name, f->dflt)) < 0)
			return r;
	return 0;
}

int proto_schema_normalize(proto_value *body, proto_arena *a)
{
	const proto_value *t, *lv;
	const proto_record_type *rt = NULL;
	char lang[PROTO_LANG_TAG_MAX + 1] = "fr";
	size_t lang_len = 2;
	int r;

	if (!body || body->type != PROTO_V_MAP || !a)
		return MAILLE_EINVAL;
	t = map_find(body, PROTO_F_TYPE);
	if (t && t->type == PROTO_V_STR) {
		size_t len;
		const char *s = str_bytes(t, &len);
		rt = proto_record_type_find(s, len);
	}
	/* An unknown or missing type is left for validation to report. */
	if (!rt || rt->cls == PROTO_RC_FEDERATION)
		return 0;

	/* Copied out: putting keys into body may move its items. */
	lv = map_find(body, PROTO_F_LANG);
	if (lv && lv->type == PROTO_V_STR) {
		size_t len;
		const char *s = str_bytes(lv, &len);
		if (lang_tag_valid(s, len)) {
			memcpy(lang, s, len);
			lang[len] = '\0';
			lang_len = len;
		}
	}

	if (rt->cls == PROTO_RC_CATALOGUE &&
	    (r = normalize_fields(body, a, proto_record_common, lang, lang_len)) < 0)
		return r;
	return normalize_fields(body, a, rt->fields, lang, lang_len);
}

/* ---- Slugs ------------------------------------------------------------------------------- */

#define SLUG_MAX 80u

/* ASCII folding of U+00C0..U+017F (Latin-1 Supplement letters and Latin Extended-A), lower
 * case. NULL marks the two symbols of the block (× ÷), which separate words. */
/* clang-format off */
static const char *const latin_fold[0x180 - 0xC0] = {
	/* U+00C0 À Á Â Ã Ä Å Æ Ç È É Ê Ë Ì Í Î Ï */
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	/* U+00D0 Ð Ñ Ò Ó Ô Õ Ö × Ø Ù Ú Û Ü Ý Þ ß */
	"d", "n", "o", "o", "o", "o", "o", NULL, "o", "u", "u", "u", "u", "y", "th", "ss",
	/* U+00E0 à á â ã ä å æ ç è é ê ë ì í î ï */
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	/* U+00F0 ð ñ ò ó ô õ ö ÷ ø ù ú û ü ý þ ÿ */
	"d", "n", "o", "o", "o", "o", "o", NULL, "o", "u", "u", "u", "u", "y", "th", "y",
	/* U+0100 Ā ā Ă ă Ą ą Ć ć Ĉ ĉ Ċ ċ Č č Ď ď */
	"a", "a", "a", "a", "a", "a", "c", "c", "c", "c", "c", "c", "c", "c", "d", "d",
	/* U+0110 Đ đ Ē ē Ĕ ĕ Ė ė Ę ę Ě ě Ĝ ĝ Ğ ğ */
	"d", "d", "e", "e", "e", "e", "e", "e", "e", "e", "e", "e", "g", "g", "g", "g",
	/* U+0120 Ġ ġ Ģ ģ Ĥ ĥ Ħ ħ Ĩ ĩ Ī ī Ĭ ĭ Į į */
	"g", "g", "g", "g", "h", "h", "h", "h", "i", "i", "i", "i", "i", "i", "i", "i",
	/* U+0130 İ ı Ĳ ĳ Ĵ ĵ Ķ ķ ĸ Ĺ ĺ Ļ ļ Ľ ľ Ŀ */
	"i", "i", "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l",
	/* U+0140 ŀ Ł ł Ń ń Ņ ņ Ň ň ŉ Ŋ ŋ Ō ō Ŏ ŏ */
	"l", "l", "l", "n", "n", "n", "n", "n", "n", "n", "n", "n", "o", "o", "o", "o",
	/* U+0150 Ő ő Œ œ Ŕ ŕ Ŗ ŗ Ř ř Ś ś Ŝ ŝ Ş ş */
	"o", "o", "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s", "s", "s",
	/* U+0160 Š š Ţ ţ Ť ť Ŧ ŧ Ũ ũ Ū ū Ŭ ŭ Ů ů */
	"s", "s", "t", "t", "t", "t", "t", "t", "u", "u", "u", "u", "u", "u", "u", "u",
	/* U+0170 Ű ű Ų ų Ŵ ŵ Ŷ ŷ Ÿ Ź ź Ż ż Ž ž ſ */
	"u", "u", "u", "u", "w", "w", "y", "y", "y", "z", "z", "z", "z", "z", "z", "s",
};
/* clang-format on */

/* What a code point becomes in a slug: letters and digits as ASCII (in *ret, NUL-terminated),
 * "" for marks that belong to the previous letter (combining accents of decomposed text, the
 * soft hyphen), NULL for everything else, which separates words. */
static const char *slug_fold(uint32_t cp, char ret[2])
{
	if (cp < 0x80) {
		char ch = (char)cp;
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		if (!is_lower(ch) && !is_digit(ch))
			return NULL;
		ret[0] = ch;
		ret[1] = '\0';
		return ret;
	}
	if (cp >= 0xC0 && cp < 0x180)
		return latin_fold[cp - 0xC0];
	if (cp == 0xAD || (cp >= 0x300 && cp <= 0x36F))
		return "";
	return NULL;
}

size_t proto_slugify(const char *title, size_t len, char *ret, size_t cap)
{
	char buf[SLUG_MAX + 2];
	size_t n = 0, limit, i = 0;
	bool sep = false;

	if (!ret || cap == 0)
		return 0;
	ret[0] = '\0';
	if (!title)
		return 0;
	limit = cap - 1 < SLUG_MAX ? cap - 1 : SLUG_MAX;
	if (limit == 0)
		return 0;

	/* Collects up to limit + 1 characters: one more than fits tells whether the last word
	 * was cut. A '-' is only written before a character, so none trails. */
	while (i < len && n <= limit) {
		uint32_t cp = 0xFFFD;
		size_t step = proto_utf8_next((const uint8_t *)title + i, len - i, &cp);
		char one[2];
		const char *fold;

		if (step == 0) {
			step = 1; /* an invalid byte separates, like any non-letter */
			cp = 0xFFFD;
		}
		i += step;
		fold = slug_fold(cp, one);
		if (!fold) {
			sep = true;
			continue;
		}
		for (; *fold && n <= limit; fold++) {
			if (sep && n > 0) {
				buf[n++] = '-';
				if (n > limit)
					break;
			}
			sep = false;
			buf[n++] = *fold;
		}
	}

	if (n > limit) {
		if (buf[limit] == '-') {
			n = limit; /* the cut falls between two words */
		} else {
			size_t cut = limit;
			while (cut > 0 && buf[cut - 1] != '-')
				cut--;
			/* Cut after the last whole word; a single word longer than the limit is
			 * cut where it must be. */
			n = cut > 1 ? cut - 1 : limit;
		}
	}
	while (n > 0 && buf[n - 1] == '-')
		n--;
	memcpy(ret, buf, n);
	ret[n] = '\0';
	return n;
}
