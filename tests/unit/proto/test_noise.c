/* Noise (proto/noise.h): the shared test vectors of cacophony and snow, replayed from both
 * sides, then HMAC/HKDF known answers and every refusal the next layer relies on.
 *
 * Usage: test_proto_noise <directory holding the noise-*.json vector files>. */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "proto/entry.h"
#include "proto/error.h"
#include "proto/noise.h"

/* First in the list: libsodium must be initialised before anything else runs. */
static void test_sodium_init(void)
{
	CHECK(sodium_init() >= 0);
}

static const char *const vector_files[] = {
	"noise-cacophony-25519-chachapoly.json",
	"noise-snow-25519-chachapoly.json",
};
static const char *const hash_names[] = { "SHA256", "SHA512", "BLAKE2b", "BLAKE2s" };
#define N_FILES (sizeof vector_files / sizeof vector_files[0])
#define N_HASHES (sizeof hash_names / sizeof hash_names[0])

/* Large buffers are static: a Noise message may be 65535 bytes. */
static uint8_t want_ct[NOISE_MSG_MAX + 1], want_pt[NOISE_MSG_MAX + 1];
static uint8_t got_ct[NOISE_MSG_MAX + 1], got_pt[NOISE_MSG_MAX + 1];

/* Decodes hex into out[0..cap); -1 if not valid hex or too long. */
static int unhex(const char *hex, uint8_t *out, size_t cap, size_t *ret_len)
{
	size_t len = strlen(hex);
	if (len % 2 != 0 || len / 2 > cap || proto_unhex(hex, out, len / 2) != 0)
		return -1;
	*ret_len = len / 2;
	return 0;
}

/* 1 if v[key] is a hex string decoded into out, 0 if absent, -1 if malformed. */
static int get_hex(json_t *v, const char *key, uint8_t *out, size_t cap, size_t *ret_len)
{
	json_t *s = json_object_get(v, key);
	if (!s)
		return 0;
	if (!json_is_string(s) || unhex(json_string_value(s), out, cap, ret_len) != 0)
		return -1;
	return 1;
}

/* 1 if v[key] is exactly NOISE_DH_LEN hex bytes, 0 if absent, -1 otherwise. */
static int get_key(json_t *v, const char *key, uint8_t out[NOISE_DH_LEN])
{
	size_t len = 0;
	int r = get_hex(v, key, out, NOISE_DH_LEN, &len);
	return r == 1 && len != NOISE_DH_LEN ? -1 : r;
}

struct side {
	uint8_t prologue[1024];
	size_t prologue_len;
	uint8_t s[NOISE_DH_LEN], e[NOISE_DH_LEN], rs[NOISE_DH_LEN];
	int has_s, has_e, has_rs;
	uint8_t psks[NOISE_PSKS_MAX * NOISE_PSK_LEN];
	size_t n_psks;
};

static int load_side(json_t *v, const char *prefix, struct side *sd)
{
	char key[64];
	memset(sd, 0, sizeof *sd);
	snprintf(key, sizeof key, "%sprologue", prefix);
	if (get_hex(v, key, sd->prologue, sizeof sd->prologue, &sd->prologue_len) < 0)
		return -1;
	snprintf(key, sizeof key, "%sstatic", prefix);
	if ((sd->has_s = get_key(v, key, sd->s)) < 0)
		return -1;
	snprintf(key, sizeof key, "%sephemeral", prefix);
	if ((sd->has_e = get_key(v, key, sd->e)) < 0)
		return -1;
	snprintf(key, sizeof key, "%sremote_static", prefix);
	if ((sd->has_rs = get_key(v, key, sd->rs)) < 0)
		return -1;
	snprintf(key, sizeof key, "%spsks", prefix);
	json_t *psks = json_object_get(v, key);
	if (psks) {
		size_t i;
		json_t *p;
		if (!json_is_array(psks) || json_array_size(psks) > NOISE_PSKS_MAX)
			return -1;
		json_array_foreach(psks, i, p)
		{
			size_t len = 0;
			if (!json_is_string(p) ||
			    unhex(json_string_value(p), sd->psks + i * NOISE_PSK_LEN, NOISE_PSK_LEN,
			          &len) != 0 ||
			    len != NOISE_PSK_LEN)
				return -1;
		}
		sd->n_psks = json_array_size(psks);
	}
	return 0;
}

static int side_init(struct noise_handshake *hs, const char *name, bool initiator,
                     const struct side *sd)
{
	struct noise_handshake_params p = {
		.protocol_name = name,
		.initiator = initiator,
		.prologue = sd->prologue,
		.prologue_len = sd->prologue_len,
		.s = sd->has_s ? sd->s : NULL,
		.e = sd->has_e ? sd->e : NULL,
		.rs = sd->has_rs ? sd->rs : NULL,
		.psks = sd->psks,
		.n_psks = sd->n_psks,
	};
	return noise_handshake_init(hs, &p);
}

/* One message through hs (a handshake message) or, hs NULL, through c (a transport
 * message): written (encrypted) when write, else read (decrypted), into out
 * (NOISE_MSG_MAX + 1 bytes). */
static int noise_step(struct noise_handshake *hs, struct noise_cipher *c, bool write,
                      const uint8_t *in, size_t in_len, uint8_t *out, size_t *ret_len)
{
	size_t cap = NOISE_MSG_MAX + 1;
	if (hs)
		return write ? noise_handshake_write_message(hs, in, in_len, out, cap, ret_len)
		             : noise_handshake_read_message(hs, in, in_len, out, cap, ret_len);
	return write ? noise_cipher_encrypt(c, NULL, 0, in, in_len, out, cap, ret_len)
	             : noise_cipher_decrypt(c, NULL, 0, in, in_len, out, cap, ret_len);
}

enum { V_PASS, V_FAIL, V_SKIP };

#define VFAIL(...)                                                                                 \
	do {                                                                                       \
		snprintf(why, why_cap, __VA_ARGS__);                                               \
		rc = V_FAIL;                                                                       \
		goto out;                                                                          \
	} while (0)

