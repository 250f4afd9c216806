/* proto/schema.c: validation and normalisation of the catalogue's records (README, "Record
 * types").
 *
 * The schema is data: the record tables of proto/record.h (proto/record_*.c) say for each type
 * which fields it has, whether each is required, recommended (a warning when missing) or
 * optional, under which condition that changes, its kind, its vocabulary, and for structured
 * fields the table of the nested object. Fields are checked in table order (common fields,
 * then the type's own), and a faulty field does not stop the others: every error is reported,
 * always in the same order. A key no table names is an error, with the nearest known name
 * (schema.h).
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

static bool path_ok(const char *s, size_t len)
{
	return proto_path_valid(s, len);
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

/* A value from a body, quoted in a message: short, so that the rest of the sentence fits. */
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
	proto_schema_report *rep; /* NULL: errors are only counted */
	size_t n_errors;
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

/* Both texts of an issue from two formats that read the same arguments (the compiler checks
 * each against them: see SCHEMA_TEXT_). Where the languages need different words as
 * arguments, both are passed and each format skips the other's with "%.0s". */
static void issue_set(proto_schema_issue *is, const char *field, const char *fr, const char *en,
                      va_list ap)
{
	char msg[PROTO_SCHEMA_MSG_MAX + 64];
	va_list aq;

	copy_trunc(is->field, sizeof is->field, field);
	va_copy(aq, ap);
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#endif
	vsnprintf(msg, sizeof msg, fr, ap);
	copy_trunc(is->fr, sizeof is->fr, msg);
	vsnprintf(msg, sizeof msg, en, aq);
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic pop
#endif
	copy_trunc(is->en, sizeof is->en, msg);
	va_end(aq);
}

#if defined(__GNUC__) || defined(__clang__)
#define SCHEMA_TEXT_ __attribute__((format(printf, 2, 4), format(printf, 3, 4)))
#else
#define SCHEMA_TEXT_
#endif

/* Records an error at the current path and returns -1. Every error is counted; the first
 * PROTO_SCHEMA_ERR_MAX are kept. The callers go on with the next field, item or member, so
 * that one validation reports all of a body's errors. */
SCHEMA_TEXT_ static int fail_(schema_ctx *c, const char *fr, const char *en, ...);

static int fail_(schema_ctx *c, const char *fr, const char *en, ...)
{
	va_list ap;
	proto_schema_report *rep = c->rep;

	c->n_errors++;
	if (!rep)
		return -1;
	rep->n_errors_total++;
	if (rep->n_errors >= PROTO_SCHEMA_ERR_MAX)
		return -1;
	va_start(ap, en);
	issue_set(&rep->errors[rep->n_errors++], c->path, fr, en, ap);
	va_end(ap);
	return -1;
}

int proto_schema_error_add(proto_schema_report *rep, const char *field, const char *fr,
                           const char *en, ...)
{
	va_list ap;

	if (!rep)
		return MAILLE_ESCHEMA;
	rep->n_errors_total++;
	if (rep->n_errors >= PROTO_SCHEMA_ERR_MAX)
		return MAILLE_ESCHEMA;
	va_start(ap, en);
	issue_set(&rep->errors[rep->n_errors++], field ? field : "", fr, en, ap);
	va_end(ap);
	return MAILLE_ESCHEMA;
}

void proto_schema_quote(char *ret, size_t cap, const char *s, size_t len)
{
	sanitize(ret, cap, s ? s : "", s ? len : 0);
}

SCHEMA_TEXT_ static void warn_(schema_ctx *c, const char *fr, const char *en, ...);

static void warn_(schema_ctx *c, const char *fr, const char *en, ...)
{
	va_list ap;
	proto_schema_report *rep = c->rep;

	if (!rep)
		return;
	rep->n_warnings_total++;
	if (rep->n_warnings >= PROTO_SCHEMA_WARN_MAX)
		return;
	va_start(ap, en);
	issue_set(&rep->warnings[rep->n_warnings++], c->path, fr, en, ap);
	va_end(ap);
}

/* The name of what a value is, French and English, by proto_vtype. */
static proto_fr_en vtype_name(const proto_value *v)
{
	static const proto_fr_en names[] = {
		[PROTO_V_NIL] = { "rien", "nil" },
		[PROTO_V_BOOL] = { "un booléen", "a boolean" },
		[PROTO_V_INT] = { "un entier", "an integer" },
		[PROTO_V_FLOAT] = { "un nombre décimal", "a float" },
		[PROTO_V_STR] = { "un texte", "a string" },
		[PROTO_V_BIN] = { "des données binaires", "binary data" },
		[PROTO_V_ARRAY] = { "une liste", "a list" },
		[PROTO_V_MAP] = { "un objet (clé: valeur)", "a map" },
	};
	if ((size_t)v->type < sizeof names / sizeof names[0] && names[v->type].fr)
		return names[v->type];
	return (proto_fr_en){ "une valeur de type inconnu", "a value of unknown type" };
}

