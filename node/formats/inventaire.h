/* node/formats/inventaire.h: the columns of Maille's CSV of the French algorithm inventory,
 * one table for its reader (import_inventaire_csv.c) and its writer (export_inventaire_csv.c),
 * so that what one writes the other reads back. Private to node/formats. */
#ifndef MAILLE_NODE_FORMATS_INVENTAIRE_H
#define MAILLE_NODE_FORMATS_INVENTAIRE_H

typedef enum inv_kind {
	INV_TITLE,     /* title, a language map, and the path */
	INV_LINE,      /* a one-line text */
	INV_TEXT,      /* a multi-line text */
	INV_ENUM,      /* a value of the field's vocabulary */
	INV_THEMES,    /* a list of the themes' values */
	INV_LIST,      /* a list of texts, split on lines and ';' */
	INV_WORDS,     /* a list of texts, split on lines, ';' and ',' */
	INV_BOOL,      /* Oui / Non */
	INV_URI,       /* one web address */
	INV_CONTACTS,  /* contacts[] */
	INV_RISKS,     /* risks[] */
	INV_DATA,      /* data_sources[].name */
	INV_PROVIDER,  /* data_sources[].provider */
	INV_PERSONAL,  /* data_sources[].personal_data */
	INV_LINKS,     /* links[] */
	INV_DECISIONS, /* decisions_per_year: a number or a text */
	INV_NUMBER,    /* a number (a decimal comma accepted) */
	INV_EXT_DATE,  /* kept under extensions, as a date */
	INV_EXT,       /* kept under extensions as written */
} inv_kind;

typedef struct inv_column {
	const char *header; /* the French header */
	const char *field;  /* Maille's field, "object.field" inside an object (also accepted as a
	                     * header); NULL: extensions or the data sources */
	inv_kind kind;
	const char *alias;  /* another spelling people write, or NULL */
} inv_column;

/* Etalab's items in its order, then Maille's fields (the record tables' French labels);
 * a NULL header ends it. */
extern const inv_column inv_columns[];

#endif
