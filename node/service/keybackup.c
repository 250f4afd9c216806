/* node/service/keybackup.c: the key backup file (maille key export, maille init --restore).
 *
 * A backup is what a node needs to come back under the same identity after its directory is
 * lost: the territory's Ed25519 seed, the territory's name and, when the node has one, its
 * federation (name + network key), so that a restored node can rejoin at once. Everything
 * secret is inside one XSalsa20-Poly1305 box whose key is derived from a passphrase with
 * Argon2id; the clear lines hold only what is needed to open it.
 *
 * The file is text, one item per line, each line ending with '\n', in this order and nothing
 * else (no comments, no blank lines, no '\r'):
 *
 *   maille-key-backup 1
 *   kdf argon2id13 <opslimit> <memlimit>
 *   salt <32 lowercase hex digits: crypto_pwhash_SALTBYTES = 16 bytes>
 *   nonce <48 lowercase hex digits: crypto_secretbox_NONCEBYTES = 24 bytes>
 *   box <standard base64 with padding, no line breaks>
 *
 *   - the first line names the format and its version; another version is refused as such;
 *   - opslimit and memlimit are decimal, without sign or leading zeros: the parameters of
 *     crypto_pwhash(..., crypto_pwhash_ALG_ARGON2ID13) that derive the 32-byte secretbox key
 *     from the passphrase and the salt. `maille key export` writes OPSLIMIT_MODERATE (3) and
 *     MEMLIMIT_MODERATE (256 MiB). A reader refuses, before any work, limits outside
 *     [crypto_pwhash_argon2id_OPSLIMIT_MIN, _SENSITIVE] and [_MEMLIMIT_MIN, _SENSITIVE]
 *     (1..4 passes, 8 KiB..1 GiB): a hostile file must not make it allocate gigabytes;
 *   - box is crypto_secretbox_easy(plaintext, nonce, key): MAC (16 bytes) then ciphertext;
 *   - a file over KEYBACKUP_FILE_MAX (4 KiB) is refused unread.
 *
 * The plaintext is one canonical msgpack map (proto/value.h, PROTOCOL.md §1.2) with exactly
 * these keys:
 *
 *   seed        bin 32   the Ed25519 seed of the territory key (DIR/node.key)
 *   name        str      the territory's name, 1..255 bytes without control characters
 *   federation  map      only when the node belongs to one, with exactly:
 *     name      str      the federation's name (federation_name_valid's rule)
 *     key       bin 32   the network key (DIR/federation)
 *
 * Canonical on both levels: keybackup_format(keybackup_parse(x)) == x, and
 * keybackup_plain_encode(keybackup_plain_decode(p)) == p (tests/fuzz/fuzz_keybackup.c checks
 * both), so one backup has one spelling and a damaged one is refused rather than guessed. */
#include "node/service/keybackup.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/error.h"
#include "proto/value.h"

_Static_assert(crypto_secretbox_KEYBYTES == 32, "the derived key fills a secretbox key");
_Static_assert(KEYBACKUP_SALT_LEN == 16 && KEYBACKUP_NONCE_LEN == 24,
               "the format fixes 32 and 48 hex digits");

static int fail(char *why, size_t why_cap, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(char *why, size_t why_cap, int code, const char *fmt, ...)
{
	if (why && why_cap) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(why, why_cap, fmt, ap);
		va_end(ap);
	}
	return code;
}

/* On unsigned long long, so that a file's number is checked before it becomes a size_t. */
static bool limits_ok(unsigned long long opslimit, unsigned long long memlimit)
{
	return opslimit >= crypto_pwhash_argon2id_OPSLIMIT_MIN &&
	       opslimit <= crypto_pwhash_argon2id_OPSLIMIT_SENSITIVE &&
	       memlimit >= crypto_pwhash_argon2id_MEMLIMIT_MIN &&
	       memlimit <= crypto_pwhash_argon2id_MEMLIMIT_SENSITIVE;
}

bool keybackup_limits_ok(unsigned long long opslimit, size_t memlimit)
{
	return limits_ok(opslimit, memlimit);
}