/* What a check expects, in both languages. */
#define X_(fr, en) ((proto_fr_en){ fr, en })
#define X_STR X_("un texte", "a string")
#define X_LIST X_("une liste", "a list")
#define X_STRLIST X_("une liste de textes", "a list of strings")
#define X_MAP X_("un objet (clé: valeur)", "a map")
#define X_LANGMAP X_("un texte par langue comme {fr: \"...\"}", "a language map like {fr: \"...\"}")

static int fail_type(schema_ctx *c, proto_fr_en expected, const proto_value *v)
{
	proto_fr_en got = vtype_name(v);
	/* the French format prints the first two arguments, the English one the last two */
	return fail_(c, "attendu : %s ; reçu : %s%.0s%.0s", "%.0s%.0sexpected %s, got %s",
	             expected.fr, got.fr, expected.en, got.en);
}

/* ---- Suggestions ------------------------------------------------------------------------- */

#define NEAR_LEN_MAX 64u /* longer words get no suggestion */

static unsigned char fold_name(char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return (unsigned char)(ch - 'A' + 'a');
	if (ch == '-' || ch == ' ')
		return '_';
	return (unsigned char)ch;
}

/* The optimal string alignment distance between a and b (insertions, deletions,
 * substitutions, transpositions of neighbours), case and the separators '-', ' ', '_' folded;
 * SIZE_MAX when either is longer than NEAR_LEN_MAX. Three rows on the stack, nothing
 * allocated. */
static size_t name_distance(const char *a, size_t al, const char *b, size_t bl)
{
	size_t rows[3][NEAR_LEN_MAX + 1];
	size_t *pp = rows[0], *p = rows[1], *cur = rows[2];

	if (al > NEAR_LEN_MAX || bl > NEAR_LEN_MAX)
		return SIZE_MAX;
	for (size_t j = 0; j <= bl; j++)
		p[j] = j;
	for (size_t i = 1; i <= al; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= bl; j++) {
			unsigned char ca = fold_name(a[i - 1]), cb = fold_name(b[j - 1]);
			size_t best = p[j - 1] + (ca != cb);
			if (p[j] + 1 < best)
				best = p[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			if (i > 1 && j > 1 && ca == fold_name(b[j - 2]) &&
			    fold_name(a[i - 2]) == cb && pp[j - 2] + 1 < best)
				best = pp[j - 2] + 1;
			cur[j] = best;
		}
		size_t *t = pp;
		pp = p;
		p = cur;
		cur = t;
	}
	return p[bl];
}

/* Whether candidate is near enough to word to be offered: a slip of one character in a short
 * name, two in a name of 5 to 9 characters, three beyond; never a whole different word. */
static bool near_enough(size_t d, size_t cand_len)
{
	size_t limit = cand_len <= 4 ? 1 : cand_len <= 9 ? 2 : 3;
	return d <= limit && d < cand_len;
}

/* Keeps candidate in *best when it is nearer than what *best holds. */
static void nearest_step(const char *word, size_t len, const char *cand, const char **best,
                         size_t *best_d)
{
	size_t cl = strlen(cand), d = name_distance(word, len, cand, cl);

	if (d < *best_d && near_enough(d, cl)) {
		*best = cand;
		*best_d = d;
	}
}

const char *proto_schema_nearest(const char *word, size_t len, const char *const *candidates)
{
	const char *best = NULL;
	size_t best_d = SIZE_MAX;

	if (!word || !candidates)
		return NULL;
	for (size_t i = 0; candidates[i]; i++)
		nearest_step(word, len, candidates[i], &best, &best_d);
	return best;
}

static const char *nearest_field(const char *word, size_t len, const field_spec *a,
                                 const field_spec *b)
{
	const char *best = NULL;
	size_t best_d = SIZE_MAX;

	for (const field_spec *f = a; f && f->name; f++)
		nearest_step(word, len, f->name, &best, &best_d);
	for (const field_spec *f = b; f && f->name; f++)
		nearest_step(word, len, f->name, &best, &best_d);
	return best;
}

static const char *nearest_term(const char *word, size_t len, const proto_vocab *vocab)
{
	const char *best = NULL;
	size_t best_d = SIZE_MAX;

	for (const proto_vocab_term *t = vocab->terms; t->value; t++)
		nearest_step(word, len, t->value, &best, &best_d);
	return best;
}

/* ---- Lists in messages ------------------------------------------------------------------- */

/* Appends s to a list being written in buf (cap bytes); false once it no longer fits (the
 * list then ends with ", ..."). */
