/* node/formats/export.c: the records of an export and the helpers writers share (export.h). */
#include "export.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proto/error.h"

const export_format export_formats[] = {
	{ "dcat", false, { "ttl", "jsonld", NULL }, NULL,
	  { "catalogue DCAT-AP 3 (Turtle .ttl ou JSON-LD .jsonld ; les deux dans un dossier)",
	    "DCAT-AP 3 catalogue (Turtle .ttl or JSON-LD .jsonld; both into a folder)" },
	  export_write_dcat },
	{ "inventaire-csv", true, { NULL }, "use_case",
	  { "inventaire des algorithmes publics en CSV (colonnes d'Etalab, puis celles de Maille)",
	    "inventory of public algorithms as CSV (Etalab's columns, then Maille's)" },
	  export_write_inventaire_csv },
	{ "algorithm-register", false, { "csv", "json", NULL }, "use_case",
	  { "registre des algorithmes du standard Eurocities 0.3.1 (CSV .csv ou JSON .json ; les "
	    "deux dans un dossier)",
	    "algorithm register of the Eurocities standard 0.3.1 (CSV .csv or JSON .json; both "
	    "into a folder)" },
	  export_write_algorithm_register },
	{ "publiccode", false, { NULL }, "component",
	  { "un publiccode.yml par composant logiciel (standard 0.7), dans un dossier",
	    "one publiccode.yml a software component (standard 0.7), into a folder" },
	  export_write_publiccode },
	{ NULL, false, { NULL }, NULL, { NULL, NULL }, NULL },
};

