/* node/formats/import.c: the drafts of an import, the cleaning helpers every reader shares,
 * and a draft written as a Markdown file (import.h). */
#include "import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/service/fmwrite.h"
#include "proto/error.h"
#include "proto/limits.h"
#include "proto/schema.h"

static const char *const exts_markdown[] = { ".md", ".markdown", NULL };
static const char *const exts_publiccode[] = { "publiccode.yml", "publiccode.yaml", NULL };
static const char *const exts_register[] = { ".json", ".csv", NULL };
static const char *const exts_csv[] = { ".csv", NULL };
static const char *const exts_dcat[] = { ".rdf", ".xml", ".ttl", ".jsonld", ".json", NULL };

const import_format import_formats[] = {
	{ "markdown", exts_markdown,
	  { "les fiches de Maille (Markdown et en-tête YAML), publiées d'un coup",
	    "Maille's own records (Markdown with YAML front matter), published at once" },
	  import_read_markdown },
	{ "publiccode", exts_publiccode,
	  { "publiccode.yml 0.2 à 0.7 → composant logiciel",
	    "publiccode.yml 0.2 to 0.7 → software component" },
	  import_read_publiccode },
	{ "algorithm-register", exts_register,
	  { "registre d'algorithmes Eurocities / néerlandais, JSON ou CSV → cas d'usage",
	    "Eurocities / Dutch algorithm register, JSON or CSV → use case" },
	  import_read_algorithm_register },
	{ "inventaire-csv", exts_csv,
	  { "inventaire des algorithmes publics en CSV (colonnes d'Etalab) → cas d'usage",
	    "inventory of public algorithms as CSV (Etalab's columns) → use case" },
	  import_read_inventaire_csv },
	{ "dcat", exts_dcat,
	  { "catalogue DCAT-AP (RDF/XML, Turtle, JSON-LD, DCAT-US) → jeux de données et API",
	    "DCAT-AP catalogue (RDF/XML, Turtle, JSON-LD, DCAT-US) → datasets and APIs" },
	  import_read_dcat },
	{ NULL, NULL, { NULL, NULL }, NULL },
};