/* Replays one vector from both sides; *ret_hash gets the index of its hash in hash_names. */
static int run_vector(json_t *v, size_t *ret_hash, char *why, size_t why_cap)
{
	struct noise_handshake ini, res;
	struct noise_cipher i_send, i_recv, r_send, r_recv;
	struct side si, sr;
	int rc = V_PASS, r;
	bool split = false;
	const char *name = json_string_value(json_object_get(v, "protocol_name"));

	memset(&ini, 0, sizeof ini);
	memset(&res, 0, sizeof res);
	memset(&i_send, 0, sizeof i_send);
	memset(&i_recv, 0, sizeof i_recv);
	memset(&r_send, 0, sizeof r_send);
	memset(&r_recv, 0, sizeof r_recv);
	*ret_hash = N_HASHES;
	if (!name)
		VFAIL("no protocol_name");
	const char *hash = strrchr(name, '_');
	for (size_t h = 0; hash && h < N_HASHES; h++)
		if (strcmp(hash + 1, hash_names[h]) == 0)
			*ret_hash = h;
	if (*ret_hash == N_HASHES)
		VFAIL("unknown hash");
	if (strcmp(hash_names[*ret_hash], "BLAKE2s") == 0)
		return V_SKIP;

	/* One-way patterns (N, K, X and their psk forms) have a one-letter base pattern; the
	 * test derives it from the name, independently of the library. */
	const char *pat = name + strlen("Noise_");
	size_t base_len = 0;
	while ((pat[base_len] >= 'A' && pat[base_len] <= 'Z') ||
	       (pat[base_len] >= '0' && pat[base_len] <= '9'))
		base_len++;
	bool one_way = base_len == 1;

	if (load_side(v, "init_", &si) != 0 || load_side(v, "resp_", &sr) != 0)
		VFAIL("malformed keys");
	if ((r = side_init(&ini, name, true, &si)) != 0)
		VFAIL("initiator init: %s", maille_errname(r));
	if ((r = side_init(&res, name, false, &sr)) != 0)
		VFAIL("responder init: %s", maille_errname(r));

	json_t *msgs = json_object_get(v, "messages");
	if (!json_is_array(msgs) || json_array_size(msgs) == 0)
		VFAIL("no messages");
	for (size_t i = 0; i < json_array_size(msgs); i++) {
		json_t *m = json_array_get(msgs, i);
		size_t pt_len = 0, ct_len = 0;
		if (get_hex(m, "payload", want_pt, NOISE_MSG_MAX, &pt_len) != 1 ||
		    get_hex(m, "ciphertext", want_ct, NOISE_MSG_MAX, &ct_len) != 1)
			VFAIL("message %zu: malformed", i);
		bool from_init = one_way || i % 2 == 0;

		/* a handshake message until both sides are complete, then transport messages; the
		 * same checks on both: the bytes written are the vector's, and read back */
		bool hs = !noise_handshake_complete(&ini) || !noise_handshake_complete(&res);
		struct noise_handshake *w = from_init ? &ini : &res, *rd = from_init ? &res : &ini;
		if (hs && (noise_handshake_action(w) != NOISE_ACTION_WRITE ||
		           noise_handshake_action(rd) != NOISE_ACTION_READ))
			VFAIL("message %zu: wrong turn", i);
		if (!hs && !split) {
			if (noise_handshake_split(&ini, &i_send, &i_recv) != 0 ||
			    noise_handshake_split(&res, &r_send, &r_recv) != 0)
				VFAIL("split failed");
			split = true;
		}
		/* Split(): initiator -> responder uses c1 (i_send = r_recv), the reverse c2 */
		struct noise_cipher *enc = from_init ? &i_send : &r_send;
		struct noise_cipher *dec = from_init ? &r_recv : &i_recv;
		/* step 0 writes the payload and must give the ciphertext, step 1 reads that back */
		static const char *const what[2][2] = {{"write", "read"},
		                                       {"transport encrypt", "transport decrypt"}};
		for (int step = 0; step < 2; step++) {
			const uint8_t *in = step ? want_ct : want_pt;
			const uint8_t *want = step ? want_pt : want_ct;
			size_t in_len = step ? ct_len : pt_len, want_len = step ? pt_len : ct_len;
			uint8_t *out = step ? got_pt : got_ct;
			size_t out_len = 0;
			r = noise_step(hs ? (step ? rd : w) : NULL, step ? dec : enc, step == 0, in,
			               in_len, out, &out_len);
			if (r != 0)
				VFAIL("message %zu: %s: %s", i, what[!hs][step], maille_errname(r));
			if (out_len != want_len || memcmp(out, want, want_len) != 0)
				VFAIL("message %zu: %s %s differs", i, hs ? "handshake" : "transport",
				      step ? "payload" : "ciphertext");
		}
	}
	if (!noise_handshake_complete(&ini) || !noise_handshake_complete(&res))
		VFAIL("handshake not complete after all messages");
	if (noise_handshake_one_way(&ini) != one_way)
		VFAIL("one-way flag differs from the pattern name");

	uint8_t want_h[NOISE_HASH_MAX_LEN], hi[NOISE_HASH_MAX_LEN], hr[NOISE_HASH_MAX_LEN];
	size_t want_h_len = 0, hi_len = 0, hr_len = 0;
	int has_h = get_hex(v, "handshake_hash", want_h, sizeof want_h, &want_h_len);
	if (has_h < 0)
		VFAIL("malformed handshake_hash");
	if (noise_handshake_hash(&ini, hi, &hi_len) != 0 ||
	    noise_handshake_hash(&res, hr, &hr_len) != 0 || hi_len != hr_len ||
	    memcmp(hi, hr, hi_len) != 0)
		VFAIL("the two handshake hashes differ");
	if (has_h == 1 && (want_h_len != hi_len || memcmp(want_h, hi, hi_len) != 0))
		VFAIL("handshake_hash differs");

	/* each side learnt (or was given) the other's static key */
	uint8_t pub[NOISE_DH_LEN], rs[NOISE_DH_LEN];
	if (si.has_s && (noise_dh_public(si.s, pub) != 0 ||
	                 noise_handshake_remote_static(&res, rs) != 0 || memcmp(pub, rs, 32) != 0))
		VFAIL("responder's remote static key");
	if (sr.has_s && !one_way &&
	    (noise_dh_public(sr.s, pub) != 0 || noise_handshake_remote_static(&ini, rs) != 0 ||
	     memcmp(pub, rs, 32) != 0))
		VFAIL("initiator's remote static key");
out:
	noise_handshake_done(&ini);
	noise_handshake_done(&res);
	noise_cipher_done(&i_send);
	noise_cipher_done(&i_recv);
	noise_cipher_done(&r_send);
	noise_cipher_done(&r_recv);
	return rc;
}

static void test_vectors(void)
{
	int count[N_FILES][N_HASHES][3];
	int total[3] = { 0, 0, 0 };
	char why[256];

	memset(count, 0, sizeof count);
	CHECK(CHECK_ARGC >= 2);
	if (CHECK_ARGC < 2)
		return;
	for (size_t f = 0; f < N_FILES; f++) {
		char path[4096];
		json_error_t err;
		snprintf(path, sizeof path, "%s/%s", CHECK_ARGV[1], vector_files[f]);
		json_t *root = json_load_file(path, 0, &err);
		CHECK(root != NULL);
		if (!root) {
			fprintf(stderr, "%s: %s (line %d)\n", path, err.text, err.line);
			continue;
		}
		json_t *vectors = json_object_get(root, "vectors");
		CHECK(json_is_array(vectors) && json_array_size(vectors) > 0);
		size_t i;
		json_t *v;
		json_array_foreach(vectors, i, v)
		{
			size_t h = N_HASHES;
			why[0] = '\0';
			int rc = run_vector(v, &h, why, sizeof why);
			if (rc == V_FAIL)
				fprintf(stderr, "FAIL %s #%zu %s: %s\n", vector_files[f], i,
				        json_string_value(json_object_get(v, "protocol_name")),
				        why);
			if (h < N_HASHES)
				count[f][h][rc]++;
			total[rc]++;
		}
		json_decref(root);
	}
	for (size_t f = 0; f < N_FILES; f++)
		for (size_t h = 0; h < N_HASHES; h++)
			printf("  %-40s %-8s %3d passed, %d failed, %3d skipped\n", vector_files[f],
			       hash_names[h], count[f][h][V_PASS], count[f][h][V_FAIL],
			       count[f][h][V_SKIP]);
	printf("noise vectors: %d passed, %d failed, %d skipped (BLAKE2s: not provided by "
	       "libsodium)\n",
	       total[V_PASS], total[V_FAIL], total[V_SKIP]);
	fflush(stdout);
	CHECK_EQ_INT(total[V_FAIL], 0);
	CHECK(total[V_PASS] > 0);
}

