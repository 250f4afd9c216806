/* tools/cli/render.h: what the commands print (render.c). */
#ifndef MAILLE_TOOLS_RENDER_H
#define MAILLE_TOOLS_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "node/service/datefmt.h"
#include "node/service/trust.h"
#include "proto/value.h"
#include "store/store.h"

/* "2026-01-01T00:00:00.000000Z" into ret (at least 32 bytes). */
void render_time(uint64_t us, char *ret, size_t cap);
/* The JSON item of list/search/show: id, path, type, title, summary, territory, author,
 * signer, timestamp, status, themes (+ body when with_body, + snippet when snippet). */
json_t *render_row_json(store *st, const store_row *row, bool with_body);
/* render_coop.c: the readable title of an act (interest, award, comment) of body, as list
 * and search show it ("Interest of X in \"title of the call\""); false for another type. */
bool render_act_title(store *st, const store_row *row, const proto_value *body, char *ret,
                      size_t cap);
/* What show adds about cooperation (PROTOCOL.md §5): {interests (a call), labels, comments,
 * comments_untrusted, used_by (a component)}, with the node's trust view and today in zone. */
json_t *render_coop_json(store *st, const store_row *row, const trust_view *tv,
                         const datefmt_zone *zone);
/* That object on the page, after the record. */
void render_coop_page(const json_t *coop);
/* One human line for list/search. */
void render_row_line(store *st, const store_row *row);
/* The human page of show, in the CLI's language: the title, summary and description, the
 * type's fields in the record table's order with their labels and values as people read them
 * (node/service/recordtext.h), then the provenance, its date in zone (NULL: Europe/Paris). */
void render_row_page(store *st, const store_row *row, const datefmt_zone *zone);
/* Dumps j to stdout (indented, UTF-8) followed by a newline, and releases it. */
int render_json_out(json_t *j);
/* j (taken) printed as render_json_out does, every line after its first indented by indent
 * spaces, with no newline after it: one item of a document printed in pieces. 0, or
 * MAILLE_ENOMEM (nothing printed). */
int render_json_piece(json_t *j, unsigned indent);

/* Rows rendered from now on are marked trusted or not by tv (NULL: no mark); the commands that
 * list rows compute tv with node/service/trust.h. */
void render_set_trust(const trust_view *tv);
/* A peer-controlled string for JSON: as is, or with '?' for the bytes of invalid UTF-8, which
 * jansson refuses (a terminal gets node_term_str, node/service/term.h). */
json_t *json_peer_str(const char *s);
/* Milliseconds rounded to the microsecond. */
double round_us(double ms);
/* The string member name of a peer's object in DIR/node.state (node/service/nodestate.h), made
 * safe for a terminal; dflt when absent. Keys are shown by their first 8 hex digits. */
const char *render_state_str(const json_t *peer, const char *name, const char *dflt, char *buf,
                             size_t cap);
/* The columns s takes on a terminal: one a character of UTF-8, whatever its bytes (a French
 * label has accents, which printf's widths count in bytes). */
size_t render_cols(const char *s);
/* s and spaces up to width columns, into buf. */
const char *render_pad(const char *s, size_t width, char *buf, size_t cap);
/* How long ago us (microseconds since the epoch) was, for a human: "never", "12 s ago",
 * "5 min ago", "3.0 h ago". */
void render_age(uint64_t us, char *buf, size_t cap);

#endif