const import_format *import_format_find(const char *name)
{
	for (const import_format *f = import_formats; f->name; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

void import_format_list(char *ret, size_t cap)
{
	size_t n = 0;
	if (cap)
		ret[0] = '\0';
	for (const import_format *f = import_formats; f->name; f++) {
		int w = snprintf(ret + n, cap > n ? cap - n : 0, "%s%s", n ? ", " : "", f->name);
		if (w < 0 || (size_t)w >= cap - n)
			return;
		n += (size_t)w;
	}
}

void import_set_init(import_set *set, const import_format *f)
{
	memset(set, 0, sizeof *set);
	proto_arena_init(&set->arena, IMPORT_ARENA_MAX);
	set->format = f;
}

void import_set_done(import_set *set)
{
	free(set->drafts);
	proto_arena_done(&set->arena);
	memset(set, 0, sizeof *set);
}

int import_set_read(import_set *set, const import_src *src)
{
	size_t before = set->n, errors = set->n_errors_total;
	int r = set->format->read(set, src);
	if (r || set->n_errors_total != errors) {
		set->n = before; /* nothing of a file that could not be read */
		if (set->n_errors_total == errors)
			import_file_fail(set, src, r ? r : MAILLE_EPROTO, 0, 0, "", "%s",
			                 "%s", maille_strerror(r ? r : MAILLE_EPROTO));
		return r ? r : MAILLE_EPROTO;
	}
	return 0;
}

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 3, 0)))
#endif
static void vformat(char *ret, size_t cap, const char *fmt, va_list ap)
{
	int w = vsnprintf(ret, cap, fmt, ap);
	if (w < 0) {
		ret[0] = '\0';
		return;
	}
	/* cut on a UTF-8 boundary */
	size_t n = strlen(ret);
	while (n > 0 && ((unsigned char)ret[n - 1] & 0xc0) == 0x80)
		n--;
	if (n > 0 && (unsigned char)ret[n - 1] >= 0xc0 && (size_t)w >= cap)
		n--;
	if ((size_t)w >= cap)
		ret[n] = '\0';
	/* a message is one line of text: a control character a source slipped into it (a key
	 * with a tab, quoted by a parser) must not reach a terminal */
	for (char *p = ret; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}

/* vformat with its arguments given here. */
static void vformat_args(char *ret, size_t cap, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static void vformat_args(char *ret, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vformat(ret, cap, fmt, ap);
	va_end(ap);
}

static void copy_cut(char *ret, size_t cap, const char *s)
{
	vformat_args(ret, cap, "%s", s ? s : "");
}

int import_file_fail(import_set *set, const import_src *src, int code, unsigned line,
                     unsigned column, const char *field, const char *fr, const char *en, ...)
{
	set->n_errors_total++;
	if (set->n_errors >= IMPORT_FILE_ERRORS_MAX)
		return code;
	import_file_error *e = &set->errors[set->n_errors++];
	memset(e, 0, sizeof *e);
	copy_cut(e->file, sizeof e->file, src ? src->name : "");
	copy_cut(e->field, sizeof e->field, field);
	e->line = line;
	e->column = column;
	va_list ap, ap2;
	va_start(ap, en);
	va_copy(ap2, ap);
	vformat(e->fr, sizeof e->fr, fr, ap);
	vformat(e->en, sizeof e->en, en, ap2);
	va_end(ap2);
	va_end(ap);
	return code;
}

import_draft *import_draft_new(import_set *set, const import_src *src, const char *type,
                               const char *where_fmt, ...)
{
	if (set->n >= IMPORT_RECORDS_MAX) {
		import_file_fail(set, src, MAILLE_ETOOBIG, 0, 0, "",
		                 "plus de %u fiches dans un import", "over %u records in one import",
		                 IMPORT_RECORDS_MAX);
		return NULL;
	}
	if (set->n == set->cap) {
		size_t cap = set->cap ? 2 * set->cap : 16;
		import_draft *v = realloc(set->drafts, cap * sizeof *v);
		if (!v)
			return NULL;
		set->drafts = v;
		set->cap = cap;
	}
	import_draft *d = &set->drafts[set->n];
	memset(d, 0, sizeof *d);
	d->file = proto_arena_strndup(&set->arena, src->name, strlen(src->name));
	d->body = proto_value_new(&set->arena, PROTO_V_MAP);
	proto_value *tv = d->body ? proto_value_map_put(&set->arena, d->body, PROTO_F_TYPE, 4) : NULL;
	proto_value *s = tv ? proto_value_new_str(&set->arena, type, strlen(type)) : NULL;
	if (!d->file || !s)
		return NULL;
	*tv = *s;
	if (where_fmt) {
		va_list ap;
		va_start(ap, where_fmt);
		vformat(d->where, sizeof d->where, where_fmt, ap);
		va_end(ap);
	}
	set->n++;
	return d;
}

int import_issue_add(import_set *set, import_draft *d, import_severity sev, const char *field,
                     const char *fr, const char *en, ...)
{
	d->n_issues_total++;
	if (d->n_issues >= IMPORT_ISSUES_MAX)
		return 0;
	if (d->n_issues == d->cap_issues) {
		size_t cap = d->cap_issues ? 2 * d->cap_issues : 4;
		import_issue *v = proto_arena_alloc(&set->arena, cap * sizeof *v);
		if (!v)
			return MAILLE_ENOMEM;
		if (d->n_issues)
			memcpy(v, d->issues, d->n_issues * sizeof *v);
		d->issues = v;
		d->cap_issues = cap;
	}
	import_issue *is = &d->issues[d->n_issues++];
	memset(is, 0, sizeof *is);
	is->sev = sev;
	copy_cut(is->field, sizeof is->field, field);
	va_list ap, ap2;
	va_start(ap, en);
	va_copy(ap2, ap);
	vformat(is->fr, sizeof is->fr, fr, ap);
	vformat(is->en, sizeof is->en, en, ap2);
	va_end(ap2);
	va_end(ap);
	return 0;
}

/* map[key] as a value of type t (a map or an array): the one there, or a new empty one in its
 * place. NULL: out of memory. */
static proto_value *child(import_set *set, proto_value *map, const char *key, proto_vtype t)
{
	proto_value *v = (proto_value *)proto_map_get(map, key);
	if (v && v->type == t)
		return v;
	v = proto_value_map_put(&set->arena, map, key, strlen(key));
	if (v)
		v->type = t;
	return v;
}

proto_value *import_ext(import_set *set, import_draft *d)
{
	proto_value *ext = child(set, d->body, PROTO_F_EXTENSIONS, PROTO_V_MAP);
	return ext ? child(set, ext, set->format->name, PROTO_V_MAP) : NULL;
}

void import_field(char *ret, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vformat(ret, cap, fmt, ap);
	va_end(ap);
}

bool import_scalar_text(import_set *set, const proto_value *v, const char **ret_s,
                        size_t *ret_len)
{
	char buf[48];
	int n;
	if (v->type == PROTO_V_STR) {
		*ret_s = v->u.str.ptr;
		*ret_len = v->u.str.len;
		return true;
	}
	if (v->type == PROTO_V_INT)
		n = snprintf(buf, sizeof buf, "%lld", (long long)v->u.i);
	else if (v->type == PROTO_V_FLOAT)
		n = snprintf(buf, sizeof buf, "%g", v->u.f);
	else if (v->type == PROTO_V_BOOL)
		n = snprintf(buf, sizeof buf, "%s", v->u.b ? "true" : "false");
	else
		return false;
	const char *s = proto_arena_strndup(&set->arena, buf, (size_t)n);
	if (!s)
		return false;
	*ret_s = s;
	*ret_len = (size_t)n;
	return true;
}

bool import_value_fits(const proto_value *v, unsigned depth)
{
	if (depth > PROTO_VALUE_DEPTH_MAX)
		return false;
	if (v->type == PROTO_V_ARRAY)
		for (size_t i = 0; i < v->u.arr.n; i++)
			if (!import_value_fits(&v->u.arr.items[i], depth + 1))
				return false;
	if (v->type == PROTO_V_MAP)
		for (size_t i = 0; i < v->u.map.n; i++)
			if (v->u.map.items[i].key_len == 0 ||
			    v->u.map.items[i].key_len > PROTO_MAP_KEY_MAX ||
			    !import_value_fits(&v->u.map.items[i].val, depth + 1))
				return false;
	return true;
}

/* ---- cleaning -------------------------------------------------------------------------- */

static int put_str(import_set *set, proto_value *map, const char *key, const char *s, size_t len)
{
	proto_value *slot = proto_value_map_put(&set->arena, map, key, strlen(key));
	proto_value *v = slot ? proto_value_new_str(&set->arena, s, len) : NULL;
	if (!v)
		return MAILLE_ENOMEM;
	*slot = *v;
	return 1;
}

static void quote(char *q, size_t cap, const char *s, size_t len)
{
	proto_schema_quote(q, cap, s, len);
}

/* An HTML entity at s[0..len) (after '&'): its UTF-8 into out (at least 5 bytes) and the
 * bytes it takes, or 0. */
static size_t html_entity(const char *s, size_t len, char *out, size_t *ret_n)
{
	static const struct {
		const char *name;
		const char *utf8;
	} names[] = { { "amp;", "&" },     { "lt;", "<" },       { "gt;", ">" },
		      { "quot;", "\"" },   { "apos;", "'" },     { "nbsp;", "\xc2\xa0" },
		      { "eacute;", "é" },  { "egrave;", "è" },   { "agrave;", "à" },
		      { "ccedil;", "ç" },  { "rsquo;", "’" },    { "laquo;", "«" },
		      { "raquo;", "»" },   { "hellip;", "…" },   { "ndash;", "–" },
		      { "mdash;", "—" },   { "ecirc;", "ê" },    { "ocirc;", "ô" } };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		size_t n = strlen(names[i].name);
		if (len >= n && memcmp(s, names[i].name, n) == 0) {
			*ret_n = strlen(names[i].utf8);
			memcpy(out, names[i].utf8, *ret_n);
			return n;
		}
	}
	if (len < 3 || s[0] != '#')
		return 0;
	size_t i = 1;
	unsigned base = 10;
	if (s[1] == 'x' || s[1] == 'X') {
		base = 16;
		i = 2;
	}
	uint32_t cp = 0;
	size_t start = i;
	for (; i < len && i < start + 7; i++) {
		char c = s[i];
		int dg = c >= '0' && c <= '9' ? c - '0'
		         : base == 16 && c >= 'a' && c <= 'f' ? c - 'a' + 10
		         : base == 16 && c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (dg < 0)
			break;
		cp = cp * base + (uint32_t)dg;
	}
	if (i == start || i >= len || s[i] != ';' || cp == 0 || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp < 0x20)
		return 0;
	size_t n;
	if (cp < 0x80) {
		out[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		out[0] = (char)(0xf0 | (cp >> 18));
		out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	*ret_n = n;
	return i + 1;
}

/* The tag name at s (after '<', maybe '/'), lower-cased into name (cap 16), and whether it
 * looks like a tag: a letter first, then letters and digits. */
static bool html_tag_name(const char *s, size_t len, char *name, size_t cap)
{
	size_t i = 0, n = 0;
	if (i < len && s[i] == '/')
		i++;
	if (i >= len || !((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
		return false;
	for (; i < len && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
	                   (s[i] >= '0' && s[i] <= '9'));
	     i++)
		if (n + 1 < cap)
			name[n++] = (char)(s[i] | 0x20);
	name[n] = '\0';
	return i >= len || s[i] == '>' || s[i] == ' ' || s[i] == '/' || s[i] == '\t' ||
	       s[i] == '\n' || s[i] == '\r';
}

typedef struct textbuf {
	char *p;
	size_t n, cap;
} textbuf;

static void tb_put(textbuf *t, const char *s, size_t n)
{
	if (t->n + n <= t->cap) {
		memcpy(t->p + t->n, s, n);
		t->n += n;
	}
}

/* s cleaned into t (t->cap >= 2 * len + 16): see import_text. Sets what was found. */
static void clean_text(const char *s, size_t len, bool multiline, textbuf *t, bool *ret_html,
                       bool *ret_entity, bool *ret_control)
{
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)s[i];
		char name[16];
		if (c == '<' && (html_tag_name(s + i + 1, len - i - 1, name, sizeof name) ||
		                 (i + 3 < len && memcmp(s + i, "<!--", 4) == 0))) {
			const char *end = memchr(s + i, '>', len - i);
			if (end) {
				*ret_html = true;
				bool close = s[i + 1] == '/';
				if (strcmp(name, "br") == 0 || (close && (strcmp(name, "p") == 0 ||
				                                          strcmp(name, "div") == 0 ||
				                                          strcmp(name, "ul") == 0 ||
				                                          strcmp(name, "ol") == 0 ||
				                                          (name[0] == 'h' && name[1] >= '1' &&
				                                           name[1] <= '6' && !name[2]))))
					tb_put(t, multiline ? "\n\n" : " ", multiline ? (strcmp(name, "br") ? 2 : 1) : 1);
				else if (!close && strcmp(name, "li") == 0)
					tb_put(t, multiline ? "\n- " : " ", multiline ? 3 : 1);
				i = (size_t)(end - s) + 1;
				continue;
			}
		}
		if (c == '&') {
			char u[8];
			size_t un = 0, used = html_entity(s + i + 1, len - i - 1, u, &un);
			if (used) {
				*ret_entity = true;
				tb_put(t, u, un);
				i += used + 1;
				continue;
			}
		}
		if (c == '\r') {
			tb_put(t, multiline ? "\n" : " ", 1);
			i += (i + 1 < len && s[i + 1] == '\n') ? 2 : 1;
			continue;
		}
		if (c == '\n' || c == '\t') {
			tb_put(t, multiline ? (const char *)&s[i] : " ", 1);
			i++;
			continue;
		}
		if (c < 0x20 || c == 0x7f || (c == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] >= 0x80 &&
		                              (unsigned char)s[i + 1] <= 0x9f)) {
			*ret_control = true;
			i += c == 0xc2 ? 2 : 1;
			continue;
		}
		tb_put(t, &s[i], 1);
		i++;
	}
}

/* Trims t: spaces at both ends, trailing spaces of lines, runs of more than one blank line;
 * in one-line text, runs of spaces. */
static void tidy_text(textbuf *t, bool multiline)
{
	size_t o = 0;
	unsigned newlines = 0;
	bool space = false;
	for (size_t i = 0; i < t->n; i++) {
		char c = t->p[i];
		if (c == ' ' || (c == '\t' && !multiline)) {
			space = true;
			continue;
		}
		if (c == '\n') {
			newlines++;
			space = false;
			continue;
		}
		if (o > 0) {
			if (newlines)
				for (unsigned k = 0; k < (newlines > 2 ? 2 : newlines); k++)
					t->p[o++] = '\n';
			else if (space)
				t->p[o++] = ' ';
		} else if (newlines == 0 && space && multiline) {
			/* leading indentation of the first line is dropped too */
		}
		newlines = 0;
		space = false;
		t->p[o++] = c;
	}
	t->n = o;
}

static int text_into(import_set *set, import_draft *d, const char *field, const char *s,
                     size_t len, unsigned flags, char **ret, size_t *ret_len)
{
	if (!proto_utf8_valid((const uint8_t *)s, len)) {
		import_issue_add(set, d, IMPORT_DROPPED, field,
		                 "texte qui n'est pas de l'UTF-8 valide : laissé de côté",
		                 "text that is not valid UTF-8: left out");
		return 0;
	}
	textbuf t = { proto_arena_alloc(&set->arena, len + 16), 0, len + 16 };
	if (!t.p)
		return MAILLE_ENOMEM;
	bool html = false, entity = false, control = false, multiline = flags & IMPORT_TEXT_MULTILINE;
	clean_text(s, len, multiline, &t, &html, &entity, &control);
	tidy_text(&t, multiline);
	if (t.n == 0)
		return 0;
	if (html && !(flags & IMPORT_TEXT_HTML))
		import_issue_add(set, d, IMPORT_CLEANED, field,
		                 "balises HTML retirées : le texte est gardé sans mise en forme",
		                 "HTML tags removed: the text is kept without its formatting");
	else if (entity && !(flags & IMPORT_TEXT_HTML))
		import_issue_add(set, d, IMPORT_CLEANED, field, "entités HTML remplacées par leurs caractères",
		                 "HTML entities replaced by their characters");
	if (control)
		import_issue_add(set, d, IMPORT_CLEANED, field, "caractères de contrôle retirés",
		                 "control characters removed");
	bool damaged = false;
	for (size_t i = 0; i + 3 <= t.n && !damaged; i++)
		damaged = memcmp(t.p + i, "\xef\xbf\xbd", 3) == 0;
	if (damaged)
		import_issue_add(set, d, IMPORT_NOTE, field,
		                 "le texte contient le caractère de remplacement « \xef\xbf\xbd » : il a "
		                 "été abîmé avant l'import (encodage), à relire",
		                 "the text holds the replacement character \"\xef\xbf\xbd\": it was damaged "
		                 "before the import (encoding), to check");
	t.p[t.n] = '\0';
	*ret = t.p;
	*ret_len = t.n;
	return 1;
}

int import_text(import_set *set, import_draft *d, proto_value *map, const char *key,
                const char *field, const char *s, size_t len, unsigned flags)
{
	char *p;
	size_t n;
	int r = text_into(set, d, field, s, len, flags, &p, &n);
	return r == 1 ? put_str(set, map, key, p, n) : r;
}

int import_text_lang(import_set *set, import_draft *d, proto_value *map, const char *key,
                     const char *field, const char *lang, const char *s, size_t len,
                     unsigned flags)
{
	char *p;
	size_t n;
	int r = text_into(set, d, field, s, len, flags, &p, &n);
	if (r != 1)
		return r;
	proto_value *m = child(set, map, key, PROTO_V_MAP);
	return m ? put_str(set, m, lang ? lang : "fr", p, n) : MAILLE_ENOMEM;
}

int import_text_push(import_set *set, import_draft *d, proto_value *map, const char *key,
                     const char *field, const char *s, size_t len, unsigned flags)
{
	char *p;
	size_t n;
	int r = text_into(set, d, field, s, len, flags, &p, &n);
	if (r != 1)
		return r;
	proto_value *arr = child(set, map, key, PROTO_V_ARRAY);
	if (!arr)
		return MAILLE_ENOMEM;
	for (size_t i = 0; i < arr->u.arr.n; i++)
		if (arr->u.arr.items[i].type == PROTO_V_STR && arr->u.arr.items[i].u.str.len == n &&
		    memcmp(arr->u.arr.items[i].u.str.ptr, p, n) == 0)
			return 0;
	proto_value *slot = proto_value_array_push(&set->arena, arr);
	proto_value *v = slot ? proto_value_new_str(&set->arena, p, n) : NULL;
	if (!v)
		return MAILLE_ENOMEM;
	*slot = *v;
	return 1;
}

void import_trim(const char **s, size_t *len)
{
	while (*len && ((*s)[0] == ' ' || (*s)[0] == '\t' || (*s)[0] == '\n' || (*s)[0] == '\r')) {
		(*s)++;
		(*len)--;
	}
	while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t' ||
	                (*s)[*len - 1] == '\n' || (*s)[*len - 1] == '\r'))
		(*len)--;
}

