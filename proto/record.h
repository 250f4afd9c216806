/* proto/record.h: the record types of the catalogue, described once.
 *
 * One table says, for every record type (README, "Record types"; the generated reference is
 * proto/RECORDS.md), every field it has: its name, kind, whether it is required, recommended or
 * optional (and when that changes with another field, e.g. `recourse` is required when
 * `individual_decisions` is true), its vocabulary with French and English labels, its French
 * and English label and help text, how the web's publish form shows it, with which weight it is
 * searched, which filter it feeds, and its place on an entry page. Nested objects (a use case's
 * risks, a REX's period) are tables of their own, reached from their field.
 *
 * Everything that knows about record fields reads it: validation (proto/schema.c), the web's
 * forms, entry pages and labels (node/web/), the store's extraction of the search text and the
 * filter columns (store/store_fts.c), the benchmark generator (tools/bench/gen.c), the CLI's
 * `maille schema` and error texts, and the record reference. The tables are split by record
 * type: record_common.c (fields every catalogue record has, the shared vocabularies),
 * record_methodology.c, record_use_case.c, record_component.c, record_rex.c, record_territory.c
 * (the territory and the federation's other record types); lookups are in record.c.
 *
 * Tables are constant data; nothing here allocates or performs I/O. */
#ifndef MAILLE_PROTO_RECORD_H
#define MAILLE_PROTO_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "value.h"

/* The field names that code outside the tables reads on their own (the discriminator, the
 * texts a list or a heading shows, the filter columns). Every other name is only in the
 * tables. */
#define PROTO_F_TYPE "type"
#define PROTO_F_TITLE "title"
#define PROTO_F_NAME "name" /* a territory's title */
#define PROTO_F_SUMMARY "summary"
#define PROTO_F_DESCRIPTION "description"
#define PROTO_F_THEMES "themes"
#define PROTO_F_STATUS "status"
#define PROTO_F_LANG "lang"
#define PROTO_F_CONTENT_LICENCE "content_licence"
#define PROTO_F_EXTENSIONS "extensions"
/* a territory record's, which `maille init` writes */
#define PROTO_F_SIREN "siren"
#define PROTO_F_COG "cog"
#define PROTO_F_KIND "kind"
#define PROTO_F_WEBSITE "website"
#define PROTO_F_CONTACT "contact"
#define PROTO_F_CONTACTS "contacts" /* a catalogue record's and an interest's contact list */
/* a contact's: whether its address may be shown (record_common.c) */
#define PROTO_F_PUBLIC "public"
#define PROTO_F_EMAIL "email" /* a contact's address */
/* the cooperation records' (proto/record_coop.c, PROTOCOL.md §5) */
#define PROTO_F_TARGET "target"     /* an award's record, a comment's record or comment */
#define PROTO_F_CALL "call"         /* an interest's call */
#define PROTO_F_LABEL "label"       /* an award's label */
#define PROTO_F_TERRITORY "territory" /* a target's territory key, hex */
#define PROTO_F_PATH "path"         /* a target's path */
#define PROTO_F_ENTRY "entry"       /* an award target's entry id, hex */
#define PROTO_F_ROLE "role"
#define PROTO_F_MESSAGE "message"
#define PROTO_F_TEXT "text"
#define PROTO_F_CRITERIA "criteria"
#define PROTO_F_ID "id"
#define PROTO_F_EVIDENCE "evidence"
#define PROTO_F_CRITERION "criterion"
#define PROTO_F_AWARDED "awarded"
#define PROTO_F_UNTIL "until"
#define PROTO_F_DEADLINE "deadline"
#define PROTO_F_OUTCOME "outcome"
#define PROTO_F_COOPERATION "cooperation"
#define PROTO_F_VALIDITY "validity_months"
#define PROTO_F_ISSUER "issuer" /* a label's */
/* the fields the import and export formats map (node/formats), and their members */
#define PROTO_F_KEYWORDS "keywords"
#define PROTO_F_IDENTIFIERS "identifiers"
#define PROTO_F_DISTRIBUTIONS "distributions"
#define PROTO_F_ACCESS_URL "access_url"
#define PROTO_F_LANDING_URL "landing_url"
#define PROTO_F_LINKS "links"
#define PROTO_F_RELATIONS "relations"
#define PROTO_F_RELEASE_DATE "release_date"
#define PROTO_F_DEPARTMENT "department"
#define PROTO_F_COMPONENT_KIND "component_kind"
#define PROTO_F_LICENCE "licence"
#define PROTO_F_REL "rel"
#define PROTO_F_HREF "href"
#define PROTO_F_VALUE "value"
#define PROTO_F_URL "url"
#define PROTO_F_FORMAT "format"
#define PROTO_F_DATA_SOURCES "data_sources"
#define PROTO_F_PROVIDER "provider"
#define PROTO_F_PERSONAL_DATA "personal_data"
#define PROTO_F_RISKS "risks"
#define PROTO_F_MITIGATION "mitigation"
#define PROTO_F_ATTACHMENTS "attachments"
#define PROTO_F_DIGEST "digest"
#define PROTO_F_TREE "tree"
#define PROTO_F_DECLARATION "declaration"
/* record types the formats single out */
#define PROTO_T_COMPONENT "component"
#define PROTO_T_USE_CASE "use_case"
#define PROTO_T_REX "rex"