static bool list_add(char *buf, size_t cap, size_t *n, const char *s, const char *label)
{
	int w;

	if (*n + 6 >= cap)
		return false;
	if (label && strcmp(label, s) != 0)
		w = snprintf(buf + *n, cap - *n - 5, "%s%s (%s)", *n ? ", " : "", s, label);
	else
		w = snprintf(buf + *n, cap - *n - 5, "%s%s", *n ? ", " : "", s);
	if (w < 0 || (size_t)w >= cap - *n - 5) {
		buf[*n] = '\0';
		memcpy(buf + *n, ", ...", 6);
		*n += 5;
		return false;
	}
	*n += (size_t)w;
	return true;
}

/* The values of a vocabulary (vocab NULL: the record types): the French list says each
 * value's label when it differs from the value, since the values are codes. */
static void vocab_lists(const proto_vocab *vocab, char *fr, size_t fr_cap, char *en, size_t en_cap)
{
	size_t nf = 0, ne = 0;
	bool fr_ok = true, en_ok = true;

	fr[0] = en[0] = '\0';
	for (size_t i = 0; vocab ? vocab->terms[i].value != NULL : i < proto_record_n_types; i++) {
		const char *value = vocab ? vocab->terms[i].value : proto_record_types[i].name;
		const char *label = vocab ? vocab->terms[i].label.fr : proto_record_types[i].label.fr;
		if (fr_ok)
			fr_ok = list_add(fr, fr_cap, &nf, value, label);
		if (en_ok)
			en_ok = list_add(en, en_cap, &ne, value, NULL);
	}
}

/* values: a vocabulary's, or with vocab NULL the record types. */
static int fail_enum(schema_ctx *c, const proto_value *v, const proto_vocab *vocab)
{
	char fr[PROTO_SCHEMA_MSG_MAX], en[PROTO_SCHEMA_MSG_MAX];
	const char *near = NULL;
	size_t len;
	const char *s = str_bytes(v, &len);

	vocab_lists(vocab, fr, sizeof fr - 120, en, sizeof en - 120);
	if (vocab)
		near = nearest_term(s, len, vocab);
	else {
		const char *types[16];
		size_t n = 0;
		for (size_t i = 0; i < proto_record_n_types && n + 1 < sizeof types / sizeof *types; i++)
			types[n++] = proto_record_types[i].name;
		types[n] = NULL;
		near = proto_schema_nearest(s, len, types);
	}
	if (near)
		return fail_(c,
		             "valeur inconnue « %s » ; vouliez-vous dire %s ? Valeurs admises : "
		             "%s%.0s",
		             "unknown value \"%s\"; did you mean %s? Expected one of: %.0s%s",
		             quote(v).s, near, fr, en);
	return fail_(c, "valeur inconnue « %s » ; valeurs admises : %s%.0s",
	             "unknown value \"%s\"; expected one of: %.0s%s", quote(v).s, fr, en);
}

/* ---- Checks ------------------------------------------------------------------------------ */

static int check_fields(schema_ctx *c, const field_spec *fields, const proto_value *obj);

/* The text rule (see "Text" above) for s, a string of the field being checked. The refusal
 * names the character by its code point, and for a multi-line text the line it is on. */
static int check_chars(schema_ctx *c, const char *s, size_t len)
{
	uint32_t cp = 0;
	int r = proto_text_check(s, len, c->multiline, &cp);
	const char *fr_name = "caractère de contrôle", *en_name = "control character";

	if (r == 0)
		return 0;
	if (r == MAILLE_EUTF8)
		return fail_(c, "texte UTF-8 invalide", "invalid UTF-8");
	if (cp == '\n')
		fr_name = "saut de ligne", en_name = "line break";
	else if (cp == '\t')
		fr_name = "tabulation", en_name = "tab";
	else if (cp == '\r')
		fr_name = "retour chariot", en_name = "carriage return";
	if (!c->multiline)
		return fail_(c, "%s%.0s U+%04" PRIX32 " refusé%s : ce champ tient sur une ligne",
		             "%.0s%s U+%04" PRIX32 " not allowed in a one-line field%.0s", fr_name,
		             en_name, cp, cp == '\t' ? "e" : "");
	/* the first occurrence of cp is the one refused (an earlier one would have been); a C1
	 * control is the pair C2 xx, since its second byte alone may end another character */
	unsigned n = 1;
	for (size_t i = 0; i < len; i++) {
		unsigned char b = (unsigned char)s[i];
		if (cp < 0x80 ? b == cp : (b == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] == cp))
			break;
		n += b == '\n';
	}
	return fail_(c,
	             "%s%.0s U+%04" PRIX32 " refusé%s à la ligne %u : seuls le saut de ligne et la "
	             "tabulation sont admis",
	             "%.0s%s U+%04" PRIX32 " not allowed%.0s, line %u; only line breaks and tabs",
	             fr_name, en_name, cp, cp == '\t' ? "e" : "", n);
}

