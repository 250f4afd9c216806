/* Fuzz target: what an attachment's bytes meet before anyone vouches for them (PROTOCOL.md §6):
 * the media type sniffer (node/service/blobsniff.c) and the hash tree (proto/blobtree.h).
 *
 * The input is any byte string: a file's head for blob_sniff, a file's content for the tree
 * (inputs are short: one chunk, or two for the largest), and, cut into 32-byte pieces, a
 * manifest. Properties: blob_sniff returns one of its types; the tree fed in
 * pieces (cut where the first byte says) gives the digest and root of one piece; its leaves
 * verify against the root and each chunk against its leaf; a manifest of arbitrary leaves
 * never verifies against a root it does not hash to, and a count that is not the size's. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "node/service/blob.h"
#include "proto/blobtree.h"

#define FUZZ_ASSERT(c) \
	do { \
		if (!(c)) \
			abort(); \
	} while (0)

static const char *const types[] = {
	"application/pdf", "image/png", "image/jpeg", "image/gif",
	"application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet",
	"application/vnd.oasis.opendocument.presentation",
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"application/vnd.openxmlformats-officedocument.presentationml.presentation",
	"application/zip", "text/csv", "text/plain", "application/octet-stream",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *t = blob_sniff(data, size);
	bool known = false;
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		known |= strcmp(t, types[i]) == 0;
	FUZZ_ASSERT(known);

	proto_blobtree one, cut;
	proto_blob_hash d1, r1, d2, r2;
	proto_blobtree_init(&one);
	proto_blobtree_init(&cut);
	FUZZ_ASSERT(proto_blobtree_update(&one, data, size) == 0);
	size_t step = size ? (size_t)data[0] + 1 : 1;
	for (size_t off = 0; off < size; off += step)
		FUZZ_ASSERT(proto_blobtree_update(&cut, data + off,
		                                  size - off < step ? size - off : step) == 0);
	FUZZ_ASSERT(proto_blobtree_final(&one, d1, r1) == 0);
	FUZZ_ASSERT(proto_blobtree_final(&cut, d2, r2) == 0);
	FUZZ_ASSERT(memcmp(d1, d2, 32) == 0 && memcmp(r1, r2, 32) == 0);
	FUZZ_ASSERT(one.n_leaves == proto_blobtree_chunks(size));
	FUZZ_ASSERT(proto_blobtree_manifest_verify((const proto_blob_hash *)one.leaves,
	                                           one.n_leaves, size, r1));
	FUZZ_ASSERT(proto_blobtree_chunk_verify(0, data, size < PROTO_BLOB_CHUNK ? size
	                                                                          : PROTO_BLOB_CHUNK,
	                                        one.leaves[0]));
	proto_blobtree_free(&one);
	proto_blobtree_free(&cut);

	/* the input as a manifest of whole leaves: verifies against its own root only, and only
	 * for a size with that many chunks */
	size_t n = size / 32;
	if (n > 0) {
		proto_blob_hash root;
		FUZZ_ASSERT(proto_blobtree_root((const proto_blob_hash *)data, n, root) == 0);
		FUZZ_ASSERT(proto_blobtree_manifest_verify((const proto_blob_hash *)data, n,
		                                           (uint64_t)n * PROTO_BLOB_CHUNK, root));
		FUZZ_ASSERT(!proto_blobtree_manifest_verify((const proto_blob_hash *)data, n,
		                                            (uint64_t)n * PROTO_BLOB_CHUNK + 1, root));
		root[0] ^= 1;
		FUZZ_ASSERT(!proto_blobtree_manifest_verify((const proto_blob_hash *)data, n,
		                                            (uint64_t)n * PROTO_BLOB_CHUNK, root));
	}
	return 0;
}
