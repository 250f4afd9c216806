/* tests/unit/proto/test_blobtree.c: the hash tree of an attachment (proto/blobtree.h,
 * PROTOCOL.md §6.3).
 *
 * The vectors were computed apart from this code, with Python's hashlib (level by level, the
 * last odd node promoted), over content whose byte i is i mod 251:
 *
 *   import hashlib
 *   C = 256 * 1024
 *   def h(b): return hashlib.blake2b(b, digest_size=32).digest()
 *   def root(data):
 *       chunks = [data[i:i + C] for i in range(0, len(data), C)] or [b""]
 *       lv = [h(b"\x00" + i.to_bytes(8, "big") + c) for i, c in enumerate(chunks)]
 *       while len(lv) > 1:
 *           nx = [h(b"\x01" + lv[i] + lv[i + 1]) for i in range(0, len(lv) - 1, 2)]
 *           if len(lv) % 2: nx.append(lv[-1])
 *           lv = nx
 *       return lv[0]
 *   for n in [0, 1, C, C + 1, 3 * C, 5 * C + 7]:
 *       d = bytes(i % 251 for i in range(n))
 *       print(n, h(d).hex(), root(d).hex())
 */
#include "check.h"
#include "proto/blobtree.h"
#include "proto/error.h"

static const struct {
	size_t size;
	const char *digest, *root;
} vectors[] = {
	{ 0, "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8",
	  "5187b7a8021bf4f2c004ea3a54cfece1754f11c7624d2363c7f4cf4fddd1441e" },
	{ 1, "03170a2e7597b7b7e3d84c05391d139a62b157e78786d8c082f29dcf4c111314",
	  "8a833f318209f48a635f8fdd18653d1e761ea488ebb83e1617c6ec4d9344b1a9" },
	{ 262144, "cf154c47ef5ba3ba0e59ec362634617821a3bcad5681e962bb3d50f63fbc7d68",
	  "53cce44cba825ee42389dbd9bd5be329a01f6054985d5bf19d580f6e8e659219" },
	{ 262145, "6373e0aaf2d64da305b358d5a64f94f17d35850b0edc82436c91d1131d071b03",
	  "6ce4d0c150b8f1b5a2cf487af3b9c400cb9456cb9ba2a273771981aa392bbc84" },
	{ 786432, "1662b43b2dc8cd56e11492b8962ef9174e711c333ba65fe15024a79f0bd9256d",
	  "d419ee6174a99902264abe9579205cdfe239dbecd364050859504295d9aee6f8" },
	{ 1310727, "265c6617206641350d7cb882f222b1dc2d06197c99bc3049081e848d0425b0ad",
	  "9fd2d9f8e12547e7d641a6b21e8f7237cea9a1cdc6593311f4d498f94f83d34d" },
};

static uint8_t *content(size_t n)
{
	uint8_t *d = malloc(n ? n : 1);
	for (size_t i = 0; i < n; i++)
		d[i] = (uint8_t)(i % 251);
	return d;
}

static void test_vectors(void)
{
	for (size_t v = 0; v < sizeof vectors / sizeof vectors[0]; v++) {
		size_t n = vectors[v].size;
		uint8_t *d = content(n);
		uint8_t want_d[32], want_r[32];
		CHECK_EQ_INT(check_unhex(vectors[v].digest, want_d), 32);
		CHECK_EQ_INT(check_unhex(vectors[v].root, want_r), 32);
		/* fed in odd pieces, so that chunk boundaries fall inside a piece */
		static const size_t pieces[] = { 1, 7, 65536, 262143, 300000 };
		for (size_t p = 0; p < sizeof pieces / sizeof pieces[0]; p++) {
			if (pieces[p] == 1 && n > 4096)
				continue; /* a byte at a time only for the small sizes */
			proto_blobtree t;
			proto_blobtree_init(&t);
			for (size_t off = 0; off < n; off += pieces[p]) {
				size_t take = n - off < pieces[p] ? n - off : pieces[p];
				CHECK_EQ_INT(proto_blobtree_update(&t, d + off, take), 0);
			}
			proto_blob_hash dg, rt;
			CHECK_EQ_INT(proto_blobtree_final(&t, dg, rt), 0);
			CHECK(memcmp(dg, want_d, 32) == 0);
			CHECK(memcmp(rt, want_r, 32) == 0);
			CHECK_EQ_INT(t.n_leaves, proto_blobtree_chunks(n));
			CHECK(proto_blobtree_manifest_verify((const proto_blob_hash *)t.leaves, t.n_leaves,
			                                     n, want_r));
			CHECK_EQ_INT(proto_blobtree_update(&t, d, 0), MAILLE_ESTATE);
			proto_blobtree_free(&t);
		}
		free(d);
	}
}

