/* node/formats/export_inventaire_csv.c: use cases as Maille's CSV of the French inventory of
 * public algorithms (export.h), the columns of inventaire.h in their order, so that `maille
 * import inventaire-csv` reads the file back field for field.
 *
 * What Excel and LibreOffice open as they are: UTF-8 with a byte-order mark, ';' between cells,
 * CRLF between rows (RFC 4180), a cell quoted when it holds ';', '"', a line break or spaces at
 * its ends, its quotes doubled. A cell follows the reader's conventions: a list one item a
 * line, a contact "Nom <adresse>" (public contacts only), a risk "risque : description :
 * mesure", a link "titre : adresse", a boolean Oui / Non. `Administration` is the record's
 * territory, `Date de mise à jour` its version's day; the other columns the reader keeps under
 * extensions (`Périmètre`, `Mode de collecte`) come back from there. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "inventaire.h"
#include "proto/error.h"

typedef struct inv_run {
	const export_set *s;
	export_sink *o;
} inv_run;

static const char *str_of(const proto_value *m, const char *key)
{
	const proto_value *v = proto_map_get(m, key);
	return v && v->type == PROTO_V_STR ? v->u.str.ptr : NULL;
}

/* A text value as one string: a string, a language map's French (else any), or NULL. */
static const char *text_of(const proto_value *v)
{
	if (!v)
		return NULL;
	if (v->type == PROTO_V_STR)
		return v->u.str.ptr;
	return v->type == PROTO_V_MAP ? proto_langmap_pick(v, "fr") : NULL;
}

/* Builds a cell's text in a memory stream, then writes it as a cell. */
typedef struct cellbuf {
	FILE *f;
	char *p;
	size_t len;
	bool first; /* no item yet: no separator */
} cellbuf;

static bool cb_open(cellbuf *c)
{
	c->p = NULL;
	c->len = 0;
	c->first = true;
	c->f = open_memstream(&c->p, &c->len);
	return c->f != NULL;
}

static void cb_item(cellbuf *c, const char *sep)
{
	if (!c->first)
		fputs(sep, c->f);
	c->first = false;
}

static int cb_close(cellbuf *c, FILE *row)
{
	int r = fclose(c->f) == 0 ? 0 : MAILLE_ENOMEM;
	if (!r)
		export_csv_cell(row, c->p, c->len);
	free(c->p);
	return r;
}

/* A field of body by the column's name: "hosting.provider" inside its object. */
static const proto_value *field_of(const proto_value *body, const char *name)
{
	const char *dot = strchr(name, '.');
	if (!dot)
		return proto_map_get(body, name);
	char obj[64];
	snprintf(obj, sizeof obj, "%.*s", (int)(dot - name), name);
	const proto_value *o = proto_map_get(body, obj);
	return o && o->type == PROTO_V_MAP ? proto_map_get(o, dot + 1) : NULL;
}

/* The items of a list of strings (or the one string) into c, joined by sep. */
static void cb_strings(cellbuf *c, const proto_value *v, const char *sep)
{
	if (v && v->type == PROTO_V_STR) {
		cb_item(c, sep);
		fputs(v->u.str.ptr, c->f);
	}
	for (size_t i = 0; v && v->type == PROTO_V_ARRAY && i < v->u.arr.n; i++) {
		const char *t = text_of(&v->u.arr.items[i]);
		if (t) {
			cb_item(c, sep);
			fputs(t, c->f);
		}
	}
}

/* The data sources' member key, one line each (names, providers or personal data levels). */
static void cb_sources(cellbuf *c, const proto_value *body, const char *key)
{
	const proto_value *ds = proto_map_get(body, PROTO_F_DATA_SOURCES);
	bool any = false;
	for (size_t i = 0; ds && ds->type == PROTO_V_ARRAY && i < ds->u.arr.n; i++)
		any = any || str_of(&ds->u.arr.items[i], key);
	for (size_t i = 0; any && ds && i < ds->u.arr.n; i++) {
		const char *t = str_of(&ds->u.arr.items[i], key);
		cb_item(c, "\n");
		/* a source without it: the reader needs one item a source to pair them */
		fputs(t ? t : "", c->f);
	}
}

static void cb_number(cellbuf *c, const proto_value *v)
{
	if (v && v->type == PROTO_V_INT)
		fprintf(c->f, "%lld", (long long)v->u.i);
	else if (v && v->type == PROTO_V_FLOAT)
		fprintf(c->f, "%g", v->u.f);
	else if (text_of(v))
		fputs(text_of(v), c->f);
}