/* A non-empty string; the error names what was expected. */
static int check_str(schema_ctx *c, const proto_value *v, proto_fr_en expected)
{
	size_t len;
	const char *s;

	if (v->type != PROTO_V_STR)
		return fail_type(c, expected, v);
	s = str_bytes(v, &len);
	if (len == 0)
		return fail_(c, "texte vide ; attendu : %s%.0s", "empty string; expected %.0s%s",
		             expected.fr, expected.en);
	return check_chars(c, s, len);
}

static int check_length(schema_ctx *c, const field_spec *f, const char *s, size_t len)
{
	size_t chars = proto_utf8_len(s, len);

	if (f->max_chars && chars > f->max_chars)
		return fail_(c, "trop long : %zu caractères, au plus %u",
		             "too long: %zu characters, at most %u", chars, f->max_chars);
	if (f->warn_chars && chars > f->warn_chars)
		warn_(c, "plus long que les %u caractères conseillés (%zu)",
		      "longer than the advised %u characters (%zu)", f->warn_chars, chars);
	return 0;
}

static int check_langmap(schema_ctx *c, const field_spec *f, const proto_value *v)
{
	int ret = 0;

	if (v->type != PROTO_V_MAP)
		return fail_type(c, X_LANGMAP, v);
	if (v->u.map.n == 0 || !v->u.map.items)
		return fail_(c, "aucun texte ; attendu au moins un texte comme {fr: \"...\"}",
		             "empty language map; expected at least one text like {fr: \"...\"}");
	for (size_t i = 0; i < v->u.map.n; i++) {
		const proto_kv *kv = &v->u.map.items[i];
		const char *key = kv->key ? kv->key : "";
		size_t key_len = kv->key ? kv->key_len : 0, saved, len;
		const char *s;

		if (!lang_tag_valid(key, key_len)) {
			char q[40];
			sanitize(q, sizeof q, key, key_len);
			ret = fail_(c, "code de langue « %s » invalide ; attendu un code comme fr ou "
			               "fr-FR",
			            "invalid language tag \"%s\"; expected a tag like fr or fr-FR", q);
			continue;
		}
		saved = path_push_key(c, key, key_len);
		if (kv->val.type != PROTO_V_STR) {
			ret = fail_type(c, X_STR, &kv->val);
		} else {
			s = str_bytes(&kv->val, &len);
			if (len == 0)
				ret = fail_(c, "texte vide", "empty text");
			else if (check_chars(c, s, len) < 0 || check_length(c, f, s, len) < 0)
				ret = -1;
		}
		path_pop(c, saved);
	}
	return ret;
}

static int check_strlist(schema_ctx *c, const proto_value *v, proto_fr_en expected)
{
	int ret = 0;

	if (v->type != PROTO_V_ARRAY)
		return fail_type(c, expected, v);
	for (size_t i = 0; i < v->u.arr.n && v->u.arr.items; i++) {
		size_t saved = path_push_index(c, i);
		if (check_str(c, &v->u.arr.items[i], X_STR) < 0)
			ret = -1;
		path_pop(c, saved);
	}
	return ret;
}

/* A field the tables give no finer type (PROTO_FK_TEXT) accepts a string, a language map or a list of
 * strings. */
static int check_text(schema_ctx *c, const field_spec *f, const proto_value *v)
{
	switch (v->type) {
	case PROTO_V_STR:
		return check_str(c, v, X_STR);
	case PROTO_V_MAP:
		return check_langmap(c, f, v);
	case PROTO_V_ARRAY:
		return check_strlist(c, v, X_STRLIST);
	default:
		return fail_type(c,
		                 X_("un texte, un texte par langue ou une liste de textes",
		                    "a string, a language map or a list of strings"),
		                 v);
	}
}

static int check_number(schema_ctx *c, const field_spec *f, const proto_value *v)
{
	if (v->type == PROTO_V_INT) {
		if (v->u.i < f->lo)
			return fail_(c, "%" PRId64 " est sous le minimum %" PRId64,
			             "%" PRId64 " is below the minimum %" PRId64, v->u.i, f->lo);
		return 0;
	}
	if (v->type == PROTO_V_FLOAT) {
		/* NaN cannot be decoded, but a tree built by hand could hold one. */
		if (!isfinite(v->u.f))
			return fail_(c, "attendu un nombre fini", "expected a finite number");
		if (v->u.f < (double)f->lo)
			return fail_(c, "%g est sous le minimum %" PRId64,
			             "%g is below the minimum %" PRId64, v->u.f, f->lo);
		return 0;
	}
	return fail_type(c, X_("un nombre", "a number"), v);
}