/* s put at key of map when ok; else left out, with the issue that it is not what (French,
 * English: each sentence takes its own language's word and skips the other's, %.0s). */
static int keep_or_drop(import_set *set, import_draft *d, proto_value *map, const char *key,
                        const char *field, const char *s, size_t len, bool ok,
                        const char *what_fr, const char *what_en)
{
	if (ok)
		return put_str(set, map, key, s, len);
	char q[120];
	quote(q, sizeof q, s, len);
	import_issue_add(set, d, IMPORT_DROPPED, field, "« %s » n'est pas %s%.0s : laissée de côté",
	                 "\"%s\" is not %.0s%s: left out", q, what_fr, what_en);
	return 0;
}

int import_email(import_set *set, import_draft *d, proto_value *map, const char *key,
                 const char *field, const char *s, size_t len)
{
	import_trim(&s, &len);
	if (len >= 7 && strncmp(s, "mailto:", 7) == 0) {
		s += 7;
		len -= 7;
	}
	if (len == 0)
		return 0;
	const char *at = memchr(s, '@', len);
	bool ok = at && at > s && at < s + len - 1 && !memchr(at + 1, '@', (size_t)(s + len - at - 1)) &&
	          memchr(at + 1, '.', (size_t)(s + len - at - 1)) && proto_utf8_valid((const uint8_t *)s, len);
	for (size_t i = 0; ok && i < len; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == '<' || s[i] == '>' || s[i] == ',' || s[i] == ';')
			ok = false;
	return keep_or_drop(set, d, map, key, field, s, len, ok, "une adresse e-mail",
	                    "an e-mail address");
}