typedef struct proto_fr_en {
	const char *fr, *en;
} proto_fr_en;

typedef enum proto_presence {
	PROTO_OPTIONAL,
	PROTO_RECOMMENDED, /* validation warns when it is missing */
	PROTO_REQUIRED,    /* validation fails when it is missing */
} proto_presence;

typedef enum proto_field_kind {
	PROTO_FK_STR,      /* non-empty string */
	PROTO_FK_URI,      /* a web address: http:// or https://, a host, no spaces */
	PROTO_FK_REF,      /* an entry path or an http, https or urn URI */
	PROTO_FK_EMAIL,    /* one '@' between non-empty parts */
	PROTO_FK_DATE,     /* YYYY-MM-DD, a real calendar day */
	PROTO_FK_LANG,     /* a language tag, as the keys of a language map */
	PROTO_FK_LICENCE,  /* an SPDX-like identifier or expression */
	PROTO_FK_SIREN,    /* exactly 9 digits */
	PROTO_FK_DIGEST,   /* 64 lower-case hex digits (BLAKE2b-256 / SHA-256) */
	PROTO_FK_KEY,      /* a territory's key: 64 lower-case hex digits */
	PROTO_FK_PATH,     /* an entry path (PROTOCOL.md §1.3) */
	PROTO_FK_CURRENCY, /* ISO 4217: three upper-case letters */
	PROTO_FK_LANGMAP,  /* language map; max_chars hard limit, warn_chars advice (0 = none) */
	PROTO_FK_STR_OR_LANGMAP,
	PROTO_FK_TEXT,        /* a field of no finer type: string, language map or list of strings */
	PROTO_FK_NUM_OR_TEXT, /* a measure that may also be written out: number (>= lo) or TEXT */
	PROTO_FK_STRLIST,     /* list of non-empty strings */
	PROTO_FK_THEMES,      /* list of the themes' slugs */
	PROTO_FK_ENUM,        /* one of the vocabulary's values */
	PROTO_FK_ENUMLIST,    /* list of the vocabulary's values */
	PROTO_FK_BOOL,
	PROTO_FK_INT,     /* integer in [lo, hi] */
	PROTO_FK_NUMBER,  /* integer or float, >= lo */
	PROTO_FK_MAP,     /* any map, never interpreted (extensions) */
	PROTO_FK_OBJ,     /* map checked against the field's object table */
	PROTO_FK_OBJLIST, /* list of such maps */
	PROTO_FK_REFLIST, /* list of strings or maps, not interpreted (publiccode contacts) */
} proto_field_kind;

/* How the web's publish form shows a field (node/web/web_publish.c). */
typedef enum proto_widget {
	PROTO_W_NONE,   /* not on the form (an edit keeps it as it was) */
	PROTO_W_LINE,   /* one line of text */
	PROTO_W_AREA,   /* a text area (Markdown for a multi-line field) */
	PROTO_W_SELECT, /* one of the vocabulary (an optional one offers "not given" first) */
	PROTO_W_CHECKS, /* check boxes, one per vocabulary value */
	PROTO_W_BOOL,   /* a check box */
	PROTO_W_DATE,
	PROTO_W_LINES,   /* a list of strings, one per line */
	PROTO_W_COMMA,   /* a list of strings, comma-separated */
	PROTO_W_INLINE,  /* a map whose members with a widget are shown as fields "field.member" */
	PROTO_W_GROUPS,  /* a list of maps: PROTO_FORM_GROUPS numbered groups of its members */
	PROTO_W_CONTACT, /* a list of contacts: the first one's e-mail and public flag */
	PROTO_W_REFS,    /* entries of the catalogue ticked from a search, others one per line */
} proto_widget;