/* Themes are a closed vocabulary for authoring, like every other: a slug the list does not
 * have would drop the record out of its theme. Received records are not checked
 * (PROTOCOL.md §1.4), so a newer list still replicates and older nodes show its slugs. */
static int check_themes(schema_ctx *c, const field_spec *f, const proto_value *v)
{
	int ret = 0;

	if (v->type != PROTO_V_ARRAY)
		return fail_type(c, X_("une liste de thèmes comme [ia-democratie]",
		                       "a list of theme slugs like [ia-democratie]"),
		                 v);
	for (size_t i = 0; i < v->u.arr.n && v->u.arr.items; i++) {
		const proto_value *it = &v->u.arr.items[i];
		size_t saved = path_push_index(c, i), len;
		const char *s;

		if (it->type != PROTO_V_STR) {
			ret = fail_type(c, X_("un thème comme ia-democratie",
			                      "a theme slug like ia-democratie"),
			                it);
		} else {
			s = str_bytes(it, &len);
			if (!in_vocab(f->vocab, s, len))
				ret = fail_enum(c, it, f->vocab);
		}
		path_pop(c, saved);
	}
	return ret;
}

/* Checks a string against a syntax predicate; what and expected go into the message. */
static int check_syntax(schema_ctx *c, const proto_value *v, bool (*ok)(const char *, size_t),
                        proto_fr_en what, proto_fr_en expected)
{
	size_t len;
	const char *s;

	if (check_str(c, v, X_STR) < 0)
		return -1;
	s = str_bytes(v, &len);
	if (!ok(s, len))
		return fail_(c, "%s%.0s « %s » invalide ; attendu : %s%.0s",
		             "%.0sinvalid %s \"%s\"; expected %.0s%s", what.fr, what.en, quote(v).s,
		             expected.fr, expected.en);
	return 0;
}

/* A field typed as a URL (PROTO_FK_URI: links[].href, identifiers[].url, data_sources[].url,
 * public_register_url, repository_url, landing_url, distributions[].access_url,
 * deployment.url, a territory's website) is an address people follow from a web page or copy
 * from a terminal: only http and https, with a host. javascript:, data:, file: and the other
 * schemes are refused at publish, although every page renders them inert, because a record is
 * copied to every node and read by other software too. */
static int url_check(schema_ctx *c, const proto_value *v)
{
	size_t len, n;
	const char *s;
	char q[40];

	if (check_syntax(c, v, uri_valid, X_("adresse web", "URL"),
	                 X_("une adresse complète comme https://...",
	                    "an absolute URL like https://...")) < 0)
		return -1;
	s = str_bytes(v, &len);
	n = uri_scheme_len(s, len);
	if (!scheme_is(s, n, "http") && !scheme_is(s, n, "https")) {
		sanitize(q, sizeof q, s, n);
		return fail_(c, "schéma « %s » refusé : seuls http et https sont admis",
		             "URL scheme \"%s\" not allowed; expected http:// or https://", q);
	}
	if (!web_authority(s, len, n))
		return fail_(c, "adresse incomplète : un nom d'hôte doit suivre http:// ou https://",
		             "expected a host after http:// or https://");
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

	if (check_str(c, v, X_STR) < 0)
		return -1;
	s = str_bytes(v, &len);
	if (!ref_valid(s, len))
		return fail_(c,
		             "cible « %s » refusée : ni un chemin de fiche (component/mon-outil) ni "
		             "une URI http, https ou urn",
		             "target \"%s\" refused: neither a record path (component/my-tool) nor "
		             "an http, https or urn URI",
		             quote(v).s);
	return 0;
}

static int check_enum(schema_ctx *c, const proto_value *v, const proto_vocab *vocab)
{
	size_t len;
	const char *s;

	if (v->type != PROTO_V_STR)
		return fail_type(c, X_STR, v);
	s = str_bytes(v, &len);
	if (!in_vocab(vocab, s, len))
		return fail_enum(c, v, vocab);
	return 0;
}

static int period_post(schema_ctx *c, const obj_spec *o, const proto_value *obj);
static int check_unknown(schema_ctx *c, const proto_value *obj, const field_spec *a,
                         const field_spec *b, bool top);

static int check_obj(schema_ctx *c, const obj_spec *o, const proto_value *v)
{
	int r;

	if (v->type != PROTO_V_MAP)
		return fail_type(c, X_MAP, v);
	r = check_fields(c, o->fields, v);
	if (check_unknown(c, v, o->fields, NULL, false) < 0)
		r = -1;
	if (r == 0 && o->check == PROTO_CHECK_PERIOD)
		r = period_post(c, o, v);
	return r;
}