/* ---------------------------------------------------------------------------------------------
 * HMAC and HKDF */

static bool mac_is(enum noise_hash hash, const void *key, size_t key_len, const char *data,
                   const char *want_hex)
{
	uint8_t mac[NOISE_HASH_MAX_LEN], want[NOISE_HASH_MAX_LEN];
	size_t want_len = 0;
	if (unhex(want_hex, want, sizeof want, &want_len) != 0)
		return false;
	if (noise_hmac(hash, key, key_len, (const uint8_t *)data, strlen(data), mac) != 0)
		return false;
	return want_len == noise_hash_len(hash) && memcmp(mac, want, want_len) == 0;
}

/* RFC 4231 §4.2, §4.3 (test cases 1 and 2) and §4.7 (test case 6: a 131-byte key, longer
 * than both block sizes, hashed first). */
/* libsodium's own HMAC-SHA512 (sha512) or HMAC-SHA256 of data under key, into out. */
static void sodium_hmac(bool sha512, const uint8_t *key, size_t key_len, const uint8_t *data,
                        size_t len, uint8_t *out)
{
	if (sha512) {
		crypto_auth_hmacsha512_state st;
		crypto_auth_hmacsha512_init(&st, key, key_len);
		crypto_auth_hmacsha512_update(&st, data, len);
		crypto_auth_hmacsha512_final(&st, out);
		return;
	}
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, key, key_len);
	crypto_auth_hmacsha256_update(&st, data, len);
	crypto_auth_hmacsha256_final(&st, out);
}

static void test_hmac_rfc4231(void)
{
	uint8_t k1[20], k6[131];
	memset(k1, 0x0b, sizeof k1);
	memset(k6, 0xaa, sizeof k6);
	const char *d6 = "Test Using Larger Than Block-Size Key - Hash Key First";

	CHECK(mac_is(NOISE_HASH_SHA256, k1, sizeof k1, "Hi There",
	             "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"));
	CHECK(mac_is(NOISE_HASH_SHA512, k1, sizeof k1, "Hi There",
	             "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
	             "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"));
	CHECK(mac_is(NOISE_HASH_SHA256, "Jefe", 4, "what do ya want for nothing?",
	             "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"));
	CHECK(mac_is(NOISE_HASH_SHA512, "Jefe", 4, "what do ya want for nothing?",
	             "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
	             "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"));
	CHECK(mac_is(NOISE_HASH_SHA256, k6, sizeof k6, d6,
	             "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"));
	CHECK(mac_is(NOISE_HASH_SHA512, k6, sizeof k6, d6,
	             "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
	             "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598"));

	/* against libsodium's own HMAC-SHA256/512 on an odd-sized input */
	uint8_t key[70], data[300], a[64], b[64];
	randombytes_buf(key, sizeof key);
	randombytes_buf(data, sizeof data);
	for (int sha512 = 0; sha512 < 2; sha512++) {
		sodium_hmac(sha512, key, sizeof key, data, sizeof data, a);
		CHECK_EQ_INT(noise_hmac(sha512 ? NOISE_HASH_SHA512 : NOISE_HASH_SHA256, key, sizeof key,
		                        data, sizeof data, b),
		             0);
		CHECK(memcmp(a, b, sha512 ? 64 : 32) == 0);
	}
}

static void test_hmac_blake2b(void)
{
	/* known answers of an independent HMAC-BLAKE2b-512 (RFC 2104, block 128 bytes) on the
	 * inputs of RFC 4231 test cases 2 and 6 */
	uint8_t k6[131];
	memset(k6, 0xaa, sizeof k6);
	CHECK(mac_is(NOISE_HASH_BLAKE2B, "Jefe", 4, "what do ya want for nothing?",
	             "6ff884f8ddc2a6586b3c98a4cd6ebdf14ec10204b6710073eb5865ade37a2643"
	             "b8807c1335d107ecdb9ffeaeb6828c4625ba172c66379efcd222c2de11727ab4"));
	CHECK(mac_is(NOISE_HASH_BLAKE2B, k6, sizeof k6,
	             "Test Using Larger Than Block-Size Key - Hash Key First",
	             "a54b2943b2a20227d41ca46c0945af09bc1faefb2f49894c23aebc557fb79c48"
	             "89dca74408dc865086667aedee4a3185c53a49c80b814c4c5813ea0c8b38a8f8"));

	/* self-consistency: a key longer than the block is replaced by its hash (RFC 2104 §2);
	 * a key of exactly one block is used as is; padding with zeros does not change it */
	uint8_t key[129], hk[64], m1[64], m2[64], block[128], padded[128] = { 0 };
	const uint8_t data[] = "Maille";
	randombytes_buf(key, sizeof key);
	CHECK_EQ_INT(noise_hash(NOISE_HASH_BLAKE2B, key, sizeof key, hk), 0);
	CHECK_EQ_INT(noise_hmac(NOISE_HASH_BLAKE2B, key, sizeof key, data, 6, m1), 0);
	CHECK_EQ_INT(noise_hmac(NOISE_HASH_BLAKE2B, hk, sizeof hk, data, 6, m2), 0);
	CHECK(memcmp(m1, m2, 64) == 0);
	memcpy(padded, hk, sizeof hk);
	CHECK_EQ_INT(noise_hmac(NOISE_HASH_BLAKE2B, padded, sizeof padded, data, 6, m2), 0);
	CHECK(memcmp(m1, m2, 64) == 0);
	memcpy(block, key, sizeof block);
	CHECK_EQ_INT(noise_hmac(NOISE_HASH_BLAKE2B, block, sizeof block, data, 6, m2), 0);
	CHECK(memcmp(m1, m2, 64) != 0); /* 128 bytes: not hashed, so a different MAC */

	/* BLAKE2b itself: noise_hash against crypto_generichash with a 64-byte output */
	crypto_generichash(m2, 64, data, 6, NULL, 0);
	CHECK_EQ_INT(noise_hash(NOISE_HASH_BLAKE2B, data, 6, m1), 0);
	CHECK(memcmp(m1, m2, 64) == 0);
	CHECK_EQ_INT(noise_hash((enum noise_hash)99, data, 6, m1), MAILLE_EINVAL);
	CHECK_EQ_INT(noise_hash_len((enum noise_hash)0), 0);
}

