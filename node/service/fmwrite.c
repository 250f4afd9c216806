/* node/service/fmwrite.c: a record body written as front matter and Markdown (fmwrite.h). */
#include "fmwrite.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proto/error.h"
#include "proto/record.h"

/* Nesting the writer follows: the decoder's own bound (PROTO_VALUE_DEPTH_MAX) is lower. */
#define FMW_DEPTH_MAX 64u

typedef struct fmw {
	FILE *o;
	const char *lang; /* the record's language: a map of it alone is written as a string */
	int err;
} fmw;

static void fmw_indent(fmw *w, unsigned ind)
{
	fprintf(w->o, "%*s", (int)ind, "");
}

/* Whether s is one of the words a YAML reader may take for a boolean or null, in any case. */
static bool fmw_yaml_word(const char *s, size_t len)
{
	static const char *const words[] = { "true", "false", "null", "yes", "no", "on", "off",
		                             "y", "n", NULL };
	for (const char *const *wd = words; *wd; wd++)
		if (strlen(*wd) == len && strncasecmp(*wd, s, len) == 0)
			return true;
	return false;
}

/* The length of the character at p[i] when YAML does not let it stand as it is in a scalar
 * (a C0 control, DEL, a C1 control, U+FEFF), else 0. p[0..len) is valid UTF-8. */
static size_t fmw_unprintable(const unsigned char *p, size_t len, size_t i)
{
	if (p[i] < 0x20 || p[i] == 0x7f)
		return 1;
	if (p[i] == 0xc2 && i + 1 < len && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f)
		return 2;
	if (p[i] == 0xef && i + 2 < len && p[i + 1] == 0xbb && p[i + 2] == 0xbf)
		return 3;
	return 0;
}

/* A key written plain when YAML reads it back as that string: [a-z0-9_] words that are not
 * numbers or YAML's words; otherwise double-quoted. */
static bool fmw_plain_key(const char *k, size_t len)
{
	bool letter = false;
	if (len == 0 || len > 64)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = k[i];
		if (c >= 'a' && c <= 'z')
			letter = true;
		else if (!(c >= '0' && c <= '9') && c != '_')
			return false;
	}
	return letter && !fmw_yaml_word(k, len);
}

/* A double-quoted YAML string: the characters YAML does not print as they are (C0, DEL, C1,
 * U+FEFF) and the quote and backslash escaped. s is valid UTF-8 (a proto_value string). */
static void fmw_quoted(fmw *w, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	fputc('"', w->o);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = p[i];
		if (c == '"' || c == '\\')
			fprintf(w->o, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", w->o);
		else if (c == '\t')
			fputs("\\t", w->o);
		else if (c == '\r')
			fputs("\\r", w->o);
		else if (fmw_unprintable(p, len, i) == 1)
			fprintf(w->o, "\\x%02x", c);
		else if (fmw_unprintable(p, len, i) == 2)
			fprintf(w->o, "\\x%02x", p[++i]);
		else if (fmw_unprintable(p, len, i) == 3) {
			fputs("\\ufeff", w->o);
			i += 2;
		} else
			fputc(c, w->o);
	}
	fputc('"', w->o);
}

/* Whether s reads back the same as a literal block (|-) indented by more than its key: more
 * than one line, every character printable as it is, no line starting with a blank (the
 * first one would set the indentation; a tab is not indentation), none ending with one
 * (blank lines would lose their spaces), no trailing line feed (|- strips it). */
static bool fmw_block_ok(const char *s, size_t len)
{
	if (!memchr(s, '\n', len) || len == 0 || s[len - 1] == '\n')
		return false;
	bool line_start = true;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c != '\n' && fmw_unprintable((const unsigned char *)s, len, i))
			return false;
		if (line_start && c == ' ')
			return false;
		if (c == '\n' && i > 0 && s[i - 1] == ' ')
			return false;
		line_start = c == '\n';
	}
	return s[len - 1] != ' ';
}

/* Whether s reads back the same as a plain scalar on one line, as a person writes it: a letter
 * first (never a number, a date or an indicator), no ": " or " #", no blank at either end,
 * nothing but printable characters, no ':' at the end, and not one of YAML's words. */
static bool fmw_plain_ok(const char *s, size_t len)
{
	unsigned char c0 = len ? (unsigned char)s[0] : 0;
	if (!((c0 >= 'a' && c0 <= 'z') || (c0 >= 'A' && c0 <= 'Z') || c0 >= 0xc3))
		return false;
	if (s[len - 1] == ' ' || s[len - 1] == ':')
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (fmw_unprintable((const unsigned char *)s, len, i))
			return false;
		if (c == ':' && i + 1 < len && s[i + 1] == ' ')
			return false;
		if (c == '#' && s[i - 1] == ' ')
			return false;
	}
	return !fmw_yaml_word(s, len);
}