/* Each item of a list with check(); every faulty item is reported. */
static int check_items(schema_ctx *c, const field_spec *f, const proto_value *v,
                       int (*check)(schema_ctx *, const field_spec *, const proto_value *))
{
	int ret = 0;

	if (v->type != PROTO_V_ARRAY)
		return fail_type(c, f->kind == PROTO_FK_OBJLIST ? X_("une liste d'objets", "a list of maps")
		                                                : X_LIST,
		                 v);
	for (size_t i = 0; i < v->u.arr.n && v->u.arr.items; i++) {
		size_t saved = path_push_index(c, i);
		if (check(c, f, &v->u.arr.items[i]) < 0)
			ret = -1;
		path_pop(c, saved);
	}
	return ret;
}

static int item_enum(schema_ctx *c, const field_spec *f, const proto_value *it)
{
	return check_enum(c, it, f->vocab);
}

static int item_obj(schema_ctx *c, const field_spec *f, const proto_value *it)
{
	return check_obj(c, f->obj, it);
}

static int item_ref(schema_ctx *c, const field_spec *f, const proto_value *it)
{
	(void)f;
	if (it->type == PROTO_V_STR)
		return check_str(c, it, X_STR);
	if (it->type != PROTO_V_MAP)
		return fail_type(c, X_("un texte ou un objet", "a string or a map"), it);
	return 0;
}

static int check_int(schema_ctx *c, const field_spec *f, const proto_value *v)
{
	if (v->type != PROTO_V_INT)
		return fail_type(c, X_("un entier", "an integer"), v);
	if (f->hi == INT64_MAX && v->u.i < f->lo)
		return fail_(c, "%" PRId64 " hors limites ; attendu au moins %" PRId64,
		             "%" PRId64 " is out of range; expected at least %" PRId64, v->u.i, f->lo);
	if (v->u.i < f->lo || v->u.i > f->hi)
		return fail_(c, "%" PRId64 " hors limites ; attendu de %" PRId64 " à %" PRId64,
		             "%" PRId64 " is out of range; expected %" PRId64 " to %" PRId64, v->u.i,
		             f->lo, f->hi);
	return 0;
}

/* The kinds that are a string of a given syntax: its rule, what it is, what is expected. */
static const struct syntax_kind {
	proto_field_kind kind;
	bool (*ok)(const char *, size_t);
	proto_fr_en what, expected;
} syntax_kinds[] = {
	{ PROTO_FK_EMAIL, email_valid, { "adresse électronique", "e-mail address" },
	  { "un seul @ comme dans nom@exemple.fr", "one @ as in name@example.fr" } },
	{ PROTO_FK_DATE, date_valid, { "date", "date" },
	  { "une date réelle AAAA-MM-JJ", "a calendar date YYYY-MM-DD" } },
	{ PROTO_FK_LANG, lang_tag_valid, { "code de langue", "language tag" },
	  { "un code comme fr ou fr-FR", "a tag like fr or fr-FR" } },
	{ PROTO_FK_LICENCE, licence_valid, { "licence", "licence" },
	  { "un identifiant ou une expression SPDX comme etalab-2.0 ou EUPL-1.2",
	    "an SPDX identifier or expression like etalab-2.0 or EUPL-1.2" } },
	{ PROTO_FK_SIREN, siren_valid, { "SIREN", "SIREN" },
	  { "exactement 9 chiffres", "exactly 9 digits" } },
	{ PROTO_FK_DIGEST, digest_valid, { "empreinte", "digest" },
	  { "64 chiffres hexadécimaux en minuscules", "64 lower-case hexadecimal digits" } },
	{ PROTO_FK_KEY, digest_valid, { "clé de territoire", "territory key" },
	  { "64 chiffres hexadécimaux en minuscules", "64 lower-case hexadecimal digits" } },
	{ PROTO_FK_PATH, path_ok, { "chemin", "path" },
	  { "un chemin de fiche : a-z 0-9 . _ ~ - en segments séparés par /",
	    "a record path: a-z 0-9 . _ ~ - in segments separated by /" } },
	{ PROTO_FK_CURRENCY, currency_valid, { "devise", "currency" },
	  { "un code ISO 4217 comme EUR", "an ISO 4217 code like EUR" } },
};

static int check_syntax_kind(schema_ctx *c, const field_spec *f, const proto_value *v)
{
	for (size_t i = 0; i < sizeof syntax_kinds / sizeof syntax_kinds[0]; i++)
		if (syntax_kinds[i].kind == f->kind)
			return check_syntax(c, v, syntax_kinds[i].ok, syntax_kinds[i].what,
			                    syntax_kinds[i].expected);
	return fail_(c, "erreur interne : type de champ inconnu", "internal error: unknown field kind");
}

