/* node/service/own_territory.h: the publishing territory as a record's `territories`.
 *
 * A catalogue record says where it applies in `territories` (proto/record_common.c: a list of
 * {level, code, cog_year, label}). When a territory's node publishes a record without it, the
 * node's own territory is the obvious answer, so `maille publish` and the web form fill it in
 * before validation rather than leave the record without a territory: level from the
 * territory record's `kind` (a métropole is an EPCI), code from its `cog` (a commune, a
 * département, a région) or its `siren` (an EPCI), label from its name, cog_year the year of
 * publication. A territory whose record does not give a level and a code (an association, a
 * public body, a record without cog or siren) fills nothing; the field stays recommended.
 *
 * Performs no I/O but the store read. */
#ifndef MAILLE_NODE_OWN_TERRITORY_H
#define MAILLE_NODE_OWN_TERRITORY_H

#include <stdint.h>

#include "proto/entry.h"
#include "proto/value.h"
#include "store/store.h"

/* Fills body's `territories` (a map allocated from a) from the territory record `terr`, when
 * body is a catalogue record without it (absent or nil); year is the COG year to write.
 * 0 (filled, or nothing to fill), or MAILLE_ENOMEM with body unchanged. */
int own_territory_fill(proto_value *body, proto_arena *a, const proto_value *terr, int year);

/* The same from the territory record the store holds at `territory` for that territory; the
 * year is now_us's (UTC). A missing or unreadable territory record fills nothing. */
int own_territory_fill_from_store(proto_value *body, proto_arena *a, store *st,
                            const uint8_t territory[PROTO_KEY_LEN], uint64_t now_us);

/* The two halves of own_territory_fill_from_store, for many bodies (`maille import`): the
 * territory record the store holds, decoded into a (*ret_terr NULL when there is none or it
 * is unreadable: then nothing is filled), and the COG year of now_us. Reads the store once;
 * own_territory_fill only reads terr, so bodies can then be filled on several threads (each
 * its own arena). */
void own_territory_read(store *st, const uint8_t territory[PROTO_KEY_LEN], proto_arena *a,
                        uint64_t now_us, const proto_value **ret_terr, int *ret_year);

#endif