/* HKDF (§4.3) written out with noise_hmac, for the three hashes; outputs may alias ck. */
static void test_hkdf(void)
{
	const enum noise_hash hashes[] = { NOISE_HASH_SHA256, NOISE_HASH_SHA512,
		                           NOISE_HASH_BLAKE2B };
	for (size_t i = 0; i < 3; i++) {
		enum noise_hash h = hashes[i];
		size_t hl = noise_hash_len(h);
		uint8_t ck[64], ikm[32], tk[64], w1[64], w2[64], w3[64], in[65], o1[64], o2[64],
		    o3[64];
		randombytes_buf(ck, sizeof ck);
		randombytes_buf(ikm, sizeof ikm);
		CHECK_EQ_INT(noise_hmac(h, ck, hl, ikm, sizeof ikm, tk), 0);
		in[0] = 1;
		CHECK_EQ_INT(noise_hmac(h, tk, hl, in, 1, w1), 0);
		memcpy(in, w1, hl);
		in[hl] = 2;
		CHECK_EQ_INT(noise_hmac(h, tk, hl, in, hl + 1, w2), 0);
		memcpy(in, w2, hl);
		in[hl] = 3;
		CHECK_EQ_INT(noise_hmac(h, tk, hl, in, hl + 1, w3), 0);

		CHECK_EQ_INT(noise_hkdf(h, ck, ikm, sizeof ikm, o1, o2, o3), 0);
		CHECK(memcmp(o1, w1, hl) == 0 && memcmp(o2, w2, hl) == 0 &&
		      memcmp(o3, w3, hl) == 0);
		CHECK_EQ_INT(noise_hkdf(h, ck, ikm, sizeof ikm, ck, o2, NULL), 0); /* ck aliased */
		CHECK(memcmp(ck, w1, hl) == 0 && memcmp(o2, w2, hl) == 0);
	}
}

/* ---------------------------------------------------------------------------------------------
 * DH */

static void test_dh_low_order(void)
{
	uint8_t priv[32], pub[32], out[32];
	/* u = 0 and u = 1 are low-order points: any clamped scalar gives all zeros */
	uint8_t zero[32] = { 0 }, one[32] = { 1 };
	randombytes_buf(priv, sizeof priv);
	memset(out, 0xa5, sizeof out);
	CHECK_EQ_INT(noise_dh(priv, zero, out), MAILLE_EAUTH);
	CHECK_EQ_INT(noise_dh(priv, one, out), MAILLE_EAUTH);
	CHECK(out[0] == 0xa5 && out[31] == 0xa5); /* untouched on failure */
	CHECK_EQ_INT(noise_dh_public(priv, pub), 0);
	CHECK_EQ_INT(noise_dh(priv, pub, out), 0);

	/* in a handshake: NK towards an all-zero responder key fails at "es", and the handshake
	 * is abandoned with its output wiped */
	struct noise_handshake hs;
	uint8_t msg[128];
	size_t len = 0;
	struct noise_handshake_params p = { .protocol_name = "Noise_NK_25519_ChaChaPoly_SHA256",
		                            .initiator = true,
		                            .rs = zero };
	CHECK_EQ_INT(noise_handshake_init(&hs, &p), 0);
	memset(msg, 0xa5, sizeof msg);
	CHECK_EQ_INT(noise_handshake_write_message(&hs, NULL, 0, msg, sizeof msg, &len),
	             MAILLE_EAUTH);
	CHECK(sodium_is_zero(msg, 48));
	CHECK_EQ_INT(noise_handshake_action(&hs), NOISE_ACTION_FAILED);
	CHECK_EQ_INT(noise_handshake_write_message(&hs, NULL, 0, msg, sizeof msg, &len),
	             MAILLE_ESTATE);
	noise_handshake_done(&hs);

	/* a responder that receives a low-order ephemeral key fails at "ee" */
	struct noise_handshake res;
	uint8_t bogus[32] = { 0 }, payload[8];
	struct noise_handshake_params q = { .protocol_name = "Noise_NN_25519_ChaChaPoly_BLAKE2b" };
	CHECK_EQ_INT(noise_handshake_init(&res, &q), 0);
	CHECK_EQ_INT(noise_handshake_read_message(&res, bogus, 32, payload, sizeof payload, &len),
	             0);
	CHECK_EQ_INT(noise_handshake_write_message(&res, NULL, 0, msg, sizeof msg, &len),
	             MAILLE_EAUTH);
	CHECK_EQ_INT(noise_handshake_action(&res), NOISE_ACTION_FAILED);
	noise_handshake_done(&res);
}

/* ---------------------------------------------------------------------------------------------
 * CipherState */

static void test_cipher_tamper(void)
{
	struct noise_cipher a, b;
	uint8_t key[32], ct[64], pt[64];
	size_t len = 0, plen = 0;
	const uint8_t msg[] = "bonjour la maille";
	const uint8_t ad[] = "ad";
	randombytes_buf(key, sizeof key);
	noise_cipher_init(&a, key);
	noise_cipher_init(&b, key);
	CHECK_EQ_INT(noise_cipher_encrypt(&a, ad, 2, msg, sizeof msg, ct, sizeof ct, &len), 0);
	CHECK_EQ_INT(len, sizeof msg + NOISE_TAG_LEN);

	struct noise_cipher before = b;
	for (size_t i = 0; i < len; i += 7) {
		ct[i] ^= 0x01;
		plen = 12345;
		CHECK_EQ_INT(noise_cipher_decrypt(&b, ad, 2, ct, len, pt, sizeof pt, &plen),
		             MAILLE_EAUTH);
		CHECK_EQ_INT(plen, 12345);
		CHECK(memcmp(&before, &b, sizeof b) == 0); /* key and nonce unchanged */
		ct[i] ^= 0x01;
	}
	CHECK_EQ_INT(
	    noise_cipher_decrypt(&b, (const uint8_t *)"xx", 2, ct, len, pt, sizeof pt, &plen),
	    MAILLE_EAUTH); /* wrong ad */
	CHECK_EQ_INT(noise_cipher_decrypt(&b, ad, 2, ct, NOISE_TAG_LEN - 1, pt, sizeof pt, &plen),
	             MAILLE_EPROTO);
	CHECK_EQ_INT(noise_cipher_decrypt(&b, ad, 2, ct, len, pt, 3, &plen), MAILLE_ETOOBIG);
	CHECK(memcmp(&before, &b, sizeof b) == 0);
	CHECK_EQ_INT(noise_cipher_decrypt(&b, ad, 2, ct, len, pt, sizeof pt, &plen), 0);
	CHECK(plen == sizeof msg && memcmp(pt, msg, plen) == 0);
	/* a replay of the same message fails: the nonce has moved on */
	CHECK_EQ_INT(noise_cipher_decrypt(&b, ad, 2, ct, len, pt, sizeof pt, &plen), MAILLE_EAUTH);

	/* in place, both ways */
	memcpy(pt, msg, sizeof msg);
	CHECK_EQ_INT(noise_cipher_encrypt(&a, NULL, 0, pt, sizeof msg, pt, sizeof pt, &len), 0);
	CHECK_EQ_INT(noise_cipher_decrypt(&b, NULL, 0, pt, len, pt, sizeof pt, &plen), 0);
	CHECK(plen == sizeof msg && memcmp(pt, msg, plen) == 0);

	/* a keyless (or wiped) cipher never passes plaintext through */
	struct noise_cipher none;
	noise_cipher_init(&none, NULL);
	CHECK(!noise_cipher_has_key(&none));
	CHECK_EQ_INT(noise_cipher_encrypt(&none, NULL, 0, msg, sizeof msg, ct, sizeof ct, &len),
	             MAILLE_ESTATE);
	CHECK_EQ_INT(noise_cipher_rekey(&none), MAILLE_ESTATE);
	noise_cipher_done(&a);
	CHECK_EQ_INT(noise_cipher_encrypt(&a, NULL, 0, msg, sizeof msg, ct, sizeof ct, &len),
	             MAILLE_ESTATE);
	noise_cipher_done(&b);
}

