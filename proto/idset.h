/* proto/idset.h: a set of 32-byte entry ids: the sync session's memory of what each peer sent
 * or asked for (proto/session.h), the daemon's of what is in its pipeline and what the
 * quarantine refused.
 *
 * Open addressing with linear probing over ids that are BLAKE2b outputs (or claimed to be: a
 * peer can choose ids that collide, which costs it nothing but only slows down its own lookups,
 * bounded by the table's load factor of 1/2); the hash is keyed by a per-set seed the caller
 * draws at random, so that a peer cannot aim its ids at one probe chain of ours. Deletion
 * shifts entries back (no tombstones), so a set that lives long stays as fast as a new one.
 *
 * The caller embeds a proto_idset zeroed (= empty) and sets seed; proto_idset_done frees it.
 * Depends on nothing but libc and proto/error.h; not thread-safe (one owner at a time). */
#ifndef MAILLE_PROTO_IDSET_H
#define MAILLE_PROTO_IDSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "entry.h"

typedef struct proto_idset {
	uint8_t (*slot)[PROTO_ID_LEN];
	uint8_t *used;
	size_t cap, n; /* cap a power of two, or 0; n ids in the set */
	uint64_t seed;
} proto_idset;

bool proto_idset_has(const proto_idset *s, const uint8_t id[PROTO_ID_LEN]);
/* 1 if added, 0 if it was there, MAILLE_ENOMEM (the set unchanged). */
int proto_idset_add(proto_idset *s, const uint8_t id[PROTO_ID_LEN]);
/* Removes id if present. */
void proto_idset_del(proto_idset *s, const uint8_t id[PROTO_ID_LEN]);
/* Empties the set; a table grown past 65 536 slots is freed (a large reconciliation's is not
 * kept for a session's life). The seed stays. */
void proto_idset_clear(proto_idset *s);
/* Frees the table and zeroes the set (seed included). */
void proto_idset_done(proto_idset *s);

#endif