#define PROTO_FORM_GROUPS 3u /* groups of a PROTO_W_GROUPS field the form shows */

/* How an entry page shows a field's value, when not as a plain value. */
typedef enum proto_display {
	PROTO_D_VALUE,     /* labels for vocabulary values, Markdown for long multi-line text */
	PROTO_D_REFS,      /* a list whose entry paths are links to the entries */
	PROTO_D_RELATIONS, /* a list of {rel, target}: "rel : target", target as a reference */
	PROTO_D_TARGET,    /* a map {territory, path[, entry]} naming a record of the federation
	                    * (PROTOCOL.md §5): the record's title, linked */
} proto_display;

/* The full-text columns of the store's index (store/store_fts.c; the index's format is fixed:
 * these five columns, in this order; a new one is a store migration). A searched field feeds
 * one column: the heading's texts their own, the type's own text fields details (a nested
 * object's field is searched when it and its members are marked). */
typedef enum proto_search_col {
	PROTO_SEARCH_NONE = 0,
	PROTO_SEARCH_TITLE,
	PROTO_SEARCH_SUMMARY,
	PROTO_SEARCH_DESCRIPTION,
	PROTO_SEARCH_KEYWORDS,
	PROTO_SEARCH_DETAILS,
	PROTO_SEARCH_N_,
} proto_search_col;

typedef struct proto_search_column {
	const char *name; /* the column's name in the index */
	double weight;    /* its bm25 weight: a match in a heavier column ranks higher */
} proto_search_column;

/* Indexed by proto_search_col; [PROTO_SEARCH_NONE] is unused. */
extern const proto_search_column proto_search_columns[PROTO_SEARCH_N_];

/* The filters of a listing (the store's columns and themes table). */
typedef enum proto_filter {
	PROTO_FILTER_NONE,
	PROTO_FILTER_STATUS,
	PROTO_FILTER_LICENCE,    /* the content's licence */
	PROTO_FILTER_SW_LICENCE, /* a component's own licence */
	PROTO_FILTER_THEMES,     /* each theme (a single string counts as a list of one) */
} proto_filter;

/* Cross-field checks of an object, run after its fields passed. */
typedef enum proto_obj_check {
	PROTO_CHECK_NONE,
	PROTO_CHECK_PERIOD, /* `end` is not before `start` */
} proto_obj_check;

typedef struct proto_vocab_term {
	const char *value; /* NULL ends a vocabulary */
	proto_fr_en label;
} proto_vocab_term;

typedef struct proto_vocab {
	const char *name; /* how the reference names it */
	/* Authoring refuses any other value (proto/schema.c); received records are not checked
	 * (PROTOCOL.md §1.4), so a value a newer version adds still replicates and is shown as
	 * it is written. */
	const proto_vocab_term *terms;
} proto_vocab;

/* A field's presence changes when a sibling field has a value: `value` for a string, or true
 * for a boolean when value is NULL. */
typedef struct proto_record_cond {
	const char *field;
	const char *value;
	proto_presence pres;
} proto_record_cond;

typedef struct proto_record_obj proto_record_obj;

/* A field; a table is terminated by a NULL name. */
typedef struct proto_record_field {
	const char *name;
	proto_presence pres;
	proto_field_kind kind;
	const proto_vocab *vocab;     /* ENUM, ENUMLIST, THEMES */
	const proto_record_obj *obj;  /* OBJ, OBJLIST */
	int64_t lo, hi;               /* INT bounds; NUMBER / NUM_OR_TEXT minimum */
	unsigned max_chars, warn_chars; /* LANGMAP / STR_OR_LANGMAP, in code points */
	const proto_record_cond *cond;  /* NULL: the presence is always pres */
	bool multiline;               /* Markdown prose: line feeds and tabs allowed */
	proto_fr_en label, help;
	proto_widget widget;
	unsigned form; /* rank on the publish form among its table's fields; 0: not there */
	unsigned page; /* rank in an entry page's field list; 0: after those, in body order */
	proto_display display;
	proto_search_col search; /* PROTO_SEARCH_NONE: not searched */
	proto_filter filter;
	const char *form_name; /* GROUPS: the prefix of its form fields ("risk": risk1_name) */
	proto_fr_en item;      /* GROUPS: what one item is called ("Risque") */
	const char *dflt; /* filled in by proto_schema_normalize when absent (NULL: none) */
	/* A realistic value, as text (the reference shows it, the benchmark generator writes it;
	 * NULL: the generator makes one of the field's kind). */
	const char *example;
} proto_record_field;

