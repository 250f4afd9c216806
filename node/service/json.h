/* node/service/json.h: a decoded msgpack value as JSON (jansson), for the web API and the CLI's
 * --json output: maps become objects, bins lower-case hex strings. */
#ifndef MAILLE_NODE_JSON_H
#define MAILLE_NODE_JSON_H

#include <jansson.h>

#include "proto/value.h"

/* A new reference, or NULL when out of memory. */
json_t *node_value_json(const proto_value *v);

/* The themes of a body as a JSON array of strings: those a theme filter matches (a single
 * string is a list of one, proto/record.h). A new reference. */
json_t *node_themes_json(const proto_value *body);

#endif