static void test_cipher_nonce_exhaustion(void)
{
	struct noise_cipher a, b;
	uint8_t key[32], ct[32], pt[32];
	size_t len = 0, plen = 0;
	randombytes_buf(key, sizeof key);
	noise_cipher_init(&a, key);
	noise_cipher_init(&b, key);
	noise_cipher_set_nonce(&a, UINT64_MAX - 1);
	noise_cipher_set_nonce(&b, UINT64_MAX - 1);
	CHECK_EQ_INT(
	    noise_cipher_encrypt(&a, NULL, 0, (const uint8_t *)"x", 1, ct, sizeof ct, &len), 0);
	CHECK_EQ_INT(noise_cipher_decrypt(&b, NULL, 0, ct, len, pt, sizeof pt, &plen), 0);
	/* n is now 2^64-1, which is reserved (§5.1) */
	CHECK_EQ_INT(
	    noise_cipher_encrypt(&a, NULL, 0, (const uint8_t *)"x", 1, ct, sizeof ct, &len),
	    MAILLE_ETOOBIG);
	CHECK_EQ_INT(noise_cipher_decrypt(&b, NULL, 0, ct, len, pt, sizeof pt, &plen),
	             MAILLE_ETOOBIG);
	CHECK_EQ_INT(noise_cipher_encrypt(&a, NULL, 0, NULL, 0, ct, sizeof ct, &len),
	             MAILLE_ETOOBIG);
	noise_cipher_done(&a);
	noise_cipher_done(&b);
}

static void test_cipher_rekey(void)
{
	struct noise_cipher a, b, c;
	uint8_t key[32], ca[32], cb[32], cc[32], zeros[32] = { 0 }, rk[48], nonce[12];
	size_t la = 0, lb = 0, lc = 0;
	const uint8_t m[] = "same";
	randombytes_buf(key, sizeof key);
	noise_cipher_init(&a, key);
	noise_cipher_init(&b, key);

	CHECK_EQ_INT(noise_cipher_rekey(&a), 0);
	CHECK_EQ_INT(noise_cipher_encrypt(&a, NULL, 0, m, 4, ca, sizeof ca, &la), 0);
	CHECK_EQ_INT(noise_cipher_encrypt(&b, NULL, 0, m, 4, cb, sizeof cb, &lb), 0);
	CHECK(la == lb && memcmp(ca, cb, la) != 0); /* rekey changed the output */
	CHECK_EQ_INT(noise_cipher_rekey(&b), 0);
	CHECK_EQ_INT(noise_cipher_encrypt(&a, NULL, 0, m, 4, ca, sizeof ca, &la), 0);
	CHECK_EQ_INT(noise_cipher_encrypt(&b, NULL, 0, m, 4, cb, sizeof cb, &lb), 0);
	CHECK(la == lb && memcmp(ca, cb, la) == 0); /* same rekey on both ends: in step again */

	/* REKEY(k) = first 32 bytes of ENCRYPT(k, 2^64-1, "", zeros) (§4.2), and n is kept */
	memset(nonce, 0, 4);
	memset(nonce + 4, 0xff, 8);
	crypto_aead_chacha20poly1305_ietf_encrypt(rk, NULL, zeros, 32, NULL, 0, NULL, nonce, key);
	noise_cipher_init(&c, rk);
	noise_cipher_set_nonce(&c, 1);
	noise_cipher_init(&a, key);
	noise_cipher_set_nonce(&a, 1);
	CHECK_EQ_INT(noise_cipher_rekey(&a), 0);
	CHECK_EQ_INT(noise_cipher_encrypt(&a, NULL, 0, m, 4, ca, sizeof ca, &la), 0);
	CHECK_EQ_INT(noise_cipher_encrypt(&c, NULL, 0, m, 4, cc, sizeof cc, &lc), 0);
	CHECK(la == lc && memcmp(ca, cc, la) == 0);
	noise_cipher_done(&a);
	noise_cipher_done(&b);
	noise_cipher_done(&c);
}

static void test_transport_limits(void)
{
	static uint8_t big[NOISE_MSG_MAX + 32], out[NOISE_MSG_MAX + 32];
	struct noise_cipher a, b;
	uint8_t key[32];
	size_t len = 0, plen = 0;
	randombytes_buf(key, sizeof key);
	noise_cipher_init(&a, key);
	noise_cipher_init(&b, key);
	CHECK_EQ_INT(noise_cipher_encrypt(&a, NULL, 0, big, NOISE_TRANSPORT_PAYLOAD_MAX + 1, out,
	                                  sizeof out, &len),
	             MAILLE_ETOOBIG);
	CHECK_EQ_INT(noise_cipher_encrypt(&a, NULL, 0, big, 10, out, 25, &len), MAILLE_ETOOBIG);
	CHECK_EQ_INT(noise_cipher_encrypt(&a, NULL, 0, big, NOISE_TRANSPORT_PAYLOAD_MAX, out,
	                                  sizeof out, &len),
	             0);
	CHECK_EQ_INT(len, NOISE_MSG_MAX);
	CHECK_EQ_INT(
	    noise_cipher_decrypt(&b, NULL, 0, out, NOISE_MSG_MAX + 1, big, sizeof big, &plen),
	    MAILLE_ETOOBIG);
	CHECK_EQ_INT(noise_cipher_decrypt(&b, NULL, 0, out, len, big, sizeof big, &plen), 0);
	CHECK_EQ_INT(plen, NOISE_TRANSPORT_PAYLOAD_MAX);
	/* empty payloads are valid messages (a keep-alive is one) */
	CHECK_EQ_INT(noise_cipher_encrypt(&a, NULL, 0, NULL, 0, out, sizeof out, &len), 0);
	CHECK_EQ_INT(len, NOISE_TAG_LEN);
	CHECK_EQ_INT(noise_cipher_decrypt(&b, NULL, 0, out, len, NULL, 0, &plen), 0);
	CHECK_EQ_INT(plen, 0);
	noise_cipher_done(&a);
	noise_cipher_done(&b);
}

/* ---------------------------------------------------------------------------------------------
 * HandshakeState */

static const char xxpsk0[] = "Noise_XXpsk0_25519_ChaChaPoly_BLAKE2b";
static const uint8_t prologue[] = "maille/test";

static int counting_rng_calls;
static void counting_rng(void *ctx, uint8_t *buf, size_t len)
{
	counting_rng_calls++;
	randombytes_buf(buf, len);
	(void)ctx;
}

/* Keys of a two-party test: static keys and one psk. */
struct pair {
	uint8_t si[32], sr[32], psk[32];
};

static void pair_new(struct pair *k)
{
	randombytes_buf(k->si, 32);
	randombytes_buf(k->sr, 32);
	randombytes_buf(k->psk, 32);
}