/* v is present (not nil); the path points at it. */
static int check_value(schema_ctx *c, const field_spec *f, proto_presence pres, const proto_value *v)
{
	bool list_kind = f->kind == PROTO_FK_STRLIST || f->kind == PROTO_FK_THEMES || f->kind == PROTO_FK_ENUMLIST ||
	                 f->kind == PROTO_FK_OBJLIST || f->kind == PROTO_FK_REFLIST || f->kind == PROTO_FK_TEXT ||
	                 f->kind == PROTO_FK_NUM_OR_TEXT;

	/* An empty list says nothing: for a required field it is as good as missing. */
	if (list_kind && pres == PROTO_REQUIRED && v->type == PROTO_V_ARRAY && v->u.arr.n == 0)
		return fail_(c, "liste vide ; au moins un élément est obligatoire",
		             "empty list; at least one item is required");

	switch (f->kind) {
	case PROTO_FK_STR:
		return check_str(c, v, X_STR);
	case PROTO_FK_URI:
		return url_check(c, v);
	case PROTO_FK_REF:
		return ref_check(c, v);
	case PROTO_FK_EMAIL:
	case PROTO_FK_DATE:
	case PROTO_FK_LANG:
	case PROTO_FK_LICENCE:
	case PROTO_FK_SIREN:
	case PROTO_FK_DIGEST:
	case PROTO_FK_KEY:
	case PROTO_FK_PATH:
	case PROTO_FK_CURRENCY:
		return check_syntax_kind(c, f, v);
	case PROTO_FK_LANGMAP:
		return check_langmap(c, f, v);
	case PROTO_FK_STR_OR_LANGMAP:
		if (v->type == PROTO_V_STR) {
			size_t len;
			const char *s = str_bytes(v, &len);
			if (check_str(c, v, X_STR) < 0)
				return -1;
			return check_length(c, f, s, len);
		}
		if (v->type != PROTO_V_MAP)
			return fail_type(c,
			                 X_("un texte ou un texte par langue comme {fr: \"...\"}",
			                    "a string or a language map like {fr: \"...\"}"),
			                 v);
		return check_langmap(c, f, v);
	case PROTO_FK_TEXT:
		return check_text(c, f, v);
	case PROTO_FK_NUM_OR_TEXT:
		if (v->type == PROTO_V_INT || v->type == PROTO_V_FLOAT)
			return check_number(c, f, v);
		if (v->type != PROTO_V_STR && v->type != PROTO_V_MAP && v->type != PROTO_V_ARRAY)
			return fail_type(c, X_("un nombre ou un texte", "a number or a text"), v);
		return check_text(c, f, v);
	case PROTO_FK_STRLIST:
		return check_strlist(c, v, X_STRLIST);
	case PROTO_FK_THEMES:
		return check_themes(c, f, v);
	case PROTO_FK_ENUM:
		return check_enum(c, v, f->vocab);
	case PROTO_FK_ENUMLIST:
		return check_items(c, f, v, item_enum);
	case PROTO_FK_BOOL:
		return v->type == PROTO_V_BOOL ? 0 : fail_type(c, X_("true ou false", "true or false"), v);
	case PROTO_FK_INT:
		return check_int(c, f, v);
	case PROTO_FK_NUMBER:
		return check_number(c, f, v);
	case PROTO_FK_MAP:
		return v->type == PROTO_V_MAP ? 0 : fail_type(c, X_MAP, v);
	case PROTO_FK_OBJ:
		return check_obj(c, f->obj, v);
	case PROTO_FK_OBJLIST:
		return check_items(c, f, v, item_obj);
	case PROTO_FK_REFLIST:
		return check_items(c, f, v, item_ref);
	}
	return fail_(c, "erreur interne : type de champ inconnu", "internal error: unknown field kind");
}

/* Every field of the table, in its order; each faulty one is reported. */
/* Every field of the table, in its order; each faulty one is reported. */
static int check_fields(schema_ctx *c, const field_spec *fields, const proto_value *obj)
{
	int ret = 0;

	for (const field_spec *f = fields; f->name; f++) {
		proto_presence pres = proto_record_presence(f, obj);
		const proto_value *v = map_find(obj, f->name);
		size_t saved = path_push_key(c, f->name, strlen(f->name));

		c->multiline = f->multiline;
		if (!v) {
			if (pres == PROTO_REQUIRED)
				ret = fail_(c, "champ obligatoire manquant", "missing required field");
			else if (pres == PROTO_RECOMMENDED)
				warn_(c, "champ recommandé manquant", "missing recommended field");
		} else if (check_value(c, f, pres, v) < 0) {
			ret = -1;
		}
		path_pop(c, saved);
	}
	return ret;
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
		fail_(c, "la période finit (%s) avant de commencer (%s)",
		      "the period ends (%s) before it starts (%s)", quote(end).s, quote(start).s);
		path_pop(c, saved);
		return -1;
	}
	return 0;
}

