/* proto/blobtree.h: the hash tree of an attachment (PROTOCOL.md §6).
 *
 * A file is cut into chunks of PROTO_BLOB_CHUNK bytes (the last one shorter; an empty file is
 * one empty chunk). Each chunk has a leaf hash, BLAKE2b-256 of 0x00, the chunk's index as 8
 * bytes big-endian, then the chunk; two nodes make BLAKE2b-256 of 0x01, left, right; a level
 * with an odd count promotes its last node unchanged. The root over the leaves is what an
 * attachment's `tree` field carries beside `digest`, BLAKE2b-256 of the whole content: the
 * entry's signature so binds every chunk, and a receiver checks each chunk on arrival against
 * its leaf, after checking the list of leaves (the manifest) against the root.
 *
 * Pure: no I/O. The incremental state keeps the leaves (32 bytes a chunk, 256 for 64 MiB), never
 * the content. */
#ifndef MAILLE_PROTO_BLOBTREE_H
#define MAILLE_PROTO_BLOBTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#define PROTO_BLOB_CHUNK (256u * 1024u) /* bytes of a chunk, the last one excepted */
#define PROTO_BLOB_HASH_LEN 32u         /* BLAKE2b-256: digest, leaves, nodes, root */

typedef uint8_t proto_blob_hash[PROTO_BLOB_HASH_LEN];

typedef struct proto_blobtree {
	crypto_generichash_state whole; /* BLAKE2b-256 of the whole content: `digest` */
	crypto_generichash_state leaf;  /* the chunk under way */
	uint64_t size;                  /* bytes fed so far */
	uint64_t in_chunk;              /* bytes of the chunk under way */
	proto_blob_hash *leaves;        /* the finished leaves, in order */
	size_t n_leaves, cap;
	bool final;
} proto_blobtree;

/* The number of chunks (and leaves) of a file of `size` bytes: at least 1. */
uint64_t proto_blobtree_chunks(uint64_t size);

/* The leaf hash of chunk `index` (len bytes; at most PROTO_BLOB_CHUNK). */
void proto_blobtree_leaf(uint64_t index, const uint8_t *chunk, size_t len, proto_blob_hash out);

/* True when chunk `index` (len bytes) hashes to `leaf`; compared in constant time. */
bool proto_blobtree_chunk_verify(uint64_t index, const uint8_t *chunk, size_t len,
                                 const proto_blob_hash leaf);

/* The root over n leaves (n >= 1), in order: MAILLE_EINVAL for n == 0. No allocation. */
int proto_blobtree_root(const proto_blob_hash *leaves, size_t n, proto_blob_hash ret_root);

/* True when the manifest (n leaves) is the one of a file of `size` bytes with root `root`:
 * the count matches the size and the leaves hash to the root. */
bool proto_blobtree_manifest_verify(const proto_blob_hash *leaves, size_t n, uint64_t size,
                                    const proto_blob_hash root);

/* Incremental: init, feed any number of bytes in any pieces, final gives the whole-file digest
 * and the root; the leaves stay in t->leaves (t->n_leaves) until proto_blobtree_free. update
 * and final return MAILLE_ENOMEM if the leaves cannot grow, MAILLE_ESTATE after final. */
void proto_blobtree_init(proto_blobtree *t);
int proto_blobtree_update(proto_blobtree *t, const uint8_t *data, size_t len);
int proto_blobtree_final(proto_blobtree *t, proto_blob_hash ret_digest, proto_blob_hash ret_root);
void proto_blobtree_free(proto_blobtree *t);

#endif