const export_format *export_format_find(const char *name)
{
	for (const export_format *f = export_formats; f->name; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

const char *export_format_variant(const export_format *f, const char *out)
{
	const char *dot = out ? strrchr(out, '.') : NULL;
	for (size_t i = 0; dot && f->variants[i]; i++)
		if (strcmp(dot + 1, f->variants[i]) == 0)
			return f->variants[i];
	return NULL;
}

void export_set_init(export_set *s)
{
	memset(s, 0, sizeof *s);
	proto_arena_init(&s->arena, 0);
}

void export_set_done(export_set *s)
{
	free(s->v);
	free(s->terr);
	proto_arena_done(&s->arena);
	memset(s, 0, sizeof *s);
}

void export_set_slice(export_set *s, size_t off, size_t n)
{
	s->page.total = s->n;
	if (off > s->n)
		off = s->n;
	if (n > s->n - off)
		n = s->n - off;
	memmove(s->v, s->v + off, n * sizeof *s->v);
	s->n = n;
	size_t kept = 0;
	for (size_t t = 0; t < s->n_terr; t++) {
		bool named = false;
		for (size_t i = 0; i < s->n && !named; i++)
			named = memcmp(s->v[i].territory, s->terr[t].key, PROTO_KEY_LEN) == 0;
		if (named)
			s->terr[kept++] = s->terr[t];
	}
	s->n_terr = kept;
}

typedef struct load_ctx {
	export_set *s;
	store *st;
	int err;
} load_ctx;

const export_territory *export_territory_of(const export_set *s, const uint8_t key[PROTO_KEY_LEN])
{
	for (size_t i = 0; i < s->n_terr; i++)
		if (memcmp(s->terr[i].key, key, PROTO_KEY_LEN) == 0)
			return &s->terr[i];
	return NULL;
}

/* Adds key's territory to s when it is not there yet: its territory record (signed by the
 * territory key itself, as store_territory_name counts it) and its name. */
static int add_territory(load_ctx *c, const uint8_t key[PROTO_KEY_LEN])
{
	export_set *s = c->s;
	if (export_territory_of(s, key))
		return 0;
	if (s->n_terr == s->cap_terr) {
		size_t cap = s->cap_terr ? 2 * s->cap_terr : 8;
		export_territory *v = realloc(s->terr, cap * sizeof *v);
		if (!v)
			return MAILLE_ENOMEM;
		s->terr = v;
		s->cap_terr = cap;
	}
	export_territory *t = &s->terr[s->n_terr];
	memset(t, 0, sizeof *t);
	memcpy(t->key, key, PROTO_KEY_LEN);
	store_row row;
	if (store_entry_get(c->st, key, "territory", &row) == 0) {
		proto_value *body = NULL;
		if (row.entry.kind == PROTO_KIND_DOCUMENT &&
		    memcmp(row.entry.signer, key, PROTO_KEY_LEN) == 0 &&
		    proto_value_decode(row.entry.body, row.entry.body_len, &s->arena, &body) == 0 &&
		    body->type == PROTO_V_MAP)
			t->body = body;
		store_row_done(&row);
	}
	char name[256];
	if (store_territory_name(c->st, key, name, sizeof name) != 0) {
		char hex[2 * PROTO_KEY_LEN + 1];
		proto_hex(key, PROTO_KEY_LEN, hex);
		snprintf(name, sizeof name, "%.8s…", hex);
	}
	if (!(t->name = proto_arena_strndup(&s->arena, name, strlen(name))))
		return MAILLE_ENOMEM;
	s->n_terr++;
	return 0;
}

/* The type of a stored body when it is a catalogue record's (the tables' name for it), else
 * NULL. */
static const char *catalogue_type(const uint8_t *buf, size_t len)
{
	proto_arena a;
	proto_arena_init(&a, 0);
	proto_value *body = NULL;
	const char *name = NULL;
	if (proto_value_decode(buf, len, &a, &body) == 0 && body->type == PROTO_V_MAP) {
		const proto_value *tv = proto_map_get(body, PROTO_F_TYPE);
		const proto_record_type *t = tv && tv->type == PROTO_V_STR
		                                 ? proto_record_type_find(tv->u.str.ptr, tv->u.str.len)
		                                 : NULL;
		if (t && t->cls == PROTO_RC_CATALOGUE)
			name = t->name;
	}
	proto_arena_done(&a);
	return name;
}

static int load_row(const store_row *row, void *vctx)
{
	load_ctx *c = vctx;
	export_set *s = c->s;
	if (row->entry.kind != PROTO_KIND_DOCUMENT)
		return 0;
	const char *type = catalogue_type(row->entry.body, row->entry.body_len);
	if (!type)
		return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		export_record *v = realloc(s->v, cap * sizeof *v);
		if (!v) {
			c->err = MAILLE_ENOMEM;
			return 1;
		}
		s->v = v;
		s->cap = cap;
	}
	export_record *r = &s->v[s->n];
	r->type = type;
	r->path = proto_arena_strndup(&s->arena, row->entry.path, row->entry.path_len);
	memcpy(r->territory, row->entry.territory, PROTO_KEY_LEN);
	memcpy(r->id, row->id, PROTO_ID_LEN);
	r->timestamp_us = row->entry.timestamp;
	if (!r->path || (c->err = add_territory(c, row->entry.territory)) != 0) {
		c->err = c->err ? c->err : MAILLE_ENOMEM;
		return 1;
	}
	s->n++;
	return 0;
}

int export_set_load(export_set *s, store *st, const store_filter *f)
{
	load_ctx c = { s, st, 0 };
	store_filter g = *f;
	g.include_tombstones = false;
	s->st = st;
	s->trusted_only = f->trusted_only;
	int r = store_list(st, &g, load_row, &c);
	return c.err ? c.err : r;
}

int export_each(const export_set *s,
                int (*fn)(void *ctx, const export_record *r, const proto_value *body), void *ctx)
{
	for (size_t i = 0; i < s->n; i++) {
		if (s->progress && i % EXPORT_PROGRESS_STEP == 0)
			s->progress(s->progress_ctx, i, s->n);
		const export_record *r = &s->v[i];
		store_row row;
		int e = store_entry_get(s->st, r->territory, r->path, &row);
		if (e == MAILLE_ENOTFOUND)
			continue;
		if (e)
			return e;
		proto_arena a;
		proto_arena_init(&a, 0);
		proto_value *body = NULL;
		int out = 0;
		/* the version listed, or a newer one stored meanwhile: its body either way */
		if (row.entry.kind == PROTO_KIND_DOCUMENT &&
		    proto_value_decode(row.entry.body, row.entry.body_len, &a, &body) == 0 &&
		    body->type == PROTO_V_MAP)
			out = fn(ctx, r, body);
		store_row_done(&row);
		proto_arena_done(&a);
		if (out)
			return out;
	}
	if (s->progress)
		s->progress(s->progress_ctx, s->n, s->n);
	return 0;
}

int export_skip_add(export_sink *o, const export_record *r, const char *fr, const char *en, ...)
{
	if (o->n_skips == o->cap_skips) {
		size_t cap = o->cap_skips ? 2 * o->cap_skips : 8;
		export_skip *v = realloc(o->skips, cap * sizeof *v);
		if (!v)
			return MAILLE_ENOMEM;
		o->skips = v;
		o->cap_skips = cap;
	}
	export_skip *k = &o->skips[o->n_skips++];
	snprintf(k->path, sizeof k->path, "%s", r->path);
	va_list ap, ap2;
	va_start(ap, en);
	va_copy(ap2, ap);
	vsnprintf(k->fr, sizeof k->fr, fr, ap);
	vsnprintf(k->en, sizeof k->en, en, ap2);
	va_end(ap2);
	va_end(ap);
	return 0;
}

int export_put(export_sink *o, const char *name, const char *data, size_t len)
{
	int r = o->begin(o->ctx, name);
	if (r)
		return r;
	return export_end(o, o->write(o->ctx, data, len));
}

int export_end(export_sink *o, int r)
{
	int e = o->end(o->ctx, r == 0);
	if (!r && !e)
		o->n_files++;
	return r ? r : e;
}

const char *export_text(proto_arena *a, const proto_value *body, const char *key, const char *lang,
                        const char *sep)
{
	const proto_value *v = proto_map_get(body, key);
	if (!v)
		return NULL;
	if (v->type == PROTO_V_STR)
		return v->u.str.ptr;
	if (v->type == PROTO_V_MAP) {
		const proto_value *l = proto_map_get(v, lang ? lang : "fr");
		if (l && l->type == PROTO_V_STR)
			return l->u.str.ptr;
		return proto_langmap_pick(v, lang ? lang : "fr");
	}
	if (v->type != PROTO_V_ARRAY || !sep)
		return NULL;
	size_t len = 0, n = 0, sl = strlen(sep);
	for (size_t i = 0; i < v->u.arr.n; i++)
		if (v->u.arr.items[i].type == PROTO_V_STR)
			len += v->u.arr.items[i].u.str.len + sl;
	char *out = proto_arena_alloc(a, len + 1);
	if (!out)
		return NULL;
	for (size_t i = 0; i < v->u.arr.n; i++) {
		const proto_value *it = &v->u.arr.items[i];
		if (it->type != PROTO_V_STR)
			continue;
		if (n) {
			memcpy(out + n, sep, sl);
			n += sl;
		}
		memcpy(out + n, it->u.str.ptr, it->u.str.len);
		n += it->u.str.len;
	}
	out[n] = '\0';
	return n ? out : NULL;
}

void export_record_url(const export_set *s, const export_record *r, char *ret, size_t cap)
{
	if (!s->base_url || !s->base_url[0]) {
		ret[0] = '\0';
		return;
	}
	char hex[2 * PROTO_KEY_LEN + 1];
	proto_hex(r->territory, PROTO_KEY_LEN, hex);
	size_t bl = strlen(s->base_url);
	while (bl > 0 && s->base_url[bl - 1] == '/')
		bl--;
	snprintf(ret, cap, "%.*s/entry/%s?territory=%s", (int)bl, s->base_url, r->path, hex);
}

void export_csv_cell(FILE *f, const char *s, size_t len)
{
	bool quote = len && (s[0] == ' ' || s[len - 1] == ' ');
	for (size_t i = 0; i < len && !quote; i++)
		quote = s[i] == ';' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
	if (!quote) {
		fwrite(s, 1, len, f);
		return;
	}
	fputc('"', f);
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"')
			fputc('"', f);
		fputc(s[i], f);
	}
	fputc('"', f);
}

int export_print(export_sink *o, int (*fill)(FILE *f, void *ctx), void *ctx)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return MAILLE_ENOMEM;
	int r = fill(f, ctx);
	if (fclose(f) != 0 && !r)
		r = MAILLE_ENOMEM;
	if (!r && len)
		r = o->write(o->ctx, text, len);
	free(text);
	return r;
}

void export_rfc3339(uint64_t us, char ret[21])
{
	time_t t = (time_t)(us / 1000000u);
	struct tm tm;
	if (!gmtime_r(&t, &tm) || strftime(ret, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(ret, 21, "1970-01-01T00:00:00Z");
}