int import_uri(import_set *set, import_draft *d, proto_value *map, const char *key,
               const char *field, const char *s, size_t len)
{
	import_trim(&s, &len);
	if (len == 0)
		return 0;
	size_t scheme = len >= 8 && strncmp(s, "https://", 8) == 0 ? 8
	                : len >= 7 && strncmp(s, "http://", 7) == 0 ? 7 : 0;
	bool ok = scheme && len > scheme && s[scheme] != '/' && proto_utf8_valid((const uint8_t *)s, len);
	for (size_t i = 0; ok && i < len; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == '"' || s[i] == '<' || s[i] == '>')
			ok = false;
	return keep_or_drop(set, d, map, key, field, s, len, ok,
	                    "une adresse web (http ou https)", "a web address (http or https)");
}

static bool digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static bool real_day(int y, int m, int dd)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (y < 1900 || y > 2200 || m < 1 || m > 12 || dd < 1)
		return false;
	int max = days[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
	return dd <= max;
}

int import_date(import_set *set, import_draft *d, proto_value *map, const char *key,
                const char *field, const char *s, size_t len)
{
	import_trim(&s, &len);
	if (len == 0)
		return 0;
	char out[11];
	bool ok = false, changed = false;
	if (len >= 10 && digits(s, 4) && s[4] == '-' && digits(s + 5, 2) && s[7] == '-' &&
	    digits(s + 8, 2) && (len == 10 || s[10] == 'T' || s[10] == ' ')) {
		memcpy(out, s, 10);
		ok = true;
		changed = len != 10;
	} else if (len == 10 && digits(s, 2) && s[2] == '/' && digits(s + 3, 2) && s[5] == '/' &&
	           digits(s + 6, 4)) {
		snprintf(out, sizeof out, "%.4s-%.2s-%.2s", s + 6, s + 3, s);
		ok = changed = true;
	}
	out[10] = '\0';
	if (ok)
		ok = real_day(atoi(out), atoi(out + 5), atoi(out + 8));
	if (!ok) {
		char q[80];
		quote(q, sizeof q, s, len);
		import_issue_add(set, d, IMPORT_DROPPED, field,
		                 "« %s » n'est pas une date (AAAA-MM-JJ ou JJ/MM/AAAA) : laissée de côté",
		                 "\"%s\" is not a date (YYYY-MM-DD or DD/MM/YYYY): left out", q);
		return 0;
	}
	if (changed) {
		char q[80];
		quote(q, sizeof q, s, len);
		import_issue_add(set, d, IMPORT_CLEANED, field, "« %s » lu comme %s",
		                 "\"%s\" read as %s", q, out);
	}
	return put_str(set, map, key, out, 10);
}