static int pair_init(struct noise_handshake *hs, const char *name, bool initiator,
                     const struct pair *k, const uint8_t *psk)
{
	struct noise_handshake_params p = {
		.protocol_name = name,
		.initiator = initiator,
		.prologue = prologue,
		.prologue_len = sizeof prologue,
		.s = initiator ? k->si : k->sr,
		.psks = psk,
		.n_psks = psk ? 1 : 0,
		.rng = initiator ? counting_rng : NULL, /* the responder uses randombytes_buf */
	};
	return noise_handshake_init(hs, &p);
}

/* Sends one handshake message from w to r with a payload of len bytes. */
static int pass(struct noise_handshake *w, struct noise_handshake *r, size_t len)
{
	static uint8_t msg[NOISE_MSG_MAX], pay[NOISE_MSG_MAX], back[NOISE_MSG_MAX];
	size_t mlen = 0, blen = 0;
	randombytes_buf(pay, len);
	int rc = noise_handshake_write_message(w, pay, len, msg, sizeof msg, &mlen);
	if (rc != 0)
		return rc;
	if (mlen != noise_handshake_overhead(r) + len)
		return MAILLE_EPROTO;
	rc = noise_handshake_read_message(r, msg, mlen, back, sizeof back, &blen);
	if (rc != 0)
		return rc;
	return blen == len && memcmp(pay, back, len) == 0 ? 0 : MAILLE_EPROTO;
}

/* Maille's handshake, for each hash, with drawn ephemerals and the largest payloads. */
static void test_full_session(void)
{
	const char *names[] = { xxpsk0, "Noise_XXpsk0_25519_ChaChaPoly_SHA512",
		                "Noise_XXpsk0_25519_ChaChaPoly_SHA256" };
	for (size_t n = 0; n < 3; n++) {
		struct noise_handshake ini, res;
		struct noise_cipher is, ir, rs_, rr;
		struct pair k;
		uint8_t pub[32], got[32], hi[64], hr[64];
		size_t hil = 0, hrl = 0;
		pair_new(&k);
		counting_rng_calls = 0;
		CHECK_EQ_INT(pair_init(&ini, names[n], true, &k, k.psk), 0);
		CHECK_EQ_INT(pair_init(&res, names[n], false, &k, k.psk), 0);
		CHECK_EQ_INT(counting_rng_calls, 1);
		CHECK(!noise_handshake_one_way(&ini));
		CHECK_EQ_INT(noise_handshake_remote_static(&res, got), MAILLE_ENOTFOUND);

		/* psk0: message 1 is e plus a tagged payload */
		CHECK_EQ_INT(noise_handshake_overhead(&ini), 32 + 16);
		CHECK_EQ_INT(noise_handshake_payload_max(&ini), NOISE_MSG_MAX - 48);
		CHECK_EQ_INT(pass(&ini, &res, noise_handshake_payload_max(&ini)), 0);
		/* message 2: e, ee, s (encrypted), es, payload */
		CHECK_EQ_INT(noise_handshake_overhead(&res), 32 + 48 + 16);
		CHECK_EQ_INT(pass(&res, &ini, 100), 0);
		CHECK_EQ_INT(noise_handshake_payload_max(&ini), NOISE_MSG_MAX - 64);
		CHECK_EQ_INT(pass(&ini, &res, 0), 0);
		CHECK(noise_handshake_complete(&ini) && noise_handshake_complete(&res));
		CHECK_EQ_INT(noise_handshake_action(&ini), NOISE_ACTION_SPLIT);
		CHECK_EQ_INT(noise_handshake_payload_max(&ini), 0);

		CHECK_EQ_INT(noise_dh_public(k.si, pub), 0);
		CHECK_EQ_INT(noise_handshake_remote_static(&res, got), 0);
		CHECK(memcmp(pub, got, 32) == 0);
		CHECK_EQ_INT(noise_dh_public(k.sr, pub), 0);
		CHECK_EQ_INT(noise_handshake_remote_static(&ini, got), 0);
		CHECK(memcmp(pub, got, 32) == 0);

		CHECK_EQ_INT(noise_handshake_split(&ini, &is, &ir), 0);
		CHECK_EQ_INT(noise_handshake_split(&res, &rs_, &rr), 0);
		CHECK_EQ_INT(noise_handshake_split(&res, &rs_, &rr), MAILLE_ESTATE);
		CHECK_EQ_INT(noise_handshake_action(&res), NOISE_ACTION_DONE);
		CHECK_EQ_INT(noise_handshake_hash(&ini, hi, &hil), 0);
		CHECK_EQ_INT(noise_handshake_hash(&res, hr, &hrl), 0);
		CHECK(hil == noise_hash_len(n == 2 ? NOISE_HASH_SHA256 : NOISE_HASH_SHA512));
		CHECK(hil == hrl && memcmp(hi, hr, hil) == 0);
		CHECK_EQ_INT(noise_handshake_remote_static(&ini, got), 0); /* still readable */

		/* transport both ways, then a rekey on both ends */
		uint8_t ct[64], pt[64];
		size_t cl = 0, pl = 0;
		CHECK_EQ_INT(noise_cipher_encrypt(&is, NULL, 0, (const uint8_t *)"ping", 4, ct,
		                                  sizeof ct, &cl),
		             0);
		CHECK_EQ_INT(noise_cipher_decrypt(&rr, NULL, 0, ct, cl, pt, sizeof pt, &pl), 0);
		CHECK(pl == 4 && memcmp(pt, "ping", 4) == 0);
		CHECK_EQ_INT(noise_cipher_encrypt(&rs_, NULL, 0, (const uint8_t *)"pong", 4, ct,
		                                  sizeof ct, &cl),
		             0);
		CHECK_EQ_INT(noise_cipher_decrypt(&ir, NULL, 0, ct, cl, pt, sizeof pt, &pl), 0);
		CHECK(pl == 4 && memcmp(pt, "pong", 4) == 0);
		/* a message for the other direction does not decrypt */
		CHECK_EQ_INT(
		    noise_cipher_encrypt(&is, NULL, 0, (const uint8_t *)"x", 1, ct, sizeof ct, &cl),
		    0);
		CHECK_EQ_INT(noise_cipher_decrypt(&ir, NULL, 0, ct, cl, pt, sizeof pt, &pl),
		             MAILLE_EAUTH);
		CHECK_EQ_INT(noise_cipher_decrypt(&rr, NULL, 0, ct, cl, pt, sizeof pt, &pl), 0);
		CHECK_EQ_INT(noise_cipher_rekey(&is), 0);
		CHECK_EQ_INT(noise_cipher_rekey(&rr), 0);
		CHECK_EQ_INT(noise_cipher_encrypt(&is, NULL, 0, (const uint8_t *)"again", 5, ct,
		                                  sizeof ct, &cl),
		             0);
		CHECK_EQ_INT(noise_cipher_decrypt(&rr, NULL, 0, ct, cl, pt, sizeof pt, &pl), 0);

		noise_handshake_done(&ini);
		noise_handshake_done(&res);
		CHECK_EQ_INT(noise_handshake_action(&ini), NOISE_ACTION_FAILED);
		noise_cipher_done(&is);
		noise_cipher_done(&ir);
		noise_cipher_done(&rs_);
		noise_cipher_done(&rr);
	}
}

