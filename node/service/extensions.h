/* node/service/extensions.h: a stored record's unknown fields, put where they belong.
 *
 * Validation refuses a top-level field that the record tables do not name (proto/schema.h);
 * older versions kept such fields with a warning, so a territory's own records may hold some.
 * An edit that starts from the stored body (the web form) cannot show them and could not be
 * saved: extensions_adopt_unknown() moves them under `extensions`, where a territory's own
 * fields belong and which is never interpreted, so the record stays editable and nothing is
 * lost. A key that `extensions` already has stays where it was (validation then names it),
 * and so does everything when `extensions` is not a map.
 *
 * Performs no I/O. */
#ifndef MAILLE_NODE_EXTENSIONS_H
#define MAILLE_NODE_EXTENSIONS_H

#include "proto/value.h"

/* In place on body (a map allocated from a) of a known record type; 0, or MAILLE_ENOMEM
 * with the fields moved so far moved (each one whole). */
int extensions_adopt_unknown(proto_value *body, proto_arena *a);

#endif
