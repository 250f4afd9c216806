/* proto/value.h: canonical msgpack values (PROTOCOL.md §1.2).
 *
 * A record body is a tree of proto_value living in a proto_arena. proto_value_decode() is the
 * only way outside bytes become values: a bounded cursor of our own that refuses every
 * non-canonical form (non-minimal integer or length headers, unsigned values sent as signed,
 * float32, NaN, map keys that are not strings or not sorted by their encoded bytes, duplicate
 * keys, invalid UTF-8, ext types, trailing bytes) and allocates only in proportion to the bytes
 * it has actually consumed. proto_value_encode() packs with msgpack-c and sorts map keys, so
 * encode(decode(x)) == x for every accepted x.
 *
 * Depends on msgpack-c (packing only). Performs no I/O. */
#ifndef MAILLE_PROTO_VALUE_H
#define MAILLE_PROTO_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A bump allocator: everything allocated from it is released at once by proto_arena_done().
 * Embed it (proto_arena_init) or keep it on the stack. Not thread-safe. */
typedef struct proto_arena_chunk proto_arena_chunk;
typedef struct proto_arena {
	proto_arena_chunk *head;
	size_t total;  /* bytes allocated so far */
	size_t budget; /* 0 = unbounded; otherwise allocations past it fail */
} proto_arena;

void proto_arena_init(proto_arena *a, size_t budget);
void proto_arena_done(proto_arena *a);
/* Zeroed, 16-byte aligned memory, or NULL (out of memory or past the budget). */
void *proto_arena_alloc(proto_arena *a, size_t n);
/* A NUL-terminated copy of s[0..len), or NULL. */
char *proto_arena_strndup(proto_arena *a, const char *s, size_t len);

typedef enum proto_vtype {
	PROTO_V_NIL,
	PROTO_V_BOOL,
	PROTO_V_INT,   /* int64 range; non-negative values encode as msgpack unsigned */
	PROTO_V_FLOAT, /* always float64, never NaN */
	PROTO_V_STR,   /* valid UTF-8, NUL-terminated in memory, may not contain NUL */
	PROTO_V_BIN,
	PROTO_V_ARRAY,
	PROTO_V_MAP, /* keys are strings; kept sorted by encoded bytes after decode/normalise */
} proto_vtype;

typedef struct proto_value proto_value;
typedef struct proto_kv proto_kv;

struct proto_value {
	proto_vtype type;
	union {
		bool b;
		int64_t i;
		double f;
		struct {
			const char *ptr; /* arena-owned, NUL-terminated */
			size_t len;
		} str;
		struct {
			const uint8_t *ptr;
			size_t len;
		} bin;
		struct {
			proto_value *items;
			size_t n, cap;
		} arr;
		struct {
			proto_kv *items;
			size_t n, cap;
		} map;
	} u;
};

struct proto_kv {
	const char *key; /* arena-owned, NUL-terminated */
	size_t key_len;
	proto_value val;
};

/* Decodes exactly one canonical value filling buf[0..len) (trailing bytes are an error).
 * On success *ret points to an arena-owned tree; on failure *ret is untouched and the code is
 * MAILLE_EPROTO (malformed/truncated), MAILLE_ENONCANON, MAILLE_EUTF8, MAILLE_ETOOBIG
 * (depth, nodes, key length) or MAILLE_ENOMEM. */
int proto_value_decode(const uint8_t *buf, size_t len, proto_arena *a, proto_value **ret);

/* Same checks as proto_value_decode() without building a tree. */
int proto_value_check(const uint8_t *buf, size_t len);

/* Canonical encoding of v into a malloc'd buffer (*ret_buf, *ret_len; caller frees).
 * Map keys are sorted by their encoded bytes; duplicate keys give MAILLE_EINVAL.
 * MAILLE_ETOOBIG if the result would exceed max_len. */
int proto_value_encode(const proto_value *v, size_t max_len, uint8_t **ret_buf, size_t *ret_len);

/* Helpers to build trees (all arena-allocated; NULL on allocation failure). */
proto_value *proto_value_new(proto_arena *a, proto_vtype t);
proto_value *proto_value_new_str(proto_arena *a, const char *s, size_t len);
/* Appends a NIL slot to an array and returns it (NULL on allocation failure). */
proto_value *proto_value_array_push(proto_arena *a, proto_value *arr);
/* Sets key in a map and returns its value slot (an existing key's slot is reused and reset to
 * NIL; a new key is appended, order is fixed by the encoder). NULL on allocation failure. */
proto_value *proto_value_map_put(proto_arena *a, proto_value *map, const char *key, size_t key_len);
/* Appends key to a map without looking for it first (for callers that already know it is
 * new, e.g. a parser with its own index of keys; a duplicate makes the encoder refuse the map
 * with MAILLE_EINVAL). Returns the NIL value slot, or NULL on allocation failure. */
proto_value *proto_value_map_append(proto_arena *a, proto_value *map, const char *key,
                                    size_t key_len);
/* Removes key from a map if present. */
void proto_value_map_del(proto_value *map, const char *key);

/* Map lookup by key (linear; bodies are small). NULL if absent or map is not a map. */
const proto_value *proto_map_get(const proto_value *map, const char *key);
/* A language map's text: prefers lang, then "fr", then "en", then the first; a plain string is
 * returned as is. NULL if v is neither. */
const char *proto_langmap_pick(const proto_value *v, const char *lang);
/* Whether v is a language map: a non-empty map of language tags (2-3 lower-case letters, then
 * "-subtags") to strings, as opposed to a small record such as a period {start, end}. */
bool proto_langmap_is(const proto_value *v);

/* Decodes the one strict UTF-8 sequence s starts with (no overlongs, no surrogates,
 * <= U+10FFFF) into *ret_cp: returns its length, 1 to 4, or 0 when s does not start with one
 * (len 0 included; *ret_cp then untouched). */
size_t proto_utf8_next(const uint8_t *s, size_t len, uint32_t *ret_cp);
/* Validates UTF-8 (proto_utf8_next's rules over the whole text). */
bool proto_utf8_valid(const uint8_t *s, size_t len);
/* Number of code points in valid UTF-8. */
size_t proto_utf8_len(const char *s, size_t len);
/* The rule for text a person writes (a record's fields, a node's or a federation's name):
 * valid UTF-8 without control characters, C0 (U+0000..U+001F), DEL (U+007F) and C1
 * (U+0080..U+009F); a multi-line text may hold line feeds (U+000A) and tabs (U+0009), nothing
 * else of those. Returns 0, MAILLE_EUTF8, or MAILLE_EINVAL with *ret_cp (if not NULL) set to the
 * first control character refused. proto/schema.c says which fields are one line. */
int proto_text_check(const char *s, size_t len, bool multiline, uint32_t *ret_cp);

#endif
