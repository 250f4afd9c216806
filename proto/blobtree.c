/* proto/blobtree.c: the hash tree of an attachment (PROTOCOL.md §6). */
#include "proto/blobtree.h"

#include <stdlib.h>
#include <string.h>

#include "proto/array.h"
#include "proto/error.h"

enum { LEAF_TAG = 0x00, NODE_TAG = 0x01 };

uint64_t proto_blobtree_chunks(uint64_t size)
{
	/* An empty file is one empty chunk (§6.1): every file has a leaf, and a root. */
	return size == 0 ? 1 : (size - 1) / PROTO_BLOB_CHUNK + 1;
}

static void leaf_start(crypto_generichash_state *st, uint64_t index)
{
	/* The index binds a chunk to its place (§6.1): a chunk is never accepted for another. */
	uint8_t head[9];
	head[0] = LEAF_TAG;
	for (int i = 0; i < 8; i++)
		head[1 + i] = (uint8_t)(index >> (56 - 8 * i));
	crypto_generichash_init(st, NULL, 0, PROTO_BLOB_HASH_LEN);
	crypto_generichash_update(st, head, sizeof head);
}

void proto_blobtree_leaf(uint64_t index, const uint8_t *chunk, size_t len, proto_blob_hash out)
{
	crypto_generichash_state st;
	leaf_start(&st, index);
	if (len)
		crypto_generichash_update(&st, chunk, len);
	crypto_generichash_final(&st, out, PROTO_BLOB_HASH_LEN);
}

bool proto_blobtree_chunk_verify(uint64_t index, const uint8_t *chunk, size_t len,
                                 const proto_blob_hash leaf)
{
	if (len > PROTO_BLOB_CHUNK)
		return false;
	proto_blob_hash h;
	proto_blobtree_leaf(index, chunk, len, h);
	return sodium_memcmp(h, leaf, PROTO_BLOB_HASH_LEN) == 0;
}

static void node_hash(const proto_blob_hash left, const proto_blob_hash right, proto_blob_hash out)
{
	const uint8_t tag = NODE_TAG;
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, PROTO_BLOB_HASH_LEN);
	crypto_generichash_update(&st, &tag, 1);
	crypto_generichash_update(&st, left, PROTO_BLOB_HASH_LEN);
	crypto_generichash_update(&st, right, PROTO_BLOB_HASH_LEN);
	crypto_generichash_final(&st, out, PROTO_BLOB_HASH_LEN);
}

int proto_blobtree_root(const proto_blob_hash *leaves, size_t n, proto_blob_hash ret_root)
{
	if (n == 0 || !leaves)
		return MAILLE_EINVAL;
	/* Level by level with the last odd node promoted (§6.1) is the same tree as this stack of
	 * complete subtrees, merged as they fill (heights 0, 1, 2, ... like a binary counter) and,
	 * at the end, from the right: the smaller subtrees on the right are the promoted ones. At
	 * most one subtree a height, so 64 entries cover any count. */
	proto_blob_hash stack[64];
	unsigned height[64];
	size_t top = 0;
	for (size_t i = 0; i < n; i++) {
		memcpy(stack[top], leaves[i], PROTO_BLOB_HASH_LEN);
		height[top++] = 0;
		while (top >= 2 && height[top - 2] == height[top - 1]) {
			node_hash(stack[top - 2], stack[top - 1], stack[top - 2]);
			height[top - 2]++;
			top--;
		}
	}
	while (top >= 2) {
		node_hash(stack[top - 2], stack[top - 1], stack[top - 2]);
		top--;
	}
	memcpy(ret_root, stack[0], PROTO_BLOB_HASH_LEN);
	return MAILLE_OK;
}

bool proto_blobtree_manifest_verify(const proto_blob_hash *leaves, size_t n, uint64_t size,
                                    const proto_blob_hash root)
{
	proto_blob_hash h;
	if ((uint64_t)n != proto_blobtree_chunks(size) || proto_blobtree_root(leaves, n, h) != 0)
		return false;
	return sodium_memcmp(h, root, PROTO_BLOB_HASH_LEN) == 0;
}

void proto_blobtree_init(proto_blobtree *t)
{
	memset(t, 0, sizeof *t);
	crypto_generichash_init(&t->whole, NULL, 0, PROTO_BLOB_HASH_LEN);
	leaf_start(&t->leaf, 0);
}

static int leaf_push(proto_blobtree *t)
{
	if (t->n_leaves == t->cap) {
		proto_blob_hash *p = proto_array_grow(t->leaves, &t->cap, 16, sizeof *p);
		if (!p)
			return MAILLE_ENOMEM;
		t->leaves = p;
	}
	crypto_generichash_final(&t->leaf, t->leaves[t->n_leaves], PROTO_BLOB_HASH_LEN);
	t->n_leaves++;
	t->in_chunk = 0;
	return MAILLE_OK;
}

int proto_blobtree_update(proto_blobtree *t, const uint8_t *data, size_t len)
{
	if (t->final)
		return MAILLE_ESTATE;
	while (len > 0) {
		/* A chunk is closed when the next byte arrives, never when it fills: the last chunk of
		 * a file whose size is a multiple of the chunk is thus closed by final, and no empty
		 * chunk follows it. */
		if (t->in_chunk == PROTO_BLOB_CHUNK) {
			int rc = leaf_push(t);
			if (rc)
				return rc;
			leaf_start(&t->leaf, t->n_leaves);
		}
		size_t take = PROTO_BLOB_CHUNK - (size_t)t->in_chunk;
		if (take > len)
			take = len;
		crypto_generichash_update(&t->leaf, data, take);
		crypto_generichash_update(&t->whole, data, take);
		t->in_chunk += take;
		t->size += take;
		data += take;
		len -= take;
	}
	return MAILLE_OK;
}

int proto_blobtree_final(proto_blobtree *t, proto_blob_hash ret_digest, proto_blob_hash ret_root)
{
	if (t->final)
		return MAILLE_ESTATE;
	int rc = leaf_push(t);
	if (rc)
		return rc;
	t->final = true;
	proto_blob_hash d;
	crypto_generichash_final(&t->whole, d, PROTO_BLOB_HASH_LEN);
	rc = proto_blobtree_root((const proto_blob_hash *)t->leaves, t->n_leaves, ret_root);
	if (rc)
		return rc;
	memcpy(ret_digest, d, PROTO_BLOB_HASH_LEN);
	return MAILLE_OK;
}

void proto_blobtree_free(proto_blobtree *t)
{
	free(t->leaves);
	t->leaves = NULL;
	t->n_leaves = t->cap = 0;
}
