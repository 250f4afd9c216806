/* node/service/frontmatter.h: a Markdown file with YAML front matter → a record body.
 *
 *   ---
 *   type: rex
 *   title: "Chatbot RH : un an après"
 *   themes: [ia-democratie]
 *   path: rex/2026-chatbot-rh        # optional, taken out of the body
 *   ---
 *   The Markdown text, which becomes `description`.
 *
 * Front-matter keys are the records' field names (proto/schema.c). YAML scalars resolve as in
 * the YAML core schema: plain null/~/empty → nil, true/false → bool, integers → int, decimals → float,
 * everything else (and every quoted scalar) → string; dates stay strings. Anchors, aliases,
 * explicit tags, non-string or duplicate keys, nesting deeper than PROTO_VALUE_DEPTH_MAX, NUL
 * bytes, invalid UTF-8 and files over MAILLE_INPUT_FILE_MAX are refused with the line and
 * column. The Markdown body (if not blank) is stored as description[lang], lang being the
 * front matter's `lang` or "fr"; a `description` key in the front matter and a body together
 * are an error.
 *
 * Uses libyaml. Performs no I/O: the caller reads the file. */
#ifndef MAILLE_NODE_FRONTMATTER_H
#define MAILLE_NODE_FRONTMATTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/value.h"

typedef struct fm_error {
	unsigned line;   /* 1-based, 0 when not tied to a line */
	unsigned column; /* 1-based, 0 when unknown */
	char field[96];  /* front-matter key involved, "" if none */
	char message[256];    /* in English */
	char message_fr[256]; /* the same in French */
} fm_error;

/* The error's message in French, or in English when en. */
const char *fm_error_text(const fm_error *err, bool en);

/* Where each front-matter key and list item starts: a tree of entries, each naming its
 * parent (so that a schema report's field path, "risks[1].mitigation", finds its line). The
 * Markdown body counts as the `description` key at the body's first line. */
typedef struct fm_line {
	uint32_t parent; /* the enclosing entry's index + 1; 0 at the top level */
	uint32_t index;  /* a list item's index (key NULL) */
	const char *key; /* a key (arena-owned, as in the body), NULL for a list item */
	size_t key_len;
	unsigned line; /* the file's line, 1-based */
} fm_line;

typedef struct fm_lines {
	fm_line *v; /* malloc'd: fm_lines_done */
	size_t n, cap;
} fm_lines;

/* Whether s[0..len) is a tag the front matter's `lang` names the Markdown body's language with
 * (a BCP 47 primary language of 2 or 3 lower-case letters, then "-subtags" of 1 to 8 letters or
 * digits): the importers keep only such languages, so that a draft reads back the same. */
bool fm_lang_tag_ok(const char *s, size_t len);

/* Parses buf[0..len). On success *ret_body is an arena-owned map (not yet normalised or
 * validated: see proto_schema_normalize/validate) and *ret_path the `path` key's value
 * (arena-owned) or NULL. On failure returns MAILLE_EPROTO (syntax, structure), MAILLE_EUTF8,
 * MAILLE_ETOOBIG or MAILLE_ENOMEM, fills *err, and leaves the out-parameters untouched. */
int fm_parse(const uint8_t *buf, size_t len, proto_arena *a, proto_value **ret_body,
             const char **ret_path, fm_error *err);

/* fm_parse, and on success *ret_lines (release with fm_lines_done; its keys live in a). */
int fm_parse_lines(const uint8_t *buf, size_t len, proto_arena *a, proto_value **ret_body,
                   const char **ret_path, fm_lines *ret_lines, fm_error *err);
void fm_lines_done(fm_lines *l);

/* The line of the deepest part of field (a schema report's path: "title", "title.fr",
 * "risks[1].mitigation") that the file has: a missing member gives its object's line, a
 * missing top-level field line 1 (the front matter's opening '---'). */
unsigned fm_lines_find(const fm_lines *l, const char *field);

#endif