static bool spec_has(const field_spec *fields, const char *key, size_t len)
{
	if (!fields)
		return false;
	for (const field_spec *f = fields; f && f->name; f++)
		if (strlen(f->name) == len && memcmp(f->name, key, len) == 0)
			return true;
	return false;
}

/* The members a nested object's table names, for a message. */
static void member_list(const field_spec *fields, char *buf, size_t cap)
{
	size_t n = 0;

	buf[0] = '\0';
	for (const field_spec *f = fields; f && f->name; f++)
		if (!list_add(buf, cap, &n, f->name, NULL))
			break;
}

/* A key no table of the object names is an error for the author (a slip in a name would
 * otherwise be published and never shown), with the nearest known name. Keys are never
 * entered. `extensions`, a field of the common table, holds what a territory adds; received
 * records are not checked (PROTOCOL.md §1.4), so a newer version's fields still replicate. */
static int check_unknown(schema_ctx *c, const proto_value *obj, const field_spec *a,
                         const field_spec *b, bool top)
{
	int ret = 0;

	for (size_t i = 0; i < obj->u.map.n && obj->u.map.items; i++) {
		const proto_kv *kv = &obj->u.map.items[i];
		const char *key = kv->key ? kv->key : "", *near;
		size_t len = kv->key ? kv->key_len : 0, saved;
		char name[PROTO_MAP_KEY_MAX + 8], list[PROTO_SCHEMA_MSG_MAX / 2];

		if ((top && len == strlen(PROTO_F_TYPE) && memcmp(key, PROTO_F_TYPE, len) == 0) ||
		    spec_has(a, key, len) || spec_has(b, key, len))
			continue;
		sanitize(name, sizeof name, key, len);
		saved = path_push_key(c, name, strlen(name));
		near = nearest_field(key, len, a, b);
		if (near)
			ret = fail_(c, "champ inconnu ; vouliez-vous dire %s ?",
			            "unknown field; did you mean %s?", near);
		else if (top)
			ret = fail_(c,
			            "champ inconnu (les champs propres à votre territoire vont sous "
			            "extensions)",
			            "unknown field (your territory's own fields go under extensions)");
		else {
			member_list(a, list, sizeof list);
			ret = fail_(c, "champ inconnu ; champs admis : %s",
			            "unknown field; expected one of: %s", list);
		}
		path_pop(c, saved);
	}
	return ret;
}

int proto_schema_validate(const proto_value *body, proto_schema_report *rep)
{
	schema_ctx c;
	const proto_value *t;
	const proto_record_type *rt;
	size_t len;
	const char *s;
	int r = 0;

	/* the counts alone: an issue is written whole when it is added, and zeroing the 70 KB
	 * of texts cost more than validating a record (an import validates thousands) */
	if (rep)
		rep->n_errors = rep->n_errors_total = rep->n_warnings = rep->n_warnings_total = 0;
	c.rep = rep;
	c.n_errors = 0;
	c.multiline = false;
	c.path_len = 0;
	c.path[0] = '\0';

	if (!body) {
		fail_(&c, "aucun contenu", "no body");
		return MAILLE_ESCHEMA;
	}
	if (body->type != PROTO_V_MAP) {
		fail_type(&c, X_("un objet de champs (clé: valeur)", "a map of fields"), body);
		return MAILLE_ESCHEMA;
	}

	path_push_key(&c, PROTO_F_TYPE, strlen(PROTO_F_TYPE));
	t = map_find(body, PROTO_F_TYPE);
	if (!t) {
		fail_(&c, "champ obligatoire manquant", "missing required field");
		return MAILLE_ESCHEMA;
	}
	if (t->type != PROTO_V_STR) {
		fail_type(&c, X_STR, t);
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
		r |= check_fields(&c, proto_record_type_common(rt), body);
		r |= check_fields(&c, rt->fields, body);
		r |= check_unknown(&c, body, proto_record_type_common(rt), rt->fields, true);
		break;
	case PROTO_RC_TERRITORY:
	case PROTO_RC_ACT:
		r |= check_fields(&c, rt->fields, body);
		r |= check_unknown(&c, body, rt->fields, NULL, true);
		break;
	case PROTO_RC_FEDERATION:
		/* member, vouch, node: their fields are defined with the federation's membership
		 * protocol; add their tables to proto_record_types[] then. */
		break;
	}
	return r || c.n_errors ? MAILLE_ESCHEMA : 0;
}

const char *proto_schema_text(const proto_schema_issue *is, bool en)
{
	return en ? is->en : is->fr;
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
	    (r = normalize_fields(body, a, proto_record_type_common(rt), lang, lang_len)) < 0)
		return r;
	return normalize_fields(body, a, rt->fields, lang, lang_len);
}