static void fmw_string(fmw *w, const char *s, size_t len, unsigned ind)
{
	if (fmw_plain_ok(s, len)) {
		fputc(' ', w->o);
		fwrite(s, 1, len, w->o);
		fputc('\n', w->o);
		return;
	}
	if (!fmw_block_ok(s, len)) {
		fputc(' ', w->o);
		fmw_quoted(w, s, len);
		fputc('\n', w->o);
		return;
	}
	fputs(" |-\n", w->o);
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(s + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (s + i)) : len - i;
		if (n)
			fmw_indent(w, ind + 2);
		fwrite(s + i, 1, n, w->o);
		fputc('\n', w->o);
		i += n + 1;
	}
}

/* A scalar on the line it starts (after "key:" or "-"); false for a collection. */
static bool fmw_scalar(fmw *w, const proto_value *v, unsigned ind)
{
	switch (v->type) {
	case PROTO_V_NIL:
		fputs(" null\n", w->o);
		return true;
	case PROTO_V_BOOL:
		fputs(v->u.b ? " true\n" : " false\n", w->o);
		return true;
	case PROTO_V_INT:
		fprintf(w->o, " %lld\n", (long long)v->u.i);
		return true;
	case PROTO_V_FLOAT: {
		/* the shortest of %.15g..%.17g that reads back the same */
		char buf[40];
		for (int prec = 15; prec <= 17; prec++) {
			snprintf(buf, sizeof buf, "%.*g", prec, v->u.f);
			if (strtod(buf, NULL) == v->u.f)
				break;
		}
		if (!isfinite(v->u.f))
			w->err = MAILLE_EINVAL;
		/* the front matter's floats have a '.' in their mantissa (frontmatter.c) */
		const char *e = strchr(buf, 'e');
		if (strchr(buf, '.'))
			fprintf(w->o, " %s\n", buf);
		else if (e)
			fprintf(w->o, " %.*s.0%s\n", (int)(e - buf), buf, e);
		else
			fprintf(w->o, " %s.0\n", buf);
		return true;
	}
	case PROTO_V_STR:
		fmw_string(w, v->u.str.ptr, v->u.str.len, ind);
		return true;
	case PROTO_V_BIN:
		w->err = MAILLE_EINVAL;
		fputs(" null\n", w->o);
		return true;
	case PROTO_V_ARRAY:
		if (v->u.arr.n)
			return false;
		fputs(" []\n", w->o);
		return true;
	case PROTO_V_MAP:
		if (v->u.map.n)
			return false;
		fputs(" {}\n", w->o);
		return true;
	}
	return true;
}

static void fmw_key(fmw *w, const proto_kv *kv, unsigned ind)
{
	fmw_indent(w, ind);
	if (fmw_plain_key(kv->key, kv->key_len))
		fwrite(kv->key, 1, kv->key_len, w->o);
	else
		fmw_quoted(w, kv->key, kv->key_len);
	fputc(':', w->o);
}

/* A value after its "key:" at column ind, or (item) a list's item after its "-" at column ind:
 * a map's first key then stays on the item's line. */
static void fmw_value(fmw *w, const proto_value *v, unsigned ind, unsigned depth, bool item)
{
	if (depth > FMW_DEPTH_MAX) {
		w->err = MAILLE_EINVAL;
		return;
	}
	if (fmw_scalar(w, v, ind))
		return;
	bool inline_first = item && v->type == PROTO_V_MAP;
	fputc(inline_first ? ' ' : '\n', w->o);
	if (v->type == PROTO_V_MAP) {
		for (size_t i = 0; i < v->u.map.n; i++) {
			fmw_key(w, &v->u.map.items[i], i == 0 && inline_first ? 0 : ind + 2);
			fmw_value(w, &v->u.map.items[i].val, ind + 2, depth + 1, false);
		}
		return;
	}
	for (size_t i = 0; i < v->u.arr.n; i++) {
		fmw_indent(w, ind + 2);
		fputc('-', w->o);
		fmw_value(w, &v->u.arr.items[i], ind + 2, depth + 1, true);
	}
}

/* The string of a map holding only the record's language, or NULL. */
static const proto_value *fmw_lang_only(const fmw *w, const proto_value *v)
{
	if (v->type != PROTO_V_MAP || v->u.map.n != 1 || v->u.map.items[0].val.type != PROTO_V_STR)
		return NULL;
	return strcmp(v->u.map.items[0].key, w->lang) == 0 ? &v->u.map.items[0].val : NULL;
}

/* Whether text reads back the same as a Markdown body (frontmatter.c's body_text): no CR, no
 * blank first or last line, no NUL. */
static bool fmw_body_ok(const char *s, size_t len)
{
	if (len == 0 || memchr(s, '\r', len))
		return false;
	size_t i = 0;
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i == len || s[i] == '\n')
		return false;
	size_t j = len;
	while (j > 0 && (s[j - 1] == ' ' || s[j - 1] == '\t'))
		j--;
	return j > 0 && s[j - 1] != '\n';
}

