/* node/formats/import.h: records brought in from the formats territories already hold.
 *
 * An importer reads one file of an outside format (a publiccode.yml, an algorithm register's
 * JSON or CSV, Maille's inventory CSV, a DCAT catalogue, a folder of Maille's own Markdown
 * records) into drafts: one record body per source record, every field the format gives mapped
 * to Maille's field, nothing invented. What the format has and Maille does not goes under
 * `extensions.<format>`, unchanged in meaning; what cannot be kept as valid (an e-mail that is
 * not one, a value outside a vocabulary, a replacement character, HTML in a text) is reported
 * per record and field as an import_issue, in French and English, and either cleaned (the
 * issue says how) or left out (the issue says so): never silently kept.
 *
 * The command (tools/cli/cmd_import.c) then writes each draft as a Markdown file whose missing
 * required fields are present and empty with a French comment (import_draft_markdown), or,
 * with --publish, validates each and publishes the complete ones (node/service/bulk.h).
 *
 * A file that cannot be read at all (not the format, a syntax error, a YAML alias, nesting
 * deeper than IMPORT_DEPTH_MAX, invalid UTF-8, a CSV with unbalanced quotes or ragged rows, an
 * RDF cycle...) is a file error (import_file_error): the command then publishes nothing.
 *
 * Each format's reader is its own file (import_<format>.c) with a fuzz target. Performs no
 * I/O: the caller reads the files. */
#ifndef MAILLE_NODE_IMPORT_H
#define MAILLE_NODE_IMPORT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/record.h"
#include "proto/value.h"

/* The largest file an importer reads (a catalogue of many thousand records). */
#define IMPORT_FILE_MAX (64u * 1024u * 1024u)
/* Memory the drafts of one import may take, whatever the input (an arena's budget). */
#define IMPORT_ARENA_MAX (1024u * 1024u * 1024u)
/* Nesting an importer follows in a source document (YAML, JSON, RDF), and records of one
 * import. */
#define IMPORT_DEPTH_MAX 32u
#define IMPORT_RECORDS_MAX 200000u
/* Issues kept per draft and per import (the totals are counted). */
#define IMPORT_ISSUES_MAX 64u
#define IMPORT_FILE_ERRORS_MAX 64u
#define IMPORT_MSG_MAX 320u
#define IMPORT_FIELD_MAX 96u

typedef enum import_severity {
	IMPORT_CLEANED, /* the value was kept after a change the message names (HTML removed,
	                 * an enum's spelling recognised, spaces trimmed) */
	IMPORT_DROPPED, /* the value was left out: the field stays to be written by hand */
	IMPORT_NOTE,    /* something a reader should check (a default the format implies) */
} import_severity;

typedef struct import_issue {
	import_severity sev;
	char field[IMPORT_FIELD_MAX]; /* Maille's field ("contacts[0].email"), or the source's
	                               * key when it maps to none; "" for the record */
	char fr[IMPORT_MSG_MAX];      /* no trailing period; quoted values sanitised and cut */
	char en[IMPORT_MSG_MAX];
} import_issue;

/* One source record made into a record body. */
typedef struct import_draft {
	proto_value *body;   /* a map: `type` first, then the mapped fields */
	const char *path;    /* the path it suggests (type/slug), arena-owned; NULL: from title */
	const char *file;    /* the file it came from (the name the caller gave) */
	char where[160];     /* where in the file: "ligne 12", "dcat:Dataset <uri>", "" for the file */
	import_issue *issues; /* arena-owned, n_issues kept (at most IMPORT_ISSUES_MAX) */
	size_t n_issues, n_issues_total, cap_issues;
} import_draft;

/* A file that could not be read: nothing of it is a draft. */
typedef struct import_file_error {
	char file[256];
	unsigned line, column; /* 1-based, 0 when unknown */
	char field[IMPORT_FIELD_MAX]; /* the source key or record involved, "" if none */
	char fr[IMPORT_MSG_MAX];
	char en[IMPORT_MSG_MAX];
} import_file_error;

typedef struct import_format import_format;

/* Every draft of one import, in one arena. */
typedef struct import_set {
	proto_arena arena;
	const import_format *format;
	import_draft *drafts; /* malloc'd */
	size_t n, cap;
	import_file_error errors[IMPORT_FILE_ERRORS_MAX];
	size_t n_errors, n_errors_total;
} import_set;