/* A spelling folded for comparison: proto_slugify's letters and digits, separators dropped. */
static size_t fold(const char *s, size_t len, char *ret, size_t cap)
{
	char slug[96];
	size_t n = proto_slugify(s, len, slug, sizeof slug), o = 0;
	for (size_t i = 0; i < n && o + 1 < cap; i++)
		if (slug[i] != '-')
			ret[o++] = slug[i];
	ret[o] = '\0';
	return o;
}

bool import_same_words(const char *a, size_t alen, const char *b, size_t blen)
{
	char fa[96], fb[96];
	size_t na = fold(a, alen, fa, sizeof fa), nb = fold(b, blen, fb, sizeof fb);
	return na > 0 && na == nb && memcmp(fa, fb, na) == 0;
}

const proto_vocab *import_vocab(const char *type, const char *field)
{
	const proto_record_type *t = proto_record_type_find(type, strlen(type));
	const proto_record_field *f = proto_record_type_field(t, field);
	return f ? f->vocab : NULL;
}

int import_enum(import_set *set, import_draft *d, proto_value *map, const char *key,
                const char *field, const proto_vocab *vocab, const import_synonym *synonyms,
                const char *s, size_t len)
{
	import_trim(&s, &len);
	if (len == 0 || !vocab)
		return 0;
	const char *value = NULL;
	for (const proto_vocab_term *t = vocab->terms; t->value && !value; t++) {
		if (strlen(t->value) == len && memcmp(t->value, s, len) == 0)
			return put_str(set, map, key, t->value, len);
		if (import_same_words(s, len, t->value, strlen(t->value)) ||
		    (t->label.fr && import_same_words(s, len, t->label.fr, strlen(t->label.fr))) ||
		    (t->label.en && import_same_words(s, len, t->label.en, strlen(t->label.en))))
			value = t->value;
	}
	for (const import_synonym *y = synonyms; y && y->spelling && !value; y++)
		if (import_same_words(s, len, y->spelling, strlen(y->spelling)))
			value = y->value;
	char q[96];
	quote(q, sizeof q, s, len);
	if (!value) {
		char list[400];
		size_t n = 0;
		list[0] = '\0';
		for (const proto_vocab_term *t = vocab->terms; t->value; t++) {
			int w = snprintf(list + n, sizeof list - n, "%s%s", n ? ", " : "", t->value);
			if (w < 0 || (size_t)w >= sizeof list - n)
				break;
			n += (size_t)w;
		}
		import_issue_add(set, d, IMPORT_DROPPED, field,
		                 "« %s » n'est pas une valeur connue (valeurs : %s) : laissée de côté",
		                 "\"%s\" is not a known value (values: %s): left out", q, list);
		return 0;
	}
	import_issue_add(set, d, IMPORT_CLEANED, field, "« %s » lu comme %s", "\"%s\" read as %s", q,
	                 value);
	return put_str(set, map, key, value, strlen(value));
}