static void test_wrong_turn(void)
{
	struct noise_handshake ini, res;
	struct noise_cipher a, b;
	struct pair k;
	uint8_t msg[256], pay[256], h[64];
	size_t len = 0, plen = 0;
	pair_new(&k);
	CHECK_EQ_INT(pair_init(&ini, xxpsk0, true, &k, k.psk), 0);
	CHECK_EQ_INT(pair_init(&res, xxpsk0, false, &k, k.psk), 0);
	struct noise_handshake ini0 = ini, res0 = res;

	CHECK_EQ_INT(noise_handshake_action(&ini), NOISE_ACTION_WRITE);
	CHECK_EQ_INT(noise_handshake_action(&res), NOISE_ACTION_READ);
	CHECK_EQ_INT(noise_handshake_write_message(&res, NULL, 0, msg, sizeof msg, &len),
	             MAILLE_ESTATE);
	CHECK_EQ_INT(noise_handshake_read_message(&ini, msg, 48, pay, sizeof pay, &plen),
	             MAILLE_ESTATE);
	CHECK_EQ_INT(noise_handshake_split(&ini, &a, &b), MAILLE_ESTATE);
	CHECK_EQ_INT(noise_handshake_hash(&ini, h, &len), MAILLE_ESTATE);
	/* refused calls change nothing */
	CHECK(memcmp(&ini, &ini0, sizeof ini) == 0 && memcmp(&res, &res0, sizeof res) == 0);

	CHECK_EQ_INT(pass(&ini, &res, 5), 0);
	CHECK_EQ_INT(noise_handshake_write_message(&ini, NULL, 0, msg, sizeof msg, &len),
	             MAILLE_ESTATE); /* twice in a row */
	CHECK_EQ_INT(pass(&res, &ini, 5), 0);
	CHECK_EQ_INT(pass(&ini, &res, 5), 0);
	/* complete: no more handshake messages either way */
	CHECK_EQ_INT(noise_handshake_write_message(&ini, NULL, 0, msg, sizeof msg, &len),
	             MAILLE_ESTATE);
	CHECK_EQ_INT(noise_handshake_read_message(&res, msg, 64, pay, sizeof pay, &plen),
	             MAILLE_ESTATE);
	CHECK_EQ_INT(noise_handshake_split(&ini, &a, &a), MAILLE_EINVAL);
	CHECK_EQ_INT(noise_handshake_split(&ini, &a, &b), 0);
	CHECK_EQ_INT(noise_handshake_write_message(&ini, NULL, 0, msg, sizeof msg, &len),
	             MAILLE_ESTATE);
	noise_handshake_done(&ini);
	noise_handshake_done(&res);
	noise_cipher_done(&a);
	noise_cipher_done(&b);
}

/* Message 1 of XXpsk0 from a peer without the network key, truncated or altered. */
static void test_bad_first_message(void)
{
	struct noise_handshake ini, res, res_copy;
	struct pair k;
	uint8_t msg[256], pay[256], other_psk[32];
	size_t len = 0, plen = 0;
	pair_new(&k);
	randombytes_buf(other_psk, sizeof other_psk);

	/* a non-member: its first message fails authentication at the responder */
	CHECK_EQ_INT(pair_init(&ini, xxpsk0, true, &k, other_psk), 0);
	CHECK_EQ_INT(pair_init(&res, xxpsk0, false, &k, k.psk), 0);
	CHECK_EQ_INT(
	    noise_handshake_write_message(&ini, (const uint8_t *)"ts", 2, msg, sizeof msg, &len),
	    0);
	memset(pay, 0xa5, sizeof pay);
	CHECK_EQ_INT(noise_handshake_read_message(&res, msg, len, pay, sizeof pay, &plen),
	             MAILLE_EAUTH);
	CHECK(pay[0] == 0 && pay[1] == 0); /* no unauthenticated plaintext left behind */
	CHECK_EQ_INT(noise_handshake_action(&res), NOISE_ACTION_FAILED);
	CHECK_EQ_INT(noise_handshake_read_message(&res, msg, len, pay, sizeof pay, &plen),
	             MAILLE_ESTATE);
	noise_handshake_done(&ini);

	/* a member's message, truncated: refused before any state change */
	CHECK_EQ_INT(pair_init(&ini, xxpsk0, true, &k, k.psk), 0);
	CHECK_EQ_INT(pair_init(&res, xxpsk0, false, &k, k.psk), 0);
	CHECK_EQ_INT(
	    noise_handshake_write_message(&ini, (const uint8_t *)"ts", 2, msg, sizeof msg, &len),
	    0);
	res_copy = res;
	for (size_t cut = 0; cut < 48; cut++)
		CHECK_EQ_INT(noise_handshake_read_message(&res, msg, cut, pay, sizeof pay, &plen),
		             MAILLE_EPROTO);
	CHECK_EQ_INT(noise_handshake_read_message(&res, msg, len, pay, 1, &plen), MAILLE_ETOOBIG);
	CHECK(memcmp(&res, &res_copy, sizeof res) == 0);
	/* one byte short or long, or any bit flipped: the payload tag fails */
	for (size_t i = 0; i < len + 2; i++) {
		struct noise_handshake r2 = res_copy;
		size_t l = i == len ? len - 1 : i == len + 1 ? len + 1 : len;
		if (i < len)
			msg[i] ^= 0x80;
		CHECK_EQ_INT(noise_handshake_read_message(&r2, msg, l, pay, sizeof pay, &plen),
		             MAILLE_EAUTH);
		if (i < len)
			msg[i] ^= 0x80;
		noise_handshake_done(&r2);
	}
	CHECK_EQ_INT(noise_handshake_read_message(&res, msg, len, pay, sizeof pay, &plen), 0);
	CHECK(plen == 2 && memcmp(pay, "ts", 2) == 0);
	CHECK_EQ_INT(
	    noise_handshake_read_message(&res, msg, NOISE_MSG_MAX + 1, pay, sizeof pay, &plen),
	    MAILLE_ESTATE); /* responder's turn to write now */
	noise_handshake_done(&ini);
	noise_handshake_done(&res);
	noise_handshake_done(&res_copy);
}