/* One file handed to a reader: buf is valid only during the call (copy what a draft keeps
 * into set->arena). */
typedef struct import_src {
	const char *name; /* as given on the command line ("-" for the standard input) */
	const uint8_t *buf;
	size_t len;
} import_src;

struct import_format {
	const char *name;          /* as on the command line: "publiccode" */
	const char *const *exts;   /* the file name endings a folder walk takes (NULL-terminated) */
	proto_fr_en help;          /* one line for --help */
	/* Reads src into drafts of set (import_draft_new), or records a file error
	 * (import_file_fail) and returns its code (MAILLE_EPROTO, MAILLE_EUTF8, MAILLE_ETOOBIG;
	 * MAILLE_ENOMEM). Drafts added before a file error are dropped by the caller. */
	int (*read)(import_set *set, const import_src *src);
};

/* The formats, NULL-name-terminated, and one by name (NULL if unknown). */
extern const import_format import_formats[];
const import_format *import_format_find(const char *name);
/* "markdown, publiccode, ..." into ret. */
void import_format_list(char *ret, size_t cap);

void import_set_init(import_set *set, const import_format *f);
void import_set_done(import_set *set);
/* Reads src with set's format. On a file error the drafts this file added are removed and the
 * error is in set->errors; returns the reader's code. */
int import_set_read(import_set *set, const import_src *src);

/* A new draft of type (a record type's name) from src, at where (printf-like, may be NULL):
 * its body holds `type`. NULL on allocation failure or past IMPORT_RECORDS_MAX (then a file
 * error says so). The pointer is valid until the next import_draft_new. */
import_draft *import_draft_new(import_set *set, const import_src *src, const char *type,
                               const char *where_fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Records a file error for src (line and column 0 when unknown, field may be ""), the same
 * sentence in French and English: both formats take the same arguments in the same order
 * ("%s%.0s" and "%.0s%s" pick one of two); returns code, for `return import_file_fail(...)`. */
int import_file_fail(import_set *set, const import_src *src, int code, unsigned line,
                     unsigned column, const char *field, const char *fr, const char *en, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 7, 9), format(printf, 8, 9)))
#endif
    ;

/* Adds an issue to d. Formats as proto_schema_error_add; values quoted from the source should
 * go through proto_schema_quote. MAILLE_ENOMEM, else 0. */
int import_issue_add(import_set *set, import_draft *d, import_severity sev, const char *field,
                     const char *fr, const char *en, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 5, 7), format(printf, 6, 7)))
#endif
    ;

/* The map extensions.<format name> of d, created on first use (NULL: out of memory). Keys of
 * the source that map to no field of Maille's go there, values as the source has them. */
proto_value *import_ext(import_set *set, import_draft *d);

