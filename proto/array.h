/* proto/array.h: growing an array that the caller appends to one element at a time (the
 * store's work lists, the trust view, the daemon's ingest batches), or a byte buffer to a
 * length (transport output, the store's text buffers). Depends on nothing but libc. */
#ifndef MAILLE_PROTO_ARRAY_H
#define MAILLE_PROTO_ARRAY_H

#include <stddef.h>

/* Reallocates v, an array of *cap elements of elem bytes each, to twice as many (first when
 * *cap is 0) and returns it, *cap set to its new size; NULL when memory runs out or the size
 * would not fit in a size_t, v and *cap then untouched (v still the caller's to free). */
void *proto_array_grow(void *v, size_t *cap, size_t first, size_t elem);

/* Reallocates v, a buffer of *cap bytes that must hold need bytes (need > *cap), to the
 * first of *cap (first when *cap is 0) doubled as often as it takes, and returns it, *cap
 * set to its new size; NULL as proto_array_grow, v and *cap then untouched. */
void *proto_array_grow_to(void *v, size_t *cap, size_t need, size_t first);

#endif
