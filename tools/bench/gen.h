/* tools/bench/gen.h: realistic generated catalogue records, for benchmarks and tests.
 *
 * Deterministic from (seed, index): the same call gives the same record, so two nodes can be
 * given overlapping sets. Paths are distinct per index. */
#ifndef MAILLE_TOOLS_GEN_H
#define MAILLE_TOOLS_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "proto/value.h"

/* A valid body (it passes proto_schema_validate) of one of the four catalogue types, and its
 * path "<type>/<slug>-<index>" in ret_path (cap >= 128). NULL on allocation failure. */
proto_value *gen_record(proto_arena *a, uint64_t seed, uint64_t index, char *ret_path, size_t cap);

/* The project code name number k (k < 13824): a pronounceable word such as "kalomi". */
void gen_codename(uint64_t k, char *ret, size_t cap);
extern const char *const gen_communes[]; /* NULL-terminated */

/* Words the generator draws from, for benchmark queries. */
extern const char *const gen_words_rare[];     /* NULL-terminated */
extern const char *const gen_words_common[];   /* NULL-terminated */

#endif