static bool no_control(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

bool keybackup_name_valid(const char *s, size_t len)
{
	return len >= 1 && len <= KEYBACKUP_NAME_MAX && proto_utf8_valid((const uint8_t *)s, len) &&
	       no_control(s, len);
}

bool keybackup_federation_name_valid(const char *s, size_t len)
{
	/* one line of the federation file: no surrounding blanks, which the file would lose */
	return len >= 1 && len <= KEYBACKUP_FED_NAME_MAX &&
	       proto_utf8_valid((const uint8_t *)s, len) && no_control(s, len) && s[0] != ' ' &&
	       s[len - 1] != ' ';
}

/* ---- the text file --------------------------------------------------------------------- */

/* A decimal number without sign or leading zeros (so that it has one spelling). */
static bool parse_dec(const char *s, size_t len, unsigned long long *ret)
{
	if (len == 0 || len > 20 || (len > 1 && s[0] == '0'))
		return false;
	unsigned long long v = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (ULLONG_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*ret = v;
	return true;
}

/* Exactly 2*n lowercase hex digits (the spelling keybackup_format writes). */
static bool parse_hex(const char *s, size_t len, uint8_t *ret, size_t n)
{
	if (len != 2 * n)
		return false;
	for (size_t i = 0; i < n; i++) {
		int v = 0;
		for (size_t k = 0; k < 2; k++) {
			char c = s[2 * i + k];
			int d = c >= '0' && c <= '9'   ? c - '0'
			        : c >= 'a' && c <= 'f' ? c - 'a' + 10
			                               : -1;
			if (d < 0)
				return false;
			v = v << 4 | d;
		}
		ret[i] = (uint8_t)v;
	}
	return true;
}

/* Line no of text, at *pos, without its '\n'; a missing or unterminated line is refused
 * (a truncated file, typically). */
static int take_line(const char *text, size_t len, size_t *pos, unsigned no, const char **line,
                     size_t *line_len, char *why, size_t why_cap)
{
	if (*pos >= len)
		return fail(why, why_cap, MAILLE_EPROTO, "line %u is missing (truncated file?)",
		            no);
	const char *nl = memchr(text + *pos, '\n', len - *pos);
	if (!nl)
		return fail(why, why_cap, MAILLE_EPROTO,
		            "line %u does not end with a newline (truncated file?)", no);
	*line = text + *pos;
	*line_len = (size_t)(nl - *line);
	*pos += *line_len + 1;
	return 0;
}

/* line starts with prefix: *rest and *rest_len are what follows it. */
static bool strip(const char *line, size_t len, const char *prefix, const char **rest,
                  size_t *rest_len)
{
	size_t plen = strlen(prefix);
	if (len < plen || memcmp(line, prefix, plen) != 0)
		return false;
	*rest = line + plen;
	*rest_len = len - plen;
	return true;
}

int keybackup_parse(const char *text, size_t len, keybackup_file *ret, char *why, size_t why_cap)
{
	if (len > KEYBACKUP_FILE_MAX)
		return fail(why, why_cap, MAILLE_ETOOBIG, "larger than %u bytes",
		            KEYBACKUP_FILE_MAX);
	if (memchr(text, '\0', len))
		return fail(why, why_cap, MAILLE_EPROTO, "not a text file");
	if (memchr(text, '\r', len))
		return fail(why, why_cap, MAILLE_EPROTO,
		            "carriage return in the file (its lines end with \\n only)");
	memset(ret, 0, sizeof *ret);
	/* set by take_line and strip before any use; initialised because gcc -O3 cannot see it
	 * through the inlined calls (-Wmaybe-uninitialized in a release build) */
	size_t pos = 0, n = 0, rn = 0;
	const char *line = NULL, *rest = NULL;
	int r;

	/* 1: the format and its version. The line is never echoed: the file may be hostile and
	 * the reason is printed on a terminal. */
	if ((r = take_line(text, len, &pos, 1, &line, &n, why, why_cap)))
		return r;
	if (!(n == strlen(KEYBACKUP_MAGIC) && memcmp(line, KEYBACKUP_MAGIC, n) == 0)) {
		unsigned long long version;
		if (strip(line, n, "maille-key-backup ", &rest, &rn) &&
		    parse_dec(rest, rn, &version))
			return fail(why, why_cap, MAILLE_EVERSION,
			            "another version of the key backup format (this maille reads "
			            "version 1)");
		return fail(why, why_cap, MAILLE_EPROTO,
		            "not a Maille key backup (line 1 is not '" KEYBACKUP_MAGIC "')");
	}

	/* 2: the key derivation and its limits */
	if ((r = take_line(text, len, &pos, 2, &line, &n, why, why_cap)))
		return r;
	if (!strip(line, n, "kdf ", &rest, &rn))
		return fail(why, why_cap, MAILLE_EPROTO, "line 2 is not 'kdf ...'");
	const char *ops_s, *mem_s;
	size_t ops_n, mem_n;
	if (!strip(rest, rn, KEYBACKUP_KDF " ", &ops_s, &ops_n))
		return fail(why, why_cap, MAILLE_EPROTO,
		            "line 2: unknown key derivation (only " KEYBACKUP_KDF ")");
	const char *sp = memchr(ops_s, ' ', ops_n);
	unsigned long long ops, mem;
	if (!sp)
		return fail(why, why_cap, MAILLE_EPROTO,
		            "line 2: 'kdf " KEYBACKUP_KDF " OPSLIMIT MEMLIMIT' expected");
	mem_s = sp + 1;
	mem_n = ops_n - (size_t)(mem_s - ops_s);
	ops_n = (size_t)(sp - ops_s);
	if (!parse_dec(ops_s, ops_n, &ops) || !parse_dec(mem_s, mem_n, &mem))
		return fail(why, why_cap, MAILLE_EPROTO,
		            "line 2: the limits must be decimal numbers without leading zeros");
	if (!limits_ok(ops, mem))
		return fail(
		    why, why_cap, MAILLE_EPROTO,
		    "line 2: Argon2id limits outside the accepted range (opslimit %llu..%llu, "
		    "memlimit %llu..%llu bytes); refused without trying them",
		    (unsigned long long)crypto_pwhash_argon2id_OPSLIMIT_MIN,
		    (unsigned long long)crypto_pwhash_argon2id_OPSLIMIT_SENSITIVE,
		    (unsigned long long)crypto_pwhash_argon2id_MEMLIMIT_MIN,
		    (unsigned long long)crypto_pwhash_argon2id_MEMLIMIT_SENSITIVE);
	ret->opslimit = ops;
	ret->memlimit = (size_t)mem;

	/* 3, 4: salt and nonce */
	if ((r = take_line(text, len, &pos, 3, &line, &n, why, why_cap)))
		return r;
	if (!strip(line, n, "salt ", &rest, &rn) ||
	    !parse_hex(rest, rn, ret->salt, sizeof ret->salt))
		return fail(why, why_cap, MAILLE_EPROTO, "line 3 is not 'salt <32 hex digits>'");
	if ((r = take_line(text, len, &pos, 4, &line, &n, why, why_cap)))
		return r;
	if (!strip(line, n, "nonce ", &rest, &rn) ||
	    !parse_hex(rest, rn, ret->nonce, sizeof ret->nonce))
		return fail(why, why_cap, MAILLE_EPROTO, "line 4 is not 'nonce <48 hex digits>'");

	/* 5: the box */
	if ((r = take_line(text, len, &pos, 5, &line, &n, why, why_cap)))
		return r;
	if (!strip(line, n, "box ", &rest, &rn))
		return fail(why, why_cap, MAILLE_EPROTO, "line 5 is not 'box <base64>'");
	size_t b64_max =
	    sodium_base64_ENCODED_LEN(KEYBACKUP_BOX_MAX, sodium_base64_VARIANT_ORIGINAL) - 1;
	size_t box_len = 0;
	if (rn == 0 || rn > b64_max || rn % 4 != 0 ||
	    sodium_base642bin(ret->box, sizeof ret->box, rest, rn, NULL, &box_len, NULL,
	                      sodium_base64_VARIANT_ORIGINAL) != 0)
		return fail(why, why_cap, MAILLE_EPROTO, "line 5: the box is not valid base64");
	if (box_len <= crypto_secretbox_MACBYTES)
		return fail(why, why_cap, MAILLE_EPROTO, "line 5: the box is too short");
	/* One spelling only, whatever libsodium's decoder tolerates (e.g. non-zero bits in the
	 * last character): encode again and compare. */
	char again[sodium_base64_ENCODED_LEN(KEYBACKUP_BOX_MAX, sodium_base64_VARIANT_ORIGINAL)];
	sodium_bin2base64(again, sizeof again, ret->box, box_len, sodium_base64_VARIANT_ORIGINAL);
	if (strlen(again) != rn || memcmp(again, rest, rn) != 0)
		return fail(why, why_cap, MAILLE_EPROTO, "line 5: the box is not canonical base64");
	ret->box_len = box_len;

	if (pos != len)
		return fail(why, why_cap, MAILLE_EPROTO, "more than five lines");
	return 0;
}

int keybackup_format(const keybackup_file *f, char *ret, size_t cap, size_t *ret_len)
{
	if (!keybackup_limits_ok(f->opslimit, f->memlimit) ||
	    f->box_len <= crypto_secretbox_MACBYTES || f->box_len > KEYBACKUP_BOX_MAX)
		return MAILLE_EINVAL;
	char salt[2 * KEYBACKUP_SALT_LEN + 1], nonce[2 * KEYBACKUP_NONCE_LEN + 1];
	char box[sodium_base64_ENCODED_LEN(KEYBACKUP_BOX_MAX, sodium_base64_VARIANT_ORIGINAL)];
	sodium_bin2hex(salt, sizeof salt, f->salt, sizeof f->salt);
	sodium_bin2hex(nonce, sizeof nonce, f->nonce, sizeof f->nonce);
	sodium_bin2base64(box, sizeof box, f->box, f->box_len, sodium_base64_VARIANT_ORIGINAL);
	int n = snprintf(ret, cap,
	                 KEYBACKUP_MAGIC "\n"
	                                 "kdf " KEYBACKUP_KDF " %llu %llu\n"
	                                 "salt %s\n"
	                                 "nonce %s\n"
	                                 "box %s\n",
	                 f->opslimit, (unsigned long long)f->memlimit, salt, nonce, box);
	if (n < 0 || (size_t)n >= cap)
		return MAILLE_ETOOBIG;
	*ret_len = (size_t)n;
	return 0;
}

/* ---- the plaintext --------------------------------------------------------------------- */

/* Wipes every string and byte string of a decoded tree: the decoder copied the seed and the
 * network key into the arena, whose chunks proto_arena_done() frees without wiping. The arena
 * memory is ours and writable; the const of the tree only says the tree is read-only to its
 * users. */
static void wipe_tree(proto_value *v)
{
	switch (v->type) {
	case PROTO_V_STR:
		sodium_memzero((void *)(uintptr_t)v->u.str.ptr, v->u.str.len);
		break;
	case PROTO_V_BIN:
		sodium_memzero((void *)(uintptr_t)v->u.bin.ptr, v->u.bin.len);
		break;
	case PROTO_V_ARRAY:
		for (size_t i = 0; i < v->u.arr.n; i++)
			wipe_tree(&v->u.arr.items[i]);
		break;
	case PROTO_V_MAP:
		for (size_t i = 0; i < v->u.map.n; i++)
			wipe_tree(&v->u.map.items[i].val);
		break;
	default:
		break;
	}
}

static int decode_federation(const proto_value *v, keybackup_secret *s, char *why, size_t why_cap)
{
	if (v->type != PROTO_V_MAP)
		return fail(why, why_cap, MAILLE_EPROTO, "'federation' is not a map");
	bool have_name = false, have_key = false;
	for (size_t i = 0; i < v->u.map.n; i++) {
		const proto_kv *kv = &v->u.map.items[i];
		const proto_value *x = &kv->val;
		if (strcmp(kv->key, "name") == 0) {
			if (x->type != PROTO_V_STR ||
			    !keybackup_federation_name_valid(x->u.str.ptr, x->u.str.len))
				return fail(why, why_cap, MAILLE_EPROTO,
				            "'federation.name' is not a federation's name");
			memcpy(s->federation_name, x->u.str.ptr, x->u.str.len);
			s->federation_name[x->u.str.len] = '\0';
			have_name = true;
		} else if (strcmp(kv->key, "key") == 0) {
			if (x->type != PROTO_V_BIN || x->u.bin.len != KEYBACKUP_NETKEY_LEN)
				return fail(why, why_cap, MAILLE_EPROTO,
				            "'federation.key' is not 32 bytes");
			memcpy(s->netkey, x->u.bin.ptr, KEYBACKUP_NETKEY_LEN);
			have_key = true;
		} else {
			return fail(why, why_cap, MAILLE_EPROTO, "unknown field in 'federation'");
		}
	}
	if (!have_name || !have_key)
		return fail(why, why_cap, MAILLE_EPROTO, "'federation' lacks its %s",
		            have_name ? "key" : "name");
	s->has_federation = true;
	return 0;
}

static int decode_tree(const proto_value *v, keybackup_secret *s, char *why, size_t why_cap)
{
	if (v->type != PROTO_V_MAP)
		return fail(why, why_cap, MAILLE_EPROTO, "the plaintext is not a map");
	bool have_seed = false, have_name = false;
	for (size_t i = 0; i < v->u.map.n; i++) {
		const proto_kv *kv = &v->u.map.items[i];
		const proto_value *x = &kv->val;
		if (strcmp(kv->key, "seed") == 0) {
			if (x->type != PROTO_V_BIN || x->u.bin.len != KEYBACKUP_SEED_LEN)
				return fail(why, why_cap, MAILLE_EPROTO, "'seed' is not 32 bytes");
			memcpy(s->seed, x->u.bin.ptr, KEYBACKUP_SEED_LEN);
			have_seed = true;
		} else if (strcmp(kv->key, "name") == 0) {
			if (x->type != PROTO_V_STR ||
			    !keybackup_name_valid(x->u.str.ptr, x->u.str.len))
				return fail(why, why_cap, MAILLE_EPROTO,
				            "'name' is not a territory's name");
			memcpy(s->name, x->u.str.ptr, x->u.str.len);
			s->name[x->u.str.len] = '\0';
			have_name = true;
		} else if (strcmp(kv->key, "federation") == 0) {
			int r = decode_federation(x, s, why, why_cap);
			if (r)
				return r;
		} else {
			/* a version 1 file has exactly these fields: anything else is damage, or a
			 * later version that must say so on its first line */
			return fail(why, why_cap, MAILLE_EPROTO, "unknown field in the plaintext");
		}
	}
	if (!have_seed)
		return fail(why, why_cap, MAILLE_EPROTO, "no 'seed' in the plaintext");
	if (!have_name)
		return fail(why, why_cap, MAILLE_EPROTO, "no 'name' in the plaintext");
	return 0;
}

int keybackup_plain_decode(const uint8_t *buf, size_t len, keybackup_secret *ret, char *why,
                           size_t why_cap)
{
	sodium_memzero(ret, sizeof *ret);
	if (len > KEYBACKUP_PLAIN_MAX)
		return fail(why, why_cap, MAILLE_ETOOBIG, "plaintext over %u bytes",
		            KEYBACKUP_PLAIN_MAX);
	/* Checked first without a tree: a refused plaintext then leaves no copy anywhere, and
	 * the decode that follows can only fail for lack of memory. */
	int r = proto_value_check(buf, len);
	if (r)
		return fail(why, why_cap, r, "the plaintext is not canonical msgpack: %s",
		            maille_strerror(r));
	proto_arena ar;
	/* a bound, though the decoder allocates in proportion to the bytes it consumed: at most
	 * ~48 bytes of tree per input byte, so 1 KiB of plaintext never comes near it */
	proto_arena_init(&ar, 256u * 1024u);
	proto_value *v = NULL;
	r = proto_value_decode(buf, len, &ar, &v);
	if (r)
		r = fail(why, why_cap, r, "cannot decode the plaintext: %s", maille_strerror(r));
	else
		r = decode_tree(v, ret, why, why_cap);
	if (v)
		wipe_tree(v);
	proto_arena_done(&ar);
	if (r)
		sodium_memzero(ret, sizeof *ret);
	return r;
}

int keybackup_plain_encode(const keybackup_secret *s, uint8_t *ret, size_t cap, size_t *ret_len)
{
	size_t name_len = strnlen(s->name, sizeof s->name);
	size_t fname_len = strnlen(s->federation_name, sizeof s->federation_name);
	if (!keybackup_name_valid(s->name, name_len) ||
	    (s->has_federation && !keybackup_federation_name_valid(s->federation_name, fname_len)))
		return MAILLE_EINVAL;
	proto_arena ar;
	proto_arena_init(&ar, 0);
	int r = MAILLE_ENOMEM;
	proto_value *map = proto_value_new(&ar, PROTO_V_MAP);
	proto_value *seed = map ? proto_value_map_put(&ar, map, "seed", 4) : NULL;
	proto_value *name = map ? proto_value_map_put(&ar, map, "name", 4) : NULL;
	proto_value *nv = proto_value_new_str(&ar, s->name, name_len);
	if (!seed || !name || !nv)
		goto out;
	/* the secrets are referenced where they are, never copied into the (unwiped) arena */
	seed->type = PROTO_V_BIN;
	seed->u.bin.ptr = s->seed;
	seed->u.bin.len = KEYBACKUP_SEED_LEN;
	*name = *nv;
	if (s->has_federation) {
		proto_value *fed = proto_value_map_put(&ar, map, "federation", 10);
		if (!fed)
			goto out;
		fed->type = PROTO_V_MAP;
		proto_value *fname = proto_value_map_put(&ar, fed, "name", 4);
		proto_value *fkey = proto_value_map_put(&ar, fed, "key", 3);
		proto_value *fnv = proto_value_new_str(&ar, s->federation_name, fname_len);
		if (!fname || !fkey || !fnv)
			goto out;
		*fname = *fnv;
		fkey->type = PROTO_V_BIN;
		fkey->u.bin.ptr = s->netkey;
		fkey->u.bin.len = KEYBACKUP_NETKEY_LEN;
	}
	/* msgpack-c's buffer starts at 8 KiB, far above KEYBACKUP_PLAIN_MAX: it is never
	 * reallocated, so the one copy to wipe is the buffer it returns */
	uint8_t *enc = NULL;
	size_t len = 0;
	r = proto_value_encode(map, KEYBACKUP_PLAIN_MAX, &enc, &len);
	if (r)
		goto out;
	if (len > cap) {
		r = MAILLE_ETOOBIG;
	} else {
		memcpy(ret, enc, len);
		*ret_len = len;
	}
	sodium_memzero(enc, len);
	free(enc);
out:
	proto_arena_done(&ar);
	return r;
}

/* ---- sealing and opening ----------------------------------------------------------------- */

int keybackup_seal(const keybackup_secret *s, const char *pass, size_t pass_len,
                   unsigned long long opslimit, size_t memlimit, keybackup_file *ret)
{
	if (!keybackup_limits_ok(opslimit, memlimit))
		return MAILLE_EINVAL;
	uint8_t *key = sodium_malloc(crypto_secretbox_KEYBYTES);
	uint8_t *pt = sodium_malloc(KEYBACKUP_PLAIN_MAX);
	int r = MAILLE_ENOMEM;
	size_t pt_len = 0;
	if (!key || !pt)
		goto out;
	memset(ret, 0, sizeof *ret);
	if ((r = keybackup_plain_encode(s, pt, KEYBACKUP_PLAIN_MAX, &pt_len)))
		goto out;
	randombytes_buf(ret->salt, sizeof ret->salt);
	randombytes_buf(ret->nonce, sizeof ret->nonce);
	if (crypto_pwhash(key, crypto_secretbox_KEYBYTES, pass, pass_len, ret->salt, opslimit,
	                  memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
		r = MAILLE_ENOMEM; /* the only way it fails with limits in range */
		goto out;
	}
	crypto_secretbox_easy(ret->box, pt, pt_len, ret->nonce, key);
	ret->box_len = pt_len + crypto_secretbox_MACBYTES;
	ret->opslimit = opslimit;
	ret->memlimit = memlimit;
	r = 0;
out:
	if (key)
		sodium_free(key); /* wipes */
	if (pt)
		sodium_free(pt);
	return r;
}

int keybackup_open(const keybackup_file *f, const char *pass, size_t pass_len,
                   keybackup_secret *ret, char *why, size_t why_cap)
{
	sodium_memzero(ret, sizeof *ret);
	/* again here, whoever built f: the limits decide how much memory Argon2id takes */
	if (!keybackup_limits_ok(f->opslimit, f->memlimit))
		return fail(why, why_cap, MAILLE_EINVAL,
		            "Argon2id limits outside the accepted range");
	if (f->box_len <= crypto_secretbox_MACBYTES || f->box_len > KEYBACKUP_BOX_MAX)
		return fail(why, why_cap, MAILLE_EPROTO, "the box's size is out of range");
	uint8_t *key = sodium_malloc(crypto_secretbox_KEYBYTES);
	uint8_t *pt = sodium_malloc(KEYBACKUP_PLAIN_MAX);
	int r;
	if (!key || !pt) {
		r = fail(why, why_cap, MAILLE_ENOMEM, "out of memory");
		goto out;
	}
	if (crypto_pwhash(key, crypto_secretbox_KEYBYTES, pass, pass_len, f->salt, f->opslimit,
	                  f->memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
		r = fail(why, why_cap, MAILLE_ENOMEM, "Argon2id could not allocate its %llu MiB",
		         (unsigned long long)(f->memlimit >> 20));
		goto out;
	}
	if (crypto_secretbox_open_easy(pt, f->box, f->box_len, f->nonce, key) != 0) {
		r = fail(why, why_cap, MAILLE_EAUTH, "wrong passphrase or damaged file");
		goto out;
	}
	r = keybackup_plain_decode(pt, f->box_len - crypto_secretbox_MACBYTES, ret, why, why_cap);
out:
	if (key)
		sodium_free(key);
	if (pt)
		sodium_free(pt);
	return r;
}