/* ---- the draft as Markdown --------------------------------------------------------------- */

void import_draft_missing(const import_draft *d, void (*fn)(void *ctx, const proto_record_field *f),
                          void *ctx)
{
	const proto_value *tv = proto_map_get(d->body, PROTO_F_TYPE);
	const proto_record_type *t =
	    tv && tv->type == PROTO_V_STR ? proto_record_type_find(tv->u.str.ptr, tv->u.str.len) : NULL;
	if (!t)
		return;
	const proto_record_field *tables[2] = { proto_record_type_common(t), t->fields };
	for (size_t k = 0; k < 2; k++)
		for (const proto_record_field *f = tables[k]; f && f->name; f++) {
			const proto_value *v = proto_map_get(d->body, f->name);
			if ((!v || v->type == PROTO_V_NIL) && !f->dflt &&
			    proto_record_presence(f, d->body) == PROTO_REQUIRED)
				fn(ctx, f);
		}
}

typedef struct missing_acc {
	fm_note *notes;
	char **texts;
	size_t n, cap;
	int err;
} missing_acc;

static void missing_add(void *ctx, const proto_record_field *f)
{
	missing_acc *m = ctx;
	if (m->err || m->n == m->cap)
		return;
	char *text = NULL;
	size_t len = 0;
	FILE *o = open_memstream(&text, &len);
	if (!o) {
		m->err = MAILLE_ENOMEM;
		return;
	}
	fprintf(o, "À compléter (obligatoire) : %s", f->label.fr ? f->label.fr : f->name);
	if (f->help.fr)
		fprintf(o, ". %s", f->help.fr);
	if (f->vocab) {
		fputs("\nValeurs :", o);
		for (const proto_vocab_term *t = f->vocab->terms; t->value; t++)
			fprintf(o, " %s%s", t->value, t[1].value ? "," : "");
	}
	if (f->kind == PROTO_FK_BOOL)
		fputs("\nValeurs : true (oui), false (non)", o);
	if (f->obj) {
		fputs(f->kind == PROTO_FK_OBJLIST ? "\nChaque élément :" : "\nChamps :", o);
		for (const proto_record_field *mf = f->obj->fields; mf->name; mf++)
			fprintf(o, " %s%s%s", mf->name, mf->pres == PROTO_REQUIRED ? " (obligatoire)" : "",
			        mf[1].name ? "," : "");
	}
	if (strcmp(f->name, PROTO_F_DESCRIPTION) == 0)
		fputs("\nOu écrivez le texte sous la ligne « --- » qui ferme l'en-tête.", o);
	if (fclose(o) != 0) {
		free(text);
		m->err = MAILLE_ENOMEM;
		return;
	}
	m->notes[m->n].field = f->name;
	m->notes[m->n].comment = text;
	m->texts[m->n++] = text;
}