static void test_chunks_and_manifest(void)
{
	CHECK_EQ_INT(proto_blobtree_chunks(0), 1);
	CHECK_EQ_INT(proto_blobtree_chunks(1), 1);
	CHECK_EQ_INT(proto_blobtree_chunks(PROTO_BLOB_CHUNK), 1);
	CHECK_EQ_INT(proto_blobtree_chunks(PROTO_BLOB_CHUNK + 1), 2);
	size_t n = 3 * PROTO_BLOB_CHUNK + 10;
	uint8_t *d = content(n);
	proto_blobtree t;
	proto_blobtree_init(&t);
	CHECK_EQ_INT(proto_blobtree_update(&t, d, n), 0);
	proto_blob_hash dg, rt;
	CHECK_EQ_INT(proto_blobtree_final(&t, dg, rt), 0);
	CHECK_EQ_INT(t.n_leaves, 4);
	/* every chunk verifies against its leaf, and only at its index */
	for (size_t i = 0; i < 4; i++) {
		size_t len = i < 3 ? PROTO_BLOB_CHUNK : 10;
		CHECK(proto_blobtree_chunk_verify(i, d + i * PROTO_BLOB_CHUNK, len, t.leaves[i]));
		CHECK(!proto_blobtree_chunk_verify(i + 1, d + i * PROTO_BLOB_CHUNK, len, t.leaves[i]));
	}
	d[PROTO_BLOB_CHUNK + 5] ^= 1;
	CHECK(!proto_blobtree_chunk_verify(1, d + PROTO_BLOB_CHUNK, PROTO_BLOB_CHUNK, t.leaves[1]));
	CHECK(!proto_blobtree_chunk_verify(0, d, PROTO_BLOB_CHUNK + 1, t.leaves[0]));
	/* a manifest with a wrong count, a changed leaf or a swapped pair does not verify */
	const proto_blob_hash *lv = (const proto_blob_hash *)t.leaves;
	CHECK(proto_blobtree_manifest_verify(lv, 4, n, rt));
	CHECK(!proto_blobtree_manifest_verify(lv, 3, n, rt));
	CHECK(!proto_blobtree_manifest_verify(lv, 4, n + PROTO_BLOB_CHUNK, rt));
	proto_blob_hash swapped[4];
	memcpy(swapped, lv, sizeof swapped);
	memcpy(swapped[0], lv[1], 32);
	memcpy(swapped[1], lv[0], 32);
	CHECK(!proto_blobtree_manifest_verify((const proto_blob_hash *)swapped, 4, n, rt));
	proto_blob_hash r2;
	CHECK_EQ_INT(proto_blobtree_root(lv, 0, r2), MAILLE_EINVAL);
	/* one leaf is its own root */
	CHECK_EQ_INT(proto_blobtree_root(lv, 1, r2), 0);
	CHECK(memcmp(r2, lv[0], 32) == 0);
	proto_blobtree_free(&t);
	free(d);
}

CHECK_MAIN(test_vectors, test_chunks_and_manifest)