/* A field's path for the issues ("maintenance.contacts[0].email") into ret, cut if too long. */
void import_field(char *ret, size_t cap, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* The text of a scalar of the source: a string as it is, a number as %lld or %g writes it (a
 * version 1.2 or a code 16 a YAML or JSON file left unquoted), a boolean as true / false
 * (copied into set's arena); false for anything else, or out of memory. */
bool import_scalar_text(import_set *set, const proto_value *v, const char **ret_s,
                        size_t *ret_len);

/* Whether v can be kept in a record at depth (the body is depth 0; a key of extensions.<format>
 * is at depth 2): no map key empty or over PROTO_MAP_KEY_MAX bytes, no nesting past
 * PROTO_VALUE_DEPTH_MAX. A reader that keeps a source value as written checks it first, and
 * leaves out with an issue what a record cannot hold. */
bool import_value_fits(const proto_value *v, unsigned depth);

/* ---- helpers that clean a value and report what they did --------------------------------
 * Each sets map[key] (map: d->body or an object inside it; field: the path that reports name,
 * "contacts[0].email") and returns 1 when a value was set, 0 when it was left out (absent,
 * blank, or refused with an issue), MAILLE_ENOMEM. */

/* Text flags. */
#define IMPORT_TEXT_MULTILINE 1u /* line feeds kept (CR LF and CR become LF); else one line */
#define IMPORT_TEXT_HTML 2u      /* HTML is expected: tags become text without a note */

/* A text: invalid UTF-8 refused (dropped), U+FFFD reported (kept, the text is damaged),
 * HTML tags and entities turned into plain text (<br>, </p>, <li> into line breaks and list
 * dashes when multiline) and reported unless IMPORT_TEXT_HTML, control characters removed,
 * spaces trimmed; a blank result is left out without an issue. */
int import_text(import_set *set, import_draft *d, proto_value *map, const char *key,
                const char *field, const char *s, size_t len, unsigned flags);
/* The same into a language map {lang: text} (lang NULL: "fr"); an existing map gains the
 * language. */
int import_text_lang(import_set *set, import_draft *d, proto_value *map, const char *key,
                     const char *field, const char *lang, const char *s, size_t len,
                     unsigned flags);
/* The same appended to the list map[key] (created), unless the list already holds that text
 * (keywords gathered from several source keys). */
int import_text_push(import_set *set, import_draft *d, proto_value *map, const char *key,
                     const char *field, const char *s, size_t len, unsigned flags);
/* An e-mail address ("mailto:" removed, spaces trimmed); one that is not an address is
 * dropped with an issue quoting it. */
int import_email(import_set *set, import_draft *d, proto_value *map, const char *key,
                 const char *field, const char *s, size_t len);
/* A web address (http or https, a host, no spaces); anything else dropped with an issue. */
int import_uri(import_set *set, import_draft *d, proto_value *map, const char *key,
               const char *field, const char *s, size_t len);
/* A date: YYYY-MM-DD, or a timestamp starting with one (kept: the date; reported), or
 * DD/MM/YYYY (kept, reported); anything else dropped. */
int import_date(import_set *set, import_draft *d, proto_value *map, const char *key,
                const char *field, const char *s, size_t len);

/* A source spelling of a vocabulary value: synonyms[i].spelling (compared without case,
 * accents, spaces, '-', '_' and '.') means synonyms[i].value. */
typedef struct import_synonym {
	const char *spelling;
	const char *value;
} import_synonym;
/* A value of vocab: the value itself or its French or English label, compared without case,
 * accents and separators, then synonyms (NULL-terminated, may be NULL). A spelling other than
 * the value is kept with an IMPORT_CLEANED issue; an unknown one is dropped with an issue
 * listing the values. */
int import_enum(import_set *set, import_draft *d, proto_value *map, const char *key,
                const char *field, const proto_vocab *vocab, const import_synonym *synonyms,
                const char *s, size_t len);
/* The value of a record type's field's vocabulary (a shortcut: the field's vocab). */
const proto_vocab *import_vocab(const char *type, const char *field);

/* s[0..len) without its leading and trailing spaces, tabs and line breaks. */
void import_trim(const char **s, size_t *len);

/* s[0..len) compared as import_enum compares spellings. */
bool import_same_words(const char *a, size_t alen, const char *b, size_t blen);

/* ---- the draft as a Markdown file ------------------------------------------------------- */

/* d as a Markdown file with front matter, the form `maille publish` reads: first, as YAML
 * comments, where it came from and its issues; then its fields (node/service/fmwrite.h); every
 * required field it lacks (its condition applied) is present and empty, in the tables' place,
 * with a French comment saying what to write. *ret malloc'd (the caller frees it). */
int import_draft_markdown(const import_draft *d, const char *format, char **ret, size_t *ret_len);

/* The required fields d lacks, top level, their condition applied: calls fn for each. */
void import_draft_missing(const import_draft *d, void (*fn)(void *ctx, const proto_record_field *f),
                          void *ctx);

/* The readers (one file each). */
int import_read_markdown(import_set *set, const import_src *src);
int import_read_publiccode(import_set *set, const import_src *src);
/* Whether s is an SPDX licence expression as the SPDX list spells it: ids the reader knows
 * (or LicenseRef-/DocumentRef- ones), AND, OR, WITH an exception, parentheses. What `export
 * --format publiccode` writes as legal.license (the reader's own normalisation is its
 * inverse: an expression it reads unchanged is one this accepts). */
bool import_spdx_expression_ok(const char *s);
/* The vocabularies of publiccode.yml's developmentStatus and softwareType (NULL-terminated). */
extern const char *const import_publiccode_dev_statuses[];
extern const char *const import_publiccode_software_types[];
int import_read_algorithm_register(import_set *set, const import_src *src);
int import_read_inventaire_csv(import_set *set, const import_src *src);
int import_read_dcat(import_set *set, const import_src *src);

#endif