int import_draft_markdown(const import_draft *d, const char *format, char **ret, size_t *ret_len)
{
	enum { NOTES_MAX = 64 };
	fm_note notes[NOTES_MAX];
	char *texts[NOTES_MAX];
	missing_acc m = { notes, texts, 0, NOTES_MAX, 0 };
	import_draft_missing(d, missing_add, &m);
	char *header = NULL;
	size_t hlen = 0;
	FILE *o = m.err ? NULL : open_memstream(&header, &hlen);
	int r = MAILLE_ENOMEM;
	if (o) {
		fprintf(o, "Brouillon importé (%s) de %s%s%s.\n", format, d->file, d->where[0] ? ", " : "",
		        d->where);
		if (m.n)
			fprintf(o, "%zu champ%s obligatoire%s à compléter : cherchez « À compléter ».\n", m.n,
			        m.n > 1 ? "s" : "", m.n > 1 ? "s" : "");
		for (size_t i = 0; i < d->n_issues; i++)
			fprintf(o, "%s : %s.\n", d->issues[i].field[0] ? d->issues[i].field : "fiche",
			        d->issues[i].fr);
		if (d->n_issues_total > d->n_issues)
			fprintf(o, "… et %zu autres remarques.\n", d->n_issues_total - d->n_issues);
		fputs("Publiez-le avec : maille publish FICHIER", o);
		r = fclose(o) == 0 ? 0 : MAILLE_ENOMEM;
	}
	if (!r)
		r = fm_write_notes(d->body, d->path, header, notes, m.n, ret, ret_len);
	free(header);
	for (size_t i = 0; i < m.n; i++)
		free(texts[i]);
	return r ? r : m.err;
}
