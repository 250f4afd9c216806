/* proto/schema.h: the record types of the catalogue and their validation.
 *
 * proto_schema_validate() checks a decoded body and reports every error at once, in the order
 * of the record tables (proto/record.h: common fields, then the type's own; in a nested
 * object, its table's members; the unknown keys of an object after its known fields), each
 * naming its field as a path such as "territories[0].code", in French and in English. Errors:
 * a missing required field, a field of the wrong type or syntax, a value outside its
 * vocabulary (themes included; the message lists the allowed values), a key that no table
 * names (at the top level and in nested objects; the message offers the nearest known name),
 * a control character in a text (none in a one-line text, only line feeds and tabs in a
 * multi-line one: the rule is schema.c's; which fields are multi-line: the record tables).
 * Warnings: a missing recommended field, an over-long summary. `extensions` is never
 * interpreted, and a nil value counts as an absent field.
 * The rules are for authoring (maille publish, maille init, the web form): PROTOCOL.md §1.4
 * leaves received records unchecked, so the fields and vocabulary values of a newer version
 * still replicate. Validation allocates nothing: at most PROTO_SCHEMA_ERR_MAX errors and
 * PROTO_SCHEMA_WARN_MAX warnings are kept, the totals counted.
 * proto_schema_normalize() applies what a friendly front end applies before validation: plain
 * strings where a language map is required become {lang: s} (the body's `lang` when it is a
 * valid tag, else "fr"), and defaults are filled (lang "fr", content_licence "etalab-2.0").
 *
 * Performs no I/O. */
#ifndef MAILLE_PROTO_SCHEMA_H
#define MAILLE_PROTO_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include "limits.h"
#include "value.h"

typedef struct proto_schema_issue {
	char field[96]; /* e.g. "title", "risks[1].mitigation"; "" for the body as a whole */
	/* The same sentence in French and in English, no trailing period; a value quoted from
	 * the body is sanitised (no control or bidi character) and shortened */
	char fr[PROTO_SCHEMA_MSG_MAX];
	char en[PROTO_SCHEMA_MSG_MAX];
} proto_schema_issue;

typedef struct proto_schema_report {
	proto_schema_issue errors[PROTO_SCHEMA_ERR_MAX];
	size_t n_errors; /* at most PROTO_SCHEMA_ERR_MAX kept, in the tables' order */
	size_t n_errors_total;
	proto_schema_issue warnings[PROTO_SCHEMA_WARN_MAX];
	size_t n_warnings; /* at most PROTO_SCHEMA_WARN_MAX kept */
	size_t n_warnings_total;
} proto_schema_report;

/* The catalogue types a person publishes, and the federation's own record types. */
extern const char *const proto_schema_types[];   /* NULL-terminated: methodology, use_case, ... */
extern const char *const proto_schema_themes[];  /* NULL-terminated: known theme slugs */
extern const char *const proto_schema_statuses[]; /* NULL-terminated */

/* 0, or MAILLE_ESCHEMA with rep->errors filled (n_errors >= 1). rep is always reset first;
 * NULL: only whether the body is valid. */
int proto_schema_validate(const proto_value *body, proto_schema_report *rep);

/* Appends an error at field to rep (NULL: nothing kept), as validation does: counted in
 * n_errors_total, kept among the first PROTO_SCHEMA_ERR_MAX, each text formatted then cut on a
 * UTF-8 boundary. For the checks beyond the tables (proto/coop.c). Returns MAILLE_ESCHEMA. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 3, 5), format(printf, 4, 5)))
#endif
int proto_schema_error_add(proto_schema_report *rep, const char *field, const char *fr,
                           const char *en, ...);

/* Bytes from a body made fit to quote in a message (ret: cap bytes, at least 8): control
 * characters, bidi overrides, line separators and invalid bytes become '?', and past cap - 1
 * bytes it is shortened with "...". */
void proto_schema_quote(char *ret, size_t cap, const char *s, size_t len);

/* An issue's text in French, or in English when en. */
const char *proto_schema_text(const proto_schema_issue *is, bool en);

/* The candidate (NULL-terminated list) nearest to word[0..len), by the edit distance of
 * names (insertions, deletions, substitutions and swaps of neighbours; case, '-', ' ' and '_'
 * alike): one slip in a name of up to 4 characters, two up to 9, three beyond, never the
 * whole word; the first of equals. NULL when none is near enough. Allocates nothing. */
const char *proto_schema_nearest(const char *word, size_t len, const char *const *candidates);

/* In place on a map allocated from a (see above). MAILLE_EINVAL if body is not a map. */
int proto_schema_normalize(proto_value *body, proto_arena *a);

/* Writes the slug of a UTF-8 title into ret (cap bytes, NUL-terminated): lower-case ASCII,
 * diacritics of Latin letters removed by a table of our own (never the locale or iconv;
 * combining accents of decomposed text are dropped too), ligatures expanded (œ → oe, æ → ae,
 * ß → ss), every other run of characters (invalid UTF-8 included) → '-', no leading
 * or trailing '-', at most 80 characters (cut at a '-' when possible). Returns the length, 0
 * when nothing is left (the caller then needs another path). */
size_t proto_slugify(const char *title, size_t len, char *ret, size_t cap);

#endif