/* Shown in an entry page's heading, not in its field list. */
#define PROTO_PAGE_HEAD 1000u

struct proto_record_obj {
	const proto_record_field *fields;
	proto_obj_check check;
	proto_fr_en check_text; /* what check says, for the reference */
};

typedef enum proto_record_class {
	PROTO_RC_CATALOGUE,  /* the common fields, then the type's own */
	PROTO_RC_TERRITORY,  /* its own fields only */
	PROTO_RC_FEDERATION, /* member, vouch, node: only `type` is checked so far */
	PROTO_RC_ACT,        /* interest, award, comment (PROTOCOL.md §5): its own fields only,
	                      * about another record; not listed with the catalogue by default */
} proto_record_class;

typedef struct proto_record_type {
	const char *name;
	proto_record_class cls;
	proto_fr_en label, help;
	const proto_record_field *fields; /* the type's own; NULL while it is not specified */
	unsigned publish; /* rank on the web's publish page; 0: not published from the web */
	/* a catalogue type's common fields when not proto_record_common: a call's status is its
	 * own, so its common table has none (read it through proto_record_type_common) */
	const proto_record_field *common;
} proto_record_type;

extern const proto_record_type proto_record_types[]; /* in proto_schema_types' order */
extern const size_t proto_record_n_types;
extern const proto_record_field proto_record_common[]; /* every catalogue record's fields */
extern const proto_record_field proto_record_common_own_status[]; /* the same but `status` */

/* The common fields of type t: NULL for a type that has none (territory, acts, federation
 * records), else its table (proto_record_common, or a table without a field the type has its
 * own version of). Every reader of the common fields goes through it. */
const proto_record_field *proto_record_type_common(const proto_record_type *t);

/* Shared vocabularies, for the code that offers their values. */
extern const proto_vocab proto_vocab_themes, proto_vocab_statuses;

/* The type named s[0..len), or NULL. */
const proto_record_type *proto_record_type_find(const char *s, size_t len);

/* The field named name in fields (NULL-terminated table), or NULL. */
const proto_record_field *proto_record_field_find(const proto_record_field *fields,
                                                  const char *name);

/* A top-level field of type t: its own, then (catalogue types) the common ones; NULL if t is
 * NULL or has no such field. */
const proto_record_field *proto_record_type_field(const proto_record_type *t, const char *name);

/* The presence of f in the map parent (its condition applied). */
proto_presence proto_record_presence(const proto_record_field *f, const proto_value *parent);

/* The French (en: English) label of a record type, a field (nested ones too) or a vocabulary
 * value, by name; NULL if no table names it. */
const char *proto_record_label(const char *name, bool en);

/* The label of value in vocab, or NULL. */
const char *proto_vocab_label(const proto_vocab *vocab, const char *value, bool en);

/* Theme i of a body's themes value (a list of strings; a single string counts as a list of
 * one, as received records may carry it), or NULL past the end. */
const char *proto_record_theme(const proto_value *themes, size_t i);

/* The field of the common table (or of type t) that feeds filter f, or NULL. */
const char *proto_record_filter_field(const proto_record_type *t, proto_filter f);

/* How the reference and `maille schema` name a kind, a presence and a form widget. */
proto_fr_en proto_record_kind_text(proto_field_kind k);
proto_fr_en proto_record_presence_text(proto_presence p);
proto_fr_en proto_record_widget_text(proto_widget w);

/* Writes "a, b, c" (the names of the types, or of the web-publishable ones only) into ret. */
void proto_record_type_list(char *ret, size_t cap, bool publishable_only);

#endif
