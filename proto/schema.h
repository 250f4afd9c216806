/* proto/schema.h: the record types of the catalogue and their validation.
 *
 * proto_schema_validate() checks a decoded body: a missing required field or a field of the
 * wrong type is an error naming the field (as a path such as "territories[0].code"); a missing
 * recommended field, an over-long summary or an unknown theme is a warning. A control character
 * is an error: none in a one-line text, only line feeds and tabs in a multi-line one (the rule:
 * schema.c; which fields are multi-line: the record tables, proto/record.h; it is for
 * authoring, PROTOCOL.md §1.4 leaves received records unchecked). Unknown top-level fields
 * are kept (forward compatibility; a warning names them) and `extensions` is never
 * interpreted. A nil value counts as an absent
 * field. The first error is reported, in the order of the record tables (proto/record.h: common
 * fields, then the type's own); validation allocates nothing.
 * proto_schema_normalize() applies what a friendly front end applies before validation: plain
 * strings where a language map is required become {lang: s} (the body's `lang` when it is a
 * valid tag, else "fr"), and defaults are filled (lang "fr", content_licence "etalab-2.0").
 *
 * Performs no I/O. */
#ifndef MAILLE_PROTO_SCHEMA_H
#define MAILLE_PROTO_SCHEMA_H

#include <stddef.h>

#include "limits.h"
#include "value.h"

typedef struct proto_schema_issue {
	char field[96];    /* e.g. "title", "risks[1].mitigation"; "" for the body as a whole */
	/* An English sentence, no trailing period; the refusals of a URL's scheme, of a
	 * relation's target and of a control character in a text are French first, the English
	 * in parentheses */
	char message[192];
} proto_schema_issue;

typedef struct proto_schema_report {
	proto_schema_issue error; /* set when validation fails */
	proto_schema_issue warnings[PROTO_SCHEMA_WARN_MAX];
	size_t n_warnings; /* at most PROTO_SCHEMA_WARN_MAX kept */
	size_t n_warnings_total;
} proto_schema_report;

/* The catalogue types a person publishes, and the federation's own record types. */
extern const char *const proto_schema_types[];   /* NULL-terminated: methodology, use_case, ... */
extern const char *const proto_schema_themes[];  /* NULL-terminated: known theme slugs */
extern const char *const proto_schema_statuses[]; /* NULL-terminated */

/* 0, or MAILLE_ESCHEMA with rep->error filled. rep is always reset first. */
int proto_schema_validate(const proto_value *body, proto_schema_report *rep);

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
