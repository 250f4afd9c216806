/* node/service/fmwrite.h: a record body → a Markdown file with YAML front matter, the form
 * `maille publish` reads (frontmatter.h), so that `maille export --format markdown` gives a
 * file that publishes to the same record with the same fields.
 *
 *   ---
 *   type: rex
 *   path: rex/2025-chatbot-rh
 *   title: "Chatbot RH : un an après"
 *   ...
 *   ---
 *   The description, when it is the record's language only and reads back the same as a
 *   Markdown body; otherwise it stays in the front matter.
 *
 * Fields come in the record table's order (proto/record.h), then the others in the body's.
 * Strings are double-quoted with escapes, or literal blocks (|-) for multi-line text that
 * reads back the same; a language map holding only the record's language is written as a
 * plain string (proto_schema_normalize makes it the map again). Performs no I/O. */
#ifndef MAILLE_NODE_FMWRITE_H
#define MAILLE_NODE_FMWRITE_H

#include <stddef.h>

#include "proto/value.h"

/* body (a record's map) at path into *ret (malloc'd, NUL-terminated; the caller frees it) and
 * *ret_len. MAILLE_EINVAL when body is not a map or holds what the front matter cannot
 * express (bytes, a top-level `path` key, which publish takes for the path), MAILLE_ENOMEM;
 * the out-parameters are untouched on failure. */
int fm_write(const proto_value *body, const char *path, char **ret, size_t *ret_len);

/* A comment for a field the body lacks: fm_write_notes writes "field:" empty at the field's
 * place in the tables' order, then comment as YAML comment lines. */
typedef struct fm_note {
	const char *field; /* a top-level field of the body's type */
	const char *comment;
} fm_note;

/* fm_write, with header (may be NULL) as comment lines right after the opening "---", and
 * each note of notes[0..n_notes) whose field body lacks written empty with its comment (an
 * empty `description:` gives way to a Markdown body, so a draft's text goes below). */
int fm_write_notes(const proto_value *body, const char *path, const char *header,
                   const fm_note *notes, size_t n_notes, char **ret, size_t *ret_len);

#endif