static void test_one_way(void)
{
	struct noise_handshake ini, res;
	struct noise_cipher is, ir, rs_, rr;
	uint8_t sr[32], pr[32], msg[128], pay[128], ct[64];
	size_t len = 0, plen = 0;
	randombytes_buf(sr, sizeof sr);
	CHECK_EQ_INT(noise_dh_public(sr, pr), 0);
	struct noise_handshake_params pi = { .protocol_name = "Noise_N_25519_ChaChaPoly_SHA512",
		                             .initiator = true,
		                             .rs = pr };
	struct noise_handshake_params pres = { .protocol_name = "Noise_N_25519_ChaChaPoly_SHA512",
		                               .s = sr };
	CHECK_EQ_INT(noise_handshake_init(&ini, &pi), 0);
	CHECK_EQ_INT(noise_handshake_init(&res, &pres), 0);
	CHECK(noise_handshake_one_way(&ini) && noise_handshake_one_way(&res));
	CHECK_EQ_INT(
	    noise_handshake_write_message(&ini, (const uint8_t *)"hi", 2, msg, sizeof msg, &len),
	    0);
	CHECK_EQ_INT(noise_handshake_read_message(&res, msg, len, pay, sizeof pay, &plen), 0);
	CHECK_EQ_INT(noise_handshake_split(&ini, &is, &ir), 0);
	CHECK_EQ_INT(noise_handshake_split(&res, &rs_, &rr), 0);
	CHECK(noise_cipher_has_key(&is) && noise_cipher_has_key(&rr));
	CHECK(!noise_cipher_has_key(&ir) && !noise_cipher_has_key(&rs_));
	CHECK_EQ_INT(
	    noise_cipher_encrypt(&rs_, NULL, 0, (const uint8_t *)"no", 2, ct, sizeof ct, &len),
	    MAILLE_ESTATE);
	CHECK_EQ_INT(
	    noise_cipher_encrypt(&is, NULL, 0, (const uint8_t *)"ok", 2, ct, sizeof ct, &len), 0);
	CHECK_EQ_INT(noise_cipher_decrypt(&ir, NULL, 0, ct, len, pay, sizeof pay, &plen),
	             MAILLE_ESTATE);
	CHECK_EQ_INT(noise_cipher_decrypt(&rr, NULL, 0, ct, len, pay, sizeof pay, &plen), 0);
	noise_handshake_done(&ini);
	noise_handshake_done(&res);
	noise_cipher_done(&is);
	noise_cipher_done(&rr);
}

static void test_bad_params(void)
{
	static const char *const bad_names[] = {
		"",
		"Noise_",
		"Noise_XX_25519_ChaChaPoly",
		"Noise_XX_25519_ChaChaPoly_BLAKE2s",
		"Noise_XX_25519_AESGCM_SHA256",
		"Noise_XX_448_ChaChaPoly_SHA256",
		"Noise_XX_25519_ChaChaPoly_SHA256_",
		"Noise__25519_ChaChaPoly_SHA256",
		"Noise_QQ_25519_ChaChaPoly_SHA256",
		"Noise_XXfallback_25519_ChaChaPoly_SHA256",
		"Noise_XXpsk_25519_ChaChaPoly_SHA256",
		"Noise_XXpsk4_25519_ChaChaPoly_SHA256",
		"Noise_XXpsk00_25519_ChaChaPoly_SHA256",
		"Noise_XXpsk0+psk0_25519_ChaChaPoly_SHA256",
		"Noise_XXpsk0+_25519_ChaChaPoly_SHA256",
		"Noise_XXpsk0psk1_25519_ChaChaPoly_SHA256",
		"Noise_Npsk2_25519_ChaChaPoly_SHA256",
		"noise_XX_25519_ChaChaPoly_SHA256",
	};
	struct noise_handshake hs;
	uint8_t s[32], rs[32], psks[64];
	randombytes_buf(s, sizeof s);
	randombytes_buf(psks, sizeof psks);
	CHECK_EQ_INT(noise_dh_public(s, rs), 0);
	for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++) {
		struct noise_handshake_params p = { .protocol_name = bad_names[i],
			                            .initiator = true,
			                            .s = s,
			                            .psks = psks,
			                            .n_psks = 1 };
		int r = noise_handshake_init(&hs, &p);
		if (r != MAILLE_EINVAL)
			fprintf(stderr, "accepted: %s\n", bad_names[i]);
		CHECK_EQ_INT(r, MAILLE_EINVAL);
		CHECK_EQ_INT(noise_handshake_action(&hs), NOISE_ACTION_FAILED);
	}
	struct noise_handshake_params p = { .protocol_name = "Noise_XX_25519_ChaChaPoly_SHA256",
		                            .initiator = true };
	CHECK_EQ_INT(noise_handshake_init(&hs, &p), MAILLE_EINVAL); /* XX needs s */
	p.s = s;
	p.rs = rs;
	CHECK_EQ_INT(noise_handshake_init(&hs, &p), MAILLE_EINVAL); /* rs would be overwritten */
	p.rs = NULL;
	p.n_psks = 1;
	p.psks = psks;
	CHECK_EQ_INT(noise_handshake_init(&hs, &p), MAILLE_EINVAL); /* no psk token */
	p.protocol_name = "Noise_XXpsk0+psk3_25519_ChaChaPoly_SHA256";
	CHECK_EQ_INT(noise_handshake_init(&hs, &p), MAILLE_EINVAL); /* two psk tokens */
	p.n_psks = 2;
	CHECK_EQ_INT(noise_handshake_init(&hs, &p), 0);
	p.protocol_name = "Noise_NK_25519_ChaChaPoly_SHA256";
	p.n_psks = 0;
	CHECK_EQ_INT(noise_handshake_init(&hs, &p), MAILLE_EINVAL); /* NK needs rs */
	p.rs = rs;
	CHECK_EQ_INT(noise_handshake_init(&hs, &p), 0); /* an unused s is fine */
	p.prologue_len = 3;
	CHECK_EQ_INT(noise_handshake_init(&hs, &p), MAILLE_EINVAL); /* NULL prologue */
	CHECK_EQ_INT(noise_handshake_init(&hs, NULL), MAILLE_EINVAL);
	noise_handshake_done(&hs);
}

/* A name longer than HASHLEN is hashed by InitializeSymmetric (§5.2): check both branches. */
static void test_symmetric_init(void)
{
	struct noise_symmetric ss;
	uint8_t h[64], want[64] = { 0 };
	const char *shortn = "Noise_XX_25519_ChaChaPoly_SHA256"; /* 32 bytes: padded, not hashed */
	const char *longn = "Noise_XXpsk0+psk3_25519_ChaChaPoly_SHA256";
	CHECK_EQ_INT(noise_symmetric_init(&ss, NOISE_HASH_SHA256, shortn, strlen(shortn)), 0);
	CHECK_EQ_INT(noise_symmetric_handshake_hash(&ss, h), 32);
	CHECK(memcmp(h, shortn, 32) == 0);
	CHECK_EQ_INT(noise_symmetric_init(&ss, NOISE_HASH_SHA256, longn, strlen(longn)), 0);
	noise_symmetric_handshake_hash(&ss, h);
	crypto_hash_sha256(want, (const uint8_t *)longn, strlen(longn));
	CHECK(memcmp(h, want, 32) == 0);
	CHECK_EQ_INT(noise_symmetric_init(&ss, NOISE_HASH_SHA256, longn, 256), MAILLE_EINVAL);

	/* without a key, EncryptAndHash copies and still hashes */
	uint8_t out[8];
	size_t len = 0;
	CHECK_EQ_INT(
	    noise_symmetric_encrypt_and_hash(&ss, (const uint8_t *)"abc", 3, out, sizeof out, &len),
	    0);
	CHECK(len == 3 && memcmp(out, "abc", 3) == 0);
	noise_symmetric_handshake_hash(&ss, h);
	CHECK(memcmp(h, want, 32) != 0);
	noise_symmetric_done(&ss);
}

CHECK_MAIN_ARGS(test_sodium_init, test_vectors, test_hmac_rfc4231, test_hmac_blake2b, test_hkdf,
                test_dh_low_order, test_cipher_tamper, test_cipher_nonce_exhaustion,
                test_cipher_rekey, test_transport_limits, test_full_session, test_wrong_turn,
                test_bad_first_message, test_one_way, test_bad_params, test_symmetric_init)