/* One column's cell of record r. */
static void column_cell(inv_run *run, const inv_column *col, const export_record *r,
                        const proto_value *body, cellbuf *c)
{
	const proto_value *v = col->field ? field_of(body, col->field) : NULL;
	switch (col->kind) {
	case INV_TITLE:
	case INV_LINE:
	case INV_TEXT:
	case INV_ENUM:
	case INV_URI:
		if (text_of(v))
			fputs(text_of(v), c->f);
		break;
	case INV_THEMES:
	case INV_WORDS:
		cb_strings(c, v, "; ");
		break;
	case INV_LIST:
		cb_strings(c, v, "\n");
		break;
	case INV_BOOL:
		if (v && v->type == PROTO_V_BOOL)
			fputs(v->u.b ? "Oui" : "Non", c->f);
		break;
	case INV_CONTACTS:
		for (size_t i = 0; v && v->type == PROTO_V_ARRAY && i < v->u.arr.n; i++) {
			const proto_value *ct = &v->u.arr.items[i];
			const proto_value *pub = proto_map_get(ct, PROTO_F_PUBLIC);
			const char *mail = str_of(ct, PROTO_F_EMAIL), *name = str_of(ct, PROTO_F_NAME);
			if (!mail || !pub || pub->type != PROTO_V_BOOL || !pub->u.b)
				continue; /* a contact not public is never exported */
			cb_item(c, "\n");
			if (name)
				fprintf(c->f, "%s <%s>", name, mail);
			else
				fputs(mail, c->f);
		}
		break;
	case INV_RISKS:
		for (size_t i = 0; v && v->type == PROTO_V_ARRAY && i < v->u.arr.n; i++) {
			const proto_value *rk = &v->u.arr.items[i];
			const char *n = text_of(proto_map_get(rk, PROTO_F_NAME));
			const char *d = text_of(proto_map_get(rk, PROTO_F_DESCRIPTION));
			const char *m = text_of(proto_map_get(rk, PROTO_F_MITIGATION));
			cb_item(c, "\n");
			fprintf(c->f, "%s", n ? n : "");
			if (d)
				fprintf(c->f, " : %s", d);
			if (m)
				fprintf(c->f, " : %s", m);
		}
		break;
	case INV_DATA:
		cb_sources(c, body, PROTO_F_NAME);
		break;
	case INV_PROVIDER:
		cb_sources(c, body, PROTO_F_PROVIDER);
		break;
	case INV_PERSONAL:
		cb_sources(c, body, PROTO_F_PERSONAL_DATA);
		break;
	case INV_LINKS:
		for (size_t i = 0; v && v->type == PROTO_V_ARRAY && i < v->u.arr.n; i++) {
			const char *href = str_of(&v->u.arr.items[i], PROTO_F_HREF);
			const char *title = text_of(proto_map_get(&v->u.arr.items[i], PROTO_F_TITLE));
			if (!href)
				continue;
			cb_item(c, "\n");
			if (title)
				fprintf(c->f, "%s : %s", title, href);
			else
				fputs(href, c->f);
		}
		break;
	case INV_DECISIONS:
	case INV_NUMBER:
		cb_number(c, v);
		break;
	case INV_EXT_DATE: {
		/* the day of the version exported: when the record last changed */
		char ts[21];
		export_rfc3339(r->timestamp_us, ts);
		fprintf(c->f, "%.10s", ts);
		break;
	}
	case INV_EXT:
		if (strcmp(col->header, "Administration") == 0) {
			const export_territory *t = export_territory_of(run->s, r->territory);
			fputs(t ? t->name : "", c->f);
		} else {
			const proto_value *ext = proto_map_get(body, PROTO_F_EXTENSIONS);
			const char *kept = text_of(proto_map_get(proto_map_get(ext, "inventaire-csv"),
			                                         col->header));
			if (kept)
				fputs(kept, c->f);
		}
		break;
	}
}

/* One row: record r's cells in the columns' order. */
typedef struct inv_row {
	inv_run *run;
	const export_record *r;
	const proto_value *body;
} inv_row;

static int inv_row_fill(FILE *f, void *ctx)
{
	inv_row *w = ctx;
	for (const inv_column *col = inv_columns; col->header; col++) {
		if (col != inv_columns)
			fputc(';', f);
		cellbuf c;
		if (!cb_open(&c))
			return MAILLE_ENOMEM;
		column_cell(w->run, col, w->r, w->body, &c);
		int e = cb_close(&c, f);
		if (e)
			return e;
	}
	fputs("\r\n", f);
	return 0;
}

static int inv_record(void *ctx, const export_record *r, const proto_value *body)
{
	inv_run *run = ctx;
	if (strcmp(r->type, PROTO_T_USE_CASE) != 0)
		return 0;
	inv_row w = { run, r, body };
	int e = export_print(run->o, inv_row_fill, &w);
	if (!e)
		run->o->n_records++;
	return e;
}

/* UTF-8's mark (what Excel needs to read the accents), then the headers. */
static int inv_head_fill(FILE *f, void *ctx)
{
	(void)ctx;
	fputs("\xef\xbb\xbf", f);
	for (const inv_column *col = inv_columns; col->header; col++) {
		if (col != inv_columns)
			fputc(';', f);
		export_csv_cell(f, col->header, strlen(col->header));
	}
	fputs("\r\n", f);
	return 0;
}

int export_write_inventaire_csv(const export_set *s, export_sink *o, const char *variant)
{
	(void)variant;
	inv_run run = { s, o };
	int r = o->begin(o->ctx, "inventaire.csv");
	if (r)
		return r;
	r = export_print(o, inv_head_fill, NULL);
	if (!r)
		r = export_each(s, inv_record, &run);
	return export_end(o, r);
}