static void fmw_field(fmw *w, const proto_kv *kv, const proto_record_field *f)
{
	const proto_value *one = f && f->kind == PROTO_FK_LANGMAP ? fmw_lang_only(w, &kv->val) : NULL;
	fmw_key(w, kv, 0);
	fmw_value(w, one ? one : &kv->val, 0, 0, false);
}

/* header as YAML comment lines: "# " before each of its lines (control characters but tabs
 * become spaces, so a comment never ends early). */
static void fmw_comment(fmw *w, const char *text)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t len = strlen(text);
	bool bol = true;
	for (size_t i = 0; i < len; i++) {
		if (bol)
			fputs("# ", w->o);
		bol = p[i] == '\n';
		size_t u = bol ? 0 : fmw_unprintable(p, len, i);
		if (u) {
			fputc(' ', w->o);
			i += u - 1;
		} else {
			fputc(p[i], w->o);
		}
	}
	if (!bol)
		fputc('\n', w->o);
}

/* The note for field name, or NULL. */
static const fm_note *fmw_note(const fm_note *notes, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(notes[i].field, name) == 0)
			return &notes[i];
	return NULL;
}

int fm_write(const proto_value *body, const char *path, char **ret, size_t *ret_len)
{
	return fm_write_notes(body, path, NULL, NULL, 0, ret, ret_len);
}

int fm_write_notes(const proto_value *body, const char *path, const char *header,
                   const fm_note *notes, size_t n_notes, char **ret, size_t *ret_len)
{
	/* a `path` key of the body would be read back as the record's path, not as a field */
	if (!body || body->type != PROTO_V_MAP || proto_map_get(body, "path"))
		return MAILLE_EINVAL;
	fmw w = { .lang = "fr" };
	const proto_value *lv = proto_map_get(body, PROTO_F_LANG);
	if (lv && lv->type == PROTO_V_STR)
		w.lang = lv->u.str.ptr;
	const proto_value *tv = proto_map_get(body, PROTO_F_TYPE);
	const proto_record_type *t =
	    tv && tv->type == PROTO_V_STR ? proto_record_type_find(tv->u.str.ptr, tv->u.str.len) : NULL;
	const proto_value *dv = proto_map_get(body, PROTO_F_DESCRIPTION);
	const proto_value *desc = dv ? fmw_lang_only(&w, dv) : NULL;
	if (desc && !fmw_body_ok(desc->u.str.ptr, desc->u.str.len))
		desc = NULL;

	char *buf = NULL;
	size_t len = 0;
	if (!(w.o = open_memstream(&buf, &len)))
		return MAILLE_ENOMEM;
	fputs("---\n", w.o);
	if (header && header[0])
		fmw_comment(&w, header);
	/* type, path, then the tables' fields in their order, then the others in the body's
	 * (extensions among them: last) */
	bool *done = calloc(body->u.map.n + 1, sizeof *done);
	if (!done) {
		fclose(w.o);
		free(buf);
		return MAILLE_ENOMEM;
	}
	for (size_t i = 0; i < body->u.map.n; i++)
		if (strcmp(body->u.map.items[i].key, PROTO_F_TYPE) == 0) {
			fmw_field(&w, &body->u.map.items[i], NULL);
			done[i] = true;
		}
	if (path) {
		fputs("path:", w.o);
		fmw_scalar(&w, &(proto_value){ .type = PROTO_V_STR, .u.str = { path, strlen(path) } }, 0);
	}
	const proto_record_field *tables[2] = {
		proto_record_type_common(t), t ? t->fields : NULL
	};
	for (size_t k = 0; k < 2; k++)
		for (const proto_record_field *f = tables[k]; f && f->name; f++) {
			const fm_note *note = fmw_note(notes, n_notes, f->name);
			if (note && !proto_map_get(body, f->name)) {
				/* an empty key: YAML reads it as null, which validation takes for absent */
				fmw_comment(&w, note->comment);
				fprintf(w.o, "%s:\n", f->name);
			}
			for (size_t i = 0; i < body->u.map.n; i++)
				if (!done[i] && strcmp(body->u.map.items[i].key, f->name) == 0 &&
				    strcmp(f->name, PROTO_F_EXTENSIONS) != 0) {
					done[i] = true;
					if (!(desc && &body->u.map.items[i].val == dv))
						fmw_field(&w, &body->u.map.items[i], f);
				}
		}
	for (size_t i = 0; i < body->u.map.n; i++)
		if (!done[i] && !(desc && &body->u.map.items[i].val == dv))
			fmw_field(&w, &body->u.map.items[i], proto_record_type_field(t, body->u.map.items[i].key));
	free(done);
	fputs("---\n", w.o);
	if (desc) {
		fwrite(desc->u.str.ptr, 1, desc->u.str.len, w.o);
		fputc('\n', w.o);
	}
	bool failed = ferror(w.o) != 0;
	if (fclose(w.o) != 0 || failed) {
		free(buf);
		return MAILLE_ENOMEM;
	}
	if (w.err) {
		free(buf);
		return w.err;
	}
	*ret = buf;
	*ret_len = len;
	return 0;
}
