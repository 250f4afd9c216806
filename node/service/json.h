/* node/service/json.h: a decoded msgpack value as JSON (jansson), for the web API and the CLI's
 * --json output: maps become objects, bins lower-case hex strings. */
#ifndef MAILLE_NODE_JSON_H
#define MAILLE_NODE_JSON_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/value.h"

/* A new reference, or NULL when out of memory. */
json_t *node_value_json(const proto_value *v);
/* The same for anyone to read: a contact whose `public` is false has no address (the web
 * API; pages already leave it out, node/service/recordtext.c). */
json_t *node_value_json_public(const proto_value *v);

/* The themes of a body as a JSON array of strings: those a theme filter matches (a single
 * string is a list of one, proto/record.h). A new reference. */
json_t *node_themes_json(const proto_value *body);

/* A time in microseconds since the epoch, in UTC, into ret (cap bytes), "?" when it has no
 * calendar date. NODE_TIME_RFC3339: 2026-03-01T09:30:00.000123Z (the CLI's times);
 * NODE_TIME_MINUTE: 2026-03-01 09:30 UTC (the web pages' dates). */
enum { NODE_TIME_RFC3339, NODE_TIME_MINUTE };
void node_time_utc(uint64_t us, int style, char *ret, size_t cap);

#endif
